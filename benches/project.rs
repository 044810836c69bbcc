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
//! Run: `cargo bench --bench project`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aifactory::context::ProviderContext;
use aifactory::framework::resource::ApplyRequest;
use aifactory::framework::{PlanRequest, Resource, Value};
use aifactory::resources::project::Project;
use aifactory_azure::{BucketConfig, EnvVars, Settings};
use aifactory_emulator::{
    Bucket, Emulator, EmulatorConfig, FaultAction, FaultRule, RunningEmulator, Seed,
    ThrottleConfig, VnetConflict,
};
use serde_json::json;

const TENANT: &str = "11111111-1111-1111-1111-111111111111";
const SUB: &str = "00000000-0000-0000-0000-000000000001";
const CLIENT: &str = "22222222-2222-2222-2222-222222222222";
const SECRET: &str = "bench-secret";
const COMMON_RG: &str = "acme-esml-common-weu-dev-001";
const LATENCY_MS: u64 = 50;
/// (path glob of the PUT, LRO delay in ms).
const LRO_DELAYS: [(&str, u64); 8] = [
    ("*/Microsoft.MachineLearningServices/workspaces/*", 10_000),
    ("*/Microsoft.KeyVault/vaults/*", 3_000),
    ("*/Microsoft.Storage/storageAccounts/*", 3_000),
    ("*/Microsoft.Search/searchServices/*", 3_000),
    ("*/Microsoft.CognitiveServices/accounts/*", 3_000),
    ("*/Microsoft.Network/privateEndpoints/*", 2_000),
    ("*/Microsoft.DocumentDB/databaseAccounts/*", 3_000),
    ("*/Microsoft.App/managedEnvironments/*", 3_000),
];

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
                (
                    "log_analytics_workspace_id",
                    format!(
                        "{}/providers/Microsoft.OperationalInsights/workspaces/la",
                        rg(COMMON_RG)
                    ),
                ),
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
    serde_json::from_value(json!({
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
            {"id": lake_id(), "body": {"location": "westeurope", "kind": "StorageV2", "properties": {"isHnsEnabled": true}}}
        ],
        "filesystems": [{"account": "lakeweudev", "name": "lake3", "directories": ["projects"]}]
    }))
    .map_err(|e| e.to_string())
}

fn settings(emu: &RunningEmulator, scale: f64) -> Settings {
    let vars: EnvVars = emu
        .info()
        .provider_env(TENANT, SUB, CLIENT, SECRET)
        .into_iter()
        .collect();
    let mut s = Settings::from_vars_and(&vars, &aifactory_azure::NoConfig);
    s.throttle.writes = BucketConfig {
        burst: 200.0,
        per_second: 10.0 * scale,
    };
    s.throttle.deletes = BucketConfig {
        burst: 200.0,
        per_second: 10.0 * scale,
    };
    s.throttle.reads = BucketConfig {
        burst: 250.0,
        per_second: 25.0 * scale,
    };
    s
}

