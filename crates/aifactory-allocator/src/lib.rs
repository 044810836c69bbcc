//! The subnet allocator: a pure, deterministic function from (pool, reserved, occupied,
//! requests, strategy, previous results) to CIDRs. No I/O, no clocks, no hashing order.
//!
//! Owns: CIDR parsing and validation, free-space bookkeeping, the `packed` and `slot`
//! strategies, stability of previous results. Must not touch: Terraform values, Azure.
//! Problems come back as typed [`Issue`]s carrying the attribute path they concern, so
//! the resource can underline the right line of HCL.
//!
//! # How a plan is computed
//!
//! 1. **Validate** everything in one pass ([`IssueKind`] lists what is checked); any
//!    error stops here, with all errors (and warnings) found.
//! 2. **Keep** each result held in `previous` unless its request's size changed, it
//!    left the pool (or the slot), or it overlaps reserved space, an occupied range
//!    other than exactly itself (the live vNet lists the subnet itself), or the
//!    result of a name sorting earlier (corrupt state). Results never move otherwise:
//!    other requests and other projects' ranges coming and going do not touch them.
//! 3. **Place** the remaining requests, largest first (ties by name), each in the
//!    smallest free aligned block that holds it, lowest address on ties. Free space is
//!    the pool (or the slot) minus reserved, occupied and kept results, held as
//!    maximal aligned blocks in a [`FreeSpace`]-like structure (O(log n) per
//!    placement). IPv6 (one /64 per request with `ipv6 = true`) works the same way,
//!    in name order.
//!
//! # Strategies
//!
//! * [`Strategy::Packed`]: best fit in the whole pool. Fills holes left by deleted
//!   projects before touching untouched space.
//! * [`Strategy::Slot`]: the project gets the `index`-th aligned /`prefix_length`
//!   block counted across the IPv4 `address_space` entries in listed order (an entry
//!   smaller than a slot contributes none) and its subnets are packed inside it. IPv6
//!   slots are the `index`-th /56 of the IPv6 entries. The same slot yields the same
//!   CIDRs in every environment, whatever other projects hold.

use std::collections::BTreeMap;

use aifactory_attrpath::AttrPath;

mod cidr;
mod engine;
mod free;
mod input;
mod issue;
mod limits;
pub mod map;
mod spec;
mod strategy;
#[cfg(test)]
mod tests;

pub use cidr::{parse_cidr, Cidr, Cidr4, Cidr6, CidrError};
pub use free::FreeSpace;
pub use issue::{BlockedList, Issue, IssueKind, MoveReason};
pub use limits::{AZURE_RESERVED_PER_SUBNET, IPV6_SUBNET_PREFIX, MIN_IPV4_PREFIX};
pub use spec::{
    prefix_for_hosts, Allocation, AllocationInput, Move, Previous, RequestSpec, Strategy,
};
pub use strategy::{slot_block, slot_count, IPV6_SLOT_PREFIX};

use cidr::{Net, V4_WIDTH, V6_WIDTH};
use engine::{Area, Outcome, Prev, Want};

/// Build the `subnets` map from (name, spec) pairs as some APIs deliver them, reporting
/// every name given more than once (on `subnets["name"]`).
pub fn requests_from_pairs(
    pairs: impl IntoIterator<Item = (String, RequestSpec)>,
) -> Result<BTreeMap<String, RequestSpec>, Vec<Issue>> {
    let mut map = BTreeMap::new();
    let mut issues = Vec::new();
    for (name, spec) in pairs {
        match map.entry(name) {
            std::collections::btree_map::Entry::Vacant(v) => {
                v.insert(spec);
            }
            std::collections::btree_map::Entry::Occupied(o) => {
                let name = o.key();
                if !issues.iter().any(|i: &Issue| matches!(&i.kind, IssueKind::DuplicateName { name: n } if n == name)) {
                    issues.push(Issue::new(
                        AttrPath::attr("subnets").and_key(name.as_str()),
                        IssueKind::DuplicateName { name: name.clone() },
                    ));
                }
            }
        }
    }
    if issues.is_empty() {
        Ok(map)
    } else {
        Err(issues)
    }
}

fn previous_v4(p: Option<&Previous>) -> Prev {
    match p {
        None => Prev::None,
        Some(p) => match parse_cidr(&p.ipv4) {
            Ok(Cidr::V4(c)) => Prev::Valid {
                net: c.to_net(),
                text: c.to_string(),
            },
            _ => Prev::Invalid(p.ipv4.clone()),
        },
    }
}

fn previous_v6(p: Option<&Previous>) -> Prev {
    match p.and_then(|p| p.ipv6.as_ref()) {
        None => Prev::None,
        Some(text) => match parse_cidr(text) {
            Ok(Cidr::V6(c)) if c.prefix == IPV6_SUBNET_PREFIX => Prev::Valid {
                net: c.to_unit_net(),
                text: c.to_string(),
            },
            _ => Prev::Invalid(text.clone()),
        },
    }
}

