//! Checks every ARM write or read of a resource goes through: the resource group and each
//! parent exist (a storage account's implicit `*Services/default` children included), the
//! resource group is not being deleted, and `If-Match` / `If-None-Match` hold.
//!
//! Owns these checks; must not change state. Imported by the ARM handlers and
//! `authorization`; imports only leaves (`id`, `store`, `lro`, `reply`, `ctx`).

use super::ctx::Ctx;
use super::id::{self, key, ArmPath, LevelKind};
use super::lro::OpKind;
use super::reply::{resource_not_found, rg_being_deleted, rg_not_found};
use super::store::Stored;
use crate::http::{arm_error, Resp};
use crate::state::State;
use http::StatusCode;

/// True while a delete of resource group `rg_id` is running.
pub fn rg_deleting(st: &State, rg_id: &str) -> bool {
    let k = key(rg_id);
    st.ops
        .values()
        .any(|o| !o.completed && o.kind == OpKind::DeleteResourceGroup && key(&o.target_id) == k)
}

/// `.../storageAccounts/{a}/{blob|file|queue|table}Services/default`.
fn implicit_service(id: &str) -> bool {
    let lower = id.to_ascii_lowercase();
    lower.contains("/providers/microsoft.storage/storageaccounts/")
        && [
            "/blobservices/default",
            "/fileservices/default",
            "/queueservices/default",
            "/tableservices/default",
        ]
        .iter()
        .any(|s| lower.ends_with(s))
}

/// Checks that the resource group and the first `upto` levels of `path` exist (and, for a
/// write, that the resource group is not being deleted). `Err` is the response.
pub fn check_parents(st: &State, path: &ArmPath, upto: usize, for_write: bool) -> Result<(), Resp> {
    for (i, level) in path.levels.iter().enumerate().take(upto) {
        match level.kind {
            LevelKind::Subscription => {}
            LevelKind::ResourceGroup => {
                if !st.store.contains(&level.id) {
                    return Err(rg_not_found(&level.name));
                }
                if for_write && rg_deleting(st, &level.id) {
                    return Err(rg_being_deleted(&level.name));
                }
            }
            LevelKind::Resource { .. } => {
                // A storage account's `blobServices/default` (and file/queue/table services)
                // exist with the account: Azure never asks for them to be created.
                if implicit_service(&level.id)
                    && i > 0
                    && path
                        .levels
                        .get(i - 1)
                        .is_some_and(|p| st.store.contains(&p.id))
                {
                    continue;
                }
                if !st.store.contains(&level.id) {
                    // The scope of an extension resource (a diagnostic setting's resource)
                    // is looked up, not a parent: ARM answers `ResourceNotFound` for it.
                    let scope_of_extension = path.levels.get(i + 1).is_some_and(|l| {
                        matches!(
                            l.kind,
                            LevelKind::Resource {
                                extension: true,
                                ..
                            }
                        )
                    });
                    return Err(if for_write && !scope_of_extension {
                        arm_error(
                            StatusCode::NOT_FOUND,
                            "ParentResourceNotFound",
                            format!(
                                "Can not perform requested operation on nested resource. Parent resource '{}' not found.",
                                id::relative_name(&level.id).split_once('/').map(|x| x.1).unwrap_or(&level.name)
                            ),
                        )
                    } else {
                        resource_not_found(level, path.resource_group())
                    });
                }
            }
        }
    }
    Ok(())
}

/// Weak/strong, quoted/unquoted, case-insensitive ETag comparison.
fn etag_eq(a: &str, b: &str) -> bool {
    let strip = |s: &str| {
        s.trim()
            .trim_start_matches("W/")
            .trim_matches('"')
            .to_ascii_lowercase()
    };
    strip(a) == strip(b)
}

/// Applies `If-Match` / `If-None-Match` to a write. `Err` = 412.
pub fn preconditions(ctx: &Ctx, existing: Option<&Stored>) -> Result<(), Resp> {
    let failed = || {
        arm_error(
            StatusCode::PRECONDITION_FAILED,
            "PreconditionFailed",
            "The condition specified using HTTP conditional header(s) is not met.",
        )
    };
    let listed = |m: &str, e: &Stored| m.split(',').any(|t| etag_eq(t.trim(), &e.etag));
    if let Some(m) = ctx.if_match.as_deref().map(str::trim) {
        match existing {
            None => return Err(failed()),
            Some(e) if m != "*" && !listed(m, e) => return Err(failed()),
            Some(_) => {}
        }
    }
    if let (Some(m), Some(e)) = (ctx.if_none_match.as_deref().map(str::trim), existing) {
        if m == "*" || listed(m, e) {
            return Err(failed());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etag_compare() {
        assert!(etag_eq("W/\"abc\"", "\"ABC\""));
        assert!(!etag_eq("\"a\"", "\"b\""));
    }

    #[test]
    fn storage_services_are_implicit() {
        let acct =
            "/subscriptions/s/resourceGroups/r/providers/Microsoft.Storage/storageAccounts/a";
        assert!(implicit_service(&format!("{acct}/blobServices/default")));
        assert!(!implicit_service(&format!(
            "{acct}/blobServices/default/containers/c"
        )));
    }
}
