//! The ARM resources of a project and their exact PUT bodies.
//!
//! Decisions, per resource (bodies follow the REST spec of the api-version in [`super::api`]):
//!
//! * Key Vault: RBAC mode (`enableRbacAuthorization: true`), soft delete on (7 days
//!   outside prod so a destroyed dev vault frees its name sooner, 90 in prod), purge
//!   protection per [`ProjectSpec::key_vault_purge_protection`] (default prod only; the
//!   property is omitted when off because it can never be turned off again).
//! * Storage: StorageV2, HNS off, TLS 1.2, no public blob access, HTTPS only, no cross-tenant
//!   replication, Entra ID as the portal default. Shared key access is **disabled** except
//!   on the account a Machine Learning workspace uses as its default storage: Azure ML's
//!   support for a shared-key-disabled default storage (`systemDatastoresAuthMode:
//!   identity`) is still preview, and a GA project must not depend on a preview feature.
//!   So esml's storage keeps shared key; genai's storage has none, and genai with
//!   `azure_ml` gets a separate `ml_storage` (ESML's "storage 2") that keeps it. Standard_LRS.
//! * Application Insights: workspace-based on the common Log Analytics workspace. Its
//!   ingestion and query endpoints stay public: they can only be made private with an Azure
//!   Monitor Private Link Scope, which belongs to the common part.
//! * Machine Learning: identity = the project UAMI only (`UserAssigned`,
//!   `primaryUserAssignedIdentity`), wired to the key vault, storage and App Insights;
//!   `allowRoleAssignmentOnRG: false` (the provider assigns roles itself).
//! * Databricks: premium (required for private link and no-public-IP), VNet-injected;
//!   private mode disables public network access with `requiredNsgRules:
//!   NoAzureDatabricksRules` (back-end private link through the `databricks_ui_api`
//!   endpoint).
//! * Data Factory and AI Search use the project UAMI; AI Search and AI Services disable
//!   local (key) authentication, so every caller uses Entra ID and the role matrix.
//! * Network: private mode sets public network access to Disabled with default-deny ACLs
//!   and adds one private endpoint per (service, group id) in `subnet_ids.private_endpoints`,
//!   each with `privateDnsZoneGroups/default` (ESML's `{endpoint}DnsZone` with
//!   `naming.salt = "esml"`) pointing at the zones of its cloud in
//!   `common.private_dns_zone_resource_group_id`. Allowlist mode enables public access with
//!   default deny and `ip_allowlist` as IP rules, and creates no private endpoints (Data
//!   Factory and Databricks have no ARM IP rules and stay publicly reachable with Entra ID).

use serde_json::{json, Map, Value};

use super::api::{self, ApiType};
use super::ids::resource_id;
use super::model::DesiredResource;
use super::network::{dns_zones, zone_config_name};
use super::spec::{Layout, ProjectSpec};
use super::validate::Checked;
use crate::naming::{self, Environment, ZoneConfigNaming};

struct Ctx<'a> {
    spec: &'a ProjectSpec,
    c: &'a Checked,
    layout: &'a Layout,
}

impl Ctx<'_> {
    fn id(&self, t: &ApiType, name: &str) -> String {
        resource_id(
            &self.spec.subscription_id,
            &self.c.names.resource_group,
            t.resource_type,
            name,
        )
    }
    fn tags(&self) -> Value {
        json!(self.c.tags)
    }
    fn identity_id(&self) -> String {
        self.id(&api::IDENTITY, &self.c.names.identity)
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
    fn resource(
        &self,
        key: &str,
        t: &ApiType,
        name: &str,
        body: Value,
        depends_on: &[&str],
    ) -> DesiredResource {
        self.resource_with_id(key, t, name, self.id(t, name), body, depends_on)
    }
    fn resource_with_id(
        &self,
        key: &str,
        t: &ApiType,
        name: &str,
        id: String,
        body: Value,
        depends_on: &[&str],
    ) -> DesiredResource {
        let mut deps: Vec<String> = depends_on.iter().map(|s| s.to_string()).collect();
        deps.sort();
        deps.dedup();
        DesiredResource {
            key: key.to_string(),
            resource_type: t.resource_type.to_string(),
            api_version: t.api_version.to_string(),
            id,
            name: name.to_string(),
            body,
            depends_on: deps,
            lro: t.lro,
        }
    }
}

