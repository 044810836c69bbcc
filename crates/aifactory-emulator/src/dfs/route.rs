//! The DFS entry point for `/dfs/{account}/...`: completes due ARM operations, finds the
//! provisioned storage account, authenticates the storage-audience bearer token (tenant
//! included), requires `x-ms-version`, applies data-plane RBAC when on, and dispatches to the
//! account, filesystem, path and access-control operations.
//!
//! Owns the request gate and dispatch; must not implement an operation.

use super::call::{account_arm, Call, DfsCtx};
use super::model::SERVICE_VERSION;
use super::{access, filesystem, path};
use crate::arm::complete::complete_due;
use crate::arm::id::key;
use crate::auth::{self, AuthFailure, Caller, Service};
use crate::authorization;
use crate::http::{Req, Resp};
use crate::state::State;
use http::{Method, StatusCode};
use serde_json::Value;

/// Storage Blob Data Owner.
const BLOB_DATA_OWNER: &str = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";

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

/// Account, authentication, version and RBAC checks, then the operation.
fn gate(st: &mut State, call: &Call) -> Resp {
    let req = call.req;
    let Some(account) = req.segments.get(1).map(|s| s.to_ascii_lowercase()) else {
        return call.err(
            StatusCode::BAD_REQUEST,
            "InvalidUri",
            "The requested URI does not represent any resource on the server.",
        );
    };
    let Some((account_id, sub)) = account_arm(st, &account) else {
        return call.err(
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            &format!("The specified resource does not exist. (No provisioned storage account '{account}' in the emulator's ARM store.)"),
        );
    };
    let tenant = st
        .directory
        .subscription(&sub)
        .map(|s| s.tenant.clone())
        .unwrap_or_default();
    let caller = match authenticate(st, call, &tenant) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let principal = Some(caller.oid.clone());
    if req
        .header("x-ms-version")
        .is_none_or(|v| v.trim().is_empty())
    {
        return call
            .err(
                StatusCode::BAD_REQUEST,
                "MissingRequiredHeader",
                "An HTTP header that's mandatory for this request is not specified.",
            )
            .header("x-ms-header-name", "x-ms-version")
            .principal(principal);
    }
    let write = !matches!(req.method, Method::GET | Method::HEAD);
    if st.settings.dfs_rbac
        && !authorization::has_storage_data_role(st, &caller.oid, &account_id, write)
    {
        return call.not_authorized().principal(principal);
    }
    let superuser = !st.settings.dfs_rbac || owner_role(st, &caller.oid, &account_id);
    let ctx = DfsCtx {
        account,
        oid: caller.oid,
        superuser,
    };
    let r = dispatch(st, call, &ctx);
    if r.status.is_success() && write {
        st.dirty = true;
    }
    r.principal(principal)
}

/// The storage bearer token, from `tenant`; `Err` is the 401 (with `WWW-Authenticate`).
fn authenticate(st: &State, call: &Call, tenant: &str) -> Result<Caller, Resp> {
    const FAILED: &str = "Server failed to authenticate the request. Please refer to the information in the www-authenticate header.";
    let caller = match auth::authenticate(
        &st.signing_key,
        &call.req.headers,
        call.now_ms,
        Service::Storage,
    ) {
        Ok(c) => c,
        Err(f) => {
            let (code, msg) = match f {
                AuthFailure::Missing => ("NoAuthenticationInformation", FAILED.to_string()),
                AuthFailure::Expired { .. } => (
                    "InvalidAuthenticationInfo",
                    format!("{FAILED}\nLifetime validation failed. The token is expired."),
                ),
                AuthFailure::WrongAudience { .. } => (
                    "InvalidAuthenticationInfo",
                    format!("{FAILED}\nAudience validation failed. Audience did not match."),
                ),
                _ => ("InvalidAuthenticationInfo", FAILED.to_string()),
            };
            return Err(call
                .err(StatusCode::UNAUTHORIZED, code, &msg)
                .header("www-authenticate", format!("Bearer authorization_uri={}/{tenant}/oauth2/authorize resource_id=https://storage.azure.com", call.base)));
        }
    };
    if !caller.tid.eq_ignore_ascii_case(tenant) {
        return Err(call
            .err(
                StatusCode::UNAUTHORIZED,
                "InvalidAuthenticationInfo",
                &format!("{FAILED}\nIssuer validation failed. Issuer did not match."),
            )
            .principal(Some(caller.oid)));
    }
    Ok(caller)
}

/// Whether `oid` is Storage Blob Data Owner at `scope` or above.
fn owner_role(st: &State, oid: &str, scope: &str) -> bool {
    let sk = key(scope);
    !st.store
        .filter(|r| {
            r.full_type.eq_ignore_ascii_case(authorization::ASSIGNMENTS)
                && (r.parent_key == sk || sk.starts_with(&format!("{}/", r.parent_key)))
                && r.body
                    .pointer("/properties/principalId")
                    .and_then(Value::as_str)
                    .is_some_and(|p| p.eq_ignore_ascii_case(oid))
                && r.body
                    .pointer("/properties/roleDefinitionId")
                    .and_then(Value::as_str)
                    .is_some_and(|d| d.to_ascii_lowercase().ends_with(BLOB_DATA_OWNER))
        })
        .is_empty()
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
