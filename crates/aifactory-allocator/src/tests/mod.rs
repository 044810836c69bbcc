//! Tests of `allocate` against the acceptance criteria, one rule at a time.
//! Property tests live in `props.rs`, the no-panic fuzz test in `fuzz.rs`.

use std::collections::BTreeMap;

use super::*;
use aifactory_attrpath::AttrPath;

mod fuzz;
mod props;

// ---------------------------------------------------------------- helpers

pub(super) fn p(n: i64) -> RequestSpec {
    RequestSpec {
        prefix_length: Some(n),
        min_hosts: None,
        ipv6: false,
    }
}

pub(super) fn h(n: i64) -> RequestSpec {
    RequestSpec {
        prefix_length: None,
        min_hosts: Some(n),
        ipv6: false,
    }
}

pub(super) fn dual(mut r: RequestSpec) -> RequestSpec {
    r.ipv6 = true;
    r
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

pub(super) fn input(
    pool: &[&str],
    reserved: &[&str],
    occupied: &[&str],
    reqs: &[(&str, RequestSpec)],
) -> AllocationInput {
    AllocationInput {
        pool: strs(pool),
        reserved: strs(reserved),
        occupied: strs(occupied),
        strategy: Strategy::Packed,
        requests: reqs
            .iter()
            .map(|(n, r)| (n.to_string(), r.clone()))
            .collect(),
        previous: BTreeMap::new(),
    }
}

fn slot(mut i: AllocationInput, prefix_length: i64, index: i64) -> AllocationInput {
    i.strategy = Strategy::Slot {
        prefix_length,
        index,
    };
    i
}

pub(super) fn previous_of(a: &Allocation) -> BTreeMap<String, Previous> {
    a.ipv4
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
        .collect()
}

#[track_caller]
fn ok(i: &AllocationInput) -> Allocation {
    match allocate(i) {
        Ok(a) => a,
        Err(e) => panic!(
            "unexpected issues: {:#?}",
            e.iter().map(|i| i.to_string()).collect::<Vec<_>>()
        ),
    }
}

#[track_caller]
fn errs(i: &AllocationInput) -> Vec<Issue> {
    match allocate(i) {
        Ok(a) => panic!("expected issues, got {a:#?}"),
        Err(e) => e,
    }
}

fn v4(a: &Allocation, name: &str) -> String {
    a.ipv4.get(name).map(|c| c.to_string()).unwrap_or_default()
}

fn paths(issues: &[Issue]) -> Vec<String> {
    issues.iter().map(|i| i.path.to_string()).collect()
}

fn errors_only(issues: &[Issue]) -> Vec<&Issue> {
    issues.iter().filter(|i| !i.is_warning()).collect()
}

// ---------------------------------------------------------------- sizes

#[test]
fn min_hosts_maps_to_the_smallest_prefix_that_holds_it() {
    for n in 1..=3 {
        assert_eq!(prefix_for_hosts(n), Some(29), "{n}");
    }
    assert_eq!(prefix_for_hosts(4), Some(28));
    assert_eq!(prefix_for_hosts(11), Some(28));
    assert_eq!(prefix_for_hosts(12), Some(27));
    assert_eq!(prefix_for_hosts(50), Some(26));
    assert_eq!(prefix_for_hosts(59), Some(26));
    assert_eq!(prefix_for_hosts(60), Some(25));
    assert_eq!(prefix_for_hosts(251), Some(24));
    assert_eq!(prefix_for_hosts(252), Some(23));
    assert_eq!(prefix_for_hosts((1 << 31) - 5), Some(1));
    assert_eq!(prefix_for_hosts((1 << 31) - 4), None);
    assert_eq!(prefix_for_hosts(0), None);
    assert_eq!(prefix_for_hosts(u64::MAX), None);
}

#[test]
fn min_hosts_requests_get_their_prefix() {
    let a = ok(&input(
        &["10.0.0.0/16"],
        &[],
        &[],
        &[("a", h(50)), ("b", h(60)), ("c", h(1))],
    ));
    assert_eq!(a.ipv4["a"].prefix, 26);
    assert_eq!(a.ipv4["b"].prefix, 25);
    assert_eq!(a.ipv4["c"].prefix, 29);
    assert_eq!(a.ipv4_addresses, 64 + 128 + 8);
}

// ---------------------------------------------------------------- bad input

#[test]
fn host_bits_error_names_the_attribute_and_the_corrected_cidr() {
    let e = errs(&input(&["10.0.0.1/24"], &[], &[], &[("a", p(26))]));
    assert_eq!(e.len(), 1, "{e:#?}");
    assert_eq!(e[0].path, AttrPath::attr("address_space").and_index(0));
    assert!(
        matches!(&e[0].kind, IssueKind::InvalidCidr(CidrError::HostBitsSet { suggested, .. }) if suggested == "10.0.0.0/24")
    );
    assert!(e[0].summary().contains("10.0.0.1/24"));
    assert!(
        e[0].detail().contains("\"10.0.0.0/24\""),
        "{}",
        e[0].detail()
    );
    assert!(
        e[0].detail().contains("address_space[0]"),
        "{}",
        e[0].detail()
    );
}

#[test]
fn all_bad_cidrs_are_reported_at_once() {
    let e = errs(&input(
        &["10.0.0.0/16", "nonsense", "10.1.0.0/33"],
        &["10.0.0.1/24", "10.0.5.0/24", ""],
        &["10.0.0.0", "fd00::1/64"],
        &[("a", p(26))],
    ));
    assert_eq!(
        paths(&e),
        [
            "address_space[1]",
            "address_space[2]",
            "reserved[0]",
            "reserved[2]",
            "occupied[0]",
            "occupied[1]"
        ]
    );
    assert!(e
        .iter()
        .all(|i| matches!(i.kind, IssueKind::InvalidCidr(_)) && !i.is_warning()));
    assert!(e
        .iter()
        .all(|i| !i.summary().is_empty() && i.detail().contains(&i.path.to_string())));
}

#[test]
fn overlapping_pool_entries_are_an_error_on_the_later_one() {
    let e = errs(&input(
        &["10.0.0.0/16", "10.1.0.0/16", "10.0.128.0/17"],
        &[],
        &[],
        &[("a", p(26))],
    ));
    assert_eq!(paths(&e), ["address_space[2]"]);
    assert_eq!(
        e[0].kind,
        IssueKind::OverlappingPool {
            cidr: "10.0.128.0/17".into(),
            other: "10.0.0.0/16".into()
        }
    );
    let e = errs(&input(&["10.0.0.0/24", "10.0.0.0/24"], &[], &[], &[]));
    assert_eq!(paths(&e), ["address_space[1]"]);
}

#[test]
fn a_pool_without_ipv4_is_an_error() {
    let e = errs(&input(&["fd00::/48"], &[], &[], &[("a", p(26))]));
    assert_eq!(e[0].kind, IssueKind::NoIpv4Pool);
    assert_eq!(e[0].path, AttrPath::attr("address_space"));
    assert!(e[0].detail().contains("address_space"));
    let e = errs(&input(&[], &[], &[], &[]));
    assert_eq!(e[0].kind, IssueKind::NoIpv4Pool);
    let e = errs(&input(&["fd00::/80"], &[], &[], &[]));
    assert_eq!(paths(&e), ["address_space[0]", "address_space"]);
    // A pool entry that does not parse is not also reported as "no IPv4".
    let e = errs(&input(&["10.0.0.0/8x"], &[], &[], &[]));
    assert_eq!(e.len(), 1);
}

#[test]
fn ipv6_pool_entries_must_hold_a_slash_64() {
    let e = errs(&input(
        &["10.0.0.0/16", "fd00::/80"],
        &[],
        &[],
        &[("a", p(26))],
    ));
    assert_eq!(paths(&e), ["address_space[1]"]);
    assert!(matches!(e[0].kind, IssueKind::Ipv6PoolTooSmall { .. }));
    ok(&input(
        &["10.0.0.0/16", "fd00::/64"],
        &[],
        &[],
        &[("a", dual(p(26)))],
    ));
}

#[test]
fn reserved_or_occupied_outside_the_pool_is_a_warning_and_is_clipped() {
    let a = ok(&input(
        &["10.0.0.0/24"],
        &["192.168.0.0/16", "10.0.0.0/23"],
        &["172.16.0.0/12", "10.0.0.0/25"],
        &[],
    ));
    let kinds: Vec<_> = a
        .warnings
        .iter()
        .map(|w| (w.path.to_string(), w.kind.clone(), w.is_warning()))
        .collect();
    assert_eq!(
        kinds,
        [
            (
                "reserved[0]".to_string(),
                IssueKind::OutsidePool {
                    list: BlockedList::Reserved,
                    cidr: "192.168.0.0/16".into()
                },
                true
            ),
            (
                "reserved[1]".to_string(),
                IssueKind::PartlyOutsidePool {
                    list: BlockedList::Reserved,
                    cidr: "10.0.0.0/23".into()
                },
                true
            ),
            (
                "occupied[0]".to_string(),
                IssueKind::OutsidePool {
                    list: BlockedList::Occupied,
                    cidr: "172.16.0.0/12".into()
                },
                true
            ),
        ]
    );
    // Clipped, not dropped: the part inside the pool stays blocked.
    let e = errs(&input(
        &["10.0.0.0/24"],
        &["10.0.0.0/23"],
        &[],
        &[("a", p(29))],
    ));
    assert!(e
        .iter()
        .any(|i| matches!(i.kind, IssueKind::Exhausted { .. })));
    // A reserved range covered by several pool entries is inside.
    let a = ok(&input(
        &["10.0.0.0/24", "10.0.1.0/24"],
        &["10.0.0.0/23"],
        &[],
        &[],
    ));
    assert!(a.warnings.is_empty(), "{:?}", a.warnings);
}

#[test]
fn request_errors_are_on_the_right_attribute() {
    let mut i = input(
        &["10.0.0.0/16"],
        &[],
        &[],
        &[
            ("", p(26)),
            (
                "both",
                RequestSpec {
                    prefix_length: Some(26),
                    min_hosts: Some(10),
                    ipv6: false,
                },
            ),
            (
                "neither",
                RequestSpec {
                    prefix_length: None,
                    min_hosts: None,
                    ipv6: false,
                },
            ),
            ("p0", p(0)),
            ("p30", p(30)),
            ("pneg", p(-1)),
            ("h0", h(0)),
            ("hbig", h(1 << 40)),
            ("v6", dual(p(26))),
        ],
    );
    i.strategy = Strategy::Packed;
    let e = errs(&i);
    let got: Vec<(String, &IssueKind)> = e.iter().map(|i| (i.path.to_string(), &i.kind)).collect();
    let want: Vec<(&str, IssueKind)> = vec![
        ("subnets[\"\"]", IssueKind::EmptyName),
        (
            "subnets[\"both\"]",
            IssueKind::SizeBothGiven {
                name: "both".into(),
            },
        ),
        (
            "subnets[\"h0\"].min_hosts",
            IssueKind::MinHostsOutOfRange {
                name: "h0".into(),
                min_hosts: 0,
            },
        ),
        (
            "subnets[\"hbig\"].min_hosts",
            IssueKind::MinHostsOutOfRange {
                name: "hbig".into(),
                min_hosts: 1 << 40,
            },
        ),
        (
            "subnets[\"neither\"]",
            IssueKind::SizeMissing {
                name: "neither".into(),
            },
        ),
        (
            "subnets[\"p0\"].prefix_length",
            IssueKind::PrefixOutOfRange {
                name: "p0".into(),
                prefix_length: 0,
            },
        ),
        (
            "subnets[\"p30\"].prefix_length",
            IssueKind::PrefixOutOfRange {
                name: "p30".into(),
                prefix_length: 30,
            },
        ),
        (
            "subnets[\"pneg\"].prefix_length",
            IssueKind::PrefixOutOfRange {
                name: "pneg".into(),
                prefix_length: -1,
            },
        ),
        (
            "subnets[\"v6\"].ipv6",
            IssueKind::Ipv6WithoutPool { name: "v6".into() },
        ),
    ];
    assert_eq!(got.len(), want.len(), "{got:#?}");
    for ((gp, gk), (wp, wk)) in got.iter().zip(&want) {
        assert_eq!((gp.as_str(), *gk), (*wp, wk));
    }
    for issue in &e {
        assert!(
            issue.detail().contains(&issue.path.to_string()),
            "{}",
            issue.detail()
        );
    }
}

#[test]
fn independent_problems_are_collected_in_one_pass() {
    let i = slot(
        input(&["10.0.0.0/16", "bad"], &["x"], &[], &[("a", p(31))]),
        30,
        -2,
    );
    let e = errs(&i);
    assert_eq!(
        paths(&e),
        [
            "address_space[1]",
            "reserved[0]",
            "subnets[\"a\"].prefix_length",
            "slot_prefix_length",
            "slot"
        ]
    );
}

#[test]
fn duplicate_names_from_pair_lists_are_reported() {
    let e = requests_from_pairs(vec![
        ("a".into(), p(26)),
        ("b".into(), p(27)),
        ("a".into(), p(28)),
        ("a".into(), p(28)),
    ])
    .unwrap_err();
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].path.to_string(), "subnets[\"a\"]");
    assert_eq!(e[0].kind, IssueKind::DuplicateName { name: "a".into() });
    assert_eq!(
        requests_from_pairs(vec![("a".into(), p(26))])
            .unwrap()
            .len(),
        1
    );
}

