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

/// Every ARM resource of the project, one step per resource (or per kind of resource).
pub(super) fn build(spec: &ProjectSpec, c: &Checked, layout: &Layout) -> Vec<DesiredResource> {
    let x = Ctx { spec, c, layout };
    let mut out = vec![x.resource_group(), x.identity(), x.key_vault()];
    out.extend(x.storage_accounts());
    out.push(x.app_insights());
    out.extend(x.ml_workspace());
    out.extend(x.databricks());
    out.extend(x.data_factory());
    if layout.genai {
        out.push(x.search());
        out.push(x.ai_services());
    }
    out.extend(x.private_endpoints());
    out
}

impl Ctx<'_> {
    fn location(&self) -> &str {
        self.spec.location.as_str()
    }
    fn prod(&self) -> bool {
        self.spec.environment == Environment::Prod
    }

    fn resource_group(&self) -> DesiredResource {
        let n = &self.c.names;
        self.resource_with_id(
            "resource_group",
            &api::RESOURCE_GROUP,
            &n.resource_group,
            super::ids::resource_group_id(&self.spec.subscription_id, &n.resource_group),
            json!({ "location": self.location(), "tags": self.tags() }),
            &[],
        )
    }

    fn identity(&self) -> DesiredResource {
        self.resource(
            "identity",
            &api::IDENTITY,
            &self.c.names.identity,
            json!({ "location": self.location(), "tags": self.tags() }),
            &["resource_group"],
        )
    }

    fn key_vault(&self) -> DesiredResource {
        let prod = self.prod();
        let mut kv_props = json!({
            "tenantId": crate::naming::Guid::parse(&self.spec.tenant_id).map(|g| g.to_string()).unwrap_or_default(),
            "sku": { "family": "A", "name": "standard" },
            "enableRbacAuthorization": true,
            "enableSoftDelete": true,
            "softDeleteRetentionInDays": if prod { 90 } else { 7 },
            "enabledForDeployment": false,
            "enabledForTemplateDeployment": false,
            "enabledForDiskEncryption": false,
            "accessPolicies": [],
            "publicNetworkAccess": self.public_access(),
            "networkAcls": {
                "bypass": "AzureServices",
                "defaultAction": "Deny",
                "ipRules": self.c.ip_rules.iter().map(|r| json!({ "value": r.cidr() })).collect::<Vec<_>>(),
                "virtualNetworkRules": [],
            },
        });
        if self.spec.key_vault_purge_protection.unwrap_or(prod) {
            kv_props["enablePurgeProtection"] = json!(true);
        }
        self.resource(
            "key_vault",
            &api::KEY_VAULT,
            &self.c.names.key_vault,
            json!({ "location": self.location(), "tags": self.tags(), "properties": kv_props }),
            &["resource_group"],
        )
    }

    /// The project storage, and genai's separate `ml_storage` when it has Machine Learning.
    fn storage_accounts(&self) -> Vec<DesiredResource> {
        let n = &self.c.names;
        let mut out = vec![self.resource(
            "storage",
            &api::STORAGE,
            &n.storage,
            self.storage_body(!self.layout.genai),
            &["resource_group"],
        )];
        if self.layout.genai && self.layout.ml {
            out.push(self.resource(
                "ml_storage",
                &api::STORAGE,
                &n.ml_storage,
                self.storage_body(true),
                &["resource_group"],
            ));
        }
        out
    }

    fn storage_body(&self, shared_key: bool) -> Value {
        let ip_rules: Vec<Value> = self
            .c
            .ip_rules
            .iter()
            .flat_map(|r| r.storage_rules())
            .map(|v| json!({ "value": v, "action": "Allow" }))
            .collect();
        json!({
            "location": self.location(),
            "tags": self.tags(),
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
                "publicNetworkAccess": self.public_access(),
                "networkAcls": {
                    "bypass": "AzureServices",
                    "defaultAction": "Deny",
                    "ipRules": ip_rules,
                    "virtualNetworkRules": [],
                },
            },
        })
    }

    fn app_insights(&self) -> DesiredResource {
        self.resource(
            "app_insights",
            &api::APP_INSIGHTS,
            &self.c.names.app_insights,
            json!({
                "location": self.location(),
                "tags": self.tags(),
                "kind": "web",
                "properties": {
                    "Application_Type": "web",
                    "WorkspaceResourceId": self.c.log_analytics_id,
                    "IngestionMode": "LogAnalytics",
                    "publicNetworkAccessForIngestion": "Enabled",
                    "publicNetworkAccessForQuery": "Enabled",
                },
            }),
            &["resource_group"],
        )
    }

    fn ml_workspace(&self) -> Option<DesiredResource> {
        if !self.layout.ml {
            return None;
        }
        let (spec, n) = (self.spec, &self.c.names);
        let storage_key = self.layout.ml_storage_key();
        let storage_name = if self.layout.genai {
            &n.ml_storage
        } else {
            &n.storage
        };
        let mut props = json!({
            "friendlyName": n.ml_workspace,
            "description": format!("AI Factory {} ({}, {})", n.project_key, spec.project_type, spec.environment),
            "keyVault": self.id(&api::KEY_VAULT, &n.key_vault),
            "storageAccount": self.id(&api::STORAGE, storage_name),
            "applicationInsights": self.id(&api::APP_INSIGHTS, &n.app_insights),
            "primaryUserAssignedIdentity": self.identity_id(),
            "publicNetworkAccess": self.public_access(),
            "allowRoleAssignmentOnRG": false,
            "hbiWorkspace": false,
            "v1LegacyMode": false,
        });
        if !self.private() {
            props["networkAcls"] = json!({
                "defaultAction": "Deny",
                "ipRules": self.c.ip_rules.iter().map(|r| json!({ "value": r.cidr() })).collect::<Vec<_>>(),
            });
        }
        Some(self.resource(
            "ml_workspace",
            &api::ML_WORKSPACE,
            &n.ml_workspace,
            json!({
                "location": self.location(),
                "tags": self.tags(),
                "kind": "Default",
                "sku": { "name": "Basic", "tier": "Basic" },
                "identity": self.user_assigned(),
                "properties": props,
            }),
            &[
                "resource_group",
                "identity",
                "key_vault",
                storage_key,
                "app_insights",
            ],
        ))
    }

    fn databricks(&self) -> Option<DesiredResource> {
        if !self.layout.databricks {
            return None;
        }
        let dbx = self.c.dbx.as_ref()?;
        let n = &self.c.names;
        let managed_rg = super::ids::resource_group_id(
            &self.spec.subscription_id,
            &n.databricks_managed_resource_group,
        );
        Some(self.resource(
            "databricks",
            &api::DATABRICKS,
            &n.databricks,
            json!({
                "location": self.location(),
                "tags": self.tags(),
                "sku": { "name": "premium" },
                "properties": {
                    "managedResourceGroupId": managed_rg,
                    "parameters": {
                        "customVirtualNetworkId": { "value": dbx.vnet_id },
                        "customPublicSubnetName": { "value": dbx.public_subnet },
                        "customPrivateSubnetName": { "value": dbx.private_subnet },
                        "enableNoPublicIp": { "value": true },
                    },
                    "publicNetworkAccess": self.public_access(),
                    "requiredNsgRules": if self.private() { "NoAzureDatabricksRules" } else { "AllRules" },
                },
            }),
            &["resource_group"],
        ))
    }

    fn data_factory(&self) -> Option<DesiredResource> {
        if !self.layout.data_factory {
            return None;
        }
        Some(self.resource(
            "data_factory",
            &api::DATA_FACTORY,
            &self.c.names.data_factory,
            json!({
                "location": self.location(),
                "tags": self.tags(),
                "identity": self.user_assigned(),
                "properties": { "publicNetworkAccess": self.public_access() },
            }),
            &["resource_group", "identity"],
        ))
    }

    fn search(&self) -> DesiredResource {
        self.resource(
            "search",
            &api::SEARCH,
            &self.c.names.search,
            json!({
                "location": self.location(),
                "tags": self.tags(),
                "sku": { "name": if self.prod() { "standard" } else { "basic" } },
                "identity": self.user_assigned(),
                "properties": {
                    "replicaCount": 1,
                    "partitionCount": 1,
                    "hostingMode": "default",
                    "publicNetworkAccess": if self.private() { "disabled" } else { "enabled" },
                    "networkRuleSet": {
                        "ipRules": self.c.ip_rules.iter().map(|r| json!({ "value": r.ip_or_cidr() })).collect::<Vec<_>>(),
                        "bypass": "AzureServices",
                    },
                    "disableLocalAuth": true,
                },
            }),
            &["resource_group", "identity"],
        )
    }

    fn ai_services(&self) -> DesiredResource {
        let n = &self.c.names;
        self.resource(
            "ai_services",
            &api::AI_SERVICES,
            &n.ai_services,
            json!({
                "location": self.location(),
                "tags": self.tags(),
                "kind": "AIServices",
                "sku": { "name": "S0" },
                "identity": self.user_assigned(),
                "properties": {
                    "customSubDomainName": n.ai_services,
                    "publicNetworkAccess": self.public_access(),
                    "networkAcls": {
                        "defaultAction": "Deny",
                        "ipRules": self.c.ip_rules.iter().map(|r| json!({ "value": r.ip_or_cidr() })).collect::<Vec<_>>(),
                        "virtualNetworkRules": [],
                    },
                    "disableLocalAuth": true,
                },
            }),
            &["resource_group", "identity"],
        )
    }

    /// Private endpoints and their DNS zone groups (none in allowlist mode).
    fn private_endpoints(&self) -> Vec<DesiredResource> {
        let Some(subnet) = &self.c.pe_subnet_id else {
            return Vec::new();
        };
        self.layout
            .private_links()
            .into_iter()
            .filter_map(|t| self.private_endpoint(subnet, t))
            .flatten()
            .collect()
    }

    /// One target's private endpoint and its DNS zone group; `None` when the target has no
    /// endpoint names or no resource type here.
    fn private_endpoint(
        &self,
        subnet: &str,
        t: &naming::PrivateLinkTarget,
    ) -> Option<[DesiredResource; 2]> {
        let n = &self.c.names;
        let key = t.key();
        let pe = n.private_endpoints.get(&key)?;
        let target_name = n.of_target(t.target)?;
        let target_type = match t.target {
            "key_vault" => &api::KEY_VAULT,
            "storage" | "ml_storage" => &api::STORAGE,
            "ml_workspace" => &api::ML_WORKSPACE,
            "search" => &api::SEARCH,
            "ai_services" => &api::AI_SERVICES,
            "data_factory" => &api::DATA_FACTORY,
            "databricks" => &api::DATABRICKS,
            _ => return None,
        };
        let pe_key = format!("private_endpoint.{key}");
        let pe_id = self.id(&api::PRIVATE_ENDPOINT, &pe.endpoint);
        let endpoint = self.resource_with_id(
            &pe_key,
            &api::PRIVATE_ENDPOINT,
            &pe.endpoint,
            pe_id.clone(),
            json!({
                "location": self.location(),
                "tags": self.tags(),
                "properties": {
                    "subnet": { "id": subnet },
                    "customNetworkInterfaceName": pe.network_interface,
                    "privateLinkServiceConnections": [{
                        "name": pe.connection,
                        "properties": {
                            "privateLinkServiceId": self.id(target_type, target_name),
                            "groupIds": [t.group_id],
                        },
                    }],
                },
            }),
            &["resource_group", t.target],
        );
        let zone_group = self.dns_zone_group(&key, &pe_key, &pe_id, pe, t.group_id);
        Some([endpoint, zone_group])
    }

    /// `privateDnsZoneGroups/...` of one private endpoint: the zones of its group ID in
    /// this cloud, in the common DNS zone resource group.
    fn dns_zone_group(
        &self,
        key: &str,
        pe_key: &str,
        pe_id: &str,
        pe: &naming::PrivateEndpointNames,
        group_id: &str,
    ) -> DesiredResource {
        let zones = zone_order(
            pe.zone_config,
            dns_zones(self.spec.cloud, group_id)
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
                        "privateDnsZoneId": format!("{}/providers/Microsoft.Network/privateDnsZones/{zone}", self.c.dns_zone_rg_id),
                    },
                })
            })
            .collect();
        self.resource_with_id(
            &format!("private_dns_zone_group.{key}"),
            &api::PRIVATE_DNS_ZONE_GROUP,
            &pe.dns_zone_group,
            format!("{pe_id}/privateDnsZoneGroups/{}", pe.dns_zone_group),
            json!({ "properties": { "privateDnsZoneConfigs": configs } }),
            &[pe_key],
        )
    }
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
