//! Live mode of `aifactory_subnet_allocation`: allocation against a virtual network and
//! the subnets created there.
//!
//! - **plan** reads the vNet (`GET`, api-version [`NETWORK_API`]): its address spaces are the
//!   pool (unless `address_space` narrows it), every subnet this allocation does not own is
//!   occupied. Owned: the subnet IDs in the prior state, plus subnets that already exist
//!   under a requested name, which are adopted with their CIDR (migration from ESML or from
//!   hand-made subnets). Allocations planned earlier in the same Terraform run on the same
//!   vNet count as occupied too, so `for_each` over projects in one workspace does not
//!   plan the same range twice. A vNet that does not exist yet (created in the same apply)
//!   gives unknown results, computed when Terraform re-plans at apply.
//! - **apply** deletes the subnets the plan dropped, then writes each new or changed subnet
//!   (`PUT {vnet}/subnets/{name}`), one write at a time per vNet in this process (an async
//!   mutex keyed by the lowercased vNet ID; across processes Azure answers 409/429 and the
//!   client retries). Right before each PUT the vNet is read again: a planned range that
//!   another subnet took since the plan fails the apply with a message to re-plan, as does
//!   Azure's `NetcfgSubnetRangesOverlap`. On failure the state holds exactly the subnets
//!   that exist.
//! - **read** re-reads the vNet: a subnet deleted behind Terraform's back leaves
//!   `subnet_ids`/`cidrs` (the next plan re-creates it at its allocated range, kept in the
//!   private state); a changed prefix shows as a change back; a configured setting that
//!   differs in Azure (NSG, route table, delegation, service endpoints, private endpoint
//!   policies) is written with its actual value into the request's entry of `subnets`
//!   ([`drift`]), so the plan shows it changing back and the apply rewrites that subnet in
//!   place (same range, same serialized re-read-then-PUT as a create).
//! - **destroy** deletes only the subnets in `subnet_ids`; a subnet still in use gives
//!   Azure's error plus the resources holding it.
//! - **import** `<vnet id>|<key>` adopts the vNet's subnets named `snt-<key>-<purpose>`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use serde_json::{json, Map, Value as Json};

use super::{
    base_state, check_network_id, default_subnet_name, drift, memo, name_prefix, parse_inputs,
    previous as previous_of, push_issues, requests, same_vnet, set_results, SubnetSettings,
    IMPORT_SEPARATOR, IMPORT_USAGE,
};
use crate::context::ProviderContext;
use crate::framework::{
    resource::{ApplyRequest, StateResponse},
    AttrPath, Diagnostic, Diagnostics, PlanRequest, Value,
};
use aifactory_allocator::{self as allocator, Allocation, Cidr, IssueKind, MoveReason, Previous};
use aifactory_azure::{AzureClient, AzureError, Ctx};

/// Microsoft.Network api-version for virtual networks and subnets.
pub(crate) const NETWORK_API: &str = "2024-05-01";
/// Time one apply or destroy may take (subnet writes serialize per vNet).
const OPERATION_TIMEOUT: Duration = Duration::from_secs(60 * 60);
/// Time a read (plan, refresh, import) may take.
const READ_TIMEOUT: Duration = Duration::from_secs(5 * 60);
/// Time the checks after a failure may take.
const CHECK_TIMEOUT: Duration = Duration::from_secs(60);

/// Properties of a subnet Azure computes; never sent back in a PUT.
const READ_ONLY_SUBNET_PROPERTIES: [&str; 8] = [
    "provisioningState",
    "purpose",
    "ipConfigurations",
    "ipConfigurationProfiles",
    "privateEndpoints",
    "resourceNavigationLinks",
    "serviceAssociationLinks",
    "etag",
];

/// The computed attributes of the live mode.
const COMPUTED: [&str; 5] = [
    "cidrs",
    "ipv6_cidrs",
    "allocated_addresses",
    "subnet_ids",
    "virtual_network_address_space",
];

// ---------------------------------------------------------------------------
// The virtual network as Azure shows it
// ---------------------------------------------------------------------------

/// One subnet of the vNet GET.
#[derive(Debug, Clone)]
pub(crate) struct LiveSubnet {
    pub name: String,
    pub prefixes: Vec<Cidr>,
    pub body: Json,
}

