//! `aifactory_project`: one block creates a whole AI/ML project in Azure — resource group,
//! managed identity, key vault, storage, Application Insights, Machine Learning, Databricks,
//! Data Factory, AI Search, AI Services, private endpoints with DNS, role assignments and
//! data lake ACLs — from the pure template in [`aifactory_template::project`].
//!
//! Owns: the HCL shape (`spec`), the `resources` map and private state (`model`), the apply
//! engine (`engine`: dependency order, parallel waves, adoption, retries, soft-delete
//! recovery, nothing untracked on failure), and drift detection / import (`refresh`).
//! Must not: decide what a project contains (the core does), talk HTTP (the Azure client
//! layer does).
//!
//! Plan computes every object at plan time (`resources`), so toggling a service or a member
//! shows exactly the objects added or removed. A failed create records exactly what exists
//! and Terraform taints the project; the replacement hands the existing objects over to the
//! new create instead of deleting them (see [`Project::apply`]).

mod discover;
mod engine;
mod limits;
mod model;
mod refresh;
mod schema;
mod shared;
pub(crate) mod spec;
mod subnets;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::context::ProviderContext;
use crate::framework::ToDiagnostic;
use crate::framework::{
    resource::{ApplyRequest, StateResponse},
    schema::Schema,
    AttrPath, Diagnostic, Diagnostics, FromValue, PlanRequest, PlanResponse, Resource, Tf, ToValue,
    Value,
};
use aifactory_azure::{AzureClient, AzureError};
use aifactory_template::project::{self as core, Cloud, DesiredProject};

pub use engine::{Engine, JobError, Run, DEFAULT_JOBS_IN_FLIGHT};
pub use model::{desired_records, Private, Record, Records};
pub(crate) use refresh::refresh as refresh_objects;
pub use schema::{resources_type, ProjectModel, StringMap, TeamModel};
pub use spec::{parse_duration, read_inputs, Inputs, ProviderFacts, Timeouts};

/// `aifactory_project`.
pub struct Project {
    ctx: Arc<ProviderContext>,
}

impl Project {
    pub fn new(ctx: Arc<ProviderContext>) -> Self {
        Project { ctx }
    }
}

/// Facts of the provider configuration a project needs.
pub(crate) fn facts(ctx: &ProviderContext) -> Result<ProviderFacts, Diagnostic> {
    let s = ctx.settings();
    let subscription_id = s.subscription_id.clone().filter(|x| !x.trim().is_empty()).ok_or_else(|| {
        Diagnostic::error(
            AttrPath::root(),
            "No Azure subscription configured",
            "Set `subscription_id` in the provider block or ARM_SUBSCRIPTION_ID: project names are salted with it.",
        )
    })?;
    let tenant_id = s.tenant_id.clone().filter(|x| !x.trim().is_empty()).ok_or_else(|| {
        Diagnostic::error(
            AttrPath::root(),
            "No Entra tenant configured",
            "Set `tenant_id` in the provider block or ARM_TENANT_ID: the project's key vault is bound to it.",
        )
    })?;
    let cloud = match aifactory_azure::cloud::known_environment(&s.environment) {
        Some("usgovernment") => Cloud::UsGovernment,
        Some("china") => Cloud::China,
        _ => Cloud::Public,
    };
    Ok(ProviderFacts {
        subscription_id,
        tenant_id,
        cloud,
    })
}

fn push_issues(diags: &mut Diagnostics, issues: &[core::Issue]) {
    for i in issues {
        let mut d = i.to_diagnostic();
        d.path = spec::fix_path(d.path);
        diags.push(d);
    }
}

/// The desired project of a configuration or state (with the identity's principal ID
/// when known).
pub fn desired_of(
    v: &ProjectModel,
    facts: &ProviderFacts,
    principal: Option<String>,
    diags: &mut Diagnostics,
) -> Option<(Inputs, DesiredProject)> {
    let mut inputs = spec::inputs(v, facts, diags)?;
    inputs.spec.identity_principal_id = principal;
    match core::desired(&inputs.spec) {
        Ok(d) => {
            push_issues(diags, &d.warnings);
            Some((inputs, d))
        }
        Err(issues) => {
            push_issues(diags, &issues);
            None
        }
    }
}

/// `value` decoded, or the decode error as a diagnostic on its attribute.
fn decode(value: &Value, diags: &mut Diagnostics) -> Option<ProjectModel> {
    match ProjectModel::decode(value) {
        Ok(m) => Some(m),
        Err(e) => {
            diags.push(e.to_diagnostic());
            None
        }
    }
}

