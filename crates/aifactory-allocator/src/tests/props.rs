//! Property tests over random pools, blocked ranges and requests.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::Config;

use super::super::Strategy;
use super::super::*;
use super::previous_of;
use proptest::strategy::Strategy as _;

/// Check every guarantee of a successful allocation against its input. Works for any
/// input `allocate` accepted (also the fuzzer's).
pub(super) fn check_invariants(
    input: &AllocationInput,
    a: &Allocation,
) -> Result<(), TestCaseError> {
    let parse_all = |list: &[String]| -> (Vec<Cidr4>, Vec<Cidr6>) {
        let (mut v4, mut v6) = (Vec::new(), Vec::new());
        for t in list {
            match parse_cidr(t) {
                Ok(Cidr::V4(c)) => v4.push(c),
                Ok(Cidr::V6(c)) => v6.push(c),
                Err(_) => {}
            }
        }
        (v4, v6)
    };
    let (pool4, pool6) = parse_all(&input.pool);
    let (res4, res6) = parse_all(&input.reserved);
    let (occ4, occ6) = parse_all(&input.occupied);

    // Every request got exactly what it asked for, and nothing else was returned.
    let names: Vec<&String> = input.requests.keys().collect();
    prop_assert_eq!(a.ipv4.keys().collect::<Vec<_>>(), names.clone());
    let v6_names: Vec<&String> = input
        .requests
        .iter()
        .filter(|(_, r)| r.ipv6)
        .map(|(n, _)| n)
        .collect();
    prop_assert_eq!(a.ipv6.keys().collect::<Vec<_>>(), v6_names);
    prop_assert_eq!(
        a.ipv4_addresses,
        a.ipv4.values().map(|c| c.addresses()).sum::<u64>()
    );

    for (name, c) in &a.ipv4 {
        let spec = &input.requests[name];
        let want = match (spec.prefix_length, spec.min_hosts) {
            (Some(p), None) => u8::try_from(p).ok(),
            (None, Some(h)) => u64::try_from(h).ok().and_then(prefix_for_hosts),
            _ => None,
        };
        prop_assert_eq!(Some(c.prefix), want, "{} has the wrong size", name);
        prop_assert!(
            Cidr4::new(c.addr, c.prefix).is_some(),
            "{} = {} is not aligned",
            name,
            c
        );
        prop_assert!(
            pool4.iter().any(|p| p.contains(c)),
            "{} = {} is outside the pool",
            name,
            c
        );
        if let Some(s) = a.slot {
            prop_assert!(s.contains(c), "{} = {} is outside the slot {}", name, c, s);
        }
        for r in &res4 {
            prop_assert!(!r.overlaps(c), "{} = {} overlaps reserved {}", name, c, r);
        }
        for o in &occ4 {
            prop_assert!(!o.overlaps(c), "{} = {} overlaps occupied {}", name, c, o);
        }
        for (other, d) in &a.ipv4 {
            prop_assert!(
                other == name || !c.overlaps(d),
                "{} = {} overlaps {} = {}",
                name,
                c,
                other,
                d
            );
        }
    }
    for (name, c) in &a.ipv6 {
        prop_assert_eq!(c.prefix, 64);
        prop_assert!(Cidr6::new(c.addr, c.prefix).is_some());
        prop_assert!(
            pool6.iter().any(|p| p.contains(c)),
            "{} = {} is outside the pool",
            name,
            c
        );
        if let Some(s) = a.slot_ipv6 {
            prop_assert!(s.contains(c));
        }
        for r in res6.iter().chain(&occ6) {
            prop_assert!(!r.overlaps(c), "{} = {} overlaps blocked {}", name, c, r);
        }
        for (other, d) in &a.ipv6 {
            prop_assert!(other == name || !c.overlaps(d));
        }
    }
    for w in &a.warnings {
        prop_assert!(w.is_warning());
        prop_assert!(!w.summary().is_empty() && !w.detail().is_empty());
    }
    Ok(())
}

/// A random /`prefix` (12..=20 for pools) inside 10.0.0.0/8.
fn in_ten(prefix: u8, r: u32) -> Cidr4 {
    let prefix = prefix.clamp(8, 32);
    let n = u32::from(prefix - 8);
    let offset = if n == 0 {
        0
    } else {
        (r % (1u32 << n)) << (32 - u32::from(prefix))
    };
    Cidr4 {
        addr: Ipv4Addr::from((10u32 << 24) | offset),
        prefix,
    }
}

/// A random block inside one of the pool entries (or, now and then, anywhere in 10/8).
fn blocked(pool: &[Cidr4], pick: usize, extra: u8, r: u32, anywhere: bool) -> String {
    if anywhere || pool.is_empty() {
        return in_ten(12 + extra.min(16), r).to_string();
    }
    let base = pool[pick % pool.len()];
    let prefix = (base.prefix + extra).min(29);
    let n = u32::from(prefix - base.prefix);
    let offset = if n == 0 {
        0
    } else {
        (r % (1u32 << n)) << (32 - u32::from(prefix))
    };
    Cidr4 {
        addr: Ipv4Addr::from(u32::from(base.addr) + offset),
        prefix,
    }
    .to_string()
}

