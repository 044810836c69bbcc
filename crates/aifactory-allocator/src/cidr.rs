//! CIDR values: parsing, display and the integer arithmetic behind them.
//!
//! Internally the allocator works on [`Net`]: a start and a prefix in an address space
//! `width` bits wide. IPv4 uses width 32 (one unit = one address). IPv6 uses width 64
//! over the upper 64 bits of the address: every Azure IPv6 subnet is a /64, so the /64
//! is the unit and nothing smaller is ever allocated. Every size therefore fits in a
//! `u128` (at most 2^64) and no arithmetic here can overflow.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use thiserror::Error;

/// Width of the internal IPv4 space (addresses).
pub(crate) const V4_WIDTH: u8 = 32;
/// Width of the internal IPv6 space (units of /64).
pub(crate) const V6_WIDTH: u8 = 64;

/// An aligned block `[start, start + 2^(width - prefix))` of a `width`-bit space.
/// Invariants (kept by every constructor in this module): `prefix <= width` and
/// `start` is a multiple of the block size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Net {
    pub start: u128,
    pub prefix: u8,
}

/// Number of units in a block of `prefix` in a `width`-bit space (`width <= 64`).
pub(crate) fn block_size(width: u8, prefix: u8) -> u128 {
    1u128 << width.saturating_sub(prefix).min(64)
}

impl Net {
    /// The block of `prefix` containing `unit` (host bits cleared, prefix clamped).
    pub fn containing(width: u8, unit: u128, prefix: u8) -> Net {
        let prefix = prefix.min(width);
        let size = block_size(width, prefix);
        Net {
            start: unit & !(size - 1),
            prefix,
        }
    }
    pub fn size(self, width: u8) -> u128 {
        block_size(width, self.prefix)
    }
    /// One past the last unit (at most 2^64).
    pub fn end(self, width: u8) -> u128 {
        self.start + self.size(width)
    }
    pub fn contains(self, other: Net, width: u8) -> bool {
        self.prefix <= other.prefix && other.start >= self.start && other.start < self.end(width)
    }
    /// Aligned blocks overlap only when one contains the other.
    pub fn overlaps(self, other: Net, width: u8) -> bool {
        self.contains(other, width) || other.contains(self, width)
    }
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

/// A parsed CIDR of either family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Cidr {
    V4(Cidr4),
    V6(Cidr6),
}

/// Why a string is not a usable CIDR.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CidrError {
    #[error("empty string")]
    Empty,
    #[error("\"{text}\" has no prefix length")]
    MissingPrefix { text: String },
    #[error("\"{text}\": \"{address}\" is not an IPv4 or IPv6 address")]
    InvalidAddress { text: String, address: String },
    #[error("\"{text}\": prefix length \"{prefix}\" is not a number")]
    InvalidPrefix { text: String, prefix: String },
    #[error("\"{text}\": prefix length /{prefix} is longer than /{max}")]
    PrefixTooLong { text: String, prefix: u32, max: u8 },
    #[error("\"{text}\" has host bits set; did you mean \"{suggested}\"?")]
    HostBitsSet { text: String, suggested: String },
    #[error("\"{text}\" is not an {expected} CIDR")]
    WrongFamily {
        text: String,
        expected: &'static str,
    },
}

impl Cidr4 {
    /// A CIDR, if `prefix <= 32` and `addr` has no bits set past the prefix.
    pub fn new(addr: Ipv4Addr, prefix: u8) -> Option<Cidr4> {
        let c = Cidr4 { addr, prefix };
        (prefix <= 32 && c.network() == addr).then_some(c)
    }
    /// The /`prefix` network containing `addr` (host bits cleared).
    pub fn containing(addr: Ipv4Addr, prefix: u8) -> Option<Cidr4> {
        (prefix <= 32).then(|| Cidr4 {
            addr: Cidr4 { addr, prefix }.network(),
            prefix,
        })
    }
    /// The network address (host bits cleared).
    pub fn network(&self) -> Ipv4Addr {
        Cidr4::from_net(self.to_net()).addr
    }
    /// Number of addresses (2^(32 - prefix)).
    pub fn addresses(&self) -> u64 {
        1u64 << (32 - self.prefix.min(32))
    }
    /// Usable addresses in Azure (addresses minus the 5 Azure reserves; 0 below /29).
    pub fn usable_hosts(&self) -> u64 {
        self.addresses()
            .saturating_sub(super::AZURE_RESERVED_PER_SUBNET)
    }
    pub fn contains(&self, other: &Cidr4) -> bool {
        self.to_net().contains(other.to_net(), V4_WIDTH)
    }
    pub fn overlaps(&self, other: &Cidr4) -> bool {
        self.to_net().overlaps(other.to_net(), V4_WIDTH)
    }
    pub(crate) fn to_net(self) -> Net {
        Net::containing(V4_WIDTH, u128::from(u32::from(self.addr)), self.prefix)
    }
    pub(crate) fn from_net(net: Net) -> Cidr4 {
        // A V4 net's start is below 2^32 by construction; the cast keeps the low bits.
        Cidr4 {
            addr: Ipv4Addr::from(net.start as u32),
            prefix: net.prefix.min(32),
        }
    }
}

