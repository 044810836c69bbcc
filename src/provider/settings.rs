//! The provider's settings, in one place: the schema of every provider attribute (the
//! Azure connection settings and the provider's own switches) and their decoding.
//!
//! The Azure settings are read by `aifactory_azure::Settings` through [`ConfigSource`],
//! attribute first and `ARM_*` variable second, as azurerm does; the provider's own
//! switches are read here. Must not: contact Azure, or know the plugin protocol.

use aifactory_azure::{ConfigSource, Settings};

use crate::framework::{AttrPath, Attribute, Diagnostics, Type, Value};

/// Azure clouds the provider knows by name (`environment`, `ARM_ENVIRONMENT`).
pub const ENVIRONMENTS: [&str; 3] = ["public", "usgovernment", "china"];

/// Every provider attribute: the Azure settings, then the provider's own switches.
pub fn attributes() -> Vec<Attribute> {
    let mut attrs = azure_attributes();
    attrs.extend(provider_attributes());
    attrs
}

fn provider_attributes() -> Vec<Attribute> {
    vec![
        Attribute::optional(
            "purge_soft_delete_on_destroy",
            Type::Bool,
            "Purge Key Vaults and AI Services accounts that `aifactory_project` deletes, so their names are free \
             at once (Azure otherwise keeps them soft-deleted for the retention period: 7 days outside prod, 90 \
             in prod). Purging is irreversible, and impossible for a vault with purge protection (prod). Default \
             false: a re-created project recovers its soft-deleted vault and account instead.",
        ),
        Attribute::optional(
            "recover_soft_deleted",
            Type::Bool,
            "When `aifactory_project` creates a Key Vault or AI Services account whose name is soft-deleted (a destroyed project re-created within the retention period), recover it, with its secrets, keys and deployments, and then apply the configuration. Default true. With false, apply fails and says how to purge or recover the vault or account yourself.",
        ),
    ]
}

/// The Azure settings' attributes (read by `aifactory_azure::Settings` through
/// [`ProviderConfig`]). Secrets are marked sensitive. All optional.
fn azure_attributes() -> Vec<Attribute> {
    let s = |name: &str, desc: &str| Attribute::optional(name, Type::String, desc);
    let b = |name: &str, desc: &str| Attribute::optional(name, Type::Bool, desc);
    let n = |name: &str, desc: &str| Attribute::optional(name, Type::Number, desc);
    vec![
        s("subscription_id", "Azure subscription ID. Defaults to `ARM_SUBSCRIPTION_ID`."),
        s("tenant_id", "Microsoft Entra tenant ID. Defaults to `ARM_TENANT_ID`."),
        s("client_id", "Client (application) ID of the service principal, or of a user-assigned managed identity. Defaults to `ARM_CLIENT_ID`."),
        s("client_id_file_path", "File holding the client ID. Defaults to `ARM_CLIENT_ID_FILE_PATH`."),
        s("client_secret", "Client secret of the service principal. Defaults to `ARM_CLIENT_SECRET`.").sensitive(),
        s("client_secret_file_path", "File holding the client secret. Defaults to `ARM_CLIENT_SECRET_FILE_PATH`."),
        s("client_certificate", "Base64-encoded PKCS#12 certificate with its private key. Defaults to `ARM_CLIENT_CERTIFICATE`.").sensitive(),
        s("client_certificate_path", "Path of a PKCS#12 (.pfx) certificate with its private key. Defaults to `ARM_CLIENT_CERTIFICATE_PATH`."),
        s("client_certificate_password", "Password of the PKCS#12 certificate. Defaults to `ARM_CLIENT_CERTIFICATE_PASSWORD`.").sensitive(),
        b("use_oidc", "Authenticate with an OpenID Connect token (workload identity federation): a token given directly or in a file, or requested from GitHub Actions, Azure DevOps or HCP Terraform. Defaults to `ARM_USE_OIDC`, else false."),
        s("oidc_token", "An OIDC token to exchange. Defaults to `ARM_OIDC_TOKEN`.").sensitive(),
        s("oidc_token_file_path", "File holding an OIDC token. Defaults to `ARM_OIDC_TOKEN_FILE_PATH`."),
        s("oidc_request_url", "URL to request an OIDC token from (GitHub Actions). Defaults to `ARM_OIDC_REQUEST_URL`, then `ACTIONS_ID_TOKEN_REQUEST_URL`."),
        s("oidc_request_token", "Bearer token for `oidc_request_url`. Defaults to `ARM_OIDC_REQUEST_TOKEN`, then `ACTIONS_ID_TOKEN_REQUEST_TOKEN`.").sensitive(),
        s("ado_pipeline_service_connection_id", "Azure DevOps service connection ID for OIDC (uses `SYSTEM_ACCESSTOKEN` and `SYSTEM_OIDCREQUESTURI`). Defaults to `ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID`, then `ARM_OIDC_AZURE_SERVICE_CONNECTION_ID`."),
        b("use_msi", "Authenticate with a managed identity. Defaults to `ARM_USE_MSI`, else false."),
        s("msi_endpoint", "Custom managed identity endpoint (IMDS protocol). Defaults to `ARM_MSI_ENDPOINT`; App Service's `IDENTITY_ENDPOINT` is used when set."),
        b("use_cli", "Authenticate with the Azure CLI's login (`az`). Defaults to `ARM_USE_CLI`, else true."),
        s("environment", "Azure cloud: `public` (default), `usgovernment` or `china`. Defaults to `ARM_ENVIRONMENT`."),
        s("resource_manager_endpoint", "Azure Resource Manager endpoint (https), for sovereign clouds and Azure Stack. Defaults to `ARM_RESOURCE_MANAGER_ENDPOINT`, else the environment's."),
        s("resource_manager_audience", "Audience of Resource Manager tokens. Defaults to `ARM_RESOURCE_MANAGER_AUDIENCE`, else the environment's."),
        s("authority_host", "Microsoft Entra authority host (https). Defaults to `ARM_ACTIVE_DIRECTORY_AUTHORITY_HOST`, else the environment's."),
        s("storage_dfs_endpoint_template", "Data Lake (DFS) endpoint with an `{account}` placeholder, e.g. `https://{account}.dfs.core.windows.net`. Defaults to `ARM_STORAGE_DFS_ENDPOINT_TEMPLATE`, else the environment's."),
        s("ca_certificate_file", "PEM file of extra certificate authorities to trust for every Azure endpoint. Defaults to `ARM_CA_CERTIFICATE_FILE`."),
        b("client_side_throttling", "Pace requests with token buckets that mirror Azure Resource Manager's limits, so large applies slow down instead of being throttled. Default true."),
        n("arm_reads_burst", "Client-side read bucket size. Default 250."),
        n("arm_reads_per_second", "Client-side read refill rate. Default 25."),
        n("arm_writes_burst", "Client-side write bucket size. Default 200."),
        n("arm_writes_per_second", "Client-side write refill rate. Default 10."),
        n("arm_deletes_burst", "Client-side delete bucket size. Default 200."),
        n("arm_deletes_per_second", "Client-side delete refill rate. Default 10."),
        n("max_concurrency", "Azure requests in flight at once, at most. Default 16."),
        n("max_retry_attempts", "Attempts per request when Azure answers 429, 5xx or a transient conflict. Default 12."),
        n("lro_poll_interval_seconds", "Poll interval of long-running operations when Azure suggests none. Default 10."),
    ]
}

