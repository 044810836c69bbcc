//! Property tests over random teams, services and network modes.

use proptest::prelude::*;
use proptest::sample::subsequence;

use super::*;

fn member(i: u32) -> String {
    format!("0a1b2c3d-0000-4000-8000-{i:012x}")
}

fn pool() -> Vec<String> {
    (1..=12).map(member).collect()
}

#[derive(Debug, Clone)]
struct Case {
    genai: bool,
    /// `services`: azure_ml, databricks, data_factory, ai_search, ai_services, cosmos_db
    /// (None = the type's preset).
    switches: [Option<bool>; 10],
    private: bool,
    lake: bool,
    sp: bool,
    users: bool,
    team: Vec<String>,
    cloud: usize,
    /// `foundry_options.account = "dedicated"`.
    dedicated: bool,
}

fn spec_of(c: &Case) -> ProjectSpec {
    let mut s = if c.genai { genai() } else { esml() };
    let [azure_ml, databricks, data_factory, ai_search, ai_services, cosmos_db, ai_foundry, agent_service, container_apps, azure_openai] =
        c.switches;
    s.services = Services {
        azure_ml,
        databricks,
        data_factory,
        ai_search,
        ai_services,
        cosmos_db,
        ai_foundry,
        agent_service,
        container_apps,
        azure_openai,
    };
    // Switches that need others are valid only with them; the others are kept.
    let on = |x: Option<bool>, preset: bool| x.unwrap_or(preset);
    let genai = c.genai;
    if c.dedicated {
        s.foundry_account = FoundryAccount::Dedicated;
    }
    let has_ais = on(ai_services, genai) || c.dedicated;
    if on(ai_foundry, false) && !has_ais {
        s.services.ai_foundry = Some(false);
    }
    if on(agent_service, false)
        && !(s.services.on(s.project_type, "ai_foundry")
            && has_ais
            && on(ai_search, genai)
            && on(cosmos_db, false))
    {
        s.services.agent_service = Some(false);
    }
    if !c.private {
        s.network_access = NetworkAccess::Allowlist;
        s.ip_allowlist = vec!["203.0.113.0/24".to_string()];
    }
    if !c.lake {
        s.common.datalake_storage_account_id = None;
        s.common.datalake_filesystem = None;
    }
    s.team.service_principal_object_id = c.sp.then(|| SP.to_string());
    s.team.principal_type = if c.users {
        TeamPrincipalType::User
    } else {
        TeamPrincipalType::Group
    };
    s.team.object_ids = c.team.clone();
    s.cloud = Cloud::ALL[c.cloud];
    // Keep only the subnets this case uses (unused ones are warnings, not errors).
    s.subnet_ids = esml().subnet_ids;
    s.subnet_ids.insert(
        "aca".to_string(),
        "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/acme-esml-common-weu-dev-001/providers/Microsoft.Network/virtualNetworks/vnt-esmlcmn-weu-dev-001/subnets/snt-prj001-aca".to_string(),
    );
    s.subnet_ids.insert(
        "agent".to_string(),
        "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/acme-esml-common-weu-dev-001/providers/Microsoft.Network/virtualNetworks/vnt-esmlcmn-weu-dev-001/subnets/snt-prj001-agent".to_string(),
    );
    s
}

