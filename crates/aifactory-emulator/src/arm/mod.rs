//! Generic ARM: routing of `/subscriptions/...` and `/providers/...`, authentication,
//! `api-version`, subscription/resource-group/parent checks, throttling, PUT/GET/PATCH/
//! DELETE/HEAD on any resource with ETags and LROs, resource groups (cascade delete via an
//! async operation), lists with `nextLink` paging, operation status endpoints.
//!
//! Owns the generic resource lifecycle; resource-provider rules are delegated to
//! `network` (vNets, subnets, private endpoints), `authorization` (role assignments and
//! definitions) and storage decorations (DFS endpoint). Must not talk TLS or sockets.

pub mod id;
pub mod lro;
pub mod store;

use super::auth::{self, Caller, Service};
use super::config::CasingPolicy;
use super::faults::LroOverride;
use super::http::{arm_error, Req, Resp};
use super::state::State;
use super::throttle::{Decision, OpClass};
use super::{authorization, network, softdelete, util};
use http::{Method, StatusCode};
use id::{key, ArmPath, Level, LevelKind};
use lro::{OpKind, Operation};
use serde_json::{json, Map, Value};
use store::Stored;

/// Resource type of resource groups.
pub const RG_TYPE: &str = "Microsoft.Resources/resourceGroups";

/// Per-request context the handlers need besides state.
#[derive(Debug, Clone)]
pub struct Ctx<'a> {
    pub base: &'a str,
    pub api_version: String,
    pub if_match: Option<String>,
    pub if_none_match: Option<String>,
    /// Seeding: no LRO, no locks, no auth.
    pub seed: bool,
    pub lro: LroOverride,
    pub caller: Option<Caller>,
}

impl Ctx<'_> {
    pub fn caller_oid(&self) -> Option<String> {
        self.caller.as_ref().map(|c| c.oid.clone())
    }
}

/// Entry point for ARM requests (everything under `/subscriptions`, `/providers`, `/tenants`).
pub fn handle(st: &mut State, base: &str, req: &Req, lro: LroOverride) -> Resp {
    complete_due(st);
    let now = st.now_ms();
    let segs = &req.segments;
    let sub_tenant = segs
        .first()
        .filter(|s| s.eq_ignore_ascii_case("subscriptions"))
        .and_then(|_| segs.get(1))
        .and_then(|s| st.directory.subscription(s))
        .map(|s| s.tenant.clone());
    let caller = match auth::authenticate(&st.signing_key, &req.headers, now, Service::Arm) {
        Ok(c) => c,
        Err(f) => return auth::arm_failure(&f, base, sub_tenant.as_deref()),
    };
    let principal = Some(caller.oid.clone());
    let api_version = match req.q("api-version") {
        Some(v) if !v.trim().is_empty() => v.to_string(),
        _ => {
            return arm_error(
                StatusCode::BAD_REQUEST,
                "MissingApiVersionParameter",
                "The api-version query parameter (?api-version=) is required for all requests.",
            )
            .principal(principal)
        }
    };
    let ctx = Ctx {
        base,
        api_version,
        if_match: req.header("if-match").map(str::to_string),
        if_none_match: req.header("if-none-match").map(str::to_string),
        seed: false,
        lro,
        caller: Some(caller.clone()),
    };
    let resp = route(st, &ctx, req, &caller);
    if resp.status.is_success() && req.method != Method::GET && req.method != Method::HEAD {
        st.dirty = true;
    }
    resp.principal(principal)
}

fn route(st: &mut State, ctx: &Ctx, req: &Req, caller: &Caller) -> Resp {
    let segs: Vec<&str> = req.segments.iter().map(String::as_str).collect();
    let is = |i: usize, w: &str| segs.get(i).is_some_and(|s| s.eq_ignore_ascii_case(w));
    if segs.is_empty() || (segs.len() == 1 && is(0, "subscriptions")) {
        return list_subscriptions(st, caller);
    }
    if segs.len() == 1 && is(0, "tenants") {
        let v: Vec<Value> = st
            .directory
            .tenants
            .iter()
            .filter(|t| t.id.eq_ignore_ascii_case(&caller.tid))
            .map(|t| json!({"id": format!("/tenants/{}", t.id), "tenantId": t.id, "tenantCategory": "Home", "domains": t.domains}))
            .collect();
        return Resp::json(StatusCode::OK, &json!({ "value": v }));
    }
    if is(0, "providers") {
        // Tenant-level: role definitions at "/".
        return generic(st, ctx, req, caller);
    }
    if !is(0, "subscriptions") {
        return arm_error(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!(
                "The requested path '{}' is not an ARM endpoint of this emulator.",
                req.raw_path
            ),
        );
    }
    let sub_id = segs[1];
    let Some(sub) = st.directory.subscription(sub_id).cloned() else {
        return arm_error(
            StatusCode::NOT_FOUND,
            "SubscriptionNotFound",
            format!("The subscription '{sub_id}' could not be found."),
        );
    };
    if !sub.tenant.eq_ignore_ascii_case(&caller.tid) {
        return auth::arm_wrong_tenant(ctx.base, &caller.tid, &sub.tenant);
    }
    // Throttling.
    let class = OpClass::of(&req.method);
    let now = st.now_ms();
    let cfg = st.settings.throttle.clone();
    let decision = st.throttle.check(&cfg, &sub.id, &caller.oid, class, now);
    let (remaining, global) = match decision {
        Decision::Throttled { retry_after_secs } => {
            return arm_error(
                StatusCode::TOO_MANY_REQUESTS,
                "TooManyRequests",
                format!(
                    "The request is being throttled. Number of {} requests for subscription '{}' and principal '{}' exceeded the limit. Please try again after '{retry_after_secs}' seconds.",
                    class.header_suffix(),
                    sub.id,
                    caller.oid
                ),
            )
            .header("retry-after", retry_after_secs.to_string())
            .header(&format!("x-ms-ratelimit-remaining-subscription-{}", class.header_suffix()), "0")
            .header("x-ms-failure-cause", "gateway");
        }
        Decision::Allowed {
            remaining,
            global_remaining,
        } => (remaining, global_remaining),
    };
    let resp = route_subscription(st, ctx, req, caller, &sub, &segs);
    resp.header(
        &format!(
            "x-ms-ratelimit-remaining-subscription-{}",
            class.header_suffix()
        ),
        remaining.to_string(),
    )
    .header(
        &format!(
            "x-ms-ratelimit-remaining-subscription-global-{}",
            class.header_suffix()
        ),
        global.to_string(),
    )
}

