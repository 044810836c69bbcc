//! Import: what a project's inputs were, read back from Azure (the ownership tags, the
//! resources' own settings, the role assignments' descriptions, the Foundry account, the
//! data lake), and which existing objects the provider adopts or leaves alone.
//!
//! Owns: `discover`, the `Discovered` inputs, ESML name and salt matching. Must not: decide
//! what a project should contain (the template does) or write anything.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

use aifactory_azure::{AzureClient, AzureError, Ctx};
use aifactory_template::diagnostics;
use aifactory_template::naming::SaltMode;
use aifactory_template::project::{
    api, ids::ArmId, ProjectType, Services, TAG_ENVIRONMENT, TAG_PROJECT, TAG_TYPE,
};

use super::shared;

/// What import found about a project's inputs.
#[derive(Debug, Clone, Default)]
pub struct Discovered {
    pub number: i64,
    pub environment: String,
    pub project_type: String,
    pub location: String,
    pub naming: BTreeMap<String, String>,
    pub common: BTreeMap<String, String>,
    pub subnet_ids: BTreeMap<String, String>,
    pub team_ids: Vec<String>,
    pub team_principal_type: String,
    /// `team.personas`, read back from the descriptions of the team's assignments.
    pub personas: BTreeMap<String, DiscoveredPersona>,
    pub service_principal: Option<String>,
    pub services: BTreeMap<String, bool>,
    pub network_access: String,
    pub ip_allowlist: Vec<String>,
    pub tags: BTreeMap<String, String>,
    pub key_vault_purge_protection: Option<bool>,
    /// `diagnostics = false` when the key vault (every project has one) has no diagnostic
    /// setting of the provider's name; `None`: the default.
    pub diagnostics: Option<bool>,
    /// `deployments`, read from the AI Services account.
    pub deployments: BTreeMap<String, DiscoveredDeployment>,
    /// `search_options` that differ from the defaults.
    pub search_options: BTreeMap<String, String>,
    /// `foundry_options` (`account = "dedicated"` for a Foundry account of its own).
    pub foundry_options: BTreeMap<String, String>,
    pub principal: Option<String>,
    pub warnings: Vec<String>,
}

/// One model deployment found on the account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiscoveredDeployment {
    pub model: String,
    pub version: Option<String>,
    /// `None` for `OpenAI` (the default, left out as a configuration would).
    pub format: Option<String>,
    pub sku: String,
    pub capacity: i64,
}

/// Parts of a project resource group name `{prefix}esml-project{NNN}-{loc}-{env}{suffix}-rg`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RgNameParts {
    pub prefix: String,
    pub number: i64,
    pub location_short: String,
    pub environment: String,
    pub suffix: String,
}

pub fn parse_rg_name(name: &str) -> Option<RgNameParts> {
    let lower = name.to_ascii_lowercase();
    let at = lower.find("esml-project")?;
    let prefix = name[..at].to_string();
    let rest = &name[at + "esml-project".len()..];
    let nnn = rest.get(..3)?;
    if !nnn.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let rest = rest.get(3..)?.strip_prefix('-')?;
    let rest = rest
        .strip_suffix("-rg")
        .or_else(|| rest.strip_suffix("-RG"))?;
    for env in ["dev", "test", "prod"] {
        let marker = format!("-{env}");
        if let Some(pos) = rest.find(&marker) {
            let loc = &rest[..pos];
            let suffix = &rest[pos + marker.len()..];
            if !loc.is_empty() && !loc.contains('-') {
                return Some(RgNameParts {
                    prefix,
                    number: nnn.parse().ok()?,
                    location_short: loc.to_string(),
                    environment: env.to_string(),
                    suffix: suffix.to_string(),
                });
            }
        }
    }
    None
}

fn rg_of(id: &str) -> Option<String> {
    ArmId::parse(id).map(|a| a.resource_group)
}

fn find_type<'j>(items: &'j [Json], ty: &str) -> Vec<&'j Json> {
    items
        .iter()
        .filter(|i| {
            i.get("type")
                .and_then(Json::as_str)
                .is_some_and(|t| t.eq_ignore_ascii_case(ty))
        })
        .collect()
}

/// A dedicated Foundry account by its name: ESML's `aif2…`, ours `aif-prj…` (AI Services
/// accounts are `ais-prj…` or ESML's `aiservicesprj…`).
fn is_foundry_account_name(name: &str) -> bool {
    name.to_ascii_lowercase().starts_with("aif")
}

/// The AI Services accounts that are not a dedicated Foundry account.
fn ai_services_accounts(items: &[Json]) -> Vec<&Json> {
    accounts_of_kind(items, "AIServices")
        .into_iter()
        .filter(|j| !is_foundry_account_name(name_of(j)))
        .collect()
}

/// Cognitive Services accounts of one kind (`AIServices`, `OpenAI`) among the group's
/// resources (an account listed without its kind counts as AIServices, the older form).
fn accounts_of_kind<'j>(items: &'j [Json], kind: &str) -> Vec<&'j Json> {
    find_type(items, api::AI_SERVICES.resource_type)
        .into_iter()
        .filter(|j| {
            j.get("kind")
                .and_then(Json::as_str)
                .unwrap_or("AIServices")
                .eq_ignore_ascii_case(kind)
        })
        .collect()
}

fn name_of(j: &Json) -> &str {
    j.get("name").and_then(Json::as_str).unwrap_or_default()
}

