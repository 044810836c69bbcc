//! Typed errors of the Azure client layer.
//!
//! ARM's error envelope (`{"error":{"code","message","target","details","additionalInfo"}}`,
//! or the same object without the `error` wrapper) and the storage (DFS) variant become an
//! [`ApiError`] with the HTTP status, request id and correlation id; the variant of
//! [`AzureError`] says what kind of failure it is. Diagnostics are built at the edge:
//! [`AzureError::summary`] and [`AzureError::detail`] give the text, the provider turns it
//! into a `framework::Diagnostic`. No variant ever carries a token or secret.

use std::fmt;

use serde::Deserialize;
use serde_json::Value as Json;
use thiserror::Error;

/// One `details[]` entry of an ARM error (recursive).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
    pub target: Option<String>,
    pub details: Vec<ErrorDetail>,
}

/// An error response from ARM, Entra-fronted services or the DFS endpoint.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// Method and URL (secrets masked) of the request that failed.
    pub method: String,
    pub url: String,
    /// `error.code` (or the storage `x-ms-error-code` header).
    pub code: Option<String>,
    pub message: String,
    pub target: Option<String>,
    pub details: Vec<ErrorDetail>,
    /// `additionalInfo` entries, kept as JSON (policy violations and the like).
    pub additional_info: Vec<Json>,
    /// `x-ms-request-id` of the failed response.
    pub request_id: Option<String>,
    /// The correlation id of the operation (`x-ms-correlation-request-id`).
    pub correlation_id: Option<String>,
    /// How many HTTP attempts were made (retries included).
    pub attempts: u32,
}

/// Why an LRO ended without success.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LroFailure {
    /// Terminal status: `Failed` or `Canceled` (or an RP-specific terminal value).
    pub status: String,
    pub code: Option<String>,
    pub message: Option<String>,
    pub details: Vec<ErrorDetail>,
    /// The resource or operation URL (masked).
    pub url: String,
    pub correlation_id: Option<String>,
}

/// How a credential method fared while the chain looked for a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// Its inputs were not present; the string names what was missing.
    Skipped(String),
    /// It was tried and failed; the string says why (no secrets).
    Failed(String),
}

/// One line of the credential report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialAttempt {
    /// Human name, e.g. "client secret", "Azure CLI".
    pub method: String,
    pub outcome: AttemptOutcome,
}

/// The token endpoint kept failing with a transient error (429, 5xx, no connection)
/// until the retry budget ran out. Says nothing about the credentials being wrong.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TokenEndpointFailure {
    /// The credential method that asked (`client secret`, `OIDC token`, ...).
    pub method: String,
    /// The token endpoint (masked).
    pub url: String,
    /// The scope the token was for.
    pub scope: String,
    /// The HTTP status of every attempt, in order; 0 where there was no answer.
    pub statuses: Vec<u16>,
    /// Entra's `error` code of the last answer (`temporarily_unavailable`, ...).
    pub error: Option<String>,
    /// AADSTS numbers of the last answer (`AADSTS50196`).
    pub aadsts: Vec<String>,
    /// The last answer's description, or the last transport failure (no secrets).
    pub message: String,
}

impl TokenEndpointFailure {
    /// Attempts made.
    pub fn attempts(&self) -> usize {
        self.statuses.len()
    }

    /// `HTTP 503 3 times`, `HTTP 429, 503 and 503`, `no answer 2 times`.
    fn answers(&self) -> String {
        let one = |s: u16| {
            if s == 0 {
                "no answer".to_string()
            } else {
                format!("HTTP {s}")
            }
        };
        match self.statuses.as_slice() {
            [] => "nothing".into(),
            [s] => format!("{} once", one(*s)),
            [first, rest @ ..] if rest.iter().all(|s| s == first) => {
                format!("{} {} times", one(*first), self.statuses.len())
            }
            [init @ .., last] => {
                let init: Vec<String> = init.iter().map(|s| one(*s)).collect();
                format!("{} and {}", init.join(", "), one(*last))
            }
        }
    }

