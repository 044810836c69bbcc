//! What the live mode records: the subnets that exist and are tracked ([`Tracked`]), the
//! private state (the allocated ranges drift is repaired towards), and whether a
//! configuration or plan is known enough to allocate or apply.
//!
//! Must not: do I/O.

use std::collections::BTreeMap;

use crate::framework::{resource::StateResponse, Diagnostics, FromValue, Tf, ToValue, Value};
use crate::resources::subnet_allocation::model::{
    strings_known, AllocationModel, PrivateModel, RequestModel,
};
use aifactory_allocator::{self as allocator, Cidr, Previous};

/// The subnets that exist and are tracked, as an apply goes along.
#[derive(Debug, Clone, Default)]
pub(super) struct Tracked {
    pub ids: BTreeMap<String, String>,
    pub v4: BTreeMap<String, String>,
    pub v6: BTreeMap<String, String>,
}

impl Tracked {
    pub fn from_state(state: &AllocationModel) -> Tracked {
        Tracked {
            ids: AllocationModel::map_of(&state.subnet_ids),
            v4: AllocationModel::map_of(&state.cidrs),
            v6: AllocationModel::map_of(&state.ipv6_cidrs),
        }
    }
    pub fn remove(&mut self, p: &str) {
        self.ids.remove(p);
        self.v4.remove(p);
        self.v6.remove(p);
    }
    pub fn set(&mut self, p: &str, id: &str, v4: Option<String>, v6: Option<String>) {
        self.ids.insert(p.to_string(), id.to_string());
        match v4 {
            Some(c) => self.v4.insert(p.to_string(), c),
            None => self.v4.remove(p),
        };
        match v6 {
            Some(c) => self.v6.insert(p.to_string(), c),
            None => self.v6.remove(p),
        };
    }
    /// `base` with the tracked subnets as its results (and the vNet's address space,
    /// when read).
    pub fn into_state(
        self,
        mut base: AllocationModel,
        vnet_space: Option<Vec<String>>,
    ) -> AllocationModel {
        base.allocated_addresses = Tf::Known(v4_addresses(&self.v4));
        base.cidrs = Tf::Known(self.v4);
        base.ipv6_cidrs = Tf::Known(self.v6);
        base.subnet_ids = Tf::Known(self.ids);
        if let Some(space) = vnet_space {
            base.virtual_network_address_space = Tf::Known(space);
        }
        base
    }
}

fn v4_addresses(cidrs: &BTreeMap<String, String>) -> u64 {
    cidrs
        .values()
        .filter_map(|c| match allocator::parse_cidr(c) {
            Ok(Cidr::V4(c)) => Some(c.addresses()),
            _ => None,
        })
        .sum()
}

/// The private state holding the ranges of `state` (no memo).
pub(super) fn private_of(state: &AllocationModel) -> Value {
    PrivateModel::new(
        &AllocationModel::map_of(&state.cidrs),
        &AllocationModel::map_of(&state.ipv6_cidrs),
        None,
    )
    .value()
}

/// The allocated ranges held in private state (falling back to the state's `cidrs`).
pub(super) fn intended(state: &AllocationModel, private: &Value) -> BTreeMap<String, Previous> {
    match PrivateModel::read(private) {
        Some(PrivateModel {
            allocated: Tf::Known(v4),
            allocated_ipv6,
            ..
        }) => {
            let v6 = AllocationModel::map_of(&allocated_ipv6);
            v4.into_iter()
                .map(|(n, c)| {
                    let ipv6 = v6.get(&n).cloned();
                    (n, Previous { ipv4: c, ipv6 })
                })
                .collect()
        }
        _ => state.previous(),
    }
}

/// Whether the allocation-relevant parts of a configuration are known.
pub(super) fn allocation_known(config: &AllocationModel) -> bool {
    let top = !config.key.is_unknown()
        && !config.virtual_network_id.is_unknown()
        && [&config.address_space, &config.reserved, &config.occupied]
            .into_iter()
            .all(strings_known)
        && !config.strategy.is_unknown()
        && !config.slot.is_unknown()
        && !config.slot_prefix_length.is_unknown();
    if !top {
        return false;
    }
    let Some(entries) = config.subnets.as_map() else {
        return config.subnets.is_wholly_known();
    };
    entries.iter().all(|(purpose, r)| {
        let path = crate::framework::AttrPath::attr("subnets").and_key(purpose.clone());
        match Tf::<RequestModel>::from_value(r, &path) {
            Ok(Tf::Unknown) => false,
            Ok(Tf::Known(r)) => {
                !r.prefix_length.is_unknown()
                    && !r.min_hosts.is_unknown()
                    && !r.ipv6.is_unknown()
                    && !r.name.is_unknown()
            }
            // The shape errors are reported when the request is read.
            Ok(Tf::Null) | Err(_) => r.is_wholly_known(),
        }
    })
}

/// Whether a plan holds every result (the vNet existed at plan time).
pub(super) fn planned_known(planned: &AllocationModel) -> bool {
    matches!(planned.cidrs, Tf::Known(_))
        && matches!(planned.ipv6_cidrs, Tf::Known(_))
        && matches!(planned.subnet_ids, Tf::Known(_))
}

/// The response of an apply that changed nothing: the prior state (with its ranges as
/// the private state) and why.
pub(super) fn failed_state(prior: Option<&AllocationModel>, diags: Diagnostics) -> StateResponse {
    StateResponse {
        state: prior.map_or(Value::Null, ToValue::to_value),
        private: prior.map_or(Value::Null, private_of),
        diags,
    }
}
