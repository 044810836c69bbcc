//! Tests of the address map: layout arithmetic as tables, the geometry's proportions,
//! escaping, many subnets, and snapshots of the renderings
//! (`AIFACTORY_UPDATE_GOLDEN=1` rewrites them).

use super::svg::{plan, MAP_W, MAX_LINES, ROW_H};
use super::*;
use crate::parse_cidr;

fn c(s: &str) -> Cidr {
    parse_cidr(s).unwrap()
}

fn c4(s: &str) -> Cidr4 {
    s.parse().unwrap()
}

fn sub(cidr: &str, owner: &str, purpose: &str) -> MapSubnet {
    MapSubnet {
        name: if owner.is_empty() {
            String::new()
        } else {
            format!("snt-{owner}-{purpose}")
        },
        cidr: c(cidr),
        owner: owner.into(),
        purpose: purpose.into(),
    }
}

fn input(space: &[&str], subnets: Vec<MapSubnet>) -> MapInput {
    MapInput {
        title: "test".into(),
        address_space: space.iter().map(|s| c(s)).collect(),
        subnets,
    }
}

fn strings(v: &[Cidr4]) -> Vec<String> {
    v.iter().map(Cidr4::to_string).collect()
}

/// The factory's dev stage as `./scripts/demo.sh` applies it: the common /24 and three
/// projects in their /21 slots (the snapshot is the README's picture).
fn factory() -> MapInput {
    let mut i = input(
        &["10.20.0.0/16"],
        vec![
            sub("10.20.0.0/24", "common", "common"),
            sub("10.20.8.0/25", "project001", "private_endpoints"),
            sub("10.20.8.128/26", "project001", "aks"),
            sub("10.20.16.0/25", "project002", "private_endpoints"),
            sub("10.20.16.128/26", "project002", "dbx_private"),
            sub("10.20.16.192/26", "project002", "dbx_public"),
            sub("10.20.24.0/25", "project003", "private_endpoints"),
            sub("10.20.24.128/26", "project003", "aks"),
        ],
    );
    i.title = "AI Factory dev: 10.20.0.0/16".into();
    i
}

/// (space, subnets, free blocks, largest, used, utilisation %)
type SpaceCase<'a> = (
    &'a [&'a str],
    Vec<&'a str>,
    Vec<&'a str>,
    Option<&'a str>,
    u64,
    f64,
);

#[test]
fn free_space_largest_block_and_utilisation() {
    let cases: Vec<SpaceCase> = vec![
        (
            &["10.0.0.0/24"],
            vec!["10.0.0.0/25", "10.0.0.128/26"],
            vec!["10.0.0.192/26"],
            Some("10.0.0.192/26"),
            192,
            75.0,
        ),
        (
            &["10.0.0.0/24"],
            vec![],
            vec!["10.0.0.0/24"],
            Some("10.0.0.0/24"),
            0,
            0.0,
        ),
        (
            &["10.0.0.0/24"],
            vec!["10.0.0.0/24"],
            vec![],
            None,
            256,
            100.0,
        ),
        (
            // A hole in the middle: maximal aligned blocks on both sides.
            &["10.0.0.0/24"],
            vec!["10.0.0.64/26"],
            vec!["10.0.0.0/26", "10.0.0.128/25"],
            Some("10.0.0.128/25"),
            64,
            25.0,
        ),
        (
            // Two prefixes: free space never spans them; rounding to two decimals.
            &["10.1.0.0/24", "10.0.0.0/16"],
            vec!["10.0.0.0/29", "10.1.0.0/25"],
            vec![
                "10.0.0.8/29",
                "10.0.0.16/28",
                "10.0.0.32/27",
                "10.0.0.64/26",
                "10.0.0.128/25",
                "10.0.1.0/24",
                "10.0.2.0/23",
                "10.0.4.0/22",
                "10.0.8.0/21",
                "10.0.16.0/20",
                "10.0.32.0/19",
                "10.0.64.0/18",
                "10.0.128.0/17",
                "10.1.0.128/25",
            ],
            Some("10.0.128.0/17"),
            136,
            0.21,
        ),
        (
            // Equal largest blocks: the lowest address.
            &["10.0.0.0/24"],
            vec!["10.0.0.64/26", "10.0.0.128/26"],
            vec!["10.0.0.0/26", "10.0.0.192/26"],
            Some("10.0.0.0/26"),
            128,
            50.0,
        ),
    ];
    for (space, subnets, free, largest, used, pct) in cases {
        let m = layout(&input(
            space,
            subnets.iter().map(|s| sub(s, "p", "x")).collect(),
        ))
        .unwrap();
        assert_eq!(strings(&m.free_blocks()), free, "{space:?} {subnets:?}");
        assert_eq!(
            m.largest_free_block().map(|c| c.to_string()).as_deref(),
            largest
        );
        assert_eq!(m.used_addresses, used);
        assert_eq!(m.utilisation_percent(), pct, "{space:?} {subnets:?}");
        assert_eq!(m.free_addresses() + m.used_addresses, m.total_addresses);
    }
}

