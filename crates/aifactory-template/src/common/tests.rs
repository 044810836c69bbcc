use std::collections::BTreeMap;

use super::*;
use crate::naming::{Environment, SaltMode};
use crate::project::{Cloud, Node, TeamPrincipalType};

const SUB: &str = "11111111-2222-3333-4444-555555555555";
const TENANT: &str = "99999999-8888-7777-6666-555555555555";
const CORE: &str = "aaaaaaaa-0000-0000-0000-000000000001";

fn spec() -> CommonSpec {
    CommonSpec {
        subscription_id: SUB.into(),
        tenant_id: TENANT.into(),
        cloud: Cloud::Public,
        environment: Environment::Dev,
        location: "westeurope".into(),
        naming: CommonNaming {
            prefix: "acme-".into(),
            location_short: "weu".into(),
            suffix: "-001".into(),
            salt: SaltMode::AiFactory,
        },
        network: CommonNetwork {
            vnet: VirtualNetwork::Create {
                address_space: vec!["10.20.0.0/16".into()],
            },
            subnets: vec![
                CommonSubnet {
                    purpose: CommonSubnetPurpose::Scoring,
                    cidr: "10.20.0.64/26".into(),
                },
                CommonSubnet {
                    purpose: CommonSubnetPurpose::Common,
                    cidr: "10.20.0.0/26".into(),
                },
            ],
            route_to_firewall: None,
        },
        dns: DnsSpec {
            zones: DnsZones::Create,
            link: true,
            zone_groups: true,
        },
        hub_peering: None,
        datalake: LakeSpec {
            filesystem: "lake3".into(),
            name_prefix: "lake".into(),
        },
        container_registry: true,
        log_retention_days: 30,
        diagnostics: true,
        core_team: CoreTeam {
            object_ids: vec![CORE.into()],
            principal_type: TeamPrincipalType::Group,
        },
        tags: BTreeMap::new(),
        bastion: false,
        defender_plans: Vec::new(),
        jump_host: None,
    }
}

fn keys(d: &DesiredCommon) -> Vec<&str> {
    d.plan.resources.iter().map(|r| r.key.as_str()).collect()
}

#[test]
fn esml_names() {
    let d = desired(&spec()).expect("valid");
    let n = &d.names;
    assert_eq!(n.resource_group, "acme-esml-common-weu-dev-001");
    assert_eq!(n.virtual_network, "vnt-esmlcmn-weu-dev-001");
    assert_eq!(n.subnets["common"], "snet-esml-cmn-001");
    assert_eq!(n.subnets["scoring"], "snet-esml-cmn-001-scoring");
    assert_eq!(n.salt.len(), 5);
    assert_eq!(n.key_vault, format!("kv-cmndev-{}-001", n.salt));
    assert_eq!(n.key_vault_admin, format!("kv-cmnadmdev-{}-001", n.salt));
    assert_eq!(n.datalake, format!("lake{}esml001dev", n.salt));
    assert_eq!(
        n.container_registry,
        format!("acrcommon{}weu001dev", n.salt)
    );
    assert_eq!(n.log_analytics, format!("la-cmn-weu-dev-{}-001", n.salt));
    assert_eq!(n.bastion, "bastion-weu-dev-001");
    assert_eq!(n.bastion_public_ip, "pip-bastion-weu-dev-001");
    // The projects of the stage carry the same salt.
    assert_eq!(n.salt, crate::naming::salt(SUB, &n.resource_group));
}

