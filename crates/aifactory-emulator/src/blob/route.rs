//! The Blob entry point for `/blob/{account}/...`: completes due ARM operations, admits the
//! request with the DFS endpoint's gate (refusals in the Blob XML format), dispatches the
//! account listing and the container operations, answers blob (object) paths with 501, and
//! adds `x-ms-version` (the request's; else the emulator's service version).
//!
//! Owns the gate's use and dispatch; must not implement an operation.

use super::container;
use super::reply::{self, invalid_query, not_implemented};
use crate::arm::complete::complete_due;
use crate::dfs::call::{Call, DfsCtx};
use crate::dfs::gate::admit;
use crate::dfs::model::SERVICE_VERSION;
use crate::http::{Req, Resp};
use crate::state::State;
use http::{Method, StatusCode};

/// Entry point for `/blob/{account}/...`.
pub fn handle(st: &mut State, base: &str, req: &Req) -> Resp {
    complete_due(st);
    let call = Call {
        base,
        req,
        now_ms: st.now_ms(),
    };
    let version = req
        .header("x-ms-version")
        .filter(|v| !v.trim().is_empty())
        .unwrap_or(SERVICE_VERSION)
        .to_string();
    let mut resp = gate(st, &call).header("x-ms-version", version);
    if req.method == Method::HEAD {
        // HEAD errors carry only the headers.
        resp.body = bytes::Bytes::new();
    }
    resp
}

fn gate(st: &mut State, call: &Call) -> Resp {
    let ctx = match admit(st, call) {
        Ok(ctx) => ctx,
        Err(d) => return reply::denied(call, d),
    };
    let principal = Some(ctx.oid.clone());
    let write = !matches!(call.req.method, Method::GET | Method::HEAD);
    let r = dispatch(st, call, &ctx);
    if r.status.is_success() && write {
        st.dirty = true;
    }
    r.principal(principal)
}

/// `/{account}?comp=list`, `/{account}/{container}?restype=container`, nothing deeper.
fn dispatch(st: &mut State, call: &Call, ctx: &DfsCtx) -> Resp {
    let req = call.req;
    let segs = &req.segments;
    let comp = req.q("comp");
    let restype = req.q("restype");
    if segs.len() == 2 {
        return match (&req.method, comp) {
            (&Method::GET, Some("list")) => container::list(st, call, ctx),
            (_, Some("list")) => unsupported_verb(call),
            (_, Some(c)) => not_implemented(call, &format!("The account operation comp={c}")),
            (_, None) => invalid_query(call, "comp=list expected"),
        };
    }
    if segs.len() > 3 {
        return not_implemented(call, "A blob operation");
    }
    let name = segs[2].as_str();
    if restype != Some("container") {
        return not_implemented(call, "A blob operation (restype=container missing)");
    }
    if let Some(c) = comp {
        return not_implemented(call, &format!("The container operation comp={c}"));
    }
    match req.method {
        Method::PUT => container::create(st, call, ctx, name),
        Method::GET | Method::HEAD => container::properties(st, call, ctx, name),
        Method::DELETE => container::delete(st, call, ctx, name),
        _ => unsupported_verb(call),
    }
}

fn unsupported_verb(call: &Call) -> Resp {
    reply::error(
        call,
        StatusCode::METHOD_NOT_ALLOWED,
        "UnsupportedHttpVerb",
        "The resource doesn't support specified Http Verb.",
    )
}
