//! Settings drift of the subnets an allocation owns in a live virtual network.
//!
//! Refresh compares each setting the configuration gives (`network_security_group_id`,
//! `route_table_id`, `delegation`, `service_endpoints`, `private_endpoint_network_policies`)
//! with the subnet as Azure has it, and where they differ writes the actual value into
//! that request's entry of `subnets` in the state. The next plan then shows the change on
//! the attribute itself (`network_security_group_id = "" -> "/subscriptions/..."`) and the
//! apply writes the subnet back in place, at its range. Settings the configuration leaves
//! out are not in the entry and stay as found.
//!
//! Comparison: ARM IDs case-insensitively; `""` stands for "none" (an NSG or route table
//! removed, no delegation); the delegation by service name (the configuration gives one,
//! so two delegations differ and show joined by ", "); service endpoints as a set of
//! service names; an absent `privateEndpointNetworkPolicies` is Azure's default,
//! `Disabled`. A value that is equal in meaning keeps the configuration's spelling, so a
//! converged allocation refreshes to exactly its state.
//!
//! `subnets` is typed `dynamic`: its value travels with a concrete type (for example a
//! tuple of two strings for `service_endpoints`). Strings keep it; a `service_endpoints`
//! written as a literal list (a tuple) whose length differs in Azure changes it, so the
//! type is rewritten to match the new value. Terraform 1.0.x cannot render such a changed
//! type as JSON (`terraform show -json` of that plan fails, "tuple required"; fixed in
//! 1.1); its human-readable plan and the apply work. Lists typed `list(string)` or
//! `set(string)` (for example through a typed variable) keep their type on every version.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value as Json};

use crate::framework::Value;

/// The settings whose drift refresh detects, in the order they are compared.
pub(super) const DRIFT_SETTINGS: [&str; 5] = [
    "network_security_group_id",
    "route_table_id",
    "delegation",
    "service_endpoints",
    "private_endpoint_network_policies",
];

/// Azure's value of `privateEndpointNetworkPolicies` when a subnet shows none.
const PE_POLICIES_DEFAULT: &str = "Disabled";

/// One setting that differs: (purpose, attribute, actual value as text).
pub(super) type Drifted = (String, String, String);

fn props(subnet: &Json) -> Option<&Map<String, Json>> {
    subnet.get("properties").and_then(Json::as_object)
}

/// The ID a reference property (`networkSecurityGroup`, `routeTable`) holds; `""` when none.
fn reference(subnet: &Json, key: &str) -> String {
    props(subnet)
        .and_then(|p| p.get(key))
        .and_then(|r| r.get("id"))
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_string()
}

