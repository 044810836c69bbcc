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

mod engine;
mod model;
mod refresh;
mod shared;
pub(crate) mod spec;
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
    schema::{Attribute, Nesting, Schema, Type},
    AttrPath, Diagnostic, Diagnostics, PlanRequest, PlanResponse, Resource, Value,
};
use aifactory_azure::{AzureClient, AzureError};
use aifactory_template::project::{self as core, Cloud, DesiredProject};

pub use engine::{Engine, Run, DEFAULT_JOBS_IN_FLIGHT};
pub use model::{desired_records, Private, Record, Records};
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

fn resources_type() -> Type {
    Type::map(Type::Object(vec![
        ("type".into(), Type::String),
        ("name".into(), Type::String),
        ("id".into(), Type::String),
        ("api_version".into(), Type::String),
    ]))
}

pub(crate) fn schema() -> Schema {
    Schema {
        version: 0,
        description: "One AI/ML project of the AI factory, created whole in Azure: its resource group, a \
user-assigned managed identity, a key vault, storage, Application Insights, and per `project_type` Azure \
Machine Learning (esml), optionally Databricks and Data Factory (esml), or AI Search and AI Services (genai), \
each with private endpoints and DNS (or an IP allowlist), the team's and the identity's role assignments, and \
the project's folder with ACLs in the common data lake.\n\n\
The plan lists every Azure object the project owns in `resources`, known at plan time (only the parts that \
depend on the new managed identity's principal ID are unknown until it exists), so adding a team member or \
toggling a service shows exactly the objects added or removed. Apply creates them in dependency order, \
independent ones in parallel, and updates in place with the minimal set of calls. Role assignments have \
deterministic names, send `principalType` and are retried while Entra ID replicates a new principal; an \
assignment that already exists under another name is adopted. If anything fails, the state records exactly \
what exists (Terraform taints a failed create) and the next apply continues from there. Refresh detects \
objects deleted or changed behind Terraform's back (`drift`) and the next apply repairs them. Destroy deletes \
in reverse order and refuses to delete a resource group holding resources the project does not own unless \
`force_destroy` is set."
            .into(),
        attributes: vec![
            Attribute::required("number", Type::Number, "Project number, 1 to 999; rendered `001` in names. Changing it replaces the project.")
                .forces_replacement(),
            Attribute::required("environment", Type::String, "`dev`, `test` or `prod`. Changing it replaces the project.")
                .forces_replacement(),
            Attribute::required("location", Type::String, "Azure region, for example `westeurope`. Changing it replaces the project.")
                .forces_replacement(),
            Attribute::required(
                "project_type",
                Type::String,
                "`esml` (Azure Machine Learning, optional Databricks and Data Factory) or `genai` (AI Search and AI Services, optional Azure Machine Learning). Changing it replaces the project.",
            )
            .forces_replacement(),
            Attribute::optional(
                "naming",
                Type::map(Type::String),
                "Naming options: `prefix` (default empty, e.g. `acme-`), `location_short` (default from the location, e.g. `weu`), `suffix` (default `-001`), `salt` (`aifactory`, the default, or `esml`: ESML's salt, Bicep `uniqueString` of the common resource group's ID, and ESML's key vault, storage, Data Factory and Databricks patterns, to adopt a project ESML's pipelines created; write `common.resource_group_name` with ESML's casing then), `random_salt` (only with `salt = \"esml\"`: ESML's 10-character random salt, lowercase letters, digits and hyphens as in the project managed identity's name `mi-prj<NNN>-<loc>-<env>-<s5><random salt><suffix>`; with it the managed identity, AI Search and AI Services take ESML's names too; import sets it). See the naming rules below. A change that renames the resource group replaces the project; changing `salt` renames the globally unique resources.",
            ),
            Attribute::required(
                "common",
                Type::map(Type::String),
                "References into the AI factory's common part: `resource_group_name` (also salts the globally unique names; changing it replaces the project), `private_dns_zone_resource_group_id` (the resource group of the `privatelink.*` zones), `log_analytics_workspace_id`, and optionally `datalake_storage_account_id` with `datalake_filesystem` (the common ADLS Gen2 lake and filesystem, which must exist; the project creates only its directory `projects/project<NNN>` in it).",
            ),
            Attribute::optional(
                "subnet_ids",
                Type::map(Type::String),
                "Subnet IDs by purpose: `private_endpoints` (with `network_access = \"private\"`), `dbx_public` and `dbx_private` (Databricks VNet injection). The subnets must exist; the project does not write them.",
            ),
            Attribute::required(
                "team",
                Type::Dynamic,
                "The project team: `{ object_ids = [\"<Entra object ID>\", ...], principal_type = \"Group\", service_principal_object_id = \"<object ID>\" }`. `object_ids` are users or groups (all of `principal_type`, `User` or `Group`, default `Group`); the optional service principal is the project's automation identity (use the object ID of its enterprise application). Adding or removing a member adds or removes exactly that member's role assignments and ACL entries.",
            ),
            Attribute::optional(
                "services",
                Type::map(Type::Bool),
                "Optional services: `databricks` and `data_factory` (esml), `azure_ml` (genai). Default off.",
            ),
            Attribute::optional_computed(
                "network_access",
                Type::String,
                "`private` (default): public network access disabled, private endpoints in `subnet_ids.private_endpoints` with DNS zone groups. `allowlist`: public access restricted to `ip_allowlist`, no private endpoints.",
            ),
            Attribute::optional("ip_allowlist", Type::list(Type::String), "Public IPv4 addresses or CIDRs allowed with `network_access = \"allowlist\"`."),
            Attribute::optional("tags", Type::map(Type::String), "Tags for every resource; the provider adds the ownership tags `aifactory-project`, `aifactory-environment` and `aifactory-type`."),
            Attribute::optional(
                "key_vault_purge_protection",
                Type::Bool,
                "Key Vault purge protection. Default: on in prod only (it is irreversible and keeps a deleted vault's name reserved for 90 days).",
            ),
            Attribute::optional(
                "force_destroy",
                Type::Bool,
                "Delete the project's resource group even when it holds resources the project did not create. Default false: destroy stops and names them.",
            ),
            Attribute::optional(
                "datalake_delete_on_destroy",
                Type::Bool,
                "Delete the project's data lake directory `projects/project<NNN>` with all its data on destroy. Default false: the directory and its data stay; the project's ACL entries are removed.",
            ),
            Attribute::block(
                "timeouts",
                Nesting::Single,
                vec![
                    Attribute::optional("create", Type::String, "Time limit for creating the project, in Go duration syntax (`90m`, `1h30m`). Default `60m`."),
                    Attribute::optional("read", Type::String, "Time limit for refreshing the project, in Go duration syntax. Default `5m`."),
                    Attribute::optional("update", Type::String, "Time limit for updating the project, in Go duration syntax. Default `60m`."),
                    Attribute::optional("delete", Type::String, "Time limit for destroying the project, in Go duration syntax. Default `60m`."),
                ],
                "Time limits per operation, as in every azurerm resource: `timeouts { create = \"90m\" }`. When one runs out, the operation stops and the state keeps what exists.",
            ),
            Attribute::computed("id", Type::String, "The project's resource group ID."),
            Attribute::computed("resource_group_name", Type::String, "The project's resource group name."),
            Attribute::computed(
                "identity_principal_id",
                Type::String,
                "Principal (object) ID of the project's user-assigned managed identity; known once it exists.",
            ),
            Attribute::computed(
                "resources",
                resources_type(),
                "Every Azure object the project owns, keyed by a stable logical name: `resource_group`, `identity`, `key_vault`, `storage`, ..., `private_endpoint.<target>_<group>`, role assignments `role.<principal>.<scope>.<role>`, data lake ACL entries `acl.<principal>.<path>.<scope>` and the directory `datalake_directory`. Each has `type` (ARM type; `dfs/acl` and `dfs/directory` for the lake), `name`, `id` and `api_version`.",
            ),
            Attribute::computed("datalake_path", Type::String, "The project's directory in the data lake filesystem, `projects/project<NNN>` (null without a data lake)."),
            Attribute::computed(
                "drift",
                Type::map(Type::String),
                "Objects the last refresh found changed outside Terraform, with what differs; the next apply rewrites them. Empty when Azure matches the configuration.",
            ),
        ],
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
    v: &Value,
    facts: &ProviderFacts,
    principal: Option<String>,
    diags: &mut Diagnostics,
) -> Option<(Inputs, DesiredProject)> {
    let mut inputs = spec::read_inputs(v, facts, diags)?;
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

fn known_string(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

fn string_map_value(m: &BTreeMap<String, String>) -> Value {
    Value::Map(
        m.iter()
            .map(|(k, v)| (k.clone(), Value::string(v.clone())))
            .collect(),
    )
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

fn client_or_diag<'a>(
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

/// The state for `base` (config or planned values) with the computed attributes.
fn with_computed(
    base: &Value,
    d: &DesiredProject,
    principal: Value,
    resources: Value,
    drift: Value,
) -> Value {
    let mut s = base.clone();
    if s.get("network_access").is_null() {
        s.set("network_access", Value::string("private"));
    }
    s.set("id", Value::string(d.resource_group_id.clone()));
    s.set(
        "resource_group_name",
        Value::string(d.resource_group_name.clone()),
    );
    s.set("identity_principal_id", principal);
    s.set("resources", resources);
    s.set(
        "datalake_path",
        d.datalake_path.clone().map_or(Value::Null, Value::String),
    );
    s.set("drift", drift);
    s
}

/// Keys of ARM resources whose body differs between two desired projects.
fn changed_bodies(before: Option<&DesiredProject>, after: &DesiredProject) -> BTreeSet<String> {
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

fn drift_keys(v: &Value) -> BTreeSet<String> {
    v.get("drift")
        .as_map()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
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
        let prior = req.prior;
        let keep = |diags: Diagnostics, prior: Value| StateResponse {
            state: prior,
            private: req.planned_private.clone(),
            diags,
        };
        let facts = match facts(&self.ctx) {
            Ok(f) => f,
            Err(d) => {
                diags.push(d);
                return keep(diags, prior);
            }
        };
        let principal = known_string(prior.get("identity_principal_id"));
        let Some((inputs, prior_desired)) = desired_of(&prior, &facts, principal, &mut diags)
        else {
            return keep(diags, prior);
        };
        let Some(client) = client_or_diag(&self.ctx, &mut diags) else {
            return keep(diags, prior);
        };
        let records = model::records_from(prior.get("resources"));
        let private = Private::from_value(&req.planned_private);
        let engine = self.engine(client, inputs.timeouts.delete);
        let mut run = Run::new(
            prior_desired.clone(),
            records.clone(),
            private.adopted.clone(),
        );

        // The delete half of replacing a tainted project by the same project: hand what
        // exists over to the create that follows (it re-applies every object), deleting only
        // what the new plan no longer has.
        if let Some(pc) = &private.planned_create {
            if pc
                .resource_group_id
                .eq_ignore_ascii_case(&prior_desired.resource_group_id)
            {
                let gone: Vec<String> = records
                    .iter()
                    .filter(|(k, r)| match pc.ids.get(*k) {
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
                    kept = records.len() - gone.len(),
                    deleted = gone.len(),
                    "replacing a tainted project: handing objects over"
                );
                if !gone.is_empty() {
                    engine.remove(&mut run, &gone, Some(&prior_desired)).await;
                    for e in &run.errors {
                        azure_diag(&mut diags, e, false);
                    }
                    if diags.has_errors() {
                        return keep(diags, prior);
                    }
                }
                return StateResponse {
                    state: Value::Null,
                    private: Value::Null,
                    diags,
                };
            }
        }

        // Refuse to delete foreign resources.
        if records.contains_key("resource_group") {
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
                Ok(foreign) if !foreign.is_empty() && !inputs.force_destroy => {
                    diags.error(
                        AttrPath::attr("force_destroy"),
                        format!("The project's resource group holds {} resource(s) the project did not create", foreign.len()),
                        format!(
                            "Destroying the project would delete them with its resource group {}:\n  {}\n\nMove or delete them first, or set `force_destroy = true` (and apply) to delete them with the project.",
                            prior_desired.resource_group_name,
                            foreign.join("\n  ")
                        ),
                    );
                    return keep(diags, prior);
                }
                Ok(_) => {}
                Err(e) => {
                    diags.error(
                        AttrPath::root(),
                        format!("Listing the project's resource group: {}", e.summary()),
                        e.detail(),
                    );
                    return keep(diags, prior);
                }
            }
        }
        engine
            .destroy(&mut run, &prior_desired, inputs.datalake_delete_on_destroy)
            .await;
        for w in &run.warnings {
            diags.warning(AttrPath::root(), "Destroying the project", w.clone());
        }
        if run.errors.is_empty() {
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
        let mut state = prior.clone();
        state.set("resources", model::records_value(&run.records));
        StateResponse {
            state,
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
        schema()
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        spec::check_shapes(config)
    }

    async fn plan(&self, req: PlanRequest) -> PlanResponse {
        let mut diags = Diagnostics::new();
        let config = req.config;
        let prior = req.prior;
        let mut planned = config.clone();
        if planned.get("network_access").is_null() {
            planned.set("network_access", Value::string("private"));
        }
        let prior_private = Private::from_value(&req.prior_private);
        let facts = match facts(&self.ctx) {
            Ok(f) => f,
            Err(d) => {
                diags.push(d);
                return PlanResponse {
                    planned,
                    diags,
                    ..PlanResponse::default()
                };
            }
        };
        let mut requires_replace = Vec::new();
        if !prior.is_null() {
            for a in ["number", "environment", "location", "project_type"] {
                if prior.get(a) != config.get(a) && config.get(a).is_wholly_known() {
                    requires_replace.push(AttrPath::attr(a));
                }
            }
        }
        if !config.is_wholly_known() {
            // Something comes from another resource: the objects are known after apply.
            let unknown_ids = !spec::naming_known(&config);
            let mut d = Diagnostics::new();
            let named = if unknown_ids {
                None
            } else {
                spec::read_inputs(&config, &facts, &mut d)
                    .and_then(|i| {
                        i.spec
                            .compose_names()
                            .ok()
                            .filter(|(_, issues)| issues.is_empty())
                            .map(|(n, _)| n)
                    })
                    .map(|n| {
                        (
                            aifactory_template::project::ids::resource_group_id(
                                &facts.subscription_id,
                                &n.resource_group,
                            ),
                            n.resource_group,
                        )
                    })
            };
            match &named {
                Some((id, name)) => {
                    planned.set("id", Value::string(id.clone()));
                    planned.set("resource_group_name", Value::string(name.clone()));
                }
                None => {
                    planned.set("id", Value::Unknown);
                    planned.set("resource_group_name", Value::Unknown);
                }
            }
            if !prior.is_null()
                && named.as_ref().is_some_and(|(id, _)| {
                    !prior
                        .get("id")
                        .as_str()
                        .is_some_and(|p| p.eq_ignore_ascii_case(id))
                })
            {
                requires_replace.push(AttrPath::attr("naming"));
            }
            planned.set(
                "identity_principal_id",
                if prior.is_null() {
                    Value::Unknown
                } else {
                    prior.get("identity_principal_id").clone()
                },
            );
            planned.set("resources", Value::Unknown);
            planned.set("datalake_path", Value::Unknown);
            planned.set("drift", Value::Map(Default::default()));
            return PlanResponse {
                planned,
                private: prior_private.to_value(),
                requires_replace,
                diags,
            };
        }

        // The identity keeps its principal unless it is (re-)created.
        let mut principal = None;
        if !prior.is_null() {
            let prior_records = model::records_from(prior.get("resources"));
            let mut d = Diagnostics::new();
            let new_identity =
                desired_of(&config, &facts, None, &mut d).map(|(_, dp)| dp.identity_id);
            let same_identity = prior_records
                .get("identity")
                .and_then(|r| r.id.as_deref())
                .zip(new_identity.as_deref())
                .is_some_and(|(a, b)| a.eq_ignore_ascii_case(b));
            if same_identity {
                principal = known_string(prior.get("identity_principal_id"));
            }
        }
        let Some((_, desired)) = desired_of(&config, &facts, principal.clone(), &mut diags) else {
            return PlanResponse {
                planned,
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
                planned,
                diags,
                ..PlanResponse::default()
            };
        }
        let records = model::desired_records(&desired);
        if !prior.is_null() {
            let prior_id = prior.get("id").as_str().unwrap_or_default();
            if !prior_id.eq_ignore_ascii_case(&desired.resource_group_id)
                && requires_replace.is_empty()
            {
                let changed: Vec<AttrPath> = ["naming", "common"]
                    .iter()
                    .filter(|a| prior.get(a) != config.get(a))
                    .map(|a| {
                        if *a == "common" {
                            AttrPath::attr("common").and_key("resource_group_name")
                        } else {
                            AttrPath::attr(*a)
                        }
                    })
                    .collect();
                requires_replace.extend(if changed.is_empty() {
                    vec![AttrPath::attr("naming")]
                } else {
                    changed
                });
            }
            // Globally unique names that change (salt via common.resource_group_name) force a
            // new project too: the resources cannot be renamed in place.
            if requires_replace.is_empty()
                && prior.get("common").get("resource_group_name")
                    != config.get("common").get("resource_group_name")
            {
                let prior_records = model::records_from(prior.get("resources"));
                let renamed = prior_records.iter().any(|(k, r)| {
                    r.is_arm_resource()
                        && records
                            .get(k)
                            .is_some_and(|w| w.id.is_some() && w.id != r.id)
                });
                if renamed {
                    requires_replace.push(AttrPath::attr("common").and_key("resource_group_name"));
                }
            }
        }
        let principal_value = principal.map_or(Value::Unknown, Value::String);
        let planned = with_computed(
            &planned,
            &desired,
            principal_value,
            model::records_value(&records),
            Value::Map(Default::default()),
        );
        let private = if prior.is_null() {
            Private {
                planned_create: Some(model::PlannedCreate {
                    resource_group_id: desired.resource_group_id.clone(),
                    ids: records
                        .iter()
                        .map(|(k, r)| (k.clone(), r.id.clone()))
                        .collect(),
                }),
                adopted: BTreeMap::new(),
            }
        } else {
            Private {
                planned_create: None,
                adopted: prior_private.adopted,
            }
        };
        PlanResponse {
            planned,
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
        let facts = match facts(&self.ctx) {
            Ok(f) => f,
            Err(d) => {
                diags.push(d);
                return fail_state(diags, &req);
            }
        };
        let principal = known_string(req.planned.get("identity_principal_id"));
        let Some((inputs, desired)) = desired_of(&req.planned, &facts, principal, &mut diags)
        else {
            return fail_state(diags, &req);
        };
        diags = Diagnostics::new(); // warnings were shown at plan time
        let prior_desired = if creating {
            None
        } else {
            let mut d = Diagnostics::new();
            desired_of(
                &req.prior,
                &facts,
                known_string(req.prior.get("identity_principal_id")),
                &mut d,
            )
            .map(|(_, dp)| dp)
        };
        let Some(client) = client_or_diag(&self.ctx, &mut diags) else {
            return fail_state(diags, &req);
        };
        let private = Private::from_value(&req.planned_private);
        let records = if creating {
            Records::new()
        } else {
            model::records_from(req.prior.get("resources"))
        };
        let changed = changed_bodies(prior_desired.as_ref(), &desired);
        let drifted = drift_keys(&req.prior);
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
            azure_diag(&mut diags, e, creating);
        }
        let principal = run
            .desired
            .role_assignments
            .iter()
            .find(|r| r.principal == core::PrincipalRef::ProjectIdentity)
            .and_then(|r| r.principal_id.clone())
            .or_else(|| known_string(req.prior.get("identity_principal_id")));
        let drift = if run.errors.is_empty() {
            Value::Map(Default::default())
        } else {
            let mut m = req.prior.get("drift").as_map().cloned().unwrap_or_default();
            m.retain(|k, _| run.records.contains_key(k));
            Value::Map(m)
        };
        let principal_value = if run.records.contains_key("identity") {
            principal.map_or(Value::Null, Value::String)
        } else {
            Value::Null
        };
        let state = with_computed(
            &req.planned,
            &run.desired,
            principal_value,
            model::records_value(&run.records),
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
            state,
            private: private.to_value(),
            diags,
        }
    }

    async fn read(&self, prior: Value, private: Value) -> StateResponse {
        let mut diags = Diagnostics::new();
        if prior.is_null() {
            return StateResponse {
                state: prior,
                private,
                diags,
            };
        }
        let facts = match facts(&self.ctx) {
            Ok(f) => f,
            Err(d) => {
                diags.push(d);
                return StateResponse {
                    state: prior,
                    private,
                    diags,
                };
            }
        };
        let principal = known_string(prior.get("identity_principal_id"));
        let mut d = Diagnostics::new();
        let Some((inputs, desired)) = desired_of(&prior, &facts, principal.clone(), &mut d) else {
            // The state cannot be read as a project (e.g. another subscription configured):
            // keep it; plan reports the problem on the configuration.
            return StateResponse {
                state: prior,
                private,
                diags,
            };
        };
        let Some(client) = client_or_diag(&self.ctx, &mut diags) else {
            return StateResponse {
                state: prior,
                private,
                diags,
            };
        };
        let records = model::records_from(prior.get("resources"));
        let adopted = Private::from_value(&private).adopted;
        let ctx = self.ctx.request_ctx(inputs.timeouts.read);
        match refresh::refresh(client, &ctx, &desired, &records, &adopted).await {
            Ok(r) if r.gone => StateResponse {
                state: Value::Null,
                private: Value::Null,
                diags,
            },
            Ok(r) => {
                let mut state = prior.clone();
                state.set("resources", model::records_value(&r.records));
                state.set("drift", string_map_value(&r.drift));
                if let Some(p) = r.principal.filter(|_| r.records.contains_key("identity")) {
                    state.set("identity_principal_id", Value::String(p));
                } else if !r.records.contains_key("identity") {
                    state.set("identity_principal_id", Value::Null);
                }
                StateResponse {
                    state,
                    private,
                    diags,
                }
            }
            Err(e) => {
                diags.error(
                    AttrPath::root(),
                    format!("Reading the project from Azure: {}", e.summary()),
                    e.detail(),
                );
                StateResponse {
                    state: prior,
                    private,
                    diags,
                }
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
        let found = match refresh::discover(client, &ctx, &facts.subscription_id, id.trim()).await {
            Ok(f) => f,
            Err(msg) => {
                diags.error(AttrPath::root(), "Cannot import the project", msg);
                return empty(diags);
            }
        };
        for w in &found.warnings {
            diags.warning(AttrPath::root(), "Importing the project", w.clone());
        }
        let state = import_state(&found);
        let mut d = Diagnostics::new();
        let Some((_, desired)) = desired_of(&state, &facts, found.principal.clone(), &mut d) else {
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
            principal.map_or(Value::Null, Value::String),
            model::records_value(&refreshed.records),
            string_map_value(&refreshed.drift),
        );
        StateResponse {
            state,
            private: Value::Null,
            diags,
        }
    }
}

/// The HCL type Terraform gives a `team` literal, so an imported `team` matches the
/// configuration's.
fn team_value(found: &refresh::Discovered) -> Value {
    let ids: Vec<Value> = found
        .team_ids
        .iter()
        .map(|s| Value::string(s.clone()))
        .collect();
    let tuple = format!("[\"tuple\",[{}]]", vec!["\"string\""; ids.len()].join(","));
    let mut fields = vec![
        format!("\"object_ids\":{tuple}"),
        "\"principal_type\":\"string\"".to_string(),
    ];
    let mut value = BTreeMap::from([
        ("object_ids".to_string(), Value::List(ids)),
        (
            "principal_type".to_string(),
            Value::string(found.team_principal_type.clone()),
        ),
    ]);
    if let Some(sp) = &found.service_principal {
        fields.push("\"service_principal_object_id\":\"string\"".to_string());
        value.insert(
            "service_principal_object_id".into(),
            Value::string(sp.clone()),
        );
    }
    fields.sort();
    Value::Dynamic {
        type_json: format!("[\"object\",{{{}}}]", fields.join(",")),
        value: Box::new(Value::Map(value)),
    }
}

fn import_state(f: &refresh::Discovered) -> Value {
    let map_or_null = |m: &BTreeMap<String, String>| {
        if m.is_empty() {
            Value::Null
        } else {
            string_map_value(m)
        }
    };
    Value::object([
        ("number", Value::Number(f.number as f64)),
        ("environment", Value::string(f.environment.clone())),
        ("location", Value::string(f.location.clone())),
        ("project_type", Value::string(f.project_type.clone())),
        ("naming", map_or_null(&f.naming)),
        ("common", string_map_value(&f.common)),
        ("subnet_ids", map_or_null(&f.subnet_ids)),
        ("team", team_value(f)),
        (
            "services",
            if f.services.is_empty() {
                Value::Null
            } else {
                Value::Map(
                    f.services
                        .iter()
                        .map(|(k, v)| (k.clone(), Value::Bool(*v)))
                        .collect(),
                )
            },
        ),
        ("network_access", Value::string(f.network_access.clone())),
        (
            "ip_allowlist",
            if f.ip_allowlist.is_empty() {
                Value::Null
            } else {
                Value::List(
                    f.ip_allowlist
                        .iter()
                        .map(|s| Value::string(s.clone()))
                        .collect(),
                )
            },
        ),
        ("tags", map_or_null(&f.tags)),
        (
            "key_vault_purge_protection",
            f.key_vault_purge_protection
                .map_or(Value::Null, Value::Bool),
        ),
        ("force_destroy", Value::Null),
        ("datalake_delete_on_destroy", Value::Null),
        ("timeouts", Value::Null),
    ])
}

/// Errors of the Azure client, for callers outside this module (benchmarks, tools).
pub fn describe(e: &AzureError) -> String {
    format!("{}: {}", e.summary(), e.detail())
}
