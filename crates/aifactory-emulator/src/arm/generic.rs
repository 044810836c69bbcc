//! Generic provider resources: parses `/subscriptions/.../providers/...` (and tenant-level
//! `/providers/...`) paths, hands role assignments and definitions to `authorization`, lists
//! collections (`.../{type}` without a name), and dispatches GET/HEAD/PUT/PATCH/DELETE/POST on
//! a named resource to `get`, `put`, `patch` and `delete`.
//!
//! Owns the dispatch of resource requests; must not hold resource-provider rules.

use super::checks::check_parents;
use super::ctx::Ctx;
use super::id::{key, ArmPath, Level, LevelKind};
use super::render::render;
use super::reply::{invalid_uri, method_not_allowed, object_body, page, resource_not_found};
use super::{delete, patch, put};
use crate::auth::Caller;
use crate::authorization;
use crate::http::{arm_error, Req, Resp};
use crate::state::State;
use crate::validate::{self, Mode};
use http::{Method, StatusCode};
use serde_json::{Map, Value};

/// Handles a request on a resource path (not a subscription or resource group itself).
pub fn handle(st: &mut State, ctx: &Ctx, req: &Req, caller: &Caller) -> Resp {
    let path = match ArmPath::parse(&req.segments) {
        Ok(p) => p,
        Err(e) => {
            return invalid_uri(format!(
                "The request URI '{}' is not valid: {e}.",
                req.raw_path
            ))
        }
    };
    if let Some(r) = authorization::route(st, ctx, req, &path, caller) {
        return r;
    }
    if let Some((scope, full_type)) = path.collection.clone() {
        return collection(st, ctx, req, &path, &scope, &full_type);
    }
    let Some(target) = path.target().cloned() else {
        return invalid_uri(format!(
            "The request URI '{}' does not name a resource.",
            req.raw_path
        ));
    };
    if matches!(
        target.kind,
        LevelKind::Subscription | LevelKind::ResourceGroup
    ) {
        return invalid_uri("Unexpected resource path.");
    }
    let parents = path.levels.len() - 1;
    match req.method {
        Method::GET | Method::HEAD => get(st, req, &path, &target, parents),
        Method::PUT => match object_body(req) {
            Ok(body) => match crate::providers::check_put(st, &path, &body)
                .and_then(|()| checked_body(st, ctx, &path, &target, &body, Mode::Put))
            {
                Ok(()) => put::put_resource(st, ctx, &path, body),
                Err(r) => r,
            },
            Err(r) => r,
        },
        Method::PATCH => {
            if let Err(r) = check_parents(st, &path, parents, true) {
                return r;
            }
            match object_body(req) {
                Ok(body) => match checked_body(st, ctx, &path, &target, &body, Mode::Patch) {
                    Ok(()) => patch::patch_resource(st, ctx, &path, &target, body),
                    Err(r) => r,
                },
                Err(r) => r,
            }
        }
        Method::DELETE => {
            if let Err(r) = check_parents(st, &path, parents, false) {
                // A missing parent inside an existing resource group: already gone.
                let rg_exists = st
                    .store
                    .contains(path.resource_group().map(|l| l.id.as_str()).unwrap_or(""));
                return if r.status == StatusCode::NOT_FOUND && rg_exists {
                    Resp::empty(StatusCode::NO_CONTENT)
                } else {
                    r
                };
            }
            delete::delete_resource(st, ctx, &path, &target)
        }
        Method::POST => {
            if let Err(r) = check_parents(st, &path, path.levels.len(), false) {
                return r;
            }
            arm_error(
                StatusCode::NOT_FOUND,
                "InvalidResourceType",
                format!(
                    "The action on '{}' is not supported by the emulator.",
                    target.id
                ),
            )
        }
        _ => method_not_allowed(req),
    }
}

/// The body rules of `crate::validate`, once the parents are known to exist (a missing
/// resource group or parent answers first, as in Azure).
fn checked_body(
    st: &State,
    ctx: &Ctx,
    path: &ArmPath,
    target: &Level,
    body: &Map<String, Value>,
    mode: Mode,
) -> Result<(), Resp> {
    check_parents(st, path, path.levels.len() - 1, true)?;
    validate::check_body(&target.full_type, &ctx.api_version, &target.id, body, mode)
}

/// `GET .../{type}`: every resource of that type under the scope (at subscription scope: in
/// any of its resource groups).
fn collection(
    st: &State,
    ctx: &Ctx,
    req: &Req,
    path: &ArmPath,
    scope: &str,
    full_type: &str,
) -> Resp {
    if let Err(r) = check_parents(st, path, path.levels.len(), false) {
        return r;
    }
    if req.method != Method::GET {
        let ns = full_type.split('/').next().unwrap_or_default().to_string();
        return arm_error(
            StatusCode::NOT_FOUND,
            "InvalidResourceType",
            format!(
                "The resource type '{}' could not be found in the namespace '{ns}' for api version '{}'.",
                full_type.split_once('/').map(|x| x.1).unwrap_or(full_type),
                ctx.api_version
            ),
        );
    }
    let sk = key(scope);
    let by_sub = path.levels.len() == 1;
    let in_rg_prefix = format!("{sk}/resourcegroups/");
    let items: Vec<Value> = st
        .store
        .filter(|r| {
            r.full_type.eq_ignore_ascii_case(full_type)
                && (r.parent_key == sk
                    || (by_sub
                        && r.parent_key.starts_with(&in_rg_prefix)
                        && !r.parent_key[in_rg_prefix.len()..].contains('/')))
        })
        .into_iter()
        .map(|r| render(st, r))
        .collect();
    page(st, ctx, req, items)
}

/// `GET` (rendered body + ETag) or `HEAD` (204/404, no body).
fn get(st: &State, req: &Req, path: &ArmPath, target: &Level, parents: usize) -> Resp {
    let head = req.method == Method::HEAD;
    if let Err(r) = check_parents(st, path, parents, false) {
        return if head { Resp::empty(r.status) } else { r };
    }
    match st.store.get(&target.id) {
        Some(r) if head => Resp::empty(StatusCode::NO_CONTENT).header("etag", r.etag.clone()),
        Some(r) => Resp::json(StatusCode::OK, &render(st, r)).header("etag", r.etag.clone()),
        None if head => Resp::empty(StatusCode::NOT_FOUND),
        None => match crate::foundry::built_in_definition_at(&target.full_type, &target.id)
            .or_else(|| crate::security::implicit_at(&target.full_type, &target.id))
        {
            // Cosmos DB's built-in data roles exist in every account, Defender plans in every
            // subscription (parents checked above).
            Some(b) => Resp::json(StatusCode::OK, &b),
            None => resource_not_found(target, path.resource_group()),
        },
    }
}