    /// `temporarily_unavailable, AADSTS50196`.
    fn codes(&self) -> Option<String> {
        let mut codes: Vec<&str> = self.error.as_deref().into_iter().collect();
        codes.extend(self.aadsts.iter().map(String::as_str));
        (!codes.is_empty()).then(|| codes.join(", "))
    }
}

/// Where a cancellation came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelReason {
    /// The caller's cancellation token fired (Terraform's StopProvider, Ctrl-C).
    Cancelled,
    /// The operation's deadline (a resource timeout) passed.
    DeadlineExceeded,
}

/// Every failure the Azure client layer reports.
#[derive(Debug, Clone, Error)]
pub enum AzureError {
    /// 404 (ResourceNotFound, ResourceGroupNotFound, PathNotFound, ...).
    #[error("not found: {}", .0.message)]
    NotFound(Box<ApiError>),
    /// 409 or 412 that is not a transient lock (RoleAssignmentExists, PathAlreadyExists, ...).
    #[error("conflict: {}", .0.message)]
    Conflict(Box<ApiError>),
    /// 429 (or a retryable 409) still failing when the retry budget ran out.
    #[error("throttled: {}", .0.message)]
    Throttled(Box<ApiError>),
    /// 401 or 403.
    #[error("not authorized: {}", .0.message)]
    Auth(Box<ApiError>),
    /// Any other error status (400, 5xx after retries, ...).
    #[error("request failed: {}", .0.message)]
    Api(Box<ApiError>),
    /// No response: connection refused, TLS failure, timeout, broken body.
    #[error("transport error on {method} {url}: {message}")]
    Transport {
        method: String,
        url: String,
        message: String,
        correlation_id: Option<String>,
        attempts: u32,
    },
    /// A long-running operation reached Failed or Canceled.
    #[error("long-running operation ended {}", .0.status)]
    LroFailed(Box<LroFailure>),
    /// The caller cancelled, or the deadline passed.
    #[error("operation cancelled ({reason:?}) while {during}")]
    Cancelled {
        reason: CancelReason,
        during: String,
    },
    /// Bad configuration: a plain-http endpoint, an unreadable CA file, a bad template.
    #[error("invalid configuration for {setting}: {message}")]
    Config { setting: String, message: String },
    /// No credential method produced a token.
    #[error("no Azure credential could authenticate")]
    Credential { attempts: Vec<CredentialAttempt> },
    /// The token endpoint stayed unavailable (429, 5xx, no connection) through every
    /// retry. The credentials were not rejected.
    #[error("the token endpoint {} kept failing: {}", .0.url, .0.message)]
    TokenEndpoint(Box<TokenEndpointFailure>),
    /// A response arrived but did not have the expected shape.
    #[error("unexpected response from {url}: {message}")]
    Protocol { url: String, message: String },
}

impl AzureError {
    pub fn config(setting: impl Into<String>, message: impl Into<String>) -> Self {
        AzureError::Config {
            setting: setting.into(),
            message: message.into(),
        }
    }

