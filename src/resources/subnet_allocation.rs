//! `aifactory_subnet_allocation`: carves named subnets for one project out of an address
//! space, deterministically and without collisions, and keeps them stable for life.
//!
//! Two modes:
//! - **pure** (no `virtual_network_id`): the translation between the resource's HCL shape
//!   and [`aifactory_allocator`]. The allocation is computed at plan time, so CIDRs show in
//!   the plan; apply stores exactly what was planned. No I/O, no credentials.
//! - **live** (`virtual_network_id` set, [`live`]): plan reads the virtual network (its
//!   address spaces are the pool, other subnets are occupied), apply creates the subnets
//!   there one write at a time per vNet, refresh sees subnets deleted, moved or with
//!   configured settings changed behind Terraform's back ([`drift`]), destroy deletes
//!   only the subnets this allocation owns. All Azure I/O goes through [`aifactory_azure`]
//!   via the provider's [`ProviderContext`].
//!
//! Must not: talk to Azure in pure mode, or write a subnet that overlaps another.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;

use crate::context::ProviderContext;
use crate::framework::{
    resource::{ApplyRequest, StateResponse},
    schema::{Attribute, Schema, Type},
    AttrPath, Diagnostics, PlanRequest, PlanResponse, Resource, Value,
};
use aifactory_allocator::{self as allocator, AllocationInput, Previous, RequestSpec, Strategy};

mod drift;
mod live;
mod memo;

pub struct SubnetAllocation {
    ctx: Arc<ProviderContext>,
}

impl SubnetAllocation {
    /// The resource, sharing the provider's context (settings, Azure client).
    pub fn new(ctx: Arc<ProviderContext>) -> Self {
        SubnetAllocation { ctx }
    }
}

impl Default for SubnetAllocation {
    /// A resource with a context of its own (settings from `ARM_*` when the live mode needs them).
    fn default() -> Self {
        SubnetAllocation::new(Arc::new(ProviderContext::default()))
    }
}

/// Separator of the import ID: `KEY|name=cidr,name=cidr` or `<vnet id>|KEY`.
const IMPORT_SEPARATOR: char = '|';

/// Default subnet name: `snt-<key>-<purpose>` (ESML's `snt-prj001-genai` for key `prj001`).
pub(crate) fn default_subnet_name(key: &str, purpose: &str) -> String {
    format!("{}{purpose}", name_prefix(key))
}

/// What every default subnet name of `key` starts with (import by `<vnet id>|<key>`).
pub(crate) fn name_prefix(key: &str) -> String {
    format!("snt-{key}-")
}

