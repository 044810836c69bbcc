//! The common template: a pure function from a [`CommonSpec`] (one stage's
//! `aifactory_common` configuration plus provider facts and the allocated subnet CIDRs) to
//! the Azure objects of the stage's shared environment, as a [`DesiredProject`] so the
//! provider's one apply engine (dependency waves, partial failure recorded, drift, reverse
//! deletes) runs it as it runs a project.
//!
//! What a stage's common part holds (ESML's `esml-common`, esml.md §6): the common resource
//! group; the virtual network (or subnets in an existing one) with ESML's common subnets,
//! each written with its NSG (and the firewall route table) in its first PUT so an "NSG
//! required" policy never sees it bare, one subnet at a time; the private DNS zones every
//! project needs (the one list, [`crate::project::network::factory_zones`]) in a DNS
//! resource group, linked to the vNet, or the hub's zones (optionally linked); hub
//! peering; Log Analytics; the data lake (HNS, ZRS, no public access, blob and dfs private
//! endpoints), its filesystem, ESML's folders with traverse-only `other` entries on the
//! shared parents and the core team's entries; the two common key vaults and the Premium
//! registry behind private endpoints; diagnostic settings to Log Analytics; the core
//! team's role assignments; optionally Azure Bastion (its subnet `AzureBastionSubnet` with
//! Microsoft's required NSG rules, a Standard static public IP, the core team Reader on it);
//! optionally a Linux jump host (a NIC in the `common` subnet without public IP, an Ubuntu
//! 24.04 LTS VM with SSH key login only, its OS disk deleted with it, a system-assigned
//! identity, metrics to Log Analytics, the core team's Virtual Machine User Login on it);
//! and optionally Defender for
//! Cloud plans at subscription scope (Standard; "deleted" by writing Free, see
//! [`delete_body`]: a subscription's plans are shared by every stage in it).
//!
//! Keys: `resource_group`, `dns_resource_group`, `virtual_network`, `nsg.<purpose>`,
//! `route_table`, `subnet.<purpose>`, `dns_zone.<zone>`, `dns_link.<zone>`,
//! `peering.local`, `peering.remote`, `log_analytics`, `datalake`, `datalake_filesystem`,
//! `key_vault`, `key_vault_admin`, `container_registry`, `private_endpoint.<target>_<group>`,
//! `private_dns_zone_group.<target>_<group>`, `diagnostic_setting.<target>`,
//! `public_ip.bastion`, `bastion`, `network_interface.jump_host`, `jump_host`,
//! `defender.<plan>`, role
//! assignments `role.team.<oid>.<scope>.<role>`, ACL entries `acl.other.<path>.access` and
//! `acl.team.<oid>.<path>.<scope>`.
//!
//! Must not: know Terraform values, allocate addresses (the provider does, with the
//! allocator), or do I/O.

mod issue;
mod names;
mod spec;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::naming::{hash, Environment, Guid, ProjectNames};
use crate::nsg::{self, Purpose};
use crate::project::api::{self, ApiType};
use crate::project::ids::{resource_group_id, resource_id};
use crate::project::network::{dns_zones, esml_extra_zones, factory_zones, zone_config_name};
use crate::project::rbac::{self, BuiltInRole};
use crate::project::{
    role_assignment_name, AclKind, AclScope, DesiredAclEntry, DesiredDatalake, DesiredProject,
    DesiredResource, DesiredRoleAssignment, Perms, PrincipalRef, PrincipalType, ProjectType,
    TeamPrincipalType,
};
use aifactory_attrpath::AttrPath;

pub use issue::{CommonIssue, CommonIssueKind};
pub use names::CommonNames;
pub use spec::{admin_username_problem, ssh_public_key_ok};
pub use spec::{
    defender_plan, CommonNaming, CommonNetwork, CommonSpec, CommonSubnet, CommonSubnetPurpose,
    CoreTeam, DnsSpec, DnsZones, HubPeering, JumpHost, LakeSpec, VirtualNetwork,
    ADMIN_USERNAME_MAX, BASTION_MAX_PREFIX, DEFENDER_PLANS, LAKE_FOLDERS, RESERVED_ADMIN_USERNAMES,
    SSH_KEY_TYPES,
};

/// The tag every object of a common part carries (its stage).
pub const TAG_ROLE: &str = "aifactory-role";

/// Resource types the common part writes besides the project's (each checked to exist in
/// `Azure/azure-rest-api-specs/specification/*/resource-manager/.../stable/<version>/`).
pub mod types {
    use super::ApiType;

