//! Emulator configuration: listen address, TLS source, files, runtime `Settings`, and the
//! builder used by tests (`EmulatorConfig::default().with_tenant(..).with_subscription(..)`).
//!
//! Owns configuration values only; must not start anything.

use crate::faults::FaultRule;
use crate::seed::{
    FederatedCredential, PrincipalKind, PrincipalSeed, Seed, SubscriptionSeed, TenantSeed,
};
use crate::throttle::ThrottleConfig;
use serde::{Deserialize, Serialize};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

/// Where the server certificate comes from.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum TlsSource {
    /// Generate a CA and a server certificate at start (SANs: localhost, 127.0.0.1, ::1, extras).
    #[default]
    Generate,
    /// PEM files: certificate chain (leaf first) and private key.
    Files { cert: PathBuf, key: PathBuf },
}

/// What concurrent writes on one virtual network answer.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum VnetConflict {
    /// 409 `AnotherOperationInProgress`.
    #[default]
    AnotherOperationInProgress,
    /// 429 `RetryableError` (detail `RetryableErrorDueToAnotherOperation`) with `Retry-After`.
    RetryableError,
    /// Accept concurrent writes.
    Allow,
}

/// Which casing a resource keeps when it is PUT again with different casing.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum CasingPolicy {
    /// Keep the casing of the create (default).
    #[default]
    FirstPut,
    /// Follow the most recent PUT (the RPC contract's wording).
    LatestPut,
}

/// Azure's limit of role assignments per subscription ("fixed and cannot be increased":
/// learn.microsoft.com/azure/role-based-access-control/troubleshoot-limits).
pub const ROLE_ASSIGNMENTS_PER_SUBSCRIPTION: usize = 4000;

/// Knobs that can change while running (`POST /_emulator/settings`, `RunningEmulator::update_settings`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Access token lifetime (`expires_in`); short values exercise refresh.
    pub token_lifetime_secs: u64,
    /// How long an LRO stays `InProgress` (also resource-group delete).
    pub lro_delay_ms: u64,
    /// `Retry-After` on LRO responses; default = ceil(remaining delay).
    pub lro_retry_after_secs: Option<u64>,
    /// Resource types (globs, case-insensitive, e.g. `Microsoft.Network/*`) whose PUT/DELETE
    /// are LROs, for types outside the emulator's spec table (`arm::ops`), which decides for
    /// the types it lists.
    pub lro_resource_types: Vec<String>,
    /// Page size of list operations (`nextLink` paging).
    pub page_size: usize,
    /// Added to every request (except `/_emulator`), plus uniform `0..=jitter_ms`.
    pub latency_ms: u64,
    pub jitter_ms: u64,
    pub throttle: ThrottleConfig,
    pub vnet_conflict: VnetConflict,
    /// `"new": true` principals are "new" for this long.
    pub principal_new_secs: u64,
    pub casing: CasingPolicy,
    /// Require Storage Blob Data roles for DFS and Blob calls (403
    /// `AuthorizationPermissionMismatch`).
    pub dfs_rbac: bool,
    /// Seed for probabilistic faults and jitter (reproducible runs).
    pub fault_seed: Option<u64>,
    /// Role assignments a subscription may hold (at subscription, resource group and
    /// resource scope; management-group scopes do not count): Azure's fixed 4,000. A
    /// create beyond it answers 400 `RoleAssignmentLimitExceeded`. Lower it in tests.
    pub role_assignment_limit: usize,
    /// Azure Policy deny assignments to enforce (`--policy NAME`; see [`crate::policy`]).
    pub policies: Vec<crate::policy::Policy>,
    /// Model deployment capacity (`sku.capacity`) one subscription may hold per region,
    /// model and SKU; a deployment PUT beyond it answers 400 `InsufficientQuota`
    /// (`crate::foundry`). Generous by default; lower it in tests.
    pub deployment_quota: u64,
    /// How long a subnet's service association link stays after the capability host,
    /// network-injected account or managed environment holding it is deleted (virtual
    /// clock); meanwhile deleting the subnet answers 400 `InUseSubnetCannotBeDeleted`.
    pub service_association_link_release_ms: u64,
    /// Resource group, subscription or resource IDs where the caller may only read: writes
    /// at or below them answer 403 `AuthorizationFailed` (`crate::scopes`; the binary's
    /// `--read-only-scope ID`).
    pub read_only_scopes: Vec<String>,
    /// Resource provider namespaces not registered in the subscriptions: `NotRegistered`
    /// until `POST .../providers/{ns}/register`; a PUT of their types answers 409
    /// `MissingSubscriptionRegistration` (`crate::providers`; `--unregistered-provider NS`).
    pub unregistered_providers: Vec<String>,
    /// Resource types not offered in a region: a PUT there answers 400
    /// `LocationNotAvailableForResourceType` (`--type-not-in-region TYPE=REGION`).
    pub type_not_in_region: Vec<TypeRegion>,
}

