//! Tests of `aifactory_project`: shape checks and plans (pure), and the apply engine
//! against the in-process emulator (create, no-op refresh, minimal updates, drift, faults,
//! the tainted hand-over, import, destroy).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use super::*;
use crate::framework::resource::ApplyRequest;
use aifactory_azure::{EnvVars, Settings};
use aifactory_emulator::{Emulator, EmulatorConfig, FaultAction, FaultRule, RunningEmulator, Seed};

pub const TENANT: &str = "11111111-1111-1111-1111-111111111111";
pub const SUB: &str = "00000000-0000-0000-0000-000000000001";
pub const CLIENT: &str = "22222222-2222-2222-2222-222222222222";
pub const SECRET: &str = "unit-secret";
pub const M1: &str = "0a1b2c3d-0000-4000-8000-000000000001";
pub const M2: &str = "0a1b2c3d-0000-4000-8000-000000000002";
pub const SP: &str = "5e5e5e5e-0000-4000-8000-00000000005e";
pub const COMMON_RG: &str = "acme-esml-common-weu-dev-001";

fn rg(name: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/{name}")
}

fn vnet_id() -> String {
    format!(
        "{}/providers/Microsoft.Network/virtualNetworks/vnt-esmlcmn-weu-dev-001",
        rg(COMMON_RG)
    )
}

fn subnet_id(name: &str) -> String {
    format!("{}/subnets/{name}", vnet_id())
}

fn la_id() -> String {
    format!(
        "{}/providers/Microsoft.OperationalInsights/workspaces/la-cmn-weu-dev",
        rg(COMMON_RG)
    )
}

fn lake_id() -> String {
    format!(
        "{}/providers/Microsoft.Storage/storageAccounts/lakeweudev",
        rg(COMMON_RG)
    )
}

fn team_value(members: &[&str], sp: Option<&str>) -> Value {
    TeamModel {
        object_ids: Tf::Known(members.iter().map(|m| Tf::Known(m.to_string())).collect()),
        principal_type: Tf::Known("Group".into()),
        service_principal_object_id: sp.map(str::to_string).into(),
        personas: Value::Null,
    }
    .to_literal()
}

fn smap(pairs: &[(&str, &str)]) -> Tf<StringMap> {
    Tf::Known(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), Tf::Known(v.to_string())))
            .collect(),
    )
}

fn services(pairs: &[(&str, bool)]) -> Tf<BTreeMap<String, Tf<bool>>> {
    Tf::Known(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), Tf::Known(*v)))
            .collect(),
    )
}

/// A project state (or planned state), decoded.
fn state_of(state: &Value) -> ProjectModel {
    ProjectModel::decode(state).expect("a project state")
}

/// A genai project config as Terraform sends it (every attribute, null when unset).
fn config(members: &[&str], lake: bool) -> ProjectModel {
    let mut common = vec![
        ("resource_group_name", COMMON_RG.to_string()),
        ("private_dns_zone_resource_group_id", rg("acme-dns")),
        ("log_analytics_workspace_id", la_id()),
    ];
    if lake {
        common.push(("datalake_storage_account_id", lake_id()));
        common.push(("datalake_filesystem", "lake3".to_string()));
    }
    let common: Vec<(&str, &str)> = common.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let pe = subnet_id("snt-prj001-genai");
    ProjectModel {
        number: Tf::Known(crate::framework::Num::from(1.0)),
        environment: Tf::Known("dev".into()),
        location: Tf::Known("westeurope".into()),
        project_type: Tf::Known("genai".into()),
        naming: smap(&[
            ("prefix", "acme-"),
            ("location_short", "weu"),
            ("suffix", "-001"),
        ]),
        common: smap(&common),
        subnet_ids: smap(&[("private_endpoints", pe.as_str())]),
        team: team_value(members, Some(SP)),
        tags: smap(&[("cost_center", "1234")]),
        ..ProjectModel::default()
    }
}

/// `aifactory_project_names`' names for the same inputs as a project configuration.
fn names_of(
    c: &ProjectModel,
    subscription: Option<String>,
    d: &mut Diagnostics,
) -> Option<(BTreeMap<String, String>, String, String)> {
    let names = crate::resources::project_names::ProjectNamesModel::decode(&c.to_value())
        .expect("the project's inputs decode as the data source's");
    crate::resources::project_names::names_of(&names, subscription, d)
}

fn facts() -> ProviderFacts {
    ProviderFacts {
        subscription_id: SUB.into(),
        tenant_id: TENANT.into(),
        cloud: Cloud::Public,
    }
}

// ---------------------------------------------------------------------------------------
// Pure
// ---------------------------------------------------------------------------------------

#[test]
fn durations_parse_like_go() {
    assert_eq!(parse_duration("30m"), Some(Duration::from_secs(1800)));
    assert_eq!(parse_duration("1h30m"), Some(Duration::from_secs(5400)));
    assert_eq!(parse_duration("90s"), Some(Duration::from_secs(90)));
    assert_eq!(parse_duration("1.5h"), Some(Duration::from_secs(5400)));
    assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
    for bad in ["", "30", "m", "1x", "-1m", "1h m"] {
        assert_eq!(parse_duration(bad), None, "{bad:?}");
    }
}

#[test]
fn shape_errors_name_the_attribute() {
    let mut c = config(&[M1], false);
    c.naming = smap(&[("prefixx", "a")]);
    c.timeouts = timeouts_block(&[("create", Value::string("soon"))]);
    c.services = services(&[("gpu", true)]);
    c.team = Value::object([
        ("object_ids", Value::string("not a list")),
        ("owner", Value::string("x")),
    ]);
    let d = spec::check_shapes(&c.to_value());
    let paths: Vec<String> = d.iter().map(|x| x.path.to_string()).collect();
    for want in [
        r#"naming["prefixx"]"#,
        "timeouts.create",
        r#"services["gpu"]"#,
        "team.owner",
        "team.object_ids",
    ] {
        assert!(paths.iter().any(|p| p == want), "{want} not in {paths:?}");
    }
    assert!(
        d.iter()
            .all(|x| !x.detail.is_empty() || x.summary.contains("must")),
        "{d:?}"
    );
}

/// `team.personas`: each error on its persona's attribute, naming the values.
#[test]
fn persona_errors_name_the_attribute() {
    let persona = |fields: Vec<(&str, Value)>| Value::object(fields);
    let ids = || Value::List(vec![Value::string(M2)]);
    let mut c = config(&[M1], false);
    c.team = Value::object([
        ("object_ids", Value::List(vec![Value::string(M1)])),
        (
            "personas",
            Value::object([
                ("no_set", persona(vec![("object_ids", ids())])),
                (
                    "bad_set",
                    persona(vec![
                        ("object_ids", ids()),
                        ("role_set", Value::string("owner")),
                    ]),
                ),
                (
                    "bad_type",
                    persona(vec![
                        ("object_ids", ids()),
                        ("role_set", Value::string("reader")),
                        ("principal_type", Value::string("App")),
                    ]),
                ),
                (
                    "extra",
                    persona(vec![
                        ("object_ids", ids()),
                        ("role_set", Value::string("reader")),
                        ("owner", Value::string("x")),
                    ]),
                ),
            ]),
        ),
    ]);
    let d = spec::check_shapes(&c.to_value());
    let found: Vec<(String, String)> = d
        .iter()
        .map(|x| (x.path.to_string(), format!("{} {}", x.summary, x.detail)))
        .collect();
    for (path, text) in [
        (
            r#"team.personas["no_set"].role_set"#,
            "reader, developer or project_admin",
        ),
        (
            r#"team.personas["bad_set"].role_set"#,
            "reader, developer, project_admin",
        ),
        (r#"team.personas["bad_type"].principal_type"#, "User, Group"),
        (r#"team.personas["extra"].owner"#, "role_set"),
    ] {
        assert!(
            found.iter().any(|(p, t)| p == path && t.contains(text)),
            "{path} / {text:?} not in {found:#?}"
        );
    }
}

/// The `timeouts` block as the adapter hands it over: `Null` when absent, else an object
/// with every attribute (null when unset).
fn timeouts_block(pairs: &[(&str, Value)]) -> Value {
    Value::object(spec::TIMEOUT_KEYS.map(|k| {
        let v = pairs
            .iter()
            .find(|(name, _)| *name == k)
            .map_or(Value::Null, |(_, v)| v.clone());
        (k, v)
    }))
}

/// Durations for [`timeouts_block`].
fn durations<'a>(pairs: &[(&'a str, &str)]) -> Vec<(&'a str, Value)> {
    pairs.iter().map(|(k, t)| (*k, Value::string(*t))).collect()
}

#[test]
fn timeouts_block_sets_durations_and_keeps_defaults() {
    let read = |t: Value| {
        let mut c = config(&[M1], false);
        c.timeouts = t;
        let mut d = Diagnostics::new();
        let inputs = read_inputs(&c.to_value(), &facts(), &mut d);
        assert!(d.is_empty(), "{d:?}");
        inputs.map(|i| i.timeouts)
    };
    assert_eq!(read(Value::Null), Some(Timeouts::default()));
    let default = Timeouts::default();
    assert_eq!(default.create, Duration::from_secs(3600));
    assert_eq!(default.read, Duration::from_secs(300));
    assert_eq!(default.update, Duration::from_secs(3600));
    assert_eq!(default.delete, Duration::from_secs(3600));
    assert_eq!(read(timeouts_block(&[])), Some(Timeouts::default()));
    assert_eq!(
        read(timeouts_block(&durations(&[
            ("create", "90m"),
            ("delete", "30m")
        ]))),
        Some(Timeouts {
            create: Duration::from_secs(5400),
            delete: Duration::from_secs(1800),
            ..default
        })
    );
    // Unknown (from a variable not yet known) reads as the default.
    let unknown = timeouts_block(&[("read", Value::string("10m")), ("create", Value::Unknown)]);
    assert_eq!(
        read(unknown),
        Some(Timeouts {
            read: Duration::from_secs(600),
            ..default
        })
    );
}

#[test]
fn traverse_group_is_an_object_id_not_an_arm_id() {
    let read = |group: &str| {
        let mut c = config(&[M1], true);
        if let Tf::Known(m) = &mut c.common {
            m.insert(
                "datalake_traverse_group_id".into(),
                Tf::Known(group.to_string()),
            );
        }
        let mut d = Diagnostics::new();
        let inputs = read_inputs(&c.to_value(), &facts(), &mut d);
        (inputs.is_some(), d)
    };
    let (ok, d) = read("7a7a7a7a-0000-4000-8000-0000000000aa");
    assert!(ok && !d.has_errors(), "{d:?}");
    let (_, d) = read("/subscriptions/x/../y");
    assert!(
        d.iter()
            .all(|e| !e.detail.contains("is not an ARM resource ID")),
        "{d:?}"
    );
}

#[test]
fn timeouts_block_errors_name_the_block_attribute() {
    let mut c = config(&[M1], false);
    let mut block = durations(&[("create", "soon"), ("read", "0"), ("update", "1h30m")]);
    block.push(("delete", Value::Number(5.0)));
    c.timeouts = timeouts_block(&block);
    let d = spec::check_shapes(&c.to_value());
    let found: Vec<(String, String)> = d
        .iter()
        .map(|x| (x.path.to_string(), x.summary.clone()))
        .collect();
    assert_eq!(
        found,
        vec![
            (
                "timeouts.create".to_string(),
                "Invalid duration \"soon\"".to_string()
            ),
            (
                "timeouts.delete".to_string(),
                "`timeouts.delete` must be a string".to_string()
            ),
            (
                "timeouts.read".to_string(),
                "A timeout must be longer than zero".to_string()
            ),
        ]
    );
    assert!(d.iter().all(|x| !x.detail.is_empty()), "{d:?}");
    // The path reaches the adapter as attribute steps, which Terraform resolves in a block.
    let path = &d.iter().next().map(|x| x.path.clone()).unwrap_or_default();
    use crate::framework::Step;
    assert_eq!(
        path.0,
        vec![Step::Attr("timeouts".into()), Step::Attr("create".into())]
    );
    // Not a block at all (only a hand-made state could say so).
    let mut c = config(&[M1], false);
    c.timeouts = Value::string("90m");
    let d = spec::check_shapes(&c.to_value());
    assert!(
        d.iter()
            .any(|x| x.path.to_string() == "timeouts" && x.summary.contains("block")),
        "{d:?}"
    );
}

