//! The plan memo: what a plan allocated for requests that had no range yet, so that the
//! re-plan Terraform makes during the apply of the same run gives the same answer, or a
//! clear error; and the claims that keep concurrent plans on one vNet apart.
//!
//! Why: in live mode a new request's range depends on the virtual network as the plan saw
//! it. Terraform plans every resource again right before applying it and rejects the apply
//! ("Provider produced inconsistent final plan") if a value known in the plan changed, and
//! that re-plan sees only the configuration, the prior state and the live vNet, not the
//! saved plan. If another workspace took the planned range meanwhile, a fresh allocation
//! would differ. So each plan that places new requests records its answer here, keyed by
//! everything it depended on except the vNet's contents (working directory, vNet, key,
//! pool, requests, ranges kept from state), with the Terraform run that made it
//! ([`super::run`]).
//!
//! Only the apply of the same run reads it back: the re-plan of `terraform apply`, or of
//! `terraform apply PLANFILE` for a saved plan. There the recorded ranges, still free,
//! are the answer again (consistent plan); taken, the plan fails with a message to
//! re-plan and the memo is dropped. A new plan (`terraform plan`, or the plan of a later
//! `terraform apply`) never reuses a memo: it re-reads the vNet and allocates around what
//! is taken now, and its memo replaces the old one.
//!
//! Claims: every live plan also records the ranges it planned for its key on the vNet;
//! other keys' plans on the same machine (other workspaces, planning at the same moment)
//! count live claims as occupied, so eight workspaces planning at once do not all pick
//! the same best fit. A claim is dropped when its apply ends and expires after
//! [`CLAIM_TTL`]; the vNet itself stays the authority (apply re-reads it before each write).
//!
//! Entries live in a per-user temporary directory (`AIFACTORY_PLAN_MEMO_DIR` overrides it)
//! and expire after a day. A missing or unreadable memo only means the re-plan allocates
//! afresh, as it would without this module. Nothing here is secret (CIDRs).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value as Json};

use super::run::Run;
use aifactory_allocator::{Allocation, AllocationInput, Previous};

/// How long a memo is honoured.
const TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// How long a claim keeps other plans away from its ranges.
pub(super) const CLAIM_TTL: Duration = Duration::from_secs(60 * 60);

/// A recorded answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Memo {
    pub ipv4: BTreeMap<String, String>,
    pub ipv6: BTreeMap<String, String>,
    /// The Terraform run that planned it ([`Run::id`]).
    pub run: Option<String>,
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

/// The memo under `key` that may answer a plan of this run (see [`Run::bridges`]), if
/// recorded in the last day.
pub(super) fn load(key: &str) -> Option<Memo> {
    load_any(key).filter(|m| Run::current().bridges(m.run.as_deref()))
}

/// The memo under `key`, whichever run wrote it.
fn load_any(key: &str) -> Option<Memo> {
    let text = std::fs::read_to_string(path(key)?).ok()?;
    let doc: Json = serde_json::from_str(&text).ok()?;
    let written = doc.get("written").and_then(Json::as_u64)?;
    if now_secs().saturating_sub(written) > TTL.as_secs() {
        return None;
    }
    Some(Memo {
        ipv4: string_map(doc.get("ipv4")),
        ipv6: string_map(doc.get("ipv6")),
        run: doc.get("run").and_then(Json::as_str).map(str::to_string),
    })
}

/// The memo directory, created private to the user.
fn ensure_dir(d: &Path) -> std::io::Result<()> {
    if !d.exists() {
        std::fs::create_dir_all(d)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o700))?;
        }
    }
    Ok(())
}

