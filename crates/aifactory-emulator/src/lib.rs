//! Loopback Azure emulator: HTTPS on 127.0.0.1/::1 speaking Entra, managed identity, ARM,
//! ADLS Gen2 (DFS) and Blob (containers) wire formats, so the provider, its tests, the demo
//! and users' CI run offline. In-process via [`Emulator::start`], or as the `aifactory-emulator` binary.
//! User guide: `docs/guides/emulator.md`.
//!
//! # Status (keep current)
//! Implemented (all acceptance items of the emulator issue):
//! - TLS: generated CA + loopback server certificate (or `--cert/--key`), CA PEM on disk,
//!   HTTP/1.1 and HTTP/2, loopback-only bind.
//! - Entra: `POST /{tenant}/oauth2/v2.0/token` and v1 `/oauth2/token`; client secret (form
//!   or Basic), certificate assertions (RS256/PS256 verified against registered certs by
//!   `x5t`/`x5t#S256`), federated assertions (iss/sub/aud/exp/nbf); AADSTS errors; HS256
//!   JWTs; OIDC discovery document.
//! - MSI: App Service `/msi/token` (2019-08-01, `X-IDENTITY-HEADER`), IMDS-shaped
//!   `/metadata/identity/oauth2/token`.
//! - ARM: auth errors (401 codes + `WWW-Authenticate`), `api-version`, subscriptions,
//!   resource groups (async cascade delete), generic resources (PUT 201/200, GET, HEAD,
//!   PATCH merge, DELETE 200/202/204), caller casing, parent checks, ETag/If-Match/
//!   If-None-Match, LROs (`Azure-AsyncOperation`, `Location`, `Retry-After`, status
//!   progression, failure), lists with `nextLink` paging, request/correlation/routing/
//!   rate-limit headers, token-bucket throttling.
//! - Network (`network`): vNet/subnet validation, inline subnets, subnets in vNet GET,
//!   private endpoints holding subnets, per-vNet lock (409/429).
//! - Request bodies (`validate`): PUT/PATCH bodies of the types the provider writes checked
//!   against the stable REST spec of their api-version (members, JSON types, closed enums,
//!   required properties, ARM IDs) with Azure's error shapes.
//! - Authorization (`authorization`, `roles`): role assignments and built-in definitions.
//! - Diagnostic settings (`monitor`): scope and workspace exist, categories and groups,
//!   one sink per category, five per resource; they go with their resource.
//! - Search shared private links (`search`): SKU, target and group checks, the target's
//!   pending private endpoint connection, approval, cleanup.
//! - Private DNS (`dns`): global only, vNet links (existing vNet, once per zone, no
//!   overlapping namespaces, one registration zone), zone groups need their zones.
//! - Container registries (`registry`): name rules, global uniqueness, SKUs, Premium-only
//!   private access and endpoints (group `registry`).
//! - vNet peerings (`peering`): remote exists, no overlaps (also with already-peered vNets),
//!   Initiated / Connected / Disconnected.
//! - Read-only scopes (`scopes`): writes answer 403 `AuthorizationFailed`.
//! - Resource provider registration (`providers`): provider documents, register,
//!   `MissingSubscriptionRegistration`, `LocationNotAvailableForResourceType`.
//! - Defender plans (`security`): subscription scope, plan names, implicit `Free`.
//! - Bastion (`bastion`): AzureBastionSubnet of /26 or more, Standard static public IP,
//!   subnet and IP held.
//! - Virtual machines and NICs (`compute`): Compute's required fields and SSH rule, NICs
//!   on existing subnets attached to one VM, the OS disk, NIC and disk held, deleteOption.
//! - Soft delete (`softdelete`): deleted key vaults and Cognitive Services accounts
//!   (deletedVaults / deletedAccounts get, list, purge; 409 on re-create; recover/restore).
//! - DFS (`dfs`, `acl`): filesystems, directories, files (empty), ACL get/set/recursive.
//! - Blob (`blob`): containers (create, properties, delete, list) over the DFS filesystems.
//! - Faults/latency, journal, admin API, seed file, state file, virtual clock, binary.
//!
//! Not emulated: see "Limits" in `docs/guides/emulator.md`.
//!
//! This file owns the public API (`Emulator`, `RunningEmulator`, the re-exports) and must not
//! hold service behaviour; no module imports from it (they use `crate::<module>` paths). The
//! crate is a dev-dependency only — never linked into the provider binary — listens only on
//! loopback, and knows no Terraform. Module layout: `README.md` beside `Cargo.toml`.

