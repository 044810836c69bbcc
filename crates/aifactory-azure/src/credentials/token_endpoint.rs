//! The token endpoint as the credential chain sees it.
//!
//! - [`TokenEndpointPolicy`] sits in `azure_identity`'s HTTP pipeline (whose own retries
//!   are off): it writes our traffic log line for each token request and turns every
//!   answer that is not a success, and every transport failure, into a typed
//!   [`TokenHttpError`] (status, `Retry-After`, Entra's `error` code, AADSTS numbers), so
//!   the chain can retry like the ARM pipeline does and report what Entra ID said.
//! - [`Fresh`] builds a new `azure_identity` credential for every token request, which
//!   keeps that crate's private token cache out of the way: our
//!   [`TokenProvider`](super::TokenProvider) is the one cache, so dropping a token there
//!   (after a 401 `ExpiredAuthenticationToken`) really fetches a new one.
//!
//! Never holds or prints a secret: Entra's answers name codes, not secrets, and the
//! chain scrubs configured secrets from every message anyway.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use azure_core::credentials::{AccessToken, TokenCredential, TokenRequestOptions};
use azure_core::error::ErrorKind;
use azure_core::http::headers::{HeaderName, Headers};
use azure_core::http::policies::{Policy, PolicyResult};
use serde_json::Value as Json;

use crate::error::{parse_error_body, truncate};
use crate::retry;
use crate::traffic_log::{self, Traffic};

/// OAuth / Entra `error` values that mean "try again later" whatever the status.
const TRANSIENT_ERRORS: &[&str] = &["temporarily_unavailable", "server_error"];

/// Entra `error` values and AADSTS numbers that say the client credentials themselves
/// are wrong (unknown application, wrong or expired secret, bad assertion).
const CREDENTIAL_ERRORS: &[&str] = &["invalid_client", "unauthorized_client"];
const CREDENTIAL_AADSTS: &[u32] = &[
    700016,  // application not found in the tenant
    700027,  // client assertion failed signature validation
    7000215, // invalid client secret
    7000222, // the client secret has expired
    700024,  // client assertion is not within its valid time range
    70021,   // no matching federated identity record
];

/// What went wrong with one token request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenFailure {
    /// The endpoint answered with a status that is not a success.
    Status {
        status: u16,
        /// `Retry-After` (or `x-ms-retry-after-ms`), if the endpoint sent one.
        retry_after: Option<Duration>,
        /// Entra's `error` (`invalid_client`, `temporarily_unavailable`, ...), or the
        /// code of an ARM-style envelope.
        error: Option<String>,
        /// `error_codes` (the AADSTS numbers), or those named in the description.
        aadsts: Vec<u32>,
        /// `error_description`'s first line (or the plain-text body), trimmed.
        description: Option<String>,
    },
    /// No answer: connection refused or reset, timeout, TLS failure.
    Transport { message: String, retryable: bool },
}

/// A token request that failed, with the (masked) endpoint URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenHttpError {
    pub url: String,
    pub failure: TokenFailure,
}

impl TokenHttpError {
    /// Whether another attempt may succeed: 408, 429, 5xx (not 501/505), a transient
    /// Entra error code, or a connection failure that is not a certificate problem. A 4xx
    /// with an AADSTS error (bad secret, unknown client) is not.
    pub fn is_retryable(&self) -> bool {
        match &self.failure {
            TokenFailure::Status { status, error, .. } => {
                retry::is_retryable_status(*status, None)
                    || error
                        .as_deref()
                        .is_some_and(|e| TRANSIENT_ERRORS.contains(&e))
            }
            TokenFailure::Transport { retryable, .. } => *retryable,
        }
    }

    /// The wait the endpoint asked for.
    pub fn retry_after(&self) -> Option<Duration> {
        match &self.failure {
            TokenFailure::Status { retry_after, .. } => *retry_after,
            TokenFailure::Transport { .. } => None,
        }
    }

    /// The HTTP status (None: no answer).
    pub fn status(&self) -> Option<u16> {
        match &self.failure {
            TokenFailure::Status { status, .. } => Some(*status),
            TokenFailure::Transport { .. } => None,
        }
    }

