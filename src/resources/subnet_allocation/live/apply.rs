//! Live-mode apply: delete the subnets the plan dropped, then write each new or changed
//! subnet, one write at a time per vNet, re-reading the vNet right before each PUT (a
//! range taken since the plan fails with a message to re-plan). On failure the state
//! holds exactly the subnets that exist.
//!
//! Ownership: a subnet is this allocation's when its ID is in the prior state's
//! `subnet_ids` (Azure subnets carry no tags) or this very call wrote it. Creating a
//! subnet whose name another owner already uses fails, naming the import command, unless
//! `adopt_existing = true` (azurerm's rule: no silent takeover).
//!
//! Must not: write a subnet over a range another subnet holds, or take over a subnet it
//! does not own without `adopt_existing`.

use std::collections::BTreeMap;

use crate::context::ProviderContext;
use crate::framework::{
    resource::StateResponse, AttrPath, Diagnostic, Diagnostics, ToValue, Value,
};
use crate::resources::subnet_allocation::{
    memo,
    model::{AllocationModel, PrivateModel},
    requests::SubnetSettings,
    shared::same_vnet,
};
use aifactory_allocator as allocator;
use aifactory_azure::{AzureClient, Ctx};

use super::body::subnet_body;
use super::coordination::lock_vnet;
use super::destroy::delete_subnet;
use super::network::{effective_settings, with_detached, NetworkWriter, Owned};
use super::plan::{claims_scope, plan};
use super::tracked::{failed_state, planned_known, private_of, Tracked};
use super::vnet::{
    azure_diag, contains, last_segment, not_owned, outside_since_plan, overlap, parse_vnet,
    prefixes_of, subnets_path, taken_since_plan, LiveSubnet, CHECK_TIMEOUT, NETWORK_API,
    OPERATION_TIMEOUT,
};

/// One subnet as planned.
#[derive(Debug, Clone)]
struct Desired {
    name: String,
    id: String,
    v4: String,
    v6: Option<String>,
    settings: SubnetSettings,
}

/// Why a subnet write failed, and whether the subnet exists now.
struct WriteFailure {
    diag: Diagnostic,
    /// Some((v4, v6)): the subnet exists with these prefixes.
    exists: Option<(Option<String>, Option<String>)>,
    /// A planned range was taken: the plan's memo is stale.
    taken: bool,
}

/// How the writes went.
#[derive(Default)]
struct Outcome {
    failed: bool,
    /// A planned range was taken (the memo is stale).
    taken: bool,
}

