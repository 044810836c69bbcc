//! Project naming: a pure function from (project number, environment, location, naming
//! options, subscription, common resource group) to every Azure name a project gets.
//! No I/O, no clocks, no hashing order.
//!
//! Owns: the name conventions, Azure's naming rule per resource type ([`rules`]), the
//! global-uniqueness salt ([`salt`]), and typed [`Issue`]s that name the input to change.
//! Must not touch: Terraform values, Azure.
//!
//! # Conventions (ESML's, esml.md §2.2, adapted)
//!
//! `NNN` is the project number with three digits, `loc` the location short code
//! (`naming.location_short`, default from [`regions::LOCATION_SHORT`]), `env` the
//! environment (`dev`, `test`, `prod`), `s5` the [`salt`], `suffix` `naming.suffix`
//! (default `-001`), `sfx` the suffix without hyphens, `d2` the last two digits of the
//! suffix, `prefix` `naming.prefix` (default empty).
//!
//! | name | pattern |
//! |---|---|
//! | resource group | `{prefix}esml-project{NNN}-{loc}-{env}{suffix}-rg` |
//! | managed identity | `mi-prj{NNN}-{loc}-{env}-{s5}{suffix}` |
//! | key vault | `kv-p{NNN}-{loc}-{env}{s5}{d2}` |
//! | storage | `saprj{NNN}{loc}{s5}1{d2}{env}` |
//! | ML storage (genai + azure_ml) | `saprj{NNN}{loc}{s5}2{d2}{env}` |
//! | Application Insights | `ain-prj{NNN}-{loc}-{env}-{s5}{suffix}` |
//! | ML workspace | `aml-{NNN}-{loc}-{env}-{s5}{suffix}` |
//! | Databricks | `dbx-prj{NNN}-{loc}-{env}-{s5}{suffix}` |
//! | Databricks managed resource group | `{resource group}-dbxmgmt` |
//! | Data Factory | `adf-prj{NNN}-{loc}-{env}-{s5}{suffix}` |
//! | AI Search | `aisearchprj{NNN}{loc}{env}{s5}{sfx}` |
//! | AI Services (and its custom subdomain) | `ais-prj{NNN}-{loc}-{env}-{s5}{suffix}` |
//! | private endpoint | `{target name}-{group id, lowercase}-pend` |
//! | its network interface | `{private endpoint name}-nic` |
//!
//! Deviations from ESML, on purpose: ESML's 10-character random salt is dropped (names
//! must be reproducible from configuration alone); the key vault loses the hyphen before
//! the salt and the storage account uses `d2` instead of the whole suffix, so that a
//! four-letter location with `test`/`prod` still fits 24 characters (ESML's own patterns
//! overflow there); the Databricks managed resource group does not repeat the suffix.
//!
//! `naming.salt = "esml"` ([`SaltMode::Esml`]) adopts projects made by the ESML pipelines:
//! the salt is ESML's ([`esml_salt`], Bicep `uniqueString`) and the key vault, storage
//! accounts, Data Factory and Databricks take ESML's own patterns
//! ([`NameKind::esml_pattern`]). The managed identity, AI Search and AI Services names
//! carry ESML's random 10-character salt too (`randomSalt`, from `aifactory_salt_random` or
//! a GUID): with `naming.random_salt` ([`check_random_salt`]) they take ESML's patterns
//! ([`NameKind::esml_random_pattern`]), without it they keep this provider's. Import reads
//! the random salt back from the managed identity's name ([`esml_random_salt_of_identity`]),
//! as ESML's pipeline does. Private endpoints take ESML's names too (`{target}-pend`,
//! `{target}-{group id}-pend` for storage and Data Factory; see [`PrivateEndpointNames`]),
//! their DNS zone groups `{endpoint}DnsZone` instead of `default`.
//! Those are the names of ESML's `esml-genai-1` template; an esml project takes those of
//! ESML's older `esml-project/22-main.bicep` where they differ ([`EsmlTemplate::Project`],
//! [`NameKind::esml_project_pattern`]): storage without the `1`, ML workspace and
//! Databricks without the salt, and the key vault's and storage's endpoints
//! `pend-prj{NNN}-kv1-to-vnt-mlcmn` / `pend-sa-prj{NNN}{loc}{env}-{group id}-to-vnt-mlcmn`.
//!
//! Every composed name is checked against its type's rule; a violation is reported on the
//! input that caused it with the fix ("shorten naming.prefix by 3 characters").

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use aifactory_attrpath::AttrPath;

pub mod hash;
mod issue;
pub mod regions;
pub mod rules;
#[cfg(test)]
mod tests;

pub use hash::Guid;
mod kind;
pub use issue::{Fix, Issue, IssueKind, Part, PartProblem, RandomSaltProblem};
pub use kind::NameKind;
pub use rules::{rule_for, NameRule, Violation};

/// Length of the salt in names.
pub const SALT_LEN: usize = 5;
/// Length of ESML's random salt (`randomSalt`, `naming.random_salt`).
pub const RANDOM_SALT_LEN: usize = 10;
/// Default `naming.suffix` (ESML's `admin_prjResourceSuffix`).
pub const DEFAULT_SUFFIX: &str = "-001";
/// Version tag mixed into the salt; changing it renames every globally unique resource.
pub const SALT_DOMAIN: &str = "aifactory-salt-v1";

/// The global-uniqueness salt: the first [`SALT_LEN`] characters of the lowercase RFC 4648
/// base32 encoding (alphabet `a-z2-7`) of SHA-256 over the UTF-8 bytes of
/// `"aifactory-salt-v1:" + lowercase(trim(subscription_id)) + ":" +
/// lowercase(trim(common_resource_group_name))`.
///
/// Both inputs are lowercased because Azure compares subscription IDs and resource group
/// names case-insensitively. The result depends on nothing else (no clock, no platform),
/// so every plan on every machine gets the same names; one AI factory (subscription +
/// common resource group, one per environment) gets one salt, 32^5 ≈ 33.5 million values.
/// ESML derives its salt with Bicep's `uniqueString` instead: see [`esml_salt`] and
/// `naming.salt = "esml"` ([`SaltMode::Esml`]).
///
/// Example: `salt("00000000-0000-0000-0000-000000000000", "acme-esml-common-weu-dev-001")`.
pub fn salt(subscription_id: &str, common_resource_group_name: &str) -> String {
    let input = format!(
        "{SALT_DOMAIN}:{}:{}",
        subscription_id.trim().to_ascii_lowercase(),
        common_resource_group_name.trim().to_ascii_lowercase()
    );
    let mut s = hash::base32_lower(&hash::sha256(input.as_bytes()));
    s.truncate(SALT_LEN);
    s
}