fn arb_request() -> impl proptest::strategy::Strategy<Value = RequestSpec> {
    (prop_oneof![3 => (22i64..=29).prop_map(|p| (Some(p), None)), 1 => (1i64..=1000).prop_map(|h| (None, Some(h)))], any::<bool>())
        .prop_map(|((prefix_length, min_hosts), ipv6)| RequestSpec { prefix_length, min_hosts, ipv6 })
}

fn arb_strategy() -> impl proptest::strategy::Strategy<Value = Strategy> {
    prop_oneof![
        3 => Just(Strategy::Packed),
        1 => (18i64..=22, 0i64..6).prop_map(|(prefix_length, index)| Strategy::Slot { prefix_length, index }),
    ]
}

prop_compose! {
    fn arb_input()(
        pool_raw in vec((12u8..=20, any::<u32>()), 1..=3),
        v6 in any::<bool>(),
        reserved in vec((any::<usize>(), 0u8..=12, any::<u32>(), prop::bool::weighted(0.1)), 0..=6),
        occupied in vec((any::<usize>(), 0u8..=12, any::<u32>(), prop::bool::weighted(0.1)), 0..=8),
        reserved6 in vec((0u16..16, 50u8..=72), 0..=2),
        requests in vec(((0u8..10).prop_map(|i| format!("s{i}")), arb_request()), 1..=10),
        strategy in arb_strategy(),
    ) -> AllocationInput {
        let mut pool: Vec<Cidr4> = Vec::new();
        for (p, r) in pool_raw {
            let c = in_ten(p, r);
            if !pool.iter().any(|q| q.overlaps(&c)) {
                pool.push(c);
            }
        }
        let mut pool_text: Vec<String> = pool.iter().map(|c| c.to_string()).collect();
        let mut reserved: Vec<String> = reserved.iter().map(|&(k, e, r, any)| blocked(&pool, k, e, r, any)).collect();
        let occupied = occupied.iter().map(|&(k, e, r, any)| blocked(&pool, k, e, r, any)).collect();
        let mut requests: BTreeMap<String, RequestSpec> = requests.into_iter().collect();
        if v6 {
            pool_text.push("fd00:10::/52".to_string());
            for (i, p) in reserved6 {
                // A /50 is outside (partly) the /52: a warning; others are inside.
                let c = v6_block(i, p);
                reserved.push(c.to_string());
            }
        } else {
            for r in requests.values_mut() {
                r.ipv6 = false;
            }
        }
        AllocationInput { pool: pool_text, reserved, occupied, strategy, requests, previous: BTreeMap::new() }
    }
}

/// The /`prefix` containing fd00:10:0:i00::100.
fn v6_block(i: u16, prefix: u8) -> Cidr6 {
    let addr = std::net::Ipv6Addr::new(0xfd00, 0x10, 0, i << 8, 0, 0, 0, 0x100);
    let c = Cidr6 { addr, prefix };
    Cidr6 {
        addr: c.network(),
        prefix,
    }
}

/// Deterministic Fisher-Yates with a xorshift generator.
fn shuffle<T>(v: &mut [T], mut seed: u64) {
    seed |= 1;
    for i in (1..v.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let j = (seed % (i as u64 + 1)) as usize;
        v.swap(i, j);
    }
}

