//! Figures, not a timed test: creating 1, 10 and 50 `aifactory_project`s at once through
//! the resource's own plan/apply code path (no Terraform), against the in-process emulator
//! with 50 ms latency per call and per-type long-running-operation delays: 10 s for the
//! Machine Learning workspace, 3 s for key vaults, storage, AI Search and AI Services,
//! 2 s for private endpoints and DNS zone groups.
//!
//! Each project is genai with `azure_ml`, private networking, the data lake, one team
//! group and a service principal. Printed per size: plan and apply wall time, the lower
//! bound (the longer of the dependency chain's critical path — sum of its calls' latency
//! and LRO delays — and ARM's write throttle: writes beyond the 200 burst at the refill
//! rate), ARM writes per project, a refresh's wall time and calls per project, and the
//! process's peak memory (VmHWM; includes the in-process emulator).
//!
//! ARM's buckets (writes 200 + 10 per second, reads 250 + 25 per second — long-running
//! operations are polled with reads) make 50 projects take minutes; to keep the bench near
//! two minutes the 50-project run refills both buckets 8 times faster, in the client and
//! the emulator alike (`PROJECT_BENCH_REAL_THROTTLE=1`: the real rates). The bounds printed
//! are for the rates used. LRO delays are never scaled.
//!
//! `PROJECT_BENCH_FOUNDRY=1`: each project is a full GenAI project on AI Foundry instead
//! (the Agent service on Cosmos DB, Storage and AI Search, two model deployments written
//! one at a time, a Container Apps environment; 3 s LROs for Cosmos DB, the Foundry
//! project, deployments, capability hosts and the environment).
//!
//! Also printed: the ratios of apply and refresh to their bounds, and the longest
//! dependency chain of one project with each object's finish time (the latency, LRO
//! delays, throttle and bounds are shared with the `common` bench: `support`).
//! `PROJECT_BENCH_SIZES=1,10`: only these project counts.
//!
//! Run: `cargo bench --bench project`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aifactory::context::ProviderContext;
use aifactory::framework::resource::ApplyRequest;
use aifactory::framework::{PlanRequest, Resource, Value};
use aifactory::resources::project::Project;
use aifactory_emulator::{Emulator, Seed, VnetConflict};
use serde_json::json;

mod support;
use support::{
    arm_calls, chain_bound, emulator_config, read_throttle_ms, settings, vm_hwm_kib,
    write_throttle_ms, ChainBound, LATENCY_MS, SUB, TENANT,
};

const COMMON_RG: &str = "acme-esml-common-weu-dev-001";
/// A full GenAI project on AI Foundry (`PROJECT_BENCH_FOUNDRY=1`).
fn foundry() -> bool {
    std::env::var("PROJECT_BENCH_FOUNDRY").is_ok_and(|v| v == "1")
}

fn rg(name: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/{name}")
}
fn vnet_id() -> String {
    format!(
        "{}/providers/Microsoft.Network/virtualNetworks/vnt-esmlcmn-weu-dev-001",
        rg(COMMON_RG)
    )
}
fn lake_id() -> String {
    format!(
        "{}/providers/Microsoft.Storage/storageAccounts/lakeweudev",
        rg(COMMON_RG)
    )
}

fn la_id() -> String {
    format!(
        "{}/providers/Microsoft.OperationalInsights/workspaces/la",
        rg(COMMON_RG)
    )
}

fn smap(pairs: &[(&str, String)]) -> Value {
    Value::Map(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), Value::String(v.clone())))
            .collect(),
    )
}