/// ESML's salt `uniqueInAIFenv`: the first [`SALT_LEN`] characters of ARM's
/// `uniqueString(<common resource group ID>)` ([`hash::unique_string`]), the ID being
/// `/subscriptions/{subscription}/resourceGroups/{common resource group name}`.
///
/// ARM hashes the ID exactly as Bicep renders `commonResourceGroupRef.id`: the
/// subscription ID as ARM reports it (lowercase, so it is lowercased here) and the group
/// name as ESML's parameter spells it (kept as written: `uniqueString` is case-sensitive,
/// so `common.resource_group_name` must be written with ESML's casing).
pub fn esml_salt(subscription_id: &str, common_resource_group_name: &str) -> String {
    let id = format!(
        "/subscriptions/{}/resourceGroups/{}",
        subscription_id.trim().to_ascii_lowercase(),
        common_resource_group_name.trim()
    );
    let mut s = hash::unique_string(&[&id]);
    s.truncate(SALT_LEN);
    s
}

/// Check `naming.random_salt` (`value`) against `naming.salt` (`mode`): only ESML's names
/// carry it, and it must be a value ESML produces: exactly [`RANDOM_SALT_LEN`] lowercase
/// letters, digits or hyphens (`aifactory_salt_random`, or the first ten characters of a
/// lowercase GUID, which may hold its first hyphen). The issue is on `naming.random_salt`.
// An Issue is built at most once per plan; boxing it would buy nothing.
#[allow(clippy::result_large_err)]
pub fn check_random_salt(mode: SaltMode, value: Option<&str>) -> Result<(), Issue> {
    let Some(v) = value else {
        return Ok(());
    };
    let problem = if mode != SaltMode::Esml {
        Some(RandomSaltProblem::WithoutEsml)
    } else if let Some(ch) = v
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        Some(RandomSaltProblem::InvalidChar { ch })
    } else if v.chars().count() != RANDOM_SALT_LEN {
        Some(RandomSaltProblem::Length {
            len: v.chars().count(),
        })
    } else {
        None
    };
    match problem {
        None => Ok(()),
        Some(problem) => Err(Issue::new(
            Part::RandomSalt.path(),
            IssueKind::InvalidRandomSalt {
                value: v.to_string(),
                problem,
            },
        )),
    }
}

/// ESML's random salt read back from the project managed identity's name
/// `mi-prj{NNN}-{loc}-{env}-{s5}{r10}{suffix}` (ESML's pipeline re-derives it the same way):
/// `head` is `mi-prj{NNN}-{loc}-{env}-{s5}`, `suffixes` the suffixes to try (the project's,
/// then ESML's `keepMIandKVsuffixAs001` `-001`). `None` unless what is between is a random
/// salt [`check_random_salt`] accepts.
pub fn esml_random_salt_of_identity(name: &str, head: &str, suffixes: &[&str]) -> Option<String> {
    let rest = name
        .get(..head.len())
        .filter(|h| h.eq_ignore_ascii_case(head))
        .map(|_| &name[head.len()..])?;
    suffixes.iter().find_map(|sfx| {
        let r = rest.strip_suffix(sfx)?;
        check_random_salt(SaltMode::Esml, Some(r))
            .ok()
            .map(|()| r.to_string())
    })
}

/// `naming.salt`: whose salt (and, for ESML, whose patterns) the globally unique names
/// follow.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SaltMode {
    /// This provider's salt ([`salt`]) and patterns (the default).
    #[default]
    AiFactory,
    /// ESML's salt ([`esml_salt`]) and ESML's key vault, storage, Data Factory and
    /// Databricks patterns, to adopt projects the ESML pipelines created.
    Esml,
}

impl SaltMode {
    /// The values `naming.salt` takes.
    pub const VALUES: [&'static str; 2] = ["aifactory", "esml"];
    pub fn as_str(self) -> &'static str {
        match self {
            SaltMode::AiFactory => "aifactory",
            SaltMode::Esml => "esml",
        }
    }
    /// The salt of one AI factory (subscription + common resource group) in this mode.
    pub fn salt(self, subscription_id: &str, common_resource_group_name: &str) -> String {
        match self {
            SaltMode::AiFactory => salt(subscription_id, common_resource_group_name),
            SaltMode::Esml => esml_salt(subscription_id, common_resource_group_name),
        }
    }
}

impl FromStr for SaltMode {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "aifactory" => Ok(SaltMode::AiFactory),
            "esml" => Ok(SaltMode::Esml),
            _ => Err(UnknownValue {
                value: s.to_string(),
                expected: &SaltMode::VALUES,
            }),
        }
    }
}

impl fmt::Display for SaltMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which of ESML's templates `naming.salt = "esml"` reproduces the names of. ESML makes
/// genai projects with `esml-genai-1` (names from `CmnAIfactoryNaming.bicep`) and its Azure
/// ML ("esml") projects with the older `esml-project/22-main.bicep`, whose names differ
/// ([`NameKind::esml_project_pattern`]). Ignored with [`SaltMode::AiFactory`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum EsmlTemplate {
    /// `esml-genai-1` (genai projects).
    #[default]
    Genai,
    /// `esml-project/22-main.bicep` (esml projects). `databricks_private`: ESML's
    /// `databricksPrivate` (the private-link workspace `dbxp-…` with a private endpoint,
    /// which is what the provider makes with `network_access = "private"`) rather than the
    /// public `dbx-…`.
    Project { databricks_private: bool },
}

/// dev, test or prod.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    Dev,
    Test,
    Prod,
}

