//! Figures, not a timed test: creating one stage's common part (`aifactory_common`)
//! through the resource's own plan/apply code path (no Terraform), against the in-process
//! emulator with the project bench's settings (`support`: 50 ms latency per call, 3 s LROs
//! for key vaults and storage, 2 s for private endpoints and DNS zone groups, other LROs
//! end at once; ARM's buckets, writes 200 + 10 per second, reads 250 + 25 per second).
//!
//! The stage: a new vNet (10.20.0.0/16) with the common and scoring subnets (/26), every
//! private DNS zone of the factory created and linked, Log Analytics, the lake, the two key
//! vaults, the Premium registry, diagnostic settings and one core team group.
//!
//! Printed: the objects (ARM resources, role assignments, ACL entries), the ARM calls of an
//! apply (writes and reads, from the emulator's journal) and its DFS calls, the median plan,
//! apply and refresh times over the runs (a fresh emulator each), and the bounds: the
//! longest dependency chain (calls' latency plus LRO delays, as the project bench computes
//! it, with the chain itself), ARM's write throttle (writes beyond the 200 burst at 10 per
//! second; the pure `writes / rate` is shown beside it) and read throttle, and the apply's
//! ratio to the largest.
//!
//! The median runs leave the emulator's per-vNet write lock off, as the project bench
//! does; one more run with it on (409 `AnotherOperationInProgress` while a long-running
//! operation holds the vNet, as Azure answers) shows what the common subnet's private
//! endpoints, written one after another, add to the bound.
//!
//! `COMMON_BENCH_RUNS=N`: runs (default 3); `COMMON_BENCH_JOURNAL=FILE`: the last run's
//! apply journal (time, method, status, path). Run: `cargo bench --bench common`.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aifactory::context::ProviderContext;
use aifactory::framework::resource::ApplyRequest;
use aifactory::framework::{FromValue, Num, PlanRequest, Resource, Tf, ToValue, Value};
use aifactory::resources::common::{Common, CommonModel};
use aifactory_emulator::{Emulator, Seed, VnetConflict};
use aifactory_template::common::{
    CommonNaming, CommonNetwork, CommonSpec, CommonSubnet, CommonSubnetPurpose, CoreTeam, DnsSpec,
    DnsZones, LakeSpec, VirtualNetwork,
};
use aifactory_template::naming::{Environment, SaltMode};
use aifactory_template::project::{Cloud, TeamPrincipalType};

mod support;
use support::{
    arm_calls, chain_bound, emulator_config, median, read_throttle_ms, settings, vm_hwm_kib,
    write_throttle_ms, ArmCalls, LATENCY_MS, SUB, TENANT, WRITE_RATE,
};

const CORE: &str = "0a1b2c3d-0000-4000-8000-0000000000c0";
const ADDRESS_SPACE: &str = "10.20.0.0/16";

