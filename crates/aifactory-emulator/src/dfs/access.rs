//! Access control on existing paths: `setAccessControl` (ACL, or permissions, owner, group;
//! owner or superuser only) and `setAccessControlRecursive` (`mode=set|modify|remove`,
//! `maxRecords`, `continuation`, `forceFlag`, per-entry failures).
//!
//! Owns ACL changes on existing paths; ACL grammar and arithmetic are `acl`.

use super::call::{filesystem_mut, Call, DfsCtx};
use super::model::{decode_token, encode_token, etag, Filesystem};
use crate::acl::{self, Ace, PathAcl};
use crate::http::Resp;
use crate::state::State;
use crate::util;
use http::StatusCode;
use serde_json::{json, Value};

/// Most entries one recursive call changes.
const MAX_RECORDS: usize = 2000;

/// `PATCH ?action=setAccessControl`.
pub fn set(st: &mut State, call: &Call, ctx: &DfsCtx, fs_name: &str, path: &str) -> Resp {
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
        Some(Err(e)) => return call.acl_error(&e),
        None => None,
    };
    let now = call.now_ms;
    let fs = match filesystem_mut(st, call, ctx, fs_name) {
        Ok(fs) => fs,
        Err(r) => return r,
    };
    let Some((is_dir, current)) = fs.lookup(path) else {
        return call.path_not_found();
    };
    let (current_etag, mut acl) = (current.etag.clone(), current.acl.clone());
    if let Some(m) = req.header("if-match") {
        if m.trim() != "*" && m.trim() != current_etag {
            return call.condition_not_met();
        }
    }
    if !ctx.may_change(&acl) || (req.header("x-ms-owner").is_some() && !ctx.superuser) {
        return call.not_authorized();
    }
    if let Err(r) = apply_headers(call, &mut acl, entries.as_deref(), is_dir) {
        return r;
    }
    let tag = etag();
    store_acl(fs, path, acl, &tag, now);
    Resp::empty(StatusCode::OK)
        .header("etag", tag)
        .header("last-modified", util::rfc1123(now))
}

/// `x-ms-acl` (no default entries on a file), `x-ms-permissions`, `x-ms-owner`, `x-ms-group`.
fn apply_headers(
    call: &Call,
    acl: &mut PathAcl,
    entries: Option<&[Ace]>,
    is_dir: bool,
) -> Result<(), Resp> {
    let req = call.req;
    if let Some(entries) = entries {
        if !is_dir && entries.iter().any(|a| a.default) {
            return Err(call.err(
                StatusCode::BAD_REQUEST,
                "DefaultAclOnFileNotAllowed",
                "A default ACL cannot be set on a file.",
            ));
        }
        acl.set(entries, is_dir).map_err(|e| call.acl_error(&e))?;
    }
    if let Some(p) = req.header("x-ms-permissions") {
        acl.chmod(p)
            .map_err(|e| call.invalid_header(&e.to_string()))?;
    }
    if let Some(o) = req.header("x-ms-owner") {
        acl.owner = o.to_string();
    }
    if let Some(g) = req.header("x-ms-group") {
        acl.group = g.to_string();
    }
    Ok(())
}

/// Stores a changed ACL with a new ETag (`""` = the root directory).
fn store_acl(fs: &mut Filesystem, path: &str, acl: PathAcl, tag: &str, now: i64) {
    if path.is_empty() {
        fs.root = acl;
        fs.etag = tag.to_string();
        fs.modified_ms = now;
    } else if let Some(e) = fs.paths.get_mut(path) {
        e.acl = acl;
        e.etag = tag.to_string();
        e.modified_ms = now;
    }
}

/// What a recursive call asks for.
struct Recursive {
    mode: &'static str,
    entries: Vec<Ace>,
    max: usize,
    force: bool,
    start: Option<String>,
}