fn route_subscription(
    st: &mut State,
    ctx: &Ctx,
    req: &Req,
    caller: &Caller,
    sub: &super::state::Subscription,
    segs: &[&str],
) -> Resp {
    let is = |i: usize, w: &str| segs.get(i).is_some_and(|s| s.eq_ignore_ascii_case(w));
    let n = segs.len();
    if n == 2 {
        return match req.method {
            Method::GET => Resp::json(StatusCode::OK, &subscription_json(sub)),
            _ => method_not_allowed(req),
        };
    }
    if is(2, "resourcegroups") {
        if n == 3 {
            return match req.method {
                Method::GET => {
                    let items: Vec<Value> = st
                        .store
                        .children(&format!("/subscriptions/{}", sub.id), RG_TYPE)
                        .into_iter()
                        .map(|r| r.body.clone())
                        .collect();
                    page(st, ctx, req, items)
                }
                _ => method_not_allowed(req),
            };
        }
        if n == 4 {
            return resource_group(st, ctx, req, segs[1], segs[3]);
        }
        if n == 5 && is(4, "resources") {
            let rg_id = format!("/subscriptions/{}/resourceGroups/{}", segs[1], segs[3]);
            if !st.store.contains(&rg_id) {
                return rg_not_found(segs[3]);
            }
            let rgk = key(&rg_id);
            return list_generic(st, ctx, req, |r| {
                r.parent_key == rgk && r.full_type != RG_TYPE && !is_extension_type(&r.full_type)
            });
        }
        return generic(st, ctx, req, caller);
    }
    if n == 3 && is(2, "resources") {
        let prefix = format!(
            "{}/resourcegroups/",
            key(&format!("/subscriptions/{}", sub.id))
        );
        return list_generic(st, ctx, req, |r| {
            r.parent_key.starts_with(&prefix)
                && !r.parent_key[prefix.len()..].contains('/')
                && r.full_type != RG_TYPE
                && !is_extension_type(&r.full_type)
        });
    }
    if n == 4 && is(2, "operationresults") {
        return operation_result(st, ctx, segs[3], &sub.id);
    }
    if is(2, "providers") {
        if let Some(r) = softdelete::route(st, ctx, req, &sub.id, segs) {
            return r;
        }
        if n == 3 {
            return Resp::json(StatusCode::OK, &json!({"value": []}));
        }
        if n == 4 || (n == 5 && is(4, "register")) {
            return Resp::json(
                StatusCode::OK,
                &json!({
                    "id": format!("/subscriptions/{}/providers/{}", sub.id, segs[3]),
                    "namespace": segs[3],
                    "registrationState": "Registered",
                    "registrationPolicy": "RegistrationRequired",
                    "resourceTypes": [],
                }),
            );
        }
        if n == 8 && is(4, "locations") {
            let kind = segs[6].to_ascii_lowercase();
            if [
                "operations",
                "operationstatuses",
                "asyncoperations",
                "azureasyncoperations",
            ]
            .contains(&kind.as_str())
            {
                return operation_status(st, ctx, segs[7], &sub.id);
            }
            if kind == "operationresults" {
                return operation_result(st, ctx, segs[7], &sub.id);
            }
        }
    }
    generic(st, ctx, req, caller)
}

/// Extension resources (role assignments) are not part of generic resource lists.
fn is_extension_type(t: &str) -> bool {
    t.to_ascii_lowercase()
        .starts_with("microsoft.authorization/")
}

pub(crate) fn method_not_allowed(req: &Req) -> Resp {
    arm_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowed",
        format!(
            "The requested resource does not support http method '{}'.",
            req.method
        ),
    )
}

fn rg_not_found(rg: &str) -> Resp {
    arm_error(
        StatusCode::NOT_FOUND,
        "ResourceGroupNotFound",
        format!("Resource group '{rg}' could not be found."),
    )
}

fn subscription_json(sub: &super::state::Subscription) -> Value {
    json!({
        "id": format!("/subscriptions/{}", sub.id),
        "authorizationSource": "RoleBased",
        "managedByTenants": [],
        "subscriptionId": sub.id,
        "tenantId": sub.tenant,
        "displayName": sub.display_name,
        "state": "Enabled",
        "subscriptionPolicies": {"locationPlacementId": "Public_2014-09-01", "quotaId": "PayAsYouGo_2014-09-01", "spendingLimit": "Off"},
    })
}

fn list_subscriptions(st: &State, caller: &Caller) -> Resp {
    let v: Vec<Value> = st
        .directory
        .subscriptions
        .iter()
        .filter(|s| s.tenant.eq_ignore_ascii_case(&caller.tid))
        .map(subscription_json)
        .collect();
    Resp::json(StatusCode::OK, &json!({ "value": v }))
}

/// Renders a page of `items` with `nextLink` (`$skiptoken` = offset).
pub fn page(st: &State, ctx: &Ctx, req: &Req, items: Vec<Value>) -> Resp {
    let size = st.settings.page_size.max(1);
    let start: usize = req
        .q("$skiptoken")
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    let end = (start + size).min(items.len());
    let chunk: Vec<Value> = items
        .get(start..end)
        .map(<[Value]>::to_vec)
        .unwrap_or_default();
    let mut body = json!({ "value": chunk });
    if end < items.len() {
        let mut q: Vec<String> = req
            .query
            .iter()
            .filter(|(k, _)| !k.eq_ignore_ascii_case("$skiptoken"))
            .map(|(k, v)| format!("{}={}", util::pct_encode(k), util::pct_encode(v)))
            .collect();
        q.push(format!("%24skiptoken={end}"));
        body["nextLink"] = json!(format!("{}{}?{}", ctx.base, req.raw_path, q.join("&")));
    }
    Resp::json(StatusCode::OK, &body)
}

