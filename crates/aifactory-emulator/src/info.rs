//! The endpoints a client needs (`EmulatorInfo`): base URL, CA file, Entra authority and
//! token URL, ARM endpoint and audiences, DFS and Blob templates, managed-identity
//! endpoints, admin URL, tenants and subscriptions; also the `ARM_*` environment for a
//! provider.
//!
//! Owns the info document; must not change state. Served by `GET /_emulator/info`, returned by
//! `RunningEmulator::info`, written by the binary's `--info-out`.

use crate::shared::Shared;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

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
    /// Blob endpoint per storage account: `{base_url}/blob/{account}` with a literal
    /// `{account}` (containers only).
    #[serde(default)]
    pub blob_endpoint_template: String,
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
    /// The info document of a running emulator.
    pub(crate) fn of(shared: &Shared) -> EmulatorInfo {
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
            blob_endpoint_template: format!("{base}/blob/{{account}}"),
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