fn config(number: i64) -> Value {
    let team = Value::Dynamic {
        type_json: r#"["object",{"object_ids":["tuple",["string"]],"principal_type":"string","service_principal_object_id":"string"}]"#.into(),
        value: Box::new(Value::object([
            ("object_ids", Value::List(vec![Value::string(format!("0a1b2c3d-0000-4000-8000-{number:012}"))])),
            ("principal_type", Value::string("Group")),
            ("service_principal_object_id", Value::string("5e5e5e5e-0000-4000-8000-00000000005e")),
        ])),
    };
    Value::object([
        ("number", Value::Number(number as f64)),
        ("environment", Value::string("dev")),
        ("location", Value::string("westeurope")),
        ("project_type", Value::string("genai")),
        (
            "naming",
            smap(&[("prefix", "acme-".into()), ("location_short", "weu".into())]),
        ),
        (
            "common",
            smap(&[
                ("resource_group_name", COMMON_RG.into()),
                ("private_dns_zone_resource_group_id", rg("acme-dns")),
                ("log_analytics_workspace_id", la_id()),
                ("datalake_storage_account_id", lake_id()),
                ("datalake_filesystem", "lake3".into()),
                // Beyond about nine projects the shared folders' ACLs are full unless one
                // traverse group covers them (checked at plan).
                (
                    "datalake_traverse_group_id",
                    "7a7a7a7a-0000-4000-8000-0000000000aa".into(),
                ),
            ]),
        ),
        (
            "subnet_ids",
            if foundry() {
                smap(&[
                    ("private_endpoints", format!("{}/subnets/snt-pe", vnet_id())),
                    ("agent", format!("{}/subnets/snt-agent", vnet_id())),
                    ("aca", format!("{}/subnets/snt-aca", vnet_id())),
                ])
            } else {
                smap(&[("private_endpoints", format!("{}/subnets/snt-pe", vnet_id()))])
            },
        ),
        ("team", team),
        (
            "services",
            if foundry() {
                Value::Map(
                    [
                        "azure_ml",
                        "ai_foundry",
                        "agent_service",
                        "cosmos_db",
                        "container_apps",
                    ]
                    .into_iter()
                    .map(|s| (s.to_string(), Value::Bool(true)))
                    .collect(),
                )
            } else {
                Value::Map(BTreeMap::from([(
                    "azure_ml".to_string(),
                    Value::Bool(true),
                )]))
            },
        ),
        (
            "deployments",
            if foundry() {
                let d = |model: &str, version: &str, sku: &str, capacity: f64| {
                    Value::object([
                        ("model", Value::string(model)),
                        ("version", Value::string(version)),
                        ("sku", Value::string(sku)),
                        ("capacity", Value::Number(capacity)),
                    ])
                };
                Value::Dynamic {
                    type_json: r#"["object",{"embed":["object",{"capacity":"number","model":"string","sku":"string","version":"string"}],"gpt":["object",{"capacity":"number","model":"string","sku":"string","version":"string"}]}]"#.into(),
                    value: Box::new(Value::object([
                        ("embed", d("text-embedding-3-large", "1", "Standard", 20.0)),
                        ("gpt", d("gpt-4o", "2024-11-20", "GlobalStandard", 50.0)),
                    ])),
                }
            } else {
                Value::Null
            },
        ),
        ("network_access", Value::Null),
        ("ip_allowlist", Value::Null),
        ("tags", Value::Null),
        ("key_vault_purge_protection", Value::Null),
        ("force_destroy", Value::Null),
        ("datalake_delete_on_destroy", Value::Null),
        ("timeouts", Value::Null),
    ])
}

fn seed() -> Result<Seed, String> {
    let mut seed = json!({
        "resources": [
            {"id": rg(COMMON_RG), "body": {"location": "westeurope"}},
            {"id": rg("acme-dns"), "body": {"location": "westeurope"}},
            {"id": vnet_id(), "body": {"location": "westeurope", "properties": {
                "addressSpace": {"addressPrefixes": ["10.20.0.0/16", "172.16.0.0/16"]},
                "subnets": [{"name": "snt-pe", "properties": {"addressPrefix": "10.20.0.0/22"}}]}}},
            {"id": format!("{}/subnets/snt-agent", vnet_id()), "body": {"properties": {"addressPrefix": "172.16.0.0/23",
                "delegations": [{"name": "aca", "properties": {"serviceName": "Microsoft.App/environments"}}]}}},
            {"id": format!("{}/subnets/snt-aca", vnet_id()), "body": {"properties": {"addressPrefix": "10.20.8.0/23",
                "delegations": [{"name": "aca", "properties": {"serviceName": "Microsoft.App/environments"}}]}}},
            {"id": la_id(), "body": {"location": "westeurope"}},
            {"id": lake_id(), "body": {"location": "westeurope", "kind": "StorageV2", "properties": {"isHnsEnabled": true}}}
        ],
        "filesystems": [{"account": "lakeweudev", "name": "lake3", "directories": ["projects"]}]
    });
    // The factory's private DNS zones: a zone group must name zones that exist.
    if let Some(list) = seed["resources"].as_array_mut() {
        for zone in aifactory_template::common::zones(aifactory_template::project::Cloud::Public) {
            list.push(json!({
                "id": format!("{}/providers/Microsoft.Network/privateDnsZones/{zone}", rg("acme-dns")),
                "body": {"location": "global"}
            }));
        }
    }
    serde_json::from_value(seed).map_err(|e| e.to_string())
}

