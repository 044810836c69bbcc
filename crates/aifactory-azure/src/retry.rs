//! Retry decisions: which responses are worth another attempt, and how long to wait.
//!
//! Retried: 408, 429, 5xx except 501 and 505, `RetryableError` (any status),
//! `AnotherOperationInProgress` (409), and connection failures that are not certificate
//! problems. The wait is what the server asked for (`x-ms-retry-after-ms`,
//! `retry-after-ms`, `Retry-After` in seconds or as an HTTP date) or else a capped
//! exponential backoff with jitter. Attempts and total time are both bounded. The same
//! policy and budget serve the token endpoint (`credentials::token_endpoint`).
//!
//! A 401 saying the bearer token expired or is invalid ([`refreshes_token`]) is not a
//! retry of this kind: the pipeline drops the cached token, gets a fresh one and sends the
//! request once more.

use std::time::{Duration, SystemTime};

use rand::Rng;
use reqwest::header::HeaderMap;

/// Retry limits. `Default` mirrors azurerm's client (backoff from 1 s doubling to a 60 s
/// cap, about ten minutes in all).
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all (the first one included). 1 disables retries.
    pub max_attempts: u32,
    /// Backoff before the second attempt (before jitter).
    pub initial_backoff: Duration,
    /// Cap of one backoff (server-requested waits are capped by `max_total` only).
    pub max_backoff: Duration,
    /// Total time spent waiting between attempts, at most.
    pub max_total: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 12,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(60),
            max_total: Duration::from_secs(600),
        }
    }
}

/// Error codes that are transient whatever the status.
const RETRYABLE_CODES: &[&str] = &["RetryableError", "AnotherOperationInProgress"];

/// Whether an error response is worth retrying.
pub fn is_retryable_status(status: u16, code: Option<&str>) -> bool {
    if let Some(c) = code {
        if RETRYABLE_CODES.contains(&c) {
            return true;
        }
    }
    matches!(status, 408 | 429) || (status >= 500 && status != 501 && status != 505)
}

/// ARM's 401 codes that a fresh token can cure. `InvalidAuthenticationTokenAudience` and
/// `InvalidAuthenticationTokenTenant` are not among them: a new token for the same scope
/// and tenant would be refused the same way (a configuration error).
const REFRESH_CODES: &[&str] = &["ExpiredAuthenticationToken", "InvalidAuthenticationToken"];

/// Whether an error response says the bearer token expired or is invalid, so that one
/// retry with a fresh token is worth it: a 401 from ARM with `ExpiredAuthenticationToken`
/// or `InvalidAuthenticationToken`, or a 401 from storage (DFS) with
/// `InvalidAuthenticationInfo` whose message says the token expired.
pub fn refreshes_token(status: u16, code: Option<&str>, message: &str) -> bool {
    if status != 401 {
        return false;
    }
    match code {
        Some(c) if REFRESH_CODES.contains(&c) => true,
        Some("InvalidAuthenticationInfo") => {
            let m = message.to_ascii_lowercase();
            m.contains("token is expired") || m.contains("token has expired")
        }
        _ => false,
    }
}

/// Whether a transport failure is worth retrying: connection and timeout failures are,
/// certificate and protocol failures are not.
pub fn is_retryable_transport(err: &reqwest::Error) -> bool {
    if err.is_builder() || err.is_redirect() {
        return false;
    }
    if is_certificate_problem(err) {
        return false;
    }
    err.is_connect() || err.is_timeout() || err.is_request() || err.is_body()
}

/// Whether a rustls error sits anywhere in the error's chain. `std::io::Error::source`
/// skips the error it wraps (it returns that error's source), so an I/O error is looked
/// into with `get_ref` as well.
pub fn is_certificate_problem(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if e.downcast_ref::<rustls::Error>().is_some() {
            return true;
        }
        if let Some(inner) = e
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
        {
            if is_certificate_problem(inner) {
                return true;
            }
        }
        source = e.source();
    }
    false
}

/// The wait the server asked for, if any.
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    for name in ["x-ms-retry-after-ms", "retry-after-ms"] {
        if let Some(v) = headers.get(name).and_then(|v| v.to_str().ok()) {
            if let Ok(ms) = v.trim().parse::<f64>() {
                if ms.is_finite() && ms >= 0.0 {
                    return Some(Duration::from_millis(ms as u64));
                }
            }
        }
    }
    let v = headers.get("retry-after").and_then(|v| v.to_str().ok())?;
    parse_retry_after(v, now)
}

