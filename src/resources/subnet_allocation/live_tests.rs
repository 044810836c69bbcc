//! Live-mode tests: the resource's plan, apply, read, import and destroy against the
//! in-process emulator over real HTTPS on loopback (no Terraform). Every test uses its own
//! emulator and resource group, so the process-wide vNet registries never mix tests.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{json, Value as Json};

use super::model::{AllocationModel, RequestModel};
use super::*;
use crate::framework::{Severity, Tf};
use aifactory_azure::{CloudOverrides, RetryPolicy, Sensitive, Settings, ThrottleSettings};
use aifactory_emulator::{Emulator, EmulatorConfig, RunningEmulator, ThrottleConfig};

const TENANT: &str = "11111111-1111-1111-1111-111111111111";
const SUB: &str = "00000000-0000-0000-0000-000000000001";
const CLIENT: &str = "22222222-2222-2222-2222-222222222222";
const SECRET: &str = "unit-test-secret";

struct Env {
    emu: RunningEmulator,
    res: SubnetAllocation,
    vnet: String,
}

/// A resource group name no other test (or earlier run) uses: plan memos are keyed by vNet.
fn unique(name: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{name}-{}-{nanos}", std::process::id())
}

/// An emulator with a resource group and a vNet (`space`), and the resource pointed at it.
async fn env(rg: &str, space: &[&str]) -> Env {
    env_with(rg, space, |c| c).await
}

/// [`env`] with the emulator's configuration customised.
async fn env_with(
    rg: &str,
    space: &[&str],
    customise: impl FnOnce(EmulatorConfig) -> EmulatorConfig,
) -> Env {
    let emu = Emulator::start(customise(
        EmulatorConfig::default()
            .with_tenant(TENANT)
            .with_subscription(SUB)
            .with_app(CLIENT, SECRET)
            .with_throttle(ThrottleConfig::off()),
    ))
    .await
    .expect("emulator starts");
    let info = emu.info();
    let settings = Settings {
        subscription_id: Some(SUB.into()),
        tenant_id: Some(TENANT.into()),
        client_id: Some(CLIENT.into()),
        client_secret: Some(Sensitive::new(SECRET)),
        use_cli: false,
        endpoints: CloudOverrides {
            resource_manager_endpoint: Some(info.resource_manager_endpoint.clone()),
            authority_host: Some(info.authority_host.clone()),
            ..Default::default()
        },
        ca_certificate_file: Some(info.ca_pem_path.clone()),
        lro_poll_interval: Duration::from_millis(10),
        retry: RetryPolicy {
            max_attempts: 20,
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(100),
            max_total: Duration::from_secs(30),
        },
        throttle: ThrottleSettings {
            enabled: false,
            ..Default::default()
        },
        ..Default::default()
    };
    let ctx = ProviderContext::with_settings(settings);
    let rg_id = format!("/subscriptions/{SUB}/resourceGroups/{}", unique(rg));
    let vnet = format!("{rg_id}/providers/Microsoft.Network/virtualNetworks/vnet1");
    let c = ctx.azure().expect("client");
    let rctx = ctx.request_ctx(Duration::from_secs(60));
    c.arm()
        .put(
            &rctx,
            &rg_id,
            "2021-04-01",
            &json!({"location": "westeurope"}),
        )
        .await
        .expect("resource group");
    c.arm()
        .put(
            &rctx,
            &vnet,
            live::NETWORK_API,
            &json!({"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": space}}}),
        )
        .await
        .expect("vnet");
    let res = SubnetAllocation::new(ctx);
    Env { emu, res, vnet }
}

fn req(prefix: f64) -> Value {
    Value::object([("prefix_length", Value::Number(prefix))])
}

/// Request `r` with attribute `attr` added (the user's object: only what is written).
fn with(r: Value, attr: &str, v: Value) -> Value {
    Value::object(
        r.as_map()
            .into_iter()
            .flatten()
            .map(|(k, x)| (k.clone(), x.clone()))
            .chain([(attr.to_string(), v)]),
    )
}

fn known(s: &str) -> Tf<String> {
    Tf::Known(s.to_string())
}

/// A live configuration (change fields, then `.to_value()`).
fn model(key: &str, vnet: &str, subnets: Value) -> AllocationModel {
    AllocationModel {
        key: known(key),
        virtual_network_id: known(vnet),
        subnets,
        ..AllocationModel::default()
    }
}

fn config(key: &str, vnet: &str, subnets: Value) -> Value {
    model(key, vnet, subnets).to_value()
}

/// A state or plan, decoded.
fn decoded(v: &Value) -> AllocationModel {
    AllocationModel::decode(v).expect("decodes")
}

/// The map result `of` a state, empty when null or unknown.
fn map(m: &Tf<BTreeMap<String, String>>) -> BTreeMap<String, String> {
    m.known().cloned().unwrap_or_default()
}

