//! The generic ARM client: operations by resource ID and api-version, LROs driven to
//! their end, lists paged through `nextLink`. Resource modules stay thin on top of it.

use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use serde_json::Value as Json;
use url::Url;

use super::cancel::Ctx;
use super::error::AzureError;
use super::lro::{Poller, Verb};
use super::pipeline::{Pipeline, Request, Response};
use super::traffic_log::redact_url;

/// Generic ARM operations.
#[derive(Debug, Clone)]
pub struct ArmClient {
    pipeline: Arc<Pipeline>,
    base: Url,
    scope: String,
    poll_interval: Duration,
}

/// Limit on pages followed by [`ArmClient::list`] (a loop guard, not a real limit).
const MAX_PAGES: usize = 10_000;

impl ArmClient {
    pub fn new(pipeline: Arc<Pipeline>, base: Url, scope: String, poll_interval: Duration) -> Self {
        ArmClient {
            pipeline,
            base,
            scope,
            poll_interval,
        }
    }

    /// The Resource Manager endpoint.
    pub fn endpoint(&self) -> &Url {
        &self.base
    }

    pub fn pipeline(&self) -> &Arc<Pipeline> {
        &self.pipeline
    }

    /// The URL of a resource ID (`/subscriptions/...`) with its api-version.
    pub fn url(&self, id: &str, api_version: &str) -> Result<Url, AzureError> {
        let id = crate::id::ArmId::parse_path(id).map_err(|e| {
            AzureError::config(
                "resource id",
                format!("{id:?} is not an ARM resource ID: {e}"),
            )
        })?;
        if api_version.trim().is_empty() {
            return Err(AzureError::config(
                "api-version",
                format!("no api-version for {}", id.as_str()),
            ));
        }
        let mut url = self.base.clone();
        // Each segment percent-encoded: the request goes to exactly this ID.
        let path = format!(
            "{}{}",
            self.base.path().trim_end_matches('/'),
            id.url_path()
        );
        url.set_path(&path);
        url.set_query(None);
        url.query_pairs_mut()
            .append_pair("api-version", api_version);
        Ok(url)
    }

    fn request(&self, method: Method, url: Url) -> Request {
        Request::new(method, url, self.scope.clone()).arm()
    }

    fn poller(&self) -> Poller<'_> {
        Poller {
            pipeline: &self.pipeline,
            scope: &self.scope,
            default_interval: self.poll_interval,
        }
    }

    /// Send any request (no LRO handling); statuses >= 400 are errors.
    pub async fn send(&self, ctx: &Ctx, req: &Request) -> Result<Response, AzureError> {
        self.pipeline.send(ctx, req).await
    }

    /// GET a resource.
    pub async fn get(&self, ctx: &Ctx, id: &str, api_version: &str) -> Result<Json, AzureError> {
        let url = self.url(id, api_version)?;
        let r = self
            .send(ctx, &self.request(Method::GET, url.clone()))
            .await?;
        r.json(&url)
    }

    /// GET a resource; `None` when it does not exist (404).
    pub async fn get_opt(
        &self,
        ctx: &Ctx,
        id: &str,
        api_version: &str,
    ) -> Result<Option<Json>, AzureError> {
        match self.get(ctx, id, api_version).await {
            Ok(j) => Ok(Some(j)),
            Err(AzureError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// HEAD: whether the resource exists (204/200 yes, 404 no).
    pub async fn exists(&self, ctx: &Ctx, id: &str, api_version: &str) -> Result<bool, AzureError> {
        let url = self.url(id, api_version)?;
        match self.send(ctx, &self.request(Method::HEAD, url)).await {
            Ok(_) => Ok(true),
            Err(AzureError::NotFound(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    async fn write(
        &self,
        ctx: &Ctx,
        method: Method,
        url: Url,
        body: Option<&Json>,
    ) -> Result<Option<Json>, AzureError> {
        let mut req = self.request(method.clone(), url.clone());
        if let Some(b) = body {
            req = req.json(b);
        }
        let initial = self.send(ctx, &req).await?;
        self.poller()
            .complete(ctx, Verb::of(&method), &url, initial)
            .await
    }

    /// PUT (create or replace) and wait for the operation; returns the final resource.
    pub async fn put(
        &self,
        ctx: &Ctx,
        id: &str,
        api_version: &str,
        body: &Json,
    ) -> Result<Json, AzureError> {
        let url = self.url(id, api_version)?;
        Ok(self
            .write(ctx, Method::PUT, url, Some(body))
            .await?
            .unwrap_or(Json::Null))
    }

    /// PATCH and wait; returns the final resource.
    pub async fn patch(
        &self,
        ctx: &Ctx,
        id: &str,
        api_version: &str,
        body: &Json,
    ) -> Result<Json, AzureError> {
        let url = self.url(id, api_version)?;
        Ok(self
            .write(ctx, Method::PATCH, url, Some(body))
            .await?
            .unwrap_or(Json::Null))
    }

    /// DELETE and wait. A resource that is already gone (404 or 204) is fine.
    pub async fn delete(&self, ctx: &Ctx, id: &str, api_version: &str) -> Result<(), AzureError> {
        let url = self.url(id, api_version)?;
        match self.write(ctx, Method::DELETE, url, None).await {
            Ok(_) | Err(AzureError::NotFound(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// POST an action (`.../listKeys`, ...) and wait; returns its result, if any.
    pub async fn post(
        &self,
        ctx: &Ctx,
        path: &str,
        api_version: &str,
        body: Option<&Json>,
    ) -> Result<Option<Json>, AzureError> {
        let url = self.url(path, api_version)?;
        self.write(ctx, Method::POST, url, body).await
    }

    /// GET a collection, following `nextLink` until it is absent; returns every `value`.
    pub async fn list(
        &self,
        ctx: &Ctx,
        path: &str,
        api_version: &str,
    ) -> Result<Vec<Json>, AzureError> {
        self.list_query(ctx, path, api_version, &[]).await
    }

    /// [`ArmClient::list`] with extra query parameters on the first page (e.g.
    /// `("$filter", "principalId eq '...'")`); later pages follow `nextLink` as given.
    pub async fn list_query(
        &self,
        ctx: &Ctx,
        path: &str,
        api_version: &str,
        query: &[(&str, &str)],
    ) -> Result<Vec<Json>, AzureError> {
        let mut url = self.url(path, api_version)?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query.iter());
        }
        let mut items = Vec::new();
        for _ in 0..MAX_PAGES {
            let r = self
                .send(ctx, &self.request(Method::GET, url.clone()))
                .await?;
            let page = r.json(&url)?;
            if let Some(values) = page.get("value").and_then(Json::as_array) {
                items.extend(values.iter().cloned());
            }
            match page
                .get("nextLink")
                .and_then(Json::as_str)
                .filter(|s| !s.is_empty())
            {
                None => return Ok(items),
                Some(next) => {
                    let next = Url::parse(next)
                        .or_else(|_| self.base.join(next))
                        .map_err(|e| AzureError::Protocol {
                            url: redact_url(&url),
                            message: format!("nextLink is not a URL: {e}"),
                        })?;
                    if next.origin() != self.base.origin() {
                        return Err(AzureError::Protocol {
                            url: redact_url(&url),
                            message: format!(
                                "nextLink {} leaves the Resource Manager endpoint; not following it",
                                redact_url(&next)
                            ),
                        });
                    }
                    url = next;
                }
            }
        }
        Err(AzureError::Protocol {
            url: redact_url(&url),
            message: format!("more than {MAX_PAGES} pages; stopping"),
        })
    }
}
