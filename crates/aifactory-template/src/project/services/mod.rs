//! The project's service catalog: one descriptor file per Azure service, keyed by
//! [`ServiceKey`], each holding everything about its service in one place: ARM type and
//! api-version (with the REST spec it was confirmed in), whether PUT and DELETE are
//! long-running, the body builder, private-link groups, role grants (with their
//! reasons), dependencies, soft-delete behaviour, the properties drift ignores, its name
//! rule and ESML's name, the subnets it needs and its diagnostic logs.
//!
//! Adding a service is: one descriptor file, one line in [`CATALOG`] (plus its name in
//! `naming`, its snapshot and its emulator support).
//!
//! Owns: the descriptors and the catalog, and what the catalog says of a [`Layout`] (its
//! services, the role [`matrix`]). Imports only what stands below it (the spec, the
//! checked facts, `rbac`'s role vocabulary, the model, `ids`, `api_type`). Must not: know
//! Terraform or Azure I/O, or build what is shared by every service (private endpoints,
//! DNS zone groups, role assignments and ACL entries are built from the descriptors by
//! `resources` and `acl`).

use serde_json::{json, Map, Value};

use super::api_type::ApiType;
use super::checked::Checked;
use super::ids::resource_id;
use super::model::DesiredResource;
use super::rbac::{Grant, LAKE_GRANTS};
use super::spec::{Layout, ProjectSpec};
use crate::naming::{Environment, NameKind};

pub mod ai_services;
pub mod app_insights;
pub mod azure_openai;
pub mod container_apps;
pub mod cosmos_db;
pub mod data_factory;
pub mod databricks;
pub mod foundry_account;
pub mod foundry_project;
pub mod identity;
pub mod key_vault;
pub mod ml_storage;
pub mod ml_workspace;
pub mod resource_group;
pub mod search;
pub mod storage;

/// Every service a project can hold; the string form is the object's key in the plan and
/// in state (stable: changing one would re-key existing projects).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKey {
    ResourceGroup,
    Identity,
    KeyVault,
    Storage,
    MlStorage,
    AppInsights,
    MlWorkspace,
    Databricks,
    DataFactory,
    Search,
    AiServices,
    FoundryAccount,
    CosmosDb,
    FoundryProject,
    ContainerApps,
    AzureOpenAi,
}

impl ServiceKey {
    pub const fn as_str(self) -> &'static str {
        match self {
            ServiceKey::ResourceGroup => "resource_group",
            ServiceKey::Identity => "identity",
            ServiceKey::KeyVault => "key_vault",
            ServiceKey::Storage => "storage",
            ServiceKey::MlStorage => "ml_storage",
            ServiceKey::AppInsights => "app_insights",
            ServiceKey::MlWorkspace => "ml_workspace",
            ServiceKey::Databricks => "databricks",
            ServiceKey::DataFactory => "data_factory",
            ServiceKey::Search => "search",
            ServiceKey::AiServices => "ai_services",
            ServiceKey::FoundryAccount => "foundry_account",
            ServiceKey::CosmosDb => "cosmos_db",
            ServiceKey::FoundryProject => "foundry_project",
            ServiceKey::ContainerApps => "container_apps",
            ServiceKey::AzureOpenAi => "azure_openai",
        }
    }

    /// The key of a plan/state key string.
    pub fn parse(s: &str) -> Option<ServiceKey> {
        CATALOG.iter().map(|d| d.key).find(|k| k.as_str() == s)
    }

    /// The descriptor of this service.
    pub fn descriptor(self) -> &'static Service {
        // Every key has exactly one descriptor (tested).
        CATALOG
            .iter()
            .find(|d| d.key == self)
            .copied()
            .unwrap_or(&resource_group::SERVICE)
    }
}

impl std::fmt::Display for ServiceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What deleting a service leaves behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SoftDelete {
    /// Deleted for good.
    None,
    /// A deleted vault stays in `deletedVaults` (recover with `createMode: recover`, purge
    /// with `deletedVaults/{name}/purge`) for `softDeleteRetentionInDays`.
    KeyVault,
    /// A deleted Cognitive Services account stays in `deletedAccounts` for 48 hours
    /// (recover with `properties.restore: true`, purge with a DELETE there).
    CognitiveServices,
}

