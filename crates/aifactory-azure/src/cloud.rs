//! Azure clouds: endpoints, authority hosts, token audiences and DFS hosts.
//!
//! `public`, `usgovernment` and `china` are known by name (`environment`,
//! `ARM_ENVIRONMENT`); every endpoint can be overridden for sovereign clouds, Azure Stack
//! and the loopback emulator. Every endpoint must be `https://`: a plain-http endpoint is
//! refused with a [`AzureError::Config`] naming the setting.

use url::Url;

use super::error::AzureError;

/// Placeholder of the storage account name in [`Cloud::dfs_template`].
pub const ACCOUNT_PLACEHOLDER: &str = "{account}";

/// The audience of Azure Storage tokens (the same in every cloud).
pub const STORAGE_AUDIENCE: &str = "https://storage.azure.com";

/// One cloud's endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cloud {
    /// `public`, `usgovernment`, `china`, or the configured name for a custom cloud.
    pub name: String,
    /// ARM, e.g. `https://management.azure.com/`.
    pub resource_manager: Url,
    /// Entra ID, e.g. `https://login.microsoftonline.com/`.
    pub authority_host: Url,
    /// Audience of ARM tokens, e.g. `https://management.azure.com/`.
    pub resource_manager_audience: String,
    /// Audience of storage tokens.
    pub storage_audience: String,
    /// DFS endpoint with `{account}`, e.g. `https://{account}.dfs.core.windows.net`.
    pub dfs_template: String,
}

/// Explicit endpoint overrides (each `None` keeps the named cloud's value).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CloudOverrides {
    pub resource_manager_endpoint: Option<String>,
    pub authority_host: Option<String>,
    pub resource_manager_audience: Option<String>,
    pub storage_audience: Option<String>,
    pub storage_dfs_endpoint_template: Option<String>,
}

/// The names `environment` accepts (azurerm's, plus the SDK spellings).
pub fn known_environment(name: &str) -> Option<&'static str> {
    match name.trim().to_ascii_lowercase().as_str() {
        "" | "public" | "azurepubliccloud" | "azurecloud" => Some("public"),
        "usgovernment" | "usgovernmentcloud" | "azureusgovernmentcloud" | "azureusgovernment" => {
            Some("usgovernment")
        }
        "china" | "azurechinacloud" | "chinacloud" => Some("china"),
        _ => None,
    }
}

/// Parse an endpoint setting: must be an absolute `https://` URL.
pub fn https_url(setting: &str, value: &str) -> Result<Url, AzureError> {
    let url = Url::parse(value.trim())
        .map_err(|e| AzureError::config(setting, format!("{value:?} is not a valid URL ({e})")))?;
    if url.scheme() != "https" {
        return Err(AzureError::config(
            setting,
            format!(
                "{value:?} does not use https; every Azure endpoint must be https:// \
                 (add the endpoint's CA with `ca_certificate_file` for private endpoints)"
            ),
        ));
    }
    if url.host_str().is_none() {
        return Err(AzureError::config(
            setting,
            format!("{value:?} has no host"),
        ));
    }
    Ok(url)
}

impl Cloud {
    /// A cloud by name (see [`known_environment`]).
    pub fn named(name: &str) -> Result<Cloud, AzureError> {
        let Some(canonical) = known_environment(name) else {
            return Err(AzureError::config(
                "environment",
                format!("unknown Azure environment {name:?}; use public, usgovernment or china"),
            ));
        };
        Ok(match canonical {
            "usgovernment" => Cloud {
                name: canonical.into(),
                resource_manager: https_url(
                    "environment",
                    "https://management.usgovcloudapi.net/",
                )?,
                authority_host: https_url("environment", "https://login.microsoftonline.us/")?,
                resource_manager_audience: "https://management.usgovcloudapi.net/".into(),
                storage_audience: STORAGE_AUDIENCE.into(),
                dfs_template: "https://{account}.dfs.core.usgovcloudapi.net".into(),
            },
            "china" => Cloud {
                name: canonical.into(),
                resource_manager: https_url("environment", "https://management.chinacloudapi.cn/")?,
                authority_host: https_url("environment", "https://login.chinacloudapi.cn/")?,
                resource_manager_audience: "https://management.chinacloudapi.cn/".into(),
                storage_audience: STORAGE_AUDIENCE.into(),
                dfs_template: "https://{account}.dfs.core.chinacloudapi.cn".into(),
            },
            _ => Cloud {
                name: "public".into(),
                resource_manager: https_url("environment", "https://management.azure.com/")?,
                authority_host: https_url("environment", "https://login.microsoftonline.com/")?,
                resource_manager_audience: "https://management.azure.com/".into(),
                storage_audience: STORAGE_AUDIENCE.into(),
                dfs_template: "https://{account}.dfs.core.windows.net".into(),
            },
        })
    }

