//! `aifactory_common`: one stage's common environment, created whole from the pure common
//! template ([`aifactory_template::common`]) by the same apply engine `aifactory_project`
//! uses (dependency waves, partial failure recorded, drift, reverse deletes).
//!
//! Owns: the HCL shape (`schema`), reading it (`spec`: values, the common subnets'
//! allocation), the plan-time reads (the existing vNet, the `preflight` of resource
//! providers), and the lifecycle edge: plan, apply, refresh, import by the common resource
//! group's ID, destroy that keeps the lake's data. Must not: decide what a common part
//! holds (the template does), talk HTTP (the client does), or hold engine logic (the
//! project's engine is reused as it is).

mod preflight;
mod schema;
mod spec;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use async_trait::async_trait;
use serde_json::Value as Json;

use crate::context::ProviderContext;
use crate::framework::{
    resource::{ApplyRequest, StateResponse},
    schema::Schema,
    AttrPath, Diagnostic, Diagnostics, FromValue, PlanRequest, PlanResponse, Resource, Tf, ToValue,
    Value,
};
use aifactory_azure::{AzureClient, Ctx};
use aifactory_template::common::{self as core, DesiredCommon};
use aifactory_template::project::DesiredProject;

use super::project::{
    self as project, changed_bodies, client_or_diag, desired_records, Engine, Private,
    ProviderFacts, Records, Run,
};
pub use schema::CommonModel;
use spec::{Cidrs, LiveVnet};

/// `aifactory_common`.
pub struct Common {
    ctx: Arc<ProviderContext>,
}

impl Common {
    pub fn new(ctx: Arc<ProviderContext>) -> Self {
        Common { ctx }
    }
}

fn decode(value: &Value, diags: &mut Diagnostics) -> Option<CommonModel> {
    match CommonModel::decode(value) {
        Ok(m) => Some(m),
        Err(e) => {
            diags.push(e.to_diagnostic());
            None
        }
    }
}

fn push_issues(diags: &mut Diagnostics, issues: &[core::CommonIssue]) {
    for i in issues {
        diags.push(Diagnostic::error(
            i.path.clone(),
            i.kind.summary(),
            i.kind.to_string(),
        ));
    }
}

/// The CIDRs a model holds (`subnet_cidrs`).
fn cidrs_of(m: &CommonModel) -> BTreeMap<String, String> {
    m.subnet_cidrs
        .known()
        .map(|c| {
            c.iter()
                .filter_map(|(k, v)| v.known().map(|s| (k.clone(), s.clone())))
                .collect()
        })
        .unwrap_or_default()
}

/// The desired common part of a plan or state (CIDRs as stored).
fn desired_fixed(
    m: &CommonModel,
    facts: &ProviderFacts,
    diags: &mut Diagnostics,
) -> Option<(spec::Inputs, DesiredCommon)> {
    let cidrs = cidrs_of(m);
    let inputs = spec::inputs(m, facts, Cidrs::Fixed(&cidrs), diags)?;
    match core::desired(&inputs.spec) {
        Ok(d) => Some((inputs, d)),
        Err(issues) => {
            push_issues(diags, &issues);
            None
        }
    }
}

fn string_map(m: &BTreeMap<String, String>) -> Tf<project::StringMap> {
    Tf::Known(
        m.iter()
            .map(|(k, v)| (k.clone(), Tf::Known(v.clone())))
            .collect(),
    )
}