    /// The API error behind this error, when there was an HTTP response.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            AzureError::NotFound(e)
            | AzureError::Conflict(e)
            | AzureError::Throttled(e)
            | AzureError::Auth(e)
            | AzureError::Api(e) => Some(e),
            _ => None,
        }
    }

    /// HTTP status, when there was a response.
    pub fn status(&self) -> Option<u16> {
        self.api().map(|e| e.status)
    }

    /// The service's error code (`error.code`), when there was one.
    pub fn code(&self) -> Option<&str> {
        match self {
            AzureError::LroFailed(f) => f.code.as_deref(),
            _ => self.api().and_then(|e| e.code.as_deref()),
        }
    }

    pub fn is_not_found(&self) -> bool {
        matches!(self, AzureError::NotFound(_))
    }

    pub fn is_cancelled(&self) -> bool {
        matches!(self, AzureError::Cancelled { .. })
    }

    /// One line for the diagnostic's summary.
    pub fn summary(&self) -> String {
        match self {
            AzureError::NotFound(e) => format!("Azure resource not found{}", code_suffix(e)),
            AzureError::Conflict(e) => format!("Azure reported a conflict{}", code_suffix(e)),
            AzureError::Throttled(e) => {
                format!("Azure kept throttling the request{}", code_suffix(e))
            }
            AzureError::Auth(e) if e.status == 401 => {
                format!("Azure rejected the credentials{}", code_suffix(e))
            }
            AzureError::Auth(e) if e.code.as_deref() == Some("RequestDisallowedByPolicy") => {
                "Denied by Azure Policy: RequestDisallowedByPolicy".to_string()
            }
            AzureError::Auth(e) => format!("Not authorized in Azure{}", code_suffix(e)),
            AzureError::Api(e) => {
                format!(
                    "Azure request failed with HTTP {}{}",
                    e.status,
                    code_suffix(e)
                )
            }
            AzureError::Transport { .. } => "Could not reach Azure".into(),
            AzureError::LroFailed(f) => format!(
                "Azure operation {}{}",
                f.status.to_ascii_lowercase(),
                f.code
                    .as_deref()
                    .map(|c| format!(" ({c})"))
                    .unwrap_or_default()
            ),
            AzureError::Cancelled {
                reason: CancelReason::Cancelled,
                ..
            } => "Azure operation cancelled".into(),
            AzureError::Cancelled {
                reason: CancelReason::DeadlineExceeded,
                ..
            } => "Azure operation timed out".into(),
            AzureError::Config { setting, .. } => {
                format!("Invalid Azure provider configuration: {setting}")
            }
            AzureError::Credential { .. } => "No Azure credential could authenticate".into(),
            AzureError::TokenEndpoint(f) => {
                let what = match f.statuses.last() {
                    Some(0) | None => "Could not reach Azure's token endpoint".to_string(),
                    Some(s) => format!("Azure's token endpoint is unavailable (HTTP {s}"),
                };
                match (f.statuses.last(), f.codes()) {
                    (Some(0) | None, _) => what,
                    (_, Some(c)) => format!("{what}: {c})"),
                    (_, None) => format!("{what})"),
                }
            }
            AzureError::Protocol { .. } => "Unexpected response from Azure".into(),
        }
    }

    /// Several lines for the diagnostic's detail: what happened, the ids support asks for,
    /// and how to fix it where we know.
    pub fn detail(&self) -> String {
        match self {
            AzureError::NotFound(e)
            | AzureError::Conflict(e)
            | AzureError::Throttled(e)
            | AzureError::Api(e) => api_detail(e, None),
            AzureError::Auth(e) if e.code.as_deref() == Some("RequestDisallowedByPolicy") => api_detail(
                e,
                Some(
                    "A policy assignment on the scope denies this request (its name and assignment are in the \
                     message above). Change the configuration to comply, or ask the policy's owner for an \
                     exemption; a role assignment does not help.",
                ),
            ),
            AzureError::Auth(e) => {
                let hint = if e.status == 401 {
                    "Check the credential settings (client ID, tenant ID, secret or certificate) \
                     and that the token audience matches the cloud (`environment`)."
                } else {
                    "Grant the principal a role that allows this action on the scope. A role \
                     assignment made in the last minutes may not be effective yet."
                };
                api_detail(e, Some(hint))
            }
            AzureError::Transport {
                method,
                url,
                message,
                correlation_id,
                attempts,
            } => {
                let mut s = format!("{method} {url} failed after {attempts} attempt(s): {message}");
                if let Some(c) = correlation_id {
                    s.push_str(&format!("\nCorrelation ID: {c}"));
                }
                s.push_str(
                    "\nCheck network access to the endpoint, proxies, and `ca_certificate_file` \
                     if the endpoint uses a private certificate authority.",
                );
                s
            }
            AzureError::LroFailed(f) => {
                let mut s = format!("The operation at {} ended with status {}.", f.url, f.status);
                if let Some(m) = &f.message {
                    s.push_str(&format!("\n{m}"));
                }
                push_details(&mut s, &f.details, 1);
                if let Some(c) = &f.correlation_id {
                    s.push_str(&format!("\nCorrelation ID: {c}"));
                }
                s
            }
            AzureError::Cancelled { reason, during } => match reason {
                CancelReason::Cancelled => {
                    format!("The operation was cancelled while {during}. Azure may still finish work it had accepted; run plan again to see the actual state.")
                }
                CancelReason::DeadlineExceeded => format!(
                    "The deadline passed while {during}. Raise the resource's timeout if the \
                     operation is expected to take longer; Azure may still finish it."
                ),
            },
            AzureError::Config { setting, message } => format!("{setting}: {message}"),
            AzureError::Credential { attempts } => {
                let mut s = String::from("Every credential method was tried in order:");
                for a in attempts {
                    match &a.outcome {
                        AttemptOutcome::Skipped(why) => {
                            s.push_str(&format!("\n- {}: skipped, {why}", a.method))
                        }
                        AttemptOutcome::Failed(why) => {
                            s.push_str(&format!("\n- {}: failed, {why}", a.method))
                        }
                    }
                }
                s.push_str(
                    "\nConfigure one of them in the provider block or through the ARM_* \
                     environment variables.",
                );
                s
            }
            AzureError::TokenEndpoint(f) => {
                let mut s = format!("The token endpoint {} answered {}", f.url, f.answers());
                if let Some(c) = f.codes() {
                    s.push_str(&format!(" ({c})"));
                }
                s.push_str(&format!(
                    " while the {} method asked for a token for {}",
                    f.method, f.scope
                ));
                if !f.message.is_empty() {
                    s.push_str(&format!(":\n{}", f.message));
                }
                s.push_str(&format!(
                    "\nAttempts: {}\nEntra ID (or the network path to it) is unavailable or \
                     throttling; the credentials were not rejected. Run the command again later.",
                    f.attempts()
                ));
                s
            }
            AzureError::Protocol { url, message } => format!("{url}: {message}"),
        }
    }
}

