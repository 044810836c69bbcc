//! Azure settings: provider configuration attributes over `ARM_*` environment variables.
//!
//! [`Settings::from_env_and`] reads the process environment once; tests use
//! [`Settings::from_vars_and`] with an explicit map, so they never touch the process
//! environment. [`settings_schema_attributes`] lists the attributes (names, types,
//! descriptions, sensitivity) for the provider schema.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use super::cloud::{Cloud, CloudOverrides};
use super::error::AzureError;
use super::retry::RetryPolicy;
use super::throttle::{BucketConfig, ThrottleSettings};

/// Environment variables as a map (a snapshot of the process environment, or a test's).
pub type EnvVars = BTreeMap<String, String>;

/// A secret string: never printed by `Debug` or `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Sensitive(String);

impl Sensitive {
    pub fn new(s: impl Into<String>) -> Self {
        Sensitive(s.into())
    }
    /// The secret itself; only for the request that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Sensitive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sensitive(REDACTED)")
    }
}

impl fmt::Display for Sensitive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("REDACTED")
    }
}

/// Everything the Azure client layer needs to know. Built once at configure time; no
/// network call.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// For the User-Agent.
    pub terraform_version: String,

    pub subscription_id: Option<String>,
    pub tenant_id: Option<String>,
    pub client_id: Option<String>,
    pub client_id_file_path: Option<PathBuf>,
    pub client_secret: Option<Sensitive>,
    pub client_secret_file_path: Option<PathBuf>,
    /// Base64 PKCS#12.
    pub client_certificate: Option<Sensitive>,
    pub client_certificate_path: Option<PathBuf>,
    pub client_certificate_password: Option<Sensitive>,

    pub use_oidc: bool,
    pub oidc_token: Option<Sensitive>,
    pub oidc_token_file_path: Option<PathBuf>,
    /// GitHub-style request URL (`ARM_OIDC_REQUEST_URL`, else `ACTIONS_ID_TOKEN_REQUEST_URL`).
    pub oidc_request_url: Option<String>,
    /// Bearer for the request URL (`ARM_OIDC_REQUEST_TOKEN`, else `ACTIONS_ID_TOKEN_REQUEST_TOKEN`).
    pub oidc_request_token: Option<Sensitive>,
    pub ado_pipeline_service_connection_id: Option<String>,
    /// Azure DevOps: `SYSTEM_OIDCREQUESTURI` (else the OIDC request URL).
    pub ado_oidc_request_uri: Option<String>,
    /// Azure DevOps: `SYSTEM_ACCESSTOKEN` (else the OIDC request token).
    pub ado_system_access_token: Option<Sensitive>,
    /// HCP Terraform dynamic credentials: `TFC_WORKLOAD_IDENTITY_TOKEN`.
    pub tfc_workload_identity_token: Option<Sensitive>,

    pub use_msi: bool,
    /// A custom IMDS-protocol endpoint (`ARM_MSI_ENDPOINT`).
    pub msi_endpoint: Option<String>,
    /// App Service / Functions (`IDENTITY_ENDPOINT`, `IDENTITY_HEADER`).
    pub identity_endpoint: Option<String>,
    pub identity_header: Option<Sensitive>,

    pub use_cli: bool,
    /// The `PATH` the Azure CLI is looked up on (the process's, unless a test sets it).
    pub cli_path: Option<String>,

    /// `public`, `usgovernment`, `china`.
    pub environment: String,
    pub endpoints: CloudOverrides,
    /// Extra PEM trust roots for every HTTPS connection.
    pub ca_certificate_file: Option<PathBuf>,

    pub throttle: ThrottleSettings,
    /// Requests in flight at once, at most.
    pub max_concurrency: usize,
    pub retry: RetryPolicy,
    /// LRO poll interval when the service gives no `Retry-After`.
    pub lro_poll_interval: Duration,
    /// Timeout of one HTTP request.
    pub request_timeout: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            terraform_version: String::new(),
            subscription_id: None,
            tenant_id: None,
            client_id: None,
            client_id_file_path: None,
            client_secret: None,
            client_secret_file_path: None,
            client_certificate: None,
            client_certificate_path: None,
            client_certificate_password: None,
            use_oidc: false,
            oidc_token: None,
            oidc_token_file_path: None,
            oidc_request_url: None,
            oidc_request_token: None,
            ado_pipeline_service_connection_id: None,
            ado_oidc_request_uri: None,
            ado_system_access_token: None,
            tfc_workload_identity_token: None,
            use_msi: false,
            msi_endpoint: None,
            identity_endpoint: None,
            identity_header: None,
            use_cli: true,
            cli_path: None,
            environment: "public".into(),
            endpoints: CloudOverrides::default(),
            ca_certificate_file: None,
            throttle: ThrottleSettings::default(),
            max_concurrency: 16,
            retry: RetryPolicy::default(),
            lro_poll_interval: Duration::from_secs(10),
            request_timeout: Duration::from_secs(120),
        }
    }
}