// ---------------------------------------------------------------- packed

#[test]
fn packed_places_largest_first_best_fit_lowest_address() {
    let a = ok(&input(
        &["10.0.0.0/24"],
        &[],
        &[],
        &[("a", p(26)), ("b", p(25)), ("c", p(27)), ("d", p(27))],
    ));
    assert_eq!(v4(&a, "b"), "10.0.0.0/25");
    assert_eq!(v4(&a, "a"), "10.0.0.128/26");
    assert_eq!(v4(&a, "c"), "10.0.0.192/27");
    assert_eq!(v4(&a, "d"), "10.0.0.224/27");
    assert!(a.moves.is_empty() && a.warnings.is_empty());
}

#[test]
fn packed_fills_the_gap_left_by_a_deleted_project() {
    // 10.0.1.0/24 was freed; everything around it is occupied or reserved.
    let occupied = ["10.0.0.0/24", "10.0.2.0/23"];
    let a = ok(&input(&["10.0.0.0/16"], &[], &occupied, &[("new", p(24))]));
    assert_eq!(v4(&a, "new"), "10.0.1.0/24");
    let a = ok(&input(&["10.0.0.0/16"], &[], &occupied, &[("new", p(26))]));
    assert_eq!(v4(&a, "new"), "10.0.1.0/26");
    // A gap too small is skipped.
    let a = ok(&input(&["10.0.0.0/16"], &[], &occupied, &[("new", p(23))]));
    assert_eq!(v4(&a, "new"), "10.0.4.0/23");
}

