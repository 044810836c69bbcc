//! The address map: an address space and the subnets in it, laid out for people to look
//! at. [`layout`] checks the input and computes the free space (the same maximal aligned
//! blocks as the allocator's [`FreeSpace`]), the largest free block and the utilisation;
//! [`AddressMap::svg`] draws it (every subnet a block in proportion to its size, coloured by
//! owner and shaded by purpose, free blocks hatched, a legend) and
//! [`AddressMap::markdown`] writes the same as a table.
//!
//! Output is deterministic: blocks in address order, owners sorted, colours from a fixed
//! hash of the owner's name (so a project has the same colour in every stage and every
//! map), numbers formatted without locale. IPv4 is drawn; IPv6 ranges are listed, not
//! drawn (a /48 holds 65,536 /64 subnets: no picture of it would show one).
//!
//! Owns: the layout arithmetic, the free-space summary, the SVG and Markdown renderings
//! and their escaping. Must not: know Terraform values or diagnostics (errors are typed
//! [`MapError`]s that name the input entries by index), talk to Azure, do I/O.

mod colour;
mod markdown;
mod svg;
#[cfg(test)]
mod tests;

use thiserror::Error;

use crate::cidr::{Cidr, Cidr4, Cidr6};
use crate::free::FreeSpace;

pub use colour::owner_colour;

/// What to draw: the address space and the subnets in it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MapInput {
    /// The picture's title.
    pub title: String,
    /// Address space prefixes, IPv4 and IPv6, in any order.
    pub address_space: Vec<Cidr>,
    /// The subnets, in any order.
    pub subnets: Vec<MapSubnet>,
}

/// One subnet: its range and who owns it for what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapSubnet {
    /// The subnet's name (may be empty).
    pub name: String,
    pub cidr: Cidr,
    /// The owning project (empty: not known; drawn grey and labelled with the name).
    pub owner: String,
    /// What the subnet is for (`private_endpoints`, `aks`, ...; may be empty).
    pub purpose: String,
}

impl MapSubnet {
    /// The owner as shown: the owner, else the subnet's name, else `unassigned`.
    pub fn owner_label(&self) -> &str {
        if !self.owner.is_empty() {
            &self.owner
        } else if !self.name.is_empty() {
            &self.name
        } else {
            "unassigned"
        }
    }
}

/// Why an input cannot be drawn. Indices are positions in [`MapInput::address_space`] or
/// [`MapInput::subnets`] as given.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MapError {
    #[error("the address space is empty")]
    NoAddressSpace,
    #[error("the address space has no IPv4 range to draw (only {ipv6})")]
    NoIpv4 { ipv6: String },
    #[error("address space entries {first_cidr} and {second_cidr} overlap")]
    SpaceOverlap {
        first: usize,
        second: usize,
        first_cidr: String,
        second_cidr: String,
    },
    #[error("subnet {cidr} lies outside the address space ({space})")]
    Outside {
        index: usize,
        cidr: String,
        space: String,
    },
    #[error("subnets {first_cidr} and {second_cidr} overlap")]
    SubnetOverlap {
        first: usize,
        second: usize,
        first_cidr: String,
        second_cidr: String,
    },
}

/// A laid-out address map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressMap {
    pub title: String,
    /// One section per IPv4 address space prefix, by address.
    pub sections: Vec<Section>,
    /// The subnets sorted by address (IPv4 first); blocks refer to them by index.
    pub subnets: Vec<MapSubnet>,
    /// The IPv6 address space prefixes (listed, not drawn).
    pub ipv6_space: Vec<Cidr6>,
    /// Addresses in the IPv4 address space.
    pub total_addresses: u64,
    /// Addresses in IPv4 subnets.
    pub used_addresses: u64,
}

/// One IPv4 address space prefix and what fills it, by address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub prefix: Cidr4,
    pub blocks: Vec<Block>,
}

/// A subnet, or a free block (a maximal aligned free block, as the allocator sees them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    pub cidr: Cidr4,
    /// Index into [`AddressMap::subnets`]; `None` for a free block.
    pub subnet: Option<usize>,
}