impl LiveSubnet {
    pub fn v4(&self) -> Option<String> {
        self.prefixes
            .iter()
            .find(|c| matches!(c, Cidr::V4(_)))
            .map(Cidr::to_string)
    }
    pub fn v6(&self) -> Option<String> {
        self.prefixes
            .iter()
            .find(|c| matches!(c, Cidr::V6(_)))
            .map(Cidr::to_string)
    }
    fn prefixes_text(&self) -> String {
        self.prefixes
            .iter()
            .map(Cidr::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The parts of a virtual network the allocation needs.
#[derive(Debug, Clone, Default)]
pub(crate) struct Vnet {
    pub address_space: Vec<String>,
    pub subnets: Vec<LiveSubnet>,
}

fn prefixes_of(props: Option<&Json>) -> Vec<Cidr> {
    let mut out: Vec<Cidr> = Vec::new();
    let Some(p) = props else { return out };
    let single = p.get("addressPrefix").and_then(Json::as_str);
    let many = p
        .get("addressPrefixes")
        .and_then(Json::as_array)
        .map(|a| a.iter().filter_map(Json::as_str).collect::<Vec<_>>())
        .unwrap_or_default();
    for text in single.into_iter().chain(many) {
        if let Ok(c) = allocator::parse_cidr(text.trim()) {
            if !out.contains(&c) {
                out.push(c);
            }
        }
    }
    out
}

pub(crate) fn parse_vnet(j: &Json) -> Vnet {
    let address_space = j
        .pointer("/properties/addressSpace/addressPrefixes")
        .and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Json::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let subnets = j
        .pointer("/properties/subnets")
        .and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| {
                    let name = s
                        .get("name")
                        .and_then(Json::as_str)
                        .map(str::to_string)
                        .or_else(|| {
                            s.get("id")
                                .and_then(Json::as_str)
                                .and_then(|id| id.rsplit('/').next())
                                .map(str::to_string)
                        })?;
                    Some(LiveSubnet {
                        name,
                        prefixes: prefixes_of(s.get("properties")),
                        body: s.clone(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    Vnet {
        address_space,
        subnets,
    }
}

impl Vnet {
    /// The subnet named `name` (subnet names are case-insensitive).
    pub fn subnet(&self, name: &str) -> Option<&LiveSubnet> {
        self.subnets
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(name))
    }

    fn space(&self) -> Vec<Cidr> {
        self.address_space
            .iter()
            .filter_map(|s| allocator::parse_cidr(s.trim()).ok())
            .collect()
    }

    /// A subnet other than `name` that overlaps `cidr`.
    fn overlapping(&self, name: &str, cidr: &Cidr) -> Option<&LiveSubnet> {
        self.subnets.iter().find(|s| {
            !s.name.eq_ignore_ascii_case(name) && s.prefixes.iter().any(|p| overlap(p, cidr))
        })
    }
}

fn overlap(a: &Cidr, b: &Cidr) -> bool {
    match (a, b) {
        (Cidr::V4(x), Cidr::V4(y)) => x.overlaps(y),
        (Cidr::V6(x), Cidr::V6(y)) => x.overlaps(y),
        _ => false,
    }
}

fn contains(outer: &Cidr, inner: &Cidr) -> bool {
    match (outer, inner) {
        (Cidr::V4(x), Cidr::V4(y)) => x.contains(y),
        (Cidr::V6(x), Cidr::V6(y)) => x.contains(y),
        _ => false,
    }
}

fn last_segment(id: &str) -> &str {
    id.rsplit('/').next().unwrap_or(id)
}

// ---------------------------------------------------------------------------
// Process-wide coordination
// ---------------------------------------------------------------------------

/// The write lock of one vNet in this process: one subnet write (re-read, PUT, wait) at a time.
fn vnet_lock(vnet_id: &str) -> Arc<tokio::sync::Mutex<()>> {
    static LOCKS: OnceLock<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>> = OnceLock::new();
    let mut map = LOCKS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    map.entry(vnet_id.to_ascii_lowercase()).or_default().clone()
}

/// Ranges planned in this provider process (one Terraform run), by vNet and key.
type Reservations = HashMap<String, BTreeMap<String, Vec<String>>>;

fn reservations() -> std::sync::MutexGuard<'static, Reservations> {
    static R: OnceLock<Mutex<Reservations>> = OnceLock::new();
    R.get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

/// (key, cidr) of every range other allocations planned on `vnet_id` in this run.
fn reserved_by_others(vnet_id: &str, key: &str) -> Vec<(String, String)> {
    reservations()
        .get(&vnet_id.to_ascii_lowercase())
        .map(|by_key| {
            by_key
                .iter()
                .filter(|(k, _)| k.as_str() != key)
                .flat_map(|(k, cidrs)| cidrs.iter().map(move |c| (k.clone(), c.clone())))
                .collect()
        })
        .unwrap_or_default()
}

fn reserve(vnet_id: &str, key: &str, a: &Allocation) {
    let cidrs = a
        .ipv4
        .values()
        .map(|c| c.to_string())
        .chain(a.ipv6.values().map(|c| c.to_string()))
        .collect();
    reservations()
        .entry(vnet_id.to_ascii_lowercase())
        .or_default()
        .insert(key.to_string(), cidrs);
}

async fn lock_vnet(
    ctx: &Ctx,
    vnet_id: &str,
) -> Result<tokio::sync::OwnedMutexGuard<()>, AzureError> {
    ctx.run(
        "waiting for another subnet write on the same virtual network",
        vnet_lock(vnet_id).lock_owned(),
    )
    .await
}

// ---------------------------------------------------------------------------
// State helpers
// ---------------------------------------------------------------------------

fn string_map(v: &Value) -> BTreeMap<String, String> {
    v.as_map()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

fn map_value(m: &BTreeMap<String, String>) -> Value {
    Value::object(m.iter().map(|(k, v)| (k.clone(), Value::string(v.clone()))))
}

fn list_value(items: &[String]) -> Value {
    Value::List(items.iter().map(|s| Value::string(s.clone())).collect())
}

fn v4_addresses(cidrs: &BTreeMap<String, String>) -> f64 {
    cidrs
        .values()
        .filter_map(|c| match allocator::parse_cidr(c) {
            Ok(Cidr::V4(c)) => Some(c.addresses()),
            _ => None,
        })
        .sum::<u64>() as f64
}

fn set_unknown(state: &mut Value) {
    for attr in COMPUTED {
        state.set(attr, Value::Unknown);
    }
}

/// The private state: the allocated ranges (what drift is repaired towards) and, in a
/// plan, the memo to drop once applied.
fn private_value(
    ipv4: &BTreeMap<String, String>,
    ipv6: &BTreeMap<String, String>,
    memo_key: Option<&str>,
) -> Value {
    Value::object([
        ("allocated", map_value(ipv4)),
        ("allocated_ipv6", map_value(ipv6)),
        ("memo", memo_key.map_or(Value::Null, Value::string)),
    ])
}

/// The allocated ranges held in private state (falling back to the state's `cidrs`).
fn intended(state: &Value, private: &Value) -> BTreeMap<String, Previous> {
    match private.get("allocated").as_map() {
        Some(_) => {
            let v6 = string_map(private.get("allocated_ipv6"));
            string_map(private.get("allocated"))
                .into_iter()
                .map(|(n, c)| {
                    let ipv6 = v6.get(&n).cloned();
                    (n, Previous { ipv4: c, ipv6 })
                })
                .collect()
        }
        None => previous_of(state),
    }
}

/// Whether the allocation-relevant parts of a configuration are known.
fn allocation_known(config: &Value) -> bool {
    let top = [
        "key",
        "virtual_network_id",
        "address_space",
        "reserved",
        "occupied",
        "strategy",
        "slot",
        "slot_prefix_length",
    ];
    if top.iter().any(|a| !config.get(a).is_wholly_known()) {
        return false;
    }
    let subnets = config.get("subnets");
    match subnets.as_map() {
        None => subnets.is_wholly_known(),
        Some(m) => m.values().all(|r| match r.as_map() {
            None => r.is_wholly_known(),
            Some(f) => ["prefix_length", "min_hosts", "ipv6", "name"]
                .iter()
                .all(|a| f.get(*a).is_none_or(Value::is_wholly_known)),
        }),
    }
}

fn planned_known(planned: &Value) -> bool {
    ["cidrs", "ipv6_cidrs", "subnet_ids"]
        .iter()
        .all(|a| planned.get(a).is_wholly_known() && !planned.get(a).is_null())
}

fn subnets_path(purpose: &str) -> AttrPath {
    AttrPath::attr("subnets").and_key(purpose)
}

/// The message when a planned range is no longer free.
fn taken_since_plan(purpose: &str, name: &str, cidr: &str, by: &str, vnet_id: &str) -> Diagnostic {
    Diagnostic::error(
        subnets_path(purpose),
        format!("The range planned for subnets[{purpose:?}] was taken since the plan"),
        format!(
            "The plan gave subnets[{purpose:?}] (subnet {name}) {cidr}, but {cidr} was taken by {by} since the \
             plan; run terraform plan again. The new plan allocates a free range (another workspace allocated \
             in virtual network {} at the same time); nothing overlapping was created.",
            last_segment(vnet_id)
        ),
    )
}

fn outside_since_plan(purpose: &str, name: &str, cidr: &str, vnet: &Vnet) -> Diagnostic {
    Diagnostic::error(
        subnets_path(purpose),
        format!("The range planned for subnets[{purpose:?}] left the virtual network's address space"),
        format!(
            "The plan gave subnets[{purpose:?}] (subnet {name}) {cidr}, but the virtual network's address space is \
             now {}. Run terraform plan again to allocate inside it.",
            vnet.address_space.join(", ")
        ),
    )
}

fn azure_diag(path: AttrPath, what: &str, e: &AzureError) -> Diagnostic {
    Diagnostic::error(path, format!("{what}: {}", e.summary()), e.detail())
}

// ---------------------------------------------------------------------------
// Plan
// ---------------------------------------------------------------------------

/// Plan against the live vNet: the planned state and the private state.
pub(super) async fn plan(
    ctx: &ProviderContext,
    req: &PlanRequest,
    diags: &mut Diagnostics,
) -> (Value, Value) {
    let config = &req.config;
    let mut state = base_state(config);
    if !allocation_known(config) {
        set_unknown(&mut state);
        return (state, Value::Null);
    }
    let mut local = Diagnostics::new();
    let mut inp = parse_inputs(config, true, &mut local);
    let vnet_id = config
        .get("virtual_network_id")
        .as_str()
        .unwrap_or_default()
        .to_string();
    if let Some(why) = check_network_id(&vnet_id, "virtualNetworks") {
        local.error(
            AttrPath::attr("virtual_network_id"),
            "Invalid virtual_network_id",
            why,
        );
    }
    let failed = local.has_errors();
    diags.extend(local);
    if failed {
        set_unknown(&mut state);
        return (state, Value::Null);
    }
    state.set("strategy", Value::string(inp.strategy_name.clone()));
    let client = match ctx.azure() {
        Ok(c) => c,
        Err(d) => {
            diags.push(d);
            set_unknown(&mut state);
            return (state, Value::Null);
        }
    };
    let rctx = ctx.request_ctx(READ_TIMEOUT);
    let vnet = match client.arm().get_opt(&rctx, &vnet_id, NETWORK_API).await {
        Ok(Some(j)) => parse_vnet(&j),
        Ok(None) => {
            // Created later in this apply: allocate when Terraform re-plans at apply time.
            tracing::debug!(vnet = %vnet_id, "virtual network not found at plan time; results unknown");
            set_unknown(&mut state);
            return (state, Value::Null);
        }
        Err(e) => {
            diags.push(Diagnostic::error(
                AttrPath::attr("virtual_network_id"),
                format!("Cannot read the virtual network: {}", e.summary()),
                format!(
                    "{}\n\nCheck `virtual_network_id` and that the provider's principal may read the virtual network \
                     (for example Network Contributor on it).",
                    e.detail()
                ),
            ));
            set_unknown(&mut state);
            return (state, Value::Null);
        }
    };
    match allocate_live(
        &vnet_id,
        &vnet,
        &mut inp,
        &req.prior,
        &req.prior_private,
        diags,
    ) {
        Some(p) => {
            set_results(&mut state, &p.allocation);
            state.set("subnet_ids", map_value(&p.ids));
            state.set(
                "virtual_network_address_space",
                list_value(&vnet.address_space),
            );
            let private = private_value(
                &string_map(state.get("cidrs")),
                &string_map(state.get("ipv6_cidrs")),
                p.memo.as_deref(),
            );
            (state, private)
        }
        None => {
            set_unknown(&mut state);
            (state, Value::Null)
        }
    }
}

/// A successful live allocation.
struct LivePlan {
    allocation: Allocation,
    /// Purpose -> subnet ID.
    ids: BTreeMap<String, String>,
    memo: Option<String>,
}

/// Who holds the occupied ranges of the vNet (for checks and messages).
#[derive(Default)]
struct Occupants {
    by_cidr: BTreeMap<String, String>,
    list: Vec<(Cidr, String)>,
}

impl Occupants {
    /// Who overlaps either range of `prev`, if anyone.
    fn taking(&self, prev: &Previous) -> Option<String> {
        std::iter::once(&prev.ipv4)
            .chain(prev.ipv6.as_ref())
            .filter_map(|t| allocator::parse_cidr(t).ok())
            .find_map(|c| {
                self.list
                    .iter()
                    .find(|(o, _)| overlap(o, &c))
                    .map(|(_, by)| by.clone())
            })
    }

    fn name(&self, cidr: &str) -> String {
        self.by_cidr
            .get(cidr)
            .cloned()
            .unwrap_or_else(|| format!("the occupied range {cidr}"))
    }
}

fn allocate_live(
    vnet_id: &str,
    vnet: &Vnet,
    inp: &mut super::Inputs,
    prior: &Value,
    prior_private: &Value,
    diags: &mut Diagnostics,
) -> Option<LivePlan> {
    let same = !prior.is_null()
        && prior.get("key").as_str() == Some(inp.key.as_str())
        && same_vnet(prior.get("virtual_network_id"), &Value::string(vnet_id));
    let prior_ids = if same {
        string_map(prior.get("subnet_ids"))
    } else {
        BTreeMap::new()
    };
    let held = if same {
        intended(prior, prior_private)
    } else {
        BTreeMap::new()
    };
    let names: BTreeMap<String, String> = inp
        .input
        .requests
        .keys()
        .map(|p| {
            let n = inp
                .settings
                .get(p)
                .and_then(|s| s.name.clone())
                .unwrap_or_else(|| default_subnet_name(&inp.key, p));
            (p.clone(), n)
        })
        .collect();
    // Default names must be valid and no two requests may name the same subnet.
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for (p, n) in &names {
        let explicit = inp.settings.get(p).is_some_and(|s| s.name.is_some());
        if !explicit {
            if let Some(why) = super::check_subnet_name(n) {
                diags.error(
                    subnets_path(p),
                    format!("The default subnet name {n:?} is not valid"),
                    format!(
                        "{why} The default is snt-<key>-<purpose>; set subnets[{p:?}].name, or use a purpose and key \
                         made of letters, digits, `_`, `.` and `-`."
                    ),
                );
            }
        }
        if let Some(other) = seen.insert(n.to_ascii_lowercase(), p) {
            diags.error(
                subnets_path(p),
                format!("Subnet name {n:?} is used by two requests"),
                format!(
                    "subnets[{other:?}] and subnets[{p:?}] both name their subnet {n:?} (one by default, \
                     snt-<key>-<purpose>). Set a different `name` on one of them."
                ),
            );
        }
    }
    if diags.has_errors() {
        return None;
    }

    // Ranges kept from state, and subnets adopted by name.
    let mut from_state: BTreeMap<String, Previous> = BTreeMap::new();
    let mut adopted: BTreeMap<String, Previous> = BTreeMap::new();
    for (p, name) in &names {
        let existing = vnet.subnet(name);
        let same_name = prior_ids
            .get(p)
            .is_some_and(|id| last_segment(id).eq_ignore_ascii_case(name));
        match (held.get(p), existing) {
            (Some(h), _) if same_name || existing.is_none() => {
                from_state.insert(p.clone(), h.clone());
            }
            (_, Some(e)) => {
                if let Some(ipv4) = e.v4() {
                    adopted.insert(p.clone(), Previous { ipv4, ipv6: e.v6() });
                }
            }
            _ => {}
        }
    }

    // The memo key: everything but the vNet's contents.
    inp.input.previous = from_state.clone();
    let fresh: BTreeSet<String> = inp
        .input
        .requests
        .keys()
        .filter(|p| !from_state.contains_key(*p))
        .cloned()
        .collect();
    let memo_key = (!fresh.is_empty())
        .then(|| memo::key(vnet_id, &inp.key, &inp.input))
        .flatten();

    // Pool: the vNet's address space, or `address_space` inside it.
    let space = vnet.space();
    if inp.input.pool.is_empty() {
        if vnet.address_space.is_empty() {
            diags.error(
                AttrPath::attr("virtual_network_id"),
                "The virtual network has no address space",
                format!("{vnet_id} has no address prefixes; add one to the virtual network, then plan again."),
            );
            return None;
        }
        inp.input.pool = vnet.address_space.clone();
    } else {
        let mut outside = false;
        for (i, text) in inp.input.pool.iter().enumerate() {
            if let Ok(c) = allocator::parse_cidr(text) {
                if !space.iter().any(|s| contains(s, &c)) {
                    outside = true;
                    diags.error(
                        AttrPath::attr("address_space").and_index(i),
                        format!("{text} is not inside the virtual network's address space"),
                        format!(
                            "address_space[{i}] = {text} must lie inside the address space of {} ({}). Remove \
                             `address_space` to use the whole virtual network, or give ranges inside it.",
                            last_segment(vnet_id),
                            vnet.address_space.join(", ")
                        ),
                    );
                }
            }
        }
        if outside {
            return None;
        }
    }

    // Occupied: what the user listed, the subnets this allocation does not own, and the
    // ranges other allocations planned on this vNet in this run.
    let owned: BTreeSet<String> = prior_ids
        .values()
        .map(|id| last_segment(id).to_ascii_lowercase())
        .chain(names.values().map(|n| n.to_ascii_lowercase()))
        .collect();
    let user_occupied = inp.input.occupied.len();
    let mut occupants = Occupants::default();
    for s in &vnet.subnets {
        if owned.contains(&s.name.to_ascii_lowercase()) {
            continue;
        }
        for c in &s.prefixes {
            let text = c.to_string();
            occupants
                .by_cidr
                .insert(text.clone(), format!("subnet {} ({text})", s.name));
            occupants
                .list
                .push((*c, format!("subnet {} ({})", s.name, s.prefixes_text())));
            inp.input.occupied.push(text);
        }
    }
    for (k, c) in reserved_by_others(vnet_id, &inp.key) {
        if occupants.by_cidr.contains_key(&c) {
            continue;
        }
        let by = format!("allocation {k:?} planned in this run ({c})");
        if let Ok(parsed) = allocator::parse_cidr(&c) {
            occupants.list.push((parsed, by.clone()));
        }
        occupants.by_cidr.insert(c.clone(), by);
        inp.input.occupied.push(c);
    }
    let extra = |issue: &allocator::Issue| match issue.path.0.as_slice() {
        [crate::framework::diag::Step::Attr(a), crate::framework::diag::Step::Index(i)] => {
            a == "occupied" && *i >= user_occupied
        }
        _ => false,
    };

    // A range kept from state that another subnet now overlaps (even exactly: in a live
    // vNet an equal range is someone else's subnet, not this one) has to move.
    let mut displaced: Vec<(String, String, String)> = Vec::new();
    for (p, prev) in &from_state {
        if let Some(by) = occupants.taking(prev) {
            displaced.push((p.clone(), prev.ipv4.clone(), by));
            inp.input.previous.remove(p);
        }
    }

    // A plan made earlier with the same inputs: the same answer while its ranges are free.
    let mut result = None;
    if let Some(m) = memo_key.as_deref().and_then(memo::load) {
        let recorded: Vec<(String, Previous)> = m
            .previous()
            .into_iter()
            .filter(|(p, _)| fresh.contains(p))
            .collect();
        let mut taken = Vec::new();
        for (p, prev) in &recorded {
            if let Some(by) = occupants.taking(prev) {
                let name = names.get(p).cloned().unwrap_or_default();
                taken.push(taken_since_plan(p, &name, &prev.ipv4, &by, vnet_id));
            }
        }
        let mut test = inp.input.clone();
        test.previous.extend(recorded);
        if taken.is_empty() {
            if let Ok(a) = allocator::allocate(&test) {
                for mv in a.moves.iter().filter(|mv| fresh.contains(&mv.name)) {
                    let name = names.get(&mv.name).cloned().unwrap_or_default();
                    let by = match &mv.kind {
                        MoveReason::OverlapsOccupied { cidr } => occupants.name(cidr),
                        MoveReason::OverlapsReserved { cidr } => {
                            format!("the reserved range {cidr}")
                        }
                        other => other.to_string(),
                    };
                    taken.push(taken_since_plan(&mv.name, &name, &mv.from, &by, vnet_id));
                }
                if taken.is_empty() {
                    result = Some(Ok(a));
                }
            }
        }
        if !taken.is_empty() {
            diags.extend(taken);
            if let Some(k) = &memo_key {
                memo::forget(k);
            }
            return None;
        }
    }
    // Adopted subnets keep their ranges (unless their size changed).
    if result.is_none() {
        let mut input = inp.input.clone();
        for (p, prev) in &adopted {
            input
                .previous
                .entry(p.clone())
                .or_insert_with(|| prev.clone());
        }
        result = Some(allocator::allocate(&input));
    }
    let allocation = match result {
        Some(Ok(a)) => a,
        Some(Err(issues)) => {
            let kept: Vec<allocator::Issue> = issues.into_iter().filter(|i| !extra(i)).collect();
            push_issues(diags, &kept);
            return None;
        }
        None => return None,
    };
    for (p, from, by) in &displaced {
        let to = allocation
            .ipv4
            .get(p)
            .map(ToString::to_string)
            .unwrap_or_default();
        diags.warning(
            subnets_path(p),
            format!("Subnet {p:?} moves from {from} to {to}: {by} now overlaps it"),
            format!(
                "subnets[{p:?}] was {from}, but {by} in the virtual network overlaps it (the subnet of this \
                 allocation was deleted and the range reused), so it was re-allocated to {to}. To keep {from}, \
                 remove or move {by}."
            ),
        );
    }
    for w in allocation.warnings.iter().filter(|w| !extra(w)) {
        match &w.kind {
            IssueKind::Moved {
                name,
                from,
                to,
                reason: MoveReason::OverlapsOccupied { cidr },
                ..
            } if occupants.by_cidr.contains_key(cidr) => {
                let by = occupants.name(cidr);
                diags.warning(
                    w.path.clone(),
                    format!("Subnet {name:?} moves from {from} to {to}: {by} now overlaps it"),
                    format!(
                        "{} was {from}, but {by} in the virtual network overlaps it, so it was re-allocated to {to}. \
                         Azure can only change the range of an empty subnet; to keep {from}, remove or move {by}.",
                        w.path
                    ),
                );
            }
            _ => push_issues(diags, std::slice::from_ref(w)),
        }
    }
    if let Some(k) = &memo_key {
        memo::store(k, &allocation);
    }
    reserve(vnet_id, &inp.key, &allocation);
    let ids = names
        .iter()
        .map(|(p, name)| {
            let id = match prior_ids.get(p) {
                Some(id) if last_segment(id).eq_ignore_ascii_case(name) => id.clone(),
                _ => match vnet.subnet(name) {
                    Some(s) => format!("{vnet_id}/subnets/{}", s.name),
                    None => format!("{vnet_id}/subnets/{name}"),
                },
            };
            (p.clone(), id)
        })
        .collect();
    tracing::debug!(
        key = %inp.key,
        vnet = %vnet_id,
        requests = inp.input.requests.len(),
        kept = from_state.len(),
        adopted = adopted.len(),
        occupied = inp.input.occupied.len(),
        "live subnet allocation computed"
    );
    Some(LivePlan {
        allocation,
        ids,
        memo: memo_key,
    })
}

// ---------------------------------------------------------------------------
// Subnet bodies
// ---------------------------------------------------------------------------

/// The PUT body of a subnet: the existing subnet's writable properties (a subnet PUT
/// replaces the whole subnet) with the allocated range and the managed settings applied.
pub(crate) fn subnet_body(
    existing: Option<&Json>,
    v4: &str,
    v6: Option<&str>,
    s: &SubnetSettings,
) -> Json {
    let mut props: Map<String, Json> = existing
        .and_then(|e| e.get("properties"))
        .and_then(Json::as_object)
        .cloned()
        .unwrap_or_default();
    for k in READ_ONLY_SUBNET_PROPERTIES {
        props.remove(k);
    }
    match v6 {
        Some(v6) => {
            props.remove("addressPrefix");
            props.insert("addressPrefixes".into(), json!([v4, v6]));
        }
        None => {
            props.remove("addressPrefixes");
            props.insert("addressPrefix".into(), json!(v4));
        }
    }
    let mut reference = |key: &str, id: &Option<String>| match id.as_deref() {
        None => {}
        Some("") => {
            props.remove(key);
        }
        Some(id) => {
            props.insert(key.into(), json!({ "id": id }));
        }
    };
    reference("networkSecurityGroup", &s.network_security_group_id);
    reference("routeTable", &s.route_table_id);
    match s.delegation.as_deref() {
        None => {}
        Some("") => {
            props.insert("delegations".into(), json!([]));
        }
        Some(service) => {
            let name = props
                .get("delegations")
                .and_then(Json::as_array)
                .and_then(|a| {
                    a.iter().find(|d| {
                        d.pointer("/properties/serviceName")
                            .and_then(Json::as_str)
                            .is_some_and(|n| n.eq_ignore_ascii_case(service))
                    })
                })
                .and_then(|d| d.get("name"))
                .and_then(Json::as_str)
                .unwrap_or("delegation")
                .to_string();
            props.insert(
                "delegations".into(),
                json!([{ "name": name, "properties": { "serviceName": service } }]),
            );
        }
    }
    if let Some(list) = &s.service_endpoints {
        let current: Vec<Json> = props
            .get("serviceEndpoints")
            .and_then(Json::as_array)
            .cloned()
            .unwrap_or_default();
        let endpoints: Vec<Json> = list
            .iter()
            .map(|svc| {
                let locations = current
                    .iter()
                    .find(|e| {
                        e.get("service")
                            .and_then(Json::as_str)
                            .is_some_and(|x| x.eq_ignore_ascii_case(svc))
                    })
                    .and_then(|e| e.get("locations"))
                    .cloned();
                match locations {
                    Some(l) => json!({ "service": svc, "locations": l }),
                    None => json!({ "service": svc }),
                }
            })
            .collect();
        props.insert("serviceEndpoints".into(), Json::Array(endpoints));
    }
    if let Some(p) = &s.private_endpoint_network_policies {
        props.insert("privateEndpointNetworkPolicies".into(), json!(p));
    }
    json!({ "properties": props })
}

// ---------------------------------------------------------------------------
// Apply
// ---------------------------------------------------------------------------

/// One subnet as planned.
#[derive(Debug, Clone)]
struct Desired {
    name: String,
    id: String,
    v4: String,
    v6: Option<String>,
    settings: SubnetSettings,
}

/// The subnets that exist and are tracked, as an apply goes along.
#[derive(Debug, Clone, Default)]
struct Tracked {
    ids: BTreeMap<String, String>,
    v4: BTreeMap<String, String>,
    v6: BTreeMap<String, String>,
}

impl Tracked {
    fn from_state(state: &Value) -> Tracked {
        Tracked {
            ids: string_map(state.get("subnet_ids")),
            v4: string_map(state.get("cidrs")),
            v6: string_map(state.get("ipv6_cidrs")),
        }
    }
    fn remove(&mut self, p: &str) {
        self.ids.remove(p);
        self.v4.remove(p);
        self.v6.remove(p);
    }
    fn set(&mut self, p: &str, id: &str, v4: Option<String>, v6: Option<String>) {
        self.ids.insert(p.to_string(), id.to_string());
        match v4 {
            Some(c) => self.v4.insert(p.to_string(), c),
            None => self.v4.remove(p),
        };
        match v6 {
            Some(c) => self.v6.insert(p.to_string(), c),
            None => self.v6.remove(p),
        };
    }
    fn into_state(self, mut base: Value, vnet_space: Option<Vec<String>>) -> Value {
        base.set("allocated_addresses", Value::Number(v4_addresses(&self.v4)));
        base.set("cidrs", map_value(&self.v4));
        base.set("ipv6_cidrs", map_value(&self.v6));
        base.set("subnet_ids", map_value(&self.ids));
        if let Some(space) = vnet_space {
            base.set("virtual_network_address_space", list_value(&space));
        }
        base
    }
}

/// Why a subnet write failed, and whether the subnet exists now.
struct WriteFailure {
    diag: Diagnostic,
    /// Some((v4, v6)): the subnet exists with these prefixes.
    exists: Option<(Option<String>, Option<String>)>,
    /// A planned range was taken: the plan's memo is stale.
    taken: bool,
}

pub(super) async fn apply(ctx: &ProviderContext, req: ApplyRequest) -> StateResponse {
    let mut diags = Diagnostics::new();
    let (planned, planned_private) = if planned_known(&req.planned) {
        (req.planned.clone(), req.planned_private.clone())
    } else {
        // Unknown at plan time and not resolved by Terraform's re-plan: allocate now.
        let (p, private) = plan(
            ctx,
            &PlanRequest {
                prior: req.prior.clone(),
                proposed: req.config.clone(),
                config: req.config.clone(),
                prior_private: Value::Null,
            },
            &mut diags,
        )
        .await;
        if !diags.has_errors() && !planned_known(&p) {
            diags.error(
                AttrPath::attr("virtual_network_id"),
                "The virtual network does not exist",
                format!(
                    "{} was not found. Create it first (reference it, for example `virtual_network_id = \
                     aifactory_arm_resource.vnet.id`, so Terraform orders the two), or fix `virtual_network_id`.",
                    req.config.get("virtual_network_id").as_str().unwrap_or_default()
                ),
            );
        }
        if diags.has_errors() {
            return failed_state(req.prior, diags);
        }
        (p, private)
    };
    let client = match ctx.azure() {
        Ok(c) => c,
        Err(d) => {
            diags.push(d);
            return failed_state(req.prior, diags);
        }
    };
    let vnet_id = planned
        .get("virtual_network_id")
        .as_str()
        .unwrap_or_default()
        .to_string();
    let rctx = ctx.request_ctx(OPERATION_TIMEOUT);
    let same = !req.prior.is_null()
        && same_vnet(
            req.prior.get("virtual_network_id"),
            planned.get("virtual_network_id"),
        );
    let prior = if same { req.prior.clone() } else { Value::Null };
    let mut scratch = Diagnostics::new();
    let prior_settings: BTreeMap<String, SubnetSettings> = if prior.get("subnets").is_null() {
        BTreeMap::new()
    } else {
        requests(prior.get("subnets"), true, &mut scratch)
            .into_iter()
            .map(|(p, r)| (p, r.settings))
            .collect()
    };
    let planned_settings: BTreeMap<String, SubnetSettings> =
        requests(planned.get("subnets"), true, &mut scratch)
            .into_iter()
            .map(|(p, r)| (p, r.settings))
            .collect();
    let v4 = string_map(planned.get("cidrs"));
    let v6 = string_map(planned.get("ipv6_cidrs"));
    let desired: BTreeMap<String, Desired> = string_map(planned.get("subnet_ids"))
        .into_iter()
        .filter_map(|(p, id)| {
            let cidr = v4.get(&p)?.clone();
            Some((
                p.clone(),
                Desired {
                    name: last_segment(&id).to_string(),
                    id,
                    v4: cidr,
                    v6: v6.get(&p).cloned(),
                    settings: planned_settings.get(&p).cloned().unwrap_or_default(),
                },
            ))
        })
        .collect();
    let prior_ids = string_map(prior.get("subnet_ids"));
    let mut tracked = Tracked::from_state(&prior);
    let mut failed = false;
    let mut taken = false;

    // 1. Delete owned subnets the plan no longer has (purpose removed, or renamed).
    for (p, id) in &prior_ids {
        if desired
            .get(p)
            .is_some_and(|d| d.id.eq_ignore_ascii_case(id))
        {
            continue;
        }
        match delete_subnet(ctx, client, &rctx, &vnet_id, p, id).await {
            Ok(()) => tracked.remove(p),
            Err(d) => {
                diags.push(d);
                failed = true;
                break;
            }
        }
    }

    // 2. Write new and changed subnets; one that moves into a range another of ours still
    // holds goes after it.
    if !failed {
        let mut order: Vec<(&String, &Desired)> = desired.iter().collect();
        let holds_other = |p: &str, d: &Desired| {
            let Ok(mine) = allocator::parse_cidr(&d.v4) else {
                return false;
            };
            tracked
                .v4
                .iter()
                .any(|(q, c)| q != p && allocator::parse_cidr(c).is_ok_and(|c| overlap(&c, &mine)))
        };
        order.sort_by_key(|(p, d)| (holds_other(p, d), (*p).clone()));
        for (p, d) in order {
            let unchanged = tracked
                .ids
                .get(p)
                .is_some_and(|id| id.eq_ignore_ascii_case(&d.id))
                && tracked.v4.get(p) == Some(&d.v4)
                && tracked.v6.get(p) == d.v6.as_ref()
                && prior_settings.get(p) == Some(&d.settings);
            if unchanged {
                continue;
            }
            match write_subnet(ctx, client, &rctx, &vnet_id, p, d).await {
                Ok(()) => tracked.set(p, &d.id, Some(d.v4.clone()), d.v6.clone()),
                Err(f) => {
                    diags.push(f.diag);
                    if let Some((a4, a6)) = f.exists {
                        tracked.set(p, &d.id, a4, a6);
                    }
                    taken = f.taken;
                    failed = true;
                    break;
                }
            }
        }
    }

    let memo_key = planned_private.get("memo").as_str().map(str::to_string);
    if !failed {
        if let Some(k) = &memo_key {
            memo::forget(k);
        }
        let private = private_value(&v4, &v6, None);
        return StateResponse {
            state: planned,
            private,
            diags,
        };
    }
    if taken {
        if let Some(k) = &memo_key {
            memo::forget(k);
        }
    }
    if req.prior.is_null() && tracked.ids.is_empty() {
        // Nothing was created: no object to record (and none to taint).
        return StateResponse {
            state: Value::Null,
            private: Value::Null,
            diags,
        };
    }
    // What exists, with the settings last written where they were not rewritten: the
    // prior's `subnets` (so the next apply writes the rest), or the planned ones on create.
    let mut base = planned.clone();
    if !prior.is_null() {
        base.set("subnets", prior.get("subnets").clone());
    }
    let state = tracked.into_state(base, None);
    let private = private_value(
        &string_map(state.get("cidrs")),
        &string_map(state.get("ipv6_cidrs")),
        None,
    );
    StateResponse {
        state,
        private,
        diags,
    }
}

fn failed_state(prior: Value, diags: Diagnostics) -> StateResponse {
    let private = if prior.is_null() {
        Value::Null
    } else {
        private_value(
            &string_map(prior.get("cidrs")),
            &string_map(prior.get("ipv6_cidrs")),
            None,
        )
    };
    StateResponse {
        state: prior,
        private,
        diags,
    }
}

/// Re-read the vNet, check the planned ranges are still free, PUT the subnet and wait.
async fn write_subnet(
    ctx: &ProviderContext,
    client: &AzureClient,
    rctx: &Ctx,
    vnet_id: &str,
    purpose: &str,
    d: &Desired,
) -> Result<(), WriteFailure> {
    let what = format!("Writing subnet {} for subnets[{purpose:?}]", d.name);
    let fail = |diag: Diagnostic, taken: bool| WriteFailure {
        diag,
        exists: None,
        taken,
    };
    let _guard = lock_vnet(rctx, vnet_id)
        .await
        .map_err(|e| fail(azure_diag(subnets_path(purpose), &what, &e), false))?;
    let vnet = match client.arm().get_opt(rctx, vnet_id, NETWORK_API).await {
        Ok(Some(j)) => parse_vnet(&j),
        Ok(None) => {
            return Err(fail(
                Diagnostic::error(
                    AttrPath::attr("virtual_network_id"),
                    "The virtual network no longer exists",
                    format!("{vnet_id} was deleted since the plan. Restore it or change `virtual_network_id`, then plan again."),
                ),
                false,
            ))
        }
        Err(e) => return Err(fail(azure_diag(subnets_path(purpose), &what, &e), false)),
    };
    let space = vnet.space();
    for text in std::iter::once(&d.v4).chain(d.v6.as_ref()) {
        let Ok(cidr) = allocator::parse_cidr(text) else {
            continue;
        };
        if let Some(other) = vnet.overlapping(&d.name, &cidr) {
            let by = format!("subnet {} ({})", other.name, other.prefixes_text());
            return Err(fail(
                taken_since_plan(purpose, &d.name, text, &by, vnet_id),
                true,
            ));
        }
        if !space.iter().any(|s| contains(s, &cidr)) {
            return Err(fail(
                outside_since_plan(purpose, &d.name, text, &vnet),
                true,
            ));
        }
    }
    let existing = vnet.subnet(&d.name).map(|s| &s.body);
    let body = subnet_body(existing, &d.v4, d.v6.as_deref(), &d.settings);
    tracing::debug!(subnet = %d.id, prefix = %d.v4, "writing subnet");
    match client.arm().put(rctx, &d.id, NETWORK_API, &body).await {
        Ok(_) => Ok(()),
        Err(e) => {
            let check = ctx.request_ctx(CHECK_TIMEOUT);
            let (diag, taken) = match e.code() {
                Some("NetcfgSubnetRangesOverlap") => {
                    let by = match client.arm().get_opt(&check, vnet_id, NETWORK_API).await {
                        Ok(Some(j)) => {
                            let now = parse_vnet(&j);
                            allocator::parse_cidr(&d.v4).ok().and_then(|c| {
                                now.overlapping(&d.name, &c)
                                    .map(|o| format!("subnet {} ({})", o.name, o.prefixes_text()))
                            })
                        }
                        _ => None,
                    }
                    .unwrap_or_else(|| "another subnet".to_string());
                    let mut diag = taken_since_plan(purpose, &d.name, &d.v4, &by, vnet_id);
                    diag.detail
                        .push_str(&format!("\n\nAzure said: {}", e.detail()));
                    (diag, true)
                }
                Some("NetcfgSubnetRangeOutsideVnet") => {
                    let mut diag = outside_since_plan(purpose, &d.name, &d.v4, &vnet);
                    diag.detail
                        .push_str(&format!("\n\nAzure said: {}", e.detail()));
                    (diag, true)
                }
                _ => (azure_diag(subnets_path(purpose), &what, &e), false),
            };
            // Nothing untracked: a failed or interrupted operation may have created it.
            let exists = match client.arm().get_opt(&check, &d.id, NETWORK_API).await {
                Ok(Some(j)) => {
                    let p = prefixes_of(j.get("properties"));
                    let s = LiveSubnet {
                        name: d.name.clone(),
                        prefixes: p,
                        body: j,
                    };
                    Some((s.v4(), s.v6()))
                }
                Ok(None) => None,
                Err(_) => Some((Some(d.v4.clone()), d.v6.clone())),
            };
            Err(WriteFailure {
                diag,
                exists,
                taken,
            })
        }
    }
}

/// Resources that hold a subnet, from its GET.
fn holders(subnet: &Json) -> Vec<String> {
    let mut out = Vec::new();
    let props = subnet.get("properties");
    for (list, pointer) in [
        ("privateEndpoints", "/id"),
        ("ipConfigurations", "/id"),
        ("serviceAssociationLinks", "/properties/link"),
        ("resourceNavigationLinks", "/properties/link"),
    ] {
        if let Some(items) = props.and_then(|p| p.get(list)).and_then(Json::as_array) {
            for i in items {
                if let Some(id) = i.pointer(pointer).and_then(Json::as_str) {
                    if !out.iter().any(|x: &String| x.eq_ignore_ascii_case(id)) {
                        out.push(id.to_string());
                    }
                }
            }
        }
    }
    out
}

/// The holder Azure names in an `InUseSubnetCannotBeDeleted` message ("... is in use by X and ...").
fn holder_in_message(message: &str) -> Option<String> {
    let rest = message.split(" in use by ").nth(1)?;
    let id = rest.split_whitespace().next()?;
    Some(id.trim_end_matches(['.', ',']).to_string())
}

/// Delete one owned subnet (under the vNet's write lock).
async fn delete_subnet(
    ctx: &ProviderContext,
    client: &AzureClient,
    rctx: &Ctx,
    vnet_id: &str,
    purpose: &str,
    id: &str,
) -> Result<(), Diagnostic> {
    let name = last_segment(id).to_string();
    let what = format!("Deleting subnet {name} (subnets[{purpose:?}])");
    let path = subnets_path(purpose);
    let _guard = lock_vnet(rctx, vnet_id)
        .await
        .map_err(|e| azure_diag(path.clone(), &what, &e))?;
    tracing::debug!(subnet = %id, "deleting subnet");
    match client.arm().delete(rctx, id, NETWORK_API).await {
        Ok(()) => Ok(()),
        Err(e) if e.code() == Some("InUseSubnetCannotBeDeleted") => {
            let check = ctx.request_ctx(CHECK_TIMEOUT);
            let mut held = match client.arm().get_opt(&check, id, NETWORK_API).await {
                Ok(Some(j)) => holders(&j),
                _ => Vec::new(),
            };
            if held.is_empty() {
                let message = e.api().map(|a| a.message.clone()).unwrap_or_default();
                held.extend(holder_in_message(&message));
            }
            let list = if held.is_empty() {
                "(Azure did not say which resources)".to_string()
            } else {
                held.iter()
                    .map(|h| format!("- {h}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            Err(Diagnostic::error(
                path,
                format!("Subnet {name} is in use and cannot be deleted"),
                format!(
                    "Azure refused to delete subnet {name} (subnets[{purpose:?}]) of virtual network {} \
                     (InUseSubnetCannotBeDeleted). It is held by:\n{list}\n\nDelete these resources, or move them \
                     to another subnet, then run terraform apply again.\n\n{}",
                    last_segment(vnet_id),
                    e.detail()
                ),
            ))
        }
        Err(e) => Err(azure_diag(path, &what, &e)),
    }
}

/// Delete every subnet the allocation owns.
pub(super) async fn destroy(ctx: &ProviderContext, prior: Value) -> StateResponse {
    let mut diags = Diagnostics::new();
    let client = match ctx.azure() {
        Ok(c) => c,
        Err(d) => {
            diags.push(d);
            return StateResponse {
                state: prior,
                private: Value::Null,
                diags,
            };
        }
    };
    let vnet_id = prior
        .get("virtual_network_id")
        .as_str()
        .unwrap_or_default()
        .to_string();
    let rctx = ctx.request_ctx(OPERATION_TIMEOUT);
    for (p, id) in string_map(prior.get("subnet_ids")) {
        if let Err(d) = delete_subnet(ctx, client, &rctx, &vnet_id, &p, &id).await {
            diags.push(d);
        }
    }
    if diags.has_errors() {
        StateResponse {
            state: prior,
            private: Value::Null,
            diags,
        }
    } else {
        StateResponse::default()
    }
}

// ---------------------------------------------------------------------------
// Read and import
// ---------------------------------------------------------------------------

/// Refresh: the owned subnets as they are now.
pub(super) async fn read(ctx: &ProviderContext, state: Value, private: Value) -> StateResponse {
    let mut diags = Diagnostics::new();
    let client = match ctx.azure() {
        Ok(c) => c,
        Err(d) => {
            diags.push(d);
            return StateResponse {
                state,
                private,
                diags,
            };
        }
    };
    let vnet_id = state
        .get("virtual_network_id")
        .as_str()
        .unwrap_or_default()
        .to_string();
    let rctx = ctx.request_ctx(READ_TIMEOUT);
    let vnet = match client.arm().get_opt(&rctx, &vnet_id, NETWORK_API).await {
        Ok(Some(j)) => parse_vnet(&j),
        Ok(None) => {
            // The vNet and every subnet in it are gone.
            return StateResponse::default();
        }
        Err(e) => {
            diags.push(azure_diag(
                AttrPath::attr("virtual_network_id"),
                "Reading the virtual network",
                &e,
            ));
            return StateResponse {
                state,
                private,
                diags,
            };
        }
    };
    let before = Tracked::from_state(&state);
    let mut now = Tracked::default();
    let mut bodies: BTreeMap<String, &Json> = BTreeMap::new();
    for (p, id) in &before.ids {
        let Some(s) = vnet.subnet(last_segment(id)) else {
            continue;
        };
        let v4 = s.v4().or_else(|| before.v4.get(p).cloned());
        now.set(p, id, v4, s.v6());
        bodies.insert(p.clone(), &s.body);
    }
    // Settings changed behind Terraform's back: the actual values go into the request's
    // entry of `subnets`, so the next plan shows them changing back (in place).
    let mut state = state;
    if let Some((subnets, drifted)) = drift::with_actual_settings(state.get("subnets"), &bodies) {
        for (p, attr, actual) in &drifted {
            tracing::info!(
                purpose = %p,
                attribute = %attr,
                actual = %actual,
                "subnet setting changed outside Terraform"
            );
        }
        state.set("subnets", subnets);
    }
    let state = now.into_state(state, Some(vnet.address_space.clone()));
    StateResponse {
        state,
        private,
        diags,
    }
}

/// `<vnet id>|<key>`: `Some` when the ID has that form (the key, or why it is invalid).
pub(super) fn parse_import_id(id: &str) -> Option<(&str, Result<String, String>)> {
    if !id
        .get(..15)
        .is_some_and(|p| p.eq_ignore_ascii_case("/subscriptions/"))
    {
        return None;
    }
    let Some((vnet, key)) = id.rsplit_once(IMPORT_SEPARATOR) else {
        return Some((
            id,
            Err(format!("{id:?} has no `|` before the key. {IMPORT_USAGE}")),
        ));
    };
    if let Some(why) = check_network_id(vnet, "virtualNetworks") {
        return Some((vnet, Err(format!("{why} {IMPORT_USAGE}"))));
    }
    let key = key.trim();
    if key.is_empty() {
        return Some((
            vnet,
            Err(format!("The key after `|` is empty. {IMPORT_USAGE}")),
        ));
    }
    Some((vnet, Ok(key.to_string())))
}

/// Adopt the vNet's subnets named `snt-<key>-<purpose>`.
pub(super) async fn import(ctx: &ProviderContext, vnet_id: &str, key: &str) -> StateResponse {
    let mut diags = Diagnostics::new();
    let fail = |diags: Diagnostics| StateResponse {
        state: Value::Null,
        private: Value::Null,
        diags,
    };
    let client = match ctx.azure() {
        Ok(c) => c,
        Err(d) => {
            diags.push(d);
            return fail(diags);
        }
    };
    let rctx = ctx.request_ctx(READ_TIMEOUT);
    let vnet = match client.arm().get_opt(&rctx, vnet_id, NETWORK_API).await {
        Ok(Some(j)) => parse_vnet(&j),
        Ok(None) => {
            diags.error(
                AttrPath::root(),
                "Cannot import from a virtual network that does not exist",
                format!("Azure has no {vnet_id}. Check the ID before `|`. {IMPORT_USAGE}"),
            );
            return fail(diags);
        }
        Err(e) => {
            diags.push(azure_diag(
                AttrPath::root(),
                "Reading the virtual network",
                &e,
            ));
            return fail(diags);
        }
    };
    let prefix = name_prefix(key).to_ascii_lowercase();
    let mut t = Tracked::default();
    for s in &vnet.subnets {
        let lower = s.name.to_ascii_lowercase();
        let Some(purpose) = lower.strip_prefix(&prefix).map(|_| &s.name[prefix.len()..]) else {
            continue;
        };
        if purpose.is_empty() {
            continue;
        }
        t.set(
            purpose,
            &format!("{vnet_id}/subnets/{}", s.name),
            s.v4(),
            s.v6(),
        );
    }
    if t.ids.is_empty() {
        let seen: Vec<&str> = vnet
            .subnets
            .iter()
            .map(|s| s.name.as_str())
            .take(20)
            .collect();
        diags.error(
            AttrPath::root(),
            format!("No subnet of key {key:?} in the virtual network"),
            format!(
                "Import by `<vnet id>|<key>` adopts the subnets named {}<purpose>, and {} has none (its subnets: {}). \
                 Check the key, or import with `KEY|NAME=CIDR,...` and let the first apply adopt subnets by their \
                 `name`.",
                name_prefix(key),
                last_segment(vnet_id),
                if seen.is_empty() { "none".to_string() } else { seen.join(", ") }
            ),
        );
        return fail(diags);
    }
    let private = private_value(&t.v4, &t.v6, None);
    let base = Value::object([
        ("key", Value::string(key)),
        ("id", Value::string(key)),
        ("virtual_network_id", Value::string(vnet_id)),
        ("address_space", Value::Null),
        ("reserved", Value::Null),
        ("occupied", Value::Null),
        ("strategy", Value::Null),
        ("slot", Value::Null),
        ("slot_prefix_length", Value::Null),
        ("subnets", Value::Null),
    ]);
    let state = t.into_state(base, Some(vnet.address_space.clone()));
    StateResponse {
        state,
        private,
        diags,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_keeps_unmanaged_settings_and_strips_read_only_parts() {
        let existing = json!({"name": "s", "properties": {
            "addressPrefix": "10.0.0.0/24", "provisioningState": "Succeeded",
            "networkSecurityGroup": {"id": "/nsg1"}, "natGateway": {"id": "/ng"},
            "privateEndpoints": [{"id": "/pe"}],
            "delegations": [{"name": "dbx", "properties": {"serviceName": "Microsoft.Databricks/workspaces", "actions": ["a"]}}],
            "serviceEndpoints": [{"service": "Microsoft.Storage", "locations": ["westeurope"], "provisioningState": "Succeeded"}]
        }});
        let s = SubnetSettings {
            delegation: Some("Microsoft.Databricks/workspaces".into()),
            service_endpoints: Some(vec![
                "Microsoft.Storage".into(),
                "Microsoft.KeyVault".into(),
            ]),
            ..Default::default()
        };
        let b = subnet_body(Some(&existing), "10.0.1.0/25", None, &s);
        let p = &b["properties"];
        assert_eq!(p["addressPrefix"], "10.0.1.0/25");
        assert_eq!(
            p["networkSecurityGroup"]["id"], "/nsg1",
            "unmanaged NSG kept"
        );
        assert_eq!(p["natGateway"]["id"], "/ng");
        assert!(p.get("provisioningState").is_none() && p.get("privateEndpoints").is_none());
        assert_eq!(
            p["delegations"],
            json!([{"name": "dbx", "properties": {"serviceName": "Microsoft.Databricks/workspaces"}}])
        );
        assert_eq!(
            p["serviceEndpoints"],
            json!([{"service": "Microsoft.Storage", "locations": ["westeurope"]}, {"service": "Microsoft.KeyVault"}])
        );
        let remove = SubnetSettings {
            network_security_group_id: Some(String::new()),
            delegation: Some(String::new()),
            ..Default::default()
        };
        let b = subnet_body(Some(&existing), "10.0.0.0/24", Some("fd00::/64"), &remove);
        assert!(b["properties"].get("networkSecurityGroup").is_none());
        assert_eq!(b["properties"]["delegations"], json!([]));
        assert_eq!(
            b["properties"]["addressPrefixes"],
            json!(["10.0.0.0/24", "fd00::/64"])
        );
        assert!(b["properties"].get("addressPrefix").is_none());
    }

    #[test]
    fn vnet_parsing_reads_both_prefix_forms() {
        let v = parse_vnet(&json!({"properties": {
        "addressSpace": {"addressPrefixes": ["10.0.0.0/16", "fd00::/48"]},
        "subnets": [
            {"name": "a", "properties": {"addressPrefix": "10.0.0.0/24"}},
            {"id": "/x/subnets/b", "properties": {"addressPrefix": null, "addressPrefixes": ["10.0.1.0/24", "fd00::/64"]}}
        ]}}));
        assert_eq!(v.address_space.len(), 2);
        assert_eq!(
            v.subnet("B").and_then(LiveSubnet::v6).as_deref(),
            Some("fd00::/64")
        );
        let c = allocator::parse_cidr("10.0.1.128/25").unwrap();
        assert_eq!(v.overlapping("x", &c).map(|s| s.name.as_str()), Some("b"));
        assert!(v.overlapping("b", &c).is_none());
    }

    #[test]
    fn import_ids_and_in_use_messages() {
        let vnet =
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v";
        assert_eq!(
            parse_import_id(&format!("{vnet}|prj001")).map(|(v, k)| (v.to_string(), k)),
            Some((vnet.to_string(), Ok("prj001".to_string())))
        );
        assert!(parse_import_id("prj001|genai=10.0.0.0/24").is_none());
        assert!(matches!(
            parse_import_id(&format!("{vnet}|")),
            Some((_, Err(_)))
        ));
        assert!(matches!(
            parse_import_id("/subscriptions/s/x|k"),
            Some((_, Err(_)))
        ));
        assert_eq!(
            holder_in_message("Subnet s is in use by /subscriptions/x/pe1.nic.1/ipConfigurations/c and cannot be deleted."),
            Some("/subscriptions/x/pe1.nic.1/ipConfigurations/c".to_string())
        );
        let held = holders(
            &json!({"properties": {"privateEndpoints": [{"id": "/pe1"}], "ipConfigurations": [{"id": "/nic/ip"}]}}),
        );
        assert_eq!(held, vec!["/pe1".to_string(), "/nic/ip".to_string()]);
    }
}
