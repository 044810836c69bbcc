//! What the configuration of `aifactory_subnet_allocation` asks for: the requests of
//! `subnets` (size and, in a live virtual network, subnet settings) checked on their
//! attribute paths, and the allocator's input ([`Inputs`]).
//!
//! Must not: do I/O, touch state, or know the live virtual network.

use std::collections::BTreeMap;

use super::model::{strings, AllocationModel, RequestModel};
use super::shared::{check_network_id, check_subnet_name};
use crate::framework::Num;
use crate::framework::{AttrPath, Diagnostics, FromValue, Tf};
use aifactory_allocator::{self as allocator, AllocationInput, RequestSpec, Strategy};
use aifactory_template::nsg::Purpose;

/// The attributes a request may have in both modes.
pub(super) const REQUEST_ATTRS: [&str; 3] = ["prefix_length", "min_hosts", "ipv6"];
/// The attributes only a request in a live virtual network may have.
pub(super) const SETTING_ATTRS: [&str; 7] = [
    "name",
    "network_security_group_id",
    "route_table_id",
    "delegation",
    "service_endpoints",
    "private_endpoint_network_policies",
    "purpose",
];
/// Values of `private_endpoint_network_policies` (Microsoft.Network 2024-05-01).
const PE_POLICIES: [&str; 4] = [
    "Disabled",
    "Enabled",
    "NetworkSecurityGroupEnabled",
    "RouteTableEnabled",
];

/// The settings of one subnet in a live virtual network. `None`: not managed (left as the
/// subnet has it); `Some("")` / `Some([])`: removed from the subnet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SubnetSettings {
    pub name: Option<String>,
    pub network_security_group_id: Option<String>,
    pub route_table_id: Option<String>,
    pub delegation: Option<String>,
    pub service_endpoints: Option<Vec<String>>,
    pub private_endpoint_network_policies: Option<String>,
}

/// One parsed request: its size and (live mode) its subnet settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Request {
    pub spec: RequestSpec,
    pub settings: SubnetSettings,
    /// `purpose`, or the one ESML's key names imply ([`Purpose::of_key`]).
    pub purpose: Purpose,
}

/// The values a number attribute takes, for messages about numbers too large to check
/// further (smaller ones go to the allocator, whose issues quote them).
#[derive(Debug, Clone, Copy)]
pub(crate) enum NumberKind {
    PrefixLength,
    MinHosts,
    Slot,
}

impl NumberKind {
    fn range(self) -> String {
        let max_hosts = (1u64 << 31) - allocator::AZURE_RESERVED_PER_SUBNET;
        match self {
            NumberKind::PrefixLength => format!(
                "use 1 to {} (Azure's smallest IPv4 subnet is a /{0})",
                allocator::MIN_IPV4_PREFIX
            ),
            NumberKind::MinHosts => format!("use 1 to {max_hosts} usable addresses"),
            NumberKind::Slot => {
                "use a block number from 0 (counted across the IPv4 entries of `address_space`)"
                    .into()
            }
        }
    }
}

/// The largest magnitude passed on to the allocator; larger numbers are reported here.
const LARGEST_CHECKED: f64 = 1e15;

/// A whole number, or an error on `path` that quotes the user's value and names the
/// attribute as written (`subnets["genai"].prefix_length`).
pub(crate) fn whole(
    n: &Tf<Num>,
    path: AttrPath,
    kind: NumberKind,
    diags: &mut Diagnostics,
) -> Option<i64> {
    crate::framework::num::whole(n, path, LARGEST_CHECKED, &kind.range(), diags)
}

fn shape(live: bool) -> &'static str {
    if live {
        "Write `subnets = { NAME = { prefix_length = 25 } }` or `{ NAME = { min_hosts = 50, name = \"snt-prj001-genai\", network_security_group_id = \"...\" } }`."
    } else {
        "Write `subnets = { NAME = { prefix_length = 25 } }` or `{ NAME = { min_hosts = 50, ipv6 = true } }`."
    }
}