impl Environment {
    pub const ALL: [Environment; 3] = [Environment::Dev, Environment::Test, Environment::Prod];
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Dev => "dev",
            Environment::Test => "test",
            Environment::Prod => "prod",
        }
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error of the `FromStr` impls of this crate's small enums: the text and the values
/// accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownValue {
    pub value: String,
    pub expected: &'static [&'static str],
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not one of {}",
            self.value,
            self.expected.join(", ")
        )
    }
}

impl std::error::Error for UnknownValue {}

impl FromStr for Environment {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "dev" => Ok(Environment::Dev),
            "test" => Ok(Environment::Test),
            "prod" => Ok(Environment::Prod),
            _ => Err(UnknownValue {
                value: s.to_string(),
                expected: &["dev", "test", "prod"],
            }),
        }
    }
}

/// One private endpoint a project may get: the target's logical key and name kind, and the
/// private link group id (sub-resource).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrivateLinkTarget {
    /// Logical key of the target resource (`key_vault`).
    pub target: &'static str,
    pub kind: NameKind,
    /// Private link sub-resource (`vault`, `blob`, `amlworkspace`...).
    pub group_id: &'static str,
}

impl PrivateLinkTarget {
    /// Key of the endpoint: `{target}_{group id in snake_case}` (`key_vault_vault`,
    /// `search_search_service`).
    pub fn key(&self) -> String {
        format!("{}_{}", self.target, snake(self.group_id))
    }
}

fn snake(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Every private endpoint any project type can get (group ids from the Azure private
/// endpoint DNS table, learn.microsoft.com/azure/private-link/private-endpoint-dns).
pub const PRIVATE_LINK_TARGETS: &[PrivateLinkTarget] = &[
    PrivateLinkTarget {
        target: "key_vault",
        kind: NameKind::KeyVault,
        group_id: "vault",
    },
    PrivateLinkTarget {
        target: "storage",
        kind: NameKind::Storage,
        group_id: "blob",
    },
    PrivateLinkTarget {
        target: "storage",
        kind: NameKind::Storage,
        group_id: "dfs",
    },
    PrivateLinkTarget {
        target: "storage",
        kind: NameKind::Storage,
        group_id: "file",
    },
    PrivateLinkTarget {
        target: "storage",
        kind: NameKind::Storage,
        group_id: "queue",
    },
    PrivateLinkTarget {
        target: "storage",
        kind: NameKind::Storage,
        group_id: "table",
    },
    PrivateLinkTarget {
        target: "ml_storage",
        kind: NameKind::MlStorage,
        group_id: "blob",
    },
    PrivateLinkTarget {
        target: "ml_storage",
        kind: NameKind::MlStorage,
        group_id: "dfs",
    },
    PrivateLinkTarget {
        target: "ml_storage",
        kind: NameKind::MlStorage,
        group_id: "file",
    },
    PrivateLinkTarget {
        target: "ml_storage",
        kind: NameKind::MlStorage,
        group_id: "queue",
    },
    PrivateLinkTarget {
        target: "ml_storage",
        kind: NameKind::MlStorage,
        group_id: "table",
    },
    PrivateLinkTarget {
        target: "ml_workspace",
        kind: NameKind::MlWorkspace,
        group_id: "amlworkspace",
    },
    PrivateLinkTarget {
        target: "search",
        kind: NameKind::Search,
        group_id: "searchService",
    },
    PrivateLinkTarget {
        target: "ai_services",
        kind: NameKind::AiServices,
        group_id: "account",
    },
    PrivateLinkTarget {
        target: "foundry_account",
        kind: NameKind::FoundryAccount,
        group_id: "account",
    },
    PrivateLinkTarget {
        target: "data_factory",
        kind: NameKind::DataFactory,
        group_id: "dataFactory",
    },
    PrivateLinkTarget {
        target: "databricks",
        kind: NameKind::Databricks,
        group_id: "databricks_ui_api",
    },
    PrivateLinkTarget {
        target: "cosmos_db",
        kind: NameKind::CosmosDb,
        group_id: "Sql",
    },
    PrivateLinkTarget {
        target: "azure_openai",
        kind: NameKind::AzureOpenAi,
        group_id: "account",
    },
];

/// Everything naming looks at. `None` options take their defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamingInput {
    /// `number`, 1..=999.
    pub number: i64,
    pub environment: Environment,
    /// `location`, Azure's programmatic name (`westeurope`).
    pub location: String,
    /// `naming.prefix` (default empty).
    pub prefix: Option<String>,
    /// `naming.location_short` (default from [`regions::LOCATION_SHORT`]).
    pub location_short: Option<String>,
    /// `naming.suffix` (default [`DEFAULT_SUFFIX`]).
    pub suffix: Option<String>,
    /// The provider's subscription ID (for the salt).
    pub subscription_id: String,
    /// `common.resource_group_name` (for the salt).
    pub common_resource_group_name: String,
}

/// How the configs inside a private endpoint's DNS zone group are named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ZoneConfigNaming {
    /// This provider's: the zone's name with dots as hyphens
    /// (`privatelink-vaultcore-azure-net`).
    ZoneDashed,
    /// ESML's `privateDns.bicep` (key vault, storage, AI Search, Data Factory, Databricks):
    /// one config named like the private endpoint.
    Endpoint,
    /// ESML's `machinelearningNetwork.bicep` and `csAIServices.bicep` (ML workspace, AI
    /// Services): each config named like its zone (`privatelink.api.azureml.ms`).
    Zone,
}

/// Names of one private endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrivateEndpointNames {
    pub endpoint: String,
    pub network_interface: String,
    /// The name of its private link service connection (`privateLinkServiceConnections[0]`).
    pub connection: String,
    /// The name of its DNS zone group (`default`; ESML's `{endpoint}DnsZone`).
    pub dns_zone_group: String,
    /// How the zone group's configs are named.
    pub zone_config: ZoneConfigNaming,
    /// Logical key of the target resource.
    pub target: String,
    pub group_id: String,
}

