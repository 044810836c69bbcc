//! What every DFS handler works with: the request (`Call`: base URL, request, clock), the
//! authenticated caller on an account (`DfsCtx`), the storage error answers they share, and
//! lookups of the ARM storage account and of a filesystem.
//!
//! Owns these shared pieces; must not route or implement an operation. Imported by the DFS
//! handlers; imports none of them.

use super::model::Filesystem;
use crate::acl::{AclError, PathAcl};
use crate::http::{storage_error, Req, Resp};
use crate::state::State;
use crate::util;
use http::StatusCode;
use serde_json::Value;

/// One DFS request.
pub struct Call<'a> {
    pub base: &'a str,
    pub req: &'a Req,
    pub now_ms: i64,
}

impl Call<'_> {
    /// A storage error (`x-ms-error-code`, JSON body) for this request.
    pub fn err(&self, status: StatusCode, code: &str, msg: &str) -> Resp {
        storage_error(
            status,
            code,
            msg,
            &self.req.request_id,
            &util::iso8601(self.now_ms),
        )
    }

    pub fn filesystem_not_found(&self) -> Resp {
        self.err(
            StatusCode::NOT_FOUND,
            "FilesystemNotFound",
            "The specified filesystem does not exist.",
        )
    }

    pub fn path_not_found(&self) -> Resp {
        self.err(
            StatusCode::NOT_FOUND,
            "PathNotFound",
            "The specified path does not exist.",
        )
    }

    pub fn condition_not_met(&self) -> Resp {
        self.err(
            StatusCode::PRECONDITION_FAILED,
            "ConditionNotMet",
            "The condition specified using HTTP conditional header(s) is not met.",
        )
    }

    /// 400 `InvalidQueryParameterValue` naming what was wrong.
    pub fn invalid_query(&self, what: &str) -> Resp {
        self.err(
            StatusCode::BAD_REQUEST,
            "InvalidQueryParameterValue",
            &format!("Value for one of the query parameters specified in the request URI is invalid. ({what})"),
        )
    }

    /// 400 `InvalidHeaderValue` naming what was wrong.
    pub fn invalid_header(&self, what: &str) -> Resp {
        self.err(
            StatusCode::BAD_REQUEST,
            "InvalidHeaderValue",
            &format!(
                "The value for one of the HTTP headers is not in the correct format. ({what})"
            ),
        )
    }

    pub fn acl_error(&self, e: &AclError) -> Resp {
        self.err(
            StatusCode::BAD_REQUEST,
            "InvalidAccessControlList",
            &format!("The access control list value is invalid. ({e})"),
        )
    }

    pub fn not_authorized(&self) -> Resp {
        self.err(
            StatusCode::FORBIDDEN,
            "AuthorizationPermissionMismatch",
            "This request is not authorized to perform this operation using this permission.",
        )
    }

    /// A query flag that is `true` (any case).
    pub fn flag(&self, name: &str) -> bool {
        self.req
            .q(name)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }
}

/// The authenticated caller on one account.
pub struct DfsCtx {
    pub account: String,
    pub oid: String,
    /// Storage Blob Data Owner (or RBAC off): may change owners and any ACL.
    pub superuser: bool,
}

impl DfsCtx {
    /// The caller may change this ACL (owner, or superuser).
    pub fn may_change(&self, acl: &PathAcl) -> bool {
        self.superuser || acl.owner.eq_ignore_ascii_case(&self.oid)
    }
}

/// The provisioned ARM storage account named `account`: (its ID, its subscription).
pub fn account_arm(st: &State, account: &str) -> Option<(String, String)> {
    st.store
        .filter(|r| {
            r.full_type
                .eq_ignore_ascii_case("Microsoft.Storage/storageAccounts")
                && r.id
                    .rsplit('/')
                    .next()
                    .is_some_and(|n| n.eq_ignore_ascii_case(account))
                && r.body
                    .pointer("/properties/provisioningState")
                    .and_then(Value::as_str)
                    == Some("Succeeded")
        })
        .first()
        .map(|r| {
            let sub = r.id.split('/').nth(2).unwrap_or_default().to_string();
            (r.id.clone(), sub)
        })
}

/// The caller's account's filesystem `name`; `Err` is the 404.
pub fn filesystem_mut<'a>(
    st: &'a mut State,
    call: &Call,
    ctx: &DfsCtx,
    name: &str,
) -> Result<&'a mut Filesystem, Resp> {
    st.dfs
        .accounts
        .get_mut(&ctx.account)
        .and_then(|a| a.filesystems.get_mut(name))
        .ok_or_else(|| call.filesystem_not_found())
}

/// `x-ms-umask`: four octal digits, default `0027`; `None` when malformed.
pub fn parse_umask(s: Option<&str>) -> Option<u16> {
    match s {
        None => Some(0o027),
        Some(v) if v.len() == 4 && v.chars().all(|c| ('0'..='7').contains(&c)) => {
            u16::from_str_radix(v, 8).ok()
        }
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn umask() {
        assert_eq!(parse_umask(Some("0027")), Some(0o027));
        assert_eq!(parse_umask(None), Some(0o027));
        assert_eq!(parse_umask(Some("27")), None);
    }
}