fn azure_diag(diags: &mut Diagnostics, e: &engine::JobError, creating: bool) {
    let path = if e.key == model::DIRECTORY_KEY && e.error.code() == Some("FilesystemNotFound") {
        AttrPath::attr("common").and_key("datalake_filesystem")
    } else {
        AttrPath::root()
    };
    let next = if creating {
        "What was created is kept in state (Terraform marks the project tainted); fix the cause and apply again: \
         the existing objects are taken over, not re-created."
    } else {
        "What was changed is kept in state; fix the cause and apply again to continue."
    };
    diags.error(
        path,
        format!("{}: {}", e.what, e.error.summary()),
        format!("{}\n\n{next}", e.error.detail()),
    );
}

/// The subnet the project's Agent service was injected into (its Foundry account's
/// `networkInjections`), if any.
fn agent_subnet_of(desired: &DesiredProject) -> Option<String> {
    desired
        .resources
        .iter()
        .filter(|r| r.key == "ai_services" || r.key == "foundry_account")
        .find(|r| r.body.pointer("/properties/networkInjections").is_some())?
        .body
        .pointer("/properties/networkInjections/0/subnetArmId")?
        .as_str()
        .map(str::to_string)
}

/// A model deployment refused for quota: the model, SKU, capacity and region, on the
/// deployment's attribute, with what to do.
fn quota_diag(
    e: &engine::JobError,
    desired: &DesiredProject,
) -> Option<crate::framework::Diagnostic> {
    let name = e.key.strip_prefix("deployment.")?;
    let code = e.error.code()?;
    if !matches!(code, "InsufficientQuota" | "QuotaExceeded") {
        return None;
    }
    let r = desired.resources.iter().find(|r| r.key == e.key)?;
    let model = r
        .body
        .pointer("/properties/model/name")
        .and_then(|v| v.as_str())
        .unwrap_or("?");
    let version = r
        .body
        .pointer("/properties/model/version")
        .and_then(|v| v.as_str())
        .map_or(String::new(), |v| format!(" version {v}"));
    let sku = r
        .body
        .pointer("/sku/name")
        .and_then(|v| v.as_str())
        .unwrap_or("?");
    let capacity = r
        .body
        .pointer("/sku/capacity")
        .and_then(|v| v.as_i64())
        .unwrap_or(0);
    Some(crate::framework::Diagnostic::error(
        AttrPath::attr("deployments").and_key(name),
        format!("Not enough quota for deployment {name:?}"),
        format!(
            "Azure has no quota for {model}{version} with SKU {sku} and capacity {capacity} in {} \
             ({code}: {}). Lower `capacity`, choose another SKU (GlobalStandard and DataZoneStandard \
             draw on separate quota), or request more quota for the subscription in {}. The other \
             objects are kept; apply again once it fits.",
            desired.location,
            e.error.summary(),
            desired.location
        ),
    ))
}

/// A create must not take over a project that exists (another workspace's, or one left
/// by a cut-off apply): its resource group found, the error names it and the one import
/// that brings the whole project back.
async fn refuse_existing(
    client: &AzureClient,
    ctx: &aifactory_azure::Ctx,
    rg_id: &str,
) -> Result<(), crate::framework::Diagnostic> {
    let api = aifactory_template::project::api::RESOURCE_GROUP.api_version;
    match client.arm().get_opt(ctx, rg_id, api).await {
        Ok(None) => Ok(()),
        Ok(Some(_)) => {
            let inside = client
                .arm()
                .list(ctx, &format!("{rg_id}/resources"), "2021-04-01")
                .await
                .map(|items| items.len())
                .ok();
            let holds = inside.map_or(String::new(), |n| {
                format!(" It holds {n} resource{}.", if n == 1 { "" } else { "s" })
            });
            Err(crate::framework::Diagnostic::error(
                AttrPath::root(),
                "The project already exists",
                format!(
                    "The project's resource group {rg_id} already exists.{holds} Another configuration may \
manage it, or an earlier apply was cut off. To manage it here, import the whole project into this \
resource's address (one import brings back every object it made):\n\n  \
terraform import <resource address> '{rg_id}'\n\n\
or set `adopt_existing = true` to take it over on create (destroy then deletes it, whoever created it)."
                ),
            ))
        }
        Err(e) => Err(crate::framework::Diagnostic::error(
            AttrPath::root(),
            format!("Checking whether the project exists: {}", e.summary()),
            e.detail(),
        )),
    }
}