/// `base` with the computed attributes of `d`.
fn with_computed(
    base: &CommonModel,
    d: &DesiredCommon,
    cidrs: &BTreeMap<String, String>,
    resources: Records,
    drift: BTreeMap<String, String>,
) -> CommonModel {
    let mut s = base.clone();
    s.id = Tf::Known(d.plan.resource_group_id.clone());
    s.virtual_network_id = Tf::Known(d.virtual_network_id.clone());
    s.resource_group_name = Tf::Known(d.names.resource_group.clone());
    s.subnet_cidrs = string_map(cidrs);
    s.subnet_ids = string_map(&d.subnet_ids);
    let r = &d.project_refs;
    s.project_refs = string_map(&BTreeMap::from([
        (
            "resource_group_name".to_string(),
            r.resource_group_name.clone(),
        ),
        (
            "private_dns_zone_resource_group_id".to_string(),
            r.private_dns_zone_resource_group_id.clone(),
        ),
        (
            "log_analytics_workspace_id".to_string(),
            r.log_analytics_workspace_id.clone(),
        ),
        (
            "datalake_storage_account_id".to_string(),
            r.datalake_storage_account_id.clone(),
        ),
        (
            "datalake_filesystem".to_string(),
            r.datalake_filesystem.clone(),
        ),
    ]));
    // Only when off: a project's `common` written by hand (or read back by import) leaves
    // the default out, so project_refs does too.
    if !r.dns_zone_groups {
        if let Tf::Known(m) = &mut s.project_refs {
            m.insert(
                "dns_zone_groups".to_string(),
                Tf::Known("false".to_string()),
            );
        }
    }
    s.private_dns_zones = Tf::Known(d.zones.iter().map(|z| Tf::Known(z.to_string())).collect());
    s.resources = Tf::Known(resources);
    s.drift = Tf::Known(drift);
    s
}

/// Every computed attribute unknown (a configuration not wholly known yet).
fn unknown_computed(mut s: CommonModel) -> CommonModel {
    s.id = Tf::Unknown;
    if s.virtual_network_id.is_null() {
        s.virtual_network_id = Tf::Unknown;
    }
    s.resource_group_name = Tf::Unknown;
    s.subnet_cidrs = Tf::Unknown;
    s.subnet_ids = Tf::Unknown;
    s.project_refs = Tf::Unknown;
    s.private_dns_zones = Tf::Unknown;
    s.resources = Tf::Unknown;
    s.drift = Tf::Unknown;
    s
}