/// The service names of the subnet's delegations.
fn delegations(subnet: &Json) -> Vec<String> {
    props(subnet)
        .and_then(|p| p.get("delegations"))
        .and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|d| {
                    d.pointer("/properties/serviceName")
                        .or_else(|| d.get("serviceName"))
                        .and_then(Json::as_str)
                        .map(str::to_string)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The service names of the subnet's service endpoints, in Azure's order.
fn service_endpoints(subnet: &Json) -> Vec<String> {
    props(subnet)
        .and_then(|p| p.get("serviceEndpoints"))
        .and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|e| e.get("service").and_then(Json::as_str))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn pe_policies(subnet: &Json) -> String {
    props(subnet)
        .and_then(|p| p.get("privateEndpointNetworkPolicies"))
        .and_then(Json::as_str)
        .unwrap_or(PE_POLICIES_DEFAULT)
        .to_string()
}

fn lowercase_set<'a>(items: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    items.into_iter().map(str::to_ascii_lowercase).collect()
}

/// The actual value of `attr` when it differs in meaning from `configured`; `None` when
/// equal, or when the configured value is not of the setting's type (nothing to compare).
pub(super) fn actual_if_drifted(attr: &str, configured: &Value, subnet: &Json) -> Option<Value> {
    match attr {
        "network_security_group_id" | "route_table_id" => {
            let want = configured.as_str()?;
            let key = if attr == "route_table_id" {
                "routeTable"
            } else {
                "networkSecurityGroup"
            };
            let have = reference(subnet, key);
            (!want.trim().eq_ignore_ascii_case(have.trim())).then(|| Value::string(have))
        }
        "delegation" => {
            let want = configured.as_str()?;
            let have = delegations(subnet);
            let same = if want.is_empty() {
                have.is_empty()
            } else {
                have.len() == 1 && have[0].eq_ignore_ascii_case(want)
            };
            (!same).then(|| Value::string(have.join(", ")))
        }
        "service_endpoints" => {
            let want: Vec<&str> = configured
                .as_list()?
                .iter()
                .map(Value::as_str)
                .collect::<Option<_>>()?;
            let have = service_endpoints(subnet);
            let same = lowercase_set(want) == lowercase_set(have.iter().map(String::as_str));
            (!same).then(|| Value::List(have.into_iter().map(Value::String).collect()))
        }
        "private_endpoint_network_policies" => {
            let want = configured.as_str()?;
            let have = pe_policies(subnet);
            (!want.eq_ignore_ascii_case(&have)).then(|| Value::string(have))
        }
        _ => None,
    }
}

/// The value inside any `Dynamic` wrappers, mutably.
fn inner_mut(v: &mut Value) -> &mut Value {
    match v {
        Value::Dynamic { value, .. } => inner_mut(value),
        other => other,
    }
}

/// `subnets` with the actual value of every configured setting that drifted, for the
/// requests whose subnet exists (`live`: purpose -> the subnet's GET body), and what
/// drifted. `None` when nothing did.
pub(super) fn with_actual_settings(
    subnets: &Value,
    live: &BTreeMap<String, &Json>,
) -> Option<(Value, Vec<Drifted>)> {
    let mut out = subnets.clone();
    let mut drifted = Vec::new();
    {
        let Value::Map(entries) = inner_mut(&mut out) else {
            return None;
        };
        for (purpose, body) in live {
            let Some(entry) = entries.get_mut(purpose) else {
                continue;
            };
            let Value::Map(fields) = inner_mut(entry) else {
                continue;
            };
            for attr in DRIFT_SETTINGS {
                let Some(configured) = fields.get(attr).filter(|v| !v.is_null()) else {
                    continue;
                };
                if let Some(actual) = actual_if_drifted(attr, configured, body) {
                    let text = match &actual {
                        Value::List(items) => items
                            .iter()
                            .filter_map(Value::as_str)
                            .collect::<Vec<_>>()
                            .join(", "),
                        v => v.as_str().unwrap_or_default().to_string(),
                    };
                    drifted.push((purpose.clone(), attr.to_string(), text));
                    fields.insert(attr.to_string(), actual);
                }
            }
        }
    }
    if drifted.is_empty() {
        return None;
    }
    if let Value::Dynamic { type_json, value } = &mut out {
        let old: Option<Json> = serde_json::from_str(type_json).ok();
        let new = retype(value, old.as_ref());
        if old.as_ref() != Some(&new) {
            *type_json = new.to_string();
        }
    }
    Some((out, drifted))
}

/// The cty type (JSON form) of `v`, following `ty` (the type it had) where it still fits:
/// list and set element types are kept, tuples and objects follow their elements, and a
/// map whose elements no longer share one type becomes an object.
pub(super) fn retype(v: &Value, ty: Option<&Json>) -> Json {
    let kind = ty
        .and_then(Json::as_array)
        .and_then(|a| a.first())
        .and_then(Json::as_str);
    let part = |i: usize| ty.and_then(Json::as_array).and_then(|a| a.get(i));
    match v {
        Value::Dynamic { value, .. } => retype(value, ty),
        Value::Null | Value::Unknown => ty.cloned().unwrap_or_else(|| json!("dynamic")),
        Value::String(_) => json!("string"),
        Value::Number(_) => json!("number"),
        Value::Bool(_) => json!("bool"),
        Value::List(items) => match (kind, ty) {
            (Some("list" | "set"), Some(t)) => t.clone(),
            _ => {
                let old = part(1)
                    .and_then(Json::as_array)
                    .filter(|_| kind == Some("tuple"));
                let elems: Vec<Json> = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| retype(item, old.and_then(|o| o.get(i).or(o.last()))))
                    .collect();
                json!(["tuple", elems])
            }
        },
        Value::Map(m) => {
            let attrs = part(1)
                .and_then(Json::as_object)
                .filter(|_| kind == Some("object"));
            let elem = part(1).filter(|_| kind == Some("map"));
            let typed: Map<String, Json> = m
                .iter()
                .map(|(k, x)| {
                    let guide = match kind {
                        Some("map") => elem,
                        _ => attrs.and_then(|a| a.get(k)),
                    };
                    (k.clone(), retype(x, guide))
                })
                .collect();
            if kind == Some("map") {
                let mut types = typed.values();
                match types.next() {
                    None => return ty.cloned().unwrap_or_else(|| json!(["map", "dynamic"])),
                    Some(first) if types.all(|t| t == first) => return json!(["map", first]),
                    Some(_) => {}
                }
            }
            json!(["object", typed])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subnet(props: Json) -> Json {
        json!({ "name": "s", "properties": props })
    }

    #[test]
    fn ids_compare_case_insensitively_and_empty_means_none() {
        let s = subnet(json!({"networkSecurityGroup": {"id": "/subscriptions/S/NSG1"}}));
        let nsg = "network_security_group_id";
        assert_eq!(
            actual_if_drifted(nsg, &Value::string("/subscriptions/s/nsg1"), &s),
            None
        );
        assert_eq!(
            actual_if_drifted(nsg, &Value::string("/subscriptions/s/nsg2"), &s),
            Some(Value::string("/subscriptions/S/NSG1"))
        );
        assert_eq!(
            actual_if_drifted(nsg, &Value::string(""), &s),
            Some(Value::string("/subscriptions/S/NSG1"))
        );
        let bare = subnet(json!({}));
        assert_eq!(
            actual_if_drifted(nsg, &Value::string("/subscriptions/s/nsg1"), &bare),
            Some(Value::string(""))
        );
        assert_eq!(actual_if_drifted(nsg, &Value::string(""), &bare), None);
        assert_eq!(
            actual_if_drifted("route_table_id", &Value::string("/rt"), &bare),
            Some(Value::string(""))
        );
    }

    #[test]
    fn delegations_endpoints_and_policies() {
        let s = subnet(json!({
            "delegations": [{"name": "d", "properties": {"serviceName": "Microsoft.Databricks/workspaces"}}],
            "serviceEndpoints": [{"service": "Microsoft.KeyVault"}, {"service": "Microsoft.Storage", "locations": ["*"]}],
            "privateEndpointNetworkPolicies": "Enabled"
        }));
        assert_eq!(
            actual_if_drifted(
                "delegation",
                &Value::string("microsoft.databricks/Workspaces"),
                &s
            ),
            None
        );
        assert_eq!(
            actual_if_drifted(
                "delegation",
                &Value::string("Microsoft.Web/serverFarms"),
                &s
            ),
            Some(Value::string("Microsoft.Databricks/workspaces"))
        );
        assert_eq!(
            actual_if_drifted(
                "delegation",
                &Value::string(""),
                &subnet(json!({"delegations": []}))
            ),
            None
        );
        let list = |items: &[&str]| Value::List(items.iter().map(|s| Value::string(*s)).collect());
        // A set: order does not matter, an extra or missing service does.
        assert_eq!(
            actual_if_drifted(
                "service_endpoints",
                &list(&["Microsoft.Storage", "Microsoft.KeyVault"]),
                &s
            ),
            None
        );
        assert_eq!(
            actual_if_drifted("service_endpoints", &list(&["Microsoft.Storage"]), &s),
            Some(list(&["Microsoft.KeyVault", "Microsoft.Storage"]))
        );
        assert_eq!(
            actual_if_drifted("service_endpoints", &list(&[]), &subnet(json!({}))),
            None
        );
        assert_eq!(
            actual_if_drifted(
                "private_endpoint_network_policies",
                &Value::string("Disabled"),
                &s
            ),
            Some(Value::string("Enabled"))
        );
        assert_eq!(
            actual_if_drifted(
                "private_endpoint_network_policies",
                &Value::string("Disabled"),
                &subnet(json!({}))
            ),
            None,
            "absent is Azure's default"
        );
    }

    #[test]
    fn only_configured_settings_of_existing_subnets_are_rewritten_and_the_type_follows() {
        let type_json = r#"["object",{"a":["object",{"prefix_length":"number","service_endpoints":["tuple",["string"]],"network_security_group_id":"string"}],"b":["object",{"prefix_length":"number"}]}]"#;
        let subnets = Value::Dynamic {
            type_json: type_json.into(),
            value: Box::new(Value::object([
                (
                    "a",
                    Value::object([
                        ("prefix_length", Value::Number(25.0)),
                        (
                            "service_endpoints",
                            Value::List(vec![Value::string("Microsoft.Storage")]),
                        ),
                        ("network_security_group_id", Value::string("/nsg")),
                    ]),
                ),
                ("b", Value::object([("prefix_length", Value::Number(26.0))])),
            ])),
        };
        let a = subnet(json!({
            "networkSecurityGroup": {"id": "/NSG"},
            "serviceEndpoints": [{"service": "Microsoft.Storage"}, {"service": "Microsoft.Sql"}]
        }));
        let b = subnet(json!({"networkSecurityGroup": {"id": "/other"}}));
        let live: BTreeMap<String, &Json> = [("a".to_string(), &a), ("b".to_string(), &b)].into();
        let (out, drifted) = with_actual_settings(&subnets, &live).expect("drift");
        assert_eq!(
            drifted,
            vec![(
                "a".to_string(),
                "service_endpoints".to_string(),
                "Microsoft.Storage, Microsoft.Sql".to_string()
            )]
        );
        assert_eq!(
            out.get("a").get("network_security_group_id"),
            &Value::string("/nsg"),
            "equal in meaning keeps the configured spelling"
        );
        assert!(
            out.get("b").get("network_security_group_id").is_null(),
            "left as found"
        );
        let Value::Dynamic { type_json, .. } = &out else {
            panic!("still dynamic: {out:?}");
        };
        let t: Json = serde_json::from_str(type_json).expect("type JSON");
        assert_eq!(
            t,
            json!(["object", {
                "a": ["object", {"prefix_length": "number", "service_endpoints": ["tuple", ["string", "string"]], "network_security_group_id": "string"}],
                "b": ["object", {"prefix_length": "number"}]
            }])
        );
        // Nothing drifted: nothing to rewrite.
        let same: BTreeMap<String, &Json> = [("b".to_string(), &b)].into();
        assert!(with_actual_settings(&subnets, &same).is_none());
    }

    #[test]
    fn map_types_keep_list_elements_and_split_when_elements_diverge() {
        let v = Value::object([
            (
                "a",
                Value::object([(
                    "x",
                    Value::List(vec![Value::string("p"), Value::string("q")]),
                )]),
            ),
            (
                "b",
                Value::object([("x", Value::List(vec![Value::string("p")]))]),
            ),
        ]);
        let list_map = json!(["map", ["object", {"x": ["list", "string"]}]]);
        assert_eq!(retype(&v, Some(&list_map)), list_map);
        let tuple_map = json!(["map", ["object", {"x": ["tuple", ["string"]]}]]);
        assert_eq!(
            retype(&v, Some(&tuple_map)),
            json!(["object", {
                "a": ["object", {"x": ["tuple", ["string", "string"]]}],
                "b": ["object", {"x": ["tuple", ["string"]]}]
            }])
        );
        let empty = json!(["tuple", []]);
        assert_eq!(
            retype(&Value::List(vec![Value::string("s")]), Some(&empty)),
            json!(["tuple", ["string"]])
        );
    }
}