pub(crate) fn client_or_diag<'a>(
    ctx: &'a ProviderContext,
    diags: &mut Diagnostics,
) -> Option<&'a AzureClient> {
    match ctx.azure() {
        Ok(c) => Some(c),
        Err(d) => {
            diags.push(d);
            None
        }
    }
}

/// `base` (config or planned values) with the computed attributes.
fn with_computed(
    base: &ProjectModel,
    d: &DesiredProject,
    principal: Tf<String>,
    resources: Records,
    drift: BTreeMap<String, String>,
) -> ProjectModel {
    let mut s = base.clone();
    if s.network_access.is_null() {
        s.network_access = Tf::Known("private".into());
    }
    s.id = Tf::Known(d.resource_group_id.clone());
    s.resource_group_name = Tf::Known(d.resource_group_name.clone());
    s.identity_principal_id = principal;
    s.resources = Tf::Known(resources);
    s.datalake_path = d.datalake_path.clone().into();
    s.drift = Tf::Known(drift);
    s
}

/// Keys of ARM resources whose body differs between two desired projects (or common parts).
pub(crate) fn changed_bodies(
    before: Option<&DesiredProject>,
    after: &DesiredProject,
) -> BTreeSet<String> {
    let Some(before) = before else {
        return BTreeSet::new();
    };
    after
        .resources
        .iter()
        .filter(|r| {
            before
                .resources
                .iter()
                .find(|b| b.key == r.key)
                .is_none_or(|b| b.body != r.body)
        })
        .map(|r| r.key.clone())
        .collect()
}

/// The attributes whose change replaces the project (number, environment, location,
/// project type), when they change to a known value.
fn replaced_inputs(prior: &ProjectModel, config: &ProjectModel) -> Vec<AttrPath> {
    let mut out = Vec::new();
    if prior.number != config.number && !config.number.is_unknown() {
        out.push(AttrPath::attr("number"));
    }
    for (attr, before, after) in [
        ("environment", &prior.environment, &config.environment),
        ("location", &prior.location, &config.location),
        ("project_type", &prior.project_type, &config.project_type),
    ] {
        if before != after && !after.is_unknown() {
            out.push(AttrPath::attr(attr));
        }
    }
    out
}

/// A new resource group name, or globally unique names that change (salt via
/// `common.resource_group_name`), replace the project: the resources cannot be renamed
/// in place.
fn renames(
    prior: &ProjectModel,
    config: &ProjectModel,
    desired: &DesiredProject,
    records: &Records,
    requires_replace: &mut Vec<AttrPath>,
) {
    let common_rg = || AttrPath::attr("common").and_key("resource_group_name");
    let prior_id = prior.id.as_deref().unwrap_or_default();
    if !prior_id.eq_ignore_ascii_case(&desired.resource_group_id) && requires_replace.is_empty() {
        let mut changed = Vec::new();
        if prior.naming != config.naming {
            changed.push(AttrPath::attr("naming"));
        }
        if prior.common != config.common {
            changed.push(common_rg());
        }
        if changed.is_empty() {
            changed.push(AttrPath::attr("naming"));
        }
        requires_replace.extend(changed);
    }
    if requires_replace.is_empty()
        && prior.common_at("resource_group_name") != config.common_at("resource_group_name")
    {
        let renamed = prior.records().iter().any(|(k, r)| {
            r.is_arm_resource()
                && records
                    .get(k)
                    .is_some_and(|w| w.id.is_some() && w.id != r.id)
        });
        if renamed {
            requires_replace.push(common_rg());
        }
    }
}

