//! Private DNS rules beyond the body schemas: zones and their virtual network links are
//! `global` (ARM's 400 `LocationNotAvailableForResourceType` otherwise, the manifest lists no
//! region); a link needs an existing virtual network (400 `BadRequest` "Virtual network
//! resource not found for '...'"), links a vNet at most once per zone (409 `Conflict`
//! "Private zone '...' is already linked to the virtual network '...'"), not to two zones
//! with overlapping namespaces (400 `BadRequest` "A virtual network cannot be linked to
//! multiple zones with overlapping namespaces ..."), and a vNet registers in at most one zone
//! (`registrationEnabled`, 400 `BadRequest`); GET shows `virtualNetworkLinkState:
//! Completed`. Links are children of their zone and go with it. A private endpoint's DNS
//! zone group must name existing zones (400 `InvalidResourceReference`, the Network resource
//! provider's answer for a missing referenced resource).
//!
//! Owns these checks and the link's read view; must not store or answer successes. Sources:
//! ansible-collections/azure issue 813 (the 409), Azure/azure-cli issue 23351 (missing vNet),
//! MicrosoftDocs/azure-aks-docs issue 212 (overlapping namespaces), learn.microsoft.com
//! "What is a virtual network link subresource of Azure DNS private zones" (one link per
//! zone and vNet; one registration zone per vNet; the latter's code is not documented).

use crate::arm::id::{self, key};
use crate::arm::store::Stored;
use crate::http::{arm_error, Resp};
use crate::state::State;
use http::StatusCode;
use serde_json::{json, Map, Value};

pub const ZONE: &str = "Microsoft.Network/privateDnsZones";
pub const LINK: &str = "Microsoft.Network/privateDnsZones/virtualNetworkLinks";
pub const ZONE_GROUP: &str = "Microsoft.Network/privateEndpoints/privateDnsZoneGroups";
use crate::arm::types::VNET;

fn bad(message: String) -> Resp {
    arm_error(StatusCode::BAD_REQUEST, "BadRequest", message)
}

fn lower(s: &str) -> String {
    s.to_ascii_lowercase()
}

/// The zone ID of a link ID.
fn zone_of(link_id: &str) -> &str {
    let mut cut = link_id;
    for _ in 0..2 {
        cut = cut.rsplit_once('/').map_or(cut, |(p, _)| p);
    }
    cut
}

fn name_of(id: &str) -> &str {
    id.rsplit('/').next().unwrap_or_default()
}

