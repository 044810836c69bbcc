//! The allocator's vocabulary: what it is asked (`AllocationInput`, `RequestSpec`,
//! `Strategy`, `Previous`), what it answers (`Allocation`, `Move`), and Azure's subnet
//! constants. A leaf: the engine, input checks and strategies import it.
//!
//! Must not: allocate, or know Terraform values.

use std::collections::BTreeMap;

use crate::cidr::{Cidr4, Cidr6};
use crate::issue::{Issue, MoveReason};
use crate::limits::{AZURE_RESERVED_PER_SUBNET, MIN_IPV4_PREFIX};

/// How new requests are placed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Strategy {
    /// Best fit anywhere in the pool (default).
    #[default]
    Packed,
    /// Packed inside the `index`-th block of size `/prefix_length` of the pool.
    /// `prefix_length` must be 1..=29 and no longer than any requested subnet; `index`
    /// is 0-based and counts the slots of the IPv4 pool entries in listed order.
    Slot { prefix_length: i64, index: i64 },
}

/// The size of one request, as written by the user (validated by the allocator).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestSpec {
    pub prefix_length: Option<i64>,
    pub min_hosts: Option<i64>,
    pub ipv6: bool,
}

/// A result held in state from an earlier plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Previous {
    pub ipv4: String,
    pub ipv6: Option<String>,
}

/// Everything the allocator looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllocationInput {
    /// `address_space`: IPv4 and/or IPv6 CIDRs, in listed order.
    pub pool: Vec<String>,
    pub reserved: Vec<String>,
    pub occupied: Vec<String>,
    pub strategy: Strategy,
    /// `subnets`: request name -> size.
    pub requests: BTreeMap<String, RequestSpec>,
    /// Results held in state, by request name.
    pub previous: BTreeMap<String, Previous>,
}

/// Why a previously allocated range had to move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    pub name: String,
    pub from: String,
    pub to: String,
    /// Human-readable reason ("size changed" for a resized request).
    pub reason: String,
    /// The same reason, typed.
    pub kind: MoveReason,
    /// The IPv6 range moved (otherwise the IPv4 one).
    pub ipv6: bool,
}

/// The allocator's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allocation {
    pub ipv4: BTreeMap<String, Cidr4>,
    pub ipv6: BTreeMap<String, Cidr6>,
    /// Total addresses of all results (IPv4 + IPv6 counted separately: see field names).
    pub ipv4_addresses: u64,
    pub moves: Vec<Move>,
    /// Non-fatal problems (reserved/occupied outside the pool, moves).
    pub warnings: Vec<Issue>,
    /// Slot strategy: the project's IPv4 slot.
    pub slot: Option<Cidr4>,
    /// Slot strategy: the project's IPv6 /56, when some subnet has `ipv6 = true`.
    pub slot_ipv6: Option<Cidr6>,
}

/// The smallest IPv4 prefix (1..=29) whose address count minus the 5 addresses Azure
/// reserves holds `min_hosts`: 1..=3 -> /29, 50 -> /26, 59 -> /26, 60 -> /25. `None`
/// for 0 or more than a /1 holds.
pub fn prefix_for_hosts(min_hosts: u64) -> Option<u8> {
    if min_hosts == 0 {
        return None;
    }
    let need = min_hosts.checked_add(AZURE_RESERVED_PER_SUBNET)?;
    // need >= 6: the number of host bits is ceil(log2(need)).
    let host_bits = 64 - (need - 1).leading_zeros();
    let prefix = 32i64 - i64::from(host_bits);
    let prefix = prefix.min(i64::from(MIN_IPV4_PREFIX));
    u8::try_from(prefix).ok().filter(|p| *p >= 1)
}