#[test]
fn pool_entries_are_used_together() {
    let a = ok(&input(
        &["10.1.0.0/24", "10.0.0.0/25"],
        &[],
        &[],
        &[("a", p(25)), ("b", p(25)), ("c", p(25))],
    ));
    let mut got: Vec<String> = a.ipv4.values().map(|c| c.to_string()).collect();
    got.sort();
    assert_eq!(got, ["10.0.0.0/25", "10.1.0.0/25", "10.1.0.128/25"]);
}

#[test]
fn exhaustion_names_the_request_its_size_the_largest_block_and_the_free_total() {
    // Free: 10.0.0.0/27, 10.0.0.64/26, 10.0.0.128/25 = 224 addresses.
    let e = errs(&input(
        &["10.0.0.0/24"],
        &["10.0.0.32/27"],
        &[],
        &[("huge", p(24)), ("small", p(28))],
    ));
    assert_eq!(e.len(), 1, "{e:#?}");
    assert_eq!(e[0].path.to_string(), "subnets[\"huge\"]");
    assert_eq!(
        e[0].kind,
        IssueKind::Exhausted {
            name: "huge".into(),
            prefix_length: 24,
            addresses: 256,
            largest_free: Some("10.0.0.128/25".into()),
            free_addresses: 224,
            slot: None,
        }
    );
    let text = format!("{} {}", e[0].summary(), e[0].detail());
    for needle in [
        "huge",
        "/24",
        "256 addresses",
        "10.0.0.128/25",
        "224 addresses",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from {text}");
    }
    // After larger requests took their space.
    let e = errs(&input(
        &["10.0.0.0/24"],
        &[],
        &[],
        &[("a", p(25)), ("b", p(26)), ("c", p(26)), ("d", p(29))],
    ));
    assert!(
        matches!(&e[0].kind, IssueKind::Exhausted { name, free_addresses: 0, largest_free: None, .. } if name == "d")
    );
}