/// Record an allocation under `key` for this run (best effort; failures are logged and
/// ignored).
pub(super) fn store(key: &str, a: &Allocation) {
    let Some(file) = path(key) else { return };
    let d = dir();
    let result = (|| -> std::io::Result<()> {
        ensure_dir(&d)?;
        prune(&d);
        let doc = json!({
            "written": now_secs(),
            "run": Run::current().id,
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
fn prune(d: &Path) {
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

// ---------------------------------------------------------------------------
// Claims: ranges planned on a vNet, by key, across workspaces on this machine
// ---------------------------------------------------------------------------

fn hex_digest(text: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, text.as_bytes());
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// The claims of one vNet: `scope` is the ARM endpoint and the vNet ID (one vNet
/// wherever it is reached from).
fn claims_dir(scope: &str) -> PathBuf {
    dir().join(format!(
        "claims-{}",
        &hex_digest(&scope.to_ascii_lowercase())[..32]
    ))
}

fn claim_file(scope: &str, key: &str) -> PathBuf {
    claims_dir(scope).join(format!("{}.json", &hex_digest(key)[..32]))
}

/// Held while a plan reads the claims of a vNet, allocates and records its own, so two
/// plans on this machine never both take the same free range. Released on drop.
pub(super) struct ClaimsLock {
    _file: Option<std::fs::File>,
}

/// Lock the claims of `scope` (best effort: without a lock the vNet still arbitrates).
pub(super) fn lock_claims(scope: &str) -> ClaimsLock {
    let d = claims_dir(scope);
    let file = ensure_dir(&dir())
        .and_then(|_| ensure_dir(&d))
        .and_then(|_| {
            std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(d.join(".lock"))
        })
        .ok();
    #[cfg(unix)]
    if let Some(f) = &file {
        use std::os::unix::io::AsRawFd;
        // SAFETY: flock on a descriptor this function owns; it is released when the file
        // is closed (on drop).
        let rc = unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX) };
        if rc != 0 {
            tracing::debug!("claims lock not taken");
        }
    }
    ClaimsLock { _file: file }
}

/// (key, range) of every live claim on `scope` by another key.
pub(super) fn claims_by_others(scope: &str, key: &str) -> Vec<(String, String)> {
    let Ok(entries) = std::fs::read_dir(claims_dir(scope)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in entries.flatten() {
        let Ok(text) = std::fs::read_to_string(e.path()) else {
            continue;
        };
        let Ok(doc) = serde_json::from_str::<Json>(&text) else {
            continue;
        };
        let Some(k) = doc.get("key").and_then(Json::as_str) else {
            continue;
        };
        let written = doc.get("written").and_then(Json::as_u64).unwrap_or(0);
        if k == key || now_secs().saturating_sub(written) > CLAIM_TTL.as_secs() {
            continue;
        }
        let cidrs = doc.get("cidrs").and_then(Json::as_array);
        for c in cidrs.into_iter().flatten().filter_map(Json::as_str) {
            out.push((k.to_string(), c.to_string()));
        }
    }
    out
}

/// Record the ranges `key` planned on `scope` (best effort).
pub(super) fn claim(scope: &str, key: &str, a: &Allocation) {
    let file = claim_file(scope, key);
    let cidrs: Vec<String> = a
        .ipv4
        .values()
        .map(ToString::to_string)
        .chain(a.ipv6.values().map(ToString::to_string))
        .collect();
    let doc = json!({ "key": key, "written": now_secs(), "cidrs": cidrs });
    let result = (|| -> std::io::Result<()> {
        ensure_dir(&dir())?;
        ensure_dir(&claims_dir(scope))?;
        let tmp = file.with_extension(format!("{}.tmp", std::process::id()));
        std::fs::write(&tmp, doc.to_string())?;
        std::fs::rename(&tmp, &file)
    })();
    if let Err(e) = result {
        tracing::debug!(error = %e, "subnet claim not written");
    }
}

/// Drop the claim of `key` on `scope` (its apply ended: the vNet shows what exists).
pub(super) fn release(scope: &str, key: &str) {
    let _ = std::fs::remove_file(claim_file(scope, key));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_of_other_keys_are_seen_until_released() {
        let scope = format!("https://arm.test/{}-{}", std::process::id(), now_secs());
        let input = AllocationInput {
            pool: vec!["10.0.0.0/24".into()],
            requests: [(
                "a".to_string(),
                aifactory_allocator::RequestSpec {
                    prefix_length: Some(26),
                    min_hosts: None,
                    ipv6: false,
                },
            )]
            .into(),
            reserved: Vec::new(),
            occupied: Vec::new(),
            strategy: aifactory_allocator::Strategy::Packed,
            previous: BTreeMap::new(),
        };
        let a = aifactory_allocator::allocate(&input).expect("allocates");
        {
            let _lock = lock_claims(&scope);
            claim(&scope, "p1", &a);
        }
        assert_eq!(
            claims_by_others(&scope, "p2"),
            vec![("p1".to_string(), "10.0.0.0/26".to_string())]
        );
        assert!(claims_by_others(&scope, "p1").is_empty());
        release(&scope, "p1");
        assert!(claims_by_others(&scope, "p2").is_empty());
    }
}