/// A resource type and a region it is not offered in.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TypeRegion {
    /// `Namespace/type[/child]`, e.g. `Microsoft.ContainerRegistry/registries`.
    pub resource_type: String,
    /// A region name (`swedencentral`; compared without case and spaces).
    pub location: String,
}

impl TypeRegion {
    /// Parses `TYPE=REGION`.
    pub fn parse(s: &str) -> Option<TypeRegion> {
        let (t, l) = s.split_once('=')?;
        let (t, l) = (t.trim(), l.trim());
        if !t.contains('/') || l.is_empty() {
            return None;
        }
        Some(TypeRegion {
            resource_type: t.into(),
            location: l.into(),
        })
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            token_lifetime_secs: 3599,
            lro_delay_ms: 0,
            lro_retry_after_secs: None,
            lro_resource_types: vec!["Microsoft.Network/*".into()],
            page_size: 100,
            latency_ms: 0,
            jitter_ms: 0,
            throttle: ThrottleConfig::arm(),
            vnet_conflict: VnetConflict::default(),
            principal_new_secs: 30,
            casing: CasingPolicy::default(),
            dfs_rbac: false,
            fault_seed: None,
            role_assignment_limit: ROLE_ASSIGNMENTS_PER_SUBSCRIPTION,
            policies: Vec::new(),
            deployment_quota: 1_000_000,
            service_association_link_release_ms: 5_000,
            read_only_scopes: Vec::new(),
            unregistered_providers: Vec::new(),
            type_not_in_region: Vec::new(),
        }
    }
}

/// Everything `Emulator::start` needs.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// Loopback only (127.0.0.1 / ::1); port 0 picks a free port.
    pub listen: SocketAddr,
    pub tls: TlsSource,
    /// Extra DNS SANs for the generated certificate.
    pub extra_sans: Vec<String>,
    /// Write the CA (or given certificate chain) PEM here; otherwise a temp file is used.
    pub ca_out: Option<PathBuf>,
    /// Load state from / persist state to this file.
    pub state_file: Option<PathBuf>,
    /// Append one JSON line per request.
    pub journal_file: Option<PathBuf>,
    pub seed: Seed,
    pub settings: Settings,
    pub faults: Vec<FaultRule>,
    /// Value required in `X-IDENTITY-HEADER` at the MSI endpoint; random when `None`.
    pub identity_header: Option<String>,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            tls: TlsSource::Generate,
            extra_sans: Vec::new(),
            ca_out: None,
            state_file: None,
            journal_file: None,
            seed: Seed::default(),
            settings: Settings::default(),
            faults: Vec::new(),
            identity_header: None,
        }
    }
}

impl EmulatorConfig {
    fn last_tenant(&self) -> Option<String> {
        self.seed.tenants.last().map(|t| t.id.clone())
    }

    /// Registers a tenant; later subscriptions and principals belong to it.
    pub fn with_tenant(mut self, tenant_id: &str) -> Self {
        self.seed.tenants.push(TenantSeed {
            id: tenant_id.into(),
            domains: Vec::new(),
        });
        self
    }

    /// Registers a subscription in the most recently added tenant.
    pub fn with_subscription(mut self, subscription_id: &str) -> Self {
        let tenant = self.last_tenant();
        self.seed.subscriptions.push(SubscriptionSeed {
            id: subscription_id.into(),
            tenant,
            display_name: None,
        });
        self
    }

    /// Registers an app (service principal) with one client secret. Its object id is
    /// derived from the client id (see `RunningEmulator::principal`).
    pub fn with_app(self, client_id: &str, secret: &str) -> Self {
        self.with_principal(PrincipalSeed {
            kind: PrincipalKind::App,
            client_id: Some(client_id.into()),
            secrets: vec![secret.into()],
            ..PrincipalSeed::default()
        })
    }

    /// Adds a federated credential to the app `client_id` (registering the app if needed).
    pub fn with_federated_credential(
        mut self,
        client_id: &str,
        issuer: &str,
        subject: &str,
        audience: &str,
    ) -> Self {
        let fc = FederatedCredential {
            name: None,
            issuer: issuer.into(),
            subject: subject.into(),
            audiences: vec![audience.into()],
        };
        if let Some(p) = self.app_mut(client_id) {
            p.federated_credentials.push(fc);
            return self;
        }
        self.with_principal(PrincipalSeed {
            kind: PrincipalKind::App,
            client_id: Some(client_id.into()),
            federated_credentials: vec![fc],
            ..PrincipalSeed::default()
        })
    }