fn schema() -> Schema {
    Schema {
        version: 0,
        description: "Allocates named subnets for one project out of an address space: deterministic \
(a pure function of its inputs), collision-free (never overlaps `reserved`, `occupied` or another \
result) and stable (a CIDR, once allocated, never moves because other projects or requests come and \
go). CIDRs are computed at plan time and shown in the plan.\n\n\
Two strategies: `packed` (default) places requests largest first into the smallest free block that \
holds them, filling gaps left by deleted projects; `slot` confines the project to the `slot`-th block \
of size `/slot_prefix_length`, so independent workspaces (dev, test, prod, or one per project) get the \
same CIDRs without knowing about each other.\n\n\
With `virtual_network_id` the allocation is made against the live virtual network and the subnets are \
created there: the plan reads the vNet (its address spaces are the pool, every subnet this allocation \
does not own is occupied), apply creates each subnet with its settings, one write at a time per vNet, \
and fails with a message to re-plan if another workspace took a planned range in the meantime. \
Refresh notices subnets deleted, moved to another range, or whose configured settings were changed \
outside Terraform, and the next plan shows the change back (a changed setting on its own attribute, as an \
in-place update that keeps the subnet's range); destroy deletes only the subnets this allocation owns. \
Without it the resource is pure: no Azure access and no credentials.\n\n\
Azure rules are enforced: an IPv4 subnet is `/29` or larger (Azure reserves 5 addresses in each), an \
IPv6 subnet is `/64`."
            .into(),
        attributes: vec![
            Attribute::required(
                "key",
                Type::String,
                "Identifies the allocation, usually the project (`project001`). Becomes the `id`. With \
`virtual_network_id` it also names the subnets (`snt-<key>-<purpose>`) and must be unique per virtual \
network. Changing it replaces the resource.",
            )
            .forces_replacement(),
            Attribute::optional(
                "virtual_network_id",
                Type::String,
                "ID of the virtual network to allocate in and create the subnets in, for example \
`/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/vnt-esmlcmn-weu-dev-001`. \
The plan reads it: its address spaces (all of them) form the pool unless `address_space` is given, and \
every subnet this allocation does not own counts as occupied. A subnet that already exists under a \
requested name is adopted with its CIDR. Needs Azure credentials (the provider settings). Changing it \
replaces the resource.",
            )
            .forces_replacement(),
            Attribute::optional(
                "address_space",
                Type::list(Type::String),
                "The pool to allocate from: one or more IPv4 and/or IPv6 CIDRs (for example the virtual network's address space). Entries must not overlap. IPv6 entries serve requests with `ipv6 = true`. Required without `virtual_network_id`; with it, defaults to the vNet's address space, and given entries must lie inside it.",
            ),
            Attribute::optional(
                "reserved",
                Type::list(Type::String),
                "CIDRs never to allocate (gateway, firewall and other common subnets). Entries outside `address_space` give a warning.",
            ),
            Attribute::optional(
                "occupied",
                Type::list(Type::String),
                "CIDRs already in use, such as other projects' subnets. Never overlapped. An entry exactly equal to one of this resource's own results is that subnet itself and does not move it. With `virtual_network_id` the vNet's other subnets are added automatically.",
            ),
            Attribute::optional_computed(
                "strategy",
                Type::String,
                "`packed` (default): best fit anywhere in the pool. `slot`: pack inside block number `slot` of size `/slot_prefix_length`.",
            ),
            Attribute::optional(
                "slot",
                Type::Number,
                "With `strategy = \"slot\"`: 0-based index of the block, counted across the IPv4 entries of `address_space` in listed order (an entry smaller than the block holds no slot). IPv6 results come from the same-numbered `/56` of the IPv6 entries.",
            ),
            Attribute::optional(
                "slot_prefix_length",
                Type::Number,
                "With `strategy = \"slot\"`: prefix length of a slot, for example `21` (2,048 addresses).",
            ),
            Attribute::required(
                "subnets",
                Type::Dynamic,
                "The subnets to allocate: a map from purpose (for example `genai`, `aks`) to \
`{ prefix_length = number, min_hosts = number, ipv6 = bool }`. Give `prefix_length` (1 to 29) **or** \
`min_hosts` (usable hosts: the smallest subnet whose addresses minus Azure's 5 reserved ones hold that many). \
`ipv6 = true` also allocates an IPv6 `/64` (dual stack) and needs an IPv6 entry in `address_space`. \
Changing one request's size re-allocates that request only.\n\n\
With `virtual_network_id` a request also takes the subnet's settings: `name` (default \
`snt-<key>-<purpose>`), `network_security_group_id`, `route_table_id`, `delegation` (a service name such as \
`Microsoft.Databricks/workspaces`), `service_endpoints` (a list such as `[\"Microsoft.Storage\"]`) and \
`private_endpoint_network_policies` (`Disabled`, `Enabled`, `NetworkSecurityGroupEnabled` or \
`RouteTableEnabled`). A setting that is given is enforced; one left out is left as the subnet has it \
(Azure's default on a new subnet), so adopting an existing subnet never strips its NSG. To remove a \
setting, set it to `\"\"` (or `[]` for `service_endpoints`).\n\n\
Settings drift is detected: when a given setting differs in Azure (changed, added or removed outside \
Terraform), refresh records the actual value in the state, so the next plan shows it changing back on \
that attribute, for example `network_security_group_id = \"\" -> \"/subscriptions/.../nsg-prj001\"` for an \
NSG removed in the portal, and the apply updates the subnet in place at its range (properties the \
allocation does not manage, such as a NAT gateway, are kept, and private endpoints stay attached). \
IDs and service names compare case-insensitively, `service_endpoints` as a set that must match exactly (an endpoint added in Azure \
shows as a change), `delegation` by service name. Settings left out of the configuration are never \
reported.",
            ),
            Attribute::computed("id", Type::String, "The `key`."),
            Attribute::computed("cidrs", Type::map(Type::String), "The IPv4 CIDR of each subnet, by name."),
            Attribute::computed(
                "ipv6_cidrs",
                Type::map(Type::String),
                "The IPv6 `/64` of each subnet with `ipv6 = true`, by name.",
            ),
            Attribute::computed(
                "allocated_addresses",
                Type::Number,
                "Total IPv4 addresses allocated (including the 5 per subnet Azure reserves).",
            ),
            Attribute::computed(
                "subnet_ids",
                Type::map(Type::String),
                "With `virtual_network_id`: the ID of each subnet, by purpose (for private endpoints, \
Databricks, AKS and so on). Null without `virtual_network_id`.",
            ),
            Attribute::computed(
                "virtual_network_address_space",
                Type::list(Type::String),
                "With `virtual_network_id`: the virtual network's address spaces as last read. Null without \
`virtual_network_id`.",
            ),
        ],
    }
}