fn id_of(j: &Json) -> String {
    j.get("id")
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_string()
}

/// Rebuild a project's inputs from Azure: ownership tags on the group (or, for groups
/// without them, its name), the settings of its resources, role assignments and the lake.
pub async fn discover(
    client: &AzureClient,
    ctx: &Ctx,
    subscription: &str,
    rg_id: &str,
) -> Result<Discovered, String> {
    let (mut d, group) = resource_group(client, ctx, subscription, rg_id).await?;
    let items = client
        .arm()
        .list(ctx, &format!("{rg_id}/resources"), "2021-04-01")
        .await
        .map_err(az)?;
    let f = Finder {
        client,
        ctx,
        subscription,
        rg_id,
        items,
        name_parts: group.name_parts,
    };
    f.project_type_and_services(&mut d, group.type_tag);
    let mut names = f.identity(&mut d).await?;
    f.key_vault(&mut d, &mut names).await?;
    f.monitoring_and_network(&mut d).await?;
    f.foundry(&mut d).await?;
    f.container_apps(&mut d).await?;
    f.search_options(&mut d).await?;
    f.team(&mut d).await?;
    f.datalake(&mut d).await?;
    f.salts(&mut d, group.untagged, names);
    Ok(d)
}

fn az(e: AzureError) -> String {
    format!("{}: {}", e.summary(), e.detail())
}

/// One persona found on the project's role assignments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiscoveredPersona {
    pub object_ids: Vec<String>,
    pub principal_type: String,
    pub role_set: String,
}

/// `persona=<name> role_set=<set>` at the end of one of our assignments' descriptions.
fn persona_of(description: &str) -> Option<(String, String)> {
    let (_, rest) = description.split_once(" persona=")?;
    let (name, set) = rest.split_once(" role_set=")?;
    Some((name.to_string(), set.trim().to_string()))
}

/// What the resource group's name and tags say beyond [`Discovered`].
struct Group {
    name_parts: Option<RgNameParts>,
    type_tag: Option<String>,
    /// Without the ownership tags (a group ESML's pipelines made).
    untagged: bool,
}

/// What the names of the identity and key vault carry.
#[derive(Default)]
struct NameSalts {
    /// The project identity's name.
    identity_name: Option<String>,
    /// The 5-character salt of the globally unique names.
    salt_of_names: Option<String>,
}

