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
    a: bool,
    b: bool,
    private: bool,
    lake: bool,
    sp: bool,
    users: bool,
    team: Vec<String>,
    cloud: usize,
}

fn spec_of(c: &Case) -> ProjectSpec {
    let mut s = if c.genai { genai() } else { esml() };
    s.services = if c.genai {
        Services {
            azure_ml: Some(c.a),
            ..Services::default()
        }
    } else {
        Services {
            databricks: Some(c.a),
            data_factory: Some(c.b),
            azure_ml: None,
        }
    };
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
    s
}

fn case() -> impl Strategy<Value = Case> {
    (
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        subsequence(pool(), 0..6),
        0usize..3,
    )
        .prop_map(
            |(genai, a, b, private, lake, sp, users, team, cloud)| Case {
                genai,
                a,
                b,
                private,
                lake,
                sp,
                users,
                team,
                cloud,
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
