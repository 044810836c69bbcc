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
    fixture_with(|c| c).await
}

async fn fixture_with(customise: impl FnOnce(EmulatorConfig) -> EmulatorConfig) -> Fixture {
    let config = customise(
        EmulatorConfig::default()
            .with_tenant(TENANT)
            .with_subscription(SUB)
            .with_app(CLIENT, SECRET),
    );
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
    // A file: data (folders alone are not).
    let url = dfs
        .url(
            "lake3",
            Some("master/customers.csv"),
            &[("resource", "file")],
        )
        .expect("url");
    c.pipeline()
        .send(
            &ctx,
            &aifactory_azure::Request::new(
                http::Method::PUT,
                url,
                "https://storage.azure.com/.default",
            )
            .header("x-ms-version", aifactory_azure::dfs::DFS_VERSION),
        )
        .await
        .expect("data written");
    let refused = fx.destroy(&read.state, &read.private).await;
    assert!(refused.diags.has_errors());
    let d = refused.diags.iter().next().expect("diag");
    assert_eq!(d.path, AttrPath::attr("datalake_delete_on_destroy"));
    assert!(d.detail.contains("master/customers.csv"), "{}", d.detail);
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

/// The plan-time preflight, from reads only: an unregistered namespace the common part
/// writes is an error listing the `az provider register` command; one only projects use
/// is a warning; a type the region does not offer is an error on `location`. Nothing is
/// written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preflight_names_unregistered_providers_and_missing_regional_types() {
    let fx = fixture_with(|mut c| {
        c.settings.unregistered_providers = vec![
            "Microsoft.ContainerRegistry".into(),
            "Microsoft.Databricks".into(),
        ];
        c.settings.type_not_in_region = vec![aifactory_emulator::TypeRegion {
            resource_type: "Microsoft.OperationalInsights/workspaces".into(),
            location: "westeurope".into(),
        }];
        c
    })
    .await;
    let plan = fx.plan(&Value::Null, &Value::Null, &config()).await;
    let errors: Vec<_> = plan
        .diags
        .iter()
        .filter(|d| d.severity == crate::framework::diag::Severity::Error)
        .collect();
    assert_eq!(errors.len(), 2, "{:?}", plan.diags);
    assert!(
        errors[0].summary.contains("not registered"),
        "{:?}",
        errors[0]
    );
    assert!(errors[0]
        .detail
        .contains("az provider register --subscription 00000000-0000-0000-0000-000000000001 --namespace Microsoft.ContainerRegistry"));
    assert_eq!(errors[1].path, AttrPath::attr("location"));
    assert!(errors[1]
        .detail
        .contains("Microsoft.OperationalInsights/workspaces"));
    let warning = plan
        .diags
        .iter()
        .find(|d| d.severity == crate::framework::diag::Severity::Warning)
        .expect("a warning");
    assert!(
        warning.detail.contains("Microsoft.Databricks"),
        "{warning:?}"
    );
    assert!(!warning.detail.contains("Microsoft.ContainerRegistry"));
    let writes = fx
        .emulator
        .journal()
        .into_iter()
        .filter(|e| e.method != "GET" && !e.path.contains("oauth2"))
        .count();
    assert_eq!(writes, 0, "the preflight only reads");
}