/// Generic-resource list (`/resources`): id, name, type, location, tags, kind, sku, identity.
fn list_generic(st: &State, ctx: &Ctx, req: &Req, f: impl Fn(&Stored) -> bool) -> Resp {
    let type_filter = req.q("$filter").and_then(|f| {
        let f = f.trim();
        let lower = f.to_ascii_lowercase();
        lower.strip_prefix("resourcetype eq ").map(|_| {
            f["resourceType eq ".len()..]
                .trim()
                .trim_matches('\'')
                .to_string()
        })
    });
    let items: Vec<Value> = st
        .store
        .filter(|r| {
            f(r) && type_filter
                .as_ref()
                .is_none_or(|t| r.full_type.eq_ignore_ascii_case(t))
        })
        .into_iter()
        .map(|r| {
            let mut m = Map::new();
            for k in [
                "id",
                "name",
                "type",
                "location",
                "tags",
                "kind",
                "sku",
                "identity",
                "managedBy",
            ] {
                if let Some(v) = r.body.get(k) {
                    m.insert(k.into(), v.clone());
                }
            }
            Value::Object(m)
        })
        .collect();
    page(st, ctx, req, items)
}

// ---------------------------------------------------------------------------------------
// Resource groups

fn resource_group(st: &mut State, ctx: &Ctx, req: &Req, sub: &str, rg: &str) -> Resp {
    let id = format!("/subscriptions/{sub}/resourceGroups/{rg}");
    let existing = st.store.get(&id).cloned();
    let now = st.now_ms();
    match req.method {
        Method::GET => match existing {
            Some(r) => Resp::json(StatusCode::OK, &r.body),
            None => rg_not_found(rg),
        },
        Method::HEAD => match existing {
            Some(_) => Resp::empty(StatusCode::NO_CONTENT),
            None => Resp::empty(StatusCode::NOT_FOUND),
        },
        Method::PUT => {
            let body = match object_body(req) {
                Ok(b) => b,
                Err(r) => return r,
            };
            put_resource_group(st, ctx, sub, rg, body, existing, now)
        }
        Method::PATCH => {
            let Some(mut r) = existing else {
                return rg_not_found(rg);
            };
            let body = match object_body(req) {
                Ok(b) => b,
                Err(r) => return r,
            };
            if let Some(t) = body.get("tags") {
                r.body["tags"] = t.clone();
            }
            if let Some(m) = body.get("managedBy") {
                r.body["managedBy"] = m.clone();
            }
            r.changed_ms = now;
            let out = r.body.clone();
            st.store.put(r);
            Resp::json(StatusCode::OK, &out)
        }
        Method::DELETE => {
            let Some(mut r) = existing else {
                return rg_not_found(rg);
            };
            if let Some(op) = st.ops.values().find(|o| {
                !o.completed
                    && o.kind == OpKind::DeleteResourceGroup
                    && key(&o.target_id) == key(&id)
            }) {
                let op = op.clone();
                return lro_headers(
                    Resp::empty(StatusCode::ACCEPTED),
                    &op,
                    ctx,
                    now,
                    st.settings.lro_retry_after_secs,
                    false,
                );
            }
            let delay = ctx.lro.delay_ms.unwrap_or(st.settings.lro_delay_ms);
            let op = Operation {
                id: util::new_guid(),
                subscription: sub.to_string(),
                namespace: "Microsoft.Resources".into(),
                location: r
                    .body
                    .get("location")
                    .and_then(Value::as_str)
                    .unwrap_or("global")
                    .to_string(),
                kind: OpKind::DeleteResourceGroup,
                target_id: r.id.clone(),
                api_version: ctx.api_version.clone(),
                started_ms: now,
                done_ms: now.saturating_add(delay.min(i64::MAX as u64) as i64),
                failure: ctx.lro.fail.clone(),
                completed: false,
                lock_key: None,
            };
            set_ps(&mut r.body, "Deleting");
            st.store.put(r);
            st.ops.insert(op.id.clone(), op.clone());
            lro_headers(
                Resp::empty(StatusCode::ACCEPTED),
                &op,
                ctx,
                now,
                st.settings.lro_retry_after_secs,
                false,
            )
        }
        _ => method_not_allowed(req),
    }
}

fn rg_deleting(st: &State, rg_id: &str) -> bool {
    let k = key(rg_id);
    st.ops
        .values()
        .any(|o| !o.completed && o.kind == OpKind::DeleteResourceGroup && key(&o.target_id) == k)
}

fn rg_being_deleted(rg: &str) -> Resp {
    arm_error(
        StatusCode::CONFLICT,
        "ResourceGroupBeingDeleted",
        format!("The resource group '{rg}' is in deprovisioning state and cannot perform this operation."),
    )
}

fn put_resource_group(
    st: &mut State,
    ctx: &Ctx,
    sub: &str,
    rg: &str,
    body: Map<String, Value>,
    existing: Option<Stored>,
    now: i64,
) -> Resp {
    let id = format!("/subscriptions/{sub}/resourceGroups/{rg}");
    if rg.is_empty()
        || rg.len() > 90
        || rg.ends_with('.')
        || !rg
            .chars()
            .all(|c| c.is_alphanumeric() || "-_().".contains(c))
    {
        return arm_error(
            StatusCode::BAD_REQUEST,
            "InvalidResourceGroupName",
            format!("The resource group name '{rg}' is invalid. It must be 1-90 characters of letters, digits, '-', '_', '(', ')', '.', and cannot end in '.'."),
        );
    }
    if rg_deleting(st, &id) {
        return rg_being_deleted(rg);
    }
    let Some(location) = body
        .get("location")
        .and_then(Value::as_str)
        .map(str::to_string)
    else {
        return arm_error(
            StatusCode::BAD_REQUEST,
            "LocationRequired",
            "The location property is required for this definition.",
        );
    };
    if let Some(old) = existing
        .as_ref()
        .and_then(|e| e.body.get("location").and_then(Value::as_str))
    {
        if norm_location(old) != norm_location(&location) {
            return arm_error(
                StatusCode::CONFLICT,
                "InvalidResourceGroupLocation",
                format!("Invalid resource group location '{location}'. The Resource group already exists in location '{old}'."),
            );
        }
    }
    let stored_id = match (&existing, st.settings.casing) {
        (Some(e), CasingPolicy::FirstPut) => e.id.clone(),
        _ => id.clone(),
    };
    let name = stored_id.rsplit('/').next().unwrap_or(rg).to_string();
    let mut out = json!({
        "id": stored_id,
        "name": name,
        "type": RG_TYPE,
        "location": existing.as_ref().and_then(|e| e.body.get("location").cloned()).unwrap_or(json!(location)),
        "properties": {"provisioningState": "Succeeded"},
    });
    if let Some(t) = body.get("tags") {
        out["tags"] = t.clone();
    }
    if let Some(m) = body.get("managedBy") {
        out["managedBy"] = m.clone();
    }
    let created = existing.is_none();
    st.store.put(Stored {
        id: stored_id,
        parent_key: key(&format!("/subscriptions/{sub}")),
        full_type: RG_TYPE.into(),
        body: out.clone(),
        etag: util::new_etag(),
        seq: 0,
        created_ms: now,
        changed_ms: now,
    });
    let _ = ctx;
    Resp::json(
        if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        &out,
    )
}

