//! The ARM entry point: completes due operations, authenticates the bearer token, requires
//! `api-version`, routes `/subscriptions`, `/tenants` and `/providers` paths, checks the
//! subscription's tenant, applies throttling (429 + rate-limit headers), refuses writes in
//! read-only scopes (`crate::scopes`), and answers the
//! subscription-level endpoints (subscriptions, tenants, provider registrations, resource
//! lists) itself; resource groups, operations, soft delete and resources go to their modules.
//!
//! Owns routing and the request gate; must not hold resource semantics.

use super::complete::complete_due;
use super::ctx::Ctx;
use super::id::{key, RG_TYPE};
use super::reply::{method_not_allowed, page, rg_not_found};
use super::store::Stored;
use super::{generic, operations, resource_group};
use crate::auth::{self, Caller, Service};
use crate::faults::LroOverride;
use crate::http::{arm_error, Req, Resp};
use crate::softdelete::endpoints as softdelete;
use crate::state::{State, Subscription};
use crate::throttle::{Decision, OpClass};
use http::{Method, StatusCode};
use serde_json::{json, Map, Value};

/// Fields a generic resource list (`/resources`) shows.
const LIST_FIELDS: [&str; 9] = [
    "id",
    "name",
    "type",
    "location",
    "tags",
    "kind",
    "sku",
    "identity",
    "managedBy",
];

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
        return list_tenants(st, caller);
    }
    if is(0, "providers") {
        // Tenant-level: role definitions at "/".
        return generic::handle(st, ctx, req, caller);
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
    throttled(st, req, caller, &sub, |st| {
        let scopes = &st.settings.read_only_scopes;
        if let Some(denied) = crate::scopes::check_write(scopes, &req.method, &req.segments, caller)
        {
            return denied;
        }
        route_subscription(st, ctx, req, caller, &sub, &segs)
    })
}

/// Charges the request to the subscription's and principal's buckets: a 429 when empty,
/// else `answer` with the remaining counts in the rate-limit headers.
fn throttled(
    st: &mut State,
    req: &Req,
    caller: &Caller,
    sub: &Subscription,
    answer: impl FnOnce(&mut State) -> Resp,
) -> Resp {
    let class = OpClass::of(&req.method);
    let suffix = class.header_suffix();
    let now = st.now_ms();
    let cfg = st.settings.throttle.clone();
    match st.throttle.check(&cfg, &sub.id, &caller.oid, class, now) {
        Decision::Throttled { retry_after_secs } => arm_error(
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequests",
            format!(
                "The request is being throttled. Number of {suffix} requests for subscription '{}' and principal '{}' exceeded the limit. Please try again after '{retry_after_secs}' seconds.",
                sub.id,
                caller.oid
            ),
        )
        .header("retry-after", retry_after_secs.to_string())
        .header(&format!("x-ms-ratelimit-remaining-subscription-{suffix}"), "0")
        .header("x-ms-failure-cause", "gateway"),
        Decision::Allowed {
            remaining,
            global_remaining,
        } => answer(st)
            .header(
                &format!("x-ms-ratelimit-remaining-subscription-{suffix}"),
                remaining.to_string(),
            )
            .header(
                &format!("x-ms-ratelimit-remaining-subscription-global-{suffix}"),
                global_remaining.to_string(),
            ),
    }
}

fn route_subscription(
    st: &mut State,
    ctx: &Ctx,
    req: &Req,
    caller: &Caller,
    sub: &Subscription,
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
        return match n {
            3 => list_resource_groups(st, ctx, req, sub),
            4 => resource_group::handle(st, ctx, req, segs[1], segs[3]),
            5 if is(4, "resources") => list_resource_group_resources(st, ctx, req, segs),
            _ => generic::handle(st, ctx, req, caller),
        };
    }
    if n == 3 && is(2, "resources") {
        return list_subscription_resources(st, ctx, req, sub);
    }
    if n == 4 && is(2, "operationresults") {
        return operations::result(st, ctx, segs[3], &sub.id);
    }
    if is(2, "providers") {
        if let Some(r) = provider_endpoint(st, ctx, req, sub, segs) {
            return r;
        }
    }
    generic::handle(st, ctx, req, caller)
}

