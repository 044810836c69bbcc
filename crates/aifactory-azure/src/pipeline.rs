//! The request pipeline every Azure call goes through: client-side rate limit (ARM
//! only), concurrency slot, bearer token, User-Agent and correlation headers, the request,
//! one log line, and retries with backoff.
//!
//! A 401 whose code says the bearer token expired or is invalid
//! ([`retry::refreshes_token`]) drops that token from the cache, fetches a fresh one and
//! sends the request once more (the body is kept as bytes, so it can be sent again); a
//! second such 401 is reported as it is.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::Method;
use tokio::sync::Semaphore;
use url::Url;

use super::cancel::Ctx;
use super::config::Sensitive;
use super::correlation::{self, REQUEST_ID};
use super::credentials::TokenProvider;
use super::error::{classify, parse_error_body, ApiError, AzureError};
use super::retry::{self, RetryPolicy};
use super::throttle::{OpClass, Throttle};
use super::traffic_log::{self, Traffic};

/// One logical request.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    pub url: Url,
    /// Extra headers (`x-ms-version`, `If-None-Match`, DFS ACL headers, ...).
    pub headers: Vec<(String, String)>,
    /// JSON body (sent with `Content-Type: application/json`).
    pub body: Option<Bytes>,
    /// Token scope, e.g. `https://management.azure.com/.default`.
    pub scope: String,
    /// The ARM bucket this request draws from; None for non-ARM endpoints.
    pub class: Option<OpClass>,
}

impl Request {
    pub fn new(method: Method, url: Url, scope: impl Into<String>) -> Self {
        Request {
            method,
            url,
            headers: Vec::new(),
            body: None,
            scope: scope.into(),
            class: None,
        }
    }
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
    pub fn json(mut self, body: &serde_json::Value) -> Self {
        self.body = Some(Bytes::from(body.to_string()));
        self
    }
    /// Count against ARM's buckets (by method).
    pub fn arm(mut self) -> Self {
        self.class = Some(OpClass::of(&self.method));
        self
    }
}

/// A successful (status < 400) response.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// Attempts it took (1 = no retry).
    pub attempts: u32,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    pub fn request_id(&self) -> Option<&str> {
        self.header(REQUEST_ID)
    }
    /// The body as JSON; an empty body is `Null`.
    pub fn json(&self, url: &Url) -> Result<serde_json::Value, AzureError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(serde_json::Value::Null);
        }
        serde_json::from_slice(&self.body).map_err(|e| AzureError::Protocol {
            url: traffic_log::redact_url(url),
            message: format!("response body is not JSON: {e}"),
        })
    }
}

/// The shared pipeline.
#[derive(Debug)]
pub struct Pipeline {
    http: reqwest::Client,
    tokens: Arc<TokenProvider>,
    retry: RetryPolicy,
    throttle: Option<Arc<Throttle>>,
    slots: Arc<Semaphore>,
    user_agent: String,
}

enum Step {
    Done(Result<Response, AzureError>),
    /// Retry after the server's wait (if it gave one), else the backoff; with the error to
    /// return if the budget says no.
    Retry(Option<Duration>, AzureError),
    /// The token was refused: drop it (if it is still the cached one) and send again at
    /// once with a fresh one.
    Again(Sensitive),
}

impl Pipeline {
    pub fn new(
        http: reqwest::Client,
        tokens: Arc<TokenProvider>,
        retry: RetryPolicy,
        throttle: Option<Arc<Throttle>>,
        max_concurrency: usize,
        user_agent: String,
    ) -> Self {
        Pipeline {
            http,
            tokens,
            retry,
            throttle,
            slots: Arc::new(Semaphore::new(max_concurrency.max(1))),
            user_agent,
        }
    }

    pub fn tokens(&self) -> &Arc<TokenProvider> {
        &self.tokens
    }

    pub fn throttle(&self) -> Option<&Arc<Throttle>> {
        self.throttle.as_ref()
    }

    /// Send with retries. Statuses >= 400 become typed errors.
    pub async fn send(&self, ctx: &Ctx, req: &Request) -> Result<Response, AzureError> {
        let mut attempt = 0u32;
        let mut waited = Duration::ZERO;
        let mut refreshed = false;
        loop {
            attempt += 1;
            match self.attempt(ctx, req, attempt, refreshed).await {
                Step::Done(r) => return r,
                Step::Again(refused) => {
                    refreshed = true;
                    self.tokens.invalidate_if(&req.scope, &refused).await;
                }
                Step::Retry(server, err) => {
                    let Some(delay) = self.retry.next_delay(attempt, waited, server) else {
                        return Err(err);
                    };
                    if let Some(rem) = ctx.remaining() {
                        if rem < delay {
                            return Err(err);
                        }
                    }
                    tracing::debug!(
                        target: "aifactory::azure::http",
                        attempt,
                        delay_ms = delay.as_millis() as u64,
                        correlation_id = ctx.correlation_id(),
                        "retrying Azure request"
                    );
                    ctx.sleep("waiting to retry an Azure request", delay)
                        .await?;
                    waited += delay;
                }
            }
        }
    }