    const NETWORK: &str = "network/resource-manager/Microsoft.Network/stable/2024-05-01/";
    pub const VIRTUAL_NETWORK: ApiType = ApiType {
        resource_type: "Microsoft.Network/virtualNetworks",
        api_version: "2024-05-01",
        lro: true,
        spec: NETWORK,
    };
    pub const SUBNET: ApiType = ApiType {
        resource_type: "Microsoft.Network/virtualNetworks/subnets",
        api_version: "2024-05-01",
        lro: true,
        spec: NETWORK,
    };
    pub const NSG: ApiType = ApiType {
        resource_type: "Microsoft.Network/networkSecurityGroups",
        api_version: "2024-05-01",
        lro: true,
        spec: NETWORK,
    };
    pub const ROUTE_TABLE: ApiType = ApiType {
        resource_type: "Microsoft.Network/routeTables",
        api_version: "2024-05-01",
        lro: true,
        spec: NETWORK,
    };
    pub const PEERING: ApiType = ApiType {
        resource_type: "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
        api_version: "2024-05-01",
        lro: true,
        spec: NETWORK,
    };
    pub const DNS_ZONE: ApiType = ApiType {
        resource_type: "Microsoft.Network/privateDnsZones",
        api_version: "2024-06-01",
        lro: true,
        spec: "privatedns/resource-manager/Microsoft.Network/stable/2024-06-01/privatedns.json",
    };
    pub const DNS_LINK: ApiType = ApiType {
        resource_type: "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
        api_version: "2024-06-01",
        lro: true,
        spec: "privatedns/resource-manager/Microsoft.Network/stable/2024-06-01/privatedns.json",
    };
    pub const LOG_ANALYTICS: ApiType = ApiType {
        resource_type: "Microsoft.OperationalInsights/workspaces",
        api_version: "2023-09-01",
        lro: true,
        spec: "operationalinsights/resource-manager/Microsoft.OperationalInsights/stable/2023-09-01/Workspaces.json",
    };
    pub const CONTAINER: ApiType = ApiType {
        resource_type: "Microsoft.Storage/storageAccounts/blobServices/containers",
        api_version: "2025-06-01",
        lro: false,
        spec: "storage/resource-manager/Microsoft.Storage/stable/2025-06-01/openapi.json",
    };
    pub const PUBLIC_IP: ApiType = ApiType {
        resource_type: "Microsoft.Network/publicIPAddresses",
        api_version: "2024-05-01",
        lro: true,
        spec: NETWORK,
    };
    pub const BASTION_HOST: ApiType = ApiType {
        resource_type: "Microsoft.Network/bastionHosts",
        api_version: "2024-05-01",
        lro: true,
        spec: NETWORK,
    };
    pub const NETWORK_INTERFACE: ApiType = ApiType {
        resource_type: "Microsoft.Network/networkInterfaces",
        api_version: "2024-05-01",
        lro: true,
        spec: NETWORK,
    };
    pub const VIRTUAL_MACHINE: ApiType = ApiType {
        resource_type: "Microsoft.Compute/virtualMachines",
        api_version: "2025-04-01",
        lro: true,
        spec: "compute/resource-manager/Microsoft.Compute/ComputeRP/stable/2025-04-01/virtualMachine.json",
    };
    /// Defender for Cloud plans: PUT is synchronous; at subscription scope there is no
    /// DELETE ([`super::delete_body`]).
    pub const DEFENDER_PRICING: ApiType = ApiType {
        resource_type: "Microsoft.Security/pricings",
        api_version: "2024-01-01",
        lro: false,
        spec: "security/resource-manager/Microsoft.Security/stable/2024-01-01/pricings.json",
    };
    pub const CONTAINER_REGISTRY: ApiType = ApiType {
        resource_type: "Microsoft.ContainerRegistry/registries",
        api_version: "2025-11-01",
        lro: true,
        spec: "containerregistry/resource-manager/Microsoft.ContainerRegistry/Registry/stable/2025-11-01/containerregistry.json",
    };
}

/// Private-link groups of the common part's own services (their zones join the factory's
/// zone list).
pub const PRIVATE_LINK_GROUPS: [&str; 4] = ["blob", "dfs", "vault", "registry"];

/// Every private DNS zone of a stage in `cloud`: the projects' (the service catalog's)
/// and the common part's own, sorted, once each.
pub fn zones(cloud: crate::project::Cloud) -> Vec<&'static str> {
    let mut out = factory_zones(cloud);
    out.extend(
        PRIVATE_LINK_GROUPS
            .iter()
            .filter_map(|g| dns_zones(cloud, g))
            .flat_map(|z| z.zones),
    );
    out.sort_unstable();
    out.dedup();
    out
}

/// The body that "deletes" an object Azure cannot DELETE, written with a PUT instead:
/// a Defender plan at subscription scope (`/subscriptions/{id}/providers/Microsoft.Security/pricings/{plan}`)
/// is turned off by setting it `Free` (pricings.json 2024-01-01: DELETE is for resource
/// scope only). `None` for everything else (deleted as usual).
pub fn delete_body(resource_type: &str, id: &str) -> Option<Value> {
    if !resource_type.eq_ignore_ascii_case(types::DEFENDER_PRICING.resource_type) {
        return None;
    }
    // Subscription scope: `/subscriptions/{id}/providers/Microsoft.Security/pricings/{plan}`.
    let segments: Vec<&str> = id.trim_matches('/').split('/').collect();
    let subscription_scope = segments.len() == 6
        && segments[0].eq_ignore_ascii_case("subscriptions")
        && segments[2].eq_ignore_ascii_case("providers");
    subscription_scope.then(|| json!({ "properties": { "pricingTier": "Free" } }))
}

/// What the projects of this stage are given (`aifactory_project.common`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProjectRefs {
    pub resource_group_name: String,
    pub private_dns_zone_resource_group_id: String,
    pub log_analytics_workspace_id: String,
    pub datalake_storage_account_id: String,
    pub datalake_filesystem: String,
    pub dns_zone_groups: bool,
}

/// The desired common part, its names and what projects get.
#[derive(Debug, Clone)]
pub struct DesiredCommon {
    pub names: CommonNames,
    pub virtual_network_id: String,
    /// By purpose.
    pub subnet_ids: BTreeMap<String, String>,
    pub project_refs: ProjectRefs,
    /// The zones the stage uses: in create mode every zone it creates (the catalog's and
    /// ESML's extras), with hub zones the ones its endpoints need.
    pub zones: Vec<String>,
    /// For the engine: the objects, role assignments and ACL entries.
    pub plan: DesiredProject,
}

struct Ctx<'a> {
    spec: &'a CommonSpec,
    n: &'a CommonNames,
    tags: Value,
    rg_id: String,
    vnet_id: String,
    dns_rg_id: String,
    la_id: String,
}

impl Ctx<'_> {
    fn id(&self, t: &ApiType, name: &str) -> String {
        resource_id(
            &self.spec.subscription_id,
            &self.n.resource_group,
            t.resource_type,
            name,
        )
    }
    fn located(&self) -> serde_json::Map<String, Value> {
        let mut m = serde_json::Map::new();
        m.insert("location".into(), json!(self.spec.location));
        m.insert("tags".into(), self.tags.clone());
        m
    }
}