#[test]
fn every_zone_is_created_and_linked_and_every_endpoint_points_into_them() {
    let d = desired(&spec()).expect("valid");
    let ks = keys(&d);
    assert!(d.zones.len() >= 15, "{:?}", d.zones);
    for z in &d.zones {
        assert!(ks.contains(&format!("dns_zone.{z}").as_str()), "{z}");
        assert!(ks.contains(&format!("dns_link.{z}").as_str()), "{z}");
    }
    assert!(d.zones.iter().any(|z| z == "privatelink.azurecr.io"));
    // ESML's extras, regional ones included (about 30 in all, as ESML creates).
    assert!(d
        .zones
        .iter()
        .any(|z| z == "privatelink.westeurope.azurecontainerapps.io"));
    assert!(d.zones.len() >= 29, "{}", d.zones.len());
    for r in d
        .plan
        .resources
        .iter()
        .filter(|r| r.key.starts_with("dns_link."))
    {
        assert_eq!(
            r.body["properties"]["virtualNetwork"]["id"],
            d.virtual_network_id
        );
    }
    let zone_ids: Vec<&str> = d
        .plan
        .resources
        .iter()
        .filter(|r| r.key.starts_with("dns_zone."))
        .map(|r| r.id.as_str())
        .collect();
    let groups: Vec<_> = d
        .plan
        .resources
        .iter()
        .filter(|r| r.key.starts_with("private_dns_zone_group."))
        .collect();
    assert_eq!(groups.len(), 5, "lake blob+dfs, two vaults, registry");
    for g in groups {
        for c in g.body["properties"]["privateDnsZoneConfigs"]
            .as_array()
            .expect("configs")
        {
            let id = c["properties"]["privateDnsZoneId"].as_str().expect("id");
            assert!(zone_ids.contains(&id), "{id}");
        }
    }
}

#[test]
fn subnets_carry_their_nsg_in_the_first_put_and_are_written_one_at_a_time() {
    let d = desired(&spec()).expect("valid");
    let common = d
        .plan
        .resources
        .iter()
        .find(|r| r.key == "subnet.common")
        .expect("subnet");
    let scoring = d
        .plan
        .resources
        .iter()
        .find(|r| r.key == "subnet.scoring")
        .expect("subnet");
    assert!(common.body["properties"]["networkSecurityGroup"]["id"]
        .as_str()
        .is_some_and(|id| id.ends_with("/networkSecurityGroups/nsg-snet-esml-cmn-001")));
    assert!(common.depends_on.contains(&"nsg.common".to_string()));
    assert!(scoring.depends_on.contains(&"subnet.common".to_string()));
    assert_eq!(common.body["properties"]["addressPrefix"], "10.20.0.0/26");
}

#[test]
fn hub_zones_are_not_created_and_zone_groups_can_be_left_to_policy() {
    let mut s = spec();
    let hub = "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/hub-dns";
    s.dns = DnsSpec {
        zones: DnsZones::Hub {
            resource_group_id: hub.into(),
        },
        link: false,
        zone_groups: false,
    };
    let d = desired(&s).expect("valid");
    let ks = keys(&d);
    assert!(!ks
        .iter()
        .any(|k| k.starts_with("dns_zone.") || k.starts_with("dns_link.")));
    assert!(!ks.contains(&"dns_resource_group"));
    assert!(!ks.iter().any(|k| k.starts_with("private_dns_zone_group.")));
    assert!(ks.iter().any(|k| k.starts_with("private_endpoint.")));
    assert_eq!(d.project_refs.private_dns_zone_resource_group_id, hub);
    assert!(!d.project_refs.dns_zone_groups);
}

#[test]
fn the_lake_is_private_with_esml_folders_and_shared_parents_traverse_only() {
    let d = desired(&spec()).expect("valid");
    let lake = d
        .plan
        .resources
        .iter()
        .find(|r| r.key == "datalake")
        .expect("lake");
    assert_eq!(lake.body["properties"]["isHnsEnabled"], true);
    assert_eq!(lake.body["properties"]["publicNetworkAccess"], "Disabled");
    assert_eq!(lake.body["sku"]["name"], "Standard_ZRS");
    let dl = d.plan.datalake.as_ref().expect("lake");
    assert_eq!(dl.directories, ["active", "logging", "master", "projects"]);
    let mut other: Vec<String> = d
        .plan
        .acl
        .iter()
        .filter(|e| e.kind == crate::project::AclKind::Other)
        .filter_map(|e| e.ace().map(|a| format!("{}={a}", e.path)))
        .collect();
    other.sort();
    assert_eq!(other, ["/=other::--x", "projects=other::--x"]);
    assert_eq!(
        d.plan.acl_spec("master").as_deref(),
        Some(format!("group:{CORE}:rwx,default:group:{CORE}:rwx").as_str())
    );
}

