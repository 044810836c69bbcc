//! Container operations on the Blob endpoint, over the DFS data (a container is a
//! filesystem): Create Container (name rules, `ContainerAlreadyExists`, `x-ms-meta-*`,
//! `x-ms-blob-public-access` refused with `PublicAccessNotPermitted` where the account
//! forbids it), Get Container Properties, Delete Container (202), List Containers.
//!
//! Owns these operations; must not touch paths inside a container (that is `dfs`).

use super::reply::{self, container_not_found, invalid_header, invalid_query};
use super::xml::{self, ContainerItem, ListQuery};
use crate::dfs::call::{account_arm, Call, DfsCtx};
use crate::dfs::model::{decode_token, encode_token, Filesystem};
use crate::http::Resp;
use crate::state::State;
use crate::util;
use http::StatusCode;
use serde_json::Value;
use std::collections::BTreeMap;

/// Most containers a listing returns at once.
const MAX_RESULTS: usize = 5000;

/// The property headers every container answer with properties carries.
fn property_headers(r: Resp, fs: &Filesystem) -> Resp {
    let mut r = r
        .header("etag", fs.etag.clone())
        .header("last-modified", util::rfc1123(fs.modified_ms));
    for (k, v) in &fs.metadata {
        r = r.header(&format!("x-ms-meta-{k}"), v.clone());
    }
    if let Some(a) = &fs.public_access {
        r = r.header("x-ms-blob-public-access", a.clone());
    }
    r
}

/// Container name rules: 3-63 characters (`OutOfRangeInput`) of lower-case letters, digits
/// and single hyphens, starting and ending with a letter or digit (`InvalidResourceName`).
fn check_name(call: &Call, name: &str) -> Result<(), Resp> {
    if !(3..=63).contains(&name.len()) {
        return Err(reply::error(
            call,
            StatusCode::BAD_REQUEST,
            "OutOfRangeInput",
            "The specified resource name length is not within the permissible limits.",
        ));
    }
    if crate::dfs::model::valid_fs_name(name) {
        return Ok(());
    }
    Err(reply::error(
        call,
        StatusCode::BAD_REQUEST,
        "InvalidResourceName",
        "The specifed resource name contains invalid characters.",
    ))
}

/// `x-ms-meta-*` headers: names must be C# identifiers (`InvalidMetadata`).
fn read_metadata(call: &Call) -> Result<BTreeMap<String, String>, Resp> {
    let mut out = BTreeMap::new();
    for (name, value) in call.req.headers.iter() {
        let Some(key) = name.as_str().strip_prefix("x-ms-meta-") else {
            continue;
        };
        let ident = key
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ident {
            return Err(reply::error(
                call,
                StatusCode::BAD_REQUEST,
                "InvalidMetadata",
                "The metadata specified is invalid. It has characters that are not permitted.",
            ));
        }
        let value = value
            .to_str()
            .map_err(|_| invalid_header(call, name.as_str()))?;
        out.insert(key.to_string(), value.to_string());
    }
    Ok(out)
}

/// `x-ms-blob-public-access`: `container`, `blob`, or absent (private).
fn read_public_access(st: &State, call: &Call, ctx: &DfsCtx) -> Result<Option<String>, Resp> {
    let Some(v) = call.req.header("x-ms-blob-public-access") else {
        return Ok(None);
    };
    if v != "container" && v != "blob" {
        return Err(invalid_header(call, "x-ms-blob-public-access"));
    }
    let forbidden = account_arm(st, &ctx.account)
        .and_then(|(id, _)| st.store.get(&id))
        .and_then(|r| r.body.pointer("/properties/allowBlobPublicAccess"))
        .and_then(Value::as_bool)
        == Some(false);
    if forbidden {
        return Err(reply::error(
            call,
            StatusCode::CONFLICT,
            "PublicAccessNotPermitted",
            "Public access is not permitted on this storage account.",
        ));
    }
    Ok(Some(v.to_string()))
}

/// `PUT /{container}?restype=container`: 201 with `ETag` and `Last-Modified`.
pub fn create(st: &mut State, call: &Call, ctx: &DfsCtx, name: &str) -> Resp {
    if let Err(r) = check_name(call, name) {
        return r;
    }
    let metadata = match read_metadata(call) {
        Ok(m) => m,
        Err(r) => return r,
    };
    let public_access = match read_public_access(st, call, ctx) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let account = st.dfs.accounts.entry(ctx.account.clone()).or_default();
    if account.filesystems.contains_key(name) {
        return reply::error(
            call,
            StatusCode::CONFLICT,
            "ContainerAlreadyExists",
            "The specified container already exists.",
        );
    }
    let mut fs = Filesystem::new(name, &ctx.oid, call.now_ms);
    fs.metadata = metadata;
    fs.public_access = public_access;
    let resp = Resp::empty(StatusCode::CREATED)
        .header("etag", fs.etag.clone())
        .header("last-modified", util::rfc1123(fs.modified_ms))
        .header("content-length", "0");
    account.filesystems.insert(name.to_string(), fs);
    resp
}