/// Read `subnets`, checking its shape (the schema types it `dynamic`). `live`: the subnets
/// are created in a virtual network, so the settings attributes are allowed.
pub(super) fn requests(
    config: &AllocationModel,
    live: bool,
    diags: &mut Diagnostics,
) -> BTreeMap<String, Request> {
    let mut out = BTreeMap::new();
    let shape = shape(live);
    let Some(map) = config.subnets.as_map() else {
        diags.error(
            AttrPath::attr("subnets"),
            "`subnets` must be a map of requests",
            shape,
        );
        return out;
    };
    let known_attrs = RequestModel::attribute_names();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for (purpose, raw) in map {
        let path = AttrPath::attr("subnets").and_key(purpose.clone());
        // Attributes the model does not have (it ignores them when decoding).
        for field in raw.as_map().into_iter().flat_map(|f| f.keys()) {
            if !known_attrs.contains(field) {
                unsupported(field, purpose, &path, live, diags);
            }
        }
        let req = match Tf::<RequestModel>::from_value(raw, &path) {
            Ok(Tf::Known(r)) => r,
            Ok(_) => RequestModel::default(),
            Err(e) => {
                let mut d = e.to_diagnostic();
                d.detail = format!("{} {shape}", d.detail);
                diags.push(d);
                continue;
            }
        };
        if !live {
            for (field, given) in req.settings_given() {
                if given {
                    diags.error(
                        path.and_attr(field),
                        format!("`{field}` needs `virtual_network_id`"),
                        format!(
                            "Subnet settings apply to subnets this resource creates in a virtual network. Set \
                             `virtual_network_id`, or remove `subnets[{purpose:?}].{field}`."
                        ),
                    );
                }
            }
        }
        let settings = if live {
            settings(purpose, &req, &path, diags)
        } else {
            SubnetSettings::default()
        };
        let subnet_purpose = match req.purpose.as_deref() {
            None => Purpose::of_key(purpose),
            Some(p) => Purpose::parse(p).unwrap_or_else(|| {
                diags.error(
                    path.and_attr("purpose"),
                    format!("Unknown purpose {p:?}"),
                    format!(
                        "subnets[{purpose:?}].purpose decides the rules of the subnet's network security group. \
                         Set it to one of {}, or remove it (then ESML's subnet keys decide: `genai` is \
                         private_endpoints, `aks*` aks, `aca*` container_apps, `webapp` web_apps, `dbxpub` and \
                         `dbxpriv` databricks_public and databricks_private; any other key is default).",
                        Purpose::ALL.map(|p| format!("\"{}\"", p.name())).join(", ")
                    ),
                );
                Purpose::Default
            }),
        };
        if let Some(n) = &settings.name {
            if let Some(other) = names.insert(n.to_ascii_lowercase(), purpose.clone()) {
                diags.error(
                    path.and_attr("name"),
                    format!("Subnet name {n:?} is used by two requests"),
                    format!(
                        "subnets[{other:?}] and subnets[{purpose:?}] both name their subnet {n:?} (subnet names are \
                         case-insensitive). Give each request its own `name`."
                    ),
                );
            }
        }
        let spec = RequestSpec {
            prefix_length: whole(
                &req.prefix_length,
                path.and_attr("prefix_length"),
                NumberKind::PrefixLength,
                diags,
            ),
            min_hosts: whole(
                &req.min_hosts,
                path.and_attr("min_hosts"),
                NumberKind::MinHosts,
                diags,
            ),
            ipv6: req.ipv6.known().copied().unwrap_or(false),
        };
        out.insert(
            purpose.clone(),
            Request {
                spec,
                settings,
                purpose: subnet_purpose,
            },
        );
    }
    out
}

