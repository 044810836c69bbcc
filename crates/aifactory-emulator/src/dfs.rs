//! ADLS Gen2 DFS endpoint for storage accounts created in the ARM store, served under
//! `{base_url}/dfs/{account}` (the `dfs_endpoint_template`): filesystems, directories and
//! (empty) files, `getAccessControl`, `setAccessControl`, `setAccessControlRecursive`
//! (`mode=set|modify|remove`, `maxRecords`, `continuation`), path listing, storage-audience
//! bearer auth, `x-ms-version`, storage error shapes, optional data-plane RBAC.
//!
//! Owns DFS data and semantics; ACL grammar lives in `acl`.

use super::acl::{self, AclError, PathAcl};
use super::auth::{self, AuthFailure, Service};
use super::authorization;
use super::http::{storage_error, Req, Resp};
use super::seed::{FilesystemSeed, PrincipalKind};
use super::state::State;
use super::{token, util};
use http::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The `x-ms-version` the emulator answers with.
pub const SERVICE_VERSION: &str = "2021-06-08";
/// Owner of things created without an OAuth identity (seeds).
pub const SUPERUSER: &str = "$superuser";

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct DfsState {
    pub accounts: BTreeMap<String, Account>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Account {
    pub filesystems: BTreeMap<String, Filesystem>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Filesystem {
    pub name: String,
    pub etag: String,
    pub modified_ms: i64,
    pub root: PathAcl,
    /// Paths without leading slash ("a/b"), case-sensitive.
    pub paths: BTreeMap<String, PathEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PathEntry {
    pub is_dir: bool,
    pub acl: PathAcl,
    pub etag: String,
    pub modified_ms: i64,
}

impl DfsState {
    /// Forgets an account's data (its storage account was deleted).
    pub fn drop_account(&mut self, name: &str) {
        self.accounts.remove(&name.to_ascii_lowercase());
    }
}

fn etag() -> String {
    format!(
        "\"0x{}\"",
        util::new_guid().replace('-', "")[..15].to_ascii_uppercase()
    )
}

fn valid_fs_name(n: &str) -> bool {
    let ok_chars = n
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '$');
    (3..=63).contains(&n.len())
        && ok_chars
        && !n.contains("--")
        && !n.ends_with('-')
        && n.chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '$')
}

struct Call<'a> {
    base: &'a str,
    req: &'a Req,
    now_ms: i64,
}

impl Call<'_> {
    fn err(&self, status: StatusCode, code: &str, msg: &str) -> Resp {
        storage_error(
            status,
            code,
            msg,
            &self.req.request_id,
            &util::iso8601(self.now_ms),
        )
    }
}

/// Finds the ARM storage account named `account` (must be provisioned).
fn account_arm(st: &State, account: &str) -> Option<(String, String)> {
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

/// Entry point for `/dfs/{account}/...`.
pub fn handle(st: &mut State, base: &str, req: &Req) -> Resp {
    super::arm::complete_due(st);
    let call = Call {
        base,
        req,
        now_ms: st.now_ms(),
    };
    let resp = handle_inner(st, &call);
    let resp = resp.header("x-ms-version", SERVICE_VERSION);
    if req.method == Method::HEAD {
        // HEAD errors carry only the header.
        let mut r = resp;
        r.body = bytes::Bytes::new();
        return r;
    }
    resp
}

fn handle_inner(st: &mut State, call: &Call) -> Resp {
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
    // Authentication.
    let caller = match auth::authenticate(
        &st.signing_key,
        &req.headers,
        call.now_ms,
        Service::Storage,
    ) {
        Ok(c) => c,
        Err(f) => {
            let (code, msg) = match f {
                AuthFailure::Missing => ("NoAuthenticationInformation", "Server failed to authenticate the request. Please refer to the information in the www-authenticate header."),
                AuthFailure::Expired { .. } => ("InvalidAuthenticationInfo", "Server failed to authenticate the request. Please refer to the information in the www-authenticate header.\nLifetime validation failed. The token is expired."),
                AuthFailure::WrongAudience { .. } => ("InvalidAuthenticationInfo", "Server failed to authenticate the request. Please refer to the information in the www-authenticate header.\nAudience validation failed. Audience did not match."),
                _ => ("InvalidAuthenticationInfo", "Server failed to authenticate the request. Please refer to the information in the www-authenticate header."),
            };
            return call
                .err(StatusCode::UNAUTHORIZED, code, msg)
                .header("www-authenticate", format!("Bearer authorization_uri={}/{tenant}/oauth2/authorize resource_id=https://storage.azure.com", call.base));
        }
    };
    let principal = Some(caller.oid.clone());
    if !caller.tid.eq_ignore_ascii_case(&tenant) {
        return call
            .err(StatusCode::UNAUTHORIZED, "InvalidAuthenticationInfo", "Server failed to authenticate the request. Please refer to the information in the www-authenticate header.\nIssuer validation failed. Issuer did not match.")
            .principal(principal);
    }
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
        return call
            .err(
                StatusCode::FORBIDDEN,
                "AuthorizationPermissionMismatch",
                "This request is not authorized to perform this operation using this permission.",
            )
            .principal(principal);
    }
    let superuser = !st.settings.dfs_rbac || owner_role(st, &caller.oid, &account_id);
    let ctx = DfsCtx {
        account,
        oid: caller.oid.clone(),
        superuser,
    };
    let r = dispatch(st, call, &ctx);
    if r.status.is_success() && write {
        st.dirty = true;
    }
    r.principal(principal)
}