#[test]
fn the_core_team_gets_least_privilege_roles() {
    let d = desired(&spec()).expect("valid");
    let roles: Vec<&str> = d
        .plan
        .role_assignments
        .iter()
        .map(|r| r.role_name.as_str())
        .collect();
    assert_eq!(roles.len(), 5);
    for forbidden in crate::project::rbac::FORBIDDEN_ROLE_GUIDS {
        assert!(!d.plan.role_assignments.iter().any(
            |r| r.role_definition_guid == forbidden.1 || r.role_definition_guid == forbidden.0
        ));
    }
    assert!(d.plan.role_assignments.iter().all(|r| r.id.is_some()));
}

#[test]
fn the_graph_orders_dependencies_first() {
    let d = desired(&spec()).expect("valid");
    let order = d.plan.apply_order().expect("acyclic");
    let pos = |k: &str| order.iter().position(|n: &Node| n.key() == k).expect(k);
    assert!(pos("resource_group") < pos("virtual_network"));
    assert!(pos("virtual_network") < pos("subnet.common"));
    assert!(pos("subnet.common") < pos("private_endpoint.datalake_dfs"));
    assert!(
        pos("dns_zone.privatelink.dfs.core.windows.net")
            < pos("private_dns_zone_group.datalake_dfs")
    );
    assert!(pos("log_analytics") < pos("diagnostic_setting.key_vault"));
}

#[test]
fn problems_are_reported_on_their_attributes() {
    let mut s = spec();
    s.network
        .subnets
        .retain(|x| x.purpose != CommonSubnetPurpose::Common);
    s.core_team.object_ids = vec!["nope".into()];
    s.naming.prefix = "a-very-long-prefix-that-breaks-".into();
    let issues = desired(&s).expect_err("invalid");
    let paths: Vec<String> = issues.iter().map(|i| i.path.to_string()).collect();
    assert!(paths.iter().any(|p| p == "subnets"), "{paths:?}");
    assert!(
        paths.iter().any(|p| p.starts_with("core_team")),
        "{paths:?}"
    );
    for i in &issues {
        assert!(!i.kind.to_string().is_empty());
    }
}

#[test]
fn hub_peering_writes_the_hub_side_first() {
    let mut s = spec();
    s.hub_peering = Some(HubPeering {
        remote_virtual_network_id: "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/hub/providers/Microsoft.Network/virtualNetworks/vnet-hub".into(),
        create_remote: true,
        use_remote_gateways: true,
    });
    let d = desired(&s).expect("valid");
    let local = d
        .plan
        .resources
        .iter()
        .find(|r| r.key == "peering.local")
        .expect("local");
    assert!(local.depends_on.contains(&"peering.remote".to_string()));
    assert_eq!(local.body["properties"]["useRemoteGateways"], true);
    if let Some(h) = s.hub_peering.as_mut() {
        h.create_remote = false;
    }
    assert!(desired(&s).is_err());
}

fn with_bastion() -> CommonSpec {
    let mut s = spec();
    s.bastion = true;
    s.network.subnets.push(CommonSubnet {
        purpose: CommonSubnetPurpose::Bastion,
        cidr: "10.20.0.128/26".into(),
    });
    s.network.route_to_firewall = Some("10.0.0.4".into());
    s
}

fn find<'a>(d: &'a DesiredCommon, key: &str) -> &'a DesiredResource {
    d.plan
        .resources
        .iter()
        .find(|r| r.key == key)
        .unwrap_or_else(|| panic!("{key}"))
}