/// ESML's private endpoint for one target, from its Bicep (`esml-genai-1`, modules
/// `keyVault.bicep`, `storageAccount.bicep`, `aiSearch.bicep`, `csAIServices.bicep`,
/// `machineLearningv2.bicep` + `machinelearningNetwork.bicep`, `dataFactory.bicep`,
/// `databricksPrivate.bicep`, `privateDns.bicep`):
///
/// | target | endpoint | connection | zone configs |
/// |---|---|---|---|
/// | key vault | `{kv}-pend` | endpoint | endpoint |
/// | storage (each group id) | `{sa}-{group id}-pend` | endpoint | endpoint |
/// | ML workspace | `{aml}-pend` | endpoint | zone |
/// | AI Search | `{search}-pend` | `{search}` | endpoint |
/// | AI Services, Foundry account | `{ais}-pend` | endpoint | zone |
/// | Data Factory | `{adf}-{group id}-pend` (`-dataFactory-`, case kept) | endpoint | endpoint |
/// | Databricks | `{dbx}-pend` | endpoint | endpoint |
///
/// The network interface is always `{endpoint}-nic`, the zone group `{endpoint}DnsZone`.
/// ESML makes no `dfs` endpoint on project storage; the provider's follows the storage
/// pattern (`{sa}-dfs-pend`).
struct EsmlEndpoint {
    /// The group ID goes into the name (storage, Data Factory).
    with_group: bool,
    /// The connection is named like the target, not the endpoint (AI Search).
    connection_is_target: bool,
    zone_config: ZoneConfigNaming,
}

fn esml_endpoint(t: &PrivateLinkTarget) -> EsmlEndpoint {
    let (with_group, connection_is_target, zone_config) = match t.target {
        "storage" | "ml_storage" | "data_factory" => (true, false, ZoneConfigNaming::Endpoint),
        "search" => (false, true, ZoneConfigNaming::Endpoint),
        "ml_workspace" | "ai_services" | "foundry_account" => {
            (false, false, ZoneConfigNaming::Zone)
        }
        _ => (false, false, ZoneConfigNaming::Endpoint),
    };
    EsmlEndpoint {
        with_group,
        connection_is_target,
        zone_config,
    }
}

/// Every name a project would get (whether or not its type and services use it).
/// (`Default`: all empty, for a desired set that is not a project: the common part.)
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProjectNames {
    /// `project001`.
    pub project_key: String,
    /// `001`.
    pub number: String,
    pub salt: String,
    pub location_short: String,
    pub prefix: String,
    pub suffix: String,
    pub resource_group: String,
    pub identity: String,
    pub key_vault: String,
    pub storage: String,
    pub ml_storage: String,
    pub app_insights: String,
    pub ml_workspace: String,
    pub databricks: String,
    pub databricks_managed_resource_group: String,
    pub data_factory: String,
    pub search: String,
    pub ai_services: String,
    /// The dedicated Foundry account (`foundry_options.account = "dedicated"`).
    pub foundry_account: String,
    /// The Foundry project on the dedicated account: ESML's `aif2-p…` with its random salt,
    /// else the project key (`project001`). On the AI Services account the Foundry
    /// project is always named by the project key.
    pub foundry_project: String,
    pub cosmos_db: String,
    pub container_apps: String,
    pub azure_openai: String,
    /// By private endpoint key (`key_vault_vault`, see [`PrivateLinkTarget::key`]).
    pub private_endpoints: BTreeMap<String, PrivateEndpointNames>,
    /// `projects/project001`, the project's directory in the common data lake.
    pub datalake_path: String,
}

impl ProjectNames {
    /// The name of a target by its logical key (`key_vault`).
    pub fn of_target(&self, target: &str) -> Option<&str> {
        Some(match target {
            "resource_group" => &self.resource_group,
            "identity" => &self.identity,
            "key_vault" => &self.key_vault,
            "storage" => &self.storage,
            "ml_storage" => &self.ml_storage,
            "app_insights" => &self.app_insights,
            "ml_workspace" => &self.ml_workspace,
            "databricks" => &self.databricks,
            "data_factory" => &self.data_factory,
            "search" => &self.search,
            "ai_services" => &self.ai_services,
            "foundry_account" => &self.foundry_account,
            "cosmos_db" => &self.cosmos_db,
            "container_apps" => &self.container_apps,
            "azure_openai" => &self.azure_openai,
            _ => return None,
        })
    }

    /// (kind, name) of every single-resource name, in documentation order.
    pub fn all(&self) -> Vec<(NameKind, &str)> {
        vec![
            (NameKind::ResourceGroup, self.resource_group.as_str()),
            (NameKind::Identity, &self.identity),
            (NameKind::KeyVault, &self.key_vault),
            (NameKind::Storage, &self.storage),
            (NameKind::MlStorage, &self.ml_storage),
            (NameKind::AppInsights, &self.app_insights),
            (NameKind::MlWorkspace, &self.ml_workspace),
            (NameKind::Databricks, &self.databricks),
            (
                NameKind::DatabricksManagedResourceGroup,
                &self.databricks_managed_resource_group,
            ),
            (NameKind::DataFactory, &self.data_factory),
            (NameKind::Search, &self.search),
            (NameKind::AiServices, &self.ai_services),
            (NameKind::FoundryAccount, &self.foundry_account),
            (NameKind::CosmosDb, &self.cosmos_db),
            (NameKind::ContainerApps, &self.container_apps),
            (NameKind::AzureOpenAi, &self.azure_openai),
        ]
    }
}

/// Where a piece of a name came from, to blame the right input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Fixed,
    Number,
    Environment,
    Salt,
    /// ESML's random salt: fixed length, never blamed for length.
    RandomSalt,
    User(Part),
}

#[derive(Debug, Clone, Default)]
struct Composed {
    parts: Vec<(Source, String)>,
}