/// The plan of a configuration that is not wholly known (something comes from another
/// resource): the objects are known after apply; the names when their inputs are known.
fn plan_unknown(
    config: &ProjectModel,
    prior: Option<&ProjectModel>,
    facts: &ProviderFacts,
    mut planned: ProjectModel,
    mut requires_replace: Vec<AttrPath>,
) -> (ProjectModel, Vec<AttrPath>) {
    let named = if spec::naming_known(config) {
        let mut d = Diagnostics::new();
        spec::inputs(config, facts, &mut d)
            .and_then(|i| {
                i.spec
                    .compose_names()
                    .ok()
                    .filter(|(_, issues)| issues.is_empty())
                    .map(|(n, _)| n)
            })
            .map(|n| {
                (
                    core::ids::resource_group_id(&facts.subscription_id, &n.resource_group),
                    n.resource_group,
                )
            })
    } else {
        None
    };
    match &named {
        Some((id, name)) => {
            planned.id = Tf::Known(id.clone());
            planned.resource_group_name = Tf::Known(name.clone());
        }
        None => {
            planned.id = Tf::Unknown;
            planned.resource_group_name = Tf::Unknown;
        }
    }
    if let (Some(prior), Some((id, _))) = (prior, &named) {
        if !prior
            .id
            .as_deref()
            .is_some_and(|p| p.eq_ignore_ascii_case(id))
        {
            requires_replace.push(AttrPath::attr("naming"));
        }
    }
    planned.identity_principal_id = prior.map_or(Tf::Unknown, |p| p.identity_principal_id.clone());
    planned.resources = Tf::Unknown;
    planned.datalake_path = Tf::Unknown;
    planned.drift = Tf::Known(BTreeMap::new());
    (planned, requires_replace)
}

/// The delete half of replacing a tainted project by the same project: hand what exists
/// over to the create that follows (it re-applies every object), deleting only what the
/// new plan no longer has.
async fn hand_over(
    engine: &Engine<'_>,
    run: &mut Run,
    planned: &model::PlannedCreate,
    prior_desired: &DesiredProject,
    diags: &mut Diagnostics,
) {
    let gone: Vec<String> = run
        .records
        .iter()
        .filter(|(k, r)| match planned.ids.get(*k) {
            None => true,
            Some(Some(id)) => {
                r.id.as_deref()
                    .is_some_and(|have| !have.eq_ignore_ascii_case(id))
            }
            Some(None) => false,
        })
        .map(|(k, _)| k.clone())
        .collect();
    tracing::debug!(
        kept = run.records.len() - gone.len(),
        deleted = gone.len(),
        "replacing a tainted project: handing objects over"
    );
    if !gone.is_empty() {
        engine.remove(run, &gone, Some(prior_desired)).await;
        for e in &run.errors {
            azure_diag(diags, e, false);
        }
    }
}

/// Refuse to destroy a resource group holding resources the project did not create
/// (unless `force_destroy`): an error in `diags`.
async fn refuse_foreign(
    engine: &Engine<'_>,
    records: &Records,
    prior_desired: &DesiredProject,
    force_destroy: bool,
    diags: &mut Diagnostics,
) {
    let owned: BTreeSet<String> = records
        .values()
        .filter_map(|r| r.id.as_deref().map(str::to_ascii_lowercase))
        .collect();
    let pe_names: Vec<String> = prior_desired
        .resources
        .iter()
        .filter(|r| r.key.starts_with("private_endpoint."))
        .map(|r| r.name.clone())
        .collect();
    match engine
        .foreign_resources(&prior_desired.resource_group_id, &owned, &pe_names)
        .await
    {
        Ok(foreign) if !foreign.is_empty() && !force_destroy => {
            diags.error(
                AttrPath::attr("force_destroy"),
                format!("The project's resource group holds {} resource(s) the project did not create", foreign.len()),
                format!(
                    "Destroying the project would delete them with its resource group {}:\n  {}\n\nMove or delete them first, or set `force_destroy = true` (and apply) to delete them with the project.",
                    prior_desired.resource_group_name,
                    foreign.join("\n  ")
                ),
            );
        }
        Ok(_) => {}
        Err(e) => {
            diags.error(
                AttrPath::root(),
                format!("Listing the project's resource group: {}", e.summary()),
                e.detail(),
            );
        }
    }
}

