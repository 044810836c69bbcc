//! The HTTPS server: loopback listener, TLS accept, HTTP/1.1 + HTTP/2 via hyper, and the
//! per-request pipeline (admin bypass, fault/latency injection, routing to Entra / MSI /
//! ARM / DFS / Blob, common response headers, journal, persistence trigger).
//!
//! Owns sockets and routing by first path segment; must not implement service semantics.
//! The state it serves is the `shared::Shared` handle.

use crate::faults::{FaultAction, LroOverride};
use crate::http::{arm_error, arm_error_details, Req, Resp};
use crate::journal::{redact_body, JournalEntry};
use crate::shared::Shared;
use crate::{admin, arm, blob, dfs, entra, msi, token, util};
use bytes::Bytes;
use http::{Method, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;

/// Maximum request body (ARM's RP limit is 8 MB).
const MAX_BODY: usize = 8 * 1024 * 1024;

/// Error that makes hyper drop the connection without answering.
#[derive(Debug, thiserror::Error)]
#[error("connection reset by fault injection")]
pub struct InjectedReset;

/// Accepts connections until `shutdown` flips.
pub async fn serve(
    shared: Arc<Shared>,
    listener: TcpListener,
    acceptor: TlsAcceptor,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
            acc = listener.accept() => {
                let Ok((tcp, _peer)) = acc else { continue };
                let _ = tcp.set_nodelay(true);
                let acceptor = acceptor.clone();
                let shared = shared.clone();
                conns.spawn(async move {
                    let tls = match tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await {
                        Ok(Ok(s)) => s,
                        _ => return,
                    };
                    let svc = hyper::service::service_fn(move |req| {
                        let shared = shared.clone();
                        async move { handle(shared, req).await }
                    });
                    let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(tls), svc)
                        .await;
                });
            }
        }
    }
    conns.abort_all();
    while conns.join_next().await.is_some() {}
}

fn decode_segments(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(util::pct_decode)
        .collect()
}

async fn handle(
    shared: Arc<Shared>,
    req: hyper::Request<Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, InjectedReset> {
    let started = Instant::now();
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            let r = arm_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "RequestEntityTooLarge",
                "The request body is larger than 8 MB or could not be read.",
            );
            return Ok(to_hyper(r));
        }
    };
    let req = to_req(parts, body);
    if req.segments.first().is_some_and(|s| s == "_emulator") {
        let r = admin::handle(&shared, &req);
        return Ok(to_hyper(r));
    }
    // Faults and latency.
    let (outcome, latency) = {
        let mut st = shared.lock();
        let o = st.faults.evaluate(req.method.as_str(), &req.raw_path);
        let (l, j) = (st.settings.latency_ms, st.settings.jitter_ms);
        let jitter = st.faults.jitter(j);
        (o, l + jitter)
    };
    let total = latency + outcome.latency_ms;
    if total > 0 {
        tokio::time::sleep(Duration::from_millis(total)).await;
    }
    let mut resp = outcome
        .terminal
        .as_ref()
        .and_then(injected)
        .unwrap_or_else(|| route(&shared, &req, outcome.lro.clone()));
    resp.fault = (!outcome.names.is_empty()).then(|| outcome.names.join(","));
    if resp.principal.is_none() {
        resp.principal = bearer_principal(&shared, &req);
    }
    resp = common_headers(resp, &req);
    record(&shared, &req, &resp, started, outcome.names.clone());
    if shared.state_file.is_some() && shared.lock().dirty {
        shared.persist.notify_one();
    }
    if resp.reset {
        return Err(InjectedReset);
    }
    Ok(to_hyper(resp))
}