fn owner_role(st: &State, oid: &str, scope: &str) -> bool {
    let sk = super::arm::id::key(scope);
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
                    .is_some_and(|d| {
                        d.to_ascii_lowercase()
                            .ends_with("b7e6dc6d-f1e8-4753-8033-0f276bb0955b")
                    })
        })
        .is_empty()
}

struct DfsCtx {
    account: String,
    oid: String,
    /// Storage Blob Data Owner (or RBAC off): may change owners and any ACL.
    superuser: bool,
}

fn dispatch(st: &mut State, call: &Call, ctx: &DfsCtx) -> Resp {
    let req = call.req;
    let segs = &req.segments;
    let resource = req.q("resource").map(str::to_ascii_lowercase);
    let action = req.q("action").map(str::to_string);
    if segs.len() == 2 {
        if req.method == Method::GET && resource.as_deref() == Some("account") {
            let acct = st
                .dfs
                .accounts
                .get(&ctx.account)
                .cloned()
                .unwrap_or_default();
            let list: Vec<Value> = acct
                .filesystems
                .values()
                .map(|f| json!({"name": f.name, "etag": f.etag, "lastModified": util::rfc1123(f.modified_ms)}))
                .collect();
            return Resp::json(StatusCode::OK, &json!({ "filesystems": list }));
        }
        return call.err(
            StatusCode::BAD_REQUEST,
            "InvalidQueryParameterValue",
            "Value for one of the query parameters specified in the request URI is invalid.",
        );
    }
    let fs_name = segs[2].clone();
    let path = segs[3..].join("/");
    if path.is_empty() && action.is_none() {
        return filesystem_op(st, call, ctx, &fs_name, resource.as_deref());
    }
    let Some(fs) = st
        .dfs
        .accounts
        .get(&ctx.account)
        .and_then(|a| a.filesystems.get(&fs_name))
        .cloned()
    else {
        return call.err(
            StatusCode::NOT_FOUND,
            "FilesystemNotFound",
            "The specified filesystem does not exist.",
        );
    };
    match (req.method.clone(), action.as_deref()) {
        (Method::PUT, None) => create_path(st, call, ctx, &fs_name, &path, resource.as_deref()),
        (Method::DELETE, None) => delete_path(st, call, ctx, &fs_name, &path),
        (Method::HEAD, Some("getAccessControl"))
        | (Method::HEAD, None)
        | (Method::HEAD, Some("getStatus")) => get_props(st, call, &fs, &path),
        (Method::PATCH, Some("setAccessControl")) => set_acl(st, call, ctx, &fs_name, &path),
        (Method::PATCH, Some("setAccessControlRecursive")) => {
            set_acl_recursive(st, call, ctx, &fs_name, &path)
        }
        (Method::GET, None) => match lookup(&fs, &path) {
            Some((false, e)) => Resp::empty(StatusCode::OK)
                .header("etag", e.etag.clone())
                .header("content-length", "0")
                .header("x-ms-resource-type", "file"),
            Some((true, _)) => call.err(
                StatusCode::BAD_REQUEST,
                "InvalidResourceType",
                "The resource type is a directory; read a file.",
            ),
            None => call.err(
                StatusCode::NOT_FOUND,
                "PathNotFound",
                "The specified path does not exist.",
            ),
        },
        _ => call.err(
            StatusCode::NOT_IMPLEMENTED,
            "NotImplemented",
            "This operation is not implemented by the emulator.",
        ),
    }
}