#[test]
fn bastion_gets_its_subnet_nsg_public_ip_and_host() {
    assert!(!keys(&desired(&spec()).expect("valid"))
        .iter()
        .any(|k| k.contains("bastion")));
    let d = desired(&with_bastion()).expect("valid");
    let subnet = find(&d, "subnet.bastion");
    assert_eq!(subnet.name, "AzureBastionSubnet");
    assert_eq!(d.subnet_ids["bastion"], subnet.id);
    assert_eq!(subnet.body["properties"]["addressPrefix"], "10.20.0.128/26");
    // Its NSG (ESML's name) with Microsoft's rules, in the first PUT; no route table (Bastion
    // does not support user-defined routes on its subnet), unlike the other subnets.
    let nsg = find(&d, "nsg.bastion");
    assert_eq!(nsg.name, "nsg-AzureBastionSubnet");
    assert_eq!(
        subnet.body["properties"]["networkSecurityGroup"]["id"],
        nsg.id.as_str()
    );
    assert_eq!(
        nsg.body["properties"]["securityRules"]
            .as_array()
            .map(Vec::len),
        Some(8)
    );
    assert!(subnet.body["properties"].get("routeTable").is_none());
    assert!(find(&d, "subnet.common").body["properties"]
        .get("routeTable")
        .is_some());
    assert!(subnet.depends_on.contains(&"nsg.bastion".to_string()));

    let ip = find(&d, "public_ip.bastion");
    assert_eq!(ip.resource_type, "Microsoft.Network/publicIPAddresses");
    assert_eq!(ip.body["sku"]["name"], "Standard");
    assert_eq!(ip.body["properties"]["publicIPAllocationMethod"], "Static");
    let host = find(&d, "bastion");
    assert_eq!(host.name, "bastion-weu-dev-001");
    assert_eq!(host.resource_type, "Microsoft.Network/bastionHosts");
    let conf = &host.body["properties"]["ipConfigurations"][0]["properties"];
    assert_eq!(conf["subnet"]["id"], subnet.id.as_str());
    assert_eq!(conf["publicIPAddress"]["id"], ip.id.as_str());
    assert_eq!(host.depends_on, ["public_ip.bastion", "subnet.bastion"]);
    // Its diagnostic setting, and the core team's Reader on it.
    assert!(keys(&d).contains(&"diagnostic_setting.bastion"));
    let reader = d
        .plan
        .role_assignments
        .iter()
        .find(|r| r.scope == host.id)
        .expect("role on the bastion");
    assert_eq!(reader.role_name, "Reader");
    assert_eq!(reader.depends_on, ["bastion"]);

    let order = d.plan.apply_order().expect("acyclic");
    let pos = |k: &str| order.iter().position(|n: &Node| n.key() == k).expect(k);
    assert!(pos("subnet.bastion") < pos("bastion"));
    assert!(pos("public_ip.bastion") < pos("bastion"));
}

#[test]
fn bastion_and_its_subnet_come_together_and_the_subnet_is_a_26_or_larger() {
    let mut s = with_bastion();
    s.bastion = false;
    let issues = desired(&s).expect_err("subnet without bastion");
    assert_eq!(issues[0].path.to_string(), "subnets[\"bastion\"]");
    assert_eq!(issues[0].kind, CommonIssueKind::BastionSubnetWithoutBastion);

    let mut s = spec();
    s.bastion = true;
    let issues = desired(&s).expect_err("bastion without subnet");
    assert_eq!(issues[0].path.to_string(), "bastion");

    let mut s = with_bastion();
    s.network.subnets.last_mut().expect("bastion").cidr = "10.20.0.128/27".into();
    let issues = desired(&s).expect_err("too small");
    assert!(
        issues[0].kind.to_string().contains("/26"),
        "{}",
        issues[0].kind
    );
    let mut s = with_bastion();
    s.network.subnets.last_mut().expect("bastion").cidr = "10.20.1.0/24".into();
    assert!(desired(&s).is_ok());
}

