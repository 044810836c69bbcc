//! Long-running operations, per ARM's rules (arm.md §1.3, §1.4).
//!
//! - `Azure-AsyncOperation` first: GET it until `status` is terminal
//!   (Succeeded / Failed / Canceled; anything else is still running).
//! - Otherwise `Location`: GET it while it answers 202 (following a new `Location` when
//!   one is given); 200/201/204 means done.
//! - A 200/201 without either header but with a non-terminal `provisioningState`: GET the
//!   resource until its provisioningState is terminal (absent counts as Succeeded).
//! - `Retry-After` on any response sets the next wait; else the configured interval.
//! - After success: PUT and PATCH GET the resource (the final state), DELETE is done,
//!   POST returns the Location result if there was one.
//!
//! Every poll is an ordinary pipeline request (rate-limited as a read, retried on 429/5xx),
//! and every wait ends at once when the operation is cancelled.

use std::time::{Duration, SystemTime};

use reqwest::Method;
use serde_json::Value as Json;
use url::Url;

use super::cancel::Ctx;
use super::error::{AzureError, LroFailure};
use super::pipeline::{Pipeline, Request, Response};
use super::retry;
use super::traffic_log::redact_url;

pub const AZURE_ASYNC_OPERATION: &str = "azure-asyncoperation";
pub const LOCATION: &str = "location";

/// Which verb started the operation (it decides the final step).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Put,
    Patch,
    Delete,
    Post,
}

impl Verb {
    pub fn of(method: &Method) -> Verb {
        match *method {
            Method::PUT => Verb::Put,
            Method::PATCH => Verb::Patch,
            Method::DELETE => Verb::Delete,
            _ => Verb::Post,
        }
    }
}

/// Terminal state of a status string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Succeeded,
    Failed,
    Canceled,
    Running,
}

pub fn state_of(status: &str) -> State {
    match status.to_ascii_lowercase().as_str() {
        "succeeded" => State::Succeeded,
        "failed" => State::Failed,
        "canceled" | "cancelled" => State::Canceled,
        _ => State::Running,
    }
}

/// `properties.provisioningState` (or a top-level one), if any.
pub fn provisioning_state(body: &Json) -> Option<&str> {
    body.get("properties")
        .and_then(|p| p.get("provisioningState"))
        .or_else(|| body.get("provisioningState"))
        .and_then(Json::as_str)
}

/// Settings of one poller.
pub struct Poller<'a> {
    pub pipeline: &'a Pipeline,
    pub scope: &'a str,
    pub default_interval: Duration,
}

fn parse_poll_url(resp: &Response, name: &str, base: &Url) -> Option<Url> {
    let v = resp.header(name)?.trim();
    if v.is_empty() {
        return None;
    }
    // Absolute per the RPC; accept a relative one against the request URL.
    Url::parse(v).or_else(|_| base.join(v)).ok()
}

fn failure(status: &str, body: &Json, url: &Url, ctx: &Ctx) -> AzureError {
    let err = body
        .get("error")
        .or_else(|| body.get("properties").and_then(|p| p.get("error")));
    let parsed = err
        .map(|e| super::error::parse_error_body(e.to_string().as_bytes()))
        .unwrap_or_default();
    AzureError::LroFailed(Box::new(LroFailure {
        status: status.to_string(),
        code: parsed.code,
        message: parsed
            .message
            .or_else(|| Some(format!("the operation's status is {status}"))),
        details: parsed.details,
        url: redact_url(url),
        correlation_id: Some(ctx.correlation_id().to_string()),
    }))
}

