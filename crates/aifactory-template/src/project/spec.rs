//! The typed input of the project template ([`ProjectSpec`]: the `aifactory_project`
//! configuration plus provider facts) and what a project contains ([`Layout`]; which
//! services; what the catalog says of a layout is in `services`). Imports only the `cloud`
//! leaf of `project`, never the catalog, and knows no Terraform values, no Azure and no I/O.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::naming::{self, Environment, NameKind, NamingInput, UnknownValue, PRIVATE_LINK_TARGETS};

use super::cloud::Cloud;

/// Ownership tag names; user tags may not use them (case-insensitively).
pub const TAG_PROJECT: &str = "aifactory-project";
pub const TAG_ENVIRONMENT: &str = "aifactory-environment";
pub const TAG_TYPE: &str = "aifactory-type";
/// Azure's limit of tags per resource.
pub const MAX_TAGS: usize = 50;

/// esml or genai.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProjectType {
    Esml,
    Genai,
}

impl ProjectType {
    pub fn as_str(self) -> &'static str {
        match self {
            ProjectType::Esml => "esml",
            ProjectType::Genai => "genai",
        }
    }
}

impl FromStr for ProjectType {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "esml" => Ok(ProjectType::Esml),
            "genai" => Ok(ProjectType::Genai),
            _ => Err(UnknownValue {
                value: s.to_string(),
                expected: &["esml", "genai"],
            }),
        }
    }
}

impl fmt::Display for ProjectType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// private (default) or allowlist.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NetworkAccess {
    /// Public network access disabled; private endpoints in `subnet_ids.private_endpoints`.
    #[default]
    Private,
    /// Public access restricted to `ip_allowlist`; no private endpoints.
    Allowlist,
}

impl FromStr for NetworkAccess {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "private" => Ok(NetworkAccess::Private),
            "allowlist" => Ok(NetworkAccess::Allowlist),
            _ => Err(UnknownValue {
                value: s.to_string(),
                expected: &["private", "allowlist"],
            }),
        }
    }
}

/// `team.principal_type`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub enum TeamPrincipalType {
    User,
    #[default]
    Group,
}

impl FromStr for TeamPrincipalType {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "User" => Ok(TeamPrincipalType::User),
            "Group" => Ok(TeamPrincipalType::Group),
            _ => Err(UnknownValue {
                value: s.to_string(),
                expected: &["User", "Group"],
            }),
        }
    }
}

/// ARM `principalType` of a role assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PrincipalType {
    User,
    Group,
    ServicePrincipal,
}

impl PrincipalType {
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalType::User => "User",
            PrincipalType::Group => "Group",
            PrincipalType::ServicePrincipal => "ServicePrincipal",
        }
    }
}

/// `naming`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NamingOptions {
    pub prefix: Option<String>,
    pub location_short: Option<String>,
    pub suffix: Option<String>,
    /// `naming.salt` (default [`naming::SaltMode::AiFactory`]).
    pub salt: naming::SaltMode,
    /// `naming.random_salt`: ESML's 10-character random salt (only with
    /// [`naming::SaltMode::Esml`]).
    pub random_salt: Option<String>,
}

/// `common`: references into the AI factory's common part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommonRefs {
    pub resource_group_name: String,
    /// Resource group holding the `privatelink.*` zones.
    pub private_dns_zone_resource_group_id: String,
    pub log_analytics_workspace_id: String,
    pub datalake_storage_account_id: Option<String>,
    pub datalake_filesystem: Option<String>,
    /// An Entra group with traverse (`--x`) on the lake's shared folders (`/`, `projects`),
    /// granted by the common part. When set, projects add no entries there (a shared ACL
    /// holds 32 entries, filled after about nine projects of individual entries); the
    /// project's principals must be members of it.
    pub datalake_traverse_group_id: Option<String>,
    /// Private endpoints get DNS zone groups (default); `false` when the landing zone's
    /// DNS policy writes the records (`aifactory_common.dns_zone_groups`).
    pub dns_zone_groups: bool,
}

impl Default for CommonRefs {
    fn default() -> Self {
        CommonRefs {
            resource_group_name: String::new(),
            private_dns_zone_resource_group_id: String::new(),
            log_analytics_workspace_id: String::new(),
            datalake_storage_account_id: None,
            datalake_filesystem: None,
            datalake_traverse_group_id: None,
            dns_zone_groups: true,
        }
    }
}

/// `team`: `object_ids` are one persona (role set developer); `personas` are ESML's
/// persona lists, each with its role set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Team {
    pub object_ids: Vec<String>,
    pub principal_type: TeamPrincipalType,
    pub service_principal_object_id: Option<String>,
    /// Sorted by name.
    pub personas: Vec<Persona>,
}