impl Composed {
    fn lit(mut self, s: &str) -> Self {
        self.parts.push((Source::Fixed, s.to_string()));
        self
    }
    fn add(mut self, src: Source, s: &str) -> Self {
        if !s.is_empty() {
            self.parts.push((src, s.to_string()));
        }
        self
    }
    fn text(&self) -> String {
        self.parts.iter().map(|(_, s)| s.as_str()).collect()
    }
    /// The first `n` characters (Bicep `take`).
    fn take(mut self, n: usize) -> Self {
        let mut left = n;
        for (_, s) in &mut self.parts {
            let len = s.chars().count();
            if len > left {
                *s = s.chars().take(left).collect();
            }
            left -= len.min(left);
        }
        self.parts.retain(|(_, s)| !s.is_empty());
        self
    }
    /// The source of the character at `index` (in chars).
    fn source_at(&self, index: usize) -> Source {
        let mut at = 0usize;
        for (src, s) in &self.parts {
            let n = s.chars().count();
            if index < at + n {
                return *src;
            }
            at += n;
        }
        Source::Fixed
    }
    fn user_lengths(&self) -> Vec<(Part, usize)> {
        let mut out: Vec<(Part, usize)> = Vec::new();
        for (src, s) in &self.parts {
            if let Source::User(p) = src {
                let n = s.chars().count();
                match out.iter_mut().find(|(q, _)| q == p) {
                    Some((_, m)) => *m += n,
                    None => out.push((*p, n)),
                }
            }
        }
        out
    }
}

/// The validated inputs of composition.
struct Ctx {
    nnn: String,
    env: String,
    loc: String,
    salt: String,
    prefix: String,
    suffix: String,
    /// ESML's patterns where they differ ([`NameKind::esml_pattern`]).
    esml: bool,
    /// ESML's random salt (`naming.random_salt`, only with `esml`).
    random: Option<String>,
    /// With `esml`: ESML's `esml-project` template ([`EsmlTemplate::Project`]); the value
    /// is its `databricksPrivate`.
    project: Option<bool>,
}

impl Ctx {
    fn suffix_compact(&self) -> String {
        self.suffix.chars().filter(|c| *c != '-').collect()
    }
    fn suffix_d2(&self) -> String {
        let digits: Vec<char> = self.suffix.chars().filter(|c| c.is_ascii_digit()).collect();
        digits[digits.len().saturating_sub(2)..].iter().collect()
    }
    fn u(p: Part) -> Source {
        Source::User(p)
    }
    /// `{lead}{NNN}-{loc}-{env}-{s5}{suffix}`
    fn dashed(&self, lead: &str) -> Composed {
        Composed::default()
            .lit(lead)
            .add(Source::Number, &self.nnn)
            .lit("-")
            .add(Self::u(Part::LocationShort), &self.loc)
            .lit("-")
            .add(Source::Environment, &self.env)
            .lit("-")
            .add(Source::Salt, &self.salt)
            .add(Self::u(Part::Suffix), &self.suffix)
    }
    fn resource_group(&self) -> Composed {
        Composed::default()
            .add(Self::u(Part::Prefix), &self.prefix)
            .lit("esml-project")
            .add(Source::Number, &self.nnn)
            .lit("-")
            .add(Self::u(Part::LocationShort), &self.loc)
            .lit("-")
            .add(Source::Environment, &self.env)
            .add(Self::u(Part::Suffix), &self.suffix)
            .lit("-rg")
    }
    fn key_vault(&self) -> Composed {
        Composed::default()
            .lit("kv-p")
            .add(Source::Number, &self.nnn)
            .lit("-")
            .add(Self::u(Part::LocationShort), &self.loc)
            .lit("-")
            .add(Source::Environment, &self.env)
            .lit(if self.esml { "-" } else { "" })
            .add(Source::Salt, &self.salt)
            .add(Self::u(Part::Suffix), &self.suffix_d2())
    }
    fn storage(&self, n: &str) -> Composed {
        Composed::default()
            .lit("saprj")
            .add(Source::Number, &self.nnn)
            .add(Self::u(Part::LocationShort), &self.loc)
            .add(Source::Salt, &self.salt)
            .add(Source::Fixed, n)
            .add(
                Self::u(Part::Suffix),
                &if self.esml {
                    self.suffix_compact()
                } else {
                    self.suffix_d2()
                },
            )
            .add(Source::Environment, &self.env)
    }
    /// ESML's `take(replace(toLower('{lead}prj{NNN}{loc}{env}{s5}{r10}{sfx}'), '-', ''), max)`
    /// (AI Search, AI Services); every part but the random salt is already lowercase and
    /// without hyphens.
    fn esml_compact(&self, lead: &str, random: &str, max: usize) -> Composed {
        Composed::default()
            .lit(lead)
            .add(Source::Number, &self.nnn)
            .add(Self::u(Part::LocationShort), &self.loc)
            .add(Source::Environment, &self.env)
            .add(Source::Salt, &self.salt)
            .add(Source::RandomSalt, &random.replace('-', ""))
            .add(Self::u(Part::Suffix), &self.suffix_compact())
            .take(max)
    }
    /// ESML's Foundry account `take(take(aif2{s5}{r10*}, 12){NNN}{env}, 20)` (`aifV2Name`)
    /// or, with `project`, its Foundry project `take(take(aif2-p{NNN}{s5}{r10*}, 12){env}, 20)`
    /// (`aifV2PrjName`); `r10*` is the random salt lowercased without `-` and `_`.
    fn esml_foundry(&self, random: &str, project: bool) -> Composed {
        let clean = random.replace(['-', '_'], "").to_ascii_lowercase();
        let head = if project {
            Composed::default()
                .lit("aif2-p")
                .add(Source::Number, &self.nnn)
                .add(Source::Salt, &self.salt)
        } else {
            Composed::default()
                .lit("aif2")
                .add(Source::Salt, &self.salt)
        };
        let base = head.add(Source::RandomSalt, &clean).take(12);
        let tail = if project {
            base
        } else {
            base.add(Source::Number, &self.nnn)
        };
        tail.add(Source::Environment, &self.env).take(20)
    }
    /// `mi-prj{NNN}-{loc}-{env}-{s5}{r10}{suffix}` (ESML's `miPrjName`).
    fn esml_identity(&self, random: &str) -> Composed {
        Composed::default()
            .lit("mi-prj")
            .add(Source::Number, &self.nnn)
            .lit("-")
            .add(Self::u(Part::LocationShort), &self.loc)
            .lit("-")
            .add(Source::Environment, &self.env)
            .lit("-")
            .add(Source::Salt, &self.salt)
            .add(Source::RandomSalt, random)
            .add(Self::u(Part::Suffix), &self.suffix)
    }
    /// `{lead}{NNN}-{loc}-{env}{suffix}` (no salt: ESML's `esml-project` ML workspace and
    /// Databricks).
    fn unsalted(&self, lead: &str) -> Composed {
        Composed::default()
            .lit(lead)
            .add(Source::Number, &self.nnn)
            .lit("-")
            .add(Self::u(Part::LocationShort), &self.loc)
            .lit("-")
            .add(Source::Environment, &self.env)
            .add(Self::u(Part::Suffix), &self.suffix)
    }
    /// ESML's `esml-project` private endpoint names where its Bicep passes one (key vault:
    /// `pend-prj{NNN}-kv1-to-vnt-mlcmn`; storage: `pend-sa-prj{NNN}{loc}{env}-{group id}-to-vnt-mlcmn`).
    /// `None` where its modules name the endpoint after the target (as in `esml-genai-1`).
    fn project_endpoint(&self, t: &PrivateLinkTarget) -> Option<Composed> {
        match t.target {
            "key_vault" => Some(
                Composed::default()
                    .lit("pend-prj")
                    .add(Source::Number, &self.nnn)
                    .lit("-kv1-to-vnt-mlcmn"),
            ),
            "storage" => Some(
                Composed::default()
                    .lit("pend-sa-prj")
                    .add(Source::Number, &self.nnn)
                    .add(Self::u(Part::LocationShort), &self.loc)
                    .add(Source::Environment, &self.env)
                    .lit("-")
                    .lit(t.group_id)
                    .lit("-to-vnt-mlcmn"),
            ),
            _ => None,
        }
    }
    fn search(&self) -> Composed {
        Composed::default()
            .lit("aisearchprj")
            .add(Source::Number, &self.nnn)
            .add(Self::u(Part::LocationShort), &self.loc)
            .add(Source::Environment, &self.env)
            .add(Source::Salt, &self.salt)
            .add(Self::u(Part::Suffix), &self.suffix_compact())
    }
}

