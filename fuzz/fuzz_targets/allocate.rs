//! Arbitrary bytes -> text and numbers -> `allocate`. Must never panic; whatever is
//! accepted must be inside the pool, aligned, disjoint and stable under its own output.
#![no_main]

use std::collections::BTreeMap;

use aifactory_allocator::{
    allocate, parse_cidr, AllocationInput, Cidr, Previous, RequestSpec, Strategy,
};
use libfuzzer_sys::fuzz_target;

/// Reads values off the input; past the end everything is zero.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }

    fn i64(&mut self) -> i64 {
        match self.byte() % 4 {
            0 => i64::from(self.byte() % 40),
            1 => i64::from(u16::from_le_bytes([self.byte(), self.byte()])),
            2 => -i64::from(self.byte()),
            _ => i64::from_le_bytes(std::array::from_fn(|_| self.byte())),
        }
    }

    fn opt_i64(&mut self) -> Option<i64> {
        (self.byte() % 3 != 0).then(|| self.i64())
    }

    /// Raw text, or a CIDR-shaped string built from numbers (to get past the parser).
    fn text(&mut self) -> String {
        match self.byte() % 4 {
            0 => {
                let len = usize::from(self.byte() % 32).min(self.0.len());
                let (head, rest) = self.0.split_at(len);
                self.0 = rest;
                String::from_utf8_lossy(head).into_owned()
            }
            1 => format!(
                "10.{}.{}.0/{}",
                self.byte(),
                self.byte() & 0xf0,
                8 + self.byte() % 25
            ),
            2 => format!(
                "{}.{}.{}.{}/{}",
                self.byte(),
                self.byte(),
                self.byte(),
                self.byte(),
                self.byte() % 40
            ),
            _ => format!(
                "fd00:{:x}:{:x}::/{}",
                self.byte(),
                self.byte(),
                self.byte() % 130
            ),
        }
    }

    fn list(&mut self) -> Vec<String> {
        (0..self.byte() % 6).map(|_| self.text()).collect()
    }
}

fn check(input: &AllocationInput) {
    let Ok(a) = allocate(input) else { return };
    let pool: Vec<Cidr> = input
        .pool
        .iter()
        .filter_map(|t| parse_cidr(t).ok())
        .collect();
    let blocked: Vec<Cidr> = input
        .reserved
        .iter()
        .chain(&input.occupied)
        .filter_map(|t| parse_cidr(t).ok())
        .collect();
    for (name, c) in &a.ipv4 {
        assert!(
            pool.iter()
                .any(|p| matches!(p, Cidr::V4(p) if p.contains(c))),
            "{name} outside the pool"
        );
        assert!(
            !blocked
                .iter()
                .any(|b| matches!(b, Cidr::V4(b) if b.overlaps(c))),
            "{name} overlaps blocked space"
        );
        assert!(
            a.ipv4.iter().all(|(n, d)| n == name || !d.overlaps(c)),
            "{name} overlaps another result"
        );
        assert_eq!(
            c.to_string().parse::<aifactory_allocator::Cidr4>().ok(),
            Some(*c),
            "{name} not aligned"
        );
    }
    for (name, c) in &a.ipv6 {
        assert!(
            pool.iter()
                .any(|p| matches!(p, Cidr::V6(p) if p.contains(c))),
            "{name} outside the IPv6 pool"
        );
        assert!(
            a.ipv6.iter().all(|(n, d)| n == name || !d.overlaps(c)),
            "{name} overlaps another result"
        );
    }
    let mut again = input.clone();
    again.previous = a
        .ipv4
        .iter()
        .map(|(n, c)| {
            (
                n.clone(),
                Previous {
                    ipv4: c.to_string(),
                    ipv6: a.ipv6.get(n).map(|c| c.to_string()),
                },
            )
        })
        .collect();
    match allocate(&again) {
        Ok(b) => assert!(
            b.ipv4 == a.ipv4 && b.ipv6 == a.ipv6 && b.moves.is_empty(),
            "not stable"
        ),
        Err(e) => panic!("feeding the result back failed: {e:?}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes(data);
    let pool = b.list();
    let reserved = b.list();
    let occupied = b.list();
    let strategy = match b.byte() % 3 {
        0 => Strategy::Slot {
            prefix_length: b.i64(),
            index: b.i64(),
        },
        _ => Strategy::Packed,
    };
    let mut requests = BTreeMap::new();
    for _ in 0..b.byte() % 8 {
        let name = b.text();
        let spec = RequestSpec {
            prefix_length: b.opt_i64(),
            min_hosts: b.opt_i64(),
            ipv6: b.byte() % 4 == 0,
        };
        requests.insert(name, spec);
    }
    let mut previous = BTreeMap::new();
    for _ in 0..b.byte() % 4 {
        let name = b.text();
        let ipv4 = b.text();
        let ipv6 = (b.byte() % 2 == 0).then(|| b.text());
        previous.insert(name, Previous { ipv4, ipv6 });
    }
    let input = AllocationInput {
        pool,
        reserved,
        occupied,
        strategy,
        requests,
        previous,
    };
    match allocate(&input) {
        Ok(_) => check(&input),
        Err(issues) => {
            for i in &issues {
                let _ = (i.summary(), i.detail(), i.is_warning());
            }
        }
    }
});