pub mod acl;
pub mod admin;
pub mod arm;
pub mod auth;
pub mod authorization;
pub mod bastion;
pub mod blob;
pub mod compute;
pub mod config;
pub mod dfs;
pub mod dns;
pub mod entra;
mod error;
pub mod faults;
pub mod foundry;
pub mod http;
pub mod identity;
pub mod info;
pub mod journal;
pub mod monitor;
pub mod msi;
pub mod network;
pub mod peering;
pub mod persist;
pub mod policy;
pub mod providers;
pub mod registry;
pub mod roles;
pub mod scopes;
pub mod search;
pub mod security;
pub mod seed;
pub mod server;
pub mod setup;
pub mod shared;
pub mod softdelete;
pub mod state;
pub mod throttle;
pub mod tls;
pub mod token;
pub mod util;
pub mod validate;

pub use config::{CasingPolicy, EmulatorConfig, Settings, TlsSource, TypeRegion, VnetConflict};
pub use error::EmulatorError;
pub use faults::{FaultAction, FaultRule};
pub use info::EmulatorInfo;
pub use journal::JournalEntry;
pub use seed::{PrincipalKind, PrincipalSeed, Seed};
pub use throttle::{Bucket, ThrottleConfig};

use serde::{Deserialize, Serialize};
use setup::{apply_seed, reset_state};
use shared::{Initial, Shared};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Starts emulators.
pub struct Emulator;

/// A running emulator. Dropping it stops the server (without the final state write; call
/// [`RunningEmulator::stop`] for that).
pub struct RunningEmulator {
    shared: Arc<Shared>,
    addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    server: Option<JoinHandle<()>>,
    persister: Option<JoinHandle<()>>,
    temp_ca: Option<PathBuf>,
}

/// Information about a registered principal.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PrincipalInfo {
    pub kind: PrincipalKind,
    pub tenant: String,
    pub object_id: String,
    pub client_id: Option<String>,
}

fn is_loopback(addr: &SocketAddr) -> bool {
    addr.ip().is_loopback()
}

impl Emulator {
    /// Binds, generates/loads TLS material, loads state, applies the seed and starts serving.
    pub async fn start(config: EmulatorConfig) -> Result<RunningEmulator, EmulatorError> {
        if !is_loopback(&config.listen) {
            return Err(EmulatorError::NotLoopback(config.listen));
        }
        let tls = tls::material(&config.tls, &config.extra_sans)?;
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|source| EmulatorError::Bind {
                addr: config.listen,
                source,
            })?;
        let addr = listener
            .local_addr()
            .map_err(|source| EmulatorError::Bind {
                addr: config.listen,
                source,
            })?;
        let base_url = match addr {
            SocketAddr::V4(a) => format!("https://{}:{}", a.ip(), a.port()),
            SocketAddr::V6(a) => format!("https://[{}]:{}", a.ip(), a.port()),
        };
        let (ca_path, temp_ca) = match &config.ca_out {
            Some(p) => (p.clone(), None),
            None => {
                let p = std::env::temp_dir().join(format!(
                    "aifactory-emulator-{}-{}-ca.pem",
                    std::process::id(),
                    addr.port()
                ));
                (p.clone(), Some(p))
            }
        };
        std::fs::write(&ca_path, &tls.trust_pem).map_err(|source| EmulatorError::Write {
            path: ca_path.clone(),
            source,
        })?;

