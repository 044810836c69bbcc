//! The soft-delete endpoints under `/subscriptions/{s}/providers/`: deleted vaults and
//! accounts (list, get), and purge (202 + `Location` for vaults, `Azure-AsyncOperation` for
//! accounts; 409 with purge protection).
//!
//! Owns the wire side of soft delete; must not change items except by starting a purge.

use super::record::{item_key, Deleted, Kind};
use crate::arm::body::norm_location;
use crate::arm::ctx::Ctx;
use crate::arm::lro::{OpKind, OpTarget};
use crate::arm::reply::{accepted, method_not_allowed, page};
use crate::http::{arm_error, Req, Resp};
use crate::state::State;
use http::{Method, StatusCode};
use serde_json::Value;

/// Handles the soft-delete endpoints under `/subscriptions/{s}/providers/{ns}/...`;
/// `None` when the path is not one of them.
pub fn route(st: &mut State, ctx: &Ctx, req: &Req, sub: &str, segs: &[&str]) -> Option<Resp> {
    let is = |i: usize, w: &str| segs.get(i).is_some_and(|s| s.eq_ignore_ascii_case(w));
    let n = segs.len();
    if !is(2, "providers") {
        return None;
    }
    let kind = if is(3, "Microsoft.KeyVault") {
        Kind::Vault
    } else if is(3, "Microsoft.CognitiveServices") {
        Kind::Account
    } else {
        return None;
    };
    let collection = match kind {
        Kind::Vault => "deletedVaults",
        Kind::Account => "deletedAccounts",
    };
    if n == 5 && is(4, collection) {
        return Some(match req.method {
            Method::GET => list(st, ctx, req, kind, sub),
            _ => method_not_allowed(req),
        });
    }
    if !is(4, "locations") {
        return None;
    }
    let location = norm_location(segs.get(5).copied().unwrap_or_default());
    match kind {
        Kind::Vault if (n == 8 || n == 9) && is(6, collection) => {
            let name = segs[7];
            let k = item_key(kind, sub, "", name);
            let found = st
                .soft_deleted
                .get(&k)
                .filter(|d| d.location == location)
                .cloned();
            Some(match (n, req.method.clone()) {
                (8, Method::GET) => match found {
                    Some(d) => Resp::json(StatusCode::OK, &d.render()),
                    None => vault_not_found(name),
                },
                (9, Method::POST) if is(8, "purge") => match found {
                    Some(d) => purge(st, ctx, &k, &d),
                    None => vault_not_found(name),
                },
                _ => method_not_allowed(req),
            })
        }
        Kind::Account if n == 10 && is(6, "resourceGroups") && is(8, collection) => {
            let (rg, name) = (segs[7], segs[9]);
            let k = item_key(kind, sub, rg, name);
            let found = st
                .soft_deleted
                .get(&k)
                .filter(|d| d.location == location)
                .cloned();
            Some(match (req.method.clone(), found) {
                (Method::GET, Some(d)) => Resp::json(StatusCode::OK, &d.render()),
                (Method::DELETE, Some(d)) => purge(st, ctx, &k, &d),
                (Method::GET | Method::DELETE, None) => arm_error(
                    StatusCode::NOT_FOUND,
                    "ResourceNotFound",
                    format!("The resource 'Microsoft.CognitiveServices/locations/{location}/resourceGroups/{rg}/deletedAccounts/{name}' was not found."),
                ),
                _ => method_not_allowed(req),
            })
        }
        _ => None,
    }
}

fn vault_not_found(name: &str) -> Resp {
    arm_error(
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
        format!("The Resource 'Microsoft.KeyVault/deletedVaults/{name}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix"),
    )
}

fn list(st: &State, ctx: &Ctx, req: &Req, kind: Kind, sub: &str) -> Resp {
    let items: Vec<Value> = st
        .soft_deleted
        .values()
        .filter(|d| d.kind == kind && d.subscription.eq_ignore_ascii_case(sub))
        .map(Deleted::render)
        .collect();
    page(st, ctx, req, items)
}

/// Starts a purge: 202 with `Location` (vaults) or `Azure-AsyncOperation` (accounts).
fn purge(st: &mut State, ctx: &Ctx, item: &str, d: &Deleted) -> Resp {
    if d.purge_protected() {
        return arm_error(
            StatusCode::CONFLICT,
            "MethodNotAllowed",
            "Operation 'DeletedVaultPurge' is not allowed.",
        );
    }
    let now = st.now_ms();
    let running = st
        .ops
        .values()
        .find(|o| !o.completed && o.kind == OpKind::Purge && o.target_id == item)
        .cloned();
    let op = match running {
        Some(op) => op,
        None => {
            if let Some(x) = st.soft_deleted.get_mut(item) {
                x.purging = true;
            }
            let target = OpTarget {
                kind: OpKind::Purge,
                subscription: d.subscription.clone(),
                namespace: d.kind.namespace().to_string(),
                location: d.location.clone(),
                target_id: item.to_string(),
                lock_key: None,
            };
            ctx.start_operation(st, now, target)
        }
    };
    accepted(st, ctx, &op, now, d.kind == Kind::Account)
}