    /// Entra's `error` code.
    pub fn error_code(&self) -> Option<&str> {
        match &self.failure {
            TokenFailure::Status { error, .. } => error.as_deref(),
            TokenFailure::Transport { .. } => None,
        }
    }

    /// `AADSTS…` numbers, formatted.
    pub fn aadsts(&self) -> Vec<String> {
        match &self.failure {
            TokenFailure::Status { aadsts, .. } => {
                aadsts.iter().map(|n| format!("AADSTS{n}")).collect()
            }
            TokenFailure::Transport { .. } => Vec::new(),
        }
    }

    /// The description (Status) or the transport message.
    pub fn message(&self) -> String {
        match &self.failure {
            TokenFailure::Status { description, .. } => description
                .clone()
                .unwrap_or_else(|| "(no description)".into()),
            TokenFailure::Transport { message, .. } => message.clone(),
        }
    }

    /// Whether Entra ID said the client credentials are wrong (`invalid_client`,
    /// `unauthorized_client`, AADSTS7000215 and friends). Only then may a message blame
    /// the secret, certificate or assertion.
    pub fn blames_credentials(&self) -> bool {
        match &self.failure {
            TokenFailure::Status { error, aadsts, .. } => {
                error
                    .as_deref()
                    .is_some_and(|e| CREDENTIAL_ERRORS.contains(&e))
                    || aadsts.iter().any(|n| CREDENTIAL_AADSTS.contains(n))
            }
            TokenFailure::Transport { .. } => false,
        }
    }
}

impl fmt::Display for TokenHttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.failure {
            TokenFailure::Status { status, .. } => {
                write!(f, "the token endpoint {} answered HTTP {status}", self.url)?;
                let mut codes: Vec<String> =
                    self.error_code().map(str::to_string).into_iter().collect();
                codes.extend(self.aadsts());
                if !codes.is_empty() {
                    write!(f, " ({})", codes.join(", "))?;
                }
                write!(f, ": {}", self.message())?;
                if self.blames_credentials() {
                    f.write_str(
                        " (Entra ID rejected the client credentials: check client_id, tenant_id \
                         and the secret, certificate or federated credential)",
                    )?;
                }
                Ok(())
            }
            TokenFailure::Transport { message, .. } => {
                write!(
                    f,
                    "the token endpoint {} could not be reached: {message}",
                    self.url
                )
            }
        }
    }
}

impl std::error::Error for TokenHttpError {}

/// The token-request failure inside an `azure_core` error chain, if there is one.
pub fn find(err: &azure_core::Error) -> Option<&TokenHttpError> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(t) = e.downcast_ref::<TokenHttpError>() {
            return Some(t);
        }
        cur = e.source();
    }
    None
}

/// The failure of a non-success answer: status, `Retry-After`, Entra's error fields.
pub fn failure_of(status: u16, retry_after: Option<Duration>, body: &[u8]) -> TokenFailure {
    let parsed = parse_error_body(body);
    let json: Option<Json> = serde_json::from_slice(body).ok();
    let mut aadsts: Vec<u32> = json
        .as_ref()
        .and_then(|j| j.get("error_codes"))
        .and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Json::as_u64)
                .filter_map(|n| u32::try_from(n).ok())
                .collect()
        })
        .unwrap_or_default();
    let description = parsed
        .message
        .as_deref()
        .and_then(|m| m.lines().map(str::trim).find(|l| !l.is_empty()))
        .map(|l| truncate(l, 400));
    if aadsts.is_empty() {
        if let Some(d) = &description {
            aadsts.extend(aadsts_in(d));
        }
    }
    TokenFailure::Status {
        status,
        retry_after,
        error: parsed.code,
        aadsts,
        description,
    }
}

/// AADSTS numbers named in a text (`AADSTS7000215: Invalid client secret ...`).
fn aadsts_in(text: &str) -> Vec<u32> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("AADSTS") {
        rest = &rest[i + 6..];
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if let Ok(n) = digits.parse::<u32>() {
            if !out.contains(&n) {
                out.push(n);
            }
        }
    }
    out
}