impl RequestModel {
    /// Each settings attribute and whether it is given (not null).
    fn settings_given(&self) -> [(&'static str, bool); 7] {
        [
            ("name", !self.name.is_null()),
            (
                "network_security_group_id",
                !self.network_security_group_id.is_null(),
            ),
            ("route_table_id", !self.route_table_id.is_null()),
            ("delegation", !self.delegation.is_null()),
            ("service_endpoints", !self.service_endpoints.is_null()),
            (
                "private_endpoint_network_policies",
                !self.private_endpoint_network_policies.is_null(),
            ),
            ("purpose", !self.purpose.is_null()),
        ]
    }
}

/// An attribute a request does not take.
fn unsupported(field: &str, purpose: &str, path: &AttrPath, live: bool, diags: &mut Diagnostics) {
    let allowed: Vec<&str> = if live {
        REQUEST_ATTRS
            .iter()
            .chain(SETTING_ATTRS.iter())
            .copied()
            .collect()
    } else {
        REQUEST_ATTRS.to_vec()
    };
    diags.error(
        path.and_attr(field),
        format!("Unsupported attribute {field:?} in request {purpose:?}"),
        format!(
            "A request takes {}. {}",
            allowed
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", "),
            shape(live)
        ),
    );
}

/// The live-mode settings of one request, each checked on its own attribute path.
fn settings(
    purpose: &str,
    req: &RequestModel,
    path: &AttrPath,
    diags: &mut Diagnostics,
) -> SubnetSettings {
    let text = |v: &Tf<String>| v.as_deref().map(str::to_string);
    let mut s = SubnetSettings {
        name: text(&req.name),
        network_security_group_id: text(&req.network_security_group_id),
        route_table_id: text(&req.route_table_id),
        delegation: text(&req.delegation),
        service_endpoints: None,
        private_endpoint_network_policies: text(&req.private_endpoint_network_policies),
    };
    if let Some(n) = &s.name {
        if let Some(why) = check_subnet_name(n) {
            diags.error(
                path.and_attr("name"),
                "Invalid subnet name",
                format!("{why} Fix subnets[{purpose:?}].name, or remove it to use the default snt-<key>-{purpose}."),
            );
        }
    }
    for (attr, kind, value) in [
        (
            "network_security_group_id",
            "networkSecurityGroups",
            &s.network_security_group_id,
        ),
        ("route_table_id", "routeTables", &s.route_table_id),
    ] {
        if let Some(id) = value.as_deref().filter(|id| !id.is_empty()) {
            if let Some(why) = check_network_id(id, kind) {
                diags.error(
                    path.and_attr(attr),
                    format!("Invalid `{attr}`"),
                    format!("{why} Or set it to \"\" to remove it from the subnet."),
                );
            }
        }
    }
    if let Some(d) = s.delegation.as_deref().filter(|d| !d.is_empty()) {
        let parts: Vec<&str> = d.split('/').collect();
        if parts.len() != 2 || parts.iter().any(|p| p.trim().is_empty() || p.contains(' ')) {
            diags.error(
                path.and_attr("delegation"),
                "Invalid `delegation`",
                format!(
                    "{d:?} is not a service name: write it as Namespace/type, for example \
                     \"Microsoft.Databricks/workspaces\" or \"Microsoft.App/environments\", or \"\" to remove the delegation."
                ),
            );
        }
    }
    if let Some(p) = s.private_endpoint_network_policies.as_deref() {
        if !PE_POLICIES.contains(&p) {
            diags.error(
                path.and_attr("private_endpoint_network_policies"),
                format!("Unknown private_endpoint_network_policies {p:?}"),
                format!(
                    "Set it to one of {} (case matters), or remove it.",
                    PE_POLICIES.map(|v| format!("\"{v}\"")).join(", ")
                ),
            );
        }
    }
    if let Some(items) = req.service_endpoints.known() {
        s.service_endpoints = service_endpoints(items, &path.and_attr("service_endpoints"), diags);
    }
    s
}