/// The dependency bound of one project (the same for every project of a run).
fn project_bound(
    number: i64,
    facts: &aifactory::resources::project::ProviderFacts,
) -> Result<ChainBound, String> {
    let mut d = aifactory::framework::Diagnostics::new();
    let inputs = aifactory::resources::project::read_inputs(&config(number), facts, &mut d)
        .ok_or("config")?;
    let dp = aifactory_template::project::desired(&inputs.spec).map_err(|e| format!("{e:?}"))?;
    chain_bound(&dp)
}

struct Figures {
    projects: usize,
    plan: Duration,
    apply: Duration,
    critical_ms: u64,
    throttle_ms: u64,
    read_throttle_ms: u64,
    writes_per_project: f64,
    apply_reads_per_project: f64,
    read: Duration,
    read_calls_per_project: f64,
    read_bound_ms: u64,
    scale: f64,
    errors: usize,
    /// The longest dependency chain of one project.
    chain: String,
}

async fn run_size(n: usize, scale: f64) -> Result<Figures, String> {
    let mut cfg = emulator_config(seed()?, scale);
    cfg.settings.vnet_conflict = VnetConflict::Allow;
    let emu = Arc::new(Emulator::start(cfg).await.map_err(|e| e.to_string())?);
    let ctx = ProviderContext::with_settings(settings(&emu, scale));
    // The common part lets everyone traverse the lake's root and `projects` (execute
    // only): 50 projects' members would not fit in those ACLs' 32 entries.
    {
        let client = ctx.azure().map_err(|d| d.detail)?;
        let dfs = client.dfs("lakeweudev").map_err(|e| e.to_string())?;
        let c = aifactory_azure::Ctx::background();
        for path in ["/", "projects"] {
            let mut acl = dfs
                .get_access_control(&c, "lake3", path)
                .await
                .map_err(|e| e.to_string())?
                .acl;
            acl.set_entries(&["other::--x"
                .parse()
                .map_err(|e: aifactory_azure::AclError| e.to_string())?]);
            let set = aifactory_azure::SetAccessControl {
                acl: Some(acl),
                ..Default::default()
            };
            dfs.set_access_control(&c, "lake3", path, &set)
                .await
                .map_err(|e| e.to_string())?;
        }
    }
    let project = Arc::new(Project::new(ctx.clone()));
    let facts = aifactory::resources::project::ProviderFacts {
        subscription_id: SUB.into(),
        tenant_id: TENANT.into(),
        cloud: aifactory_template::project::Cloud::Public,
    };

    // Plan.
    let started = Instant::now();
    let mut plans = Vec::new();
    for i in 1..=n {
        let c = config(i as i64);
        let p = project
            .plan(PlanRequest {
                prior: Value::Null,
                proposed: c.clone(),
                config: c.clone(),
                prior_private: Value::Null,
            })
            .await;
        if p.diags.has_errors() {
            return Err(format!("plan: {:?}", p.diags));
        }
        plans.push((c, p));
    }
    let plan = started.elapsed();

    // Apply, all at once.
    let before = emu.journal().len();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (c, p) in plans {
        let project = project.clone();
        tasks.push(tokio::spawn(async move {
            project
                .apply(ApplyRequest {
                    prior: Value::Null,
                    planned: p.planned,
                    config: c,
                    planned_private: p.private,
                })
                .await
        }));
    }
    let mut states = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let r = t.await.map_err(|e| e.to_string())?;
        if r.diags.has_errors() {
            errors += 1;
            if errors == 1 {
                eprintln!("first apply error: {:?}", r.diags.iter().next());
            }
        }
        states.push(r);
    }
    let apply = started.elapsed();
    let calls = arm_calls(&emu.journal()[before..]);
    let (writes, apply_reads) = (calls.writes, calls.reads as f64);

    // Refresh (a refreshing plan's read).
    let before = emu.journal().len();
    let started = Instant::now();
    let mut reads = Vec::new();
    for s in &states {
        let project = project.clone();
        let (state, private) = (s.state.clone(), s.private.clone());
        reads.push(tokio::spawn(
            async move { project.read(state, private).await },
        ));
    }
    for r in reads {
        r.await.map_err(|e| e.to_string())?;
    }
    let read = started.elapsed();
    let calls = arm_calls(&emu.journal()[before..]);
    let read_calls = calls.reads + calls.writes + calls.dfs;
    let arm_reads = (calls.reads + calls.writes) as f64;
    // ARM's read bucket; one call's latency when the burst covers it.
    let read_bound_ms = match read_throttle_ms(arm_reads, scale) {
        0 => LATENCY_MS,
        ms => ms,
    };

    let bound = project_bound(1, &facts)?;
    let critical_ms = bound.critical_ms;
    let throttle_ms = write_throttle_ms((bound.writes * n) as f64, scale);
    let read_throttle_ms = read_throttle_ms(apply_reads, scale);
    Ok(Figures {
        projects: n,
        plan,
        apply,
        critical_ms,
        throttle_ms,
        read_throttle_ms,
        writes_per_project: writes as f64 / n as f64,
        apply_reads_per_project: apply_reads / n as f64,
        read,
        read_calls_per_project: read_calls as f64 / n as f64,
        read_bound_ms,
        scale,
        errors,
        chain: bound.chain_text(),
    })
}

