//! ARM responses more than one handler sends: method not allowed, unreadable bodies, not
//! found (resource group, resource), a resource group being deleted, list pages with
//! `nextLink`, and the `Location` / `Retry-After` / `Azure-AsyncOperation` headers of a
//! long-running answer.
//!
//! Owns these wire shapes; must not change state. Imported by the ARM modules and the
//! resource providers; imports none of them.

use super::ctx::Ctx;
use super::id::{self, Level};
use super::lro::Operation;
use crate::http::{arm_error, Req, Resp};
use crate::state::State;
use crate::util;
use http::StatusCode;
use serde_json::{json, Map, Value};

pub fn method_not_allowed(req: &Req) -> Resp {
    arm_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowed",
        format!(
            "The requested resource does not support http method '{}'.",
            req.method
        ),
    )
}

/// 400 `InvalidRequestUri` with `message`.
pub fn invalid_uri(message: impl Into<String>) -> Resp {
    arm_error(StatusCode::BAD_REQUEST, "InvalidRequestUri", message)
}

pub fn rg_not_found(rg: &str) -> Resp {
    arm_error(
        StatusCode::NOT_FOUND,
        "ResourceGroupNotFound",
        format!("Resource group '{rg}' could not be found."),
    )
}

pub fn rg_being_deleted(rg: &str) -> Resp {
    arm_error(
        StatusCode::CONFLICT,
        "ResourceGroupBeingDeleted",
        format!("The resource group '{rg}' is in deprovisioning state and cannot perform this operation."),
    )
}

/// 404 `ResourceNotFound` for `level` (under resource group `rg` when there is one).
pub fn resource_not_found(level: &Level, rg: Option<&Level>) -> Resp {
    let rel = id::relative_name(&level.id);
    let msg = match rg {
        Some(rg) => format!("The Resource '{rel}' under resource group '{}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix", rg.name),
        None => format!("The Resource '{rel}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix"),
    };
    arm_error(StatusCode::NOT_FOUND, "ResourceNotFound", msg)
}

/// The request body as a JSON object; `Err` is the 400 to send.
pub fn object_body(req: &Req) -> Result<Map<String, Value>, Resp> {
    let invalid = |why: String| {
        arm_error(
            StatusCode::BAD_REQUEST,
            "InvalidRequestContent",
            format!("The request content was invalid and could not be deserialized: '{why}'."),
        )
    };
    match req.json() {
        Ok(Value::Object(m)) => Ok(m),
        Ok(Value::Null) => Err(invalid("The request body is empty.".into())),
        Ok(_) => Err(invalid("Expected a JSON object.".into())),
        Err(e) => Err(invalid(e)),
    }
}

/// Renders a page of `items` with `nextLink` (`$skiptoken` = offset).
pub fn page(st: &State, ctx: &Ctx, req: &Req, items: Vec<Value>) -> Resp {
    let size = st.settings.page_size.max(1);
    let start: usize = req
        .q("$skiptoken")
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    let end = (start + size).min(items.len());
    let chunk: Vec<Value> = items
        .get(start..end)
        .map(<[Value]>::to_vec)
        .unwrap_or_default();
    let mut body = json!({ "value": chunk });
    if end < items.len() {
        let mut q: Vec<String> = req
            .query
            .iter()
            .filter(|(k, _)| !k.eq_ignore_ascii_case("$skiptoken"))
            .map(|(k, v)| format!("{}={}", util::pct_encode(k), util::pct_encode(v)))
            .collect();
        q.push(format!("%24skiptoken={end}"));
        body["nextLink"] = json!(format!("{}{}?{}", ctx.base, req.raw_path, q.join("&")));
    }
    Resp::json(StatusCode::OK, &body)
}

/// Adds `Location` and `Retry-After` (`fixed`, else the time left), and
/// `Azure-AsyncOperation` when `with_async`.
pub fn lro_headers(
    r: Resp,
    op: &Operation,
    ctx: &Ctx,
    now: i64,
    fixed: Option<u64>,
    with_async: bool,
) -> Resp {
    let mut r = r
        .header("location", op.location_url(ctx.base))
        .header("retry-after", op.retry_after(now, fixed).to_string());
    if with_async {
        r = r.header("azure-asyncoperation", op.async_url(ctx.base));
    }
    r
}

/// A 202 for a running operation, with its headers.
pub fn accepted(st: &State, ctx: &Ctx, op: &Operation, now: i64, with_async: bool) -> Resp {
    lro_headers(
        Resp::empty(StatusCode::ACCEPTED),
        op,
        ctx,
        now,
        st.settings.lro_retry_after_secs,
        with_async,
    )
}
