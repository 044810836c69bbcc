//! ADLS Gen2 (DFS endpoint) client: filesystems, directories and POSIX ACLs, with a
//! storage-scoped token (`https://storage.azure.com/.default`) and `x-ms-version:
//! 2021-06-08`. Recursive ACL changes follow `x-ms-continuation` until done and report
//! the entries that failed.

use std::sync::Arc;

use reqwest::Method;
use serde::Deserialize;
use url::Url;

use super::acl::{remove_spec, Acl, AclKey};
use super::cancel::Ctx;
use super::error::AzureError;
use super::pipeline::{Pipeline, Request, Response};
use super::traffic_log::redact_url;

/// The DFS REST version this client speaks.
pub const DFS_VERSION: &str = "2021-06-08";

/// One entry of a path listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathItem {
    /// Relative to the filesystem (`projects/project001`).
    pub name: String,
    pub is_directory: bool,
}

/// Whether a create made something new.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    Created,
    AlreadyExisted,
}

/// Options of a directory create.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DirectoryOptions {
    /// Symbolic (`rwxr-x---`) or octal (`0750`).
    pub permissions: Option<String>,
    /// 4-digit octal.
    pub umask: Option<String>,
    pub owner: Option<String>,
    pub group: Option<String>,
    pub acl: Option<Acl>,
}

/// Owner, group, permissions and ACL of a path.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AccessControl {
    pub owner: Option<String>,
    pub group: Option<String>,
    pub permissions: Option<String>,
    pub acl: Acl,
    /// `directory` or `file`.
    pub resource_type: Option<String>,
    pub etag: Option<String>,
}

/// What to change with a (non-recursive) set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SetAccessControl {
    pub owner: Option<String>,
    pub group: Option<String>,
    /// Mutually exclusive with `acl`.
    pub permissions: Option<String>,
    pub acl: Option<Acl>,
    /// `If-Match` (optimistic concurrency).
    pub if_match: Option<String>,
}

/// Recursive modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecursiveMode {
    /// Replace the ACL.
    Set,
    /// Merge entries (same key: permissions replaced; else added).
    Modify,
    /// Remove entries by key.
    Remove,
}

impl RecursiveMode {
    fn as_str(self) -> &'static str {
        match self {
            RecursiveMode::Set => "set",
            RecursiveMode::Modify => "modify",
            RecursiveMode::Remove => "remove",
        }
    }
}

/// Options of a recursive change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RecursiveOptions {
    /// Entries per batch (service default and maximum 2000).
    pub max_records: Option<u32>,
    /// Continue past per-entry failures (they are reported in `failed_entries`).
    pub force: bool,
}

/// One entry the service could not change.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FailedEntry {
    pub name: String,
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(rename = "errorMessage", default)]
    pub error_message: String,
}

/// Totals of a recursive change, over all batches.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecursiveOutcome {
    pub directories_successful: u64,
    pub files_successful: u64,
    pub failure_count: u64,
    pub failed_entries: Vec<FailedEntry>,
    /// Requests it took.
    pub batches: u32,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RecursiveBody {
    #[serde(rename = "directoriesSuccessful")]
    directories_successful: u64,
    #[serde(rename = "filesSuccessful")]
    files_successful: u64,
    #[serde(rename = "failureCount")]
    failure_count: u64,
    #[serde(rename = "failedEntries")]
    failed_entries: Vec<FailedEntry>,
}

/// DFS operations on one storage account.
#[derive(Debug, Clone)]
pub struct DfsClient {
    pipeline: Arc<Pipeline>,
    endpoint: Url,
    scope: String,
}

fn check_filesystem(fs: &str) -> Result<(), AzureError> {
    let ok = (3..=63).contains(&fs.len())
        && fs
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '$')
        && !fs.starts_with('-')
        && !fs.ends_with('-')
        && !fs.contains("--");
    if ok {
        Ok(())
    } else {
        Err(AzureError::config(
            "filesystem",
            format!("{fs:?} is not a valid filesystem name (3-63 lower-case letters, digits and single hyphens)"),
        ))
    }
}