/// The request as the handlers see it: decoded segments and query, request and correlation
/// IDs.
fn to_req(parts: http::request::Parts, body: Bytes) -> Req {
    let raw_path = parts.uri.path().to_string();
    let raw_query = parts.uri.query().unwrap_or_default().to_string();
    let correlation_id = parts
        .headers
        .get("x-ms-correlation-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .unwrap_or_else(util::new_guid);
    Req {
        method: parts.method,
        segments: decode_segments(&raw_path),
        query: util::parse_form(&raw_query),
        raw_path,
        raw_query,
        headers: parts.headers,
        body,
        request_id: util::new_guid(),
        correlation_id,
    }
}

/// The answer of a terminal fault (`None`: the action does not answer by itself).
fn injected(action: &FaultAction) -> Option<Resp> {
    match action {
        FaultAction::Reset => Some(Resp::reset()),
        FaultAction::Status {
            status,
            code,
            message,
            retry_after_secs,
        } => {
            let st = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let code = code.clone().unwrap_or_else(|| match st.as_u16() {
                500 => "InternalServerError".into(),
                502 => "BadGateway".into(),
                503 => "ServiceUnavailable".into(),
                504 => "GatewayTimeout".into(),
                429 => "TooManyRequests".into(),
                409 => "Conflict".into(),
                _ => st.canonical_reason().unwrap_or("Error").replace(' ', ""),
            });
            let msg = message.clone().unwrap_or_else(|| "Injected fault.".into());
            let mut r = arm_error(st, &code, msg);
            if let Some(s) = retry_after_secs {
                r = r.header("retry-after", s.to_string());
            }
            Some(r)
        }
        FaultAction::RetryableError { retry_after_secs } => Some(
            arm_error_details(
                StatusCode::TOO_MANY_REQUESTS,
                "RetryableError",
                "A retryable error occurred.",
                json!([{"code": "RetryableErrorDueToAnotherOperation", "message": format!("Another operation is in progress. The call can be retried in {retry_after_secs} seconds.")}]),
            )
            .header("retry-after", retry_after_secs.to_string()),
        ),
        _ => None,
    }
}

/// Writes the journal entry of an answered request.
fn record(shared: &Shared, req: &Req, resp: &Resp, started: Instant, faults: Vec<String>) {
    let st_time = shared.lock().now_ms();
    let duration_ms = started.elapsed().as_millis() as u64;
    shared.journal.record(JournalEntry {
        seq: 0,
        time: util::iso8601(st_time - duration_ms as i64),
        method: req.method.to_string(),
        path: req.raw_path.clone(),
        query: req.raw_query.clone(),
        body: redact_body(req.header("content-type"), &req.body),
        status: if resp.reset { 0 } else { resp.status.as_u16() },
        duration_ms,
        principal: resp.principal.clone(),
        request_id: req.request_id.clone(),
        correlation_id: req.correlation_id.clone(),
        faults,
    });
}

/// Object id from a valid emulator bearer token (for journal lines of faulted requests).
fn bearer_principal(shared: &Shared, req: &Req) -> Option<String> {
    let h = req.header("authorization")?;
    let (scheme, tok) = h.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let key = shared.lock().signing_key.clone();
    let jwt = token::verify(&key, tok.trim()).ok()?;
    jwt.claims
        .get("oid")
        .and_then(serde_json::Value::as_str)
        .map(str::to_string)
}

fn route(shared: &Shared, req: &Req, lro: LroOverride) -> Resp {
    let segs: Vec<&str> = req.segments.iter().map(String::as_str).collect();
    let base = shared.base_url.as_str();
    let is = |i: usize, w: &str| segs.get(i).is_some_and(|s| s.eq_ignore_ascii_case(w));
    if segs.is_empty() || is(0, "subscriptions") || is(0, "providers") || is(0, "tenants") {
        let mut st = shared.lock();
        return arm::handle(&mut st, base, req, lro);
    }
    if is(0, "dfs") {
        let mut st = shared.lock();
        return dfs::handle(&mut st, base, req);
    }
    if is(0, "blob") {
        let mut st = shared.lock();
        return blob::handle(&mut st, base, req);
    }
    if is(0, "msi") && is(1, "token") && segs.len() == 2 {
        let st = shared.lock();
        return msi::app_service(&st, &shared.identity_header, req);
    }
    if is(0, "metadata") && is(1, "identity") && is(2, "oauth2") && is(3, "token") {
        let st = shared.lock();
        return msi::imds(&st, req);
    }
    if is(0, "metadata") && is(1, "endpoints") {
        return cloud_metadata(base);
    }
    if segs.len() >= 3 && is(1, "oauth2") {
        let st = shared.lock();
        if segs.len() == 4 && is(2, "v2.0") && is(3, "token") {
            return entra::token_endpoint(&st, base, req, segs[0], true);
        }
        if segs.len() == 3 && is(2, "token") {
            return entra::token_endpoint(&st, base, req, segs[0], false);
        }
    }
    if segs.len() == 4 && is(1, "v2.0") && is(2, ".well-known") && is(3, "openid-configuration") {
        let st = shared.lock();
        return entra::openid_configuration(&st, base, segs[0]);
    }
    Resp::json(
        StatusCode::NOT_FOUND,
        &json!({"error": {"code": "NotFound", "message": format!("No emulated endpoint at {} {}.", req.method, req.raw_path)}}),
    )
}

/// `GET /metadata/endpoints`: cloud configuration pointing everything at the emulator.
fn cloud_metadata(base: &str) -> Resp {
    Resp::json(
        StatusCode::OK,
        &json!({
            "name": "AIFactoryEmulator",
            "resourceManager": format!("{base}/"),
            "authentication": {
                "loginEndpoint": format!("{base}/"),
                "audiences": ["https://management.core.windows.net/", "https://management.azure.com/"],
                "tenant": "common",
                "identityProvider": "AAD",
            },
            "suffixes": {"storage": "core.windows.net"},
        }),
    )
}

fn common_headers(mut r: Resp, req: &Req) -> Resp {
    r = r
        .header("x-ms-request-id", req.request_id.clone())
        .header("x-ms-correlation-request-id", req.correlation_id.clone());
    let arm = req.segments.first().is_some_and(|s| {
        s.eq_ignore_ascii_case("subscriptions")
            || s.eq_ignore_ascii_case("providers")
            || s.eq_ignore_ascii_case("tenants")
    }) || req.segments.is_empty();
    if arm {
        r = r
            .header(
                "x-ms-routing-request-id",
                format!(
                    "LOCAL:{}:{}",
                    util::compact_time(util::system_now_ms()),
                    req.request_id
                ),
            )
            .header("cache-control", "no-cache")
            .header("expires", "-1");
    }
    let echo = req
        .header("x-ms-return-client-request-id")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        || req
            .segments
            .first()
            .is_some_and(|s| s == "dfs" || s == "blob");
    if echo {
        if let Some(c) = req.header("x-ms-client-request-id") {
            r = r.header("x-ms-client-request-id", c.to_string());
        }
    }
    if req.method == Method::HEAD {
        r.body = Bytes::new();
    }
    r
}

fn to_hyper(r: Resp) -> hyper::Response<Full<Bytes>> {
    let mut b = hyper::Response::builder().status(r.status);
    for (k, v) in &r.headers {
        if let (Ok(n), Ok(v)) = (
            http::HeaderName::from_bytes(k.as_bytes()),
            http::HeaderValue::from_str(v),
        ) {
            b = b.header(n, v);
        }
    }
    b.body(Full::new(r.body))
        .unwrap_or_else(|_| hyper::Response::new(Full::new(Bytes::new())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_decoded_and_metadata_points_home() {
        assert_eq!(
            decode_segments("/a/%7Bb%7D//c%20d/"),
            vec!["a", "{b}", "c d"]
        );
        let m = cloud_metadata("https://127.0.0.1:1").body_json().unwrap();
        assert_eq!(m["resourceManager"], "https://127.0.0.1:1/");
        assert_eq!(m["authentication"]["loginEndpoint"], "https://127.0.0.1:1/");
    }
}