/// `/subscriptions/{s}/providers[/{ns}[/register]]`, operation status/result URLs under
/// `.../locations/{loc}/`, and the soft-delete endpoints; `None` for resource paths.
fn provider_endpoint(
    st: &mut State,
    ctx: &Ctx,
    req: &Req,
    sub: &Subscription,
    segs: &[&str],
) -> Option<Resp> {
    let is = |i: usize, w: &str| segs.get(i).is_some_and(|s| s.eq_ignore_ascii_case(w));
    let n = segs.len();
    if let Some(r) = softdelete::route(st, ctx, req, &sub.id, segs) {
        return Some(r);
    }
    if n == 3 {
        return Some(match req.method {
            Method::GET => crate::providers::list(st, &sub.id),
            _ => method_not_allowed(req),
        });
    }
    if n == 4 {
        return Some(match req.method {
            Method::GET => crate::providers::get(st, &sub.id, segs[3]),
            _ => method_not_allowed(req),
        });
    }
    if n == 5 && is(4, "register") {
        return Some(match req.method {
            Method::POST => crate::providers::register(st, &sub.id, segs[3]),
            _ => method_not_allowed(req),
        });
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
            return Some(operations::status(st, ctx, segs[7], &sub.id));
        }
        if kind == "operationresults" {
            return Some(operations::result(st, ctx, segs[7], &sub.id));
        }
    }
    None
}

/// Extension resources (role assignments) are not part of generic resource lists.
fn is_extension_type(t: &str) -> bool {
    t.to_ascii_lowercase()
        .starts_with("microsoft.authorization/")
}

fn subscription_json(sub: &Subscription) -> Value {
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

/// `GET /subscriptions`: the caller's tenant's subscriptions.
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

/// `GET /tenants`: the caller's tenant.
fn list_tenants(st: &State, caller: &Caller) -> Resp {
    let v: Vec<Value> = st
        .directory
        .tenants
        .iter()
        .filter(|t| t.id.eq_ignore_ascii_case(&caller.tid))
        .map(|t| json!({"id": format!("/tenants/{}", t.id), "tenantId": t.id, "tenantCategory": "Home", "domains": t.domains}))
        .collect();
    Resp::json(StatusCode::OK, &json!({ "value": v }))
}

/// `GET /subscriptions/{s}/resourcegroups`.
fn list_resource_groups(st: &State, ctx: &Ctx, req: &Req, sub: &Subscription) -> Resp {
    if req.method != Method::GET {
        return method_not_allowed(req);
    }
    let items: Vec<Value> = st
        .store
        .children(&format!("/subscriptions/{}", sub.id), RG_TYPE)
        .into_iter()
        .map(|r| r.body.clone())
        .collect();
    page(st, ctx, req, items)
}

/// `GET /subscriptions/{s}/resourceGroups/{rg}/resources`.
fn list_resource_group_resources(st: &State, ctx: &Ctx, req: &Req, segs: &[&str]) -> Resp {
    let rg_id = format!("/subscriptions/{}/resourceGroups/{}", segs[1], segs[3]);
    if !st.store.contains(&rg_id) {
        return rg_not_found(segs[3]);
    }
    let rgk = key(&rg_id);
    list_generic(st, ctx, req, |r| {
        r.parent_key == rgk && r.full_type != RG_TYPE && !is_extension_type(&r.full_type)
    })
}

/// `GET /subscriptions/{s}/resources`: top-level resources in any of its resource groups.
fn list_subscription_resources(st: &State, ctx: &Ctx, req: &Req, sub: &Subscription) -> Resp {
    let prefix = format!(
        "{}/resourcegroups/",
        key(&format!("/subscriptions/{}", sub.id))
    );
    list_generic(st, ctx, req, |r| {
        r.parent_key.starts_with(&prefix)
            && !r.parent_key[prefix.len()..].contains('/')
            && r.full_type != RG_TYPE
            && !is_extension_type(&r.full_type)
    })
}

/// Generic-resource list (`/resources`): id, name, type, location, tags, kind, sku, identity,
/// managedBy; `$filter=resourceType eq '...'` narrows it.
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
            for k in LIST_FIELDS {
                if let Some(v) = r.body.get(k) {
                    m.insert(k.into(), v.clone());
                }
            }
            Value::Object(m)
        })
        .collect();
    page(st, ctx, req, items)
}
