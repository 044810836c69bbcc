//! `aifactory_project_names`: every Azure name a project would get, from the same naming
//! core `aifactory_project` uses. Pure: no network call, nothing created. The subscription
//! (part of the salt) comes from `subscription_id` or the provider's settings.
//!
//! Owns: the data source's schema and its typed model ([`ProjectNamesModel`]). Shares
//! the checks of `naming`, `common` and `services` with `aifactory_project` (its `spec`).
//! Must not: call Azure, create anything.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;

use crate::context::ProviderContext;
use crate::framework::ToDiagnostic;
use crate::framework::{
    resource::StateResponse,
    schema::{Attribute, Schema, Type},
    AttrPath, DataSource, Diagnostics, FromValue, Tf, ToValue, Value,
};
use aifactory_template::naming::{self, Environment, NameKind, NamingInput, SaltMode};
use aifactory_template::project::{
    CommonRefs, Layout, NamingOptions, NetworkAccess, ProjectSpec, ProjectType, Services, Team,
};

use super::project::spec::{fix_path, maps};
use super::project::StringMap;

/// `aifactory_project_names`.
pub struct ProjectNames {
    ctx: Arc<ProviderContext>,
}

impl ProjectNames {
    pub fn new(ctx: Arc<ProviderContext>) -> Self {
        ProjectNames { ctx }
    }
}

fn schema() -> Schema {
    Schema {
        version: 0,
        description: "Every Azure name an `aifactory_project` with these inputs would get — resource group, \
managed identity, key vault, storage accounts, Machine Learning, Databricks, Data Factory, AI Search, AI \
Services, private endpoints and their network interfaces, and the data lake directory — without creating \
anything and without a network call. Use it to reserve or check names before a project exists, or to refer to \
a project's resources from another configuration.\n\n\
Names are salted with the subscription and `common.resource_group_name` (see the naming rules of \
`aifactory_project`); the subscription is `subscription_id`, else the provider's. With `naming.salt = \"esml\"` \
they are the names ESML's pipelines give (ESML's salt and its key vault, storage, Data Factory and Databricks \
patterns); add `naming.random_salt` (ESML's 10-character random salt) for ESML's managed identity, AI Search \
and AI Services names too."
            .into(),
        attributes: vec![
            Attribute::required("number", Type::Number, "Project number, 1 to 999."),
            Attribute::required("environment", Type::String, "`dev`, `test` or `prod`."),
            Attribute::required("location", Type::String, "Azure region, for example `westeurope`."),
            Attribute::required("project_type", Type::String, "`esml` or `genai`: decides which names the project uses."),
            Attribute::optional("naming", Type::map(Type::String), "As in `aifactory_project`: `prefix`, `location_short`, `suffix`, `salt` (`aifactory` or `esml`), `random_salt` (ESML's 10-character random salt, with `salt = \"esml\"`)."),
            Attribute::required(
                "common",
                Type::map(Type::String),
                "As in `aifactory_project`; only `resource_group_name` matters here (it salts the globally unique names), other keys are accepted and ignored.",
            ),
            Attribute::optional("services", Type::map(Type::Bool), "As in `aifactory_project`: `azure_ml`, `databricks`, `data_factory`, `ai_search`, `ai_services`, `cosmos_db`, `ai_foundry`, `agent_service`, `container_apps`, `azure_openai` (unset ones follow `project_type`)."),
            Attribute::optional("foundry_options", Type::map(Type::String), "As in `aifactory_project`: `account` (`ai_services` or `dedicated`). With `dedicated` and `ai_foundry` the names include `foundry_account` and `foundry_project` (ESML's `aif2…` and `aif2-p…` with `naming.salt = \"esml\"` and `naming.random_salt`)."),
            Attribute::optional(
                "network_access",
                Type::String,
                "`private` (default; names of private endpoints included) or `allowlist`.",
            ),
            Attribute::optional("subscription_id", Type::String, "Subscription of the project. Default: the provider's `subscription_id` (or ARM_SUBSCRIPTION_ID)."),
            Attribute::computed(
                "names",
                Type::map(Type::String),
                "Name by logical key, only for what this project type and these services use: `resource_group`, `identity`, `key_vault`, `storage`, `ml_storage`, `app_insights`, `ml_workspace`, `databricks`, `databricks_managed_resource_group`, `data_factory`, `search`, `ai_services`, `foundry_account`, `foundry_project`, `cosmos_db`, `container_apps`, `azure_openai`, `private_endpoint.<target>_<group>`, `network_interface.<target>_<group>`, and `datalake_path`.",
            ),
            Attribute::computed("resource_group_id", Type::String, "The project's resource group ID."),
            Attribute::computed("salt", Type::String, "The 5-character salt of the globally unique names (ESML's with `naming.salt = \"esml\"`)."),
        ],
    }
}