impl Project {
    fn engine<'a>(&self, client: &'a AzureClient, timeout: Duration) -> Engine<'a> {
        let mut e = Engine::new(client, self.ctx.request_ctx(timeout));
        e.purge_soft_delete_on_destroy = self.ctx.purge_soft_delete_on_destroy();
        e.recover_soft_deleted = self.ctx.recover_soft_deleted();
        e
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
        let facts = match facts(&self.ctx) {
            Ok(f) => f,
            Err(d) => {
                diags.push(d);
                return keep(diags);
            }
        };
        let principal = prior.identity_principal_id.known().cloned();
        // A state whose inputs are incomplete (an import of a cut-off project) still
        // destroys: missing subnets stand in as placeholders, as import does.
        let mut quiet = Diagnostics::new();
        let Some(prior_desired) =
            desired_for_import(&prior, &facts, principal, &mut diags, &mut quiet)
        else {
            return keep(diags);
        };
        let Some(inputs) = spec::inputs(&prior, &facts, &mut diags) else {
            return keep(diags);
        };
        let Some(client) = client_or_diag(&self.ctx, &mut diags) else {
            return keep(diags);
        };
        let records = prior.records();
        let private = Private::from_value(&req.planned_private);
        let engine = self.engine(client, inputs.timeouts.delete);
        let mut run = Run::new(
            prior_desired.clone(),
            records.clone(),
            private.adopted.clone(),
        );

        if let Some(pc) = &private.planned_create {
            if pc
                .resource_group_id
                .eq_ignore_ascii_case(&prior_desired.resource_group_id)
            {
                hand_over(&engine, &mut run, pc, &prior_desired, &mut diags).await;
                if diags.has_errors() {
                    return keep(diags);
                }
                self.ctx.note_handed_over(&pc.resource_group_id);
                return StateResponse {
                    state: Value::Null,
                    private: Value::Null,
                    diags,
                };
            }
        }

        if records.contains_key("resource_group") {
            refuse_foreign(
                &engine,
                &records,
                &prior_desired,
                inputs.force_destroy,
                &mut diags,
            )
            .await;
            if diags.has_errors() {
                return keep(diags);
            }
        }
        engine
            .destroy(&mut run, &prior_desired, inputs.datalake_delete_on_destroy)
            .await;
        for w in &run.warnings {
            diags.warning(AttrPath::root(), "Destroying the project", w.clone());
        }
        if run.errors.is_empty() {
            // The Agent service holds its subnet (a service association link) for a while
            // after its capability host is gone: wait for Azure to release it, so that the
            // subnet allocation's destroy that follows does not fail with
            // InUseSubnetCannotBeDeleted.
            if let Some(subnet) = agent_subnet_of(&prior_desired) {
                let ctx = self.ctx.request_ctx(inputs.timeouts.delete);
                if let Err(why) = subnets::wait_for_release(client, &ctx, &subnet).await {
                    diags.warning(
                        AttrPath::attr("subnet_ids").and_key("agent"),
                        "The agent subnet is still held",
                        why,
                    );
                }
            }
            return StateResponse {
                state: Value::Null,
                private: Value::Null,
                diags,
            };
        }
        for e in &run.errors {
            azure_diag(&mut diags, e, false);
        }
        // The state keeps exactly what is left.
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
impl Resource for Project {
    fn type_name(&self) -> &'static str {
        "project"
    }

    fn schema(&self) -> Schema {
        schema::schema()
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        spec::check_shapes(config)
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
        let mut planned = config.clone();
        if planned.network_access.is_null() {
            planned.network_access = Tf::Known("private".into());
        }
        let prior_private = Private::from_value(&req.prior_private);
        let facts = match facts(&self.ctx) {
            Ok(f) => f,
            Err(d) => {
                diags.push(d);
                return PlanResponse {
                    planned: planned.to_value(),
                    diags,
                    ..PlanResponse::default()
                };
            }
        };
        let mut requires_replace = prior
            .as_ref()
            .map(|p| replaced_inputs(p, &config))
            .unwrap_or_default();
        if !req.config.is_wholly_known() {
            let (planned, requires_replace) =
                plan_unknown(&config, prior.as_ref(), &facts, planned, requires_replace);
            return PlanResponse {
                planned: planned.to_value(),
                private: prior_private.to_value(),
                requires_replace,
                diags,
            };
        }

        // The identity keeps its principal unless it is (re-)created.
        let mut principal = None;
        if let Some(prior) = &prior {
            let mut d = Diagnostics::new();
            let new_identity =
                desired_of(&config, &facts, None, &mut d).map(|(_, dp)| dp.identity_id);
            let same_identity = prior
                .records()
                .get("identity")
                .and_then(|r| r.id.clone())
                .zip(new_identity)
                .is_some_and(|(a, b)| a.eq_ignore_ascii_case(&b));
            if same_identity {
                principal = prior.identity_principal_id.known().cloned();
            }
        }
        let Some((inputs, desired)) = desired_of(&config, &facts, principal.clone(), &mut diags)
        else {
            return PlanResponse {
                planned: planned.to_value(),
                diags,
                ..PlanResponse::default()
            };
        };
        if let Err(e) = desired.validate_graph() {
            diags.error(
                AttrPath::root(),
                "Internal error in the project template",
                format!("{e}. Please report this."),
            );
            return PlanResponse {
                planned: planned.to_value(),
                diags,
                ..PlanResponse::default()
            };
        }
        let records = model::desired_records(&desired);
        if let Some(prior) = &prior {
            renames(prior, &config, &desired, &records, &mut requires_replace);
        }
        let prior_records = prior
            .as_ref()
            .map(ProjectModel::records)
            .unwrap_or_default();
        limits::check_role_assignments(&self.ctx, &desired, &prior_records, &mut diags).await;
        limits::check_lake_acls(&self.ctx, &desired, &prior_records, &mut diags).await;
        let subnets_may_change = prior
            .as_ref()
            .is_none_or(|p| p.subnet_ids != config.subnet_ids || p.services != config.services);
        if subnets_may_change {
            subnets::check(&self.ctx, &inputs.spec, subnets::Moment::Plan, &mut diags).await;
        }
        let private = match &prior {
            None => Private {
                planned_create: Some(model::PlannedCreate {
                    resource_group_id: desired.resource_group_id.clone(),
                    ids: records
                        .iter()
                        .map(|(k, r)| (k.clone(), r.id.clone()))
                        .collect(),
                }),
                adopted: BTreeMap::new(),
            },
            Some(_) => Private {
                planned_create: None,
                adopted: prior_private.adopted,
            },
        };
        let planned = with_computed(
            &planned,
            &desired,
            principal.map_or(Tf::Unknown, Tf::Known),
            records,
            BTreeMap::new(),
        );
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
        let facts = match facts(&self.ctx) {
            Ok(f) => f,
            Err(d) => {
                diags.push(d);
                return fail_state(diags, &req);
            }
        };
        let principal = planned.identity_principal_id.known().cloned();
        let Some((inputs, desired)) = desired_of(&planned, &facts, principal, &mut diags) else {
            return fail_state(diags, &req);
        };
        diags = Diagnostics::new(); // warnings were shown at plan time
        let prior_principal = prior
            .as_ref()
            .and_then(|p| p.identity_principal_id.known().cloned());
        let prior_desired = prior.as_ref().and_then(|p| {
            let mut d = Diagnostics::new();
            desired_of(p, &facts, prior_principal.clone(), &mut d).map(|(_, dp)| dp)
        });
        let Some(client) = client_or_diag(&self.ctx, &mut diags) else {
            return fail_state(diags, &req);
        };
        let subnets_may_change = prior
            .as_ref()
            .is_none_or(|p| p.subnet_ids != planned.subnet_ids || p.services != planned.services);
        if subnets_may_change {
            subnets::check(&self.ctx, &inputs.spec, subnets::Moment::Apply, &mut diags).await;
            if diags.has_errors() {
                return fail_state(diags, &req);
            }
        }
        let handed_over = creating && self.ctx.take_handed_over(&desired.resource_group_id);
        if creating && !handed_over && planned.adopt_existing.known() != Some(&true) {
            let check = self.ctx.request_ctx(inputs.timeouts.read);
            if let Err(d) = refuse_existing(client, &check, &desired.resource_group_id).await {
                diags.push(d);
                return fail_state(diags, &req);
            }
        }
        let private = Private::from_value(&req.planned_private);
        let records = prior
            .as_ref()
            .map(ProjectModel::records)
            .unwrap_or_default();
        let changed = changed_bodies(prior_desired.as_ref(), &desired);
        let drifted = prior
            .as_ref()
            .map(ProjectModel::drift_keys)
            .unwrap_or_default();
        let timeout = if creating {
            inputs.timeouts.create
        } else {
            inputs.timeouts.update
        };
        let engine = self.engine(client, timeout);
        let mut run = Run::new(desired, records, private.adopted.clone());
        engine
            .apply(&mut run, &changed, &drifted, prior_desired.as_ref())
            .await;

        for w in &run.warnings {
            diags.warning(AttrPath::root(), "Applying the project", w.clone());
        }
        for e in &run.errors {
            match quota_diag(e, &run.desired) {
                Some(d) => diags.push(d),
                None => azure_diag(&mut diags, e, creating),
            }
        }
        let principal = run
            .desired
            .role_assignments
            .iter()
            .find(|r| r.principal == core::PrincipalRef::ProjectIdentity)
            .and_then(|r| r.principal_id.clone())
            .or(prior_principal);
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
        let principal = if run.records.contains_key("identity") {
            principal.into()
        } else {
            Tf::Null
        };
        let state = with_computed(
            &planned,
            &run.desired,
            principal,
            run.records.clone(),
            drift,
        );
        let private = Private {
            planned_create: None,
            adopted: run.adopted.clone(),
        };
        if run.errors.is_empty() {
            let want = model::desired_records(&run.desired);
            if want != run.records {
                let diff = model::changed_keys(&want, &run.records);
                tracing::warn!(?diff, "applied objects differ from the plan");
            }
        }
        StateResponse {
            state: state.to_value(),
            private: private.to_value(),
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
        let facts = match facts(&self.ctx) {
            Ok(f) => f,
            Err(d) => {
                diags.push(d);
                return keep(prior_value, private, diags);
            }
        };
        let principal = prior.identity_principal_id.known().cloned();
        let mut d = Diagnostics::new();
        let Some((inputs, desired)) = desired_of(&prior, &facts, principal, &mut d) else {
            // The state cannot be read as a project (e.g. another subscription configured):
            // keep it; plan reports the problem on the configuration.
            return keep(prior_value, private, diags);
        };
        let Some(client) = client_or_diag(&self.ctx, &mut diags) else {
            return keep(prior_value, private, diags);
        };
        let records = prior.records();
        let adopted = Private::from_value(&private).adopted;
        let ctx = self.ctx.request_ctx(inputs.timeouts.read);
        match refresh::refresh(client, &ctx, &desired, &records, &adopted).await {
            Ok(r) if r.gone => keep(Value::Null, Value::Null, diags),
            Ok(r) => {
                let has_identity = r.records.contains_key("identity");
                let mut state = prior;
                if let Some(p) = r.principal.filter(|_| has_identity) {
                    state.identity_principal_id = Tf::Known(p);
                } else if !has_identity {
                    state.identity_principal_id = Tf::Null;
                }
                state.resources = Tf::Known(r.records);
                state.drift = Tf::Known(r.drift);
                keep(state.to_value(), private, diags)
            }
            Err(e) => {
                diags.error(
                    AttrPath::root(),
                    format!("Reading the project from Azure: {}", e.summary()),
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
                format!("{why} A project is imported by the ID of its resource group."),
            );
            return empty(diags);
        }
        let facts = match facts(&self.ctx) {
            Ok(f) => f,
            Err(d) => {
                diags.push(d);
                return empty(diags);
            }
        };
        let Some(client) = client_or_diag(&self.ctx, &mut diags) else {
            return empty(diags);
        };
        let ctx = self.ctx.request_ctx(Timeouts::default().read);
        let found = match discover::discover(client, &ctx, &facts.subscription_id, id.trim()).await
        {
            Ok(f) => f,
            Err(msg) => {
                diags.error(AttrPath::root(), "Cannot import the project", msg);
                return empty(diags);
            }
        };
        for w in &found.warnings {
            diags.warning(AttrPath::root(), "Importing the project", w.clone());
        }
        let state = import_model(&found);
        let mut d = Diagnostics::new();
        let Some(desired) =
            desired_for_import(&state, &facts, found.principal.clone(), &mut d, &mut diags)
        else {
            let mut detail =
                String::from("The settings found in Azure do not make a valid project:\n");
            for x in d.iter() {
                detail.push_str(&format!("  {}: {}\n", x.path, x.summary));
            }
            diags.error(AttrPath::root(), "Cannot import the project", detail);
            return empty(diags);
        };
        let mut records = model::desired_records(&desired);
        records.retain(|_, r| r.id.is_some() && r.name.is_some());
        let refreshed =
            match refresh::refresh(client, &ctx, &desired, &records, &BTreeMap::new()).await {
                Ok(r) => r,
                Err(e) => {
                    diags.error(
                        AttrPath::root(),
                        format!("Reading the project from Azure: {}", e.summary()),
                        e.detail(),
                    );
                    return empty(diags);
                }
            };
        let principal = found
            .principal
            .clone()
            .filter(|_| refreshed.records.contains_key("identity"));
        let state = with_computed(
            &state,
            &desired,
            principal.into(),
            refreshed.records,
            refreshed.drift,
        );
        StateResponse {
            state: state.to_value(),
            private: Value::Null,
            diags,
        }
    }
}

/// The desired project of an imported state. A project whose create was cut off (the
/// provider killed) may have no private endpoint yet, so Azure cannot tell its subnets:
/// then every subnet the template needs stands in as a placeholder for naming the
/// objects, the state keeps `subnet_ids` as found, and the next plan takes them from the
/// configuration (with a warning saying so).
fn desired_for_import(
    state: &ProjectModel,
    facts: &ProviderFacts,
    principal: Option<String>,
    d: &mut Diagnostics,
    warnings: &mut Diagnostics,
) -> Option<DesiredProject> {
    let mut inputs = spec::inputs(state, facts, d)?;
    inputs.spec.identity_principal_id = principal;
    let issues = match core::desired(&inputs.spec) {
        Ok(desired) => return Some(desired),
        Err(issues) => issues,
    };
    let missing: Vec<&'static str> = issues
        .iter()
        .filter_map(|i| match &i.kind {
            core::IssueKind::MissingSubnet { purpose, .. } => Some(*purpose),
            _ => None,
        })
        .collect();
    if missing.is_empty() || missing.len() != issues.len() {
        push_issues(d, &issues);
        return None;
    }
    for purpose in &missing {
        inputs.spec.subnet_ids.insert(
            (*purpose).to_string(),
            format!(
                "/subscriptions/{}/resourceGroups/unknown/providers/Microsoft.Network/virtualNetworks/unknown/subnets/{purpose}",
                facts.subscription_id
            ),
        );
    }
    match core::desired(&inputs.spec) {
        Ok(desired) => {
            warnings.warning(
                AttrPath::attr("subnet_ids"),
                "The project is incomplete",
                format!(
                    "Azure holds no private endpoint of this project yet (was its create cut off?), so its \
                     subnets ({}) cannot be read back. The next plan takes subnet_ids from the configuration \
                     and creates what is missing.",
                    missing.join(", ")
                ),
            );
            Some(desired)
        }
        Err(issues) => {
            push_issues(d, &issues);
            None
        }
    }
}

/// The inputs import found, as a configuration would write them (absent maps and lists
/// null; `team` typed as Terraform types its literal, so it matches the configuration's).
fn import_model(f: &discover::Discovered) -> ProjectModel {
    let strings = |m: &BTreeMap<String, String>| -> StringMap {
        m.iter()
            .map(|(k, v)| (k.clone(), Tf::Known(v.clone())))
            .collect()
    };
    let map_or_null = |m: &BTreeMap<String, String>| {
        if m.is_empty() {
            Tf::Null
        } else {
            Tf::Known(strings(m))
        }
    };
    let personas = if f.personas.is_empty() {
        Value::Null
    } else {
        Value::Map(
            f.personas
                .iter()
                .map(|(name, p)| {
                    let fields = BTreeMap::from([
                        (
                            "object_ids".to_string(),
                            Value::List(p.object_ids.iter().cloned().map(Value::String).collect()),
                        ),
                        (
                            "principal_type".to_string(),
                            Value::String(p.principal_type.clone()),
                        ),
                        ("role_set".to_string(), Value::String(p.role_set.clone())),
                    ]);
                    (name.clone(), Value::Map(fields))
                })
                .collect(),
        )
    };
    let team = TeamModel {
        object_ids: Tf::Known(f.team_ids.iter().cloned().map(Tf::Known).collect()),
        principal_type: Tf::Known(f.team_principal_type.clone()),
        service_principal_object_id: f.service_principal.clone().into(),
        personas,
    };
    ProjectModel {
        number: Tf::Known(crate::framework::Num::from(f.number as f64)),
        environment: Tf::Known(f.environment.clone()),
        location: Tf::Known(f.location.clone()),
        project_type: Tf::Known(f.project_type.clone()),
        naming: map_or_null(&f.naming),
        common: Tf::Known(strings(&f.common)),
        subnet_ids: map_or_null(&f.subnet_ids),
        team: team.to_literal(),
        services: if f.services.is_empty() {
            Tf::Null
        } else {
            Tf::Known(
                f.services
                    .iter()
                    .map(|(k, v)| (k.clone(), Tf::Known(*v)))
                    .collect(),
            )
        },
        network_access: Tf::Known(f.network_access.clone()),
        ip_allowlist: if f.ip_allowlist.is_empty() {
            Tf::Null
        } else {
            Tf::Known(f.ip_allowlist.iter().cloned().map(Tf::Known).collect())
        },
        tags: map_or_null(&f.tags),
        key_vault_purge_protection: f.key_vault_purge_protection.into(),
        diagnostics: f.diagnostics.into(),
        deployments: schema::deployments_literal(&f.deployments),
        search_options: map_or_null(&f.search_options),
        foundry_options: map_or_null(&f.foundry_options),
        ..ProjectModel::default()
    }
}

/// Errors of the Azure client, for callers outside this module (benchmarks, tools).
pub fn describe(e: &AzureError) -> String {
    format!("{}: {}", e.summary(), e.detail())
}