#[test]
fn dual_stack_requests_get_a_slash_64_each_in_name_order() {
    let a = ok(&input(
        &["10.0.0.0/16", "fd00:10::/48"],
        &["fd00:10::/64"],
        &[],
        &[("b", dual(p(26))), ("a", dual(p(27))), ("c", p(26))],
    ));
    assert_eq!(a.ipv6.len(), 2);
    assert_eq!(a.ipv6["a"].to_string(), "fd00:10:0:1::/64");
    assert_eq!(a.ipv6["b"].to_string(), "fd00:10:0:2::/64");
    assert!(!a.ipv6.contains_key("c"));
    // A reserved range longer than /64 blocks its whole /64.
    let a = ok(&input(
        &["10.0.0.0/16", "fd00:10::/48"],
        &["fd00:10::80/121"],
        &[],
        &[("a", dual(p(26)))],
    ));
    assert_eq!(a.ipv6["a"].to_string(), "fd00:10:0:1::/64");
}

#[test]
fn ipv6_exhaustion_is_reported_on_the_ipv6_attribute() {
    let e = errs(&input(
        &["10.0.0.0/16", "fd00::/63"],
        &[],
        &[],
        &[("a", dual(p(26))), ("b", dual(p(26))), ("c", dual(p(26)))],
    ));
    assert_eq!(paths(&e), ["subnets[\"c\"].ipv6"]);
    assert!(matches!(
        e[0].kind,
        IssueKind::Ipv6Exhausted {
            free_subnets: 0,
            ..
        }
    ));
}

