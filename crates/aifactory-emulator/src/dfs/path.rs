//! Paths in a filesystem: create a directory or (empty) file (`x-ms-umask`,
//! `x-ms-permissions`, `x-ms-acl`, owner/group, conditional headers, intermediate
//! directories inheriting default ACLs), delete (recursive for non-empty directories), read
//! properties and ACLs (`HEAD`, `upn=true`), and read a file (empty).
//!
//! Owns path operations; ACL changes on existing paths are `access`, ACL grammar is `acl`.

use super::call::{filesystem_mut, parse_umask, Call, DfsCtx};
use super::model::{etag, Filesystem, PathEntry};
use crate::acl::{self, Ace, PathAcl};
use crate::http::Resp;
use crate::seed::PrincipalKind;
use crate::state::State;
use crate::util;
use http::StatusCode;

/// The request's settings for a new path.
struct NewPath {
    is_dir: bool,
    umask: u16,
    acl: Option<Vec<Ace>>,
}

/// `PUT ?resource=directory|file`.
pub fn create(
    st: &mut State,
    call: &Call,
    ctx: &DfsCtx,
    fs_name: &str,
    path: &str,
    resource: Option<&str>,
) -> Resp {
    let new = match read_new_path(call, resource) {
        Ok(n) => n,
        Err(r) => return r,
    };
    let now = call.now_ms;
    let fs = match filesystem_mut(st, call, ctx, fs_name) {
        Ok(fs) => fs,
        Err(r) => return r,
    };
    if let Err(r) = check_conditions(call, fs.paths.get(path), new.is_dir) {
        return r;
    }
    let parent_acl = match make_parents(call, ctx, fs, path, new.umask, now) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let acl = match path_acl(call, ctx, fs.paths.get(path), &parent_acl, &new) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let e = PathEntry {
        is_dir: new.is_dir,
        acl,
        etag: etag(),
        modified_ms: now,
    };
    let resp = Resp::empty(StatusCode::CREATED)
        .header("etag", e.etag.clone())
        .header("last-modified", util::rfc1123(e.modified_ms))
        .header("x-ms-request-server-encrypted", "true")
        .header("content-length", "0");
    fs.paths.insert(path.to_string(), e);
    resp
}

/// `resource`, `x-ms-umask` and `x-ms-acl` of a create.
fn read_new_path(call: &Call, resource: Option<&str>) -> Result<NewPath, Resp> {
    let req = call.req;
    let is_dir = match resource {
        Some("directory") => true,
        Some("file") => false,
        _ if req.header("x-ms-rename-source").is_some() => {
            return Err(call.err(
                StatusCode::NOT_IMPLEMENTED,
                "NotImplemented",
                "Rename is not implemented by the emulator.",
            ))
        }
        _ => return Err(call.invalid_query("resource=directory|file")),
    };
    let Some(umask) = parse_umask(req.header("x-ms-umask")) else {
        return Err(call.invalid_header("x-ms-umask"));
    };
    let acl = match req
        .header("x-ms-acl")
        .map(|a| acl::parse(a, acl::Mode::WithPerms))
    {
        Some(Ok(a)) => Some(a),
        Some(Err(e)) => return Err(call.acl_error(&e)),
        None => None,
    };
    Ok(NewPath { is_dir, umask, acl })
}

/// `If-None-Match: *` refuses an existing path, `If-Match` needs it (with that ETag), and an
/// existing path keeps its type.
fn check_conditions(call: &Call, existing: Option<&PathEntry>, is_dir: bool) -> Result<(), Resp> {
    let req = call.req;
    let Some(existing) = existing else {
        return match req.header("if-match") {
            Some(_) => Err(call.condition_not_met()),
            None => Ok(()),
        };
    };
    if req
        .header("if-none-match")
        .is_some_and(|v| v.trim() == "*" || v.trim() == "\"*\"")
    {
        return Err(call.err(
            StatusCode::CONFLICT,
            "PathAlreadyExists",
            "The specified path already exists.",
        ));
    }
    if existing.is_dir != is_dir {
        return Err(call.err(
            StatusCode::CONFLICT,
            "ResourceTypeMismatch",
            "The resource type specified in the request does not match the type of the resource.",
        ));
    }
    match req.header("if-match") {
        Some(m) if m.trim() != "*" && m.trim() != existing.etag => Err(call.condition_not_met()),
        _ => Ok(()),
    }
}