fn lookup<'a>(fs: &'a Filesystem, path: &str) -> Option<(bool, PathEntryRef<'a>)> {
    if path.is_empty() {
        return Some((
            true,
            PathEntryRef {
                acl: &fs.root,
                etag: &fs.etag,
                modified_ms: fs.modified_ms,
            },
        ));
    }
    fs.paths.get(path).map(|e| {
        (
            e.is_dir,
            PathEntryRef {
                acl: &e.acl,
                etag: &e.etag,
                modified_ms: e.modified_ms,
            },
        )
    })
}

struct PathEntryRef<'a> {
    acl: &'a PathAcl,
    etag: &'a String,
    modified_ms: i64,
}

fn filesystem_op(
    st: &mut State,
    call: &Call,
    ctx: &DfsCtx,
    name: &str,
    resource: Option<&str>,
) -> Resp {
    let req = call.req;
    if resource != Some("filesystem") {
        return call.err(StatusCode::BAD_REQUEST, "InvalidQueryParameterValue", "Value for one of the query parameters specified in the request URI is invalid. (resource=filesystem expected)");
    }
    let now = call.now_ms;
    let acct = st.dfs.accounts.entry(ctx.account.clone()).or_default();
    match req.method {
        Method::PUT => {
            if !valid_fs_name(name) {
                return call.err(
                    StatusCode::BAD_REQUEST,
                    "InvalidResourceName",
                    "The specifed resource name contains invalid characters.",
                );
            }
            if acct.filesystems.contains_key(name) {
                return call.err(
                    StatusCode::CONFLICT,
                    "FilesystemAlreadyExists",
                    "The specified filesystem already exists.",
                );
            }
            let fs = Filesystem {
                name: name.into(),
                etag: etag(),
                modified_ms: now,
                root: PathAcl::from_mode(&ctx.oid, &ctx.oid, 0o750),
                paths: BTreeMap::new(),
            };
            let (e, m) = (fs.etag.clone(), fs.modified_ms);
            acct.filesystems.insert(name.into(), fs);
            Resp::empty(StatusCode::CREATED)
                .header("etag", e)
                .header("last-modified", util::rfc1123(m))
                .header("x-ms-namespace-enabled", "true")
        }
        Method::DELETE => match acct.filesystems.remove(name) {
            Some(_) => Resp::empty(StatusCode::ACCEPTED),
            None => call.err(
                StatusCode::NOT_FOUND,
                "FilesystemNotFound",
                "The specified filesystem does not exist.",
            ),
        },
        Method::HEAD => match acct.filesystems.get(name) {
            Some(f) => Resp::empty(StatusCode::OK)
                .header("etag", f.etag.clone())
                .header("last-modified", util::rfc1123(f.modified_ms))
                .header("x-ms-namespace-enabled", "true"),
            None => call.err(
                StatusCode::NOT_FOUND,
                "FilesystemNotFound",
                "The specified filesystem does not exist.",
            ),
        },
        Method::GET => {
            let Some(f) = acct.filesystems.get(name) else {
                return call.err(
                    StatusCode::NOT_FOUND,
                    "FilesystemNotFound",
                    "The specified filesystem does not exist.",
                );
            };
            let recursive = req
                .q("recursive")
                .is_some_and(|v| v.eq_ignore_ascii_case("true"));
            let dir = req
                .q("directory")
                .unwrap_or_default()
                .trim_matches('/')
                .to_string();
            let max: usize = req
                .q("maxResults")
                .and_then(|m| m.parse().ok())
                .unwrap_or(5000)
                .clamp(1, 5000);
            let start = req.q("continuation").and_then(decode_token);
            if !dir.is_empty() && !f.paths.get(&dir).is_some_and(|e| e.is_dir) {
                return call.err(
                    StatusCode::NOT_FOUND,
                    "PathNotFound",
                    "The specified path does not exist.",
                );
            }
            let prefix = if dir.is_empty() {
                String::new()
            } else {
                format!("{dir}/")
            };
            let mut items: Vec<(&String, &PathEntry)> = f
                .paths
                .iter()
                .filter(|(p, _)| {
                    p.starts_with(&prefix) && (recursive || !p[prefix.len()..].contains('/'))
                })
                .filter(|(p, _)| start.as_ref().is_none_or(|s| *p >= s))
                .collect();
            let next = (items.len() > max).then(|| items[max].0.clone());
            items.truncate(max);
            let paths: Vec<Value> = items
                .into_iter()
                .map(|(p, e)| {
                    let mut v = json!({
                        "name": p, "owner": e.acl.owner, "group": e.acl.group, "permissions": e.acl.permissions(),
                        "lastModified": util::rfc1123(e.modified_ms), "etag": e.etag, "contentLength": "0",
                    });
                    if e.is_dir {
                        v["isDirectory"] = json!("true");
                    }
                    v
                })
                .collect();
            let mut r = Resp::json(StatusCode::OK, &json!({ "paths": paths }));
            if let Some(n) = next {
                r = r.header("x-ms-continuation", encode_token(&n));
            }
            r
        }
        _ => call.err(
            StatusCode::METHOD_NOT_ALLOWED,
            "UnsupportedHttpVerb",
            "The resource doesn't support the specified HTTP verb.",
        ),
    }
}