/// Allocate. Errors: every problem found, each on its attribute (warnings found so far
/// included); never a partial result.
pub fn allocate(input: &AllocationInput) -> Result<Allocation, Vec<Issue>> {
    let mut issues = Vec::new();
    let checked = input::check(input, &mut issues);
    if issues.iter().any(Issue::is_error) {
        return Err(issues);
    }
    let slot = checked.slot.as_ref();

    // IPv4
    let area4 = Area {
        width: V4_WIDTH,
        pool: match slot {
            Some(s) => vec![s.v4],
            None => checked.v4.pool.iter().map(|e| e.net).collect(),
        },
        slot: slot.map(|s| Cidr4::from_net(s.v4).to_string()),
        reserved: &checked.v4.reserved,
        occupied: &checked.v4.occupied,
    };
    let wants4: Vec<Want<'_>> = checked
        .requests
        .iter()
        .map(|r| Want {
            name: &r.name,
            prefix: r.prefix,
            previous: previous_v4(input.previous.get(&r.name)),
        })
        .collect();
    let out4 = engine::run(&area4, &wants4);

    // IPv6
    let area6 = Area {
        width: V6_WIDTH,
        pool: match slot {
            Some(s) => s.v6.into_iter().collect(),
            None => checked.v6.pool.iter().map(|e| e.net).collect(),
        },
        slot: slot
            .and_then(|s| s.v6)
            .map(|n| Cidr6::from_unit_net(n).to_string()),
        reserved: &checked.v6.reserved,
        occupied: &checked.v6.occupied,
    };
    let wants6: Vec<Want<'_>> = checked
        .requests
        .iter()
        .filter(|r| r.ipv6)
        .map(|r| Want {
            name: &r.name,
            prefix: V6_WIDTH,
            previous: previous_v6(input.previous.get(&r.name)),
        })
        .collect();
    let out6 = if wants6.is_empty() {
        Outcome::default()
    } else {
        engine::run(&area6, &wants6)
    };

    let failed = report_failures(
        &out4,
        &area4,
        &out6,
        &area6,
        slot.map(|s| s.index),
        &mut issues,
    );
    if failed {
        return Err(issues);
    }

    let ipv4: BTreeMap<String, Cidr4> = out4
        .results
        .iter()
        .map(|(k, n)| (k.clone(), Cidr4::from_net(*n)))
        .collect();
    let ipv6: BTreeMap<String, Cidr6> = out6
        .results
        .iter()
        .map(|(k, n)| (k.clone(), Cidr6::from_unit_net(*n)))
        .collect();
    let mut moves = Vec::new();
    for (out, is_v6) in [(&out4, false), (&out6, true)] {
        for ev in &out.evictions {
            let to = match out.results.get(&ev.name) {
                Some(n) if is_v6 => Cidr6::from_unit_net(*n).to_string(),
                Some(n) => Cidr4::from_net(*n).to_string(),
                None => continue,
            };
            moves.push(Move {
                name: ev.name.clone(),
                from: ev.from.clone(),
                to,
                reason: ev.reason.to_string(),
                kind: ev.reason.clone(),
                ipv6: is_v6,
            });
        }
    }
    moves.sort_by(|a, b| (&a.name, a.ipv6).cmp(&(&b.name, b.ipv6)));
    for m in moves.iter().filter(|m| m.kind != MoveReason::SizeChanged) {
        let path = AttrPath::attr("subnets").and_key(m.name.as_str());
        issues.push(Issue::new(
            if m.ipv6 { path.and_attr("ipv6") } else { path },
            IssueKind::Moved {
                name: m.name.clone(),
                ipv6: m.ipv6,
                from: m.from.clone(),
                to: m.to.clone(),
                reason: m.kind.clone(),
            },
        ));
    }
    Ok(Allocation {
        ipv4_addresses: ipv4.values().map(|c| c.addresses()).sum(),
        ipv4,
        ipv6,
        moves,
        warnings: issues,
        slot: slot.map(|s| Cidr4::from_net(s.v4)),
        slot_ipv6: slot.and_then(|s| s.v6).map(Cidr6::from_unit_net),
    })
}

/// Turn placement failures into issues; `true` if there was any.
fn report_failures(
    out4: &Outcome,
    area4: &Area<'_>,
    out6: &Outcome,
    area6: &Area<'_>,
    slot_index: Option<u64>,
    issues: &mut Vec<Issue>,
) -> bool {
    let mut failed = false;
    for (out, area) in [(out4, area4), (out6, area6)] {
        if out.fully_blocked {
            failed = true;
            issues.push(Issue::new(
                AttrPath::attr("slot"),
                IssueKind::SlotFullyBlocked {
                    index: slot_index.unwrap_or_default(),
                    slot: area.slot.clone().unwrap_or_default(),
                },
            ));
        }
    }
    if let Some(f) = &out4.failure {
        failed = true;
        issues.push(Issue::new(
            AttrPath::attr("subnets").and_key(f.name.as_str()),
            IssueKind::Exhausted {
                name: f.name.clone(),
                prefix_length: f.prefix,
                addresses: Net {
                    start: 0,
                    prefix: f.prefix,
                }
                .size(V4_WIDTH)
                .try_into()
                .unwrap_or(u64::MAX),
                largest_free: f.largest.map(|n| Cidr4::from_net(n).to_string()),
                free_addresses: f.free.try_into().unwrap_or(u64::MAX),
                slot: area4.slot.clone(),
            },
        ));
    }
    if let Some(f) = &out6.failure {
        failed = true;
        issues.push(Issue::new(
            AttrPath::attr("subnets")
                .and_key(f.name.as_str())
                .and_attr("ipv6"),
            IssueKind::Ipv6Exhausted {
                name: f.name.clone(),
                largest_free: f.largest.map(|n| Cidr6::from_unit_net(n).to_string()),
                free_subnets: f.free,
                slot: area6.slot.clone(),
            },
        ));
    }
    failed
}