    /// Adds a PEM certificate to the app `client_id` (registering the app if needed).
    pub fn with_certificate(mut self, client_id: &str, cert_pem: &str) -> Self {
        if let Some(p) = self.app_mut(client_id) {
            p.certificates.push(cert_pem.into());
            return self;
        }
        self.with_principal(PrincipalSeed {
            kind: PrincipalKind::App,
            client_id: Some(client_id.into()),
            certificates: vec![cert_pem.into()],
            ..PrincipalSeed::default()
        })
    }

    /// Registers a managed identity served by the MSI endpoint (the first one is the default).
    pub fn with_managed_identity(self, client_id: &str, object_id: &str) -> Self {
        self.with_principal(PrincipalSeed {
            kind: PrincipalKind::ManagedIdentity,
            client_id: Some(client_id.into()),
            object_id: Some(object_id.into()),
            ..PrincipalSeed::default()
        })
    }

    /// Registers a user, group or other principal by object id.
    pub fn with_object(self, kind: PrincipalKind, object_id: &str) -> Self {
        self.with_principal(PrincipalSeed {
            kind,
            object_id: Some(object_id.into()),
            ..PrincipalSeed::default()
        })
    }

    /// Registers any principal (tenant defaults to the most recent tenant).
    pub fn with_principal(mut self, mut p: PrincipalSeed) -> Self {
        if p.tenant.is_none() {
            p.tenant = self.last_tenant();
        }
        self.seed.principals.push(p);
        self
    }

    /// Appends a whole seed document.
    pub fn with_seed(mut self, seed: Seed) -> Self {
        self.seed.merge(seed);
        self
    }

    pub fn with_settings(mut self, settings: Settings) -> Self {
        self.settings = settings;
        self
    }

    pub fn with_token_lifetime(mut self, d: Duration) -> Self {
        self.settings.token_lifetime_secs = d.as_secs();
        self
    }

    pub fn with_lro_delay(mut self, d: Duration) -> Self {
        self.settings.lro_delay_ms = d.as_millis() as u64;
        self
    }

    pub fn with_page_size(mut self, n: usize) -> Self {
        self.settings.page_size = n.max(1);
        self
    }

    pub fn with_throttle(mut self, t: ThrottleConfig) -> Self {
        self.settings.throttle = t;
        self
    }

    pub fn with_latency(mut self, fixed: Duration, jitter: Duration) -> Self {
        self.settings.latency_ms = fixed.as_millis() as u64;
        self.settings.jitter_ms = jitter.as_millis() as u64;
        self
    }

    pub fn with_faults(mut self, rules: Vec<FaultRule>) -> Self {
        self.faults = rules;
        self
    }

    pub fn with_state_file(mut self, p: impl Into<PathBuf>) -> Self {
        self.state_file = Some(p.into());
        self
    }

    pub fn with_journal_file(mut self, p: impl Into<PathBuf>) -> Self {
        self.journal_file = Some(p.into());
        self
    }

    pub fn with_ca_out(mut self, p: impl Into<PathBuf>) -> Self {
        self.ca_out = Some(p.into());
        self
    }

    pub fn with_listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    pub fn with_identity_header(mut self, h: &str) -> Self {
        self.identity_header = Some(h.into());
        self
    }

    fn app_mut(&mut self, client_id: &str) -> Option<&mut PrincipalSeed> {
        self.seed.principals.iter_mut().find(|p| {
            p.kind == PrincipalKind::App
                && p.client_id
                    .as_deref()
                    .is_some_and(|c| c.eq_ignore_ascii_case(client_id))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_links_to_last_tenant() {
        let c = EmulatorConfig::default()
            .with_tenant("t1")
            .with_subscription("s1")
            .with_app("c1", "secret")
            .with_federated_credential("c1", "iss", "sub", "api://AzureADTokenExchange");
        assert_eq!(c.seed.subscriptions[0].tenant.as_deref(), Some("t1"));
        assert_eq!(c.seed.principals.len(), 1);
        assert_eq!(c.seed.principals[0].federated_credentials.len(), 1);
        assert_eq!(c.seed.principals[0].tenant.as_deref(), Some("t1"));
    }

    #[test]
    fn settings_patch_shape() {
        let s: Settings =
            serde_json::from_str(r#"{"lro_delay_ms": 50, "throttle": {"enabled": false}}"#)
                .unwrap();
        assert_eq!(s.lro_delay_ms, 50);
        assert!(!s.throttle.enabled);
        assert_eq!(s.page_size, 100);
    }
}
