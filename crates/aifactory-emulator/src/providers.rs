//! Resource provider registration and region availability, as ARM answers them before any
//! resource provider sees a request: `GET /subscriptions/{s}/providers` and
//! `.../providers/{namespace}` (`registrationState`, `resourceTypes[]` with `locations` and
//! `apiVersions`), `POST .../providers/{namespace}/register` (answers `Registering`; the
//! next GET shows `Registered`). A namespace listed in `Settings::unregistered_providers`
//! (`--unregistered-provider NS`) is `NotRegistered` until registered, and a PUT of any of
//! its types answers 409 `MissingSubscriptionRegistration`; a type listed in
//! `Settings::type_not_in_region` (`--type-not-in-region TYPE=REGION`) is not offered there,
//! and a PUT with that `location` answers 400 `LocationNotAvailableForResourceType` with
//! the type's regions.
//!
//! Owns these answers; must not hold resource-provider rules. Sources: ARM's error texts as
//! learn.microsoft.com "Resolve errors for resource provider registration" and "Resolve
//! errors for SKU / location not available" show them; the provider document's shape from
//! the `resources` spec (`Providers_Get`, `Providers_Register`).

use crate::arm::body::norm_location;
use crate::arm::id::{ArmPath, LevelKind};
use crate::arm::ops;
use crate::config::TypeRegion;
use crate::http::{arm_error_details, Resp};
use crate::state::State;
use http::StatusCode;
use serde_json::{json, Map, Value};

/// The public regions (name, display name) a type is offered in unless `type_not_in_region`
/// says otherwise. Provider documents list display names, ARM's messages names.
pub const REGIONS: [(&str, &str); 24] = [
    ("eastus", "East US"),
    ("eastus2", "East US 2"),
    ("westus", "West US"),
    ("westus2", "West US 2"),
    ("westus3", "West US 3"),
    ("centralus", "Central US"),
    ("northcentralus", "North Central US"),
    ("southcentralus", "South Central US"),
    ("canadacentral", "Canada Central"),
    ("brazilsouth", "Brazil South"),
    ("northeurope", "North Europe"),
    ("westeurope", "West Europe"),
    ("uksouth", "UK South"),
    ("francecentral", "France Central"),
    ("germanywestcentral", "Germany West Central"),
    ("swedencentral", "Sweden Central"),
    ("switzerlandnorth", "Switzerland North"),
    ("norwayeast", "Norway East"),
    ("italynorth", "Italy North"),
    ("polandcentral", "Poland Central"),
    ("australiaeast", "Australia East"),
    ("japaneast", "Japan East"),
    ("southeastasia", "Southeast Asia"),
    ("centralindia", "Central India"),
];

/// Namespaces every listing shows besides those of the emulator's type table (ARM lists
/// every namespace, registered or not).
const NAMESPACES: [&str; 8] = [
    "Microsoft.App",
    "Microsoft.Compute",
    "Microsoft.ContainerService",
    "Microsoft.EventHub",
    "Microsoft.Security",
    "Microsoft.Sql",
    "Microsoft.Web",
    "Microsoft.PolicyInsights",
];

/// Types whose only location is `global`.
const GLOBAL_TYPES: [&str; 2] = [
    "Microsoft.Network/privateDnsZones",
    "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
];

fn namespace_of(full_type: &str) -> &str {
    full_type.split('/').next().unwrap_or_default()
}

/// Whether `namespace` is registered (every namespace is, unless the settings say not).
pub fn registered(st: &State, namespace: &str) -> bool {
    !st.settings
        .unregistered_providers
        .iter()
        .any(|n| n.eq_ignore_ascii_case(namespace))
}

/// The regions `full_type` is offered in: (name, display name).
fn offered(st: &State, full_type: &str) -> Vec<(&'static str, &'static str)> {
    if GLOBAL_TYPES
        .iter()
        .any(|t| t.eq_ignore_ascii_case(full_type))
    {
        return vec![("global", "global")];
    }
    let excluded: Vec<String> = st
        .settings
        .type_not_in_region
        .iter()
        .filter(|t| t.resource_type.eq_ignore_ascii_case(full_type))
        .map(|t| norm_location(&t.location))
        .collect();
    REGIONS
        .iter()
        .filter(|(n, _)| !excluded.iter().any(|e| e == n))
        .copied()
        .collect()
}

/// The display names of the regions `full_type` is offered in (as provider documents list them).
pub fn locations(st: &State, full_type: &str) -> Vec<String> {
    offered(st, full_type)
        .into_iter()
        .map(|(_, d)| d.to_string())
        .collect()
}

