//! The `aifactory` provider: its configuration schema, the per-process context resources
//! share (settings, the Azure client), and the registry of resources and functions.
//!
//! Owns: provider-level settings and building the Azure client lazily. Must not touch:
//! the plugin protocol (see `tfplugin`), Azure at configure time (no network call until a
//! resource needs Azure). The pure features never need credentials.

use std::sync::{Arc, OnceLock};

use crate::azure::{self, AzureClient, Ctx, Settings};
use crate::framework::{schema::Schema, AttrPath, DataSource, Diagnostic, Diagnostics, Function, Resource, Value};
use crate::functions::allocate_subnets::AllocateSubnets;
use crate::resources::arm_resource::ArmResource;
use crate::resources::project::Project;
use crate::resources::datalake_acl::DatalakeAcl;
use crate::resources::project_names::ProjectNames;
use crate::resources::subnet_allocation::SubnetAllocation;

/// Azure clouds the provider knows by name (`environment`, `ARM_ENVIRONMENT`).
pub const ENVIRONMENTS: [&str; 3] = ["public", "usgovernment", "china"];

/// What resources of one provider configuration share.
#[derive(Default)]
pub struct ProviderContext {
    settings: OnceLock<Settings>,
    client: OnceLock<Result<AzureClient, String>>,
    /// `purge_soft_delete_on_destroy`.
    purge_soft_delete_on_destroy: OnceLock<bool>,
    /// `recover_soft_deleted`.
    recover_soft_deleted: OnceLock<bool>,
}

impl ProviderContext {
    /// A context with settings already known (tests, tools).
    pub fn with_settings(settings: Settings) -> Arc<Self> {
        let ctx = ProviderContext::default();
        let _ = ctx.settings.set(settings);
        Arc::new(ctx)
    }

    /// The settings (from the provider configuration, else the `ARM_*` variables alone).
    pub fn settings(&self) -> Settings {
        self.settings.get().cloned().unwrap_or_else(|| Settings::from_env_and(&Value::Null))
    }

    /// Purge soft-deleted Key Vaults and AI Services accounts when a project is destroyed.
    pub fn purge_soft_delete_on_destroy(&self) -> bool {
        self.purge_soft_delete_on_destroy.get().copied().unwrap_or(false)
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
            let settings = self.settings.get().cloned().unwrap_or_else(|| Settings::from_env_and(&Value::Null));
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
        Ctx::new(crate::tfplugin::stop_token().child_token()).with_timeout(timeout)
    }
}

/// The provider.
pub struct AifactoryProvider {
    ctx: Arc<ProviderContext>,
}

impl Default for AifactoryProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl AifactoryProvider {
    pub fn new() -> Self {
        AifactoryProvider { ctx: Arc::new(ProviderContext::default()) }
    }

    pub fn context(&self) -> Arc<ProviderContext> {
        self.ctx.clone()
    }

    pub fn schema(&self) -> Schema {
        Schema {
            version: 0,
            description: "The `aifactory` provider provisions an enterprise AI Factory on Azure: \
                deterministic subnet allocation for AI/ML project teams, generic Azure Resource Manager \
                resources, data-lake ACL entries, and whole projects with their services, private endpoints, \
                role assignments and data-lake ACLs. Pure features such as `aifactory_subnet_allocation` \
                and the `allocate_subnets` function need no Azure credentials and make no network calls.\n\n\
                Authentication follows the azurerm provider's conventions: every setting below defaults to \
                its `ARM_*` environment variable; the first method whose inputs are present is used \
                (client certificate, client secret, OIDC token or token file, Azure DevOps, GitHub Actions, \
                HCP Terraform, managed identity, Azure CLI)."
                .into(),
            attributes: {
                let mut attrs = azure::settings_schema_attributes();
                attrs.push(crate::framework::Attribute::optional(
                    "purge_soft_delete_on_destroy",
                    crate::framework::Type::Bool,
                    "Purge Key Vaults and AI Services accounts that `aifactory_project` deletes, so their names are free \
                     at once (Azure otherwise keeps them soft-deleted for the retention period: 7 days outside prod, 90 \
                     in prod). Purging is irreversible, and impossible for a vault with purge protection (prod). Default \
                     false: a re-created project recovers its soft-deleted vault and account instead.",
                ));
                attrs.push(crate::framework::Attribute::optional(
                    "recover_soft_deleted",
                    crate::framework::Type::Bool,
                    "When `aifactory_project` creates a Key Vault or AI Services account whose name is soft-deleted (a destroyed project re-created within the retention period), recover it, with its secrets, keys and deployments, and then apply the configuration. Default true. With false, apply fails and says how to purge or recover the vault or account yourself.",
                ));
                attrs
            },
        }
    }

    pub fn validate(&self, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        if let Some(env) = config.get("environment").as_str() {
            if !ENVIRONMENTS.contains(&env) {
                diags.error(
                    AttrPath::attr("environment"),
                    format!("Unknown Azure environment {env:?}"),
                    format!("Set `environment` to one of: {}.", ENVIRONMENTS.join(", ")),
                );
            }
        }
        for attr in ["resource_manager_endpoint", "authority_host"] {
            if let Some(url) = config.get(attr).as_str() {
                if !url.starts_with("https://") {
                    diags.error(
                        AttrPath::attr(attr),
                        format!("`{attr}` must be an https:// URL"),
                        "All Azure traffic is HTTPS. For a local emulator, use its https endpoint and `ca_certificate_file`.",
                    );
                }
            }
        }
        diags
    }

    /// Record the settings. Reads `ARM_*` variables for what the configuration leaves out;
    /// makes no network call.
    pub fn configure(&self, terraform_version: &str, config: &Value) -> Diagnostics {
        let diags = self.validate(config);
        let settings = Settings::from_env_and(config).with_terraform_version(terraform_version);
        tracing::debug!(terraform_version, "provider configured");
        // Configure runs once per provider process; a second call keeps the first settings.
        let _ = self.ctx.settings.set(settings);
        if let Some(on) = config.get("purge_soft_delete_on_destroy").as_bool() {
            self.ctx.set_purge_soft_delete_on_destroy(on);
        }
        if let Some(on) = config.get("recover_soft_deleted").as_bool() {
            self.ctx.set_recover_soft_deleted(on);
        }
        diags
    }

    pub fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![
            Arc::new(SubnetAllocation::new(self.ctx.clone())),
            Arc::new(ArmResource::new(self.ctx.clone())),
            Arc::new(DatalakeAcl::new(self.ctx.clone())),
            Arc::new(Project::new(self.ctx.clone())),
        ]
    }

    pub fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        vec![Arc::new(ProjectNames::new(self.ctx.clone()))]
    }

    pub fn functions(&self) -> Vec<Arc<dyn Function>> {
        vec![Arc::new(AllocateSubnets)]
    }
}
