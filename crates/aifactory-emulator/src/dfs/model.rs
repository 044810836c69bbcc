//! DFS data, also the Blob endpoint's (a container is a filesystem): accounts, filesystems
//! with their Blob metadata and public access level, and paths (directories and empty files)
//! with their ACLs, ETags and modification times; filesystem-name rules, ETags in the
//! storage format, and the continuation-token encoding of listings.
//!
//! Owns the data model; must not touch the state or HTTP (a leaf below `state`, which holds a
//! [`DfsState`]).

use crate::acl::PathAcl;
use crate::token;
use serde::{Deserialize, Serialize};
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
    /// Container metadata (`x-ms-meta-*` on a Blob create), names lower-cased.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: BTreeMap<String, String>,
    /// The Blob public access level (`container` or `blob`); none is private.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_access: Option<String>,
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

impl Filesystem {
    /// A new, empty filesystem whose root belongs to `owner` (group `owner`, mode 750).
    pub fn new(name: &str, owner: &str, now_ms: i64) -> Filesystem {
        Filesystem {
            name: name.into(),
            etag: etag(),
            modified_ms: now_ms,
            root: PathAcl::from_mode(owner, owner, 0o750),
            paths: BTreeMap::new(),
            metadata: BTreeMap::new(),
            public_access: None,
        }
    }

    /// The entry at `path` (`""` = the root directory): (is a directory, its view).
    pub fn lookup(&self, path: &str) -> Option<(bool, PathView<'_>)> {
        if path.is_empty() {
            return Some((
                true,
                PathView {
                    acl: &self.root,
                    etag: &self.etag,
                    modified_ms: self.modified_ms,
                },
            ));
        }
        self.paths.get(path).map(|e| {
            (
                e.is_dir,
                PathView {
                    acl: &e.acl,
                    etag: &e.etag,
                    modified_ms: e.modified_ms,
                },
            )
        })
    }
}

/// What a path's properties read (the root directory or an entry).
pub struct PathView<'a> {
    pub acl: &'a PathAcl,
    pub etag: &'a String,
    pub modified_ms: i64,
}

/// A new ETag in the storage form (`"0x..."`, 15 upper-case hex digits).
pub fn etag() -> String {
    let hex = uuid::Uuid::new_v4().simple().to_string();
    format!("\"0x{}\"", hex[..15].to_ascii_uppercase())
}

/// Filesystem (container) name rules: 3-63 of lower-case letters, digits, `-` (not doubled,
/// not last) and `$`, starting with a letter, digit or `$`.
pub fn valid_fs_name(n: &str) -> bool {
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

/// Continuation token for a listing that resumes at `path`.
pub fn encode_token(path: &str) -> String {
    token::b64url(path.as_bytes())
}

/// The path a continuation token resumes at.
pub fn decode_token(t: &str) -> Option<String> {
    token::b64url_decode(t).and_then(|b| String::from_utf8(b).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filesystem_names_tokens_and_etags() {
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
        let e = etag();
        assert_eq!(e.len(), 19, "{e}");
        assert!(e.starts_with("\"0x") && e.ends_with('"'));
        assert!(e[3..18]
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase()));
    }
}