// ---------------------------------------------------------------- slot

#[test]
fn slot_packs_inside_the_index_th_block() {
    let a = ok(&slot(
        input(
            &["10.0.0.0/16"],
            &[],
            &[],
            &[("a", p(23)), ("b", p(24)), ("c", p(27))],
        ),
        21,
        3,
    ));
    assert_eq!(
        a.slot.map(|s| s.to_string()).as_deref(),
        Some("10.0.24.0/21")
    );
    assert_eq!(v4(&a, "a"), "10.0.24.0/23");
    assert_eq!(v4(&a, "b"), "10.0.26.0/24");
    assert_eq!(v4(&a, "c"), "10.0.27.0/27");
}

#[test]
fn same_slot_gives_same_cidrs_whatever_other_slots_hold() {
    let reqs = [("a", p(23)), ("b", p(24)), ("c", p(27)), ("d", h(20))];
    let alone = ok(&slot(input(&["10.0.0.0/16"], &[], &[], &reqs), 21, 5));
    let crowded = ok(&slot(
        input(
            &["10.0.0.0/16"],
            &["10.0.0.0/21"],
            &[
                "10.0.8.0/22",
                "10.0.48.0/20",
                "10.0.16.0/24",
                "10.0.128.0/17",
            ],
            &reqs,
        ),
        21,
        5,
    ));
    assert_eq!(alone.ipv4, crowded.ipv4);
    // And across environments with a different pool order but the same slot counting.
    let env2 = ok(&slot(
        input(
            &["10.0.0.0/16", "10.9.0.0/16"],
            &[],
            &["10.9.0.0/24"],
            &reqs,
        ),
        21,
        5,
    ));
    assert_eq!(alone.ipv4, env2.ipv4);
}

#[test]
fn slot_counts_pool_entries_in_listed_order_skipping_small_ones() {
    let reqs = [("a", p(24))];
    let a = ok(&slot(
        input(
            &["10.1.0.0/22", "10.2.0.0/20", "10.0.0.0/21"],
            &[],
            &[],
            &reqs,
        ),
        21,
        1,
    ));
    assert_eq!(v4(&a, "a"), "10.2.8.0/24");
    let a = ok(&slot(
        input(
            &["10.1.0.0/22", "10.2.0.0/20", "10.0.0.0/21"],
            &[],
            &[],
            &reqs,
        ),
        21,
        2,
    ));
    assert_eq!(v4(&a, "a"), "10.0.0.0/24");
    let e = errs(&slot(
        input(
            &["10.1.0.0/22", "10.2.0.0/20", "10.0.0.0/21"],
            &[],
            &[],
            &reqs,
        ),
        21,
        3,
    ));
    assert_eq!(paths(&e), ["slot"]);
    assert_eq!(
        e[0].kind,
        IssueKind::SlotOutsidePool {
            index: 3,
            slot_prefix_length: 21,
            slots: 3,
            too_small: vec!["10.1.0.0/22".into()]
        }
    );
    assert!(e[0].summary().contains("3 /21 slots"), "{}", e[0].summary());
    assert!(
        e[0].detail().contains("between 0 and 2") && e[0].detail().contains("10.1.0.0/22"),
        "{}",
        e[0].detail()
    );
}

#[test]
fn slot_parameter_errors() {
    let reqs = [("a", p(24))];
    for bad in [0, 30, -1, 200] {
        let e = errs(&slot(input(&["10.0.0.0/16"], &[], &[], &reqs), bad, 0));
        assert_eq!(paths(&e), ["slot_prefix_length"], "{bad}");
        assert_eq!(
            e[0].kind,
            IssueKind::SlotPrefixOutOfRange { prefix_length: bad }
        );
    }
    let e = errs(&slot(input(&["10.0.0.0/16"], &[], &[], &reqs), 21, -1));
    assert_eq!(e[0].kind, IssueKind::SlotIndexNegative { index: -1 });
    let e = errs(&slot(
        input(
            &["10.0.0.0/16"],
            &[],
            &[],
            &[("a", p(22)), ("b", p(20)), ("c", p(20))],
        ),
        21,
        0,
    ));
    assert_eq!(paths(&e), ["slot_prefix_length"]);
    assert_eq!(
        e[0].kind,
        IssueKind::SlotSmallerThanSubnet {
            slot_prefix_length: 21,
            name: "b".into(),
            prefix_length: 20
        }
    );
}