fn res(
    key: &str,
    t: &ApiType,
    name: &str,
    id: String,
    body: Value,
    deps: &[&str],
) -> DesiredResource {
    let mut depends_on: Vec<String> = deps.iter().map(|d| d.to_string()).collect();
    depends_on.sort();
    depends_on.dedup();
    DesiredResource {
        key: key.to_string(),
        resource_type: t.resource_type.to_string(),
        api_version: t.api_version.to_string(),
        id,
        name: name.to_string(),
        body,
        depends_on,
        lro: t.lro,
        origin: Default::default(),
    }
}

/// Build the desired common part, or every problem found.
pub fn desired(spec: &CommonSpec) -> Result<DesiredCommon, Vec<CommonIssue>> {
    let mut issues = Vec::new();
    if !spec
        .network
        .subnets
        .iter()
        .any(|s| s.purpose == CommonSubnetPurpose::Common)
    {
        issues.push(CommonIssue::new(
            AttrPath::attr("subnets"),
            CommonIssueKind::NoCommonSubnet,
        ));
    }
    let mut core: Vec<String> = Vec::new();
    for (i, oid) in spec.core_team.object_ids.iter().enumerate() {
        match Guid::parse(oid) {
            Some(g) => core.push(g.to_string()),
            None => issues.push(CommonIssue::new(
                AttrPath::attr("core_team")
                    .and_attr("object_ids")
                    .and_index(i),
                CommonIssueKind::InvalidGuid { value: oid.clone() },
            )),
        }
    }
    core.sort();
    core.dedup();
    let bastion_subnet = spec
        .network
        .subnets
        .iter()
        .find(|s| s.purpose == CommonSubnetPurpose::Bastion);
    match (spec.bastion, bastion_subnet) {
        (true, None) => issues.push(CommonIssue::new(
            AttrPath::attr("bastion"),
            CommonIssueKind::NoBastionSubnet,
        )),
        (false, Some(_)) => issues.push(CommonIssue::new(
            AttrPath::attr("subnets").and_key("bastion"),
            CommonIssueKind::BastionSubnetWithoutBastion,
        )),
        (true, Some(s)) => {
            let len = s
                .cidr
                .split_once('/')
                .and_then(|(_, l)| l.parse::<u8>().ok());
            if len.is_none_or(|l| l > BASTION_MAX_PREFIX) {
                issues.push(CommonIssue::new(
                    AttrPath::attr("subnets").and_key("bastion"),
                    CommonIssueKind::BastionSubnetTooSmall {
                        cidr: s.cidr.clone(),
                    },
                ));
            }
        }
        (false, None) => {}
    }
    let mut plans: Vec<&'static str> = Vec::new();
    for (i, p) in spec.defender_plans.iter().enumerate() {
        match defender_plan(p) {
            Some(p) => plans.push(p),
            None => issues.push(CommonIssue::new(
                AttrPath::attr("defender_plans").and_index(i),
                CommonIssueKind::UnknownDefenderPlan { value: p.clone() },
            )),
        }
    }
    plans.sort_unstable();
    plans.dedup();
    if let Some(j) = &spec.jump_host {
        let at = AttrPath::attr("jump_host");
        if let Some(why) = admin_username_problem(&j.admin_username) {
            issues.push(CommonIssue::new(
                at.clone().and_attr("admin_username"),
                CommonIssueKind::InvalidAdminUsername {
                    value: j.admin_username.clone(),
                    why,
                },
            ));
        }
        if !ssh_public_key_ok(&j.ssh_public_key) {
            issues.push(CommonIssue::new(
                at.and_attr("ssh_public_key"),
                CommonIssueKind::InvalidSshPublicKey,
            ));
        }
    }
    if let Some(h) = &spec.hub_peering {
        if h.use_remote_gateways && !h.create_remote {
            issues.push(CommonIssue::new(
                AttrPath::attr("hub_peering").and_attr("use_remote_gateways"),
                CommonIssueKind::GatewayWithoutRemote,
            ));
        }
    }
    let names = match CommonNames::of(spec) {
        Ok(n) => n,
        Err(mut more) => {
            issues.append(&mut more);
            return Err(issues);
        }
    };
    if !issues.is_empty() {
        return Err(issues);
    }

    let sub = &spec.subscription_id;
    let rg_id = resource_group_id(sub, &names.resource_group);
    let mut tags: BTreeMap<String, String> = spec.tags.clone();
    tags.insert(
        crate::project::TAG_ENVIRONMENT.to_string(),
        spec.environment.as_str().to_string(),
    );
    tags.insert(TAG_ROLE.to_string(), "common".to_string());
    let vnet_id = match &spec.network.vnet {
        VirtualNetwork::Create { .. } => resource_id(
            sub,
            &names.resource_group,
            types::VIRTUAL_NETWORK.resource_type,
            &names.virtual_network,
        ),
        VirtualNetwork::Existing { id } => id.clone(),
    };
    let dns_rg_id = match &spec.dns.zones {
        DnsZones::Create => resource_group_id(sub, &names.dns_resource_group),
        DnsZones::Hub { resource_group_id } => resource_group_id.clone(),
    };
    let x = Ctx {
        spec,
        n: &names,
        tags: json!(tags),
        la_id: resource_id(
            sub,
            &names.resource_group,
            types::LOG_ANALYTICS.resource_type,
            &names.log_analytics,
        ),
        rg_id: rg_id.clone(),
        vnet_id: vnet_id.clone(),
        dns_rg_id: dns_rg_id.clone(),
    };
    let mut zones: Vec<String> = zones(spec.cloud).iter().map(|z| z.to_string()).collect();
    if spec.dns.zones == DnsZones::Create {
        // ESML's common part creates these too, for the services teams bring themselves.
        zones.extend(esml_extra_zones(spec.cloud, &spec.location));
        zones.sort();
        zones.dedup();
    }

    let mut resources = Vec::new();
    resources.push(res(
        "resource_group",
        &api::RESOURCE_GROUP,
        &names.resource_group,
        rg_id.clone(),
        json!({ "location": spec.location, "tags": tags }),
        &[],
    ));
    let subnet_ids = network(&x, &mut resources);
    dns(&x, &zones, &mut resources);
    peering(&x, &mut resources);
    services(&x, &mut resources);
    let pe_subnet = subnet_ids
        .get(CommonSubnetPurpose::Common.as_str())
        .cloned()
        .unwrap_or_default();
    private_endpoints(&x, &pe_subnet, &mut resources);
    if spec.bastion {
        if let Some(id) = subnet_ids.get(CommonSubnetPurpose::Bastion.as_str()) {
            bastion(&x, id, &mut resources);
        }
    }
    if let (Some(j), Some(id)) = (
        &spec.jump_host,
        subnet_ids.get(CommonSubnetPurpose::Common.as_str()),
    ) {
        jump_host(&x, j, id, &mut resources);
    }
    defender(&x, &plans, &mut resources);
    if spec.diagnostics {
        diagnostics(&x, &mut resources);
    }
    resources.sort_by(|a, b| a.key.cmp(&b.key));

    let mut role_assignments = roles(&x, &core);
    role_assignments.sort_by(|a, b| a.key.cmp(&b.key));
    let lake_id = x.id(&api::STORAGE, &names.datalake);
    let mut acl = lake_acl(&core, spec.core_team.principal_type);
    acl.sort_by(|a, b| a.key.cmp(&b.key));
    let datalake = DesiredDatalake {
        account_id: lake_id.clone(),
        account_name: names.datalake.clone(),
        filesystem: spec.datalake.filesystem.clone(),
        dfs_endpoint: format!("https://{}.{}", names.datalake, spec.cloud.dfs_suffix()),
        directories: LAKE_FOLDERS.iter().map(|s| s.to_string()).collect(),
        // ESML sets the core team's entries on these recursively; `projects` holds the
        // projects' folders, which keep their own.
        recursive: ["active", "logging", "master"].map(String::from).to_vec(),
        depends_on: vec!["datalake_filesystem".to_string()],
    };
    let plan = DesiredProject {
        project_key: "common".to_string(),
        project_type: ProjectType::Esml,
        environment: spec.environment,
        cloud: spec.cloud,
        location: spec.location.clone(),
        resource_group_id: rg_id.clone(),
        resource_group_name: names.resource_group.clone(),
        identity_id: String::new(),
        tags,
        names: ProjectNames::default(),
        resources,
        role_assignments,
        acl,
        datalake: Some(datalake),
        datalake_path: Some("projects".to_string()),
        warnings: Vec::new(),
    };
    let project_refs = ProjectRefs {
        resource_group_name: names.resource_group.clone(),
        private_dns_zone_resource_group_id: dns_rg_id,
        log_analytics_workspace_id: x.la_id.clone(),
        datalake_storage_account_id: lake_id,
        datalake_filesystem: spec.datalake.filesystem.clone(),
        dns_zone_groups: spec.dns.zone_groups,
    };
    Ok(DesiredCommon {
        names,
        virtual_network_id: vnet_id,
        subnet_ids,
        project_refs,
        zones,
        plan,
    })
}

