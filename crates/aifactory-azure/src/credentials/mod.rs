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
//! This is the only token cache: `azure_identity`'s credentials are built anew for each
//! request ([`token_endpoint::Fresh`]), so a token dropped after a 401 is really renewed.
//!
//! The token endpoint is retried like ARM ([`RetryPolicy`]: 429, 5xx and connection
//! failures, `Retry-After` first, else backoff with jitter, cancellation through the
//! [`Ctx`]). A method whose endpoint stays unavailable ends the search with
//! [`AzureError::TokenEndpoint`] (status, attempts, Entra's code); a method that Entra
//! rejects (`invalid_client`, AADSTS7000215, ...) is not retried and the next one is
//! tried, as before.

pub mod assertions;
mod build;
pub mod certificate;
pub mod cli;
mod entry;
pub mod method;
pub mod msi;
pub mod token_endpoint;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use azure_core::credentials::TokenCredential;
use time::OffsetDateTime;

use super::cancel::Ctx;
use super::cloud::Cloud;
use super::config::{Sensitive, Settings};
use super::error::{AttemptOutcome, AzureError, CredentialAttempt, TokenEndpointFailure};
use super::http::HttpClients;
use super::retry::RetryPolicy;

use entry::{Entry, EntryState};

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

/// The configured credential methods, in azurerm's order.
pub struct CredentialChain {
    entries: Vec<Entry>,
    /// The token endpoint's retry budget (the same as ARM's).
    retry: RetryPolicy,
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
        let (entries, scrub) = build::entries(settings, cloud, clients);
        CredentialChain {
            entries,
            retry: settings.retry.clone(),
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

    /// One method's token, with the token endpoint retried like ARM (429, 5xx, connection
    /// failures; `Retry-After` first, else backoff with jitter; the same budget; the
    /// caller's cancellation and deadline).
    async fn try_entry(
        &self,
        ctx: &Ctx,
        method: &'static str,
        cred: &Arc<dyn TokenCredential>,
        scope: &str,
    ) -> Result<(Sensitive, OffsetDateTime), EntryError> {
        let scopes = [scope];
        let mut statuses = Vec::new();
        let mut waited = std::time::Duration::ZERO;
        loop {
            let fut = cred.get_token(&scopes, None);
            let e = match ctx.run("acquiring an Azure access token", fut).await {
                Err(cancel) => return Err(EntryError::Cancelled(cancel)),
                Ok(Ok(t)) => {
                    return Ok((Sensitive::new(t.token.secret().to_string()), t.expires_on))
                }
                Ok(Err(e)) => e,
            };
            let Some(http) = token_endpoint::find(&e).filter(|h| h.is_retryable()) else {
                let why = match token_endpoint::find(&e) {
                    Some(http) => http.to_string(),
                    None => error_chain(&e),
                };
                return Err(EntryError::Failed(scrubbed(&self.scrub, why)));
            };
            statuses.push(http.status().unwrap_or(0));
            let attempt = statuses.len() as u32;
            let delay = self
                .retry
                .next_delay(attempt, waited, http.retry_after())
                .filter(|d| ctx.remaining().is_none_or(|rem| *d <= rem));
            let Some(delay) = delay else {
                return Err(EntryError::Unavailable(AzureError::TokenEndpoint(
                    Box::new(TokenEndpointFailure {
                        method: method.to_string(),
                        url: http.url.clone(),
                        scope: scope.to_string(),
                        statuses,
                        error: http.error_code().map(str::to_string),
                        aadsts: http.aadsts(),
                        message: scrubbed(&self.scrub, http.message()),
                    }),
                )));
            };
            tracing::debug!(
                target: "aifactory::azure::http",
                method,
                attempt,
                status = http.status().unwrap_or(0),
                delay_ms = delay.as_millis() as u64,
                "retrying the token endpoint"
            );
            if let Err(cancel) = ctx
                .sleep("waiting to retry the token endpoint", delay)
                .await
            {
                return Err(EntryError::Cancelled(cancel));
            }
            waited += delay;
        }
    }
}

/// Why one method gave no token.
enum EntryError {
    /// The caller cancelled or the deadline passed: stop the chain.
    Cancelled(AzureError),
    /// The token endpoint stayed unavailable through every retry: stop the chain (another
    /// method would sign in as someone else, and nothing was wrong with this one).
    Unavailable(AzureError),
    /// The method failed for good (the reason is scrubbed): try the next one.
    Failed(String),
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
                match self.try_entry(ctx, method, cred, scope).await {
                    Ok(t) => return Ok(t),
                    Err(EntryError::Cancelled(e) | EntryError::Unavailable(e)) => return Err(e),
                    Err(EntryError::Failed(why)) => {
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
                EntryState::Ready(cred) => match self.try_entry(ctx, e.method, cred, scope).await {
                    Ok(t) => {
                        *self.winner.lock().unwrap_or_else(|p| p.into_inner()) = Some(i);
                        tracing::debug!(method = e.method, "authenticated to Azure");
                        return Ok(t);
                    }
                    Err(EntryError::Cancelled(e) | EntryError::Unavailable(e)) => return Err(e),
                    Err(EntryError::Failed(why)) => {
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

    /// Forget the cached token of `scope` if it is still `refused`: when several requests
    /// are refused at once, the first drops the token and the others reuse the fresh one
    /// it fetched (one token request, not one per refused request).
    pub async fn invalidate_if(&self, scope: &str, refused: &Sensitive) {
        let slot = self.slot(scope);
        let mut guard = slot.lock().await;
        if guard
            .as_ref()
            .is_some_and(|c| c.token.expose() == refused.expose())
        {
            *guard = None;
        }
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
    async fn only_the_refused_token_is_dropped() {
        let src = Arc::new(Counting {
            calls: AtomicUsize::new(0),
            lifetime: time::Duration::hours(1),
        });
        let p = TokenProvider::new(src.clone());
        let ctx = Ctx::background();
        let refused = p.token(&ctx, "s").await.expect("t");
        assert_eq!(refused.expose(), "token-0");
        // Two requests refused with the same token: the first drops it and fetches a
        // fresh one, the second finds the fresh one and keeps it.
        p.invalidate_if("s", &refused).await;
        assert_eq!(p.token(&ctx, "s").await.expect("t").expose(), "token-1");
        p.invalidate_if("s", &refused).await;
        assert_eq!(p.token(&ctx, "s").await.expect("t").expose(), "token-1");
        assert_eq!(src.calls.load(Ordering::SeqCst), 2);
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
