//! Allocator speed and address-space utilisation.
//!
//! Run with `cargo bench --bench allocator` (release build; prints a table, no
//! criterion). Every time is the median of 5 runs. Without `--bench` (as under
//! `cargo test --benches`) a quick smoke run with small N and one run each is made.
//!
//! 1. Speed: N projects x 8 subnets in 10.0.0.0/8 with
//!    * `packed`, incremental: one `FreeSpace` for the whole /8, `place` per subnet;
//!    * `packed`, realistic: one `allocate` per project whose `occupied` holds every
//!      subnet placed so far (O(N^2) overall, so only N = 1,000 is run in full) and the
//!      cost of one such call when `occupied` holds 10,000 / 80,000 entries;
//!    * `slot`: one independent `allocate` per project, `index` = project number.
//! 2. Utilisation: how many ESML "all" projects fit in a /16 before the first failure.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use aifactory_allocator::{allocate, AllocationInput, Cidr4, FreeSpace, RequestSpec, Strategy};

const RUNS: usize = 5;
/// The speed set: 2x/27, 2x/28, 4x/29 = 128 addresses; 100,000 of them fill 76% of a /8.
const SPEED_SET: [u8; 8] = [27, 27, 28, 28, 29, 29, 29, 29];
/// Slot size for the speed runs: a /8 has 131,072 /25 slots (only 8,192 /21 and 65,536
/// /24 slots, too few for 10,000 resp. 100,000 projects).
const SPEED_SLOT: i64 = 25;
/// ESML "all": /23, /23, /24, /25, /26, /26, /26, /27 = 1,632 addresses.
const ESML_ALL: [u8; 8] = [23, 23, 24, 25, 26, 26, 26, 27];

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn timed<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        black_box(f());
        times.push(t.elapsed());
    }
    median(times)
}

fn show(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 1e-3 {
        format!("{:.1} µs", s * 1e6)
    } else if s < 1.0 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{s:.2} s")
    }
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

fn requests(set: &[u8]) -> BTreeMap<String, RequestSpec> {
    set.iter()
        .enumerate()
        .map(|(i, &p)| {
            (
                format!("s{i}"),
                RequestSpec {
                    prefix_length: Some(i64::from(p)),
                    min_hosts: None,
                    ipv6: false,
                },
            )
        })
        .collect()
}

fn input(pool: &str, set: &[u8], occupied: Vec<String>, strategy: Strategy) -> AllocationInput {
    AllocationInput {
        pool: vec![pool.to_string()],
        reserved: Vec::new(),
        occupied,
        strategy,
        requests: requests(set),
        previous: BTreeMap::new(),
    }
}

fn slash8() -> Cidr4 {
    Cidr4 {
        addr: [10, 0, 0, 0].into(),
        prefix: 8,
    }
}

/// Packed, incremental: one free space, `place` for every subnet (largest first).
fn packed_incremental(n: usize) -> usize {
    let mut free = FreeSpace::new(&[slash8()], &[]);
    let mut placed = 0;
    for _ in 0..n {
        for &p in &SPEED_SET {
            if free.place(p).is_some() {
                placed += 1;
            }
        }
    }
    assert_eq!(placed, n * SPEED_SET.len(), "the /8 ran out");
    placed
}

/// Slot: every project an independent `allocate` call in its own slot.
fn slot_calls(n: usize, slot_prefix: i64) -> usize {
    let mut base = input("10.0.0.0/8", &SPEED_SET, Vec::new(), Strategy::Packed);
    let mut placed = 0;
    for i in 0..n {
        base.strategy = Strategy::Slot {
            prefix_length: slot_prefix,
            index: i as i64,
        };
        match allocate(&base) {
            Ok(a) => placed += a.ipv4.len(),
            Err(e) => panic!("slot {i}: {}", e[0]),
        }
    }
    placed
}

/// Packed, realistic: each project one `allocate` whose `occupied` is all placed so far.
fn packed_calls(n: usize) -> usize {
    let mut occupied: Vec<String> = Vec::new();
    for i in 0..n {
        let inp = input(
            "10.0.0.0/8",
            &SPEED_SET,
            std::mem::take(&mut occupied),
            Strategy::Packed,
        );
        match allocate(&inp) {
            Ok(a) => {
                occupied = inp.occupied;
                occupied.extend(a.ipv4.values().map(|c| c.to_string()));
            }
            Err(e) => panic!("project {i}: {}", e[0]),
        }
    }
    occupied.len()
}

/// `entries` occupied subnets (as the live vNet would list them), packed from 10.0.0.0.
fn occupied_list(entries: usize) -> Vec<String> {
    let mut free = FreeSpace::new(&[slash8()], &[]);
    (0..entries)
        .filter_map(|i| free.place(SPEED_SET[i % SPEED_SET.len()]))
        .map(|c| c.to_string())
        .collect()
}

