//! The PUT body of a subnet: the existing subnet's writable properties with the
//! allocated range and the managed settings applied.
//!
//! Must not: do I/O, or drop a property the allocation does not manage (NAT gateway,
//! private endpoints stay).

use serde_json::{json, Map, Value as Json};

use crate::resources::subnet_allocation::requests::SubnetSettings;

/// Properties of a subnet Azure computes; never sent back in a PUT.
const READ_ONLY_SUBNET_PROPERTIES: [&str; 8] = [
    "provisioningState",
    "purpose",
    "ipConfigurations",
    "ipConfigurationProfiles",
    "privateEndpoints",
    "resourceNavigationLinks",
    "serviceAssociationLinks",
    "etag",
];

/// The PUT body of a subnet: the existing subnet's writable properties (a subnet PUT
/// replaces the whole subnet) with the allocated range and the managed settings applied.
pub(crate) fn subnet_body(
    existing: Option<&Json>,
    v4: &str,
    v6: Option<&str>,
    s: &SubnetSettings,
) -> Json {
    let mut props: Map<String, Json> = existing
        .and_then(|e| e.get("properties"))
        .and_then(Json::as_object)
        .cloned()
        .unwrap_or_default();
    for k in READ_ONLY_SUBNET_PROPERTIES {
        props.remove(k);
    }
    match v6 {
        Some(v6) => {
            props.remove("addressPrefix");
            props.insert("addressPrefixes".into(), json!([v4, v6]));
        }
        None => {
            props.remove("addressPrefixes");
            props.insert("addressPrefix".into(), json!(v4));
        }
    }
    let mut reference = |key: &str, id: &Option<String>| match id.as_deref() {
        None => {}
        Some("") => {
            props.remove(key);
        }
        Some(id) => {
            props.insert(key.into(), json!({ "id": id }));
        }
    };
    reference("networkSecurityGroup", &s.network_security_group_id);
    reference("routeTable", &s.route_table_id);
    match s.delegation.as_deref() {
        None => {}
        Some("") => {
            props.insert("delegations".into(), json!([]));
        }
        Some(service) => {
            let name = props
                .get("delegations")
                .and_then(Json::as_array)
                .and_then(|a| {
                    a.iter().find(|d| {
                        d.pointer("/properties/serviceName")
                            .and_then(Json::as_str)
                            .is_some_and(|n| n.eq_ignore_ascii_case(service))
                    })
                })
                .and_then(|d| d.get("name"))
                .and_then(Json::as_str)
                .unwrap_or("delegation")
                .to_string();
            props.insert(
                "delegations".into(),
                json!([{ "name": name, "properties": { "serviceName": service } }]),
            );
        }
    }
    if let Some(list) = &s.service_endpoints {
        let current: Vec<Json> = props
            .get("serviceEndpoints")
            .and_then(Json::as_array)
            .cloned()
            .unwrap_or_default();
        let endpoints: Vec<Json> = list
            .iter()
            .map(|svc| {
                let locations = current
                    .iter()
                    .find(|e| {
                        e.get("service")
                            .and_then(Json::as_str)
                            .is_some_and(|x| x.eq_ignore_ascii_case(svc))
                    })
                    .and_then(|e| e.get("locations"))
                    .cloned();
                match locations {
                    Some(l) => json!({ "service": svc, "locations": l }),
                    None => json!({ "service": svc }),
                }
            })
            .collect();
        props.insert("serviceEndpoints".into(), Json::Array(endpoints));
    }
    if let Some(p) = &s.private_endpoint_network_policies {
        props.insert("privateEndpointNetworkPolicies".into(), json!(p));
    }
    json!({ "properties": props })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_keeps_unmanaged_settings_and_strips_read_only_parts() {
        let existing = json!({"name": "s", "properties": {
            "addressPrefix": "10.0.0.0/24", "provisioningState": "Succeeded",
            "networkSecurityGroup": {"id": "/nsg1"}, "natGateway": {"id": "/ng"},
            "privateEndpoints": [{"id": "/pe"}],
            "delegations": [{"name": "dbx", "properties": {"serviceName": "Microsoft.Databricks/workspaces", "actions": ["a"]}}],
            "serviceEndpoints": [{"service": "Microsoft.Storage", "locations": ["westeurope"], "provisioningState": "Succeeded"}]
        }});
        let s = SubnetSettings {
            delegation: Some("Microsoft.Databricks/workspaces".into()),
            service_endpoints: Some(vec![
                "Microsoft.Storage".into(),
                "Microsoft.KeyVault".into(),
            ]),
            ..Default::default()
        };
        let b = subnet_body(Some(&existing), "10.0.1.0/25", None, &s);
        let p = &b["properties"];
        assert_eq!(p["addressPrefix"], "10.0.1.0/25");
        assert_eq!(
            p["networkSecurityGroup"]["id"], "/nsg1",
            "unmanaged NSG kept"
        );
        assert_eq!(p["natGateway"]["id"], "/ng");
        assert!(p.get("provisioningState").is_none() && p.get("privateEndpoints").is_none());
        assert_eq!(
            p["delegations"],
            json!([{"name": "dbx", "properties": {"serviceName": "Microsoft.Databricks/workspaces"}}])
        );
        assert_eq!(
            p["serviceEndpoints"],
            json!([{"service": "Microsoft.Storage", "locations": ["westeurope"]}, {"service": "Microsoft.KeyVault"}])
        );
        let remove = SubnetSettings {
            network_security_group_id: Some(String::new()),
            delegation: Some(String::new()),
            ..Default::default()
        };
        let b = subnet_body(Some(&existing), "10.0.0.0/24", Some("fd00::/64"), &remove);
        assert!(b["properties"].get("networkSecurityGroup").is_none());
        assert_eq!(b["properties"]["delegations"], json!([]));
        assert_eq!(
            b["properties"]["addressPrefixes"],
            json!(["10.0.0.0/24", "fd00::/64"])
        );
        assert!(b["properties"].get("addressPrefix").is_none());
    }
}
