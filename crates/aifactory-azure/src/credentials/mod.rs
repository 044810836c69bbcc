//! Credentials, chosen as azurerm does, and the token cache.
//!
//! Order: client certificate → client secret → OIDC token (given, then file) → Azure
//! DevOps OIDC → GitHub Actions OIDC → HCP Terraform workload identity → managed identity
//! → Azure CLI. A method whose inputs are absent is skipped (the report names the missing
//! variable); the first present one that works wins and is used from then on; if it fails,
//! the next configured ones are tried; when none works, one [`AzureError::Credential`]
//! lists every method and why it was skipped or failed.
//!
//! Tokens are cached per scope and refreshed five minutes before expiry (or at half the
//! lifetime when that is shorter); concurrent callers of one scope share one refresh.

pub mod assertions;
pub mod cli;
pub mod msi;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use azure_core::cloud::{CloudConfiguration, CustomConfiguration};
use azure_core::credentials::{Secret, SecretBytes, TokenCredential};
use azure_core::http::policies::Policy;
use azure_core::http::{ClientOptions, ExponentialRetryOptions, RetryOptions, Transport};
use azure_identity::{
    AzureCliCredential, AzureCliCredentialOptions, ClientAssertion, ClientAssertionCredential,
    ClientAssertionCredentialOptions, ClientCertificateCredential,
    ClientCertificateCredentialOptions, ClientSecretCredential, ClientSecretCredentialOptions,
    ManagedIdentityCredential, ManagedIdentityCredentialOptions, UserAssignedId,
};
use base64::Engine;
use time::OffsetDateTime;

use super::cancel::Ctx;
use super::cloud::{https_url, Cloud};
use super::config::{Sensitive, Settings};
use super::error::{AttemptOutcome, AzureError, CredentialAttempt};
use super::http::{local_endpoint, HttpClients};

use assertions::{FileAssertion, RequestAssertion, StaticAssertion};
use cli::PathExecutor;
use msi::{LocalMsiCredential, MsiProtocol};

/// Builds a credential from (tenant, client id).
type MakeCred = Box<dyn FnOnce(String, String) -> azure_core::Result<Arc<dyn TokenCredential>>>;

/// Something that can produce a token for a scope (the credential chain, or a fixed
/// token in tests and tools).
#[async_trait::async_trait]
pub trait TokenSource: Send + Sync + fmt::Debug {
    /// A fresh token and its expiry.
    async fn fetch(
        &self,
        ctx: &Ctx,
        scope: &str,
    ) -> Result<(Sensitive, OffsetDateTime), AzureError>;
}

/// A fixed token (tests, tools that already hold a token).
pub struct StaticToken {
    pub token: Sensitive,
    pub expires_on: OffsetDateTime,
}

impl fmt::Debug for StaticToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticToken")
            .field("expires_on", &self.expires_on)
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl TokenSource for StaticToken {
    async fn fetch(&self, _: &Ctx, _: &str) -> Result<(Sensitive, OffsetDateTime), AzureError> {
        Ok((self.token.clone(), self.expires_on))
    }
}

enum EntryState {
    Skipped(String),
    Broken(String),
    Ready(Arc<dyn TokenCredential>),
}

struct Entry {
    method: &'static str,
    state: EntryState,
}

/// The configured credential methods, in azurerm's order.
pub struct CredentialChain {
    entries: Vec<Entry>,
    winner: Mutex<Option<usize>>,
    /// Secret values that must never appear in an error message.
    scrub: Vec<Sensitive>,
}

impl fmt::Debug for CredentialChain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialChain")
            .field("methods", &self.methods())
            .finish_non_exhaustive()
    }
}

/// Method names as they appear in the report.
pub mod method {
    pub const CERTIFICATE: &str = "client certificate";
    pub const SECRET: &str = "client secret";
    pub const OIDC_TOKEN: &str = "OIDC token";
    pub const OIDC_TOKEN_FILE: &str = "OIDC token file";
    pub const ADO: &str = "Azure DevOps OIDC";
    pub const GITHUB: &str = "GitHub Actions OIDC";
    pub const TFC: &str = "HCP Terraform workload identity";
    pub const MSI: &str = "managed identity";
    pub const CLI: &str = "Azure CLI";
}