#[test]
fn input_errors_name_the_entries() {
    let cases: Vec<(MapInput, Vec<MapError>)> = vec![
        (input(&[], vec![]), vec![MapError::NoAddressSpace]),
        (
            input(&["fd00::/48"], vec![]),
            vec![MapError::NoIpv4 {
                ipv6: "fd00::/48".into(),
            }],
        ),
        (
            input(&["10.0.0.0/16", "10.0.1.0/24"], vec![]),
            vec![MapError::SpaceOverlap {
                first: 0,
                second: 1,
                first_cidr: "10.0.0.0/16".into(),
                second_cidr: "10.0.1.0/24".into(),
            }],
        ),
        (
            input(
                &["10.0.0.0/24"],
                vec![
                    sub("10.0.0.0/25", "a", "x"),
                    sub("10.0.1.0/25", "b", "x"),
                    sub("10.0.0.64/26", "c", "x"),
                    sub("fd00::/64", "d", "x"),
                ],
            ),
            vec![
                MapError::Outside {
                    index: 1,
                    cidr: "10.0.1.0/25".into(),
                    space: "10.0.0.0/24".into(),
                },
                MapError::Outside {
                    index: 3,
                    cidr: "fd00::/64".into(),
                    space: "10.0.0.0/24".into(),
                },
                MapError::SubnetOverlap {
                    first: 0,
                    second: 2,
                    first_cidr: "10.0.0.0/25".into(),
                    second_cidr: "10.0.0.64/26".into(),
                },
            ],
        ),
    ];
    for (i, want) in cases {
        assert_eq!(layout(&i), Err(want));
    }
    // Messages read as sentences.
    let e = MapError::Outside {
        index: 0,
        cidr: "10.0.1.0/25".into(),
        space: "10.0.0.0/24".into(),
    };
    assert_eq!(
        e.to_string(),
        "subnet 10.0.1.0/25 lies outside the address space (10.0.0.0/24)"
    );
}

#[test]
fn ipv6_is_listed_not_drawn() {
    let m = layout(&input(
        &["10.0.0.0/24", "fd00::/48"],
        vec![sub("10.0.0.0/25", "a", "x"), sub("fd00::/64", "a", "x")],
    ))
    .unwrap();
    assert_eq!(m.ipv6_space.len(), 1);
    assert_eq!(m.ipv6_subnets().count(), 1);
    // Utilisation counts IPv4 only.
    assert_eq!(m.utilisation_percent(), 50.0);
    let svg = m.svg();
    assert!(
        svg.contains("IPv6 not drawn: fd00::/48 (1 IPv6 subnet)"),
        "{svg}"
    );
    assert!(!svg.contains("<title>fd00::/64"), "no box for IPv6");
    let md = m.markdown();
    assert!(
        md.contains("| fd00::/64 | 2^64 | a | x | snt-a-x |"),
        "{md}"
    );
    assert!(md.contains("IPv6 address space: fd00::/48."), "{md}");
}

/// Boxes are in proportion to their subnets: widths within a row are shares of the row,
/// areas are in the ratio of the sizes, and boxes never overlap.
#[test]
fn boxes_are_in_proportion() {
    let m = layout(&factory()).unwrap();
    let d = plan(&m);
    // The smallest subnet (/26) is an eighth of a row: rows are /23 (512 addresses).
    assert_eq!(d.row_prefix, 23);
    let row = 512.0;
    let area = |b: &super::svg::DrawnBlock| b.w * b.h;
    let per_address = MAP_W * ROW_H / row;
    for b in d.blocks.iter().filter(|b| b.block.subnet.is_some()) {
        let expected = b.block.cidr.addresses() as f64 * per_address;
        assert!(
            (area(b) - expected).abs() < 1e-6,
            "{}: area {} expected {expected}",
            b.block.cidr,
            area(b)
        );
    }
    let pe = d
        .blocks
        .iter()
        .find(|b| b.block.cidr == c4("10.20.8.0/25"))
        .unwrap();
    let aks = d
        .blocks
        .iter()
        .find(|b| b.block.cidr == c4("10.20.8.128/26"))
        .unwrap();
    assert_eq!(pe.w, MAP_W / 4.0);
    assert_eq!(aks.w, MAP_W / 8.0);
    assert_eq!(aks.x, pe.x + pe.w, "aks right after the /25");
    assert_eq!(aks.y, pe.y, "same row");
    for (i, a) in d.blocks.iter().enumerate() {
        for b in &d.blocks[i + 1..] {
            let apart = a.x + a.w <= b.x + 1e-9
                || b.x + b.w <= a.x + 1e-9
                || a.y + a.h <= b.y + 1e-9
                || b.y + b.h <= a.y + 1e-9;
            assert!(apart, "{} and {} overlap", a.block.cidr, b.block.cidr);
        }
    }
    // The free rows between the slots are bands that say what they stand for.
    assert!(!d.bands.is_empty());
    let last = d.bands.last().unwrap();
    assert_eq!(
        last.to,
        u64::from(u32::from(c4("10.20.0.0/16").addr)) + 65_536
    );
    // A /16 with 8 subnets fits the line budget.
    assert!(d.rows.len() + d.bands.len() <= MAX_LINES);
}

