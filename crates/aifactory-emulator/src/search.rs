//! Azure AI Search's shared private links (`searchServices/{s}/sharedPrivateLinkResources/{n}`,
//! stable 2025-05-01: PUT 200/202 and DELETE 202/204/404, both long-running): the search
//! service's SKU must allow them (not `free`), `privateLinkResourceId` must name an existing
//! resource of a type Search can reach privately, and `groupId` must be one that type offers
//! to Search ([`SHAREABLE`]). Like Azure, the link asks the target for a private endpoint
//! connection: the emulator stores it under the target
//! (`{target}/privateEndpointConnections/{search}.{link}`, status `Pending`, also for a target
//! in the same subscription: shared private links are never auto-approved) and shows it in
//! the target's `properties.privateEndpointConnections`; the link's `status` is that
//! connection's (`Approved` once someone PUTs the connection with
//! `privateLinkServiceConnectionState.status: Approved`, `Disconnected` when the connection
//! is deleted). Deleting the link (or its service) removes the connection.
//!
//! Owns these rules and the connection bookkeeping; must not answer successes or touch other
//! resource providers' rules. Sources: learn.microsoft.com "Make outbound connections through
//! a shared private link" (supported resource types and group IDs, SKU basic and up,
//! approval on the target), the `New-AzSearchSharedPrivateLinkResource` example (status
//! `Pending` after create). Search's error codes for these refusals are not documented:
//! the emulator answers 400 `BadRequest` with a message naming the property and the fix.

use crate::arm::id;
use crate::arm::store::Stored;
use crate::http::{arm_error, Resp};
use crate::state::State;
use http::StatusCode;
use serde_json::{json, Map, Value};

pub const SHARED_PRIVATE_LINK: &str = "Microsoft.Search/searchServices/sharedPrivateLinkResources";
const SEARCH: &str = "Microsoft.Search/searchServices";

/// Resource types Search reaches through a shared private link, with their group IDs.
pub const SHAREABLE: [(&str, &[&str]); 10] = [
    (
        "Microsoft.Storage/storageAccounts",
        &["blob", "table", "dfs", "file"],
    ),
    ("Microsoft.DocumentDB/databaseAccounts", &["Sql"]),
    ("Microsoft.Sql/servers", &["sqlServer"]),
    ("Microsoft.Sql/managedInstances", &["managedInstance"]),
    ("Microsoft.KeyVault/vaults", &["vault"]),
    ("Microsoft.DBforMySQL/servers", &["mysqlServer"]),
    ("Microsoft.Web/sites", &["sites"]),
    (
        "Microsoft.CognitiveServices/accounts",
        &["cognitiveservices_account", "openai_account"],
    ),
    (
        "Microsoft.MachineLearningServices/workspaces",
        &["amlworkspace"],
    ),
    ("Microsoft.Synapse/workspaces", &["Sql"]),
];

fn bad(message: String) -> Resp {
    arm_error(StatusCode::BAD_REQUEST, "BadRequest", message)
}

fn prop<'a>(body: &'a Value, k: &str) -> &'a str {
    body.pointer(&format!("/properties/{k}"))
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// `.../searchServices/s` of `.../searchServices/s/sharedPrivateLinkResources/n`.
fn service_of(id: &str) -> &str {
    let mut cut = id;
    for _ in 0..2 {
        cut = cut.rsplit_once('/').map_or(cut, |(p, _)| p);
    }
    cut
}

/// The connection a link asks of its target: `{target}/privateEndpointConnections/{search}.{link}`.
fn connection_id(link_id: &str, target: &str) -> String {
    let link = link_id.rsplit('/').next().unwrap_or_default();
    let search = service_of(link_id).rsplit('/').next().unwrap_or_default();
    format!(
        "{}/privateEndpointConnections/{search}.{link}",
        target.trim_end_matches('/')
    )
}