fn norm_location(l: &str) -> String {
    l.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase()
}

// ---------------------------------------------------------------------------------------
// Operations

fn operation_status(st: &State, ctx: &Ctx, op_id: &str, sub: &str) -> Resp {
    match st
        .ops
        .get(op_id)
        .filter(|o| o.subscription.eq_ignore_ascii_case(sub))
    {
        Some(op) => {
            let mut r = Resp::json(StatusCode::OK, &op.status_doc(ctx.base));
            if !op.completed {
                r = r.header(
                    "retry-after",
                    op.retry_after(st.now_ms(), st.settings.lro_retry_after_secs)
                        .to_string(),
                );
            }
            r
        }
        None => arm_error(
            StatusCode::NOT_FOUND,
            "OperationNotFound",
            format!("The operation '{op_id}' could not be found."),
        ),
    }
}

fn operation_result(st: &State, ctx: &Ctx, op_id: &str, sub: &str) -> Resp {
    let Some(op) = st
        .ops
        .get(op_id)
        .filter(|o| o.subscription.eq_ignore_ascii_case(sub))
    else {
        return arm_error(
            StatusCode::NOT_FOUND,
            "OperationNotFound",
            format!("The operation '{op_id}' could not be found."),
        );
    };
    let now = st.now_ms();
    if !op.completed {
        return Resp::empty(StatusCode::ACCEPTED)
            .header("location", op.location_url(ctx.base))
            .header(
                "retry-after",
                op.retry_after(now, st.settings.lro_retry_after_secs)
                    .to_string(),
            );
    }
    if let Some((code, message)) = &op.failure {
        let status = if code == "InternalServerError" {
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            StatusCode::BAD_REQUEST
        };
        return arm_error(status, code, message.clone());
    }
    match op.kind {
        OpKind::Put => match st.store.get(&op.target_id) {
            Some(r) => Resp::json(StatusCode::OK, &render(st, r)),
            None => Resp::empty(StatusCode::NO_CONTENT),
        },
        OpKind::Delete | OpKind::DeleteResourceGroup | OpKind::Purge => Resp::empty(StatusCode::OK),
    }
}

/// Applies the effects of operations whose time has come.
pub fn complete_due(st: &mut State) {
    let now = st.now_ms();
    let due: Vec<String> = st
        .ops
        .values()
        .filter(|o| !o.completed && o.done_ms <= now)
        .map(|o| o.id.clone())
        .collect();
    for id in due {
        let Some(op) = st.ops.get_mut(&id) else {
            continue;
        };
        op.completed = true;
        let op = op.clone();
        st.dirty = true;
        let failed = op.failure.is_some();
        match op.kind {
            OpKind::Put => {
                let tk = key(&op.target_id);
                let prefix = format!("{tk}/");
                let ids: Vec<String> = st
                    .store
                    .filter(|r| {
                        let k = key(&r.id);
                        k == tk || k.starts_with(&prefix)
                    })
                    .into_iter()
                    .map(|r| r.id.clone())
                    .collect();
                for rid in ids {
                    let is_target = key(&rid) == tk;
                    if let Some(r) = st.store.get_mut(&rid) {
                        let ps = r
                            .body
                            .pointer("/properties/provisioningState")
                            .and_then(Value::as_str)
                            .unwrap_or("");
                        if is_target && failed {
                            set_ps(&mut r.body, "Failed");
                        } else if ["Creating", "Updating", "Accepted"].contains(&ps) {
                            set_ps(&mut r.body, "Succeeded");
                        }
                    }
                }
            }
            OpKind::Delete | OpKind::DeleteResourceGroup => {
                if failed {
                    if let Some(r) = st.store.get_mut(&op.target_id) {
                        set_ps(
                            &mut r.body,
                            if op.kind == OpKind::Delete {
                                "Failed"
                            } else {
                                "Succeeded"
                            },
                        );
                    }
                } else {
                    let removed = st.store.remove_tree(&op.target_id);
                    forget_removed(st, &removed);
                    softdelete::retain(st, &removed);
                }
            }
            OpKind::Purge => softdelete::complete_purge(st, &op.target_id, failed),
        }
    }
    softdelete::expire(st);
    // Keep finished operations pollable for an hour.
    st.ops
        .retain(|_, o| !o.completed || now - o.done_ms < 3_600_000);
}

/// Side effects of removing resources (DFS data of deleted storage accounts).
fn forget_removed(st: &mut State, removed: &[Stored]) {
    for r in removed {
        if r.full_type
            .eq_ignore_ascii_case("Microsoft.Storage/storageAccounts")
        {
            let name = r.id.rsplit('/').next().unwrap_or_default();
            st.dfs.drop_account(name);
        }
    }
}

/// Sets `properties.provisioningState`.
pub fn set_ps(body: &mut Value, state: &str) {
    if !body.is_object() {
        *body = json!({});
    }
    if !body.get("properties").is_some_and(Value::is_object) {
        body["properties"] = json!({});
    }
    body["properties"]["provisioningState"] = json!(state);
}

pub(crate) fn lro_headers(
    r: Resp,
    op: &Operation,
    ctx: &Ctx,
    now: i64,
    fixed: Option<u64>,
    with_async: bool,
) -> Resp {
    let mut r = r
        .header("location", op.location_url(ctx.base))
        .header("retry-after", op.retry_after(now, fixed).to_string());
    if with_async {
        r = r.header("azure-asyncoperation", op.async_url(ctx.base));
    }
    r
}

// ---------------------------------------------------------------------------------------
// Generic provider resources