fn encode_token(path: &str) -> String {
    token::b64url(path.as_bytes())
}

fn decode_token(t: &str) -> Option<String> {
    token::b64url_decode(t).and_then(|b| String::from_utf8(b).ok())
}

fn parse_umask(s: Option<&str>) -> Result<u16, ()> {
    match s {
        None => Ok(0o027),
        Some(v) if v.len() == 4 && v.chars().all(|c| ('0'..='7').contains(&c)) => {
            u16::from_str_radix(v, 8).map_err(|_| ())
        }
        Some(_) => Err(()),
    }
}

fn acl_error(call: &Call, e: &AclError) -> Resp {
    call.err(
        StatusCode::BAD_REQUEST,
        "InvalidAccessControlList",
        &format!("The access control list value is invalid. ({e})"),
    )
}

fn create_path(
    st: &mut State,
    call: &Call,
    ctx: &DfsCtx,
    fs_name: &str,
    path: &str,
    resource: Option<&str>,
) -> Resp {
    let req = call.req;
    let is_dir = match resource {
        Some("directory") => true,
        Some("file") => false,
        _ => {
            if req.header("x-ms-rename-source").is_some() {
                return call.err(
                    StatusCode::NOT_IMPLEMENTED,
                    "NotImplemented",
                    "Rename is not implemented by the emulator.",
                );
            }
            return call.err(StatusCode::BAD_REQUEST, "InvalidQueryParameterValue", "Value for one of the query parameters specified in the request URI is invalid. (resource=directory|file)");
        }
    };
    let Ok(umask) = parse_umask(req.header("x-ms-umask")) else {
        return call.err(
            StatusCode::BAD_REQUEST,
            "InvalidHeaderValue",
            "The value for one of the HTTP headers is not in the correct format. (x-ms-umask)",
        );
    };
    let acl_header = match req
        .header("x-ms-acl")
        .map(|a| acl::parse(a, acl::Mode::WithPerms))
    {
        Some(Ok(a)) => Some(a),
        Some(Err(e)) => return acl_error(call, &e),
        None => None,
    };
    let now = call.now_ms;
    let Some(fs) = st
        .dfs
        .accounts
        .get_mut(&ctx.account)
        .and_then(|a| a.filesystems.get_mut(fs_name))
    else {
        return call.err(
            StatusCode::NOT_FOUND,
            "FilesystemNotFound",
            "The specified filesystem does not exist.",
        );
    };
    if let Some(existing) = fs.paths.get(path) {
        if req
            .header("if-none-match")
            .is_some_and(|v| v.trim() == "*" || v.trim() == "\"*\"")
        {
            return call.err(
                StatusCode::CONFLICT,
                "PathAlreadyExists",
                "The specified path already exists.",
            );
        }
        if existing.is_dir != is_dir {
            return call.err(StatusCode::CONFLICT, "ResourceTypeMismatch", "The resource type specified in the request does not match the type of the resource.");
        }
        if let Some(m) = req.header("if-match") {
            if m.trim() != "*" && m.trim() != existing.etag {
                return call.err(
                    StatusCode::PRECONDITION_FAILED,
                    "ConditionNotMet",
                    "The condition specified using HTTP conditional header(s) is not met.",
                );
            }
        }
    } else if req.header("if-match").is_some() {
        return call.err(
            StatusCode::PRECONDITION_FAILED,
            "ConditionNotMet",
            "The condition specified using HTTP conditional header(s) is not met.",
        );
    }
    // Intermediate directories.
    let parts: Vec<&str> = path.split('/').collect();
    let mut parent_acl = fs.root.clone();
    for i in 1..parts.len() {
        let p = parts[..i].join("/");
        match fs.paths.get(&p) {
            Some(e) if !e.is_dir => {
                return call.err(StatusCode::CONFLICT, "PathConflict", "The specified path, or an element of the path, exists and its resource type is invalid for this operation.");
            }
            Some(e) => parent_acl = e.acl.clone(),
            None => {
                let group = parent_acl.group.clone();
                let acl = parent_acl
                    .inherit(&ctx.oid, &group, true)
                    .unwrap_or_else(|| PathAcl::from_mode(&ctx.oid, &group, 0o777 & !umask));
                fs.paths.insert(
                    p.clone(),
                    PathEntry {
                        is_dir: true,
                        acl: acl.clone(),
                        etag: etag(),
                        modified_ms: now,
                    },
                );
                parent_acl = acl;
            }
        }
    }
    let existing = fs.paths.get(path).cloned();
    let group = parent_acl.group.clone();
    let mut acl = match &existing {
        Some(e) => e.acl.clone(),
        None => parent_acl
            .inherit(&ctx.oid, &group, is_dir)
            .unwrap_or_else(|| {
                PathAcl::from_mode(
                    &ctx.oid,
                    &group,
                    (if is_dir { 0o777 } else { 0o666 }) & !umask,
                )
            }),
    };
    if let Some(p) = req.header("x-ms-permissions") {
        if let Err(e) = acl.chmod(p) {
            return call.err(
                StatusCode::BAD_REQUEST,
                "InvalidHeaderValue",
                &format!(
                    "The value for one of the HTTP headers is not in the correct format. ({e})"
                ),
            );
        }
    }
    if let Some(a) = &acl_header {
        if let Err(e) = acl.set(a, is_dir) {
            return acl_error(call, &e);
        }
    }
    if let Some(o) = req.header("x-ms-owner") {
        acl.owner = o.to_string();
    }
    if let Some(g) = req.header("x-ms-group") {
        acl.group = g.to_string();
    }
    let e = PathEntry {
        is_dir,
        acl,
        etag: etag(),
        modified_ms: now,
    };
    let (tag, m) = (e.etag.clone(), e.modified_ms);
    fs.paths.insert(path.to_string(), e);
    Resp::empty(StatusCode::CREATED)
        .header("etag", tag)
        .header("last-modified", util::rfc1123(m))
        .header("x-ms-request-server-encrypted", "true")
        .header("content-length", "0")
}