/// The service endpoints of a request; `None` while one is unknown.
fn service_endpoints(
    items: &[Tf<String>],
    se_path: &AttrPath,
    diags: &mut Diagnostics,
) -> Option<Vec<String>> {
    let mut list: Vec<String> = Vec::new();
    let mut known = true;
    for (i, item) in items.iter().enumerate() {
        match item {
            Tf::Unknown => known = false,
            Tf::Known(svc) if !svc.trim().is_empty() && !svc.contains(' ') => {
                if list.iter().any(|x| x.eq_ignore_ascii_case(svc)) {
                    diags.error(
                        se_path.and_index(i),
                        format!("Service endpoint {svc:?} is listed twice"),
                        format!("Remove the second {svc:?} from {se_path}."),
                    );
                }
                list.push(svc.clone());
            }
            _ => diags.error(
                se_path.and_index(i),
                "Invalid service endpoint",
                "Each entry is a service name such as \"Microsoft.Storage\" or \"Microsoft.KeyVault\".",
            ),
        }
    }
    known.then_some(list)
}

/// What the configuration says, once every part of it is known.
pub(super) struct Inputs {
    pub key: String,
    pub input: AllocationInput,
    pub strategy_name: String,
    /// Live mode: the settings of each request.
    pub settings: BTreeMap<String, SubnetSettings>,
}

/// The strategy the configuration asks for, checked on its attributes.
fn strategy(config: &AllocationModel, name: &str, diags: &mut Diagnostics) -> Strategy {
    let slot = whole(
        &config.slot,
        AttrPath::attr("slot"),
        NumberKind::Slot,
        diags,
    );
    let slot_prefix = whole(
        &config.slot_prefix_length,
        AttrPath::attr("slot_prefix_length"),
        NumberKind::PrefixLength,
        diags,
    );
    // A given value that was refused above is not also "missing".
    let given = |v: &Tf<Num>| !v.is_null();
    match name {
        "packed" => {
            for (name, v) in [
                ("slot", &config.slot),
                ("slot_prefix_length", &config.slot_prefix_length),
            ] {
                if given(v) {
                    diags.error(
                        AttrPath::attr(name),
                        format!("`{name}` needs strategy \"slot\""),
                        format!("`{name}` only applies with `strategy = \"slot\"`: set the strategy, or remove `{name}`."),
                    );
                }
            }
            Strategy::Packed
        }
        "slot" => match (slot, slot_prefix) {
            (Some(index), Some(prefix_length)) => Strategy::Slot {
                prefix_length,
                index,
            },
            _ => {
                for (name, v) in [
                    ("slot", &config.slot),
                    ("slot_prefix_length", &config.slot_prefix_length),
                ] {
                    if !given(v) {
                        diags.error(
                            AttrPath::attr(name),
                            format!("Missing `{name}`"),
                            "`strategy = \"slot\"` needs both `slot` (the block number) and `slot_prefix_length` (the block size, for example 21).",
                        );
                    }
                }
                Strategy::Packed
            }
        },
        other => {
            diags.error(
                AttrPath::attr("strategy"),
                format!("Unknown strategy {other:?}"),
                "Set `strategy` to \"packed\" (default) or \"slot\".",
            );
            Strategy::Packed
        }
    }
}

/// Read the configuration (the parts the allocation needs must be known).
pub(super) fn parse_inputs(
    config: &AllocationModel,
    live: bool,
    diags: &mut Diagnostics,
) -> Inputs {
    let key = config.key.as_deref().unwrap_or_default().to_string();
    if key.trim().is_empty() {
        diags.error(
            AttrPath::attr("key"),
            "Empty key",
            "Set `key` to a name for this allocation, for example \"project001\".",
        );
    }
    let strategy_name = config.strategy.as_deref().unwrap_or("packed").to_string();
    let strategy = strategy(config, &strategy_name, diags);
    let parsed = requests(config, live, diags);
    let settings = parsed
        .iter()
        .map(|(n, r)| (n.clone(), r.settings.clone()))
        .collect();
    let requests = parsed.into_iter().map(|(n, r)| (n, r.spec)).collect();
    Inputs {
        key,
        input: AllocationInput {
            pool: strings(&config.address_space),
            reserved: strings(&config.reserved),
            occupied: strings(&config.occupied),
            strategy,
            requests,
            previous: BTreeMap::new(),
        },
        strategy_name,
        settings,
    }
}

