//! The provider's settings, in one place: the schema of every provider attribute (the
//! Azure connection settings and the provider's own switches) and their decoding.
//!
//! [`ProviderConfig`] is the typed model of the configuration, decoded once in validate
//! and configure. The Azure settings are read from it by `aifactory_azure::Settings`
//! through [`ConfigSource`], attribute first and `ARM_*` variable second, as azurerm
//! does; the provider's own switches are its fields. Must not: contact Azure, or know
//! the plugin protocol.

use aifactory_azure::{ConfigSource, Settings};

use crate::framework::{AttrPath, Attribute, Diagnostic, Diagnostics, FromValue, Tf, Type, Value};

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
/// [`ProviderConfig`]'s [`ConfigSource`]). Secrets are marked sensitive. All optional.
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
        s("client_certificate", "Base64-encoded client certificate with its private key: PKCS#12, or PEM (the certificate and a PKCS#8 or PKCS#1 key, possibly encrypted PKCS#8). Defaults to `ARM_CLIENT_CERTIFICATE`.").sensitive(),
        s("client_certificate_path", "Path of the client certificate with its private key: a PKCS#12 file (.pfx/.p12) or a PEM file (certificate and key). Defaults to `ARM_CLIENT_CERTIFICATE_PATH`."),
        s("client_certificate_password", "Password of the PKCS#12 file or of an encrypted PEM key. Defaults to `ARM_CLIENT_CERTIFICATE_PASSWORD`.").sensitive(),
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

crate::model! {
    /// The provider configuration, decoded once: every provider attribute (the Azure
    /// settings, then the provider's own switches). Unknown values (a provider configured
    /// from values known only after apply) count as unset, as `ARM_*` variables then apply.
    pub struct ProviderConfig {
        pub subscription_id: Tf<String>,
        pub tenant_id: Tf<String>,
        pub client_id: Tf<String>,
        pub client_id_file_path: Tf<String>,
        pub client_secret: Tf<String>,
        pub client_secret_file_path: Tf<String>,
        pub client_certificate: Tf<String>,
        pub client_certificate_path: Tf<String>,
        pub client_certificate_password: Tf<String>,
        pub use_oidc: Tf<bool>,
        pub oidc_token: Tf<String>,
        pub oidc_token_file_path: Tf<String>,
        pub oidc_request_url: Tf<String>,
        pub oidc_request_token: Tf<String>,
        pub ado_pipeline_service_connection_id: Tf<String>,
        pub use_msi: Tf<bool>,
        pub msi_endpoint: Tf<String>,
        pub use_cli: Tf<bool>,
        pub environment: Tf<String>,
        pub resource_manager_endpoint: Tf<String>,
        pub resource_manager_audience: Tf<String>,
        pub authority_host: Tf<String>,
        pub storage_dfs_endpoint_template: Tf<String>,
        pub ca_certificate_file: Tf<String>,
        pub client_side_throttling: Tf<bool>,
        pub arm_reads_burst: Tf<f64>,
        pub arm_reads_per_second: Tf<f64>,
        pub arm_writes_burst: Tf<f64>,
        pub arm_writes_per_second: Tf<f64>,
        pub arm_deletes_burst: Tf<f64>,
        pub arm_deletes_per_second: Tf<f64>,
        pub max_concurrency: Tf<f64>,
        pub max_retry_attempts: Tf<f64>,
        pub lro_poll_interval_seconds: Tf<f64>,
        pub purge_soft_delete_on_destroy: Tf<bool>,
        pub recover_soft_deleted: Tf<bool>,
    }
}

impl ProviderConfig {
    /// The configuration decoded (a null configuration sets nothing), or why not, as a
    /// diagnostic on the attribute.
    pub fn from_config(config: &Value) -> Result<Self, Diagnostic> {
        Option::<ProviderConfig>::decode(config)
            .map(Option::unwrap_or_default)
            .map_err(|e| e.to_diagnostic())
    }

    /// The Azure settings: this configuration over the process's `ARM_*` variables.
    pub fn azure_settings(&self) -> Settings {
        Settings::from_env_and(self)
    }

    /// `purge_soft_delete_on_destroy`, when set.
    pub fn purge_soft_delete_on_destroy(&self) -> Option<bool> {
        self.purge_soft_delete_on_destroy.known().copied()
    }

    /// `recover_soft_deleted`, when set.
    pub fn recover_soft_deleted(&self) -> Option<bool> {
        self.recover_soft_deleted.known().copied()
    }

