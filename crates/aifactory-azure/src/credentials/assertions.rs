//! Client assertion sources for workload identity federation: an OIDC token given
//! directly, read from a file, or requested from GitHub Actions or Azure DevOps. Each is a
//! `azure_identity::ClientAssertion` feeding a `ClientAssertionCredential`.

use std::path::PathBuf;
use std::time::Instant;

use azure_core::error::ErrorKind;
use azure_core::http::ClientMethodOptions;
use azure_identity::ClientAssertion;
use serde::Deserialize;
use url::Url;

use crate::config::Sensitive;
use crate::correlation::{new_guid, CLIENT_REQUEST_ID};
use crate::traffic_log::{self, Traffic};

/// Audience GitHub Actions tokens are requested for (Entra's federated credential default).
pub const GITHUB_AUDIENCE: &str = "api://AzureADTokenExchange";
/// Azure DevOps OIDC API version.
pub const ADO_API_VERSION: &str = "7.1";

fn cred_err(msg: String) -> azure_core::Error {
    azure_core::Error::with_message(ErrorKind::Credential, msg)
}

/// A token fixed at configure time (`oidc_token`, `TFC_WORKLOAD_IDENTITY_TOKEN`).
pub struct StaticAssertion(pub Sensitive);

impl std::fmt::Debug for StaticAssertion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StaticAssertion")
    }
}

#[async_trait::async_trait]
impl ClientAssertion for StaticAssertion {
    async fn secret(&self, _: Option<ClientMethodOptions<'_>>) -> azure_core::Result<String> {
        Ok(self.0.expose().to_string())
    }
}

/// A token read from a file on every use (projected tokens rotate).
#[derive(Debug)]
pub struct FileAssertion(pub PathBuf);

#[async_trait::async_trait]
impl ClientAssertion for FileAssertion {
    async fn secret(&self, _: Option<ClientMethodOptions<'_>>) -> azure_core::Result<String> {
        let s = tokio::fs::read_to_string(&self.0).await.map_err(|e| {
            cred_err(format!(
                "cannot read OIDC token file {}: {e}",
                self.0.display()
            ))
        })?;
        let s = s.trim();
        if s.is_empty() {
            return Err(cred_err(format!(
                "OIDC token file {} is empty",
                self.0.display()
            )));
        }
        Ok(s.to_string())
    }
}

#[derive(Deserialize)]
struct GithubTokenResponse {
    value: Option<String>,
}

#[derive(Deserialize)]
struct AdoTokenResponse {
    #[serde(rename = "oidcToken")]
    oidc_token: Option<String>,
}

/// Which request protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    /// `GET {url}&audience=api://AzureADTokenExchange`, `Authorization: Bearer`, `{"value"}`.
    Github,
    /// `POST {uri}?api-version=7.1&serviceConnectionId={id}`, `{"oidcToken"}`.
    AzureDevOps,
}

/// An OIDC token requested over HTTPS from the CI system.
pub struct RequestAssertion {
    pub kind: RequestKind,
    pub client: reqwest::Client,
    pub url: Url,
    pub bearer: Sensitive,
}

impl std::fmt::Debug for RequestAssertion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestAssertion")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl RequestAssertion {
    /// GitHub style: the audience is appended to the given URL.
    pub fn github(client: reqwest::Client, url: Url, bearer: Sensitive) -> Self {
        let mut url = url;
        url.query_pairs_mut()
            .append_pair("audience", GITHUB_AUDIENCE);
        RequestAssertion {
            kind: RequestKind::Github,
            client,
            url,
            bearer,
        }
    }

    /// Azure DevOps: service connection and API version in the query.
    pub fn azure_devops(
        client: reqwest::Client,
        uri: Url,
        service_connection_id: &str,
        bearer: Sensitive,
    ) -> Self {
        let mut url = uri;
        url.query_pairs_mut()
            .append_pair("api-version", ADO_API_VERSION)
            .append_pair("serviceConnectionId", service_connection_id);
        RequestAssertion {
            kind: RequestKind::AzureDevOps,
            client,
            url,
            bearer,
        }
    }
}