/// A list of strings from config; `Err(())` when unknown. Null is the empty list.
fn strings(v: &Value) -> Result<Vec<String>, ()> {
    match v {
        Value::Null => Ok(Vec::new()),
        Value::List(items) => items
            .iter()
            .map(|i| match i {
                Value::String(s) => Ok(s.clone()),
                Value::Null => Ok(String::new()),
                _ => Err(()),
            })
            .collect(),
        _ => Err(()),
    }
}

fn number(v: &Value, path: AttrPath, diags: &mut Diagnostics) -> Option<i64> {
    let n = v.as_f64()?;
    if n.fract() != 0.0 || n.abs() > 1e15 {
        diags.error(
            path,
            "Whole number required",
            format!("{n} is not a whole number."),
        );
        return None;
    }
    Some(n as i64)
}

/// The attributes a request may have in both modes.
const REQUEST_ATTRS: [&str; 3] = ["prefix_length", "min_hosts", "ipv6"];
/// The attributes only a request in a live virtual network may have.
const SETTING_ATTRS: [&str; 6] = [
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

/// Why `name` is not a valid Azure subnet name (1-80 characters: letters, digits, `_`, `.`,
/// `-`; starting with a letter or digit, ending with a letter, digit or `_`).
fn check_subnet_name(name: &str) -> Option<String> {
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    let first_ok = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric());
    let last_ok = name
        .chars()
        .last()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    if name.is_empty() || name.len() > 80 || !ok_chars || !first_ok || !last_ok {
        Some(format!(
            "{name:?} is not a valid subnet name: use 1 to 80 letters, digits, `_`, `.` or `-`, starting \
             with a letter or digit and ending with a letter, digit or `_`."
        ))
    } else {
        None
    }
}

/// Why `id` is not the ID of a `Microsoft.Network/<kind>` resource; `None` when fine.
pub(crate) fn check_network_id(id: &str, kind: &str) -> Option<String> {
    let seg: Vec<&str> = id.split('/').collect();
    let example = format!(
        "/subscriptions/{{subscription}}/resourceGroups/{{group}}/providers/Microsoft.Network/{kind}/{{name}}"
    );
    let ok = seg.len() == 9
        && seg[0].is_empty()
        && seg[1].eq_ignore_ascii_case("subscriptions")
        && seg[3].eq_ignore_ascii_case("resourceGroups")
        && seg[5].eq_ignore_ascii_case("providers")
        && seg[6].eq_ignore_ascii_case("Microsoft.Network")
        && seg[7].eq_ignore_ascii_case(kind)
        && [2, 4, 8].iter().all(|i| !seg[*i].trim().is_empty());
    (!ok).then(|| {
        format!(
            "{id:?} is not the ID of a Microsoft.Network/{kind} resource; write it as {example}."
        )
    })
}