fn delete_path(st: &mut State, call: &Call, ctx: &DfsCtx, fs_name: &str, path: &str) -> Resp {
    let Some(fs) = st
        .dfs
        .accounts
        .get_mut(&ctx.account)
        .and_then(|a| a.filesystems.get_mut(fs_name))
    else {
        return call.err(
            StatusCode::NOT_FOUND,
            "FilesystemNotFound",
            "The specified filesystem does not exist.",
        );
    };
    let Some(e) = fs.paths.get(path) else {
        return call.err(
            StatusCode::NOT_FOUND,
            "PathNotFound",
            "The specified path does not exist.",
        );
    };
    let prefix = format!("{path}/");
    let has_children = e.is_dir && fs.paths.keys().any(|k| k.starts_with(&prefix));
    let recursive = call
        .req
        .q("recursive")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    if has_children && !recursive {
        return call.err(
            StatusCode::CONFLICT,
            "DirectoryNotEmpty",
            "The recursive query parameter value must be true to delete a non-empty directory.",
        );
    }
    fs.paths.retain(|k, _| k != path && !k.starts_with(&prefix));
    Resp::empty(StatusCode::OK)
}

fn upn_mapper<'a>(st: &'a State, upn: bool) -> impl Fn(&str) -> String + 'a {
    move |id: &str| {
        if !upn {
            return id.to_string();
        }
        st.directory
            .by_object_id(id)
            .filter(|p| p.kind == PrincipalKind::User)
            .and_then(|p| p.user_principal_name.clone())
            .unwrap_or_else(|| id.to_string())
    }
}

