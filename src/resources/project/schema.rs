//! The HCL shape of `aifactory_project`: its schema, the Terraform types of its
//! attributes (also the cty types of the `dynamic` values the provider writes), and the
//! typed model its configuration, plan and state decode into ([`ProjectModel`]).
//!
//! Must not: check values beyond their types (`spec` does), talk to Azure.

use std::collections::BTreeMap;

use crate::framework::{
    model::dynamic,
    schema::{Attribute, Nesting, Schema, Type},
    Num, Tf, ToValue, Value,
};

use super::model::Records;

/// A `map(string)` attribute (`naming`, `common`, `subnet_ids`, `tags`).
pub type StringMap = BTreeMap<String, Tf<String>>;

crate::model! {
    /// `aifactory_project`'s configuration, plan and state.
    pub struct ProjectModel {
        pub number: Tf<Num>,
        pub environment: Tf<String>,
        pub location: Tf<String>,
        pub project_type: Tf<String>,
        pub naming: Tf<StringMap>,
        pub common: Tf<StringMap>,
        pub subnet_ids: Tf<StringMap>,
        /// `dynamic` (a literal object of any shape): [`TeamModel`] once `spec` checked
        /// its attributes.
        pub team: Value,
        pub services: Tf<BTreeMap<String, Tf<bool>>>,
        /// `dynamic` (a literal object): deployment name -> [`DeploymentModel`].
        pub deployments: Value,
        /// AI Search's options: `{ sku, semantic_ranker }`.
        pub search_options: Tf<StringMap>,
        /// AI Foundry's options: `{ account }`.
        pub foundry_options: Tf<StringMap>,
        pub network_access: Tf<String>,
        pub ip_allowlist: Tf<Vec<Tf<String>>>,
        pub tags: Tf<StringMap>,
        pub key_vault_purge_protection: Tf<bool>,
        /// Diagnostic settings to the common Log Analytics workspace (default true).
        pub diagnostics: Tf<bool>,
        pub force_destroy: Tf<bool>,
        pub datalake_delete_on_destroy: Tf<bool>,
        /// Take over an existing project resource group on create (default false).
        pub adopt_existing: Tf<bool>,
        /// The `timeouts` block: `spec` reads it attribute by attribute, so every bad
        /// duration is reported at once.
        pub timeouts: Value,
        pub id: Tf<String>,
        pub resource_group_name: Tf<String>,
        pub identity_principal_id: Tf<String>,
        pub resources: Tf<Records>,
        pub datalake_path: Tf<String>,
        pub drift: Tf<BTreeMap<String, String>>,
    }
}

crate::model! {
    /// The `team` object.
    pub struct TeamModel {
        pub object_ids: Tf<Vec<Tf<String>>>,
        pub principal_type: Tf<String>,
        pub service_principal_object_id: Tf<String>,
        /// `dynamic` (a literal object): persona name -> [`PersonaModel`].
        pub personas: Value,
    }
}

crate::model! {
    /// One model deployment of `deployments`.
    pub struct DeploymentModel {
        pub model: Tf<String>,
        pub version: Tf<String>,
        pub format: Tf<String>,
        pub sku: Tf<String>,
        pub capacity: Tf<Num>,
    }
}

crate::model! {
    /// One persona of `team.personas`.
    pub struct PersonaModel {
        pub object_ids: Tf<Vec<Tf<String>>>,
        pub principal_type: Tf<String>,
        pub role_set: Tf<String>,
    }
}

impl ProjectModel {
    /// `common[key]`: `Null` when absent, `Unknown` when the map or the value is.
    pub fn common_at(&self, key: &str) -> Tf<&String> {
        match &self.common {
            Tf::Null => Tf::Null,
            Tf::Unknown => Tf::Unknown,
            Tf::Known(m) => m.get(key).map_or(Tf::Null, Tf::as_ref),
        }
    }

    /// The objects of `resources` (none when null or unknown).
    pub fn records(&self) -> Records {
        self.resources.known().cloned().unwrap_or_default()
    }

    /// The keys of `drift`.
    pub fn drift_keys(&self) -> std::collections::BTreeSet<String> {
        self.drift
            .known()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    }
}

