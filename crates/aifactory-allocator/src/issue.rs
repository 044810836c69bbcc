//! Typed problems found by the allocator, with the text the user sees.

use std::fmt;

use aifactory_attrpath::AttrPath;

use super::cidr::CidrError;
use super::limits::{AZURE_RESERVED_PER_SUBNET, MIN_IPV4_PREFIX};

/// A problem with the input, on one attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub path: AttrPath,
    pub kind: IssueKind,
}

/// Which list of blocked ranges an entry came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BlockedList {
    Reserved,
    Occupied,
}

impl fmt::Display for BlockedList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BlockedList::Reserved => "reserved",
            BlockedList::Occupied => "occupied",
        })
    }
}

/// Why a result held in state was re-allocated.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MoveReason {
    /// The request's size changed (a requested change: no warning).
    SizeChanged,
    /// The range is no longer inside `address_space`.
    OutsidePool,
    /// Slot strategy: the range is not inside the project's slot (e.g. `slot` changed).
    OutsideSlot { slot: String },
    /// The range overlaps a reserved range.
    OverlapsReserved { cidr: String },
    /// The range overlaps an occupied range that is not exactly itself.
    OverlapsOccupied { cidr: String },
    /// Corrupt state: overlaps the result of another request that sorts first.
    OverlapsPrevious { name: String },
    /// The value in state is not a CIDR of the right family and size.
    InvalidPrevious,
}

impl fmt::Display for MoveReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MoveReason::SizeChanged => f.write_str("size changed"),
            MoveReason::OutsidePool => f.write_str("it is no longer inside address_space"),
            MoveReason::OutsideSlot { slot } => write!(f, "it is outside the slot {slot}"),
            MoveReason::OverlapsReserved { cidr } => {
                write!(f, "it overlaps the reserved range {cidr}")
            }
            MoveReason::OverlapsOccupied { cidr } => {
                write!(f, "it overlaps the occupied range {cidr}")
            }
            MoveReason::OverlapsPrevious { name } => {
                write!(f, "it overlaps the range of subnets[{name:?}] in state (corrupt state; the name sorting first keeps its range)")
            }
            MoveReason::InvalidPrevious => {
                f.write_str("the value in state is not a valid CIDR of the expected size")
            }
        }
    }
}

/// What went wrong (typed, so tests and callers can match on it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueKind {
    /// An `address_space`, `reserved` or `occupied` entry is not a usable CIDR.
    InvalidCidr(CidrError),
    /// Two `address_space` entries overlap (`other` is listed earlier).
    OverlappingPool { cidr: String, other: String },
    /// An IPv6 `address_space` entry is longer than /64.
    Ipv6PoolTooSmall { cidr: String },
    /// `address_space` has no IPv4 entry.
    NoIpv4Pool,
    /// Warning: a reserved/occupied entry does not touch `address_space`; ignored.
    OutsidePool { list: BlockedList, cidr: String },
    /// Warning: a reserved/occupied entry lies partly outside `address_space`; clipped.
    PartlyOutsidePool { list: BlockedList, cidr: String },
    /// A subnet name is empty (or blank).
    EmptyName,
    /// A subnet name is given twice (see [`super::requests_from_pairs`]).
    DuplicateName { name: String },
    /// Both `prefix_length` and `min_hosts` are set.
    SizeBothGiven { name: String },
    /// Neither `prefix_length` nor `min_hosts` is set.
    SizeMissing { name: String },
    /// `prefix_length` outside 1..=29.
    PrefixOutOfRange { name: String, prefix_length: i64 },
    /// `min_hosts` below 1 or above what a /1 holds.
    MinHostsOutOfRange { name: String, min_hosts: i64 },
    /// `ipv6 = true` but `address_space` has no IPv6 entry.
    Ipv6WithoutPool { name: String },
    /// `slot_prefix_length` outside 1..=29.
    SlotPrefixOutOfRange { prefix_length: i64 },
    /// `slot` is negative.
    SlotIndexNegative { index: i64 },
    /// The slot is smaller than one of the requested subnets (the largest is named).
    SlotSmallerThanSubnet {
        slot_prefix_length: u8,
        name: String,
        prefix_length: u8,
    },
    /// `slot` is past the last slot of the IPv4 `address_space`. `too_small` lists the
    /// IPv4 pool entries smaller than a slot, which contribute none.
    SlotOutsidePool {
        index: u64,
        slot_prefix_length: u8,
        slots: u128,
        too_small: Vec<String>,
    },
    /// `slot` is past the last /56 of the IPv6 `address_space`.
    Ipv6SlotOutsidePool {
        index: u64,
        slots: u128,
        too_small: Vec<String>,
    },
    /// Nothing in the slot is free: reserved/occupied ranges cover all of it.
    SlotFullyBlocked { index: u64, slot: String },
    /// No free block large enough for an IPv4 subnet.
    Exhausted {
        name: String,
        prefix_length: u8,
        addresses: u64,
        largest_free: Option<String>,
        free_addresses: u64,
        /// The slot searched (slot strategy) or `None` (the whole pool).
        slot: Option<String>,
    },
    /// No free /64 left for a subnet's IPv6 range.
    Ipv6Exhausted {
        name: String,
        largest_free: Option<String>,
        free_subnets: u128,
        slot: Option<String>,
    },
    /// Warning: a result held in state had to move.
    Moved {
        name: String,
        ipv6: bool,
        from: String,
        to: String,
        reason: MoveReason,
    },
}