fn get_props(st: &State, call: &Call, fs: &Filesystem, path: &str) -> Resp {
    let Some((is_dir, e)) = lookup(fs, path) else {
        return call.err(
            StatusCode::NOT_FOUND,
            "PathNotFound",
            "The specified path does not exist.",
        );
    };
    let upn = call
        .req
        .q("upn")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let map = upn_mapper(st, upn);
    let mut r = Resp::empty(StatusCode::OK)
        .header("etag", e.etag.clone())
        .header("last-modified", util::rfc1123(e.modified_ms))
        .header("x-ms-owner", map(&e.acl.owner))
        .header("x-ms-group", map(&e.acl.group))
        .header("x-ms-permissions", e.acl.permissions());
    if call
        .req
        .q("action")
        .is_some_and(|a| a == "getAccessControl")
    {
        r = r.header("x-ms-acl", e.acl.to_header(&map));
    } else {
        r = r
            .header(
                "x-ms-resource-type",
                if is_dir { "directory" } else { "file" },
            )
            .header("content-length", "0");
    }
    r
}

fn may_change(ctx: &DfsCtx, acl: &PathAcl) -> bool {
    ctx.superuser || acl.owner.eq_ignore_ascii_case(&ctx.oid)
}

fn set_acl(st: &mut State, call: &Call, ctx: &DfsCtx, fs_name: &str, path: &str) -> Resp {
    let req = call.req;
    let acl_h = req.header("x-ms-acl");
    let perm_h = req.header("x-ms-permissions");
    if acl_h.is_some() && perm_h.is_some() {
        return call.err(
            StatusCode::BAD_REQUEST,
            "InvalidHeaderValue",
            "x-ms-permissions and x-ms-acl are mutually exclusive.",
        );
    }
    let entries = match acl_h.map(|a| acl::parse(a, acl::Mode::WithPerms)) {
        Some(Ok(a)) => Some(a),
        Some(Err(e)) => return acl_error(call, &e),
        None => None,
    };
    let now = call.now_ms;
    let Some(fs) = st
        .dfs
        .accounts
        .get_mut(&ctx.account)
        .and_then(|a| a.filesystems.get_mut(fs_name))
    else {
        return call.err(
            StatusCode::NOT_FOUND,
            "FilesystemNotFound",
            "The specified filesystem does not exist.",
        );
    };
    let (is_dir, current_etag, mut acl) = if path.is_empty() {
        (true, fs.etag.clone(), fs.root.clone())
    } else {
        match fs.paths.get(path) {
            Some(e) => (e.is_dir, e.etag.clone(), e.acl.clone()),
            None => {
                return call.err(
                    StatusCode::NOT_FOUND,
                    "PathNotFound",
                    "The specified path does not exist.",
                )
            }
        }
    };
    if let Some(m) = req.header("if-match") {
        if m.trim() != "*" && m.trim() != current_etag {
            return call.err(
                StatusCode::PRECONDITION_FAILED,
                "ConditionNotMet",
                "The condition specified using HTTP conditional header(s) is not met.",
            );
        }
    }
    if !may_change(ctx, &acl) || (req.header("x-ms-owner").is_some() && !ctx.superuser) {
        return call.err(
            StatusCode::FORBIDDEN,
            "AuthorizationPermissionMismatch",
            "This request is not authorized to perform this operation using this permission.",
        );
    }
    if let Some(entries) = &entries {
        if !is_dir && entries.iter().any(|a| a.default) {
            return call.err(
                StatusCode::BAD_REQUEST,
                "DefaultAclOnFileNotAllowed",
                "A default ACL cannot be set on a file.",
            );
        }
        if let Err(e) = acl.set(entries, is_dir) {
            return acl_error(call, &e);
        }
    }
    if let Some(p) = perm_h {
        if let Err(e) = acl.chmod(p) {
            return call.err(
                StatusCode::BAD_REQUEST,
                "InvalidHeaderValue",
                &format!(
                    "The value for one of the HTTP headers is not in the correct format. ({e})"
                ),
            );
        }
    }
    if let Some(o) = req.header("x-ms-owner") {
        acl.owner = o.to_string();
    }
    if let Some(g) = req.header("x-ms-group") {
        acl.group = g.to_string();
    }
    let tag = etag();
    if path.is_empty() {
        fs.root = acl;
        fs.etag = tag.clone();
        fs.modified_ms = now;
    } else if let Some(e) = fs.paths.get_mut(path) {
        e.acl = acl;
        e.etag = tag.clone();
        e.modified_ms = now;
    }
    Resp::empty(StatusCode::OK)
        .header("etag", tag)
        .header("last-modified", util::rfc1123(now))
}

