//! Virtual network peerings (`virtualNetworks/{v}/virtualNetworkPeerings/{p}`, stable
//! 2024-05-01: PUT 200/201 and DELETE 200/202/204, long-running, no PATCH):
//! `properties.remoteVirtualNetwork.id` must name an existing vNet (400
//! `InvalidResourceReference`, the Network resource provider's answer for a missing
//! referenced resource); the two address spaces must not overlap (400
//! `VnetAddressSpacesOverlap`), nor may the local space overlap a vNet already peered with
//! the remote one (400 `VnetAddressSpaceOverlapsWithAlreadyPeeredVnet`, Azure's message).
//! `peeringState` is `Initiated` until the remote vNet has the reverse peering, then
//! `Connected` on both sides (`peeringSyncLevel: FullyInSync`), and `Disconnected` on the
//! side left when the other goes (with its vNet or alone). The vNet's GET lists its
//! peerings in `properties.virtualNetworkPeerings`; a peering shows the remote address space.
//!
//! Owns these rules and states; must not touch subnets or other resource providers.
//! Sources: learn.microsoft.com "Create, change, or delete a virtual network peering"
//! (states, overlap), the already-peered message as Azure words it (Azure/ResourceModules
//! issue 731, microsoft/AzureTRE issue 1927).

use crate::arm::id::{self, key};
use crate::arm::store::Stored;
use crate::http::{arm_error, Resp};
use crate::state::State;
use crate::util;
use http::StatusCode;
use ipnet::IpNet;
use serde_json::{json, Map, Value};

pub const PEERING: &str = "Microsoft.Network/virtualNetworks/virtualNetworkPeerings";
use crate::arm::types::VNET;

fn bad(code: &str, message: String) -> Resp {
    arm_error(StatusCode::BAD_REQUEST, code, message)
}

/// The vNet of a peering ID.
fn vnet_of(peering_id: &str) -> &str {
    let mut cut = peering_id;
    for _ in 0..2 {
        cut = cut.rsplit_once('/').map_or(cut, |(p, _)| p);
    }
    cut
}