/// The vNet (when created here), each subnet's NSG, the firewall route table, and the
/// subnets, written one at a time (a vNet takes one subnet write at a time).
fn network(x: &Ctx, out: &mut Vec<DesiredResource>) -> BTreeMap<String, String> {
    let spec = x.spec;
    let mut vnet_dep: Vec<&str> = Vec::new();
    if let VirtualNetwork::Create { address_space } = &spec.network.vnet {
        let mut body = x.located();
        body.insert(
            "properties".into(),
            json!({ "addressSpace": { "addressPrefixes": address_space } }),
        );
        out.push(res(
            "virtual_network",
            &types::VIRTUAL_NETWORK,
            &x.n.virtual_network,
            x.vnet_id.clone(),
            Value::Object(body),
            &["resource_group"],
        ));
        vnet_dep.push("virtual_network");
    }
    let rt_id = x.id(&types::ROUTE_TABLE, &x.n.route_table);
    if let Some(ip) = &spec.network.route_to_firewall {
        out.push(res(
            "route_table",
            &types::ROUTE_TABLE,
            &x.n.route_table,
            rt_id.clone(),
            nsg::firewall_route_table_body(&spec.location, ip, &x.tags),
            &["resource_group"],
        ));
    }
    let mut subnets = spec.network.subnets.clone();
    subnets.sort_by_key(|s| s.purpose);
    let mut ids = BTreeMap::new();
    let mut previous: Option<String> = None;
    for s in &subnets {
        let p = s.purpose.as_str();
        let name = x.n.subnets.get(p).cloned().unwrap_or_default();
        let nsg_name =
            x.n.network_security_groups
                .get(p)
                .cloned()
                .unwrap_or_default();
        let nsg_key = format!("nsg.{p}");
        let nsg_id = x.id(&types::NSG, &nsg_name);
        let rules = match s.purpose {
            CommonSubnetPurpose::Common | CommonSubnetPurpose::Scoring => Purpose::PrivateEndpoints,
            CommonSubnetPurpose::PowerBiGateway => Purpose::Default,
            CommonSubnetPurpose::Bastion => Purpose::Bastion,
        };
        out.push(res(
            &nsg_key,
            &types::NSG,
            &nsg_name,
            nsg_id.clone(),
            nsg::nsg_body(rules, &spec.location, &x.tags),
            &["resource_group"],
        ));
        let mut props = json!({
            "addressPrefix": s.cidr,
            "networkSecurityGroup": { "id": nsg_id },
            "privateEndpointNetworkPolicies": "Disabled",
            "privateLinkServiceNetworkPolicies": "Disabled",
            "serviceEndpoints": s.purpose.service_endpoints().iter()
                .map(|e| json!({ "service": e })).collect::<Vec<_>>(),
            "delegations": s.purpose.delegation().map(|d| vec![json!({
                "name": d.replace('/', "."),
                "properties": { "serviceName": d },
            })]).unwrap_or_default(),
        });
        let mut deps: Vec<&str> = vnet_dep.clone();
        deps.push(&nsg_key);
        // Azure Bastion does not support user-defined routes on its subnet.
        if spec.network.route_to_firewall.is_some() && s.purpose != CommonSubnetPurpose::Bastion {
            props["routeTable"] = json!({ "id": rt_id });
            deps.push("route_table");
        }
        let key = format!("subnet.{p}");
        if let Some(prev) = &previous {
            deps.push(prev);
        }
        let id = format!("{}/subnets/{name}", x.vnet_id);
        out.push(res(
            &key,
            &types::SUBNET,
            &name,
            id.clone(),
            json!({ "properties": props }),
            &deps,
        ));
        ids.insert(p.to_string(), id);
        previous = Some(key);
    }
    ids
}