fn runs() -> usize {
    std::env::var("COMMON_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(3)
}

/// The configuration (the resource's defaults otherwise).
fn config() -> CommonModel {
    CommonModel {
        environment: Tf::Known("dev".into()),
        location: Tf::Known("westeurope".into()),
        naming: Tf::Known(
            [("prefix", "acme-"), ("location_short", "weu")]
                .iter()
                .map(|(k, v)| (k.to_string(), Tf::Known(v.to_string())))
                .collect(),
        ),
        address_space: Tf::Known(vec![Tf::Known(ADDRESS_SPACE.into())]),
        subnets: Tf::Known(
            [("common", 26.0), ("scoring", 26.0)]
                .iter()
                .map(|(k, v)| (k.to_string(), Tf::Known(Num::from(*v))))
                .collect(),
        ),
        core_team: Value::object([
            ("object_ids", Value::List(vec![Value::string(CORE)])),
            ("principal_type", Value::string("Group")),
        ]),
        ..CommonModel::default()
    }
}

/// The template's input for [`config`] (the resource's defaults; the subnets as the
/// allocator packs them). Checked against what the apply records.
fn spec() -> CommonSpec {
    CommonSpec {
        subscription_id: SUB.into(),
        tenant_id: TENANT.into(),
        cloud: Cloud::Public,
        environment: Environment::Dev,
        location: "westeurope".into(),
        naming: CommonNaming {
            prefix: "acme-".into(),
            location_short: "weu".into(),
            suffix: "-001".into(),
            salt: SaltMode::AiFactory,
        },
        network: CommonNetwork {
            vnet: VirtualNetwork::Create {
                address_space: vec![ADDRESS_SPACE.into()],
            },
            subnets: vec![
                CommonSubnet {
                    purpose: CommonSubnetPurpose::Common,
                    cidr: "10.20.0.0/26".into(),
                },
                CommonSubnet {
                    purpose: CommonSubnetPurpose::Scoring,
                    cidr: "10.20.0.64/26".into(),
                },
            ],
            route_to_firewall: None,
        },
        dns: DnsSpec {
            zones: DnsZones::Create,
            link: true,
            zone_groups: true,
        },
        hub_peering: None,
        datalake: LakeSpec {
            filesystem: "lake3".into(),
            name_prefix: "lake".into(),
        },
        container_registry: true,
        log_retention_days: 30,
        diagnostics: true,
        core_team: CoreTeam {
            object_ids: vec![CORE.into()],
            principal_type: TeamPrincipalType::Group,
        },
        tags: Default::default(),
        bastion: false,
        defender_plans: Vec::new(),
        jump_host: None,
    }
}

struct Run {
    plan: Duration,
    apply: Duration,
    refresh: Duration,
    apply_calls: ArmCalls,
    /// Writes answered 409.
    conflicts: usize,
    refresh_calls: ArmCalls,
    recorded: BTreeSet<String>,
}

/// One create from nothing on a fresh emulator; `vnet_lock`: the emulator answers writes
/// on a vNet (its subnets, private endpoints into them) 409 `AnotherOperationInProgress`
/// while another long-running operation there is in flight, as Azure does (the project
/// bench turns this off; so do the runs the median is taken over).
async fn run_once(vnet_lock: bool) -> Result<Run, String> {
    let mut cfg = emulator_config(Seed::default(), 1.0);
    if !vnet_lock {
        cfg.settings.vnet_conflict = VnetConflict::Allow;
    }
    let emu = Arc::new(Emulator::start(cfg).await.map_err(|e| e.to_string())?);
    let common = Common::new(ProviderContext::with_settings(settings(&emu, 1.0)));
    let c = config().to_value();

    let started = Instant::now();
    let planned = common
        .plan(PlanRequest {
            prior: Value::Null,
            proposed: c.clone(),
            config: c.clone(),
            prior_private: Value::Null,
        })
        .await;
    let plan = started.elapsed();
    if planned.diags.has_errors() {
        return Err(format!("plan: {:?}", planned.diags));
    }

    let before = emu.journal().len();
    let started = Instant::now();
    let applied = common
        .apply(ApplyRequest {
            prior: Value::Null,
            planned: planned.planned,
            config: c,
            planned_private: planned.private,
        })
        .await;
    let apply = started.elapsed();
    if applied.diags.has_errors() {
        return Err(format!("apply: {:?}", applied.diags));
    }
    let apply_calls = arm_calls(&emu.journal()[before..]);
    let conflicts = emu.journal()[before..]
        .iter()
        .filter(|e| e.status == 409)
        .count();
    if let Ok(path) = std::env::var("COMMON_BENCH_JOURNAL") {
        let lines: Vec<String> = emu.journal()[before..]
            .iter()
            .map(|e| {
                format!(
                    "{} {} {} {} {}ms",
                    e.time, e.method, e.status, e.path, e.duration_ms
                )
            })
            .collect();
        let _ = std::fs::write(path, lines.join("\n"));
    }

    let before = emu.journal().len();
    let started = Instant::now();
    let read = common
        .read(applied.state.clone(), applied.private.clone())
        .await;
    let refresh = started.elapsed();
    if read.diags.has_errors() {
        return Err(format!("refresh: {:?}", read.diags));
    }
    let refresh_calls = arm_calls(&emu.journal()[before..]);
    let recorded = CommonModel::decode(&applied.state)
        .map_err(|e| format!("{e:?}"))?
        .records()
        .keys()
        .cloned()
        .collect();
    Ok(Run {
        plan,
        apply,
        refresh,
        apply_calls,
        conflicts,
        refresh_calls,
        recorded,
    })
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn main() {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("common bench: cannot start a runtime: {e}");
            std::process::exit(1);
        }
    };
    let desired = match aifactory_template::common::desired(&spec()) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("common bench: the template refuses the spec: {e:?}");
            std::process::exit(1);
        }
    };
    let plan = &desired.plan;
    let bound = match chain_bound(plan) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("common bench: {e}");
            std::process::exit(1);
        }
    };
    let total = Instant::now();
    let mut runs_done = Vec::new();
    for i in 0..runs() {
        match rt.block_on(run_once(false)) {
            Ok(r) => runs_done.push(r),
            Err(e) => {
                eprintln!("common bench (run {}): {e}", i + 1);
                std::process::exit(1);
            }
        }
    }
    let locked = match rt.block_on(run_once(true)) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("common bench (run with the vNet lock): {e}");
            std::process::exit(1);
        }
    };
    let Some(first) = runs_done.first() else {
        return;
    };
    let mut keys = plan.keys();
    // The engine records the lake's directories under one key of its own.
    keys.insert("datalake_directory".into());
    if first.recorded != keys {
        let missing: Vec<_> = keys.difference(&first.recorded).collect();
        let extra: Vec<_> = first.recorded.difference(&keys).collect();
        eprintln!(
            "common bench: the bench's spec differs from what the resource applied \
             (missing {missing:?}, extra {extra:?}); fix spec()"
        );
        std::process::exit(1);
    }

    println!(
        "aifactory_common: one stage's common part (new vNet, 2 subnets, every zone created and linked, lake, \
         2 key vaults, registry, diagnostics, 1 core team group), {LATENCY_MS} ms per call, \
         LRO delays KV, storage 3 s / private endpoints 2 s / others 0; {} runs",
        runs_done.len()
    );
    println!(
        "objects: {} ({} ARM resources, {} role assignments, {} ACL entries; {} private DNS zones)",
        plan.resources.len() + plan.role_assignments.len() + plan.acl.len(),
        plan.resources.len(),
        plan.role_assignments.len(),
        plan.acl.len(),
        desired.zones.len()
    );
    let a = first.apply_calls;
    let r = first.refresh_calls;
    println!(
        "apply calls: {} ARM writes ({} planned), {} ARM reads, {} DFS; refresh calls: {} ARM reads, {} DFS",
        a.writes, bound.writes, a.reads, a.dfs, r.reads + r.writes, r.dfs
    );
    let med = |f: fn(&Run) -> Duration| median(&runs_done.iter().map(f).collect::<Vec<_>>());
    let (plan_t, apply_t, refresh_t) = (med(|r| r.plan), med(|r| r.apply), med(|r| r.refresh));
    let throttle = write_throttle_ms(a.writes as f64, 1.0);
    let reads = read_throttle_ms(a.reads as f64, 1.0);
    let b = bound.critical_ms.max(throttle).max(reads);
    println!(
        "bound: critical path {:.2}s, write throttle {:.2}s (writes / rate alone {:.2}s), read throttle {:.2}s -> {:.2}s",
        bound.critical_ms as f64 / 1000.0,
        throttle as f64 / 1000.0,
        a.writes as f64 / WRITE_RATE,
        reads as f64 / 1000.0,
        b as f64 / 1000.0
    );
    println!(
        "median: plan {:.2}s, apply {:.2}s (ratio to bound {:.2}x), refresh {:.2}s; apply runs: {}",
        secs(plan_t),
        secs(apply_t),
        secs(apply_t) * 1000.0 / b.max(1) as f64,
        secs(refresh_t),
        runs_done
            .iter()
            .map(|r| format!("{:.2}s", secs(r.apply)))
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!(
        "with the vNet write lock (409 AnotherOperationInProgress, as Azure): apply {:.2}s (ratio to bound {:.2}x), \
         {} ARM writes ({} answered 409), {} ARM reads",
        secs(locked.apply),
        secs(locked.apply) * 1000.0 / b.max(1) as f64,
        locked.apply_calls.writes,
        locked.conflicts,
        locked.apply_calls.reads
    );
    println!(
        "longest dependency chain (finish times): {}",
        bound.chain_text()
    );
    println!(
        "peak memory (VmHWM, provider + in-process emulator): {} MiB",
        vm_hwm_kib() / 1024
    );
    println!("total bench time: {:.0?}", total.elapsed());
}