/// `GET`/`HEAD /{container}?restype=container`: 200 with the properties as headers.
pub fn properties(st: &State, call: &Call, ctx: &DfsCtx, name: &str) -> Resp {
    let Some(fs) = st
        .dfs
        .accounts
        .get(&ctx.account)
        .and_then(|a| a.filesystems.get(name))
    else {
        return container_not_found(call);
    };
    property_headers(Resp::empty(StatusCode::OK), fs)
        .header("x-ms-lease-status", "unlocked")
        .header("x-ms-lease-state", "available")
        .header("x-ms-has-immutability-policy", "false")
        .header("x-ms-has-legal-hold", "false")
        .header("x-ms-default-encryption-scope", "$account-encryption-key")
        .header("x-ms-deny-encryption-scope-override", "false")
        .header("x-ms-immutable-storage-with-versioning-enabled", "false")
        .header("content-length", "0")
}

/// `DELETE /{container}?restype=container`: 202 (the container and its paths are gone).
pub fn delete(st: &mut State, call: &Call, ctx: &DfsCtx, name: &str) -> Resp {
    match st
        .dfs
        .accounts
        .get_mut(&ctx.account)
        .and_then(|a| a.filesystems.remove(name))
    {
        Some(_) => Resp::empty(StatusCode::ACCEPTED).header("content-length", "0"),
        None => container_not_found(call),
    }
}

/// `GET /?comp=list`: the account's containers in name order, `prefix`, `marker` (from a
/// previous `NextMarker`), `maxresults` (1-5000, more is 5000) and `include=metadata`.
pub fn list(st: &State, call: &Call, ctx: &DfsCtx) -> Resp {
    let req = call.req;
    let max = match req.q("maxresults").map(str::parse::<i64>) {
        None => None,
        Some(Ok(n)) if n >= 1 => Some(usize::try_from(n).unwrap_or(MAX_RESULTS)),
        Some(Ok(_)) => {
            return reply::error(
                call,
                StatusCode::BAD_REQUEST,
                "OutOfRangeQueryParameterValue",
                "One of the query parameters specified in the request URI is outside the permissible range. (maxresults)",
            )
        }
        Some(Err(_)) => return invalid_query(call, "maxresults"),
    };
    let mut with_metadata = false;
    for inc in req.q("include").unwrap_or_default().split(',') {
        match inc.trim() {
            "" | "deleted" | "system" => {}
            "metadata" => with_metadata = true,
            other => return invalid_query(call, &format!("include={other}")),
        }
    }
    let start = match req.q("marker").filter(|m| !m.is_empty()) {
        None => None,
        Some(m) => match decode_token(m) {
            Some(name) => Some(name),
            None => return invalid_query(call, "marker"),
        },
    };
    let prefix = req.q("prefix").unwrap_or_default();
    let empty = BTreeMap::new();
    let all = st
        .dfs
        .accounts
        .get(&ctx.account)
        .map_or(&empty, |a| &a.filesystems);
    let limit = max.unwrap_or(MAX_RESULTS).min(MAX_RESULTS);
    let mut matching = all
        .values()
        .filter(|f| f.name.starts_with(prefix))
        .filter(|f| start.as_ref().is_none_or(|s| &f.name >= s));
    let page: Vec<&Filesystem> = matching.by_ref().take(limit).collect();
    let next = matching.next().map(|f| encode_token(&f.name));
    let items: Vec<ContainerItem> = page
        .iter()
        .map(|f| ContainerItem {
            name: &f.name,
            last_modified: util::rfc1123(f.modified_ms),
            etag: &f.etag,
            public_access: f.public_access.as_deref(),
            metadata: with_metadata.then_some(&f.metadata),
        })
        .collect();
    let q = ListQuery {
        prefix: req.q("prefix"),
        marker: req.q("marker"),
        max_results: max,
    };
    let endpoint = format!("{}/blob/{}/", call.base, ctx.account);
    let doc = xml::enumeration(&endpoint, &q, &items, next.as_deref());
    Resp::text(StatusCode::OK, "application/xml", doc.into_bytes())
}
