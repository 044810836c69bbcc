//! Tests of `aifactory_common` against the in-process emulator: create, an empty second
//! plan, drift on a DNS link and an NSG, the lake's data kept at destroy, import, and the
//! projects' references.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use super::*;
use crate::framework::{Num, PlanRequest};
use aifactory_azure::{EnvVars, Settings};
use aifactory_emulator::{Emulator, EmulatorConfig, RunningEmulator};

const TENANT: &str = "11111111-1111-1111-1111-111111111111";
const SUB: &str = "00000000-0000-0000-0000-000000000001";
const CLIENT: &str = "22222222-2222-2222-2222-222222222222";
const SECRET: &str = "unit-secret";
const CORE: &str = "0a1b2c3d-0000-4000-8000-0000000000c0";

struct Fixture {
    emulator: Arc<RunningEmulator>,
    common: Common,
}

async fn fixture() -> Fixture {
    let config = EmulatorConfig::default()
        .with_tenant(TENANT)
        .with_subscription(SUB)
        .with_app(CLIENT, SECRET);
    let emulator = Arc::new(Emulator::start(config).await.expect("emulator starts"));
    let vars: EnvVars = emulator
        .info()
        .provider_env(TENANT, SUB, CLIENT, SECRET)
        .into_iter()
        .collect();
    let mut s = Settings::from_vars_and(&vars, &aifactory_azure::NoConfig);
    s.lro_poll_interval = Duration::from_millis(100);
    let ctx = ProviderContext::with_settings(s);
    Fixture {
        emulator,
        common: Common::new(ctx),
    }
}

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
        address_space: Tf::Known(vec![Tf::Known("10.20.0.0/16".into())]),
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

impl Fixture {
    async fn plan(&self, prior: &Value, private: &Value, c: &CommonModel) -> PlanResponse {
        self.common
            .plan(PlanRequest {
                prior: prior.clone(),
                proposed: c.to_value(),
                config: c.to_value(),
                prior_private: private.clone(),
            })
            .await
    }

    async fn converge(&self, prior: &Value, private: &Value, c: &CommonModel) -> StateResponse {
        let plan = self.plan(prior, private, c).await;
        assert!(!plan.diags.has_errors(), "plan: {:?}", plan.diags);
        let applied = self
            .common
            .apply(ApplyRequest {
                prior: prior.clone(),
                planned: plan.planned.clone(),
                config: c.to_value(),
                planned_private: plan.private.clone(),
            })
            .await;
        assert!(!applied.diags.has_errors(), "apply: {:?}", applied.diags);
        applied
    }

    async fn destroy(&self, prior: &Value, private: &Value) -> StateResponse {
        self.common
            .apply(ApplyRequest {
                prior: prior.clone(),
                planned: Value::Null,
                config: Value::Null,
                planned_private: private.clone(),
            })
            .await
    }

    fn client(&self) -> &AzureClient {
        self.common.ctx.azure().expect("client")
    }
}