fn vm_hwm_kib() -> u64 {
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

/// Critical path of one project (ms): per object its calls' latency plus its LRO delay,
/// summed along the longest dependency chain.
fn critical_path_ms(
    number: i64,
    facts: &aifactory::resources::project::ProviderFacts,
) -> Result<(u64, usize), String> {
    let mut d = aifactory::framework::Diagnostics::new();
    let inputs = aifactory::resources::project::read_inputs(&config(number), facts, &mut d)
        .ok_or("config")?;
    let dp = aifactory_template::project::desired(&inputs.spec).map_err(|e| format!("{e:?}"))?;
    let order = dp.apply_order().map_err(|e| e.to_string())?;
    let mut finish: BTreeMap<String, u64> = BTreeMap::new();
    let mut writes = 0usize;
    for n in &order {
        let key = n.key();
        let (calls, lro) = match n {
            aifactory_template::project::Node::Resource(r) => {
                let delay = LRO_DELAYS
                    .iter()
                    .find(|(glob, _)| {
                        let t = glob.trim_start_matches("*/").trim_end_matches("/*");
                        r.id.contains(t)
                    })
                    .map_or(0, |(_, d)| *d);
                // PUT, and for a long-running operation its status poll and the final GET.
                writes += 1;
                (if r.lro { 3 } else { 1 }, if r.lro { delay } else { 0 })
            }
            aifactory_template::project::Node::RoleAssignment(_) => {
                writes += 1;
                (1, 0)
            }
            // Directory create, then one ACL change per path (read + write on parents).
            aifactory_template::project::Node::Acl(_) => (2, 0),
        };
        let start = n
            .depends_on()
            .iter()
            .filter_map(|d| finish.get(d))
            .max()
            .copied()
            .unwrap_or(0);
        finish.insert(key.to_string(), start + calls * LATENCY_MS + lro);
    }
    Ok((finish.values().max().copied().unwrap_or(0), writes))
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
}

async fn run_size(n: usize, scale: f64) -> Result<Figures, String> {
    let mut cfg = EmulatorConfig::default()
        .with_tenant(TENANT)
        .with_subscription(SUB)
        .with_app(CLIENT, SECRET)
        .with_seed(seed()?)
        .with_latency(Duration::from_millis(LATENCY_MS), Duration::ZERO)
        .with_throttle(ThrottleConfig {
            reads: Bucket {
                capacity: 250.0,
                refill_per_sec: 25.0 * scale,
            },
            writes: Bucket {
                capacity: 200.0,
                refill_per_sec: 10.0 * scale,
            },
            deletes: Bucket {
                capacity: 200.0,
                refill_per_sec: 10.0 * scale,
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
        );
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
    let journal = emu.journal();
    let writes = journal
        .iter()
        .skip(before)
        .filter(|e| {
            matches!(e.method.as_str(), "PUT" | "PATCH" | "DELETE" | "POST")
                && !e.path.contains("/dfs/")
                && !e.path.contains("oauth2")
        })
        .count();
    let apply_reads = journal
        .iter()
        .skip(before)
        .filter(|e| {
            matches!(e.method.as_str(), "GET" | "HEAD")
                && !e.path.contains("/dfs/")
                && !e.path.contains("oauth2")
        })
        .count() as f64;

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
    let read_calls = emu
        .journal()
        .iter()
        .skip(before)
        .filter(|e| !e.path.contains("oauth2"))
        .count();
    let arm_reads = emu
        .journal()
        .iter()
        .skip(before)
        .filter(|e| !e.path.contains("oauth2") && !e.path.contains("/dfs/"))
        .count() as f64;
    // ARM's read bucket: 250 burst, 25 per second.
    let read_bound_ms = if arm_reads > 250.0 {
        ((arm_reads - 250.0) / (25.0 * scale) * 1000.0) as u64
    } else {
        LATENCY_MS
    };

    let (critical_ms, writes_one) = critical_path_ms(1, &facts)?;
    let total_writes = (writes_one * n) as f64;
    let throttle_ms = if total_writes > 200.0 {
        ((total_writes - 200.0) / (10.0 * scale) * 1000.0) as u64
    } else {
        0
    };
    let read_throttle_ms = if apply_reads > 250.0 {
        ((apply_reads - 250.0) / (25.0 * scale) * 1000.0) as u64
    } else {
        0
    };
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
    })
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
        "{:>8} {:>9} {:>9} {:>8} {:>9} {:>8} {:>8} {:>10} {:>9} {:>9} {:>8} {:>9} {:>6} {:>6}",
        "projects",
        "plan",
        "apply",
        "bound",
        "crit.path",
        "writes",
        "reads",
        "writes/prj",
        "reads/prj",
        "refresh",
        "bound",
        "calls/prj",
        "scale",
        "errors"
    );
    let total = Instant::now();
    for n in [1usize, 10, 50] {
        let scale = if n >= 50 && !real { 8.0 } else { 1.0 };
        match rt.block_on(run_size(n, scale)) {
            Ok(f) => {
                let bound = f.critical_ms.max(f.throttle_ms).max(f.read_throttle_ms);
                println!(
                    "{:>8} {:>9.1?} {:>8.1}s {:>7.1}s {:>8.1}s {:>7.1}s {:>7.1}s {:>10.1} {:>9.1} {:>8.2}s {:>7.2}s {:>9.1} {:>5}x {:>6}",
                    f.projects,
                    f.plan,
                    f.apply.as_secs_f64(),
                    bound as f64 / 1000.0,
                    f.critical_ms as f64 / 1000.0,
                    f.throttle_ms as f64 / 1000.0,
                    f.read_throttle_ms as f64 / 1000.0,
                    f.writes_per_project,
                    f.apply_reads_per_project,
                    f.read.as_secs_f64(),
                    f.read_bound_ms as f64 / 1000.0,
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
    println!(
        "peak memory (VmHWM, provider + in-process emulator): {} MiB",
        vm_hwm_kib() / 1024
    );
    println!("total bench time: {:.0?}", total.elapsed());
}
