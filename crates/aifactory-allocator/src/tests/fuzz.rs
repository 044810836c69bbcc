//! "Fuzz" tests that run with the normal suite: random strings and numbers into the
//! parser and the allocator must never panic, and whatever is accepted must hold the
//! guarantees. (The libFuzzer target lives in `fuzz/fuzz_targets/allocate.rs`.)

use std::collections::BTreeMap;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::Config;

use super::super::Strategy;
use super::super::*;
use super::props::check_invariants;
use proptest::strategy::Strategy as _;

/// Strings that are sometimes CIDRs, sometimes almost, sometimes anything.
fn cidrish() -> impl proptest::strategy::Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[0-9a-f.:/ -]{0,24}",
        (
            any::<u8>(),
            any::<u8>(),
            any::<u8>(),
            any::<u8>(),
            0u16..=40
        )
            .prop_map(|(a, b, c, d, p)| format!("{a}.{b}.{c}.{d}/{p}")),
        (prop_oneof![Just(10u8), any::<u8>()], 0u8..=3, 0u16..=36)
            .prop_map(|(a, b, p)| format!("{a}.{b}.0.0/{p}")),
        (any::<u16>(), any::<u16>(), 0u16..=140).prop_map(|(a, b, p)| format!("{a:x}:{b:x}::/{p}")),
        Just("0.0.0.0/0".to_string()),
        Just("::/0".to_string()),
        Just("10.0.0.0/8".to_string()),
        Just("fd00::/48".to_string()),
    ]
}

/// Valid CIDRs in 10.0.0.0/8, any size from /8 to /30.
fn cidr_in_ten() -> impl proptest::strategy::Strategy<Value = String> {
    (8u32..=30, any::<u32>()).prop_map(|(p, r)| {
        let offset = (u64::from(r) % (1u64 << (p - 8))) << (32 - p);
        let addr = std::net::Ipv4Addr::from((10u32 << 24) | offset as u32);
        format!("{addr}/{p}")
    })
}

fn number() -> impl proptest::strategy::Strategy<Value = i64> {
    prop_oneof![
        any::<i64>(),
        -3i64..40,
        0i64..5000,
        Just(i64::MAX),
        Just(i64::MIN)
    ]
}

fn arb_spec() -> impl proptest::strategy::Strategy<Value = RequestSpec> {
    let size = prop_oneof![
        1 => (proptest::option::of(number()), proptest::option::of(number())),
        8 => (8i64..=30).prop_map(|p| (Some(p), None)),
        8 => (0i64..3000).prop_map(|h| (None, Some(h))),
    ];
    (size, prop::bool::weighted(0.1)).prop_map(|((prefix_length, min_hosts), ipv6)| RequestSpec {
        prefix_length,
        min_hosts,
        ipv6,
    })
}

fn arb_name() -> impl proptest::strategy::Strategy<Value = String> {
    prop_oneof![1 => Just(String::new()), 1 => Just(" ".to_string()), 40 => "[a-e]{1,2}", 2 => any::<String>()]
}

prop_compose! {
    fn arbitrary_input()(
        pool in vec(prop_oneof![8 => cidr_in_ten(), 1 => cidrish()], 0..3),
        v6_pool in proptest::option::weighted(0.3, prop_oneof![Just("fd00::/56".to_string()), cidrish()]),
        reserved in vec(prop_oneof![12 => cidr_in_ten(), 1 => cidrish()], 0..4),
        occupied in vec(prop_oneof![12 => cidr_in_ten(), 1 => cidrish()], 0..4),
        slot in proptest::option::weighted(0.3, prop_oneof![1 => (number(), number()), 4 => (16i64..=29, 0i64..40)]),
        requests in vec((arb_name(), arb_spec()), 0..6),
        previous in vec((arb_name(), prop_oneof![cidr_in_ten(), cidrish()], proptest::option::of(cidrish())), 0..4),
    ) -> AllocationInput {
        AllocationInput {
            pool: pool.into_iter().chain(v6_pool).collect(),
            reserved,
            occupied,
            strategy: match slot {
                Some((prefix_length, index)) => Strategy::Slot { prefix_length, index },
                None => Strategy::Packed,
            },
            requests: requests.into_iter().collect(),
            previous: previous
                .into_iter()
                .map(|(n, ipv4, ipv6)| (n, Previous { ipv4, ipv6 }))
                .collect::<BTreeMap<_, _>>(),
        }
    }
}

proptest! {
    #![proptest_config(Config { cases: 256, failure_persistence: None, ..Config::default() })]

    #[test]
    fn parse_cidr_never_panics_and_round_trips(text in cidrish()) {
        if let Ok(c) = parse_cidr(&text) {
            prop_assert_eq!(parse_cidr(&c.to_string()), Ok(c));
        }
    }

    #[test]
    fn prefix_for_hosts_never_panics(n in any::<u64>()) {
        if let Some(p) = prefix_for_hosts(n) {
            prop_assert!((1..=29).contains(&p));
            prop_assert!((1u64 << (32 - p)) - 5 >= n);
        }
    }

    #[test]
    fn allocate_never_panics_on_arbitrary_input(input in arbitrary_input()) {
        match allocate(&input) {
            Ok(a) => {
                check_invariants(&input, &a)?;
                // Stable under its own output, even for odd inputs.
                let mut again = input.clone();
                again.previous = super::previous_of(&a);
                let b = allocate(&again);
                prop_assert!(b.as_ref().is_ok_and(|b| b.ipv4 == a.ipv4 && b.ipv6 == a.ipv6), "{:?}", b);
            }
            Err(issues) => {
                prop_assert!(issues.iter().any(|i| !i.is_warning()));
                for i in &issues {
                    prop_assert!(!i.summary().is_empty());
                    prop_assert!(!i.detail().is_empty());
                }
            }
        }
    }

    #[test]
    fn allocate_never_panics_on_plausible_input(
        pool in vec(cidrish(), 1..3),
        sizes in vec((0u8..8, 0i64..33, any::<bool>()), 1..8),
        slot_prefix in 0i64..32,
        slot_index in 0i64..70000,
        use_slot in any::<bool>(),
    ) {
        let requests = sizes
            .into_iter()
            .map(|(n, p, v6)| (format!("r{n}"), RequestSpec { prefix_length: Some(p), min_hosts: None, ipv6: v6 }))
            .collect();
        let input = AllocationInput {
            pool,
            reserved: Vec::new(),
            occupied: Vec::new(),
            strategy: if use_slot { Strategy::Slot { prefix_length: slot_prefix, index: slot_index } } else { Strategy::Packed },
            requests,
            previous: BTreeMap::new(),
        };
        if let Ok(a) = allocate(&input) {
            check_invariants(&input, &a)?;
        }
    }
}