    /// A named cloud with overrides applied and checked.
    pub fn resolve(name: &str, o: &CloudOverrides) -> Result<Cloud, AzureError> {
        let mut c = Cloud::named(name)?;
        if let Some(v) = &o.resource_manager_endpoint {
            c.resource_manager = https_url("resource_manager_endpoint", v)?;
        }
        if let Some(v) = &o.authority_host {
            c.authority_host = https_url("authority_host", v)?;
        }
        if let Some(v) = &o.resource_manager_audience {
            c.resource_manager_audience = v.trim().to_string();
        }
        if let Some(v) = &o.storage_audience {
            c.storage_audience = v.trim().to_string();
        }
        if let Some(v) = &o.storage_dfs_endpoint_template {
            let v = v.trim();
            if !v.contains(ACCOUNT_PLACEHOLDER) {
                return Err(AzureError::config(
                    "storage_dfs_endpoint_template",
                    format!("{v:?} must contain {ACCOUNT_PLACEHOLDER}"),
                ));
            }
            c.dfs_template = v.to_string();
        }
        // The template must give an https URL for a sample account.
        https_url(
            "storage_dfs_endpoint_template",
            &c.dfs_template.replace(ACCOUNT_PLACEHOLDER, "account"),
        )?;
        Ok(c)
    }

    /// Scope for ARM tokens, e.g. `https://management.azure.com/.default`.
    pub fn arm_scope(&self) -> String {
        scope_for(&self.resource_manager_audience)
    }

    /// Scope for storage tokens: `https://storage.azure.com/.default`.
    pub fn storage_scope(&self) -> String {
        scope_for(&self.storage_audience)
    }

    /// The DFS endpoint of a storage account.
    pub fn dfs_endpoint(&self, account: &str) -> Result<Url, AzureError> {
        if account.is_empty()
            || !account
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        {
            return Err(AzureError::config(
                "storage account",
                format!("{account:?} is not a storage account name (3-24 lower-case letters and digits)"),
            ));
        }
        https_url(
            "storage_dfs_endpoint_template",
            &self.dfs_template.replace(ACCOUNT_PLACEHOLDER, account),
        )
    }
}

/// `{audience}/.default` without doubling the slash.
pub fn scope_for(audience: &str) -> String {
    format!("{}/.default", audience.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_clouds() {
        let p = Cloud::named("public").expect("public");
        assert_eq!(p.resource_manager.as_str(), "https://management.azure.com/");
        assert_eq!(p.arm_scope(), "https://management.azure.com/.default");
        assert_eq!(p.storage_scope(), "https://storage.azure.com/.default");
        let g = Cloud::named("usgovernment").expect("gov");
        assert_eq!(
            g.authority_host.as_str(),
            "https://login.microsoftonline.us/"
        );
        assert_eq!(
            g.dfs_endpoint("acct").expect("dfs").as_str(),
            "https://acct.dfs.core.usgovcloudapi.net/"
        );
        let c = Cloud::named("AzureChinaCloud").expect("china");
        assert_eq!(c.name, "china");
        assert_eq!(
            c.arm_scope(),
            "https://management.chinacloudapi.cn/.default"
        );
        assert!(Cloud::named("german").is_err());
    }

    #[test]
    fn overrides_apply_and_http_is_refused() {
        let o = CloudOverrides {
            resource_manager_endpoint: Some("https://127.0.0.1:8443/".into()),
            authority_host: Some("https://127.0.0.1:8443/login/".into()),
            storage_dfs_endpoint_template: Some("https://127.0.0.1:8443/dfs/{account}".into()),
            ..Default::default()
        };
        let c = Cloud::resolve("public", &o).expect("resolve");
        assert_eq!(c.resource_manager.as_str(), "https://127.0.0.1:8443/");
        assert_eq!(
            c.dfs_endpoint("acct").expect("dfs").as_str(),
            "https://127.0.0.1:8443/dfs/acct"
        );
        let bad = CloudOverrides {
            resource_manager_endpoint: Some("http://127.0.0.1:8080".into()),
            ..Default::default()
        };
        let err = Cloud::resolve("public", &bad).expect_err("http refused");
        assert!(
            matches!(&err, AzureError::Config { setting, .. } if setting == "resource_manager_endpoint")
        );
        assert!(err.detail().contains("https"));
        let bad = CloudOverrides {
            storage_dfs_endpoint_template: Some("http://{account}.dfs.local".into()),
            ..Default::default()
        };
        assert!(Cloud::resolve("public", &bad).is_err());
        let bad = CloudOverrides {
            storage_dfs_endpoint_template: Some("https://dfs.local".into()),
            ..Default::default()
        };
        assert!(Cloud::resolve("public", &bad).is_err());
    }

    #[test]
    fn account_names_are_checked() {
        let p = Cloud::named("public").expect("public");
        assert!(p.dfs_endpoint("Bad_Name").is_err());
        assert!(p.dfs_endpoint("").is_err());
    }
}