        let mut st = state::State::new(
            config.settings.clone(),
            faults::Faults::new(config.faults.clone(), config.settings.fault_seed),
        );
        let loaded = match &config.state_file {
            Some(p) => persist::load(p, &mut st)?,
            None => false,
        };
        // With a loaded state the seed's directory is merged, its resources are not re-applied.
        apply_seed(&mut st, &base_url, &config.seed, !loaded).map_err(EmulatorError::Seed)?;
        st.dirty = false;
        let identity_header = config
            .identity_header
            .clone()
            .unwrap_or_else(util::new_guid);
        let shared = Arc::new(Shared {
            state: std::sync::Mutex::new(st),
            base_url,
            journal: journal::Journal::new(config.journal_file.clone())?,
            identity_header,
            trust_pem: tls.trust_pem.clone(),
            ca_path,
            state_file: config.state_file.clone(),
            initial: Initial {
                seed: config.seed.clone(),
                settings: config.settings.clone(),
                faults: config.faults.clone(),
            },
            persist: tokio::sync::Notify::new(),
        });
        if let Some(p) = &config.state_file {
            let bytes = persist::snapshot(&shared.lock())?;
            persist::write(p, &bytes)?;
        }
        let (tx, rx) = watch::channel(false);
        let acceptor = tokio_rustls::TlsAcceptor::from(tls.server_config.clone());
        let server = tokio::spawn(server::serve(
            shared.clone(),
            listener,
            acceptor,
            rx.clone(),
        ));
        let persister = config
            .state_file
            .as_ref()
            .map(|_| tokio::spawn(persister(shared.clone(), rx)));
        Ok(RunningEmulator {
            shared,
            addr,
            shutdown: tx,
            server: Some(server),
            persister,
            temp_ca,
        })
    }
}

async fn persister(shared: Arc<Shared>, mut shutdown: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = shutdown.changed() => return,
            _ = shared.persist.notified() => {}
            _ = tokio::time::sleep(std::time::Duration::from_millis(500)) => {}
        }
        let _ = save_if_dirty(&shared);
    }
}

fn save_if_dirty(shared: &Shared) -> Result<(), EmulatorError> {
    let Some(path) = &shared.state_file else {
        return Ok(());
    };
    let bytes = {
        let mut st = shared.lock();
        if !st.dirty {
            return Ok(());
        }
        st.dirty = false;
        persist::snapshot(&st)?
    };
    persist::write(path, &bytes)
}

impl RunningEmulator {
    /// `https://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// PEM the client must trust.
    pub fn ca_pem(&self) -> &str {
        &self.shared.trust_pem
    }

    /// File holding [`RunningEmulator::ca_pem`].
    pub fn ca_pem_path(&self) -> &Path {
        &self.shared.ca_path
    }

    pub fn info(&self) -> EmulatorInfo {
        EmulatorInfo::of(&self.shared)
    }

    /// All journal entries so far.
    pub fn journal(&self) -> Vec<JournalEntry> {
        self.shared.journal.since(0)
    }

    pub fn clear_journal(&self) {
        self.shared.journal.clear()
    }

    /// Replaces the fault rules.
    pub fn set_faults(&self, rules: Vec<FaultRule>) {
        self.shared.lock().faults.set(rules)
    }

    pub fn add_fault(&self, rule: FaultRule) {
        self.shared.lock().faults.add(rule)
    }

    /// Applies a seed document (directory, resources, filesystems).
    pub fn seed(&self, seed: &Seed) -> Result<(), EmulatorError> {
        let mut st = self.shared.lock();
        apply_seed(&mut st, &self.shared.base_url, seed, true).map_err(EmulatorError::Seed)
    }

    /// Current runtime settings.
    pub fn settings(&self) -> Settings {
        self.shared.lock().settings.clone()
    }

    /// Changes runtime settings.
    pub fn update_settings(&self, f: impl FnOnce(&mut Settings)) {
        f(&mut self.shared.lock().settings)
    }

