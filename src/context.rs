//! What the resources of one provider configuration share: the settings, the lazily
//! built Azure client, provider-level switches, and request contexts that end when
//! Terraform stops the provider.
//!
//! Owns: `ProviderContext` and the process-wide stop token. Must not know: the plugin
//! protocol (the adapter cancels [`stop_token`]), the registry of resources (`provider`),
//! or any resource.

use std::sync::{Arc, OnceLock};

use aifactory_azure::{AzureClient, Ctx, NoConfig, Settings};
use tokio_util::sync::CancellationToken;

use crate::framework::{AttrPath, Diagnostic};

/// Cancelled when Terraform stops the provider (StopProvider) or the server shuts down.
pub fn stop_token() -> CancellationToken {
    static TOKEN: OnceLock<CancellationToken> = OnceLock::new();
    TOKEN.get_or_init(CancellationToken::new).clone()
}

/// What resources of one provider configuration share.
#[derive(Default)]
pub struct ProviderContext {
    pub(crate) settings: OnceLock<Settings>,
    client: OnceLock<Result<AzureClient, String>>,
    /// `purge_soft_delete_on_destroy`.
    purge_soft_delete_on_destroy: OnceLock<bool>,
    /// `recover_soft_deleted`.
    recover_soft_deleted: OnceLock<bool>,
    /// Resource groups (lowercase IDs) of tainted projects whose delete half handed their
    /// objects over to the create that follows in the same apply.
    handed_over: std::sync::Mutex<std::collections::BTreeSet<String>>,
    /// The run's ledger of role assignments per subscription (Azure's 4,000 limit).
    pub(crate) role_assignments: crate::budget::Budget,
    /// The run's ledger of named entries per shared data-lake ACL (Azure's 32 per ACL).
    pub(crate) lake_acls: crate::budget::Budget,
}

impl ProviderContext {
    /// A context with settings already known (tests, tools).
    pub fn with_settings(settings: Settings) -> Arc<Self> {
        let ctx = ProviderContext::default();
        let _ = ctx.settings.set(settings);
        Arc::new(ctx)
    }

    /// Note that a replaced project's objects in `rg_id` were handed over to its create.
    pub(crate) fn note_handed_over(&self, rg_id: &str) {
        if let Ok(mut s) = self.handed_over.lock() {
            s.insert(rg_id.to_ascii_lowercase());
        }
    }

    /// Was `rg_id` handed over by the delete half of a replacement (consumed)?
    pub(crate) fn take_handed_over(&self, rg_id: &str) -> bool {
        self.handed_over
            .lock()
            .map(|mut s| s.remove(&rg_id.to_ascii_lowercase()))
            .unwrap_or(false)
    }

    /// The settings (from the provider configuration, else the `ARM_*` variables alone).
    pub fn settings(&self) -> Settings {
        self.settings
            .get()
            .cloned()
            .unwrap_or_else(|| Settings::from_env_and(&NoConfig))
    }

    /// Purge soft-deleted Key Vaults and AI Services accounts when a project is destroyed.
    pub fn purge_soft_delete_on_destroy(&self) -> bool {
        self.purge_soft_delete_on_destroy
            .get()
            .copied()
            .unwrap_or(false)
    }

    /// Set `purge_soft_delete_on_destroy` (tools and benchmarks; configure sets it once).
    pub fn set_purge_soft_delete_on_destroy(&self, on: bool) {
        let _ = self.purge_soft_delete_on_destroy.set(on);
    }

    /// Recover a soft-deleted Key Vault or AI Services account of the same name when a
    /// project creates one (default), instead of failing.
    pub fn recover_soft_deleted(&self) -> bool {
        self.recover_soft_deleted.get().copied().unwrap_or(true)
    }

    /// Set `recover_soft_deleted` (tools and tests; configure sets it once).
    pub fn set_recover_soft_deleted(&self, on: bool) {
        let _ = self.recover_soft_deleted.set(on);
    }

    /// The Azure client, built on first use. The error is a diagnostic on the provider.
    pub fn azure(&self) -> Result<&AzureClient, Diagnostic> {
        let built = self.client.get_or_init(|| {
            let settings = self
                .settings
                .get()
                .cloned()
                .unwrap_or_else(|| Settings::from_env_and(&NoConfig));
            AzureClient::new(&settings).map_err(|e| format!("{}\n\n{}", e.summary(), e.detail()))
        });
        built.as_ref().map_err(|msg| {
            Diagnostic::error(
                AttrPath::root(),
                "Cannot reach Azure with the provider's settings",
                format!("{msg}\n\nSet the provider's Azure settings (or the ARM_* variables): see the provider documentation."),
            )
        })
    }

    /// A request context that ends when Terraform stops the provider, or after `timeout`.
    pub fn request_ctx(&self, timeout: std::time::Duration) -> Ctx {
        Ctx::new(stop_token().child_token()).with_timeout(timeout)
    }
}
