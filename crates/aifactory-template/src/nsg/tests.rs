//! The rule tables hold what Azure accepts and what ESML wrote.

use super::*;
use std::collections::BTreeSet;

fn port_ok(p: &str) -> bool {
    let num = |s: &str| s.parse::<u32>().is_ok_and(|n| n <= 65535);
    p == "*"
        || num(p)
        || p.split_once('-').is_some_and(|(a, b)| {
            num(a) && num(b) && a.parse::<u32>().ok() <= b.parse::<u32>().ok()
        })
}

#[test]
fn every_table_is_valid_for_azure() {
    for purpose in Purpose::EVERY {
        let mut priorities = BTreeSet::new();
        let mut names = BTreeSet::new();
        for r in purpose.rules() {
            let what = format!("{} {}", purpose.name(), r.name);
            assert!(
                (100..=4096).contains(&r.priority),
                "{what}: priority {}",
                r.priority
            );
            assert!(
                priorities.insert((r.direction, r.priority)),
                "{what}: priority taken"
            );
            assert!(
                names.insert(r.name.to_ascii_lowercase()),
                "{what}: name used twice"
            );
            assert!(
                !r.name.is_empty() && r.name.len() <= 80,
                "{what}: rule names are 1-80 characters"
            );
            for p in r.source_ports.iter().chain(r.destination_ports) {
                assert!(port_ok(p), "{what}: port {p}");
            }
            for list in [
                r.source_ports,
                r.destination_ports,
                r.sources,
                r.destinations,
            ] {
                assert!(!list.is_empty(), "{what}: empty list");
                assert!(
                    list.len() == 1 || !list.contains(&"*"),
                    "{what}: * among others"
                );
            }
        }
    }
}

#[test]
fn rule_counts_per_purpose_follow_esml() {
    let counts: Vec<(&str, usize)> = Purpose::EVERY
        .iter()
        .map(|p| (p.name(), p.rules().len()))
        .collect();
    assert_eq!(
        counts,
        [
            ("private_endpoints", 24),
            ("container_apps", 24),
            ("aks", 13),
            ("web_apps", 24),
            ("databricks_public", 3),
            ("databricks_private", 3),
            ("default", 0),
            ("bastion", 8),
        ]
    );
    // Databricks' own rules stay below ESML's 3900.
    assert!(DATABRICKS.iter().all(|r| r.priority >= 3900));
}

#[test]
fn purposes_parse_and_follow_esml_keys() {
    for p in Purpose::ALL {
        assert_eq!(Purpose::parse(p.name()), Some(p));
        assert_eq!(Purpose::of_key(p.name()), p);
    }
    for (key, p) in [
        ("genai", Purpose::PrivateEndpoints),
        ("aks", Purpose::Aks),
        ("aks-002", Purpose::Aks),
        ("aks2", Purpose::Aks),
        ("aca", Purpose::ContainerApps),
        ("aca-002", Purpose::ContainerApps),
        ("agent", Purpose::ContainerApps),
        ("webapp", Purpose::WebApps),
        ("dbxpub", Purpose::DatabricksPublic),
        ("DbxPriv", Purpose::DatabricksPrivate),
        ("scoring", Purpose::Default),
    ] {
        assert_eq!(Purpose::of_key(key), p, "{key}");
    }
    assert_eq!(Purpose::parse("Aks"), None);
    // The Bastion table is the common part's: projects' subnets never get it.
    assert_eq!(Purpose::parse("bastion"), None);
    assert_eq!(Purpose::of_key("bastion"), Purpose::Default);
    assert_eq!(Purpose::of_key("AzureBastionSubnet"), Purpose::Default);
}