#[test]
fn a_subnet_larger_than_a_row_spans_whole_rows() {
    let m = layout(&input(
        &["10.0.0.0/22"],
        vec![
            sub("10.0.0.0/23", "big", "x"),
            sub("10.0.2.0/26", "small", "y"),
        ],
    ))
    .unwrap();
    let d = plan(&m);
    assert_eq!(
        d.row_prefix, 23,
        "an eighth of a row is the /26... but never below the section"
    );
    let big = d.blocks.iter().find(|b| b.block.subnet == Some(0)).unwrap();
    assert_eq!((big.w, big.h), (MAP_W, ROW_H));
    let m = layout(&input(
        &["10.0.0.0/20"],
        vec![
            sub("10.0.0.0/21", "big", "x"),
            sub("10.0.8.0/26", "small", "y"),
        ],
    ))
    .unwrap();
    let d = plan(&m);
    assert_eq!(d.row_prefix, 23);
    let big = d.blocks.iter().find(|b| b.block.subnet == Some(0)).unwrap();
    assert_eq!(
        (big.w, big.h),
        (MAP_W, 4.0 * ROW_H),
        "a /21 is four /23 rows"
    );
}

#[test]
fn a_prefix_smaller_than_a_row_is_a_partial_row() {
    let m = layout(&input(
        &["10.0.0.0/21", "10.9.0.0/24"],
        vec![sub("10.0.0.0/24", "a", "x"), sub("10.9.0.0/26", "b", "y")],
    ))
    .unwrap();
    let d = plan(&m);
    let small_free = d
        .blocks
        .iter()
        .find(|b| b.block.cidr == c4("10.9.0.128/25"))
        .unwrap();
    let row = 1u64 << (32 - u32::from(d.row_prefix));
    assert_eq!(small_free.w, 128.0 / row as f64 * MAP_W);
}

#[test]
fn names_are_escaped_in_svg_and_markdown() {
    let hostile = "<script>alert('x')</script> & \"q\" | `c`";
    let m = layout(&MapInput {
        title: "map <of> & \"stuff\"".into(),
        address_space: vec![c("10.0.0.0/24")],
        subnets: vec![MapSubnet {
            name: hostile.into(),
            cidr: c("10.0.0.0/25"),
            owner: hostile.into(),
            purpose: "a|b\nc".into(),
        }],
    })
    .unwrap();
    let svg = m.svg();
    assert!(!svg.contains("<script"), "{svg}");
    assert!(!svg.contains("'x'"), "{svg}");
    assert!(svg.contains("&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt; &amp; &quot;q&quot;"));
    assert!(svg.contains("<title>map &lt;of&gt; &amp; &quot;stuff&quot;</title>"));
    // Every `<` in the document starts a tag we wrote.
    for part in svg.split('<').skip(1) {
        let tag: String = part
            .chars()
            .take_while(|c| c.is_ascii_alphabetic() || *c == '/' || *c == '?')
            .collect();
        let tag = tag.trim_start_matches('/');
        assert!(
            ["svg", "title", "defs", "pattern", "rect", "line", "text", "g"].contains(&tag),
            "unexpected tag {tag:?} in {part:?}"
        );
    }
    let md = m.markdown();
    let row = md.lines().find(|l| l.starts_with("| 10.0.0.0/25")).unwrap();
    assert!(!row.contains("<script"), "{row}");
    // Escaped pipes do not split the row: 5 cells, 6 unescaped pipes.
    let unescaped = row.replace("\\|", "").matches('|').count();
    assert_eq!(unescaped, 6, "{row}");
    assert!(row.contains("a\\|b c"), "{row}");
}