fn object_body(req: &Req) -> Result<Map<String, Value>, Resp> {
    match req.json() {
        Ok(Value::Object(m)) => Ok(m),
        Ok(Value::Null) => Err(arm_error(
            StatusCode::BAD_REQUEST,
            "InvalidRequestContent",
            "The request content was invalid and could not be deserialized: 'The request body is empty.'.",
        )),
        Ok(_) => Err(arm_error(
            StatusCode::BAD_REQUEST,
            "InvalidRequestContent",
            "The request content was invalid and could not be deserialized: 'Expected a JSON object.'.",
        )),
        Err(e) => Err(arm_error(
            StatusCode::BAD_REQUEST,
            "InvalidRequestContent",
            format!("The request content was invalid and could not be deserialized: '{e}'."),
        )),
    }
}

/// True when PUT/DELETE on this type is long-running.
pub fn is_lro(st: &State, full_type: &str) -> bool {
    st.settings
        .lro_resource_types
        .iter()
        .any(|g| util::glob_match(g, full_type))
}

fn not_found(level: &Level, rg: Option<&Level>) -> Resp {
    let rel = id::relative_name(&level.id);
    let msg = match rg {
        Some(rg) => format!("The Resource '{rel}' under resource group '{}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix", rg.name),
        None => format!("The Resource '{rel}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix"),
    };
    arm_error(StatusCode::NOT_FOUND, "ResourceNotFound", msg)
}

/// Checks that the resource group and every parent level exist. `Err` is the response.
/// `.../storageAccounts/{a}/{blob|file|queue|table}Services/default`.
fn implicit_service(id: &str) -> bool {
    let lower = id.to_ascii_lowercase();
    lower.contains("/providers/microsoft.storage/storageaccounts/")
        && [
            "/blobservices/default",
            "/fileservices/default",
            "/queueservices/default",
            "/tableservices/default",
        ]
        .iter()
        .any(|s| lower.ends_with(s))
}

pub(crate) fn check_parents(
    st: &State,
    path: &ArmPath,
    upto: usize,
    for_write: bool,
) -> Result<(), Resp> {
    for (i, level) in path.levels.iter().enumerate().take(upto) {
        match level.kind {
            LevelKind::Subscription => {}
            LevelKind::ResourceGroup => {
                if !st.store.contains(&level.id) {
                    return Err(rg_not_found(&level.name));
                }
                if for_write && rg_deleting(st, &level.id) {
                    return Err(rg_being_deleted(&level.name));
                }
            }
            LevelKind::Resource { .. } => {
                // A storage account's `blobServices/default` (and file/queue/table services)
                // exist with the account: Azure never asks for them to be created.
                if implicit_service(&level.id)
                    && i > 0
                    && path
                        .levels
                        .get(i - 1)
                        .is_some_and(|p| st.store.contains(&p.id))
                {
                    continue;
                }
                if !st.store.contains(&level.id) {
                    return Err(if for_write {
                        arm_error(
                            StatusCode::NOT_FOUND,
                            "ParentResourceNotFound",
                            format!(
                                "Can not perform requested operation on nested resource. Parent resource '{}' not found.",
                                id::relative_name(&level.id).split_once('/').map(|x| x.1).unwrap_or(&level.name)
                            ),
                        )
                    } else {
                        not_found(level, path.resource_group())
                    });
                }
            }
        }
    }
    Ok(())
}