impl Cidr6 {
    /// A CIDR, if `prefix <= 128` and `addr` has no bits set past the prefix.
    pub fn new(addr: Ipv6Addr, prefix: u8) -> Option<Cidr6> {
        let c = Cidr6 { addr, prefix };
        (prefix <= 128 && c.network() == addr).then_some(c)
    }
    /// The network address (host bits cleared).
    pub fn network(&self) -> Ipv6Addr {
        let bits = u128::from(self.addr);
        let mask = match self.prefix {
            0 => 0,
            p => u128::MAX << (128 - u32::from(p.min(128))),
        };
        Ipv6Addr::from(bits & mask)
    }
    pub fn contains(&self, other: &Cidr6) -> bool {
        let (a, b) = (u128::from(self.network()), u128::from(other.network()));
        self.prefix <= other.prefix
            && (self.prefix == 0 || (a ^ b) >> (128 - u32::from(self.prefix.min(128))) == 0)
    }
    pub fn overlaps(&self, other: &Cidr6) -> bool {
        self.contains(other) || other.contains(self)
    }
    /// The block of /64 units this CIDR covers (a CIDR longer than /64 maps to its /64).
    pub(crate) fn to_unit_net(self) -> Net {
        Net::containing(V6_WIDTH, u128::from(self.addr) >> 64, self.prefix)
    }
    pub(crate) fn from_unit_net(net: Net) -> Cidr6 {
        Cidr6 {
            addr: Ipv6Addr::from(net.start << 64),
            prefix: net.prefix.min(64),
        }
    }
}

impl fmt::Display for Cidr4 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

impl fmt::Display for Cidr6 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cidr::V4(c) => c.fmt(f),
            Cidr::V6(c) => c.fmt(f),
        }
    }
}

impl FromStr for Cidr {
    type Err = CidrError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_cidr(s)
    }
}

impl FromStr for Cidr4 {
    type Err = CidrError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match parse_cidr(s)? {
            Cidr::V4(c) => Ok(c),
            Cidr::V6(_) => Err(CidrError::WrongFamily {
                text: s.to_string(),
                expected: "IPv4",
            }),
        }
    }
}

impl FromStr for Cidr6 {
    type Err = CidrError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match parse_cidr(s)? {
            Cidr::V6(c) => Ok(c),
            Cidr::V4(_) => Err(CidrError::WrongFamily {
                text: s.to_string(),
                expected: "IPv6",
            }),
        }
    }
}

