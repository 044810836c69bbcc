//! `aifactory_common`'s configuration (or state) read into the common template's
//! [`CommonSpec`]: every bad value a diagnostic on its attribute, naming the fix; the
//! common subnets' CIDRs allocated here (packed from the start of the address space,
//! earlier results kept) so the template stays free of the allocator.
//!
//! Must not: talk to Azure (the existing vNet's address space and subnets are passed in).

use std::collections::BTreeMap;
use std::time::Duration;

use crate::framework::{num::whole, AttrPath, Diagnostics, Tf, Value};
use aifactory_allocator as allocator;
use aifactory_template::common::{
    admin_username_problem, defender_plan, ssh_public_key_ok, JumpHost,
};
use aifactory_template::common::{
    CommonNaming, CommonNetwork, CommonSpec, CommonSubnet, CommonSubnetPurpose, CoreTeam, DnsSpec,
    DnsZones, HubPeering, LakeSpec, VirtualNetwork, BASTION_MAX_PREFIX, DEFENDER_PLANS,
};
use aifactory_template::naming::{Environment, SaltMode};
use aifactory_template::project::TeamPrincipalType;

use super::super::project::{ProviderFacts, Timeouts};
use super::schema::CommonModel;

const NAMING_KEYS: [&str; 4] = ["prefix", "location_short", "suffix", "salt"];

/// What a configuration says, read.
#[derive(Debug, Clone)]
pub struct Inputs {
    pub spec: CommonSpec,
    pub delete_lake_data: bool,
    pub timeouts: Timeouts,
}

/// What the vNet holds besides the common subnets (existing-vNet mode, read at plan).
#[derive(Debug, Clone, Default)]
pub struct LiveVnet {
    pub address_space: Vec<String>,
    /// Other subnets' prefixes.
    pub occupied: Vec<String>,
}