fn generic(st: &mut State, ctx: &Ctx, req: &Req, caller: &Caller) -> Resp {
    let path = match ArmPath::parse(&req.segments) {
        Ok(p) => p,
        Err(e) => {
            return arm_error(
                StatusCode::BAD_REQUEST,
                "InvalidRequestUri",
                format!("The request URI '{}' is not valid: {e}.", req.raw_path),
            )
        }
    };
    if let Some(r) = authorization::route(st, ctx, req, &path, caller) {
        return r;
    }
    if let Some((scope, full_type)) = path.collection.clone() {
        if let Err(r) = check_parents(st, &path, path.levels.len(), false) {
            return r;
        }
        if req.method != Method::GET {
            let ns = full_type.split('/').next().unwrap_or_default().to_string();
            return arm_error(
                StatusCode::NOT_FOUND,
                "InvalidResourceType",
                format!("The resource type '{}' could not be found in the namespace '{ns}' for api version '{}'.", full_type.split_once('/').map(|x| x.1).unwrap_or(&full_type), ctx.api_version),
            );
        }
        // Subscription-scope collection = all of that type in the subscription.
        let sk = key(&scope);
        let by_sub = path.levels.len() == 1;
        let items: Vec<Value> = st
            .store
            .filter(|r| {
                r.full_type.eq_ignore_ascii_case(&full_type)
                    && (r.parent_key == sk
                        || (by_sub
                            && r.parent_key.starts_with(&format!("{sk}/resourcegroups/"))
                            && !r.parent_key[sk.len() + 16..].contains('/')))
            })
            .into_iter()
            .map(|r| render(st, r))
            .collect();
        return page(st, ctx, req, items);
    }
    let Some(target) = path.target().cloned() else {
        return arm_error(
            StatusCode::BAD_REQUEST,
            "InvalidRequestUri",
            format!(
                "The request URI '{}' does not name a resource.",
                req.raw_path
            ),
        );
    };
    if matches!(
        target.kind,
        LevelKind::Subscription | LevelKind::ResourceGroup
    ) {
        return arm_error(
            StatusCode::BAD_REQUEST,
            "InvalidRequestUri",
            "Unexpected resource path.",
        );
    }
    let parents = path.levels.len() - 1;
    match req.method {
        Method::GET | Method::HEAD => {
            if let Err(r) = check_parents(st, &path, parents, false) {
                return if req.method == Method::HEAD {
                    Resp::empty(r.status)
                } else {
                    r
                };
            }
            match st.store.get(&target.id) {
                Some(r) if req.method == Method::HEAD => {
                    Resp::empty(StatusCode::NO_CONTENT).header("etag", r.etag.clone())
                }
                Some(r) => {
                    Resp::json(StatusCode::OK, &render(st, r)).header("etag", r.etag.clone())
                }
                None if req.method == Method::HEAD => Resp::empty(StatusCode::NOT_FOUND),
                None => not_found(&target, path.resource_group()),
            }
        }
        Method::PUT => {
            let body = match object_body(req) {
                Ok(b) => b,
                Err(r) => return r,
            };
            put_resource(st, ctx, &path, body)
        }
        Method::PATCH => {
            if let Err(r) = check_parents(st, &path, parents, true) {
                return r;
            }
            let body = match object_body(req) {
                Ok(b) => b,
                Err(r) => return r,
            };
            patch_resource(st, ctx, &path, &target, body)
        }
        Method::DELETE => {
            if let Err(r) = check_parents(st, &path, parents, false) {
                return if r.status == StatusCode::NOT_FOUND
                    && st
                        .store
                        .contains(path.resource_group().map(|l| l.id.as_str()).unwrap_or(""))
                {
                    Resp::empty(StatusCode::NO_CONTENT)
                } else {
                    r
                };
            }
            delete_resource(st, ctx, &path, &target)
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

/// Applies `If-Match` / `If-None-Match` to a write. `Err` = 412.
fn preconditions(ctx: &Ctx, existing: Option<&Stored>) -> Result<(), Resp> {
    let failed = || {
        arm_error(
            StatusCode::PRECONDITION_FAILED,
            "PreconditionFailed",
            "The condition specified using HTTP conditional header(s) is not met.",
        )
    };
    if let Some(m) = ctx.if_match.as_deref().map(str::trim) {
        match existing {
            None => return Err(failed()),
            Some(e) => {
                if m != "*" && !m.split(',').any(|t| etag_eq(t.trim(), &e.etag)) {
                    return Err(failed());
                }
            }
        }
    }
    if let Some(m) = ctx.if_none_match.as_deref().map(str::trim) {
        if let Some(e) = existing {
            if m == "*" || m.split(',').any(|t| etag_eq(t.trim(), &e.etag)) {
                return Err(failed());
            }
        }
    }
    Ok(())
}

fn etag_eq(a: &str, b: &str) -> bool {
    let strip = |s: &str| {
        s.trim()
            .trim_start_matches("W/")
            .trim_matches('"')
            .to_ascii_lowercase()
    };
    strip(a) == strip(b)
}

/// PUT on a provider resource (also used by seeding with `ctx.seed`).
/// (account, container) of `.../storageAccounts/{account}/blobServices/default/containers/{name}`.
fn container_of(id: &str) -> Option<(String, String)> {
    let parts: Vec<&str> = id.split('/').collect();
    let i = parts
        .iter()
        .position(|p| p.eq_ignore_ascii_case("storageAccounts"))?;
    let account = parts.get(i + 1)?;
    let name = parts.last()?;
    Some((account.to_string(), name.to_string()))
}

pub fn put_resource(
    st: &mut State,
    ctx: &Ctx,
    path: &ArmPath,
    mut body: Map<String, Value>,
) -> Resp {
    let Some(target) = path.target().cloned() else {
        return arm_error(
            StatusCode::BAD_REQUEST,
            "InvalidRequestUri",
            "The request URI does not name a resource.",
        );
    };
    let parents = path.levels.len() - 1;
    if let Err(r) = check_parents(st, path, parents, true) {
        return r;
    }
    let now = st.now_ms();
    let existing = st.store.get(&target.id).cloned();
    if let Err(r) = preconditions(ctx, existing.as_ref()) {
        return r;
    }
    let LevelKind::Resource {
        namespace,
        top_level,
        ..
    } = target.kind.clone()
    else {
        return arm_error(
            StatusCode::BAD_REQUEST,
            "InvalidRequestUri",
            "Unexpected resource path.",
        );
    };
    let lock = network::lock_key(st, path, &body);
    if !ctx.seed {
        if let Some(r) = lock.as_ref().and_then(|k| network::conflict(st, ctx, k)) {
            return r;
        }
    }
    // Location rules for tracked resources.
    let in_rg = path.resource_group().is_some();
    if top_level && in_rg {
        let Some(loc) = body
            .get("location")
            .and_then(Value::as_str)
            .map(str::to_string)
        else {
            return arm_error(
                StatusCode::BAD_REQUEST,
                "LocationRequired",
                "The location property is required for this definition.",
            );
        };
        if let Some(old) = existing
            .as_ref()
            .and_then(|e| e.body.get("location").and_then(Value::as_str))
        {
            if norm_location(old) != norm_location(&loc) {
                return arm_error(
                    StatusCode::BAD_REQUEST,
                    "InvalidResourceLocation",
                    format!(
                        "The resource '{}' already exists in location '{old}' in resource group '{}'. A resource with the same name cannot be created in location '{loc}'. Please select a new resource name.",
                        target.name,
                        path.resource_group().map(|l| l.name.as_str()).unwrap_or_default()
                    ),
                );
            }
        }
    }
    // Soft-deleted vaults and accounts: refuse, or recover (the body becomes the resource).
    let recovered = match softdelete::prepare_put(
        st,
        &target.full_type,
        &target.id,
        existing.is_some(),
        &mut body,
    ) {
        Ok(r) => r,
        Err(r) => return r,
    };
    body.remove("id");
    body.remove("name");
    body.remove("type");
    if let Some(Value::Object(p)) = body.get_mut("properties") {
        p.remove("provisioningState");
    }
    // Resource-provider rules (may rewrite the body and plan child changes).
    let plan = match network::prepare_put(st, ctx, path, &mut body, existing.as_ref()) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let stored_id = match (&existing, st.settings.casing) {
        (Some(e), CasingPolicy::FirstPut) => e.id.clone(),
        _ => target.id.clone(),
    };
    let lro = !ctx.seed && is_lro(st, &target.full_type);
    let created = existing.is_none();
    let transient = if namespace.eq_ignore_ascii_case("Microsoft.Network") || !created {
        "Updating"
    } else {
        "Creating"
    };
    let mut out = Value::Object(Map::new());
    out["id"] = json!(stored_id);
    out["name"] = json!(stored_id.rsplit('/').next().unwrap_or(&target.name));
    out["type"] = json!(target.full_type);
    for (k, v) in body {
        out[k.as_str()] = v;
    }
    super::identity::decorate(
        st,
        &target.full_type,
        &stored_id,
        path.subscription().unwrap_or_default(),
        existing.as_ref().map_or(now, |e| e.created_ms),
        &mut out,
    );
    set_ps(&mut out, if lro { transient } else { "Succeeded" });
    storage_decorate(st, ctx, &target, &mut out);
    let etag = util::new_etag();
    if namespace.eq_ignore_ascii_case("Microsoft.Network") {
        out["etag"] = json!(etag);
    }
    let parent_key = parents
        .checked_sub(1)
        .and_then(|i| path.levels.get(i))
        .map(|l| key(&l.id))
        .unwrap_or_default();
    st.store.put(Stored {
        id: stored_id.clone(),
        parent_key,
        full_type: target.full_type.clone(),
        body: out,
        etag: etag.clone(),
        seq: 0,
        created_ms: now,
        changed_ms: now,
    });
    if let Some(k) = recovered {
        st.soft_deleted.remove(&k);
    }
    network::apply_plan(
        st,
        ctx,
        &stored_id,
        plan,
        if lro { transient } else { "Succeeded" },
        now,
    );
    // A blob container of a storage account is, on the DFS endpoint, a filesystem.
    if target
        .full_type
        .eq_ignore_ascii_case("Microsoft.Storage/storageAccounts/blobServices/containers")
    {
        if let Some((account, name)) = container_of(&stored_id) {
            let seed = crate::seed::FilesystemSeed {
                account,
                name,
                directories: Vec::new(),
            };
            if let Err(e) = crate::dfs::seed_filesystem(st, &seed) {
                return arm_error(StatusCode::BAD_REQUEST, "ContainerOperationFailure", &e);
            }
        }
    }
    let mut resp_status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let mut op = None;
    if lro {
        let delay = ctx.lro.delay_ms.unwrap_or(st.settings.lro_delay_ms);
        let o = Operation {
            id: util::new_guid(),
            subscription: path.subscription().unwrap_or_default().to_string(),
            namespace: namespace.clone(),
            location: resource_location(st, path),
            kind: OpKind::Put,
            target_id: stored_id.clone(),
            api_version: ctx.api_version.clone(),
            started_ms: now,
            done_ms: now.saturating_add(delay.min(i64::MAX as u64) as i64),
            failure: ctx.lro.fail.clone(),
            completed: false,
            lock_key: lock.clone(),
        };
        st.ops.insert(o.id.clone(), o.clone());
        op = Some(o);
    }
    if ctx.seed {
        resp_status = StatusCode::OK;
    }
    let body = st
        .store
        .get(&stored_id)
        .map(|r| render(st, r))
        .unwrap_or(Value::Null);
    let mut r = Resp::json(resp_status, &body).header("etag", etag);
    if let Some(o) = op {
        r = lro_headers(r, &o, ctx, now, st.settings.lro_retry_after_secs, true);
    }
    r
}

/// Location of a resource or its nearest located ancestor.
fn resource_location(st: &State, path: &ArmPath) -> String {
    for l in path.levels.iter().rev() {
        if let Some(loc) = st
            .store
            .get(&l.id)
            .and_then(|r| r.body.get("location"))
            .and_then(Value::as_str)
        {
            return norm_location(loc);
        }
    }
    "global".into()
}

fn storage_decorate(st: &State, ctx: &Ctx, target: &Level, out: &mut Value) {
    let _ = st;
    if target
        .full_type
        .eq_ignore_ascii_case("Microsoft.Storage/storageAccounts")
    {
        let name = target.name.to_ascii_lowercase();
        let dfs = format!("{}/dfs/{name}/", ctx.base);
        let blob = format!("{}/blob/{name}/", ctx.base);
        out["properties"]["primaryEndpoints"] = json!({"dfs": dfs, "blob": blob});
        if out.pointer("/properties/isHnsEnabled").is_none() {
            out["properties"]["isHnsEnabled"] = json!(false);
        }
    }
}

/// RFC 7396 JSON merge patch.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(p) => {
            if !target.is_object() {
                *target = json!({});
            }
            if let Value::Object(t) = target {
                for (k, v) in p {
                    if v.is_null() {
                        t.remove(k);
                    } else {
                        merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
                    }
                }
            }
        }
        _ => *target = patch.clone(),
    }
}