/// Read `subnets`, checking its shape (the schema types it `dynamic`). `live`: the subnets
/// are created in a virtual network, so the settings attributes are allowed.
fn requests(subnets: &Value, live: bool, diags: &mut Diagnostics) -> BTreeMap<String, Request> {
    let mut out = BTreeMap::new();
    let shape = if live {
        "Write `subnets = { NAME = { prefix_length = 25 } }` or `{ NAME = { min_hosts = 50, name = \"snt-prj001-genai\", network_security_group_id = \"...\" } }`."
    } else {
        "Write `subnets = { NAME = { prefix_length = 25 } }` or `{ NAME = { min_hosts = 50, ipv6 = true } }`."
    };
    let Some(map) = subnets.as_map() else {
        diags.error(
            AttrPath::attr("subnets"),
            "`subnets` must be a map of requests",
            shape,
        );
        return out;
    };
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for (purpose, req) in map {
        let path = AttrPath::attr("subnets").and_key(purpose.clone());
        let Some(fields) = req.as_map() else {
            diags.error(
                path,
                format!("Request {purpose:?} must be an object"),
                shape,
            );
            continue;
        };
        for field in fields.keys() {
            if REQUEST_ATTRS.contains(&field.as_str()) {
                continue;
            }
            if SETTING_ATTRS.contains(&field.as_str()) {
                if !live && !fields.get(field).is_some_and(Value::is_null) {
                    diags.error(
                        path.and_attr(field.clone()),
                        format!("`{field}` needs `virtual_network_id`"),
                        format!(
                            "Subnet settings apply to subnets this resource creates in a virtual network. Set \
                             `virtual_network_id`, or remove `subnets[{purpose:?}].{field}`."
                        ),
                    );
                }
                continue;
            }
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
                path.and_attr(field.clone()),
                format!("Unsupported attribute {field:?} in request {purpose:?}"),
                format!(
                    "A request takes {}. {shape}",
                    allowed
                        .iter()
                        .map(|a| format!("`{a}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
        let ipv6 = match req.get("ipv6") {
            Value::Null => false,
            v => match v.as_bool() {
                Some(b) => b,
                None => {
                    if !v.is_unknown() {
                        diags.error(path.and_attr("ipv6"), "`ipv6` must be true or false", shape);
                    }
                    false
                }
            },
        };
        let mut num = |attr: &str| match req.get(attr) {
            Value::Null => None,
            v if v.is_unknown() => None,
            v if v.as_f64().is_none() => {
                diags.error(
                    path.and_attr(attr),
                    format!("`{attr}` must be a number"),
                    shape,
                );
                None
            }
            v => number(v, path.and_attr(attr), diags),
        };
        let prefix_length = num("prefix_length");
        let min_hosts = num("min_hosts");
        let settings = if live {
            settings(purpose, req, &path, diags)
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
        out.insert(
            purpose.clone(),
            Request {
                spec: RequestSpec {
                    prefix_length,
                    min_hosts,
                    ipv6,
                },
                settings,
            },
        );
    }
    out
}

/// A string setting: `Ok(None)` when null or unknown.
fn string_setting(
    req: &Value,
    attr: &str,
    path: &AttrPath,
    diags: &mut Diagnostics,
) -> Option<String> {
    match req.get(attr) {
        Value::Null => None,
        v if v.is_unknown() => None,
        v => match v.as_str() {
            Some(s) => Some(s.to_string()),
            None => {
                diags.error(
                    path.and_attr(attr),
                    format!("`{attr}` must be a string"),
                    format!("Set {} to a string, or remove it.", path.and_attr(attr)),
                );
                None
            }
        },
    }
}

/// The live-mode settings of one request, each checked on its own attribute path.
fn settings(
    purpose: &str,
    req: &Value,
    path: &AttrPath,
    diags: &mut Diagnostics,
) -> SubnetSettings {
    let mut s = SubnetSettings {
        name: string_setting(req, "name", path, diags),
        network_security_group_id: string_setting(req, "network_security_group_id", path, diags),
        route_table_id: string_setting(req, "route_table_id", path, diags),
        delegation: string_setting(req, "delegation", path, diags),
        service_endpoints: None,
        private_endpoint_network_policies: string_setting(
            req,
            "private_endpoint_network_policies",
            path,
            diags,
        ),
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
    let se_path = path.and_attr("service_endpoints");
    match req.get("service_endpoints") {
        Value::Null => {}
        v if v.is_unknown() => {}
        v => match v.as_list() {
            None => diags.error(
                se_path,
                "`service_endpoints` must be a list of service names",
                "Write for example service_endpoints = [\"Microsoft.Storage\", \"Microsoft.KeyVault\"], or [] to remove them.",
            ),
            Some(items) => {
                let mut list: Vec<String> = Vec::new();
                let mut known = true;
                for (i, item) in items.iter().enumerate() {
                    match item.as_str() {
                        _ if item.is_unknown() => known = false,
                        Some(svc) if !svc.trim().is_empty() && !svc.contains(' ') => {
                            if list.iter().any(|x| x.eq_ignore_ascii_case(svc)) {
                                diags.error(
                                    se_path.and_index(i),
                                    format!("Service endpoint {svc:?} is listed twice"),
                                    format!("Remove the second {svc:?} from {se_path}."),
                                );
                            }
                            list.push(svc.to_string());
                        }
                        _ => diags.error(
                            se_path.and_index(i),
                            "Invalid service endpoint",
                            "Each entry is a service name such as \"Microsoft.Storage\" or \"Microsoft.KeyVault\".",
                        ),
                    }
                }
                if known {
                    s.service_endpoints = Some(list);
                }
            }
        },
    }
    s
}

/// What the configuration says, once every part of it is known.
struct Inputs {
    key: String,
    input: AllocationInput,
    strategy_name: String,
    /// Live mode: the settings of each request.
    settings: BTreeMap<String, SubnetSettings>,
}

/// Read the configuration. `Ok(None)`: something is still unknown (plan shows unknowns).
fn inputs(config: &Value, diags: &mut Diagnostics) -> Option<Inputs> {
    if !config.is_wholly_known() {
        return None;
    }
    Some(parse_inputs(config, false, diags))
}

/// Read the configuration (the parts the allocation needs must be known).
fn parse_inputs(config: &Value, live: bool, diags: &mut Diagnostics) -> Inputs {
    let key = config.get("key").as_str().unwrap_or_default().to_string();
    if key.trim().is_empty() {
        diags.error(
            AttrPath::attr("key"),
            "Empty key",
            "Set `key` to a name for this allocation, for example \"project001\".",
        );
    }
    let list = |name: &str| strings(config.get(name)).unwrap_or_default();
    let strategy_name = config
        .get("strategy")
        .as_str()
        .unwrap_or("packed")
        .to_string();
    let slot = number(config.get("slot"), AttrPath::attr("slot"), diags);
    let slot_prefix = number(
        config.get("slot_prefix_length"),
        AttrPath::attr("slot_prefix_length"),
        diags,
    );
    let strategy = match strategy_name.as_str() {
        "packed" => {
            for (name, v) in [("slot", slot), ("slot_prefix_length", slot_prefix)] {
                if v.is_some() {
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
                for (name, v) in [("slot", slot), ("slot_prefix_length", slot_prefix)] {
                    if v.is_none() {
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
    };
    let parsed = requests(config.get("subnets"), live, diags);
    let settings = parsed
        .iter()
        .map(|(n, r)| (n.clone(), r.settings.clone()))
        .collect();
    let requests = parsed.into_iter().map(|(n, r)| (n, r.spec)).collect();
    Inputs {
        key,
        input: AllocationInput {
            pool: list("address_space"),
            reserved: list("reserved"),
            occupied: list("occupied"),
            strategy,
            requests,
            previous: BTreeMap::new(),
        },
        strategy_name,
        settings,
    }
}

/// Results held in state, for stability.
fn previous(state: &Value) -> BTreeMap<String, Previous> {
    let mut out = BTreeMap::new();
    if let Some(cidrs) = state.get("cidrs").as_map() {
        for (name, cidr) in cidrs {
            if let Some(ipv4) = cidr.as_str() {
                let ipv6 = state
                    .get("ipv6_cidrs")
                    .get(name)
                    .as_str()
                    .map(str::to_string);
                out.insert(
                    name.clone(),
                    Previous {
                        ipv4: ipv4.to_string(),
                        ipv6,
                    },
                );
            }
        }
    }
    out
}

fn push_issues(diags: &mut Diagnostics, issues: &[allocator::Issue]) {
    for i in issues {
        if i.is_warning() {
            diags.warning(i.path.clone(), i.summary(), i.detail());
        } else {
            diags.error(i.path.clone(), i.summary(), i.detail());
        }
    }
}

/// The config with `strategy` defaulted and `id` set: the start of every planned state.
fn base_state(config: &Value) -> Value {
    let mut state = config.clone();
    if config.get("strategy").is_null() {
        state.set("strategy", Value::string("packed"));
    }
    state.set(
        "id",
        match config.get("key") {
            Value::String(k) => Value::string(k.clone()),
            _ => Value::Unknown,
        },
    );
    state
}

/// `cidrs`, `ipv6_cidrs` and `allocated_addresses` of an allocation.
fn set_results(state: &mut Value, a: &allocator::Allocation) {
    state.set(
        "cidrs",
        Value::object(
            a.ipv4
                .iter()
                .map(|(n, c)| (n.clone(), Value::string(c.to_string()))),
        ),
    );
    state.set(
        "ipv6_cidrs",
        Value::object(
            a.ipv6
                .iter()
                .map(|(n, c)| (n.clone(), Value::string(c.to_string()))),
        ),
    );
    state.set(
        "allocated_addresses",
        Value::Number(a.ipv4_addresses as f64),
    );
}

/// The full new state: config plus computed results (unknown where inputs are unknown).
fn compute(config: &Value, prior: &Value, diags: &mut Diagnostics) -> Value {
    let mut state = base_state(config);
    let Some(mut inp) = inputs(config, diags) else {
        for attr in ["cidrs", "ipv6_cidrs", "allocated_addresses"] {
            state.set(attr, Value::Unknown);
        }
        return state;
    };
    if diags.has_errors() {
        return state;
    }
    // Keep results only while the key stays: a new key is a new allocation.
    if prior.get("key").as_str() == Some(inp.key.as_str()) {
        inp.input.previous = previous(prior);
    }
    state.set("strategy", Value::string(inp.strategy_name.clone()));
    let started = std::time::Instant::now();
    let result = allocator::allocate(&inp.input);
    tracing::debug!(
        key = %inp.key,
        strategy = %inp.strategy_name,
        requests = inp.input.requests.len(),
        occupied = inp.input.occupied.len(),
        kept = inp.input.previous.len(),
        ok = result.is_ok(),
        micros = started.elapsed().as_micros() as u64,
        "subnet allocation computed"
    );
    match result {
        Ok(a) => {
            push_issues(diags, &a.warnings);
            set_results(&mut state, &a);
        }
        Err(issues) => push_issues(diags, &issues),
    }
    state
}

/// Whether a configuration or state allocates in a live virtual network (unknown counts).
fn is_live(v: &Value) -> bool {
    !v.get("virtual_network_id").is_null()
}

/// Two virtual network IDs name the same vNet (ARM IDs are case-insensitive).
fn same_vnet(a: &Value, b: &Value) -> bool {
    match (a.as_str(), b.as_str()) {
        (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
        _ => a == b,
    }
}

#[async_trait]
impl Resource for SubnetAllocation {
    fn type_name(&self) -> &'static str {
        "subnet_allocation"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        for attr in ["address_space", "reserved", "occupied"] {
            if let Some(items) = config.get(attr).as_list() {
                for (i, item) in items.iter().enumerate() {
                    if let Some(text) = item.as_str() {
                        if let Err(e) = allocator::parse_cidr(text) {
                            diags.error(
                                AttrPath::attr(attr).and_index(i),
                                format!("Invalid CIDR {text:?} in `{attr}`"),
                                e.to_string(),
                            );
                        }
                    }
                }
            }
        }
        let vnet = config.get("virtual_network_id");
        if let Some(id) = vnet.as_str() {
            if let Some(why) = check_network_id(id, "virtualNetworks") {
                diags.error(
                    AttrPath::attr("virtual_network_id"),
                    "Invalid virtual_network_id",
                    why,
                );
            }
        }
        if vnet.is_null() && config.get("address_space").is_null() {
            diags.error(
                AttrPath::attr("address_space"),
                "Missing `address_space`",
                "Set `address_space` to the pool to allocate from (for example [\"10.20.0.0/16\"]), or set \
                 `virtual_network_id` to allocate in a live virtual network (its address space is then the default).",
            );
        }
        if config.get("subnets").is_wholly_known() && !config.get("subnets").is_null() {
            requests(config.get("subnets"), is_live(config), &mut diags);
        }
        if let Some(s) = config.get("strategy").as_str() {
            if s != "packed" && s != "slot" {
                diags.error(
                    AttrPath::attr("strategy"),
                    format!("Unknown strategy {s:?}"),
                    "Set `strategy` to \"packed\" (default) or \"slot\".",
                );
            }
        }
        diags
    }

    async fn plan(&self, req: PlanRequest) -> PlanResponse {
        let mut diags = Diagnostics::new();
        let mut requires_replace = Vec::new();
        if !req.prior.is_null() && req.prior.get("key") != req.config.get("key") {
            requires_replace.push(AttrPath::attr("key"));
        }
        if !req.prior.is_null()
            && !same_vnet(
                req.prior.get("virtual_network_id"),
                req.config.get("virtual_network_id"),
            )
        {
            requires_replace.push(AttrPath::attr("virtual_network_id"));
        }
        if is_live(&req.config) {
            let (planned, private) = live::plan(&self.ctx, &req, &mut diags).await;
            return PlanResponse {
                planned,
                private,
                requires_replace,
                diags,
            };
        }
        let planned = compute(&req.config, &req.prior, &mut diags);
        PlanResponse {
            planned,
            private: Value::Null,
            requires_replace,
            diags,
        }
    }

    async fn apply(&self, req: ApplyRequest) -> StateResponse {
        if req.planned.is_null() {
            if is_live(&req.prior) {
                return live::destroy(&self.ctx, req.prior).await;
            }
            // Destroy: nothing exists outside Terraform's state.
            return StateResponse::default();
        }
        if is_live(&req.planned) {
            return live::apply(&self.ctx, req).await;
        }
        let mut diags = Diagnostics::new();
        let state = if req.planned.is_wholly_known() {
            req.planned
        } else {
            compute(&req.config, &req.prior, &mut diags)
        };
        StateResponse {
            state,
            private: Value::Null,
            diags,
        }
    }

    async fn read(&self, state: Value, private: Value) -> StateResponse {
        if is_live(&state) {
            return live::read(&self.ctx, state, private).await;
        }
        // Pure resource: nothing outside the state can drift.
        StateResponse {
            state,
            private,
            diags: Diagnostics::new(),
        }
    }

    async fn import(&self, id: &str) -> StateResponse {
        if let Some((vnet, key)) = live::parse_import_id(id) {
            return match key {
                Ok(key) => live::import(&self.ctx, vnet, &key).await,
                Err(msg) => {
                    let mut diags = Diagnostics::new();
                    diags.error(AttrPath::root(), "Invalid import ID", msg);
                    StateResponse {
                        state: Value::Null,
                        private: Value::Null,
                        diags,
                    }
                }
            };
        }
        let mut diags = Diagnostics::new();
        let state = match parse_import_id(id) {
            Ok((key, cidrs)) => {
                let addresses: u64 = cidrs
                    .values()
                    .filter_map(|c| match allocator::parse_cidr(c) {
                        Ok(allocator::Cidr::V4(c)) => Some(c.addresses()),
                        _ => None,
                    })
                    .sum();
                Value::object([
                    ("key", Value::string(key.clone())),
                    ("id", Value::string(key)),
                    ("virtual_network_id", Value::Null),
                    ("address_space", Value::Null),
                    ("reserved", Value::Null),
                    ("occupied", Value::Null),
                    ("strategy", Value::Null),
                    ("slot", Value::Null),
                    ("slot_prefix_length", Value::Null),
                    ("subnets", Value::Null),
                    (
                        "cidrs",
                        Value::object(
                            cidrs
                                .iter()
                                .map(|(n, c)| (n.clone(), Value::string(c.clone()))),
                        ),
                    ),
                    ("ipv6_cidrs", Value::object(Vec::<(String, Value)>::new())),
                    ("allocated_addresses", Value::Number(addresses as f64)),
                    ("subnet_ids", Value::Null),
                    ("virtual_network_address_space", Value::Null),
                ])
            }
            Err(msg) => {
                diags.error(AttrPath::root(), "Invalid import ID", msg);
                Value::Null
            }
        };
        StateResponse {
            state,
            private: Value::Null,
            diags,
        }
    }
}

/// How to write an import ID, both forms.
const IMPORT_USAGE: &str = "Use `KEY|NAME=CIDR,NAME=CIDR`, for example `project001|genai=10.20.1.0/25,aks=10.20.2.0/26`: \
the allocation's key and the subnets it already holds; or, for an allocation in a live virtual network, \
`<virtual network ID>|KEY`, which adopts the vNet's subnets named `snt-KEY-<purpose>`.";

/// `KEY|name=cidr,name=cidr`: adopts existing subnets (for example ESML's) under `KEY`.
fn parse_import_id(id: &str) -> Result<(String, BTreeMap<String, String>), String> {
    let usage = IMPORT_USAGE;
    let (key, list) = id
        .split_once(IMPORT_SEPARATOR)
        .ok_or_else(|| format!("{id:?} has no `|`. {usage}"))?;
    if key.trim().is_empty() {
        return Err(format!("The key before `|` is empty. {usage}"));
    }
    let mut cidrs = BTreeMap::new();
    for part in list.split(',').filter(|p| !p.trim().is_empty()) {
        let (name, cidr) = part
            .split_once('=')
            .ok_or_else(|| format!("{part:?} is not NAME=CIDR. {usage}"))?;
        let (name, cidr) = (name.trim(), cidr.trim());
        match allocator::parse_cidr(cidr) {
            Ok(allocator::Cidr::V4(_)) => {}
            Ok(_) => {
                return Err(format!(
                    "{cidr:?} for {name:?} is not an IPv4 CIDR. {usage}"
                ))
            }
            Err(e) => return Err(format!("{cidr:?} for {name:?}: {e}. {usage}")),
        }
        if cidrs.insert(name.to_string(), cidr.to_string()).is_some() {
            return Err(format!("{name:?} appears twice. {usage}"));
        }
    }
    Ok((key.trim().to_string(), cidrs))
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod live_tests;