/// A provider configuration as the Azure settings read it: each attribute's value by its
/// name, `None` when unset. The provider implements this over its decoded configuration
/// (and declares the attributes in its schema); this crate knows no Terraform values.
pub trait ConfigSource {
    /// A string attribute.
    fn string(&self, attr: &str) -> Option<String>;
    /// A bool attribute.
    fn boolean(&self, attr: &str) -> Option<bool>;
    /// A number attribute.
    fn number(&self, attr: &str) -> Option<f64>;
}

/// No provider configuration: settings from the environment alone.
pub struct NoConfig;

impl ConfigSource for NoConfig {
    fn string(&self, _: &str) -> Option<String> {
        None
    }
    fn boolean(&self, _: &str) -> Option<bool> {
        None
    }
    fn number(&self, _: &str) -> Option<f64> {
        None
    }
}

struct Src<'a> {
    vars: &'a EnvVars,
    config: &'a dyn ConfigSource,
}

impl Src<'_> {
    fn attr_str(&self, attr: &str) -> Option<String> {
        self.config
            .string(attr)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    }
    fn env(&self, names: &[&str]) -> Option<String> {
        names.iter().find_map(|n| {
            self.vars
                .get(*n)
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        })
    }
    fn s(&self, attr: &str, envs: &[&str]) -> Option<String> {
        self.attr_str(attr).or_else(|| self.env(envs))
    }
    fn secret(&self, attr: &str, envs: &[&str]) -> Option<Sensitive> {
        self.s(attr, envs).map(Sensitive)
    }
    fn path(&self, attr: &str, envs: &[&str]) -> Option<PathBuf> {
        self.s(attr, envs).map(PathBuf::from)
    }
    fn b(&self, attr: &str, envs: &[&str], default: bool) -> bool {
        if let Some(b) = self.config.boolean(attr) {
            return b;
        }
        match self.env(envs).map(|v| v.to_ascii_lowercase()) {
            Some(v) if v == "true" || v == "1" || v == "yes" => true,
            Some(v) if v == "false" || v == "0" || v == "no" => false,
            _ => default,
        }
    }
    fn n(&self, attr: &str) -> Option<f64> {
        self.config
            .number(attr)
            .filter(|n| n.is_finite() && *n >= 0.0)
    }
}

impl Settings {
    /// Settings from the provider configuration, falling back to the process environment.
    pub fn from_env_and(config: &dyn ConfigSource) -> Settings {
        let vars: EnvVars = std::env::vars().collect();
        Self::from_vars_and(&vars, config)
    }