/// A subnet a service needs, with its rules (checked at plan time, by reading the subnet).
#[derive(Debug, Clone, Copy)]
pub struct SubnetNeed {
    /// The `subnet_ids` key.
    pub purpose: &'static str,
    /// What uses it, for messages.
    pub needed_for: &'static str,
    /// Delegation the subnet must carry (`Microsoft.Databricks/workspaces`), if any.
    pub delegation: Option<&'static str>,
    /// Address ranges the subnet must lie in (empty: any).
    pub ranges: &'static [&'static str],
    /// The largest prefix length allowed (the smallest subnet), if any.
    pub max_prefix_length: Option<u8>,
    /// Only in private mode (`network_access = "private"`).
    pub private_only: bool,
    /// Whether this layout needs it (the service being enabled is already required).
    pub needed: fn(&Layout) -> bool,
    /// Where the rule comes from.
    pub source: &'static str,
}

impl SubnetNeed {
    /// The same rule, needed in other layouts (the agent subnet belongs to whichever
    /// account AI Foundry runs on).
    pub const fn when(self, needed: fn(&Layout) -> bool) -> SubnetNeed {
        SubnetNeed { needed, ..self }
    }
}

/// Diagnostic logs a service sends to the common Log Analytics workspace (ESML sends
/// every service's logs there): category groups and whether metrics go too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct DiagnosticLogs {
    /// `allLogs`, `audit`; empty when the type has only metrics.
    pub category_groups: &'static [&'static str],
    pub metrics: bool,
}

/// Which service is a child's parent in a layout (the Foundry project's account).
pub type ParentOf = fn(&Layout) -> ServiceKey;

/// Everything about one Azure service of a project.
pub struct Service {
    pub key: ServiceKey,
    /// ARM type, api-version, PUT long-running, and the spec it was confirmed in.
    pub api: ApiType,
    /// DELETE is long-running (`x-ms-long-running-operation` on the spec's delete).
    pub delete_lro: bool,
    /// The name rule (Azure's limits, `naming::rule_for`), our name pattern and ESML's
    /// (`NameKind::pattern`, `esml_pattern`...: import of ESML-made projects).
    pub name_kind: NameKind,
    /// Private-link sub-resources (`groupIds`) that get an endpoint in private mode.
    pub private_link_groups: &'static [&'static str],
    pub soft_delete: SoftDelete,
    /// Body paths Azure keeps to itself (write-only): refresh does not compare them.
    pub write_only: &'static [&'static str],
    pub subnets: &'static [SubnetNeed],
    pub diagnostics: Option<DiagnosticLogs>,
    /// Role grants on this service (the project identity's and every persona's), each with
    /// its reason.
    pub grants: &'static [Grant],
    /// When a project has it, for the docs.
    pub summary: &'static str,
    /// Is the service part of a project with this layout?
    pub enabled: fn(&Layout) -> bool,
    /// Services that must exist first, for this layout.
    pub depends_on: fn(&Layout) -> Vec<ServiceKey>,
    /// The exact PUT body.
    pub body: fn(&Ctx) -> Value,
    /// A child of another service (`accounts/projects`): the parent (for this layout) and
    /// the path segment.
    pub parent: Option<(ParentOf, &'static str)>,
    /// Its name when `naming` has none for it (child resources named by the project).
    pub own_name: Option<fn(&Ctx) -> String>,
}

impl Service {
    /// ESML's name pattern for this service (where it differs from ours), else ours.
    pub fn esml_name(&self) -> &'static str {
        self.name_kind
            .esml_pattern()
            .unwrap_or_else(|| self.name_kind.pattern())
    }
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service").field("key", &self.key).finish()
    }
}

/// Every service, in documentation and creation order.
pub static CATALOG: &[&Service] = &[
    &resource_group::SERVICE,
    &identity::SERVICE,
    &key_vault::SERVICE,
    &storage::SERVICE,
    &ml_storage::SERVICE,
    &app_insights::SERVICE,
    &ml_workspace::SERVICE,
    &databricks::SERVICE,
    &data_factory::SERVICE,
    &search::SERVICE,
    &ai_services::SERVICE,
    &foundry_account::SERVICE,
    &cosmos_db::SERVICE,
    &foundry_project::SERVICE,
    &container_apps::SERVICE,
    &azure_openai::SERVICE,
];

/// The services of a project with this layout, in catalog order.
pub fn enabled(layout: &Layout) -> impl Iterator<Item = &'static Service> + '_ {
    CATALOG.iter().copied().filter(move |s| (s.enabled)(layout))
}