/// The provider configuration, decoded once.
pub struct ProviderConfig<'a>(&'a Value);

impl<'a> ProviderConfig<'a> {
    pub fn new(config: &'a Value) -> Self {
        ProviderConfig(config)
    }

    /// The Azure settings: this configuration over the process's `ARM_*` variables.
    pub fn azure_settings(&self) -> Settings {
        Settings::from_env_and(self)
    }

    /// `purge_soft_delete_on_destroy`, when set.
    pub fn purge_soft_delete_on_destroy(&self) -> Option<bool> {
        self.boolean("purge_soft_delete_on_destroy")
    }

    /// `recover_soft_deleted`, when set.
    pub fn recover_soft_deleted(&self) -> Option<bool> {
        self.boolean("recover_soft_deleted")
    }

    /// Checks that need no network and no environment.
    pub fn validate(&self) -> Diagnostics {
        let config = self.0;
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
}

impl ConfigSource for ProviderConfig<'_> {
    fn string(&self, attr: &str) -> Option<String> {
        self.0.get(attr).as_str().map(str::to_string)
    }
    fn boolean(&self, attr: &str) -> Option<bool> {
        self.0.get(attr).as_bool()
    }
    fn number(&self, attr: &str) -> Option<f64> {
        self.0.get(attr).as_f64()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_lists_secrets_as_sensitive() {
        let attrs = attributes();
        let get = |n: &str| attrs.iter().find(|a| a.name == n);
        for secret in [
            "client_secret",
            "client_certificate",
            "client_certificate_password",
            "oidc_token",
            "oidc_request_token",
        ] {
            assert!(
                get(secret).map(|a| a.sensitive).unwrap_or(false),
                "{secret}"
            );
        }
        assert!(!get("client_id").map(|a| a.sensitive).unwrap_or(true));
        let mut names: Vec<&str> = attrs.iter().map(|a| a.name.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), attrs.len(), "no duplicate attribute");
    }
}
