//! What all connections of one running emulator share: the state behind its lock, the base
//! URL, the journal, the identity header, the trusted PEM and its file, the state file, the
//! start configuration (for reset), and the persister's wake-up.
//!
//! Owns the shared handle; must not serve requests or implement service semantics.

use crate::config::Settings;
use crate::faults::FaultRule;
use crate::journal::Journal;
use crate::seed::Seed;
use crate::state::State;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};
use tokio::sync::Notify;

/// What `POST /_emulator/reset` returns to.
#[derive(Debug, Clone)]
pub struct Initial {
    pub seed: Seed,
    pub settings: Settings,
    pub faults: Vec<FaultRule>,
}

/// State shared by all connections.
#[derive(Debug)]
pub struct Shared {
    pub state: Mutex<State>,
    pub base_url: String,
    pub journal: Journal,
    pub identity_header: String,
    pub trust_pem: String,
    pub ca_path: PathBuf,
    pub state_file: Option<PathBuf>,
    pub initial: Initial,
    pub persist: Notify,
}

impl Shared {
    /// Locks the state (a poisoned lock is recovered: handlers never leave it half-written
    /// in a way later requests cannot cope with).
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}
