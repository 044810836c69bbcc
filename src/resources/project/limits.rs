//! Plan-time checks of shared Azure limits for `aifactory_project`, each against what Azure
//! holds (read once per run) plus what the other projects planned in this run add
//! (`crate::budget`):
//! - role assignments: 4,000 per subscription, per subscription of their scopes;
//! - data-lake ACLs: 32 entries per ACL (access and default each, 4 of them the base
//!   entries) on the paths projects share (`/`, `projects`) and the project folder.
//!
//! Owns: counting what a plan adds, the reads, the diagnostics. Must not: write anything,
//! fail a plan because a count could not be read (Azure still checks at apply; a warning
//! says so).

use std::collections::BTreeMap;

use crate::budget::{Held, Overrun, Verdict, ROLE_ASSIGNMENTS_PER_SUBSCRIPTION};
use crate::context::ProviderContext;
use crate::framework::{AttrPath, Diagnostics};
use aifactory_azure::{AclType, ArmId, AzureError};
use aifactory_template::project::{api, AclScope, DesiredProject, MAX_ACL_ENTRIES_PER_SCOPE};

use super::model::Records;

/// How long the one read of a subscription's role assignments may take.
const READ: std::time::Duration = std::time::Duration::from_secs(120);

/// New role assignments of `desired` (not in `prior`), by subscription (as written).
pub(super) fn added_by_subscription(
    desired: &DesiredProject,
    prior: &Records,
) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    // Cosmos DB's data-plane assignments are not ARM role assignments: they do not count.
    for ra in desired.role_assignments.iter().filter(|ra| !ra.data_plane) {
        if prior.get(&ra.key).is_some_and(|r| r.id.is_some()) {
            continue;
        }
        let Some(sub) = ArmId::parse(&ra.scope)
            .ok()
            .and_then(|id| id.subscription().map(str::to_string))
        else {
            continue;
        };
        *out.entry(sub).or_insert(0) += 1;
    }
    out
}

/// Checks the plan's new role assignments against the limit in every subscription they
/// go to; errors go on `team.object_ids` (where most assignments come from).
pub(super) async fn check_role_assignments(
    ctx: &ProviderContext,
    desired: &DesiredProject,
    prior: &Records,
    diags: &mut Diagnostics,
) {
    let added = added_by_subscription(desired, prior);
    let owner = desired.resource_group_id.as_str();
    // A plan that adds nothing releases what an earlier plan of this project reserved.
    if added.is_empty() {
        for sub in prior_subscriptions(prior) {
            let _ = ctx
                .role_assignments
                .reserve(
                    &sub,
                    owner,
                    0,
                    ROLE_ASSIGNMENTS_PER_SUBSCRIPTION,
                    || async { Ok::<usize, AzureError>(0) },
                )
                .await;
        }
        return;
    }
    // Without a client (no credentials yet) apply reports the real cause; nothing to add.
    let Ok(client) = ctx.azure() else {
        return;
    };
    for (sub, adding) in added {
        let count = || async {
            let rctx = ctx.request_ctx(READ);
            let path = format!(
                "/subscriptions/{sub}/providers/{}",
                api::ROLE_ASSIGNMENT.resource_type
            );
            let items = client
                .arm()
                .list(&rctx, &path, api::ROLE_ASSIGNMENT.api_version)
                .await?;
            Ok::<usize, AzureError>(count_in_subscription(&items, &sub))
        };
        match ctx
            .role_assignments
            .reserve(&sub, owner, adding, ROLE_ASSIGNMENTS_PER_SUBSCRIPTION, count)
            .await
        {
            Ok(Verdict::Fits) => {}
            Ok(Verdict::Exceeds(o)) => diags.error(
                AttrPath::attr("team").and_attr("object_ids"),
                "Too many role assignments for the subscription",
                overrun_detail(&o),
            ),
            Err(e) => diags.warning(
                AttrPath::root(),
                "Role assignment limit not checked",
                format!(
                    "Could not count the role assignments in subscription {sub} ({e}); the plan adds \
                     {adding}. Azure allows {ROLE_ASSIGNMENTS_PER_SUBSCRIPTION} per subscription and \
                     checks at apply. Reading them needs Microsoft.Authorization/roleAssignments/read \
                     on the subscription."
                ),
            ),
        }
    }
}