fn missing(what: &[(&str, &str)]) -> String {
    let names: Vec<String> = what
        .iter()
        .map(|(attr, env)| format!("{attr} ({env})"))
        .collect();
    format!("{} not set", join_or(&names))
}

fn join_or(v: &[String]) -> String {
    match v.len() {
        0 => String::new(),
        1 => format!("{} is", v[0]),
        _ => format!("{} are", v.join(", ")),
    }
}

fn read_trimmed(path: &std::path::Path, what: &str) -> Result<String, String> {
    let s = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {what} file {}: {e}", path.display()))?;
    let s = s.trim().to_string();
    if s.is_empty() {
        return Err(format!("{what} file {} is empty", path.display()));
    }
    Ok(s)
}

/// Writes our traffic log line for each token request `azure_identity` sends.
#[derive(Debug)]
struct TokenTrafficLog;

#[async_trait::async_trait]
impl Policy for TokenTrafficLog {
    async fn send(
        &self,
        ctx: &azure_core::http::Context,
        request: &mut azure_core::http::Request,
        next: &[Arc<dyn Policy>],
    ) -> azure_core::http::policies::PolicyResult {
        let Some((first, rest)) = next.split_first() else {
            return Err(azure_core::Error::with_message(
                azure_core::error::ErrorKind::Other,
                "no transport after the traffic log policy",
            ));
        };
        let started = std::time::Instant::now();
        let url = request.url().clone();
        let method = request.method().to_string();
        let res = first.send(ctx, request, rest).await;
        let request_id_name = azure_core::http::headers::HeaderName::from_static("x-ms-request-id");
        let (status, request_id, error) = match &res {
            Ok(r) => (
                Some(u16::from(r.status())),
                r.headers().get_optional_string(&request_id_name),
                None,
            ),
            Err(e) => (None, None, Some(e.to_string())),
        };
        super::traffic_log::log(&super::traffic_log::Traffic {
            method: &method,
            url: &url,
            status,
            duration: started.elapsed(),
            request_id: request_id.as_deref(),
            correlation_id: "-",
            attempt: 1,
            error: error.as_deref(),
        });
        res
    }
}

/// `azure_identity` client options: our HTTPS client as transport, our authority host,
/// our traffic log, a short retry policy of its own for the token endpoint.
fn identity_options(cloud: &Cloud, clients: &HttpClients) -> ClientOptions {
    let mut custom = CustomConfiguration::default();
    custom.authority_host = cloud
        .authority_host
        .as_str()
        .trim_end_matches('/')
        .to_string();
    ClientOptions {
        per_try_policies: vec![Arc::new(TokenTrafficLog)],
        transport: Some(Transport::new(Arc::new(clients.strict.clone()))),
        retry: RetryOptions::exponential(ExponentialRetryOptions {
            initial_delay: time::Duration::milliseconds(250),
            max_retries: 2,
            max_total_elapsed: time::Duration::seconds(20),
            max_delay: time::Duration::seconds(2),
        }),
        cloud: Some(Arc::new(CloudConfiguration::Custom(custom))),
        ..Default::default()
    }
}

fn scrubbed(scrub: &[Sensitive], msg: impl fmt::Display) -> String {
    let mut s = msg.to_string();
    for secret in scrub {
        let v = secret.expose();
        if v.len() >= 4 {
            s = s.replace(v, "REDACTED");
        }
    }
    super::error::truncate(s.trim(), 600)
}