/// Checks of a link PUT (not applied when seeding).
pub fn check_put(
    st: &State,
    full_type: &str,
    id: &str,
    body: &Map<String, Value>,
) -> Result<(), Resp> {
    if !full_type.eq_ignore_ascii_case(SHARED_PRIVATE_LINK) {
        return Ok(());
    }
    let body = Value::Object(body.clone());
    let service = service_of(id);
    let sku = st
        .store
        .get(service)
        .and_then(|s| s.body.pointer("/sku/name"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    if sku.eq_ignore_ascii_case("free") {
        return Err(bad(format!(
            "Shared private link resources are not supported for search service '{}' on the 'free' SKU; use 'basic' or higher.",
            service.rsplit('/').next().unwrap_or_default()
        )));
    }
    let target = prop(&body, "privateLinkResourceId");
    let group = prop(&body, "groupId");
    if target.is_empty() || group.is_empty() {
        return Err(bad(
            "Both 'properties.privateLinkResourceId' and 'properties.groupId' are required for a shared private link resource.".into(),
        ));
    }
    let Some(level) = id::parse_id(target).ok().and_then(|p| p.target().cloned()) else {
        return Err(bad(format!(
            "'properties.privateLinkResourceId' '{target}' is not a resource ID."
        )));
    };
    let Some((_, groups)) = SHAREABLE
        .iter()
        .find(|(t, _)| t.eq_ignore_ascii_case(&level.full_type))
    else {
        return Err(bad(format!(
            "Resource type '{}' of 'properties.privateLinkResourceId' is not supported by shared private link resources; supported types: {}.",
            level.full_type,
            SHAREABLE.map(|(t, _)| t).join(", ")
        )));
    };
    if !groups.iter().any(|g| g.eq_ignore_ascii_case(group)) {
        return Err(bad(format!(
            "Group ID '{group}' is not supported for resource type '{}'; supported group IDs: {}.",
            level.full_type,
            groups.join(", ")
        )));
    }
    if !st.store.contains(&level.id) {
        return Err(bad(format!(
            "The private link resource '{target}' of 'properties.privateLinkResourceId' was not found; create it first."
        )));
    }
    Ok(())
}

/// After a link is stored: its connection on the target (kept when it exists, so an
/// approval survives a re-PUT of the link).
pub fn after_put(st: &mut State, full_type: &str, id: &str) {
    if !full_type.eq_ignore_ascii_case(SHARED_PRIVATE_LINK) {
        return;
    }
    let Some(link) = st.store.get(id).cloned() else {
        return;
    };
    let target = prop(&link.body, "privateLinkResourceId");
    let Some(t) = id::parse_id(target).ok().and_then(|p| p.target().cloned()) else {
        return;
    };
    let Some(target_id) = st.store.get(&t.id).map(|r| r.id.clone()) else {
        return;
    };
    let conn = connection_id(&link.id, &target_id);
    if st.store.contains(&conn) {
        return;
    }
    let name = conn.rsplit('/').next().unwrap_or_default().to_string();
    let sub = id::parse_id(id)
        .ok()
        .and_then(|p| p.subscription().map(str::to_string))
        .unwrap_or_default();
    st.put_provider_made(
        &conn,
        &target_id,
        &format!("{}/privateEndpointConnections", t.full_type),
        json!({
            "properties": {
                "privateEndpoint": {"id": format!("/subscriptions/{sub}/resourceGroups/search-managed/providers/Microsoft.Network/privateEndpoints/{name}")},
                "groupIds": [prop(&link.body, "groupId")],
                "privateLinkServiceConnectionState": {
                    "status": "Pending",
                    "description": prop(&link.body, "requestMessage"),
                    "actionsRequired": "None",
                },
                "provisioningState": "Succeeded",
            },
        }),
    );
}

/// Links removed (directly or with their service) take their connections with them.
pub fn release(st: &mut State, removed: &[Stored]) {
    for r in removed
        .iter()
        .filter(|r| r.full_type.eq_ignore_ascii_case(SHARED_PRIVATE_LINK))
    {
        let target = prop(&r.body, "privateLinkResourceId");
        if let Some(t) = id::parse_id(target).ok().and_then(|p| p.target().cloned()) {
            let conn = connection_id(&r.id, &t.id);
            st.store.remove_tree(&conn);
        }
    }
}

/// The read view: a link's `status` is its connection's; a search service lists its links;
/// a target lists its private endpoint connections.
pub fn decorate(st: &State, r: &Stored, v: &mut Value) {
    if r.full_type.eq_ignore_ascii_case(SHARED_PRIVATE_LINK) {
        let target = prop(&r.body, "privateLinkResourceId");
        let status = id::parse_id(target)
            .ok()
            .and_then(|p| p.target().cloned())
            .and_then(|t| st.store.get(&connection_id(&r.id, &t.id)))
            .and_then(|c| {
                c.body
                    .pointer("/properties/privateLinkServiceConnectionState/status")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .unwrap_or_else(|| "Disconnected".into());
        if v.get("properties").is_some_and(Value::is_object) {
            v["properties"]["status"] = json!(status);
        }
        return;
    }
    if r.full_type.eq_ignore_ascii_case(SEARCH) {
        let links: Vec<Value> = st
            .store
            .children(&r.id, SHARED_PRIVATE_LINK)
            .into_iter()
            .map(|l| {
                let mut b = l.body.clone();
                decorate(st, l, &mut b);
                b
            })
            .collect();
        if v.get("properties").is_some_and(Value::is_object) {
            v["properties"]["sharedPrivateLinkResources"] = Value::Array(links);
        }
        return;
    }
    if !SHAREABLE
        .iter()
        .any(|(t, _)| t.eq_ignore_ascii_case(&r.full_type))
    {
        return;
    }
    let conns: Vec<Value> = st
        .store
        .children(
            &r.id,
            &format!("{}/privateEndpointConnections", r.full_type),
        )
        .into_iter()
        .map(|c| c.body.clone())
        .collect();
    if conns.is_empty() {
        return;
    }
    if !v.get("properties").is_some_and(Value::is_object) {
        v["properties"] = json!({});
    }
    v["properties"]["privateEndpointConnections"] = Value::Array(conns);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        let link = "/subscriptions/s/resourceGroups/r/providers/Microsoft.Search/searchServices/srch/sharedPrivateLinkResources/blob";
        assert_eq!(
            service_of(link),
            "/subscriptions/s/resourceGroups/r/providers/Microsoft.Search/searchServices/srch"
        );
        assert_eq!(
            connection_id(link, "/t/x"),
            "/t/x/privateEndpointConnections/srch.blob"
        );
    }
}