impl DfsClient {
    pub fn new(pipeline: Arc<Pipeline>, endpoint: Url, scope: String) -> Self {
        DfsClient {
            pipeline,
            endpoint,
            scope,
        }
    }

    pub fn endpoint(&self) -> &Url {
        &self.endpoint
    }

    /// URL of a filesystem or a path in it, with query pairs.
    pub fn url(
        &self,
        fs: &str,
        path: Option<&str>,
        query: &[(&str, &str)],
    ) -> Result<Url, AzureError> {
        check_filesystem(fs)?;
        let mut url = self.endpoint.clone();
        {
            let mut segs = url.path_segments_mut().map_err(|_| {
                AzureError::config(
                    "storage_dfs_endpoint_template",
                    "the DFS endpoint cannot take a path",
                )
            })?;
            segs.pop_if_empty().push(fs);
            if let Some(p) = path {
                for seg in p.split('/').filter(|s| !s.is_empty()) {
                    if seg == "." || seg == ".." {
                        return Err(AzureError::config(
                            "path",
                            format!("{p:?} contains {seg:?}"),
                        ));
                    }
                    segs.push(seg);
                }
            }
        }
        url.set_query(None);
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query.iter());
        }
        Ok(url)
    }

    fn request(&self, method: Method, url: Url) -> Request {
        Request::new(method, url, self.scope.clone()).header("x-ms-version", DFS_VERSION)
    }

    async fn send(&self, ctx: &Ctx, req: &Request) -> Result<Response, AzureError> {
        self.pipeline.send(ctx, req).await
    }

    /// Create a filesystem; an existing one is fine.
    pub async fn create_filesystem(&self, ctx: &Ctx, fs: &str) -> Result<Created, AzureError> {
        let url = self.url(fs, None, &[("resource", "filesystem")])?;
        match self.send(ctx, &self.request(Method::PUT, url)).await {
            Ok(_) => Ok(Created::Created),
            Err(AzureError::Conflict(e))
                if matches!(
                    e.code.as_deref(),
                    Some("FilesystemAlreadyExists") | Some("ContainerAlreadyExists")
                ) =>
            {
                Ok(Created::AlreadyExisted)
            }
            Err(e) => Err(e),
        }
    }

    /// Delete a filesystem; a missing one is fine.
    pub async fn delete_filesystem(&self, ctx: &Ctx, fs: &str) -> Result<(), AzureError> {
        let url = self.url(fs, None, &[("resource", "filesystem")])?;
        match self.send(ctx, &self.request(Method::DELETE, url)).await {
            Ok(_) | Err(AzureError::NotFound(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Create a directory (parents are created by the service). Idempotent: an existing
    /// path (409 PathAlreadyExists) is reported as [`Created::AlreadyExisted`], and its
    /// permissions and ACL are left as they are.
    pub async fn create_directory(
        &self,
        ctx: &Ctx,
        fs: &str,
        path: &str,
        opts: &DirectoryOptions,
    ) -> Result<Created, AzureError> {
        let url = self.url(fs, Some(path), &[("resource", "directory")])?;
        let mut req = self.request(Method::PUT, url).header("If-None-Match", "*");
        if let Some(p) = &opts.permissions {
            req = req.header("x-ms-permissions", p);
        }
        if let Some(u) = &opts.umask {
            req = req.header("x-ms-umask", u);
        }
        if let Some(o) = &opts.owner {
            req = req.header("x-ms-owner", o);
        }
        if let Some(g) = &opts.group {
            req = req.header("x-ms-group", g);
        }
        if let Some(a) = &opts.acl {
            req = req.header("x-ms-acl", a.to_string());
        }
        match self.send(ctx, &req).await {
            Ok(_) => Ok(Created::Created),
            Err(AzureError::Conflict(e)) if e.code.as_deref() == Some("PathAlreadyExists") => {
                Ok(Created::AlreadyExisted)
            }
            Err(e) => Err(e),
        }
    }

    /// Delete a directory and everything below it. Idempotent: a path that does not exist
    /// is not an error. Only callers the user asked to delete data may use it.
    pub async fn delete_directory(
        &self,
        ctx: &Ctx,
        fs: &str,
        path: &str,
    ) -> Result<(), AzureError> {
        if path.trim_matches('/').is_empty() {
            return Err(AzureError::config(
                "path",
                "refusing to delete the filesystem root",
            ));
        }
        let url = self.url(fs, Some(path), &[("recursive", "true")])?;
        match self.send(ctx, &self.request(Method::DELETE, url)).await {
            Ok(_) | Err(AzureError::NotFound(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Owner, group, permissions and ACL of a path (`/` or empty: the filesystem root).
    pub async fn get_access_control(
        &self,
        ctx: &Ctx,
        fs: &str,
        path: &str,
    ) -> Result<AccessControl, AzureError> {
        let url = self.url(
            fs,
            Some(path),
            &[("action", "getAccessControl"), ("upn", "false")],
        )?;
        let r = self
            .send(ctx, &self.request(Method::HEAD, url.clone()))
            .await?;
        let h = |n: &str| r.header(n).map(str::to_string);
        let acl = match r.header("x-ms-acl") {
            Some(s) => s.parse::<Acl>().map_err(|e| AzureError::Protocol {
                url: redact_url(&url),
                message: format!("x-ms-acl does not parse: {e}"),
            })?,
            None => Acl::default(),
        };
        Ok(AccessControl {
            owner: h("x-ms-owner"),
            group: h("x-ms-group"),
            permissions: h("x-ms-permissions"),
            acl,
            resource_type: h("x-ms-resource-type"),
            etag: h("etag"),
        })
    }

    /// Set owner, group, permissions or ACL of one path.
    pub async fn set_access_control(
        &self,
        ctx: &Ctx,
        fs: &str,
        path: &str,
        set: &SetAccessControl,
    ) -> Result<(), AzureError> {
        if set.permissions.is_some() && set.acl.is_some() {
            return Err(AzureError::config(
                "access control",
                "permissions and acl cannot be set in one request",
            ));
        }
        let url = self.url(fs, Some(path), &[("action", "setAccessControl")])?;
        let mut req = self.request(Method::PATCH, url);
        if let Some(o) = &set.owner {
            req = req.header("x-ms-owner", o);
        }
        if let Some(g) = &set.group {
            req = req.header("x-ms-group", g);
        }
        if let Some(p) = &set.permissions {
            req = req.header("x-ms-permissions", p);
        }
        if let Some(a) = &set.acl {
            req = req.header("x-ms-acl", a.to_string());
        }
        if let Some(m) = &set.if_match {
            req = req.header("If-Match", m);
        }
        self.send(ctx, &req).await.map(|_| ())
    }

    /// Change ACLs of a path and everything below it; follows `x-ms-continuation` until
    /// the service says it is done. `acl_spec` is the `x-ms-acl` value (entries with
    /// permissions for set/modify, keys for remove).
    pub async fn set_access_control_recursive(
        &self,
        ctx: &Ctx,
        fs: &str,
        path: &str,
        mode: RecursiveMode,
        acl_spec: &str,
        opts: RecursiveOptions,
    ) -> Result<RecursiveOutcome, AzureError> {
        let mut out = RecursiveOutcome::default();
        let mut continuation: Option<String> = None;
        let max_records = opts.max_records.map(|n| n.clamp(1, 2000).to_string());
        loop {
            let mut q: Vec<(&str, &str)> = vec![
                ("action", "setAccessControlRecursive"),
                ("mode", mode.as_str()),
            ];
            if let Some(m) = &max_records {
                q.push(("maxRecords", m));
            }
            if opts.force {
                q.push(("forceFlag", "true"));
            }
            if let Some(c) = &continuation {
                q.push(("continuation", c));
            }
            let url = self.url(fs, Some(path), &q)?;
            let req = self
                .request(Method::PATCH, url.clone())
                .header("x-ms-acl", acl_spec);
            let r = self.send(ctx, &req).await?;
            out.batches += 1;
            let body: RecursiveBody = if r.body.is_empty() {
                RecursiveBody::default()
            } else {
                serde_json::from_slice(&r.body).map_err(|e| AzureError::Protocol {
                    url: redact_url(&url),
                    message: format!("recursive ACL response is not the expected JSON: {e}"),
                })?
            };
            out.directories_successful += body.directories_successful;
            out.files_successful += body.files_successful;
            out.failure_count += body.failure_count;
            out.failed_entries.extend(body.failed_entries);
            match r
                .header("x-ms-continuation")
                .map(str::trim)
                .filter(|c| !c.is_empty())
            {
                Some(c) => continuation = Some(c.to_string()),
                None => return Ok(out),
            }
        }
    }

    /// Read-modify-write of one path's ACL: `change` edits the current ACL, which is then
    /// written with `If-Match` on the read's ETag. Paths shared by several writers (a
    /// lake's root and `projects`) stay consistent: writers in this process take turns per
    /// path, and a change by anyone else in between (412) is retried on the new ACL.
    /// `change` may refuse with an error (nothing is written); an ACL over the service's
    /// 32-entries-per-scope limit is refused too. Returns whether anything was written.
    pub async fn update_acl(
        &self,
        ctx: &Ctx,
        fs: &str,
        path: &str,
        change: impl Fn(&mut Acl) -> Result<(), AzureError>,
    ) -> Result<bool, AzureError> {
        let lock = path_lock(&format!(
            "{}|{fs}|{}",
            self.endpoint,
            path.trim_matches('/')
        ));
        let _turn = ctx
            .run("waiting for another change of the same ACL", lock.lock())
            .await?;
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let current = self.get_access_control(ctx, fs, path).await?;
            let mut acl = current.acl.clone();
            change(&mut acl)?;
            if acl == current.acl {
                return Ok(false);
            }
            if let Err(e) = acl.check_limits() {
                return Err(AzureError::config(
                    format!("the ACL of `/{}` in filesystem {fs}", path.trim_matches('/')),
                    format!("{e}: Azure accepts at most 32 entries per scope. Grant groups instead of individual principals."),
                ));
            }
            let set = SetAccessControl {
                acl: Some(acl),
                if_match: current.etag.clone(),
                ..SetAccessControl::default()
            };
            match self.set_access_control(ctx, fs, path, &set).await {
                Ok(()) => return Ok(true),
                Err(e) if e.status() == Some(412) && attempt < 20 => {
                    let jitter = rand::random::<u64>() % 200;
                    let backoff = 50 * u64::from(attempt.min(10)) + jitter;
                    ctx.sleep(
                        "retrying after a concurrent ACL change",
                        std::time::Duration::from_millis(backoff),
                    )
                    .await?;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Recursive `modify`: set these entries everywhere below `path`, keep the others.
    pub async fn modify_acl_recursive(
        &self,
        ctx: &Ctx,
        fs: &str,
        path: &str,
        entries: &Acl,
        opts: RecursiveOptions,
    ) -> Result<RecursiveOutcome, AzureError> {
        self.set_access_control_recursive(
            ctx,
            fs,
            path,
            RecursiveMode::Modify,
            &entries.to_string(),
            opts,
        )
        .await
    }

    /// Recursive `remove`: drop these keys everywhere below `path`.
    pub async fn remove_acl_recursive(
        &self,
        ctx: &Ctx,
        fs: &str,
        path: &str,
        keys: &[AclKey],
        opts: RecursiveOptions,
    ) -> Result<RecursiveOutcome, AzureError> {
        self.set_access_control_recursive(
            ctx,
            fs,
            path,
            RecursiveMode::Remove,
            &remove_spec(keys),
            opts,
        )
        .await
    }
}

/// The process-wide turn of one path's ACL (keyed by endpoint, filesystem and path).
fn path_lock(key: &str) -> Arc<tokio::sync::Mutex<()>> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static LOCKS: OnceLock<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>> = OnceLock::new();
    let mut map = LOCKS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    map.entry(key.to_string()).or_default().clone()
}

/// Listing the account's filesystems.
impl DfsClient {
    /// The names of the account's filesystems (`GET ?resource=account`), following
    /// `x-ms-continuation`.
    /// One page of the paths under `directory` (the root when `None`), all descendants with
    /// `recursive` (`GET ?resource=filesystem`), and the continuation token of the next page.
    pub async fn list_paths(
        &self,
        ctx: &Ctx,
        fs: &str,
        directory: Option<&str>,
        recursive: bool,
        continuation: Option<&str>,
    ) -> Result<(Vec<PathItem>, Option<String>), AzureError> {
        let mut query: Vec<(&str, &str)> = vec![
            ("resource", "filesystem"),
            ("recursive", if recursive { "true" } else { "false" }),
        ];
        if let Some(d) = directory {
            query.push(("directory", d));
        }
        if let Some(c) = continuation {
            query.push(("continuation", c));
        }
        let url = self.url(fs, None, &query)?;
        let r = self
            .send(ctx, &self.request(Method::GET, url.clone()))
            .await?;
        let body = r.json(&url)?;
        let items = body
            .get("paths")
            .and_then(serde_json::Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|p| {
                let name = p.get("name").and_then(serde_json::Value::as_str)?;
                // The service sends `isDirectory` as the string "true" (absent for files).
                let is_directory = match p.get("isDirectory") {
                    Some(serde_json::Value::String(s)) => s.eq_ignore_ascii_case("true"),
                    Some(serde_json::Value::Bool(b)) => *b,
                    _ => false,
                };
                Some(PathItem {
                    name: name.to_string(),
                    is_directory,
                })
            })
            .collect();
        let next = r
            .header("x-ms-continuation")
            .filter(|c| !c.is_empty() && Some(*c) != continuation)
            .map(str::to_string);
        Ok((items, next))
    }

    /// Up to `limit` files anywhere in the filesystem (every page is read until then).
    pub async fn some_files(
        &self,
        ctx: &Ctx,
        fs: &str,
        limit: usize,
    ) -> Result<Vec<String>, AzureError> {
        let mut files = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let (items, more) = self
                .list_paths(ctx, fs, None, true, next.as_deref())
                .await?;
            files.extend(
                items
                    .into_iter()
                    .filter(|p| !p.is_directory)
                    .map(|p| p.name),
            );
            if files.len() >= limit || more.is_none() {
                files.truncate(limit);
                return Ok(files);
            }
            next = more;
        }
    }

    pub async fn list_filesystems(&self, ctx: &Ctx) -> Result<Vec<String>, AzureError> {
        let mut names = Vec::new();
        let mut continuation: Option<String> = None;
        loop {
            let mut url = self.endpoint.clone();
            url.set_query(None);
            url.query_pairs_mut().append_pair("resource", "account");
            if let Some(c) = &continuation {
                url.query_pairs_mut().append_pair("continuation", c);
            }
            let r = self
                .send(ctx, &self.request(Method::GET, url.clone()))
                .await?;
            let body = r.json(&url)?;
            names.extend(
                body.get("filesystems")
                    .and_then(serde_json::Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|f| f.get("name").and_then(serde_json::Value::as_str))
                    .map(str::to_string),
            );
            match r.header("x-ms-continuation").filter(|c| !c.is_empty()) {
                Some(c) if continuation.as_deref() != Some(c) => continuation = Some(c.to_string()),
                _ => return Ok(names),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filesystem_names() {
        for ok in ["abc", "data-lake-01", "$root"] {
            assert!(check_filesystem(ok).is_ok(), "{ok}");
        }
        for bad in ["ab", "Upper", "a--b", "-ab", "ab-", "a_b"] {
            assert!(check_filesystem(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn recursive_body_parses() {
        let b: RecursiveBody = serde_json::from_str(
            r#"{"directoriesSuccessful":2,"filesSuccessful":3,"failureCount":1,
                "failedEntries":[{"name":"d/f","type":"FILE","errorMessage":"denied"}]}"#,
        )
        .expect("json");
        assert_eq!(b.files_successful, 3);
        assert_eq!(b.failed_entries[0].name, "d/f");
    }
}