#[test]
fn slot_entirely_blocked_is_an_error() {
    let e = errs(&slot(
        input(
            &["10.0.0.0/16"],
            &["10.0.8.0/22"],
            &["10.0.12.0/22"],
            &[("a", p(26))],
        ),
        21,
        1,
    ));
    assert_eq!(paths(&e), ["slot"]);
    assert_eq!(
        e[0].kind,
        IssueKind::SlotFullyBlocked {
            index: 1,
            slot: "10.0.8.0/21".into()
        }
    );
}

#[test]
fn slot_exhaustion_says_which_slot_and_suggests_a_larger_one() {
    let e = errs(&slot(
        input(
            &["10.0.0.0/16"],
            &[],
            &[],
            &[("a", p(22)), ("b", p(22)), ("c", p(28))],
        ),
        21,
        0,
    ));
    assert_eq!(paths(&e), ["subnets[\"c\"]"]);
    assert!(matches!(&e[0].kind, IssueKind::Exhausted { slot: Some(s), .. } if s == "10.0.0.0/21"));
    assert!(e[0].detail().contains("slot_prefix_length"));
}

#[test]
fn slot_ipv6_is_the_index_th_slash_56() {
    let i = slot(
        input(
            &["10.0.0.0/16", "fd00:10::/48"],
            &[],
            &[],
            &[("a", dual(p(24))), ("b", dual(p(26)))],
        ),
        21,
        3,
    );
    let a = ok(&i);
    assert_eq!(
        a.slot_ipv6.map(|s| s.to_string()).as_deref(),
        Some("fd00:10:0:300::/56")
    );
    assert_eq!(a.ipv6["a"].to_string(), "fd00:10:0:300::/64");
    assert_eq!(a.ipv6["b"].to_string(), "fd00:10:0:301::/64");
    let e = errs(&slot(
        input(
            &["10.0.0.0/8", "fd00:10::/48"],
            &[],
            &[],
            &[("a", dual(p(24)))],
        ),
        21,
        256,
    ));
    assert_eq!(paths(&e), ["slot"]);
    assert!(matches!(
        e[0].kind,
        IssueKind::Ipv6SlotOutsidePool {
            index: 256,
            slots: 256,
            ..
        }
    ));
}

// ---------------------------------------------------------------- stability

fn base() -> AllocationInput {
    input(
        &["10.0.0.0/16"],
        &["10.0.0.0/24"],
        &["10.0.4.0/22"],
        &[
            ("genai", p(24)),
            ("aks", p(23)),
            ("pe", h(50)),
            ("dbx", p(26)),
        ],
    )
}

#[test]
fn feeding_results_back_changes_nothing() {
    let first = ok(&base());
    let mut again = base();
    again.previous = previous_of(&first);
    let second = ok(&again);
    assert_eq!(first.ipv4, second.ipv4);
    assert!(second.moves.is_empty() && second.warnings.is_empty());
}

#[test]
fn adding_or_removing_other_requests_moves_nothing() {
    let first = ok(&base());
    let mut more = base();
    more.previous = previous_of(&first);
    more.requests.insert("big".into(), p(18));
    more.requests.insert("aaa".into(), p(29));
    let a = ok(&more);
    for (name, c) in &first.ipv4 {
        assert_eq!(a.ipv4[name], *c, "{name} moved");
    }
    assert!(a.moves.is_empty());

    let mut fewer = base();
    fewer.previous = previous_of(&first);
    fewer.requests.remove("aks");
    let a = ok(&fewer);
    assert_eq!(a.ipv4.len(), 3);
    for (name, c) in &a.ipv4 {
        assert_eq!(first.ipv4[name], *c);
    }
}

#[test]
fn other_projects_appearing_elsewhere_move_nothing() {
    let first = ok(&base());
    let mut i = base();
    i.previous = previous_of(&first);
    // Fill all of the rest of the pool.
    let mut fs = FreeSpace::new(
        &["10.0.0.0/16".parse().unwrap()],
        &first.ipv4.values().copied().collect::<Vec<_>>(),
    );
    while let Some(c) = fs.place(24).or_else(|| fs.place(29)) {
        i.occupied.push(c.to_string());
    }
    // The live vNet also lists our own subnets: exactly equal is fine.
    i.occupied
        .extend(first.ipv4.values().map(|c| c.to_string()));
    let a = ok(&i);
    assert_eq!(a.ipv4, first.ipv4);
    assert!(a.moves.is_empty());
}

