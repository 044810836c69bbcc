//! The plan memo: what a plan allocated for requests that had no range yet, so that the
//! re-plan Terraform makes during apply gives the same answer, or a clear error.
//!
//! Why: in live mode a new request's range depends on the virtual network as the plan saw
//! it. Terraform plans every resource again right before applying it and rejects the apply
//! ("Provider produced inconsistent final plan") if a value known in the plan changed, and
//! that re-plan sees only the configuration, the prior state and the live vNet, not the
//! saved plan. If another workspace took the planned range meanwhile, a fresh allocation
//! would differ. So each plan that places new requests records its answer here, keyed by
//! everything it depended on except the vNet's contents (working directory, vNet, key,
//! pool, requests, ranges kept from state). The next plan with the same key re-checks the
//! recorded ranges against the vNet: still free, they are the answer again (consistent
//! plan); taken, the plan fails with a message to re-plan and the memo is dropped, so that
//! the next `terraform plan` allocates afresh.
//!
//! Entries live in a per-user temporary directory (`AIFACTORY_PLAN_MEMO_DIR` overrides it)
//! and expire after a day. A missing or unreadable memo only means the re-plan allocates
//! afresh, as it would without this module. Nothing here is secret (CIDRs).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value as Json};

use aifactory_allocator::{Allocation, AllocationInput, Previous};

/// How long a memo is honoured.
const TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// A recorded answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Memo {
    pub ipv4: BTreeMap<String, String>,
    pub ipv6: BTreeMap<String, String>,
}

impl Memo {
    /// The recorded ranges as allocator `previous` entries.
    pub fn previous(&self) -> BTreeMap<String, Previous> {
        self.ipv4
            .iter()
            .map(|(n, c)| {
                (
                    n.clone(),
                    Previous {
                        ipv4: c.clone(),
                        ipv6: self.ipv6.get(n).cloned(),
                    },
                )
            })
            .collect()
    }
}

fn dir() -> PathBuf {
    if let Some(d) = std::env::var_os("AIFACTORY_PLAN_MEMO_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect::<String>();
    std::env::temp_dir().join(format!("aifactory-plan-memo-{user}"))
}

/// The memo key of a plan: a hash of everything the allocation depended on except the
/// vNet's contents. `None` when the working directory is unknown.
pub(super) fn key(vnet_id: &str, alloc_key: &str, input: &AllocationInput) -> Option<String> {
    let cwd = std::env::current_dir().ok()?;
    let material = format!(
        "aifactory-plan-memo v1\n{}\n{}\n{}\n{input:?}",
        cwd.display(),
        vnet_id.to_ascii_lowercase(),
        alloc_key
    );
    let digest = ring::digest::digest(&ring::digest::SHA256, material.as_bytes());
    Some(digest.as_ref().iter().map(|b| format!("{b:02x}")).collect())
}

fn path(key: &str) -> Option<PathBuf> {
    // Keys are hex digests; anything else never names a file.
    (key.len() == 64 && key.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| dir().join(format!("{key}.json")))
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn string_map(v: Option<&Json>) -> BTreeMap<String, String> {
    v.and_then(Json::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

/// The memo under `key`, if recorded in the last day.
pub(super) fn load(key: &str) -> Option<Memo> {
    let text = std::fs::read_to_string(path(key)?).ok()?;
    let doc: Json = serde_json::from_str(&text).ok()?;
    let written = doc.get("written").and_then(Json::as_u64)?;
    if now_secs().saturating_sub(written) > TTL.as_secs() {
        return None;
    }
    Some(Memo {
        ipv4: string_map(doc.get("ipv4")),
        ipv6: string_map(doc.get("ipv6")),
    })
}

/// Record an allocation under `key` (best effort; failures are logged and ignored).
pub(super) fn store(key: &str, a: &Allocation) {
    let Some(file) = path(key) else { return };
    let d = dir();
    let result = (|| -> std::io::Result<()> {
        if !d.exists() {
            std::fs::create_dir_all(&d)?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o700))?;
            }
        }
        prune(&d);
        let doc = json!({
            "written": now_secs(),
            "ipv4": a.ipv4.iter().map(|(n, c)| (n.clone(), json!(c.to_string()))).collect::<serde_json::Map<_, _>>(),
            "ipv6": a.ipv6.iter().map(|(n, c)| (n.clone(), json!(c.to_string()))).collect::<serde_json::Map<_, _>>(),
        });
        let tmp = d.join(format!("{key}.{}.tmp", std::process::id()));
        std::fs::write(&tmp, doc.to_string())?;
        std::fs::rename(&tmp, &file)
    })();
    if let Err(e) = result {
        tracing::debug!(error = %e, dir = %d.display(), "plan memo not written");
    }
}

/// Drop the memo under `key` (consumed by an apply, or found stale).
pub(super) fn forget(key: &str) {
    if let Some(file) = path(key) {
        let _ = std::fs::remove_file(file);
    }
}

/// Remove expired memos.
fn prune(d: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(d) else {
        return;
    };
    for e in entries.flatten() {
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > TTL);
        if old {
            let _ = std::fs::remove_file(e.path());
        }
    }
}
