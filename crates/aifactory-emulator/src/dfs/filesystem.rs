//! Filesystems: list an account's (`GET ?resource=account`), create, delete, get properties
//! and list paths (`?resource=filesystem`, `directory`, `recursive`, `maxResults`,
//! `continuation`), and seeding (owned by `$superuser`).
//!
//! Owns filesystem-level operations; must not change paths inside a filesystem (`path`,
//! `access`).

use super::call::{account_arm, Call, DfsCtx};
use super::model::{
    decode_token, encode_token, etag, valid_fs_name, Filesystem, PathEntry, SUPERUSER,
};
use crate::acl::PathAcl;
use crate::http::Resp;
use crate::seed::FilesystemSeed;
use crate::state::State;
use crate::util;
use http::{Method, StatusCode};
use serde_json::{json, Value};

/// Most paths a listing returns at once.
const MAX_RESULTS: usize = 5000;

/// `GET /dfs/{account}?resource=account`: the account's filesystems.
pub fn list_filesystems(st: &State, ctx: &DfsCtx) -> Resp {
    let list: Vec<Value> = st
        .dfs
        .accounts
        .get(&ctx.account)
        .map(|a| {
            a.filesystems
                .values()
                .map(|f| json!({"name": f.name, "etag": f.etag, "lastModified": util::rfc1123(f.modified_ms)}))
                .collect()
        })
        .unwrap_or_default();
    Resp::json(StatusCode::OK, &json!({ "filesystems": list }))
}

/// `/dfs/{account}/{filesystem}?resource=filesystem`.
pub fn handle(
    st: &mut State,
    call: &Call,
    ctx: &DfsCtx,
    name: &str,
    resource: Option<&str>,
) -> Resp {
    if resource != Some("filesystem") {
        return call.invalid_query("resource=filesystem expected");
    }
    let now = call.now_ms;
    let acct = st.dfs.accounts.entry(ctx.account.clone()).or_default();
    match call.req.method {
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
            let fs = Filesystem::new(name, &ctx.oid, now);
            let resp = Resp::empty(StatusCode::CREATED)
                .header("etag", fs.etag.clone())
                .header("last-modified", util::rfc1123(fs.modified_ms))
                .header("x-ms-namespace-enabled", "true");
            acct.filesystems.insert(name.into(), fs);
            resp
        }
        Method::DELETE => match acct.filesystems.remove(name) {
            Some(_) => Resp::empty(StatusCode::ACCEPTED),
            None => call.filesystem_not_found(),
        },
        Method::HEAD => match acct.filesystems.get(name) {
            Some(f) => Resp::empty(StatusCode::OK)
                .header("etag", f.etag.clone())
                .header("last-modified", util::rfc1123(f.modified_ms))
                .header("x-ms-namespace-enabled", "true"),
            None => call.filesystem_not_found(),
        },
        Method::GET => match acct.filesystems.get(name) {
            Some(f) => list_paths(call, f),
            None => call.filesystem_not_found(),
        },
        _ => call.err(
            StatusCode::METHOD_NOT_ALLOWED,
            "UnsupportedHttpVerb",
            "The resource doesn't support the specified HTTP verb.",
        ),
    }
}

/// `GET ?resource=filesystem`: the paths under `directory` (children, or all descendants
/// with `recursive=true`), `maxResults` at a time, `x-ms-continuation` for the rest.
fn list_paths(call: &Call, f: &Filesystem) -> Resp {
    let req = call.req;
    let recursive = call.flag("recursive");
    let dir = req
        .q("directory")
        .unwrap_or_default()
        .trim_matches('/')
        .to_string();
    let max: usize = req
        .q("maxResults")
        .and_then(|m| m.parse().ok())
        .unwrap_or(MAX_RESULTS)
        .clamp(1, MAX_RESULTS);
    let start = req.q("continuation").and_then(decode_token);
    if !dir.is_empty() && !f.paths.get(&dir).is_some_and(|e| e.is_dir) {
        return call.path_not_found();
    }
    let prefix = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    let mut items: Vec<(&String, &PathEntry)> = f
        .paths
        .iter()
        .filter(|(p, _)| p.starts_with(&prefix) && (recursive || !p[prefix.len()..].contains('/')))
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
    let r = Resp::json(StatusCode::OK, &json!({ "paths": paths }));
    match next {
        Some(n) => r.header("x-ms-continuation", encode_token(&n)),
        None => r,
    }
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
        .or_insert_with(|| Filesystem::new(&s.name, SUPERUSER, now));
    for d in &s.directories {
        let parts: Vec<&str> = d.split('/').filter(|p| !p.is_empty()).collect();
        for i in 1..=parts.len() {
            fs.paths
                .entry(parts[..i].join("/"))
                .or_insert_with(|| PathEntry {
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