fn retry_after_of(headers: &Headers) -> Option<Duration> {
    let mut map = reqwest::header::HeaderMap::new();
    for (k, v) in headers.iter() {
        if let (Ok(name), Ok(value)) = (
            reqwest::header::HeaderName::from_bytes(k.as_str().as_bytes()),
            reqwest::header::HeaderValue::from_str(v.as_str()),
        ) {
            map.insert(name, value);
        }
    }
    retry::retry_after(&map, SystemTime::now())
}

/// Whether a transport failure from `azure_core`'s reqwest transport is worth retrying
/// (connection and timeout failures are, certificate failures are not).
fn transport_retryable(err: &azure_core::Error) -> bool {
    if retry::is_certificate_problem(err) {
        return false;
    }
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(r) = e.downcast_ref::<reqwest::Error>() {
            return retry::is_retryable_transport(r);
        }
        cur = e.source();
    }
    matches!(err.kind(), ErrorKind::Connection | ErrorKind::Io)
}

fn error_line(err: &azure_core::Error) -> String {
    let mut s = err.to_string();
    let mut cur = std::error::Error::source(err);
    while let Some(inner) = cur {
        let t = inner.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        cur = inner.source();
    }
    s.replace('\n', " ")
}

/// Logs every token request and turns failures into [`TokenHttpError`]s (see the module).
#[derive(Debug)]
pub struct TokenEndpointPolicy;

#[async_trait::async_trait]
impl Policy for TokenEndpointPolicy {
    async fn send(
        &self,
        ctx: &azure_core::http::Context,
        request: &mut azure_core::http::Request,
        next: &[Arc<dyn Policy>],
    ) -> PolicyResult {
        let Some((first, rest)) = next.split_first() else {
            return Err(azure_core::Error::with_message(
                ErrorKind::Other,
                "no transport after the token endpoint policy",
            ));
        };
        let started = Instant::now();
        let url = request.url().clone();
        let masked = traffic_log::redact_url(&url);
        let method = request.method().to_string();
        let res = first.send(ctx, request, rest).await;
        let request_id_name = HeaderName::from_static("x-ms-request-id");
        let log = |status: Option<u16>, request_id: Option<&str>, error: Option<&str>| {
            traffic_log::log(&Traffic {
                method: &method,
                url: &url,
                status,
                duration: started.elapsed(),
                request_id,
                correlation_id: "-",
                attempt: 1,
                error,
            })
        };
        match res {
            Err(e) => {
                let message = error_line(&e);
                log(None, None, Some(&message));
                let failure = TokenFailure::Transport {
                    retryable: transport_retryable(&e),
                    message,
                };
                Err(wrap(e.kind().clone(), masked, failure))
            }
            Ok(r) => {
                let status = u16::from(r.status());
                let request_id = r.headers().get_optional_string(&request_id_name);
                log(Some(status), request_id.as_deref(), None);
                if r.status().is_success() {
                    return Ok(r);
                }
                let retry_after = retry_after_of(r.headers());
                let kind_status = r.status();
                let (_, _, body) = r.deconstruct();
                let failure = match body.collect().await {
                    Ok(bytes) => failure_of(status, retry_after, &bytes),
                    Err(e) => TokenFailure::Transport {
                        message: format!(
                            "HTTP {status}, then the body broke off: {}",
                            error_line(&e)
                        ),
                        retryable: true,
                    },
                };
                let code = match &failure {
                    TokenFailure::Status { error, .. } => error.clone(),
                    TokenFailure::Transport { .. } => None,
                };
                Err(wrap(
                    ErrorKind::HttpResponse {
                        status: kind_status,
                        error_code: code,
                        raw_response: None,
                    },
                    masked,
                    failure,
                ))
            }
        }
    }
}

fn wrap(kind: ErrorKind, url: String, failure: TokenFailure) -> azure_core::Error {
    let e = TokenHttpError { url, failure };
    let msg = e.to_string();
    azure_core::Error::with_error(kind, e, msg)
}

/// Builds an `azure_identity` credential.
pub type Make = Box<dyn Fn() -> azure_core::Result<Arc<dyn TokenCredential>> + Send + Sync>;

/// A credential built anew for every token request (see the module).
pub struct Fresh {
    make: Make,
}