pub(super) fn build(spec: &ProjectSpec, c: &Checked, layout: &Layout) -> Vec<DesiredResource> {
    let x = Ctx { spec, c, layout };
    let n = &c.names;
    let loc = spec.location.as_str();
    let prod = spec.environment == Environment::Prod;
    let mut out = Vec::new();

    out.push(x.resource_with_id(
        "resource_group",
        &api::RESOURCE_GROUP,
        &n.resource_group,
        super::ids::resource_group_id(&spec.subscription_id, &n.resource_group),
        json!({ "location": loc, "tags": x.tags() }),
        &[],
    ));
    out.push(x.resource(
        "identity",
        &api::IDENTITY,
        &n.identity,
        json!({ "location": loc, "tags": x.tags() }),
        &["resource_group"],
    ));

    // Key Vault.
    let mut kv_props = json!({
        "tenantId": crate::naming::Guid::parse(&spec.tenant_id).map(|g| g.to_string()).unwrap_or_default(),
        "sku": { "family": "A", "name": "standard" },
        "enableRbacAuthorization": true,
        "enableSoftDelete": true,
        "softDeleteRetentionInDays": if prod { 90 } else { 7 },
        "enabledForDeployment": false,
        "enabledForTemplateDeployment": false,
        "enabledForDiskEncryption": false,
        "accessPolicies": [],
        "publicNetworkAccess": x.public_access(),
        "networkAcls": {
            "bypass": "AzureServices",
            "defaultAction": "Deny",
            "ipRules": c.ip_rules.iter().map(|r| json!({ "value": r.cidr() })).collect::<Vec<_>>(),
            "virtualNetworkRules": [],
        },
    });
    if spec.key_vault_purge_protection.unwrap_or(prod) {
        kv_props["enablePurgeProtection"] = json!(true);
    }
    out.push(x.resource(
        "key_vault",
        &api::KEY_VAULT,
        &n.key_vault,
        json!({ "location": loc, "tags": x.tags(), "properties": kv_props }),
        &["resource_group"],
    ));

    // Storage accounts.
    let storage_body = |shared_key: bool| {
        let ip_rules: Vec<Value> = c
            .ip_rules
            .iter()
            .flat_map(|r| r.storage_rules())
            .map(|v| json!({ "value": v, "action": "Allow" }))
            .collect();
        json!({
            "location": loc,
            "tags": x.tags(),
            "kind": "StorageV2",
            "sku": { "name": "Standard_LRS" },
            "properties": {
                "isHnsEnabled": false,
                "accessTier": "Hot",
                "minimumTlsVersion": "TLS1_2",
                "supportsHttpsTrafficOnly": true,
                "allowBlobPublicAccess": false,
                "allowSharedKeyAccess": shared_key,
                "defaultToOAuthAuthentication": true,
                "allowCrossTenantReplication": false,
                "publicNetworkAccess": x.public_access(),
                "networkAcls": {
                    "bypass": "AzureServices",
                    "defaultAction": "Deny",
                    "ipRules": ip_rules,
                    "virtualNetworkRules": [],
                },
            },
        })
    };
    out.push(x.resource(
        "storage",
        &api::STORAGE,
        &n.storage,
        storage_body(!layout.genai),
        &["resource_group"],
    ));
    if layout.genai && layout.ml {
        out.push(x.resource(
            "ml_storage",
            &api::STORAGE,
            &n.ml_storage,
            storage_body(true),
            &["resource_group"],
        ));
    }

    out.push(x.resource(
        "app_insights",
        &api::APP_INSIGHTS,
        &n.app_insights,
        json!({
            "location": loc,
            "tags": x.tags(),
            "kind": "web",
            "properties": {
                "Application_Type": "web",
                "WorkspaceResourceId": c.log_analytics_id,
                "IngestionMode": "LogAnalytics",
                "publicNetworkAccessForIngestion": "Enabled",
                "publicNetworkAccessForQuery": "Enabled",
            },
        }),
        &["resource_group"],
    ));

    if layout.ml {
        let storage_key = layout.ml_storage_key();
        let storage_name = if layout.genai {
            &n.ml_storage
        } else {
            &n.storage
        };
        let mut props = json!({
            "friendlyName": n.ml_workspace,
            "description": format!("AI Factory {} ({}, {})", n.project_key, spec.project_type, spec.environment),
            "keyVault": x.id(&api::KEY_VAULT, &n.key_vault),
            "storageAccount": x.id(&api::STORAGE, storage_name),
            "applicationInsights": x.id(&api::APP_INSIGHTS, &n.app_insights),
            "primaryUserAssignedIdentity": x.identity_id(),
            "publicNetworkAccess": x.public_access(),
            "allowRoleAssignmentOnRG": false,
            "hbiWorkspace": false,
            "v1LegacyMode": false,
        });
        if !x.private() {
            props["networkAcls"] = json!({
                "defaultAction": "Deny",
                "ipRules": c.ip_rules.iter().map(|r| json!({ "value": r.cidr() })).collect::<Vec<_>>(),
            });
        }
        out.push(x.resource(
            "ml_workspace",
            &api::ML_WORKSPACE,
            &n.ml_workspace,
            json!({
                "location": loc,
                "tags": x.tags(),
                "kind": "Default",
                "sku": { "name": "Basic", "tier": "Basic" },
                "identity": x.user_assigned(),
                "properties": props,
            }),
            &[
                "resource_group",
                "identity",
                "key_vault",
                storage_key,
                "app_insights",
            ],
        ));
    }

    if layout.databricks {
        if let Some(dbx) = &c.dbx {
            let managed_rg = super::ids::resource_group_id(
                &spec.subscription_id,
                &n.databricks_managed_resource_group,
            );
            out.push(x.resource(
                "databricks",
                &api::DATABRICKS,
                &n.databricks,
                json!({
                    "location": loc,
                    "tags": x.tags(),
                    "sku": { "name": "premium" },
                    "properties": {
                        "managedResourceGroupId": managed_rg,
                        "parameters": {
                            "customVirtualNetworkId": { "value": dbx.vnet_id },
                            "customPublicSubnetName": { "value": dbx.public_subnet },
                            "customPrivateSubnetName": { "value": dbx.private_subnet },
                            "enableNoPublicIp": { "value": true },
                        },
                        "publicNetworkAccess": x.public_access(),
                        "requiredNsgRules": if x.private() { "NoAzureDatabricksRules" } else { "AllRules" },
                    },
                }),
                &["resource_group"],
            ));
        }
    }

    if layout.data_factory {
        out.push(x.resource(
            "data_factory",
            &api::DATA_FACTORY,
            &n.data_factory,
            json!({
                "location": loc,
                "tags": x.tags(),
                "identity": x.user_assigned(),
                "properties": { "publicNetworkAccess": x.public_access() },
            }),
            &["resource_group", "identity"],
        ));
    }

    if layout.genai {
        out.push(x.resource(
            "search",
            &api::SEARCH,
            &n.search,
            json!({
                "location": loc,
                "tags": x.tags(),
                "sku": { "name": if prod { "standard" } else { "basic" } },
                "identity": x.user_assigned(),
                "properties": {
                    "replicaCount": 1,
                    "partitionCount": 1,
                    "hostingMode": "default",
                    "publicNetworkAccess": if x.private() { "disabled" } else { "enabled" },
                    "networkRuleSet": {
                        "ipRules": c.ip_rules.iter().map(|r| json!({ "value": r.ip_or_cidr() })).collect::<Vec<_>>(),
                        "bypass": "AzureServices",
                    },
                    "disableLocalAuth": true,
                },
            }),
            &["resource_group", "identity"],
        ));
        out.push(x.resource(
            "ai_services",
            &api::AI_SERVICES,
            &n.ai_services,
            json!({
                "location": loc,
                "tags": x.tags(),
                "kind": "AIServices",
                "sku": { "name": "S0" },
                "identity": x.user_assigned(),
                "properties": {
                    "customSubDomainName": n.ai_services,
                    "publicNetworkAccess": x.public_access(),
                    "networkAcls": {
                        "defaultAction": "Deny",
                        "ipRules": c.ip_rules.iter().map(|r| json!({ "value": r.ip_or_cidr() })).collect::<Vec<_>>(),
                        "virtualNetworkRules": [],
                    },
                    "disableLocalAuth": true,
                },
            }),
            &["resource_group", "identity"],
        ));
    }

    // Private endpoints and their DNS zone groups.
    if let Some(subnet) = &c.pe_subnet_id {
        for t in layout.private_links() {
            let key = t.key();
            let Some(pe) = n.private_endpoints.get(&key) else {
                continue;
            };
            let Some(target_name) = n.of_target(t.target) else {
                continue;
            };
            let target_type = match t.target {
                "key_vault" => &api::KEY_VAULT,
                "storage" | "ml_storage" => &api::STORAGE,
                "ml_workspace" => &api::ML_WORKSPACE,
                "search" => &api::SEARCH,
                "ai_services" => &api::AI_SERVICES,
                "data_factory" => &api::DATA_FACTORY,
                "databricks" => &api::DATABRICKS,
                _ => continue,
            };
            let pe_key = format!("private_endpoint.{key}");
            let pe_id = x.id(&api::PRIVATE_ENDPOINT, &pe.endpoint);
            out.push(x.resource_with_id(
                &pe_key,
                &api::PRIVATE_ENDPOINT,
                &pe.endpoint,
                pe_id.clone(),
                json!({
                    "location": loc,
                    "tags": x.tags(),
                    "properties": {
                        "subnet": { "id": subnet },
                        "customNetworkInterfaceName": pe.network_interface,
                        "privateLinkServiceConnections": [{
                            "name": pe.connection,
                            "properties": {
                                "privateLinkServiceId": x.id(target_type, target_name),
                                "groupIds": [t.group_id],
                            },
                        }],
                    },
                }),
                &["resource_group", t.target],
            ));
            let zones = zone_order(
                pe.zone_config,
                dns_zones(spec.cloud, t.group_id)
                    .map(|z| z.zones)
                    .unwrap_or_default(),
            );
            let configs: Vec<Value> = zones
                .iter()
                .enumerate()
                .map(|(i, zone)| {
                    json!({
                        "name": config_name(pe, i, zone),
                        "properties": {
                            "privateDnsZoneId": format!("{}/providers/Microsoft.Network/privateDnsZones/{zone}", c.dns_zone_rg_id),
                        },
                    })
                })
                .collect();
            out.push(x.resource_with_id(
                &format!("private_dns_zone_group.{key}"),
                &api::PRIVATE_DNS_ZONE_GROUP,
                &pe.dns_zone_group,
                format!("{pe_id}/privateDnsZoneGroups/{}", pe.dns_zone_group),
                json!({ "properties": { "privateDnsZoneConfigs": configs } }),
                &[pe_key.as_str()],
            ));
        }
    }
    out
}

/// The name of a DNS zone group's `index`th config (for `zone`).
fn config_name(pe: &naming::PrivateEndpointNames, index: usize, zone: &str) -> String {
    match pe.zone_config {
        ZoneConfigNaming::ZoneDashed => zone_config_name(zone),
        // ESML's privateDns.bicep makes one config, named like the endpoint (the zones of
        // these group IDs are single); any further one is named like its zone.
        ZoneConfigNaming::Endpoint if index == 0 => pe.endpoint.clone(),
        ZoneConfigNaming::Endpoint | ZoneConfigNaming::Zone => zone.to_string(),
    }
}

/// The zones in the order the configs list them: ESML's `csAIServices.bicep` puts the
/// OpenAI zone first (openai, cognitiveservices, services.ai).
fn zone_order(style: ZoneConfigNaming, mut zones: Vec<&'static str>) -> Vec<&'static str> {
    if style == ZoneConfigNaming::Zone {
        if let Some(i) = zones
            .iter()
            .position(|z| z.starts_with("privatelink.openai."))
        {
            let z = zones.remove(i);
            zones.insert(0, z);
        }
    }
    zones
}