/// ARM's checks of a resource PUT: the namespace registered, the location offered.
pub fn check_put(st: &State, path: &ArmPath, body: &Map<String, Value>) -> Result<(), Resp> {
    let Some(target) = path.target() else {
        return Ok(());
    };
    let LevelKind::Resource { namespace, .. } = &target.kind else {
        return Ok(());
    };
    if !registered(st, namespace) {
        let message = format!("The subscription is not registered to use namespace '{namespace}'. See https://aka.ms/rps-not-found for how to register subscriptions.");
        return Err(arm_error_details(
            StatusCode::CONFLICT,
            "MissingSubscriptionRegistration",
            &message,
            json!([{"code": "MissingSubscriptionRegistration", "target": namespace, "message": message}]),
        ));
    }
    let Some(loc) = body.get("location").and_then(Value::as_str) else {
        return Ok(());
    };
    let listed = st.settings.type_not_in_region.iter().any(|t: &TypeRegion| {
        t.resource_type.eq_ignore_ascii_case(&target.full_type)
            && norm_location(&t.location) == norm_location(loc)
    });
    if !listed {
        return Ok(());
    }
    let names: Vec<&str> = offered(st, &target.full_type)
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    Err(arm_error_details(
        StatusCode::BAD_REQUEST,
        "LocationNotAvailableForResourceType",
        &format!(
            "The provided location '{loc}' is not available for resource type '{}'. List of available regions for the resource type is '{}'.",
            target.full_type,
            names.join(",")
        ),
        json!([]),
    ))
}

/// The provider document of `namespace` for subscription `sub`.
fn provider(st: &State, sub: &str, namespace: &str, state: &str) -> Value {
    let canonical = ops::ALL
        .iter()
        .map(|t| namespace_of(t.resource_type))
        .chain(NAMESPACES)
        .find(|n| n.eq_ignore_ascii_case(namespace))
        .unwrap_or(namespace);
    let mut types: Vec<Value> = Vec::new();
    for t in ops::ALL
        .iter()
        .filter(|t| namespace_of(t.resource_type).eq_ignore_ascii_case(namespace))
    {
        let rest = t.resource_type.split_once('/').map_or("", |x| x.1);
        types.push(json!({
            "resourceType": rest,
            "locations": locations(st, t.resource_type),
            "apiVersions": [t.api_version],
        }));
    }
    for t in st
        .settings
        .type_not_in_region
        .iter()
        .filter(|t| namespace_of(&t.resource_type).eq_ignore_ascii_case(namespace))
    {
        let rest = t.resource_type.split_once('/').map_or("", |x| x.1);
        if !types.iter().any(|x| {
            x["resourceType"]
                .as_str()
                .is_some_and(|r| r.eq_ignore_ascii_case(rest))
        }) {
            types.push(json!({"resourceType": rest, "locations": locations(st, &t.resource_type), "apiVersions": []}));
        }
    }
    json!({
        "id": format!("/subscriptions/{sub}/providers/{canonical}"),
        "namespace": canonical,
        "registrationState": state,
        "registrationPolicy": "RegistrationRequired",
        "resourceTypes": types,
    })
}

fn state_of(st: &State, namespace: &str) -> &'static str {
    if registered(st, namespace) {
        "Registered"
    } else {
        "NotRegistered"
    }
}

/// `GET .../providers`: the namespaces the emulator knows (its type table and the settings).
pub fn list(st: &State, sub: &str) -> Resp {
    let mut names: Vec<String> = Vec::new();
    let known = ops::ALL
        .iter()
        .map(|t| namespace_of(t.resource_type).to_string());
    let others = NAMESPACES.iter().map(|n| n.to_string());
    let listed = st.settings.unregistered_providers.iter().cloned();
    for n in known.chain(others).chain(listed) {
        if !names.iter().any(|x| x.eq_ignore_ascii_case(&n)) {
            names.push(n);
        }
    }
    let value: Vec<Value> = names
        .iter()
        .map(|n| provider(st, sub, n, state_of(st, n)))
        .collect();
    Resp::json(StatusCode::OK, &json!({ "value": value }))
}

/// `GET .../providers/{namespace}`.
pub fn get(st: &State, sub: &str, namespace: &str) -> Resp {
    Resp::json(
        StatusCode::OK,
        &provider(st, sub, namespace, state_of(st, namespace)),
    )
}

/// `POST .../providers/{namespace}/register`: `Registering` now, `Registered` from the next read.
pub fn register(st: &mut State, sub: &str, namespace: &str) -> Resp {
    let was = registered(st, namespace);
    st.settings
        .unregistered_providers
        .retain(|n| !n.eq_ignore_ascii_case(namespace));
    let state = if was { "Registered" } else { "Registering" };
    Resp::json(StatusCode::OK, &provider(st, sub, namespace, state))
}