/// Project counts to run (`PROJECT_BENCH_SIZES=1,10`; default 1, 10 and 50).
fn sizes() -> Vec<usize> {
    std::env::var("PROJECT_BENCH_SIZES")
        .ok()
        .map(|v| {
            v.split(',')
                .filter_map(|n| n.trim().parse().ok())
                .collect::<Vec<usize>>()
        })
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| vec![1, 10, 50])
}

fn main() {
    let real = std::env::var("PROJECT_BENCH_REAL_THROTTLE").is_ok_and(|v| v == "1");
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("project bench: cannot start a runtime: {e}");
            std::process::exit(1);
        }
    };
    println!(
        "aifactory_project: create N {} projects at once (private endpoints, data lake), {LATENCY_MS} ms per call, \
         LRO delays ML 10 s / KV, storage, search, AI, Cosmos DB, Container Apps 3 s / network 2 s",
        if foundry() {
            "full GenAI (Foundry, Agent service, Cosmos DB, Container Apps, 2 deployments, azure_ml)"
        } else {
            "genai+azure_ml"
        }
    );
    println!(
        "bound = max(critical path, ARM write throttle, ARM read throttle); throttle rates x scale (writes 200 + 10/s, reads 250 + 25/s)"
    );
    println!(
        "{:>8} {:>9} {:>9} {:>8} {:>6} {:>9} {:>8} {:>8} {:>10} {:>9} {:>9} {:>8} {:>6} {:>9} {:>6} {:>6}",
        "projects",
        "plan",
        "apply",
        "bound",
        "ratio",
        "crit.path",
        "writes",
        "reads",
        "writes/prj",
        "reads/prj",
        "refresh",
        "bound",
        "ratio",
        "calls/prj",
        "scale",
        "errors"
    );
    let total = Instant::now();
    let mut chain = None;
    for n in sizes() {
        let scale = if n >= 50 && !real { 8.0 } else { 1.0 };
        match rt.block_on(run_size(n, scale)) {
            Ok(f) => {
                chain.get_or_insert_with(|| f.chain.clone());
                let bound = f.critical_ms.max(f.throttle_ms).max(f.read_throttle_ms);
                println!(
                    "{:>8} {:>9.1?} {:>8.1}s {:>7.1}s {:>5.2}x {:>8.1}s {:>7.1}s {:>7.1}s {:>10.1} {:>9.1} {:>8.2}s {:>7.2}s {:>5.2}x {:>9.1} {:>5}x {:>6}",
                    f.projects,
                    f.plan,
                    f.apply.as_secs_f64(),
                    bound as f64 / 1000.0,
                    f.apply.as_secs_f64() * 1000.0 / bound.max(1) as f64,
                    f.critical_ms as f64 / 1000.0,
                    f.throttle_ms as f64 / 1000.0,
                    f.read_throttle_ms as f64 / 1000.0,
                    f.writes_per_project,
                    f.apply_reads_per_project,
                    f.read.as_secs_f64(),
                    f.read_bound_ms as f64 / 1000.0,
                    f.read.as_secs_f64() * 1000.0 / f.read_bound_ms.max(1) as f64,
                    f.read_calls_per_project,
                    f.scale,
                    f.errors
                );
            }
            Err(e) => {
                eprintln!("project bench ({n} projects): {e}");
                std::process::exit(1);
            }
        }
    }
    if let Some(c) = chain {
        println!("longest dependency chain of one project (finish times): {c}");
    }
    println!(
        "peak memory (VmHWM, provider + in-process emulator): {} MiB",
        vm_hwm_kib() / 1024
    );
    println!("total bench time: {:.0?}", total.elapsed());
}