    async fn attempt(&self, ctx: &Ctx, req: &Request, attempt: u32, refreshed: bool) -> Step {
        if let Err(e) = ctx.check("sending an Azure request") {
            return Step::Done(Err(e));
        }
        if let (Some(t), Some(class)) = (&self.throttle, req.class) {
            if let Err(e) = t.acquire(ctx, class).await {
                return Step::Done(Err(e));
            }
        }
        let permit = match ctx
            .run(
                "waiting for a free Azure request slot",
                self.slots.clone().acquire_owned(),
            )
            .await
        {
            Ok(Ok(p)) => p,
            Ok(Err(_)) => {
                return Step::Done(Err(AzureError::Protocol {
                    url: traffic_log::redact_url(&req.url),
                    message: "the request pipeline is shut down".into(),
                }))
            }
            Err(e) => return Step::Done(Err(e)),
        };
        let token = match self.tokens.token(ctx, &req.scope).await {
            Ok(t) => t,
            Err(e) => return Step::Done(Err(e)),
        };
        let mut rb = self
            .http
            .request(req.method.clone(), req.url.clone())
            .bearer_auth(token.expose())
            .header("User-Agent", &self.user_agent)
            .header("Accept", "application/json");
        for (k, v) in correlation::request_headers(ctx.correlation_id()) {
            rb = rb.header(k, v);
        }
        for (k, v) in &req.headers {
            rb = rb.header(k.as_str(), v.as_str());
        }
        if let Some(body) = &req.body {
            rb = rb
                .header("Content-Type", "application/json")
                .body(body.clone());
        } else if matches!(req.method, Method::PUT | Method::PATCH | Method::POST) {
            rb = rb.header("Content-Length", "0");
        }
        let started = Instant::now();
        let method = req.method.as_str();
        let sent = ctx.run("waiting for Azure to respond", rb.send()).await;
        let transport_error = |msg: String| AzureError::Transport {
            method: method.to_string(),
            url: traffic_log::redact_url(&req.url),
            message: msg,
            correlation_id: Some(ctx.correlation_id().to_string()),
            attempts: attempt,
        };
        let resp = match sent {
            Err(cancel) => return Step::Done(Err(cancel)),
            Ok(Err(e)) => {
                let msg = error_text(&e);
                traffic_log::log(&Traffic {
                    method,
                    url: &req.url,
                    status: None,
                    duration: started.elapsed(),
                    request_id: None,
                    correlation_id: ctx.correlation_id(),
                    attempt,
                    error: Some(&msg),
                });
                let retryable = retry::is_retryable_transport(&e);
                let err = transport_error(msg);
                return if retryable {
                    Step::Retry(None, err)
                } else {
                    Step::Done(Err(err))
                };
            }
            Ok(Ok(r)) => r,
        };
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = match ctx.run("reading an Azure response", resp.bytes()).await {
            Err(cancel) => return Step::Done(Err(cancel)),
            Ok(Err(e)) => {
                let msg = error_text(&e);
                traffic_log::log(&Traffic {
                    method,
                    url: &req.url,
                    status: Some(status),
                    duration: started.elapsed(),
                    request_id: headers.get(REQUEST_ID).and_then(|v| v.to_str().ok()),
                    correlation_id: ctx.correlation_id(),
                    attempt,
                    error: Some(&msg),
                });
                return Step::Retry(None, transport_error(msg));
            }
            Ok(Ok(b)) => b,
        };
        drop(permit);
        let request_id = headers
            .get(REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        traffic_log::log(&Traffic {
            method,
            url: &req.url,
            status: Some(status),
            duration: started.elapsed(),
            request_id: request_id.as_deref(),
            correlation_id: ctx.correlation_id(),
            attempt,
            error: None,
        });
        if status < 400 {
            return Step::Done(Ok(Response {
                status,
                headers,
                body,
                attempts: attempt,
            }));
        }
        let parsed = parse_error_body(&body);
        let code = parsed.code.clone().or_else(|| {
            headers
                .get("x-ms-error-code")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        });
        let api = ApiError {
            status,
            method: method.to_string(),
            url: traffic_log::redact_url(&req.url),
            code: code.clone(),
            message: parsed.message.unwrap_or_else(|| {
                reqwest::StatusCode::from_u16(status)
                    .ok()
                    .and_then(|s| s.canonical_reason())
                    .unwrap_or("error")
                    .to_string()
            }),
            target: parsed.target,
            details: parsed.details,
            additional_info: parsed.additional_info,
            request_id,
            correlation_id: Some(ctx.correlation_id().to_string()),
            attempts: attempt,
        };
        if !refreshed && retry::refreshes_token(status, code.as_deref(), &api.message) {
            tracing::debug!(
                target: "aifactory::azure::http",
                attempt,
                code = code.as_deref().unwrap_or("-"),
                correlation_id = ctx.correlation_id(),
                "the bearer token was refused; retrying once with a fresh token"
            );
            return Step::Again(token);
        }
        if retry::is_retryable_status(status, code.as_deref()) {
            let server = retry::retry_after(&headers, SystemTime::now());
            return Step::Retry(server, classify(api));
        }
        Step::Done(Err(classify(api)))
    }
}

/// A reqwest error with its sources; a URL in the text is masked.
pub(crate) fn error_text(e: &reqwest::Error) -> String {
    let mut s = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(inner) = src {
        let t = inner.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        src = inner.source();
    }
    if let Some(u) = e.url() {
        s = s.replace(u.as_str(), &traffic_log::redact_url(u));
    }
    s
}
