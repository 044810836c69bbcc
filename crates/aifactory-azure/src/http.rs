//! The one HTTP client: rustls with the ring provider, system roots plus the extra CA
//! roots of `ca_certificate_file`, no redirects, HTTPS only. The same client is handed to
//! `azure_identity` as its transport, so tokens and ARM/DFS calls share trust settings.
//!
//! A second client, identical except that it may speak plain http, serves only the
//! managed identity endpoints on loopback or link-local addresses (App Service's
//! `IDENTITY_ENDPOINT` and IMDS are http by design and never leave the host).

use std::net::IpAddr;
use std::time::Duration;

use url::Url;

use super::config::Settings;
use super::error::AzureError;

/// Install rustls's ring provider as the process default (once; "already installed" is
/// fine). reqwest is built without a provider of its own so no aws-lc is compiled.
pub fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

pub use crate::ca::read_ca_file;

/// The clients of one Azure client.
#[derive(Debug, Clone)]
pub struct HttpClients {
    /// HTTPS only: ARM, Entra, DFS, OIDC request URLs.
    pub strict: reqwest::Client,
    /// May use http, for managed identity endpoints on loopback/link-local only.
    pub local: reqwest::Client,
}

fn builder(settings: &Settings, roots: &[reqwest::Certificate]) -> reqwest::ClientBuilder {
    let mut b = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(20))
        .timeout(settings.request_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .pool_idle_timeout(Duration::from_secs(60))
        .tls_backend_rustls();
    if !roots.is_empty() {
        b = b.tls_certs_merge(roots.iter().cloned());
    }
    b
}

/// Build both clients from the settings.
pub fn build_clients(settings: &Settings) -> Result<HttpClients, AzureError> {
    install_crypto_provider();
    let roots = match &settings.ca_certificate_file {
        Some(p) => read_ca_file(p)?,
        None => Vec::new(),
    };
    let strict = builder(settings, &roots)
        .https_only(true)
        .build()
        .map_err(|e| {
            AzureError::config(
                "ca_certificate_file",
                format!("cannot build the HTTPS client: {e}"),
            )
        })?;
    let local = builder(settings, &roots).build().map_err(|e| {
        AzureError::config(
            "ca_certificate_file",
            format!("cannot build the HTTPS client: {e}"),
        )
    })?;
    Ok(HttpClients { strict, local })
}

/// A managed identity endpoint: https anywhere, or http on a loopback or link-local
/// address only.
pub fn local_endpoint(setting: &str, value: &str) -> Result<Url, AzureError> {
    let url = Url::parse(value.trim())
        .map_err(|e| AzureError::config(setting, format!("{value:?} is not a valid URL ({e})")))?;
    match url.scheme() {
        "https" => Ok(url),
        "http" => {
            let local = match url.host() {
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                Some(url::Host::Ipv4(ip)) => {
                    let ip = IpAddr::V4(ip);
                    ip.is_loopback() || matches!(ip, IpAddr::V4(v4) if v4.is_link_local())
                }
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                None => false,
            };
            if local {
                Ok(url)
            } else {
                Err(AzureError::config(
                    setting,
                    format!("{value:?} uses http on a non-local host; only https is allowed there"),
                ))
            }
        }
        other => Err(AzureError::config(
            setting,
            format!("{value:?}: unsupported scheme {other}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_ca_files_are_config_errors() {
        let dir = tempfile::tempdir().expect("tempdir");
        let missing = dir.path().join("missing.pem");
        let err = read_ca_file(&missing).expect_err("missing");
        assert!(
            matches!(&err, AzureError::Config { setting, .. } if setting == "ca_certificate_file")
        );
        let junk = dir.path().join("junk.pem");
        std::fs::write(&junk, "not a certificate").expect("write");
        assert!(read_ca_file(&junk).is_err());
    }

    #[test]
    fn local_endpoints_allow_http_only_on_the_host() {
        assert!(local_endpoint("msi_endpoint", "http://127.0.0.1:41741/msi/token").is_ok());
        assert!(local_endpoint(
            "msi_endpoint",
            "http://169.254.169.254/metadata/identity/oauth2/token"
        )
        .is_ok());
        assert!(local_endpoint("msi_endpoint", "http://localhost:8081/").is_ok());
        assert!(local_endpoint("msi_endpoint", "http://[::1]:8081/").is_ok());
        assert!(local_endpoint("msi_endpoint", "https://msi.example.com/").is_ok());
        assert!(local_endpoint("msi_endpoint", "http://msi.example.com/").is_err());
        assert!(local_endpoint("msi_endpoint", "ftp://127.0.0.1/").is_err());
    }

    #[test]
    fn clients_build_with_the_ring_provider() {
        let s = Settings::default();
        assert!(build_clients(&s).is_ok());
    }
}