/// Read an existing vNet's address space and the prefixes of its subnets other than
/// `ours` (names).
async fn read_vnet(
    client: &AzureClient,
    ctx: &Ctx,
    id: &str,
    ours: &BTreeSet<String>,
) -> Result<LiveVnet, aifactory_azure::AzureError> {
    let v = client
        .arm()
        .get(ctx, id, core::types::VIRTUAL_NETWORK.api_version)
        .await?;
    let strings = |x: Option<&Json>| -> Vec<String> {
        x.and_then(Json::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Json::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let address_space = strings(v.pointer("/properties/addressSpace/addressPrefixes"));
    let mut occupied = Vec::new();
    for s in v
        .pointer("/properties/subnets")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        let name = s.get("name").and_then(Json::as_str).unwrap_or_default();
        if ours.contains(&name.to_ascii_lowercase()) {
            continue;
        }
        if let Some(p) = s
            .pointer("/properties/addressPrefix")
            .and_then(Json::as_str)
        {
            occupied.push(p.to_string());
        }
        occupied.extend(strings(s.pointer("/properties/addressPrefixes")));
    }
    Ok(LiveVnet {
        address_space,
        occupied,
    })
}

/// The hub's zone resource group holds every zone the stage links or points its
/// endpoints at (a missing one would fail the apply part-way).
async fn check_hub_zones(
    client: &AzureClient,
    ctx: &Ctx,
    rg: &str,
    zones: &[String],
    diags: &mut Diagnostics,
) {
    let path = AttrPath::attr("private_dns_zone_resource_group_id");
    let listed = client
        .arm()
        .list(
            ctx,
            &format!("{rg}/providers/{}", core::types::DNS_ZONE.resource_type),
            core::types::DNS_ZONE.api_version,
        )
        .await;
    let have: BTreeSet<String> = match listed {
        Ok(items) => items
            .iter()
            .filter_map(|z| z.get("name").and_then(Json::as_str))
            .map(str::to_ascii_lowercase)
            .collect(),
        Err(e) => {
            diags.error(
                path,
                format!("Reading the hub's private DNS zones: {}", e.summary()),
                format!("{}\n\nThe stage links to and points its private endpoints at the zones in this resource group; it must exist and be readable.", e.detail()),
            );
            return;
        }
    };
    let missing: Vec<&str> = zones
        .iter()
        .map(String::as_str)
        .filter(|z| !have.contains(&z.to_ascii_lowercase()))
        .collect();
    if !missing.is_empty() {
        diags.error(
            path,
            format!("{} private DNS zones missing in the hub", missing.len()),
            format!(
                "{rg} lacks zones the factory's private endpoints need: {}. Have the hub team create them there, or let the common part create its own zones (remove `private_dns_zone_resource_group_id`).",
                missing.join(", ")
            ),
        );
    }
}

fn job_diag(diags: &mut Diagnostics, e: &project::JobError, creating: bool) {
    if e.key == "peering.remote"
        && matches!(
            e.error.code(),
            Some("AuthorizationFailed") | Some("LinkedAuthorizationFailed")
        )
    {
        diags.error(
            AttrPath::attr("hub_peering_create_remote"),
            "The hub side of the peering cannot be written here",
            format!(
                "{}\n\nThis identity may not write the hub's vNet. Either have the hub team grant it Network Contributor on the hub vNet, or set `hub_peering_create_remote = false` and ask the hub team for their side: a peering on the hub vNet with remoteVirtualNetwork = this stage's vNet ({}), allowVirtualNetworkAccess and allowForwardedTraffic true (and allowGatewayTransit for `hub_use_remote_gateways`). Until it exists this side stays Initiated.",
                e.error.summary(),
                e.partial
                    .set
                    .first()
                    .and_then(|(_, r)| r.id.clone())
                    .unwrap_or_else(|| "see virtual_network_id".to_string())
            ),
        );
        return;
    }
    let next = if creating {
        "What was created is kept in state (Terraform marks the common part tainted); fix the cause and apply again: the existing objects are taken over, not re-created."
    } else {
        "What was changed is kept in state; fix the cause and apply again to continue."
    };
    diags.error(
        AttrPath::root(),
        format!("{}: {}", e.what, e.error.summary()),
        format!("{}\n\n{next}", e.error.detail()),
    );
}

impl Common {
    fn engine<'a>(&self, client: &'a AzureClient, timeout: std::time::Duration) -> Engine<'a> {
        let mut e = Engine::new(client, self.ctx.request_ctx(timeout));
        e.purge_soft_delete_on_destroy = self.ctx.purge_soft_delete_on_destroy();
        e.recover_soft_deleted = self.ctx.recover_soft_deleted();
        e
    }

    /// Some of the lake's files: data (folders alone, ESML's or those projects leave behind,
    /// are not).
    async fn lake_data(
        &self,
        client: &AzureClient,
        ctx: &Ctx,
        d: &DesiredProject,
    ) -> Result<Vec<String>, aifactory_azure::AzureError> {
        let Some(lake) = &d.datalake else {
            return Ok(Vec::new());
        };
        let dfs = client.dfs(&lake.account_name)?;
        match dfs.some_files(ctx, &lake.filesystem, 6).await {
            Err(e) if e.is_not_found() => Ok(Vec::new()),
            other => other,
        }
    }

    async fn destroy(&self, req: ApplyRequest) -> StateResponse {
        let mut diags = Diagnostics::new();
        let keep = |diags: Diagnostics| StateResponse {
            state: req.prior.clone(),
            private: req.planned_private.clone(),
            diags,
        };
        let Some(prior) = decode(&req.prior, &mut diags) else {
            return keep(diags);
        };
        let facts = match project::facts(&self.ctx) {
            Ok(f) => f,
            Err(d) => {
                diags.push(d);
                return keep(diags);
            }
        };
        let Some((inputs, d)) = desired_fixed(&prior, &facts, &mut diags) else {
            return keep(diags);
        };
        let Some(client) = client_or_diag(&self.ctx, &mut diags) else {
            return keep(diags);
        };
        let records = prior.records();
        if !inputs.delete_lake_data && records.contains_key("datalake") {
            let ctx = self.ctx.request_ctx(inputs.timeouts.read);
            match self.lake_data(client, &ctx, &d.plan).await {
                Ok(paths) if paths.is_empty() => {}
                Ok(paths) => {
                    diags.error(
                        AttrPath::attr("datalake_delete_on_destroy"),
                        "The data lake holds data",
                        format!(
                            "The lake {} holds {}{} in {}: destroying the common part would delete it with the account. Nothing was deleted. Move the data, or set `datalake_delete_on_destroy = true` (apply it first) to delete it with the common part.",
                            d.names.datalake,
                            paths.iter().take(5).cloned().collect::<Vec<_>>().join(", "),
                            if paths.len() > 5 { ", ..." } else { "" },
                            d.project_refs.datalake_filesystem,
                        ),
                    );
                    return keep(diags);
                }
                Err(e) => {
                    diags.error(
                        AttrPath::attr("datalake_delete_on_destroy"),
                        format!("Checking the data lake for data: {}", e.summary()),
                        format!("{}\n\nNothing was deleted: destroy keeps the lake's data unless `datalake_delete_on_destroy = true`.", e.detail()),
                    );
                    return keep(diags);
                }
            }
        }
        let private = Private::from_value(&req.planned_private);
        let engine = self.engine(client, inputs.timeouts.delete);
        let mut run = Run::new(d.plan.clone(), records, private.adopted.clone());
        engine.destroy(&mut run, &d.plan, false).await;
        for w in &run.warnings {
            diags.warning(AttrPath::root(), "Destroying the common part", w.clone());
        }
        if run.errors.is_empty() {
            return StateResponse {
                state: Value::Null,
                private: Value::Null,
                diags,
            };
        }
        for e in &run.errors {
            job_diag(&mut diags, e, false);
        }
        let mut state = prior;
        state.resources = Tf::Known(run.records);
        StateResponse {
            state: state.to_value(),
            private: Private {
                planned_create: None,
                adopted: run.adopted,
            }
            .to_value(),
            diags,
        }
    }
}

