//! The live allocation, in steps: the subnet names, the ranges kept from state and the
//! subnets adopted by name, the pool, the occupied ranges (foreign subnets, sibling
//! allocations planned in this run, and other workspaces' live claims), the plan memo,
//! the allocator, and the warnings.
//!
//! Must not: do I/O beyond the plan memo (the caller reads the vNet).

use std::collections::{BTreeMap, BTreeSet};

use crate::framework::{diag::Step, AttrPath, Diagnostic, Diagnostics, Value};
use crate::resources::subnet_allocation::{
    memo,
    model::AllocationModel,
    requests::Inputs,
    shared::{check_subnet_name, default_subnet_name, push_issues, same_vnet},
};
use aifactory_allocator::{self as allocator, Allocation, Cidr, IssueKind, MoveReason, Previous};

use super::coordination::{reserve, reserved_by_others};
use super::tracked::intended;
use super::vnet::{contains, last_segment, overlap, subnets_path, taken_since_plan, Vnet};

/// A successful live allocation.
pub(super) struct LivePlan {
    pub allocation: Allocation,
    /// Purpose -> subnet ID.
    pub ids: BTreeMap<String, String>,
    pub memo: Option<String>,
}

/// Who holds the occupied ranges of the vNet (for checks and messages).
#[derive(Default)]
struct Occupants {
    by_cidr: BTreeMap<String, String>,
    list: Vec<(Cidr, String)>,
    /// How many entries of `occupied` the user listed (the rest are added here).
    user_listed: usize,
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

    /// An issue about an `occupied` entry added here, not one the user listed.
    fn added(&self, issue: &allocator::Issue) -> bool {
        match issue.path.0.as_slice() {
            [Step::Attr(a), Step::Index(i)] => a == "occupied" && *i >= self.user_listed,
            _ => false,
        }
    }
}

/// What the allocation owned before this plan (same key, same vNet).
#[derive(Default)]
struct Owned {
    /// Purpose -> subnet ID.
    ids: BTreeMap<String, String>,
    /// The ranges allocated before.
    held: BTreeMap<String, Previous>,
}

