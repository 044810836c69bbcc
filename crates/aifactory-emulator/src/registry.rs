//! Azure Container Registry's rules beyond the body schema (`Microsoft.ContainerRegistry/
//! registries`, stable 2025-11-01; 2025-04-01 has the same shape): the name is 5 to 50
//! alphanumerics (400 `InvalidResourceName`) and globally unique, case-insensitively (409
//! `AlreadyInUse` "The registry DNS name {name}.azurecr.io is already in use ..."), `sku.name`
//! is `Basic`, `Standard` or `Premium` (400 `InvalidSkuName`), and only Premium may disable
//! public network access (400 `DisablingPublicNetworkAccessNotSupported`) or take private
//! endpoints: an endpoint to a registry must ask for the group `registry` and find a Premium
//! registry (400 `PrivateEndpointBadRequest` otherwise, the emulator's code: the real one is
//! not documented). The registry's GET shows `loginServer`.
//!
//! Owns these checks; must not store or answer successes. Sources: the spec's name pattern;
//! `AlreadyInUse` as `az acr create` shows it (MicrosoftDocs/azure-dev-docs issue 1303;
//! its HTTP status is not shown there: 409 here, as for other taken global names); the
//! public-access refusal (hashicorp/terraform-provider-azurerm pull 26054); learn.microsoft.com
//! "Connect privately to an Azure container registry using Azure Private Link" (Premium,
//! group `registry`). The codes of the name and SKU refusals are not documented.

use crate::arm::id;
use crate::arm::store::Stored;
use crate::http::{arm_error, Resp};
use crate::state::State;
use http::StatusCode;
use serde_json::{json, Map, Value};

pub const REGISTRIES: &str = "Microsoft.ContainerRegistry/registries";
use crate::arm::types::PRIVATE_ENDPOINT;
/// The SKUs a registry can be created with.
pub const SKUS: [&str; 3] = ["Basic", "Standard", "Premium"];
/// The private-link group of a registry.
pub const GROUP: &str = "registry";

fn bad(code: &str, message: String) -> Resp {
    arm_error(StatusCode::BAD_REQUEST, code, message)
}

fn sku_of(body: &Value) -> &str {
    body.pointer("/sku/name")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// Checks of a PUT (not applied when seeding).
pub fn check_put(
    st: &State,
    full_type: &str,
    id: &str,
    body: &Map<String, Value>,
) -> Result<(), Resp> {
    if full_type.eq_ignore_ascii_case(PRIVATE_ENDPOINT) {
        return check_endpoint(st, body);
    }
    if !full_type.eq_ignore_ascii_case(REGISTRIES) {
        return Ok(());
    }
    let name = id.rsplit('/').next().unwrap_or_default();
    if !(5..=50).contains(&name.len()) || !name.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(bad(
            "InvalidResourceName",
            format!("Registry name '{name}' is invalid: registry names may contain only alpha numeric characters and must be between 5 and 50 characters."),
        ));
    }
    let taken = st.store.filter(|r| {
        r.full_type.eq_ignore_ascii_case(REGISTRIES)
            && !r.id.eq_ignore_ascii_case(id)
            && r.id
                .rsplit('/')
                .next()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
    });
    if !taken.is_empty() {
        return Err(arm_error(
            StatusCode::CONFLICT,
            "AlreadyInUse",
            format!("The registry DNS name {}.azurecr.io is already in use. You can check if the name is already claimed using following API: https://docs.microsoft.com/en-us/rest/api/containerregistry/registries/checknameavailability", name.to_ascii_lowercase()),
        ));
    }
    sku_and_access(&Value::Object(body.clone()))
}

/// Checks of a PATCH, on the merged body (a SKU change or `publicNetworkAccess: Disabled`
/// must still fit).
pub fn check_patched(full_type: &str, merged: &Value) -> Result<(), Resp> {
    if !full_type.eq_ignore_ascii_case(REGISTRIES) {
        return Ok(());
    }
    sku_and_access(merged)
}

/// `sku.name` one of [`SKUS`]; public network access disabled only on Premium.
fn sku_and_access(body: &Value) -> Result<(), Resp> {
    let sku = sku_of(body);
    let Some(sku) = SKUS.iter().find(|s| s.eq_ignore_ascii_case(sku)) else {
        return Err(bad(
            "InvalidSkuName",
            format!(
                "The SKU '{sku}' of sku.name is not valid for a registry; use one of {}.",
                SKUS.join(", ")
            ),
        ));
    };
    let public = body
        .pointer("/properties/publicNetworkAccess")
        .and_then(Value::as_str)
        .unwrap_or("Enabled");
    if public.eq_ignore_ascii_case("Disabled") && *sku != "Premium" {
        return Err(bad(
            "DisablingPublicNetworkAccessNotSupported",
            format!("Disabling public network access is not supported for the SKU {sku}. For more information, please visit https://aka.ms/acr/private-link."),
        ));
    }
    Ok(())
}

/// A private endpoint to a registry: group `registry`, Premium registry.
fn check_endpoint(st: &State, body: &Map<String, Value>) -> Result<(), Resp> {
    let props = body.get("properties").cloned().unwrap_or(Value::Null);
    let connections = [
        "privateLinkServiceConnections",
        "manualPrivateLinkServiceConnections",
    ];
    for list in connections {
        for c in props
            .get(list)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(target) = c
                .pointer("/properties/privateLinkServiceId")
                .and_then(Value::as_str)
            else {
                continue;
            };
            let Some(level) = id::parse_id(target).ok().and_then(|p| p.target().cloned()) else {
                continue;
            };
            if !level.full_type.eq_ignore_ascii_case(REGISTRIES) {
                continue;
            }
            let groups: Vec<&str> = c
                .pointer("/properties/groupIds")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            if groups.len() != 1 || !groups[0].eq_ignore_ascii_case(GROUP) {
                return Err(bad(
                    "PrivateEndpointBadRequest",
                    format!("A private endpoint to container registry '{target}' takes the group ID '{GROUP}' (groupIds: {groups:?})."),
                ));
            }
            let Some(registry) = st.store.get(&level.id) else {
                continue;
            };
            let sku = sku_of(&registry.body);
            if !sku.eq_ignore_ascii_case("Premium") {
                return Err(bad(
                    "PrivateEndpointBadRequest",
                    format!("Container registry '{target}' has the SKU {sku}; private endpoints need the Premium SKU. For more information, please visit https://aka.ms/acr/private-link."),
                ));
            }
        }
    }
    Ok(())
}

/// The read view: `loginServer`.
pub fn decorate(r: &Stored, v: &mut Value) {
    if !r.full_type.eq_ignore_ascii_case(REGISTRIES) {
        return;
    }
    let name =
        r.id.rsplit('/')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
    if !v.get("properties").is_some_and(Value::is_object) {
        v["properties"] = json!({});
    }
    v["properties"]["loginServer"] = json!(format!("{name}.azurecr.io"));
}