impl Issue {
    pub fn new(path: AttrPath, kind: IssueKind) -> Issue {
        Issue { path, kind }
    }

    /// Warnings do not stop allocation; everything else is an error.
    pub fn is_warning(&self) -> bool {
        matches!(
            self.kind,
            IssueKind::OutsidePool { .. }
                | IssueKind::PartlyOutsidePool { .. }
                | IssueKind::Moved { .. }
        )
    }

    pub fn is_error(&self) -> bool {
        !self.is_warning()
    }

    /// One line saying what is wrong.
    pub fn summary(&self) -> String {
        use IssueKind as K;
        match &self.kind {
            K::InvalidCidr(CidrError::HostBitsSet { text, suggested }) => {
                format!("Invalid CIDR \"{text}\": host bits are set (did you mean \"{suggested}\"?)")
            }
            K::InvalidCidr(e) => format!("Invalid CIDR: {e}"),
            K::OverlappingPool { cidr, other } => format!("address_space entries {other} and {cidr} overlap"),
            K::Ipv6PoolTooSmall { cidr } => format!("IPv6 address_space entry {cidr} is smaller than a /64"),
            K::NoIpv4Pool => "address_space has no IPv4 range".to_string(),
            K::OutsidePool { list, cidr } => format!("{list} range {cidr} lies outside address_space and is ignored"),
            K::PartlyOutsidePool { list, cidr } => {
                format!("{list} range {cidr} lies partly outside address_space; only the part inside is used")
            }
            K::EmptyName => "Subnet name is empty".to_string(),
            K::DuplicateName { name } => format!("Subnet name {name:?} is used more than once"),
            K::SizeBothGiven { name } => format!("Subnet {name:?} sets both prefix_length and min_hosts"),
            K::SizeMissing { name } => format!("Subnet {name:?} sets neither prefix_length nor min_hosts"),
            K::PrefixOutOfRange { name, prefix_length } => {
                format!("prefix_length {prefix_length} of subnet {name:?} is out of range (1-{MIN_IPV4_PREFIX})")
            }
            K::MinHostsOutOfRange { name, min_hosts } => {
                format!("min_hosts {min_hosts} of subnet {name:?} is out of range (1-{})", max_min_hosts())
            }
            K::Ipv6WithoutPool { name } => {
                format!("Subnet {name:?} asks for IPv6 but address_space has no IPv6 range")
            }
            K::SlotPrefixOutOfRange { prefix_length } => {
                format!("slot_prefix_length {prefix_length} is out of range (1-{MIN_IPV4_PREFIX})")
            }
            K::SlotIndexNegative { index } => format!("slot {index} is negative"),
            K::SlotSmallerThanSubnet { slot_prefix_length, name, prefix_length } => {
                format!("A /{slot_prefix_length} slot cannot hold subnet {name:?} (/{prefix_length})")
            }
            K::SlotOutsidePool { index, slot_prefix_length, slots, .. } => format!(
                "slot {index} lies outside address_space, which has {slots} /{slot_prefix_length} slot{}",
                plural(*slots)
            ),
            K::Ipv6SlotOutsidePool { index, slots, .. } => format!(
                "slot {index} has no IPv6 block: the IPv6 address_space has {slots} /56 slot{}",
                plural(*slots)
            ),
            K::SlotFullyBlocked { index, slot } => format!("slot {index} ({slot}) is entirely reserved or occupied"),
            K::Exhausted { name, prefix_length, addresses, slot, .. } => format!(
                "No room for subnet {name:?} (/{prefix_length}, {addresses} addresses) in {}",
                slot.as_ref().map_or("address_space".to_string(), |s| format!("slot {s}"))
            ),
            K::Ipv6Exhausted { name, slot, .. } => format!(
                "No free IPv6 /64 for subnet {name:?} in {}",
                slot.as_ref().map_or("address_space".to_string(), |s| format!("slot {s}"))
            ),
            K::Moved { name, ipv6, from, to, reason } => format!(
                "Subnet {name:?} {}moves from {from} to {to}: {reason}",
                if *ipv6 { "(IPv6) " } else { "" }
            ),
        }
    }

