//! The subnet allocator: a pure, deterministic function from (pool, reserved, occupied,
//! requests, strategy, previous results) to CIDRs. No I/O, no clocks, no hashing order.
//!
//! Owns: CIDR parsing and validation, free-space bookkeeping, the `packed` and `slot`
//! strategies, stability of previous results. Must not touch: Terraform values, Azure.
//! Problems come back as typed [`Issue`]s carrying the attribute path they concern, so
//! the resource can underline the right line of HCL.
//!
//! (API fixed here; implementation in progress.)

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::framework::AttrPath;

/// Azure reserves 5 addresses in every subnet.
pub const AZURE_RESERVED_PER_SUBNET: u64 = 5;
/// Smallest IPv4 subnet Azure accepts.
pub const MIN_IPV4_PREFIX: u8 = 29;
/// Azure IPv6 subnets are always /64.
pub const IPV6_SUBNET_PREFIX: u8 = 64;

/// How new requests are placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// Best fit anywhere in the pool (default).
    Packed,
    /// Packed inside the `index`-th block of size `/prefix_length` of the pool.
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

/// An IPv4 CIDR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cidr4 {
    pub addr: Ipv4Addr,
    pub prefix: u8,
}

/// An IPv6 CIDR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cidr6 {
    pub addr: Ipv6Addr,
    pub prefix: u8,
}

/// Why a previously allocated range had to move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    pub name: String,
    pub from: String,
    pub to: String,
    pub reason: String,
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
}

/// A problem with the input, on one attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub path: AttrPath,
    pub kind: IssueKind,
}

/// What went wrong (typed, so tests and callers can match on it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueKind {
    Placeholder(String),
}

/// Allocate. Errors: every problem found, each on its attribute; never a partial result.
pub fn allocate(_input: &AllocationInput) -> Result<Allocation, Vec<Issue>> {
    Err(vec![Issue { path: AttrPath::root(), kind: IssueKind::Placeholder("allocator not implemented yet".into()) }])
}