/// The DNS resource group and the zones (when created here), and their vNet links.
fn dns(x: &Ctx, zones: &[String], out: &mut Vec<DesiredResource>) {
    let spec = x.spec;
    let create = spec.dns.zones == DnsZones::Create;
    if create {
        out.push(res(
            "dns_resource_group",
            &api::RESOURCE_GROUP,
            &x.n.dns_resource_group,
            x.dns_rg_id.clone(),
            json!({ "location": spec.location, "tags": x.tags }),
            &[],
        ));
    }
    for zone in zones {
        let zone_id = format!(
            "{}/providers/{}/{zone}",
            x.dns_rg_id,
            types::DNS_ZONE.resource_type
        );
        let zone_key = format!("dns_zone.{zone}");
        if create {
            out.push(res(
                &zone_key,
                &types::DNS_ZONE,
                zone,
                zone_id.clone(),
                json!({ "location": "global", "tags": x.tags }),
                &["dns_resource_group"],
            ));
        }
        if spec.dns.link {
            // ESML names a link `uniqueString(zoneId)` (createPrivateDnsZones.bicep): kept
            // when adopting an ESML-made stage (`naming.salt = "esml"`), so its links are
            // taken over, not doubled (a vNet links to a zone once); otherwise the vNet's
            // name is added so the stages of a factory may link one hub zone each.
            let unique = hash::unique_string(&[&zone_id]);
            let link = if spec.naming.salt == crate::naming::SaltMode::Esml {
                unique
            } else {
                format!("{}-{unique}", x.n.virtual_network)
            };
            let mut deps: Vec<&str> = Vec::new();
            if create {
                deps.push(&zone_key);
            }
            if matches!(spec.network.vnet, VirtualNetwork::Create { .. }) {
                deps.push("virtual_network");
            }
            out.push(res(
                &format!("dns_link.{zone}"),
                &types::DNS_LINK,
                &link,
                format!("{zone_id}/virtualNetworkLinks/{link}"),
                json!({
                    "location": "global",
                    "tags": x.tags,
                    "properties": {
                        "virtualNetwork": { "id": x.vnet_id },
                        "registrationEnabled": false,
                        "resolutionPolicy": "NxDomainRedirect",
                    },
                }),
                &deps,
            ));
        }
    }
}

/// Peering with the hub: both sides when the hub's is written here, the hub's first only
/// when this side uses the hub's gateway (transit must be allowed there before).
fn peering(x: &Ctx, out: &mut Vec<DesiredResource>) {
    let Some(h) = &x.spec.hub_peering else {
        return;
    };
    let hub_name = h
        .remote_virtual_network_id
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    let mut local_deps: Vec<&str> = Vec::new();
    if matches!(x.spec.network.vnet, VirtualNetwork::Create { .. }) {
        local_deps.push("virtual_network");
    }
    if h.create_remote {
        let name = format!("peer-{hub_name}-to-{}", x.n.virtual_network);
        out.push(res(
            "peering.remote",
            &types::PEERING,
            &name,
            format!(
                "{}/virtualNetworkPeerings/{name}",
                h.remote_virtual_network_id
            ),
            json!({ "properties": {
                "remoteVirtualNetwork": { "id": x.vnet_id },
                "allowVirtualNetworkAccess": true,
                "allowForwardedTraffic": true,
                "allowGatewayTransit": h.use_remote_gateways,
                "useRemoteGateways": false,
            }}),
            &local_deps,
        ));
        // This side waits for the hub's only to use its gateway (transit must be allowed
        // there first); otherwise both are written at once, so a hub that refuses this
        // identity still gets this side written, Initiated until the hub team adds theirs.
        if h.use_remote_gateways {
            local_deps.push("peering.remote");
        }
    }
    let name = format!("peer-{}-to-{hub_name}", x.n.virtual_network);
    out.push(res(
        "peering.local",
        &types::PEERING,
        &name,
        format!("{}/virtualNetworkPeerings/{name}", x.vnet_id),
        json!({ "properties": {
            "remoteVirtualNetwork": { "id": h.remote_virtual_network_id },
            "allowVirtualNetworkAccess": true,
            "allowForwardedTraffic": true,
            "allowGatewayTransit": false,
            "useRemoteGateways": h.use_remote_gateways,
        }}),
        &local_deps,
    ));
}