/// The role matrix: every service's grants (in catalog order, from its descriptor), then
/// the lake's ([`LAKE_GRANTS`]). Rows for the same resource and role collapse into one
/// assignment (esml's `MlDefaultStorage` is its `Storage`).
pub fn matrix() -> Vec<Grant> {
    CATALOG
        .iter()
        .flat_map(|s| s.grants.iter())
        .chain(LAKE_GRANTS)
        .copied()
        .collect()
}

/// What the catalog says of a layout (here, not in `spec`, so the spec knows no catalog).
impl Layout {
    /// The account AI Foundry runs on: its own (`foundry_account`) or AI Services.
    pub fn foundry_host(&self) -> ServiceKey {
        if self.foundry_dedicated {
            ServiceKey::FoundryAccount
        } else {
            ServiceKey::AiServices
        }
    }

    /// Keys of the main resources (the enabled services of the catalog), in documentation
    /// order.
    pub fn targets(&self) -> Vec<&'static str> {
        enabled(self).map(|s| s.key.as_str()).collect()
    }
}

/// What a body builder sees: the spec, the validated inputs and the layout.
pub struct Ctx<'a> {
    pub(super) spec: &'a ProjectSpec,
    pub(super) c: &'a Checked,
    pub(super) layout: &'a Layout,
}

impl<'a> Ctx<'a> {
    pub(super) fn new(spec: &'a ProjectSpec, c: &'a Checked, layout: &'a Layout) -> Self {
        Ctx { spec, c, layout }
    }

    /// The ARM ID of a resource of this project.
    pub(super) fn id(&self, t: &ApiType, name: &str) -> String {
        resource_id(
            &self.spec.subscription_id,
            &self.c.names.resource_group,
            t.resource_type,
            name,
        )
    }

    /// The ARM ID of one of this project's services.
    pub(super) fn service_id(&self, key: ServiceKey) -> String {
        let d = key.descriptor();
        if key == ServiceKey::ResourceGroup {
            return super::ids::resource_group_id(
                &self.spec.subscription_id,
                &self.c.names.resource_group,
            );
        }
        match d.parent {
            Some((parent, segment)) => {
                format!(
                    "{}/{segment}/{}",
                    self.service_id(parent(self.layout)),
                    self.name_of(key)
                )
            }
            None => self.id(&d.api, &self.name_of(key)),
        }
    }

    /// The name of one of this project's services.
    pub(super) fn name_of(&self, key: ServiceKey) -> String {
        match key.descriptor().own_name {
            Some(f) => f(self),
            None => self
                .c
                .names
                .of_target(key.as_str())
                .unwrap_or_default()
                .to_string(),
        }
    }

    fn tags(&self) -> Value {
        json!(self.c.tags)
    }
    fn location(&self) -> &str {
        self.spec.location.as_str()
    }
    fn prod(&self) -> bool {
        self.spec.environment == Environment::Prod
    }
    fn identity_id(&self) -> String {
        self.service_id(ServiceKey::Identity)
    }
    fn user_assigned(&self) -> Value {
        let mut uai = Map::new();
        uai.insert(self.identity_id(), json!({}));
        json!({ "type": "UserAssigned", "userAssignedIdentities": uai })
    }
    fn private(&self) -> bool {
        self.layout.private
    }
    fn public_access(&self) -> &'static str {
        if self.private() {
            "Disabled"
        } else {
            "Enabled"
        }
    }
    /// `location` and `tags`, the start of most bodies.
    fn located(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("location".into(), json!(self.location()));
        m.insert("tags".into(), self.tags());
        m
    }
}

/// The desired resource of one service.
pub(super) fn resource(x: &Ctx, s: &Service) -> DesiredResource {
    let mut deps: Vec<String> = (s.depends_on)(x.layout)
        .into_iter()
        .map(|k| k.as_str().to_string())
        .collect();
    deps.sort();
    deps.dedup();
    DesiredResource {
        key: s.key.as_str().to_string(),
        resource_type: s.api.resource_type.to_string(),
        api_version: s.api.api_version.to_string(),
        id: x.service_id(s.key),
        name: x.name_of(s.key),
        body: (s.body)(x),
        depends_on: deps,
        lro: s.api.lro,
        origin: Default::default(),
    }
}

/// Only the resource group.
fn after_group(_: &Layout) -> Vec<ServiceKey> {
    vec![ServiceKey::ResourceGroup]
}

/// The resource group and the project identity (services that run as it).
fn after_identity(_: &Layout) -> Vec<ServiceKey> {
    vec![ServiceKey::ResourceGroup, ServiceKey::Identity]
}

fn always(_: &Layout) -> bool {
    true
}

#[cfg(test)]
mod tests;