impl CredentialChain {
    /// Build the chain from the settings. No network call; files are read.
    pub fn build(settings: &Settings, cloud: &Cloud, clients: &HttpClients) -> CredentialChain {
        let s = settings;
        let mut scrub: Vec<Sensitive> = [
            &s.client_secret,
            &s.client_certificate,
            &s.client_certificate_password,
            &s.oidc_token,
            &s.oidc_request_token,
            &s.ado_system_access_token,
            &s.tfc_workload_identity_token,
            &s.identity_header,
        ]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
        let options = || identity_options(cloud, clients);
        let mut entries = Vec::new();

        // Service principal identity: client ID (or its file) and tenant.
        let client_id: Result<Option<String>, String> = match (&s.client_id, &s.client_id_file_path)
        {
            (Some(id), _) => Ok(Some(id.clone())),
            (None, Some(p)) => read_trimmed(p, "client ID").map(Some),
            (None, None) => Ok(None),
        };
        // What the service principal methods lack, if anything: Err(skip reason) or
        // Err(broken reason).
        let sp = |_method: &'static str| -> Result<(String, String), EntryState> {
            let id = match &client_id {
                Ok(id) => id.clone(),
                Err(e) => return Err(EntryState::Broken(e.clone())),
            };
            let mut lack = Vec::new();
            if id.is_none() {
                lack.push(("client_id", "ARM_CLIENT_ID"));
            }
            if s.tenant_id.is_none() {
                lack.push(("tenant_id", "ARM_TENANT_ID"));
            }
            match (id, &s.tenant_id) {
                (Some(id), Some(t)) => Ok((t.clone(), id)),
                _ => Err(EntryState::Skipped(missing(&lack))),
            }
        };
        let oidc_gate = |lack: Vec<(&str, &str)>| -> Option<EntryState> {
            if !s.use_oidc {
                return Some(EntryState::Skipped(
                    "use_oidc (ARM_USE_OIDC) is not true".into(),
                ));
            }
            (!lack.is_empty()).then(|| EntryState::Skipped(missing(&lack)))
        };
        let assertion_entry = |method: &'static str,
                               gate: Option<EntryState>,
                               make: &dyn Fn() -> Result<MakeCred, String>|
         -> Entry {
            if let Some(st) = gate {
                return Entry { method, state: st };
            }
            let (tenant, id) = match sp(method) {
                Ok(v) => v,
                Err(st) => return Entry { method, state: st },
            };
            let state = match make() {
                Ok(f) => match f(tenant, id) {
                    Ok(c) => EntryState::Ready(c),
                    Err(e) => EntryState::Broken(e.to_string()),
                },
                Err(e) => EntryState::Broken(e),
            };
            Entry { method, state }
        };
        fn assertion_cred<C: ClientAssertion + 'static>(
            assertion: C,
            opts: ClientOptions,
        ) -> MakeCred {
            Box::new(move |tenant, id| {
                let c = ClientAssertionCredential::new(
                    tenant,
                    id,
                    assertion,
                    Some(ClientAssertionCredentialOptions {
                        client_options: opts,
                    }),
                )?;
                Ok(c as Arc<dyn TokenCredential>)
            })
        }

        // 1. Client certificate.
        entries.push({
            let m = method::CERTIFICATE;
            if s.client_certificate_path.is_none() && s.client_certificate.is_none() {
                Entry {
                    method: m,
                    state: EntryState::Skipped(
                        "neither client_certificate_path (ARM_CLIENT_CERTIFICATE_PATH) nor client_certificate (ARM_CLIENT_CERTIFICATE) is set".into(),
                    ),
                }
            } else {
                match sp(m) {
                    Err(st) => Entry { method: m, state: st },
                    Ok((tenant, id)) => {
                        let bytes: Result<Vec<u8>, String> = match (&s.client_certificate_path, &s.client_certificate) {
                            (Some(p), _) => std::fs::read(p).map_err(|e| {
                                format!("cannot read certificate {}: {e}", p.display())
                            }),
                            (None, Some(b64)) => base64::engine::general_purpose::STANDARD
                                .decode(b64.expose().trim())
                                .map_err(|e| format!("client_certificate is not base64: {e}")),
                            (None, None) => Err("no certificate".into()),
                        };
                        let state = match bytes {
                            Err(e) => EntryState::Broken(e),
                            Ok(bytes) => match ClientCertificateCredential::new(
                                tenant,
                                id,
                                SecretBytes::new(bytes),
                                Some(ClientCertificateCredentialOptions {
                                    client_options: options(),
                                    password: s
                                        .client_certificate_password
                                        .as_ref()
                                        .map(|p| Secret::new(p.expose().to_string())),
                                }),
                            ) {
                                Ok(c) => EntryState::Ready(c),
                                Err(e) => EntryState::Broken(format!(
                                    "cannot load the PKCS#12 certificate: {e}"
                                )),
                            },
                        };
                        Entry { method: m, state }
                    }
                }
            }
        });

        // 2. Client secret.
        entries.push({
            let m = method::SECRET;
            let secret: Result<Option<Sensitive>, String> =
                match (&s.client_secret, &s.client_secret_file_path) {
                    (Some(v), _) => Ok(Some(v.clone())),
                    (None, Some(p)) => read_trimmed(p, "client secret").map(|v| Some(Sensitive::new(v))),
                    (None, None) => Ok(None),
                };
            match secret {
                Ok(None) => Entry {
                    method: m,
                    state: EntryState::Skipped(
                        "neither client_secret (ARM_CLIENT_SECRET) nor client_secret_file_path (ARM_CLIENT_SECRET_FILE_PATH) is set".into(),
                    ),
                },
                Err(e) => Entry { method: m, state: EntryState::Broken(e) },
                Ok(Some(secret)) => {
                    scrub.push(secret.clone());
                    match sp(m) {
                        Err(st) => Entry { method: m, state: st },
                        Ok((tenant, id)) => Entry {
                            method: m,
                            state: match ClientSecretCredential::new(
                                &tenant,
                                id,
                                Secret::new(secret.expose().to_string()),
                                Some(ClientSecretCredentialOptions { client_options: options() }),
                            ) {
                                Ok(c) => EntryState::Ready(c),
                                Err(e) => EntryState::Broken(e.to_string()),
                            },
                        },
                    }
                }
            }
        });

        // 3. OIDC token, given directly, then from a file.
        entries.push(assertion_entry(
            method::OIDC_TOKEN,
            oidc_gate(if s.oidc_token.is_none() {
                vec![("oidc_token", "ARM_OIDC_TOKEN")]
            } else {
                vec![]
            }),
            &|| {
                let t = s.oidc_token.clone().ok_or("no token")?;
                Ok(assertion_cred(StaticAssertion(t), options()))
            },
        ));
        entries.push(assertion_entry(
            method::OIDC_TOKEN_FILE,
            oidc_gate(if s.oidc_token_file_path.is_none() {
                vec![("oidc_token_file_path", "ARM_OIDC_TOKEN_FILE_PATH")]
            } else {
                vec![]
            }),
            &|| {
                let p = s.oidc_token_file_path.clone().ok_or("no file")?;
                Ok(assertion_cred(FileAssertion(p), options()))
            },
        ));

        // 4. Azure DevOps service connection.
        entries.push(assertion_entry(
            method::ADO,
            oidc_gate({
                let mut lack = vec![];
                if s.ado_pipeline_service_connection_id.is_none() {
                    lack.push((
                        "ado_pipeline_service_connection_id",
                        "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID",
                    ));
                }
                if s.ado_oidc_request_uri.is_none() {
                    lack.push(("SYSTEM_OIDCREQUESTURI", "SYSTEM_OIDCREQUESTURI"));
                }
                if s.ado_system_access_token.is_none() {
                    lack.push(("SYSTEM_ACCESSTOKEN", "SYSTEM_ACCESSTOKEN"));
                }
                lack
            }),
            &|| {
                let uri = s.ado_oidc_request_uri.as_deref().ok_or("no uri")?;
                let uri = https_url("SYSTEM_OIDCREQUESTURI", uri).map_err(|e| e.detail())?;
                let conn = s
                    .ado_pipeline_service_connection_id
                    .as_deref()
                    .ok_or("no id")?;
                let bearer = s.ado_system_access_token.clone().ok_or("no token")?;
                Ok(assertion_cred(
                    RequestAssertion::azure_devops(clients.strict.clone(), uri, conn, bearer),
                    options(),
                ))
            },
        ));

        // 5. GitHub Actions (or any GitHub-style request URL).
        entries.push(assertion_entry(
            method::GITHUB,
            oidc_gate({
                let mut lack = vec![];
                if s.oidc_request_url.is_none() {
                    lack.push((
                        "oidc_request_url",
                        "ARM_OIDC_REQUEST_URL or ACTIONS_ID_TOKEN_REQUEST_URL",
                    ));
                }
                if s.oidc_request_token.is_none() {
                    lack.push((
                        "oidc_request_token",
                        "ARM_OIDC_REQUEST_TOKEN or ACTIONS_ID_TOKEN_REQUEST_TOKEN",
                    ));
                }
                lack
            }),
            &|| {
                let url = s.oidc_request_url.as_deref().ok_or("no url")?;
                let url = https_url("oidc_request_url", url).map_err(|e| e.detail())?;
                let bearer = s.oidc_request_token.clone().ok_or("no token")?;
                Ok(assertion_cred(
                    RequestAssertion::github(clients.strict.clone(), url, bearer),
                    options(),
                ))
            },
        ));

        // 6. HCP Terraform dynamic credentials.
        entries.push(assertion_entry(
            method::TFC,
            oidc_gate(if s.tfc_workload_identity_token.is_none() {
                vec![("TFC_WORKLOAD_IDENTITY_TOKEN", "TFC_WORKLOAD_IDENTITY_TOKEN")]
            } else {
                vec![]
            }),
            &|| {
                let t = s.tfc_workload_identity_token.clone().ok_or("no token")?;
                Ok(assertion_cred(StaticAssertion(t), options()))
            },
        ));

        // 7. Managed identity.
        entries.push({
            let m = method::MSI;
            let user_id = client_id.clone().ok().flatten();
            let state = if !s.use_msi {
                EntryState::Skipped("use_msi (ARM_USE_MSI) is not true".into())
            } else if let Some(ep) = &s.msi_endpoint {
                match local_endpoint("msi_endpoint", ep) {
                    Ok(endpoint) => EntryState::Ready(Arc::new(LocalMsiCredential {
                        client: clients.local.clone(),
                        endpoint,
                        protocol: MsiProtocol::Imds,
                        client_id: user_id,
                    })),
                    Err(e) => EntryState::Broken(e.detail()),
                }
            } else if let Some(ep) = &s.identity_endpoint {
                match (&s.identity_header, local_endpoint("IDENTITY_ENDPOINT", ep)) {
                    (None, _) => EntryState::Broken(
                        "IDENTITY_ENDPOINT is set but IDENTITY_HEADER is not".into(),
                    ),
                    (_, Err(e)) => EntryState::Broken(e.detail()),
                    (Some(h), Ok(endpoint)) => EntryState::Ready(Arc::new(LocalMsiCredential {
                        client: clients.local.clone(),
                        endpoint,
                        protocol: MsiProtocol::AppService { header: h.clone() },
                        client_id: user_id,
                    })),
                }
            } else {
                // The VM's IMDS (169.254.169.254), through azure_identity.
                let mut client_options = options();
                client_options.transport = Some(Transport::new(Arc::new(clients.local.clone())));
                match ManagedIdentityCredential::new(Some(ManagedIdentityCredentialOptions {
                    user_assigned_id: user_id.map(UserAssignedId::ClientId),
                    client_options,
                })) {
                    Ok(c) => EntryState::Ready(c),
                    Err(e) => EntryState::Broken(e.to_string()),
                }
            };
            Entry { method: m, state }
        });

        // 8. Azure CLI.
        entries.push({
            let m = method::CLI;
            let state = if !s.use_cli {
                EntryState::Skipped("use_cli (ARM_USE_CLI) is false".into())
            } else {
                match AzureCliCredential::new(Some(AzureCliCredentialOptions {
                    tenant_id: s.tenant_id.clone(),
                    subscription: None,
                    executor: Some(Arc::new(PathExecutor {
                        path: s.cli_path.clone(),
                    })),
                })) {
                    Ok(c) => EntryState::Ready(c),
                    Err(e) => EntryState::Broken(e.to_string()),
                }
            };
            Entry { method: m, state }
        });

        CredentialChain {
            entries,
            winner: Mutex::new(None),
            scrub,
        }
    }

    /// The methods in order with whether each is configured (for logs and tests).
    pub fn methods(&self) -> Vec<(&'static str, bool)> {
        self.entries
            .iter()
            .map(|e| (e.method, matches!(e.state, EntryState::Ready(_))))
            .collect()
    }

    /// The method that produced the last token, once one has.
    pub fn active_method(&self) -> Option<&'static str> {
        let w = *self.winner.lock().unwrap_or_else(|p| p.into_inner());
        w.and_then(|i| self.entries.get(i)).map(|e| e.method)
    }

    async fn try_entry(
        &self,
        ctx: &Ctx,
        cred: &Arc<dyn TokenCredential>,
        scope: &str,
    ) -> Result<(Sensitive, OffsetDateTime), Result<String, AzureError>> {
        let scopes = [scope];
        let fut = cred.get_token(&scopes, None);
        match ctx.run("acquiring an Azure access token", fut).await {
            Err(cancel) => Err(Err(cancel)),
            Ok(Ok(t)) => Ok((Sensitive::new(t.token.secret().to_string()), t.expires_on)),
            Ok(Err(e)) => Err(Ok(scrubbed(&self.scrub, error_chain(&e)))),
        }
    }
}