/// One persona of `team.personas`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Persona {
    /// The key in `team.personas` (`data_scientists`).
    pub name: String,
    pub object_ids: Vec<String>,
    pub principal_type: TeamPrincipalType,
    pub role_set: RoleSet,
}

/// A named set of role grants for a persona. Least privilege by default: `team.object_ids`
/// are developers; nobody gets Owner, Contributor or a role that assigns roles.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RoleSet {
    /// See the project and read its data; no writes, no secrets, no model calls.
    Reader,
    /// Build in the project: read and write its data, secrets, indexes, workspaces and
    /// models (what `team.object_ids` get).
    #[default]
    Developer,
    /// A developer who also manages the project's AI services and its key vault (Azure AI
    /// Administrator on the resource group, Key Vault Administrator).
    ProjectAdmin,
}

impl RoleSet {
    pub const ALL: [RoleSet; 3] = [RoleSet::Reader, RoleSet::Developer, RoleSet::ProjectAdmin];

    pub fn as_str(self) -> &'static str {
        match self {
            RoleSet::Reader => "reader",
            RoleSet::Developer => "developer",
            RoleSet::ProjectAdmin => "project_admin",
        }
    }
}

impl FromStr for RoleSet {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RoleSet::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownValue {
                value: s.to_string(),
                expected: &["reader", "developer", "project_admin"],
            })
    }
}

/// `services`: every switch for every project type (ESML's one project type, "all");
/// `None` = not set: the project type's preset decides ([`Services::preset`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Services {
    pub azure_ml: Option<bool>,
    pub databricks: Option<bool>,
    pub data_factory: Option<bool>,
    pub ai_search: Option<bool>,
    pub ai_services: Option<bool>,
    pub cosmos_db: Option<bool>,
    /// AI Foundry on the AI Services account: project management, the Foundry project,
    /// its connections and the model deployments.
    pub ai_foundry: Option<bool>,
    /// The Foundry Agent service (standard setup): capability hosts on Cosmos DB, Storage
    /// and AI Search, injected into `subnet_ids.agent` in private mode.
    pub agent_service: Option<bool>,
    /// A Container Apps environment (internal, workload profiles) in `subnet_ids.aca`.
    pub container_apps: Option<bool>,
    /// A separate Azure OpenAI account (`kind: OpenAI`), for projects that want one.
    pub azure_openai: Option<bool>,
}

/// The `services` switches, in documentation order.
pub const SERVICE_SWITCHES: [&str; 10] = [
    "azure_ml",
    "databricks",
    "data_factory",
    "ai_search",
    "ai_services",
    "cosmos_db",
    "ai_foundry",
    "agent_service",
    "container_apps",
    "azure_openai",
];

impl Services {
    /// A switch by its `services` key.
    pub fn get(&self, switch: &str) -> Option<bool> {
        match switch {
            "azure_ml" => self.azure_ml,
            "databricks" => self.databricks,
            "data_factory" => self.data_factory,
            "ai_search" => self.ai_search,
            "ai_services" => self.ai_services,
            "cosmos_db" => self.cosmos_db,
            "ai_foundry" => self.ai_foundry,
            "agent_service" => self.agent_service,
            "container_apps" => self.container_apps,
            "azure_openai" => self.azure_openai,
            _ => None,
        }
    }

    /// Sets a switch by its `services` key; false for an unknown key.
    pub fn set(&mut self, switch: &str, on: Option<bool>) -> bool {
        let slot = match switch {
            "azure_ml" => &mut self.azure_ml,
            "databricks" => &mut self.databricks,
            "data_factory" => &mut self.data_factory,
            "ai_search" => &mut self.ai_search,
            "ai_services" => &mut self.ai_services,
            "cosmos_db" => &mut self.cosmos_db,
            "ai_foundry" => &mut self.ai_foundry,
            "agent_service" => &mut self.agent_service,
            "container_apps" => &mut self.container_apps,
            "azure_openai" => &mut self.azure_openai,
            _ => return false,
        };
        *slot = on;
        true
    }

    /// The project type's default for a switch: esml has Machine Learning, genai has AI
    /// Search and AI Services; Databricks and Data Factory are opt-in for both.
    pub fn preset(project_type: ProjectType, switch: &str) -> bool {
        matches!(
            (project_type, switch),
            (ProjectType::Esml, "azure_ml")
                | (ProjectType::Genai, "ai_search")
                | (ProjectType::Genai, "ai_services")
        )
    }

    /// A switch as set, else the preset.
    pub fn on(&self, project_type: ProjectType, switch: &str) -> bool {
        self.get(switch)
            .unwrap_or_else(|| Services::preset(project_type, switch))
    }
}

