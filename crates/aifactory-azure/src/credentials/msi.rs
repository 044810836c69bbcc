//! Managed identity through an explicit endpoint: App Service / Functions
//! (`IDENTITY_ENDPOINT` + `IDENTITY_HEADER`, API 2019-08-01) or a custom IMDS-protocol
//! endpoint (`ARM_MSI_ENDPOINT`, API 2018-02-01, `Metadata: true`).
//!
//! `azure_identity`'s `ManagedIdentityCredential` reads these variables from the process
//! environment only; this credential takes them from [`Settings`](crate::Settings)
//! instead, so configuration and tests stay explicit. With neither endpoint set, the chain
//! uses `azure_identity`'s IMDS credential.
//!
//! Failures are typed like the token endpoint's ([`TokenHttpError`]), so the chain
//! retries 429, 5xx and connection failures with the ARM budget and reports the rest.

use std::time::Instant;

use azure_core::credentials::{AccessToken, TokenCredential, TokenRequestOptions};
use azure_core::error::ErrorKind;
use serde::Deserialize;
use time::OffsetDateTime;
use url::Url;

use super::token_endpoint::{failure_of, TokenFailure, TokenHttpError};
use crate::config::Sensitive;
use crate::retry;
use crate::traffic_log::{self, Traffic};

/// The protocol spoken at the endpoint.
#[derive(Clone)]
pub enum MsiProtocol {
    /// `X-IDENTITY-HEADER: {IDENTITY_HEADER}`, `api-version=2019-08-01`.
    AppService { header: Sensitive },
    /// `Metadata: true`, `api-version=2018-02-01`.
    Imds,
}

/// Managed identity at an explicit endpoint.
pub struct LocalMsiCredential {
    pub client: reqwest::Client,
    pub endpoint: Url,
    pub protocol: MsiProtocol,
    /// A user-assigned identity's client ID.
    pub client_id: Option<String>,
}

impl std::fmt::Debug for LocalMsiCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalMsiCredential")
            .field("endpoint", &traffic_log::redact_url(&self.endpoint))
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum NumOrString {
    N(i64),
    S(String),
}

impl NumOrString {
    fn value(&self) -> Option<i64> {
        match self {
            NumOrString::N(n) => Some(*n),
            NumOrString::S(s) => s.trim().parse().ok(),
        }
    }
}

#[derive(Deserialize)]
struct MsiResponse {
    access_token: Option<String>,
    expires_on: Option<NumOrString>,
    expires_in: Option<NumOrString>,
}

fn err(msg: String) -> azure_core::Error {
    azure_core::Error::with_message(ErrorKind::Credential, msg)
}

fn http_err(e: TokenHttpError) -> azure_core::Error {
    let msg = e.to_string();
    azure_core::Error::with_error(ErrorKind::Credential, e, msg)
}

/// `https://management.azure.com/.default` -> `https://management.azure.com/`.
pub fn resource_of(scope: &str) -> String {
    let base = scope.strip_suffix("/.default").unwrap_or(scope);
    format!("{}/", base.trim_end_matches('/'))
}

#[async_trait::async_trait]
impl TokenCredential for LocalMsiCredential {
    async fn get_token(
        &self,
        scopes: &[&str],
        _: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        let [scope] = scopes else {
            return Err(err("managed identity needs exactly one scope".into()));
        };
        let mut url = self.endpoint.clone();
        let api_version = match self.protocol {
            MsiProtocol::AppService { .. } => "2019-08-01",
            MsiProtocol::Imds => "2018-02-01",
        };
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("api-version", api_version)
                .append_pair("resource", &resource_of(scope));
            if let Some(id) = &self.client_id {
                q.append_pair("client_id", id);
            }
        }
        let mut req = self
            .client
            .get(url.clone())
            .header("Accept", "application/json");
        req = match &self.protocol {
            MsiProtocol::AppService { header } => req.header("X-IDENTITY-HEADER", header.expose()),
            MsiProtocol::Imds => req.header("Metadata", "true"),
        };
        let started = Instant::now();
        let res = match req.send().await {
            Ok(r) => r,
            Err(e) => {
                let msg = e.to_string();
                traffic_log::log(&Traffic {
                    method: "GET",
                    url: &url,
                    status: None,
                    duration: started.elapsed(),
                    request_id: None,
                    correlation_id: "-",
                    attempt: 1,
                    error: Some(&msg),
                });
                return Err(http_err(TokenHttpError {
                    url: traffic_log::redact_url(&self.endpoint),
                    failure: TokenFailure::Transport {
                        retryable: retry::is_retryable_transport(&e),
                        message: format!("managed identity endpoint unreachable: {msg}"),
                    },
                }));
            }
        };
        let status = res.status().as_u16();
        let retry_after = retry::retry_after(res.headers(), std::time::SystemTime::now());
        traffic_log::log(&Traffic {
            method: "GET",
            url: &url,
            status: Some(status),
            duration: started.elapsed(),
            request_id: res
                .headers()
                .get("x-ms-request-id")
                .and_then(|v| v.to_str().ok()),
            correlation_id: "-",
            attempt: 1,
            error: None,
        });
        let body = res
            .bytes()
            .await
            .map_err(|e| err(format!("reading the managed identity response failed: {e}")))?;
        if !(200..300).contains(&status) {
            // Typed like the token endpoint's failures, so the chain retries 429/5xx.
            return Err(http_err(TokenHttpError {
                url: traffic_log::redact_url(&self.endpoint),
                failure: failure_of(status, retry_after, &body),
            }));
        }
        let r: MsiResponse = serde_json::from_slice(&body)
            .map_err(|e| err(format!("managed identity response is not JSON: {e}")))?;
        let token = r
            .access_token
            .filter(|t| !t.is_empty())
            .ok_or_else(|| err("managed identity response has no access_token".into()))?;
        let now = OffsetDateTime::now_utc();
        let expires_on = match (
            r.expires_on.and_then(|v| v.value()),
            r.expires_in.and_then(|v| v.value()),
        ) {
            (Some(ts), _) => OffsetDateTime::from_unix_timestamp(ts)
                .map_err(|e| err(format!("bad expires_on: {e}")))?,
            (None, Some(secs)) => now + time::Duration::seconds(secs),
            (None, None) => now + time::Duration::minutes(5),
        };
        Ok(AccessToken::new(token, expires_on))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_from_scope() {
        assert_eq!(
            resource_of("https://management.azure.com/.default"),
            "https://management.azure.com/"
        );
        assert_eq!(
            resource_of("https://storage.azure.com"),
            "https://storage.azure.com/"
        );
    }

    #[test]
    fn expiry_accepts_numbers_and_strings() {
        let r: MsiResponse =
            serde_json::from_str(r#"{"access_token":"t","expires_on":"1586984735"}"#)
                .expect("json");
        assert_eq!(r.expires_on.and_then(|v| v.value()), Some(1586984735));
        let r: MsiResponse =
            serde_json::from_str(r#"{"access_token":"t","expires_in":3599}"#).expect("json");
        assert_eq!(r.expires_in.and_then(|v| v.value()), Some(3599));
    }
}
