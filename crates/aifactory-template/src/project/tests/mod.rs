//! Tests of `desired` against the acceptance criteria. Snapshots in `snapshots.rs`,
//! property tests in `props.rs`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::rbac::{FORBIDDEN_ROLE_GUIDS, ROLES};
use super::*;
use crate::naming::{self, Environment, Guid, NameKind};

mod props;
mod snapshots;

pub(super) const SUB: &str = "11111111-2222-3333-4444-555555555555";
pub(super) const TENANT: &str = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
pub(super) const M1: &str = "0a1b2c3d-0000-4000-8000-000000000001";
pub(super) const M2: &str = "0a1b2c3d-0000-4000-8000-000000000002";
pub(super) const M3: &str = "0a1b2c3d-0000-4000-8000-000000000003";
pub(super) const SP: &str = "5e5e5e5e-0000-4000-8000-00000000005e";
pub(super) const MI: &str = "1d1d1d1d-0000-4000-8000-0000000000d1";

pub(super) fn rg_id(rg: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/{rg}")
}

pub(super) fn subnet(name: &str) -> String {
    format!(
        "{}/providers/Microsoft.Network/virtualNetworks/vnt-esmlcmn-weu-dev-001/subnets/{name}",
        rg_id("acme-esml-common-weu-dev-001")
    )
}

/// esml, private, Databricks + Data Factory, two groups, a service principal, the lake.
pub(super) fn esml() -> ProjectSpec {
    ProjectSpec {
        subscription_id: SUB.to_string(),
        tenant_id: TENANT.to_string(),
        cloud: Cloud::Public,
        number: 1,
        environment: Environment::Dev,
        location: "westeurope".to_string(),
        project_type: ProjectType::Esml,
        naming: NamingOptions {
            prefix: Some("acme-".to_string()),
            location_short: Some("weu".to_string()),
            suffix: Some("-001".to_string()),
            ..NamingOptions::default()
        },
        common: CommonRefs {
            resource_group_name: "acme-esml-common-weu-dev-001".to_string(),
            private_dns_zone_resource_group_id: rg_id("acme-dns"),
            log_analytics_workspace_id: format!(
                "{}/providers/Microsoft.OperationalInsights/workspaces/la-cmn-weu-dev",
                rg_id("acme-esml-common-weu-dev-001")
            ),
            datalake_storage_account_id: Some(format!(
                "{}/providers/Microsoft.Storage/storageAccounts/lakeweudev",
                rg_id("acme-esml-common-weu-dev-001")
            )),
            datalake_filesystem: Some("lake3".to_string()),
            datalake_traverse_group_id: None,
            dns_zone_groups: true,
        },
        subnet_ids: BTreeMap::from([
            ("private_endpoints".to_string(), subnet("snt-prj001-genai")),
            ("dbx_public".to_string(), subnet("snt-prj001-dbxpub")),
            ("dbx_private".to_string(), subnet("snt-prj001-dbxpriv")),
        ]),
        team: Team {
            object_ids: vec![M1.to_string(), M2.to_string()],
            principal_type: TeamPrincipalType::Group,
            service_principal_object_id: Some(SP.to_string()),
            personas: Vec::new(),
        },
        services: Services {
            databricks: Some(true),
            data_factory: Some(true),
            ..Services::default()
        },
        network_access: NetworkAccess::Private,
        ip_allowlist: Vec::new(),
        tags: BTreeMap::from([("cost_center".to_string(), "1234".to_string())]),
        identity_principal_id: None,
        key_vault_purge_protection: None,
        deployments: Vec::new(),
        search: SearchOptions::default(),
        foundry_account: FoundryAccount::AiServices,
        diagnostics: true,
    }
}

/// genai, private, no Machine Learning, one user, no service principal, the lake.
pub(super) fn genai() -> ProjectSpec {
    let mut s = esml();
    s.project_type = ProjectType::Genai;
    s.number = 2;
    s.services = Services::default();
    s.subnet_ids.retain(|k, _| k == "private_endpoints");
    s.team = Team {
        object_ids: vec![M1.to_string()],
        principal_type: TeamPrincipalType::User,
        service_principal_object_id: None,
        personas: Vec::new(),
    };
    s
}

/// genai with Machine Learning, allowlist, US Government, prod, identity known.
pub(super) fn genai_ml_allowlist_gov() -> ProjectSpec {
    let mut s = genai();
    s.cloud = Cloud::UsGovernment;
    s.location = "usgovvirginia".to_string();
    s.naming.location_short = None;
    s.environment = Environment::Prod;
    s.common.resource_group_name = "acme-esml-common-ugv-prod-001".to_string();
    s.services.azure_ml = Some(true);
    s.network_access = NetworkAccess::Allowlist;
    s.subnet_ids.clear();
    s.ip_allowlist = vec![
        "203.0.113.7".to_string(),
        "198.51.100.0/24".to_string(),
        "203.0.113.8/31".to_string(),
    ];
    s.identity_principal_id = Some(MI.to_string());
    s.team.service_principal_object_id = Some(SP.to_string());
    s
}

