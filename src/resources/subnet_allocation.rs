//! `aifactory_subnet_allocation`: carves named subnets for one project out of an address
//! space, deterministically and without collisions, and keeps them stable for life.
//!
//! Owns: the translation between the resource's HCL shape and [`crate::allocator`].
//! The allocation itself is computed at plan time, so CIDRs show in the plan; apply
//! stores exactly what was planned. Must not: do any I/O (the live virtual-network
//! variant will go through the Azure client layer).

use std::collections::BTreeMap;

use async_trait::async_trait;

use crate::allocator::{self, AllocationInput, Previous, RequestSpec, Strategy};
use crate::framework::{
    resource::{ApplyRequest, StateResponse},
    schema::{Attribute, Schema, Type},
    AttrPath, Diagnostics, PlanRequest, PlanResponse, Resource, Value,
};

pub struct SubnetAllocation;

/// Separator of the import ID: `KEY|name=cidr,name=cidr`.
const IMPORT_SEPARATOR: char = '|';

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
Azure rules are enforced: an IPv4 subnet is `/29` or larger (Azure reserves 5 addresses in each), an \
IPv6 subnet is `/64`."
            .into(),
        attributes: vec![
            Attribute::required(
                "key",
                Type::String,
                "Identifies the allocation, usually the project (`project001`). Becomes the `id`. Changing it replaces the resource.",
            )
            .forces_replacement(),
            Attribute::required(
                "address_space",
                Type::list(Type::String),
                "The pool to allocate from: one or more IPv4 and/or IPv6 CIDRs (for example the virtual network's address space). Entries must not overlap. IPv6 entries serve requests with `ipv6 = true`.",
            ),
            Attribute::optional(
                "reserved",
                Type::list(Type::String),
                "CIDRs never to allocate (gateway, firewall and other common subnets). Entries outside `address_space` give a warning.",
            ),
            Attribute::optional(
                "occupied",
                Type::list(Type::String),
                "CIDRs already in use, such as other projects' subnets. Never overlapped. An entry exactly equal to one of this resource's own results is that subnet itself and does not move it.",
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
                "The subnets to allocate: a map from name (for example the purpose: `genai`, `aks`) to \
`{ prefix_length = number, min_hosts = number, ipv6 = bool }`. Give `prefix_length` (1 to 29) **or** \
`min_hosts` (usable hosts: the smallest subnet whose addresses minus Azure's 5 reserved ones hold that many). \
`ipv6 = true` also allocates an IPv6 `/64` (dual stack) and needs an IPv6 entry in `address_space`. \
Changing one request's size re-allocates that request only.",
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

/// The attributes a request may have.
const REQUEST_ATTRS: [&str; 3] = ["prefix_length", "min_hosts", "ipv6"];

/// Read `subnets`, checking its shape (the schema types it `dynamic`).
fn requests(subnets: &Value, diags: &mut Diagnostics) -> BTreeMap<String, RequestSpec> {
    let mut out = BTreeMap::new();
    let shape = "Write `subnets = { NAME = { prefix_length = 25 } }` or `{ NAME = { min_hosts = 50, ipv6 = true } }`.";
    let Some(map) = subnets.as_map() else {
        diags.error(
            AttrPath::attr("subnets"),
            "`subnets` must be a map of requests",
            shape,
        );
        return out;
    };
    for (name, req) in map {
        let path = AttrPath::attr("subnets").and_key(name.clone());
        let Some(fields) = req.as_map() else {
            diags.error(path, format!("Request {name:?} must be an object"), shape);
            continue;
        };
        for field in fields
            .keys()
            .filter(|f| !REQUEST_ATTRS.contains(&f.as_str()))
        {
            diags.error(
                path.and_attr(field.clone()),
                format!("Unsupported attribute {field:?} in request {name:?}"),
                format!(
                    "A request takes {}. {shape}",
                    REQUEST_ATTRS.map(|a| format!("`{a}`")).join(", ")
                ),
            );
        }
        let ipv6 = match req.get("ipv6") {
            Value::Null => false,
            v => match v.as_bool() {
                Some(b) => b,
                None => {
                    diags.error(path.and_attr("ipv6"), "`ipv6` must be true or false", shape);
                    false
                }
            },
        };
        let mut num = |attr: &str| match req.get(attr) {
            Value::Null => None,
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
        out.insert(
            name.clone(),
            RequestSpec {
                prefix_length,
                min_hosts,
                ipv6,
            },
        );
    }
    out
}

/// What the configuration says, once every part of it is known.
struct Inputs {
    key: String,
    input: AllocationInput,
    strategy_name: String,
}

/// Read the configuration. `Ok(None)`: something is still unknown (plan shows unknowns).
fn inputs(config: &Value, diags: &mut Diagnostics) -> Option<Inputs> {
    if !config.is_wholly_known() {
        return None;
    }
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
    let requests = requests(config.get("subnets"), diags);
    Some(Inputs {
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
    })
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

/// The full new state: config plus computed results (unknown where inputs are unknown).
fn compute(config: &Value, prior: &Value, diags: &mut Diagnostics) -> Value {
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
        Err(issues) => push_issues(diags, &issues),
    }
    state
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
        if config.get("subnets").is_wholly_known() && !config.get("subnets").is_null() {
            requests(config.get("subnets"), &mut diags);
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
        let planned = compute(&req.config, &req.prior, &mut diags);
        let mut requires_replace = Vec::new();
        if !req.prior.is_null() && req.prior.get("key") != req.config.get("key") {
            requires_replace.push(AttrPath::attr("key"));
        }
        PlanResponse {
            planned,
            private: Value::Null,
            requires_replace,
            diags,
        }
    }

    async fn apply(&self, req: ApplyRequest) -> StateResponse {
        if req.planned.is_null() {
            // Destroy: nothing exists outside Terraform's state.
            return StateResponse::default();
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
        // Pure resource: nothing outside the state can drift.
        StateResponse {
            state,
            private,
            diags: Diagnostics::new(),
        }
    }

    async fn import(&self, id: &str) -> StateResponse {
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

/// `KEY|name=cidr,name=cidr`: adopts existing subnets (for example ESML's) under `KEY`.
fn parse_import_id(id: &str) -> Result<(String, BTreeMap<String, String>), String> {
    let usage = "Use `KEY|NAME=CIDR,NAME=CIDR`, for example `project001|genai=10.20.1.0/25,aks=10.20.2.0/26`: \
                 the allocation's key and the subnets it already holds.";
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