#[async_trait::async_trait]
impl ClientAssertion for RequestAssertion {
    async fn secret(&self, _: Option<ClientMethodOptions<'_>>) -> azure_core::Result<String> {
        let (method, req) = match self.kind {
            RequestKind::Github => ("GET", self.client.get(self.url.clone())),
            RequestKind::AzureDevOps => (
                "POST",
                self.client
                    .post(self.url.clone())
                    .header("X-TFS-FedAuthRedirect", "Suppress")
                    .header("Content-Type", "application/json")
                    .body(""),
            ),
        };
        let started = Instant::now();
        let res = req
            .bearer_auth(self.bearer.expose())
            .header("Accept", "application/json")
            .header(CLIENT_REQUEST_ID, new_guid())
            .send()
            .await;
        let res = match res {
            Ok(r) => r,
            Err(e) => {
                let msg = e.to_string();
                traffic_log::log(&Traffic {
                    method,
                    url: &self.url,
                    status: None,
                    duration: started.elapsed(),
                    request_id: None,
                    correlation_id: "-",
                    attempt: 1,
                    error: Some(&msg),
                });
                return Err(cred_err(format!(
                    "OIDC token request to {} failed: {msg}",
                    traffic_log::redact_url(&self.url)
                )));
            }
        };
        let status = res.status().as_u16();
        traffic_log::log(&Traffic {
            method,
            url: &self.url,
            status: Some(status),
            duration: started.elapsed(),
            request_id: res
                .headers()
                .get("x-ms-request-id")
                .or_else(|| res.headers().get("x-github-request-id"))
                .and_then(|v| v.to_str().ok()),
            correlation_id: "-",
            attempt: 1,
            error: None,
        });
        let body = res
            .bytes()
            .await
            .map_err(|e| cred_err(format!("reading the OIDC token response failed: {e}")))?;
        if !(200..300).contains(&status) {
            return Err(cred_err(format!(
                "OIDC token request to {} returned HTTP {status}",
                traffic_log::redact_url(&self.url)
            )));
        }
        let token = match self.kind {
            RequestKind::Github => serde_json::from_slice::<GithubTokenResponse>(&body)
                .ok()
                .and_then(|r| r.value),
            RequestKind::AzureDevOps => serde_json::from_slice::<AdoTokenResponse>(&body)
                .ok()
                .and_then(|r| r.oidc_token),
        };
        match token {
            Some(t) if !t.is_empty() => Ok(t),
            _ => Err(cred_err(format!(
                "OIDC token response from {} has no token",
                traffic_log::redact_url(&self.url)
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> reqwest::Client {
        crate::http::install_crypto_provider();
        reqwest::Client::new()
    }

    #[test]
    fn github_url_gets_the_audience() {
        let a = RequestAssertion::github(
            client(),
            Url::parse("https://gh.example/token?api-version=2.0").expect("url"),
            Sensitive::new("secret-bearer"),
        );
        assert_eq!(
            a.url.as_str(),
            "https://gh.example/token?api-version=2.0&audience=api%3A%2F%2FAzureADTokenExchange"
        );
        assert!(!format!("{a:?}").contains("secret-bearer"));
    }

    #[test]
    fn ado_url_gets_version_and_connection() {
        let a = RequestAssertion::azure_devops(
            client(),
            Url::parse("https://dev.azure.com/org/_apis/distributedtask/hubs/build/plans/p/jobs/j/oidctoken").expect("url"),
            "conn-1",
            Sensitive::new("b"),
        );
        assert!(a
            .url
            .as_str()
            .ends_with("?api-version=7.1&serviceConnectionId=conn-1"));
    }

    #[tokio::test]
    async fn file_assertion_reads_and_trims() {
        let dir = tempfile::tempdir().expect("dir");
        let p = dir.path().join("token");
        std::fs::write(&p, "  jwt-value\n").expect("write");
        let a = FileAssertion(p.clone());
        assert_eq!(a.secret(None).await.expect("read"), "jwt-value");
        std::fs::write(&p, "").expect("write");
        assert!(a.secret(None).await.is_err());
        let missing = FileAssertion(dir.path().join("nope"));
        assert!(missing.secret(None).await.is_err());
    }
}