/// `mode`, `x-ms-acl`, `maxRecords`, `forceFlag`, `continuation`.
fn read_recursive(call: &Call) -> Result<Recursive, Resp> {
    let req = call.req;
    let mode = match req.q("mode") {
        Some("set") => "set",
        Some("modify") => "modify",
        Some("remove") => "remove",
        _ => return Err(call.invalid_query("mode must be set, modify or remove")),
    };
    let Some(acl_h) = req.header("x-ms-acl") else {
        return Err(call
            .err(
                StatusCode::BAD_REQUEST,
                "MissingRequiredHeader",
                "An HTTP header that's mandatory for this request is not specified.",
            )
            .header("x-ms-header-name", "x-ms-acl"));
    };
    let parse_mode = if mode == "remove" {
        acl::Mode::Remove
    } else {
        acl::Mode::WithPerms
    };
    let entries = acl::parse(acl_h, parse_mode).map_err(|e| call.acl_error(&e))?;
    let max = match req.q("maxRecords") {
        None => MAX_RECORDS,
        Some(m) => match m.parse::<usize>() {
            Ok(n) if (1..=MAX_RECORDS).contains(&n) => n,
            _ => return Err(call.invalid_query("maxRecords 1..2000")),
        },
    };
    let start = match req.q("continuation") {
        Some(c) => Some(decode_token(c).ok_or_else(|| call.invalid_query("continuation"))?),
        None => None,
    };
    Ok(Recursive {
        mode,
        entries,
        max,
        force: call.flag("forceFlag"),
        start,
    })
}

/// `PATCH ?action=setAccessControlRecursive`: the path itself, then its descendants in
/// lexical order; the continuation token names the next key (`""` = the start path).
pub fn set_recursive(st: &mut State, call: &Call, ctx: &DfsCtx, fs_name: &str, path: &str) -> Resp {
    let rec = match read_recursive(call) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let now = call.now_ms;
    let fs = match filesystem_mut(st, call, ctx, fs_name) {
        Ok(fs) => fs,
        Err(r) => return r,
    };
    if !path.is_empty() && !fs.paths.contains_key(path) {
        return call.path_not_found();
    }
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
    let from = match &rec.start {
        Some(s) => match order.iter().position(|k| k == s) {
            Some(i) => i,
            None => return call.invalid_query("continuation"),
        },
        None => 0,
    };
    let (mut dirs, mut files, mut failures) = (0u64, 0u64, Vec::<Value>::new());
    let mut next: Option<String> = None;
    for (n, k) in order.iter().enumerate().skip(from) {
        if n - from >= rec.max {
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
        if !ctx.may_change(acl) {
            failures.push(json!({"name": k, "type": if is_dir { "DIRECTORY" } else { "FILE" }, "errorMessage": "This request is not authorized to perform this operation using this permission."}));
            if !rec.force {
                next = order.get(n + 1).cloned();
                break;
            }
            continue;
        }
        if let Err(e) = apply_mode(&rec, acl, is_dir) {
            return call.acl_error(&e);
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
    let r = Resp::json(
        StatusCode::OK,
        &json!({"directoriesSuccessful": dirs, "filesSuccessful": files, "failureCount": failures.len(), "failedEntries": failures}),
    );
    match next {
        Some(n) => r.header("x-ms-continuation", encode_token(&n)),
        None => r,
    }
}

/// One entry of a recursive call: `set`, `modify` or `remove` the entries that apply to it
/// (default entries only on directories).
fn apply_mode(rec: &Recursive, acl: &mut PathAcl, is_dir: bool) -> Result<(), acl::AclError> {
    let applicable: Vec<Ace> = rec
        .entries
        .iter()
        .filter(|a| is_dir || !a.default)
        .cloned()
        .collect();
    match rec.mode {
        "set" => acl.set(&applicable, is_dir),
        "modify" => acl.modify(&applicable, is_dir),
        _ => acl.remove(&applicable),
    }
}