/// Apply the plan: `planned` and its private state, `prior` (`None` on create), `config`.
pub(crate) async fn apply(
    ctx: &ProviderContext,
    prior: Option<&AllocationModel>,
    planned: AllocationModel,
    planned_private: Value,
    config: &AllocationModel,
) -> StateResponse {
    let mut diags = Diagnostics::new();
    let Some((planned, planned_private)) =
        resolved_plan(ctx, prior, planned, planned_private, config, &mut diags).await
    else {
        return failed_state(prior, diags);
    };
    let client = match ctx.azure() {
        Ok(c) => c,
        Err(d) => {
            diags.push(d);
            return failed_state(prior, diags);
        }
    };
    let vnet_id = planned.vnet_id().to_string();
    let rctx = ctx.request_ctx(OPERATION_TIMEOUT);
    // The prior state is this allocation's only while the vNet stays.
    let same = prior.filter(|p| same_vnet(&p.virtual_network_id, &planned.virtual_network_id));
    let desired = desired(&planned, with_detached(effective_settings(&planned), same));
    let mut tracked = same.map(Tracked::from_state).unwrap_or_default();
    let mut owned = same.map(Owned::from_state).unwrap_or_default();
    let prior_ids = tracked.ids.clone();
    let key = planned.key.as_deref().unwrap_or_default().to_string();
    let adopt = config.adopts_existing() || planned.adopts_existing();

    // 1. Delete owned subnets the plan no longer has (purpose removed, or renamed).
    let mut outcome = Outcome::default();
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
                outcome.failed = true;
                break;
            }
        }
    }

    // 2. The NSGs and the route table, before any subnet is written with them.
    let wants_network = planned.creates_nsgs() || !planned.route_table_id.is_null();
    if !outcome.failed && wants_network {
        let location = match client.arm().get_opt(&rctx, &vnet_id, NETWORK_API).await {
            Ok(Some(j)) => Ok(parse_vnet(&j).location),
            Ok(None) => Err(Diagnostic::error(
                AttrPath::attr("virtual_network_id"),
                "The virtual network no longer exists",
                format!("{vnet_id} was deleted since the plan. Restore it or change `virtual_network_id`, then plan again."),
            )),
            Err(e) => Err(azure_diag(
                AttrPath::attr("virtual_network_id"),
                "Reading the virtual network",
                &e,
            )),
        };
        let result = match location {
            Ok(location) => {
                let nw = NetworkWriter {
                    client,
                    rctx: &rctx,
                    key: &key,
                    adopt,
                    location: &location,
                };
                match nw.ensure_nsgs(&planned, &mut owned).await {
                    Ok(()) => nw.ensure_route_table(&planned, same, &mut owned).await,
                    Err(d) => Err(d),
                }
            }
            Err(d) => Err(d),
        };
        if let Err(d) = result {
            diags.push(d);
            outcome.failed = true;
        }
    }

    // 3. Write new and changed subnets.
    if !outcome.failed {
        let prior_settings = same.map(effective_settings).unwrap_or_default();
        let writer = Writer {
            ctx,
            client,
            rctx: &rctx,
            vnet_id: &vnet_id,
            key: &key,
            adopt,
        };
        outcome = writer
            .write_all(&desired, &prior_settings, &mut tracked, &mut diags)
            .await;
    }

    // 4. The NSGs and the route table no subnet uses any more.
    if !outcome.failed && (!owned.nsgs.is_empty() || owned.route_table.is_some()) {
        let nw = NetworkWriter {
            client,
            rctx: &rctx,
            key: &key,
            adopt,
            location: "",
        };
        if let Err(d) = nw.delete_unplanned(&planned, &mut owned).await {
            diags.push(d);
            outcome.failed = true;
        }
    }
    if !outcome.failed || outcome.taken {
        // The vNet shows what exists now; a taken plan is re-planned from scratch.
        let scope = claims_scope(ctx, &vnet_id);
        memo::release(&scope, planned.key.as_deref().unwrap_or_default());
    }
    finish(
        prior,
        same,
        planned,
        &planned_private,
        (tracked, owned),
        outcome,
        diags,
    )
}

/// The plan to apply: `planned`, or (unknown at plan time and not resolved by
/// Terraform's re-plan) a plan made now; `None` with errors in `diags`.
async fn resolved_plan(
    ctx: &ProviderContext,
    prior: Option<&AllocationModel>,
    planned: AllocationModel,
    planned_private: Value,
    config: &AllocationModel,
    diags: &mut Diagnostics,
) -> Option<(AllocationModel, Value)> {
    if planned_known(&planned) {
        return Some((planned, planned_private));
    }
    let p = plan(ctx, config, prior, &Value::Null, diags).await;
    if !diags.has_errors() && !planned_known(&p.state) {
        diags.error(
            AttrPath::attr("virtual_network_id"),
            "The virtual network does not exist",
            format!(
                "{} was not found. Create it first (reference it, for example `virtual_network_id = \
                 aifactory_arm_resource.vnet.id`, so Terraform orders the two), or fix `virtual_network_id`.",
                config.vnet_id()
            ),
        );
    }
    (!diags.has_errors()).then_some((p.state, p.private))
}

/// Purpose -> the subnet as planned (`settings`: what each subnet is written with).
fn desired(
    planned: &AllocationModel,
    settings: BTreeMap<String, SubnetSettings>,
) -> BTreeMap<String, Desired> {
    let v4 = AllocationModel::map_of(&planned.cidrs);
    let v6 = AllocationModel::map_of(&planned.ipv6_cidrs);
    AllocationModel::map_of(&planned.subnet_ids)
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
                    settings: settings.get(&p).cloned().unwrap_or_default(),
                },
            ))
        })
        .collect()
}