/// Assignments whose scope is the subscription or below it (management-group scopes,
/// which a subscription list also returns, do not count).
fn count_in_subscription(items: &[serde_json::Value], sub: &str) -> usize {
    let prefix = format!("/subscriptions/{}", sub.to_ascii_lowercase());
    items
        .iter()
        .filter_map(|i| i.pointer("/properties/scope").and_then(|s| s.as_str()))
        .map(str::to_ascii_lowercase)
        .filter(|s| *s == prefix || s.starts_with(&format!("{prefix}/")))
        .count()
}

fn prior_subscriptions(prior: &Records) -> Vec<String> {
    let mut subs: Vec<String> = prior
        .values()
        .filter(|r| {
            r.ty.eq_ignore_ascii_case(api::ROLE_ASSIGNMENT.resource_type)
        })
        .filter_map(|r| r.id.as_deref())
        .filter_map(|id| ArmId::parse(id).ok()?.subscription().map(str::to_string))
        .collect();
    subs.sort();
    subs.dedup();
    subs
}

/// The base entries of an ACL scope (owner, owning group, mask, other).
const BASE_ENTRIES: usize = 4;

/// Checks the named entries a plan adds to each data-lake ACL (per path and scope)
/// against the 32-entry limit, counting the named entries already on the path.
pub(super) async fn check_lake_acls(
    ctx: &ProviderContext,
    desired: &DesiredProject,
    prior: &Records,
    diags: &mut Diagnostics,
) {
    let Some(lake) = &desired.datalake else {
        return;
    };
    // (path, default scope) -> named entries this plan adds.
    let mut added: BTreeMap<(String, bool), usize> = BTreeMap::new();
    for e in desired.acl.iter().filter(|e| e.principal.is_some()) {
        let slot = added
            .entry((e.path.clone(), e.scope == AclScope::Default))
            .or_insert(0);
        if !prior.contains_key(&e.key) {
            *slot += 1;
        }
    }
    let owner = desired.resource_group_id.as_str();
    let key = |path: &str, default: bool| {
        format!(
            "{}|{}|{path}|{}",
            lake.account_name,
            lake.filesystem,
            if default { "default" } else { "access" }
        )
    };
    let limit = MAX_ACL_ENTRIES_PER_SCOPE - BASE_ENTRIES;
    if added.values().all(|n| *n == 0) {
        for (path, default) in added.keys() {
            let _ = ctx
                .lake_acls
                .reserve(&key(path, *default), owner, 0, limit, || async {
                    Ok::<usize, AzureError>(0)
                })
                .await;
        }
        return;
    }
    let Ok(client) = ctx.azure() else {
        return;
    };
    let Ok(dfs) = client.dfs(&lake.account_name) else {
        return;
    };
    let ours: Vec<String> = desired
        .acl
        .iter()
        .filter_map(|e| e.principal_id.clone())
        .map(|p| p.to_ascii_lowercase())
        .collect();
    for ((path, default), adding) in added {
        let shared = path != desired.datalake_path.clone().unwrap_or_default();
        let count = || async {
            let rctx = ctx.request_ctx(READ);
            match dfs.get_access_control(&rctx, &lake.filesystem, &path).await {
                // Where everyone may traverse (`other::--x`) the provider adds nothing to a
                // shared folder's ACL (see the engine's merge).
                Ok(ac) if shared && super::shared::others_traverse(&ac.acl) => Ok(Held::Unlimited),
                Ok(ac) => Ok(Held::Count(
                    ac.acl
                        .entries
                        .iter()
                        .filter(|e| e.key.default == default)
                        .filter(|e| matches!(e.key.kind, AclType::User | AclType::Group))
                        .filter(|e| !e.key.id.is_empty())
                        // An entry of one of this project's principals is rewritten, not added.
                        .filter(|e| !ours.contains(&e.key.id.to_ascii_lowercase()))
                        .count(),
                )),
                Err(e) if e.is_not_found() => Ok(Held::Count(0)),
                Err(e) => Err(e),
            }
        };
        let scope = if default { "default" } else { "access" };
        match ctx
            .lake_acls
            .reserve_held(&key(&path, default), owner, adding, limit, count)
            .await
        {
            Ok(Verdict::Fits) => {}
            Ok(Verdict::Exceeds(o)) => diags.error(
                AttrPath::attr("team").and_attr("object_ids"),
                "Too many entries for a data lake ACL",
                format!(
                    "The {scope} ACL of {path} in {}/{} holds {} named entries{}, and this project adds {}: \
                     {} with the 4 base entries, over Azure's limit of {} entries per ACL. Nothing was created. \
                     Give the team (and each persona) one Entra group instead of individual members, so each \
                     project adds one entry per list; for the shared folders (/ and projects), give one Entra \
                     group traverse (--x) there and set common.datalake_traverse_group_id to it, or let everyone \
                     traverse them (other::--x): projects then add nothing to those ACLs.",
                    lake.account_name,
                    lake.filesystem,
                    o.existing,
                    if o.others > 0 {
                        format!(" and other projects in this plan add {}", o.others)
                    } else {
                        String::new()
                    },
                    o.adding,
                    o.existing + o.others + o.adding + BASE_ENTRIES,
                    MAX_ACL_ENTRIES_PER_SCOPE,
                ),
            ),
            Err(e) => diags.warning(
                AttrPath::root(),
                "Data lake ACL limit not checked",
                format!(
                    "Could not read the ACL of {path} in {}/{} ({e}); the plan adds {adding} entries to its \
                     {scope} ACL. Azure allows {MAX_ACL_ENTRIES_PER_SCOPE} entries per ACL and checks at apply.",
                    lake.account_name, lake.filesystem
                ),
            ),
        }
    }
}