    /// Checks that need no network and no environment.
    pub fn validate(&self) -> Diagnostics {
        let mut diags = Diagnostics::new();
        if let Some(env) = self.environment.as_deref() {
            if !ENVIRONMENTS.contains(&env) {
                diags.error(
                    AttrPath::attr("environment"),
                    format!("Unknown Azure environment {env:?}"),
                    format!("Set `environment` to one of: {}.", ENVIRONMENTS.join(", ")),
                );
            }
        }
        for (attr, value) in [
            ("resource_manager_endpoint", &self.resource_manager_endpoint),
            ("authority_host", &self.authority_host),
        ] {
            if let Some(url) = value.as_deref() {
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

/// The Azure crate's contract: it asks for each setting by its attribute name (the
/// attributes of [`azure_attributes`]; the tests keep both lists equal).
impl ConfigSource for ProviderConfig {
    fn string(&self, attr: &str) -> Option<String> {
        let value = match attr {
            "subscription_id" => &self.subscription_id,
            "tenant_id" => &self.tenant_id,
            "client_id" => &self.client_id,
            "client_id_file_path" => &self.client_id_file_path,
            "client_secret" => &self.client_secret,
            "client_secret_file_path" => &self.client_secret_file_path,
            "client_certificate" => &self.client_certificate,
            "client_certificate_path" => &self.client_certificate_path,
            "client_certificate_password" => &self.client_certificate_password,
            "oidc_token" => &self.oidc_token,
            "oidc_token_file_path" => &self.oidc_token_file_path,
            "oidc_request_url" => &self.oidc_request_url,
            "oidc_request_token" => &self.oidc_request_token,
            "ado_pipeline_service_connection_id" => &self.ado_pipeline_service_connection_id,
            "msi_endpoint" => &self.msi_endpoint,
            "environment" => &self.environment,
            "resource_manager_endpoint" => &self.resource_manager_endpoint,
            "resource_manager_audience" => &self.resource_manager_audience,
            "authority_host" => &self.authority_host,
            "storage_dfs_endpoint_template" => &self.storage_dfs_endpoint_template,
            "ca_certificate_file" => &self.ca_certificate_file,
            _ => return None,
        };
        value.known().cloned()
    }

    fn boolean(&self, attr: &str) -> Option<bool> {
        let value = match attr {
            "use_oidc" => &self.use_oidc,
            "use_msi" => &self.use_msi,
            "use_cli" => &self.use_cli,
            "client_side_throttling" => &self.client_side_throttling,
            _ => return None,
        };
        value.known().copied()
    }

    fn number(&self, attr: &str) -> Option<f64> {
        let value = match attr {
            "arm_reads_burst" => &self.arm_reads_burst,
            "arm_reads_per_second" => &self.arm_reads_per_second,
            "arm_writes_burst" => &self.arm_writes_burst,
            "arm_writes_per_second" => &self.arm_writes_per_second,
            "arm_deletes_burst" => &self.arm_deletes_burst,
            "arm_deletes_per_second" => &self.arm_deletes_per_second,
            "max_concurrency" => &self.max_concurrency,
            "max_retry_attempts" => &self.max_retry_attempts,
            "lro_poll_interval_seconds" => &self.lro_poll_interval_seconds,
            _ => return None,
        };
        value.known().copied()
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

    use std::cell::RefCell;
    use std::collections::BTreeSet;

    use aifactory_azure::EnvVars;

    use crate::framework::schema::AttrType;
    use crate::framework::ToValue;

    /// A configuration source that records what the Azure settings ask for, and how.
    #[derive(Default)]
    struct Recording(RefCell<BTreeSet<(String, &'static str)>>);

    impl Recording {
        fn ask(&self, attr: &str, kind: &'static str) {
            self.0.borrow_mut().insert((attr.to_string(), kind));
        }
    }

    impl ConfigSource for Recording {
        fn string(&self, attr: &str) -> Option<String> {
            self.ask(attr, "string");
            None
        }
        fn boolean(&self, attr: &str) -> Option<bool> {
            self.ask(attr, "bool");
            None
        }
        fn number(&self, attr: &str) -> Option<f64> {
            self.ask(attr, "number");
            None
        }
    }

    /// The Azure attributes of the schema with the kind `ConfigSource` reads them as.
    fn declared_azure_attributes() -> BTreeSet<(String, &'static str)> {
        azure_attributes()
            .into_iter()
            .map(|a| {
                let kind = match a.ty {
                    AttrType::Plain(Type::String) => "string",
                    AttrType::Plain(Type::Bool) => "bool",
                    AttrType::Plain(Type::Number) => "number",
                    other => panic!("{}: no ConfigSource kind for {other:?}", a.name),
                };
                (a.name, kind)
            })
            .collect()
    }

    #[test]
    fn the_azure_settings_read_exactly_the_declared_attributes() {
        let asked = Recording::default();
        Settings::from_vars_and(&EnvVars::new(), &asked);
        let asked = asked.0.into_inner();
        let declared = declared_azure_attributes();
        let undeclared: Vec<_> = asked.difference(&declared).collect();
        assert!(
            undeclared.is_empty(),
            "the Azure settings read attributes the schema does not declare (or as another type): {undeclared:?}"
        );
        let unread: Vec<_> = declared.difference(&asked).collect();
        assert!(
            unread.is_empty(),
            "the schema declares Azure attributes the settings never read: {unread:?}"
        );
    }

    #[test]
    fn the_model_has_exactly_the_schema_attributes() {
        let mut declared: Vec<String> = attributes().into_iter().map(|a| a.name).collect();
        declared.sort();
        let model = ProviderConfig::default().to_value();
        let fields: Vec<String> = model
            .as_map()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        assert_eq!(fields, declared);
    }

    #[test]
    fn every_azure_attribute_set_in_the_configuration_reaches_the_settings() {
        for (name, kind) in declared_azure_attributes() {
            let value = match kind {
                "string" => Value::string("https://x"),
                "bool" => Value::Bool(true),
                _ => Value::Number(3.0),
            };
            let config = ProviderConfig::from_config(&Value::object([(name.as_str(), value)]))
                .unwrap_or_else(|d| panic!("{name}: {d:?}"));
            let answered = match kind {
                "string" => config.string(&name) == Some("https://x".into()),
                "bool" => config.boolean(&name) == Some(true),
                _ => config.number(&name) == Some(3.0),
            };
            assert!(
                answered,
                "{name} ({kind}) is not answered from the configuration"
            );
            let unset = ProviderConfig::default();
            assert!(
                unset.string(&name).is_none()
                    && unset.boolean(&name).is_none()
                    && unset.number(&name).is_none(),
                "{name}"
            );
        }
    }

    #[test]
    fn configuration_values_override_the_environment_and_unknown_ones_do_not() {
        let vars: EnvVars = [
            ("ARM_TENANT_ID".to_string(), "from-env".to_string()),
            ("ARM_USE_CLI".to_string(), "false".to_string()),
        ]
        .into_iter()
        .collect();
        let config = ProviderConfig::from_config(&Value::object([
            ("tenant_id", Value::string("from-config")),
            ("use_cli", Value::Unknown),
            ("max_concurrency", Value::Number(4.0)),
            ("purge_soft_delete_on_destroy", Value::Bool(true)),
            ("recover_soft_deleted", Value::Unknown),
        ]))
        .expect("decodes");
        let settings = Settings::from_vars_and(&vars, &config);
        assert_eq!(settings.tenant_id.as_deref(), Some("from-config"));
        assert!(
            !settings.use_cli,
            "unknown counts as unset: ARM_USE_CLI applies"
        );
        assert_eq!(settings.max_concurrency, 4);
        assert_eq!(config.purge_soft_delete_on_destroy(), Some(true));
        assert_eq!(config.recover_soft_deleted(), None);
    }

    #[test]
    fn a_null_configuration_sets_nothing() {
        assert_eq!(
            ProviderConfig::from_config(&Value::Null),
            Ok(ProviderConfig::default())
        );
    }

    #[test]
    fn decode_errors_and_checks_name_the_attribute() {
        let d = ProviderConfig::from_config(&Value::object([("use_msi", Value::string("yes"))]))
            .expect_err("a string is not a bool");
        assert_eq!(d.path, AttrPath::attr("use_msi"));
        assert!(d.detail.contains("a bool"), "{}", d.detail);

        let config = ProviderConfig::from_config(&Value::object([
            ("environment", Value::string("mars")),
            ("authority_host", Value::string("http://login")),
            (
                "resource_manager_endpoint",
                Value::string("https://management"),
            ),
        ]))
        .expect("decodes");
        let d = config.validate();
        let paths: Vec<&AttrPath> = d.iter().map(|x| &x.path).collect();
        assert_eq!(
            paths,
            vec![
                &AttrPath::attr("environment"),
                &AttrPath::attr("authority_host")
            ]
        );
    }
}