pub(super) fn ok(spec: &ProjectSpec) -> DesiredProject {
    desired(spec).unwrap_or_else(|e| {
        panic!(
            "{}",
            e.iter()
                .map(|i| format!("{i}\n  {}", i.detail()))
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}

pub(super) fn errs(spec: &ProjectSpec) -> Vec<Issue> {
    match desired(spec) {
        Ok(_) => panic!("expected issues"),
        Err(e) => e,
    }
}

fn resource<'a>(p: &'a DesiredProject, key: &str) -> &'a DesiredResource {
    p.resources
        .iter()
        .find(|r| r.key == key)
        .unwrap_or_else(|| panic!("no {key}"))
}

fn resource_keys(p: &DesiredProject) -> Vec<&str> {
    p.resources.iter().map(|r| r.key.as_str()).collect()
}

// ---------------------------------------------------------------- contents

#[test]
fn esml_contains_its_services_and_endpoints() {
    let p = ok(&esml());
    let keys = resource_keys(&p);
    for k in [
        "resource_group",
        "identity",
        "key_vault",
        "storage",
        "app_insights",
        "ml_workspace",
        "databricks",
        "data_factory",
    ] {
        assert!(keys.contains(&k), "{k}");
    }
    for k in ["search", "ai_services", "ml_storage"] {
        assert!(!keys.contains(&k), "{k}");
    }
    let pes: Vec<&str> = keys
        .iter()
        .filter_map(|k| k.strip_prefix("private_endpoint."))
        .collect();
    assert_eq!(
        pes,
        vec![
            "data_factory_data_factory",
            "databricks_databricks_ui_api",
            "key_vault_vault",
            "ml_workspace_amlworkspace",
            "storage_blob",
            "storage_dfs",
            "storage_file",
            "storage_queue",
            "storage_table",
        ]
    );
    for pe in pes {
        assert!(
            keys.contains(&format!("private_dns_zone_group.{pe}").as_str()),
            "{pe}"
        );
    }
    assert_eq!(p.resource_group_name, "acme-esml-project001-weu-dev-001-rg");
    assert_eq!(
        p.resource_group_id,
        rg_id("acme-esml-project001-weu-dev-001-rg")
    );
    assert_eq!(p.datalake_path.as_deref(), Some("projects/project001"));
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
}

#[test]
fn genai_contains_search_and_ai_services_without_ml() {
    let p = ok(&genai());
    let keys = resource_keys(&p);
    for k in [
        "search",
        "ai_services",
        "private_endpoint.search_search_service",
        "private_endpoint.ai_services_account",
    ] {
        assert!(keys.contains(&k), "{k}");
    }
    for k in [
        "ml_workspace",
        "ml_storage",
        "databricks",
        "data_factory",
        "private_endpoint.storage_file",
    ] {
        assert!(!keys.contains(&k), "{k}");
    }
    let ai = &resource(&p, "ai_services").body;
    assert_eq!(ai["kind"], "AIServices");
    assert_eq!(
        ai["properties"]["customSubDomainName"],
        p.names.ai_services.as_str()
    );
    assert_eq!(ai["properties"]["disableLocalAuth"], true);
    // genai's storage has no shared key; no Machine Learning needs it.
    assert_eq!(
        resource(&p, "storage").body["properties"]["allowSharedKeyAccess"],
        false
    );
}

#[test]
fn key_vault_body_is_rbac_mode_with_soft_delete_and_purge_protection_per_setting() {
    let p = ok(&esml());
    let kv = &resource(&p, "key_vault").body["properties"];
    assert_eq!(kv["enableRbacAuthorization"], true);
    assert_eq!(kv["enableSoftDelete"], true);
    assert_eq!(kv["softDeleteRetentionInDays"], 7);
    assert_eq!(kv["tenantId"], TENANT);
    assert_eq!(kv.get("enablePurgeProtection"), None);
    assert_eq!(kv["publicNetworkAccess"], "Disabled");
    assert_eq!(kv["networkAcls"]["defaultAction"], "Deny");
    let mut s = esml();
    s.environment = Environment::Prod;
    s.common.resource_group_name = "acme-esml-common-weu-prod-001".to_string();
    let kv = ok(&s);
    assert_eq!(
        resource(&kv, "key_vault").body["properties"]["enablePurgeProtection"],
        true
    );
    s.key_vault_purge_protection = Some(false);
    assert_eq!(
        resource(&ok(&s), "key_vault").body["properties"].get("enablePurgeProtection"),
        None
    );
}

#[test]
fn storage_body_is_hardened() {
    let p = ok(&esml());
    let st = &resource(&p, "storage").body;
    assert_eq!(st["kind"], "StorageV2");
    let props = &st["properties"];
    assert_eq!(props["isHnsEnabled"], false);
    assert_eq!(props["minimumTlsVersion"], "TLS1_2");
    assert_eq!(props["allowBlobPublicAccess"], false);
    assert_eq!(
        props["allowSharedKeyAccess"], true,
        "esml's storage is Machine Learning's default storage"
    );
    assert_eq!(props["publicNetworkAccess"], "Disabled");
    assert_eq!(props["networkAcls"]["defaultAction"], "Deny");
}

#[test]
fn ml_workspace_is_wired_to_its_dependencies_and_the_identity() {
    let p = ok(&esml());
    let ws = resource(&p, "ml_workspace");
    let props = &ws.body["properties"];
    assert_eq!(props["keyVault"], resource(&p, "key_vault").id.as_str());
    assert_eq!(props["storageAccount"], resource(&p, "storage").id.as_str());
    assert_eq!(
        props["applicationInsights"],
        resource(&p, "app_insights").id.as_str()
    );
    assert_eq!(props["primaryUserAssignedIdentity"], p.identity_id.as_str());
    assert_eq!(ws.body["identity"]["type"], "UserAssigned");
    assert!(ws.body["identity"]["userAssignedIdentities"]
        .get(&p.identity_id)
        .is_some());
    for dep in [
        "key_vault",
        "storage",
        "app_insights",
        "identity",
        "role.identity.rg.azure-ai-administrator",
        "role.identity.key_vault.key-vault-administrator",
        "role.identity.storage.storage-file-data-privileged-contributor",
    ] {
        assert!(
            ws.depends_on.iter().any(|d| d == dep),
            "{dep} in {:?}",
            ws.depends_on
        );
    }
    // genai + azure_ml uses its own storage.
    let g = ok(&genai_ml_allowlist_gov());
    assert_eq!(
        resource(&g, "ml_workspace").body["properties"]["storageAccount"],
        resource(&g, "ml_storage").id.as_str()
    );
    assert_eq!(
        resource(&g, "ml_storage").body["properties"]["allowSharedKeyAccess"],
        true
    );
}

#[test]
fn databricks_is_vnet_injected_from_the_dbx_subnets() {
    let p = ok(&esml());
    let d = &resource(&p, "databricks").body;
    assert_eq!(d["sku"]["name"], "premium");
    let params = &d["properties"]["parameters"];
    assert_eq!(
        params["customVirtualNetworkId"]["value"],
        format!(
            "{}/providers/Microsoft.Network/virtualNetworks/vnt-esmlcmn-weu-dev-001",
            rg_id("acme-esml-common-weu-dev-001")
        )
        .as_str()
    );
    assert_eq!(
        params["customPublicSubnetName"]["value"],
        "snt-prj001-dbxpub"
    );
    assert_eq!(
        params["customPrivateSubnetName"]["value"],
        "snt-prj001-dbxpriv"
    );
    assert_eq!(params["enableNoPublicIp"]["value"], true);
    assert_eq!(
        d["properties"]["managedResourceGroupId"],
        rg_id(&p.names.databricks_managed_resource_group).as_str()
    );
    assert_eq!(
        d["properties"]["requiredNsgRules"],
        "NoAzureDatabricksRules"
    );
}

#[test]
fn private_endpoints_point_at_their_targets_and_zones() {
    let p = ok(&esml());
    let pe = resource(&p, "private_endpoint.key_vault_vault");
    let conn = &pe.body["properties"]["privateLinkServiceConnections"][0]["properties"];
    assert_eq!(
        conn["privateLinkServiceId"],
        resource(&p, "key_vault").id.as_str()
    );
    assert_eq!(conn["groupIds"][0], "vault");
    assert_eq!(
        pe.body["properties"]["subnet"]["id"],
        subnet("snt-prj001-genai").as_str()
    );
    assert_eq!(pe.depends_on, vec!["key_vault", "resource_group"]);
    let zg = resource(&p, "private_dns_zone_group.key_vault_vault");
    assert_eq!(zg.id, format!("{}/privateDnsZoneGroups/default", pe.id));
    assert_eq!(
        zg.body["properties"]["privateDnsZoneConfigs"][0]["properties"]["privateDnsZoneId"],
        format!(
            "{}/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net",
            rg_id("acme-dns")
        )
        .as_str()
    );
    let aml = resource(&p, "private_dns_zone_group.ml_workspace_amlworkspace");
    assert_eq!(
        aml.body["properties"]["privateDnsZoneConfigs"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
}

#[test]
fn zone_names_follow_the_cloud() {
    for (cloud, zone) in [
        (Cloud::Public, "privatelink.vaultcore.azure.net"),
        (
            Cloud::UsGovernment,
            "privatelink.vaultcore.usgovcloudapi.net",
        ),
        (Cloud::China, "privatelink.vaultcore.azure.cn"),
    ] {
        let mut s = esml();
        s.cloud = cloud;
        let p = ok(&s);
        let zg = resource(&p, "private_dns_zone_group.key_vault_vault");
        let id = zg.body["properties"]["privateDnsZoneConfigs"][0]["properties"]
            ["privateDnsZoneId"]
            .as_str()
            .unwrap_or("");
        assert!(
            id.ends_with(&format!("/privateDnsZones/{zone}")),
            "{cloud}: {id}"
        );
    }
}

#[test]
fn allowlist_opens_services_to_the_ip_rules_only_and_creates_no_endpoints() {
    let p = ok(&genai_ml_allowlist_gov());
    assert!(p.resources.iter().all(|r| !r.key.starts_with("private_")));
    let kv = &resource(&p, "key_vault").body["properties"];
    assert_eq!(kv["publicNetworkAccess"], "Enabled");
    assert_eq!(kv["networkAcls"]["defaultAction"], "Deny");
    let values = |v: &Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r["value"].as_str().map(str::to_string))
            .collect()
    };
    assert_eq!(
        values(&kv["networkAcls"]["ipRules"]),
        ["198.51.100.0/24", "203.0.113.7/32", "203.0.113.8/31"]
    );
    let st = &resource(&p, "storage").body["properties"];
    assert_eq!(
        values(&st["networkAcls"]["ipRules"]),
        [
            "198.51.100.0/24",
            "203.0.113.7",
            "203.0.113.8",
            "203.0.113.9"
        ]
    );
    let search = &resource(&p, "search").body["properties"];
    assert_eq!(search["publicNetworkAccess"], "enabled");
    assert_eq!(
        values(&search["networkRuleSet"]["ipRules"]),
        ["198.51.100.0/24", "203.0.113.7", "203.0.113.8/31"]
    );
    let ws = &resource(&p, "ml_workspace").body["properties"];
    assert_eq!(ws["networkAcls"]["defaultAction"], "Deny");
    assert_eq!(
        values(&ws["networkAcls"]["ipRules"]),
        ["198.51.100.0/24", "203.0.113.7/32", "203.0.113.8/31"]
    );
    assert_eq!(
        resource(&p, "ai_services").body["properties"]["networkAcls"]["defaultAction"],
        "Deny"
    );
}

#[test]
fn every_resource_is_tagged_with_ownership_tags() {
    for spec in [esml(), genai(), genai_ml_allowlist_gov()] {
        let p = ok(&spec);
        for r in &p.resources {
            if r.resource_type == api::PRIVATE_DNS_ZONE_GROUP.resource_type
                || r.resource_type == crate::diagnostics::API.resource_type
                || r.resource_type == services::search::SHARED_PRIVATE_LINK.resource_type
            {
                continue; // a child or extension resource without tags
            }
            let tags = &r.body["tags"];
            assert_eq!(tags[TAG_PROJECT], p.project_key.as_str(), "{}", r.key);
            assert_eq!(
                tags[TAG_ENVIRONMENT],
                spec.environment.as_str(),
                "{}",
                r.key
            );
            assert_eq!(tags[TAG_TYPE], spec.project_type.as_str(), "{}", r.key);
            assert_eq!(tags["cost_center"], "1234", "{}", r.key);
        }
    }
}

#[test]
fn every_name_used_satisfies_its_rule() {
    for spec in [esml(), genai(), genai_ml_allowlist_gov()] {
        let p = ok(&spec);
        let layout = Layout::of(&spec);
        for (kind, name) in p.names.all() {
            if layout.uses_name(kind, None) {
                assert_eq!(naming::rule_for(kind).check(name), Ok(()), "{kind:?}");
            }
        }
    }
}

// ---------------------------------------------------------------- RBAC

#[test]
fn role_assignments_are_least_privilege_and_fully_specified() {
    for spec in [esml(), genai(), genai_ml_allowlist_gov()] {
        let p = ok(&spec);
        assert!(!p.role_assignments.is_empty());
        for ra in &p.role_assignments {
            assert!(
                FORBIDDEN_ROLE_GUIDS
                    .iter()
                    .all(|(_, g)| *g != ra.role_definition_guid),
                "{}",
                ra.key
            );
            assert!(ROLES
                .iter()
                .any(|r| r.guid == ra.role_definition_guid && r.name == ra.role_name));
            assert_eq!(
                ra.role_definition_id,
                format!(
                    "/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{}",
                    ra.role_definition_guid
                )
            );
            assert_eq!(ra.api_version, "2022-04-01");
            let expected_type = match &ra.principal {
                PrincipalRef::Team { .. } => match spec.team.principal_type {
                    TeamPrincipalType::User => PrincipalType::User,
                    TeamPrincipalType::Group => PrincipalType::Group,
                },
                _ => PrincipalType::ServicePrincipal,
            };
            assert_eq!(ra.principal_type, expected_type, "{}", ra.key);
            if let (Some(pid), Some(name)) = (&ra.principal_id, &ra.name) {
                assert_eq!(
                    name,
                    &role_assignment_name(&ra.scope, &ra.role_definition_guid, pid)
                );
                assert_eq!(
                    ra.id.as_deref(),
                    Some(
                        format!(
                            "{}/providers/Microsoft.Authorization/roleAssignments/{name}",
                            ra.scope
                        )
                        .as_str()
                    )
                );
                let body = ra.body().unwrap_or(Value::Null);
                assert_eq!(
                    body["properties"]["principalType"],
                    ra.principal_type.as_str()
                );
                assert_eq!(body["properties"]["principalId"], pid.as_str());
            }
        }
    }
}

#[test]
fn role_assignment_names_are_deterministic_v5_guids() {
    let a = role_assignment_name(
        "/subscriptions/S/resourceGroups/RG",
        "acdd72a7-3385-48ef-bd42-f606fba81ae7",
        M1,
    );
    let b = role_assignment_name(
        "/subscriptions/s/resourcegroups/rg",
        "ACDD72A7-3385-48EF-BD42-F606FBA81AE7",
        &M1.to_uppercase(),
    );
    assert_eq!(a, b, "case-insensitive inputs");
    let g = Guid::parse(&a).unwrap_or_else(|| panic!("{a}"));
    assert_eq!(g.0[6] >> 4, 5);
    let expected = Guid::v5(
        &Guid::v5(&Guid::NAMESPACE_URL, b"urn:aifactory:role-assignment:v1"),
        format!("/subscriptions/s/resourcegroups/rg|acdd72a7-3385-48ef-bd42-f606fba81ae7|{M1}")
            .as_bytes(),
    );
    assert_eq!(a, expected.to_string());
    // Pinned (independently computed with Python's uuid.uuid5): re-applies across
    // provider versions must find the same assignment names.
    assert_eq!(
        role_assignment_namespace().to_string(),
        "e97077aa-69f6-52ad-acb6-aa174d4a91fc"
    );
    assert_eq!(a, "50675bc2-2c98-502d-a6cd-b0f7db191ff8");
    assert_ne!(
        a,
        role_assignment_name(
            "/subscriptions/s/resourcegroups/rg",
            "acdd72a7-3385-48ef-bd42-f606fba81ae7",
            M2
        )
    );
}

#[test]
fn esml_matrix_rows() {
    let p = ok(&esml());
    let keys: BTreeSet<&str> = p.role_assignments.iter().map(|r| r.key.as_str()).collect();
    for k in [
        format!("role.team.{M1}.rg.reader"),
        format!("role.team.{M1}.key_vault.key-vault-secrets-officer"),
        format!("role.team.{M1}.storage.storage-blob-data-contributor"),
        format!("role.team.{M1}.storage.storage-file-data-privileged-contributor"),
        format!("role.team.{M1}.ml_workspace.azureml-data-scientist"),
        format!("role.team.{M1}.ml_workspace.azureml-compute-operator"),
        format!("role.team.{M1}.data_factory.data-factory-contributor"),
        format!("role.team.{M1}.datalake.reader"),
        format!("role.sp.{SP}.rg.reader"),
        "role.identity.rg.azure-ai-administrator".to_string(),
        "role.identity.key_vault.key-vault-administrator".to_string(),
        "role.identity.key_vault.key-vault-secrets-user".to_string(),
        "role.identity.storage.storage-blob-data-contributor".to_string(),
    ] {
        assert!(keys.contains(k.as_str()), "{k}");
    }
    // Per member: 8 esml assignments (with Data Factory and the lake).
    assert_eq!(
        keys.iter()
            .filter(|k| k.starts_with(&format!("role.team.{M1}.")))
            .count(),
        8
    );
    assert!(!keys.iter().any(|k| k.contains("databricks")));
    let lake = p
        .role_assignments
        .iter()
        .find(|r| r.key.ends_with(".datalake.reader"))
        .unwrap_or_else(|| panic!());
    assert_eq!(
        Some(&lake.scope),
        esml().common.datalake_storage_account_id.as_ref()
    );
    assert!(lake.depends_on.is_empty());
}

#[test]
fn identity_assignments_wait_for_the_principal_id() {
    let p = ok(&esml());
    let ra: Vec<&DesiredRoleAssignment> = p
        .role_assignments
        .iter()
        .filter(|r| r.principal == PrincipalRef::ProjectIdentity)
        .collect();
    assert!(!ra.is_empty());
    for r in &ra {
        assert_eq!(
            (r.principal_id.as_ref(), r.name.as_ref(), r.id.as_ref()),
            (None, None, None)
        );
        assert!(r.body().is_none());
        assert!(r.depends_on.contains(&"identity".to_string()));
    }
    let mut resolved = p.clone();
    resolved
        .resolve_identity(&MI.to_uppercase())
        .unwrap_or_else(|e| panic!("{e}"));
    let mut s = esml();
    s.identity_principal_id = Some(MI.to_string());
    assert_eq!(
        resolved,
        ok(&s),
        "resolving later equals knowing it up front"
    );
    assert!(resolved.resolve_identity("nope").is_err());
    assert_eq!(resolved.keys(), p.keys());
}

// ---------------------------------------------------------------- ACL

#[test]
fn acl_layout_per_principal() {
    let mut s = esml();
    s.identity_principal_id = Some(MI.to_string());
    let p = ok(&s);
    let by_key: BTreeMap<&str, &DesiredAclEntry> =
        p.acl.iter().map(|e| (e.key.as_str(), e)).collect();
    let e = by_key[format!("acl.team.{M1}.project.default").as_str()];
    assert_eq!(
        (e.path.as_str(), e.kind, e.scope, e.perms.to_string()),
        (
            "projects/project001",
            AclKind::Group,
            AclScope::Default,
            "rwx".to_string()
        )
    );
    assert_eq!(
        e.ace().as_deref(),
        Some(format!("default:group:{M1}:rwx").as_str())
    );
    let e = by_key[format!("acl.team.{M1}.root.access").as_str()];
    assert_eq!(
        (e.path.as_str(), e.perms.to_string()),
        ("/", "--x".to_string())
    );
    let e = by_key[format!("acl.sp.{SP}.projects.access").as_str()];
    assert_eq!(e.ace().as_deref(), Some(format!("user:{SP}:--x").as_str()));
    let e = by_key["acl.identity.project.access"];
    assert_eq!(e.ace().as_deref(), Some(format!("user:{MI}:rwx").as_str()));
    assert_eq!(
        by_key["acl.mask.project.access"].ace().as_deref(),
        Some("mask::rwx")
    );
    assert_eq!(
        by_key["acl.mask.project.default"].ace().as_deref(),
        Some("default:mask::rwx")
    );
    // 2 members + sp + identity, 4 entries each, plus 2 mask entries.
    assert_eq!(p.acl.len(), 4 * 4 + 2);
    assert_eq!(
        p.acl_spec("projects"),
        Some(format!(
            "user:{MI}:--x,user:{SP}:--x,group:{M1}:--x,group:{M2}:--x"
        ))
    );
    let lake = p.datalake.as_ref().unwrap_or_else(|| panic!());
    assert_eq!(lake.dfs_endpoint, "https://lakeweudev.dfs.core.windows.net");
    assert_eq!(lake.directories, ["projects", "projects/project001"]);
}

#[test]
fn no_lake_no_acl() {
    let mut s = esml();
    s.common.datalake_storage_account_id = None;
    s.common.datalake_filesystem = None;
    let p = ok(&s);
    assert!(p.acl.is_empty());
    assert!(p.datalake.is_none() && p.datalake_path.is_none());
    assert!(!p
        .role_assignments
        .iter()
        .any(|r| r.key.contains(".datalake.")));
}

// ---------------------------------------------------------------- stability

fn diff(
    a: &DesiredProject,
    b: &DesiredProject,
) -> (BTreeSet<String>, BTreeSet<String>, Vec<String>) {
    let (ka, kb) = (a.keys(), b.keys());
    let added = kb.difference(&ka).cloned().collect();
    let removed = ka.difference(&kb).cloned().collect();
    let mut changed = Vec::new();
    for k in ka.intersection(&kb) {
        let (x, y) = (a.node(k), b.node(k));
        if format!("{x:?}") != format!("{y:?}") {
            changed.push(k.clone());
        }
    }
    (added, removed, changed)
}

#[test]
fn order_of_members_and_maps_does_not_matter() {
    let a = ok(&esml());
    let mut s = esml();
    s.team.object_ids.reverse();
    s.team.object_ids[0] = s.team.object_ids[0].to_uppercase();
    assert_eq!(ok(&s), a);
}

#[test]
fn adding_a_member_adds_only_its_role_assignments_and_acl_entries() {
    let before = ok(&esml());
    let mut s = esml();
    s.team.object_ids.insert(1, M3.to_string());
    let after = ok(&s);
    let (added, removed, changed) = diff(&before, &after);
    assert!(
        removed.is_empty() && changed.is_empty(),
        "{removed:?} {changed:?}"
    );
    assert!(!added.is_empty());
    for k in &added {
        assert!(
            k.starts_with(&format!("role.team.{M3}.")) || k.starts_with(&format!("acl.team.{M3}.")),
            "{k}"
        );
    }
    // And removing it takes exactly those away again.
    let (added_back, removed_back, changed_back) = diff(&after, &before);
    assert_eq!((added_back.len(), changed_back.len()), (0, 0));
    assert_eq!(removed_back, added);
}

#[test]
fn toggling_a_service_adds_exactly_its_objects() {
    let cases: Vec<(ProjectSpec, ProjectSpec, Vec<&str>)> = vec![
        {
            let mut off = esml();
            off.services.databricks = Some(false);
            (off, esml(), vec!["databricks"])
        },
        {
            let mut off = esml();
            off.services.data_factory = None;
            (off, esml(), vec!["data_factory"])
        },
        {
            let mut on = genai();
            on.services.azure_ml = Some(true);
            (
                genai(),
                on,
                vec!["ml_", "azure-ai-administrator", "key-vault-administrator"],
            )
        },
    ];
    for (off, on, markers) in cases {
        let (a, b) = (ok(&off), ok(&on));
        let (added, removed, changed) = diff(&a, &b);
        assert!(
            removed.is_empty() && changed.is_empty(),
            "{removed:?} {changed:?}"
        );
        assert!(!added.is_empty());
        for k in &added {
            assert!(
                markers.iter().any(|m| k.contains(m)),
                "{k} not one of {markers:?}"
            );
        }
    }
}

// ---------------------------------------------------------------- graph

#[test]
fn apply_order_respects_dependencies_and_destroy_is_its_reverse() {
    for spec in [esml(), genai(), genai_ml_allowlist_gov()] {
        let p = ok(&spec);
        p.validate_graph().unwrap_or_else(|e| panic!("{e}"));
        let order = p.apply_order().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(order.len(), p.nodes().len());
        let pos: BTreeMap<&str, usize> = order
            .iter()
            .enumerate()
            .map(|(i, n)| (n.key(), i))
            .collect();
        for n in &order {
            for d in n.depends_on() {
                assert!(pos[d.as_str()] < pos[n.key()], "{} before {}", d, n.key());
            }
        }
        assert_eq!(order[0].key(), "resource_group");
        let mut destroy: Vec<&str> = p
            .destroy_order()
            .unwrap_or_else(|e| panic!("{e}"))
            .iter()
            .map(|n| n.key())
            .collect();
        destroy.reverse();
        assert_eq!(destroy, order.iter().map(|n| n.key()).collect::<Vec<_>>());
        assert_eq!(
            p.apply_order()
                .map(|o| o.iter().map(|n| n.key().to_string()).collect::<Vec<_>>())
                .ok(),
            Some(order.iter().map(|n| n.key().to_string()).collect())
        );
    }
}

#[test]
fn graph_errors_are_detected() {
    let mut p = ok(&genai());
    p.resources[1].depends_on.push("nope".to_string());
    assert!(
        matches!(p.validate_graph(), Err(GraphError::MissingDependency { missing, .. }) if missing == "nope")
    );
    let mut p = ok(&genai());
    let first = p.resources[0].key.clone();
    let second = p.resources[1].key.clone();
    p.resources[0].depends_on.push(second);
    p.resources[1].depends_on.push(first);
    assert!(matches!(p.validate_graph(), Err(GraphError::Cycle { .. })));
    let mut p = ok(&genai());
    let dup = p.resources[0].clone();
    p.resources.push(dup);
    assert!(matches!(
        p.validate_graph(),
        Err(GraphError::DuplicateKey { .. })
    ));
}

// ---------------------------------------------------------------- validation

fn paths(issues: &[Issue]) -> Vec<String> {
    issues.iter().map(|i| i.path.to_string()).collect()
}

#[test]
fn missing_and_misplaced_subnets() {
    let mut s = esml();
    s.subnet_ids.remove("private_endpoints");
    s.subnet_ids.insert(
        "dbx_private".to_string(),
        subnet("x").replace("vnt-esmlcmn-weu-dev-001", "other-vnet"),
    );
    let e = errs(&s);
    assert!(e.iter().any(|i| matches!(
        i.kind,
        IssueKind::MissingSubnet {
            purpose: "private_endpoints",
            ..
        }
    ) && i.path.to_string() == "subnet_ids"));
    assert!(e.iter().any(
        |i| matches!(i.kind, IssueKind::SubnetsInDifferentVnets { .. })
            && i.path.to_string() == "subnet_ids[\"dbx_private\"]"
    ));
    let mut s = genai();
    s.network_access = NetworkAccess::Allowlist;
    s.ip_allowlist = vec!["203.0.113.7".to_string()];
    let p = ok(&s);
    assert!(p
        .warnings
        .iter()
        .any(|w| matches!(w.kind, IssueKind::UnusedSubnet { .. })));
    let mut s = esml();
    s.subnet_ids.insert(
        "dbx_public".to_string(),
        "/subscriptions/x/resourceGroups/r".to_string(),
    );
    assert_eq!(paths(&errs(&s)), ["subnet_ids[\"dbx_public\"]"]);
}

#[test]
fn team_problems_are_reported_per_entry() {
    let mut s = esml();
    s.team.object_ids = vec![
        M1.to_string(),
        "not-a-guid".to_string(),
        M1.to_uppercase(),
        SP.to_string(),
    ];
    let e = errs(&s);
    assert_eq!(
        paths(&e),
        [
            "team.object_ids[1]",
            "team.object_ids[2]",
            "team.object_ids[3]"
        ]
    );
    assert!(matches!(
        e[0].kind,
        IssueKind::InvalidGuid {
            field: GuidField::TeamMember,
            ..
        }
    ));
    assert!(matches!(
        e[1].kind,
        IssueKind::DuplicateMember { first: 0, .. }
    ));
    assert!(matches!(
        e[2].kind,
        IssueKind::ServicePrincipalInTeam { .. }
    ));
    assert!(e[0]
        .detail()
        .contains("service principal (enterprise application)"));
}

/// ESML's one project type: every switch for every type, the type a preset.
#[test]
fn every_service_for_every_type() {
    let keys = |s: &ProjectSpec| -> Vec<String> {
        desired(s)
            .unwrap_or_else(|e| panic!("{e:?}"))
            .resources
            .iter()
            .map(|r| r.key.clone())
            .filter(|k| !k.contains('.'))
            .collect()
    };
    // A GenAI project with Databricks and Data Factory.
    let mut s = genai();
    s.subnet_ids = esml().subnet_ids;
    s.services.databricks = Some(true);
    s.services.data_factory = Some(true);
    let k = keys(&s);
    for want in ["databricks", "data_factory", "search", "ai_services"] {
        assert!(k.contains(&want.to_string()), "{want} in {k:?}");
    }
    // An ML project with AI Search and AI Services.
    let mut s = esml();
    s.services.ai_search = Some(true);
    s.services.ai_services = Some(true);
    let k = keys(&s);
    for want in ["ml_workspace", "search", "ai_services"] {
        assert!(k.contains(&want.to_string()), "{want} in {k:?}");
    }
    // Presets can be switched off: an esml project without Machine Learning keeps no
    // shared key on its storage; a genai project without AI Search.
    let mut s = esml();
    s.services.azure_ml = Some(false);
    let p = desired(&s).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(!p.resources.iter().any(|r| r.key == "ml_workspace"));
    let storage = p
        .resources
        .iter()
        .find(|r| r.key == "storage")
        .expect("storage");
    assert_eq!(storage.body["properties"]["allowSharedKeyAccess"], false);
    let mut s = genai();
    s.services.ai_search = Some(false);
    assert!(!keys(&s).contains(&"search".to_string()));
}

#[test]
fn reserved_tags_and_tag_rules() {
    let mut s = esml();
    s.tags
        .insert("AIFactory-Project".to_string(), "x".to_string());
    s.tags.insert("a/b".to_string(), "x".to_string());
    s.tags.insert("long".to_string(), "v".repeat(257));
    let e = errs(&s);
    assert_eq!(
        paths(&e),
        [
            "tags[\"AIFactory-Project\"]",
            "tags[\"a/b\"]",
            "tags[\"long\"]"
        ]
    );
    assert!(matches!(e[0].kind, IssueKind::ReservedTag { .. }));
    assert!(e[0].detail().contains("Remove tags[\"AIFactory-Project\"]"));
    let mut s = esml();
    s.tags = (0..48).map(|i| (format!("t{i}"), String::new())).collect();
    assert!(matches!(
        errs(&s)[0].kind,
        IssueKind::TooManyTags { count: 51, max: 50 }
    ));
}

#[test]
fn datalake_settings_go_together() {
    let mut s = esml();
    s.common.datalake_filesystem = None;
    assert_eq!(paths(&errs(&s)), ["common.datalake_filesystem"]);
    let mut s = esml();
    s.common.datalake_filesystem = Some("Lake_3".to_string());
    s.common.datalake_storage_account_id = Some(rg_id("x"));
    assert_eq!(
        paths(&errs(&s)),
        [
            "common.datalake_storage_account_id",
            "common.datalake_filesystem"
        ]
    );
}

/// A lake account ID whose name no storage account can have is refused at plan, on the
/// attribute, with the rule it breaks (its DFS host would not resolve).
#[test]
fn the_lake_account_name_is_a_storage_account_name() {
    for (name, why) in [
        ("Lake1", "'L'"),
        ("lk", "minimum of 3"),
        ("lake-weu-dev", "'-'"),
        ("a234567890123456789012345", "limit of 24"),
    ] {
        let mut s = esml();
        s.common.datalake_storage_account_id = Some(format!(
            "{}/providers/Microsoft.Storage/storageAccounts/{name}",
            rg_id("acme-esml-common-weu-dev-001")
        ));
        let e = errs(&s);
        assert_eq!(paths(&e), ["common.datalake_storage_account_id"], "{name}");
        assert!(
            matches!(&e[0].kind, IssueKind::InvalidLakeAccountName { name: n, .. } if n == name),
            "{name}: {:?}",
            e[0].kind
        );
        assert!(e[0].summary().contains(why), "{name}: {}", e[0].summary());
        assert!(e[0].detail().contains("3-24 lowercase letters and digits"));
    }
}

#[test]
fn common_ids_and_tenant_are_checked() {
    let mut s = esml();
    s.common.private_dns_zone_resource_group_id = "acme-dns".to_string();
    s.common.log_analytics_workspace_id = rg_id("x");
    s.tenant_id = "x".to_string();
    let e = errs(&s);
    assert_eq!(
        paths(&e),
        [
            "",
            "common.private_dns_zone_resource_group_id",
            "common.log_analytics_workspace_id"
        ]
    );
}

#[test]
fn ip_allowlist_problems() {
    let mut s = genai();
    s.network_access = NetworkAccess::Allowlist;
    s.ip_allowlist = vec![
        "10.0.0.0/8".to_string(),
        "203.0.113.7/24".to_string(),
        "x".to_string(),
        "0.0.0.0/0".to_string(),
        "198.51.100.0/24".to_string(),
        "198.51.100.9".to_string(),
    ];
    let e = errs(&s);
    assert_eq!(
        paths(&e[..4]),
        [
            "ip_allowlist[0]",
            "ip_allowlist[1]",
            "ip_allowlist[2]",
            "ip_allowlist[3]"
        ]
    );
    assert!(
        matches!(&e[1].kind, IssueKind::InvalidIpRule { problem: IpProblem::HostBits, suggested: Some(s), .. } if s == "203.0.113.0/24")
    );
    assert!(e[1].detail().contains("203.0.113.0/24"));
    assert!(e
        .iter()
        .any(|i| i.is_warning() && i.path.to_string() == "ip_allowlist[5]"));
    let mut s = genai();
    s.ip_allowlist = vec!["203.0.113.7".to_string()];
    let p = ok(&s);
    assert!(matches!(p.warnings[0].kind, IssueKind::IpAllowlistIgnored));
    assert!(p.warnings[0].is_warning());
    let mut s = genai();
    s.network_access = NetworkAccess::Allowlist;
    assert!(ok(&s)
        .warnings
        .iter()
        .any(|w| matches!(w.kind, IssueKind::IpAllowlistEmpty)));
}

#[test]
fn naming_issues_only_for_names_in_use() {
    // A suffix that makes the ML workspace name too long (> 33) but nothing else.
    let mut s = genai();
    s.naming.suffix = Some("-000000000001".to_string());
    let p = desired(&s);
    assert!(
        p.is_ok(),
        "genai without ML does not use the ML workspace name: {:?}",
        p.err()
    );
    s.services.azure_ml = Some(true);
    let e = errs(&s);
    assert!(
        e.iter().all(|i| i.path.to_string() == "naming.suffix"),
        "{e:?}"
    );
    assert!(e.iter().any(|i| matches!(
        &i.kind,
        IssueKind::Naming(naming::IssueKind::NameInvalid {
            kind: NameKind::MlWorkspace,
            ..
        })
    )));
    assert!(e[0].detail().contains("Shorten naming.suffix by"));
}

#[test]
fn every_issue_renders() {
    let mut s = esml();
    s.number = 0;
    s.tenant_id = "x".into();
    s.team.service_principal_object_id = Some("x".into());
    s.identity_principal_id = Some("x".into());
    for i in errs(&s) {
        assert!(!i.summary().is_empty() && !i.detail().is_empty(), "{i:?}");
        assert!(!format!("{i}").is_empty());
    }
}

#[test]
fn enums_parse() {
    assert_eq!("genai".parse::<ProjectType>(), Ok(ProjectType::Genai));
    assert_eq!(
        "allowlist".parse::<NetworkAccess>(),
        Ok(NetworkAccess::Allowlist)
    );
    assert_eq!(
        "User".parse::<TeamPrincipalType>(),
        Ok(TeamPrincipalType::User)
    );
    assert_eq!("usgovernment".parse::<Cloud>(), Ok(Cloud::UsGovernment));
    assert!("Genai".parse::<ProjectType>().is_err());
}

#[test]
fn resource_summaries_cover_every_resource() {
    let p = ok(&esml());
    let s = p.resource_summaries();
    assert_eq!(s.len(), p.resources.len());
    assert_eq!(s["key_vault"].resource_type, "Microsoft.KeyVault/vaults");
    assert_eq!(s["key_vault"].api_version, "2024-11-01");
}

#[test]
fn docs_fragments_mention_every_role_and_type() {
    let m = docs::role_matrix_markdown();
    for r in ROLES {
        assert!(m.contains(r.guid), "{}", r.name);
    }
    let r = docs::resource_list_markdown();
    for t in api::ALL {
        assert!(
            r.contains(t.api_version) && r.contains(t.resource_type),
            "{}",
            t.resource_type
        );
    }
    assert!(r.contains("privatelink.vaultcore.usgovcloudapi.net"));
    assert!(docs::acl_layout_markdown().contains("mask::rwx"));
    let n = docs::naming_rules_markdown();
    assert!(n.contains("kv-p{NNN}-{loc}-{env}{s5}{d2}") && n.contains("SHA-256"));
}

/// Personas (ESML's persona lists) with named role sets: readers read, admins add
/// Azure AI Administrator and Key Vault Administrator, `team.object_ids` stay developers
/// with unchanged keys; each principal in one list only; persona names checked.
#[test]
fn personas_get_their_role_sets() {
    let reader = "0a1b2c3d-0000-4000-8000-0000000000a1";
    let admin = "0a1b2c3d-0000-4000-8000-0000000000a2";
    let before = desired(&genai()).unwrap_or_else(|e| panic!("{e:?}"));
    let mut s = genai();
    s.team.personas = vec![
        Persona {
            name: "auditors".into(),
            object_ids: vec![reader.into()],
            principal_type: TeamPrincipalType::Group,
            role_set: RoleSet::Reader,
        },
        Persona {
            name: "leads".into(),
            object_ids: vec![admin.into()],
            principal_type: TeamPrincipalType::User,
            role_set: RoleSet::ProjectAdmin,
        },
    ];
    let p = desired(&s).unwrap_or_else(|e| panic!("{e:?}"));
    let roles_of = |oid: &str| -> BTreeSet<String> {
        p.role_assignments
            .iter()
            .filter(|r| r.principal_id.as_deref() == Some(oid))
            .map(|r| {
                format!(
                    "{}@{}",
                    r.role_name,
                    r.key.split('.').nth(3).unwrap_or_default()
                )
            })
            .collect()
    };
    let r = roles_of(reader);
    for want in [
        "Reader@rg",
        "Key Vault Reader@key_vault",
        "Storage Blob Data Reader@storage",
        "Search Index Data Reader@search",
        "Reader@datalake",
    ] {
        assert!(r.contains(want), "reader lacks {want}: {r:?}");
    }
    assert!(
        r.iter().all(|x| !x.contains("Contributor")
            && !x.contains("Officer")
            && !x.contains("Administrator")),
        "reader can write: {r:?}"
    );
    let a = roles_of(admin);
    for want in [
        "Azure AI Administrator@rg",
        "Key Vault Administrator@key_vault",
        "Key Vault Secrets Officer@key_vault",
        "Storage Blob Data Contributor@storage",
    ] {
        assert!(a.contains(want), "admin lacks {want}: {a:?}");
    }
    // The persona and role set are in the assignments' descriptions; the admin is a User.
    let ra = p
        .role_assignments
        .iter()
        .find(|r| r.principal_id.as_deref() == Some(admin))
        .expect("an admin assignment");
    assert_eq!(ra.principal_type, PrincipalType::User);
    let body = ra.body().expect("body");
    assert!(body["properties"]["description"]
        .as_str()
        .unwrap_or_default()
        .ends_with(" persona=leads role_set=project_admin"));
    // The reader gets r-x on the project folder, the admin rwx.
    let perms = |oid: &str| -> Vec<String> {
        p.acl
            .iter()
            .filter(|e| e.principal_id.as_deref() == Some(oid) && e.path.starts_with("projects/"))
            .map(|e| format!("{:?}", e.perms))
            .collect()
    };
    assert!(
        perms(reader)
            .iter()
            .all(|x| x.contains("read: true, write: false")),
        "{:?}",
        perms(reader)
    );
    assert!(perms(admin).iter().all(|x| x.contains("write: true")));
    // team.object_ids keep their objects, keys and bodies.
    for ra in &before.role_assignments {
        let same = p.role_assignments.iter().find(|x| x.key == ra.key);
        assert_eq!(same, Some(ra), "{} changed", ra.key);
    }
    // One list per principal; persona names are identifiers.
    let mut s2 = s.clone();
    s2.team.personas[0].object_ids.push(M1.to_string());
    let e = errs(&s2);
    assert_eq!(paths(&e), ["team.personas[\"auditors\"].object_ids[1]"]);
    assert!(
        e[0].summary()
            .contains("already listed at team.object_ids[0]"),
        "{}",
        e[0].summary()
    );
    let mut s3 = s.clone();
    s3.team.personas[1].name = "Team Leads".into();
    assert_eq!(paths(&errs(&s3)), ["team.personas[\"Team Leads\"]"]);
}

/// A GenAI project on AI Foundry with the Agent service (issue 9 section 4): the account
/// manages projects and is injected into the agent subnet, the Foundry project runs as the
/// project identity, connects to AI Search, Storage and Cosmos DB with Entra ID, model
/// deployments are written one at a time, and the capability hosts come last.
pub(super) fn genai_foundry() -> ProjectSpec {
    let mut s = genai();
    s.services.ai_foundry = Some(true);
    s.services.agent_service = Some(true);
    s.services.cosmos_db = Some(true);
    s.subnet_ids.insert(
        "agent".to_string(),
        "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/acme-esml-common-weu-dev-001/providers/Microsoft.Network/virtualNetworks/vnt-esmlcmn-weu-dev-001/subnets/snt-prj002-agent".to_string(),
    );
    s.deployments = vec![
        ModelDeployment {
            name: "embed".into(),
            model: "text-embedding-3-large".into(),
            version: Some("1".into()),
            format: "OpenAI".into(),
            sku: "Standard".into(),
            capacity: 20,
        },
        ModelDeployment {
            name: "gpt".into(),
            model: "gpt-4o".into(),
            version: Some("2024-11-20".into()),
            format: "OpenAI".into(),
            sku: "GlobalStandard".into(),
            capacity: 50,
        },
    ];
    s
}

#[test]
fn foundry_with_agents_and_deployments() {
    let p = desired(&genai_foundry()).unwrap_or_else(|e| panic!("{e:?}"));
    let get = |k: &str| {
        p.resources
            .iter()
            .find(|r| r.key == k)
            .unwrap_or_else(|| panic!("{k} missing"))
    };
    let account = get("ai_services");
    assert_eq!(account.body["properties"]["allowProjectManagement"], true);
    assert_eq!(
        account.body["properties"]["networkInjections"][0]["scenario"],
        "agent"
    );
    let project = get("foundry_project");
    assert_eq!(project.id, format!("{}/projects/project002", account.id));
    assert_eq!(project.body["identity"]["type"], "UserAssigned");
    for (svc, category) in [
        ("search", "CognitiveSearch"),
        ("storage", "AzureStorageAccount"),
        ("cosmos_db", "CosmosDb"),
    ] {
        let c = get(&format!("foundry_connection.{svc}"));
        assert_eq!(c.body["properties"]["category"], category);
        assert_eq!(c.body["properties"]["authType"], "AAD");
        assert!(c.id.starts_with(&format!("{}/connections/", project.id)));
    }
    // One deployment at a time: `gpt` waits for `embed`.
    let gpt = get("deployment.gpt");
    assert!(gpt.depends_on.contains(&"deployment.embed".to_string()));
    assert_eq!(gpt.body["sku"]["capacity"], 50);
    assert_eq!(gpt.body["properties"]["model"]["name"], "gpt-4o");
    let host = get("capability_host.project");
    assert_eq!(
        host.body["properties"]["threadStorageConnections"][0],
        get("foundry_connection.cosmos_db").name.as_str()
    );
    assert!(host
        .depends_on
        .contains(&"capability_host.account".to_string()));
    // What the Agent service needs, it gets, or the plan says which switch is missing.
    let mut s = genai_foundry();
    s.services.cosmos_db = Some(false);
    let e = errs(&s);
    let need = e
        .iter()
        .find(|i| i.path.to_string() == "services[\"agent_service\"]")
        .unwrap_or_else(|| panic!("{:?}", paths(&e)));
    assert!(need.summary().contains("cosmos_db"), "{}", need.summary());
    assert!(
        need.detail().contains("cosmos_db = true"),
        "{}",
        need.detail()
    );
    let mut s = genai_foundry();
    s.subnet_ids.remove("agent");
    assert_eq!(paths(&errs(&s)), ["subnet_ids"]);
    let mut s = genai();
    s.deployments = genai_foundry().deployments;
    assert_eq!(paths(&errs(&s)), ["deployments"]);
    let mut s = genai_foundry();
    s.deployments[1].capacity = 0;
    assert_eq!(paths(&errs(&s)), ["deployments[\"gpt\"].capacity"]);
    // A Container Apps environment: internal, in the aca subnet.
    let mut s = genai();
    s.services.container_apps = Some(true);
    assert_eq!(paths(&errs(&s)), ["subnet_ids"]);
    let aca = format!("{}/subnets/snt-prj002-aca", "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/acme-esml-common-weu-dev-001/providers/Microsoft.Network/virtualNetworks/vnt-esmlcmn-weu-dev-001");
    s.subnet_ids.insert("aca".into(), aca.clone());
    let p = desired(&s).unwrap_or_else(|e| panic!("{e:?}"));
    let env = p
        .resources
        .iter()
        .find(|r| r.key == "container_apps")
        .expect("environment");
    assert_eq!(
        env.body["properties"]["vnetConfiguration"]["infrastructureSubnetId"],
        aca.as_str()
    );
    assert_eq!(
        env.body["properties"]["vnetConfiguration"]["internal"],
        true
    );
}

/// ESML's layout of a GenAI project: AI Foundry on an account of its own (`aif2…`, its
/// project `aif2-p…`) beside the AI Services account, as `foundry_options.account =
/// "dedicated"` with ESML's names.
pub(super) fn genai_foundry_dedicated() -> ProjectSpec {
    let mut s = genai_foundry();
    s.foundry_account = FoundryAccount::Dedicated;
    s.naming.salt = naming::SaltMode::Esml;
    s.naming.random_salt = Some("0dbf2948-a".to_string());
    s
}

#[test]
fn foundry_on_an_account_of_its_own() {
    let s = genai_foundry_dedicated();
    let p = desired(&s).unwrap_or_else(|e| panic!("{e:?}"));
    let get = |k: &str| {
        p.resources
            .iter()
            .find(|r| r.key == k)
            .unwrap_or_else(|| panic!("{k} missing"))
    };
    let salt = naming::esml_salt(&s.subscription_id, &s.common.resource_group_name);
    let foundry = get("foundry_account");
    assert_eq!(foundry.name, format!("aif2{salt}0db002dev"));
    assert_eq!(foundry.body["kind"], "AIServices");
    assert_eq!(foundry.body["properties"]["allowProjectManagement"], true);
    assert_eq!(foundry.body["properties"]["disableLocalAuth"], true);
    assert_eq!(
        foundry.body["properties"]["customSubDomainName"],
        foundry.name.as_str()
    );
    assert_eq!(
        foundry.body["properties"]["networkInjections"][0]["subnetArmId"],
        s.subnet_ids["agent"].as_str()
    );
    // The AI Services account stays a plain account.
    let ais = get("ai_services");
    assert!(ais.body["properties"]
        .get("allowProjectManagement")
        .is_none());
    assert!(ais.body["properties"].get("networkInjections").is_none());
    // Everything Foundry hangs off the Foundry account.
    let project = get("foundry_project");
    assert_eq!(project.name, format!("aif2-p002{}dev", &salt[..3]));
    assert_eq!(
        project.id,
        format!("{}/projects/{}", foundry.id, project.name)
    );
    assert!(project.depends_on.contains(&"foundry_account".to_string()));
    for k in [
        "deployment.embed",
        "deployment.gpt",
        "capability_host.account",
    ] {
        let r = get(k);
        assert!(
            r.id.starts_with(&format!("{}/", foundry.id)),
            "{k}: {}",
            r.id
        );
        assert!(r.depends_on.contains(&"foundry_account".to_string()), "{k}");
    }
    // ESML's capability host name: `{account}caphost`.
    assert_eq!(
        get("capability_host.project").name,
        format!("{}caphost", foundry.name)
    );
    // Its private endpoint with the account's zones, and the Search link to it.
    let pe = get("private_endpoint.foundry_account_account");
    assert_eq!(pe.name, format!("{}-pend", foundry.name));
    let link = get("shared_private_link.foundry_account_openai_account");
    assert_eq!(
        link.body["properties"]["privateLinkResourceId"],
        foundry.id.as_str()
    );
    assert!(p
        .resources
        .iter()
        .all(|r| r.key != "shared_private_link.ai_services_openai_account"));
    // Members' and the identity's roles on the Foundry account.
    for (who, role) in [
        ("identity", "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd"),
        ("member", "a001fd3d-188f-4b5d-821b-7da978bf7442"),
    ] {
        assert!(
            p.role_assignments.iter().any(|ra| ra.scope == foundry.id
                && ra.role_definition_guid == role
                && (who == "member") != ra.key.starts_with("role.identity.")),
            "{who} {role}"
        );
    }
    // Without AI Services: Foundry still runs on its own account.
    let mut s2 = genai_foundry_dedicated();
    s2.services.ai_services = Some(false);
    let p2 = desired(&s2).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(p2.resources.iter().all(|r| r.key != "ai_services"));
    assert!(p2
        .resources
        .iter()
        .any(|r| r.key == "capability_host.project"));
    // A dedicated account without Foundry: a warning on foundry_options, nothing made.
    let mut s4 = genai();
    s4.foundry_account = FoundryAccount::Dedicated;
    let p4 = desired(&s4).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(p4.resources.iter().all(|r| r.key != "foundry_account"));
    assert_eq!(
        p4.warnings
            .iter()
            .map(|w| w.path.to_string())
            .collect::<Vec<_>>(),
        ["foundry_options[\"account\"]"]
    );
    assert!(p4.warnings[0].detail().contains("ai_foundry = true"));
    // On AI Services, switching it off names the missing switch.
    let mut s3 = genai_foundry();
    s3.services.ai_services = Some(false);
    let e = errs(&s3);
    assert!(
        paths(&e).contains(&"services[\"ai_foundry\"]".to_string()),
        "{:?}",
        paths(&e)
    );
}

/// With agent network injection (private mode) the account's capability host is the one
/// Azure adds (`{account}@aml_aiagentservice`): planned, awaited, never PUT (Azure refuses a
/// second one). Without injection (allowlist mode) the provider writes its own.
#[test]
fn the_account_capability_host_is_azures_with_network_injection() {
    let p = desired(&genai_foundry()).unwrap_or_else(|e| panic!("{e:?}"));
    let account = p
        .resources
        .iter()
        .find(|r| r.key == "ai_services")
        .expect("account");
    let host = p
        .resources
        .iter()
        .find(|r| r.key == "capability_host.account")
        .expect("account host");
    assert_eq!(host.origin, Origin::Azure);
    assert_eq!(host.name, format!("{}@aml_aiagentservice", account.name));
    assert_eq!(
        host.id,
        format!("{}/capabilityHosts/{}", account.id, host.name)
    );
    let project_host = p
        .resources
        .iter()
        .find(|r| r.key == "capability_host.project")
        .expect("project host");
    assert_eq!(project_host.origin, Origin::Put);
    assert!(project_host.depends_on.contains(&host.key));
    let mut s = genai_foundry();
    s.network_access = NetworkAccess::Allowlist;
    s.ip_allowlist = vec!["203.0.113.0/24".into()];
    s.subnet_ids.remove("agent");
    let p = desired(&s).unwrap_or_else(|e| panic!("{e:?}"));
    let host = p
        .resources
        .iter()
        .find(|r| r.key == "capability_host.account")
        .expect("account host");
    assert_eq!(host.origin, Origin::Put);
    assert_eq!(host.name, "caphost-project002");
    assert_eq!(host.body["properties"]["capabilityHostKind"], "Agents");
}

/// `search_options`: AI Search's SKU and semantic ranker, checked against the spec's values.
#[test]
fn search_options_set_the_sku_and_semantic_ranker() {
    let mut s = genai();
    s.search = SearchOptions {
        sku: Some("standard2".into()),
        semantic_ranker: Some("free".into()),
    };
    let p = desired(&s).unwrap_or_else(|e| panic!("{e:?}"));
    let search = p
        .resources
        .iter()
        .find(|r| r.key == "search")
        .expect("search");
    assert_eq!(search.body["sku"]["name"], "standard2");
    assert_eq!(search.body["properties"]["semanticSearch"], "free");
    s.search.sku = Some("gold".into());
    let e = errs(&s);
    assert_eq!(paths(&e), ["search_options.sku"]);
    assert!(
        e[0].detail().contains("storage_optimized_l1"),
        "{}",
        e[0].detail()
    );
}

/// `common.datalake_traverse_group_id`: the projects add no entries on the lake's shared
/// folders (a shared ACL fills after about nine projects of individual entries); the
/// project folder keeps its own.
#[test]
fn a_traverse_group_keeps_projects_off_the_shared_folders() {
    let mut s = esml();
    s.common.datalake_traverse_group_id = Some("7a7a7a7a-0000-4000-8000-0000000000aa".into());
    let p = desired(&s).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(
        p.acl.iter().all(|e| e.path.starts_with("projects/")),
        "{:?}",
        p.acl.iter().map(|e| &e.path).collect::<Vec<_>>()
    );
    assert!(p.acl.iter().any(|e| e.principal.is_some()));
    s.common.datalake_traverse_group_id = Some("not-a-guid".into());
    assert_eq!(paths(&errs(&s)), ["common.datalake_traverse_group_id"]);
}

#[test]
fn every_service_with_logs_gets_a_diagnostic_setting_to_the_common_workspace() {
    let spec = esml();
    let p = ok(&spec);
    let keys = resource_keys(&p);
    let settings: Vec<&str> = keys
        .iter()
        .filter_map(|k| k.strip_prefix("diagnostic_setting."))
        .collect();
    // esml: every service with diagnostics in its descriptor; not the group, the identity
    // or App Insights (it already writes to the workspace).
    assert_eq!(
        settings,
        vec![
            "data_factory",
            "databricks",
            "key_vault",
            "ml_workspace",
            "storage"
        ]
    );
    let kv = resource(&p, "diagnostic_setting.key_vault");
    let vault = resource(&p, "key_vault");
    assert_eq!(kv.resource_type, "Microsoft.Insights/diagnosticSettings");
    assert_eq!(kv.api_version, "2021-05-01-preview");
    assert_eq!(kv.name, format!("diag-{}", vault.name));
    assert_eq!(
        kv.id,
        format!(
            "{}/providers/Microsoft.Insights/diagnosticSettings/diag-{}",
            vault.id, vault.name
        )
    );
    assert_eq!(kv.depends_on, vec!["key_vault".to_string()]);
    assert_eq!(
        kv.body["properties"]["workspaceId"],
        spec.common.log_analytics_workspace_id.as_str()
    );
    assert_eq!(kv.body["properties"]["logs"][0]["categoryGroup"], "allLogs");
    // Storage accounts take metrics only at the account level.
    let st = resource(&p, "diagnostic_setting.storage");
    assert!(st.body["properties"].get("logs").is_none());
    assert_eq!(
        st.body["properties"]["metrics"][0]["category"],
        "AllMetrics"
    );
    // Databricks has no platform metrics.
    let dbx = resource(&p, "diagnostic_setting.databricks");
    assert!(dbx.body["properties"].get("metrics").is_none());
}

#[test]
fn diagnostics_false_leaves_every_setting_out_and_changes_nothing_else() {
    let on = ok(&esml());
    let mut spec = esml();
    spec.diagnostics = false;
    let off = ok(&spec);
    let kept: Vec<&DesiredResource> = on
        .resources
        .iter()
        .filter(|r| !r.key.starts_with("diagnostic_setting."))
        .collect();
    assert_eq!(kept.len(), off.resources.len());
    for (a, b) in kept.iter().zip(&off.resources) {
        assert_eq!(*a, b);
    }
    assert!(on.resources.len() > off.resources.len());
}

#[test]
fn private_search_links_to_storage_and_the_ai_services_account_one_at_a_time() {
    let p = ok(&genai());
    let search = resource(&p, "search");
    let blob = resource(&p, "shared_private_link.storage_blob");
    assert_eq!(
        blob.resource_type,
        "Microsoft.Search/searchServices/sharedPrivateLinkResources"
    );
    assert_eq!(
        blob.id,
        format!(
            "{}/sharedPrivateLinkResources/shared-pe-storage-blob",
            search.id
        )
    );
    assert_eq!(
        blob.body["properties"]["privateLinkResourceId"],
        resource(&p, "storage").id.as_str()
    );
    assert_eq!(blob.body["properties"]["groupId"], "blob");
    assert_eq!(blob.depends_on, vec!["search", "storage"]);
    let ais = resource(&p, "shared_private_link.ai_services_openai_account");
    assert_eq!(ais.name, "shared-pe-foundry-openai");
    assert_eq!(
        ais.body["properties"]["privateLinkResourceId"],
        resource(&p, "ai_services").id.as_str()
    );
    assert_eq!(ais.body["properties"]["groupId"], "openai_account");
    assert_eq!(
        ais.depends_on,
        vec!["ai_services", "search", "shared_private_link.storage_blob"]
    );
    // Allowlist mode (Search reaches them as a trusted service) and projects without
    // Search have none.
    for spec in [genai_ml_allowlist_gov(), esml()] {
        let q = ok(&spec);
        assert!(
            !resource_keys(&q)
                .iter()
                .any(|k| k.starts_with("shared_private_link.")),
            "{:?}",
            spec.network_access
        );
    }
    // Without AI Services only the storage link.
    let mut s = genai();
    s.services.ai_services = Some(false);
    let q = ok(&s);
    let links: Vec<&str> = resource_keys(&q)
        .into_iter()
        .filter(|k| k.starts_with("shared_private_link."))
        .collect();
    assert_eq!(links, vec!["shared_private_link.storage_blob"]);
}

/// With the landing zone's DNS policy writing the records (`common.dns_zone_groups =
/// false`), private endpoints come without zone groups; nothing else changes.
#[test]
fn zone_groups_can_be_left_to_the_landing_zone_policy() {
    let with = ok(&genai());
    let mut s = genai();
    s.common.dns_zone_groups = false;
    let without = ok(&s);
    let groups = |d: &DesiredProject| {
        d.resources
            .iter()
            .filter(|r| r.key.starts_with("private_dns_zone_group."))
            .count()
    };
    assert!(groups(&with) > 0);
    assert_eq!(groups(&without), 0);
    let others = |d: &DesiredProject| {
        d.resources
            .iter()
            .filter(|r| !r.key.starts_with("private_dns_zone_group."))
            .map(|r| r.key.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(others(&with), others(&without));
}