#[test]
fn defender_plans_are_set_standard_at_subscription_scope() {
    let mut s = spec();
    s.defender_plans = vec![
        "StorageAccounts".into(),
        "keyvaults".into(),
        "Containers".into(),
        "StorageAccounts".into(),
    ];
    let d = desired(&s).expect("valid");
    let plans: Vec<&DesiredResource> = d
        .plan
        .resources
        .iter()
        .filter(|r| r.key.starts_with("defender."))
        .collect();
    let ks: Vec<&str> = plans.iter().map(|r| r.key.as_str()).collect();
    // Canonical names (case ignored), once each.
    assert_eq!(
        ks,
        [
            "defender.Containers",
            "defender.KeyVaults",
            "defender.StorageAccounts"
        ]
    );
    for r in &plans {
        assert_eq!(
            r.id,
            format!(
                "/subscriptions/{SUB}/providers/Microsoft.Security/pricings/{}",
                r.name
            )
        );
        assert_eq!(
            r.body,
            json!({ "properties": { "pricingTier": "Standard" } })
        );
        assert!(r.depends_on.is_empty());
        assert!(!r.lro);
        // Removed (or destroyed), a plan is set back to Free with a PUT.
        assert_eq!(
            delete_body(&r.resource_type, &r.id),
            Some(json!({ "properties": { "pricingTier": "Free" } }))
        );
    }

    s.defender_plans = vec!["StorageAccounts".into(), "Storage".into()];
    let issues = desired(&s).expect_err("unknown plan");
    assert_eq!(issues[0].path.to_string(), "defender_plans[1]");
    assert!(issues[0].kind.to_string().contains("KeyVaults"));
}

#[test]
fn only_subscription_scope_pricings_are_deleted_by_a_write() {
    let sub_scope = format!("/subscriptions/{SUB}/providers/Microsoft.Security/pricings/Arm");
    assert!(delete_body("microsoft.security/pricings", &sub_scope).is_some());
    // Resource scope (virtual machines) has a DELETE.
    let vm = format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm/providers/Microsoft.Security/pricings/VirtualMachines");
    assert_eq!(delete_body("Microsoft.Security/pricings", &vm), None);
    assert_eq!(
        delete_body(
            "Microsoft.Network/bastionHosts",
            &format!(
                "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/bastionHosts/b"
            )
        ),
        None
    );
}

const KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx0ZXN0a2V5IGZvciB0aGUganVtcCBob3N0 me@laptop";

fn with_jump_host() -> CommonSpec {
    let mut s = spec();
    s.jump_host = Some(JumpHost {
        admin_username: "azureuser".into(),
        ssh_public_key: KEY.into(),
        size: "Standard_B2s".into(),
    });
    s
}