/// Check the parts a user controls; issues for each bad one.
fn check_parts(input: &NamingInput) -> Vec<Issue> {
    let mut issues = Vec::new();
    if !(1..=999).contains(&input.number) {
        issues.push(Issue::new(
            AttrPath::attr("number"),
            IssueKind::NumberOutOfRange {
                number: input.number,
            },
        ));
    }
    let loc = input.location.as_str();
    if loc.is_empty()
        || !loc
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    {
        issues.push(Issue::new(
            AttrPath::attr("location"),
            IssueKind::InvalidLocation {
                location: input.location.clone(),
            },
        ));
    }
    let mut part = |p: Part, value: Option<&String>, allow_hyphen: bool, required: bool| {
        let Some(v) = value else { return };
        if v.is_empty() {
            if required {
                issues.push(Issue::new(
                    p.path(),
                    IssueKind::InvalidPart {
                        part: p,
                        value: v.clone(),
                        problem: PartProblem::Empty,
                    },
                ));
            }
            return;
        }
        if let Some(ch) = v.chars().find(|c| {
            !(c.is_ascii_lowercase() || c.is_ascii_digit() || (allow_hyphen && *c == '-'))
        }) {
            issues.push(Issue::new(
                p.path(),
                IssueKind::InvalidPart {
                    part: p,
                    value: v.clone(),
                    problem: PartProblem::InvalidChar { ch, allow_hyphen },
                },
            ));
        }
    };
    part(Part::Prefix, input.prefix.as_ref(), true, false);
    part(Part::Suffix, input.suffix.as_ref(), true, false);
    part(
        Part::LocationShort,
        input.location_short.as_ref(),
        false,
        true,
    );
    if input.location_short.is_none()
        && issues.iter().all(|i| i.path != AttrPath::attr("location"))
        && regions::default_location_short(loc).is_none()
    {
        issues.push(Issue::new(
            Part::LocationShort.path(),
            IssueKind::NoDefaultLocationShort {
                location: input.location.clone(),
            },
        ));
    }
    let rg = input.common_resource_group_name.as_str();
    if let Err(violation) = rule_for(NameKind::ResourceGroup).check(rg) {
        issues.push(Issue::new(
            AttrPath::attr("common").and_attr("resource_group_name"),
            IssueKind::InvalidCommonResourceGroup {
                value: rg.to_string(),
                violation,
            },
        ));
    }
    if Guid::parse(&input.subscription_id).is_none() {
        issues.push(Issue::new(
            AttrPath::root(),
            IssueKind::InvalidSubscriptionId {
                value: input.subscription_id.clone(),
            },
        ));
    }
    issues
}

/// Decide how to fix a name that breaks its rule.
fn blame(c: &Composed, violation: &Violation) -> Fix {
    let text_len = c.text().chars().count();
    match violation {
        Violation::TooLong { max, len } => {
            let over = len - max;
            let users = c.user_lengths();
            // Blame the longest input that alone can absorb the overflow (it is the one
            // that grew); ties go to prefix, then suffix, then location_short.
            let order = |p: &Part| match p {
                Part::Prefix => 0,
                Part::Suffix => 1,
                Part::LocationShort => 2,
                Part::RandomSalt => 3,
            };
            let mut able: Vec<(Part, usize)> = users
                .iter()
                .copied()
                .filter(|(p, n)| n.saturating_sub(usize::from(*p == Part::LocationShort)) >= over)
                .collect();
            able.sort_by(|a, b| b.1.cmp(&a.1).then(order(&a.0).cmp(&order(&b.0))));
            if let Some((p, n)) = able.first() {
                return Fix::Shorten {
                    part: *p,
                    by: over,
                    to_at_most: n - over,
                };
            }
            if users.is_empty() {
                Fix::Unfixable
            } else {
                Fix::ShortenTogether {
                    parts: users.iter().map(|(p, _)| *p).collect(),
                    by: over,
                }
            }
        }
        Violation::TooShort { .. } => Fix::Unfixable,
        Violation::InvalidChar { ch, .. } => {
            let idx = c.text().chars().position(|x| x == *ch).unwrap_or(0);
            user_fix(c.source_at(idx))
        }
        Violation::BadStart { .. } => user_fix(c.source_at(0)),
        Violation::BadSecond { .. } => user_fix(c.source_at(1)),
        Violation::BadEnd { .. } => user_fix(c.source_at(text_len.saturating_sub(1))),
        Violation::ConsecutiveHyphens => {
            let text = c.text();
            let idx = text
                .find("--")
                .map(|b| text[..b].chars().count())
                .unwrap_or(0);
            match (c.source_at(idx), c.source_at(idx + 1)) {
                (Source::User(p), _) | (_, Source::User(p)) => Fix::Change { part: p },
                _ => Fix::Unfixable,
            }
        }
    }
}