#[test]
fn core_issue_paths_point_into_maps() {
    let p = spec::fix_path(AttrPath::attr("naming").and_attr("prefix"));
    assert_eq!(p.to_string(), r#"naming["prefix"]"#);
    let p = spec::fix_path(AttrPath::attr("team").and_attr("object_ids").and_index(1));
    assert_eq!(p.to_string(), "team.object_ids[1]");
}

#[test]
fn desired_records_know_everything_but_the_new_identity() {
    let mut d = Diagnostics::new();
    let (_, dp) = desired_of(&config(&[M1], true), &facts(), None, &mut d).expect("valid");
    assert!(!d.has_errors(), "{d:?}");
    let recs = desired_records(&dp);
    for (k, r) in &recs {
        let identity_part = k.starts_with("role.identity.") || k.starts_with("acl.identity.");
        assert_eq!(r.id.is_none(), identity_part, "{k}");
        assert_eq!(r.name.is_none(), identity_part, "{k}");
    }
    assert!(recs.contains_key(model::DIRECTORY_KEY));
    assert!(recs.keys().any(|k| k.starts_with("private_endpoint.")));
}

#[test]
fn adding_a_member_adds_exactly_their_objects() {
    let mut d = Diagnostics::new();
    let (_, a) = desired_of(
        &config(&[M1], true),
        &facts(),
        Some("1d1d1d1d-0000-4000-8000-0000000000d1".into()),
        &mut d,
    )
    .expect("valid");
    let (_, b) = desired_of(
        &config(&[M1, M2], true),
        &facts(),
        Some("1d1d1d1d-0000-4000-8000-0000000000d1".into()),
        &mut d,
    )
    .expect("valid");
    let changed = model::changed_keys(&desired_records(&a), &desired_records(&b));
    assert!(!changed.is_empty());
    assert!(changed.iter().all(|k| k.contains(M2)), "{changed:?}");
    assert!(changed_bodies(Some(&a), &b).is_empty());
}

#[test]
fn body_diff_ignores_what_azure_adds() {
    let desired = json!({"location": "westeurope", "tags": {"a": "1"}, "properties": {"x": {"id": "/subscriptions/S/resourceGroups/R"}, "list": [1, 2], "empty": []}});
    let actual = json!({"id": "/x", "location": "West Europe", "tags": {"a": "1", "b": "2"},
        "properties": {"provisioningState": "Succeeded", "x": {"id": "/subscriptions/s/resourcegroups/r"}, "list": [1, 2]}});
    assert!(
        refresh::body_diff(&desired, &actual).is_empty(),
        "{:?}",
        refresh::body_diff(&desired, &actual)
    );
    let drifted = json!({"location": "westeurope", "tags": {}, "properties": {"x": {"id": "/subscriptions/S/resourceGroups/R"}, "list": [1]}});
    let d = refresh::body_diff(&desired, &drifted);
    assert_eq!(d.len(), 2, "{d:?}");
    assert!(
        d.iter().any(|x| x.starts_with("tags.a is not set")),
        "{d:?}"
    );
    assert!(
        d.iter().any(|x| x.starts_with("properties.list is [1]")),
        "{d:?}"
    );
}

#[test]
fn resource_group_names_parse_back() {
    let p = discover::parse_rg_name("acme-esml-project007-weu-test-002-rg").expect("parses");
    assert_eq!(
        p,
        discover::RgNameParts {
            prefix: "acme-".into(),
            number: 7,
            location_short: "weu".into(),
            environment: "test".into(),
            suffix: "-002".into()
        }
    );
    assert!(discover::parse_rg_name("something-else").is_none());
    assert_eq!(
        discover::parse_rg_name("esml-project001-eus2-dev-rg").map(|p| p.suffix),
        Some(String::new())
    );
}

#[test]
fn private_state_round_trips() {
    let p = Private {
        planned_create: None,
        adopted: BTreeMap::from([("k".to_string(), "/x".to_string())]),
    };
    assert_eq!(Private::from_value(&p.to_value()), p);
    assert_eq!(Private::default().to_value(), Value::Null);
    assert_eq!(
        Private::from_value(&Value::string("garbage")),
        Private::default()
    );
}

// ---------------------------------------------------------------------------------------
// Against the emulator
// ---------------------------------------------------------------------------------------

/// The common part a project refers to.
pub fn common_seed() -> Seed {
    let seed = json!({
        "resources": [
            {"id": rg(COMMON_RG), "body": {"location": "westeurope"}},
            {"id": rg("acme-dns"), "body": {"location": "westeurope"}},
            {"id": vnet_id(), "body": {"location": "westeurope", "properties": {
                "addressSpace": {"addressPrefixes": ["10.20.0.0/16"]},
                "subnets": [{"name": "snt-prj001-genai", "properties": {"addressPrefix": "10.20.1.0/24"}}]}}},
            {"id": la_id(), "body": {"location": "westeurope"}},
            {"id": lake_id(), "body": {"location": "westeurope", "kind": "StorageV2", "properties": {"isHnsEnabled": true}}}
        ],
        "filesystems": [{"account": "lakeweudev", "name": "lake3", "directories": ["projects"]}]
    });
    let mut seed = seed;
    // The factory's private DNS zones (a zone group must name zones that exist).
    if let Some(list) = seed["resources"].as_array_mut() {
        for zone in aifactory_template::common::zones(Cloud::Public) {
            list.push(json!({
                "id": format!("{}/providers/Microsoft.Network/privateDnsZones/{zone}", rg("acme-dns")),
                "body": {"location": "global"}
            }));
        }
    }
    serde_json::from_value(seed).expect("seed")
}

pub struct Fixture {
    pub emulator: Arc<RunningEmulator>,
    pub project: Project,
}

pub fn settings_for(emulator: &RunningEmulator) -> Settings {
    let vars: EnvVars = emulator
        .info()
        .provider_env(TENANT, SUB, CLIENT, SECRET)
        .into_iter()
        .collect();
    let mut s = Settings::from_vars_and(&vars, &aifactory_azure::NoConfig);
    s.lro_poll_interval = Duration::from_millis(200);
    s
}

async fn fixture(customise: impl FnOnce(EmulatorConfig) -> EmulatorConfig) -> Fixture {
    let config = customise(
        EmulatorConfig::default()
            .with_tenant(TENANT)
            .with_subscription(SUB)
            .with_app(CLIENT, SECRET)
            .with_seed(common_seed()),
    );
    let emulator = Arc::new(Emulator::start(config).await.expect("emulator starts"));
    let ctx = ProviderContext::with_settings(settings_for(&emulator));
    Fixture {
        emulator,
        project: Project::new(ctx),
    }
}

fn config_lake() -> ProjectModel {
    config(&[M1], true)
}

impl Fixture {
    async fn plan(&self, prior: &Value, private: &Value, config: &ProjectModel) -> PlanResponse {
        self.project
            .plan(PlanRequest {
                prior: prior.clone(),
                proposed: config.to_value(),
                config: config.to_value(),
                prior_private: private.clone(),
            })
            .await
    }

    async fn apply(
        &self,
        prior: &Value,
        planned: &PlanResponse,
        config: &ProjectModel,
    ) -> StateResponse {
        self.project
            .apply(ApplyRequest {
                prior: prior.clone(),
                planned: planned.planned.clone(),
                config: config.to_value(),
                planned_private: planned.private.clone(),
            })
            .await
    }

    /// Plan and apply `config` over `prior`; returns the new state and private.
    async fn converge(
        &self,
        prior: &Value,
        private: &Value,
        config: &ProjectModel,
    ) -> StateResponse {
        let plan = self.plan(prior, private, config).await;
        assert!(!plan.diags.has_errors(), "plan: {:?}", plan.diags);
        let applied = self.apply(prior, &plan, config).await;
        assert!(!applied.diags.has_errors(), "apply: {:?}", applied.diags);
        applied
    }

    async fn destroy(&self, prior: &Value, private: &Value) -> StateResponse {
        self.project
            .apply(ApplyRequest {
                prior: prior.clone(),
                planned: Value::Null,
                config: Value::Null,
                planned_private: private.clone(),
            })
            .await
    }

    /// Writes (PUT/PATCH/DELETE/POST) in the journal since `from`, as (method, path, status).
    fn writes(&self, from: u64) -> Vec<(String, String, u16)> {
        self.emulator
            .journal()
            .into_iter()
            .filter(|e| {
                e.seq > from
                    && e.method != "GET"
                    && e.method != "HEAD"
                    && !e.path.contains("oauth2")
            })
            .map(|e| (e.method, e.path, e.status))
            .collect()
    }

    fn last_seq(&self) -> u64 {
        self.emulator.journal().last().map_or(0, |e| e.seq)
    }
}

fn resources_of(state: &Value) -> Records {
    Option::<ProjectModel>::decode(state)
        .expect("a project state")
        .map(|m| m.records())
        .unwrap_or_default()
}

/// The plan has nothing to do: planned equals prior.
fn assert_no_changes(prior: &Value, plan: &PlanResponse) {
    let a = prior.to_json();
    let b = plan.planned.to_json();
    if a != b {
        let (ra, rb) = (resources_of(prior), resources_of(&plan.planned));
        panic!(
            "plan is not empty: resources differ at {:?}; drift {:?} -> {:?}",
            model::changed_keys(&ra, &rb),
            state_of(prior).drift,
            state_of(&plan.planned).drift
        );
    }
    assert!(
        plan.requires_replace.is_empty(),
        "{:?}",
        plan.requires_replace
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lifecycle_create_refresh_update_drift_destroy() {
    let fx = fixture(|c| c).await;
    let cfg = config_lake();

    // Create.
    let plan = fx.plan(&Value::Null, &Value::Null, &cfg).await;
    assert!(!plan.diags.has_errors(), "{:?}", plan.diags);
    assert!(state_of(&plan.planned).identity_principal_id.is_unknown());
    let created = fx.apply(&Value::Null, &plan, &cfg).await;
    assert!(!created.diags.has_errors(), "{:?}", created.diags);
    let state = created.state.clone();
    assert!(state.is_wholly_known(), "applied state has unknowns");
    let recs = resources_of(&state);
    assert_eq!(recs.len(), resources_of(&plan.planned).len());
    let rg_id = state_of(&state).id.into_known().expect("id");
    assert!(fx.emulator.resource(&rg_id).is_some());

    // Refresh finds nothing to change; the next plan is empty.
    let read = fx
        .project
        .read(state.clone(), created.private.clone())
        .await;
    assert!(!read.diags.has_errors(), "{:?}", read.diags);
    let drift = state_of(&read.state).drift;
    assert_eq!(drift.known().map(BTreeMap::len), Some(0), "{drift:?}");
    assert_eq!(resources_of(&read.state), recs);
    let again = fx.plan(&read.state, &read.private, &cfg).await;
    assert_no_changes(&read.state, &again);

    // Adding a member writes only their role assignments and ACL entries.
    let cfg2 = config(&[M1, M2], true);
    let seq = fx.last_seq();
    let updated = fx.converge(&read.state, &read.private, &cfg2).await;
    let writes = fx.writes(seq);
    let role_puts = writes
        .iter()
        .filter(|(m, p, _)| m == "PUT" && p.contains("roleAssignments"))
        .count();
    let added_roles = resources_of(&updated.state)
        .keys()
        .filter(|k| k.starts_with(&format!("role.team.{M2}")))
        .count();
    assert_eq!(role_puts, added_roles, "{writes:?}");
    assert!(
        writes
            .iter()
            .all(|(_, p, _)| p.contains("roleAssignments") || p.contains("/dfs/")),
        "{writes:?}"
    );
    let dfs_writes = writes
        .iter()
        .filter(|(_, p, _)| p.contains("/dfs/"))
        .count();
    assert_eq!(
        dfs_writes, 3,
        "one write per path (root, projects, project dir): {writes:?}"
    );

    // Removing them deletes only theirs.
    let seq = fx.last_seq();
    let back = fx.converge(&updated.state, &updated.private, &cfg).await;
    let writes = fx.writes(seq);
    let deletes = writes.iter().filter(|(m, _, _)| m == "DELETE").count();
    assert_eq!(deletes, added_roles, "{writes:?}");
    assert!(
        writes
            .iter()
            .all(|(m, p, _)| m == "DELETE" && p.contains("roleAssignments") || p.contains("/dfs/")),
        "{writes:?}"
    );
    assert_eq!(resources_of(&back.state), recs);

    // Drift: a deleted key vault and a changed storage account.
    let kv = recs["key_vault"].id.clone().expect("kv id");
    let st = recs["storage"].id.clone().expect("storage id");
    assert!(fx.emulator.delete_resource(&kv) > 0);
    let mut body = fx.emulator.resource(&st).expect("storage");
    body["properties"]["publicNetworkAccess"] = json!("Enabled");
    fx.emulator.put_resource(&st, body).expect("drift put");
    let read = fx
        .project
        .read(back.state.clone(), back.private.clone())
        .await;
    assert!(!resources_of(&read.state).contains_key("key_vault"));
    let drift = state_of(&read.state).drift.into_known().unwrap_or_default();
    assert!(
        drift
            .get("storage")
            .is_some_and(|s| s.contains("publicNetworkAccess")),
        "{drift:?}"
    );
    let plan = fx.plan(&read.state, &read.private, &cfg).await;
    assert_ne!(
        plan.planned.to_json(),
        read.state.to_json(),
        "drift must show in the plan"
    );
    let seq = fx.last_seq();
    let repaired = fx.apply(&read.state, &plan, &cfg).await;
    assert!(!repaired.diags.has_errors(), "{:?}", repaired.diags);
    let writes = fx.writes(seq);
    let puts: Vec<&String> = writes
        .iter()
        .filter(|(m, _, _)| m == "PUT")
        .map(|(_, p, _)| p)
        .collect();
    // The key vault, its role assignments and diagnostic setting (deleted with it) and the
    // storage account.
    let kv_roles = recs
        .iter()
        .filter(|(k, _)| k.contains(".key_vault.") || *k == "diagnostic_setting.key_vault")
        .count();
    assert_eq!(puts.len(), 2 + kv_roles, "{puts:?}");
    assert!(
        puts.iter()
            .all(|p| p.contains("/vaults/") || p.contains("/storageAccounts/")),
        "{puts:?}"
    );
    let read = fx
        .project
        .read(repaired.state.clone(), repaired.private.clone())
        .await;
    let again = fx.plan(&read.state, &read.private, &cfg).await;
    assert_no_changes(&read.state, &again);

    // Destroy.
    let gone = fx.destroy(&read.state, &read.private).await;
    assert!(!gone.diags.has_errors(), "{:?}", gone.diags);
    assert_eq!(gone.state, Value::Null);
    assert!(fx.emulator.resource(&rg_id).is_none());
}

/// AI Search's shared private links are approved on their targets right after they are
/// written (Azure leaves them pending); one rejected on the target afterwards is drift that
/// the next apply reports and leaves alone; one whose connection was deleted is asked anew
/// and approved again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shared_private_links_are_approved_and_a_rejection_is_drift() {
    let fx = fixture(|c| c).await;
    let cfg = config_lake();
    let created = fx.converge(&Value::Null, &Value::Null, &cfg).await;
    let recs = resources_of(&created.state);
    let link_id = recs["shared_private_link.storage_blob"]
        .id
        .clone()
        .expect("link id");
    let storage_id = recs["storage"].id.clone().expect("storage id");
    let link = fx.emulator.resource(&link_id).expect("link in Azure");
    assert_eq!(link["properties"]["status"], "Approved", "{link}");
    let conns = fx
        .emulator
        .resource(&storage_id)
        .and_then(|s| {
            s["properties"]["privateEndpointConnections"]
                .as_array()
                .cloned()
        })
        .expect("connections on the storage account");
    assert_eq!(conns.len(), 1, "{conns:?}");
    let conn_id = conns[0]["id"].as_str().expect("connection id").to_string();
    // Approved with the link's request message kept as the description (its only mark).
    assert_eq!(
        conns[0]["properties"]["privateLinkServiceConnectionState"]["description"],
        link["properties"]["requestMessage"]
    );

    // Someone rejects it on the storage account: refresh shows it, the next apply re-asks
    // and leaves the rejection alone, with a warning saying so.
    let mut conn = fx.emulator.resource(&conn_id).expect("connection");
    conn["properties"]["privateLinkServiceConnectionState"]["status"] = json!("Rejected");
    fx.emulator.put_resource(&conn_id, conn).expect("reject");
    let read = fx
        .project
        .read(created.state.clone(), created.private.clone())
        .await;
    let drift = state_of(&read.state).drift.into_known().unwrap_or_default();
    assert!(
        drift
            .get("shared_private_link.storage_blob")
            .is_some_and(|d| d.contains("Rejected")),
        "{drift:?}"
    );
    let plan = fx.plan(&read.state, &read.private, &cfg).await;
    let applied = fx.apply(&read.state, &plan, &cfg).await;
    assert!(!applied.diags.has_errors(), "{:?}", applied.diags);
    assert!(
        applied.diags.iter().any(|d| d
            .detail
            .contains("is Rejected; the provider leaves it alone")),
        "{:?}",
        applied.diags
    );
    assert_eq!(
        fx.emulator.resource(&link_id).expect("link")["properties"]["status"],
        "Rejected"
    );

    // The connection deleted on the target: the link is Disconnected, apply asks anew and
    // approves the new connection; then the plan is empty.
    assert!(
        fx.emulator.delete_resource(&conn_id) > 0,
        "delete connection"
    );
    let read = fx
        .project
        .read(applied.state.clone(), applied.private.clone())
        .await;
    let drift = state_of(&read.state).drift.into_known().unwrap_or_default();
    assert!(
        drift
            .get("shared_private_link.storage_blob")
            .is_some_and(|d| d.contains("Disconnected")),
        "{drift:?}"
    );
    let again = fx.converge(&read.state, &read.private, &cfg).await;
    assert_eq!(
        fx.emulator.resource(&link_id).expect("link")["properties"]["status"],
        "Approved"
    );
    let read = fx
        .project
        .read(again.state.clone(), again.private.clone())
        .await;
    let plan = fx.plan(&read.state, &read.private, &cfg).await;
    assert_no_changes(&read.state, &plan);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_create_is_recorded_and_the_replacement_continues() {
    let fx = fixture(|c| c).await;
    let cfg = config_lake();
    fx.emulator.add_fault(
        FaultRule::new(
            "PUT",
            "*/Microsoft.Search/searchServices/*",
            FaultAction::Status {
                status: 400,
                code: Some("RequestDisallowedByPolicy".into()),
                message: None,
                retry_after_secs: None,
            },
        )
        .named("search-down"),
    );
    let plan = fx.plan(&Value::Null, &Value::Null, &cfg).await;
    let failed = fx.apply(&Value::Null, &plan, &cfg).await;
    assert!(failed.diags.has_errors());
    assert!(
        failed.diags.iter().any(|d| d.summary.contains("search")),
        "{:?}",
        failed.diags
    );
    let partial = resources_of(&failed.state);
    assert!(
        partial.contains_key("resource_group") && !partial.contains_key("search"),
        "{partial:?}"
    );
    // Exactly what exists is recorded.
    for (k, r) in partial.iter().filter(|(_, r)| r.is_arm_resource()) {
        assert!(
            fx.emulator
                .resource(r.id.as_deref().unwrap_or_default())
                .is_some(),
            "{k} recorded but missing"
        );
    }
    fx.emulator.set_faults(Vec::new());

    // Terraform replaces the tainted project: delete half with the new plan's private, then create.
    let seq = fx.last_seq();
    let plan = fx.plan(&Value::Null, &Value::Null, &cfg).await;
    let handed = fx.destroy(&failed.state, &plan.private).await;
    assert!(!handed.diags.has_errors(), "{:?}", handed.diags);
    let created = fx.apply(&Value::Null, &plan, &cfg).await;
    assert!(!created.diags.has_errors(), "{:?}", created.diags);
    let writes = fx.writes(seq);
    assert!(
        writes.iter().all(|(m, _, _)| m != "DELETE"),
        "nothing deleted: {writes:?}"
    );
    for (_, r) in partial.iter().filter(|(_, r)| r.is_arm_resource()) {
        let id = r.id.clone().unwrap_or_default();
        assert!(
            !writes
                .iter()
                .any(|(m, p, s)| m == "PUT" && p.eq_ignore_ascii_case(&id) && *s == 201),
            "{id} was created again: {writes:?}"
        );
    }
    assert!(resources_of(&created.state).contains_key("search"));
    let gone = fx.destroy(&created.state, &created.private).await;
    assert!(!gone.diags.has_errors(), "{:?}", gone.diags);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn role_assignments_are_adopted_and_principal_not_found_is_retried() {
    let fx = fixture(|c| c).await;
    let mut cfg = config(&[M1], false);
    // The resource group exists already (ESML made it): taking it over is asked for.
    cfg.adopt_existing = Tf::Known(true);
    let mut d = Diagnostics::new();
    let (_, dp) = desired_of(&cfg, &facts(), None, &mut d).expect("valid");
    // Someone (ESML) assigned Reader on the group to M1 under another name.
    let rg_id = dp.resource_group_id.clone();
    let reader = dp
        .role_assignments
        .iter()
        .find(|r| r.key == format!("role.team.{M1}.rg.reader"))
        .expect("reader")
        .clone();
    fx.emulator
        .seed(&serde_json::from_value(json!({"resources": [
            {"id": rg_id, "body": {"location": "westeurope"}},
            {"id": format!("{rg_id}/providers/Microsoft.Authorization/roleAssignments/99999999-9999-4999-8999-999999999999"),
             "body": {"properties": {"roleDefinitionId": reader.role_definition_id, "principalId": M1, "principalType": "Group"}}}
        ]})).expect("seed"))
        .expect("seeded");
    // Entra has not replicated the service principal yet: two PrincipalNotFound first.
    fx.emulator.add_fault(
        FaultRule::new(
            "PUT",
            "*/roleAssignments/*",
            FaultAction::Status {
                status: 400,
                code: Some("PrincipalNotFound".into()),
                message: None,
                retry_after_secs: None,
            },
        )
        .nth(&[1, 2]),
    );
    let plan = fx.plan(&Value::Null, &Value::Null, &cfg).await;
    let created = fx.apply(&Value::Null, &plan, &cfg).await;
    assert!(!created.diags.has_errors(), "{:?}", created.diags);
    let private = Private::from_value(&created.private);
    assert_eq!(
        private.adopted.get(&reader.key).map(|s| s.to_ascii_lowercase()),
        Some(format!("{rg_id}/providers/Microsoft.Authorization/roleAssignments/99999999-9999-4999-8999-999999999999").to_ascii_lowercase())
    );
    // The adopted assignment is read back and deleted on destroy.
    let read = fx
        .project
        .read(created.state.clone(), created.private.clone())
        .await;
    assert!(resources_of(&read.state).contains_key(&reader.key));
    let gone = fx.destroy(&read.state, &read.private).await;
    assert!(!gone.diags.has_errors(), "{:?}", gone.diags);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn destroy_refuses_foreign_resources_unless_forced() {
    let fx = fixture(|c| c).await;
    let cfg = config(&[M1], false);
    let created = fx.converge(&Value::Null, &Value::Null, &cfg).await;
    let rg_id = state_of(&created.state).id.into_known().unwrap_or_default();
    let foreign = format!("{rg_id}/providers/Microsoft.Storage/storageAccounts/somebodyelse");
    fx.emulator
        .put_resource(&foreign, json!({"location": "westeurope"}))
        .expect("foreign");
    let refused = fx.destroy(&created.state, &created.private).await;
    assert!(refused.diags.has_errors());
    let d = refused.diags.iter().next().expect("diag");
    assert!(
        d.detail.contains("somebodyelse") && d.path == AttrPath::attr("force_destroy"),
        "{d:?}"
    );
    assert!(fx.emulator.resource(&rg_id).is_some());
    let mut forced = state_of(&created.state);
    forced.force_destroy = Tf::Known(true);
    let gone = fx.destroy(&forced.to_value(), &created.private).await;
    assert!(!gone.diags.has_errors(), "{:?}", gone.diags);
    assert!(fx.emulator.resource(&rg_id).is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_rebuilds_the_state() {
    let fx = fixture(|c| c).await;
    let cfg = config_lake();
    let created = fx.converge(&Value::Null, &Value::Null, &cfg).await;
    let rg_id = state_of(&created.state).id.into_known().unwrap_or_default();
    let imported = fx.project.import(&rg_id).await;
    assert!(!imported.diags.has_errors(), "{:?}", imported.diags);
    let a = created.state.to_json();
    let b = imported.state.to_json();
    for attr in [
        "number",
        "environment",
        "location",
        "project_type",
        "naming",
        "common",
        "subnet_ids",
        "team",
        "tags",
        "network_access",
        "id",
        "identity_principal_id",
        "resources",
        "datalake_path",
    ] {
        assert_eq!(a[attr], b[attr], "{attr}");
    }
    // The next plan has nothing to do.
    let read = fx
        .project
        .read(imported.state.clone(), imported.private.clone())
        .await;
    let plan = fx.plan(&read.state, &read.private, &cfg).await;
    assert_eq!(
        model::changed_keys(&resources_of(&read.state), &resources_of(&plan.planned)).len(),
        0
    );
    assert!(
        plan.requires_replace.is_empty(),
        "{:?}",
        plan.requires_replace
    );
    let gone = fx.destroy(&read.state, &read.private).await;
    assert!(!gone.diags.has_errors(), "{:?}", gone.diags);
}

/// A refused vault name (an injected 409) is checked for a soft-deleted vault (which would
/// be recovered); there is none, so the conflict stands. Destroy with
/// `purge_soft_delete_on_destroy` purges.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soft_delete_is_checked_on_conflict_and_purged_on_request() {
    let fx = fixture(|c| c).await;
    let cfg = config(&[M1], false);
    let mut d = Diagnostics::new();
    let (_, dp) = desired_of(&cfg, &facts(), None, &mut d).expect("valid");
    let kv = dp
        .resources
        .iter()
        .find(|r| r.key == "key_vault")
        .expect("kv")
        .clone();
    fx.emulator.add_fault(
        FaultRule::new(
            "PUT",
            &kv.id,
            FaultAction::Status {
                status: 409,
                code: Some("ConflictError".into()),
                message: Some("exists in deleted state".into()),
                retry_after_secs: None,
            },
        )
        .nth(&[1]),
    );
    let seq = fx.last_seq();
    let plan = fx.plan(&Value::Null, &Value::Null, &cfg).await;
    let failed = fx.apply(&Value::Null, &plan, &cfg).await;
    assert!(
        failed
            .diags
            .iter()
            .any(|d| d.summary.contains("ConflictError")),
        "{:?}",
        failed.diags
    );
    let checked = fx.emulator.journal().into_iter().any(|e| {
        e.seq > seq
            && e.method == "GET"
            && e.path.ends_with(&format!(
                "/providers/Microsoft.KeyVault/locations/westeurope/deletedVaults/{}",
                kv.name
            ))
    });
    assert!(checked, "the deleted vault was not looked up");
    fx.emulator.set_faults(Vec::new());

    // The replacement (hand-over, then create) converges; destroy purges.
    let plan = fx.plan(&Value::Null, &Value::Null, &cfg).await;
    let handed = fx.destroy(&failed.state, &plan.private).await;
    assert!(!handed.diags.has_errors(), "{:?}", handed.diags);
    let created = fx.apply(&Value::Null, &plan, &cfg).await;
    assert!(!created.diags.has_errors(), "{:?}", created.diags);
    fx.project.ctx.set_purge_soft_delete_on_destroy(true);
    let seq = fx.last_seq();
    let gone = fx.destroy(&created.state, &created.private).await;
    assert!(!gone.diags.has_errors(), "{:?}", gone.diags);
    let purged = fx.emulator.journal().into_iter().any(|e| {
        e.seq > seq
            && e.method == "POST"
            && e.path
                .ends_with(&format!("deletedVaults/{}/purge", kv.name))
    });
    assert!(purged, "no purge call");
}

/// The key vault and the AI Services account of a genai project, as the plan names them.
fn soft_deletable(
    cfg: &ProjectModel,
) -> (
    aifactory_template::project::DesiredResource,
    aifactory_template::project::DesiredResource,
) {
    let mut d = Diagnostics::new();
    let (_, dp) = desired_of(cfg, &facts(), None, &mut d).expect("valid");
    let find = |t: &str| {
        dp.resources
            .iter()
            .find(|r| r.resource_type.eq_ignore_ascii_case(t))
            .cloned()
            .unwrap_or_else(|| panic!("no {t}"))
    };
    (
        find(aifactory_template::project::api::KEY_VAULT.resource_type),
        find(aifactory_template::project::api::AI_SERVICES.resource_type),
    )
}

fn deleted_vault_path(kv: &aifactory_template::project::DesiredResource) -> String {
    format!(
        "/subscriptions/{SUB}/providers/Microsoft.KeyVault/locations/westeurope/deletedVaults/{}",
        kv.name
    )
}

fn deleted_account_path(
    ai: &aifactory_template::project::DesiredResource,
    rg_name: &str,
) -> String {
    format!(
        "/subscriptions/{SUB}/providers/Microsoft.CognitiveServices/locations/westeurope/resourceGroups/{rg_name}/deletedAccounts/{}",
        ai.name
    )
}

impl Fixture {
    /// A soft-delete endpoint read with the provider's client (`None` = 404).
    async fn get_deleted(&self, path: &str, api_version: &str) -> Option<serde_json::Value> {
        let client = self.project.ctx.azure().expect("client");
        client
            .arm()
            .get_opt(&aifactory_azure::Ctx::background(), path, api_version)
            .await
            .expect("GET")
    }
}

/// Azure keeps a destroyed project's key vault and AI Services account soft-deleted (the
/// emulator models it): creating the project again hits 409 on both names, finds them
/// soft-deleted, recovers them (`createMode: recover`, `restore: true`), applies the body,
/// and says so in a warning.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn re_create_after_destroy_recovers_the_soft_deleted_vault_and_account() {
    let fx = fixture(|c| c).await;
    let cfg = config(&[M1], false);
    let (kv, ai) = soft_deletable(&cfg);
    let created = fx.converge(&Value::Null, &Value::Null, &cfg).await;
    let rg_id = state_of(&created.state).id.into_known().unwrap_or_default();
    let rg_name = rg_id.rsplit('/').next().unwrap_or_default().to_string();
    let gone = fx.destroy(&created.state, &created.private).await;
    assert!(!gone.diags.has_errors(), "{:?}", gone.diags);
    assert!(fx.emulator.resource(&kv.id).is_none() && fx.emulator.resource(&ai.id).is_none());
    let soft = fx.emulator.soft_deleted();
    assert_eq!(soft.len(), 2, "{soft:?}");
    assert!(fx
        .get_deleted(&deleted_vault_path(&kv), &kv.api_version)
        .await
        .is_some());
    assert!(fx
        .get_deleted(&deleted_account_path(&ai, &rg_name), &ai.api_version)
        .await
        .is_some());

    // Create again.
    let seq = fx.last_seq();
    let again = fx.converge(&Value::Null, &Value::Null, &cfg).await;
    let journal: Vec<_> = fx
        .emulator
        .journal()
        .into_iter()
        .filter(|e| e.seq > seq)
        .collect();
    let puts_of = |id: &str| -> Vec<(u16, serde_json::Value)> {
        journal
            .iter()
            .filter(|e| e.method == "PUT" && e.path.eq_ignore_ascii_case(id))
            .map(|e| (e.status, e.body.clone()))
            .collect()
    };
    let kv_puts = puts_of(&kv.id);
    assert_eq!(kv_puts.len(), 3, "refused, recover, body: {kv_puts:?}");
    assert_eq!(kv_puts[0].0, 409);
    assert_eq!(
        kv_puts[1]
            .1
            .pointer("/properties/createMode")
            .and_then(serde_json::Value::as_str),
        Some("recover"),
        "{kv_puts:?}"
    );
    assert!(kv_puts[1].0 < 300 && kv_puts[2].0 < 300, "{kv_puts:?}");
    assert!(kv_puts[2].1.pointer("/properties/createMode").is_none());
    let ai_puts = puts_of(&ai.id);
    assert_eq!(ai_puts.len(), 3, "refused, restore, body: {ai_puts:?}");
    assert_eq!(ai_puts[0].0, 409);
    assert_eq!(
        ai_puts[1].1.pointer("/properties/restore"),
        Some(&json!(true)),
        "{ai_puts:?}"
    );
    assert!(ai_puts[1].0 < 300 && ai_puts[2].0 < 300, "{ai_puts:?}");
    assert!(journal
        .iter()
        .any(|e| e.method == "GET" && e.path == deleted_vault_path(&kv)));
    assert!(journal
        .iter()
        .any(|e| e.method == "GET" && e.path == deleted_account_path(&ai, &rg_name)));
    // Both exist again, with the project's body, and nothing is soft-deleted any more.
    let vault = fx.emulator.resource(&kv.id).expect("vault recovered");
    assert_eq!(vault["properties"]["provisioningState"], "Succeeded");
    assert_eq!(
        vault["properties"]["publicNetworkAccess"],
        kv.body["properties"]["publicNetworkAccess"]
    );
    assert!(vault["properties"].get("createMode").is_none());
    let account = fx.emulator.resource(&ai.id).expect("account restored");
    assert!(account["properties"].get("restore").is_none());
    assert!(fx.emulator.soft_deleted().is_empty());
    // The warning says what happened.
    let warned: Vec<String> = again
        .diags
        .iter()
        .filter(|d| d.detail.contains("recovered"))
        .map(|d| d.detail.clone())
        .collect();
    assert_eq!(warned.len(), 2, "{:?}", again.diags);
    assert!(
        warned.iter().any(|w| w.contains(&kv.name)) && warned.iter().any(|w| w.contains(&ai.name)),
        "{warned:?}"
    );
    // And the next plan is empty.
    let read = fx
        .project
        .read(again.state.clone(), again.private.clone())
        .await;
    assert!(!read.diags.has_errors(), "{:?}", read.diags);
    let plan = fx.plan(&read.state, &read.private, &cfg).await;
    assert_no_changes(&read.state, &plan);
}

/// With `recover_soft_deleted = false`, a soft-deleted vault blocks the create with an error
/// that names the setting and the commands; nothing is recovered behind the user's back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_recovery_a_soft_deleted_vault_fails_the_create_clearly() {
    let fx = fixture(|c| c).await;
    fx.project.ctx.set_recover_soft_deleted(false);
    let cfg = config(&[M1], false);
    let (kv, _) = soft_deletable(&cfg);
    let created = fx.converge(&Value::Null, &Value::Null, &cfg).await;
    let gone = fx.destroy(&created.state, &created.private).await;
    assert!(!gone.diags.has_errors(), "{:?}", gone.diags);
    let seq = fx.last_seq();
    let plan = fx.plan(&Value::Null, &Value::Null, &cfg).await;
    let again = fx.apply(&Value::Null, &plan, &cfg).await;
    let text = format!("{:?}", again.diags);
    assert!(again.diags.has_errors(), "{text}");
    assert!(
        text.contains("recover_soft_deleted")
            && text.contains("az keyvault purge")
            && text.contains(&kv.name),
        "{text}"
    );
    let recovered = fx
        .emulator
        .journal()
        .into_iter()
        .filter(|e| e.seq > seq)
        .any(|e| {
            e.method == "PUT"
                && e.body
                    .pointer("/properties/createMode")
                    .and_then(serde_json::Value::as_str)
                    == Some("recover")
        });
    assert!(!recovered, "no recovery was attempted");
    assert!(
        fx.emulator.resource(&kv.id).is_none(),
        "the vault stays soft-deleted"
    );
    // Whatever the failed create made is in state, so the next apply or destroy finds it.
    assert!(
        resources_of(&again.state).contains_key("resource_group"),
        "the resource group it created is tracked: {:?}",
        again.state
    );
}

/// With `purge_soft_delete_on_destroy`, destroy purges the soft-deleted key vault and AI
/// Services account; creating the project again needs no recovery.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn destroy_with_purge_frees_the_names() {
    let fx = fixture(|c| c).await;
    fx.project.ctx.set_purge_soft_delete_on_destroy(true);
    let cfg = config(&[M1], false);
    let (kv, ai) = soft_deletable(&cfg);
    let created = fx.converge(&Value::Null, &Value::Null, &cfg).await;
    let rg_id = state_of(&created.state).id.into_known().unwrap_or_default();
    let rg_name = rg_id.rsplit('/').next().unwrap_or_default().to_string();
    let seq = fx.last_seq();
    let gone = fx.destroy(&created.state, &created.private).await;
    assert!(!gone.diags.has_errors(), "{:?}", gone.diags);
    assert!(
        gone.diags.iter().all(|d| !d.detail.contains("purge")),
        "no purge warning: {:?}",
        gone.diags
    );
    let writes = fx.writes(seq);
    assert!(
        writes.iter().any(|(m, p, s)| m == "POST"
            && p.ends_with(&format!("deletedVaults/{}/purge", kv.name))
            && *s == 202),
        "{writes:?}"
    );
    assert!(
        writes.iter().any(|(m, p, s)| m == "DELETE"
            && *p == deleted_account_path(&ai, &rg_name)
            && *s == 202),
        "{writes:?}"
    );
    assert!(
        fx.get_deleted(&deleted_vault_path(&kv), &kv.api_version)
            .await
            .is_none(),
        "deletedVaults GET is 404"
    );
    assert!(
        fx.get_deleted(&deleted_account_path(&ai, &rg_name), &ai.api_version)
            .await
            .is_none(),
        "deletedAccounts GET is 404"
    );
    assert!(fx.emulator.soft_deleted().is_empty());

    // Creating again is a plain create.
    let seq = fx.last_seq();
    let again = fx.converge(&Value::Null, &Value::Null, &cfg).await;
    let writes = fx.writes(seq);
    for id in [&kv.id, &ai.id] {
        let puts: Vec<u16> = writes
            .iter()
            .filter(|(m, p, _)| m == "PUT" && p.eq_ignore_ascii_case(id))
            .map(|(_, _, s)| *s)
            .collect();
        assert_eq!(puts, vec![201], "{id}: {writes:?}");
    }
    assert!(
        again.diags.iter().all(|d| !d.detail.contains("recovered")),
        "{:?}",
        again.diags
    );

    // With purge protection the vault cannot be purged: destroy still succeeds, with a
    // warning, and the vault stays soft-deleted (the account is purged).
    let mut protected = cfg.clone();
    protected.key_vault_purge_protection = Tf::Known(true);
    let updated = fx.converge(&again.state, &again.private, &protected).await;
    let gone = fx.destroy(&updated.state, &updated.private).await;
    assert!(!gone.diags.has_errors(), "{:?}", gone.diags);
    assert!(
        gone.diags
            .iter()
            .any(|d| d.detail.contains("Could not purge") && d.detail.contains(&kv.name)),
        "{:?}",
        gone.diags
    );
    assert!(fx
        .get_deleted(&deleted_vault_path(&kv), &kv.api_version)
        .await
        .is_some());
    assert!(fx
        .get_deleted(&deleted_account_path(&ai, &rg_name), &ai.api_version)
        .await
        .is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_esml_project_with_databricks_and_data_factory() {
    let fx = fixture(|c| c).await;
    // Databricks needs its two subnets in the project's vNet.
    for s in ["snt-prj001-dbxpub", "snt-prj001-dbxpriv"] {
        fx.emulator
            .put_resource(&subnet_id(s), json!({"properties": {"addressPrefix": if s.ends_with("pub") { "10.20.2.0/26" } else { "10.20.2.64/26" }, "delegations": [{"name": "dbx", "properties": {"serviceName": "Microsoft.Databricks/workspaces"}}]}}))
            .expect("subnet");
    }
    let mut cfg = config(&[M1, M2], true);
    cfg.project_type = Tf::Known("esml".into());
    cfg.services = services(&[("databricks", true), ("data_factory", true)]);
    cfg.subnet_ids = smap(&[
        ("private_endpoints", subnet_id("snt-prj001-genai").as_str()),
        ("dbx_public", subnet_id("snt-prj001-dbxpub").as_str()),
        ("dbx_private", subnet_id("snt-prj001-dbxpriv").as_str()),
    ]);
    let created = fx.converge(&Value::Null, &Value::Null, &cfg).await;
    let recs = resources_of(&created.state);
    for k in [
        "ml_workspace",
        "databricks",
        "data_factory",
        "datalake_directory",
    ] {
        assert!(recs.contains_key(k), "{k}");
    }
    let read = fx
        .project
        .read(created.state.clone(), created.private.clone())
        .await;
    let again = fx.plan(&read.state, &read.private, &cfg).await;
    assert_no_changes(&read.state, &again);
    // Turning Data Factory off removes exactly its objects.
    let mut off = cfg.clone();
    off.services = services(&[("databricks", true)]);
    let plan = fx.plan(&read.state, &read.private, &off).await;
    let removed = model::changed_keys(&resources_of(&read.state), &resources_of(&plan.planned));
    assert!(
        !removed.is_empty() && removed.iter().all(|k| k.contains("data_factory")),
        "{removed:?}"
    );
    let applied = fx.apply(&read.state, &plan, &off).await;
    assert!(!applied.diags.has_errors(), "{:?}", applied.diags);
    let df = recs["data_factory"].id.clone().unwrap_or_default();
    assert!(fx.emulator.resource(&df).is_none());
    let gone = fx.destroy(&applied.state, &applied.private).await;
    assert!(!gone.diags.has_errors(), "{:?}", gone.diags);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_inputs_plan_unknown_objects_and_known_names() {
    let ctx = ProviderContext::with_settings(Settings {
        subscription_id: Some(SUB.into()),
        tenant_id: Some(TENANT.into()),
        ..Settings::default()
    });
    let project = Project::new(ctx);
    let mut cfg = config(&[M1], true);
    if let Tf::Known(common) = &mut cfg.common {
        common.insert("log_analytics_workspace_id".into(), Tf::Unknown);
    }
    let plan = project
        .plan(PlanRequest {
            prior: Value::Null,
            proposed: cfg.to_value(),
            config: cfg.to_value(),
            prior_private: Value::Null,
        })
        .await;
    assert!(!plan.diags.has_errors(), "{:?}", plan.diags);
    let planned = state_of(&plan.planned);
    assert!(planned.resources.is_unknown());
    assert!(planned
        .id
        .as_deref()
        .is_some_and(|id| id.ends_with("acme-esml-project001-weu-dev-001-rg")));
}

/// Cancelling (StopProvider, a deadline) ends the apply promptly, and what exists is
/// recorded, including a resource whose long-running create was interrupted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_apply_records_what_exists() {
    let fx = fixture(|c| c).await;
    fx.emulator.add_fault(FaultRule::new(
        "PUT",
        "*/Microsoft.KeyVault/vaults/*",
        FaultAction::SlowLro { delay_ms: 30_000 },
    ));
    let mut d = Diagnostics::new();
    let (_, dp) = desired_of(&config(&[M1], false), &facts(), None, &mut d).expect("valid");
    let client = fx.project.ctx.azure().expect("client");
    let token = aifactory_azure::CancellationToken::new();
    let engine = Engine::new(client, aifactory_azure::Ctx::new(token.clone()));
    let mut run = Run::new(dp, Records::new(), BTreeMap::new());
    let cancel = {
        let token = token.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(1500)).await;
            token.cancel();
        })
    };
    let started = std::time::Instant::now();
    engine
        .apply(&mut run, &Default::default(), &Default::default(), None)
        .await;
    let _ = cancel.await;
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "cancellation took {:?}",
        started.elapsed()
    );
    assert!(
        run.errors.iter().any(|e| e.error.is_cancelled()),
        "{:?}",
        run.errors
    );
    assert!(
        run.records.contains_key("key_vault"),
        "the interrupted key vault is recorded: {:?}",
        run.records.keys()
    );
    for (k, r) in run.records.iter().filter(|(_, r)| r.is_arm_resource()) {
        assert!(
            fx.emulator
                .resource(r.id.as_deref().unwrap_or_default())
                .is_some(),
            "{k} recorded but missing"
        );
    }
    // Nothing that exists is missing from the records.
    for r in model::desired_records(&run.desired)
        .values()
        .filter(|r| r.is_arm_resource())
    {
        let id = r.id.clone().unwrap_or_default();
        if fx.emulator.resource(&id).is_some() {
            assert!(
                run.records
                    .values()
                    .any(|x| x.id.as_deref() == Some(id.as_str())),
                "{id} exists but is not recorded"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// naming.salt = "esml"
// ---------------------------------------------------------------------------------------

fn config_esml() -> ProjectModel {
    let mut c = config_lake();
    c.naming = smap(&[
        ("prefix", "acme-"),
        ("location_short", "weu"),
        ("suffix", "-001"),
        ("salt", "esml"),
    ]);
    c
}

#[test]
fn foundry_options_are_validated_on_their_key_and_read() {
    let mut d = Diagnostics::new();
    let mut c = config(&[M1], false);
    c.foundry_options = smap(&[("account", "shared")]);
    assert!(spec::inputs(&c, &facts(), &mut d).is_none());
    let bad: Vec<_> = d
        .iter()
        .filter(|x| x.path.to_string() == r#"foundry_options["account"]"#)
        .collect();
    assert_eq!(bad.len(), 1, "{d:?}");
    assert!(
        bad[0].detail.contains(r#""ai_services" or "dedicated""#),
        "{:?}",
        bad[0]
    );
    let mut d = Diagnostics::new();
    c.foundry_options = smap(&[("acount", "dedicated")]);
    assert!(spec::inputs(&c, &facts(), &mut d).is_none());
    assert!(
        d.iter()
            .any(|x| x.path.to_string() == r#"foundry_options["acount"]"#
                && x.detail.contains("`account`")),
        "{d:?}"
    );
    let mut d = Diagnostics::new();
    c.foundry_options = smap(&[("account", "dedicated")]);
    let i = spec::inputs(&c, &facts(), &mut d).expect("valid");
    assert_eq!(
        i.spec.foundry_account,
        aifactory_template::project::FoundryAccount::Dedicated
    );
    // The data source takes the same option: the dedicated account's names appear with
    // AI Foundry.
    c.services = services(&[("ai_foundry", true)]);
    let (names, _, _) = names_of(&c, Some(SUB.into()), &mut d).expect("names");
    assert!(
        names["foundry_account"].starts_with("aif-prj001-weu-dev-"),
        "{names:?}"
    );
    assert_eq!(names["foundry_project"], "project001");
}

#[test]
fn naming_salt_is_validated_and_read() {
    let mut c = config(&[M1], false);
    c.naming = smap(&[("prefix", "acme-"), ("salt", "bicep")]);
    let d = spec::check_shapes(&c.to_value());
    let bad: Vec<_> = d
        .iter()
        .filter(|x| x.path.to_string() == r#"naming["salt"]"#)
        .collect();
    assert_eq!(bad.len(), 1, "{d:?}");
    assert!(bad[0].detail.contains("aifactory, esml"), "{:?}", bad[0]);
    let mut d = Diagnostics::new();
    let esml = spec::inputs(&config_esml(), &facts(), &mut d).expect("valid");
    assert_eq!(
        esml.spec.naming.salt,
        aifactory_template::naming::SaltMode::Esml
    );
    let default = spec::inputs(&config(&[M1], false), &facts(), &mut d).expect("valid");
    assert_eq!(
        default.spec.naming.salt,
        aifactory_template::naming::SaltMode::AiFactory
    );
    assert!(!d.has_errors(), "{d:?}");
    // The data source shares the map: the same check, and the ESML salt.
    let mut ds = config(&[M1], false);
    ds.naming = smap(&[("salt", "ESML")]);
    let mut d = Diagnostics::new();
    assert!(names_of(&ds, Some(SUB.into()), &mut d).is_none());
    assert!(
        d.iter().any(|x| x.path.to_string() == r#"naming["salt"]"#),
        "{d:?}"
    );
    let mut d = Diagnostics::new();
    let (names, _, salt) = names_of(&config_esml(), Some(SUB.into()), &mut d).expect("names");
    assert_eq!(salt, aifactory_template::naming::esml_salt(SUB, COMMON_RG));
    assert_eq!(names["key_vault"], format!("kv-p001-weu-dev-{salt}01"));
}

#[test]
fn esml_mode_plans_esml_names() {
    let mut d = Diagnostics::new();
    let (_, dp) = desired_of(&config_esml(), &facts(), None, &mut d).expect("valid");
    let records = model::desired_records(&dp);
    let s5 = aifactory_template::naming::esml_salt(SUB, COMMON_RG);
    let names: Vec<String> = records.values().filter_map(|r| r.name.clone()).collect();
    for want in [
        format!("kv-p001-weu-dev-{s5}01"),
        format!("saprj001weu{s5}1001dev"),
    ] {
        assert!(names.contains(&want), "{want} not in {names:?}");
    }
}

#[test]
fn salts_are_matched_to_the_common_group_and_mode() {
    let cands = vec![
        "other-rg".to_string(),
        "Acme-ESML-Common-weu-dev-001".to_string(),
    ];
    let ours = aifactory_template::naming::salt(SUB, "acme-esml-common-weu-dev-001");
    assert_eq!(
        discover::match_salt(SUB, &cands, &ours),
        Some((
            "Acme-ESML-Common-weu-dev-001".to_string(),
            aifactory_template::naming::SaltMode::AiFactory
        ))
    );
    // ESML's is case-sensitive: the group as found, else lowercased.
    for spelled in [
        "Acme-ESML-Common-weu-dev-001",
        "acme-esml-common-weu-dev-001",
    ] {
        let esml = aifactory_template::naming::esml_salt(SUB, spelled);
        assert_eq!(
            discover::match_salt(SUB, &cands, &esml),
            Some((
                spelled.to_string(),
                aifactory_template::naming::SaltMode::Esml
            ))
        );
    }
    assert_eq!(discover::match_salt(SUB, &cands, "zzzzz"), None);
}

/// A project made with ESML's names and no ownership tags (as ESML's pipelines leave it)
/// imports with `naming.salt = "esml"`; a resource ESML named with its random salt is
/// reported as not adopted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_esml_named_project_imports_with_the_esml_salt() {
    let fx = fixture(|c| c).await;
    let cfg = config_esml();
    let created = fx.converge(&Value::Null, &Value::Null, &cfg).await;
    let rg_id = state_of(&created.state).id.into_known().unwrap_or_default();
    // Drop the ownership tags, and add an AI Search service with ESML's random salt.
    let mut body = fx.emulator.resource(&rg_id).expect("group");
    body["tags"] = json!({"cost_center": "1234"});
    fx.emulator.put_resource(&rg_id, body).expect("untag");
    let s5 = aifactory_template::naming::esml_salt(SUB, COMMON_RG);
    let esml_search = format!("aisearchprj001weudev{s5}0dbf2948001");
    fx.emulator
        .put_resource(
            &format!("{rg_id}/providers/Microsoft.Search/searchServices/{esml_search}"),
            json!({"location": "westeurope"}),
        )
        .expect("search");
    let imported = fx.project.import(&rg_id).await;
    assert!(!imported.diags.has_errors(), "{:?}", imported.diags);
    let a = created.state.to_json();
    let b = imported.state.to_json();
    for attr in [
        "number",
        "environment",
        "project_type",
        "naming",
        "common",
        "id",
        "resources",
    ] {
        assert_eq!(a[attr], b[attr], "{attr}");
    }
    assert_eq!(b["naming"]["salt"], "esml");
    let details: Vec<String> = imported.diags.iter().map(|d| d.detail.clone()).collect();
    assert!(
        details
            .iter()
            .any(|d| d.contains("naming.salt = \"esml\"") && d.contains("random")),
        "{details:?}"
    );
    assert!(
        details
            .iter()
            .any(|d| d.contains(&esml_search) && d.contains("does not manage it")),
        "{details:?}"
    );
    assert!(
        !details.iter().any(|d| d.contains("carry neither")),
        "{details:?}"
    );
}

// ---------------------------------------------------------------------------------------
// naming.random_salt (ESML's random salt)
// ---------------------------------------------------------------------------------------

/// ESML's random salt as its pipelines make it (a GUID's first ten characters).
const R10: &str = "0dbf2948-a";

fn config_esml_random() -> ProjectModel {
    let mut c = config_lake();
    c.naming = smap(&[
        ("prefix", "acme-"),
        ("location_short", "weu"),
        ("suffix", "-001"),
        ("salt", "esml"),
        ("random_salt", R10),
    ]);
    c
}

#[test]
fn naming_random_salt_is_validated_and_read() {
    let with = |pairs: &[(&str, &str)]| {
        let mut c = config(&[M1], false);
        c.naming = smap(pairs);
        c
    };
    let on_random = |c: &ProjectModel| -> Vec<crate::framework::Diagnostic> {
        spec::check_shapes(&c.to_value())
            .iter()
            .filter(|x| x.path.to_string() == r#"naming["random_salt"]"#)
            .cloned()
            .collect()
    };
    // Not a value ESML makes.
    for bad in ["0dbf2948", "0DBF2948-A", "0dbf2948_a", "0dbf2948-ab"] {
        let d = on_random(&with(&[("salt", "esml"), ("random_salt", bad)]));
        assert_eq!(d.len(), 1, "{bad}: {d:?}");
        assert!(
            d[0].detail.contains("exactly 10") && d[0].detail.contains("remove naming.random_salt"),
            "{:?}",
            d[0]
        );
    }
    // Without naming.salt = "esml": the fix is named.
    for pairs in [
        &[("random_salt", R10)][..],
        &[("salt", "aifactory"), ("random_salt", R10)][..],
    ] {
        let d = on_random(&with(pairs));
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(
            d[0].detail.contains("Set naming.salt = \"esml\""),
            "{:?}",
            d[0]
        );
    }
    // An invalid naming.salt is reported once, on naming["salt"] only.
    assert!(on_random(&with(&[("salt", "bicep"), ("random_salt", R10)])).is_empty());
    let mut d = Diagnostics::new();
    let i = spec::inputs(&config_esml_random(), &facts(), &mut d).expect("valid");
    assert!(!d.has_errors(), "{d:?}");
    assert_eq!(i.spec.naming.random_salt.as_deref(), Some(R10));
    let s5 = aifactory_template::naming::esml_salt(SUB, COMMON_RG);
    let (_, dp) = desired_of(&config_esml_random(), &facts(), None, &mut d).expect("valid");
    let names: Vec<String> = model::desired_records(&dp)
        .values()
        .filter_map(|r| r.name.clone())
        .collect();
    for want in [
        format!("mi-prj001-weu-dev-{s5}{R10}-001"),
        format!("aisearchprj001weudev{s5}0dbf2948a001"),
        format!("aiservicesprj001weudev{s5}0dbf2948a001"),
    ] {
        assert!(names.contains(&want), "{want} not in {names:?}");
    }
    // The data source: the same names, the same checks.
    let mut d = Diagnostics::new();
    let (ds, _, _) = names_of(&config_esml_random(), Some(SUB.into()), &mut d).expect("names");
    assert_eq!(ds["identity"], format!("mi-prj001-weu-dev-{s5}{R10}-001"));
    assert_eq!(
        ds["search"],
        format!("aisearchprj001weudev{s5}0dbf2948a001")
    );
    assert_eq!(
        ds["ai_services"],
        format!("aiservicesprj001weudev{s5}0dbf2948a001")
    );
    let mut d = Diagnostics::new();
    assert!(names_of(&with(&[("random_salt", R10)]), Some(SUB.into()), &mut d).is_none());
    let paths: Vec<String> = d.iter().map(|x| x.path.to_string()).collect();
    assert_eq!(paths, vec![r#"naming["random_salt"]"#.to_string()], "{d:?}");
}

/// Create with ESML's names (`naming.salt = "esml"` and its random salt), drop the
/// ownership tags (ESML's pipelines set none) and import: the import finds the random salt
/// in the identity's name, adopts every object by its ESML name, and the next plan is empty.
async fn esml_made_project_imports_cleanly(cfg: ProjectModel) {
    let fx = fixture(|c| c).await;
    // Databricks (esml projects with services.databricks) needs its two subnets, the
    // Agent service (genai projects with services.agent_service) ESML's aca-002 subnet.
    for (s, cidr, delegation) in [
        (
            "snt-prj001-dbxpub",
            "10.20.2.0/26",
            "Microsoft.Databricks/workspaces",
        ),
        (
            "snt-prj001-dbxpriv",
            "10.20.2.64/26",
            "Microsoft.Databricks/workspaces",
        ),
        (
            "snt-prj001-aca-002",
            "172.16.4.0/23",
            "Microsoft.App/environments",
        ),
    ] {
        fx.emulator
            .put_resource(
                &subnet_id(s),
                json!({"properties": {"addressPrefix": cidr, "delegations": [{"name": "d", "properties": {"serviceName": delegation}}]}}),
            )
            .expect("subnet");
    }
    let created = fx.converge(&Value::Null, &Value::Null, &cfg).await;
    // An esml project follows ESML's esml-project template (22-main.bicep), a genai one esml-genai-1.
    let legacy = cfg.project_type.as_deref() == Some("esml");
    let endpoints = assert_esml_endpoints(&fx, &resources_of(&created.state), legacy);
    let rg_id = state_of(&created.state).id.into_known().unwrap_or_default();
    let mut body = fx.emulator.resource(&rg_id).expect("group");
    body["tags"] = json!({"cost_center": "1234"});
    fx.emulator.put_resource(&rg_id, body).expect("untag");
    // ESML's second identity (for Container Apps): not part of a project here.
    let s5 = aifactory_template::naming::esml_salt(SUB, COMMON_RG);
    let aca = format!("mi-aca-prj001-weu-dev-{s5}{R10}-001");
    fx.emulator
        .put_resource(
            &format!("{rg_id}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{aca}"),
            json!({"location": "westeurope"}),
        )
        .expect("aca identity");
    // ESML's Data Factory also has a `portal` endpoint, which the provider does not make.
    let portal = resources_of(&created.state)
        .get("data_factory")
        .and_then(|r| r.name.clone())
        .map(|adf| format!("{adf}-portal-pend"));
    if let Some(p) = &portal {
        fx.emulator
            .put_resource(
                &format!("{rg_id}/providers/Microsoft.Network/privateEndpoints/{p}"),
                json!({"location": "westeurope", "properties": {}}),
            )
            .expect("portal endpoint");
    }

    // esml-project also makes a second key vault and storage account for its second,
    // managed ML workspace (aml2-…); the project's workspace uses the first ones.
    let second: Vec<String> = if legacy {
        vec![
            format!("{rg_id}/providers/Microsoft.KeyVault/vaults/kv-2001-weu-dev-{s5}01"),
            format!("{rg_id}/providers/Microsoft.Storage/storageAccounts/sa2prj001weu{s5}001dev"),
            format!("{rg_id}/providers/Microsoft.MachineLearningServices/workspaces/aml2-prj001-weu-dev-001"),
        ]
    } else {
        Vec::new()
    };
    for id in &second {
        fx.emulator
            .put_resource(id, json!({"location": "westeurope", "properties": {}}))
            .expect("second");
    }

    let imported = fx.project.import(&rg_id).await;
    assert!(!imported.diags.has_errors(), "{:?}", imported.diags);
    let a = created.state.to_json();
    let b = imported.state.to_json();
    for attr in [
        "number",
        "environment",
        "location",
        "project_type",
        "naming",
        "common",
        "subnet_ids",
        "team",
        "tags",
        "network_access",
        "services",
        "foundry_options",
        "deployments",
        "id",
        "identity_principal_id",
        "resources",
        "datalake_path",
    ] {
        assert_eq!(a[attr], b[attr], "{attr}");
    }
    assert_eq!(b["naming"]["salt"], "esml");
    assert_eq!(b["naming"]["random_salt"], R10);
    let resources = resources_of(&imported.state);
    for key in ["identity", "key_vault", "storage"] {
        assert!(
            resources.contains_key(key),
            "{key} not adopted: {:?}",
            resources.keys()
        );
    }
    // Every private endpoint and its DNS zone group, by ESML's names.
    for (key, pe) in &endpoints {
        assert_eq!(
            resources
                .get(&format!("private_endpoint.{key}"))
                .and_then(|r| r.name.clone())
                .as_deref(),
            Some(pe.as_str()),
            "{key}"
        );
        assert_eq!(
            resources
                .get(&format!("private_dns_zone_group.{key}"))
                .and_then(|r| r.name.clone()),
            Some(format!("{pe}DnsZone")),
            "{key}"
        );
    }
    // The only warning about names is the foreign identity's.
    let details: Vec<String> = imported.diags.iter().map(|d| d.detail.clone()).collect();
    let unadopted: Vec<&String> = details
        .iter()
        .filter(|d| d.contains("does not manage it"))
        .collect();
    assert_eq!(
        unadopted.len(),
        1 + usize::from(portal.is_some()) + second.len(),
        "{details:?}"
    );
    for id in &second {
        let name = id.rsplit('/').next().unwrap_or_default();
        assert!(
            unadopted.iter().any(|d| d.contains(&format!(" {name} "))
                && d.contains("second, managed Machine Learning workspace")),
            "{name}: {details:?}"
        );
    }
    assert!(
        unadopted[0].contains(&aca)
            && unadopted[0].contains(&format!("naming.random_salt = \"{R10}\"")),
        "{details:?}"
    );
    if let Some(p) = &portal {
        assert!(
            unadopted
                .iter()
                .any(|d| d.contains(&format!("private endpoint {p} "))
                    && d.contains("leaves it in place")),
            "{details:?}"
        );
    }
    assert!(
        !details
            .iter()
            .any(|d| d.contains("carry neither") || d.contains("could not read")),
        "{details:?}"
    );

    // The next plan renames and replaces nothing: it only adds the ownership tags ESML's
    // group lacks (an in-place update of the group); after that the plan is empty.
    let read = fx
        .project
        .read(imported.state.clone(), imported.private.clone())
        .await;
    assert!(!read.diags.has_errors(), "{:?}", read.diags);
    let drift = state_of(&read.state).drift;
    assert_eq!(
        drift.known().map(|m| m.keys().cloned().collect::<Vec<_>>()),
        Some(vec!["resource_group".to_string()]),
        "{drift:?}"
    );
    assert!(
        drift
            .known()
            .and_then(|m| m.get("resource_group"))
            .map(String::as_str)
            .unwrap_or_default()
            .split("; ")
            .all(|d| d.starts_with("tags.aifactory-")),
        "{drift:?}"
    );
    let plan = fx.plan(&read.state, &read.private, &cfg).await;
    assert!(!plan.diags.has_errors(), "{:?}", plan.diags);
    assert!(
        plan.requires_replace.is_empty(),
        "{:?}",
        plan.requires_replace
    );
    assert!(
        model::changed_keys(&resources_of(&read.state), &resources_of(&plan.planned)).is_empty()
    );
    let from = fx.last_seq();
    let applied = fx.apply(&read.state, &plan, &cfg).await;
    assert!(!applied.diags.has_errors(), "{:?}", applied.diags);
    let writes = fx.writes(from);
    assert!(
        !writes.is_empty()
            && writes
                .iter()
                .all(|(m, p, _)| m != "DELETE"
                    && p.trim_end_matches('/').eq_ignore_ascii_case(&rg_id)),
        "{writes:?}"
    );
    let read = fx
        .project
        .read(applied.state.clone(), applied.private.clone())
        .await;
    let again = fx.plan(&read.state, &read.private, &cfg).await;
    assert_no_changes(&read.state, &again);
}

/// ESML's private endpoint name for an endpoint key and its target's name, written out
/// from ESML's Bicep (esml-genai-1 and its modules; with `legacy` esml-project/22-main.bicep,
/// which passes its own names for the key vault's and storage's), independently of `naming`.
fn esml_endpoint_name(key: &str, target: &str, legacy: bool) -> String {
    match key {
        "key_vault_vault" if legacy => "pend-prj001-kv1-to-vnt-mlcmn".to_string(),
        k if legacy && k.starts_with("storage_") => {
            format!(
                "pend-sa-prj001weudev-{}-to-vnt-mlcmn",
                k.trim_start_matches("storage_")
            )
        }
        "key_vault_vault"
        | "ml_workspace_amlworkspace"
        | "search_search_service"
        | "ai_services_account"
        | "foundry_account_account"
        | "cosmos_db_sql"
        | "databricks_databricks_ui_api" => {
            format!("{target}-pend")
        }
        "data_factory_data_factory" => format!("{target}-dataFactory-pend"),
        k => {
            let group = k.rsplit('_').next().unwrap_or_default();
            assert!(
                ["blob", "dfs", "file", "queue", "table"].contains(&group),
                "unexpected endpoint {k}"
            );
            format!("{target}-{group}-pend")
        }
    }
}

/// The created project's private endpoints, NICs, connections and DNS zone groups carry
/// ESML's names (as its Bicep makes them); returns endpoint key -> endpoint name.
fn assert_esml_endpoints(fx: &Fixture, recs: &Records, legacy: bool) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (k, r) in recs
        .iter()
        .filter(|(k, _)| k.starts_with("private_endpoint."))
    {
        let key = k.trim_start_matches("private_endpoint.");
        let target = [
            "ml_storage",
            "storage",
            "key_vault",
            "ml_workspace",
            "search",
            "ai_services",
            "foundry_account",
            "cosmos_db",
            "data_factory",
            "databricks",
        ]
        .into_iter()
        .find(|t| key.starts_with(&format!("{t}_")))
        .unwrap_or_else(|| panic!("no target for {key}"));
        let target_name = recs[target].name.clone().unwrap_or_default();
        let want = esml_endpoint_name(key, &target_name, legacy);
        assert_eq!(r.name.as_deref(), Some(want.as_str()), "{key}");
        let id = r.id.clone().unwrap_or_default();
        let body = fx
            .emulator
            .resource(&id)
            .unwrap_or_else(|| panic!("{id} missing"));
        assert_eq!(
            body["properties"]["customNetworkInterfaceName"],
            format!("{want}-nic"),
            "{key}"
        );
        let connection = if target == "search" {
            target_name.clone()
        } else {
            want.clone()
        };
        assert_eq!(
            body["properties"]["privateLinkServiceConnections"][0]["name"], connection,
            "{key}"
        );
        let zg = fx
            .emulator
            .resource(&format!("{id}/privateDnsZoneGroups/{want}DnsZone"))
            .unwrap_or_else(|| panic!("{key}: no {want}DnsZone"));
        let configs = zg["properties"]["privateDnsZoneConfigs"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let config_names: Vec<&str> = configs.iter().filter_map(|c| c["name"].as_str()).collect();
        match target {
            // machinelearningNetwork.bicep and csAIServices.bicep: one config per zone, named like it.
            "ml_workspace" => assert_eq!(
                config_names,
                [
                    "privatelink.api.azureml.ms",
                    "privatelink.notebooks.azure.net"
                ],
                "{key}"
            ),
            // aiFoundry2025pend.bicep: the same three zones, configs named like them.
            "ai_services" | "foundry_account" => assert_eq!(
                config_names,
                [
                    "privatelink.openai.azure.com",
                    "privatelink.cognitiveservices.azure.com",
                    "privatelink.services.ai.azure.com"
                ],
                "{key}"
            ),
            // privateDns.bicep: one config named like the endpoint.
            _ => assert_eq!(config_names, [want.as_str()], "{key}"),
        }
        out.insert(key.to_string(), want);
    }
    assert!(
        recs.contains_key("private_endpoint.key_vault_vault"),
        "{:?}",
        recs.keys()
    );
    out
}

#[test]
fn esml_mode_names_private_endpoints_as_esml_and_ours_are_unchanged() {
    let mut d = Diagnostics::new();
    let (_, ours) = desired_of(&config_lake(), &facts(), None, &mut d).expect("valid");
    let recs = model::desired_records(&ours);
    let kv = recs["key_vault"].name.clone().unwrap_or_default();
    assert_eq!(
        recs["private_endpoint.key_vault_vault"].name,
        Some(format!("{kv}-vault-pend"))
    );
    assert_eq!(
        recs["private_dns_zone_group.key_vault_vault"]
            .name
            .as_deref(),
        Some("default")
    );
    let (_, esml) = desired_of(&config_esml_random(), &facts(), None, &mut d).expect("valid");
    let recs = model::desired_records(&esml);
    let kv = recs["key_vault"].name.clone().unwrap_or_default();
    let search = recs["search"].name.clone().unwrap_or_default();
    assert_eq!(
        recs["private_endpoint.key_vault_vault"].name,
        Some(format!("{kv}-pend"))
    );
    assert_eq!(
        recs["private_dns_zone_group.key_vault_vault"].name,
        Some(format!("{kv}-pendDnsZone"))
    );
    assert_eq!(
        recs["private_endpoint.search_search_service"].name,
        Some(format!("{search}-pend"))
    );
    assert!(recs["private_dns_zone_group.search_search_service"]
        .id
        .as_deref()
        .is_some_and(|id| id.ends_with(&format!(
            "/privateEndpoints/{search}-pend/privateDnsZoneGroups/{search}-pendDnsZone"
        ))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_esml_made_genai_project_imports_with_its_random_salt() {
    let mut cfg = config_esml_random();
    // With Azure ML: the ML storage's endpoints and the workspace's too.
    cfg.services = services(&[("azure_ml", true)]);
    esml_made_project_imports_cleanly(cfg.clone()).await;
    let mut d = Diagnostics::new();
    let (_, dp) = desired_of(&cfg, &facts(), None, &mut d).expect("valid");
    let records = model::desired_records(&dp);
    for key in ["search", "ai_services"] {
        assert!(
            records.contains_key(key),
            "{key} not in {:?}",
            records.keys()
        );
    }
}

/// ESML's GenAI project on AI Foundry 2025 (`09-ai-foundry-2025-v4.bicep`): a Foundry
/// account of its own (`aif2…`) beside AI Services, its project `aif2-p…`, the Agent
/// service in ESML's aca-002 subnet on Cosmos DB, Storage and AI Search, model deployments
/// on the Foundry account. Import adopts all of it under ESML's names and reads
/// `foundry_options.account = "dedicated"`, the deployments and the agent subnet back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_esml_made_genai_project_on_its_own_foundry_account_imports() {
    let mut cfg = config_esml_random();
    cfg.services = services(&[
        ("ai_foundry", true),
        ("agent_service", true),
        ("cosmos_db", true),
    ]);
    cfg.foundry_options = smap(&[("account", "dedicated")]);
    let mut subnets = cfg.subnet_ids.known().cloned().unwrap_or_default();
    subnets.insert("agent".into(), Tf::Known(subnet_id("snt-prj001-aca-002")));
    cfg.subnet_ids = Tf::Known(subnets);
    cfg.deployments = crate::resources::project::schema::deployments_literal(&BTreeMap::from([(
        "gpt-4o-mini".to_string(),
        discover::DiscoveredDeployment {
            model: "gpt-4o-mini".into(),
            version: Some("2024-07-18".into()),
            format: None,
            sku: "Standard".into(),
            capacity: 40,
        },
    )]));
    // ESML's names, written out from CmnAIfactoryNaming.bicep (aifV2Name, aifV2PrjName)
    // and 09-ai-foundry-2025-v4.bicep (the capability host `{account}caphost`).
    let s5 = aifactory_template::naming::esml_salt(SUB, COMMON_RG);
    let account = format!("aif2{s5}0db001dev");
    let project = format!("aif2-p001{}dev", &s5[..3]);
    let mut d = Diagnostics::new();
    let (_, dp) = desired_of(&cfg, &facts(), None, &mut d).expect("valid");
    let recs = model::desired_records(&dp);
    assert_eq!(
        recs["foundry_account"].name.as_deref(),
        Some(account.as_str())
    );
    assert_eq!(
        recs["foundry_project"].name.as_deref(),
        Some(project.as_str())
    );
    assert!(recs["foundry_project"]
        .id
        .as_deref()
        .is_some_and(|id| id.ends_with(&format!("/accounts/{account}/projects/{project}"))));
    assert_eq!(
        recs["capability_host.project"].name.as_deref(),
        Some(format!("{account}caphost").as_str())
    );
    assert!(recs["deployment.gpt-4o-mini"]
        .id
        .as_deref()
        .is_some_and(|id| id.contains(&format!("/accounts/{account}/deployments/"))));
    assert!(recs.contains_key("ai_services"), "{:?}", recs.keys());
    esml_made_project_imports_cleanly(cfg).await;
}

/// An esml project made by ESML's esml-project template (22-main.bicep): its names, and the
/// import adopts every object (not ESML's second key vault, storage account and ML workspace).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_esml_made_esml_project_imports_with_its_random_salt() {
    let mut cfg = config_esml_random();
    cfg.project_type = Tf::Known("esml".into());
    // Databricks and Data Factory with their private endpoints.
    cfg.services = services(&[("databricks", true), ("data_factory", true)]);
    cfg.subnet_ids = smap(&[
        ("private_endpoints", subnet_id("snt-prj001-genai").as_str()),
        ("dbx_public", subnet_id("snt-prj001-dbxpub").as_str()),
        ("dbx_private", subnet_id("snt-prj001-dbxpriv").as_str()),
    ]);
    // 22-main.bicep's names, written out.
    let mut d = Diagnostics::new();
    let (_, dp) = desired_of(&cfg, &facts(), None, &mut d).expect("valid");
    let recs = model::desired_records(&dp);
    let s5 = aifactory_template::naming::esml_salt(SUB, COMMON_RG);
    for (key, want) in [
        (
            "resource_group",
            "acme-esml-project001-weu-dev-001-rg".to_string(),
        ),
        ("identity", format!("mi-prj001-weu-dev-{s5}{R10}-001")),
        ("key_vault", format!("kv-p001-weu-dev-{s5}01")),
        ("storage", format!("saprj001weu{s5}001dev")),
        ("app_insights", format!("ain-prj001-weu-dev-{s5}-001")),
        ("ml_workspace", "aml-prj001-weu-dev-001".to_string()),
        ("databricks", "dbxp-prj001-weu-dev-001".to_string()),
        ("data_factory", format!("adf-prj001-weu-dev-{s5}-001")),
    ] {
        assert_eq!(recs[key].name.as_deref(), Some(want.as_str()), "{key}");
    }
    let dbx = dp
        .resources
        .iter()
        .find(|r| r.key == "databricks")
        .map(|r| r.body["properties"]["managedResourceGroupId"].clone());
    assert!(
        dbx.as_ref()
            .and_then(|v| v.as_str())
            .is_some_and(|id| id
                .ends_with("/resourceGroups/acme-esml-project001-weu-dev-001-rg-001-dbxmgmt")),
        "{dbx:?}"
    );
    esml_made_project_imports_cleanly(cfg).await;
}

/// The `team` literal carries the cty type Terraform gives it (as the hand-written JSON
/// before the schema types did), and leaves out an absent service principal.
#[test]
fn team_literal_is_typed_as_terraform_types_it() {
    let Value::Dynamic { type_json, .. } = team_value(&[M1, M2], Some(SP)) else {
        panic!("dynamic")
    };
    assert_eq!(
        type_json,
        r#"["object",{"object_ids":["tuple",["string","string"]],"principal_type":"string","service_principal_object_id":"string"}]"#
    );
    let Value::Dynamic { type_json, value } = team_value(&[], None) else {
        panic!("dynamic")
    };
    assert_eq!(
        type_json,
        r#"["object",{"object_ids":["tuple",[]],"principal_type":"string"}]"#
    );
    assert_eq!(value.as_map().map(BTreeMap::len), Some(2), "{value:?}");
}

/// A number that is not a project number is one error on `number` that quotes the value
/// as written, whether Terraform sends it as a number or (too large for a float64) as
/// text; the data source `aifactory_project_names` says the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_project_numbers_are_quoted_as_written() {
    let fx = fixture(|c| c).await;
    let cases = [
        (Value::Number(1e300), "number 1e300 is out of range"),
        (Value::Number(999.9), "number 999.9 is not a whole number"),
        (
            Value::string("18446744073709551617"),
            "number 18446744073709551617 is out of range",
        ),
        (
            Value::Number(1000.0),
            "Project number 1000 is out of range (1-999)",
        ),
        (
            Value::Number(0.0),
            "Project number 0 is out of range (1-999)",
        ),
    ];
    for (given, summary) in cases {
        let mut c = config_lake().to_value();
        if let Value::Map(m) = &mut c {
            m.insert("number".into(), given.clone());
        }
        let c = ProjectModel::decode(&c).expect("decodes");
        let plan = fx.plan(&Value::Null, &Value::Null, &c).await;
        let errors: Vec<_> = plan
            .diags
            .iter()
            .filter(|d| d.severity == crate::framework::Severity::Error)
            .collect();
        assert_eq!(errors.len(), 1, "{given:?}: {errors:?}");
        assert_eq!(errors[0].summary, summary, "{given:?}");
        assert_eq!(errors[0].path, AttrPath::attr("number"), "{given:?}");

        let mut d = Diagnostics::new();
        assert!(
            names_of(&c, Some(SUB.into()), &mut d).is_none(),
            "{given:?}"
        );
        let errors: Vec<_> = d
            .iter()
            .filter(|d| d.severity == crate::framework::Severity::Error)
            .collect();
        assert_eq!(errors.len(), 1, "data source, {given:?}: {errors:?}");
        assert_eq!(errors[0].summary, summary, "data source, {given:?}");
        assert_eq!(errors[0].path, AttrPath::attr("number"));
    }
}

/// The data source's own `subscription_id`, when it is not a GUID, is an error on that
/// attribute (not on the provider's setting), at validate time and when read.
#[tokio::test]
async fn a_bad_data_source_subscription_id_names_the_attribute() {
    let mut v = config_lake().to_value();
    if let Value::Map(m) = &mut v {
        m.insert("subscription_id".into(), Value::string("not-a-guid"));
    }
    let names = crate::resources::project_names::ProjectNamesModel::decode(&v).expect("decodes");
    let mut d = Diagnostics::new();
    assert!(crate::resources::project_names::names_of(&names, Some(SUB.into()), &mut d).is_none());
    let ds = crate::resources::project_names::ProjectNames::new(ProviderContext::with_settings(
        Settings::default(),
    ));
    let at_validate = crate::framework::DataSource::validate(&ds, &names.to_value()).await;
    for d in [d, at_validate] {
        assert_eq!(d.0.len(), 1, "{d:?}");
        assert_eq!(d.0[0].path, AttrPath::attr("subscription_id"));
        assert_eq!(
            d.0[0].summary,
            "subscription_id \"not-a-guid\" is not a GUID"
        );
        assert!(d.0[0].detail.contains("remove it to use the provider's"));
    }
}

/// A second create of the same project (another workspace, or a state lost to a cut-off
/// apply) refuses before any write, naming the resource group and the import command;
/// `adopt_existing = true` takes it over.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_over_an_existing_project_refuses_and_names_the_import() {
    let fx = fixture(|c| c).await;
    let config = config_lake();
    let first = fx.converge(&Value::Null, &Value::Null, &config).await;
    let rg = state_of(&first.state).id.known().cloned().expect("an id");

    let seq = fx.last_seq();
    let plan = fx.plan(&Value::Null, &Value::Null, &config).await;
    assert!(!plan.diags.has_errors(), "{:?}", plan.diags);
    let second = fx.apply(&Value::Null, &plan, &config).await;
    let errors: Vec<_> = second
        .diags
        .iter()
        .filter(|d| d.severity == crate::framework::Severity::Error)
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].summary, "The project already exists");
    assert!(
        errors[0]
            .detail
            .contains(&format!("terraform import <resource address> '{rg}'")),
        "{}",
        errors[0].detail
    );
    assert!(
        errors[0].detail.contains("It holds "),
        "{}",
        errors[0].detail
    );
    assert!(second.state.is_null(), "nothing taken over");
    assert_eq!(fx.writes(seq), vec![], "no write before the refusal");

    let mut adopting = config.clone();
    adopting.adopt_existing = Tf::Known(true);
    let taken = fx.converge(&Value::Null, &Value::Null, &adopting).await;
    assert_eq!(state_of(&taken.state).id.known(), Some(&rg));
}

/// A team too large for one data-lake ACL is refused at plan time, before anything exists,
/// on `team.object_ids`, naming the limit and the fix (a group); nothing is written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_team_too_large_for_one_acl_is_refused_at_plan() {
    let fx = fixture(|c| c).await;
    let members: Vec<String> = (1..=30)
        .map(|i| format!("0a1b2c3d-0000-4000-8000-{i:012}"))
        .collect();
    let refs: Vec<&str> = members.iter().map(String::as_str).collect();
    let seq = fx.last_seq();
    let plan = fx
        .plan(&Value::Null, &Value::Null, &config(&refs, true))
        .await;
    let errors: Vec<_> = plan
        .diags
        .iter()
        .filter(|d| d.severity == crate::framework::Severity::Error)
        .collect();
    assert!(!errors.is_empty(), "{:?}", plan.diags);
    for e in &errors {
        assert_eq!(
            e.path,
            AttrPath::attr("team").and_attr("object_ids"),
            "{e:?}"
        );
        assert!(e.summary.contains("more than Azure's 32"), "{e:?}");
        assert!(e.detail.contains("one Entra group"), "{e:?}");
    }
    assert!(
        errors
            .iter()
            .any(|e| e.summary.contains("projects/project001")),
        "{errors:?}"
    );
    assert_eq!(fx.writes(seq), vec![]);
    // A team that fits plans cleanly.
    let plan = fx
        .plan(&Value::Null, &Value::Null, &config(&refs[..20], true))
        .await;
    assert!(!plan.diags.has_errors(), "{:?}", plan.diags);
}

// ---------------------------------------------------------------------------------------
// Azure's role assignment limit, at plan time
// ---------------------------------------------------------------------------------------

/// Puts `n` role assignments at subscription scope behind the provider's back.
fn seed_assignments(fx: &Fixture, n: usize) {
    for i in 0..n {
        let id = format!(
            "/subscriptions/{SUB}/providers/Microsoft.Authorization/roleAssignments/0c0c0c0c-0000-4000-8000-{i:012}"
        );
        let body = json!({"properties": {
            "scope": format!("/subscriptions/{SUB}"),
            "principalId": format!("0d0d0d0d-0000-4000-8000-{i:012}"),
            "roleDefinitionId": format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7"),
            "principalType": "User",
        }});
        fx.emulator
            .put_resource(&id, body)
            .expect("seeded assignment");
    }
}

/// How many role assignments a project of `config` adds on create.
fn assignments_of(config: &ProjectModel) -> usize {
    let mut d = Diagnostics::new();
    let (_, desired) = desired_of(config, &facts(), None, &mut d).expect("desired");
    desired.role_assignments.len()
}

#[tokio::test]
async fn the_role_assignment_limit_is_checked_at_plan_across_the_run() {
    let fx = fixture(|c| c).await;
    let first = config(&[M1], true);
    let mut second = config(&[M1, M2], true);
    second.number = Tf::Known(crate::framework::Num::from(2.0));
    let (n1, n2) = (assignments_of(&first), assignments_of(&second));
    assert!(n1 > 5 && n2 > n1, "{n1} {n2}");
    // Room for the first project, not for both.
    let seeded = 4000 - n1 - 1;
    seed_assignments(&fx, seeded);
    let from = fx.last_seq();

    let plan = fx.plan(&Value::Null, &Value::Null, &first).await;
    assert!(!plan.diags.has_errors(), "{:?}", plan.diags);
    // Planned again in the same run (apply re-plans): its reservation is replaced.
    let plan = fx.plan(&Value::Null, &Value::Null, &first).await;
    assert!(!plan.diags.has_errors(), "{:?}", plan.diags);

    let plan = fx.plan(&Value::Null, &Value::Null, &second).await;
    let errors: Vec<_> = plan
        .diags
        .iter()
        .filter(|d| d.severity == crate::framework::diag::Severity::Error)
        .collect();
    assert_eq!(errors.len(), 1, "{:?}", plan.diags);
    let e = errors[0];
    assert_eq!(e.path, AttrPath::attr("team").and_attr("object_ids"));
    let detail = e.detail.clone();
    for want in [
        format!("adds {n2} role assignments"),
        format!("holds {}", 4000 - n1 - 1),
        format!("other projects in this plan add {n1}"),
        "limit of 4000".to_string(),
        "one Entra group".to_string(),
    ] {
        assert!(detail.contains(&want), "{want:?} missing in {detail}");
    }
    // Plan reads only: one list of the subscription's assignments (its pages of 100),
    // counted once for the three plans.
    assert!(fx.writes(from).is_empty(), "{:?}", fx.writes(from));
    let lists = fx
        .emulator
        .journal()
        .into_iter()
        .filter(|j| j.seq > from && j.method == "GET" && j.path.ends_with("/roleAssignments"))
        .count();
    assert_eq!(lists, seeded.div_ceil(100));
}

#[tokio::test]
async fn an_unreadable_role_assignment_count_warns_and_plans() {
    let fx = fixture(|c| {
        c.with_faults(vec![FaultRule::new(
            "GET",
            "*/providers/Microsoft.Authorization/roleAssignments",
            FaultAction::Status {
                status: 403,
                code: Some("AuthorizationFailed".into()),
                message: None,
                retry_after_secs: None,
            },
        )])
    })
    .await;
    let plan = fx
        .plan(&Value::Null, &Value::Null, &config(&[M1], true))
        .await;
    assert!(!plan.diags.has_errors(), "{:?}", plan.diags);
    let w: Vec<_> = plan
        .diags
        .iter()
        .filter(|d| d.severity == crate::framework::diag::Severity::Warning)
        .collect();
    assert!(
        w.iter()
            .any(|d| d.summary == "Role assignment limit not checked"
                && d.detail
                    .contains("Microsoft.Authorization/roleAssignments/read")),
        "{:?}",
        plan.diags
    );
}

/// The shared `projects` folder of the lake already holds 27 named entries (other
/// projects' members): a new project whose members would take its access ACL past 32 is
/// refused at plan, on team.object_ids, with the figures and the fix; nothing is written.
#[tokio::test]
async fn a_full_shared_lake_acl_is_refused_at_plan() {
    let fx = fixture(|c| c).await;
    let client = fx.project.ctx.azure().expect("client");
    let dfs = client.dfs("lakeweudev").expect("dfs");
    let rctx = fx.project.ctx.request_ctx(Duration::from_secs(30));
    let entries: Vec<String> =
        std::iter::once("user::rwx,group::r-x,mask::rwx,other::---".to_string())
            .chain((0..27).map(|i| format!("group:0e0e0e0e-0000-4000-8000-{i:012}:--x")))
            .collect();
    let acl: aifactory_azure::Acl = entries.join(",").parse().expect("acl");
    dfs.set_access_control(
        &rctx,
        "lake3",
        "projects",
        &aifactory_azure::SetAccessControl {
            acl: Some(acl),
            ..Default::default()
        },
    )
    .await
    .expect("seed the shared ACL");
    let from = fx.last_seq();
    // One member, the service principal and the identity: 3 new entries on `projects`.
    let plan = fx
        .plan(&Value::Null, &Value::Null, &config(&[M1], true))
        .await;
    let errors: Vec<_> = plan
        .diags
        .iter()
        .filter(|d| d.severity == crate::framework::diag::Severity::Error)
        .collect();
    assert_eq!(errors.len(), 1, "{:?}", plan.diags);
    assert_eq!(
        errors[0].path,
        AttrPath::attr("team").and_attr("object_ids")
    );
    for want in [
        "access ACL of projects",
        "holds 27 named entries",
        "adds 3",
        "34 with the 4 base entries",
        "limit of 32",
        "one Entra group",
    ] {
        assert!(
            errors[0].detail.contains(want),
            "{want:?} missing in {}",
            errors[0].detail
        );
    }
    assert!(fx.writes(from).is_empty(), "{:?}", fx.writes(from));
    // With room for them, the same plan passes.
    let fx2 = fixture(|c| c).await;
    let plan = fx2
        .plan(&Value::Null, &Value::Null, &config(&[M1], true))
        .await;
    assert!(!plan.diags.has_errors(), "{:?}", plan.diags);
}

/// The agent subnet's service association link: destroy waits for Azure to release it
/// (polling, bounded by the delete timeout) and says what still holds it when it does not.
#[tokio::test]
async fn the_agent_subnet_wait_ends_when_the_link_goes_or_at_the_timeout() {
    let fx = fixture(|c| c).await;
    let id = subnet_id("snt-prj001-agent");
    let linked = json!({"properties": {"addressPrefix": "172.16.4.0/23", "serviceAssociationLinks": [
        {"name": "legionservicelink", "properties": {"linkedResourceType": "Microsoft.App/environments"}}]}});
    fx.emulator
        .put_resource(&id, linked.clone())
        .expect("subnet");
    let client = fx.project.ctx.azure().expect("client");
    // Released after about a second: the wait returns.
    let emu = fx.emulator.clone();
    let id2 = id.clone();
    let release = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(1200)).await;
        emu.put_resource(
            &id2,
            json!({"properties": {"addressPrefix": "172.16.4.0/23"}}),
        )
        .expect("released");
    });
    let ctx = fx.project.ctx.request_ctx(Duration::from_secs(30));
    let started = std::time::Instant::now();
    subnets::wait_for_release(client, &ctx, &id)
        .await
        .expect("released");
    assert!(started.elapsed() >= Duration::from_millis(1000));
    release.await.expect("task");
    // Never released: the wait ends at the timeout and names the link.
    fx.emulator.put_resource(&id, linked).expect("linked again");
    let ctx = fx.project.ctx.request_ctx(Duration::from_secs(3));
    let e = subnets::wait_for_release(client, &ctx, &id)
        .await
        .expect_err("held");
    assert!(
        e.contains("Microsoft.App/environments") && e.contains("delete timeout"),
        "{e}"
    );
}

/// A subnet with rules that does not exist at plan (it may be created in the same apply)
/// is checked at apply, before the first write: missing there, the apply stops with
/// nothing created.
#[tokio::test]
async fn a_subnet_missing_at_plan_is_checked_before_the_first_write() {
    let fx = fixture(|c| c).await;
    let mut cfg = config(&[M1], false);
    cfg.services = services(&[
        ("ai_foundry", true),
        ("agent_service", true),
        ("cosmos_db", true),
    ]);
    let pe = subnet_id("snt-prj001-genai");
    let agent = subnet_id("snt-prj001-agent");
    cfg.subnet_ids = smap(&[
        ("private_endpoints", pe.as_str()),
        ("agent", agent.as_str()),
    ]);
    let plan = fx.plan(&Value::Null, &Value::Null, &cfg).await;
    assert!(!plan.diags.has_errors(), "{:?}", plan.diags);
    let from = fx.last_seq();
    let applied = fx.apply(&Value::Null, &plan, &cfg).await;
    let e: Vec<_> = applied
        .diags
        .iter()
        .filter(|d| d.severity == crate::framework::diag::Severity::Error)
        .collect();
    assert_eq!(e.len(), 1, "{:?}", applied.diags);
    assert_eq!(e[0].path, AttrPath::attr("subnet_ids").and_key("agent"));
    assert!(
        e[0].detail.contains("Nothing was created"),
        "{}",
        e[0].detail
    );
    assert!(fx.writes(from).is_empty(), "{:?}", fx.writes(from));
}

/// Where everyone may traverse a shared folder (`other::--x`), the provider adds nothing
/// to its ACL, so a full ACL there does not stop the plan.
#[tokio::test]
async fn a_shared_folder_everyone_traverses_takes_no_entries() {
    let fx = fixture(|c| c).await;
    let client = fx.project.ctx.azure().expect("client");
    let dfs = client.dfs("lakeweudev").expect("dfs");
    let rctx = fx.project.ctx.request_ctx(Duration::from_secs(30));
    let entries: Vec<String> =
        std::iter::once("user::rwx,group::r-x,mask::rwx,other::--x".to_string())
            .chain((0..27).map(|i| format!("group:0e0e0e0e-0000-4000-8000-{i:012}:--x")))
            .collect();
    let acl: aifactory_azure::Acl = entries.join(",").parse().expect("acl");
    dfs.set_access_control(
        &rctx,
        "lake3",
        "projects",
        &aifactory_azure::SetAccessControl {
            acl: Some(acl),
            ..Default::default()
        },
    )
    .await
    .expect("seed the shared ACL");
    let plan = fx
        .plan(&Value::Null, &Value::Null, &config(&[M1], true))
        .await;
    assert!(!plan.diags.has_errors(), "{:?}", plan.diags);
}