#[test]
fn jump_host_is_a_linux_vm_on_a_nic_in_the_common_subnet() {
    assert!(!keys(&desired(&spec()).expect("valid")).contains(&"jump_host"));
    let d = desired(&with_jump_host()).expect("valid");
    let n = &d.names;
    assert_eq!(n.jump_host, "vm-jumphost-weu-dev-001");
    assert_eq!(n.jump_host_nic, "nic-jumphost-weu-dev-001");
    let by = |k: &str| {
        d.plan
            .resources
            .iter()
            .find(|r| r.key == k)
            .unwrap_or_else(|| panic!("{k}"))
    };
    let nic = by("network_interface.jump_host");
    assert_eq!(nic.resource_type, "Microsoft.Network/networkInterfaces");
    assert_eq!(
        nic.body["properties"]["ipConfigurations"][0]["properties"]["subnet"]["id"],
        json!(d.subnet_ids["common"])
    );
    // No public IP on the jump host.
    assert!(nic.body["properties"]["ipConfigurations"][0]["properties"]
        .get("publicIPAddress")
        .is_none());
    assert!(nic.depends_on.contains(&"subnet.common".to_string()));
    let vm = by("jump_host");
    assert_eq!(vm.resource_type, "Microsoft.Compute/virtualMachines");
    assert_eq!(vm.api_version, "2025-04-01");
    assert!(vm.lro);
    assert_eq!(vm.depends_on, ["network_interface.jump_host"]);
    let p = &vm.body["properties"];
    assert_eq!(p["hardwareProfile"]["vmSize"], "Standard_B2s");
    assert_eq!(
        p["storageProfile"]["imageReference"]["offer"],
        "ubuntu-24_04-lts"
    );
    assert_eq!(p["storageProfile"]["osDisk"]["deleteOption"], "Delete");
    assert_eq!(p["storageProfile"]["osDisk"]["createOption"], "FromImage");
    assert_eq!(p["osProfile"]["adminUsername"], "azureuser");
    assert_eq!(
        p["osProfile"]["linuxConfiguration"]["disablePasswordAuthentication"],
        true
    );
    assert_eq!(
        p["osProfile"]["linuxConfiguration"]["ssh"]["publicKeys"][0],
        json!({"path": "/home/azureuser/.ssh/authorized_keys", "keyData": KEY})
    );
    assert_eq!(
        p["networkProfile"]["networkInterfaces"][0]["id"],
        json!(nic.id)
    );
    assert_eq!(vm.body["identity"]["type"], "SystemAssigned");
    assert_eq!(vm.body["tags"]["aifactory-role"], "common");
    // Metrics only to Log Analytics.
    let diag = by("diagnostic_setting.jump_host");
    assert!(diag.body["properties"]
        .get("logs")
        .and_then(|l| l.as_array())
        .is_none_or(|l| l.is_empty()));
    assert!(!keys(&d).contains(&"diagnostic_setting.network_interface.jump_host"));
    // The core team logs in as a regular user.
    let ra = d
        .plan
        .role_assignments
        .iter()
        .find(|r| r.key == format!("role.team.{CORE}.jump_host.virtual-machine-user-login"))
        .expect("login role");
    assert_eq!(
        ra.role_definition_guid,
        "fb879df8-f326-4884-b1cf-06f3ad86be52"
    );
    assert_eq!(ra.scope, vm.id);
    assert_eq!(ra.depends_on, ["jump_host"]);
}

#[test]
fn jump_host_user_and_key_are_checked() {
    for (user, ok) in [
        ("azureuser", true),
        ("ops_admin", true),
        ("root", false),
        ("Admin", false),
        ("", false),
        ("-x", false),
        ("has space", false),
    ] {
        let mut s = with_jump_host();
        if let Some(j) = s.jump_host.as_mut() {
            j.admin_username = user.into();
        }
        match desired(&s) {
            Ok(_) => assert!(ok, "{user:?} accepted"),
            Err(issues) => {
                assert!(!ok, "{user:?} refused: {}", issues[0].kind);
                assert_eq!(issues[0].path.to_string(), "jump_host.admin_username");
            }
        }
    }
    let long = "u".repeat(65);
    assert!(admin_username_problem(&long).is_some());
    assert!(admin_username_problem(&"u".repeat(64)).is_none());
    for (key, ok) in [
        (KEY, true),
        ("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ", true),
        ("ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTY", true),
        ("ssh-dss AAAAB3NzaC1kc3MAAACBAP", false),
        ("-----BEGIN OPENSSH PRIVATE KEY-----", false),
        ("ssh-ed25519", false),
        ("", false),
    ] {
        let mut s = with_jump_host();
        if let Some(j) = s.jump_host.as_mut() {
            j.ssh_public_key = key.into();
        }
        match desired(&s) {
            Ok(_) => assert!(ok, "{key:?} accepted"),
            Err(issues) => {
                assert!(!ok, "{key:?} refused");
                assert_eq!(issues[0].path.to_string(), "jump_host.ssh_public_key");
                // The message does not repeat the key.
                assert!(!issues[0].kind.to_string().contains("AAAA"));
            }
        }
    }
}