fn user_fix(src: Source) -> Fix {
    match src {
        Source::User(p) => Fix::Change { part: p },
        Source::RandomSalt => Fix::Change {
            part: Part::RandomSalt,
        },
        _ => Fix::Unfixable,
    }
}

/// Compose every name and check each against its rule. `Err` when the inputs themselves
/// are unusable (nothing could be composed); `Ok` with the names and one issue per name
/// that breaks its rule (each carrying the [`NameKind`] and, for private endpoints, the
/// endpoint key, so callers can keep only the issues of names they use).
pub fn compose(input: &NamingInput) -> Result<(ProjectNames, Vec<Issue>), Vec<Issue>> {
    compose_with(input, SaltMode::AiFactory)
}

/// [`compose`] with the salt (and patterns) of `mode` (`naming.salt`).
pub fn compose_with(
    input: &NamingInput,
    mode: SaltMode,
) -> Result<(ProjectNames, Vec<Issue>), Vec<Issue>> {
    compose_salted(input, mode, None)
}

/// [`compose_with`] plus ESML's random salt (`naming.random_salt`, checked with
/// [`check_random_salt`]): with `mode` [`SaltMode::Esml`] the managed identity, AI Search and
/// AI Services take ESML's patterns ([`NameKind::esml_random_pattern`]).
pub fn compose_salted(
    input: &NamingInput,
    mode: SaltMode,
    random_salt: Option<&str>,
) -> Result<(ProjectNames, Vec<Issue>), Vec<Issue>> {
    compose_template(input, mode, random_salt, EsmlTemplate::Genai)
}

