//! Azure's subnet limits the allocator works with. A leaf: imports nothing.

/// Azure reserves 5 addresses in every subnet.
pub const AZURE_RESERVED_PER_SUBNET: u64 = 5;

/// Smallest IPv4 subnet Azure accepts.
pub const MIN_IPV4_PREFIX: u8 = 29;

/// Azure IPv6 subnets are always /64.
pub const IPV6_SUBNET_PREFIX: u8 = 64;
