//! What an ARM GET returns for a stored resource: the stored body plus the parts resource
//! providers compute on read (a vNet's subnets, the private endpoints on a subnet, a shared
//! private link's status and the connections it asks of its target).
//!
//! Owns the read view; must not change state.

use super::store::Stored;
use crate::network;
use crate::state::State;
use serde_json::Value;

/// The body GET returns: stored body plus RP-computed parts (vNet subnets, subnet users).
pub fn render(st: &State, r: &Stored) -> Value {
    let mut v = r.body.clone();
    network::decorate(st, r, &mut v);
    crate::search::decorate(st, r, &mut v);
    crate::dns::decorate(r, &mut v);
    crate::registry::decorate(r, &mut v);
    crate::peering::decorate(st, r, &mut v);
    v
}
