//! The ARM resources of a project: every enabled service of the catalog (its body and
//! decisions are in its descriptor, `services/*`), then the plumbing they share: private
//! endpoints and their DNS zone groups, AI Search's shared private links to Storage and
//! AI Services (`shared_private_link.<target>_<group>`), and each service's diagnostic setting to the
//! common Log Analytics workspace (`diagnostic_setting.<service>`, built by
//! `crate::diagnostics` from the descriptor's `diagnostics`).
//!
//! Decisions, per resource (bodies follow the REST spec of the api-version in each
//! descriptor):
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

use serde_json::{json, Value};

use super::api::{self, ApiType};
use super::checked::Checked;
use super::model::DesiredResource;
use super::network::{dns_zones, zone_config_name};
use super::services::{self, Ctx, ServiceKey};
use super::spec::{Layout, ProjectSpec};
use crate::diagnostics;
use crate::naming::{self, ZoneConfigNaming};

/// Every ARM resource of the project: the enabled services in catalog order, then the
/// private endpoints.
pub(super) fn build(spec: &ProjectSpec, c: &Checked, layout: &Layout) -> Vec<DesiredResource> {
    let x = Ctx::new(spec, c, layout);
    let mut out: Vec<DesiredResource> = services::enabled(layout)
        .map(|s| services::resource(&x, s))
        .collect();
    out.extend(private_endpoints(&x));
    out.extend(shared_private_links(&x));
    out.extend(diagnostic_settings(&x));
    out.extend(super::foundry::build(&x));
    out
}

/// The key of one of AI Search's shared private links (`shared_private_link.storage_blob`).
pub fn shared_private_link_key(target: ServiceKey, group_id: &str) -> String {
    format!("shared_private_link.{target}_{group_id}")
}

/// AI Search's shared private links to the project's Storage (`blob`) and the account its
/// models are on (`openai_account`), in private mode only (in allowlist mode Search reaches them
/// as a trusted Azure service). One after the other: a search service runs one
/// shared-private-link operation at a time. Azure creates each as a pending private
/// endpoint connection on the target; the engine approves it after the link's write
/// (`services::search::link_approval`: the connection's name is Azure's, unknown at plan,
/// so it is not an object of its own).
fn shared_private_links(x: &Ctx) -> Vec<DesiredResource> {
    if !(x.layout.private && x.layout.search) {
        return Vec::new();
    }
    let search = x.service_id(ServiceKey::Search);
    let search_name = x.name_of(ServiceKey::Search);
    let mut previous: Option<String> = None;
    let mut out = Vec::new();
    for (target, group, name) in services::search::SHARED_PRIVATE_LINKS {
        if !services::search::links_to(x.layout, target) {
            continue;
        }
        let key = shared_private_link_key(target, group);
        let mut deps = vec![ServiceKey::Search.as_str(), target.as_str()];
        if let Some(p) = &previous {
            deps.push(p.as_str());
        }
        out.push(plumbing(
            &key,
            &services::search::SHARED_PRIVATE_LINK,
            name,
            format!("{search}/sharedPrivateLinkResources/{name}"),
            json!({
                "properties": {
                    "privateLinkResourceId": x.service_id(target),
                    "groupId": group,
                    "requestMessage": format!(
                        "AI Search {search_name} of AI Factory project {}: {group}",
                        x.c.names.project_key
                    ),
                },
            }),
            &deps,
        ));
        previous = Some(key);
    }
    out
}

/// The key of a service's diagnostic setting (`diagnostic_setting.key_vault`).
pub fn diagnostic_setting_key(service: ServiceKey) -> String {
    format!("diagnostic_setting.{service}")
}

/// One diagnostic setting to the common Log Analytics workspace per enabled service whose
/// descriptor has diagnostic logs (none with `diagnostics = false`), after its service.
fn diagnostic_settings(x: &Ctx) -> Vec<DesiredResource> {
    if !x.spec.diagnostics {
        return Vec::new();
    }
    services::enabled(x.layout)
        .filter_map(|s| {
            let logs = s.diagnostics?;
            // Inputs were validated (the workspace ID, the services' IDs); the descriptors'
            // groups are tested, so an error here is a catalog bug: no setting then.
            let d = diagnostics::desired(
                &x.service_id(s.key),
                &x.c.log_analytics_id,
                logs.category_groups,
                logs.metrics,
            )
            .ok()?;
            Some(plumbing(
                &diagnostic_setting_key(s.key),
                &diagnostics::API,
                &d.name,
                d.id,
                d.body,
                &[s.key.as_str()],
            ))
        })
        .collect()
}

/// A plumbing resource (not a service): its key, type, name, ID, body and dependencies.
fn plumbing(
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
        origin: Default::default(),
    }
}

/// Private endpoints and their DNS zone groups (none in allowlist mode).
fn private_endpoints(x: &Ctx) -> Vec<DesiredResource> {
    let Some(subnet) = &x.c.pe_subnet_id else {
        return Vec::new();
    };
    x.layout
        .private_links()
        .into_iter()
        .filter_map(|t| private_endpoint(x, subnet, t))
        .flatten()
        .collect()
}

/// One target's private endpoint and its DNS zone group; `None` when the target has no
/// endpoint names or is not a service of the catalog.
fn private_endpoint(
    x: &Ctx,
    subnet: &str,
    t: &naming::PrivateLinkTarget,
) -> Option<Vec<DesiredResource>> {
    let n = &x.c.names;
    let key = t.key();
    let pe = n.private_endpoints.get(&key)?;
    let target = ServiceKey::parse(t.target)?;
    let pe_key = format!("private_endpoint.{key}");
    let pe_id = x.id(&api::PRIVATE_ENDPOINT, &pe.endpoint);
    let endpoint = plumbing(
        &pe_key,
        &api::PRIVATE_ENDPOINT,
        &pe.endpoint,
        pe_id.clone(),
        json!({
            "location": x.spec.location,
            "tags": x.c.tags,
            "properties": {
                "subnet": { "id": subnet },
                "customNetworkInterfaceName": pe.network_interface,
                "privateLinkServiceConnections": [{
                    "name": pe.connection,
                    "properties": {
                        "privateLinkServiceId": x.service_id(target),
                        "groupIds": [t.group_id],
                    },
                }],
            },
        }),
        &["resource_group", t.target],
    );
    if !x.spec.common.dns_zone_groups {
        // The landing zone's DNS policy writes the records (`common.dns_zone_groups`).
        return Some(vec![endpoint]);
    }
    let zone_group = dns_zone_group(x, &key, &pe_key, &pe_id, pe, t.group_id);
    Some(vec![endpoint, zone_group])
}

/// `privateDnsZoneGroups/...` of one private endpoint: the zones of its group ID in
/// this cloud, in the common DNS zone resource group.
fn dns_zone_group(
    x: &Ctx,
    key: &str,
    pe_key: &str,
    pe_id: &str,
    pe: &naming::PrivateEndpointNames,
    group_id: &str,
) -> DesiredResource {
    let zones = zone_order(
        pe.zone_config,
        dns_zones(x.spec.cloud, group_id)
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
                        "privateDnsZoneId": format!("{}/providers/Microsoft.Network/privateDnsZones/{zone}", x.c.dns_zone_rg_id),
                    },
                })
            })
            .collect();
    plumbing(
        &format!("private_dns_zone_group.{key}"),
        &api::PRIVATE_DNS_ZONE_GROUP,
        &pe.dns_zone_group,
        format!("{pe_id}/privateDnsZoneGroups/{}", pe.dns_zone_group),
        json!({ "properties": { "privateDnsZoneConfigs": configs } }),
        &[pe_key],
    )
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