fn code_suffix(e: &ApiError) -> String {
    e.code
        .as_deref()
        .map(|c| format!(": {c}"))
        .unwrap_or_default()
}

fn api_detail(e: &ApiError, hint: Option<&str>) -> String {
    let mut s = format!("{} {} returned HTTP {}", e.method, e.url, e.status);
    if let Some(code) = &e.code {
        s.push_str(&format!(" ({code})"));
    }
    s.push_str(":\n");
    s.push_str(if e.message.is_empty() {
        "(no message)"
    } else {
        &e.message
    });
    if let Some(t) = &e.target {
        s.push_str(&format!("\nTarget: {t}"));
    }
    push_details(&mut s, &e.details, 1);
    for info in &e.additional_info {
        s.push_str(&format!("\nAdditional info: {info}"));
    }
    if let Some(r) = &e.request_id {
        s.push_str(&format!("\nRequest ID: {r}"));
    }
    if let Some(c) = &e.correlation_id {
        s.push_str(&format!("\nCorrelation ID: {c}"));
    }
    if e.attempts > 1 {
        s.push_str(&format!("\nAttempts: {}", e.attempts));
    }
    if let Some(h) = hint {
        s.push('\n');
        s.push_str(h);
    }
    s
}

fn push_details(s: &mut String, details: &[ErrorDetail], depth: usize) {
    for d in details {
        s.push_str(&format!(
            "\n{}- {}: {}",
            "  ".repeat(depth - 1),
            d.code,
            d.message
        ));
        if let Some(t) = &d.target {
            s.push_str(&format!(" (target {t})"));
        }
        push_details(s, &d.details, depth + 1);
    }
}

impl fmt::Display for ErrorDetail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawError {
    code: Option<String>,
    message: Option<String>,
    target: Option<String>,
    details: Option<Vec<RawError>>,
    #[serde(rename = "additionalInfo")]
    additional_info: Option<Vec<Json>>,
}

impl RawError {
    fn into_detail(self) -> ErrorDetail {
        ErrorDetail {
            code: self.code.unwrap_or_default(),
            message: self.message.unwrap_or_default(),
            target: self.target,
            details: self
                .details
                .unwrap_or_default()
                .into_iter()
                .map(RawError::into_detail)
                .collect(),
        }
    }
}

/// The parts of an error body: code, message, target, details, additionalInfo.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParsedError {
    pub code: Option<String>,
    pub message: Option<String>,
    pub target: Option<String>,
    pub details: Vec<ErrorDetail>,
    pub additional_info: Vec<Json>,
}

