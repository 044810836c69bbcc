//! Shared by the `project` and `common` benches: the emulator's latency, long-running
//! operation delays and ARM throttle (one set, so their figures compare), the provider
//! settings that match them, the lower bounds (the longest dependency chain of calls and
//! LRO delays, ARM's write and read throttles) and counting ARM calls in the journal.
//!
//! Must not: hold a bench's own configuration or time anything.

// Each bench uses a part of this module.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::time::Duration;

use aifactory_azure::{BucketConfig, EnvVars, Settings};
use aifactory_emulator::{
    Bucket, EmulatorConfig, FaultAction, FaultRule, JournalEntry, RunningEmulator, Seed,
    ThrottleConfig,
};
use aifactory_template::project::{DesiredProject, Node};

pub const TENANT: &str = "11111111-1111-1111-1111-111111111111";
pub const SUB: &str = "00000000-0000-0000-0000-000000000001";
pub const CLIENT: &str = "22222222-2222-2222-2222-222222222222";
pub const SECRET: &str = "bench-secret";
pub const LATENCY_MS: u64 = 50;
/// (path glob of the PUT, LRO delay in ms); other long-running operations end at once.
pub const LRO_DELAYS: [(&str, u64); 8] = [
    ("*/Microsoft.MachineLearningServices/workspaces/*", 10_000),
    ("*/Microsoft.KeyVault/vaults/*", 3_000),
    ("*/Microsoft.Storage/storageAccounts/*", 3_000),
    ("*/Microsoft.Search/searchServices/*", 3_000),
    ("*/Microsoft.CognitiveServices/accounts/*", 3_000),
    ("*/Microsoft.Network/privateEndpoints/*", 2_000),
    ("*/Microsoft.DocumentDB/databaseAccounts/*", 3_000),
    ("*/Microsoft.App/managedEnvironments/*", 3_000),
];
/// ARM's buckets: writes (and deletes) 200 + 10 per second, reads 250 + 25 per second.
pub const WRITE_BURST: f64 = 200.0;
pub const WRITE_RATE: f64 = 10.0;
pub const READ_BURST: f64 = 250.0;
pub const READ_RATE: f64 = 25.0;

/// The emulator: `seed`, [`LATENCY_MS`] per call, [`LRO_DELAYS`], ARM's buckets refilled
/// `scale` times faster.
pub fn emulator_config(seed: Seed, scale: f64) -> EmulatorConfig {
    EmulatorConfig::default()
        .with_tenant(TENANT)
        .with_subscription(SUB)
        .with_app(CLIENT, SECRET)
        .with_seed(seed)
        .with_latency(Duration::from_millis(LATENCY_MS), Duration::ZERO)
        .with_throttle(ThrottleConfig {
            reads: Bucket {
                capacity: READ_BURST,
                refill_per_sec: READ_RATE * scale,
            },
            writes: Bucket {
                capacity: WRITE_BURST,
                refill_per_sec: WRITE_RATE * scale,
            },
            deletes: Bucket {
                capacity: WRITE_BURST,
                refill_per_sec: WRITE_RATE * scale,
            },
            ..ThrottleConfig::arm()
        })
        .with_faults(
            LRO_DELAYS
                .iter()
                .map(|(glob, ms)| {
                    FaultRule::new("PUT", glob, FaultAction::SlowLro { delay_ms: *ms })
                })
                .collect(),
        )
}

/// Provider settings for `emu` with the client's buckets matching the emulator's.
pub fn settings(emu: &RunningEmulator, scale: f64) -> Settings {
    let vars: EnvVars = emu
        .info()
        .provider_env(TENANT, SUB, CLIENT, SECRET)
        .into_iter()
        .collect();
    let mut s = Settings::from_vars_and(&vars, &aifactory_azure::NoConfig);
    s.throttle.writes = BucketConfig {
        burst: WRITE_BURST,
        per_second: WRITE_RATE * scale,
    };
    s.throttle.deletes = BucketConfig {
        burst: WRITE_BURST,
        per_second: WRITE_RATE * scale,
    };
    s.throttle.reads = BucketConfig {
        burst: READ_BURST,
        per_second: READ_RATE * scale,
    };
    s
}

/// The process's peak resident memory (KiB; 0 where `/proc` has none).
pub fn vm_hwm_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_string)
        })
        .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

/// The dependency bound of one plan.
#[derive(Debug, Clone)]
pub struct ChainBound {
    /// The longest chain (ms): per object its calls' latency plus its LRO delay.
    pub critical_ms: u64,
    /// That chain, first object first, with the time each finishes (ms).
    pub chain: Vec<(String, u64)>,
    /// ARM writes the plan makes (resources and role assignments).
    pub writes: usize,
}