/// [`compose_salted`] for one of ESML's templates: with `mode` [`SaltMode::Esml`] and
/// [`EsmlTemplate::Project`] the storage, ML workspace, Databricks (and its managed resource
/// group), Data Factory and the key vault's and storage's private endpoints take the names
/// of ESML's `esml-project` template ([`NameKind::esml_project_pattern`]).
pub fn compose_template(
    input: &NamingInput,
    mode: SaltMode,
    random_salt: Option<&str>,
    template: EsmlTemplate,
) -> Result<(ProjectNames, Vec<Issue>), Vec<Issue>> {
    let mut issues = check_parts(input);
    if let Err(issue) = check_random_salt(mode, random_salt) {
        issues.push(issue);
    }
    if !issues.is_empty() {
        return Err(issues);
    }
    let location_short = match (
        &input.location_short,
        regions::default_location_short(&input.location),
    ) {
        (Some(l), _) => l.clone(),
        (None, Some(l)) => l.to_string(),
        (None, None) => String::new(), // unreachable: check_parts reported it
    };
    let ctx = Ctx {
        nnn: format!("{:03}", input.number),
        env: input.environment.as_str().to_string(),
        loc: location_short.clone(),
        salt: mode.salt(&input.subscription_id, &input.common_resource_group_name),
        prefix: input.prefix.clone().unwrap_or_default(),
        suffix: input
            .suffix
            .clone()
            .unwrap_or_else(|| DEFAULT_SUFFIX.to_string()),
        esml: mode == SaltMode::Esml,
        random: random_salt.map(str::to_string),
        project: match (mode, template) {
            (SaltMode::Esml, EsmlTemplate::Project { databricks_private }) => {
                Some(databricks_private)
            }
            _ => None,
        },
    };
    let (identity, search, ai_services, foundry_account, foundry_project) = match &ctx.random {
        Some(r) => (
            ctx.esml_identity(r),
            ctx.esml_compact("aisearchprj", r, 60),
            ctx.esml_compact("aiservicesprj", r, 64),
            ctx.esml_foundry(r, false),
            ctx.esml_foundry(r, true),
        ),
        None => (
            ctx.dashed("mi-prj"),
            ctx.search(),
            ctx.dashed("ais-prj"),
            ctx.dashed("aif-prj"),
            Composed::default()
                .lit("project")
                .add(Source::Number, &ctx.nnn),
        ),
    };

    let rg = ctx.resource_group();
    // ESML's esml-project template (22-main.bicep): `sa{prj}{loc}{s5}{sfx}{env}`,
    // `aml-{prj}-{loc}-{env}{suffix}`, `dbx(p)-{prj}-{loc}-{env}{suffix}` with the managed
    // group `{rg}{suffix}-dbxmgmt`, `adf-{prj}-{loc}-{env}-{s5}{suffix}`.
    let (storage, ml_workspace, databricks, databricks_rg, data_factory) = match ctx.project {
        Some(dbx_private) => (
            ctx.storage(""),
            ctx.unsalted("aml-prj"),
            ctx.unsalted(if dbx_private { "dbxp-prj" } else { "dbx-prj" }),
            rg.clone()
                .add(Ctx::u(Part::Suffix), &ctx.suffix)
                .lit("-dbxmgmt"),
            ctx.dashed("adf-prj"),
        ),
        None => (
            ctx.storage("1"),
            ctx.dashed("aml-"),
            ctx.dashed(if ctx.esml { "dbx-" } else { "dbx-prj" }),
            rg.clone().lit("-dbxmgmt"),
            ctx.dashed(if ctx.esml { "adf-" } else { "adf-prj" }),
        ),
    };
    let singles: Vec<(NameKind, &'static str, Composed)> = vec![
        (NameKind::ResourceGroup, "resource_group", rg.clone()),
        (NameKind::Identity, "identity", identity),
        (NameKind::KeyVault, "key_vault", ctx.key_vault()),
        (NameKind::Storage, "storage", storage),
        (NameKind::MlStorage, "ml_storage", ctx.storage("2")),
        (NameKind::AppInsights, "app_insights", ctx.dashed("ain-prj")),
        (NameKind::MlWorkspace, "ml_workspace", ml_workspace),
        (NameKind::Databricks, "databricks", databricks),
        (
            NameKind::DatabricksManagedResourceGroup,
            "databricks_managed_resource_group",
            databricks_rg,
        ),
        (NameKind::DataFactory, "data_factory", data_factory),
        (NameKind::Search, "search", search),
        (NameKind::AiServices, "ai_services", ai_services),
        (NameKind::FoundryAccount, "foundry_account", foundry_account),
        // Checked against the account's rule (the project's is no looser).
        (NameKind::FoundryAccount, "foundry_project", foundry_project),
        (NameKind::CosmosDb, "cosmos_db", ctx.dashed("cosmos-prj")),
        (
            NameKind::ContainerApps,
            "container_apps",
            ctx.dashed("aca-env-prj"),
        ),
        // ESML's `aoaiName` has no `prj` (CmnAIfactoryNaming.bicep).
        (
            NameKind::AzureOpenAi,
            "azure_openai",
            ctx.dashed(if ctx.esml { "aoai-" } else { "aoai-prj" }),
        ),
    ];

    let mut issues = Vec::new();
    let mut check = |kind: NameKind, key: Option<String>, c: &Composed| {
        let text = c.text();
        if let Err(violation) = rule_for(kind).check(&text) {
            let fix = blame(c, &violation);
            issues.push(Issue::new(
                fix.path(),
                IssueKind::NameInvalid {
                    kind,
                    key,
                    name: text.clone(),
                    violation,
                    fix,
                },
            ));
        }
        text
    };

    let mut by_target: BTreeMap<&str, (String, Composed)> = BTreeMap::new();
    for (kind, target, c) in &singles {
        let text = check(*kind, None, c);
        by_target.insert(target, (text, c.clone()));
    }

    let mut private_endpoints = BTreeMap::new();
    for t in PRIVATE_LINK_TARGETS {
        let Some((_, target)) = by_target.get(t.target) else {
            continue;
        };
        let key = t.key();
        let esml = ctx.esml.then(|| esml_endpoint(t));
        let legacy = ctx.project.and_then(|_| ctx.project_endpoint(t));
        let pe = match (&esml, legacy) {
            // ESML's esml-project template passes these names to its modules.
            (Some(_), Some(l)) => l,
            // ESML's `{target}-pend` / `{target}-{group id}-pend` (group ID as written).
            (Some(e), None) if e.with_group => target.clone().lit("-").lit(t.group_id).lit("-pend"),
            (Some(_), None) => target.clone().lit("-pend"),
            (None, _) => target
                .clone()
                .lit("-")
                .lit(&t.group_id.to_ascii_lowercase())
                .lit("-pend"),
        };
        let endpoint = check(NameKind::PrivateEndpoint, Some(key.clone()), &pe);
        let nic = pe.clone().lit("-nic");
        let network_interface = check(NameKind::NetworkInterface, Some(key.clone()), &nic);
        let (connection, dns_zone_group, zone_config) = match &esml {
            Some(e) => (
                if e.connection_is_target {
                    target.text()
                } else {
                    endpoint.clone()
                },
                format!("{endpoint}DnsZone"),
                e.zone_config,
            ),
            None => (
                endpoint.clone(),
                "default".to_string(),
                ZoneConfigNaming::ZoneDashed,
            ),
        };
        private_endpoints.insert(
            key,
            PrivateEndpointNames {
                endpoint,
                network_interface,
                connection,
                dns_zone_group,
                zone_config,
                target: t.target.to_string(),
                group_id: t.group_id.to_string(),
            },
        );
    }

    let get = |k: &str| by_target.get(k).map(|(t, _)| t.clone()).unwrap_or_default();
    let names = ProjectNames {
        project_key: format!("project{}", ctx.nnn),
        number: ctx.nnn.clone(),
        salt: ctx.salt.clone(),
        location_short,
        prefix: ctx.prefix.clone(),
        suffix: ctx.suffix.clone(),
        resource_group: get("resource_group"),
        identity: get("identity"),
        key_vault: get("key_vault"),
        storage: get("storage"),
        ml_storage: get("ml_storage"),
        app_insights: get("app_insights"),
        ml_workspace: get("ml_workspace"),
        databricks: get("databricks"),
        databricks_managed_resource_group: get("databricks_managed_resource_group"),
        data_factory: get("data_factory"),
        search: get("search"),
        ai_services: get("ai_services"),
        foundry_account: get("foundry_account"),
        foundry_project: get("foundry_project"),
        cosmos_db: get("cosmos_db"),
        container_apps: get("container_apps"),
        azure_openai: get("azure_openai"),
        private_endpoints,
        datalake_path: format!("projects/project{}", ctx.nnn),
    };
    Ok((names, issues))
}

/// Every name a project would get, each checked against its Azure rule. Errors: every
/// problem found, each on the input to change (`naming.prefix`, `naming.suffix`,
/// `naming.location_short`, `number`, `location`, `common.resource_group_name`).
pub fn names(input: &NamingInput) -> Result<ProjectNames, Vec<Issue>> {
    names_with(input, SaltMode::AiFactory)
}

/// [`names`] with the salt (and patterns) of `mode` (`naming.salt`).
pub fn names_with(input: &NamingInput, mode: SaltMode) -> Result<ProjectNames, Vec<Issue>> {
    names_salted(input, mode, None)
}

/// [`names`] with the salt (and patterns) of `mode` and ESML's random salt
/// ([`compose_salted`]).
pub fn names_salted(
    input: &NamingInput,
    mode: SaltMode,
    random_salt: Option<&str>,
) -> Result<ProjectNames, Vec<Issue>> {
    let (names, issues) = compose_salted(input, mode, random_salt)?;
    if issues.is_empty() {
        Ok(names)
    } else {
        Err(issues)
    }
}