/// Creates the missing intermediate directories of `path` (inheriting default ACLs, else
/// mode `0777 & !umask`); returns the ACL of the parent directory.
fn make_parents(
    call: &Call,
    ctx: &DfsCtx,
    fs: &mut Filesystem,
    path: &str,
    umask: u16,
    now: i64,
) -> Result<PathAcl, Resp> {
    let parts: Vec<&str> = path.split('/').collect();
    let mut parent_acl = fs.root.clone();
    for i in 1..parts.len() {
        let p = parts[..i].join("/");
        match fs.paths.get(&p) {
            Some(e) if !e.is_dir => {
                return Err(call.err(StatusCode::CONFLICT, "PathConflict", "The specified path, or an element of the path, exists and its resource type is invalid for this operation."));
            }
            Some(e) => parent_acl = e.acl.clone(),
            None => {
                let group = parent_acl.group.clone();
                let acl = parent_acl
                    .inherit(&ctx.oid, &group, true)
                    .unwrap_or_else(|| PathAcl::from_mode(&ctx.oid, &group, 0o777 & !umask));
                fs.paths.insert(
                    p,
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
    Ok(parent_acl)
}

/// The new path's ACL: the existing one, else inherited from the parent (or from the mode and
/// umask); then `x-ms-permissions`, `x-ms-acl`, `x-ms-owner`, `x-ms-group`.
fn path_acl(
    call: &Call,
    ctx: &DfsCtx,
    existing: Option<&PathEntry>,
    parent_acl: &PathAcl,
    new: &NewPath,
) -> Result<PathAcl, Resp> {
    let req = call.req;
    let group = parent_acl.group.clone();
    let mut acl = match existing {
        Some(e) => e.acl.clone(),
        None => parent_acl
            .inherit(&ctx.oid, &group, new.is_dir)
            .unwrap_or_else(|| {
                let mode = if new.is_dir { 0o777 } else { 0o666 };
                PathAcl::from_mode(&ctx.oid, &group, mode & !new.umask)
            }),
    };
    if let Some(p) = req.header("x-ms-permissions") {
        acl.chmod(p)
            .map_err(|e| call.invalid_header(&e.to_string()))?;
    }
    if let Some(a) = &new.acl {
        acl.set(a, new.is_dir).map_err(|e| call.acl_error(&e))?;
    }
    if let Some(o) = req.header("x-ms-owner") {
        acl.owner = o.to_string();
    }
    if let Some(g) = req.header("x-ms-group") {
        acl.group = g.to_string();
    }
    Ok(acl)
}

/// `DELETE`: a non-empty directory only with `recursive=true`.
pub fn delete(st: &mut State, call: &Call, ctx: &DfsCtx, fs_name: &str, path: &str) -> Resp {
    let fs = match filesystem_mut(st, call, ctx, fs_name) {
        Ok(fs) => fs,
        Err(r) => return r,
    };
    let Some(e) = fs.paths.get(path) else {
        return call.path_not_found();
    };
    let prefix = format!("{path}/");
    let has_children = e.is_dir && fs.paths.keys().any(|k| k.starts_with(&prefix));
    if has_children && !call.flag("recursive") {
        return call.err(
            StatusCode::CONFLICT,
            "DirectoryNotEmpty",
            "The recursive query parameter value must be true to delete a non-empty directory.",
        );
    }
    fs.paths.retain(|k, _| k != path && !k.starts_with(&prefix));
    Resp::empty(StatusCode::OK)
}

/// Object IDs as the caller wants them: a user's UPN with `upn=true`, else unchanged.
fn upn_mapper(st: &State, upn: bool) -> impl Fn(&str) -> String + '_ {
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

/// `HEAD` (`getStatus`, `getAccessControl`): owner, group, permissions, and the ACL or the
/// resource type.
pub fn properties(st: &State, call: &Call, fs: &Filesystem, path: &str) -> Resp {
    let Some((is_dir, e)) = fs.lookup(path) else {
        return call.path_not_found();
    };
    let map = upn_mapper(st, call.flag("upn"));
    let r = Resp::empty(StatusCode::OK)
        .header("etag", e.etag.clone())
        .header("last-modified", util::rfc1123(e.modified_ms))
        .header("x-ms-owner", map(&e.acl.owner))
        .header("x-ms-group", map(&e.acl.group))
        .header("x-ms-permissions", e.acl.permissions());
    if call.req.q("action") == Some("getAccessControl") {
        return r.header("x-ms-acl", e.acl.to_header(&map));
    }
    r.header(
        "x-ms-resource-type",
        if is_dir { "directory" } else { "file" },
    )
    .header("content-length", "0")
}

/// `GET` of a file: empty content.
pub fn read(call: &Call, fs: &Filesystem, path: &str) -> Resp {
    match fs.lookup(path) {
        Some((false, e)) => Resp::empty(StatusCode::OK)
            .header("etag", e.etag.clone())
            .header("content-length", "0")
            .header("x-ms-resource-type", "file"),
        Some((true, _)) => call.err(
            StatusCode::BAD_REQUEST,
            "InvalidResourceType",
            "The resource type is a directory; read a file.",
        ),
        None => call.path_not_found(),
    }
}
