//! Public IPv4 networks for `ip_allowlist` ([`Ipv4Net`]): parsing with the reason an
//! entry is refused ([`IpParse`]), containment, and the forms each service's IP rules
//! take. A leaf: imports nothing from `project`; must not know services or the spec.

use std::net::Ipv4Addr;

/// A validated public IPv4 network from `ip_allowlist`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ipv4Net {
    pub addr: Ipv4Addr,
    pub prefix: u8,
}

impl Ipv4Net {
    fn mask(prefix: u8) -> u32 {
        if prefix == 0 {
            0
        } else {
            u32::MAX << (32 - u32::from(prefix))
        }
    }
    /// Does `self` contain `other`?
    pub fn contains(&self, other: &Ipv4Net) -> bool {
        other.prefix >= self.prefix
            && (u32::from(other.addr) & Self::mask(self.prefix)) == u32::from(self.addr)
    }
    /// `a.b.c.d/n`.
    pub fn cidr(&self) -> String {
        format!("{}/{}", self.addr, self.prefix)
    }
    /// `a.b.c.d` for a /32, else the CIDR (Search, AI Services).
    pub fn ip_or_cidr(&self) -> String {
        if self.prefix == 32 {
            self.addr.to_string()
        } else {
            self.cidr()
        }
    }
    /// Azure Storage IP rules: single addresses for /31 and /32 (Storage does not accept
    /// those prefix sizes), the CIDR otherwise.
    pub fn storage_rules(&self) -> Vec<String> {
        match self.prefix {
            32 => vec![self.addr.to_string()],
            31 => {
                let a = u32::from(self.addr);
                vec![
                    Ipv4Addr::from(a).to_string(),
                    Ipv4Addr::from(a + 1).to_string(),
                ]
            }
            _ => vec![self.cidr()],
        }
    }
}

/// Why an allowlist entry was refused (see `IpProblem`), with the network when known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpParse {
    Syntax,
    HostBits(Ipv4Net),
    NotPublic,
    Everything,
}

/// Ranges that never reach a service's public endpoint as a source address.
const NOT_PUBLIC: &[(u8, u8, u8, u8, u8)] = &[
    (0, 0, 0, 0, 8),      // "this network"
    (10, 0, 0, 0, 8),     // RFC 1918
    (100, 64, 0, 0, 10),  // RFC 6598 shared address space
    (127, 0, 0, 0, 8),    // loopback
    (169, 254, 0, 0, 16), // link-local
    (172, 16, 0, 0, 12),  // RFC 1918
    (192, 168, 0, 0, 16), // RFC 1918
    (224, 0, 0, 0, 4),    // multicast
    (240, 0, 0, 0, 4),    // reserved
];

/// Parses `a.b.c.d` or `a.b.c.d/n` (0..=32) as a public IPv4 network.
pub fn parse_ipv4_net(text: &str) -> Result<Ipv4Net, IpParse> {
    let (addr_text, prefix) = match text.split_once('/') {
        Some((a, p)) => {
            if p.is_empty() || p.len() > 2 || !p.chars().all(|c| c.is_ascii_digit()) {
                return Err(IpParse::Syntax);
            }
            let n: u8 = p.parse().map_err(|_| IpParse::Syntax)?;
            if n > 32 {
                return Err(IpParse::Syntax);
            }
            (a, n)
        }
        None => (text, 32),
    };
    // Only canonical dotted quads (no leading zeros, no spaces).
    let octets: Vec<&str> = addr_text.split('.').collect();
    if octets.len() != 4
        || octets.iter().any(|o| {
            o.is_empty()
                || o.len() > 3
                || !o.chars().all(|c| c.is_ascii_digit())
                || (o.len() > 1 && o.starts_with('0'))
        })
    {
        return Err(IpParse::Syntax);
    }
    let addr: Ipv4Addr = addr_text.parse().map_err(|_| IpParse::Syntax)?;
    if prefix == 0 {
        return Err(IpParse::Everything);
    }
    let net = Ipv4Net {
        addr: Ipv4Addr::from(u32::from(addr) & Ipv4Net::mask(prefix)),
        prefix,
    };
    if net.addr != addr {
        return Err(IpParse::HostBits(net));
    }
    for (a, b, c, d, p) in NOT_PUBLIC {
        let range = Ipv4Net {
            addr: Ipv4Addr::new(*a, *b, *c, *d),
            prefix: *p,
        };
        let overlap = range.contains(&net) || net.contains(&range);
        if overlap {
            return Err(IpParse::NotPublic);
        }
    }
    Ok(net)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_parsing() {
        assert_eq!(
            parse_ipv4_net("203.0.113.7").map(|n| n.cidr()),
            Ok("203.0.113.7/32".to_string())
        );
        assert_eq!(
            parse_ipv4_net("203.0.113.0/24").map(|n| n.cidr()),
            Ok("203.0.113.0/24".to_string())
        );
        assert!(
            matches!(parse_ipv4_net("203.0.113.7/24"), Err(IpParse::HostBits(n)) if n.cidr() == "203.0.113.0/24")
        );
        for bad in [
            "",
            "1.2.3",
            "1.2.3.4/33",
            "1.2.3.4/",
            "01.2.3.4",
            "1.2.3.4 ",
            "::1",
            "1.2.3.256",
            "a.b.c.d",
            "1.2.3.4/x",
        ] {
            assert_eq!(parse_ipv4_net(bad), Err(IpParse::Syntax), "{bad}");
        }
        for private in [
            "10.1.2.3",
            "192.168.0.0/16",
            "172.20.0.0/16",
            "100.64.1.1",
            "127.0.0.1",
            "0.0.0.0/1",
            "224.0.0.0/4",
        ] {
            assert_eq!(
                parse_ipv4_net(private),
                Err(IpParse::NotPublic),
                "{private}"
            );
        }
        assert_eq!(parse_ipv4_net("0.0.0.0/0"), Err(IpParse::Everything));
    }

    #[test]
    fn per_service_forms() {
        let one = parse_ipv4_net("203.0.113.7").unwrap_or_else(|_| panic!());
        assert_eq!(one.ip_or_cidr(), "203.0.113.7");
        assert_eq!(one.storage_rules(), vec!["203.0.113.7"]);
        let two = parse_ipv4_net("203.0.113.8/31").unwrap_or_else(|_| panic!());
        assert_eq!(two.storage_rules(), vec!["203.0.113.8", "203.0.113.9"]);
        let net = parse_ipv4_net("198.51.100.0/24").unwrap_or_else(|_| panic!());
        assert!(!net.contains(&one));
        assert!(net.contains(&parse_ipv4_net("198.51.100.4").unwrap_or_else(|_| panic!())));
    }
}