    /// How to fix it, naming the attribute and the fix.
    pub fn detail(&self) -> String {
        use IssueKind as K;
        let path = &self.path;
        match &self.kind {
            K::InvalidCidr(e) => match e {
                CidrError::Empty => {
                    format!("{path} is empty. Write a CIDR such as \"10.0.0.0/16\" or remove the entry.")
                }
                CidrError::MissingPrefix { text } => format!(
                    "{path} = \"{text}\" has no prefix length. Write it as address/prefix, e.g. \"{text}/24\"."
                ),
                CidrError::InvalidAddress { text, address } => format!(
                    "{path} = \"{text}\": \"{address}\" is not an IPv4 or IPv6 address. Write a CIDR such as \
                     \"10.0.0.0/16\" or \"fd00:10::/48\" (no spaces)."
                ),
                CidrError::InvalidPrefix { text, prefix } => format!(
                    "{path} = \"{text}\": the prefix length \"{prefix}\" after '/' must be a whole number, \
                     0-32 for IPv4 or 0-128 for IPv6."
                ),
                CidrError::PrefixTooLong { text, prefix, max } => format!(
                    "{path} = \"{text}\": /{prefix} is longer than /{max}, the longest prefix of that address \
                     family. Use a prefix length between 0 and {max}."
                ),
                CidrError::HostBitsSet { text, suggested } => format!(
                    "{path} = \"{text}\" has host bits set: a network must start at a multiple of its size. \
                     Use \"{suggested}\" (the network that contains this address) instead."
                ),
                CidrError::WrongFamily { text, expected } => {
                    format!("{path} = \"{text}\" must be an {expected} CIDR.")
                }
            },
            K::OverlappingPool { cidr, other } => format!(
                "{path} = {cidr} overlaps {other}, listed earlier in address_space. Each address range may appear \
                 once: remove {path}, or replace the overlapping entries by non-overlapping ones."
            ),
            K::Ipv6PoolTooSmall { cidr } => format!(
                "Azure IPv6 subnets are always /64, so an IPv6 address_space entry must be a /64 or larger \
                 (shorter prefix, e.g. /48 or /56). Change {path} = {cidr} accordingly."
            ),
            K::NoIpv4Pool => format!(
                "Every subnet needs an IPv4 range. Add at least one IPv4 CIDR (e.g. \"10.0.0.0/16\") to {}; \
                 IPv6 ranges are only used by subnets with ipv6 = true.",
                display_or(path, "address_space")
            ),
            K::OutsidePool { list, cidr } => format!(
                "{path} = {cidr} does not overlap any address_space range, so this {list} entry has no effect. \
                 Remove it, or add the range it belongs to to address_space."
            ),
            K::PartlyOutsidePool { list, cidr } => format!(
                "Only the part of {path} = {cidr} inside address_space is treated as {list}; the rest is \
                 ignored. Narrow the entry to the address_space ranges to silence this warning."
            ),
            K::EmptyName => format!(
                "{path}: every subnet needs a non-empty name (its key in the subnets map). Rename the entry, \
                 e.g. subnets[\"genai\"]."
            ),
            K::DuplicateName { name } => format!(
                "{path}: each subnet name must be unique. Rename or remove one of the entries named {name:?}."
            ),
            K::SizeBothGiven { .. } => format!(
                "{path}: give exactly one of prefix_length (e.g. 26) or min_hosts (e.g. 50). Remove one of them."
            ),
            K::SizeMissing { .. } => format!(
                "{path}: set exactly one of prefix_length (1-{MIN_IPV4_PREFIX}, e.g. 26 for 64 addresses) or \
                 min_hosts (the usable addresses needed; Azure reserves {AZURE_RESERVED_PER_SUBNET} per subnet)."
            ),
            K::PrefixOutOfRange { .. } => format!(
                "{path} must be between 1 and {MIN_IPV4_PREFIX}: Azure's smallest IPv4 subnet is a /29 (8 \
                 addresses, 3 usable). Set {path} to a value in that range, e.g. {MIN_IPV4_PREFIX}."
            ),
            K::MinHostsOutOfRange { min_hosts, .. } => format!(
                "{path} = {min_hosts}, but it must be between 1 and {}. Set it to the number of usable \
                 addresses the subnet needs; the smallest prefix whose address count minus the \
                 {AZURE_RESERVED_PER_SUBNET} Azure reserves covers it is chosen (1-3 -> /29, 50 -> /26).",
                max_min_hosts()
            ),
            K::Ipv6WithoutPool { .. } => format!(
                "{path} = true needs an IPv6 range of /64 or larger in address_space (e.g. \"fd00:10::/48\"). \
                 Add one to address_space, or set {path} = false."
            ),
            K::SlotPrefixOutOfRange { .. } => format!(
                "{} must be between 1 and {MIN_IPV4_PREFIX} (a slot must hold at least one /29 subnet) and no \
                 longer than the largest requested subnet. Set it to e.g. 21 (2048 addresses per slot).",
                display_or(path, "slot_prefix_length")
            ),
            K::SlotIndexNegative { .. } => format!(
                "{} is the 0-based number of the project's block of the address_space. Set it to 0 or more.",
                display_or(path, "slot")
            ),
            K::SlotSmallerThanSubnet { slot_prefix_length, name, prefix_length } => format!(
                "{} = {slot_prefix_length} gives {} addresses per slot, but subnets[{name:?}] needs a \
                 /{prefix_length} ({} addresses). Set slot_prefix_length to {prefix_length} or less, or shrink \
                 the subnet.",
                display_or(path, "slot_prefix_length"),
                addresses(*slot_prefix_length),
                addresses(*prefix_length)
            ),
            K::SlotOutsidePool { slots, slot_prefix_length, too_small, .. } => {
                let range = if *slots == 0 {
                    "there are none".to_string()
                } else {
                    format!("there {} {slots}, so {} must be between 0 and {}", are(*slots), display_or(path, "slot"), slots - 1)
                };
                let small = if too_small.is_empty() {
                    String::new()
                } else {
                    format!(
                        " Entries smaller than a /{slot_prefix_length} contribute no slot: {}.",
                        too_small.join(", ")
                    )
                };
                format!(
                    "Slots are the aligned /{slot_prefix_length} blocks of the IPv4 address_space entries, counted \
                     from 0 in listed order; {range}.{small} Use a lower slot, a longer slot_prefix_length \
                     (smaller slots), or add address_space."
                )
            }
            K::Ipv6SlotOutsidePool { slots, too_small, .. } => {
                let small = if too_small.is_empty() {
                    String::new()
                } else {
                    format!(" Entries smaller than a /56 contribute no slot: {}.", too_small.join(", "))
                };
                format!(
                    "With the slot strategy a subnet with ipv6 = true takes its /64 from the slot-th /56 of the \
                     IPv6 address_space entries, counted from 0 in listed order; there {} {slots}.{small} Add a \
                     larger IPv6 range (a /48 holds 256 slots), use a lower {}, or set ipv6 = false.",
                    are(*slots),
                    display_or(path, "slot")
                )
            }
            K::SlotFullyBlocked { slot, .. } => format!(
                "Nothing in {slot} is free: reserved and occupied ranges cover all of it. Choose another {}, \
                 or remove the reserved/occupied entries inside it.",
                display_or(path, "slot")
            ),
            K::Exhausted { prefix_length, addresses, largest_free, free_addresses, slot, .. } => {
                let largest = largest_free.as_ref().map_or("none".to_string(), |l| l.to_string());
                let fix = if slot.is_some() {
                    "Use a larger slot (a smaller slot_prefix_length), remove reserved/occupied ranges inside \
                     the slot, or shrink the subnets"
                } else {
                    "Add or enlarge address_space, remove reserved ranges, or shrink the subnets"
                };
                format!(
                    "{path} needs a /{prefix_length} ({addresses} addresses) but, after placing the larger \
                     subnets first, the largest free block left is {largest} and {free_addresses} addresses are \
                     free in total. {fix} (prefix_length / min_hosts)."
                )
            }
            K::Ipv6Exhausted { largest_free, free_subnets, slot, .. } => {
                let largest = largest_free.as_ref().map_or("none".to_string(), |l| l.to_string());
                let fix = if slot.is_some() { "Use another slot or add IPv6 address_space" } else { "Add IPv6 address_space" };
                format!(
                    "{path} = true needs a free /64, but the largest free IPv6 block left is {largest} \
                     ({free_subnets} free /64s in total). {fix}, remove reserved/occupied IPv6 ranges, or set \
                     {path} = false."
                )
            }
            K::Moved { from, to, reason, .. } => {
                let fix = match reason {
                    MoveReason::OverlapsReserved { cidr } => format!("remove or narrow the reserved range {cidr}"),
                    MoveReason::OverlapsOccupied { cidr } => {
                        format!("remove the overlapping occupied range {cidr} (another subnet now uses that space)")
                    }
                    MoveReason::OutsidePool => "restore the address_space entry that contained it".to_string(),
                    MoveReason::OutsideSlot { .. } => "restore the previous slot and slot_prefix_length".to_string(),
                    _ => "restore the previous configuration".to_string(),
                };
                format!(
                    "{path} was {from} in state, but {reason}, so it was re-allocated to {to}. Azure can only \
                     change the range of an empty subnet; to keep {from}, {fix}."
                )
            }
        }
    }
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_root() {
            f.write_str(&self.summary())
        } else {
            write!(f, "{}: {}", self.path, self.summary())
        }
    }
}

/// The largest `min_hosts` any IPv4 subnet (a /1) can hold.
pub(crate) fn max_min_hosts() -> u64 {
    (1u64 << 31) - AZURE_RESERVED_PER_SUBNET
}

fn addresses(prefix: u8) -> u64 {
    1u64 << (32 - prefix.min(32))
}

fn plural(n: u128) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn are(n: u128) -> &'static str {
    if n == 1 {
        "is"
    } else {
        "are"
    }
}

fn display_or(path: &AttrPath, fallback: &str) -> String {
    if path.is_root() {
        fallback.to_string()
    } else {
        path.to_string()
    }
}