/// The allocation against the live vNet; `None` with errors in `diags`. `scope` names
/// the vNet for claims (ARM endpoint and vNet ID).
pub(super) fn allocate_live(
    vnet_id: &str,
    scope: &str,
    vnet: &Vnet,
    inp: &mut Inputs,
    prior: Option<&AllocationModel>,
    prior_private: &Value,
    diags: &mut Diagnostics,
) -> Option<LivePlan> {
    let owned = owned_before(vnet_id, &inp.key, prior, prior_private);
    let names = subnet_names(inp, diags)?;
    let (from_state, adopted) = kept_and_adopted(&names, vnet, &owned);

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

    pool(vnet_id, vnet, inp, diags)?;
    // From reading the claims to recording this plan's: one plan at a time per vNet.
    let _claims = memo::lock_claims(scope);
    let occupants = occupy(vnet_id, scope, vnet, &owned, &names, inp);
    let displaced = displaced(&from_state, &occupants, inp);

    let recorded = from_memo(
        memo_key.as_deref(),
        &fresh,
        &names,
        &occupants,
        vnet_id,
        inp,
        diags,
    )?;
    let result = recorded.map(Ok).unwrap_or_else(|| {
        // Adopted subnets keep their ranges (unless their size changed).
        let mut input = inp.input.clone();
        for (p, prev) in &adopted {
            input
                .previous
                .entry(p.clone())
                .or_insert_with(|| prev.clone());
        }
        allocator::allocate(&input)
    });
    let allocation = match result {
        Ok(a) => a,
        Err(issues) => {
            let kept: Vec<allocator::Issue> =
                issues.into_iter().filter(|i| !occupants.added(i)).collect();
            push_issues(diags, &kept);
            return None;
        }
    };
    warn_moves(&allocation, &displaced, &occupants, diags);
    if let Some(k) = &memo_key {
        memo::store(k, &allocation);
    }
    memo::claim(scope, &inp.key, &allocation);
    reserve(vnet_id, &inp.key, &allocation);
    let ids = subnet_ids(vnet_id, vnet, &names, &owned);
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

/// The subnets and ranges the prior state owns, when it is the same allocation (same
/// key, same vNet).
fn owned_before(
    vnet_id: &str,
    key: &str,
    prior: Option<&AllocationModel>,
    prior_private: &Value,
) -> Owned {
    let Some(prior) = prior.filter(|p| {
        p.key.as_deref() == Some(key)
            && same_vnet(
                &p.virtual_network_id,
                &crate::framework::Tf::Known(vnet_id.into()),
            )
    }) else {
        return Owned::default();
    };
    Owned {
        ids: AllocationModel::map_of(&prior.subnet_ids),
        held: intended(prior, prior_private),
    }
}

/// Purpose -> subnet name; `None` when a default name is invalid or two requests name
/// the same subnet.
fn subnet_names(inp: &Inputs, diags: &mut Diagnostics) -> Option<BTreeMap<String, String>> {
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
            if let Some(why) = check_subnet_name(n) {
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
    (!diags.has_errors()).then_some(names)
}

/// Ranges kept from state, and subnets adopted by name.
fn kept_and_adopted(
    names: &BTreeMap<String, String>,
    vnet: &Vnet,
    owned: &Owned,
) -> (BTreeMap<String, Previous>, BTreeMap<String, Previous>) {
    let mut from_state: BTreeMap<String, Previous> = BTreeMap::new();
    let mut adopted: BTreeMap<String, Previous> = BTreeMap::new();
    for (p, name) in names {
        let existing = vnet.subnet(name);
        let same_name = owned
            .ids
            .get(p)
            .is_some_and(|id| last_segment(id).eq_ignore_ascii_case(name));
        match (owned.held.get(p), existing) {
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
    (from_state, adopted)
}

/// The pool: the vNet's address space, or `address_space` inside it; `None` with errors.
fn pool(vnet_id: &str, vnet: &Vnet, inp: &mut Inputs, diags: &mut Diagnostics) -> Option<()> {
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
        return Some(());
    }
    let space = vnet.space();
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
    (!outside).then_some(())
}

/// Occupied: what the user listed, the subnets this allocation does not own, the ranges
/// other allocations planned on this vNet in this run, and other workspaces' live claims
/// (added to the input).
fn occupy(
    vnet_id: &str,
    scope: &str,
    vnet: &Vnet,
    owned: &Owned,
    names: &BTreeMap<String, String>,
    inp: &mut Inputs,
) -> Occupants {
    let mine: BTreeSet<String> = owned
        .ids
        .values()
        .map(|id| last_segment(id).to_ascii_lowercase())
        .chain(names.values().map(|n| n.to_ascii_lowercase()))
        .collect();
    let mut occupants = Occupants {
        user_listed: inp.input.occupied.len(),
        ..Occupants::default()
    };
    for s in &vnet.subnets {
        if mine.contains(&s.name.to_ascii_lowercase()) {
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
    let in_run = reserved_by_others(vnet_id, &inp.key)
        .into_iter()
        .map(|(k, c)| (format!("allocation {k:?} planned in this run ({c})"), c));
    // A claim over an existing subnet is stale (the vNet is the authority): ignored.
    let existing: Vec<Cidr> = vnet
        .subnets
        .iter()
        .flat_map(|s| s.prefixes.clone())
        .collect();
    let claimed = memo::claims_by_others(scope, &inp.key)
        .into_iter()
        .filter(|(_, c)| {
            allocator::parse_cidr(c).is_ok_and(|c| !existing.iter().any(|e| overlap(e, &c)))
        })
        .map(|(k, c)| {
            (
                format!("allocation {k:?} planned in another workspace ({c})"),
                c,
            )
        });
    for (by, c) in in_run.chain(claimed) {
        if occupants.by_cidr.contains_key(&c) {
            continue;
        }
        if let Ok(parsed) = allocator::parse_cidr(&c) {
            occupants.list.push((parsed, by.clone()));
        }
        occupants.by_cidr.insert(c.clone(), by);
        inp.input.occupied.push(c);
    }
    occupants
}

/// Ranges kept from state that another subnet now overlaps (even exactly: in a live
/// vNet an equal range is someone else's subnet, not this one): they have to move, so
/// they leave `previous`. Returns (purpose, old range, who overlaps it).
fn displaced(
    from_state: &BTreeMap<String, Previous>,
    occupants: &Occupants,
    inp: &mut Inputs,
) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for (p, prev) in from_state {
        if let Some(by) = occupants.taking(prev) {
            out.push((p.clone(), prev.ipv4.clone(), by));
            inp.input.previous.remove(p);
        }
    }
    out
}

/// A plan made earlier with the same inputs: the same answer while its ranges are free
/// (`Some(Some(allocation))`), nothing recorded or usable (`Some(None)`), or a recorded
/// range taken since (`None`, with errors in `diags` and the memo dropped).
fn from_memo(
    memo_key: Option<&str>,
    fresh: &BTreeSet<String>,
    names: &BTreeMap<String, String>,
    occupants: &Occupants,
    vnet_id: &str,
    inp: &Inputs,
    diags: &mut Diagnostics,
) -> Option<Option<Allocation>> {
    let Some((key, m)) = memo_key.and_then(|k| Some((k, memo::load(k)?))) else {
        return Some(None);
    };
    let recorded: Vec<(String, Previous)> = m
        .previous()
        .into_iter()
        .filter(|(p, _)| fresh.contains(p))
        .collect();
    let name = |p: &str| names.get(p).cloned().unwrap_or_default();
    let mut taken: Vec<Diagnostic> = Vec::new();
    for (p, prev) in &recorded {
        if let Some(by) = occupants.taking(prev) {
            taken.push(taken_since_plan(p, &name(p), &prev.ipv4, &by, vnet_id));
        }
    }
    let mut test = inp.input.clone();
    test.previous.extend(recorded);
    let mut result = None;
    if taken.is_empty() {
        if let Ok(a) = allocator::allocate(&test) {
            for mv in a.moves.iter().filter(|mv| fresh.contains(&mv.name)) {
                let by = match &mv.kind {
                    MoveReason::OverlapsOccupied { cidr } => occupants.name(cidr),
                    MoveReason::OverlapsReserved { cidr } => format!("the reserved range {cidr}"),
                    other => other.to_string(),
                };
                taken.push(taken_since_plan(
                    &mv.name,
                    &name(&mv.name),
                    &mv.from,
                    &by,
                    vnet_id,
                ));
            }
            if taken.is_empty() {
                result = Some(a);
            }
        }
    }
    if taken.is_empty() {
        return Some(result);
    }
    diags.extend(taken);
    memo::forget(key);
    None
}

/// Warnings for subnets that move: displaced ranges, and the allocator's moves named by
/// the subnet that now overlaps them.
fn warn_moves(
    allocation: &Allocation,
    displaced: &[(String, String, String)],
    occupants: &Occupants,
    diags: &mut Diagnostics,
) {
    for (p, from, by) in displaced {
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
    for w in allocation.warnings.iter().filter(|w| !occupants.added(w)) {
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
}

/// Purpose -> subnet ID: the owned subnet's, an existing subnet's (adopted, with Azure's
/// spelling of the name), or a new one's.
fn subnet_ids(
    vnet_id: &str,
    vnet: &Vnet,
    names: &BTreeMap<String, String>,
    owned: &Owned,
) -> BTreeMap<String, String> {
    names
        .iter()
        .map(|(p, name)| {
            let id = match owned.ids.get(p) {
                Some(id) if last_segment(id).eq_ignore_ascii_case(name) => id.clone(),
                _ => match vnet.subnet(name) {
                    Some(s) => format!("{vnet_id}/subnets/{}", s.name),
                    None => format!("{vnet_id}/subnets/{name}"),
                },
            };
            (p.clone(), id)
        })
        .collect()
}