fn vnet_of(body: &Value) -> &str {
    body.pointer("/properties/virtualNetwork/id")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

fn registers(body: &Value) -> bool {
    body.pointer("/properties/registrationEnabled")
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// Two zone names whose namespaces overlap (equal, or one a subdomain of the other).
fn overlapping(a: &str, b: &str) -> bool {
    let (a, b) = (lower(a), lower(b));
    a == b || a.ends_with(&format!(".{b}")) || b.ends_with(&format!(".{a}"))
}

/// Checks of a PUT (not applied when seeding).
pub fn check_put(
    st: &State,
    full_type: &str,
    id: &str,
    body: &Map<String, Value>,
) -> Result<(), Resp> {
    if full_type.eq_ignore_ascii_case(ZONE) || full_type.eq_ignore_ascii_case(LINK) {
        check_global(full_type, body)?;
    }
    if full_type.eq_ignore_ascii_case(LINK) {
        return check_link(st, id, &Value::Object(body.clone()));
    }
    if full_type.eq_ignore_ascii_case(ZONE_GROUP) {
        return check_zone_group(st, id, body);
    }
    Ok(())
}

/// Private DNS resources live in `global` only.
fn check_global(full_type: &str, body: &Map<String, Value>) -> Result<(), Resp> {
    let Some(loc) = body.get("location").and_then(Value::as_str) else {
        return Ok(());
    };
    if loc.eq_ignore_ascii_case("global") {
        return Ok(());
    }
    Err(arm_error(
        StatusCode::BAD_REQUEST,
        "LocationNotAvailableForResourceType",
        format!(
            "The provided location '{loc}' is not available for resource type '{full_type}'. List of available regions for the resource type is 'global'."
        ),
    ))
}

fn check_link(st: &State, id: &str, body: &Value) -> Result<(), Resp> {
    let vnet = vnet_of(body);
    if vnet.is_empty() {
        return Err(bad(format!(
            "Virtual network link '{}' needs properties.virtualNetwork.id, the ID of the virtual network to link.",
            name_of(id)
        )));
    }
    let is_vnet = id::parse_id(vnet)
        .ok()
        .and_then(|p| p.target().cloned())
        .is_some_and(|l| l.full_type.eq_ignore_ascii_case(VNET));
    if !is_vnet || !st.store.contains(vnet) {
        return Err(bad(format!(
            "Virtual network resource not found for '{vnet}'"
        )));
    }
    let zone = zone_of(id);
    let zone_name = name_of(zone);
    let me = key(id);
    let vk = key(vnet);
    let links = st.store.filter(|r| {
        r.full_type.eq_ignore_ascii_case(LINK) && key(&r.id) != me && key(vnet_of(&r.body)) == vk
    });
    for other in &links {
        let other_zone = zone_of(&other.id);
        if key(other_zone) == key(zone) {
            return Err(arm_error(
                StatusCode::CONFLICT,
                "Conflict",
                format!(
                    "Private zone '{zone_name}' is already linked to the virtual network '{vnet}'."
                ),
            ));
        }
        if overlapping(name_of(other_zone), zone_name) {
            return Err(bad(format!(
                "A virtual network cannot be linked to multiple zones with overlapping namespaces. You tried to link virtual network with '{}' and '{zone_name}' zones.",
                name_of(other_zone)
            )));
        }
    }
    if registers(body) {
        if let Some(other) = links.iter().find(|r| registers(&r.body)) {
            return Err(bad(format!(
                "Virtual network '{vnet}' is already a registration virtual network of private zone '{}'; a virtual network can have auto-registration enabled for one private DNS zone only.",
                name_of(zone_of(&other.id))
            )));
        }
    }
    Ok(())
}

/// Every `privateDnsZoneConfigs[].properties.privateDnsZoneId` exists.
fn check_zone_group(st: &State, id: &str, body: &Map<String, Value>) -> Result<(), Resp> {
    let configs = body
        .get("properties")
        .and_then(|p| p.get("privateDnsZoneConfigs"))
        .and_then(Value::as_array);
    for c in configs.into_iter().flatten() {
        let Some(zone) = c
            .pointer("/properties/privateDnsZoneId")
            .and_then(Value::as_str)
        else {
            continue;
        };
        if !st.store.contains(zone) {
            return Err(bad_reference(zone, id));
        }
    }
    Ok(())
}

fn bad_reference(zone: &str, id: &str) -> Resp {
    arm_error(
        StatusCode::BAD_REQUEST,
        "InvalidResourceReference",
        format!("Resource {zone} referenced by resource {id} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region."),
    )
}

/// The read view of a link: its state.
pub fn decorate(r: &Stored, v: &mut Value) {
    if !r.full_type.eq_ignore_ascii_case(LINK) {
        return;
    }
    if v.get("properties").is_some_and(Value::is_object) {
        v["properties"]["virtualNetworkLinkState"] = json!("Completed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces() {
        assert!(overlapping(
            "privatelink.blob.core.windows.net",
            "PrivateLink.Blob.core.windows.net"
        ));
        assert!(overlapping("a.contoso.com", "contoso.com"));
        assert!(!overlapping(
            "privatelink.blob.core.windows.net",
            "privatelink.dfs.core.windows.net"
        ));
        assert!(!overlapping("xcontoso.com", "contoso.com"));
        assert_eq!(
            zone_of("/s/r/providers/Microsoft.Network/privateDnsZones/z.net/virtualNetworkLinks/l"),
            "/s/r/providers/Microsoft.Network/privateDnsZones/z.net"
        );
    }
}