#[test]
fn many_subnets_stay_within_the_line_budget() {
    // 700 /26 subnets scattered over a /16 (93 is coprime to 1,024: distinct slots),
    // plus a /29 in the last /26.
    let mut subnets: Vec<MapSubnet> = (0..700u32)
        .map(|i| (i, i * 93 % 1024))
        .filter(|(_, slot)| *slot != 1023)
        .map(|(i, slot)| MapSubnet {
            name: format!("s{i}"),
            cidr: Cidr::V4(
                Cidr4::new(
                    std::net::Ipv4Addr::from(
                        u32::from(std::net::Ipv4Addr::new(10, 0, 0, 0)) + slot * 64,
                    ),
                    26,
                )
                .unwrap(),
            ),
            owner: format!("project{:03}", i % 40),
            purpose: ["pe", "aks", "dbx"][(i % 3) as usize].into(),
        })
        .collect();
    let n = subnets.len();
    subnets.push(sub("10.0.255.248/29", "tiny", "x"));
    let m = layout(&input(&["10.0.0.0/16"], subnets)).unwrap();
    let d = plan(&m);
    assert!(
        d.rows.len() + d.bands.len() <= MAX_LINES,
        "{} lines",
        d.rows.len() + d.bands.len()
    );
    assert_eq!(
        d.blocks.iter().filter(|b| b.block.subnet.is_some()).count(),
        n + 1,
        "every subnet drawn"
    );
    // The /29 is still visible.
    let tiny = d
        .blocks
        .iter()
        .find(|b| b.block.cidr == c4("10.0.255.248/29"))
        .unwrap();
    assert!(tiny.w >= 2.0);
    let owners = m.owners();
    assert_eq!(owners.len(), 41);
    assert!(m.svg().len() < 1_000_000);
}

#[test]
fn output_is_deterministic_whatever_the_input_order() {
    let a = factory();
    let mut b = factory();
    b.subnets.reverse();
    let (ma, mb) = (layout(&a).unwrap(), layout(&b).unwrap());
    assert_eq!(ma.svg(), mb.svg());
    assert_eq!(ma.markdown(), mb.markdown());
}

#[test]
fn labels_fit_or_are_left_out() {
    let m = layout(&factory()).unwrap();
    let d = plan(&m);
    for b in &d.blocks {
        for l in &b.label {
            let w = l.text.chars().count() as f64 * 7.2;
            assert!(w <= b.w, "{:?} does not fit {}", l.text, b.w);
        }
        assert!(b.label.len() as f64 * 13.0 <= b.h);
    }
    let pe = d
        .blocks
        .iter()
        .find(|b| b.block.cidr == c4("10.20.8.0/25"))
        .unwrap();
    assert_eq!(pe.label[0].text, "project001", "{:?}", pe.label);
}

#[test]
fn markdown_table_snapshot() {
    let m = layout(&input(
        &["10.0.0.0/24"],
        vec![
            sub("10.0.0.0/25", "project001", "private_endpoints"),
            sub("10.0.0.192/26", "", ""),
        ],
    ))
    .unwrap();
    assert_eq!(
        m.markdown(),
        "**test**\n\n\
| CIDR | Addresses | Owner | Purpose | Subnet |\n\
|---|---:|---|---|---|\n\
| 10.0.0.0/25 | 128 | project001 | private_endpoints | snt-project001-private_endpoints |\n\
| 10.0.0.128/26 | 64 | *free* |  |  |\n\
| 10.0.0.192/26 | 64 |  |  |  |\n\
\nUtilisation: **75%** (192 of 256 IPv4 addresses in subnets). Largest free block: **10.0.0.128/26** (64 addresses); 64 free addresses in 1 blocks.\n"
    );
}

/// The factory picture, compared with the committed snapshot (also the README's picture
/// source); `AIFACTORY_UPDATE_GOLDEN=1` rewrites it.
#[test]
fn svg_snapshot() {
    let svg = layout(&factory()).unwrap().svg();
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/map/snapshots/factory.svg");
    if std::env::var_os("AIFACTORY_UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &svg).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run with AIFACTORY_UPDATE_GOLDEN=1",
            path.display()
        )
    });
    assert!(
        svg == want,
        "{} is stale; run with AIFACTORY_UPDATE_GOLDEN=1 and look at it",
        path.display()
    );
}

#[test]
fn numbers_are_grouped() {
    for (n, s) in [
        (0, "0"),
        (512, "512"),
        (65_536, "65,536"),
        (4_294_967_296, "4,294,967,296"),
    ] {
        assert_eq!(grouped(n), s);
    }
    for (p, s) in [(1.17, "1.17"), (50.0, "50"), (0.4, "0.4"), (100.0, "100")] {
        assert_eq!(percent_text(p), s);
    }
}