/// Addresses and subnets one owner holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerTotal {
    /// The owner as shown ([`MapSubnet::owner_label`]).
    pub owner: String,
    /// Whether the owner is known (else the label is a subnet name).
    pub known: bool,
    pub subnets: usize,
    pub addresses: u64,
}

fn v4_of(c: &Cidr) -> Option<Cidr4> {
    match c {
        Cidr::V4(c) => Some(*c),
        Cidr::V6(_) => None,
    }
}

fn contains(outer: &Cidr, inner: &Cidr) -> bool {
    match (outer, inner) {
        (Cidr::V4(a), Cidr::V4(b)) => a.contains(b),
        (Cidr::V6(a), Cidr::V6(b)) => a.contains(b),
        _ => false,
    }
}

fn overlaps(a: &Cidr, b: &Cidr) -> bool {
    match (a, b) {
        (Cidr::V4(a), Cidr::V4(b)) => a.overlaps(b),
        (Cidr::V6(a), Cidr::V6(b)) => a.overlaps(b),
        _ => false,
    }
}

fn joined(cidrs: &[Cidr]) -> String {
    cidrs
        .iter()
        .map(Cidr::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Entries of `items` (with their input index) that overlap an earlier one by address:
/// `(earlier, later)` pairs, each later entry reported once.
fn overlapping_pairs(items: &[(usize, Cidr)]) -> Vec<(usize, usize)> {
    let mut sorted: Vec<&(usize, Cidr)> = items.iter().collect();
    sorted.sort_by_key(|(i, c)| (*c, *i));
    let mut pairs = Vec::new();
    // The entry reaching furthest so far: aligned blocks overlap only by containment,
    // so an entry overlaps something earlier exactly when it overlaps that one.
    let mut reach: Option<&(usize, Cidr)> = None;
    for item in sorted {
        match reach {
            Some(r) if overlaps(&r.1, &item.1) => {
                pairs.push((r.0.min(item.0), r.0.max(item.0)));
            }
            _ => reach = Some(item),
        }
    }
    pairs.sort_unstable();
    pairs
}

/// Check `input` and lay it out. Errors: every problem found.
pub fn layout(input: &MapInput) -> Result<AddressMap, Vec<MapError>> {
    let mut errors = Vec::new();
    if input.address_space.is_empty() {
        return Err(vec![MapError::NoAddressSpace]);
    }
    let space: Vec<(usize, Cidr)> = input.address_space.iter().copied().enumerate().collect();
    for (first, second) in overlapping_pairs(&space) {
        errors.push(MapError::SpaceOverlap {
            first,
            second,
            first_cidr: input.address_space[first].to_string(),
            second_cidr: input.address_space[second].to_string(),
        });
    }
    let mut v4_space: Vec<Cidr4> = input.address_space.iter().filter_map(v4_of).collect();
    v4_space.sort();
    v4_space.dedup();
    let mut ipv6_space: Vec<Cidr6> = input
        .address_space
        .iter()
        .filter_map(|c| match c {
            Cidr::V6(c) => Some(*c),
            Cidr::V4(_) => None,
        })
        .collect();
    ipv6_space.sort();
    ipv6_space.dedup();
    if v4_space.is_empty() {
        errors.push(MapError::NoIpv4 {
            ipv6: joined(&input.address_space),
        });
    }
    for (index, s) in input.subnets.iter().enumerate() {
        if !input.address_space.iter().any(|p| contains(p, &s.cidr)) {
            errors.push(MapError::Outside {
                index,
                cidr: s.cidr.to_string(),
                space: joined(&input.address_space),
            });
        }
    }
    let subnets: Vec<(usize, Cidr)> = input.subnets.iter().map(|s| s.cidr).enumerate().collect();
    for (first, second) in overlapping_pairs(&subnets) {
        errors.push(MapError::SubnetOverlap {
            first,
            second,
            first_cidr: input.subnets[first].cidr.to_string(),
            second_cidr: input.subnets[second].cidr.to_string(),
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    // Subnets by address, IPv4 first (Cidr orders V4 before V6), ties by name.
    let mut sorted = input.subnets.clone();
    sorted.sort_by(|a, b| {
        (a.cidr, &a.name, &a.owner, &a.purpose).cmp(&(b.cidr, &b.name, &b.owner, &b.purpose))
    });
    let taken: Vec<Cidr4> = sorted.iter().filter_map(|s| v4_of(&s.cidr)).collect();
    let free = FreeSpace::new(&v4_space, &taken);
    let sections = v4_space
        .iter()
        .map(|prefix| {
            let mut blocks: Vec<Block> = sorted
                .iter()
                .enumerate()
                .filter_map(|(i, s)| {
                    v4_of(&s.cidr)
                        .filter(|c| prefix.contains(c))
                        .map(|cidr| Block {
                            cidr,
                            subnet: Some(i),
                        })
                })
                .chain(
                    free.blocks()
                        .filter(|c| prefix.contains(c))
                        .map(|cidr| Block { cidr, subnet: None }),
                )
                .collect();
            blocks.sort_by_key(|b| b.cidr);
            Section {
                prefix: *prefix,
                blocks,
            }
        })
        .collect();
    let total_addresses = v4_space.iter().map(Cidr4::addresses).sum();
    let used_addresses = taken.iter().map(Cidr4::addresses).sum();
    Ok(AddressMap {
        title: input.title.clone(),
        sections,
        subnets: sorted,
        ipv6_space,
        total_addresses,
        used_addresses,
    })
}

impl AddressMap {
    /// Every free block, by address.
    pub fn free_blocks(&self) -> Vec<Cidr4> {
        self.sections
            .iter()
            .flat_map(|s| s.blocks.iter())
            .filter(|b| b.subnet.is_none())
            .map(|b| b.cidr)
            .collect()
    }

    /// The largest free block (the lowest address among equals), if any space is free.
    pub fn largest_free_block(&self) -> Option<Cidr4> {
        self.free_blocks()
            .into_iter()
            .min_by_key(|c| (c.prefix, c.addr))
    }

    /// Free IPv4 addresses.
    pub fn free_addresses(&self) -> u64 {
        self.total_addresses.saturating_sub(self.used_addresses)
    }

    /// The share of the IPv4 address space in subnets, in percent, rounded to two decimals.
    pub fn utilisation_percent(&self) -> f64 {
        if self.total_addresses == 0 {
            return 0.0;
        }
        let (used, total) = (
            u128::from(self.used_addresses),
            u128::from(self.total_addresses),
        );
        let hundredths = (used * 10_000 + total / 2) / total;
        // At most 10,000: exact as a float.
        hundredths as f64 / 100.0
    }

    /// The IPv6 subnets (listed, not drawn).
    pub fn ipv6_subnets(&self) -> impl Iterator<Item = &MapSubnet> {
        self.subnets
            .iter()
            .filter(|s| matches!(s.cidr, Cidr::V6(_)))
    }

    /// What each owner holds in IPv4, by owner label (known owners first).
    pub fn owners(&self) -> Vec<OwnerTotal> {
        let mut out: Vec<OwnerTotal> = Vec::new();
        for s in &self.subnets {
            let Some(c) = v4_of(&s.cidr) else { continue };
            let (label, known) = (s.owner_label(), !s.owner.is_empty());
            match out
                .iter_mut()
                .find(|o| o.owner == label && o.known == known)
            {
                Some(o) => {
                    o.subnets += 1;
                    o.addresses += c.addresses();
                }
                None => out.push(OwnerTotal {
                    owner: label.to_string(),
                    known,
                    subnets: 1,
                    addresses: c.addresses(),
                }),
            }
        }
        out.sort_by(|a, b| (!a.known, &a.owner).cmp(&(!b.known, &b.owner)));
        out
    }

    /// The picture, as an SVG document.
    pub fn svg(&self) -> String {
        svg::render(self)
    }

    /// The same as a Markdown table.
    pub fn markdown(&self) -> String {
        markdown::render(self)
    }
}

/// `n` with thousands separators (`65,536`).
pub(crate) fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A percentage as text with up to two decimals (`1.17`, `50`, `0.4`).
pub(crate) fn percent_text(p: f64) -> String {
    let s = format!("{p:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}
