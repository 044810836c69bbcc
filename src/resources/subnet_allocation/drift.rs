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
//! type is rewritten to match the new value. The new type is a schema [`Type`] built
//! from [`RequestModel`]'s attribute types (the configuration's type guides only the
//! collection kinds: a list or set stays one, a tuple follows its length, a map whose
//! elements no longer share one type becomes an object), serialised by
//! [`Type::cty_json`]; the configuration's type is read with [`Type::from_cty_json`] (this
//! module never parses type JSON itself). Terraform 1.0.x cannot render such a changed
//! type as JSON (`terraform show -json` of that plan fails, "tuple required"; fixed in
//! 1.1); its human-readable plan and the apply work. Lists typed `list(string)` or
//! `set(string)` (for example through a typed variable) keep their type on every version.
//!
//! Must not: do I/O, or touch settings the configuration leaves out.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value as Json};

use super::model::RequestModel;
use crate::framework::{model::dynamic, schema::Type, AttrPath, FromValue, Tf, ToValue, Value};

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

/// The actual NSG or route table ID (`key`: `networkSecurityGroup`, `routeTable`) when it
/// differs from `want`.
fn reference_drift(want: &str, subnet: &Json, key: &str) -> Option<String> {
    let have = reference(subnet, key);
    (!want.trim().eq_ignore_ascii_case(have.trim())).then_some(have)
}

/// The actual delegations (joined by ", ") when they differ from `want`.
fn delegation_drift(want: &str, subnet: &Json) -> Option<String> {
    let have = delegations(subnet);
    let same = if want.is_empty() {
        have.is_empty()
    } else {
        have.len() == 1 && have[0].eq_ignore_ascii_case(want)
    };
    (!same).then(|| have.join(", "))
}

/// The actual service endpoints when they differ from `want` as a set (`None` also when
/// an entry of `want` is not a known string: nothing to compare).
fn endpoints_drift(want: &[Tf<String>], subnet: &Json) -> Option<Vec<String>> {
    let want: Vec<&str> = want.iter().map(Tf::as_deref).collect::<Option<_>>()?;
    let have = service_endpoints(subnet);
    let same = lowercase_set(want) == lowercase_set(have.iter().map(String::as_str));
    (!same).then_some(have)
}

/// The actual private endpoint network policies when they differ from `want`.
fn policies_drift(want: &str, subnet: &Json) -> Option<String> {
    let have = pe_policies(subnet);
    (!want.eq_ignore_ascii_case(&have)).then_some(have)
}

/// `req` with the actual value of every configured setting that drifted, and what
/// drifted: (attribute, actual value as text), in the order the settings are compared.
fn with_actual(req: &RequestModel, subnet: &Json) -> (RequestModel, Vec<(String, String)>) {
    let mut out = req.clone();
    let mut drifted = Vec::new();
    let mut note = |attr: &str, text: String| drifted.push((attr.to_string(), text));
    if let Some(have) = req
        .network_security_group_id
        .as_deref()
        .and_then(|want| reference_drift(want, subnet, "networkSecurityGroup"))
    {
        note("network_security_group_id", have.clone());
        out.network_security_group_id = Tf::Known(have);
    }
    if let Some(have) = req
        .route_table_id
        .as_deref()
        .and_then(|want| reference_drift(want, subnet, "routeTable"))
    {
        note("route_table_id", have.clone());
        out.route_table_id = Tf::Known(have);
    }
    if let Some(have) = req
        .delegation
        .as_deref()
        .and_then(|want| delegation_drift(want, subnet))
    {
        note("delegation", have.clone());
        out.delegation = Tf::Known(have);
    }
    if let Some(have) = req
        .service_endpoints
        .known()
        .and_then(|want| endpoints_drift(want, subnet))
    {
        note("service_endpoints", have.join(", "));
        out.service_endpoints = Tf::Known(have.into_iter().map(Tf::Known).collect());
    }
    if let Some(have) = req
        .private_endpoint_network_policies
        .as_deref()
        .and_then(|want| policies_drift(want, subnet))
    {
        note("private_endpoint_network_policies", have.clone());
        out.private_endpoint_network_policies = Tf::Known(have);
    }
    (out, drifted)
}