fn set_acl_recursive(st: &mut State, call: &Call, ctx: &DfsCtx, fs_name: &str, path: &str) -> Resp {
    let req = call.req;
    let mode = match req.q("mode") {
        Some("set") => "set",
        Some("modify") => "modify",
        Some("remove") => "remove",
        _ => return call.err(StatusCode::BAD_REQUEST, "InvalidQueryParameterValue", "Value for one of the query parameters specified in the request URI is invalid. (mode must be set, modify or remove)"),
    };
    let Some(acl_h) = req.header("x-ms-acl") else {
        return call
            .err(
                StatusCode::BAD_REQUEST,
                "MissingRequiredHeader",
                "An HTTP header that's mandatory for this request is not specified.",
            )
            .header("x-ms-header-name", "x-ms-acl");
    };
    let entries = match acl::parse(
        acl_h,
        if mode == "remove" {
            acl::Mode::Remove
        } else {
            acl::Mode::WithPerms
        },
    ) {
        Ok(e) => e,
        Err(e) => return acl_error(call, &e),
    };
    let max = match req.q("maxRecords") {
        None => 2000,
        Some(m) => match m.parse::<usize>() {
            Ok(n) if (1..=2000).contains(&n) => n,
            _ => return call.err(StatusCode::BAD_REQUEST, "InvalidQueryParameterValue", "Value for one of the query parameters specified in the request URI is invalid. (maxRecords 1..2000)"),
        },
    };
    let force = req
        .q("forceFlag")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let start = match req.q("continuation") {
        Some(c) => match decode_token(c) {
            Some(p) => Some(p),
            None => return call.err(StatusCode::BAD_REQUEST, "InvalidQueryParameterValue", "Value for one of the query parameters specified in the request URI is invalid. (continuation)"),
        },
        None => None,
    };
    let now = call.now_ms;
    let Some(fs) = st
        .dfs
        .accounts
        .get_mut(&ctx.account)
        .and_then(|a| a.filesystems.get_mut(fs_name))
    else {
        return call.err(
            StatusCode::NOT_FOUND,
            "FilesystemNotFound",
            "The specified filesystem does not exist.",
        );
    };
    if !path.is_empty() && !fs.paths.contains_key(path) {
        return call.err(
            StatusCode::NOT_FOUND,
            "PathNotFound",
            "The specified path does not exist.",
        );
    }
    // Traversal order: the path itself, then descendants in lexical order. Token = next key
    // ("" stands for the start path).
    let prefix = if path.is_empty() {
        String::new()
    } else {
        format!("{path}/")
    };
    let mut order: Vec<String> = vec![path.to_string()];
    order.extend(
        fs.paths
            .keys()
            .filter(|k| k.starts_with(&prefix) && k.as_str() != path)
            .cloned(),
    );
    let from = match &start {
        Some(s) => match order.iter().position(|k| k == s) {
            Some(i) => i,
            None => return call.err(StatusCode::BAD_REQUEST, "InvalidQueryParameterValue", "Value for one of the query parameters specified in the request URI is invalid. (continuation)"),
        },
        None => 0,
    };
    let (mut dirs, mut files, mut failures) = (0u64, 0u64, Vec::new());
    let mut next: Option<String> = None;
    for (n, k) in order.iter().enumerate().skip(from) {
        if n - from >= max {
            next = Some(k.clone());
            break;
        }
        let (is_dir, acl) = if k.is_empty() {
            (true, &mut fs.root)
        } else {
            match fs.paths.get_mut(k) {
                Some(e) => (e.is_dir, &mut e.acl),
                None => continue,
            }
        };
        if !may_change(ctx, acl) {
            failures.push(json!({"name": k, "type": if is_dir { "DIRECTORY" } else { "FILE" }, "errorMessage": "This request is not authorized to perform this operation using this permission."}));
            if !force {
                next = order.get(n + 1).cloned();
                break;
            }
            continue;
        }
        let applicable: Vec<acl::Ace> = entries
            .iter()
            .filter(|a| is_dir || !a.default)
            .cloned()
            .collect();
        let res = match mode {
            "set" => acl.set(&applicable, is_dir),
            "modify" => acl.modify(&applicable, is_dir),
            _ => acl.remove(&applicable),
        };
        if let Err(e) = res {
            return acl_error(call, &e);
        }
        if is_dir {
            dirs += 1;
        } else {
            files += 1;
        }
        if let Some(e) = fs.paths.get_mut(k) {
            e.etag = etag();
            e.modified_ms = now;
        }
    }
    let mut r = Resp::json(
        StatusCode::OK,
        &json!({"directoriesSuccessful": dirs, "filesSuccessful": files, "failureCount": failures.len(), "failedEntries": failures}),
    );
    if let Some(n) = next {
        r = r.header("x-ms-continuation", encode_token(&n));
    }
    r
}