/// The settings of each request of a configuration, plan or state in a live vNet
/// (problems are not reported: the plan reported them).
pub(super) fn settings_of(m: &AllocationModel) -> BTreeMap<String, SubnetSettings> {
    if m.subnets.is_null() {
        return BTreeMap::new();
    }
    requests(m, true, &mut Diagnostics::new())
        .into_iter()
        .map(|(p, r)| (p, r.settings))
        .collect()
}

/// `network_security_group` and `route_to_firewall`: allowed only with
/// `virtual_network_id`; `"create"` or an NSG ID; an IPv4 address. With `"create"`, each
/// request's NSG name (`<purpose>-nsg-<key>`) must be a valid Azure name.
pub(super) fn check_network_settings(config: &AllocationModel, diags: &mut Diagnostics) {
    for attr in ["network_security_group", "route_to_firewall"] {
        let given = match attr {
            "network_security_group" => !config.network_security_group.is_null(),
            _ => !config.route_to_firewall.is_null(),
        };
        if given && !config.is_live() {
            diags.error(
                AttrPath::attr(attr),
                format!("`{attr}` needs `virtual_network_id`"),
                format!(
                    "`{attr}` applies to the subnets this resource creates in a virtual network. Set \
                     `virtual_network_id`, or remove `{attr}`."
                ),
            );
        }
    }
    if let Some(v) = config.network_security_group.as_deref() {
        if v != super::model::NSG_CREATE {
            if let Some(why) = check_network_id(v, "networkSecurityGroups") {
                diags.error(
                    AttrPath::attr("network_security_group"),
                    "Invalid `network_security_group`",
                    format!(
                        "Set it to \"create\" (one network security group per subnet, with ESML's rules for the \
                         subnet's purpose) or to the ID of an existing network security group every subnet gets. \
                         {v:?}: {why}"
                    ),
                );
            }
        } else if let (Some(key), Some(entries)) = (config.key.as_deref(), config.subnets.as_map())
        {
            for purpose in entries.keys() {
                let name = aifactory_template::nsg::nsg_name(purpose, key);
                if check_subnet_name(&name).is_some() {
                    diags.error(
                        AttrPath::attr("subnets").and_key(purpose.clone()),
                        format!("The network security group name {name:?} is not valid"),
                        format!(
                            "With `network_security_group = \"create\"` the NSG of subnets[{purpose:?}] is named \
                             <purpose>-nsg-<key>, and Azure allows 1 to 80 letters, digits, `_`, `.` or `-`, ending \
                             with a letter, digit or `_`. Shorten `key` or the request's name."
                        ),
                    );
                }
            }
        }
    }
    if let Some(ip) = config.route_to_firewall.as_deref() {
        if ip.parse::<std::net::Ipv4Addr>().is_err() {
            diags.error(
                AttrPath::attr("route_to_firewall"),
                format!("Invalid `route_to_firewall` {ip:?}"),
                "Set it to the private IPv4 address of the hub firewall, for example \"10.0.1.4\": the \
                 route table sends 0.0.0.0/0 to it (next hop VirtualAppliance).",
            );
        }
    }
}

/// The purpose of each request of a configuration, plan or state (problems are not
/// reported: the plan reported them).
pub(super) fn purposes_of(m: &AllocationModel) -> BTreeMap<String, Purpose> {
    if m.subnets.is_null() {
        return BTreeMap::new();
    }
    requests(m, true, &mut Diagnostics::new())
        .into_iter()
        .map(|(p, r)| (p, r.purpose))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_attribute_lists_are_the_models_attributes() {
        let mut listed: Vec<String> = REQUEST_ATTRS
            .iter()
            .chain(SETTING_ATTRS.iter())
            .map(|s| s.to_string())
            .collect();
        listed.sort();
        let mut model = RequestModel::attribute_names();
        model.sort();
        assert_eq!(listed, model);
        let given: Vec<&str> = RequestModel::default()
            .settings_given()
            .iter()
            .map(|(n, _)| *n)
            .collect();
        assert_eq!(given, SETTING_ATTRS);
    }
}