/// The typed input: the `aifactory_project` configuration plus provider facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectSpec {
    pub subscription_id: String,
    pub tenant_id: String,
    pub cloud: Cloud,
    pub number: i64,
    pub environment: Environment,
    pub location: String,
    pub project_type: ProjectType,
    pub naming: NamingOptions,
    pub common: CommonRefs,
    /// Purpose (`private_endpoints`, `dbx_public`, `dbx_private`) -> subnet ID.
    pub subnet_ids: BTreeMap<String, String>,
    pub team: Team,
    pub services: Services,
    pub network_access: NetworkAccess,
    pub ip_allowlist: Vec<String>,
    pub tags: BTreeMap<String, String>,
    /// The managed identity's principal ID once known (from state).
    pub identity_principal_id: Option<String>,
    /// Key Vault purge protection; default on in prod only (it is irreversible and blocks
    /// re-creating a vault name for the retention period).
    pub key_vault_purge_protection: Option<bool>,
    /// Model deployments on the Foundry account (with `ai_foundry`), sorted by name.
    pub deployments: Vec<ModelDeployment>,
    /// AI Search's SKU and semantic ranker (`search_options`).
    pub search: SearchOptions,
    /// Which account AI Foundry runs on (`foundry_options.account`).
    pub foundry_account: FoundryAccount,
    /// `diagnostics`: a diagnostic setting to the common Log Analytics workspace on every
    /// service whose descriptor has diagnostic logs (default true).
    pub diagnostics: bool,
}

/// `search_options`: AI Search's SKU (default `basic`, `standard` in prod) and semantic
/// ranker (`disabled`, `free`, `standard`; unset: Azure's default).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchOptions {
    pub sku: Option<String>,
    pub semantic_ranker: Option<String>,
}

impl SearchOptions {
    /// The SKUs of the stable spec's `SkuName`.
    pub const SKUS: [&'static str; 7] = [
        "free",
        "basic",
        "standard",
        "standard2",
        "standard3",
        "storage_optimized_l1",
        "storage_optimized_l2",
    ];
    /// The values of the stable spec's `SearchSemanticSearch`.
    pub const SEMANTIC: [&'static str; 3] = ["disabled", "free", "standard"];
}

/// `foundry_options.account`: the account AI Foundry (its project, the model deployments
/// and the Agent service) runs on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FoundryAccount {
    /// The project's AI Services account, with project management on (the default: one
    /// account for the project's models and AI services).
    #[default]
    AiServices,
    /// An account of its own beside AI Services (`foundry_account`), as ESML builds it
    /// (`aif2…`, its project `aif2-p…`): what an ESML-made GenAI project has.
    Dedicated,
}

impl FoundryAccount {
    /// The `foundry_options.account` values.
    pub const VALUES: [&'static str; 2] = ["ai_services", "dedicated"];

    pub fn parse(s: &str) -> Option<FoundryAccount> {
        match s {
            "ai_services" => Some(FoundryAccount::AiServices),
            "dedicated" => Some(FoundryAccount::Dedicated),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FoundryAccount::AiServices => "ai_services",
            FoundryAccount::Dedicated => "dedicated",
        }
    }
}

/// One model deployment (`deployments.<name>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelDeployment {
    /// The deployment's name (the `deployments` key).
    pub name: String,
    /// `gpt-4o`.
    pub model: String,
    /// The model version; `None`: Azure's default version for the model.
    pub version: Option<String>,
    /// `OpenAI` (default) or another publisher format.
    pub format: String,
    /// `GlobalStandard` (default), `Standard`, `DataZoneStandard`, `ProvisionedManaged`...
    pub sku: String,
    /// Capacity in the SKU's unit (thousands of tokens per minute for Standard SKUs).
    pub capacity: i64,
}

impl ProjectSpec {
    /// The naming part of the spec.
    pub fn naming_input(&self) -> NamingInput {
        NamingInput {
            number: self.number,
            environment: self.environment,
            location: self.location.clone(),
            prefix: self.naming.prefix.clone(),
            location_short: self.naming.location_short.clone(),
            suffix: self.naming.suffix.clone(),
            subscription_id: self.subscription_id.clone(),
            common_resource_group_name: self.common.resource_group_name.clone(),
        }
    }
}

impl ProjectSpec {
    /// Every name of the project with its `naming.salt` and `naming.random_salt`
    /// ([`naming::compose_template`]; with `naming.salt = "esml"` an esml project takes the
    /// names of ESML's `esml-project` template, a genai project those of `esml-genai-1`).
    pub fn compose_names(
        &self,
    ) -> Result<(naming::ProjectNames, Vec<naming::Issue>), Vec<naming::Issue>> {
        naming::compose_template(
            &self.naming_input(),
            self.naming.salt,
            self.naming.random_salt.as_deref(),
            self.esml_template(),
        )
    }

    /// Which of ESML's templates `naming.salt = "esml"` follows for this project.
    pub fn esml_template(&self) -> naming::EsmlTemplate {
        esml_template(self.project_type, self.network_access)
    }
}