fn patch_resource(
    st: &mut State,
    ctx: &Ctx,
    path: &ArmPath,
    target: &Level,
    body: Map<String, Value>,
) -> Resp {
    let Some(mut r) = st.store.get(&target.id).cloned() else {
        return not_found(target, path.resource_group());
    };
    if let Err(resp) = preconditions(ctx, Some(&r)) {
        return resp;
    }
    if let (Some(new), Some(old)) = (
        body.get("location").and_then(Value::as_str),
        r.body.get("location").and_then(Value::as_str),
    ) {
        if norm_location(new) != norm_location(old) {
            return arm_error(
                StatusCode::BAD_REQUEST,
                "LocationNotAvailableForResourceType",
                "The location of a resource cannot be changed.",
            );
        }
    }
    for (k, v) in body {
        match k.as_str() {
            "id" | "name" | "type" | "location" => {}
            "tags" => {
                r.body["tags"] = v;
            }
            _ => {
                let slot = r
                    .body
                    .as_object_mut()
                    .map(|m| m.entry(k.clone()).or_insert(Value::Null));
                if let Some(slot) = slot {
                    merge_patch(slot, &v);
                }
            }
        }
    }
    let ps = r
        .body
        .pointer("/properties/provisioningState")
        .and_then(Value::as_str)
        .unwrap_or("Succeeded")
        .to_string();
    set_ps(&mut r.body, &ps);
    r.etag = util::new_etag();
    if r.body.get("etag").is_some() {
        r.body["etag"] = json!(r.etag);
    }
    r.changed_ms = st.now_ms();
    let etag = r.etag.clone();
    let id = r.id.clone();
    st.store.put(r);
    let out = st
        .store
        .get(&id)
        .map(|x| render(st, x))
        .unwrap_or(Value::Null);
    Resp::json(StatusCode::OK, &out).header("etag", etag)
}