fn model(v: &Value) -> CommonModel {
    CommonModel::decode(v).expect("a common state")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lifecycle_create_refresh_drift_keep_lake_data_destroy() {
    let fx = fixture().await;
    let cfg = config();
    let created = fx.converge(&Value::Null, &Value::Null, &cfg).await;
    let state = model(&created.state);
    let records = state.records();
    assert!(records.contains_key("virtual_network"));
    assert!(records.contains_key("dns_link.privatelink.dfs.core.windows.net"));
    assert!(records.contains_key("private_dns_zone_group.datalake_dfs"));
    assert!(records.keys().any(|k| k.starts_with("role.team.")));
    assert!(records.keys().any(|k| k.starts_with("acl.team.")));
    let refs = state.project_refs.known().expect("refs");
    assert_eq!(
        refs["resource_group_name"].known().map(String::as_str),
        Some("acme-esml-common-weu-dev-001")
    );
    assert_eq!(
        state.subnet_cidrs.known().expect("cidrs")["common"]
            .known()
            .map(String::as_str),
        Some("10.20.0.0/26")
    );

    // Refresh finds nothing changed; the next plan is empty.
    let read = fx
        .common
        .read(created.state.clone(), created.private.clone())
        .await;
    assert!(!read.diags.has_errors(), "{:?}", read.diags);
    assert_eq!(model(&read.state).drift, Tf::Known(BTreeMap::new()));
    let again = fx.plan(&read.state, &read.private, &cfg).await;
    assert_eq!(
        again.planned.to_json(),
        read.state.to_json(),
        "plan is empty"
    );

    // Drift: a DNS link deleted and an NSG rule removed behind Terraform's back.
    let c = fx.client();
    let ctx = aifactory_azure::Ctx::background();
    let link = records["dns_link.privatelink.blob.core.windows.net"].clone();
    c.arm()
        .delete(&ctx, link.id.as_deref().expect("id"), &link.api_version)
        .await
        .expect("link deleted");
    let nsg = records["nsg.common"].clone();
    let nsg_id = nsg.id.clone().expect("id");
    let mut body = c
        .arm()
        .get(&ctx, &nsg_id, &nsg.api_version)
        .await
        .expect("nsg");
    body["properties"]["securityRules"] = json!([]);
    c.arm()
        .put(&ctx, &nsg_id, &nsg.api_version, &body)
        .await
        .expect("nsg rewritten");
    let read = fx
        .common
        .read(created.state.clone(), created.private.clone())
        .await;
    let drift = model(&read.state)
        .drift
        .known()
        .cloned()
        .unwrap_or_default();
    assert!(drift.contains_key("nsg.common"), "{drift:?}");
    assert!(
        !model(&read.state)
            .records()
            .contains_key("dns_link.privatelink.blob.core.windows.net"),
        "the deleted link is no longer recorded"
    );
    let repaired = fx.converge(&read.state, &read.private, &cfg).await;
    let read = fx
        .common
        .read(repaired.state.clone(), repaired.private.clone())
        .await;
    assert_eq!(model(&read.state).drift, Tf::Known(BTreeMap::new()));
    assert!(model(&read.state)
        .records()
        .contains_key("dns_link.privatelink.blob.core.windows.net"));

    // Destroy keeps the lake's data: a file in it stops the destroy, nothing deleted.
    let lake = state.project_refs.known().expect("refs")["datalake_storage_account_id"]
        .known()
        .cloned()
        .expect("lake");
    let account = lake.rsplit('/').next().expect("name").to_string();
    let dfs = c.dfs(&account).expect("dfs");
    dfs.create_directory(
        &ctx,
        "lake3",
        "master/customers",
        &aifactory_azure::DirectoryOptions::default(),
    )
    .await
    .expect("data written");
    let refused = fx.destroy(&read.state, &read.private).await;
    assert!(refused.diags.has_errors());
    let d = refused.diags.iter().next().expect("diag");
    assert_eq!(d.path, AttrPath::attr("datalake_delete_on_destroy"));
    assert!(d.detail.contains("master/customers"), "{}", d.detail);
    assert!(c
        .arm()
        .get_opt(&ctx, &lake, "2025-06-01")
        .await
        .expect("read")
        .is_some());

    // With the switch, destroy deletes everything.
    let mut cfg2 = cfg.clone();
    cfg2.datalake_delete_on_destroy = Tf::Known(true);
    let allowed = fx.converge(&read.state, &read.private, &cfg2).await;
    let gone = fx.destroy(&allowed.state, &allowed.private).await;
    assert!(!gone.diags.has_errors(), "{:?}", gone.diags);
    assert!(gone.state.is_null());
    let rg = state.id.known().cloned().expect("rg");
    assert!(c
        .arm()
        .get_opt(&ctx, &rg, "2024-07-01")
        .await
        .expect("read")
        .is_none());
    let _ = &fx.emulator;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_reads_the_configuration_back() {
    let fx = fixture().await;
    let cfg = config();
    let created = fx.converge(&Value::Null, &Value::Null, &cfg).await;
    let state = model(&created.state);
    let rg = state.id.known().cloned().expect("rg");
    let imported = fx.common.import(&rg).await;
    assert!(!imported.diags.has_errors(), "{:?}", imported.diags);
    let m = model(&imported.state);
    assert_eq!(m.environment, Tf::Known("dev".into()));
    assert_eq!(m.records(), state.records(), "every object is found again");
    // The imported state plans empty against the configuration it came from.
    let plan = fx.plan(&imported.state, &imported.private, &cfg).await;
    assert!(!plan.diags.has_errors(), "{:?}", plan.diags);
    assert_eq!(model(&plan.planned).records(), state.records());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_reported_on_its_attribute() {
    let fx = fixture().await;
    let mut cfg = config();
    cfg.subnets = Tf::Known(
        [("scoring", 26.0), ("gateway", 27.0)]
            .iter()
            .map(|(k, v)| (k.to_string(), Tf::Known(Num::from(*v))))
            .collect(),
    );
    cfg.virtual_network_id = Tf::Known("/subscriptions/x/resourceGroups/y".into());
    let diags = fx.common.validate(&cfg.to_value()).await;
    let paths: Vec<String> = diags.iter().map(|d| d.path.to_string()).collect();
    assert!(paths.iter().any(|p| p.contains("gateway")), "{paths:?}");
    assert!(paths.iter().any(|p| p == "virtual_network_id"), "{paths:?}");
}
