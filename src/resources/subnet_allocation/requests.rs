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

/// The attributes a request may have in both modes.
pub(super) const REQUEST_ATTRS: [&str; 3] = ["prefix_length", "min_hosts", "ipv6"];
/// The attributes only a request in a live virtual network may have.
pub(super) const SETTING_ATTRS: [&str; 6] = [
    "name",
    "network_security_group_id",
    "route_table_id",
    "delegation",
    "service_endpoints",
    "private_endpoint_network_policies",
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
        out.insert(purpose.clone(), Request { spec, settings });
    }
    out
}

impl RequestModel {
    /// Each settings attribute and whether it is given (not null).
    fn settings_given(&self) -> [(&'static str, bool); 6] {
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