impl ChainBound {
    /// `a 0.1s > b 3.2s > ...` (finish times).
    pub fn chain_text(&self) -> String {
        self.chain
            .iter()
            .map(|(k, ms)| format!("{k} {:.2}s", *ms as f64 / 1000.0))
            .collect::<Vec<_>>()
            .join(" > ")
    }
}

/// The LRO delay [`LRO_DELAYS`] gives an object's PUT.
fn lro_delay(id: &str) -> u64 {
    LRO_DELAYS
        .iter()
        .find(|(glob, _)| {
            let t = glob.trim_start_matches("*/").trim_end_matches("/*");
            id.contains(t)
        })
        .map_or(0, |(_, d)| *d)
}

/// The longest dependency chain of `plan`: a resource's PUT (and for a long-running
/// operation its status poll and the final GET, plus its delay), a role assignment's PUT,
/// an ACL entry's directory create and ACL change, summed along dependencies.
pub fn chain_bound(plan: &DesiredProject) -> Result<ChainBound, String> {
    let order = plan.apply_order().map_err(|e| e.to_string())?;
    let mut finish: BTreeMap<String, u64> = BTreeMap::new();
    let mut before: BTreeMap<String, String> = BTreeMap::new();
    let mut writes = 0usize;
    for n in &order {
        let (calls, lro) = match n {
            Node::Resource(r) => {
                writes += 1;
                if r.lro {
                    (3, lro_delay(&r.id))
                } else {
                    (1, 0)
                }
            }
            Node::RoleAssignment(_) => {
                writes += 1;
                (1, 0)
            }
            Node::Acl(_) => (2, 0),
        };
        let mut last: Option<(&String, u64)> = None;
        for d in n.depends_on() {
            if let Some(f) = finish.get(d) {
                if last.is_none_or(|(_, lf)| *f > lf) {
                    last = Some((d, *f));
                }
            }
        }
        let start = last.map_or(0, |(_, f)| f);
        if let Some((d, _)) = last {
            before.insert(n.key().to_string(), d.clone());
        }
        finish.insert(n.key().to_string(), start + calls * LATENCY_MS + lro);
    }
    let (last, critical_ms) = finish
        .iter()
        .max_by_key(|(_, ms)| **ms)
        .map(|(k, ms)| (k.clone(), *ms))
        .unwrap_or_default();
    let mut chain = Vec::new();
    let mut at = Some(last);
    while let Some(k) = at {
        if let Some(ms) = finish.get(&k) {
            chain.push((k.clone(), *ms));
        }
        at = before.get(&k).cloned();
    }
    chain.reverse();
    Ok(ChainBound {
        critical_ms,
        chain,
        writes,
    })
}

/// ARM's write throttle: writes beyond the burst at the refill rate (ms).
pub fn write_throttle_ms(writes: f64, scale: f64) -> u64 {
    if writes > WRITE_BURST {
        ((writes - WRITE_BURST) / (WRITE_RATE * scale) * 1000.0) as u64
    } else {
        0
    }
}

/// ARM's read throttle: reads beyond the burst at the refill rate (ms).
pub fn read_throttle_ms(reads: f64, scale: f64) -> u64 {
    if reads > READ_BURST {
        ((reads - READ_BURST) / (READ_RATE * scale) * 1000.0) as u64
    } else {
        0
    }
}

/// ARM calls in journal entries (DFS and token calls left out).
#[derive(Debug, Clone, Copy, Default)]
pub struct ArmCalls {
    /// PUT, PATCH, DELETE, POST.
    pub writes: usize,
    /// GET, HEAD.
    pub reads: usize,
    /// DFS calls (directories and ACLs).
    pub dfs: usize,
}

pub fn arm_calls(entries: &[JournalEntry]) -> ArmCalls {
    let mut c = ArmCalls::default();
    for e in entries.iter().filter(|e| !e.path.contains("oauth2")) {
        if e.path.contains("/dfs/") {
            c.dfs += 1;
        } else if matches!(e.method.as_str(), "PUT" | "PATCH" | "DELETE" | "POST") {
            c.writes += 1;
        } else if matches!(e.method.as_str(), "GET" | "HEAD") {
            c.reads += 1;
        }
    }
    c
}

/// The median of `v` (the lower middle of an even count; zero when empty).
pub fn median(v: &[Duration]) -> Duration {
    let mut v = v.to_vec();
    v.sort();
    v.get(v.len().saturating_sub(1) / 2)
        .copied()
        .unwrap_or_default()
}