/// Hub peering: both sides when written here; a hub the identity may not write
/// fails on the hub side with what the hub side needs, and this side is written (Initiated).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hub_peering_both_sides_or_a_clear_refusal() {
    let hub_rg = format!("/subscriptions/{SUB}/resourceGroups/rg-hub");
    let hub = format!("{hub_rg}/providers/Microsoft.Network/virtualNetworks/vnet-hub");
    let fx = fixture().await;
    fx.emulator
        .put_resource(&hub_rg, json!({ "location": "westeurope" }))
        .expect("hub group");
    fx.emulator
        .put_resource(
            &hub,
            json!({ "location": "westeurope", "properties": { "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] } } }),
        )
        .expect("hub vnet");
    let mut cfg = config();
    cfg.hub_virtual_network_id = Tf::Known(hub.clone());
    cfg.hub_peering_create_remote = Tf::Known(true);
    let created = fx.converge(&Value::Null, &Value::Null, &cfg).await;
    let records = model(&created.state).records();
    let local = records["peering.local"].id.clone().expect("id");
    let remote = records["peering.remote"].id.clone().expect("id");
    assert!(remote.starts_with(&hub));
    let state = fx.emulator.resource(&local).expect("local peering");
    assert_eq!(state["properties"]["peeringState"], "Connected");
    let gone = fx.destroy(&created.state, &created.private).await;
    assert!(!gone.diags.has_errors(), "{:?}", gone.diags);

    // The hub is read-only for this identity.
    fx.emulator
        .update_settings(|s| s.read_only_scopes = vec![hub_rg.clone()]);
    let plan = fx.plan(&Value::Null, &Value::Null, &cfg).await;
    assert!(!plan.diags.has_errors(), "{:?}", plan.diags);
    let applied = fx
        .common
        .apply(ApplyRequest {
            prior: Value::Null,
            planned: plan.planned.clone(),
            config: cfg.to_value(),
            planned_private: plan.private.clone(),
        })
        .await;
    let d = applied
        .diags
        .iter()
        .find(|d| d.path == AttrPath::attr("hub_peering_create_remote"))
        .expect("a diagnostic on hub_peering_create_remote");
    assert!(
        d.detail.contains("hub_peering_create_remote = false"),
        "{}",
        d.detail
    );
    assert!(d.detail.contains("remoteVirtualNetwork"), "{}", d.detail);
    let left = model(&applied.state).records();
    // This side is written all the same (Initiated until the hub side exists), as the
    // issue asks: the local peering and an error saying what the hub side needs.
    assert!(left.contains_key("peering.local"), "{:?}", left.keys());
    let local = fx
        .emulator
        .resource(left["peering.local"].id.as_deref().expect("id"))
        .expect("local peering");
    assert_eq!(local["properties"]["peeringState"], "Initiated");
    assert!(
        left.contains_key("virtual_network"),
        "what exists is recorded"
    );
}

/// An ESML-made common part (ESML's uniqueString salt, its zones in the common group with
/// ESML's link names) imports: naming.salt = "esml", the zones are used as hub zones and
/// linked, and the next plan keeps every object it found.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_esml_made_common_part_imports() {
    use aifactory_template::naming::{esml_salt, hash};
    let fx = fixture().await;
    let rg_name = "mrvel-1-esml-common-weu-dev-001";
    let rg = format!("/subscriptions/{SUB}/resourceGroups/{rg_name}");
    let s5 = esml_salt(SUB, rg_name);
    let id = |t: &str, n: &str| format!("{rg}/providers/{t}/{n}");
    let vnet = id(
        "Microsoft.Network/virtualNetworks",
        "vnt-esmlcmn-weu-dev-001",
    );
    let put = |i: &str, b: serde_json::Value| {
        fx.emulator.put_resource(i, b).expect(i);
    };
    put(&rg, json!({ "location": "westeurope" }));
    put(
        &vnet,
        json!({ "location": "westeurope", "properties": {
            "addressSpace": { "addressPrefixes": ["172.16.0.0/16"] }
        }}),
    );
    for (name, cidr) in [
        ("snet-esml-cmn-001", "172.16.61.0/26"),
        ("snet-esml-cmn-001-scoring", "172.16.61.64/26"),
    ] {
        put(
            &format!("{vnet}/subnets/{name}"),
            json!({ "properties": { "addressPrefix": cidr } }),
        );
    }
    put(
        &id(
            "Microsoft.OperationalInsights/workspaces",
            &format!("la-cmn-weu-dev-{s5}-001"),
        ),
        json!({ "location": "westeurope", "properties": { "sku": { "name": "PerGB2018" } } }),
    );
    put(
        &id(
            "Microsoft.Storage/storageAccounts",
            &format!("lake{s5}esml001dev"),
        ),
        json!({ "location": "westeurope", "kind": "StorageV2", "sku": { "name": "Standard_ZRS" }, "properties": { "isHnsEnabled": true } }),
    );
    put(
        &id("Microsoft.KeyVault/vaults", &format!("kv-cmndev-{s5}-001")),
        json!({ "location": "westeurope", "properties": { "tenantId": TENANT, "sku": { "family": "A", "name": "standard" } } }),
    );
    for zone in aifactory_template::common::zones(aifactory_template::project::Cloud::Public) {
        let zid = id("Microsoft.Network/privateDnsZones", zone);
        put(&zid, json!({ "location": "global" }));
        put(
            &format!("{zid}/virtualNetworkLinks/{}", hash::unique_string(&[&zid])),
            json!({ "location": "global", "properties": { "virtualNetwork": { "id": vnet }, "registrationEnabled": false } }),
        );
    }
    let imported = fx.common.import(&rg).await;
    assert!(!imported.diags.has_errors(), "{:?}", imported.diags);
    let m = model(&imported.state);
    let naming = m.naming.known().expect("naming");
    assert_eq!(naming["salt"], Tf::Known("esml".to_string()));
    assert_eq!(naming["prefix"], Tf::Known("mrvel-1-".to_string()));
    assert_eq!(m.private_dns_zone_resource_group_id, Tf::Known(rg.clone()));
    assert_eq!(
        m.subnet_cidrs.known().expect("cidrs")["scoring"],
        Tf::Known("172.16.61.64/26".to_string())
    );
    let records = m.records();
    for key in [
        "resource_group",
        "virtual_network",
        "subnet.common",
        "log_analytics",
        "datalake",
        "key_vault",
    ] {
        assert!(
            records.contains_key(key),
            "{key} not adopted: {:?}",
            records.keys()
        );
    }
    assert!(
        records.contains_key("dns_link.privatelink.dfs.core.windows.net"),
        "ESML's links are adopted under its names"
    );
    // The plan after import keeps everything it found (and plans the rest to create).
    // The configuration an ESML user writes for it: the imported inputs, no computed ones.
    let cfg = CommonModel {
        id: Tf::Null,
        virtual_network_id: Tf::Null,
        resource_group_name: Tf::Null,
        subnet_cidrs: Tf::Null,
        subnet_ids: Tf::Null,
        project_refs: Tf::Null,
        private_dns_zones: Tf::Null,
        resources: Tf::Null,
        drift: Tf::Null,
        ..m.clone()
    };
    let plan = fx.plan(&imported.state, &imported.private, &cfg).await;
    assert!(!plan.diags.has_errors(), "{:?}", plan.diags);
    let planned = model(&plan.planned).records();
    for (k, r) in &records {
        assert_eq!(planned.get(k).map(|p| &p.id), Some(&r.id), "{k}");
    }
}

/// Bastion (`bastion = true`: its /26 subnet added to `subnets`, NSG, public IP, host, the
/// core team's Reader) and Defender plans (Standard at subscription scope): create, an
/// empty plan, import, a plan removed from the list set back to Free, destroy (every plan
/// Free, the bastion gone before its subnet and IP).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bastion_and_defender_plans_create_plan_empty_and_destroy() {
    let fx = fixture().await;
    let mut cfg = config();
    cfg.bastion = Tf::Known(true);
    cfg.defender_plans = Tf::Known(vec![
        Tf::Known("StorageAccounts".into()),
        Tf::Known("keyvaults".into()),
    ]);
    // No plan is on yet: no warning.
    let first = fx.plan(&Value::Null, &Value::Null, &cfg).await;
    assert!(first.diags.is_empty(), "{:?}", first.diags);
    let created = fx.converge(&Value::Null, &Value::Null, &cfg).await;
    let state = model(&created.state);
    let records = state.records();
    for k in [
        "subnet.bastion",
        "nsg.bastion",
        "public_ip.bastion",
        "bastion",
        "diagnostic_setting.bastion",
        "defender.StorageAccounts",
        "defender.KeyVaults",
    ] {
        assert!(records.contains_key(k), "{k}: {:?}", records.keys());
    }
    assert!(records
        .keys()
        .any(|k| k.starts_with("role.team.") && k.contains(".bastion.")));
    let cidrs = state.subnet_cidrs.known().cloned().expect("cidrs");
    let bastion_cidr = cidrs["bastion"].known().cloned().expect("cidr");
    assert!(
        bastion_cidr.ends_with("/26"),
        "Bastion's /26: {bastion_cidr}"
    );
    assert_eq!(cidrs.len(), 3, "common, scoring and bastion: {cidrs:?}");
    let c = fx.client();
    let ctx = aifactory_azure::Ctx::background();
    let ctx = &ctx;
    let tier = |plan: &'static str| async move {
        let id = format!("/subscriptions/{SUB}/providers/Microsoft.Security/pricings/{plan}");
        c.arm()
            .get(ctx, &id, "2024-01-01")
            .await
            .expect("pricing")
            .pointer("/properties/pricingTier")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(tier("StorageAccounts").await, "Standard");
    assert_eq!(tier("KeyVaults").await, "Standard");
    assert_eq!(tier("Containers").await, "Free");
    let host_id = records["bastion"].id.clone().expect("id");
    let host = c
        .arm()
        .get(ctx, &host_id, "2024-05-01")
        .await
        .expect("bastion");
    assert!(
        host["properties"]["ipConfigurations"][0]["properties"]["subnet"]["id"]
            .as_str()
            .is_some_and(|id| id.ends_with("/subnets/AzureBastionSubnet"))
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

    // Import finds Bastion again (its /26 left out of `subnets`, as written).
    let rg = state.id.known().cloned().expect("rg");
    let imported = fx.common.import(&rg).await;
    assert!(!imported.diags.has_errors(), "{:?}", imported.diags);
    let m = model(&imported.state);
    assert_eq!(m.bastion, Tf::Known(true));
    assert!(!m.subnets.known().expect("subnets").contains_key("bastion"));
    assert!(m.records().contains_key("bastion"));

    // A second stage in the subscription asking for a plan that is on is warned that it
    // shares it; the first stage, holding it, is not.
    let mut other = cfg.clone();
    other.environment = Tf::Known("test".into());
    other.defender_plans = Tf::Known(vec![Tf::Known("KeyVaults".into()), Tf::Known("Arm".into())]);
    let shared = fx.plan(&Value::Null, &Value::Null, &other).await;
    let w = shared
        .diags
        .iter()
        .find(|d| d.path == AttrPath::attr("defender_plans"))
        .expect("a warning on defender_plans");
    assert!(!shared.diags.has_errors(), "{:?}", shared.diags);
    assert!(
        w.detail.starts_with("KeyVaults is already Standard"),
        "{}",
        w.detail
    );
    assert!(!w.detail.contains("Arm"), "{}", w.detail);

    // A plan taken off the list is set back to Free, the other stays.
    let mut fewer = cfg.clone();
    fewer.defender_plans = Tf::Known(vec![Tf::Known("StorageAccounts".into())]);
    let updated = fx.converge(&read.state, &read.private, &fewer).await;
    assert!(!model(&updated.state)
        .records()
        .contains_key("defender.KeyVaults"));
    assert_eq!(tier("KeyVaults").await, "Free");
    assert_eq!(tier("StorageAccounts").await, "Standard");

    // Destroy: Bastion goes before its subnet and IP (which it holds), every plan is Free.
    let gone = fx.destroy(&updated.state, &updated.private).await;
    assert!(!gone.diags.has_errors(), "{:?}", gone.diags);
    assert!(gone.state.is_null());
    assert_eq!(tier("StorageAccounts").await, "Free");
    assert!(c
        .arm()
        .get_opt(ctx, &host_id, "2024-05-01")
        .await
        .expect("read")
        .is_none());
    assert!(c
        .arm()
        .get_opt(ctx, &rg, "2024-07-01")
        .await
        .expect("read")
        .is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bastion_and_defender_mistakes_are_reported_at_validate() {
    let fx = fixture().await;
    let with = |f: &dyn Fn(&mut CommonModel)| {
        let mut c = config();
        f(&mut c);
        c
    };
    let paths = |d: &Diagnostics| -> Vec<String> { d.iter().map(|x| x.path.to_string()).collect() };
    // An unknown plan, by its index.
    let cfg = with(&|c| {
        c.defender_plans = Tf::Known(vec![
            Tf::Known("KeyVaults".into()),
            Tf::Known("Storage".into()),
        ])
    });
    let d = fx.common.validate(&cfg.to_value()).await;
    assert_eq!(paths(&d), ["defender_plans[1]"]);
    assert!(d.iter().any(|x| x.detail.contains("StorageAccounts")));
    // A Bastion subnet smaller than /26, and one without Bastion.
    let sized = |len: f64| {
        let mut m = config().subnets.known().cloned().expect("subnets");
        m.insert("bastion".into(), Tf::Known(Num::from(len)));
        Tf::Known(m)
    };
    let cfg = with(&|c| {
        c.bastion = Tf::Known(true);
        c.subnets = sized(27.0);
    });
    let d = fx.common.validate(&cfg.to_value()).await;
    assert_eq!(paths(&d), ["subnets[\"bastion\"]"]);
    assert!(d.iter().any(|x| x.detail.contains("26")));
    let cfg = with(&|c| c.subnets = sized(25.0));
    let d = fx.common.validate(&cfg.to_value()).await;
    assert_eq!(paths(&d), ["subnets[\"bastion\"]"]);
    assert!(d.iter().any(|x| x.detail.contains("bastion = true")));
    // Sized larger with Bastion: fine.
    let cfg = with(&|c| {
        c.bastion = Tf::Known(true);
        c.subnets = sized(25.0);
    });
    assert!(!fx.common.validate(&cfg.to_value()).await.has_errors());
}

/// The jump host (`jump_host`: a NIC in the common subnet, an Ubuntu VM with the key only,
/// its OS disk, metrics, the core team's Virtual Machine User Login): create, an empty
/// plan, import, destroy (the VM before its NIC, its OS disk with it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jump_host_create_plan_empty_import_and_destroy() {
    let fx = fixture().await;
    let mut cfg = config();
    let key =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGp1bXBob3N0a2V5Zm9ydGVzdHMxMjM0NTY3ODkw ops@example";
    cfg.jump_host = Value::object([
        ("admin_username", Value::String("azureuser".into())),
        ("ssh_public_key", Value::String(key.into())),
        ("size", Value::String("Standard_B2s".into())),
    ]);
    let created = fx.converge(&Value::Null, &Value::Null, &cfg).await;
    let state = model(&created.state);
    let records = state.records();
    for k in [
        "network_interface.jump_host",
        "jump_host",
        "diagnostic_setting.jump_host",
    ] {
        assert!(records.contains_key(k), "{k}: {:?}", records.keys());
    }
    assert!(records.keys().any(
        |k| k.starts_with("role.team.") && k.ends_with(".jump_host.virtual-machine-user-login")
    ));
    let c = fx.client();
    let ctx = aifactory_azure::Ctx::background();
    let vm_id = records["jump_host"].id.clone().expect("id");
    assert!(
        vm_id.ends_with("/virtualMachines/vm-jumphost-weu-dev-001"),
        "{vm_id}"
    );
    let vm = c.arm().get(&ctx, &vm_id, "2025-04-01").await.expect("vm");
    assert_eq!(
        vm["properties"]["osProfile"]["linuxConfiguration"]["ssh"]["publicKeys"][0]["keyData"],
        key
    );
    let disk_id = vm["properties"]["storageProfile"]["osDisk"]["managedDisk"]["id"]
        .as_str()
        .expect("disk")
        .to_string();
    let nic_id = records["network_interface.jump_host"]
        .id
        .clone()
        .expect("nic");
    let nic = c.arm().get(&ctx, &nic_id, "2024-05-01").await.expect("nic");
    assert!(
        nic["properties"]["ipConfigurations"][0]["properties"]["subnet"]["id"]
            .as_str()
            .is_some_and(|s| s.ends_with("/subnets/snet-esml-cmn-001"))
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

    // A new key is refused at plan (Azure would refuse the PUT); a new size is not.
    let with_jump = |k: &str, v: &str| {
        let mut c = cfg.clone();
        let mut m = c.jump_host.inner().as_map().cloned().expect("object");
        m.insert(k.to_string(), Value::String(v.into()));
        c.jump_host = Value::Map(m);
        c
    };
    let changed = fx
        .plan(
            &read.state,
            &read.private,
            &with_jump("ssh_public_key", "ssh-ed25519 AAAAother"),
        )
        .await;
    let paths: Vec<String> = changed.diags.iter().map(|d| d.path.to_string()).collect();
    assert_eq!(paths, ["jump_host.ssh_public_key"], "{:?}", changed.diags);
    assert!(changed
        .diags
        .iter()
        .all(|d| !d.detail.contains("AAAAother")));
    let resized = fx
        .plan(
            &read.state,
            &read.private,
            &with_jump("size", "Standard_B2ms"),
        )
        .await;
    assert!(!resized.diags.has_errors(), "{:?}", resized.diags);

    // Import reads the jump host back as written.
    let rg = state.id.known().cloned().expect("rg");
    let imported = fx.common.import(&rg).await;
    assert!(!imported.diags.has_errors(), "{:?}", imported.diags);
    let m = model(&imported.state);
    assert_eq!(m.jump_host, cfg.jump_host);
    assert!(m.records().contains_key("jump_host"));

    // Destroy: the VM goes before its NIC (which it holds), its OS disk with it.
    let gone = fx.destroy(&read.state, &read.private).await;
    assert!(!gone.diags.has_errors(), "{:?}", gone.diags);
    for id in [&vm_id, &nic_id, &disk_id] {
        assert!(
            c.arm()
                .get_opt(&ctx, id, "2025-04-01")
                .await
                .expect("read")
                .is_none(),
            "{id} is gone"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jump_host_mistakes_are_reported_at_validate() {
    let fx = fixture().await;
    let with = |user: &str, key: &str| {
        let mut c = config();
        c.jump_host = Value::object([
            ("admin_username", Value::String(user.into())),
            ("ssh_public_key", Value::String(key.into())),
            ("size", Value::String("Standard_B2s".into())),
        ]);
        c
    };
    let paths = |d: &Diagnostics| -> Vec<String> { d.iter().map(|x| x.path.to_string()).collect() };
    let good = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 me";
    assert!(!fx
        .common
        .validate(&with("azureuser", good).to_value())
        .await
        .has_errors());
    let d = fx.common.validate(&with("root", good).to_value()).await;
    assert_eq!(paths(&d), ["jump_host.admin_username"]);
    assert!(d.iter().any(|x| x.detail.contains("azureuser")));
    let d = fx
        .common
        .validate(
            &with(
                "azureuser",
                "-----BEGIN OPENSSH PRIVATE KEY----- b3BlbnNzaC1rZXk",
            )
            .to_value(),
        )
        .await;
    assert_eq!(paths(&d), ["jump_host.ssh_public_key"]);
    // The key is not repeated in the message.
    assert!(d.iter().all(|x| !x.detail.contains("b3BlbnNzaC1rZXk")));
}

/// A landing zone's spoke: `virtual_network_id` instead of `address_space`. The plan reads
/// the vNet (its space is the pool, a subnet already there is left alone), the common
/// subnets go into the free space, the vNet is not the common part's and stays at destroy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_spoke_vnet_gets_the_common_subnets_and_is_kept() {
    let fx = fixture().await;
    let rg = format!("/subscriptions/{SUB}/resourceGroups/rg-spoke");
    let vnet = format!("{rg}/providers/Microsoft.Network/virtualNetworks/vnet-spoke");
    fx.emulator
        .put_resource(&rg, json!({ "location": "westeurope" }))
        .expect("group");
    fx.emulator
        .put_resource(
            &vnet,
            json!({ "location": "westeurope", "properties": { "addressSpace": { "addressPrefixes": ["10.40.0.0/22"] } } }),
        )
        .expect("vnet");
    fx.emulator
        .put_resource(
            &format!("{vnet}/subnets/snet-landing-zone"),
            json!({ "properties": { "addressPrefix": "10.40.0.0/24" } }),
        )
        .expect("foreign subnet");
    let mut cfg = config();
    cfg.address_space = Tf::Null;
    cfg.virtual_network_id = Tf::Known(vnet.clone());
    let created = fx.converge(&Value::Null, &Value::Null, &cfg).await;
    let state = model(&created.state);
    let cidrs = state.subnet_cidrs.known().cloned().expect("cidrs");
    // `common = 26` in the first free block after the landing zone's /24.
    assert_eq!(cidrs["common"], Tf::Known("10.40.1.0/26".to_string()));
    let records = state.records();
    assert!(!records.contains_key("virtual_network"));
    assert!(records["subnet.common"]
        .id
        .as_deref()
        .is_some_and(|id| id.starts_with(&vnet)));
    let again = fx.plan(&created.state, &created.private, &cfg).await;
    assert!(!again.diags.has_errors(), "{:?}", again.diags);
    assert_eq!(
        model(&again.planned).subnet_cidrs,
        state.subnet_cidrs,
        "kept"
    );
    let gone = fx.destroy(&created.state, &created.private).await;
    assert!(!gone.diags.has_errors(), "{:?}", gone.diags);
    assert!(fx.emulator.resource(&vnet).is_some(), "the spoke stays");
    assert!(fx
        .emulator
        .resource(&format!("{vnet}/subnets/snet-landing-zone"))
        .is_some());
    assert!(fx
        .emulator
        .resource(&format!("{vnet}/subnets/snet-esml-cmn-001"))
        .is_none());
}
