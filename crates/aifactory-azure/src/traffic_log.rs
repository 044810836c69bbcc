//! One debug line per HTTP request: method, URL without secrets, status, duration,
//! `x-ms-request-id`. Never a header value other than the ids, never a body, never a token.

use std::time::Duration;

use url::Url;

/// Query parameters whose values are masked wherever a URL is logged or shown
/// (SAS signatures, OAuth codes and secrets, tokens).
const SENSITIVE_QUERY: &[&str] = &[
    "sig",
    "signature",
    "code",
    "client_secret",
    "client_assertion",
    "access_token",
    "refresh_token",
    "id_token",
    "token",
    "password",
    "secret",
    "api_key",
    "apikey",
    "key",
];

/// Placeholder written instead of a secret.
pub const REDACTED: &str = "REDACTED";

fn is_sensitive(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SENSITIVE_QUERY.contains(&lower.as_str())
}

/// The URL with user info removed and sensitive query values masked.
pub fn redact_url(url: &Url) -> String {
    let mut u = url.clone();
    if !u.username().is_empty() || u.password().is_some() {
        let _ = u.set_username("");
        let _ = u.set_password(None);
    }
    if u.query().is_some() {
        let pairs: Vec<(String, String)> = u
            .query_pairs()
            .map(|(k, v)| {
                let v = if is_sensitive(&k) {
                    REDACTED.to_string()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        u.query_pairs_mut().clear().extend_pairs(pairs);
    }
    u.to_string()
}

/// Same as [`redact_url`] for a string that may not parse (then only the query is dropped).
pub fn redact_str(url: &str) -> String {
    match Url::parse(url) {
        Ok(u) => redact_url(&u),
        Err(_) => url.split('?').next().unwrap_or_default().to_string(),
    }
}

/// What a request looked like, for the log line.
pub struct Traffic<'a> {
    pub method: &'a str,
    pub url: &'a Url,
    pub status: Option<u16>,
    pub duration: Duration,
    pub request_id: Option<&'a str>,
    pub correlation_id: &'a str,
    pub attempt: u32,
    pub error: Option<&'a str>,
}

/// Write the debug line.
pub fn log(t: &Traffic<'_>) {
    let url = redact_url(t.url);
    let ms = t.duration.as_millis() as u64;
    match t.status {
        Some(status) => tracing::debug!(
            target: "aifactory::azure::http",
            method = t.method,
            url = %url,
            status,
            duration_ms = ms,
            request_id = t.request_id.unwrap_or("-"),
            correlation_id = t.correlation_id,
            attempt = t.attempt,
            "azure request"
        ),
        None => tracing::debug!(
            target: "aifactory::azure::http",
            method = t.method,
            url = %url,
            duration_ms = ms,
            correlation_id = t.correlation_id,
            attempt = t.attempt,
            error = t.error.unwrap_or("-"),
            "azure request failed without a response"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_sensitive_query_values_and_user_info() {
        let u = Url::parse(
            "https://user:pw@acct.blob.core.windows.net/c/b?sv=2021&sig=abc%2Bdef&se=x&code=123&client_secret=s3cr3t&api-version=2021-04-01",
        )
        .expect("url");
        let r = redact_url(&u);
        assert!(!r.contains("abc"), "{r}");
        assert!(!r.contains("123"), "{r}");
        assert!(!r.contains("s3cr3t"), "{r}");
        assert!(!r.contains("pw"), "{r}");
        assert!(r.contains("sig=REDACTED"), "{r}");
        assert!(r.contains("api-version=2021-04-01"), "{r}");
        assert!(r.contains("sv=2021"), "{r}");
    }

    #[test]
    fn urls_without_query_are_unchanged() {
        let u = Url::parse("https://management.azure.com/subscriptions/x").expect("url");
        assert_eq!(
            redact_url(&u),
            "https://management.azure.com/subscriptions/x"
        );
        assert_eq!(redact_str("not a url?sig=1"), "not a url");
    }
}