/// The requests of a state's or configuration's `subnets`.
fn requests_of(v: &Value) -> BTreeMap<String, RequestModel> {
    BTreeMap::<String, RequestModel>::decode(&decoded(v).subnets).expect("requests")
}

/// State and private state after an apply.
#[derive(Clone)]
struct Held {
    state: Value,
    private: Value,
}

impl Held {
    fn none() -> Held {
        Held {
            state: Value::Null,
            private: Value::Null,
        }
    }
}

async fn plan(e: &Env, prior: &Held, cfg: &Value) -> PlanResponse {
    e.res
        .plan(PlanRequest {
            prior: prior.state.clone(),
            proposed: cfg.clone(),
            config: cfg.clone(),
            prior_private: prior.private.clone(),
        })
        .await
}

async fn apply(e: &Env, prior: &Held, p: &PlanResponse, cfg: &Value) -> StateResponse {
    e.res
        .apply(ApplyRequest {
            prior: prior.state.clone(),
            planned: p.planned.clone(),
            config: cfg.clone(),
            planned_private: p.private.clone(),
        })
        .await
}

/// Plan and apply, both without errors.
async fn converge(e: &Env, prior: &Held, cfg: &Value) -> Held {
    let p = plan(e, prior, cfg).await;
    assert!(!p.diags.has_errors(), "plan: {:?}", p.diags);
    let a = apply(e, prior, &p, cfg).await;
    assert!(!a.diags.has_errors(), "apply: {:?}", a.diags);
    assert_eq!(a.state, p.planned, "apply changed the planned values");
    Held {
        state: a.state,
        private: a.private,
    }
}

fn cidr(state: &Value, purpose: &str) -> String {
    map(&decoded(state).cidrs)
        .get(purpose)
        .cloned()
        .unwrap_or_default()
}

/// name -> (prefixes, body) of the emulator's vNet.
fn subnets(e: &Env) -> BTreeMap<String, (Vec<String>, Json)> {
    let v = e.emu.resource(&e.vnet).expect("vnet");
    live::parse_vnet(&v)
        .subnets
        .into_iter()
        .map(|s| {
            let p = s.prefixes.iter().map(|c| c.to_string()).collect();
            (s.name, (p, s.body))
        })
        .collect()
}

fn put_subnet(e: &Env, name: &str, prefix: &str) {
    e.emu
        .put_resource(
            &format!("{}/subnets/{name}", e.vnet),
            json!({"properties": {"addressPrefix": prefix}}),
        )
        .expect("subnet put behind the provider's back");
}

