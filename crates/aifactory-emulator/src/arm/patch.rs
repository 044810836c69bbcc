//! `PATCH` on a provider resource: `If-Match`, fixed location, tags replaced, every other
//! top-level field merge-patched (RFC 7396), a new ETag.
//!
//! Owns PATCH semantics; must not hold resource-provider rules.

use super::body::{merge_patch, norm_location, provisioning_state, set_ps};
use super::checks::preconditions;
use super::ctx::Ctx;
use super::id::{ArmPath, Level};
use super::ops;
use super::render::render;
use super::reply::resource_not_found;
use crate::http::{arm_error, Resp};
use crate::state::State;
use crate::util;
use http::StatusCode;
use serde_json::{json, Map, Value};

/// PATCH on an existing resource (parents already checked).
pub fn patch_resource(
    st: &mut State,
    ctx: &Ctx,
    path: &ArmPath,
    target: &Level,
    body: Map<String, Value>,
) -> Resp {
    let Some(mut r) = st.store.get(&target.id).cloned() else {
        return resource_not_found(target, path.resource_group());
    };
    if let Err(resp) = preconditions(ctx, Some(&r)) {
        return resp;
    }
    if let (Some(new), Some(old)) = (
        body.get("location").and_then(Value::as_str),
        r.body.get("location").and_then(Value::as_str),
    ) {
        if norm_location(new) != norm_location(old) {
            return arm_error(
                StatusCode::BAD_REQUEST,
                "LocationNotAvailableForResourceType",
                "The location of a resource cannot be changed.",
            );
        }
    }
    for (k, v) in body {
        match k.as_str() {
            "id" | "name" | "type" | "location" => {}
            "tags" => r.body["tags"] = v,
            _ => {
                if let Some(slot) = r
                    .body
                    .as_object_mut()
                    .map(|m| m.entry(k.clone()).or_insert(Value::Null))
                {
                    merge_patch(slot, &v);
                }
            }
        }
    }
    if let Err(resp) = crate::registry::check_patched(&r.full_type, &r.body) {
        return resp;
    }
    let ps = provisioning_state(&r.body)
        .unwrap_or("Succeeded")
        .to_string();
    set_ps(&mut r.body, &ps);
    r.etag = util::new_etag();
    if r.body.get("etag").is_some() {
        r.body["etag"] = json!(r.etag);
    }
    r.changed_ms = st.now_ms();
    let etag = r.etag.clone();
    let id = r.id.clone();
    st.store.put(r);
    let out = st
        .store
        .get(&id)
        .map(|x| render(st, x))
        .unwrap_or(Value::Null);
    let status = StatusCode::from_u16(ops::PATCH_ANSWER.status).unwrap_or(StatusCode::OK);
    Resp::json(status, &out).header("etag", etag)
}