fn remote_of(body: &Value) -> &str {
    body.pointer("/properties/remoteVirtualNetwork/id")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

fn prefixes(vnet: &Value) -> Vec<IpNet> {
    vnet.pointer("/properties/addressSpace/addressPrefixes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter_map(|p| p.trim().parse().ok())
        .collect()
}

/// The prefixes of `a` that overlap one of `b`.
fn overlap(a: &[IpNet], b: &[IpNet]) -> Vec<String> {
    a.iter()
        .filter(|x| {
            b.iter()
                .any(|y| x.contains(&y.network()) || y.contains(&x.network()))
        })
        .map(ToString::to_string)
        .collect()
}

/// The vNets peered with `vnet` (either direction).
fn peered_with(st: &State, vnet: &str) -> Vec<String> {
    let k = key(vnet);
    let mut out: Vec<String> = Vec::new();
    for p in st
        .store
        .filter(|r| r.full_type.eq_ignore_ascii_case(PEERING))
    {
        let (local, remote) = (vnet_of(&p.id), remote_of(&p.body));
        let other = if key(local) == k {
            remote
        } else if key(remote) == k {
            local
        } else {
            continue;
        };
        if !other.is_empty() && !out.iter().any(|o| key(o) == key(other)) {
            out.push(other.to_string());
        }
    }
    out
}

/// Checks of a PUT (not applied when seeding).
pub fn check_put(
    st: &State,
    full_type: &str,
    id: &str,
    body: &Map<String, Value>,
) -> Result<(), Resp> {
    if !full_type.eq_ignore_ascii_case(PEERING) {
        return Ok(());
    }
    let body = Value::Object(body.clone());
    let remote = remote_of(&body);
    if remote.is_empty() {
        return Err(bad(
            "InvalidRequestFormat",
            format!("Cannot parse the request. Peering {id} must reference the remote virtual network in properties.remoteVirtualNetwork.id."),
        ));
    }
    let is_vnet = id::parse_id(remote)
        .ok()
        .and_then(|p| p.target().cloned())
        .is_some_and(|l| l.full_type.eq_ignore_ascii_case(VNET));
    let Some(remote_vnet) = st.store.get(remote).filter(|_| is_vnet) else {
        return Err(bad(
            "InvalidResourceReference",
            format!("Resource {remote} referenced by resource {id} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region."),
        ));
    };
    let local = vnet_of(id);
    let Some(local_vnet) = st.store.get(local) else {
        return Ok(());
    };
    let mine = prefixes(&local_vnet.body);
    let common = overlap(&mine, &prefixes(&remote_vnet.body));
    if !common.is_empty() {
        return Err(bad(
            "VnetAddressSpacesOverlap",
            format!(
                "Cannot create or update peering {id} because remote address space of remote vnet overlaps with address space of vnet. Overlapping address prefixes: {}.",
                common.join(", ")
            ),
        ));
    }
    for other in peered_with(st, remote) {
        if key(&other) == key(local) {
            continue;
        }
        let Some(o) = st.store.get(&other) else {
            continue;
        };
        let common = overlap(&mine, &prefixes(&o.body));
        if !common.is_empty() {
            return Err(bad(
                "VnetAddressSpaceOverlapsWithAlreadyPeeredVnet",
                format!(
                    "Cannot create or update peering {id}. Virtual networks {local} and {remote} cannot be peered because address space of the first virtual network overlaps with address space of virtual network {other} already peered with the second virtual network. Overlapping address prefixes: {}. For more information please refer to https://aka.ms/VnetPeeringInfo",
                    common.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// The peering of `remote` back to `local`, if any.
fn reverse_of(st: &State, local: &str, remote: &str) -> Option<String> {
    st.store
        .children(remote, PEERING)
        .into_iter()
        .find(|r| key(remote_of(&r.body)) == key(local))
        .map(|r| r.id.clone())
}

fn set_state(st: &mut State, id: &str, state: &str) {
    if let Some(r) = st.store.get_mut(id) {
        if !r.body.get("properties").is_some_and(Value::is_object) {
            r.body["properties"] = json!({});
        }
        r.body["properties"]["peeringState"] = json!(state);
        let sync = if state == "Connected" {
            "FullyInSync"
        } else {
            "RemoteNotInSync"
        };
        r.body["properties"]["peeringSyncLevel"] = json!(sync);
        r.etag = util::new_etag();
        r.body["etag"] = json!(r.etag);
    }
}

/// After a peering is stored: its state, and the reverse's when it exists; the remote
/// address space.
pub fn after_put(st: &mut State, full_type: &str, id: &str) {
    if !full_type.eq_ignore_ascii_case(PEERING) {
        return;
    }
    let Some(me) = st.store.get(id).cloned() else {
        return;
    };
    let local = vnet_of(&me.id).to_string();
    let remote = remote_of(&me.body).to_string();
    let space = st
        .store
        .get(&remote)
        .and_then(|v| v.body.pointer("/properties/addressSpace").cloned());
    if let (Some(space), Some(r)) = (space, st.store.get_mut(id)) {
        r.body["properties"]["remoteAddressSpace"] = space.clone();
        r.body["properties"]["remoteVirtualNetworkAddressSpace"] = space;
    }
    match reverse_of(st, &local, &remote) {
        Some(back) => {
            set_state(st, id, "Connected");
            set_state(st, &back, "Connected");
        }
        None => set_state(st, id, "Initiated"),
    }
}

/// Peerings removed (alone or with their vNet) leave the reverse side `Disconnected`.
pub fn release(st: &mut State, removed: &[Stored]) {
    for r in removed
        .iter()
        .filter(|r| r.full_type.eq_ignore_ascii_case(PEERING))
    {
        let local = vnet_of(&r.id).to_string();
        if let Some(back) = reverse_of(st, &local, remote_of(&r.body)) {
            set_state(st, &back, "Disconnected");
        }
    }
}

/// The read view of a vNet: its peerings.
pub fn decorate(st: &State, r: &Stored, v: &mut Value) {
    if !r.full_type.eq_ignore_ascii_case(VNET) {
        return;
    }
    let peerings: Vec<Value> = st
        .store
        .children(&r.id, PEERING)
        .into_iter()
        .map(|p| p.body.clone())
        .collect();
    if !v.get("properties").is_some_and(Value::is_object) {
        v["properties"] = json!({});
    }
    v["properties"]["virtualNetworkPeerings"] = Value::Array(peerings);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlaps() {
        let n = |v: &[&str]| v.iter().map(|s| s.parse().unwrap()).collect::<Vec<IpNet>>();
        assert_eq!(
            overlap(&n(&["10.0.0.0/16"]), &n(&["10.0.1.0/24"])),
            ["10.0.0.0/16"]
        );
        assert!(overlap(&n(&["10.0.0.0/16"]), &n(&["10.1.0.0/16"])).is_empty());
        assert_eq!(
            vnet_of("/s/r/providers/Microsoft.Network/virtualNetworks/v/virtualNetworkPeerings/p"),
            "/s/r/providers/Microsoft.Network/virtualNetworks/v"
        );
    }
}