/// Log Analytics, the data lake and its filesystem, the key vaults and the registry.
fn services(x: &Ctx, out: &mut Vec<DesiredResource>) {
    let spec = x.spec;
    let n = x.n;
    let prod = spec.environment == Environment::Prod;
    let mut la = x.located();
    la.insert(
        "properties".into(),
        json!({
            "sku": { "name": "PerGB2018" },
            "retentionInDays": spec.log_retention_days,
        }),
    );
    out.push(res(
        "log_analytics",
        &types::LOG_ANALYTICS,
        &n.log_analytics,
        x.la_id.clone(),
        Value::Object(la),
        &["resource_group"],
    ));

    let lake_id = x.id(&api::STORAGE, &n.datalake);
    let mut lake = x.located();
    lake.insert("kind".into(), json!("StorageV2"));
    lake.insert("sku".into(), json!({ "name": "Standard_ZRS" }));
    lake.insert(
        "properties".into(),
        json!({
            "isHnsEnabled": true,
            "minimumTlsVersion": "TLS1_2",
            "supportsHttpsTrafficOnly": true,
            "allowBlobPublicAccess": false,
            "allowSharedKeyAccess": false,
            "allowCrossTenantReplication": false,
            "defaultToOAuthAuthentication": true,
            "publicNetworkAccess": "Disabled",
            "networkAcls": { "bypass": "AzureServices", "defaultAction": "Deny" },
        }),
    );
    out.push(res(
        "datalake",
        &api::STORAGE,
        &n.datalake,
        lake_id.clone(),
        Value::Object(lake),
        &["resource_group"],
    ));
    out.push(res(
        "datalake_filesystem",
        &types::CONTAINER,
        &spec.datalake.filesystem,
        format!(
            "{lake_id}/blobServices/default/containers/{}",
            spec.datalake.filesystem
        ),
        json!({ "properties": { "publicAccess": "None" } }),
        &["datalake"],
    ));

    let tenant = Guid::parse(&spec.tenant_id)
        .map(|g| g.to_string())
        .unwrap_or_default();
    for (key, name) in [
        ("key_vault", &n.key_vault),
        ("key_vault_admin", &n.key_vault_admin),
    ] {
        let mut props = json!({
            "tenantId": tenant,
            "sku": { "family": "A", "name": "standard" },
            "enableRbacAuthorization": true,
            "enableSoftDelete": true,
            "softDeleteRetentionInDays": if prod { 90 } else { 7 },
            "enabledForDeployment": false,
            "enabledForTemplateDeployment": false,
            "enabledForDiskEncryption": false,
            "accessPolicies": [],
            "publicNetworkAccess": "Disabled",
            "networkAcls": { "bypass": "AzureServices", "defaultAction": "Deny", "ipRules": [], "virtualNetworkRules": [] },
        });
        if prod {
            props["enablePurgeProtection"] = json!(true);
        }
        let mut body = x.located();
        body.insert("properties".into(), props);
        out.push(res(
            key,
            &api::KEY_VAULT,
            name,
            x.id(&api::KEY_VAULT, name),
            Value::Object(body),
            &["resource_group"],
        ));
    }

    if spec.container_registry {
        let mut acr = x.located();
        acr.insert("sku".into(), json!({ "name": "Premium" }));
        acr.insert(
            "properties".into(),
            json!({
                "adminUserEnabled": false,
                "publicNetworkAccess": "Disabled",
                "networkRuleBypassOptions": "AzureServices",
                "anonymousPullEnabled": false,
            }),
        );
        out.push(res(
            "container_registry",
            &types::CONTAINER_REGISTRY,
            &n.container_registry,
            x.id(&types::CONTAINER_REGISTRY, &n.container_registry),
            Value::Object(acr),
            &["resource_group"],
        ));
    }
}

/// The private endpoints of the common services (in the common subnet) and, unless the
/// landing zone's policy writes the records, their DNS zone groups.
fn private_endpoints(x: &Ctx, subnet_id: &str, out: &mut Vec<DesiredResource>) {
    let spec = x.spec;
    let n = x.n;
    let mut targets: Vec<(&str, &str, &str, ApiType)> = vec![
        ("datalake", n.datalake.as_str(), "blob", api::STORAGE),
        ("datalake", n.datalake.as_str(), "dfs", api::STORAGE),
        ("key_vault", n.key_vault.as_str(), "vault", api::KEY_VAULT),
        (
            "key_vault_admin",
            n.key_vault_admin.as_str(),
            "vault",
            api::KEY_VAULT,
        ),
    ];
    if spec.container_registry {
        targets.push((
            "container_registry",
            n.container_registry.as_str(),
            "registry",
            types::CONTAINER_REGISTRY,
        ));
    }
    let subnet_key = format!("subnet.{}", CommonSubnetPurpose::Common.as_str());
    for (target, name, group, t) in targets {
        let key = format!("{target}_{group}");
        let pe_name = CommonNames::private_endpoint(name, group);
        let pe_key = format!("private_endpoint.{key}");
        let pe_id = x.id(&api::PRIVATE_ENDPOINT, &pe_name);
        let mut body = x.located();
        body.insert(
            "properties".into(),
            json!({
                "subnet": { "id": subnet_id },
                "customNetworkInterfaceName": format!("{pe_name}-nic"),
                "privateLinkServiceConnections": [{
                    "name": pe_name,
                    "properties": {
                        "privateLinkServiceId": x.id(&t, name),
                        "groupIds": [group],
                    },
                }],
            }),
        );
        out.push(res(
            &pe_key,
            &api::PRIVATE_ENDPOINT,
            &pe_name,
            pe_id.clone(),
            Value::Object(body),
            &[target, &subnet_key],
        ));
        if !spec.dns.zone_groups {
            continue;
        }
        let zones = dns_zones(spec.cloud, group)
            .map(|z| z.zones)
            .unwrap_or_default();
        let configs: Vec<Value> = zones
            .iter()
            .map(|zone| {
                json!({
                    "name": zone_config_name(zone),
                    "properties": {
                        "privateDnsZoneId": format!("{}/providers/{}/{zone}", x.dns_rg_id, types::DNS_ZONE.resource_type),
                    },
                })
            })
            .collect();
        let zone_keys: Vec<String> = if spec.dns.zones == DnsZones::Create {
            zones.iter().map(|z| format!("dns_zone.{z}")).collect()
        } else {
            Vec::new()
        };
        let mut deps: Vec<&str> = vec![&pe_key];
        deps.extend(zone_keys.iter().map(String::as_str));
        let group_name = format!("{pe_name}DnsZone");
        out.push(res(
            &format!("private_dns_zone_group.{key}"),
            &api::PRIVATE_DNS_ZONE_GROUP,
            &group_name,
            format!("{pe_id}/privateDnsZoneGroups/{group_name}"),
            json!({ "properties": { "privateDnsZoneConfigs": configs } }),
            &deps,
        ));
    }
}