impl TeamModel {
    /// The `team` value of a configuration that writes exactly these attributes (absent
    /// ones left out), typed as Terraform types the literal.
    pub fn to_literal(&self) -> Value {
        let members = self.object_ids.known().map_or(0, Vec::len);
        let service_principal = !self.service_principal_object_id.is_null();
        // Persona name -> its number of object IDs.
        let personas: Vec<(String, usize)> = self
            .personas
            .as_map()
            .map(|m| {
                m.iter()
                    .map(|(name, p)| {
                        let n = p
                            .as_map()
                            .and_then(|f| f.get("object_ids"))
                            .and_then(|ids| ids.as_list())
                            .map_or(0, |l| l.len());
                        (name.clone(), n)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut value = self.to_value();
        if let Value::Map(m) = &mut value {
            m.retain(|_, v| !v.is_null());
        }
        dynamic(
            &team_literal_type(members, service_principal, &personas),
            value,
        )
    }
}

/// The Terraform type of a `team` literal with `members` object IDs (a tuple), when
/// `service_principal` a service principal, and `personas` (name, object IDs) each with
/// all three of its attributes written.
pub fn team_literal_type(
    members: usize,
    service_principal: bool,
    personas: &[(String, usize)],
) -> Type {
    let mut fields = vec![
        (
            "object_ids".to_string(),
            Type::Tuple(vec![Type::String; members]),
        ),
        ("principal_type".to_string(), Type::String),
    ];
    if service_principal {
        fields.push(("service_principal_object_id".to_string(), Type::String));
    }
    if !personas.is_empty() {
        let each = |n: usize| {
            Type::Object(vec![
                ("object_ids".to_string(), Type::Tuple(vec![Type::String; n])),
                ("principal_type".to_string(), Type::String),
                ("role_set".to_string(), Type::String),
            ])
        };
        fields.push((
            "personas".to_string(),
            Type::Object(
                personas
                    .iter()
                    .map(|(name, n)| (name.clone(), each(*n)))
                    .collect(),
            ),
        ));
    }
    Type::Object(fields)
}

/// The `deployments` value of a configuration that writes `model`, `version` (when set),
/// `format` (when not OpenAI), `sku` and `capacity` of each deployment, typed as
/// Terraform types that literal; `Null` when there are none.
pub fn deployments_literal(
    found: &BTreeMap<String, super::discover::DiscoveredDeployment>,
) -> Value {
    if found.is_empty() {
        return Value::Null;
    }
    let mut fields_t = Vec::new();
    let mut value = BTreeMap::new();
    for (name, d) in found {
        let mut t = vec![("model".to_string(), Type::String)];
        let mut v = BTreeMap::from([("model".to_string(), Value::String(d.model.clone()))]);
        if let Some(version) = &d.version {
            t.push(("version".to_string(), Type::String));
            v.insert("version".to_string(), Value::String(version.clone()));
        }
        if let Some(format) = &d.format {
            t.push(("format".to_string(), Type::String));
            v.insert("format".to_string(), Value::String(format.clone()));
        }
        t.push(("sku".to_string(), Type::String));
        v.insert("sku".to_string(), Value::String(d.sku.clone()));
        t.push(("capacity".to_string(), Type::Number));
        v.insert("capacity".to_string(), Value::Number(d.capacity as f64));
        fields_t.push((name.clone(), Type::Object(t)));
        value.insert(name.clone(), Value::Map(v));
    }
    dynamic(&Type::Object(fields_t), Value::Map(value))
}

/// The type of one object of `resources`.
pub fn record_type() -> Type {
    Type::Object(vec![
        ("type".into(), Type::String),
        ("name".into(), Type::String),
        ("id".into(), Type::String),
        ("api_version".into(), Type::String),
    ])
}

/// The type of `resources`.
pub fn resources_type() -> Type {
    Type::map(record_type())
}

/// `aifactory_project`'s schema.
pub fn schema() -> Schema {
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
                "References into the AI factory's common part: `resource_group_name` (also salts the globally unique names; changing it replaces the project), `private_dns_zone_resource_group_id` (the resource group of the `privatelink.*` zones), `log_analytics_workspace_id`, and optionally `datalake_storage_account_id` with `datalake_filesystem` (the common ADLS Gen2 lake and filesystem, which must exist; the project creates only its directory `projects/project<NNN>` in it), and `datalake_traverse_group_id`: an Entra group that has traverse (`--x`) on the lake's `/` and `projects` (granted by the common part; the project's principals must be its members). Without it each project adds traverse entries for each of its principals to those two shared ACLs, which hold 32 entries: about nine projects of a team group, a service principal and the identity fill them (checked at plan). With it, projects add nothing there. `dns_zone_groups` (`\"true\"` by default): `\"false\"` creates the private endpoints without DNS zone groups, for a landing zone whose DNS policy writes the records. `aifactory_common.<name>.project_refs` gives all of these as they are.",
            ),
            Attribute::optional(
                "subnet_ids",
                Type::map(Type::String),
                "Subnet IDs by purpose: `private_endpoints` (with `network_access = \"private\"`), `dbx_public` and `dbx_private` (Databricks VNet injection). The subnets must exist; the project does not write them.",
            ),
            Attribute::required(
                "team",
                Type::Dynamic,
                "The project team: `{ object_ids = [\"<Entra object ID>\", ...], principal_type = \"Group\", service_principal_object_id = \"<object ID>\" }`. `object_ids` are users or groups (all of `principal_type`, `User` or `Group`, default `Group`); the optional service principal is the project's automation identity (use the object ID of its enterprise application). Adding or removing a member adds or removes exactly that member's role assignments and ACL entries. `personas` adds ESML's persona lists, each with a named role set: `personas = { data_scientists = { object_ids = [...], principal_type = \"Group\", role_set = \"developer\" } }` with `role_set` `reader` (see and read, no writes, secrets or model calls; `r-x` on the lake folder), `developer` (what `object_ids` get) or `project_admin` (developer plus Azure AI Administrator on the resource group and Key Vault Administrator); the exact roles of each set are listed below. Each principal is in one list. Persona names are snake_case; they appear in the role assignments' descriptions, from which import reads them back.",
            ),
            Attribute::optional(
                "services",
                Type::map(Type::Bool),
                "Service switches, each for every project type (ESML's one project type, \"all\"): `azure_ml` (Azure Machine Learning workspace), `databricks` (VNet-injected, needs `subnet_ids.dbx_public` and `dbx_private`), `data_factory`, `ai_search` (AI Search), `ai_services` (AI Services account), `cosmos_db` (Cosmos DB for NoSQL, keyless, private endpoint `Sql`), `ai_foundry` (AI Foundry on the AI Services account, or on its own with `foundry_options.account = \"dedicated\"`: project management, the Foundry project, its connections to AI Search, Storage and Cosmos DB with Entra ID, and `deployments`), `agent_service` (the Foundry Agent service, standard setup: capability hosts on Cosmos DB, Storage and AI Search, injected into `subnet_ids.agent`, a /23 or larger delegated to Microsoft.App/environments in 172.16.0.0/12 or 192.168.0.0/16; needs ai_foundry, ai_search and cosmos_db), `azure_openai` (a separate Azure OpenAI account, kind OpenAI, keyless, private endpoint `account`), `container_apps` (an internal Container Apps environment with workload profiles in `subnet_ids.aca`, /27 or larger, delegated to Microsoft.App/environments). Subnet rules are checked at plan by reading the subnets. `project_type` is the preset of the ones not set: `esml` has `azure_ml`, `genai` has `ai_search` and `ai_services`; `databricks` and `data_factory` are off unless set. A GenAI project with Databricks, or an ML project with AI Search, is one switch. Turning a service off deletes its objects (and its role assignments and private endpoints) on the next apply.",
            ),
            Attribute::optional(
                "search_options",
                Type::map(Type::String),
                "AI Search's options: `sku` (`free`, `basic`, `standard`, `standard2`, `standard3`, `storage_optimized_l1`, `storage_optimized_l2`; default `basic`, `standard` in prod) and `semantic_ranker` (`disabled`, `free`, `standard`; unset: Azure's default). For example `search_options = { sku = \"standard\", semantic_ranker = \"free\" }`.",
            ),
            Attribute::optional(
                "foundry_options",
                Type::map(Type::String),
                "AI Foundry's options: `account`, the account Foundry (its project, the model deployments, the Agent service) runs on: `ai_services` (default: the project's AI Services account, with project management on) or `dedicated` (an account of its own, `kind = AIServices`, with its private endpoint and diagnostic settings, as ESML builds its `aif2…` account; `ai_services` may then be off). With `naming.salt = \"esml\"` and `naming.random_salt`, the dedicated account and its Foundry project take ESML's names (`aif2…`, `aif2-p…`), so an ESML-made GenAI project is adopted by import. Changing `account` on an existing project moves Foundry: its project, deployments and capability hosts are replaced on the other account. For example `foundry_options = { account = \"dedicated\" }`.",
            ),
            Attribute::optional(
                "deployments",
                Type::Dynamic,
                "Model deployments on the project's Foundry account (the AI Services account, or the dedicated one with `foundry_options.account = \"dedicated\"`; needs `services.ai_foundry`): `deployments = { gpt = { model = \"gpt-4o\", version = \"2024-11-20\", sku = \"GlobalStandard\", capacity = 50 } }`. `format` defaults to `OpenAI`, `sku` to `GlobalStandard`; `version` unset takes Azure's default version of the model; `capacity` is in the SKU's unit (thousands of tokens per minute for Standard SKUs). Deployments are written one at a time (Azure refuses concurrent deployment writes on one account); a change of capacity updates in place. An insufficient quota is reported with the model, SKU, capacity and region. For an import to converge, write `model`, `version`, `sku` and `capacity`.",
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
                "diagnostics",
                Type::Bool,
                "Send every service's resource logs (category group `allLogs`, which holds `audit`) and metrics to `common.log_analytics_workspace_id` through a diagnostic setting named `diag-<resource name>` (ESML's name, so an ESML-made project's settings are adopted, not duplicated). Storage accounts send metrics only (their logs are on the blob, file, queue and table services); Databricks has logs only. Default true; `false` creates none and deletes the ones the project made.",
            ),
            Attribute::optional(
                "force_destroy",
                Type::Bool,
                "Delete the project's resource group even when it holds resources the project did not create. Default false: destroy stops and names them.",
            ),
            Attribute::optional(
                "adopt_existing",
                Type::Bool,
                "Take over the project's resource group (and what the project template finds in it) when it already exists as this resource is created, instead of failing. Default false: like azurerm, a create that finds the resource group refuses and names the `terraform import` command, so two configurations never manage (and one never destroys) the same project unknowingly. With true, `terraform destroy` deletes the adopted project, whoever created it; to bring back a project made elsewhere (ESML, another workspace), prefer `terraform import`.",
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