fn config() -> Config {
    Config {
        cases: 128,
        failure_persistence: None,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn results_are_inside_aligned_and_disjoint(input in arb_input()) {
        if let Ok(a) = allocate(&input) {
            check_invariants(&input, &a)?;
        }
    }

    #[test]
    fn results_do_not_depend_on_listed_order(input in arb_input(), seed in any::<u64>()) {
        let first = allocate(&input);
        let mut p = input.clone();
        shuffle(&mut p.reserved, seed);
        shuffle(&mut p.occupied, seed.rotate_left(7));
        if p.strategy == Strategy::Packed {
            // In slot mode the pool's listed order is what slots count by.
            shuffle(&mut p.pool, seed.rotate_left(13));
        }
        let mut reqs: Vec<(String, RequestSpec)> = p.requests.into_iter().collect();
        shuffle(&mut reqs, seed.rotate_left(29));
        p.requests = reqs.into_iter().collect();
        let second = allocate(&p);
        prop_assert_eq!(first.is_ok(), second.is_ok());
        if let (Ok(a), Ok(b)) = (first, second) {
            prop_assert_eq!(a.ipv4, b.ipv4);
            prop_assert_eq!(a.ipv6, b.ipv6);
            prop_assert_eq!(a.moves, b.moves);
        }
    }

    #[test]
    fn feeding_the_result_back_returns_it_unchanged(input in arb_input()) {
        if let Ok(a) = allocate(&input) {
            let mut again = input.clone();
            again.previous = previous_of(&a);
            let b = allocate(&again);
            prop_assert!(b.is_ok(), "{:?}", b);
            if let Ok(b) = b {
                prop_assert_eq!(&a.ipv4, &b.ipv4);
                prop_assert_eq!(&a.ipv6, &b.ipv6);
                prop_assert!(b.moves.is_empty());
                check_invariants(&again, &b)?;
            }
        }
    }

    #[test]
    fn adding_a_request_never_moves_existing_ones(input in arb_input(), extra in arb_request(), name in "[a-z]{1,3}") {
        if let Ok(a) = allocate(&input) {
            let mut more = input.clone();
            more.previous = previous_of(&a);
            let name = format!("x{name}");
            let mut extra = extra;
            extra.ipv6 &= more.pool.iter().any(|p| p.contains(':'));
            more.requests.insert(name.clone(), extra);
            if let Ok(b) = allocate(&more) {
                for (n, c) in &a.ipv4 {
                    prop_assert_eq!(b.ipv4.get(n), Some(c));
                }
                for (n, c) in &a.ipv6 {
                    prop_assert_eq!(b.ipv6.get(n), Some(c));
                }
                prop_assert!(b.moves.is_empty());
                check_invariants(&more, &b)?;
            }
        }
    }

    #[test]
    fn removing_a_request_or_adding_occupied_elsewhere_moves_nothing(
        input in arb_input(),
        pick in any::<usize>(),
        new_occupied in vec(22u8..=29, 0..5),
    ) {
        if let Ok(a) = allocate(&input) {
            let mut fewer = input.clone();
            fewer.previous = previous_of(&a);
            let victim = fewer.requests.keys().nth(pick % fewer.requests.len()).cloned();
            if let Some(v) = victim {
                fewer.requests.remove(&v);
            }
            // Other projects take some of the space that is still free.
            let pool: Vec<Cidr4> = fewer.pool.iter().filter_map(|t| t.parse().ok()).collect();
            let taken: Vec<Cidr4> = fewer
                .reserved
                .iter()
                .chain(&fewer.occupied)
                .filter_map(|t| t.parse().ok())
                .chain(a.ipv4.values().copied())
                .collect();
            let mut free = FreeSpace::new(&pool, &taken);
            for p in new_occupied {
                if let Some(c) = free.place(p) {
                    fewer.occupied.push(c.to_string());
                }
            }
            let b = allocate(&fewer);
            prop_assert!(b.is_ok(), "{:?}", b);
            if let Ok(b) = b {
                for (n, c) in &b.ipv4 {
                    prop_assert_eq!(a.ipv4.get(n), Some(c));
                }
                prop_assert!(b.moves.is_empty());
                check_invariants(&fewer, &b)?;
            }
        }
    }

    #[test]
    fn resizing_one_request_moves_only_that_one(input in arb_input(), pick in any::<usize>(), prefix in 22i64..=29) {
        if let Ok(a) = allocate(&input) {
            let mut resized = input.clone();
            resized.previous = previous_of(&a);
            let Some(name) = resized.requests.keys().nth(pick % resized.requests.len()).cloned() else {
                return Ok(());
            };
            if let Some(r) = resized.requests.get_mut(&name) {
                r.prefix_length = Some(prefix);
                r.min_hosts = None;
            }
            if let Ok(b) = allocate(&resized) {
                for (n, c) in &a.ipv4 {
                    if *n != name {
                        prop_assert_eq!(b.ipv4.get(n), Some(c));
                    }
                }
                let changed = a.ipv4[&name].prefix != b.ipv4[&name].prefix;
                prop_assert_eq!(b.moves.len(), usize::from(changed));
                prop_assert!(b.moves.iter().all(|m| m.reason == "size changed"));
                let move_warnings = b.warnings.iter().filter(|w| matches!(w.kind, IssueKind::Moved { .. })).count();
                prop_assert_eq!(move_warnings, 0);
            }
        }
    }

    #[test]
    fn incremental_free_space_accounts_for_every_address(
        pool_raw in vec((12u8..=20, any::<u32>()), 1..=3),
        sizes in vec(14u8..=29, 1..200),
    ) {
        let pool: Vec<Cidr4> = pool_raw.into_iter().map(|(p, r)| in_ten(p, r)).collect();
        let mut free = FreeSpace::new(&pool, &[]);
        let start = free.free_addresses();
        let mut placed: Vec<Cidr4> = Vec::new();
        for s in sizes {
            match free.place(s) {
                Some(c) => {
                    prop_assert!(pool.iter().any(|p| p.contains(&c)));
                    prop_assert!(placed.iter().all(|d| !d.overlaps(&c)));
                    prop_assert!(!free.is_free(c));
                    placed.push(c);
                }
                None => prop_assert!(free.largest_free().is_none_or(|l| l.prefix > s)),
            }
            prop_assert_eq!(free.free_addresses() + placed.iter().map(|c| c.addresses()).sum::<u64>(), start);
        }
    }
}
