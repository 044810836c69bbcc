//! Resource groups: `GET`/`HEAD`/`PUT`/`PATCH`/`DELETE /subscriptions/{s}/resourceGroups/{rg}`
//! — name rules, fixed location, caller casing, tags/`managedBy` patch, and the delete as an
//! asynchronous cascade (202 + `Location`; a second DELETE while it runs joins it).
//!
//! Owns resource-group semantics; must not touch resources inside a group (the cascade is
//! applied by `arm::complete`).

use super::body::{norm_location, set_ps};
use super::checks::rg_deleting;
use super::ctx::Ctx;
use super::id::{key, RG_TYPE};
use super::lro::{OpKind, OpTarget};
use super::ops;
use super::reply::{accepted, method_not_allowed, object_body, rg_being_deleted, rg_not_found};
use super::store::Stored;
use crate::config::CasingPolicy;
use crate::http::{arm_error, Req, Resp};
use crate::state::State;
use crate::util;
use crate::validate::{self, Mode};
use http::{Method, StatusCode};
use serde_json::{json, Map, Value};

/// Handles `/subscriptions/{sub}/resourceGroups/{rg}`.
pub fn handle(st: &mut State, ctx: &Ctx, req: &Req, sub: &str, rg: &str) -> Resp {
    let id = format!("/subscriptions/{sub}/resourceGroups/{rg}");
    let existing = st.store.get(&id).cloned();
    let now = st.now_ms();
    match (req.method.clone(), existing) {
        (Method::GET, Some(r)) => Resp::json(StatusCode::OK, &r.body),
        (Method::GET, None) => rg_not_found(rg),
        (Method::HEAD, Some(_)) => Resp::empty(StatusCode::NO_CONTENT),
        (Method::HEAD, None) => Resp::empty(StatusCode::NOT_FOUND),
        (Method::PUT, existing) => match object_body(req) {
            Ok(body) => {
                match validate::check_body(RG_TYPE, &ctx.api_version, &id, &body, Mode::Put) {
                    Ok(()) => put(st, sub, rg, body, existing, now),
                    Err(r) => r,
                }
            }
            Err(r) => r,
        },
        (Method::PATCH | Method::DELETE, None) => rg_not_found(rg),
        (Method::PATCH, Some(r)) => match object_body(req) {
            Ok(body) => {
                match validate::check_body(RG_TYPE, &ctx.api_version, &id, &body, Mode::Patch) {
                    Ok(()) => patch(st, r, &body, now),
                    Err(r) => r,
                }
            }
            Err(r) => r,
        },
        (Method::DELETE, Some(r)) => delete(st, ctx, sub, r, now),
        _ => method_not_allowed(req),
    }
}

/// `PATCH`: tags and `managedBy` only.
fn patch(st: &mut State, mut r: Stored, body: &Map<String, Value>, now: i64) -> Resp {
    if let Some(t) = body.get("tags") {
        r.body["tags"] = t.clone();
    }
    if let Some(m) = body.get("managedBy") {
        r.body["managedBy"] = m.clone();
    }
    r.changed_ms = now;
    let out = r.body.clone();
    st.store.put(r);
    Resp::json(StatusCode::OK, &out)
}

/// `DELETE`: starts the cascade (or answers with the one already running).
fn delete(st: &mut State, ctx: &Ctx, sub: &str, mut r: Stored, now: i64) -> Resp {
    let running = st
        .ops
        .values()
        .find(|o| {
            !o.completed && o.kind == OpKind::DeleteResourceGroup && key(&o.target_id) == key(&r.id)
        })
        .cloned();
    if let Some(op) = running {
        return accepted(st, ctx, &op, now, false);
    }
    let location = r
        .body
        .get("location")
        .and_then(Value::as_str)
        .unwrap_or("global")
        .to_string();
    set_ps(&mut r.body, "Deleting");
    let target = OpTarget {
        kind: OpKind::DeleteResourceGroup,
        subscription: sub.to_string(),
        namespace: "Microsoft.Resources".into(),
        location,
        target_id: r.id.clone(),
        lock_key: None,
    };
    st.store.put(r);
    let op = ctx.start_operation(st, now, target);
    accepted(st, ctx, &op, now, false)
}

/// `InvalidResourceGroupName` unless `rg` is 1-90 of letters, digits, `-_().`, not ending in `.`.
fn check_name(rg: &str) -> Result<(), Resp> {
    let valid = !rg.is_empty()
        && rg.len() <= 90
        && !rg.ends_with('.')
        && rg
            .chars()
            .all(|c| c.is_alphanumeric() || "-_().".contains(c));
    if valid {
        return Ok(());
    }
    Err(arm_error(
        StatusCode::BAD_REQUEST,
        "InvalidResourceGroupName",
        format!("The resource group name '{rg}' is invalid. It must be 1-90 characters of letters, digits, '-', '_', '(', ')', '.', and cannot end in '.'."),
    ))
}

/// The location of a PUT: required, and fixed once the group exists.
fn check_location(body: &Map<String, Value>, existing: Option<&Stored>) -> Result<String, Resp> {
    let Some(location) = body
        .get("location")
        .and_then(Value::as_str)
        .map(str::to_string)
    else {
        return Err(arm_error(
            StatusCode::BAD_REQUEST,
            "LocationRequired",
            "The location property is required for this definition.",
        ));
    };
    if let Some(old) = existing.and_then(|e| e.body.get("location").and_then(Value::as_str)) {
        if norm_location(old) != norm_location(&location) {
            return Err(arm_error(
                StatusCode::CONFLICT,
                "InvalidResourceGroupLocation",
                format!("Invalid resource group location '{location}'. The Resource group already exists in location '{old}'."),
            ));
        }
    }
    Ok(location)
}

/// `PUT` (also seeding): 201 when created, 200 when replaced.
pub fn put(
    st: &mut State,
    sub: &str,
    rg: &str,
    body: Map<String, Value>,
    existing: Option<Stored>,
    now: i64,
) -> Resp {
    let id = format!("/subscriptions/{sub}/resourceGroups/{rg}");
    if let Err(r) = check_name(rg) {
        return r;
    }
    if rg_deleting(st, &id) {
        return rg_being_deleted(rg);
    }
    let location = match check_location(&body, existing.as_ref()) {
        Ok(l) => l,
        Err(r) => return r,
    };
    let stored_id = match (&existing, st.settings.casing) {
        (Some(e), CasingPolicy::FirstPut) => e.id.clone(),
        _ => id.clone(),
    };
    let name = stored_id.rsplit('/').next().unwrap_or(rg).to_string();
    let mut out = json!({
        "id": stored_id,
        "name": name,
        "type": RG_TYPE,
        "location": existing.as_ref().and_then(|e| e.body.get("location").cloned()).unwrap_or(json!(location)),
        "properties": {"provisioningState": "Succeeded"},
    });
    if let Some(t) = body.get("tags") {
        out["tags"] = t.clone();
    }
    if let Some(m) = body.get("managedBy") {
        out["managedBy"] = m.clone();
    }
    let created = existing.is_none();
    st.store.put(Stored {
        id: stored_id,
        parent_key: key(&format!("/subscriptions/{sub}")),
        full_type: RG_TYPE.into(),
        body: out.clone(),
        etag: util::new_etag(),
        seq: 0,
        created_ms: now,
        changed_ms: now,
    });
    let answer = ops::put_answer(RG_TYPE, created, false);
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    Resp::json(status, &out)
}