/// ESML's template for a project type: `esml-project` for esml (its private-link
/// Databricks with `network_access = "private"`), `esml-genai-1` for genai.
pub fn esml_template(
    project_type: ProjectType,
    network_access: NetworkAccess,
) -> naming::EsmlTemplate {
    match project_type {
        ProjectType::Esml => naming::EsmlTemplate::Project {
            databricks_private: network_access == NetworkAccess::Private,
        },
        ProjectType::Genai => naming::EsmlTemplate::Genai,
    }
}

/// What a project contains, derived from its type, services and network access.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// The project type is genai: its Machine Learning workspace gets a storage account of
    /// its own (`ml_storage`) and the project storage has no shared key.
    pub genai: bool,
    pub ml: bool,
    pub databricks: bool,
    pub data_factory: bool,
    pub search: bool,
    pub ai_services: bool,
    pub cosmos_db: bool,
    /// AI Foundry, on the AI Services account (needs it) or on its own account.
    pub foundry: bool,
    /// AI Foundry runs on an account of its own (`foundry_account`), not on AI Services.
    pub foundry_dedicated: bool,
    /// The Agent service (needs Foundry, AI Search and Cosmos DB).
    pub agent: bool,
    pub container_apps: bool,
    pub azure_openai: bool,
    pub private: bool,
    pub datalake: bool,
}

impl Layout {
    pub fn of(spec: &ProjectSpec) -> Layout {
        let t = spec.project_type;
        let on = |switch: &str| spec.services.on(t, switch);
        let dedicated = spec.foundry_account == FoundryAccount::Dedicated;
        Layout {
            genai: t == ProjectType::Genai,
            ml: on("azure_ml"),
            databricks: on("databricks"),
            data_factory: on("data_factory"),
            search: on("ai_search"),
            ai_services: on("ai_services"),
            cosmos_db: on("cosmos_db"),
            foundry: on("ai_foundry") && (dedicated || on("ai_services")),
            foundry_dedicated: dedicated && on("ai_foundry"),
            agent: on("agent_service")
                && on("ai_foundry")
                && (dedicated || on("ai_services"))
                && on("ai_search")
                && on("cosmos_db"),
            container_apps: on("container_apps"),
            azure_openai: on("azure_openai"),
            private: spec.network_access == NetworkAccess::Private,
            datalake: spec.common.datalake_storage_account_id.is_some()
                && spec.common.datalake_filesystem.is_some(),
        }
    }

    /// The storage account key the Machine Learning workspace uses.
    pub fn ml_storage_key(&self) -> &'static str {
        if self.genai {
            "ml_storage"
        } else {
            "storage"
        }
    }

    /// The private endpoints (empty in allowlist mode). The project storage gets `file`,
    /// `queue` and `table` endpoints only when it is the workspace's storage: Azure ML needs
    /// `file` for notebooks and code, and `queue`/`table` for parallel/pipeline jobs.
    pub fn private_links(&self) -> Vec<&'static naming::PrivateLinkTarget> {
        if !self.private {
            return Vec::new();
        }
        let targets = self.targets();
        PRIVATE_LINK_TARGETS
            .iter()
            .filter(|t| targets.contains(&t.target))
            .filter(|t| {
                !(t.target == "storage" && matches!(t.group_id, "file" | "queue" | "table"))
                    || (self.ml && !self.genai)
            })
            .collect()
    }

    /// Is a name of this kind (and private endpoint key) used by this project?
    pub fn uses_name(&self, kind: NameKind, key: Option<&str>) -> bool {
        let targets = self.targets();
        match kind {
            NameKind::PrivateEndpoint | NameKind::NetworkInterface => {
                key.is_some_and(|k| self.private_links().iter().any(|t| t.key() == k))
            }
            NameKind::DatabricksManagedResourceGroup => self.databricks,
            NameKind::ResourceGroup => true,
            NameKind::Identity => targets.contains(&"identity"),
            NameKind::KeyVault => targets.contains(&"key_vault"),
            NameKind::Storage => targets.contains(&"storage"),
            NameKind::MlStorage => targets.contains(&"ml_storage"),
            NameKind::AppInsights => targets.contains(&"app_insights"),
            NameKind::MlWorkspace => targets.contains(&"ml_workspace"),
            NameKind::Databricks => targets.contains(&"databricks"),
            NameKind::DataFactory => targets.contains(&"data_factory"),
            NameKind::Search => targets.contains(&"search"),
            NameKind::AiServices => targets.contains(&"ai_services"),
            NameKind::FoundryAccount => targets.contains(&"foundry_account"),
            NameKind::CosmosDb => targets.contains(&"cosmos_db"),
            NameKind::ContainerApps => targets.contains(&"container_apps"),
            NameKind::AzureOpenAi => targets.contains(&"azure_openai"),
        }
    }
}