impl Poller<'_> {
    fn wait_after(&self, resp: &Response) -> Duration {
        retry::retry_after(&resp.headers, SystemTime::now()).unwrap_or(self.default_interval)
    }

    async fn get(&self, ctx: &Ctx, url: &Url) -> Result<Response, AzureError> {
        let req = Request::new(Method::GET, url.clone(), self.scope).arm();
        self.pipeline.send(ctx, &req).await
    }

    /// Drive an operation whose first response was `initial` to its end. Returns the final
    /// resource body for PUT/PATCH, the result for POST, None for DELETE.
    pub async fn complete(
        &self,
        ctx: &Ctx,
        verb: Verb,
        resource_url: &Url,
        initial: Response,
    ) -> Result<Option<Json>, AzureError> {
        let async_url = parse_poll_url(&initial, AZURE_ASYNC_OPERATION, resource_url);
        let location = parse_poll_url(&initial, LOCATION, resource_url);
        let mut wait = self.wait_after(&initial);

        if let Some(op_url) = async_url {
            self.poll_status(ctx, &op_url, wait).await?;
            return self.finish(ctx, verb, resource_url, location).await;
        }
        if initial.status == 202 {
            if let Some(loc) = location {
                return self.poll_location(ctx, verb, resource_url, loc, wait).await;
            }
        }
        // No operation URL: a synchronous answer, or provisioningState polling.
        match verb {
            Verb::Delete => {
                if initial.status == 202 {
                    // Accepted without a URL: wait until the resource is gone.
                    loop {
                        ctx.sleep("waiting for an Azure delete", wait).await?;
                        match self.get(ctx, resource_url).await {
                            Err(AzureError::NotFound(_)) => return Ok(None),
                            Err(e) => return Err(e),
                            Ok(r) => wait = self.wait_after(&r),
                        }
                    }
                }
                Ok(None)
            }
            Verb::Post => Ok(Some(initial.json(resource_url)?).filter(|j| !j.is_null())),
            Verb::Put | Verb::Patch => {
                let mut body = initial.json(resource_url)?;
                if initial.status == 202 && body.is_null() {
                    body = self.get(ctx, resource_url).await?.json(resource_url)?;
                }
                loop {
                    match provisioning_state(&body).map(state_of) {
                        None | Some(State::Succeeded) => return Ok(Some(body)),
                        Some(State::Failed) | Some(State::Canceled) => {
                            let status = provisioning_state(&body).unwrap_or("Failed").to_string();
                            return Err(failure(&status, &body, resource_url, ctx));
                        }
                        Some(State::Running) => {
                            ctx.sleep("waiting for an Azure resource to be provisioned", wait)
                                .await?;
                            let r = self.get(ctx, resource_url).await?;
                            wait = self.wait_after(&r);
                            body = r.json(resource_url)?;
                        }
                    }
                }
            }
        }
    }

    /// Poll an `Azure-AsyncOperation` URL until its status is terminal.
    async fn poll_status(
        &self,
        ctx: &Ctx,
        op_url: &Url,
        first_wait: Duration,
    ) -> Result<(), AzureError> {
        let mut wait = first_wait;
        loop {
            ctx.sleep("waiting for an Azure operation", wait).await?;
            let r = self.get(ctx, op_url).await?;
            let body = r.json(op_url)?;
            let status = body
                .get("status")
                .and_then(Json::as_str)
                .unwrap_or("InProgress");
            match state_of(status) {
                State::Succeeded => return Ok(()),
                State::Failed | State::Canceled => {
                    return Err(failure(status, &body, op_url, ctx));
                }
                State::Running => wait = self.wait_after(&r),
            }
        }
    }

    /// Poll a `Location` URL while it answers 202.
    async fn poll_location(
        &self,
        ctx: &Ctx,
        verb: Verb,
        resource_url: &Url,
        first: Url,
        first_wait: Duration,
    ) -> Result<Option<Json>, AzureError> {
        let mut url = first;
        let mut wait = first_wait;
        loop {
            ctx.sleep("waiting for an Azure operation", wait).await?;
            let r = match self.get(ctx, &url).await {
                Ok(r) => r,
                // A delete's result URL may answer 404 once the resource is gone.
                Err(AzureError::NotFound(_)) if verb == Verb::Delete => return Ok(None),
                Err(e) => return Err(e),
            };
            if r.status == 202 {
                if let Some(next) = parse_poll_url(&r, LOCATION, &url) {
                    url = next;
                }
                wait = self.wait_after(&r);
                continue;
            }
            return match verb {
                Verb::Delete => Ok(None),
                Verb::Post => Ok(Some(r.json(&url)?).filter(|j| !j.is_null())),
                Verb::Put | Verb::Patch => {
                    let body = self.get(ctx, resource_url).await?.json(resource_url)?;
                    Ok(Some(body))
                }
            };
        }
    }

    /// After an async operation succeeded.
    async fn finish(
        &self,
        ctx: &Ctx,
        verb: Verb,
        resource_url: &Url,
        location: Option<Url>,
    ) -> Result<Option<Json>, AzureError> {
        match verb {
            Verb::Delete => Ok(None),
            Verb::Put | Verb::Patch => {
                Ok(Some(self.get(ctx, resource_url).await?.json(resource_url)?))
            }
            Verb::Post => match location {
                Some(loc) => {
                    let r = self.get(ctx, &loc).await?;
                    Ok(Some(r.json(&loc)?).filter(|j| !j.is_null()))
                }
                None => Ok(None),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_states() {
        assert_eq!(state_of("Succeeded"), State::Succeeded);
        assert_eq!(state_of("failed"), State::Failed);
        assert_eq!(state_of("Canceled"), State::Canceled);
        assert_eq!(state_of("Cancelled"), State::Canceled);
        assert_eq!(state_of("InProgress"), State::Running);
        assert_eq!(state_of("Updating"), State::Running);
        assert_eq!(state_of("Accepted"), State::Running);
    }

    #[test]
    fn provisioning_state_lookup() {
        let b: Json = serde_json::json!({"properties":{"provisioningState":"Updating"}});
        assert_eq!(provisioning_state(&b), Some("Updating"));
        assert_eq!(provisioning_state(&serde_json::json!({})), None);
    }

    #[test]
    fn failure_carries_the_operation_error() {
        let body = serde_json::json!({"status":"Failed","error":{"code":"InUseSubnetCannotBeDeleted",
            "message":"Subnet s1 is in use","details":[{"code":"Inner","message":"m"}]}});
        let url = Url::parse("https://management.azure.com/op?api-version=1").expect("url");
        let err = failure("Failed", &body, &url, &Ctx::background());
        assert_eq!(err.code(), Some("InUseSubnetCannotBeDeleted"));
        assert!(err.detail().contains("Subnet s1 is in use"));
        assert!(err.detail().contains("Inner: m"));
        assert_eq!(
            err.summary(),
            "Azure operation failed (InUseSubnetCannotBeDeleted)"
        );
    }
}