crate::model! {
    /// `aifactory_project_names`' configuration and state.
    pub struct ProjectNamesModel {
        pub number: Tf<crate::framework::Num>,
        pub environment: Tf<String>,
        pub location: Tf<String>,
        pub project_type: Tf<String>,
        pub naming: Tf<StringMap>,
        pub common: Tf<StringMap>,
        pub services: Tf<BTreeMap<String, Tf<bool>>>,
        pub foundry_options: Tf<StringMap>,
        pub network_access: Tf<String>,
        pub subscription_id: Tf<String>,
        pub names: Tf<BTreeMap<String, String>>,
        pub resource_group_id: Tf<String>,
        pub salt: Tf<String>,
    }
}

/// A required string attribute; `None` (diagnosed) when it is not set.
fn required(v: &Tf<String>, attr: &str, diags: &mut Diagnostics) -> Option<String> {
    let s = v.known().cloned();
    if s.is_none() {
        diags.error(AttrPath::attr(attr), format!("`{attr}` is required"), "");
    }
    s
}

fn kind_key(kind: NameKind) -> &'static str {
    match kind {
        NameKind::ResourceGroup => "resource_group",
        NameKind::Identity => "identity",
        NameKind::KeyVault => "key_vault",
        NameKind::Storage => "storage",
        NameKind::MlStorage => "ml_storage",
        NameKind::AppInsights => "app_insights",
        NameKind::MlWorkspace => "ml_workspace",
        NameKind::Databricks => "databricks",
        NameKind::DatabricksManagedResourceGroup => "databricks_managed_resource_group",
        NameKind::DataFactory => "data_factory",
        NameKind::Search => "search",
        NameKind::AiServices => "ai_services",
        NameKind::FoundryAccount => "foundry_account",
        NameKind::CosmosDb => "cosmos_db",
        NameKind::ContainerApps => "container_apps",
        NameKind::AzureOpenAi => "azure_openai",
        NameKind::PrivateEndpoint => "private_endpoint",
        NameKind::NetworkInterface => "network_interface",
    }
}

/// `subscription_id` as the user wrote it must be a GUID: the error names this attribute
/// (not the provider's setting, which it overrides). `None` when diagnosed.
fn check_subscription_id(v: &Tf<String>, diags: &mut Diagnostics) -> Option<()> {
    match v.known() {
        Some(s) if aifactory_template::naming::Guid::parse(s).is_none() => {
            diags.error(
                AttrPath::attr("subscription_id"),
                format!("subscription_id {s:?} is not a GUID"),
                "Set `subscription_id` to the ID of the project's subscription, a GUID such as \
\"00000000-0000-0000-0000-000000000000\", or remove it to use the provider's.",
            );
            None
        }
        _ => Some(()),
    }
}

/// The names of a configuration; `None` with diagnostics when it is not usable.
pub fn names_of(
    config: &ProjectNamesModel,
    provider_subscription: Option<String>,
    diags: &mut Diagnostics,
) -> Option<(BTreeMap<String, String>, String, String)> {
    let (naming_map, common_map, services) =
        maps(&config.naming, &config.common, &config.services, diags);
    let foundry_account =
        crate::resources::project::spec::foundry_options(&config.foundry_options, diags);
    let maps = Maps {
        naming: naming_map,
        common: common_map,
        services,
    };
    let number = match config.number {
        Tf::Known(_) => crate::resources::project::spec::project_number(&config.number, diags)?,
        _ => 0,
    };
    let environment: Environment =
        match required(&config.environment, "environment", diags)?.parse() {
            Ok(e) => e,
            Err(e) => {
                diags.error(
                    AttrPath::attr("environment"),
                    format!("Invalid environment {:?}", e.value),
                    format!("Set `environment` to one of: {}.", e.expected.join(", ")),
                );
                return None;
            }
        };
    let project_type: ProjectType =
        match required(&config.project_type, "project_type", diags)?.parse() {
            Ok(t) => t,
            Err(e) => {
                diags.error(
                    AttrPath::attr("project_type"),
                    format!("Invalid project_type {:?}", e.value),
                    format!("Set `project_type` to one of: {}.", e.expected.join(", ")),
                );
                return None;
            }
        };
    let network_access = match config.network_access.known() {
        None => NetworkAccess::Private,
        Some(s) => match s.parse() {
            Ok(n) => n,
            Err(e) => {
                let e: aifactory_template::naming::UnknownValue = e;
                diags.error(
                    AttrPath::attr("network_access"),
                    format!("Invalid network_access {s:?}"),
                    format!("Set it to one of: {}.", e.expected.join(", ")),
                );
                return None;
            }
        },
    };
    let location = required(&config.location, "location", diags)?;
    check_subscription_id(&config.subscription_id, diags)?;
    let subscription = config
        .subscription_id
        .known()
        .cloned()
        .or(provider_subscription)
        .filter(|s| !s.trim().is_empty());
    let Some(subscription) = subscription else {
        diags.error(
            AttrPath::attr("subscription_id"),
            "No subscription for the names",
            "Set `subscription_id`, or the provider's `subscription_id` (ARM_SUBSCRIPTION_ID): the globally unique names are salted with it.",
        );
        return None;
    };
    let Some(common_rg) = maps.common.get("resource_group_name").cloned() else {
        diags.error(
            AttrPath::attr("common"),
            "`common.resource_group_name` is required",
            "Add `resource_group_name = \"...\"` to `common`: it salts the globally unique names.",
        );
        return None;
    };
    // An invalid `naming.salt` was diagnosed by `maps`; the names are not returned then.
    let salt: SaltMode = maps
        .naming
        .get("salt")
        .and_then(|s| s.parse().ok())
        .unwrap_or_default();
    // Likewise an invalid `naming.random_salt`.
    let random_salt = maps
        .naming
        .get("random_salt")
        .filter(|r| naming::check_random_salt(salt, Some(r)).is_ok())
        .cloned();
    let input = NamingInput {
        number,
        environment,
        location: location.clone(),
        prefix: maps.naming.get("prefix").cloned(),
        location_short: maps.naming.get("location_short").cloned(),
        suffix: maps.naming.get("suffix").cloned(),
        subscription_id: subscription.clone(),
        common_resource_group_name: common_rg.clone(),
    };
    let spec = ProjectSpec {
        subscription_id: subscription.clone(),
        tenant_id: String::new(),
        cloud: aifactory_template::project::Cloud::Public,
        number,
        environment,
        location,
        project_type,
        naming: NamingOptions {
            prefix: input.prefix.clone(),
            location_short: input.location_short.clone(),
            suffix: input.suffix.clone(),
            salt,
            random_salt: random_salt.clone(),
        },
        common: CommonRefs {
            resource_group_name: common_rg,
            ..CommonRefs::default()
        },
        subnet_ids: BTreeMap::new(),
        team: Team::default(),
        services: maps.services,
        network_access,
        ip_allowlist: Vec::new(),
        tags: BTreeMap::new(),
        identity_principal_id: None,
        key_vault_purge_protection: None,
        deployments: Vec::new(),
        search: Default::default(),
        foundry_account,
        diagnostics: true,
    };
    names_of_spec(&spec, diags)
}

