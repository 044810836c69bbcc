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
mod build;
pub mod cli;
mod entry;
pub mod method;
pub mod msi;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use azure_core::credentials::TokenCredential;
use time::OffsetDateTime;

use super::cancel::Ctx;
use super::cloud::Cloud;
use super::config::{Sensitive, Settings};
use super::error::{AttemptOutcome, AzureError, CredentialAttempt};
use super::http::HttpClients;

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
