//! Operation endpoints: the `Azure-AsyncOperation` status document
//! (`.../locations/{loc}/operations|operationStatuses|asyncOperations/{id}`) and the
//! `Location` result (`.../operationResults/{id}`, `/subscriptions/{s}/operationresults/{id}`):
//! 202 while running, then the outcome.
//!
//! Owns how operations read on the wire; must not complete them (`arm::complete` does, before
//! any request is answered).

use super::ctx::Ctx;
use super::lro::{OpKind, Operation};
use super::render::render;
use crate::http::{arm_error, Resp};
use crate::state::State;
use http::StatusCode;

/// The operation `op_id` of subscription `sub`; `Err` is the 404.
fn find<'a>(st: &'a State, op_id: &str, sub: &str) -> Result<&'a Operation, Resp> {
    st.ops
        .get(op_id)
        .filter(|o| o.subscription.eq_ignore_ascii_case(sub))
        .ok_or_else(|| {
            arm_error(
                StatusCode::NOT_FOUND,
                "OperationNotFound",
                format!("The operation '{op_id}' could not be found."),
            )
        })
}

/// `Azure-AsyncOperation` status, with `Retry-After` while running.
pub fn status(st: &State, ctx: &Ctx, op_id: &str, sub: &str) -> Resp {
    let op = match find(st, op_id, sub) {
        Ok(op) => op,
        Err(r) => return r,
    };
    let r = Resp::json(StatusCode::OK, &op.status_doc(ctx.base));
    if op.completed {
        return r;
    }
    r.header(
        "retry-after",
        op.retry_after(st.now_ms(), st.settings.lro_retry_after_secs)
            .to_string(),
    )
}

/// `Location` result: 202 while running, the error when failed, else the outcome.
pub fn result(st: &State, ctx: &Ctx, op_id: &str, sub: &str) -> Resp {
    let op = match find(st, op_id, sub) {
        Ok(op) => op,
        Err(r) => return r,
    };
    if !op.completed {
        return Resp::empty(StatusCode::ACCEPTED)
            .header("location", op.location_url(ctx.base))
            .header(
                "retry-after",
                op.retry_after(st.now_ms(), st.settings.lro_retry_after_secs)
                    .to_string(),
            );
    }
    if let Some((code, message)) = &op.failure {
        let status = if code == "InternalServerError" {
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            StatusCode::BAD_REQUEST
        };
        return arm_error(status, code, message.clone());
    }
    match op.kind {
        OpKind::Put => match st.store.get(&op.target_id) {
            Some(r) => Resp::json(StatusCode::OK, &render(st, r)),
            None => Resp::empty(StatusCode::NO_CONTENT),
        },
        OpKind::Delete | OpKind::DeleteResourceGroup | OpKind::Purge => Resp::empty(StatusCode::OK),
    }
}
