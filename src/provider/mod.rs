//! The `aifactory` provider: its description, the registry of resources, data sources and
//! functions, and configure.
//!
//! Owns: what the provider offers and how it is configured (the settings themselves,
//! schema and decoding, are in `settings`). Must not touch: the plugin protocol (see
//! `tfplugin`), Azure at configure time (no network call until a resource needs Azure).
//! The pure features never need credentials.

pub mod settings;

use std::sync::Arc;

use crate::context::ProviderContext;
use crate::framework::{schema::Schema, DataSource, Diagnostics, Function, Resource, Value};
use crate::functions::allocate_subnets::AllocateSubnets;
use crate::resources::address_map::AddressMap;
use crate::resources::arm_resource::ArmResource;
use crate::resources::common::Common;
use crate::resources::datalake_acl::DatalakeAcl;
use crate::resources::project::Project;
use crate::resources::project_names::ProjectNames;
use crate::resources::subnet_allocation::SubnetAllocation;
use settings::ProviderConfig;

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
        AifactoryProvider {
            ctx: Arc::new(ProviderContext::default()),
        }
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
            attributes: settings::attributes(),
        }
    }

    /// Checks the configuration; a value of the wrong type is reported on its attribute.
    pub fn validate(&self, config: &Value) -> Diagnostics {
        match ProviderConfig::from_config(config) {
            Ok(config) => config.validate(),
            Err(d) => Diagnostics(vec![d]),
        }
    }

    /// Record the settings. Reads `ARM_*` variables for what the configuration leaves out;
    /// makes no network call.
    pub fn configure(&self, terraform_version: &str, config: &Value) -> Diagnostics {
        let config = match ProviderConfig::from_config(config) {
            Ok(config) => config,
            Err(d) => return Diagnostics(vec![d]),
        };
        let diags = config.validate();
        let settings = config
            .azure_settings()
            .with_terraform_version(terraform_version);
        tracing::debug!(terraform_version, "provider configured");
        // Configure runs once per provider process; a second call keeps the first settings.
        let _ = self.ctx.settings.set(settings);
        if let Some(on) = config.purge_soft_delete_on_destroy() {
            self.ctx.set_purge_soft_delete_on_destroy(on);
        }
        if let Some(on) = config.recover_soft_deleted() {
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
            Arc::new(Common::new(self.ctx.clone())),
        ]
    }

    pub fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        vec![
            Arc::new(ProjectNames::new(self.ctx.clone())),
            Arc::new(AddressMap::new(self.ctx.clone())),
        ]
    }

    pub fn functions(&self) -> Vec<Arc<dyn Function>> {
        vec![Arc::new(AllocateSubnets)]
    }
}