    /// Settings from the provider configuration, falling back to `vars`.
    pub fn from_vars_and(vars: &EnvVars, config: &dyn ConfigSource) -> Settings {
        let s = Src { vars, config };
        let d = Settings::default();
        let oidc_request_url = s.s(
            "oidc_request_url",
            &["ARM_OIDC_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_URL"],
        );
        let oidc_request_token = s.secret(
            "oidc_request_token",
            &["ARM_OIDC_REQUEST_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_TOKEN"],
        );
        let bucket = |prefix: &str, def: BucketConfig| BucketConfig {
            burst: s.n(&format!("arm_{prefix}_burst")).unwrap_or(def.burst),
            per_second: s
                .n(&format!("arm_{prefix}_per_second"))
                .unwrap_or(def.per_second),
        };
        let mut retry = d.retry.clone();
        if let Some(n) = s.n("max_retry_attempts") {
            retry.max_attempts = (n as u32).max(1);
        }
        Settings {
            terraform_version: String::new(),
            subscription_id: s.s("subscription_id", &["ARM_SUBSCRIPTION_ID"]),
            tenant_id: s.s("tenant_id", &["ARM_TENANT_ID"]),
            client_id: s.s("client_id", &["ARM_CLIENT_ID"]),
            client_id_file_path: s.path("client_id_file_path", &["ARM_CLIENT_ID_FILE_PATH"]),
            client_secret: s.secret("client_secret", &["ARM_CLIENT_SECRET"]),
            client_secret_file_path: s
                .path("client_secret_file_path", &["ARM_CLIENT_SECRET_FILE_PATH"]),
            client_certificate: s.secret("client_certificate", &["ARM_CLIENT_CERTIFICATE"]),
            client_certificate_path: s
                .path("client_certificate_path", &["ARM_CLIENT_CERTIFICATE_PATH"]),
            client_certificate_password: s.secret(
                "client_certificate_password",
                &["ARM_CLIENT_CERTIFICATE_PASSWORD"],
            ),
            use_oidc: s.b("use_oidc", &["ARM_USE_OIDC"], false),
            oidc_token: s.secret("oidc_token", &["ARM_OIDC_TOKEN"]),
            oidc_token_file_path: s.path("oidc_token_file_path", &["ARM_OIDC_TOKEN_FILE_PATH"]),
            ado_pipeline_service_connection_id: s.s(
                "ado_pipeline_service_connection_id",
                &[
                    "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID",
                    "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID",
                ],
            ),
            ado_oidc_request_uri: s
                .env(&["SYSTEM_OIDCREQUESTURI"])
                .or_else(|| oidc_request_url.clone()),
            ado_system_access_token: s
                .env(&["SYSTEM_ACCESSTOKEN"])
                .map(Sensitive)
                .or_else(|| oidc_request_token.clone()),
            oidc_request_url,
            oidc_request_token,
            tfc_workload_identity_token: s.env(&["TFC_WORKLOAD_IDENTITY_TOKEN"]).map(Sensitive),
            use_msi: s.b("use_msi", &["ARM_USE_MSI"], false),
            msi_endpoint: s.s("msi_endpoint", &["ARM_MSI_ENDPOINT"]),
            identity_endpoint: s.env(&["IDENTITY_ENDPOINT"]),
            identity_header: s.env(&["IDENTITY_HEADER"]).map(Sensitive),
            use_cli: s.b("use_cli", &["ARM_USE_CLI"], true),
            cli_path: s.env(&["PATH"]),
            environment: s
                .s("environment", &["ARM_ENVIRONMENT"])
                .unwrap_or_else(|| "public".into()),
            endpoints: CloudOverrides {
                resource_manager_endpoint: s.s(
                    "resource_manager_endpoint",
                    &["ARM_RESOURCE_MANAGER_ENDPOINT"],
                ),
                authority_host: s.s(
                    "authority_host",
                    &["ARM_ACTIVE_DIRECTORY_AUTHORITY_HOST", "ARM_AUTHORITY_HOST"],
                ),
                resource_manager_audience: s.s(
                    "resource_manager_audience",
                    &["ARM_RESOURCE_MANAGER_AUDIENCE"],
                ),
                storage_audience: None,
                storage_dfs_endpoint_template: s.s(
                    "storage_dfs_endpoint_template",
                    &["ARM_STORAGE_DFS_ENDPOINT_TEMPLATE"],
                ),
            },
            ca_certificate_file: s.path("ca_certificate_file", &["ARM_CA_CERTIFICATE_FILE"]),
            throttle: ThrottleSettings {
                enabled: s.b("client_side_throttling", &[], true),
                reads: bucket("reads", d.throttle.reads),
                writes: bucket("writes", d.throttle.writes),
                deletes: bucket("deletes", d.throttle.deletes),
            },
            max_concurrency: s
                .n("max_concurrency")
                .map(|n| (n as usize).max(1))
                .unwrap_or(d.max_concurrency),
            retry,
            lro_poll_interval: s
                .n("lro_poll_interval_seconds")
                .map(Duration::from_secs_f64)
                .unwrap_or(d.lro_poll_interval),
            request_timeout: d.request_timeout,
        }
    }