fn case() -> impl Strategy<Value = Case> {
    (
        any::<bool>(),
        proptest::array::uniform10(proptest::option::of(any::<bool>())),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        subsequence(pool(), 0..6),
        0usize..3,
        any::<bool>(),
    )
        .prop_map(
            |(genai, switches, private, lake, sp, users, team, cloud, dedicated)| Case {
                genai,
                switches,
                private,
                lake,
                sp,
                users,
                team,
                cloud,
                dedicated,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(120))]

    /// Any valid combination builds, has unique keys, a valid graph and GUID names that
    /// are the documented function of (scope, role, principal).
    #[test]
    fn every_combination_builds_a_valid_graph(c in case()) {
        let p = desired(&spec_of(&c)).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(p.keys().len(), p.nodes().len(), "keys are unique");
        prop_assert!(p.validate_graph().is_ok());
        for ra in &p.role_assignments {
            if let (Some(pid), Some(name)) = (&ra.principal_id, &ra.name) {
                prop_assert_eq!(name, &role_assignment_name(&ra.scope, &ra.role_definition_guid, pid));
            }
        }
        prop_assert_eq!(p.resources.iter().any(|r| r.key.starts_with("private_endpoint.")), c.private);
        prop_assert_eq!(p.acl.is_empty(), !c.lake);
    }

    /// For random service switches on either type, every object's dependencies are
    /// created before it and deleted after it, every switched-on service exists, and every
    /// private endpoint's DNS zones are in the factory's one zone list.
    #[test]
    fn dependencies_order_and_zones_hold_for_any_switches(c in case()) {
        let spec = spec_of(&c);
        let p = desired(&spec).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let apply: Vec<&str> = p.apply_order().map_err(|e| TestCaseError::fail(format!("{e:?}")))?.iter().map(|n| n.key()).collect();
        let destroy: Vec<&str> = p.destroy_order().map_err(|e| TestCaseError::fail(format!("{e:?}")))?.iter().map(|n| n.key()).collect();
        for node in p.nodes() {
            let at = |order: &[&str], k: &str| order.iter().position(|x| *x == k);
            for d in node.depends_on() {
                prop_assert!(at(&apply, d) < at(&apply, node.key()), "{} created before its dependency {}", node.key(), d);
                prop_assert!(at(&destroy, d) > at(&destroy, node.key()), "{} deleted after its dependency {}", node.key(), d);
            }
        }
        let keys: Vec<&str> = p.resources.iter().map(|r| r.key.as_str()).collect();
        for (switch, key) in [("azure_ml", "ml_workspace"), ("databricks", "databricks"), ("data_factory", "data_factory"), ("ai_search", "search"), ("ai_services", "ai_services"), ("cosmos_db", "cosmos_db"), ("container_apps", "container_apps"), ("azure_openai", "azure_openai")] {
            prop_assert_eq!(spec.services.on(spec.project_type, switch), keys.contains(&key), "{}", switch);
        }
        let zones = crate::project::network::factory_zones(spec.cloud);
        for r in p.resources.iter().filter(|r| r.key.starts_with("private_dns_zone_group.")) {
            for cfg in r.body["properties"]["privateDnsZoneConfigs"].as_array().into_iter().flatten() {
                let id = cfg["properties"]["privateDnsZoneId"].as_str().unwrap_or_default();
                let zone = id.rsplit('/').next().unwrap_or_default();
                prop_assert!(zones.contains(&zone), "{} uses {}, not in the factory's zones", r.key, zone);
            }
        }
    }

    /// The same input gives the same project, whatever the member order.
    #[test]
    fn deterministic_whatever_the_order(c in case()) {
        let a = desired(&spec_of(&c)).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let mut shuffled = c.clone();
        shuffled.team.reverse();
        let b = desired(&spec_of(&shuffled)).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(a, b);
    }

    /// Adding one member adds only that member's role assignments and ACL entries, and
    /// changes nothing else.
    #[test]
    fn adding_one_member_adds_only_its_objects(c in case(), extra in 100u32..200) {
        let before = desired(&spec_of(&c)).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let mut more = c.clone();
        let new = member(extra);
        more.team.push(new.clone());
        let after = desired(&spec_of(&more)).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let (ka, kb) = (before.keys(), after.keys());
        prop_assert!(ka.is_subset(&kb));
        for k in kb.difference(&ka) {
            prop_assert!(k.starts_with(&format!("role.team.{new}.")) || k.starts_with(&format!("acl.team.{new}.")), "{}", k);
        }
        for k in &ka {
            prop_assert_eq!(format!("{:?}", before.node(k)), format!("{:?}", after.node(k)), "{} changed", k);
        }
        prop_assert!(kb.len() > ka.len());
    }
}
