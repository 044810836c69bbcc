//! Loopback Azure emulator: HTTPS on 127.0.0.1/::1 speaking Entra, managed identity, ARM
//! and ADLS Gen2 (DFS) wire formats, so the provider, its tests, the demo and users' CI
//! run offline. In-process via [`Emulator::start`], or as the `aifactory-emulator` binary.
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
//! - Authorization (`authorization`, `roles`): role assignments and built-in definitions.
//! - Soft delete (`softdelete`): deleted key vaults and Cognitive Services accounts
//!   (deletedVaults / deletedAccounts get, list, purge; 409 on re-create; recover/restore).
//! - DFS (`dfs`, `acl`): filesystems, directories, files (empty), ACL get/set/recursive.
//! - Faults/latency, journal, admin API, seed file, state file, virtual clock, binary.
//!
//! Not emulated: see "Limits" in `docs/guides/emulator.md`.

pub mod acl;
pub mod admin;
pub mod arm;
pub mod auth;
pub mod authorization;
pub mod config;
pub mod dfs;
pub mod entra;
mod error;
pub mod faults;
pub mod http;
pub mod identity;
pub mod journal;
pub mod msi;
pub mod network;
pub mod persist;
pub mod roles;
pub mod seed;
pub mod server;
pub mod softdelete;
pub mod state;
pub mod throttle;
pub mod tls;
pub mod token;
pub mod util;

pub use config::{CasingPolicy, EmulatorConfig, Settings, TlsSource, VnetConflict};
pub use error::EmulatorError;
pub use faults::{FaultAction, FaultRule};
pub use journal::JournalEntry;
pub use seed::{PrincipalKind, PrincipalSeed, Seed};
pub use throttle::{Bucket, ThrottleConfig};

use serde::{Deserialize, Serialize};
use server::{Initial, Shared};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Endpoints a client needs (also `GET /_emulator/info` and the binary's `--info-out`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct EmulatorInfo {
    /// `https://127.0.0.1:PORT` (no trailing slash).
    pub base_url: String,
    /// PEM file to trust (the generated CA, or the given certificate chain).
    pub ca_pem_path: PathBuf,
    /// Entra authority host (token URL = `{authority_host}/{tenant}/oauth2/v2.0/token`).
    pub authority_host: String,
    /// `{base_url}/{tenant}/oauth2/v2.0/token`, with a literal `{tenant}`.
    pub token_endpoint_template: String,
    /// ARM endpoint (= base URL).
    pub resource_manager_endpoint: String,
    /// Token audience for ARM: `https://management.azure.com/` (scope `https://management.azure.com/.default`).
    pub resource_manager_audience: String,
    /// Token audience for storage: `https://storage.azure.com/`.
    pub storage_audience: String,
    /// DFS endpoint per storage account: `{base_url}/dfs/{account}` with a literal `{account}`.
    pub dfs_endpoint_template: String,
    /// App Service managed identity endpoint (`IDENTITY_ENDPOINT`).
    pub msi_endpoint: String,
    /// Value for `IDENTITY_HEADER`.
    pub identity_header: String,
    /// IMDS-shaped endpoint (`{base_url}/metadata/identity/oauth2/token`).
    pub imds_endpoint: String,
    /// Admin API root (`{base_url}/_emulator`).
    pub admin_url: String,
    pub tenants: Vec<String>,
    pub subscriptions: Vec<String>,
    pub state_file: Option<PathBuf>,
    pub journal_file: Option<PathBuf>,
}