/// The state after the writes: the plan when all went well, otherwise what exists.
fn finish(
    prior: Option<&AllocationModel>,
    same: Option<&AllocationModel>,
    planned: AllocationModel,
    planned_private: &Value,
    (tracked, owned): (Tracked, Owned),
    outcome: Outcome,
    diags: Diagnostics,
) -> StateResponse {
    let memo_key = PrivateModel::read(planned_private).and_then(|p| p.memo.into_known());
    if !outcome.failed || outcome.taken {
        if let Some(k) = &memo_key {
            memo::forget(k);
        }
    }
    if !outcome.failed {
        let private = private_of(&planned);
        return StateResponse {
            state: planned.to_value(),
            private,
            diags,
        };
    }
    if prior.is_none()
        && tracked.ids.is_empty()
        && owned.nsgs.is_empty()
        && owned.route_table.is_none()
    {
        // Nothing was created: no object to record (and none to taint).
        return StateResponse {
            state: Value::Null,
            private: Value::Null,
            diags,
        };
    }
    // What exists, with the settings last written where they were not rewritten: the
    // prior's `subnets` (so the next apply writes the rest), or the planned ones on create.
    let mut base = planned;
    if let Some(prior) = same {
        base.subnets = prior.subnets.clone();
    }
    let mut state = tracked.into_state(base, None);
    owned.into_state(&mut state);
    let private = private_of(&state);
    StateResponse {
        state: state.to_value(),
        private,
        diags,
    }
}

/// Writes subnets into one vNet.
struct Writer<'a> {
    ctx: &'a ProviderContext,
    client: &'a AzureClient,
    rctx: &'a Ctx,
    vnet_id: &'a str,
    /// The allocation's key (for the import hint).
    key: &'a str,
    /// `adopt_existing`: existing subnets under the requested names may be taken over.
    adopt: bool,
}

impl Writer<'_> {
    /// Write every new or changed subnet, one at a time, stopping at the first failure;
    /// one that moves into a range another of ours still holds goes after it.
    async fn write_all(
        &self,
        desired: &BTreeMap<String, Desired>,
        prior_settings: &BTreeMap<String, SubnetSettings>,
        tracked: &mut Tracked,
        diags: &mut Diagnostics,
    ) -> Outcome {
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
            // Owned: in the prior state or written by this call (both are tracked).
            let owned = tracked
                .ids
                .values()
                .any(|id| last_segment(id).eq_ignore_ascii_case(&d.name));
            match self.write(p, d, owned).await {
                Ok(()) => tracked.set(p, &d.id, Some(d.v4.clone()), d.v6.clone()),
                Err(f) => {
                    diags.push(f.diag);
                    if let Some((a4, a6)) = f.exists {
                        tracked.set(p, &d.id, a4, a6);
                    }
                    return Outcome {
                        failed: true,
                        taken: f.taken,
                    };
                }
            }
        }
        Outcome::default()
    }

    /// Re-read the vNet, check the subnet is ours to write (`owned`, or absent, or
    /// `adopt_existing`) and the planned ranges are still free, PUT the subnet and wait.
    async fn write(&self, purpose: &str, d: &Desired, owned: bool) -> Result<(), WriteFailure> {
        let (ctx, client, rctx, vnet_id) = (self.ctx, self.client, self.rctx, self.vnet_id);
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
        if !owned && !self.adopt {
            if let Some(other) = vnet.subnet(&d.name) {
                return Err(fail(
                    not_owned(purpose, &other.name, vnet_id, self.key),
                    false,
                ));
            }
        }
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
                                    now.overlapping(&d.name, &c).map(|o| {
                                        format!("subnet {} ({})", o.name, o.prefixes_text())
                                    })
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
}