fn string(v: &Tf<String>) -> Option<String> {
    v.known()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

fn flag(v: &Tf<bool>, default: bool) -> bool {
    v.known().copied().unwrap_or(default)
}

/// Where the common subnets' CIDRs come from.
#[derive(Debug, Clone, Copy)]
pub enum Cidrs<'a> {
    /// Allocate them (plan): `live` is the existing vNet's space and other subnets,
    /// `previous` the CIDRs in state (kept).
    Allocate {
        live: Option<&'a LiveVnet>,
        previous: &'a BTreeMap<String, String>,
    },
    /// As planned or stored (apply, refresh, destroy).
    Fixed(&'a BTreeMap<String, String>),
}

/// Read the configuration (or plan, or state).
pub fn inputs(
    v: &CommonModel,
    facts: &ProviderFacts,
    cidrs: Cidrs<'_>,
    diags: &mut Diagnostics,
) -> Option<Inputs> {
    let (live, previous) = match cidrs {
        Cidrs::Allocate { live, previous } => (live, Some(previous)),
        Cidrs::Fixed(_) => (None, None),
    };
    let before = diags.has_errors();
    let environment = match v.environment.known().map(|s| s.parse::<Environment>()) {
        Some(Ok(e)) => Some(e),
        Some(Err(e)) => {
            diags.error(
                AttrPath::attr("environment"),
                "Invalid environment",
                format!("Set `environment` to one of: {}.", e.expected.join(", ")),
            );
            None
        }
        None => None,
    };
    let location = string(&v.location).unwrap_or_default();
    let naming_map: BTreeMap<String, String> = v
        .naming
        .known()
        .map(|m| {
            m.iter()
                .filter_map(|(k, x)| x.known().map(|s| (k.clone(), s.clone())))
                .collect()
        })
        .unwrap_or_default();
    for k in naming_map.keys() {
        if !NAMING_KEYS.contains(&k.as_str()) {
            diags.error(
                AttrPath::attr("naming").and_key(k.clone()),
                format!("Unknown naming option {k:?}"),
                format!("`naming` takes {}.", NAMING_KEYS.join(", ")),
            );
        }
    }
    let salt = match naming_map.get("salt").map(String::as_str) {
        None | Some("aifactory") => SaltMode::AiFactory,
        Some("esml") => SaltMode::Esml,
        Some(other) => {
            diags.error(
                AttrPath::attr("naming").and_key("salt"),
                format!("Invalid salt {other:?}"),
                "Set `naming.salt` to `aifactory` (the default) or `esml` (to adopt an ESML-made common part).",
            );
            SaltMode::AiFactory
        }
    };
    let location_short = match naming_map.get("location_short") {
        Some(s) => s.clone(),
        None => match aifactory_template::naming::regions::default_location_short(&location) {
            Some(s) => s.to_string(),
            None => {
                if !location.is_empty() {
                    diags.error(
                        AttrPath::attr("naming").and_key("location_short"),
                        format!("No short name known for location {location:?}"),
                        "Set `naming.location_short` (ESML's `locationSuffix`, for example `weu`).",
                    );
                }
                String::new()
            }
        },
    };
    let naming = CommonNaming {
        prefix: naming_map.get("prefix").cloned().unwrap_or_default(),
        location_short,
        suffix: naming_map
            .get("suffix")
            .cloned()
            .unwrap_or_else(|| "-001".into()),
        salt,
    };

    // The virtual network.
    let address_space: Vec<String> = v
        .address_space
        .known()
        .map(|l| l.iter().filter_map(|x| x.known().cloned()).collect())
        .unwrap_or_default();
    let vnet_id = string(&v.virtual_network_id);
    // Not known yet (validation of a module's input): checked at plan.
    let pending = v.address_space.is_unknown()
        || v.address_space
            .known()
            .is_some_and(|l| l.iter().any(Tf::is_unknown))
        || v.virtual_network_id.is_unknown();
    let vnet = match (address_space.is_empty(), vnet_id) {
        _ if pending => None,
        (false, None) => Some(VirtualNetwork::Create {
            address_space: address_space.clone(),
        }),
        (true, Some(id)) => Some(VirtualNetwork::Existing { id }),
        // A plan or state holds the created vNet's ID (computed) with the address space.
        (false, Some(_)) if matches!(cidrs, Cidrs::Fixed(_)) => Some(VirtualNetwork::Create {
            address_space: address_space.clone(),
        }),
        (false, Some(_)) => {
            diags.error(
                AttrPath::attr("virtual_network_id"),
                "Both a new and an existing virtual network",
                "Set `address_space` to create the stage's vNet here, or `virtual_network_id` to use an existing one, not both.",
            );
            None
        }
        (true, None) => {
            diags.error(
                AttrPath::root(),
                "No virtual network",
                "Set `address_space` (the vNet is created here, e.g. `[\"10.20.0.0/16\"]`) or `virtual_network_id` (an existing vNet).",
            );
            None
        }
    };

    // The subnets: allocated packed from the start of the space, earlier results kept.
    let mut requests = BTreeMap::new();
    if let Some(m) = v.subnets.known() {
        for (k, n) in m {
            let path = AttrPath::attr("subnets").and_key(k.clone());
            if CommonSubnetPurpose::parse(k).is_none() {
                diags.error(
                    path,
                    format!("Unknown common subnet {k:?}"),
                    format!(
                        "`subnets` takes {}; each value is a prefix length (`common = 26`).",
                        CommonSubnetPurpose::ALL.map(|p| p.as_str()).join(", ")
                    ),
                );
                continue;
            }
            if let Some(len) = whole(n, path.clone(), 128.0, "use 8 to 29", diags) {
                if !(8..=29).contains(&len) {
                    diags.error(
                        path,
                        format!("Prefix length {len} out of range"),
                        format!(
                            "subnets[{k:?}] = {len}: use 8 to 29 (Azure's smallest subnet is /29)."
                        ),
                    );
                    continue;
                }
                if k == CommonSubnetPurpose::Bastion.as_str() && len > i64::from(BASTION_MAX_PREFIX)
                {
                    diags.error(
                        path,
                        format!("AzureBastionSubnet /{len} is too small"),
                        format!(
                            "Azure Bastion needs /{BASTION_MAX_PREFIX} or larger: set `subnets.bastion` to {BASTION_MAX_PREFIX} or less, or leave it out (`bastion = true` adds it at {BASTION_MAX_PREFIX})."
                        ),
                    );
                    continue;
                }
                requests.insert(
                    k.clone(),
                    allocator::RequestSpec {
                        prefix_length: Some(len),
                        min_hosts: None,
                        ipv6: false,
                    },
                );
            }
        }
    }
    // `bastion = true` brings its subnet, at Bastion's smallest size unless `subnets` sizes it.
    let bastion = flag(&v.bastion, false);
    let bastion_key = CommonSubnetPurpose::Bastion.as_str();
    if bastion
        && !v
            .subnets
            .known()
            .is_some_and(|m| m.contains_key(bastion_key))
    {
        requests.insert(
            bastion_key.to_string(),
            allocator::RequestSpec {
                prefix_length: Some(i64::from(BASTION_MAX_PREFIX)),
                min_hosts: None,
                ipv6: false,
            },
        );
    }
    if !bastion
        && v.subnets
            .known()
            .is_some_and(|m| m.contains_key(bastion_key))
    {
        diags.error(
            AttrPath::attr("subnets").and_key(bastion_key),
            "A Bastion subnet without Bastion",
            "`subnets.bastion` is AzureBastionSubnet, which only Azure Bastion uses: set `bastion = true`, or remove `bastion` from `subnets`.",
        );
    }
    let mut defender_plans = Vec::new();
    for (i, x) in v.defender_plans.known().into_iter().flatten().enumerate() {
        let Some(name) = x.known() else { continue };
        match defender_plan(name) {
            Some(p) => defender_plans.push(p.to_string()),
            None => diags.error(
                AttrPath::attr("defender_plans").and_index(i),
                format!("Unknown Defender plan {name:?}"),
                format!(
                    "Use Defender for Cloud's plan names: {}.",
                    DEFENDER_PLANS.join(", ")
                ),
            ),
        }
    }
    let pool = match &vnet {
        Some(VirtualNetwork::Create { address_space }) => address_space.clone(),
        Some(VirtualNetwork::Existing { .. }) => {
            live.map(|l| l.address_space.clone()).unwrap_or_default()
        }
        None => Vec::new(),
    };
    let mut subnets = Vec::new();
    if let Cidrs::Fixed(fixed) = cidrs {
        for (k, cidr) in fixed {
            if let Some(purpose) = CommonSubnetPurpose::parse(k) {
                subnets.push(CommonSubnet {
                    purpose,
                    cidr: cidr.clone(),
                });
            }
        }
    } else if !requests.is_empty() && !pool.is_empty() {
        let input = allocator::AllocationInput {
            pool,
            reserved: Vec::new(),
            occupied: live.map(|l| l.occupied.clone()).unwrap_or_default(),
            strategy: allocator::Strategy::Packed,
            requests,
            previous: previous
                .into_iter()
                .flatten()
                .map(|(k, c)| {
                    (
                        k.clone(),
                        allocator::Previous {
                            ipv4: c.clone(),
                            ipv6: None,
                        },
                    )
                })
                .collect(),
        };
        match allocator::allocate(&input) {
            Ok(a) => {
                for (k, cidr) in a.ipv4 {
                    if let Some(purpose) = CommonSubnetPurpose::parse(&k) {
                        subnets.push(CommonSubnet {
                            purpose,
                            cidr: cidr.to_string(),
                        });
                    }
                }
            }
            Err(issues) => {
                for i in issues.iter().filter(|i| i.is_error()) {
                    let at = if matches!(vnet, Some(VirtualNetwork::Create { .. })) {
                        "address_space"
                    } else {
                        "subnets"
                    };
                    diags.error(
                        AttrPath::attr(at),
                        "The common subnets do not fit",
                        format!(
                            "{i}. Give the vNet more address space or ask for smaller subnets."
                        ),
                    );
                }
            }
        }
    }

    let hub_zones = string(&v.private_dns_zone_resource_group_id);
    if let Some(id) = &hub_zones {
        if let Err(why) = super::super::ids::check(id, Some("Microsoft.Resources/resourceGroups")) {
            diags.error(
                AttrPath::attr("private_dns_zone_resource_group_id"),
                "Invalid resource group ID",
                why,
            );
        }
    }
    let dns = DnsSpec {
        link: flag(&v.link_private_dns_zones, hub_zones.is_none()),
        zone_groups: flag(&v.dns_zone_groups, true),
        zones: match hub_zones {
            Some(resource_group_id) => DnsZones::Hub { resource_group_id },
            None => DnsZones::Create,
        },
    };
    let hub_peering = string(&v.hub_virtual_network_id).map(|id| HubPeering {
        remote_virtual_network_id: id,
        create_remote: flag(&v.hub_peering_create_remote, false),
        use_remote_gateways: flag(&v.hub_use_remote_gateways, false),
    });
    if hub_peering.is_none()
        && (flag(&v.hub_peering_create_remote, false) || flag(&v.hub_use_remote_gateways, false))
    {
        diags.error(
            AttrPath::attr("hub_virtual_network_id"),
            "Hub peering options without a hub",
            "Set `hub_virtual_network_id`, or remove `hub_peering_create_remote` and `hub_use_remote_gateways`.",
        );
    }
    for (attr, value) in [
        ("virtual_network_id", &v.virtual_network_id),
        ("hub_virtual_network_id", &v.hub_virtual_network_id),
    ] {
        if let Some(id) = string(value) {
            if let Err(why) =
                super::super::ids::check(&id, Some("Microsoft.Network/virtualNetworks"))
            {
                diags.error(AttrPath::attr(attr), "Invalid virtual network ID", why);
            }
        }
    }
    let retention = whole(
        &v.log_retention_days,
        AttrPath::attr("log_retention_days"),
        1e6,
        "use 30 to 730",
        diags,
    )
    .unwrap_or(30);
    if !(30..=730).contains(&retention) {
        diags.error(
            AttrPath::attr("log_retention_days"),
            "Retention out of range",
            format!(
                "log_retention_days = {retention}: Log Analytics (PerGB2018) keeps 30 to 730 days."
            ),
        );
    }
    let core_team = core_team(&v.core_team, diags);
    let jump_host = jump_host(&v.jump_host, diags);
    let tags: BTreeMap<String, String> = v
        .tags
        .known()
        .map(|m| {
            m.iter()
                .filter_map(|(k, x)| x.known().map(|s| (k.clone(), s.clone())))
                .collect()
        })
        .unwrap_or_default();
    // The same reader as aifactory_project's `timeouts` block.
    let timeouts = super::super::project::spec::timeouts(&v.timeouts, diags);
    if diags.has_errors() && !before {
        return None;
    }
    Some(Inputs {
        spec: CommonSpec {
            subscription_id: facts.subscription_id.clone(),
            tenant_id: facts.tenant_id.clone(),
            cloud: facts.cloud,
            environment: environment?,
            location,
            naming,
            network: CommonNetwork {
                vnet: vnet?,
                subnets,
                route_to_firewall: string(&v.route_to_firewall),
            },
            dns,
            hub_peering,
            datalake: LakeSpec {
                filesystem: string(&v.datalake_filesystem).unwrap_or_else(|| "lake3".into()),
                name_prefix: string(&v.datalake_name_prefix).unwrap_or_else(|| "lake".into()),
            },
            container_registry: flag(&v.container_registry, true),
            log_retention_days: retention as u32,
            diagnostics: flag(&v.diagnostics, true),
            core_team,
            tags,
            bastion,
            defender_plans,
            jump_host,
        },
        delete_lake_data: flag(&v.datalake_delete_on_destroy, false),
        timeouts,
    })
}

/// `core_team = { object_ids = [...], principal_type = "Group" }`.
fn core_team(v: &Value, diags: &mut Diagnostics) -> CoreTeam {
    let path = AttrPath::attr("core_team");
    let shape =
        "Write `core_team = { object_ids = [\"<Entra object ID>\"], principal_type = \"Group\" }`.";
    let mut out = CoreTeam::default();
    if v.is_null() || v.is_unknown() {
        return out;
    }
    let Some(m) = v.inner().as_map() else {
        diags.error(path, "`core_team` must be an object", shape);
        return out;
    };
    for (k, item) in m {
        match k.as_str() {
            "object_ids" => match item.inner() {
                Value::Null | Value::Unknown => {}
                Value::List(items) => {
                    for (i, x) in items.iter().enumerate() {
                        match x.inner().as_str() {
                            Some(s) => out.object_ids.push(s.to_string()),
                            None if x.is_unknown() => {}
                            None => diags.error(
                                path.and_attr("object_ids").and_index(i),
                                "Must be a string",
                                shape,
                            ),
                        }
                    }
                }
                _ => diags.error(
                    path.and_attr("object_ids"),
                    "Must be a list of object IDs",
                    shape,
                ),
            },
            "principal_type" => match item.inner().as_str() {
                Some("Group") | None => out.principal_type = TeamPrincipalType::Group,
                Some("User") => out.principal_type = TeamPrincipalType::User,
                Some(other) => diags.error(
                    path.and_attr("principal_type"),
                    format!("Invalid principal_type {other:?}"),
                    "Set `core_team.principal_type` to `Group` (the default) or `User`.",
                ),
            },
            other => diags.error(
                path.and_attr(other),
                format!("Unsupported attribute {other:?} in `core_team`"),
                shape,
            ),
        }
    }
    out
}

/// `jump_host = { admin_username = "azureuser", ssh_public_key = "ssh-ed25519 ...", size =
/// "Standard_B2s" }`: `None` when null; unknown parts (known at apply) are planned as
/// placeholders the template accepts, never reported.
fn jump_host(v: &Value, diags: &mut Diagnostics) -> Option<JumpHost> {
    let path = AttrPath::attr("jump_host");
    let shape = "Write `jump_host = { admin_username = \"azureuser\", ssh_public_key = file(\"~/.ssh/id_ed25519.pub\"), size = \"Standard_B2s\" }`.";
    if v.is_null() {
        return None;
    }
    let mut out = JumpHost {
        admin_username: "azureuser".into(),
        ssh_public_key: "ssh-ed25519 AAAA(known after apply)".into(),
        size: "Standard_B2s".into(),
    };
    if v.is_unknown() {
        return Some(out);
    }
    let Some(m) = v.inner().as_map() else {
        diags.error(path, "`jump_host` must be an object", shape);
        return None;
    };
    for (k, item) in m {
        let at = path.and_attr(k.clone());
        if item.is_unknown() {
            continue;
        }
        let Some(text) = item.inner().as_str() else {
            diags.error(at, format!("`jump_host.{k}` must be set"), shape);
            continue;
        };
        match k.as_str() {
            "admin_username" => {
                if let Some(why) = admin_username_problem(text) {
                    diags.error(
                        at,
                        "Admin user name not allowed",
                        format!("The jump host's admin user name {text:?} {why}: choose another, for example \"azureuser\"."),
                    );
                }
                out.admin_username = text.to_string();
            }
            // The key is not a secret, but it is not repeated in messages either.
            "ssh_public_key" => {
                if !ssh_public_key_ok(text) {
                    diags.error(
                        at,
                        "Not an SSH public key",
                        "`jump_host.ssh_public_key` must be one OpenSSH public key line starting with `ssh-rsa`, `ssh-ed25519` or `ecdsa-sha2-` (the contents of `~/.ssh/id_ed25519.pub`, not the private key).",
                    );
                }
                out.ssh_public_key = text.trim().to_string();
            }
            "size" => {
                if text.trim().is_empty() || text.contains(char::is_whitespace) {
                    diags.error(
                        at,
                        "Not a VM size",
                        format!("`jump_host.size` {text:?} must be an Azure VM size such as \"Standard_B2s\"."),
                    );
                }
                out.size = text.to_string();
            }
            other => diags.error(
                at,
                format!("Unsupported attribute {other:?} in `jump_host`"),
                shape,
            ),
        }
    }
    Some(out)
}

/// A short read context's limit for the plan-time reads.
pub const PLAN_READ: Duration = Duration::from_secs(120);