/// Azure Bastion: a Standard static public IP and the host (Standard, native-client
/// tunneling on) with its one IP configuration on `AzureBastionSubnet` and that IP.
fn bastion(x: &Ctx, subnet_id: &str, out: &mut Vec<DesiredResource>) {
    let n = x.n;
    let ip_id = x.id(&types::PUBLIC_IP, &n.bastion_public_ip);
    let mut ip = x.located();
    ip.insert(
        "sku".into(),
        json!({ "name": "Standard", "tier": "Regional" }),
    );
    ip.insert(
        "properties".into(),
        json!({
            "publicIPAllocationMethod": "Static",
            "publicIPAddressVersion": "IPv4",
        }),
    );
    out.push(res(
        "public_ip.bastion",
        &types::PUBLIC_IP,
        &n.bastion_public_ip,
        ip_id.clone(),
        Value::Object(ip),
        &["resource_group"],
    ));
    let mut host = x.located();
    host.insert("sku".into(), json!({ "name": "Standard" }));
    host.insert(
        "properties".into(),
        json!({
            "enableTunneling": true,
            "ipConfigurations": [{
                "name": "IpConf",
                "properties": {
                    "subnet": { "id": subnet_id },
                    "publicIPAddress": { "id": ip_id },
                },
            }],
        }),
    );
    let subnet_key = format!("subnet.{}", CommonSubnetPurpose::Bastion.as_str());
    out.push(res(
        "bastion",
        &types::BASTION_HOST,
        &n.bastion,
        x.id(&types::BASTION_HOST, &n.bastion),
        Value::Object(host),
        &["public_ip.bastion", &subnet_key],
    ));
}

/// Defender for Cloud plans set to Standard at the subscription's scope.
/// The jump host: a NIC in the `common` subnet (dynamic private IP, no public IP) and an
/// Ubuntu 24.04 LTS VM on it with SSH key login only, a managed OS disk deleted with the
/// VM (`deleteOption: Delete`; the NIC stays the template's own object), a system-assigned
/// identity.
fn jump_host(x: &Ctx, j: &JumpHost, subnet_id: &str, out: &mut Vec<DesiredResource>) {
    let n = x.n;
    let nic_id = x.id(&types::NETWORK_INTERFACE, &n.jump_host_nic);
    let mut nic = x.located();
    nic.insert(
        "properties".into(),
        json!({
            "ipConfigurations": [{
                "name": "ipconfig1",
                "properties": {
                    "subnet": { "id": subnet_id },
                    "privateIPAllocationMethod": "Dynamic",
                    "primary": true,
                },
            }],
        }),
    );
    let subnet_key = format!("subnet.{}", CommonSubnetPurpose::Common.as_str());
    out.push(res(
        "network_interface.jump_host",
        &types::NETWORK_INTERFACE,
        &n.jump_host_nic,
        nic_id.clone(),
        Value::Object(nic),
        &["resource_group", &subnet_key],
    ));
    let mut vm = x.located();
    vm.insert("identity".into(), json!({ "type": "SystemAssigned" }));
    vm.insert(
        "properties".into(),
        json!({
            "hardwareProfile": { "vmSize": j.size },
            "storageProfile": {
                "imageReference": {
                    "publisher": "Canonical",
                    "offer": "ubuntu-24_04-lts",
                    "sku": "server",
                    "version": "latest",
                },
                "osDisk": {
                    "name": n.jump_host_os_disk,
                    "createOption": "FromImage",
                    "deleteOption": "Delete",
                    "managedDisk": { "storageAccountType": "StandardSSD_LRS" },
                },
            },
            "osProfile": {
                "computerName": n.jump_host,
                "adminUsername": j.admin_username,
                "linuxConfiguration": {
                    "disablePasswordAuthentication": true,
                    "ssh": {
                        "publicKeys": [{
                            "path": format!("/home/{}/.ssh/authorized_keys", j.admin_username),
                            "keyData": j.ssh_public_key.trim(),
                        }],
                    },
                },
            },
            "networkProfile": {
                "networkInterfaces": [{
                    "id": nic_id,
                    "properties": { "primary": true, "deleteOption": "Detach" },
                }],
            },
        }),
    );
    out.push(res(
        "jump_host",
        &types::VIRTUAL_MACHINE,
        &n.jump_host,
        x.id(&types::VIRTUAL_MACHINE, &n.jump_host),
        Value::Object(vm),
        &["network_interface.jump_host"],
    ));
}

fn defender(x: &Ctx, plans: &[&str], out: &mut Vec<DesiredResource>) {
    for plan in plans {
        out.push(res(
            &format!("defender.{plan}"),
            &types::DEFENDER_PRICING,
            plan,
            format!(
                "/subscriptions/{}/providers/{}/{plan}",
                x.spec.subscription_id,
                types::DEFENDER_PRICING.resource_type
            ),
            json!({ "properties": { "pricingTier": "Standard" } }),
            &[],
        ));
    }
}

