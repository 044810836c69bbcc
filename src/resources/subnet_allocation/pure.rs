//! Pure mode of `aifactory_subnet_allocation` (no `virtual_network_id`): the allocation
//! computed from the configuration and the prior results, and import by
//! `KEY|NAME=CIDR,...`.
//!
//! Must not: talk to Azure, or know the live mode.

use std::collections::BTreeMap;

use super::model::{strings_known, AllocationModel};
use super::requests::parse_inputs;
use super::shared::{push_issues, IMPORT_SEPARATOR, IMPORT_USAGE};
use crate::framework::{Diagnostics, Tf};
use aifactory_allocator as allocator;

/// Whether every part of the configuration is known.
fn wholly_known(c: &AllocationModel) -> bool {
    !c.key.is_unknown()
        && !c.virtual_network_id.is_unknown()
        && [&c.address_space, &c.reserved, &c.occupied]
            .into_iter()
            .all(strings_known)
        && !c.strategy.is_unknown()
        && !c.slot.is_unknown()
        && !c.slot_prefix_length.is_unknown()
        && c.subnets.is_wholly_known()
}

/// The full new state: config plus computed results (unknown where inputs are unknown).
pub(super) fn compute(
    config: &AllocationModel,
    prior: Option<&AllocationModel>,
    diags: &mut Diagnostics,
) -> AllocationModel {
    let mut state = AllocationModel::planned_from(config);
    if !wholly_known(config) {
        state.results_unknown();
        return state;
    }
    let mut inp = parse_inputs(config, false, diags);
    if diags.has_errors() {
        return state;
    }
    // Keep results only while the key stays: a new key is a new allocation.
    if let Some(prior) = prior.filter(|p| p.key.as_deref() == Some(inp.key.as_str())) {
        inp.input.previous = prior.previous();
    }
    state.strategy = Tf::Known(inp.strategy_name.clone());
    let started = std::time::Instant::now();
    let result = allocator::allocate(&inp.input);
    tracing::debug!(
        key = %inp.key,
        strategy = %inp.strategy_name,
        requests = inp.input.requests.len(),
        occupied = inp.input.occupied.len(),
        kept = inp.input.previous.len(),
        ok = result.is_ok(),
        micros = started.elapsed().as_micros() as u64,
        "subnet allocation computed"
    );
    match result {
        Ok(a) => {
            push_issues(diags, &a.warnings);
            state.set_results(&a);
        }
        Err(issues) => push_issues(diags, &issues),
    }
    state
}

/// The state of an import by `KEY|name=cidr,name=cidr`.
pub(super) fn imported(id: &str) -> Result<AllocationModel, String> {
    let (key, cidrs) = parse_import_id(id)?;
    let addresses: u64 = cidrs
        .values()
        .filter_map(|c| match allocator::parse_cidr(c) {
            Ok(allocator::Cidr::V4(c)) => Some(c.addresses()),
            _ => None,
        })
        .sum();
    Ok(AllocationModel {
        key: Tf::Known(key.clone()),
        id: Tf::Known(key),
        cidrs: Tf::Known(cidrs),
        ipv6_cidrs: Tf::Known(BTreeMap::new()),
        allocated_addresses: Tf::Known(addresses),
        ..AllocationModel::default()
    })
}

/// `KEY|name=cidr,name=cidr`: adopts existing subnets (for example ESML's) under `KEY`.
fn parse_import_id(id: &str) -> Result<(String, BTreeMap<String, String>), String> {
    let usage = IMPORT_USAGE;
    let (key, list) = id
        .split_once(IMPORT_SEPARATOR)
        .ok_or_else(|| format!("{id:?} has no `|`. {usage}"))?;
    if key.trim().is_empty() {
        return Err(format!("The key before `|` is empty. {usage}"));
    }
    let mut cidrs = BTreeMap::new();
    for part in list.split(',').filter(|p| !p.trim().is_empty()) {
        let (name, cidr) = part
            .split_once('=')
            .ok_or_else(|| format!("{part:?} is not NAME=CIDR. {usage}"))?;
        let (name, cidr) = (name.trim(), cidr.trim());
        match allocator::parse_cidr(cidr) {
            Ok(allocator::Cidr::V4(_)) => {}
            Ok(_) => {
                return Err(format!(
                    "{cidr:?} for {name:?} is not an IPv4 CIDR. {usage}"
                ))
            }
            Err(e) => return Err(format!("{cidr:?} for {name:?}: {e}. {usage}")),
        }
        if cidrs.insert(name.to_string(), cidr.to_string()).is_some() {
            return Err(format!("{name:?} appears twice. {usage}"));
        }
    }
    Ok((key.trim().to_string(), cidrs))
}