/// `Retry-After`: delay-seconds or an HTTP date.
pub fn parse_retry_after(v: &str, now: SystemTime) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<f64>() {
        if secs.is_finite() && secs >= 0.0 {
            return Some(Duration::from_millis((secs * 1000.0) as u64));
        }
        return None;
    }
    let at = httpdate::parse_http_date(v).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..Default::default()
        }
    }

    /// Backoff before attempt `attempt + 1` (attempt counts from 1): exponential, capped,
    /// with "equal jitter" (between half and all of the capped value).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exp = attempt.saturating_sub(1).min(30);
        let base = self
            .initial_backoff
            .saturating_mul(1u32 << exp)
            .min(self.max_backoff);
        let half = base / 2;
        let jitter_ms = half.as_millis() as u64;
        let extra = if jitter_ms == 0 {
            0
        } else {
            rand::thread_rng().gen_range(0..=jitter_ms)
        };
        half + Duration::from_millis(extra)
    }

    /// Delay before the next attempt, or None when the budget is spent.
    ///
    /// `attempt` is the number of attempts made so far, `waited` the time already spent
    /// waiting, `server` the server's Retry-After if it gave one (it always wins over the
    /// computed backoff).
    pub fn next_delay(
        &self,
        attempt: u32,
        waited: Duration,
        server: Option<Duration>,
    ) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let delay = server.unwrap_or_else(|| self.backoff(attempt));
        if waited + delay > self.max_total {
            return None;
        }
        Some(delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn retryable_statuses_and_codes() {
        for s in [408, 429, 500, 502, 503, 504, 599] {
            assert!(is_retryable_status(s, None), "{s}");
        }
        for s in [400, 401, 403, 404, 409, 412, 501, 505] {
            assert!(!is_retryable_status(s, None), "{s}");
        }
        assert!(is_retryable_status(409, Some("AnotherOperationInProgress")));
        assert!(is_retryable_status(400, Some("RetryableError")));
        assert!(!is_retryable_status(409, Some("RoleAssignmentExists")));
    }

    #[test]
    fn certificate_problems_are_found_inside_io_errors() {
        let tls = std::io::Error::other(rustls::Error::InvalidCertificate(
            rustls::CertificateError::UnknownIssuer,
        ));
        assert!(is_certificate_problem(&tls));
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert!(!is_certificate_problem(&refused));
    }

    #[test]
    fn which_401s_get_a_fresh_token() {
        assert!(refreshes_token(401, Some("ExpiredAuthenticationToken"), ""));
        assert!(refreshes_token(401, Some("InvalidAuthenticationToken"), ""));
        assert!(refreshes_token(
            401,
            Some("InvalidAuthenticationInfo"),
            "Server failed to authenticate the request.\nLifetime validation failed. The token is expired."
        ));
        // Configuration errors: a new token would be refused the same way.
        for code in [
            "InvalidAuthenticationTokenAudience",
            "InvalidAuthenticationTokenTenant",
            "AuthenticationFailed",
            "AuthenticationFailedInvalidHeader",
            "NoAuthenticationInformation",
        ] {
            assert!(
                !refreshes_token(401, Some(code), "The token is expired."),
                "{code}"
            );
        }
        assert!(!refreshes_token(
            401,
            Some("InvalidAuthenticationInfo"),
            "Audience validation failed. Audience did not match."
        ));
        assert!(!refreshes_token(401, None, "expired"));
        // Only a 401 is about the token.
        assert!(!refreshes_token(
            403,
            Some("ExpiredAuthenticationToken"),
            ""
        ));
        assert!(!is_retryable_status(
            401,
            Some("ExpiredAuthenticationToken")
        ));
    }

    #[test]
    fn retry_after_in_all_spellings() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("7"));
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(7)));
        h.insert("retry-after-ms", HeaderValue::from_static("250"));
        assert_eq!(retry_after(&h, now), Some(Duration::from_millis(250)));
        h.insert("x-ms-retry-after-ms", HeaderValue::from_static("125"));
        assert_eq!(retry_after(&h, now), Some(Duration::from_millis(125)));

        let date = httpdate::fmt_http_date(now + Duration::from_secs(30));
        assert_eq!(parse_retry_after(&date, now), Some(Duration::from_secs(30)));
        let past = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(parse_retry_after(&past, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-3", now), None);
    }

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        let p = RetryPolicy {
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(400),
            ..Default::default()
        };
        for _ in 0..50 {
            let b1 = p.backoff(1);
            assert!(b1 >= Duration::from_millis(50) && b1 <= Duration::from_millis(100));
            let b3 = p.backoff(3);
            assert!(b3 >= Duration::from_millis(200) && b3 <= Duration::from_millis(400));
            let b10 = p.backoff(10);
            assert!(b10 <= Duration::from_millis(400));
        }
    }

    #[test]
    fn budget_bounds_attempts_and_total_time() {
        let p = RetryPolicy {
            max_attempts: 3,
            max_total: Duration::from_secs(10),
            ..Default::default()
        };
        assert_eq!(
            p.next_delay(1, Duration::ZERO, Some(Duration::from_secs(2))),
            Some(Duration::from_secs(2))
        );
        assert_eq!(p.next_delay(3, Duration::ZERO, None), None);
        assert_eq!(
            p.next_delay(1, Duration::from_secs(9), Some(Duration::from_secs(2))),
            None
        );
        assert_eq!(
            RetryPolicy::none().next_delay(1, Duration::ZERO, None),
            None
        );
    }
}
