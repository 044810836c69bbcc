//! The Azure client layer: **all** Azure I/O of the provider goes through this module;
//! resources stay thin on top of it.
//!
//! ```text
//! AzureClient ─┬─ ArmClient (arm.rs: get/put/patch/delete/list/exists/post, LROs in lro.rs)
//!              └─ DfsClient (dfs.rs: filesystems, directories, ACLs in acl.rs)
//!                      │
//!                 Pipeline (pipeline.rs): throttle.rs (ARM token buckets) → concurrency
//!                 slot → TokenProvider (credentials/: chain + cache) → user_agent.rs +
//!                 correlation.rs headers → reqwest (http.rs: rustls/ring, extra CA roots,
//!                 https only) → traffic_log.rs → retry.rs → error.rs
//! ```
//!
//! Every call takes a [`Ctx`]: cancellation token, deadline and correlation id. Settings
//! come from the provider configuration over `ARM_*` variables ([`Settings`]); building a
//! client makes no network call (the first token request does).
//!
//! Secrets (client secret, certificate and password, OIDC tokens and assertions, access
//! tokens, the App Service identity header) are held in [`Sensitive`] or `azure_core`'s
//! `Secret`, never logged and never put into an error.

pub mod acl;
pub mod arm;
mod ca;
pub mod cancel;
pub mod cloud;
pub mod config;
pub mod correlation;
pub mod credentials;
pub mod dfs;
pub mod error;
pub mod http;
pub mod id;
pub mod lro;
pub mod pipeline;
pub mod retry;
pub mod throttle;
pub mod traffic_log;
pub mod user_agent;

use std::sync::Arc;

pub use acl::{Acl, AclEntry, AclError, AclKey, AclType, Perms};
pub use arm::ArmClient;
pub use cancel::{CancellationToken, Ctx};
pub use cloud::{Cloud, CloudOverrides};
pub use config::{ConfigSource, EnvVars, NoConfig, Sensitive, Settings};
pub use credentials::{CredentialChain, StaticToken, TokenProvider, TokenSource};
pub use dfs::{
    AccessControl, Created, DfsClient, DirectoryOptions, FailedEntry, PathItem, RecursiveMode,
    RecursiveOptions, RecursiveOutcome, SetAccessControl,
};
pub use error::{
    ApiError, AttemptOutcome, AzureError, CancelReason, CredentialAttempt, ErrorDetail, LroFailure,
    TokenEndpointFailure,
};
pub use id::{ArmId, IdError};
pub use pipeline::{Pipeline, Request, Response};
/// The HTTP method and URL types requests are built from.
pub use reqwest::Method;
pub use retry::RetryPolicy;
pub use throttle::{BucketConfig, OpClass, ThrottleSettings};
pub use url::Url;

/// The Azure client of one provider configuration.
#[derive(Debug, Clone)]
pub struct AzureClient {
    settings: Arc<Settings>,
    cloud: Cloud,
    pipeline: Arc<Pipeline>,
    arm: ArmClient,
    chain: Option<Arc<CredentialChain>>,
}

impl AzureClient {
    /// Build from settings: checks endpoints (https only) and the CA file, builds the HTTP
    /// client and the credential chain. No network call.
    pub fn new(settings: &Settings) -> Result<AzureClient, AzureError> {
        settings.validate()?;
        let cloud = settings.cloud()?;
        let clients = http::build_clients(settings)?;
        let chain = Arc::new(CredentialChain::build(settings, &cloud, &clients));
        Self::assemble(settings, cloud, clients.strict, chain.clone(), Some(chain))
    }

    /// Build with a given token source instead of the credential chain (tools, tests).
    pub fn with_token_source(
        settings: &Settings,
        source: Arc<dyn TokenSource>,
    ) -> Result<AzureClient, AzureError> {
        settings.validate()?;
        let cloud = settings.cloud()?;
        let clients = http::build_clients(settings)?;
        Self::assemble(settings, cloud, clients.strict, source, None)
    }

    fn assemble(
        settings: &Settings,
        cloud: Cloud,
        http: reqwest::Client,
        source: Arc<dyn TokenSource>,
        chain: Option<Arc<CredentialChain>>,
    ) -> Result<AzureClient, AzureError> {
        let tokens = Arc::new(TokenProvider::new(source));
        let throttle = settings.throttle.enabled.then(|| {
            let key = format!(
                "{}|{}|{}|{}",
                cloud.resource_manager,
                settings.tenant_id.as_deref().unwrap_or("-"),
                settings.client_id.as_deref().unwrap_or("-"),
                settings.subscription_id.as_deref().unwrap_or("-"),
            );
            throttle::Throttle::shared(&key, &settings.throttle)
        });
        let pipeline = Arc::new(Pipeline::new(
            http,
            tokens,
            settings.retry.clone(),
            throttle,
            settings.max_concurrency,
            user_agent::user_agent(&settings.terraform_version),
        ));
        let arm = ArmClient::new(
            pipeline.clone(),
            cloud.resource_manager.clone(),
            cloud.arm_scope(),
            settings.lro_poll_interval,
        );
        Ok(AzureClient {
            settings: Arc::new(settings.clone()),
            cloud,
            pipeline,
            arm,
            chain,
        })
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn cloud(&self) -> &Cloud {
        &self.cloud
    }

    /// The configured subscription, or a Config error naming the setting.
    pub fn subscription_id(&self) -> Result<&str, AzureError> {
        self.settings.subscription_id.as_deref().ok_or_else(|| {
            AzureError::config(
                "subscription_id",
                "no subscription: set `subscription_id` in the provider block or ARM_SUBSCRIPTION_ID",
            )
        })
    }

    pub fn arm(&self) -> &ArmClient {
        &self.arm
    }

    /// DFS client of a storage account.
    pub fn dfs(&self, account: &str) -> Result<DfsClient, AzureError> {
        Ok(DfsClient::new(
            self.pipeline.clone(),
            self.cloud.dfs_endpoint(account)?,
            self.cloud.storage_scope(),
        ))
    }

    pub fn pipeline(&self) -> &Arc<Pipeline> {
        &self.pipeline
    }

    /// A token for a scope (cached). Rarely needed outside this module.
    pub async fn token(&self, ctx: &Ctx, scope: &str) -> Result<Sensitive, AzureError> {
        self.pipeline.tokens().token(ctx, scope).await
    }

    /// The credential method that produced the last token (None before the first, or
    /// with a custom token source).
    pub fn active_credential(&self) -> Option<&'static str> {
        self.chain.as_ref().and_then(|c| c.active_method())
    }
}