/// Parse `address/prefix` strictly: no surrounding space, a decimal prefix, and no
/// host bits set (`10.0.0.1/24` is an error that suggests `10.0.0.0/24`).
pub fn parse_cidr(text: &str) -> Result<Cidr, CidrError> {
    if text.is_empty() {
        return Err(CidrError::Empty);
    }
    let Some((addr_text, prefix_text)) = text.split_once('/') else {
        return Err(CidrError::MissingPrefix {
            text: text.to_string(),
        });
    };
    if prefix_text.is_empty()
        || prefix_text.len() > 3
        || !prefix_text.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(CidrError::InvalidPrefix {
            text: text.to_string(),
            prefix: prefix_text.to_string(),
        });
    }
    let prefix: u32 = prefix_text.parse().map_err(|_| CidrError::InvalidPrefix {
        text: text.to_string(),
        prefix: prefix_text.to_string(),
    })?;
    let bad_addr = || CidrError::InvalidAddress {
        text: text.to_string(),
        address: addr_text.to_string(),
    };
    if addr_text.contains(':') {
        let addr = Ipv6Addr::from_str(addr_text).map_err(|_| bad_addr())?;
        let prefix =
            u8::try_from(prefix)
                .ok()
                .filter(|p| *p <= 128)
                .ok_or(CidrError::PrefixTooLong {
                    text: text.to_string(),
                    prefix,
                    max: 128,
                })?;
        let c = Cidr6 { addr, prefix };
        if c.network() != addr {
            let suggested = Cidr6 {
                addr: c.network(),
                prefix,
            }
            .to_string();
            return Err(CidrError::HostBitsSet {
                text: text.to_string(),
                suggested,
            });
        }
        Ok(Cidr::V6(c))
    } else {
        let addr = Ipv4Addr::from_str(addr_text).map_err(|_| bad_addr())?;
        let prefix =
            u8::try_from(prefix)
                .ok()
                .filter(|p| *p <= 32)
                .ok_or(CidrError::PrefixTooLong {
                    text: text.to_string(),
                    prefix,
                    max: 32,
                })?;
        let c = Cidr4 { addr, prefix };
        if c.network() != addr {
            let suggested = Cidr4 {
                addr: c.network(),
                prefix,
            }
            .to_string();
            return Err(CidrError::HostBitsSet {
                text: text.to_string(),
                suggested,
            });
        }
        Ok(Cidr::V4(c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_addr_slash_prefix() {
        let c = Cidr4 {
            addr: Ipv4Addr::new(10, 1, 2, 0),
            prefix: 24,
        };
        assert_eq!(c.to_string(), "10.1.2.0/24");
        let c6: Cidr6 = "fd00:10::/48".parse().unwrap();
        assert_eq!(c6.to_string(), "fd00:10::/48");
        assert_eq!(parse_cidr("10.0.0.0/8").unwrap().to_string(), "10.0.0.0/8");
    }

    #[test]
    fn parses_both_families() {
        assert_eq!(
            parse_cidr("10.0.0.0/16"),
            Ok(Cidr::V4(Cidr4 {
                addr: Ipv4Addr::new(10, 0, 0, 0),
                prefix: 16
            }))
        );
        assert!(matches!(
            parse_cidr("fd00::/8"),
            Ok(Cidr::V6(Cidr6 { prefix: 8, .. }))
        ));
        assert!(matches!(parse_cidr("0.0.0.0/0"), Ok(Cidr::V4(_))));
        assert!(matches!(parse_cidr("::/0"), Ok(Cidr::V6(_))));
        assert!(matches!(parse_cidr("::/128"), Ok(Cidr::V6(_))));
    }

    #[test]
    fn rejects_garbage_with_typed_errors() {
        assert_eq!(parse_cidr(""), Err(CidrError::Empty));
        assert!(matches!(
            parse_cidr("10.0.0.0"),
            Err(CidrError::MissingPrefix { .. })
        ));
        assert!(matches!(
            parse_cidr("10.0.0/8"),
            Err(CidrError::InvalidAddress { .. })
        ));
        assert!(matches!(
            parse_cidr("banana/8"),
            Err(CidrError::InvalidAddress { .. })
        ));
        assert!(matches!(
            parse_cidr("10.0.0.0/x"),
            Err(CidrError::InvalidPrefix { .. })
        ));
        assert!(matches!(
            parse_cidr("10.0.0.0/+8"),
            Err(CidrError::InvalidPrefix { .. })
        ));
        assert!(matches!(
            parse_cidr("10.0.0.0/"),
            Err(CidrError::InvalidPrefix { .. })
        ));
        assert!(matches!(
            parse_cidr("10.0.0.0/8/8"),
            Err(CidrError::InvalidPrefix { .. })
        ));
        assert!(matches!(
            parse_cidr(" 10.0.0.0/8"),
            Err(CidrError::InvalidAddress { .. })
        ));
        assert!(matches!(
            parse_cidr("10.0.0.0/33"),
            Err(CidrError::PrefixTooLong { max: 32, .. })
        ));
        assert!(matches!(
            parse_cidr("fd00::/129"),
            Err(CidrError::PrefixTooLong { max: 128, .. })
        ));
        assert!(matches!(
            parse_cidr("10.0.0.0/999"),
            Err(CidrError::PrefixTooLong { .. })
        ));
    }

    #[test]
    fn host_bits_error_suggests_the_network() {
        let e = parse_cidr("10.0.0.1/24").unwrap_err();
        assert_eq!(
            e,
            CidrError::HostBitsSet {
                text: "10.0.0.1/24".into(),
                suggested: "10.0.0.0/24".into()
            }
        );
        assert!(e.to_string().contains("10.0.0.0/24"));
        let e = parse_cidr("fd00::1/64").unwrap_err();
        assert!(e.to_string().contains("fd00::/64"), "{e}");
    }

    #[test]
    fn containment_and_overlap() {
        let a: Cidr4 = "10.0.0.0/16".parse().unwrap();
        let b: Cidr4 = "10.0.4.0/24".parse().unwrap();
        let c: Cidr4 = "10.1.0.0/24".parse().unwrap();
        assert!(a.contains(&b) && !b.contains(&a) && a.overlaps(&b) && b.overlaps(&a));
        assert!(!a.overlaps(&c));
        assert_eq!(a.addresses(), 65536);
        assert_eq!(b.usable_hosts(), 251);
        let x: Cidr6 = "fd00::/48".parse().unwrap();
        let y: Cidr6 = "fd00:0:0:5::/64".parse().unwrap();
        assert!(x.contains(&y) && !y.contains(&x));
        assert!(Cidr4::new(Ipv4Addr::new(10, 0, 0, 1), 24).is_none());
        assert_eq!(
            Cidr4::containing(Ipv4Addr::new(10, 0, 0, 1), 24),
            Some("10.0.0.0/24".parse().unwrap())
        );
        assert!(Cidr4::new(Ipv4Addr::new(10, 0, 0, 0), 33).is_none());
    }

    #[test]
    fn unit_space_round_trips() {
        let y: Cidr6 = "fd00:0:0:5::/64".parse().unwrap();
        assert_eq!(Cidr6::from_unit_net(y.to_unit_net()), y);
        let z: Cidr6 = "fd00:0:0:5::100/120".parse().unwrap();
        assert_eq!(z.to_unit_net(), y.to_unit_net());
        let b: Cidr4 = "10.0.4.0/24".parse().unwrap();
        assert_eq!(Cidr4::from_net(b.to_net()), b);
        assert_eq!(b.to_net().size(V4_WIDTH), 256);
    }
}