fn delete_resource(st: &mut State, ctx: &Ctx, path: &ArmPath, target: &Level) -> Resp {
    let Some(existing) = st.store.get(&target.id).cloned() else {
        return Resp::empty(StatusCode::NO_CONTENT);
    };
    if let Err(r) = preconditions(ctx, Some(&existing)) {
        return r;
    }
    let lock = network::lock_key(
        st,
        path,
        &existing.body.as_object().cloned().unwrap_or_default(),
    );
    if let Some(r) = lock.as_ref().and_then(|k| network::conflict(st, ctx, k)) {
        return r;
    }
    if let Err(r) = network::check_delete(st, &existing) {
        return r;
    }
    let now = st.now_ms();
    if is_lro(st, &target.full_type) {
        let delay = ctx.lro.delay_ms.unwrap_or(st.settings.lro_delay_ms);
        let LevelKind::Resource { namespace, .. } = target.kind.clone() else {
            return Resp::empty(StatusCode::NO_CONTENT);
        };
        let op = Operation {
            id: util::new_guid(),
            subscription: path.subscription().unwrap_or_default().to_string(),
            namespace,
            location: resource_location(st, path),
            kind: OpKind::Delete,
            target_id: existing.id.clone(),
            api_version: ctx.api_version.clone(),
            started_ms: now,
            done_ms: now.saturating_add(delay.min(i64::MAX as u64) as i64),
            failure: ctx.lro.fail.clone(),
            completed: false,
            lock_key: lock,
        };
        if let Some(r) = st.store.get_mut(&existing.id) {
            set_ps(&mut r.body, "Deleting");
        }
        st.ops.insert(op.id.clone(), op.clone());
        network::touch_parent_vnet(st, &existing);
        return lro_headers(
            Resp::empty(StatusCode::ACCEPTED),
            &op,
            ctx,
            now,
            st.settings.lro_retry_after_secs,
            true,
        );
    }
    let removed = st.store.remove_tree(&existing.id);
    forget_removed(st, &removed);
    softdelete::retain(st, &removed);
    network::touch_parent_vnet(st, &existing);
    Resp::empty(StatusCode::OK)
}

/// The body GET returns: stored body plus RP-computed parts (vNet subnets, subnet users).
pub fn render(st: &State, r: &Stored) -> Value {
    let mut v = r.body.clone();
    network::decorate(st, r, &mut v);
    v
}

/// Applies one seeded resource (synchronously, no auth).
pub fn apply_seed_resource(
    st: &mut State,
    base: &str,
    id_str: &str,
    body: &Value,
) -> Result<(), String> {
    let path = id::parse_id(id_str).map_err(|e| format!("{id_str}: {e}"))?;
    let ctx = Ctx {
        base,
        api_version: "seed".into(),
        if_match: None,
        if_none_match: None,
        seed: true,
        lro: LroOverride::default(),
        caller: None,
    };
    let obj = match body {
        Value::Object(m) => m.clone(),
        Value::Null => Map::new(),
        _ => return Err(format!("{id_str}: body must be a JSON object")),
    };
    let resp = match path.target() {
        Some(Level {
            kind: LevelKind::ResourceGroup,
            name,
            ..
        }) => {
            let sub = path.subscription().unwrap_or_default().to_string();
            if st.directory.subscription(&sub).is_none() {
                return Err(format!("{id_str}: unknown subscription {sub}"));
            }
            let existing = st.store.get(id_str).cloned();
            let now = st.now_ms();
            put_resource_group(st, &ctx, &sub, &name.clone(), obj, existing, now)
        }
        Some(Level {
            kind: LevelKind::Resource { .. },
            ..
        }) => {
            if let Some(r) = authorization::seed_put(st, &ctx, &path, &obj) {
                r
            } else {
                put_resource(st, &ctx, &path, obj)
            }
        }
        _ => return Err(format!("{id_str}: not a resource group or resource id")),
    };
    if resp.status.is_success() {
        st.dirty = true;
        Ok(())
    } else {
        Err(format!(
            "{id_str}: {} {}",
            resp.status.as_u16(),
            String::from_utf8_lossy(&resp.body)
        ))
    }
}

/// Replaces or creates a resource behind the provider's back (admin drift): no validation
/// beyond the ID grammar; the body is stored as given (id/name/type filled in).
pub fn drift_put(st: &mut State, id_str: &str, body: Value) -> Result<Value, String> {
    let path = id::parse_id(id_str).map_err(|e| e.to_string())?;
    let Some(target) = path.target().cloned() else {
        return Err("not a resource id".into());
    };
    let full_type = match target.kind {
        LevelKind::ResourceGroup => RG_TYPE.to_string(),
        LevelKind::Resource { .. } => target.full_type.clone(),
        LevelKind::Subscription => return Err("subscriptions are seeded, not drifted".into()),
    };
    let mut out = match body {
        Value::Object(m) => Value::Object(m),
        _ => return Err("body must be a JSON object".into()),
    };
    let existing_id = st.store.get(id_str).map(|r| r.id.clone());
    let id_final = existing_id.unwrap_or_else(|| target.id.clone());
    out["id"] = json!(id_final);
    out["name"] = json!(id_final.rsplit('/').next().unwrap_or_default());
    out["type"] = json!(full_type);
    if out.pointer("/properties/provisioningState").is_none() {
        set_ps(&mut out, "Succeeded");
    }
    let parent_key = path
        .levels
        .len()
        .checked_sub(2)
        .and_then(|i| path.levels.get(i))
        .map(|l| key(&l.id))
        .unwrap_or_default();
    let now = st.now_ms();
    let etag = util::new_etag();
    if out.get("etag").is_some() {
        out["etag"] = json!(etag);
    }
    st.store.put(Stored {
        id: id_final,
        parent_key,
        full_type,
        body: out.clone(),
        etag,
        seq: 0,
        created_ms: now,
        changed_ms: now,
    });
    st.dirty = true;
    Ok(out)
}

/// Deletes a resource and its subtree behind the provider's back.
pub fn drift_delete(st: &mut State, id_str: &str) -> usize {
    let removed = st.store.remove_tree(id_str);
    forget_removed(st, &removed);
    st.dirty = true;
    removed.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_patch_rfc7396() {
        let mut t = json!({"a": {"b": 1, "c": 2}, "d": 1});
        merge_patch(&mut t, &json!({"a": {"b": null, "e": 3}, "d": [1]}));
        assert_eq!(t, json!({"a": {"c": 2, "e": 3}, "d": [1]}));
    }

    #[test]
    fn etag_compare() {
        assert!(etag_eq("W/\"abc\"", "\"ABC\""));
        assert!(!etag_eq("\"a\"", "\"b\""));
    }
}