    /// With the Terraform version (for the User-Agent).
    pub fn with_terraform_version(mut self, v: impl Into<String>) -> Self {
        self.terraform_version = v.into();
        self
    }

    /// The cloud with overrides applied; fails on plain-http or malformed endpoints.
    pub fn cloud(&self) -> Result<Cloud, AzureError> {
        Cloud::resolve(&self.environment, &self.endpoints)
    }

    /// Checks that need no network: endpoints (https), the environment name, the CA file.
    pub fn validate(&self) -> Result<(), AzureError> {
        self.cloud()?;
        if let Some(p) = &self.ca_certificate_file {
            crate::ca::read_ca_file(p)?;
        }
        for (setting, url) in [
            ("oidc_request_url", self.oidc_request_url.as_deref()),
            (
                "SYSTEM_OIDCREQUESTURI",
                self.ado_oidc_request_uri.as_deref(),
            ),
        ] {
            if let (Some(u), true) = (url, self.use_oidc) {
                super::cloud::https_url(setting, u)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A configuration as JSON, for tests.
    struct Cfg(serde_json::Value);

    impl ConfigSource for Cfg {
        fn string(&self, attr: &str) -> Option<String> {
            self.0.get(attr)?.as_str().map(str::to_string)
        }
        fn boolean(&self, attr: &str) -> Option<bool> {
            self.0.get(attr)?.as_bool()
        }
        fn number(&self, attr: &str) -> Option<f64> {
            self.0.get(attr)?.as_f64()
        }
    }

    fn vars(pairs: &[(&str, &str)]) -> EnvVars {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn config_overrides_env_and_env_fills_gaps() {
        let v = vars(&[
            ("ARM_SUBSCRIPTION_ID", "sub-env"),
            ("ARM_TENANT_ID", "tenant-env"),
            ("ARM_CLIENT_SECRET", "secret-env"),
            ("ARM_USE_OIDC", "true"),
            ("ACTIONS_ID_TOKEN_REQUEST_URL", "https://gh/token?x=1"),
            ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "gh-bearer"),
            ("ARM_USE_CLI", "false"),
        ]);
        let config = Cfg(serde_json::json!({
            "subscription_id": "sub-config",
            "max_concurrency": 4.0,
            "arm_reads_per_second": 50.0,
        }));
        let s = Settings::from_vars_and(&v, &config);
        assert_eq!(s.subscription_id.as_deref(), Some("sub-config"));
        assert_eq!(s.tenant_id.as_deref(), Some("tenant-env"));
        assert_eq!(
            s.client_secret.as_ref().map(Sensitive::expose),
            Some("secret-env")
        );
        assert!(s.use_oidc);
        assert!(!s.use_cli);
        assert_eq!(s.oidc_request_url.as_deref(), Some("https://gh/token?x=1"));
        assert_eq!(s.max_concurrency, 4);
        assert_eq!(s.throttle.reads.per_second, 50.0);
        assert_eq!(s.throttle.reads.burst, 250.0);
        assert_eq!(s.environment, "public");
    }

    #[test]
    fn debug_never_shows_secrets() {
        let v = vars(&[
            ("ARM_CLIENT_SECRET", "hunter2"),
            ("IDENTITY_HEADER", "hdr-secret"),
        ]);
        let s = Settings::from_vars_and(&v, &NoConfig);
        let dbg = format!("{s:?}");
        assert!(!dbg.contains("hunter2"));
        assert!(!dbg.contains("hdr-secret"));
    }

    #[test]
    fn validate_refuses_http_endpoints() {
        let config = Cfg(serde_json::json!({"resource_manager_endpoint": "http://127.0.0.1:1234"}));
        let s = Settings::from_vars_and(&EnvVars::new(), &config);
        assert!(matches!(s.validate(), Err(AzureError::Config { .. })));
    }
}