/// An azure_core error with its sources, on one line.
fn error_chain(e: &azure_core::Error) -> String {
    let mut s = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(inner) = src {
        let t = inner.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        src = inner.source();
    }
    s.replace('\n', " ")
}

#[async_trait::async_trait]
impl TokenSource for CredentialChain {
    async fn fetch(
        &self,
        ctx: &Ctx,
        scope: &str,
    ) -> Result<(Sensitive, OffsetDateTime), AzureError> {
        let winner = *self.winner.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(i) = winner {
            if let Some(Entry {
                state: EntryState::Ready(cred),
                method,
            }) = self.entries.get(i)
            {
                match self.try_entry(ctx, cred, scope).await {
                    Ok(t) => return Ok(t),
                    Err(Err(cancel)) => return Err(cancel),
                    Err(Ok(why)) => {
                        tracing::warn!(method, reason = %why, "the credential that worked before failed; trying the chain again");
                    }
                }
            }
        }
        let mut report = Vec::new();
        for (i, e) in self.entries.iter().enumerate() {
            let outcome = match &e.state {
                EntryState::Skipped(why) => AttemptOutcome::Skipped(why.clone()),
                EntryState::Broken(why) => AttemptOutcome::Failed(scrubbed(&self.scrub, why)),
                EntryState::Ready(cred) => match self.try_entry(ctx, cred, scope).await {
                    Ok(t) => {
                        *self.winner.lock().unwrap_or_else(|p| p.into_inner()) = Some(i);
                        tracing::debug!(method = e.method, "authenticated to Azure");
                        return Ok(t);
                    }
                    Err(Err(cancel)) => return Err(cancel),
                    Err(Ok(why)) => {
                        tracing::debug!(method = e.method, reason = %why, "credential method failed");
                        AttemptOutcome::Failed(why)
                    }
                },
            };
            report.push(CredentialAttempt {
                method: e.method.to_string(),
                outcome,
            });
        }
        Err(AzureError::Credential { attempts: report })
    }
}

