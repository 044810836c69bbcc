//! `--state-file`: the persisted subset of state (signing key, directory, ARM store,
//! operations, DFS data, soft-deleted vaults/accounts, clock offset) as JSON; atomic
//! writes (temp file + rename).
//!
//! Owns the file format; must not decide when to write (the server's persister task does).

use crate::arm::lro::Operation;
use crate::arm::store::Store;
use crate::dfs::model::DfsState;
use crate::error::EmulatorError;
use crate::softdelete::record::SoftDeleted;
use crate::state::{Directory, State};
use base64::Engine;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

const VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
struct Persisted {
    version: u32,
    signing_key: String,
    directory: Directory,
    store: Store,
    ops: BTreeMap<String, Operation>,
    dfs: DfsState,
    clock_offset_ms: i64,
    /// Soft-deleted vaults and accounts (absent in files written before soft delete).
    #[serde(default)]
    soft_deleted: SoftDeleted,
}

/// Serializes the persisted part of `st`.
pub fn snapshot(st: &State) -> Result<Vec<u8>, EmulatorError> {
    let p = Persisted {
        version: VERSION,
        signing_key: base64::engine::general_purpose::STANDARD.encode(&st.signing_key),
        directory: st.directory.clone(),
        store: st.store.clone(),
        ops: st.ops.clone(),
        dfs: st.dfs.clone(),
        clock_offset_ms: st.clock_offset_ms,
        soft_deleted: st.soft_deleted.clone(),
    };
    serde_json::to_vec_pretty(&p).map_err(|source| EmulatorError::Json {
        what: "state",
        source,
    })
}

/// Writes bytes atomically.
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), EmulatorError> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).map_err(|source| EmulatorError::Write {
        path: tmp.clone(),
        source,
    })?;
    std::fs::rename(&tmp, path).map_err(|source| EmulatorError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// Loads `path` into `st` if it exists. Returns whether something was loaded.
pub fn load(path: &Path, st: &mut State) -> Result<bool, EmulatorError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(source) => {
            return Err(EmulatorError::Read {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    if text.trim().is_empty() {
        return Ok(false);
    }
    let p: Persisted = serde_json::from_str(&text).map_err(|source| EmulatorError::Json {
        what: "state file",
        source,
    })?;
    if p.version != VERSION {
        return Err(EmulatorError::Config(format!(
            "state file version {} is not supported (expected {VERSION})",
            p.version
        )));
    }
    st.signing_key = base64::engine::general_purpose::STANDARD
        .decode(p.signing_key)
        .map_err(|e| EmulatorError::Config(format!("state file signing key: {e}")))?;
    st.directory = p.directory;
    st.store = p.store;
    st.ops = p.ops;
    st.dfs = p.dfs;
    st.clock_offset_ms = p.clock_offset_ms;
    st.soft_deleted = p.soft_deleted;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Settings;
    use crate::faults::Faults;

    #[test]
    fn roundtrip() {
        let dir =
            std::env::temp_dir().join(format!("aifactory-emu-persist-{}", crate::util::new_guid()));
        let mut a = State::new(Settings::default(), Faults::new(vec![], Some(1)));
        a.clock_offset_ms = 42;
        write(&dir, &snapshot(&a).unwrap()).unwrap();
        let mut b = State::new(Settings::default(), Faults::new(vec![], Some(1)));
        assert!(load(&dir, &mut b).unwrap());
        assert_eq!(b.signing_key, a.signing_key);
        assert_eq!(b.clock_offset_ms, 42);
        let _ = std::fs::remove_file(&dir);
        assert!(!load(&dir, &mut b).unwrap());
    }
}