/// The resource group and its tags: location, number, environment, the user's tags.
async fn resource_group(
    client: &AzureClient,
    ctx: &Ctx,
    subscription: &str,
    rg_id: &str,
) -> Result<(Discovered, Group), String> {
    let arm = client.arm();
    let parsed = aifactory_template::project::ids::parse_resource_group_id(rg_id)
        .ok_or_else(|| format!("{rg_id:?} is not a resource group ID. Use `/subscriptions/<subscription>/resourceGroups/<project resource group>`."))?;
    if !parsed.subscription.eq_ignore_ascii_case(subscription) {
        return Err(format!(
            "{rg_id} is in subscription {}, but the provider is configured for {subscription}. Configure the provider for the project's subscription.",
            parsed.subscription
        ));
    }
    let rg = arm
        .get_opt(ctx, rg_id, api::RESOURCE_GROUP.api_version)
        .await
        .map_err(az)?
        .ok_or_else(|| format!("Azure has no resource group {rg_id}."))?;
    let mut d = Discovered {
        location: rg
            .get("location")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string(),
        ..Discovered::default()
    };
    let tags: BTreeMap<String, String> = rg
        .get("tags")
        .and_then(Json::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect()
        })
        .unwrap_or_default();
    let tag = |name: &str| {
        tags.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let name_parts = parse_rg_name(&parsed.resource_group);
    match (tag(TAG_PROJECT), &name_parts) {
        (Some(p), _) if p.strip_prefix("project").and_then(|n| n.parse::<i64>().ok()).is_some() => {
            d.number = p.strip_prefix("project").and_then(|n| n.parse().ok()).unwrap_or_default();
        }
        (_, Some(n)) => {
            d.number = n.number;
            d.warnings.push(format!(
                "{rg_id} has no `{TAG_PROJECT}` tag; took the project number from its name. The provider adds the ownership tags on the next apply."
            ));
        }
        _ => {
            return Err(format!(
                "{rg_id} is not an AI factory project: it has no `{TAG_PROJECT}` tag and its name does not follow `<prefix>esml-project<NNN>-<loc>-<env><suffix>-rg`."
            ))
        }
    }
    d.environment = tag(TAG_ENVIRONMENT)
        .or_else(|| name_parts.as_ref().map(|n| n.environment.clone()))
        .ok_or_else(|| {
            format!("{rg_id} has no `{TAG_ENVIRONMENT}` tag and no environment in its name.")
        })?;
    d.tags = tags
        .iter()
        .filter(|(k, _)| {
            ![TAG_PROJECT, TAG_ENVIRONMENT, TAG_TYPE]
                .iter()
                .any(|t| t.eq_ignore_ascii_case(k))
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();

    let group = Group {
        type_tag: tag(TAG_TYPE),
        untagged: tag(TAG_PROJECT).is_none(),
        name_parts,
    };
    Ok((d, group))
}

/// One import's view of Azure: the group and the resources in it.
struct Finder<'a> {
    client: &'a AzureClient,
    ctx: &'a Ctx,
    subscription: &'a str,
    rg_id: &'a str,
    items: Vec<Json>,
    name_parts: Option<RgNameParts>,
}

impl Finder<'_> {
    /// AI Foundry: project management (`ai_foundry`) on a dedicated Foundry account
    /// (`aif…`: `foundry_options.account = "dedicated"`, ESML's layout) or on the AI
    /// Services account, the Agent service's injection (`agent_service`,
    /// `subnet_ids.agent`) and the model deployments.
    async fn foundry(&self, d: &mut Discovered) -> Result<(), String> {
        let mut accounts = accounts_of_kind(&self.items, "AIServices");
        // A dedicated account first: ESML keeps its AI Services account beside it.
        accounts.sort_by_key(|j| !is_foundry_account_name(name_of(j)));
        let mut found = None;
        for j in accounts {
            let id = id_of(j);
            let Some(body) = self
                .get(id.clone(), api::AI_SERVICES.api_version)
                .await
                .map_err(az)?
            else {
                continue;
            };
            let props = body.get("properties").cloned().unwrap_or(Json::Null);
            if props.get("allowProjectManagement").and_then(Json::as_bool) == Some(true) {
                found = Some((id, name_of(j).to_string(), props));
                break;
            }
        }
        let Some((account, name, props)) = found else {
            return Ok(());
        };
        d.services.insert("ai_foundry".into(), true);
        if is_foundry_account_name(&name) {
            d.foundry_options
                .insert("account".into(), "dedicated".into());
        }
        if let Some(subnet) = props
            .pointer("/networkInjections/0/subnetArmId")
            .and_then(Json::as_str)
        {
            d.services.insert("agent_service".into(), true);
            d.subnet_ids.insert("agent".into(), subnet.to_string());
        }
        let deployments = self
            .client
            .arm()
            .list(
                self.ctx,
                &format!("{account}/deployments"),
                aifactory_template::project::foundry::DEPLOYMENT.api_version,
            )
            .await
            .map_err(az)?;
        for j in deployments {
            let model = j.pointer("/properties/model");
            let s = |p: &str| {
                model
                    .and_then(|m| m.get(p))
                    .and_then(Json::as_str)
                    .map(str::to_string)
            };
            d.deployments.insert(
                name_of(&j).to_string(),
                DiscoveredDeployment {
                    model: s("name").unwrap_or_default(),
                    version: s("version"),
                    format: s("format").filter(|f| f != "OpenAI"),
                    sku: j
                        .pointer("/sku/name")
                        .and_then(Json::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    capacity: j
                        .pointer("/sku/capacity")
                        .and_then(Json::as_i64)
                        .unwrap_or_default(),
                },
            );
        }
        Ok(())
    }

    /// AI Search's SKU and semantic ranker where they differ from the defaults (`basic`,
    /// `standard` in prod; no semantic ranker).
    async fn search_options(&self, d: &mut Discovered) -> Result<(), String> {
        let Some(id) = find_type(&self.items, api::SEARCH.resource_type)
            .first()
            .map(|j| id_of(j))
        else {
            return Ok(());
        };
        let Some(body) = self.get(id, api::SEARCH.api_version).await.map_err(az)? else {
            return Ok(());
        };
        let default_sku = if d.environment == "prod" {
            "standard"
        } else {
            "basic"
        };
        if let Some(sku) = body.pointer("/sku/name").and_then(Json::as_str) {
            if !sku.eq_ignore_ascii_case(default_sku) {
                d.search_options.insert("sku".into(), sku.to_string());
            }
        }
        if let Some(s) = body
            .pointer("/properties/semanticSearch")
            .and_then(Json::as_str)
            .filter(|s| matches!(*s, "free" | "standard"))
        {
            d.search_options
                .insert("semantic_ranker".into(), s.to_string());
        }
        Ok(())
    }

    /// The Container Apps environment's subnet (`subnet_ids.aca`).
    async fn container_apps(&self, d: &mut Discovered) -> Result<(), String> {
        let api = aifactory_template::project::services::container_apps::API;
        let Some(env) = find_type(&self.items, api.resource_type)
            .first()
            .map(|j| id_of(j))
        else {
            return Ok(());
        };
        if let Some(body) = self.get(env, api.api_version).await.map_err(az)? {
            if let Some(subnet) = body
                .pointer("/properties/vnetConfiguration/infrastructureSubnetId")
                .and_then(Json::as_str)
            {
                d.subnet_ids.insert("aca".into(), subnet.to_string());
            }
        }
        Ok(())
    }

    async fn get(&self, id: String, api_version: &'static str) -> Result<Option<Json>, AzureError> {
        self.client.arm().get_opt(self.ctx, &id, api_version).await
    }

    /// `project_type` (the tag, else from the resources), `naming` from the group's name,
    /// and the optional services present (absent ones are left out, as in a configuration
    /// that does not mention them).
    fn project_type_and_services(&self, d: &mut Discovered, type_tag: Option<String>) {
        let items = &self.items;
        let name_parts = &self.name_parts;
        let genai_markers = !find_type(items, api::SEARCH.resource_type).is_empty()
            || !accounts_of_kind(items, "AIServices").is_empty();
        d.project_type =
            type_tag.unwrap_or_else(|| if genai_markers { "genai" } else { "esml" }.to_string());
        let genai = d.project_type == "genai";

        // Naming from the group's name.
        if let Some(n) = &name_parts {
            d.naming.insert("prefix".into(), n.prefix.clone());
            d.naming
                .insert("location_short".into(), n.location_short.clone());
            d.naming.insert("suffix".into(), n.suffix.clone());
        }

        // Services: the switches whose presence differs from the type's preset (the
        // others are left out, as in a configuration that does not mention them).
        let project_type = if genai {
            ProjectType::Genai
        } else {
            ProjectType::Esml
        };
        for (switch, t) in [
            ("azure_ml", api::ML_WORKSPACE.resource_type),
            ("databricks", api::DATABRICKS.resource_type),
            ("data_factory", api::DATA_FACTORY.resource_type),
            ("ai_search", api::SEARCH.resource_type),
            ("ai_services", api::AI_SERVICES.resource_type),
            ("cosmos_db", api::COSMOS_DB.resource_type),
            (
                "container_apps",
                aifactory_template::project::services::container_apps::API.resource_type,
            ),
            ("azure_openai", api::AI_SERVICES.resource_type),
        ] {
            // Two switches share the Cognitive Services account type; its kind tells them apart.
            let present = match switch {
                "ai_services" => !ai_services_accounts(items).is_empty(),
                "azure_openai" => !accounts_of_kind(items, "OpenAI").is_empty(),
                _ => !find_type(items, t).is_empty(),
            };
            if present != Services::preset(project_type, switch) {
                d.services.insert(switch.into(), present);
            }
        }
    }

    /// The project identity: its principal, name and the salt in it.
    async fn identity(&self, d: &mut Discovered) -> Result<NameSalts, String> {
        let items = &self.items;
        let name_parts = &self.name_parts;
        let mut salt_of_names: Option<String> = None;
        // Identity: the project's (`mi-prj…`; ESML also makes `mi-aca-…`).
        let identities = find_type(items, api::IDENTITY.resource_type);
        let identity = identities
            .iter()
            .find(|j| name_of(j).to_ascii_lowercase().starts_with("mi-prj"))
            .or(identities.first())
            .map(|j| id_of(j));
        let identity_name = identity
            .as_deref()
            .map(|id| id.rsplit('/').next().unwrap_or_default().to_string());
        if let Some(id) = identity {
            if let Some(j) = self
                .get(id.clone(), api::IDENTITY.api_version)
                .await
                .map_err(az)?
            {
                d.principal = j
                    .pointer("/properties/principalId")
                    .and_then(Json::as_str)
                    .map(str::to_string);
                let name = id.rsplit('/').next().unwrap_or_default().to_string();
                // mi-prj{NNN}-{loc}-{env}-{s5}{suffix}, ESML's mi-prj{NNN}-{loc}-{env}-{s5}{r10}{suffix}
                if let Some(n) = &name_parts {
                    let head = format!(
                        "mi-prj{:03}-{}-{}-",
                        d.number, n.location_short, d.environment
                    );
                    salt_of_names = name
                        .strip_prefix(&head)
                        .and_then(|rest| rest.strip_suffix(&n.suffix).or(Some(rest)))
                        .map(|s| {
                            s.chars()
                                .take(aifactory_template::naming::SALT_LEN)
                                .collect()
                        });
                }
            }
        }

        Ok(NameSalts {
            identity_name,
            salt_of_names,
        })
    }

    /// The key vault: network access, IP rules, purge protection, and the salt from its
    /// name when no identity gave it.
    async fn key_vault(&self, d: &mut Discovered, names: &mut NameSalts) -> Result<(), String> {
        let items = &self.items;
        let name_parts = &self.name_parts;
        d.network_access = "private".into();
        // Key vault: network access, IP rules, purge protection; the salt from its name when
        // no identity gave it (`kv-p{NNN}-{loc}-{env}{s5}{d2}`, ESML's with a hyphen before
        // the salt).
        // ESML's esml-project template also makes a second vault (`kv-2{NNN}-…`, for its
        // managed ML workspace): the project's is `kv-p…`.
        let vaults = find_type(items, api::KEY_VAULT.resource_type);
        let vault = vaults
            .iter()
            .find(|j| name_of(j).to_ascii_lowercase().starts_with("kv-p"))
            .or(vaults.first());
        if let Some(kv) = vault.map(|j| id_of(j)) {
            if let (None, Some(n)) = (&names.salt_of_names, &name_parts) {
                let name = kv.rsplit('/').next().unwrap_or_default();
                let head = format!("kv-p{:03}-{}-{}", d.number, n.location_short, d.environment);
                names.salt_of_names = name
                    .strip_prefix(&head)
                    .map(|rest| rest.strip_prefix('-').unwrap_or(rest))
                    .filter(|rest| rest.len() > aifactory_template::naming::SALT_LEN)
                    .map(|rest| {
                        rest.chars()
                            .take(aifactory_template::naming::SALT_LEN)
                            .collect()
                    });
            }
            if let Some(j) = self
                .get(kv.clone(), api::KEY_VAULT.api_version)
                .await
                .map_err(az)?
            {
                let public = j
                    .pointer("/properties/publicNetworkAccess")
                    .and_then(Json::as_str)
                    .unwrap_or("Disabled");
                if public.eq_ignore_ascii_case("enabled") {
                    d.network_access = "allowlist".into();
                }
                d.ip_allowlist = j
                    .pointer("/properties/networkAcls/ipRules")
                    .and_then(Json::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|r| {
                                r.get("value").and_then(Json::as_str).map(str::to_string)
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let pp = j
                    .pointer("/properties/enablePurgeProtection")
                    .and_then(Json::as_bool)
                    .unwrap_or(false);
                let prod = d.environment == "prod";
                if pp != prod {
                    d.key_vault_purge_protection = Some(pp);
                }
            }
            let name = kv.rsplit('/').next().unwrap_or_default();
            let setting = diagnostics::setting_id(&kv, &diagnostics::setting_name(name));
            if self
                .get(setting, diagnostics::API.api_version)
                .await
                .map_err(az)?
                .is_none()
            {
                d.diagnostics = Some(false);
            }
        }

        Ok(())
    }

    /// Application Insights' Log Analytics workspace, the private endpoints' subnet and
    /// DNS zones, and Databricks' injected subnets.
    async fn monitoring_and_network(&self, d: &mut Discovered) -> Result<(), String> {
        let items = &self.items;
        // Application Insights: the Log Analytics workspace.
        if let Some(ai) = find_type(items, api::APP_INSIGHTS.resource_type)
            .first()
            .map(|j| id_of(j))
        {
            if let Some(j) = self
                .get(ai, api::APP_INSIGHTS.api_version)
                .await
                .map_err(az)?
            {
                if let Some(la) = j
                    .pointer("/properties/WorkspaceResourceId")
                    .and_then(Json::as_str)
                {
                    d.common
                        .insert("log_analytics_workspace_id".into(), la.to_string());
                }
            }
        }

        // Private endpoints: the subnet and the DNS zones' resource group, from the key vault's
        // endpoint first (every project has one; ESML's group also holds endpoints of objects
        // the provider does not make, such as Data Factory's `portal`), looking at a few.
        let mut pes: Vec<&Json> = find_type(items, api::PRIVATE_ENDPOINT.resource_type);
        // (ours and esml-genai-1's `kv-p…-pend`, esml-project's `pend-prj{NNN}-kv1-to-vnt-mlcmn`)
        pes.sort_by_key(|j| {
            let n = name_of(j).to_ascii_lowercase();
            !(n.starts_with("kv-") || n.contains("-kv1-"))
        });
        let mut zone_groups_seen = false;
        let looked_at = pes.len().min(3);
        for pe in pes.iter().take(3).map(|j| id_of(j)) {
            if !d.subnet_ids.contains_key("private_endpoints") {
                if let Some(j) = self
                    .get(pe.clone(), api::PRIVATE_ENDPOINT.api_version)
                    .await
                    .map_err(az)?
                {
                    if let Some(s) = j.pointer("/properties/subnet/id").and_then(Json::as_str) {
                        d.subnet_ids
                            .insert("private_endpoints".into(), s.to_string());
                    }
                }
            }
            // The zone group: ours is `default`, ESML's `{endpoint}DnsZone`.
            let pe_name = pe.rsplit('/').next().unwrap_or_default().to_string();
            for group in ["default".to_string(), format!("{pe_name}DnsZone")] {
                let zg = format!("{pe}/privateDnsZoneGroups/{group}");
                let Some(j) = self
                    .get(zg, api::PRIVATE_DNS_ZONE_GROUP.api_version)
                    .await
                    .map_err(az)?
                else {
                    continue;
                };
                zone_groups_seen = true;
                if let Some(z) = j
                    .pointer("/properties/privateDnsZoneConfigs/0/properties/privateDnsZoneId")
                    .and_then(Json::as_str)
                {
                    if let Some(a) = ArmId::parse(z) {
                        d.common.insert(
                            "private_dns_zone_resource_group_id".into(),
                            aifactory_template::project::ids::resource_group_id(
                                &a.subscription,
                                &a.resource_group,
                            ),
                        );
                    }
                }
                break;
            }
            if d.subnet_ids.contains_key("private_endpoints")
                && d.common.contains_key("private_dns_zone_resource_group_id")
            {
                break;
            }
        }
        // Endpoints without zone groups: the landing zone's DNS policy writes the records
        // (`aifactory_common`'s `dns_zone_groups = false`).
        if looked_at > 0 && !zone_groups_seen {
            d.common.insert("dns_zone_groups".into(), "false".into());
        }

        // Databricks: the injected subnets.
        if let Some(dbx) = find_type(items, api::DATABRICKS.resource_type)
            .first()
            .map(|j| id_of(j))
        {
            if let Some(j) = self
                .get(dbx, api::DATABRICKS.api_version)
                .await
                .map_err(az)?
            {
                let p = |n: &str| {
                    j.pointer(&format!("/properties/parameters/{n}/value"))
                        .and_then(Json::as_str)
                        .map(str::to_string)
                };
                if let (Some(vnet), Some(public), Some(private)) = (
                    p("customVirtualNetworkId"),
                    p("customPublicSubnetName"),
                    p("customPrivateSubnetName"),
                ) {
                    d.subnet_ids
                        .insert("dbx_public".into(), format!("{vnet}/subnets/{public}"));
                    d.subnet_ids
                        .insert("dbx_private".into(), format!("{vnet}/subnets/{private}"));
                }
            }
        }
        self.sibling_subnets(d).await?;
        Ok(())
    }

    /// The other subnets of the project's allocation: `aifactory_subnet_allocation` names
    /// them `snt-<key>-<purpose>` in one vNet, and configurations pass its `subnet_ids`
    /// whole, so the imported `subnet_ids` holds every sibling of the private endpoints'
    /// subnet (the first plan after an import is then empty). Subnets named otherwise
    /// (ESML's own) add nothing.
    async fn sibling_subnets(&self, d: &mut Discovered) -> Result<(), String> {
        let Some(pe_subnet) = d.subnet_ids.get("private_endpoints").cloned() else {
            return Ok(());
        };
        let Some((vnet, name)) = pe_subnet.rsplit_once("/subnets/") else {
            return Ok(());
        };
        let Some(prefix) = name.strip_suffix("private_endpoints") else {
            return Ok(());
        };
        if !prefix.starts_with("snt-") || !prefix.ends_with('-') {
            return Ok(());
        }
        let az = |e: AzureError| format!("Reading the virtual network {vnet}: {}", e.summary());
        let Some(j) = self
            .get(vnet.to_string(), api::PRIVATE_ENDPOINT.api_version)
            .await
            .map_err(az)?
        else {
            return Ok(());
        };
        for subnet in j
            .pointer("/properties/subnets")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            let Some(n) = subnet.get("name").and_then(Json::as_str) else {
                continue;
            };
            if let Some(purpose) = n.strip_prefix(prefix).filter(|p| !p.is_empty()) {
                d.subnet_ids
                    .entry(purpose.to_string())
                    .or_insert_with(|| format!("{vnet}/subnets/{n}"));
            }
        }
        Ok(())
    }

    /// Team and service principal: the group's own role assignments.
    async fn team(&self, d: &mut Discovered) -> Result<(), String> {
        let (client, ctx, rg_id) = (self.client, self.ctx, self.rg_id);
        // Team and service principal: the group's own role assignments.
        let assignments = client
            .arm()
            .list_query(
                ctx,
                &format!("{rg_id}/providers/Microsoft.Authorization/roleAssignments"),
                api::ROLE_ASSIGNMENT.api_version,
                &[("$filter", "atScope()")],
            )
            .await
            .map_err(az)?;
        let mut team: BTreeSet<String> = BTreeSet::new();
        let mut team_type: Option<String> = None;
        for a in &assignments {
            let scope = a
                .pointer("/properties/scope")
                .and_then(Json::as_str)
                .unwrap_or_default();
            if !scope.eq_ignore_ascii_case(rg_id) {
                continue;
            }
            let principal = a
                .pointer("/properties/principalId")
                .and_then(Json::as_str)
                .unwrap_or_default()
                .to_ascii_lowercase();
            let ptype = a
                .pointer("/properties/principalType")
                .and_then(Json::as_str)
                .unwrap_or_default();
            let desc = a
                .pointer("/properties/description")
                .and_then(Json::as_str)
                .unwrap_or_default();
            if d.principal
                .as_deref()
                .is_some_and(|p| p.eq_ignore_ascii_case(&principal))
                || principal.is_empty()
            {
                continue;
            }
            let ours = desc.starts_with("aifactory: role.");
            if (ours && desc.starts_with("aifactory: role.sp."))
                || (!ours && ptype == "ServicePrincipal")
            {
                if ours || d.service_principal.is_none() {
                    d.service_principal = Some(principal);
                }
            } else if let Some((name, role_set)) =
                persona_of(desc).filter(|_| ours && desc.starts_with("aifactory: role.team."))
            {
                let p = d.personas.entry(name).or_default();
                if !p.object_ids.contains(&principal) {
                    p.object_ids.push(principal);
                }
                p.principal_type = ptype.to_string();
                p.role_set = role_set;
            } else if (ours && desc.starts_with("aifactory: role.team."))
                || (!ours && (ptype == "User" || ptype == "Group"))
            {
                team.insert(principal);
                if ptype == "User" || ptype == "Group" {
                    team_type = Some(ptype.to_string());
                }
            }
        }
        d.team_ids = team.into_iter().collect();
        for p in d.personas.values_mut() {
            p.object_ids.sort();
        }
        d.team_principal_type = team_type.unwrap_or_else(|| "Group".into());

        Ok(())
    }

    /// The data lake: a team member's (or the service principal's) role on a storage
    /// account outside the group, and the filesystem holding projects/project<NNN>.
    async fn datalake(&self, d: &mut Discovered) -> Result<(), String> {
        let (client, ctx, rg_id, subscription) =
            (self.client, self.ctx, self.rg_id, self.subscription);
        // The data lake: a team member's (or the service principal's) role on a storage
        // account outside the group, and the filesystem holding projects/project<NNN>.
        let member = d.team_ids.first().cloned().or(d.service_principal.clone());
        if let Some(m) = member {
            let theirs = client
            .arm()
            .list_query(
                ctx,
                &format!(
                    "/subscriptions/{subscription}/providers/Microsoft.Authorization/roleAssignments"
                ),
                api::ROLE_ASSIGNMENT.api_version,
                &[("$filter", &format!("principalId eq '{m}'"))],
            )
        .await
        .map_err(az)?;
            let lake = theirs.iter().find_map(|a| {
                let scope = a.pointer("/properties/scope").and_then(Json::as_str)?;
                let parsed = ArmId::parse(scope)?;
                (parsed.is_type("Microsoft.Storage", &["storageAccounts"])
                    && !shared::inside(rg_id, scope))
                .then(|| scope.to_string())
            });
            if let Some(account_id) = lake {
                let account = account_id
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .to_string();
                match find_filesystem(client, ctx, &account, &format!("projects/project{:03}", d.number)).await {
                Some(fs) => {
                    d.common.insert("datalake_storage_account_id".into(), account_id);
                    d.common.insert("datalake_filesystem".into(), fs);
                }
                None => d.warnings.push(format!(
                    "Found a role assignment on the data lake {account_id} but no filesystem with projects/project{:03}; set common.datalake_storage_account_id and common.datalake_filesystem in the configuration.",
                    d.number
                )),
            }
            }
        }

        Ok(())
    }

    /// The common resource group and `naming.salt` (and ESML's random salt), warnings for
    /// resources the provider would not adopt, and the DNS zones' default group.
    fn salts(&self, d: &mut Discovered, untagged: bool, names: NameSalts) {
        let (subscription, items, name_parts) = (self.subscription, &self.items, &self.name_parts);
        let NameSalts {
            identity_name,
            salt_of_names,
        } = names;
        // The common resource group and `naming.salt`: the group whose salt (this provider's
        // or ESML's) the names carry.
        let mut candidates: Vec<String> = Vec::new();
        for id in d.common.values().chain(d.subnet_ids.values()) {
            if let Some(rg) = rg_of(id) {
                if !candidates.iter().any(|c| c.eq_ignore_ascii_case(&rg)) {
                    candidates.push(rg);
                }
            }
        }
        let (common_rg, mode) = match salt_of_names
            .as_deref()
            .and_then(|s| match_salt(subscription, &candidates, s))
        {
            Some((c, mode)) => (Some(c), mode),
            None => {
                if salt_of_names.is_some() && !candidates.is_empty() {
                    d.warnings.push(format!(
                    "The resource names carry neither this provider's salt nor ESML's (Bicep uniqueString) salt of any common resource group this project refers to (tried {}). Set common.resource_group_name (with the casing ESML's pipelines used) and naming.salt; the plan then shows which resources the provider would rename.",
                    candidates.join(", ")
                ));
                }
                // A group without ownership tags was made by ESML's pipelines.
                (
                    candidates.first().cloned(),
                    if untagged {
                        SaltMode::Esml
                    } else {
                        SaltMode::AiFactory
                    },
                )
            }
        };
        match common_rg {
            Some(c) => {
                d.common.insert("resource_group_name".into(), c);
            }
            None => d.warnings.push(
                "Could not determine common.resource_group_name; set it in the configuration."
                    .into(),
            ),
        }
        let mut random_salt: Option<String> = None;
        if mode == SaltMode::Esml {
            d.naming.insert("salt".into(), mode.as_str().into());
            // ESML's random salt, read back from the project identity's name as ESML's
            // pipeline does; with it the identity, AI Search and AI Services are adopted by
            // their ESML names.
            if let (Some(name), Some(n), Some(s5)) = (&identity_name, &name_parts, &salt_of_names) {
                let head = format!(
                    "mi-prj{:03}-{}-{}-{s5}",
                    d.number, n.location_short, d.environment
                );
                let suffix = if n.suffix.is_empty() {
                    aifactory_template::naming::DEFAULT_SUFFIX
                } else {
                    n.suffix.as_str()
                };
                random_salt = aifactory_template::naming::esml_random_salt_of_identity(
                    name,
                    &head,
                    &[suffix, "-001"],
                );
            }
            if let Some(r) = &random_salt {
                d.naming.insert("random_salt".into(), r.clone());
            }
        }
        if let Some(c) = d.common.get("resource_group_name").cloned() {
            for w in unadopted(d, subscription, &c, mode, random_salt.as_deref(), items) {
                d.warnings.push(w);
            }
        }
        if !d.common.contains_key("private_dns_zone_resource_group_id") {
            if let Some(c) = d.common.get("resource_group_name").cloned() {
                d.common.insert(
                    "private_dns_zone_resource_group_id".into(),
                    aifactory_template::project::ids::resource_group_id(subscription, &c),
                );
            }
        }
    }
}

/// The candidate common resource group (as found, or lowercased: ESML hashes the name as
/// its parameter spells it) and the [`SaltMode`] whose salt is `salt`.
pub fn match_salt(
    subscription: &str,
    candidates: &[String],
    salt: &str,
) -> Option<(String, SaltMode)> {
    for c in candidates {
        if SaltMode::AiFactory.salt(subscription, c) == salt {
            return Some((c.clone(), SaltMode::AiFactory));
        }
        let lower = c.to_ascii_lowercase();
        for v in [c.clone(), lower] {
            if SaltMode::Esml.salt(subscription, &v) == salt {
                return Some((v, SaltMode::Esml));
            }
        }
    }
    None
}

/// Warnings for resources of the group whose names are not the ones the provider gives
/// them (so it leaves them alone, unmanaged, and creates its own).
fn unadopted(
    d: &Discovered,
    subscription: &str,
    common_rg: &str,
    mode: SaltMode,
    random_salt: Option<&str>,
    items: &[Json],
) -> Vec<String> {
    let Ok(environment) = d.environment.parse() else {
        return Vec::new();
    };
    let input = aifactory_template::naming::NamingInput {
        number: d.number,
        environment,
        location: d.location.clone(),
        prefix: d.naming.get("prefix").cloned(),
        location_short: d.naming.get("location_short").cloned(),
        suffix: d.naming.get("suffix").cloned(),
        subscription_id: subscription.to_string(),
        common_resource_group_name: common_rg.to_string(),
    };
    let template = match (d.project_type.parse(), d.network_access.parse()) {
        (Ok(ty), Ok(access)) => aifactory_template::project::esml_template(ty, access),
        _ => aifactory_template::naming::EsmlTemplate::Genai,
    };
    let Ok((names, _)) =
        aifactory_template::naming::compose_template(&input, mode, random_salt, template)
    else {
        return Vec::new();
    };
    let kinds: [(&str, &api::ApiType, Vec<&str>); 8] = [
        ("managed identity", &api::IDENTITY, vec![&names.identity]),
        ("key vault", &api::KEY_VAULT, vec![&names.key_vault]),
        (
            "storage account",
            &api::STORAGE,
            vec![&names.storage, &names.ml_storage],
        ),
        (
            "Machine Learning workspace",
            &api::ML_WORKSPACE,
            vec![&names.ml_workspace],
        ),
        (
            "Databricks workspace",
            &api::DATABRICKS,
            vec![&names.databricks],
        ),
        (
            "Data Factory",
            &api::DATA_FACTORY,
            vec![&names.data_factory],
        ),
        ("AI Search service", &api::SEARCH, vec![&names.search]),
        (
            "AI Services account",
            &api::AI_SERVICES,
            vec![
                &names.ai_services,
                &names.foundry_account,
                &names.azure_openai,
            ],
        ),
    ];
    let mut out = Vec::new();
    for (label, ty, expected) in kinds {
        for item in find_type(items, ty.resource_type) {
            let name = item.get("name").and_then(Json::as_str).unwrap_or_default();
            if !name.is_empty() && !expected.iter().any(|e| e.eq_ignore_ascii_case(name)) {
                // Without the random salt ESML's identity, AI Search and AI Services
                // names cannot be given; say how to get it.
                let hint = if mode == SaltMode::Esml
                    && random_salt.is_none()
                    && [
                        api::IDENTITY.resource_type,
                        api::SEARCH.resource_type,
                        api::AI_SERVICES.resource_type,
                    ]
                    .contains(&ty.resource_type)
                {
                    " ESML salts this name with its random 10-character salt, which the import could not read from a managed identity named mi-prj<NNN>-<loc>-<env>-<s5><random salt><suffix>; if this is ESML's, set naming.random_salt to that salt."
                } else if mode == SaltMode::Esml && d.project_type == "esml" {
                    esml_project_hint(ty, name)
                } else {
                    ""
                };
                out.push(format!(
                    "The {label} {name} does not have a name the provider gives (expected {} with naming.salt = \"{mode}\"{}); the provider does not manage it and creates its own where the project needs one. Move its data and settings before deleting it.{hint}",
                    expected.join(" or "),
                    random_salt.map(|r| format!(" and naming.random_salt = \"{r}\"")).unwrap_or_default()
                ));
            }
        }
    }
    // Private endpoints: adopted by the names of this mode (ESML's `{target}-pend` with
    // naming.salt = "esml"); ESML's others (Data Factory's `portal`, ACR, databases...)
    // stay unmanaged.
    let expected: BTreeSet<String> = names
        .private_endpoints
        .values()
        .map(|p| p.endpoint.to_ascii_lowercase())
        .collect();
    for item in find_type(items, api::PRIVATE_ENDPOINT.resource_type) {
        let name = name_of(item);
        if !name.is_empty() && !expected.contains(&name.to_ascii_lowercase()) {
            out.push(format!(
                "The private endpoint {name} is not one the provider makes (with naming.salt = \"{mode}\" its endpoints are named like {}); the provider does not manage it and leaves it in place.",
                names.private_endpoints.get("key_vault_vault").map(|p| p.endpoint.as_str()).unwrap_or("<target>-pend")
            ));
        }
    }
    out
}

/// Why an object of ESML's `esml-project` template (22-main.bicep) is not adopted, for the
/// ones the template makes beside the project's own.
fn esml_project_hint(ty: &api::ApiType, name: &str) -> &'static str {
    let n = name.to_ascii_lowercase();
    let second = (ty.resource_type == api::KEY_VAULT.resource_type && n.starts_with("kv-2"))
        || (ty.resource_type == api::STORAGE.resource_type && n.starts_with("sa2"))
        || (ty.resource_type == api::ML_WORKSPACE.resource_type && n.starts_with("aml2-"));
    if second {
        " ESML's esml-project template makes it for its second, managed Machine Learning workspace (aml2-…, with kv-2… and sa2…); the provider's workspace is ESML's first (aml-prj…), with the key vault kv-p… and the storage account saprj… it uses."
    } else if ty.resource_type == api::DATABRICKS.resource_type {
        " ESML names its public Databricks workspace dbx-prj… and its private-link one (databricksPrivate) dbxp-prj…; the provider's name follows network_access (dbxp- with \"private\", dbx- with \"allowlist\")."
    } else {
        ""
    }
}

/// The filesystem of `account` that has `path` (a directory).
async fn find_filesystem(
    client: &AzureClient,
    ctx: &Ctx,
    account: &str,
    path: &str,
) -> Option<String> {
    let dfs = client.dfs(account).ok()?;
    let names = dfs.list_filesystems(ctx).await.ok()?;
    for fs in names {
        if let Ok(ac) = dfs.get_access_control(ctx, &fs, path).await {
            if ac.resource_type.as_deref().is_none_or(|t| t == "directory") {
                return Some(fs);
            }
        }
    }
    None
}