/// A cached token.
#[derive(Clone)]
struct Cached {
    token: Sensitive,
    refresh_at: OffsetDateTime,
}

/// When to refresh a token obtained `now` that expires at `expires_on`: five minutes
/// before expiry, or at half its lifetime when that is shorter.
pub fn refresh_at(now: OffsetDateTime, expires_on: OffsetDateTime) -> OffsetDateTime {
    let lifetime = expires_on - now;
    let margin = time::Duration::minutes(5).min(lifetime / 2);
    expires_on - margin.max(time::Duration::ZERO)
}

type Slot = Arc<tokio::sync::Mutex<Option<Cached>>>;

/// Per-scope token cache over a [`TokenSource`], with single-flight refresh.
pub struct TokenProvider {
    source: Arc<dyn TokenSource>,
    slots: Mutex<HashMap<String, Slot>>,
}

impl fmt::Debug for TokenProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenProvider")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl TokenProvider {
    pub fn new(source: Arc<dyn TokenSource>) -> Self {
        TokenProvider {
            source,
            slots: Mutex::new(HashMap::new()),
        }
    }

    pub fn source(&self) -> &Arc<dyn TokenSource> {
        &self.source
    }

    fn slot(&self, scope: &str) -> Slot {
        let mut map = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(scope.to_string())
            .or_insert_with(|| Arc::new(tokio::sync::Mutex::new(None)))
            .clone()
    }

    /// A valid token for `scope` (cached, or fetched once for all concurrent callers).
    pub async fn token(&self, ctx: &Ctx, scope: &str) -> Result<Sensitive, AzureError> {
        let slot = self.slot(scope);
        let mut guard = ctx
            .run("waiting for an Azure access token", slot.lock())
            .await?;
        let now = OffsetDateTime::now_utc();
        if let Some(c) = guard.as_ref() {
            if now < c.refresh_at {
                return Ok(c.token.clone());
            }
        }
        let (token, expires_on) = self.source.fetch(ctx, scope).await?;
        let at = refresh_at(now, expires_on);
        *guard = Some(Cached {
            token: token.clone(),
            refresh_at: at,
        });
        Ok(token)
    }

    /// Forget the cached token of `scope` (after a 401 saying it expired).
    pub async fn invalidate(&self, scope: &str) {
        let slot = self.slot(scope);
        *slot.lock().await = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[derive(Debug)]
    struct Counting {
        calls: AtomicUsize,
        lifetime: time::Duration,
    }

    #[async_trait::async_trait]
    impl TokenSource for Counting {
        async fn fetch(&self, _: &Ctx, _: &str) -> Result<(Sensitive, OffsetDateTime), AzureError> {
            let n = self.calls.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(30)).await;
            Ok((
                Sensitive::new(format!("token-{n}")),
                OffsetDateTime::now_utc() + self.lifetime,
            ))
        }
    }

    #[test]
    fn refresh_margin_is_five_minutes_or_half_the_lifetime() {
        let now = OffsetDateTime::now_utc();
        let hour = now + time::Duration::hours(1);
        assert_eq!(refresh_at(now, hour), hour - time::Duration::minutes(5));
        let short = now + time::Duration::minutes(4);
        assert_eq!(refresh_at(now, short), now + time::Duration::minutes(2));
        let past = now - time::Duration::minutes(1);
        assert!(refresh_at(now, past) <= now);
    }

    #[tokio::test]
    async fn concurrent_callers_share_one_fetch_and_scopes_are_separate() {
        let src = Arc::new(Counting {
            calls: AtomicUsize::new(0),
            lifetime: time::Duration::hours(1),
        });
        let p = Arc::new(TokenProvider::new(src.clone()));
        let mut handles = Vec::new();
        for _ in 0..20 {
            let p = p.clone();
            handles.push(tokio::spawn(async move {
                p.token(&Ctx::background(), "https://management.azure.com/.default")
                    .await
            }));
        }
        for h in handles {
            let t = h.await.expect("join").expect("token");
            assert_eq!(t.expose(), "token-0");
        }
        assert_eq!(src.calls.load(Ordering::SeqCst), 1);
        let t = p
            .token(&Ctx::background(), "https://storage.azure.com/.default")
            .await
            .expect("storage");
        assert_eq!(t.expose(), "token-1");
        p.invalidate("https://storage.azure.com/.default").await;
        let t = p
            .token(&Ctx::background(), "https://storage.azure.com/.default")
            .await
            .expect("storage again");
        assert_eq!(t.expose(), "token-2");
    }

    #[tokio::test]
    async fn short_lived_tokens_are_refreshed_at_half_life() {
        let src = Arc::new(Counting {
            calls: AtomicUsize::new(0),
            lifetime: time::Duration::milliseconds(400),
        });
        let p = TokenProvider::new(src.clone());
        let ctx = Ctx::background();
        assert_eq!(p.token(&ctx, "s").await.expect("t").expose(), "token-0");
        assert_eq!(p.token(&ctx, "s").await.expect("t").expose(), "token-0");
        tokio::time::sleep(Duration::from_millis(260)).await;
        assert_eq!(p.token(&ctx, "s").await.expect("t").expose(), "token-1");
    }

    fn chain_for(settings: &Settings) -> CredentialChain {
        let cloud = settings.cloud().expect("cloud");
        let clients = super::super::http::build_clients(settings).expect("clients");
        CredentialChain::build(settings, &cloud, &clients)
    }

    #[tokio::test]
    async fn nothing_configured_reports_every_method_with_the_missing_variable() {
        let settings = Settings {
            use_cli: false,
            ..Default::default()
        };
        let chain = chain_for(&settings);
        let err = chain
            .fetch(&Ctx::background(), "https://management.azure.com/.default")
            .await
            .expect_err("no credential");
        let AzureError::Credential { attempts } = &err else {
            panic!("unexpected {err:?}");
        };
        let names: Vec<&str> = attempts.iter().map(|a| a.method.as_str()).collect();
        assert_eq!(
            names,
            [
                method::CERTIFICATE,
                method::SECRET,
                method::OIDC_TOKEN,
                method::OIDC_TOKEN_FILE,
                method::ADO,
                method::GITHUB,
                method::TFC,
                method::MSI,
                method::CLI
            ]
        );
        assert!(attempts
            .iter()
            .all(|a| matches!(a.outcome, AttemptOutcome::Skipped(_))));
        let d = err.detail();
        assert!(d.contains("ARM_CLIENT_SECRET"), "{d}");
        assert!(d.contains("ARM_USE_OIDC"), "{d}");
        assert!(d.contains("ARM_USE_MSI"), "{d}");
        assert!(d.contains("ARM_USE_CLI"), "{d}");
    }

    #[tokio::test]
    async fn secret_without_tenant_is_skipped_naming_the_tenant() {
        let settings = Settings {
            client_id: Some("app".into()),
            client_secret: Some(Sensitive::new("very-secret-value")),
            use_cli: false,
            ..Default::default()
        };
        let chain = chain_for(&settings);
        let err = chain
            .fetch(&Ctx::background(), "s/.default")
            .await
            .expect_err("fails");
        let d = err.detail();
        assert!(
            d.contains("client secret: skipped, tenant_id (ARM_TENANT_ID) is not set"),
            "{d}"
        );
        assert!(!d.contains("very-secret-value"));
    }

    #[tokio::test]
    async fn unreadable_files_and_bad_certificates_are_failures_not_skips() {
        let dir = tempfile::tempdir().expect("dir");
        let bad_cert = dir.path().join("cert.pfx");
        std::fs::write(&bad_cert, b"not pkcs12").expect("write");
        let settings = Settings {
            client_id: Some("app".into()),
            tenant_id: Some("tenant".into()),
            client_certificate_path: Some(bad_cert),
            client_secret_file_path: Some(dir.path().join("missing-secret")),
            use_cli: false,
            ..Default::default()
        };
        let chain = chain_for(&settings);
        let err = chain
            .fetch(&Ctx::background(), "s/.default")
            .await
            .expect_err("fails");
        let d = err.detail();
        assert!(
            d.contains("client certificate: failed, cannot load the PKCS#12 certificate"),
            "{d}"
        );
        assert!(
            d.contains("client secret: failed, cannot read client secret file"),
            "{d}"
        );
    }
}