#[async_trait]
impl Resource for Common {
    fn type_name(&self) -> &'static str {
        "common"
    }

    fn schema(&self) -> Schema {
        schema::schema()
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        let Some(m) = decode(config, &mut diags) else {
            return diags;
        };
        // Values only (no provider configuration yet): stand-in facts.
        let facts = ProviderFacts {
            subscription_id: "00000000-0000-0000-0000-000000000000".into(),
            tenant_id: "00000000-0000-0000-0000-000000000000".into(),
            cloud: aifactory_template::project::Cloud::Public,
        };
        let none = BTreeMap::new();
        let _ = spec::inputs(
            &m,
            &facts,
            Cidrs::Allocate {
                live: None,
                previous: &none,
            },
            &mut diags,
        );
        diags
    }

    async fn plan(&self, req: PlanRequest) -> PlanResponse {
        let mut diags = Diagnostics::new();
        let Some(config) = decode(&req.config, &mut diags) else {
            return PlanResponse {
                planned: req.config,
                diags,
                ..PlanResponse::default()
            };
        };
        let prior = if req.prior.is_null() {
            None
        } else {
            match decode(&req.prior, &mut diags) {
                Some(p) => Some(p),
                None => {
                    return PlanResponse {
                        planned: req.config,
                        diags,
                        ..PlanResponse::default()
                    }
                }
            }
        };
        let mut requires_replace = Vec::new();
        if let Some(p) = &prior {
            for (attr, a, b) in [
                ("environment", &p.environment, &config.environment),
                ("location", &p.location, &config.location),
            ] {
                if a != b {
                    requires_replace.push(AttrPath::attr(attr));
                }
            }
        }
        if let Some(p) = &prior {
            jump_host_change(p, &config, &mut diags);
            if diags.has_errors() {
                return PlanResponse {
                    planned: req.config,
                    diags,
                    ..PlanResponse::default()
                };
            }
        }
        if !req.config.is_wholly_known() {
            return PlanResponse {
                planned: unknown_computed(config).to_value(),
                private: req.prior_private,
                requires_replace,
                diags,
            };
        }
        let facts = match project::facts(&self.ctx) {
            Ok(f) => f,
            Err(d) => {
                diags.push(d);
                return PlanResponse {
                    planned: req.config,
                    diags,
                    ..PlanResponse::default()
                };
            }
        };
        let previous = prior.as_ref().map(cidrs_of).unwrap_or_default();
        // An existing vNet is read: its space is the pool, its other subnets are occupied.
        let mut live = None;
        if let Some(id) = config
            .virtual_network_id
            .known()
            .filter(|s| !s.trim().is_empty())
        {
            let Some(client) = client_or_diag(&self.ctx, &mut diags) else {
                return PlanResponse {
                    planned: req.config,
                    diags,
                    ..PlanResponse::default()
                };
            };
            let ctx = self.ctx.request_ctx(spec::PLAN_READ);
            // Our subnets (by name) are not occupied by others.
            let mut quiet = Diagnostics::new();
            let ours: BTreeSet<String> =
                spec::inputs(&config, &facts, Cidrs::Fixed(&previous), &mut quiet)
                    .and_then(|i| core::CommonNames::of(&i.spec).ok())
                    .map(|n| n.subnets.values().map(|s| s.to_ascii_lowercase()).collect())
                    .unwrap_or_default();
            match read_vnet(client, &ctx, id, &ours).await {
                Ok(v) => live = Some(v),
                Err(e) => {
                    diags.error(
                        AttrPath::attr("virtual_network_id"),
                        format!("Reading the virtual network: {}", e.summary()),
                        format!("{}\n\nThe common subnets are allocated from the vNet's address space; it must exist and be readable.", e.detail()),
                    );
                    return PlanResponse {
                        planned: req.config,
                        diags,
                        ..PlanResponse::default()
                    };
                }
            }
        }
        let Some(inputs) = spec::inputs(
            &config,
            &facts,
            Cidrs::Allocate {
                live: live.as_ref(),
                previous: &previous,
            },
            &mut diags,
        ) else {
            return PlanResponse {
                planned: req.config,
                diags,
                ..PlanResponse::default()
            };
        };
        let d = match core::desired(&inputs.spec) {
            Ok(d) => d,
            Err(issues) => {
                push_issues(&mut diags, &issues);
                return PlanResponse {
                    planned: req.config,
                    diags,
                    ..PlanResponse::default()
                };
            }
        };
        if let Err(e) = d.plan.validate_graph() {
            diags.error(
                AttrPath::root(),
                "Internal error in the common template",
                format!("{e}. Please report this."),
            );
            return PlanResponse {
                planned: req.config,
                diags,
                ..PlanResponse::default()
            };
        }
        if let Some(p) = &prior {
            if p.resource_group_name.known() != Some(&d.names.resource_group) {
                requires_replace.push(AttrPath::attr("naming"));
            }
        }
        if prior.is_none() {
            if let Some(client) = client_or_diag(&self.ctx, &mut diags) {
                let ctx = self.ctx.request_ctx(spec::PLAN_READ);
                let types: BTreeSet<String> = d
                    .plan
                    .resources
                    .iter()
                    .map(|r| r.resource_type.clone())
                    .collect();
                preflight::check(
                    client,
                    &ctx,
                    &facts.subscription_id,
                    &inputs.spec.location,
                    &types,
                    &mut diags,
                )
                .await;
            }
        }
        if let core::DnsZones::Hub { resource_group_id } = &inputs.spec.dns.zones {
            let dns = &inputs.spec.dns;
            if dns.link || dns.zone_groups {
                if let Some(client) = client_or_diag(&self.ctx, &mut diags) {
                    let ctx = self.ctx.request_ctx(spec::PLAN_READ);
                    check_hub_zones(client, &ctx, resource_group_id, &d.zones, &mut diags).await;
                }
            }
        }
        // Defender plans are the subscription's: one this plan newly sets may be someone
        // else's already.
        let held: BTreeSet<String> = prior
            .as_ref()
            .map(|p| p.records().into_keys().collect())
            .unwrap_or_default();
        let new_plans: Vec<(String, String, String)> = d
            .plan
            .resources
            .iter()
            .filter(|r| {
                r.resource_type == core::types::DEFENDER_PRICING.resource_type
                    && !held.contains(&r.key)
            })
            .map(|r| (r.name.clone(), r.id.clone(), r.api_version.clone()))
            .collect();
        if !new_plans.is_empty() {
            if let Some(client) = client_or_diag(&self.ctx, &mut diags) {
                let ctx = self.ctx.request_ctx(spec::PLAN_READ);
                preflight::defender_already_on(
                    client,
                    &ctx,
                    &facts.subscription_id,
                    &new_plans,
                    &mut diags,
                )
                .await;
            }
        }
        let cidrs: BTreeMap<String, String> = inputs
            .spec
            .network
            .subnets
            .iter()
            .map(|s| (s.purpose.as_str().to_string(), s.cidr.clone()))
            .collect();
        let records = desired_records(&d.plan);
        let planned = with_computed(&config, &d, &cidrs, records, BTreeMap::new());
        let private = match &prior {
            None => Private::default(),
            Some(_) => Private::from_value(&req.prior_private),
        };
        PlanResponse {
            planned: planned.to_value(),
            private: private.to_value(),
            requires_replace,
            diags,
        }
    }

    async fn apply(&self, req: ApplyRequest) -> StateResponse {
        if req.planned.is_null() {
            return self.destroy(req).await;
        }
        let mut diags = Diagnostics::new();
        let creating = req.prior.is_null();
        let fail_state = |diags: Diagnostics, req: &ApplyRequest| StateResponse {
            state: req.prior.clone(),
            private: if creating {
                Value::Null
            } else {
                req.planned_private.clone()
            },
            diags,
        };
        let Some(planned) = decode(&req.planned, &mut diags) else {
            return fail_state(diags, &req);
        };
        let prior = if creating {
            None
        } else {
            match decode(&req.prior, &mut diags) {
                Some(p) => Some(p),
                None => return fail_state(diags, &req),
            }
        };
        let facts = match project::facts(&self.ctx) {
            Ok(f) => f,
            Err(d) => {
                diags.push(d);
                return fail_state(diags, &req);
            }
        };
        let Some((inputs, d)) = desired_fixed(&planned, &facts, &mut diags) else {
            return fail_state(diags, &req);
        };
        let prior_desired = prior.as_ref().and_then(|p| {
            let mut quiet = Diagnostics::new();
            desired_fixed(p, &facts, &mut quiet).map(|(_, d)| d.plan)
        });
        let Some(client) = client_or_diag(&self.ctx, &mut diags) else {
            return fail_state(diags, &req);
        };
        if creating && planned.adopt_existing.known() != Some(&true) {
            let ctx = self.ctx.request_ctx(inputs.timeouts.read);
            let rg = &d.plan.resource_group_id;
            match client
                .arm()
                .get_opt(
                    &ctx,
                    rg,
                    aifactory_template::project::api::RESOURCE_GROUP.api_version,
                )
                .await
            {
                Ok(None) => {}
                Ok(Some(_)) => {
                    diags.error(
                        AttrPath::root(),
                        "The common part already exists",
                        format!(
                            "The common resource group {rg} already exists: another configuration may manage it, ESML's pipelines made it, or an earlier apply was cut off. To manage it here, import it (one import brings back every object):\n\n  terraform import <resource address> '{rg}'\n\nor set `adopt_existing = true` to take it over on create."
                        ),
                    );
                    return fail_state(diags, &req);
                }
                Err(e) => {
                    diags.error(
                        AttrPath::root(),
                        format!("Checking whether the common part exists: {}", e.summary()),
                        e.detail(),
                    );
                    return fail_state(diags, &req);
                }
            }
        }
        let private = Private::from_value(&req.planned_private);
        let records = prior.as_ref().map(CommonModel::records).unwrap_or_default();
        let changed = changed_bodies(prior_desired.as_ref(), &d.plan);
        let drifted = prior
            .as_ref()
            .map(CommonModel::drift_keys)
            .unwrap_or_default();
        let timeout = if creating {
            inputs.timeouts.create
        } else {
            inputs.timeouts.update
        };
        let engine = self.engine(client, timeout);
        let mut run = Run::new(d.plan.clone(), records, private.adopted.clone());
        engine
            .apply(&mut run, &changed, &drifted, prior_desired.as_ref())
            .await;
        for w in &run.warnings {
            diags.warning(AttrPath::root(), "Applying the common part", w.clone());
        }
        for e in &run.errors {
            job_diag(&mut diags, e, creating);
        }
        let drift = if run.errors.is_empty() {
            BTreeMap::new()
        } else {
            let mut m = prior
                .as_ref()
                .and_then(|p| p.drift.known().cloned())
                .unwrap_or_default();
            m.retain(|k, _| run.records.contains_key(k));
            m
        };
        let state = with_computed(
            &planned,
            &d,
            &cidrs_of(&planned),
            run.records.clone(),
            drift,
        );
        StateResponse {
            state: state.to_value(),
            private: Private {
                planned_create: None,
                adopted: run.adopted,
            }
            .to_value(),
            diags,
        }
    }

    async fn read(&self, prior_value: Value, private: Value) -> StateResponse {
        let mut diags = Diagnostics::new();
        let keep = |state: Value, private: Value, diags: Diagnostics| StateResponse {
            state,
            private,
            diags,
        };
        if prior_value.is_null() {
            return keep(prior_value, private, diags);
        }
        let Some(prior) = decode(&prior_value, &mut diags) else {
            return keep(prior_value, private, diags);
        };
        let facts = match project::facts(&self.ctx) {
            Ok(f) => f,
            Err(d) => {
                diags.push(d);
                return keep(prior_value, private, diags);
            }
        };
        let mut quiet = Diagnostics::new();
        let Some((inputs, d)) = desired_fixed(&prior, &facts, &mut quiet) else {
            return keep(prior_value, private, diags);
        };
        let Some(client) = client_or_diag(&self.ctx, &mut diags) else {
            return keep(prior_value, private, diags);
        };
        let records = prior.records();
        let adopted = Private::from_value(&private).adopted;
        let ctx = self.ctx.request_ctx(inputs.timeouts.read);
        match project::refresh_objects(client, &ctx, &d.plan, &records, &adopted).await {
            Ok(r) if r.gone => keep(Value::Null, Value::Null, diags),
            Ok(r) => {
                let mut state = prior;
                state.resources = Tf::Known(r.records);
                state.drift = Tf::Known(r.drift);
                keep(state.to_value(), private, diags)
            }
            Err(e) => {
                diags.error(
                    AttrPath::root(),
                    format!("Reading the common part from Azure: {}", e.summary()),
                    e.detail(),
                );
                keep(prior_value, private, diags)
            }
        }
    }

    async fn import(&self, id: &str) -> StateResponse {
        let mut diags = Diagnostics::new();
        let empty = |diags: Diagnostics| StateResponse {
            state: Value::Null,
            private: Value::Null,
            diags,
        };
        if let Err(why) = super::ids::check(id.trim(), Some("Microsoft.Resources/resourceGroups")) {
            diags.error(
                AttrPath::root(),
                "Invalid import ID",
                format!("{why} A common part is imported by the ID of its resource group (`<prefix>esml-common-<loc>-<env><suffix>`)."),
            );
            return empty(diags);
        }
        let facts = match project::facts(&self.ctx) {
            Ok(f) => f,
            Err(d) => {
                diags.push(d);
                return empty(diags);
            }
        };
        let Some(client) = client_or_diag(&self.ctx, &mut diags) else {
            return empty(diags);
        };
        let ctx = self.ctx.request_ctx(project::Timeouts::default().read);
        match discover::discover(client, &ctx, &facts, id.trim()).await {
            Ok((model, records)) => {
                let mut m = model;
                m.resources = Tf::Known(records);
                StateResponse {
                    state: m.to_value(),
                    private: Private::default().to_value(),
                    diags,
                }
            }
            Err(d) => {
                diags.push(d);
                empty(diags)
            }
        }
    }
}

mod discover;

/// Azure refuses to change an existing VM's admin user or SSH key (409
/// `PropertyChangeNotAllowed`): said at plan, with the way round it, instead of failing the
/// apply. The key is not repeated in the message.
fn jump_host_change(prior: &CommonModel, config: &CommonModel, diags: &mut Diagnostics) {
    if !prior.records().contains_key("jump_host") {
        return;
    }
    let field = |v: &Value, k: &str| -> Option<String> {
        v.inner()
            .as_map()
            .and_then(|m| m.get(k))
            .and_then(|x| x.inner().as_str().map(str::to_string))
    };
    for k in ["admin_username", "ssh_public_key"] {
        let (Some(old), Some(new)) = (field(&prior.jump_host, k), field(&config.jump_host, k))
        else {
            continue;
        };
        if old.trim() != new.trim() {
            diags.error(
                AttrPath::attr("jump_host").and_attr(k),
                "The jump host's admin user and SSH key cannot change",
                format!("Azure does not change `{k}` of an existing VM (PropertyChangeNotAllowed). Remove `jump_host`, apply (the VM and its disk are deleted), then add it back with the new value."),
            );
        }
    }
}
