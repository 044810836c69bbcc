//! The admission rules both storage data-plane endpoints apply before an operation (DFS here,
//! Blob in `crate::blob`): the account must be a provisioned storage account of the ARM
//! store, the bearer token must have the storage audience and the subscription's tenant,
//! `x-ms-version` is required, and with data-plane RBAC on the caller needs a Storage Blob
//! Data role. A refusal is a [`Denial`] (status, code, message, extra headers) that each
//! endpoint renders in its own error format (DFS JSON, Blob XML).
//!
//! Owns these rules; must not route, render bodies or implement an operation. Imports only
//! `call` (the request and the caller) of `dfs`.

use super::call::{account_arm, Call, DfsCtx};
use crate::arm::id::key;
use crate::auth::{self, AuthFailure, Caller, Service};
use crate::authorization;
use crate::state::State;
use http::{Method, StatusCode};
use serde_json::Value;

/// Storage Blob Data Owner.
const BLOB_DATA_OWNER: &str = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";

const FAILED: &str = "Server failed to authenticate the request. Please refer to the information in the www-authenticate header.";

/// Why a request is not admitted, in no wire format yet.
#[derive(Debug, Clone, PartialEq)]
pub struct Denial {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Extra response headers (`WWW-Authenticate`, `x-ms-header-name`).
    pub headers: Vec<(&'static str, String)>,
    /// The caller, once known (for the journal).
    pub principal: Option<String>,
}

impl Denial {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Denial {
        Denial {
            status,
            code,
            message: message.into(),
            headers: Vec::new(),
            principal: None,
        }
    }
}

/// The caller on `/{dfs|blob}/{account}/...`, or why not: account, token, version, RBAC.
pub fn admit(st: &State, call: &Call) -> Result<DfsCtx, Denial> {
    let req = call.req;
    let Some(account) = req.segments.get(1).map(|s| s.to_ascii_lowercase()) else {
        return Err(Denial::new(
            StatusCode::BAD_REQUEST,
            "InvalidUri",
            "The requested URI does not represent any resource on the server.",
        ));
    };
    let Some((account_id, sub)) = account_arm(st, &account) else {
        return Err(Denial::new(
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            format!("The specified resource does not exist. (No provisioned storage account '{account}' in the emulator's ARM store.)"),
        ));
    };
    let tenant = st
        .directory
        .subscription(&sub)
        .map(|s| s.tenant.clone())
        .unwrap_or_default();
    let caller = authenticate(st, call, &tenant)?;
    let principal = Some(caller.oid.clone());
    if req
        .header("x-ms-version")
        .is_none_or(|v| v.trim().is_empty())
    {
        let mut d = Denial::new(
            StatusCode::BAD_REQUEST,
            "MissingRequiredHeader",
            "An HTTP header that's mandatory for this request is not specified.",
        );
        d.headers.push(("x-ms-header-name", "x-ms-version".into()));
        d.principal = principal;
        return Err(d);
    }
    let write = !matches!(req.method, Method::GET | Method::HEAD);
    if st.settings.dfs_rbac
        && !authorization::has_storage_data_role(st, &caller.oid, &account_id, write)
    {
        let mut d = Denial::new(
            StatusCode::FORBIDDEN,
            "AuthorizationPermissionMismatch",
            "This request is not authorized to perform this operation using this permission.",
        );
        d.principal = principal;
        return Err(d);
    }
    let superuser = !st.settings.dfs_rbac || owner_role(st, &caller.oid, &account_id);
    Ok(DfsCtx {
        account,
        oid: caller.oid,
        superuser,
    })
}

/// The storage bearer token, from `tenant`; `Err` is the 401 (with `WWW-Authenticate`).
fn authenticate(st: &State, call: &Call, tenant: &str) -> Result<Caller, Denial> {
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
            let mut d = Denial::new(StatusCode::UNAUTHORIZED, code, msg);
            d.headers.push((
                "www-authenticate",
                format!(
                    "Bearer authorization_uri={}/{tenant}/oauth2/authorize resource_id=https://storage.azure.com",
                    call.base
                ),
            ));
            return Err(d);
        }
    };
    if !caller.tid.eq_ignore_ascii_case(tenant) {
        let mut d = Denial::new(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationInfo",
            format!("{FAILED}\nIssuer validation failed. Issuer did not match."),
        );
        d.principal = Some(caller.oid);
        return Err(d);
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