#[test]
fn resizing_one_request_reallocates_only_that_one_silently() {
    let first = ok(&base());
    let mut i = base();
    i.previous = previous_of(&first);
    i.requests.insert("pe".into(), p(25));
    let a = ok(&i);
    for name in ["genai", "aks", "dbx"] {
        assert_eq!(a.ipv4[name], first.ipv4[name]);
    }
    assert_eq!(a.ipv4["pe"].prefix, 25);
    assert_eq!(a.moves.len(), 1);
    assert_eq!(a.moves[0].name, "pe");
    assert_eq!(a.moves[0].reason, "size changed");
    assert_eq!(a.moves[0].from, first.ipv4["pe"].to_string());
    assert_eq!(a.moves[0].to, a.ipv4["pe"].to_string());
    assert!(
        a.warnings.is_empty(),
        "a requested change is not a warning: {:?}",
        a.warnings
    );
    // min_hosts that maps to the same prefix is not a change.
    let mut i = base();
    i.previous = previous_of(&first);
    i.requests.insert("pe".into(), h(59));
    assert!(ok(&i).moves.is_empty());
}

#[test]
fn newly_reserved_space_moves_a_result_with_a_warning() {
    let first = ok(&base());
    let genai = first.ipv4["genai"];
    let mut i = base();
    i.previous = previous_of(&first);
    i.reserved
        .push(Cidr4::containing(genai.addr, 26).unwrap().to_string());
    let a = ok(&i);
    assert_ne!(a.ipv4["genai"], genai);
    assert_eq!(a.moves.len(), 1);
    let m = &a.moves[0];
    assert_eq!(
        (m.name.as_str(), m.from.clone(), m.ipv6),
        ("genai", genai.to_string(), false)
    );
    assert_eq!(
        m.kind,
        MoveReason::OverlapsReserved {
            cidr: format!("{}", Cidr4::containing(genai.addr, 26).unwrap())
        }
    );
    assert!(m.reason.contains("reserved"));
    let warn: Vec<&Issue> = a
        .warnings
        .iter()
        .filter(|w| matches!(w.kind, IssueKind::Moved { .. }))
        .collect();
    assert_eq!(warn.len(), 1);
    assert!(warn[0].is_warning());
    assert_eq!(warn[0].path.to_string(), "subnets[\"genai\"]");
    assert!(warn[0].summary().contains(&genai.to_string()) && warn[0].summary().contains(&m.to));
    assert!(warn[0].detail().contains("reserved"));
    assert!(warn[0].is_warning());
    for name in ["aks", "pe", "dbx"] {
        assert_eq!(a.ipv4[name], first.ipv4[name]);
    }
}

#[test]
fn occupied_overlap_moves_only_when_not_exactly_the_subnet_itself() {
    let first = ok(&base());
    let dbx = first.ipv4["dbx"];
    let mut i = base();
    i.previous = previous_of(&first);
    i.occupied.push(dbx.to_string());
    assert_eq!(ok(&i).ipv4, first.ipv4);
    // A different subnet inside it is someone else's.
    i.occupied
        .push(Cidr4::containing(dbx.addr, 28).unwrap().to_string());
    let a = ok(&i);
    assert_ne!(a.ipv4["dbx"], dbx);
    assert!(matches!(
        a.moves[0].kind,
        MoveReason::OverlapsOccupied { .. }
    ));
}