fn texts(d: &Diagnostics) -> String {
    d.iter()
        .map(|d| format!("{} | {} | {}", d.path, d.summary, d.detail))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creates_subnets_with_settings_around_foreign_ones_and_plans_stay_empty() {
    let e = env("rg-create", &["10.20.0.0/16"]).await;
    put_subnet(&e, "AzureBastionSubnet", "10.20.0.0/26");
    let nsg = format!("/subscriptions/{SUB}/resourceGroups/rg-x/providers/Microsoft.Network/networkSecurityGroups/nsg1");
    let requests = Value::object([
        (
            "genai",
            with(
                with(
                    with(
                        req(25.0),
                        "network_security_group_id",
                        Value::string(nsg.clone()),
                    ),
                    "service_endpoints",
                    Value::List(vec![
                        Value::string("Microsoft.Storage"),
                        Value::string("Microsoft.KeyVault"),
                    ]),
                ),
                "private_endpoint_network_policies",
                Value::string("Disabled"),
            ),
        ),
        (
            "dbx",
            with(
                with(req(26.0), "name", Value::string("snt-custom-dbx")),
                "delegation",
                Value::string("Microsoft.Databricks/workspaces"),
            ),
        ),
    ]);
    let cfg = config("p001", &e.vnet, requests);
    let p = plan(&e, &Held::none(), &cfg).await;
    assert!(!p.diags.has_errors(), "{}", texts(&p.diags));
    assert!(p.planned.is_wholly_known(), "{:?}", p.planned);
    let planned = decoded(&p.planned);
    assert_eq!(
        planned.virtual_network_address_space,
        Tf::Known(vec!["10.20.0.0/16".to_string()])
    );
    assert_eq!(
        map(&planned.subnet_ids).get("dbx"),
        Some(&format!("{}/subnets/snt-custom-dbx", e.vnet))
    );
    let held = converge(&e, &Held::none(), &cfg).await;
    let live = subnets(&e);
    let genai = &live["snt-p001-genai"];
    assert_eq!(genai.0, vec![cidr(&held.state, "genai")]);
    assert_eq!(
        genai.1["properties"]["networkSecurityGroup"]["id"],
        json!(nsg)
    );
    assert_eq!(
        genai.1["properties"]["serviceEndpoints"][1]["service"],
        "Microsoft.KeyVault"
    );
    assert_eq!(
        genai.1["properties"]["privateEndpointNetworkPolicies"],
        "Disabled"
    );
    assert_eq!(
        live["snt-custom-dbx"].1["properties"]["delegations"][0]["properties"]["serviceName"],
        "Microsoft.Databricks/workspaces"
    );
    // Nothing overlaps the foreign subnet.
    for (name, (prefixes, _)) in &live {
        if name != "AzureBastionSubnet" {
            assert!(
                !prefixes
                    .iter()
                    .any(|p| p.starts_with("10.20.0.0/") || p.starts_with("10.20.0.32/")),
                "{name}: {prefixes:?}"
            );
        }
    }
    // Refresh and re-plan change nothing.
    let r = e.res.read(held.state.clone(), held.private.clone()).await;
    assert!(!r.diags.has_errors(), "{}", texts(&r.diags));
    assert_eq!(r.state, held.state);
    let again = plan(
        &e,
        &Held {
            state: r.state,
            private: r.private,
        },
        &cfg,
    )
    .await;
    assert_eq!(again.planned, held.state);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_adopt_existing_an_existing_subnet_under_the_requested_name_is_adopted_not_reallocated(
) {
    let e = env("rg-adopt", &["10.20.0.0/16"]).await;
    put_subnet(&e, "snt-prj001-genai", "10.20.77.0/25");
    let mut m = model(
        "prj001",
        &e.vnet,
        Value::object([("genai", req(25.0)), ("aks", req(26.0))]),
    );
    m.adopt_existing = Tf::Known(true);
    let cfg = m.to_value();
    let held = converge(&e, &Held::none(), &cfg).await;
    assert_eq!(cidr(&held.state, "genai"), "10.20.77.0/25");
    assert_eq!(
        subnets(&e)["snt-prj001-genai"].0,
        vec!["10.20.77.0/25".to_string()]
    );
    // Destroy deletes the adopted subnet too (it is owned now), and nothing else.
    put_subnet(&e, "foreign", "10.20.200.0/24");
    let d = e
        .res
        .apply(ApplyRequest {
            prior: held.state,
            planned: Value::Null,
            config: Value::Null,
            planned_private: Value::Null,
        })
        .await;
    assert!(!d.diags.has_errors(), "{}", texts(&d.diags));
    assert_eq!(
        subnets(&e).keys().cloned().collect::<Vec<_>>(),
        vec!["foreign".to_string()]
    );
}

/// Workspace A creates; workspace B with the same configuration (no state) fails with
/// the import command and leaves A's subnets alone; A keeps working; B with
/// `adopt_existing = true` takes them over.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_refuses_subnets_it_does_not_own_and_names_the_import() {
    let e = env("rg-takeover", &["10.20.0.0/16"]).await;
    let m = model(
        "prj001",
        &e.vnet,
        Value::object([("genai", req(25.0)), ("aks", req(26.0))]),
    );
    let cfg = m.to_value();
    let a = converge(&e, &Held::none(), &cfg).await;
    let before = subnets(&e);
    let b = plan(&e, &Held::none(), &cfg).await;
    assert!(!b.diags.has_errors(), "{}", texts(&b.diags));
    let applied = apply(&e, &Held::none(), &b, &cfg).await;
    let t = texts(&applied.diags);
    assert!(applied.diags.has_errors(), "B took over A's subnets: {t}");
    assert!(
        t.contains("already exists")
            && t.contains(&format!(
                "terraform import <resource address> '{}|prj001'",
                e.vnet
            ))
            && t.contains("adopt_existing = true"),
        "{t}"
    );
    assert!(applied.state.is_null(), "{:?}", applied.state);
    let after = subnets(&e);
    assert_eq!(
        before.iter().map(|(n, (p, _))| (n, p)).collect::<Vec<_>>(),
        after.iter().map(|(n, (p, _))| (n, p)).collect::<Vec<_>>()
    );
    // A, which owns them (its state's subnet IDs), keeps working: an empty plan.
    let again = plan(&e, &a, &cfg).await;
    assert!(!again.diags.has_errors(), "{}", texts(&again.diags));
    assert_eq!(again.planned, a.state);
    // A new request of A whose name someone else took is refused too, A's others stay.
    put_subnet(&e, "snt-prj001-dbx", "10.20.200.0/26");
    let grown = config(
        "prj001",
        &e.vnet,
        Value::object([("genai", req(25.0)), ("aks", req(26.0)), ("dbx", req(26.0))]),
    );
    let p = plan(&e, &a, &grown).await;
    let r = apply(&e, &a, &p, &grown).await;
    assert!(
        texts(&r.diags).contains("snt-prj001-dbx already exists"),
        "{}",
        texts(&r.diags)
    );
    assert_eq!(map(&decoded(&r.state).subnet_ids).len(), 2, "{:?}", r.state);
    e.emu
        .delete_resource(&format!("{}/subnets/snt-prj001-dbx", e.vnet));
    // B opts in: it adopts A's subnets with their ranges.
    let mut adopting = m.clone();
    adopting.adopt_existing = Tf::Known(true);
    let cfg_b = adopting.to_value();
    let b = converge(&e, &Held::none(), &cfg_b).await;
    assert_eq!(map(&decoded(&b.state).cidrs), map(&decoded(&a.state).cidrs));
    assert_eq!(
        map(&decoded(&b.state).subnet_ids),
        map(&decoded(&a.state).subnet_ids)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drift_is_seen_by_refresh_and_repaired_by_the_next_plan() {
    let e = env("rg-drift", &["10.20.0.0/16"]).await;
    let cfg = config(
        "p2",
        &e.vnet,
        Value::object([("genai", req(25.0)), ("aks", req(26.0))]),
    );
    let held = converge(&e, &Held::none(), &cfg).await;
    let genai = cidr(&held.state, "genai");
    let aks = cidr(&held.state, "aks");
    // Deleted behind Terraform's back: refresh drops it, the plan re-creates it in place.
    assert_eq!(
        e.emu
            .delete_resource(&format!("{}/subnets/snt-p2-genai", e.vnet)),
        1
    );
    let r = e.res.read(held.state.clone(), held.private.clone()).await;
    let refreshed = decoded(&r.state);
    assert_eq!(map(&refreshed.cidrs).get("genai"), None, "{:?}", r.state);
    assert!(!map(&refreshed.subnet_ids).contains_key("genai"));
    let refreshed = Held {
        state: r.state,
        private: r.private,
    };
    let p = plan(&e, &refreshed, &cfg).await;
    assert_eq!(cidr(&p.planned, "genai"), genai);
    assert_ne!(
        p.planned, refreshed.state,
        "the deleted subnet must show in the plan"
    );
    let a = apply(&e, &refreshed, &p, &cfg).await;
    assert!(!a.diags.has_errors(), "{}", texts(&a.diags));
    assert_eq!(subnets(&e)["snt-p2-genai"].0, vec![genai.clone()]);
    let held = Held {
        state: a.state,
        private: a.private,
    };
    // Prefix changed behind Terraform's back: refresh shows it, the plan changes it back.
    let changed = if aks == "10.20.0.128/26" {
        "10.20.1.0/26"
    } else {
        "10.20.2.0/26"
    };
    put_subnet(&e, "snt-p2-aks", changed);
    let r = e.res.read(held.state.clone(), held.private.clone()).await;
    assert_eq!(cidr(&r.state, "aks"), changed);
    let refreshed = Held {
        state: r.state,
        private: r.private,
    };
    let p = plan(&e, &refreshed, &cfg).await;
    assert!(!p.diags.has_errors(), "{}", texts(&p.diags));
    assert_eq!(
        cidr(&p.planned, "aks"),
        aks,
        "the plan restores the allocated range"
    );
    let a = apply(&e, &refreshed, &p, &cfg).await;
    assert!(!a.diags.has_errors(), "{}", texts(&a.diags));
    assert_eq!(subnets(&e)["snt-p2-aks"].0, vec![aks]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_range_taken_after_the_plan_fails_the_apply_with_a_replan_message() {
    let e = env("rg-race", &["10.20.0.0/24"]).await;
    let cfg = config(
        "p3",
        &e.vnet,
        Value::object([("a", req(26.0)), ("b", req(26.0))]),
    );
    let p = plan(&e, &Held::none(), &cfg).await;
    assert!(!p.diags.has_errors(), "{}", texts(&p.diags));
    // Another workspace takes b's planned range before the apply.
    let b = cidr(&p.planned, "b");
    put_subnet(&e, "snt-other-b", &b);
    // Terraform re-plans right before applying: the recorded plan is still the answer
    // where free, and the taken range is an error naming the subnet.
    let replan = plan(&e, &Held::none(), &cfg).await;
    let t = texts(&replan.diags);
    assert!(replan.diags.has_errors(), "re-plan must fail: {t}");
    assert!(
        t.contains("was taken by subnet snt-other-b") && t.contains("run terraform plan again"),
        "{t}"
    );
    // Applying the old plan (for example if the re-plan happened before the other write)
    // creates `a`, refuses `b`, and tracks exactly what exists.
    let a = apply(&e, &Held::none(), &p, &cfg).await;
    let t = texts(&a.diags);
    assert!(
        t.contains("was taken by subnet snt-other-b") && t.contains("run terraform plan again"),
        "{t}"
    );
    assert_eq!(
        decoded(&a.state).cidrs.known().map(|m| m.len()),
        Some(1),
        "{:?}",
        a.state
    );
    assert_eq!(cidr(&a.state, "a"), cidr(&p.planned, "a"));
    let live = subnets(&e);
    assert!(
        live.contains_key("snt-p3-a") && !live.contains_key("snt-p3-b"),
        "{live:?}"
    );
    // A new plan (the resource is tainted: prior null) adopts `a` and allocates b afresh.
    let p2 = plan(&e, &Held::none(), &cfg).await;
    assert!(!p2.diags.has_errors(), "{}", texts(&p2.diags));
    assert_eq!(cidr(&p2.planned, "a"), cidr(&p.planned, "a"));
    assert_ne!(cidr(&p2.planned, "b"), b);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn destroy_of_a_subnet_in_use_names_the_private_endpoint() {
    let e = env("rg-inuse", &["10.20.0.0/16"]).await;
    let cfg = config("p4", &e.vnet, Value::object([("pe", req(27.0))]));
    let held = converge(&e, &Held::none(), &cfg).await;
    let subnet_id = map(&decoded(&held.state).subnet_ids)
        .get("pe")
        .cloned()
        .unwrap_or_default();
    let rg = e
        .vnet
        .split("/providers/")
        .next()
        .unwrap_or_default()
        .to_string();
    // The endpoint belongs to a project left untracked (its own tagged resource group).
    let project_rg = rg.replace("rg-inuse", "rg-prj004");
    e.emu
        .put_resource(
            &project_rg,
            json!({"location": "westeurope", "tags": {"aifactory-project": "project004"}}),
        )
        .expect("project resource group");
    let pe = format!("{project_rg}/providers/Microsoft.Network/privateEndpoints/pe-kv");
    e.emu
        .put_resource(
            &pe,
            json!({"location": "westeurope", "properties": {"subnet": {"id": subnet_id}}}),
        )
        .expect("private endpoint");
    let d = e
        .res
        .apply(ApplyRequest {
            prior: held.state.clone(),
            planned: Value::Null,
            config: Value::Null,
            planned_private: Value::Null,
        })
        .await;
    let t = texts(&d.diags);
    assert!(d.diags.has_errors());
    assert!(
        t.contains("pe-kv") && t.contains("InUseSubnetCannotBeDeleted") && t.contains("snt-p4-pe"),
        "{t}"
    );
    assert!(
        t.contains("the AI factory project project004")
            && t.contains(&format!(
                "terraform import <aifactory_project address> '{project_rg}'"
            )),
        "{t}"
    );
    e.emu.delete_resource(&pe);
    let d = e
        .res
        .apply(ApplyRequest {
            prior: held.state,
            planned: Value::Null,
            config: Value::Null,
            planned_private: Value::Null,
        })
        .await;
    assert!(!d.diags.has_errors(), "{}", texts(&d.diags));
    assert!(subnets(&e).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_by_vnet_and_key_adopts_the_named_subnets() {
    let e = env("rg-import", &["10.20.0.0/16"]).await;
    put_subnet(&e, "snt-prj007-genai", "10.20.5.0/25");
    put_subnet(&e, "snt-prj007-aks-002", "10.20.6.0/24");
    put_subnet(&e, "snt-prj008-genai", "10.20.7.0/25");
    let r = e.res.import(&format!("{}|prj007", e.vnet)).await;
    assert!(!r.diags.has_errors(), "{}", texts(&r.diags));
    assert_eq!(cidr(&r.state, "genai"), "10.20.5.0/25");
    assert_eq!(cidr(&r.state, "aks-002"), "10.20.6.0/24");
    assert_eq!(decoded(&r.state).cidrs.known().map(|m| m.len()), Some(2));
    let imported = Held {
        state: r.state,
        private: r.private,
    };
    let cfg = config(
        "prj007",
        &e.vnet,
        Value::object([("genai", req(25.0)), ("aks-002", req(24.0))]),
    );
    let p = plan(&e, &imported, &cfg).await;
    assert!(!p.diags.has_errors(), "{}", texts(&p.diags));
    let (planned, before) = (decoded(&p.planned), decoded(&imported.state));
    assert_eq!(planned.cidrs, before.cidrs);
    assert_eq!(planned.subnet_ids, before.subnet_ids);
    let bad = e.res.import(&format!("{}|nobody", e.vnet)).await;
    assert!(
        texts(&bad.diags).contains("snt-nobody-"),
        "{}",
        texts(&bad.diags)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vnet_created_in_the_same_apply_gives_unknowns_then_a_clear_error_if_still_missing() {
    let e = env("rg-later", &["10.20.0.0/16"]).await;
    let missing = e.vnet.replace("/vnet1", "/vnet-later");
    let cfg = config("p5", &missing, Value::object([("genai", req(25.0))]));
    let p = plan(&e, &Held::none(), &cfg).await;
    assert!(!p.diags.has_errors(), "{}", texts(&p.diags));
    assert_eq!(decoded(&p.planned).cidrs, Tf::Unknown);
    let a = apply(&e, &Held::none(), &p, &cfg).await;
    assert!(
        texts(&a.diags).contains("does not exist"),
        "{}",
        texts(&a.diags)
    );
    assert!(a.state.is_null());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_allocations_planned_in_one_run_do_not_plan_the_same_range() {
    let e = env("rg-siblings", &["10.20.0.0/16"]).await;
    let a = plan(
        &e,
        &Held::none(),
        &config("pa", &e.vnet, Value::object([("x", req(24.0))])),
    )
    .await;
    let b = plan(
        &e,
        &Held::none(),
        &config("pb", &e.vnet, Value::object([("x", req(24.0))])),
    )
    .await;
    assert_ne!(cidr(&a.planned, "x"), cidr(&b.planned, "x"));
    let t = texts(&b.diags);
    assert!(
        !b.diags.iter().any(|d| d.severity == Severity::Error),
        "{t}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dual_stack_subnets_get_both_prefixes_and_default_names_are_checked() {
    let e = env("rg-dual", &["10.20.0.0/16", "fd00:20::/48"]).await;
    let cfg = config(
        "p6",
        &e.vnet,
        Value::object([("genai", with(req(25.0), "ipv6", Value::Bool(true)))]),
    );
    let held = converge(&e, &Held::none(), &cfg).await;
    let v6 = map(&decoded(&held.state).ipv6_cidrs)
        .get("genai")
        .cloned()
        .unwrap_or_default();
    assert!(v6.starts_with("fd00:20:") && v6.ends_with("/64"), "{v6}");
    let live = subnets(&e);
    assert_eq!(live["snt-p6-genai"].0, vec![cidr(&held.state, "genai"), v6]);
    // A purpose that makes an invalid default name, and two requests naming one subnet.
    let bad = config(
        "p6",
        &e.vnet,
        Value::object([
            ("bad purpose", req(26.0)),
            ("x", with(req(26.0), "name", Value::string("snt-p6-genai"))),
            ("genai", req(25.0)),
        ]),
    );
    let p = plan(&e, &held, &bad).await;
    let t = texts(&p.diags);
    assert!(
        t.contains("subnets[\"bad purpose\"]") && t.contains("is not valid"),
        "{t}"
    );
    assert!(t.contains("used by two requests"), "{t}");
}

#[tokio::test]
async fn settings_need_a_virtual_network_and_are_checked_on_their_paths() {
    let mut pure = AllocationModel {
        key: known("p"),
        address_space: Tf::Known(vec![known("10.0.0.0/16")]),
        subnets: Value::object([("genai", with(req(25.0), "name", Value::string("snt-x")))]),
        ..AllocationModel::default()
    };
    let d = SubnetAllocation::default().validate(&pure.to_value()).await;
    assert!(
        d.iter().any(
            |d| d.path == AttrPath::attr("subnets").and_key("genai").and_attr("name")
                && d.summary.contains("virtual_network_id")
        ),
        "{}",
        texts(&d)
    );
    pure.virtual_network_id =
        known("/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/v");
    pure.subnets = Value::object([(
        "genai",
        with(
            with(
                with(req(25.0), "name", Value::string("-bad")),
                "private_endpoint_network_policies",
                Value::string("Off"),
            ),
            "network_security_group_id",
            Value::string("/subscriptions/s/nsg"),
        ),
    )]);
    let d = SubnetAllocation::default().validate(&pure.to_value()).await;
    for attr in [
        "name",
        "private_endpoint_network_policies",
        "network_security_group_id",
    ] {
        assert!(
            d.iter()
                .any(|d| d.path == AttrPath::attr("subnets").and_key("genai").and_attr(attr)),
            "no error on {attr}: {}",
            texts(&d)
        );
    }
    let mut no_pool = AllocationModel {
        key: known("p"),
        subnets: Value::object([("a", req(25.0))]),
        ..AllocationModel::default()
    };
    let d = SubnetAllocation::default()
        .validate(&no_pool.to_value())
        .await;
    assert!(
        d.iter().any(|d| d.path == AttrPath::attr("address_space")),
        "{}",
        texts(&d)
    );
    no_pool.virtual_network_id = Tf::Unknown;
    assert!(SubnetAllocation::default()
        .validate(&no_pool.to_value())
        .await
        .is_empty());
}

/// The ESML "all" subnet set: /23, /23, /24, /25, /26, /26, /26, /27 (1,632 addresses).
fn esml_all() -> Value {
    Value::object([
        ("aca", req(23.0)),
        ("aca-002", req(23.0)),
        ("aks-002", req(24.0)),
        ("genai", req(25.0)),
        ("aks", req(26.0)),
        ("dbxpub", req(26.0)),
        ("dbxpriv", req(26.0)),
        ("webapp", req(27.0)),
    ])
}

/// Create projects one after another in a fresh /16 until the first plan fails; returns
/// (projects that fit, addresses per project).
async fn fill(strategy: Option<i64>) -> (usize, f64) {
    let e = env("rg-fill", &["10.20.0.0/16"]).await;
    let mut per_project = 0.0;
    for i in 0.. {
        let mut m = model(&format!("prj{i:03}"), &e.vnet, esml_all());
        if let Some(slot_prefix) = strategy {
            m.strategy = known("slot");
            m.slot = Tf::Known((i as f64).into());
            m.slot_prefix_length = Tf::Known((slot_prefix as f64).into());
        }
        let cfg = m.to_value();
        let p = plan(&e, &Held::none(), &cfg).await;
        if p.diags.has_errors() {
            let all = subnets(&e);
            assert_eq!(
                all.len(),
                i * 8,
                "every fitted project created its 8 subnets"
            );
            return (i, per_project);
        }
        let a = apply(&e, &Held::none(), &p, &cfg).await;
        assert!(!a.diags.has_errors(), "project {i}: {}", texts(&a.diags));
        per_project = decoded(&a.state)
            .allocated_addresses
            .known()
            .map_or(0.0, |n| *n as f64);
    }
    unreachable!("the loop returns")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_16_holds_40_esml_projects_packed_and_32_in_21_slots() {
    let (packed, per_project) = fill(None).await;
    let (slot, _) = fill(Some(21)).await;
    println!(
        "vnet_fill 10.20.0.0/16, ESML 'all' set (/23,/23,/24,/25,/26,/26,/26,/27): {per_project} addresses per project; \
         packed: {packed} projects ({:.1}% of the /16 allocated); slot /21: {slot} projects (2048 reserved per project, \
         {:.1}% allocated); ESML subnetCalc_v2: 24 projects",
        packed as f64 * per_project / 655.36,
        slot as f64 * per_project / 655.36
    );
    assert_eq!(per_project, 1632.0);
    assert_eq!(packed, 40);
    assert_eq!(slot, 32);
}

/// Replace the properties of subnet `name` in the emulator behind the provider's back.
fn edit_subnet(e: &Env, name: &str, edit: impl FnOnce(&mut Json)) {
    let id = format!("{}/subnets/{name}", e.vnet);
    let mut body = e.emu.resource(&id).expect("subnet exists");
    edit(&mut body["properties"]);
    e.emu
        .put_resource(&id, body)
        .expect("subnet edited behind the provider's back");
}

fn strings_of(v: &Tf<Vec<Tf<String>>>) -> Vec<String> {
    v.known()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_deref().map(str::to_string))
        .collect()
}

/// Request `purpose` of `subnets` exactly as held (only the attributes written).
fn raw_request(v: &Value, purpose: &str) -> Value {
    decoded(v)
        .subnets
        .as_map()
        .and_then(|m| m.get(purpose))
        .cloned()
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_drift_shows_on_its_attribute_and_apply_restores_it_in_place() {
    let e = env("rg-settings-drift", &["10.20.0.0/16"]).await;
    let rg = e
        .vnet
        .split("/providers/")
        .next()
        .unwrap_or_default()
        .to_string();
    let nsg = format!("{rg}/providers/Microsoft.Network/networkSecurityGroups/nsg-genai");
    let other_nsg = format!("{rg}/providers/Microsoft.Network/networkSecurityGroups/nsg-hand");
    let rt = format!("{rg}/providers/Microsoft.Network/routeTables/rt-genai");
    let endpoints = |items: &[&str]| Value::List(items.iter().map(|s| Value::string(*s)).collect());
    let genai = [
        ("network_security_group_id", Value::string(nsg.clone())),
        ("route_table_id", Value::string(rt.clone())),
        (
            "service_endpoints",
            endpoints(&["Microsoft.Storage", "Microsoft.KeyVault"]),
        ),
        (
            "private_endpoint_network_policies",
            Value::string("Disabled"),
        ),
    ]
    .into_iter()
    .fold(req(25.0), |r, (a, v)| with(r, a, v));
    let cfg = config(
        "p7",
        &e.vnet,
        Value::object([
            ("genai", genai),
            (
                "dbx",
                with(
                    req(26.0),
                    "delegation",
                    Value::string("Microsoft.Databricks/workspaces"),
                ),
            ),
            // No settings: whatever Azure has is left as found.
            ("aks", req(26.0)),
        ]),
    );
    let held = converge(&e, &Held::none(), &cfg).await;
    let cidrs = decoded(&held.state).cidrs;
    let ids = decoded(&held.state).subnet_ids;
    // A private endpoint in genai (Azure shows it on the subnet, read-only).
    let pe = format!("{rg}/providers/Microsoft.Network/privateEndpoints/pe-genai");
    e.emu
        .put_resource(
            &pe,
            json!({"location": "westeurope", "properties": {"subnet": {"id": format!("{}/subnets/snt-p7-genai", e.vnet)}}}),
        )
        .expect("private endpoint");

    // Equal in meaning is no drift: ID case, endpoint order.
    edit_subnet(&e, "snt-p7-genai", |p| {
        p["networkSecurityGroup"] = json!({"id": nsg.to_ascii_uppercase()});
        p["serviceEndpoints"] =
            json!([{"service": "Microsoft.KeyVault"}, {"service": "Microsoft.Storage"}]);
    });
    let r = e.res.read(held.state.clone(), held.private.clone()).await;
    assert!(!r.diags.has_errors(), "{}", texts(&r.diags));
    assert_eq!(r.state, held.state, "case and order are not drift");

    // Behind Terraform's back: genai's NSG removed, a service endpoint added, its policy
    // flipped and a NAT gateway attached; dbx delegated elsewhere; aks (no settings
    // configured) given an NSG.
    let nat = format!("{rg}/providers/Microsoft.Network/natGateways/nat1");
    edit_subnet(&e, "snt-p7-genai", |p| {
        if let Some(o) = p.as_object_mut() {
            o.remove("networkSecurityGroup");
        }
        p["serviceEndpoints"] = json!([
            {"service": "Microsoft.Storage"},
            {"service": "Microsoft.KeyVault"},
            {"service": "Microsoft.Sql"}
        ]);
        p["privateEndpointNetworkPolicies"] = json!("Enabled");
        p["natGateway"] = json!({"id": nat});
    });
    edit_subnet(&e, "snt-p7-dbx", |p| {
        p["delegations"] =
            json!([{"name": "web", "properties": {"serviceName": "Microsoft.Web/serverFarms"}}]);
    });
    edit_subnet(&e, "snt-p7-aks", |p| {
        p["networkSecurityGroup"] = json!({"id": other_nsg});
    });

    // Refresh: the actual values stand in the state on their attributes.
    let r = e.res.read(held.state.clone(), held.private.clone()).await;
    assert!(!r.diags.has_errors(), "{}", texts(&r.diags));
    let s = requests_of(&r.state);
    assert_eq!(
        s["genai"].network_security_group_id,
        known(""),
        "a removed NSG reads as \"\""
    );
    assert_eq!(
        strings_of(&s["genai"].service_endpoints),
        ["Microsoft.Storage", "Microsoft.KeyVault", "Microsoft.Sql"]
    );
    assert_eq!(
        s["genai"].private_endpoint_network_policies,
        known("Enabled")
    );
    assert_eq!(
        s["genai"].route_table_id,
        known(&rt),
        "unchanged settings stay as configured"
    );
    assert_eq!(s["dbx"].delegation, known("Microsoft.Web/serverFarms"));
    assert_eq!(
        raw_request(&r.state, "aks"),
        raw_request(&cfg, "aks"),
        "settings not configured are left as found"
    );
    assert_eq!(decoded(&r.state).cidrs, cidrs);
    assert_eq!(decoded(&r.state).subnet_ids, ids);
    let refreshed = Held {
        state: r.state,
        private: r.private,
    };

    // Plan: an in-place update back to the configuration, ranges and IDs unchanged.
    let p = plan(&e, &refreshed, &cfg).await;
    assert!(!p.diags.has_errors(), "{}", texts(&p.diags));
    assert!(p.requires_replace.is_empty(), "{:?}", p.requires_replace);
    assert_ne!(
        p.planned, refreshed.state,
        "the drift must show in the plan"
    );
    let planned = decoded(&p.planned);
    assert_eq!(planned.subnets, decoded(&cfg).subnets);
    assert_eq!(planned.cidrs, cidrs);
    assert_eq!(planned.subnet_ids, ids);

    // Apply: the subnets are written back at the same ranges.
    let a = apply(&e, &refreshed, &p, &cfg).await;
    assert!(!a.diags.has_errors(), "{}", texts(&a.diags));
    assert_eq!(a.state, p.planned);
    let live = subnets(&e);
    let g = &live["snt-p7-genai"].1["properties"];
    assert_eq!(live["snt-p7-genai"].0, vec![map(&cidrs)["genai"].clone()]);
    assert_eq!(g["networkSecurityGroup"]["id"], json!(nsg));
    assert_eq!(g["routeTable"]["id"], json!(rt));
    assert_eq!(
        g["serviceEndpoints"],
        json!([{"service": "Microsoft.Storage"}, {"service": "Microsoft.KeyVault"}]),
        "the endpoint added in Azure is removed"
    );
    assert_eq!(g["privateEndpointNetworkPolicies"], "Disabled");
    assert_eq!(g["natGateway"]["id"], json!(nat), "unmanaged property kept");
    assert_eq!(
        g["privateEndpoints"][0]["id"],
        json!(pe),
        "the private endpoint stays attached"
    );
    let d = &live["snt-p7-dbx"].1["properties"];
    assert_eq!(live["snt-p7-dbx"].0, vec![map(&cidrs)["dbx"].clone()]);
    assert_eq!(
        d["delegations"].as_array().map(Vec::len),
        Some(1),
        "{}",
        d["delegations"]
    );
    assert_eq!(
        d["delegations"][0]["properties"]["serviceName"],
        "Microsoft.Databricks/workspaces"
    );
    assert_eq!(
        live["snt-p7-aks"].1["properties"]["networkSecurityGroup"]["id"],
        json!(other_nsg),
        "aks configures no NSG: the one set in Azure stays"
    );

    // Converged: refresh and plan change nothing.
    let held = Held {
        state: a.state,
        private: a.private,
    };
    let r = e.res.read(held.state.clone(), held.private.clone()).await;
    assert_eq!(r.state, held.state);
    let again = plan(&e, &held, &cfg).await;
    assert_eq!(again.planned, held.state);
    e.emu.delete_resource(&pe);
}

mod network;
