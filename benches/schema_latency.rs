//! Start-up latency as Terraform sees it: spawn the provider, read its handshake line,
//! connect, and get the first GetProviderSchema answer. Terraform pays this once per
//! provider per command (twice for plan + apply), so it is the provider's fixed cost.
//!
//! Run with `cargo bench --bench schema_latency`. The binary measured is, in order:
//! `$AIFACTORY_PROVIDER_BIN`; the binary Cargo built for this bench (release profile
//! under `cargo bench`); `target/release/terraform-provider-aifactory` under the
//! manifest directory (or `$CARGO_TARGET_DIR`), built with `cargo build --release` first
//! when it is missing. Without `--bench` (as under `cargo test --benches`) one run is
//! made, as a smoke test.

#[path = "../tests/it/testkit/rpc.rs"]
mod rpc;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use rpc::tfplugin6::get_provider_schema;
use rpc::ProviderProcess;

const RUNS: usize = 10;
const BIN_NAME: &str = "terraform-provider-aifactory";

fn provider_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("AIFACTORY_PROVIDER_BIN") {
        return PathBuf::from(p);
    }
    if let Some(p) = option_env!("CARGO_BIN_EXE_terraform-provider-aifactory") {
        let p = PathBuf::from(p);
        if p.exists() {
            return p;
        }
    }
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|t| {
            if t.is_relative() {
                manifest_dir.join(t)
            } else {
                t
            }
        })
        .unwrap_or_else(|| manifest_dir.join("target"));
    let release = target_dir.join("release").join(BIN_NAME);
    if !release.exists() {
        eprintln!("{} missing; building it", release.display());
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = std::process::Command::new(cargo)
            .args(["build", "--release", "--bin", BIN_NAME])
            .current_dir(&manifest_dir)
            .status()
            .expect("run cargo build");
        assert!(status.success(), "cargo build --release failed: {status}");
    }
    release
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// min / median / max, in ms.
fn summary(samples: &[Duration]) -> (f64, f64, f64) {
    let mut v: Vec<f64> = samples.iter().copied().map(ms).collect();
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    let median = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    (v[0], median, v[n - 1])
}

/// One cold start: (spawn -> handshake line, spawn -> first schema answer, duration of
/// a second GetProviderSchema on the same connection).
async fn one_run(binary: &PathBuf) -> (Duration, Duration, Duration) {
    let mut p = ProviderProcess::start_binary(binary).await;
    let schema = p
        .client
        .get_provider_schema(get_provider_schema::Request {})
        .await
        .expect("GetProviderSchema")
        .into_inner();
    let done = Instant::now();
    assert!(
        schema.provider.is_some(),
        "GetProviderSchema returned no provider schema"
    );
    let handshake = p.handshake_at - p.spawned_at;
    let total = done - p.spawned_at;
    // A warm call, to tell start-up cost from per-call cost.
    p.client
        .get_provider_schema(get_provider_schema::Request {})
        .await
        .expect("second GetProviderSchema");
    let again = done.elapsed();
    // Do not let one run's exit overlap the next run's start.
    p.kill().await;
    (handshake, total, again)
}

fn main() {
    let benching = std::env::args().any(|a| a == "--bench");
    let runs = if benching { RUNS } else { 1 };
    let binary = provider_binary();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");

    let runs_done: Vec<(Duration, Duration, Duration)> = runtime.block_on(async {
        // One unmeasured run first so every measured run sees the binary in page cache.
        if benching {
            one_run(&binary).await;
        }
        let mut out = Vec::with_capacity(runs);
        for _ in 0..runs {
            out.push(one_run(&binary).await);
        }
        out
    });
    let handshakes: Vec<Duration> = runs_done.iter().map(|r| r.0).collect();
    let totals: Vec<Duration> = runs_done.iter().map(|r| r.1).collect();
    let warm: Vec<Duration> = runs_done.iter().map(|r| r.2).collect();

    let size = std::fs::metadata(&binary).map(|m| m.len()).unwrap_or(0);
    let (hmin, hmed, hmax) = summary(&handshakes);
    let (tmin, tmed, tmax) = summary(&totals);
    let (wmin, wmed, wmax) = summary(&warm);
    println!("schema_latency: {}", binary.display());
    let warm_up = if benching {
        ", after 1 unmeasured warm-up run"
    } else {
        ""
    };
    println!("  runs: {runs}{warm_up}");
    println!("  start -> handshake line       min {hmin:8.2} ms  median {hmed:8.2} ms  max {hmax:8.2} ms");
    println!("  start -> first schema answer  min {tmin:8.2} ms  median {tmed:8.2} ms  max {tmax:8.2} ms");
    println!("  second schema call (warm)     min {wmin:8.2} ms  median {wmed:8.2} ms  max {wmax:8.2} ms");
    println!(
        "  binary size: {:.2} MB ({size} bytes)",
        size as f64 / 1_000_000.0
    );
}