/// Diagnostic settings to the common Log Analytics workspace (through the shared
/// [`crate::diagnostics`]): the vaults', registry's, NSGs' and vNet's logs (`allLogs`), and
/// metrics where the type has them (the lake account has metrics only).
fn diagnostics(x: &Ctx, out: &mut Vec<DesiredResource>) {
    let mut add = Vec::new();
    for r in out.iter() {
        let (groups, metrics): (&[&str], bool) = match r.resource_type.as_str() {
            "Microsoft.KeyVault/vaults" | "Microsoft.ContainerRegistry/registries" => {
                (&["allLogs"], true)
            }
            "Microsoft.Network/networkSecurityGroups" => (&["allLogs"], false),
            "Microsoft.Network/virtualNetworks" | "Microsoft.Network/bastionHosts" => {
                (&["allLogs"], true)
            }
            // VMs offer metrics only (their guest logs need the Azure Monitor agent).
            "Microsoft.Storage/storageAccounts" | "Microsoft.Compute/virtualMachines" => {
                (&[], true)
            }
            _ => continue,
        };
        // The inputs are ours (IDs built above, known category groups): never refused.
        if let Ok(d) = crate::diagnostics::desired(&r.id, &x.la_id, groups, metrics) {
            add.push(res(
                &format!("diagnostic_setting.{}", r.key),
                &crate::diagnostics::API,
                &d.name,
                d.id,
                d.body,
                &[&r.key, "log_analytics"],
            ));
        }
    }
    out.extend(add);
}

/// The core team's role assignments on the common part: what running the factory needs,
/// no more (not ESML's Contributor on the group): Reader on the group, Key Vault
/// Administrator on both vaults, Storage Blob Data Owner on the lake (it sets ACLs),
/// AcrPush on the registry and, with Bastion, Reader on the Bastion host (ESML's
/// `rbacBastionExternal.bicep`; connecting also needs Reader on the target VM).
fn roles(x: &Ctx, core: &[String]) -> Vec<DesiredRoleAssignment> {
    let principal_type = match x.spec.core_team.principal_type {
        TeamPrincipalType::User => PrincipalType::User,
        TeamPrincipalType::Group => PrincipalType::Group,
    };
    let n = x.n;
    let mut scopes: Vec<(&str, String, BuiltInRole)> = vec![
        ("rg", x.rg_id.clone(), rbac::READER),
        (
            "key_vault",
            x.id(&api::KEY_VAULT, &n.key_vault),
            rbac::KEY_VAULT_ADMINISTRATOR,
        ),
        (
            "key_vault_admin",
            x.id(&api::KEY_VAULT, &n.key_vault_admin),
            rbac::KEY_VAULT_ADMINISTRATOR,
        ),
        (
            "datalake",
            x.id(&api::STORAGE, &n.datalake),
            rbac::STORAGE_BLOB_DATA_OWNER,
        ),
    ];
    if x.spec.container_registry {
        scopes.push((
            "container_registry",
            x.id(&types::CONTAINER_REGISTRY, &n.container_registry),
            rbac::ACR_PUSH,
        ));
    }
    if x.spec.bastion {
        scopes.push((
            "bastion",
            x.id(&types::BASTION_HOST, &n.bastion),
            rbac::READER,
        ));
    }
    // Entra ID SSH login as a regular user (the Reader Bastion needs on the VM and its NIC
    // comes with Reader on the group).
    if x.spec.jump_host.is_some() {
        scopes.push((
            "jump_host",
            x.id(&types::VIRTUAL_MACHINE, &n.jump_host),
            rbac::VIRTUAL_MACHINE_USER_LOGIN,
        ));
    }
    let sub = &x.spec.subscription_id;
    let mut out = Vec::new();
    for oid in core {
        for (scope_key, scope, role) in &scopes {
            let name = role_assignment_name(scope, role.guid, oid);
            let mut ra = DesiredRoleAssignment {
                key: format!("role.team.{oid}.{scope_key}.{}", role.slug),
                scope: scope.clone(),
                role_name: role.name.to_string(),
                role_definition_guid: role.guid.to_string(),
                role_definition_id: format!(
                    "/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{}",
                    role.guid
                ),
                principal: PrincipalRef::Team {
                    object_id: oid.clone(),
                    persona: None,
                },
                principal_id: Some(oid.clone()),
                principal_type,
                name: Some(name.clone()),
                id: None,
                api_version: api::ROLE_ASSIGNMENT.api_version.to_string(),
                depends_on: vec![if *scope_key == "rg" {
                    "resource_group".to_string()
                } else {
                    scope_key.to_string()
                }],
                data_plane: false,
            };
            ra.id = Some(ra.id_for(&name));
            out.push(ra);
        }
    }
    out
}

/// The lake's ACL entries: everyone may traverse the root and `projects` (`other::--x`,
/// so projects add no entries to these shared ACLs), the core team has `rwx` (access and
/// default) on ESML's folders.
fn lake_acl(core: &[String], principal_type: TeamPrincipalType) -> Vec<DesiredAclEntry> {
    let kind = match principal_type {
        TeamPrincipalType::User => AclKind::User,
        TeamPrincipalType::Group => AclKind::Group,
    };
    let mut out = Vec::new();
    for (path, slug) in [("/", "root"), ("projects", "projects")] {
        out.push(DesiredAclEntry {
            key: format!("acl.other.{slug}.access"),
            path: path.to_string(),
            principal: None,
            principal_id: None,
            kind: AclKind::Other,
            scope: AclScope::Access,
            perms: Perms::EXECUTE,
            depends_on: vec!["datalake_filesystem".to_string()],
        });
    }
    for oid in core {
        for folder in LAKE_FOLDERS {
            for scope in [AclScope::Access, AclScope::Default] {
                out.push(DesiredAclEntry {
                    key: format!(
                        "acl.team.{oid}.{folder}.{}",
                        match scope {
                            AclScope::Access => "access",
                            AclScope::Default => "default",
                        }
                    ),
                    path: folder.to_string(),
                    principal: Some(PrincipalRef::Team {
                        object_id: oid.clone(),
                        persona: None,
                    }),
                    principal_id: Some(oid.clone()),
                    kind,
                    scope,
                    perms: Perms::RWX,
                    depends_on: vec!["datalake_filesystem".to_string()],
                });
            }
        }
    }
    out
}