/// The names a project of `spec` gets (only what its type and services use), its
/// resource group ID and salt; `None` with diagnostics when a name is invalid.
fn names_of_spec(
    spec: &ProjectSpec,
    diags: &mut Diagnostics,
) -> Option<(BTreeMap<String, String>, String, String)> {
    let subscription = &spec.subscription_id;
    let layout = Layout::of(spec);
    let names = match spec.compose_names() {
        Ok((names, issues)) => {
            for i in issues.into_iter().filter(|i| {
                i.name_kind()
                    .is_none_or(|(kind, key)| layout.uses_name(kind, key))
            }) {
                let mut d = aifactory_template::project::Issue::from(i).to_diagnostic();
                d.path = fix_path(d.path);
                diags.push(d);
            }
            names
        }
        Err(issues) => {
            for i in issues {
                let mut d = aifactory_template::project::Issue::from(i).to_diagnostic();
                d.path = fix_path(d.path);
                diags.push(d);
            }
            return None;
        }
    };
    if diags.has_errors() {
        return None;
    }
    let mut out = BTreeMap::new();
    for (kind, name) in names.all() {
        if layout.uses_name(kind, None) {
            out.insert(kind_key(kind).to_string(), name.to_string());
        }
    }
    for (key, pe) in &names.private_endpoints {
        if layout.uses_name(NameKind::PrivateEndpoint, Some(key)) {
            out.insert(format!("private_endpoint.{key}"), pe.endpoint.clone());
            out.insert(
                format!("network_interface.{key}"),
                pe.network_interface.clone(),
            );
        }
    }
    if layout.foundry_dedicated {
        out.insert("foundry_project".into(), names.foundry_project.clone());
    }
    out.insert("datalake_path".into(), names.datalake_path.clone());
    let rg_id =
        aifactory_template::project::ids::resource_group_id(subscription, &names.resource_group);
    Some((out, rg_id, names.salt.clone()))
}

/// The type checks `services` etc. need here.
pub struct Maps {
    pub naming: BTreeMap<String, String>,
    pub common: BTreeMap<String, String>,
    pub services: Services,
}

#[async_trait]
impl DataSource for ProjectNames {
    fn type_name(&self) -> &'static str {
        "project_names"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        match ProjectNamesModel::decode(config) {
            Ok(m) => {
                let _ = maps(&m.naming, &m.common, &m.services, &mut diags);
                let _ = check_subscription_id(&m.subscription_id, &mut diags);
            }
            Err(e) => diags.push(e.to_diagnostic()),
        }
        diags
    }

    async fn read(&self, config: Value) -> StateResponse {
        let mut diags = Diagnostics::new();
        let none = |diags: Diagnostics| StateResponse {
            state: Value::Null,
            private: Value::Null,
            diags,
        };
        let mut model = match ProjectNamesModel::decode(&config) {
            Ok(m) => m,
            Err(e) => {
                diags.push(e.to_diagnostic());
                return none(diags);
            }
        };
        let provider_sub = self.ctx.settings().subscription_id;
        let Some((names, rg_id, salt)) = names_of(&model, provider_sub, &mut diags) else {
            return none(diags);
        };
        model.names = Tf::Known(names);
        model.resource_group_id = Tf::Known(rg_id);
        model.salt = Tf::Known(salt);
        StateResponse {
            state: model.to_value(),
            private: Value::Null,
            diags,
        }
    }
}
