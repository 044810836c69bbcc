//! The body rules, one small [`TypeRules`] table per resource type the provider writes (its
//! project template, `aifactory_subnet_allocation`, and what the examples write through
//! `aifactory_arm_resource`), each read from the stable REST spec of the api-versions it
//! lists. Grouped by resource provider: `resources` (resource groups, managed identities,
//! role assignments), `storage`, `network`, `services` (the project's other services and
//! the common environment's workspaces and zones), `monitor` (diagnostic settings, Defender plans).
//!
//! Owns the facts; must not hold code that walks a body (that is `check`).

mod monitor;
mod network;
mod resources;
mod services;
mod storage;

use super::schema::TypeRules;

/// Every rule set.
pub const ALL: [&TypeRules; 34] = [
    &resources::RESOURCE_GROUP,
    &resources::USER_ASSIGNED_IDENTITY,
    &resources::ROLE_ASSIGNMENT,
    &storage::ACCOUNT,
    &storage::ACCOUNT_2023,
    &storage::BLOB_SERVICE,
    &storage::CONTAINER,
    &network::VIRTUAL_NETWORK,
    &network::SUBNET,
    &network::NETWORK_SECURITY_GROUP,
    &network::SECURITY_RULE,
    &network::ROUTE_TABLE,
    &network::PRIVATE_ENDPOINT,
    &network::PRIVATE_DNS_ZONE_GROUP,
    &network::PRIVATE_DNS_ZONE,
    &network::PRIVATE_DNS_ZONE_LINK,
    &network::PEERING,
    &network::PUBLIC_IP,
    &network::BASTION_HOST,
    &network::NETWORK_INTERFACE,
    &services::VIRTUAL_MACHINE,
    &services::KEY_VAULT,
    &services::APP_INSIGHTS,
    &services::ML_WORKSPACE,
    &services::DATABRICKS,
    &services::DATA_FACTORY,
    &services::SEARCH,
    &services::SEARCH_SHARED_PRIVATE_LINK,
    &services::AI_SERVICES,
    &services::AI_DEPLOYMENT,
    &services::LOG_ANALYTICS,
    &services::CONTAINER_REGISTRY,
    &monitor::DIAGNOSTIC_SETTING,
    &monitor::DEFENDER_PRICING,
];

/// The rules of `resource_type` at `api_version` (none for other versions or types).
pub fn find(resource_type: &str, api_version: &str) -> Option<&'static TypeRules> {
    ALL.into_iter().find(|r| {
        r.resource_type.eq_ignore_ascii_case(resource_type)
            && r.api_versions.contains(&api_version.trim())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::schema::READ_ONLY_TOP;

    #[test]
    fn every_rule_set_is_well_formed() {
        let mut seen = Vec::new();
        for r in ALL {
            for v in r.api_versions {
                // Stable versions, or a preview read from its preview spec where the stable
                // version lacks what is written (diagnostic settings' `categoryGroup`).
                let preview = v.ends_with("-preview");
                assert!(
                    v.len() == if preview { 18 } else { 10 }
                        && (!preview || r.spec.contains("/preview/")),
                    "{} {v}",
                    r.resource_type
                );
                let pair = (r.resource_type.to_ascii_lowercase(), *v);
                assert!(!seen.contains(&pair), "{pair:?} has two rule sets");
                seen.push(pair);
            }
            assert!(
                r.spec.contains("/stable/") || r.spec.contains("/preview/"),
                "{}",
                r.spec
            );
            for (i, f) in r.fields.iter().enumerate() {
                let root = f.path.split(['.', '[']).next().unwrap_or_default();
                assert!(
                    r.top.contains(&root) || READ_ONLY_TOP.contains(&root),
                    "{}: {} is under no top-level member",
                    r.resource_type,
                    f.path
                );
                // A nested field comes after its parent, so a wrong parent type answers first.
                if let Some((parent, _)) = f.path.rsplit_once('.') {
                    let parent = parent.trim_end_matches("[]");
                    assert!(
                        r.fields[..i]
                            .iter()
                            .any(|p| p.path.trim_end_matches("[]") == parent),
                        "{}: {} before its parent",
                        r.resource_type,
                        f.path
                    );
                }
            }
        }
        assert!(find("Microsoft.Storage/storageAccounts", "2025-06-01").is_some());
        assert!(find("microsoft.storage/storageaccounts", "2023-05-01").is_some());
        assert!(find("Microsoft.Storage/storageAccounts", "2019-06-01").is_none());
    }
}