/// `model` encoded with only the attributes `entry` has (the user's object keeps its
/// shape: attributes left out stay out).
fn encode_like(model: &RequestModel, entry: &BTreeMap<String, Value>) -> Value {
    match model.to_value() {
        Value::Map(all) => Value::Map(
            all.into_iter()
                .filter(|(k, _)| entry.contains_key(k))
                .collect(),
        ),
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
    let mut entries = subnets.as_map()?.clone();
    let mut drifted = Vec::new();
    for (purpose, body) in live {
        let Some(Value::Map(fields)) = entries.get(purpose).map(Value::inner) else {
            continue;
        };
        let path = AttrPath::attr("subnets").and_key(purpose.clone());
        let Ok(req) = RequestModel::from_value(&Value::Map(fields.clone()), &path) else {
            continue;
        };
        let (actual, changed) = with_actual(&req, body);
        if changed.is_empty() {
            continue;
        }
        let value = encode_like(&actual, fields);
        entries.insert(purpose.clone(), value);
        drifted.extend(changed.into_iter().map(|(a, t)| (purpose.clone(), a, t)));
    }
    if drifted.is_empty() {
        return None;
    }
    let value = Value::Map(entries);
    let out = match subnets {
        Value::Dynamic { type_json, .. } => {
            let old = Type::from_cty_json(type_json);
            let new = subnets_type(&value, old.as_ref());
            if old.as_ref() == Some(&new) {
                Value::Dynamic {
                    type_json: type_json.clone(),
                    value: Box::new(value),
                }
            } else {
                dynamic(&new, value)
            }
        }
        _ => value,
    };
    Some((out, drifted))
}

/// `subnets` with attribute `attr` of request `purpose` set to `actual` (a setting the
/// request leaves out but the allocation gave the subnet, through
/// `network_security_group` or `route_to_firewall`, and Azure shows otherwise): the entry
/// then differs from the configuration, so the plan shows it and the apply rewrites the
/// subnet. `None` when there is no such entry.
pub(super) fn with_recorded(
    subnets: &Value,
    purpose: &str,
    attr: &str,
    actual: &str,
) -> Option<Value> {
    let mut entries = subnets.as_map()?.clone();
    let Value::Map(mut fields) = entries.get(purpose)?.inner().clone() else {
        return None;
    };
    fields.insert(attr.to_string(), Value::string(actual));
    entries.insert(purpose.to_string(), Value::Map(fields));
    let value = Value::Map(entries);
    Some(match subnets {
        Value::Dynamic { type_json, .. } => {
            let old = Type::from_cty_json(type_json);
            dynamic(&subnets_type(&value, old.as_ref()), value)
        }
        _ => value,
    })
}

/// The type of a `subnets` value: an object (or, where `old` was a map and the entries
/// still share one type, a map) of request objects typed by [`request_type`].
pub(super) fn subnets_type(v: &Value, old: Option<&Type>) -> Type {
    let Some(entries) = v.as_map() else {
        return old.cloned().unwrap_or(Type::Dynamic);
    };
    let guide = |purpose: &str| match old {
        Some(Type::Map(elem)) => Some(elem.as_ref()),
        Some(Type::Object(fields)) => fields.iter().find(|(n, _)| n == purpose).map(|(_, t)| t),
        _ => None,
    };
    let typed: Vec<(String, Type)> = entries
        .iter()
        .map(|(p, e)| (p.clone(), request_type(e, guide(p))))
        .collect();
    if let Some(Type::Map(_)) = old {
        let mut types = typed.iter().map(|(_, t)| t);
        match types.next() {
            None => return old.cloned().unwrap_or(Type::Dynamic),
            Some(first) if types.all(|t| t == first) => return Type::map(first.clone()),
            Some(_) => {}
        }
    }
    Type::Object(typed)
}

/// The type of one request: an object of the attributes it has, each typed by
/// [`attribute_type`].
fn request_type(entry: &Value, old: Option<&Type>) -> Type {
    let Some(fields) = entry.as_map() else {
        return old.cloned().unwrap_or(Type::Dynamic);
    };
    let guide = |name: &str| match old {
        Some(Type::Object(f)) => f.iter().find(|(n, _)| n == name).map(|(_, t)| t),
        Some(Type::Map(elem)) => Some(elem.as_ref()),
        _ => None,
    };
    Type::Object(
        fields
            .iter()
            .map(|(n, x)| (n.clone(), attribute_type(n, x, guide(n))))
            .collect(),
    )
}

/// The type of attribute `name` of a request with value `v`: the model's type, in the
/// collection kind the configuration gave (`old`) where the value still fits it: a list
/// or set type stays, a literal list (tuple) follows the value's length. A null value
/// keeps its old type.
pub(super) fn attribute_type(name: &str, v: &Value, old: Option<&Type>) -> Type {
    let model = RequestModel::attribute_type(name);
    match v.inner() {
        Value::Null | Value::Unknown => old.cloned().unwrap_or(Type::Dynamic),
        Value::List(items) => match old {
            Some(t @ (Type::List(_) | Type::Set(_))) => t.clone(),
            _ => {
                let before: &[Type] = match old {
                    Some(Type::Tuple(t)) => t,
                    _ => &[],
                };
                let elem = match &model {
                    Some(Type::List(e) | Type::Set(e)) => Some(e.as_ref().clone()),
                    _ => None,
                };
                Type::Tuple(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, item)| {
                            let was = before.get(i).or(before.last());
                            match (item.inner(), &elem) {
                                (Value::Null | Value::Unknown, _) => {
                                    was.cloned().unwrap_or(Type::Dynamic)
                                }
                                (_, Some(e)) => e.clone(),
                                (x, None) => primitive(x),
                            }
                        })
                        .collect(),
                )
            }
        },
        x => model
            .filter(|t| *t == primitive(x))
            .unwrap_or_else(|| primitive(x)),
    }
}