fn overrun_detail(o: &Overrun) -> String {
    let others = if o.others > 0 {
        format!(" and other projects in this plan add {}", o.others)
    } else {
        String::new()
    };
    format!(
        "This project adds {adding} role assignments in subscription {sub}, which holds {existing}{others}: \
         {total} in all, over Azure's limit of {limit} per subscription (assignments at subscription, \
         resource group and resource scope count; the limit cannot be raised). Nothing was created. \
         Put the team's members into one Entra group and give its object ID in team.object_ids \
         (principal_type = \"Group\"): each member listed here gets its own assignment on every scope. \
         Or remove unused role assignments in the subscription.",
        adding = o.adding,
        sub = o.subscription,
        existing = o.existing,
        total = o.existing + o.others + o.adding,
        limit = o.limit,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_scopes_in_the_subscription_count() {
        let items = [
            json!({"properties": {"scope": "/subscriptions/S1"}}),
            json!({"properties": {"scope": "/subscriptions/s1/resourceGroups/rg"}}),
            json!({"properties": {"scope": "/providers/Microsoft.Management/managementGroups/mg"}}),
            json!({"properties": {"scope": "/"}}),
            json!({"properties": {"scope": "/subscriptions/s10"}}),
        ];
        assert_eq!(count_in_subscription(&items, "s1"), 2);
    }

    #[test]
    fn the_message_names_the_limit_the_figures_and_the_fix() {
        let m = overrun_detail(&Overrun {
            subscription: "sub".into(),
            existing: 3990,
            others: 4,
            adding: 12,
            limit: 4000,
        });
        for want in [
            "adds 12",
            "holds 3990",
            "add 4",
            "4006 in all",
            "limit of 4000",
            "Entra group",
            "team.object_ids",
        ] {
            assert!(m.contains(want), "{want} missing in {m}");
        }
    }
}