impl EmulatorInfo {
    /// The `ARM_*` variables that point a provider (or any azurerm-style client) at this
    /// emulator with a client secret: tenant, subscription, app, endpoints, DFS template
    /// and the CA to trust; the Azure CLI is switched off.
    pub fn provider_env(
        &self,
        tenant: &str,
        subscription: &str,
        client_id: &str,
        client_secret: &str,
    ) -> Vec<(String, String)> {
        [
            ("ARM_TENANT_ID", tenant.to_string()),
            ("ARM_SUBSCRIPTION_ID", subscription.to_string()),
            ("ARM_CLIENT_ID", client_id.to_string()),
            ("ARM_CLIENT_SECRET", client_secret.to_string()),
            ("ARM_USE_CLI", "false".to_string()),
            (
                "ARM_RESOURCE_MANAGER_ENDPOINT",
                self.resource_manager_endpoint.clone(),
            ),
            (
                "ARM_ACTIVE_DIRECTORY_AUTHORITY_HOST",
                self.authority_host.clone(),
            ),
            (
                "ARM_STORAGE_DFS_ENDPOINT_TEMPLATE",
                self.dfs_endpoint_template.clone(),
            ),
            (
                "ARM_CA_CERTIFICATE_FILE",
                self.ca_pem_path.display().to_string(),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }
}

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

/// Applies a seed: directory, then (unless `directory_only`) resources and filesystems.
pub(crate) fn apply_seed(
    st: &mut state::State,
    base: &str,
    seed: &Seed,
    with_resources: bool,
) -> Result<(), String> {
    let now = st.now_ms();
    let settings = st.settings.clone();
    st.directory.apply(seed, now, &settings)?;
    st.dirty = true;
    if with_resources {
        for r in &seed.resources {
            arm::apply_seed_resource(st, base, &r.id, &r.body)?;
        }
        for fs in &seed.filesystems {
            dfs::seed_filesystem(st, fs)?;
        }
    }
    Ok(())
}

/// Back to the initial configuration (keeps the signing key so cached tokens stay valid).
pub(crate) fn reset_state(
    st: &mut state::State,
    base: &str,
    initial: &Initial,
) -> Result<(), String> {
    let key = st.signing_key.clone();
    let fault_seed = initial.settings.fault_seed;
    *st = state::State::new(
        initial.settings.clone(),
        faults::Faults::new(initial.faults.clone(), fault_seed),
    );
    st.signing_key = key;
    apply_seed(st, base, &initial.seed, true)?;
    st.dirty = true;
    Ok(())
}

/// Builds the info document.
pub(crate) fn info(shared: &Shared) -> EmulatorInfo {
    let base = shared.base_url.clone();
    let st = shared.lock();
    EmulatorInfo {
        ca_pem_path: shared.ca_path.clone(),
        authority_host: base.clone(),
        token_endpoint_template: format!("{base}/{{tenant}}/oauth2/v2.0/token"),
        resource_manager_endpoint: base.clone(),
        resource_manager_audience: "https://management.azure.com/".into(),
        storage_audience: "https://storage.azure.com/".into(),
        dfs_endpoint_template: format!("{base}/dfs/{{account}}"),
        msi_endpoint: format!("{base}/msi/token"),
        identity_header: shared.identity_header.clone(),
        imds_endpoint: format!("{base}/metadata/identity/oauth2/token"),
        admin_url: format!("{base}/_emulator"),
        tenants: st.directory.tenants.iter().map(|t| t.id.clone()).collect(),
        subscriptions: st
            .directory
            .subscriptions
            .iter()
            .map(|s| s.id.clone())
            .collect(),
        state_file: shared.state_file.clone(),
        journal_file: shared.journal.path(),
        base_url: base,
    }
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
        info(&self.shared)
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
        arm::complete_due(&mut st);
        st.store.get(id).map(|r| arm::render(&st, r))
    }

    /// Replaces or creates a resource behind the provider's back (drift).
    pub fn put_resource(
        &self,
        id: &str,
        body: serde_json::Value,
    ) -> Result<serde_json::Value, EmulatorError> {
        let mut st = self.shared.lock();
        arm::drift_put(&mut st, id, body).map_err(EmulatorError::Seed)
    }

    /// Deletes a resource (and its subtree) behind the provider's back; returns how many.
    pub fn delete_resource(&self, id: &str) -> usize {
        let mut st = self.shared.lock();
        arm::drift_delete(&mut st, id)
    }

    /// Soft-deleted key vaults and Cognitive Services accounts, as their deletedVaults /
    /// deletedAccounts GET renders them.
    pub fn soft_deleted(&self) -> Vec<serde_json::Value> {
        let mut st = self.shared.lock();
        arm::complete_due(&mut st);
        st.soft_deleted
            .values()
            .map(softdelete::Deleted::render)
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