/// The type of a primitive value (`dynamic` for anything else).
fn primitive(v: &Value) -> Type {
    match v.inner() {
        Value::String(_) => Type::String,
        Value::Number(_) => Type::Number,
        Value::Bool(_) => Type::Bool,
        _ => Type::Dynamic,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn subnet(props: Json) -> Json {
        json!({ "name": "s", "properties": props })
    }

    fn known(s: &str) -> Tf<String> {
        Tf::Known(s.to_string())
    }

    fn nsg(want: &str) -> RequestModel {
        RequestModel {
            network_security_group_id: known(want),
            ..RequestModel::default()
        }
    }

    /// `req` as refresh writes it back: `None` when nothing drifted.
    fn drifted(req: &RequestModel, s: &Json) -> Option<RequestModel> {
        let (out, changed) = with_actual(req, s);
        assert_eq!(changed.is_empty(), &out == req, "{changed:?}");
        (!changed.is_empty()).then_some(out)
    }

    #[test]
    fn ids_compare_case_insensitively_and_empty_means_none() {
        let s = subnet(json!({"networkSecurityGroup": {"id": "/subscriptions/S/NSG1"}}));
        assert_eq!(drifted(&nsg("/subscriptions/s/nsg1"), &s), None);
        assert_eq!(
            drifted(&nsg("/subscriptions/s/nsg2"), &s),
            Some(nsg("/subscriptions/S/NSG1"))
        );
        assert_eq!(drifted(&nsg(""), &s), Some(nsg("/subscriptions/S/NSG1")));
        let bare = subnet(json!({}));
        assert_eq!(drifted(&nsg("/subscriptions/s/nsg1"), &bare), Some(nsg("")));
        assert_eq!(drifted(&nsg(""), &bare), None);
        let rt = |id: &str| RequestModel {
            route_table_id: known(id),
            ..RequestModel::default()
        };
        assert_eq!(drifted(&rt("/rt"), &bare), Some(rt("")));
    }

    #[test]
    fn delegations_endpoints_and_policies() {
        let s = subnet(json!({
            "delegations": [{"name": "d", "properties": {"serviceName": "Microsoft.Databricks/workspaces"}}],
            "serviceEndpoints": [{"service": "Microsoft.KeyVault"}, {"service": "Microsoft.Storage", "locations": ["*"]}],
            "privateEndpointNetworkPolicies": "Enabled"
        }));
        let delegation = |d: &str| RequestModel {
            delegation: known(d),
            ..RequestModel::default()
        };
        assert_eq!(
            drifted(&delegation("microsoft.databricks/Workspaces"), &s),
            None
        );
        assert_eq!(
            drifted(&delegation("Microsoft.Web/serverFarms"), &s),
            Some(delegation("Microsoft.Databricks/workspaces"))
        );
        assert_eq!(
            drifted(&delegation(""), &subnet(json!({"delegations": []}))),
            None
        );
        let endpoints = |items: &[&str]| RequestModel {
            service_endpoints: Tf::Known(items.iter().map(|s| known(s)).collect()),
            ..RequestModel::default()
        };
        // A set: order does not matter, an extra or missing service does.
        assert_eq!(
            drifted(&endpoints(&["Microsoft.Storage", "Microsoft.KeyVault"]), &s),
            None
        );
        assert_eq!(
            drifted(&endpoints(&["Microsoft.Storage"]), &s),
            Some(endpoints(&["Microsoft.KeyVault", "Microsoft.Storage"]))
        );
        assert_eq!(drifted(&endpoints(&[]), &subnet(json!({}))), None);
        let policies = |p: &str| RequestModel {
            private_endpoint_network_policies: known(p),
            ..RequestModel::default()
        };
        assert_eq!(
            drifted(&policies("Disabled"), &s),
            Some(policies("Enabled"))
        );
        assert_eq!(
            drifted(&policies("Disabled"), &subnet(json!({}))),
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
        let requests = BTreeMap::<String, RequestModel>::decode(&out).expect("requests");
        assert_eq!(
            requests["a"].network_security_group_id,
            known("/nsg"),
            "equal in meaning keeps the configured spelling"
        );
        assert!(
            requests["b"].network_security_group_id.is_null(),
            "left as found"
        );
        assert_eq!(
            out.inner().as_map().map(|m| m["b"].clone()),
            Some(Value::object([("prefix_length", Value::Number(26.0))])),
            "attributes left out stay out"
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
        let typed = |j: Json| Type::from_cty_json(&j.to_string()).expect("a type");
        let list_map = json!(["map", ["object", {"x": ["list", "string"]}]]);
        assert_eq!(
            subnets_type(&v, Some(&typed(list_map.clone()))).cty_json(),
            list_map
        );
        let tuple_map = json!(["map", ["object", {"x": ["tuple", ["string"]]}]]);
        assert_eq!(
            subnets_type(&v, Some(&typed(tuple_map))).cty_json(),
            json!(["object", {
                "a": ["object", {"x": ["tuple", ["string", "string"]]}],
                "b": ["object", {"x": ["tuple", ["string"]]}]
            }])
        );
        let empty = typed(json!(["tuple", []]));
        assert_eq!(
            attribute_type("x", &Value::List(vec![Value::string("s")]), Some(&empty)).cty_json(),
            json!(["tuple", ["string"]])
        );
        // The model's element type for service endpoints, whatever the value.
        assert_eq!(
            attribute_type(
                "service_endpoints",
                &Value::List(vec![Value::string("s"), Value::Null]),
                None
            ),
            Type::Tuple(vec![Type::String, Type::Dynamic])
        );
    }
}