/// Microsoft's required rules for AzureBastionSubnet (bastion-nsg), as one line each.
#[test]
fn bastion_table_is_microsofts_required_rules() {
    assert_eq!(
        desired_summaries(Purpose::Bastion, "westeurope"),
        [
            "120 Inbound Allow Tcp Internet:* -> *:443 AllowHttpsInbound",
            "130 Inbound Allow Tcp GatewayManager:* -> *:443 AllowGatewayManagerInbound",
            "140 Inbound Allow Tcp AzureLoadBalancer:* -> *:443 AllowAzureLoadBalancerInbound",
            "150 Inbound Allow * VirtualNetwork:* -> VirtualNetwork:5701,8080 AllowBastionHostCommunication",
            "100 Outbound Allow * *:* -> VirtualNetwork:22,3389 AllowSshRdpOutbound",
            "110 Outbound Allow Tcp *:* -> AzureCloud:443 AllowAzureCloudOutbound",
            "120 Outbound Allow * VirtualNetwork:* -> VirtualNetwork:5701,8080 AllowBastionCommunication",
            "130 Outbound Allow * *:* -> Internet:80 AllowHttpOutbound",
        ]
    );
    let body = nsg_body(Purpose::Bastion, "westeurope", &serde_json::json!({}));
    let ssh = &body["properties"]["securityRules"][4]["properties"];
    assert_eq!(
        ssh["destinationPortRanges"],
        serde_json::json!(["22", "3389"])
    );
    assert_eq!(ssh["destinationAddressPrefix"], "VirtualNetwork");
}

#[test]
fn bodies_and_summaries() {
    let storage = GENAI
        .iter()
        .find(|r| r.name == "AzureStorageAccount")
        .expect("rule");
    assert!(storage.destinations[0].contains(LOCATION));
    let arm = storage.to_arm("westeurope");
    assert_eq!(
        arm["properties"]["destinationAddressPrefix"],
        "Storage.westeurope"
    );
    assert_eq!(arm["properties"]["priority"], 160);
    assert_eq!(
        storage.summary("westeurope"),
        "160 Outbound Allow Tcp *:* -> Storage.westeurope:443 AzureStorageAccount"
    );
    // Several entries go to the plural property; Azure's echo of both forms reads the same.
    let devops = GENAI[5].to_arm("x");
    assert_eq!(
        devops["properties"]["destinationAddressPrefixes"]
            .as_array()
            .map(Vec::len),
        Some(4)
    );
    let mut echoed = devops.clone();
    echoed["properties"]["destinationAddressPrefix"] = json!("");
    echoed["properties"]["sourcePortRanges"] = json!([]);
    echoed["properties"]["provisioningState"] = json!("Succeeded");
    assert_eq!(summary_of_arm(&echoed), summary_of_arm(&devops));

    let body = nsg_body(Purpose::Aks, "westeurope", &json!({"a": "b"}));
    assert_eq!(
        body["properties"]["securityRules"].as_array().map(Vec::len),
        Some(13)
    );
    assert_eq!(
        actual_summaries(&body, Purpose::Aks),
        desired_summaries(Purpose::Aks, "westeurope")
    );

    // A changed and a deleted rule show; a foreign rule is kept by the restore and ignored.
    let mut drifted = body.clone();
    drifted["properties"]["securityRules"][0]["properties"]["access"] = json!("Deny");
    if let Some(a) = drifted["properties"]["securityRules"].as_array_mut() {
        a.remove(12);
        a.push(json!({"name": "Databricks-own", "properties": {"priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "*", "provisioningState": "Succeeded"}}));
    }
    let actual = actual_summaries(&drifted, Purpose::Aks);
    assert_eq!(actual.len(), 12);
    assert!(actual[0].contains(" Deny "));
    let restored = restored_body(&drifted, Purpose::Aks, "westeurope");
    let rules = restored["properties"]["securityRules"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(rules.len(), 14);
    assert!(rules[0]["properties"].get("provisioningState").is_none());
    assert_eq!(
        actual_summaries(&restored, Purpose::Aks),
        desired_summaries(Purpose::Aks, "westeurope")
    );
    assert_eq!(restored["tags"]["a"], "b");

    let rt = firewall_route_table_body("westeurope", "10.0.0.4", &json!({}));
    assert_eq!(
        rt["properties"]["routes"][0]["properties"]["nextHopType"],
        "VirtualAppliance"
    );
    assert_eq!(nsg_name("aks", "prj001"), "aks-nsg-prj001");
}