/// How many ESML projects fit one after the other, each one `allocate` call.
fn esml_fit(strategy: impl Fn(usize) -> Strategy) -> (usize, u64) {
    let mut occupied: Vec<String> = Vec::new();
    let mut used = 0;
    for i in 0.. {
        let inp = input("10.20.0.0/16", &ESML_ALL, occupied.clone(), strategy(i));
        match allocate(&inp) {
            Ok(a) => {
                used += a.ipv4_addresses;
                occupied.extend(a.ipv4.values().map(|c| c.to_string()));
            }
            Err(_) => return (i, used),
        }
    }
    (0, 0)
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let runs = if full { RUNS } else { 1 };
    let sizes: &[usize] = if full {
        &[1_000, 10_000, 100_000]
    } else {
        &[1_000]
    };
    let started = Instant::now();

    println!(
        "Allocator benchmark ({}; each time the median of {runs} run{})",
        if full { "release" } else { "smoke run" },
        if runs == 1 { "" } else { "s" }
    );
    println!();
    println!("1. Speed: N projects x 8 subnets in 10.0.0.0/8");
    println!("   subnet set /27,/27,/28,/28,/29,/29,/29,/29 = 128 addresses per project");
    println!(
        "   slot runs use slot_prefix_length {SPEED_SLOT} for every N (a /8 has 131,072 /25 slots;"
    );
    println!("   /21 gives 8,192 and /24 65,536 slots, too few for 10,000 resp. 100,000 projects)");
    println!();

    let mut packed = Vec::new();
    let mut slot = Vec::new();
    for &n in sizes {
        packed.push(timed(runs, || packed_incremental(n)));
        slot.push(timed(runs, || slot_calls(n, SPEED_SLOT)));
    }
    let header: String = sizes
        .iter()
        .map(|n| format!("{:>13}", format!("N={}", thousands(*n as u64))))
        .collect();
    println!("   {:<58}{header}", "method");
    let row = |label: &str, times: &[Duration]| {
        let cells: String = times.iter().map(|t| format!("{:>13}", show(*t))).collect();
        println!("   {label:<58}{cells}");
    };
    row("packed: incremental FreeSpace::place, 8N calls", &packed);
    row("slot /25: one allocate() per project (independent)", &slot);
    let per: Vec<Duration> = slot
        .iter()
        .zip(sizes)
        .map(|(t, &n)| *t / n as u32)
        .collect();
    row("  = per slot allocate() call", &per);
    if sizes.len() > 1 {
        let ratios = |t: &[Duration]| -> String {
            t.windows(2)
                .map(|w| format!("x{:.1}", w[1].as_secs_f64() / w[0].as_secs_f64().max(1e-9)))
                .collect::<Vec<_>>()
                .join(" -> ")
        };
        println!("   growth 1k -> 10k -> 100k (10x more projects each step):");
        println!("     packed incremental: {}", ratios(&packed));
        println!("     slot:               {}", ratios(&slot));
    }
    println!();

    let realistic_n = if full { 1_000 } else { 100 };
    let t = timed(runs, || packed_calls(realistic_n));
    println!(
        "   packed, realistic: one allocate() per project, occupied = every subnet placed so far"
    );
    println!(
        "     N={}: {} in total (O(N^2): the last call sees {} occupied entries)",
        thousands(realistic_n as u64),
        show(t),
        thousands((realistic_n * SPEED_SET.len()) as u64)
    );
    let occupied_sizes: &[usize] = if full { &[10_000, 80_000] } else { &[10_000] };
    for &entries in occupied_sizes {
        let inp = input(
            "10.0.0.0/8",
            &SPEED_SET,
            occupied_list(entries),
            Strategy::Packed,
        );
        let t = timed(runs, || allocate(&inp).map(|a| a.ipv4.len()).unwrap_or(0));
        println!(
            "     one packed allocate() with {:>6} occupied entries: {}",
            thousands(entries as u64),
            show(t)
        );
    }
    println!();

    println!(
        "2. Utilisation: ESML \"all\" project (/23,/23,/24,/25,/26,/26,/26,/27 = 1,632 addresses)"
    );
    println!("   in 10.20.0.0/16 (65,536 addresses, nothing reserved), projects added until the first failure");
    println!();
    let (packed_fit, packed_used) = esml_fit(|_| Strategy::Packed);
    let (slot_fit, _) = esml_fit(|i| Strategy::Slot {
        prefix_length: 21,
        index: i as i64,
    });
    let total = 65_536.0;
    println!(
        "   {:<44}{:>10}{:>26}{:>12}",
        "strategy", "projects", "addresses/project", "% of /16"
    );
    println!(
        "   {:<44}{:>10}{:>26}{:>11.1}%",
        "packed",
        packed_fit,
        format!("{} used", thousands(packed_used / packed_fit.max(1) as u64)),
        100.0 * packed_used as f64 / total
    );
    println!(
        "   {:<44}{:>10}{:>26}{:>11.1}%",
        "slot, slot_prefix_length 21 (32 slots)",
        slot_fit,
        "1,632 used / 2,048 held",
        100.0 * (slot_fit as f64 * 1632.0) / total
    );
    println!(
        "   {:<44}{:>10}{:>26}{:>11.1}%",
        "ESML calculator (reference, not run here)",
        "~24",
        "1,632 used",
        100.0 * 24.0 * 1632.0 / total
    );
    println!("   physical limit: 65,536 / 1,632 = 40 projects");
    println!();
    println!("total bench time: {}", show(started.elapsed()));
}
