//! The DFS entry point for `/dfs/{account}/...`: completes due ARM operations, admits the
//! request (`gate`: provisioned account, storage-audience bearer token of the tenant,
//! `x-ms-version`, data-plane RBAC when on), answers a refusal in the DFS format, and
//! dispatches to the account, filesystem, path and access-control operations.
//!
//! Owns the request gate and dispatch; must not implement an operation.

use super::call::{Call, DfsCtx};
use super::gate::admit;
use super::model::SERVICE_VERSION;
use super::{access, filesystem, path};
use crate::arm::complete::complete_due;
use crate::http::{Req, Resp};
use crate::state::State;
use http::{Method, StatusCode};

/// Entry point for `/dfs/{account}/...`.
pub fn handle(st: &mut State, base: &str, req: &Req) -> Resp {
    complete_due(st);
    let call = Call {
        base,
        req,
        now_ms: st.now_ms(),
    };
    let mut resp = gate(st, &call).header("x-ms-version", SERVICE_VERSION);
    if req.method == Method::HEAD {
        // HEAD errors carry only the header.
        resp.body = bytes::Bytes::new();
    }
    resp
}

/// Account, authentication, version and RBAC checks (`gate`), then the operation.
fn gate(st: &mut State, call: &Call) -> Resp {
    let ctx = match admit(st, call) {
        Ok(ctx) => ctx,
        Err(d) => {
            let mut r = call.err(d.status, d.code, &d.message);
            for (k, v) in d.headers {
                r = r.header(k, v);
            }
            return r.principal(d.principal);
        }
    };
    let principal = Some(ctx.oid.clone());
    let write = !matches!(call.req.method, Method::GET | Method::HEAD);
    let r = dispatch(st, call, &ctx);
    if r.status.is_success() && write {
        st.dirty = true;
    }
    r.principal(principal)
}

/// Account listing, filesystem operations, then path operations by method and `action`.
fn dispatch(st: &mut State, call: &Call, ctx: &DfsCtx) -> Resp {
    let req = call.req;
    let segs = &req.segments;
    let resource = req.q("resource").map(str::to_ascii_lowercase);
    let action = req.q("action").map(str::to_string);
    if segs.len() == 2 {
        if req.method == Method::GET && resource.as_deref() == Some("account") {
            return filesystem::list_filesystems(st, ctx);
        }
        return call.err(
            StatusCode::BAD_REQUEST,
            "InvalidQueryParameterValue",
            "Value for one of the query parameters specified in the request URI is invalid.",
        );
    }
    let fs_name = segs[2].clone();
    let p = segs[3..].join("/");
    if p.is_empty() && action.is_none() {
        return filesystem::handle(st, call, ctx, &fs_name, resource.as_deref());
    }
    let Some(fs) = st
        .dfs
        .accounts
        .get(&ctx.account)
        .and_then(|a| a.filesystems.get(&fs_name))
        .cloned()
    else {
        return call.filesystem_not_found();
    };
    match (req.method.clone(), action.as_deref()) {
        (Method::PUT, None) => path::create(st, call, ctx, &fs_name, &p, resource.as_deref()),
        (Method::DELETE, None) => path::delete(st, call, ctx, &fs_name, &p),
        (Method::HEAD, Some("getAccessControl"))
        | (Method::HEAD, None)
        | (Method::HEAD, Some("getStatus")) => path::properties(st, call, &fs, &p),
        (Method::PATCH, Some("setAccessControl")) => access::set(st, call, ctx, &fs_name, &p),
        (Method::PATCH, Some("setAccessControlRecursive")) => {
            access::set_recursive(st, call, ctx, &fs_name, &p)
        }
        (Method::GET, None) => path::read(call, &fs, &p),
        _ => call.err(
            StatusCode::NOT_IMPLEMENTED,
            "NotImplemented",
            "This operation is not implemented by the emulator.",
        ),
    }
}