/// Seeds a filesystem and directories (owned by `$superuser`).
pub fn seed_filesystem(st: &mut State, s: &FilesystemSeed) -> Result<(), String> {
    let account = s.account.to_ascii_lowercase();
    if account_arm(st, &account).is_none() {
        return Err(format!("filesystem {}: storage account '{}' is not seeded (add Microsoft.Storage/storageAccounts/{} to resources first)", s.name, s.account, s.account));
    }
    if !valid_fs_name(&s.name) {
        return Err(format!("filesystem name '{}' is invalid", s.name));
    }
    let now = st.now_ms();
    let fs = st
        .dfs
        .accounts
        .entry(account)
        .or_default()
        .filesystems
        .entry(s.name.clone())
        .or_insert_with(|| Filesystem {
            name: s.name.clone(),
            etag: etag(),
            modified_ms: now,
            root: PathAcl::from_mode(SUPERUSER, SUPERUSER, 0o750),
            paths: BTreeMap::new(),
        });
    for d in &s.directories {
        let parts: Vec<&str> = d.split('/').filter(|p| !p.is_empty()).collect();
        for i in 1..=parts.len() {
            let p = parts[..i].join("/");
            fs.paths.entry(p).or_insert_with(|| PathEntry {
                is_dir: true,
                acl: PathAcl::from_mode(SUPERUSER, SUPERUSER, 0o750),
                etag: etag(),
                modified_ms: now,
            });
        }
    }
    st.dirty = true;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filesystem_names_and_tokens() {
        assert!(valid_fs_name("data"));
        assert!(valid_fs_name("$logs"));
        assert!(!valid_fs_name("Data"));
        assert!(!valid_fs_name("a--b"));
        assert!(!valid_fs_name("ab"));
        assert!(!valid_fs_name("ab-"));
        assert_eq!(
            decode_token(&encode_token("a/b c")).as_deref(),
            Some("a/b c")
        );
        assert_eq!(parse_umask(Some("0027")), Ok(0o027));
        assert!(parse_umask(Some("27")).is_err());
    }
}