    /// Moves the virtual clock forward (token expiry, LRO completion, "new" principals).
    pub fn advance_clock(&self, d: std::time::Duration) {
        let mut st = self.shared.lock();
        st.clock_offset_ms += d.as_millis() as i64;
    }

    /// A registered principal by client id or object id.
    pub fn principal(&self, client_or_object_id: &str) -> Option<PrincipalInfo> {
        let st = self.shared.lock();
        st.directory
            .principals
            .iter()
            .find(|p| {
                p.object_id.eq_ignore_ascii_case(client_or_object_id)
                    || p.client_id
                        .as_deref()
                        .is_some_and(|c| c.eq_ignore_ascii_case(client_or_object_id))
            })
            .map(|p| PrincipalInfo {
                kind: p.kind,
                tenant: p.tenant.clone(),
                object_id: p.object_id.clone(),
                client_id: p.client_id.clone(),
            })
    }

    /// Mints an access token for a registered principal without credentials.
    pub fn token_for(&self, client_or_object_id: &str, audience: &str) -> Option<String> {
        let st = self.shared.lock();
        let p = st.directory.principals.iter().find(|p| {
            p.object_id.eq_ignore_ascii_case(client_or_object_id)
                || p.client_id
                    .as_deref()
                    .is_some_and(|c| c.eq_ignore_ascii_case(client_or_object_id))
        })?;
        Some(entra::issue(&st, p, audience, "1").0)
    }

    /// The rendered resource (as ARM GET would return it), if present.
    pub fn resource(&self, id: &str) -> Option<serde_json::Value> {
        let mut st = self.shared.lock();
        arm::complete::complete_due(&mut st);
        st.store.get(id).map(|r| arm::render::render(&st, r))
    }

    /// Replaces or creates a resource behind the provider's back (drift).
    pub fn put_resource(
        &self,
        id: &str,
        body: serde_json::Value,
    ) -> Result<serde_json::Value, EmulatorError> {
        let mut st = self.shared.lock();
        arm::drift::drift_put(&mut st, id, body).map_err(EmulatorError::Seed)
    }

    /// Deletes a resource (and its subtree) behind the provider's back; returns how many.
    pub fn delete_resource(&self, id: &str) -> usize {
        let mut st = self.shared.lock();
        arm::drift::drift_delete(&mut st, id)
    }

    /// Soft-deleted key vaults and Cognitive Services accounts, as their deletedVaults /
    /// deletedAccounts GET renders them.
    pub fn soft_deleted(&self) -> Vec<serde_json::Value> {
        let mut st = self.shared.lock();
        arm::complete::complete_due(&mut st);
        st.soft_deleted
            .values()
            .map(softdelete::record::Deleted::render)
            .collect()
    }

    /// Back to the start configuration.
    pub fn reset(&self) -> Result<(), EmulatorError> {
        let mut st = self.shared.lock();
        reset_state(&mut st, &self.shared.base_url, &self.shared.initial)
            .map_err(EmulatorError::Seed)?;
        drop(st);
        self.shared.journal.clear();
        Ok(())
    }

    /// Stops serving, writes the state file, removes the temporary CA file.
    pub async fn stop(mut self) -> Result<(), EmulatorError> {
        let _ = self.shutdown.send(true);
        if let Some(h) = self.server.take() {
            h.await.map_err(|e| EmulatorError::Task(e.to_string()))?;
        }
        if let Some(h) = self.persister.take() {
            h.await.map_err(|e| EmulatorError::Task(e.to_string()))?;
        }
        if let Some(path) = &self.shared.state_file {
            let bytes = persist::snapshot(&self.shared.lock())?;
            persist::write(path, &bytes)?;
        }
        if let Some(p) = self.temp_ca.take() {
            let _ = std::fs::remove_file(p);
        }
        Ok(())
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(h) = self.server.take() {
            h.abort();
        }
        if let Some(h) = self.persister.take() {
            h.abort();
        }
        if let Some(p) = self.temp_ca.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}
