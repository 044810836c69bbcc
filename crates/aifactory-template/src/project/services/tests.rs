//! The catalog's invariants: one descriptor per key, stable api-versions with their spec,
//! dependencies that come first in every layout, private-link groups that naming and the
//! DNS zone table know in every cloud, grants from the checked role list.

use super::*;
use crate::naming::PRIVATE_LINK_TARGETS;
use crate::project::network::{dns_zones, Cloud};
use crate::project::rbac::{FORBIDDEN_ROLE_GUIDS, ROLES};

/// Every consistent combination of the layout switches.
fn layouts() -> Vec<Layout> {
    let mut out = Vec::new();
    for bits in 0..16384u32 {
        let b = |i: u32| bits & (1 << i) != 0;
        let l = Layout {
            genai: b(0),
            ml: b(1),
            databricks: b(2),
            data_factory: b(3),
            search: b(4),
            ai_services: b(5),
            private: b(6),
            datalake: b(7),
            cosmos_db: b(8),
            foundry: b(9),
            foundry_dedicated: b(13),
            agent: b(10),
            container_apps: b(11),
            azure_openai: b(12),
        };
        // What `Layout::of` can produce: Foundry on an AI Services account or its own, the
        // Agent service on Foundry with AI Search and Cosmos DB.
        let consistent = (!l.foundry || l.ai_services || l.foundry_dedicated)
            && (!l.foundry_dedicated || l.foundry)
            && (!l.agent || (l.foundry && l.search && l.cosmos_db));
        if consistent {
            out.push(l);
        }
    }
    out
}

#[test]
fn one_descriptor_per_key_and_keys_round_trip() {
    let mut seen = std::collections::BTreeSet::new();
    for s in CATALOG {
        assert!(seen.insert(s.key), "{} twice", s.key);
        assert_eq!(ServiceKey::parse(s.key.as_str()), Some(s.key));
        assert!(std::ptr::eq(s.key.descriptor(), *s), "{}", s.key);
    }
    assert_eq!(seen.len(), CATALOG.len());
}

#[test]
fn api_versions_are_stable_and_cite_their_spec() {
    for s in CATALOG {
        let v = s.api.api_version;
        assert!(!v.contains("preview"), "{}: {v}", s.key);
        assert!(
            s.api.spec.contains(&format!("stable/{v}")),
            "{}: {}",
            s.key,
            s.api.spec
        );
        let provider = s.api.resource_type.split('/').next().unwrap_or_default();
        assert!(s.api.spec.contains(provider), "{}: {}", s.key, s.api.spec);
    }
}

#[test]
fn dependencies_come_first_in_every_layout() {
    for layout in layouts() {
        let order: Vec<ServiceKey> = enabled(&layout).map(|s| s.key).collect();
        for (i, s) in enabled(&layout).enumerate() {
            for d in (s.depends_on)(&layout) {
                let at = order.iter().position(|k| *k == d);
                assert!(
                    at.is_some_and(|at| at < i),
                    "{} depends on {d}, which is not created before it in {layout:?}",
                    s.key
                );
            }
        }
        assert_eq!(order.first(), Some(&ServiceKey::ResourceGroup));
    }
}

#[test]
fn private_link_groups_are_named_and_have_zones_in_every_cloud() {
    for s in CATALOG {
        let named: Vec<&str> = PRIVATE_LINK_TARGETS
            .iter()
            .filter(|t| t.target == s.key.as_str())
            .map(|t| t.group_id)
            .collect();
        assert_eq!(named, s.private_link_groups, "{}", s.key);
        for group in s.private_link_groups {
            for cloud in [Cloud::Public, Cloud::UsGovernment, Cloud::China] {
                assert!(
                    dns_zones(cloud, group).is_some_and(|z| !z.zones.is_empty()),
                    "{} {group} has no DNS zone in {cloud:?}",
                    s.key
                );
            }
        }
    }
}

#[test]
fn grants_use_checked_roles_and_never_forbidden_ones() {
    for s in CATALOG {
        for g in s.grants {
            assert!(ROLES.contains(&g.role), "{}: {}", s.key, g.role.name);
            assert!(FORBIDDEN_ROLE_GUIDS.iter().all(|(_, f)| *f != g.role.guid));
            assert!(!g.why.is_empty());
        }
    }
    for g in matrix() {
        assert!(ROLES.contains(&g.role), "{}", g.role.name);
    }
}

#[test]
fn soft_delete_follows_the_type() {
    for s in CATALOG {
        let expected = match s.api.resource_type {
            "Microsoft.KeyVault/vaults" => SoftDelete::KeyVault,
            "Microsoft.CognitiveServices/accounts" => SoftDelete::CognitiveServices,
            _ => SoftDelete::None,
        };
        assert_eq!(s.soft_delete, expected, "{}", s.key);
    }
}

#[test]
fn subnet_needs_are_known_purposes() {
    for s in CATALOG {
        for n in s.subnets {
            assert!(
                crate::project::validate::subnet_purposes()
                    .iter()
                    .any(|(p, _)| *p == n.purpose),
                "{}: {}",
                s.key,
                n.purpose
            );
        }
    }
}

/// Every descriptor's diagnostic logs make a setting (known category groups, something to
/// send), and the types Azure Monitor gives no logs at the level we set them are metrics
/// only: storage accounts (logs are on the blob/file/queue/table services).
#[test]
fn diagnostic_logs_make_valid_settings() {
    let target = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.X/things/t";
    let law =
        "/subscriptions/s/resourceGroups/c/providers/Microsoft.OperationalInsights/workspaces/l";
    for s in CATALOG {
        if let Some(d) = s.diagnostics {
            crate::diagnostics::desired(target, law, d.category_groups, d.metrics)
                .unwrap_or_else(|e| panic!("{}: {e}", s.key));
        }
    }
    for k in [ServiceKey::Storage, ServiceKey::MlStorage] {
        let d = k.descriptor().diagnostics.expect("storage has metrics");
        assert!(d.category_groups.is_empty() && d.metrics, "{k}");
    }
    // Child resources and types without resource logs of their own have none.
    for k in [
        ServiceKey::ResourceGroup,
        ServiceKey::Identity,
        ServiceKey::AppInsights,
        ServiceKey::FoundryProject,
    ] {
        assert!(k.descriptor().diagnostics.is_none(), "{k}");
    }
}