#[test]
fn results_outside_a_shrunk_pool_move() {
    let mut i = input(
        &["10.0.0.0/24", "10.1.0.0/24"],
        &[],
        &[],
        &[("a", p(24)), ("b", p(26))],
    );
    let first = ok(&i);
    let on_second = first
        .ipv4
        .iter()
        .find(|(_, c)| c.to_string().starts_with("10.1."))
        .map(|(n, _)| n.clone());
    i.previous = previous_of(&first);
    i.pool = vec!["10.0.0.0/24".into(), "10.2.0.0/24".into()];
    let a = ok(&i);
    let moved: Vec<&str> = a.moves.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(
        moved,
        on_second.iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert!(a.moves.iter().all(|m| m.kind == MoveReason::OutsidePool));
}

#[test]
fn corrupt_state_with_overlapping_results_keeps_the_first_name() {
    let mut i = input(&["10.0.0.0/24"], &[], &[], &[("a", p(26)), ("b", p(26))]);
    i.previous.insert(
        "b".into(),
        Previous {
            ipv4: "10.0.0.64/26".into(),
            ipv6: None,
        },
    );
    i.previous.insert(
        "a".into(),
        Previous {
            ipv4: "10.0.0.64/26".into(),
            ipv6: None,
        },
    );
    let a = ok(&i);
    assert_eq!(v4(&a, "a"), "10.0.0.64/26");
    assert_ne!(v4(&a, "b"), "10.0.0.64/26");
    assert_eq!(a.moves.len(), 1);
    assert_eq!(
        a.moves[0].kind,
        MoveReason::OverlapsPrevious { name: "a".into() }
    );
}

#[test]
fn stale_and_invalid_previous_entries() {
    let mut i = input(&["10.0.0.0/24"], &[], &[], &[("a", p(26)), ("b", p(26))]);
    i.previous.insert(
        "gone".into(),
        Previous {
            ipv4: "10.0.0.0/26".into(),
            ipv6: None,
        },
    );
    i.previous.insert(
        "a".into(),
        Previous {
            ipv4: "garbage".into(),
            ipv6: None,
        },
    );
    let a = ok(&i);
    // The dropped name's range is free again and reused.
    assert_eq!(v4(&a, "a"), "10.0.0.0/26");
    assert_eq!(a.moves.len(), 1);
    assert_eq!(
        (a.moves[0].from.as_str(), &a.moves[0].kind),
        ("garbage", &MoveReason::InvalidPrevious)
    );
    assert!(a
        .warnings
        .iter()
        .any(|w| matches!(w.kind, IssueKind::Moved { .. })));
}

#[test]
fn changing_the_slot_moves_results_into_the_new_slot() {
    let reqs = [("a", p(24)), ("b", p(26))];
    let first = ok(&slot(input(&["10.0.0.0/16"], &[], &[], &reqs), 21, 0));
    let mut i = slot(input(&["10.0.0.0/16"], &[], &[], &reqs), 21, 1);
    i.previous = previous_of(&first);
    let a = ok(&i);
    assert_eq!(v4(&a, "a"), "10.0.8.0/24");
    assert_eq!(a.moves.len(), 2);
    assert!(a.moves.iter().all(|m| m.kind
        == MoveReason::OutsideSlot {
            slot: "10.0.8.0/21".into()
        }));
    // Slot full of our own subnets (as the live vNet shows them) is not "blocked".
    let mut j = slot(
        input(&["10.0.0.0/16"], &[], &[], &[("a", p(22)), ("b", p(22))]),
        21,
        0,
    );
    let first = ok(&j);
    j.previous = previous_of(&first);
    j.occupied = first.ipv4.values().map(|c| c.to_string()).collect();
    assert_eq!(ok(&j).ipv4, first.ipv4);
}

#[test]
fn ipv6_results_are_stable_and_dropped_when_no_longer_wanted() {
    let mut i = input(
        &["10.0.0.0/16", "fd00:10::/48"],
        &[],
        &[],
        &[("a", dual(p(26))), ("b", dual(p(26)))],
    );
    let first = ok(&i);
    i.previous = previous_of(&first);
    i.requests.insert("0first".into(), dual(p(26)));
    let a = ok(&i);
    assert_eq!(a.ipv6["a"], first.ipv6["a"]);
    assert_eq!(a.ipv6["b"], first.ipv6["b"]);
    assert!(a.moves.is_empty());
    i.requests.insert("a".into(), p(26));
    let a = ok(&i);
    assert!(!a.ipv6.contains_key("a"));
    assert_eq!(a.ipv4["a"], first.ipv4["a"]);
    // Reserved IPv6 over a result moves it, reported on the ipv6 attribute.
    i.reserved.push(first.ipv6["b"].to_string());
    let a = ok(&i);
    let w: Vec<String> = a.warnings.iter().map(|w| w.path.to_string()).collect();
    assert_eq!(w, ["subnets[\"b\"].ipv6"]);
    assert!(a.moves.iter().any(|m| m.ipv6 && m.name == "b"));
}

// ---------------------------------------------------------------- determinism

#[test]
fn listed_order_of_pool_reserved_and_occupied_does_not_matter_when_packed() {
    let mut i = input(
        &["10.0.0.0/20", "10.5.0.0/22", "10.9.0.0/24"],
        &["10.0.0.0/24", "10.0.8.0/23", "10.5.1.0/24"],
        &["10.0.4.0/22", "10.9.0.128/25", "10.0.12.0/24"],
        &[
            ("a", p(23)),
            ("b", p(24)),
            ("c", h(100)),
            ("d", p(26)),
            ("e", p(29)),
        ],
    );
    let first = ok(&i);
    i.pool.reverse();
    i.reserved.rotate_left(1);
    i.occupied.reverse();
    assert_eq!(ok(&i).ipv4, first.ipv4);
}

#[test]
fn diagnostics_carry_severity() {
    let e = errs(&input(&["10.0.0.1/24"], &[], &[], &[]));
    assert!(e[0].is_error());
    assert_eq!(errors_only(&e).len(), 1);
    assert!(e[0].to_string().starts_with("address_space[0]: "));
}
