//! The `aifactory` provider: its configuration schema and the registry of resources and
//! functions.
//!
//! Owns: provider-level settings. Must not touch: the plugin protocol (see `tfplugin`).
//! The pure features (subnet allocation, naming) never need credentials or network.

use std::sync::{Arc, OnceLock};

use crate::framework::{
    schema::{Attribute, Schema, Type},
    AttrPath, Diagnostics, Function, Resource, Value,
};
use crate::functions::allocate_subnets::AllocateSubnets;
use crate::resources::subnet_allocation::SubnetAllocation;

/// Azure clouds the provider knows by name (`environment`, `ARM_ENVIRONMENT`).
pub const ENVIRONMENTS: [&str; 3] = ["public", "usgovernment", "china"];

/// Settings the provider was configured with (Azure-backed resources read these).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProviderSettings {
    pub terraform_version: String,
    pub subscription_id: Option<String>,
    pub tenant_id: Option<String>,
    pub environment: String,
}

/// The provider.
#[derive(Default)]
pub struct AifactoryProvider {
    settings: OnceLock<ProviderSettings>,
}

impl AifactoryProvider {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn schema(&self) -> Schema {
        Schema {
            version: 0,
            description: "The `aifactory` provider provisions an enterprise AI Factory on Azure: \
                deterministic subnet allocation for AI/ML project teams, and (in later releases) \
                whole projects with their services, private endpoints, role assignments and data-lake \
                ACLs. Pure features such as `aifactory_subnet_allocation` and the \
                `allocate_subnets` function need no Azure credentials and make no network calls."
                .into(),
            attributes: vec![
                Attribute::optional(
                    "subscription_id",
                    Type::String,
                    "Azure subscription ID for Azure-backed resources. Defaults to `ARM_SUBSCRIPTION_ID`. \
                     Not needed for the pure features.",
                ),
                Attribute::optional(
                    "tenant_id",
                    Type::String,
                    "Microsoft Entra tenant ID. Defaults to `ARM_TENANT_ID`. Not needed for the pure features.",
                ),
                Attribute::optional(
                    "environment",
                    Type::String,
                    "Azure cloud: `public` (default), `usgovernment` or `china`. Defaults to `ARM_ENVIRONMENT`.",
                ),
            ],
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
        diags
    }

    /// Record the settings. Reads `ARM_*` variables for what the configuration leaves out;
    /// makes no network call.
    pub fn configure(&self, terraform_version: &str, config: &Value) -> Diagnostics {
        let diags = self.validate(config);
        let from = |attr: &str, var: &str| {
            config
                .get(attr)
                .as_str()
                .map(str::to_string)
                .or_else(|| std::env::var(var).ok().filter(|v| !v.is_empty()))
        };
        let settings = ProviderSettings {
            terraform_version: terraform_version.to_string(),
            subscription_id: from("subscription_id", "ARM_SUBSCRIPTION_ID"),
            tenant_id: from("tenant_id", "ARM_TENANT_ID"),
            environment: from("environment", "ARM_ENVIRONMENT").unwrap_or_else(|| "public".into()),
        };
        tracing::debug!(terraform_version, environment = %settings.environment, "provider configured");
        // Configure runs once per provider process; a second call keeps the first settings.
        let _ = self.settings.set(settings);
        diags
    }

    pub fn settings(&self) -> Option<&ProviderSettings> {
        self.settings.get()
    }

    pub fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![Arc::new(SubnetAllocation)]
    }

    pub fn functions(&self) -> Vec<Arc<dyn Function>> {
        vec![Arc::new(AllocateSubnets)]
    }
}