/// Parse ARM's error envelope (wrapped in `error` or not), the storage variant, or an
/// OAuth-style `{"error":"x","error_description":"y"}`. Never fails: a body that is not
/// JSON becomes the message (trimmed to a sane length).
pub fn parse_error_body(body: &[u8]) -> ParsedError {
    let json: Option<Json> = serde_json::from_slice(body).ok();
    if let Some(Json::Object(map)) = &json {
        let inner = match map.get("error") {
            Some(Json::Object(_)) => map.get("error").cloned(),
            Some(Json::String(code)) => {
                return ParsedError {
                    code: Some(code.clone()),
                    message: map
                        .get("error_description")
                        .and_then(Json::as_str)
                        .map(str::to_string),
                    ..Default::default()
                }
            }
            _ if map.contains_key("code") || map.contains_key("message") => json.clone(),
            _ => None,
        };
        if let Some(inner) = inner {
            if let Ok(raw) = serde_json::from_value::<RawError>(inner) {
                return ParsedError {
                    code: raw.code,
                    message: raw.message,
                    target: raw.target,
                    details: raw
                        .details
                        .unwrap_or_default()
                        .into_iter()
                        .map(RawError::into_detail)
                        .collect(),
                    additional_info: raw.additional_info.unwrap_or_default(),
                };
            }
        }
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    ParsedError {
        message: (!text.is_empty()).then(|| truncate(text, 2000)),
        ..Default::default()
    }
}

pub(crate) fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// Build the typed error for an error response.
pub(crate) fn classify(api: ApiError) -> AzureError {
    let api = Box::new(api);
    match api.status {
        404 => AzureError::NotFound(api),
        401 | 403 => AzureError::Auth(api),
        409 | 412 => {
            if api.code.as_deref() == Some("AnotherOperationInProgress") {
                AzureError::Throttled(api)
            } else {
                AzureError::Conflict(api)
            }
        }
        429 => AzureError::Throttled(api),
        _ => AzureError::Api(api),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_envelope_with_details_and_additional_info() {
        let body = br#"{"error":{"code":"RetryableError","message":"A retryable error occurred.",
            "target":"subnet","details":[{"code":"RetryableErrorDueToAnotherOperation",
            "message":"retry in 14 seconds","details":[{"code":"Inner","message":"deep"}]}],
            "additionalInfo":[{"type":"PolicyViolation","info":{"policy":"p"}}]}}"#;
        let p = parse_error_body(body);
        assert_eq!(p.code.as_deref(), Some("RetryableError"));
        assert_eq!(p.target.as_deref(), Some("subnet"));
        assert_eq!(p.details.len(), 1);
        assert_eq!(p.details[0].details[0].code, "Inner");
        assert_eq!(p.additional_info.len(), 1);
    }

    #[test]
    fn unwrapped_envelope_and_oauth_and_plain_text() {
        let p = parse_error_body(br#"{"code":"ResourceNotFound","message":"gone"}"#);
        assert_eq!(p.code.as_deref(), Some("ResourceNotFound"));
        assert_eq!(p.message.as_deref(), Some("gone"));
        let p =
            parse_error_body(br#"{"error":"invalid_client","error_description":"AADSTS7000215"}"#);
        assert_eq!(p.code.as_deref(), Some("invalid_client"));
        assert_eq!(p.message.as_deref(), Some("AADSTS7000215"));
        let p = parse_error_body(b"<html>Bad gateway</html>");
        assert_eq!(p.code, None);
        assert_eq!(p.message.as_deref(), Some("<html>Bad gateway</html>"));
        assert_eq!(parse_error_body(b"").message, None);
    }

    #[test]
    fn classification_by_status_and_code() {
        let e = |status, code: &str| ApiError {
            status,
            code: Some(code.into()),
            ..Default::default()
        };
        assert!(matches!(
            classify(e(404, "ResourceNotFound")),
            AzureError::NotFound(_)
        ));
        assert!(matches!(
            classify(e(403, "AuthorizationFailed")),
            AzureError::Auth(_)
        ));
        assert!(matches!(
            classify(e(409, "RoleAssignmentExists")),
            AzureError::Conflict(_)
        ));
        assert!(matches!(
            classify(e(409, "AnotherOperationInProgress")),
            AzureError::Throttled(_)
        ));
        assert!(matches!(
            classify(e(429, "TooManyRequests")),
            AzureError::Throttled(_)
        ));
        assert!(matches!(
            classify(e(400, "InvalidRequest")),
            AzureError::Api(_)
        ));
    }

    #[test]
    fn summary_and_detail_carry_ids_and_hints() {
        let err = classify(ApiError {
            status: 403,
            method: "PUT".into(),
            url: "https://management.azure.com/subscriptions/s?api-version=1".into(),
            code: Some("AuthorizationFailed".into()),
            message: "The client 'x' does not have authorization".into(),
            request_id: Some("req-1".into()),
            correlation_id: Some("corr-1".into()),
            attempts: 1,
            ..Default::default()
        });
        assert_eq!(
            err.summary(),
            "Not authorized in Azure: AuthorizationFailed"
        );
        let d = err.detail();
        assert!(d.contains("Request ID: req-1"), "{d}");
        assert!(d.contains("Correlation ID: corr-1"), "{d}");
        assert!(d.contains("Grant the principal"), "{d}");
    }

    #[test]
    fn a_policy_denial_is_not_called_a_missing_role() {
        let err = classify(ApiError {
            status: 403,
            method: "PUT".into(),
            url: "https://management.azure.com/subscriptions/s?api-version=1".into(),
            code: Some("RequestDisallowedByPolicy".into()),
            message: "Resource 'x' was disallowed by policy.".into(),
            attempts: 1,
            ..Default::default()
        });
        assert_eq!(
            err.summary(),
            "Denied by Azure Policy: RequestDisallowedByPolicy"
        );
        let d = err.detail();
        assert!(
            d.contains("policy assignment") && !d.contains("Grant the principal"),
            "{d}"
        );
    }

    #[test]
    fn token_endpoint_outages_name_statuses_attempts_and_codes_not_the_secret() {
        let f = |statuses: Vec<u16>, error: Option<&str>| {
            AzureError::TokenEndpoint(Box::new(TokenEndpointFailure {
                method: "client secret".into(),
                url: "https://login.example/t/oauth2/v2.0/token".into(),
                scope: "https://management.azure.com/.default".into(),
                statuses,
                error: error.map(str::to_string),
                aadsts: vec![],
                message: "Service unavailable.".into(),
            }))
        };
        let e = f(vec![503, 503, 503], Some("temporarily_unavailable"));
        assert_eq!(
            e.summary(),
            "Azure's token endpoint is unavailable (HTTP 503: temporarily_unavailable)"
        );
        let d = e.detail();
        assert!(
            d.contains("answered HTTP 503 3 times (temporarily_unavailable)"),
            "{d}"
        );
        assert!(d.contains("Attempts: 3"), "{d}");
        assert!(d.contains("the credentials were not rejected"), "{d}");
        assert!(!d.contains("authentication failed"), "{d}");
        let d = f(vec![429, 503, 0], None).detail();
        assert!(
            d.contains("answered HTTP 429, HTTP 503 and no answer"),
            "{d}"
        );
        let e = f(vec![0, 0], None);
        assert_eq!(e.summary(), "Could not reach Azure's token endpoint");
        assert!(e.detail().contains("no answer 2 times"));
        assert_eq!(
            f(vec![500], None).summary(),
            "Azure's token endpoint is unavailable (HTTP 500)"
        );
        assert!(f(vec![500], None).detail().contains("HTTP 500 once"));
    }

    #[test]
    fn credential_report_lists_every_method() {
        let err = AzureError::Credential {
            attempts: vec![
                CredentialAttempt {
                    method: "client certificate".into(),
                    outcome: AttemptOutcome::Skipped(
                        "ARM_CLIENT_CERTIFICATE_PATH is not set".into(),
                    ),
                },
                CredentialAttempt {
                    method: "client secret".into(),
                    outcome: AttemptOutcome::Failed("HTTP 401 invalid_client".into()),
                },
            ],
        };
        let d = err.detail();
        assert!(d.contains("- client certificate: skipped, ARM_CLIENT_CERTIFICATE_PATH is not set"));
        assert!(d.contains("- client secret: failed, HTTP 401 invalid_client"));
    }
}