impl Fresh {
    /// Checks that the credential can be built (a bad certificate fails here, at
    /// configure time) and wraps the builder.
    pub fn credential(make: Make) -> azure_core::Result<Arc<dyn TokenCredential>> {
        make()?;
        Ok(Arc::new(Fresh { make }))
    }
}

impl fmt::Debug for Fresh {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Fresh")
    }
}

#[async_trait::async_trait]
impl TokenCredential for Fresh {
    async fn get_token(
        &self,
        scopes: &[&str],
        options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        let cred = (self.make)()?;
        cred.get_token(scopes, options).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(status: u16, body: &str) -> TokenHttpError {
        TokenHttpError {
            url: "https://login.example/t/oauth2/v2.0/token".into(),
            failure: failure_of(status, None, body.as_bytes()),
        }
    }

    #[test]
    fn entra_errors_are_parsed_with_their_aadsts_numbers() {
        let e = http(
            401,
            r#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.\r\nTrace ID: x\r\nCorrelation ID: y","error_codes":[7000215]}"#,
        );
        assert_eq!(e.status(), Some(401));
        assert_eq!(e.error_code(), Some("invalid_client"));
        assert_eq!(e.aadsts(), ["AADSTS7000215"]);
        assert_eq!(
            e.message(),
            "AADSTS7000215: Invalid client secret provided."
        );
        assert!(!e.is_retryable());
        assert!(e.blames_credentials());
        let text = e.to_string();
        assert!(
            text.contains("HTTP 401 (invalid_client, AADSTS7000215)"),
            "{text}"
        );
        // Numbers only in the description still count.
        let e = http(
            400,
            r#"{"error":"unauthorized_client","error_description":"AADSTS700016: Application with identifier 'x' was not found"}"#,
        );
        assert_eq!(e.aadsts(), ["AADSTS700016"]);
        assert!(e.blames_credentials() && !e.is_retryable());
    }

    #[test]
    fn outages_and_throttling_are_retried_and_blame_nothing() {
        for (status, body) in [
            (
                503,
                r#"{"error":"temporarily_unavailable","error_description":"AADSTS50196: The server terminated an operation because it encountered a loop.","error_codes":[50196]}"#,
            ),
            (
                503,
                r#"{"error":{"code":"ServiceUnavailable","message":"Injected fault."}}"#,
            ),
            (500, "<html>oops</html>"),
            (429, ""),
            (408, ""),
            (400, r#"{"error":"temporarily_unavailable"}"#),
        ] {
            let e = http(status, body);
            assert!(e.is_retryable(), "{status} {body}");
            assert!(!e.blames_credentials(), "{status} {body}");
            let text = e.to_string();
            assert!(text.contains(&format!("HTTP {status}")), "{text}");
            assert!(!text.contains("secret"), "{text}");
        }
        for (status, body) in [
            (
                400,
                r#"{"error":"invalid_request","error_description":"AADSTS90002: Tenant 'x' not found.","error_codes":[90002]}"#,
            ),
            (400, r#"{"error":"invalid_scope","error_codes":[70011]}"#),
            (401, r#"{"error":"invalid_client","error_codes":[7000222]}"#),
            (501, ""),
        ] {
            assert!(!http(status, body).is_retryable(), "{status} {body}");
        }
        assert!(
            !http(400, r#"{"error":"invalid_request","error_codes":[90002]}"#).blames_credentials()
        );
    }

    #[test]
    fn retry_after_is_read_from_the_answer() {
        let mut h = Headers::new();
        h.insert("retry-after", "3");
        assert_eq!(retry_after_of(&h), Some(Duration::from_secs(3)));
        assert_eq!(retry_after_of(&Headers::new()), None);
    }

    #[test]
    fn transport_failures_say_unreachable() {
        let e = TokenHttpError {
            url: "https://login.example/t/oauth2/v2.0/token".into(),
            failure: TokenFailure::Transport {
                message: "connection refused".into(),
                retryable: true,
            },
        };
        assert!(e.is_retryable() && !e.blames_credentials());
        assert_eq!(e.status(), None);
        assert!(e
            .to_string()
            .contains("could not be reached: connection refused"));
    }
}
