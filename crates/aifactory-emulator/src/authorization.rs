//! Microsoft.Authorization: role assignments at any scope (GUID names, built-in role
//! definitions only, duplicate (principal, role, scope) -> 409 `RoleAssignmentExists`,
//! replication delay -> 400 `PrincipalNotFound` for "new" or unknown principals unless
//! `principalType` is sent, `UnmatchedPrincipalType`, `RoleAssignmentUpdateNotPermitted`),
//! lists with `$filter=atScope()` / `principalId eq '...'` / `assignedTo('...')`, role
//! definitions (`GET .../roleDefinitions/{guid}`, list with `roleName eq '...'`), and the
//! data-plane role check DFS uses.
//!
//! Owns RBAC semantics; role assignments live in the generic store (so resource-group
//! deletes cascade) but only this module writes them. Imports only the leaves of `arm`
//! (`id`, `store`, `ops`, `ctx`, `reply`, `checks`), never its handlers.

use crate::arm::checks::check_parents;
use crate::arm::ctx::Ctx;
use crate::arm::id::{key, ArmPath, Level, LevelKind};
use crate::arm::ops;
use crate::arm::reply::{method_not_allowed, page};
use crate::arm::store::Stored;
use crate::auth::Caller;
use crate::http::{arm_error, Req, Resp};
use crate::roles::{self, Role};
use crate::state::{Principal, State};
use crate::util;
use crate::validate;
use http::{Method, StatusCode};
use serde_json::{json, Map, Value};

pub const ASSIGNMENTS: &str = "Microsoft.Authorization/roleAssignments";
pub const DEFINITIONS: &str = "Microsoft.Authorization/roleDefinitions";

/// Scope ID = everything before the last `/providers/Microsoft.Authorization/...`.
fn scope_of(path: &ArmPath, upto: usize) -> String {
    match upto.checked_sub(1).and_then(|i| path.levels.get(i)) {
        Some(l) => l.id.clone(),
        None => "/".into(),
    }
}

fn subscription_of(scope: &str) -> Option<String> {
    let p: Vec<&str> = scope.split('/').filter(|s| !s.is_empty()).collect();
    (p.first()
        .is_some_and(|s| s.eq_ignore_ascii_case("subscriptions"))
        && p.len() >= 2)
        .then(|| p[1].to_string())
}

fn definition_id(scope: &str, role: &str) -> String {
    match subscription_of(scope) {
        Some(s) => format!("/subscriptions/{s}/providers/{DEFINITIONS}/{role}"),
        None => format!("/providers/{DEFINITIONS}/{role}"),
    }
}

fn definition_json(scope: &str, r: &Role) -> Value {
    json!({
        "id": definition_id(scope, r.id),
        "name": r.id,
        "type": DEFINITIONS,
        "properties": {
            "roleName": r.name,
            "type": "BuiltInRole",
            "description": r.description,
            "assignableScopes": ["/"],
            "permissions": [{"actions": r.actions, "notActions": r.not_actions, "dataActions": r.data_actions, "notDataActions": []}],
            "createdOn": "2015-02-02T21:55:09.8806423Z",
            "updatedOn": "2024-01-01T00:00:00.0000000Z",
            "createdBy": null,
            "updatedBy": null,
        }
    })
}

fn last_chain_is(path: &ArmPath, full_type: &str) -> Option<bool> {
    // Some(true) = named target, Some(false) = collection.
    if let Some((_, t)) = &path.collection {
        return t.eq_ignore_ascii_case(full_type).then_some(false);
    }
    let l = path.levels.last()?;
    (l.full_type.eq_ignore_ascii_case(full_type) && matches!(l.kind, LevelKind::Resource { .. }))
        .then_some(true)
}

/// Handles role assignment / definition paths; `None` = not ours.
pub fn route(
    st: &mut State,
    ctx: &Ctx,
    req: &Req,
    path: &ArmPath,
    caller: &Caller,
) -> Option<Resp> {
    if let Some(named) = last_chain_is(path, DEFINITIONS) {
        return Some(definitions(st, ctx, req, path, named));
    }
    let named = last_chain_is(path, ASSIGNMENTS)?;
    let upto = if named {
        path.levels.len() - 1
    } else {
        path.levels.len()
    };
    let scope = if named {
        scope_of(path, upto)
    } else {
        path.collection
            .as_ref()
            .map(|c| c.0.clone())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "/".into())
    };
    if let Err(r) = check_parents(st, path, upto, false) {
        return Some(r);
    }
    if !named {
        if req.method != Method::GET {
            return Some(arm_error(
                StatusCode::METHOD_NOT_ALLOWED,
                "MethodNotAllowed",
                "Only GET is supported on a role assignment collection.",
            ));
        }
        return Some(list(st, ctx, req, &scope));
    }
    let target = path.levels.last().cloned()?;
    Some(match req.method {
        Method::GET => match st.store.get(&target.id) {
            Some(r) => Resp::json(StatusCode::OK, &r.body),
            None => not_found(&target),
        },
        Method::DELETE => match st.store.get(&target.id).cloned() {
            Some(r) => {
                st.store.remove_tree(&r.id);
                Resp::json(StatusCode::OK, &r.body)
            }
            None => Resp::empty(StatusCode::NO_CONTENT),
        },
        Method::PUT => {
            let body = match req.json() {
                Ok(Value::Object(m)) => m,
                _ => {
                    return Some(arm_error(
                        StatusCode::BAD_REQUEST,
                        "InvalidRequestContent",
                        "The request content was invalid and could not be deserialized.",
                    ))
                }
            };
            if let Err(r) = validate::check_body(
                ASSIGNMENTS,
                &ctx.api_version,
                &target.id,
                &body,
                validate::Mode::Put,
            ) {
                return Some(r);
            }
            put(st, ctx, &scope, &target, &body, Some(caller))
        }
        _ => method_not_allowed(req),
    })
}

fn not_found(target: &Level) -> Resp {
    arm_error(
        StatusCode::NOT_FOUND,
        "RoleAssignmentNotFound",
        format!("The role assignment '{}' is not found.", target.name),
    )
}

/// Seeds a role assignment through the same rules (`None` = not a role assignment).
pub fn seed_put(
    st: &mut State,
    ctx: &Ctx,
    path: &ArmPath,
    body: &Map<String, Value>,
) -> Option<Resp> {
    if last_chain_is(path, ASSIGNMENTS) != Some(true) {
        return None;
    }
    let upto = path.levels.len() - 1;
    if let Err(r) = check_parents(st, path, upto, true) {
        return Some(r);
    }
    let scope = scope_of(path, upto);
    let target = path.levels.last().cloned()?;
    Some(put(st, ctx, &scope, &target, body, None))
}

fn bad(code: &str, msg: String) -> Resp {
    arm_error(StatusCode::BAD_REQUEST, code, msg)
}

/// The last segment of a role definition ID (its GUID).
fn role_guid_of(definition_id: &str) -> &str {
    definition_id.rsplit('/').next().unwrap_or_default()
}

/// `properties.principalId` / `properties.roleDefinitionId` of a stored assignment.
fn stored_prop<'a>(r: &'a Stored, name: &str) -> Option<&'a str> {
    r.body
        .pointer(&format!("/properties/{name}"))
        .and_then(Value::as_str)
}

/// What a role assignment PUT asks for, once its required fields are read.
struct Request {
    props: Map<String, Value>,
    principal_id: String,
    role: &'static Role,
    principal_type: Option<String>,
}

/// Reads and checks the request body: GUID name, `roleDefinitionId` naming a built-in role,
/// `principalId`, and a valid `principalType` when given.
fn read_request(target: &Level, body: &Map<String, Value>) -> Result<Request, Resp> {
    if !util::is_guid(&target.name) {
        return Err(bad(
            "InvalidRoleAssignmentId",
            format!(
                "The role assignment ID '{}' is not valid. The role assignment ID must be a GUID.",
                target.name
            ),
        ));
    }
    let props = body
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let s = |k: &str| props.get(k).and_then(Value::as_str).map(str::to_string);
    let Some(role_def) = s("roleDefinitionId") else {
        return Err(bad(
            "InvalidRequestContent",
            "The request content was invalid: 'properties.roleDefinitionId' is required.".into(),
        ));
    };
    let Some(principal_id) = s("principalId") else {
        return Err(bad(
            "InvalidRequestContent",
            "The request content was invalid: 'properties.principalId' is required.".into(),
        ));
    };
    let role_guid = role_guid_of(&role_def);
    let Some(role) = roles::by_id(role_guid) else {
        return Err(bad(
            "RoleDefinitionDoesNotExist",
            format!("The specified role definition with ID '{role_guid}' does not exist."),
        ));
    };
    let principal_type = s("principalType");
    if let Some(t) = &principal_type {
        if ![
            "User",
            "Group",
            "ServicePrincipal",
            "ForeignGroup",
            "Device",
        ]
        .iter()
        .any(|x| x.eq_ignore_ascii_case(t))
        {
            return Err(bad("InvalidPrincipalType", format!("The principal type '{t}' is not valid. Valid values: User, Group, ServicePrincipal, ForeignGroup, Device.")));
        }
    }
    Ok(Request {
        props,
        principal_id,
        role,
        principal_type,
    })
}

/// The principal type to record. A known principal past its replication delay has its own
/// (a different `principalType` is `UnmatchedPrincipalType`); a new or unknown one needs
/// `principalType`, else `PrincipalNotFound`.
fn principal_type(
    principal: Option<&Principal>,
    req: &Request,
    tenant: &str,
    now: i64,
) -> Result<String, Resp> {
    let is_new = principal.is_some_and(|p| p.new_until_ms.is_some_and(|t| now < t));
    match (principal, &req.principal_type) {
        (Some(p), given) if !is_new => {
            let actual = p.kind.principal_type();
            if let Some(g) = given {
                if !g.eq_ignore_ascii_case(actual) {
                    return Err(bad(
                        "UnmatchedPrincipalType",
                        format!("The PrincipalId '{}' has type '{actual}' , which is different from specified PrincipalType '{g}'.", req.principal_id),
                    ));
                }
            }
            Ok(actual.to_string())
        }
        (_, Some(g)) => Ok(g.clone()),
        (_, None) => Err(bad(
            "PrincipalNotFound",
            format!("Principal {} does not exist in the directory {tenant}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype", req.principal_id.replace('-', "")),
        )),
    }
}

/// An existing assignment may only be re-put with the same principal and role.
fn check_update(existing: Option<&Stored>, req: &Request) -> Result<(), Resp> {
    let Some(e) = existing else {
        return Ok(());
    };
    let same_principal = stored_prop(e, "principalId")
        .unwrap_or_default()
        .eq_ignore_ascii_case(&req.principal_id);
    let same_role = role_guid_of(stored_prop(e, "roleDefinitionId").unwrap_or_default())
        .eq_ignore_ascii_case(req.role.id);
    if same_principal && same_role {
        return Ok(());
    }
    Err(bad(
        "RoleAssignmentUpdateNotPermitted",
        "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.".into(),
    ))
}

/// Another assignment of the same principal and role at the same scope is a 409.
fn check_duplicate(st: &State, scope_key: &str, target: &Level, req: &Request) -> Result<(), Resp> {
    let dup = st.store.filter(|r| {
        r.full_type.eq_ignore_ascii_case(ASSIGNMENTS)
            && r.parent_key == scope_key
            && key(&r.id) != key(&target.id)
            && stored_prop(r, "principalId")
                .is_some_and(|p| p.eq_ignore_ascii_case(&req.principal_id))
            && stored_prop(r, "roleDefinitionId")
                .is_some_and(|d| role_guid_of(d).eq_ignore_ascii_case(req.role.id))
    });
    let Some(d) = dup.first() else {
        return Ok(());
    };
    Err(arm_error(
        StatusCode::CONFLICT,
        "RoleAssignmentExists",
        format!(
            "The role assignment already exists. The ID of the existing role assignment is {}.",
            d.id.rsplit('/').next().unwrap_or_default()
        ),
    ))
}

/// The assignment as stored and returned (created fields kept from `existing`).
fn assignment_json(
    id: &str,
    scope: &str,
    target: &Level,
    req: &Request,
    principal_type: &str,
    existing: Option<&Stored>,
    updated: (String, Option<String>),
) -> Value {
    let (when, who) = updated;
    let kept = |name: &str, fallback: Value| {
        existing
            .and_then(|e| e.body.pointer(&format!("/properties/{name}")).cloned())
            .unwrap_or(fallback)
    };
    let created_on = kept("createdOn", json!(when));
    let created_by = kept("createdBy", json!(who));
    let prop = |k: &str| req.props.get(k).cloned().unwrap_or(Value::Null);
    json!({
        "id": id,
        "type": ASSIGNMENTS,
        "name": id.rsplit('/').next().unwrap_or(&target.name),
        "properties": {
            "roleDefinitionId": definition_id(scope, req.role.id),
            "principalId": req.principal_id,
            "principalType": principal_type,
            "scope": scope,
            "condition": prop("condition"),
            "conditionVersion": prop("conditionVersion"),
            "description": prop("description"),
            "delegatedManagedIdentityResourceId": prop("delegatedManagedIdentityResourceId"),
            "createdOn": created_on,
            "updatedOn": when,
            "createdBy": created_by,
            "updatedBy": who,
        }
    })
}

/// PUT of a role assignment (also seeding, without a caller): 201 created, 200 re-put.
fn put(
    st: &mut State,
    ctx: &Ctx,
    scope: &str,
    target: &Level,
    body: &Map<String, Value>,
    caller: Option<&Caller>,
) -> Resp {
    let _ = ctx;
    let req = match read_request(target, body) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let now = st.now_ms();
    let tenant = subscription_of(scope)
        .and_then(|s| st.directory.subscription(&s).map(|x| x.tenant.clone()))
        .or_else(|| caller.map(|c| c.tid.clone()))
        .unwrap_or_default();
    let principal = st.directory.by_object_id(&req.principal_id);
    let actual_type = match principal_type(principal, &req, &tenant, now) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let scope_key = key(scope);
    let existing = st.store.get(&target.id).cloned();
    if let Err(r) = check_update(existing.as_ref(), &req) {
        return r;
    }
    if let Err(r) = check_duplicate(st, &scope_key, target, &req) {
        return r;
    }
    if existing.is_none() {
        if let Err(r) = check_limit(st, scope) {
            return r;
        }
    }
    let id = existing
        .as_ref()
        .map(|e| e.id.clone())
        .unwrap_or_else(|| target.id.clone());
    let updated = (util::iso8601(now), caller.map(|c| c.oid.clone()));
    let out = assignment_json(
        &id,
        scope,
        target,
        &req,
        &actual_type,
        existing.as_ref(),
        updated,
    );
    let created = existing.is_none();
    st.store.put(Stored {
        id,
        parent_key: scope_key,
        full_type: ASSIGNMENTS.into(),
        body: out.clone(),
        etag: util::new_etag(),
        seq: 0,
        created_ms: now,
        changed_ms: now,
    });
    st.dirty = true;
    let answer = ops::put_answer(ASSIGNMENTS, created, false);
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    Resp::json(status, &out)
}

/// Azure's role assignment limit per subscription: counts the assignments at the
/// subscription and below (management-group scopes do not count) before a create.
fn check_limit(st: &State, scope: &str) -> Result<(), Resp> {
    let Some(sub) = subscription_of(scope) else {
        return Ok(());
    };
    let limit = st.settings.role_assignment_limit;
    let prefix = key(&format!("/subscriptions/{sub}"));
    let held = st
        .store
        .filter(|r| {
            r.full_type.eq_ignore_ascii_case(ASSIGNMENTS)
                && (r.parent_key == prefix || r.parent_key.starts_with(&format!("{prefix}/")))
        })
        .len();
    if held < limit {
        return Ok(());
    }
    Err(bad(
        "RoleAssignmentLimitExceeded",
        // Azure's words, without the counts (it does not give them).
        "No more role assignments can be created.".into(),
    ))
}

/// True when `a` is `b` or an ancestor of `b` (scope keys).
fn at_or_above(a: &str, b: &str) -> bool {
    a == "/" || a.is_empty() || a == b || b.starts_with(&format!("{a}/"))
}

fn list(st: &State, ctx: &Ctx, req: &Req, scope: &str) -> Resp {
    let sk = key(scope);
    let sk = if sk.is_empty() { "/".to_string() } else { sk };
    let filter = req.q("$filter").unwrap_or_default().to_string();
    let lower = filter.to_ascii_lowercase();
    let at_scope = lower.contains("atscope()");
    let principal = extract_quoted(&filter, "principalid eq")
        .or_else(|| extract_quoted(&filter, "assignedto("));
    let items: Vec<Value> = st
        .store
        .filter(|r| {
            if !r.full_type.eq_ignore_ascii_case(ASSIGNMENTS) {
                return false;
            }
            let rs = if r.parent_key.is_empty() {
                "/"
            } else {
                r.parent_key.as_str()
            };
            let scope_ok = if at_scope {
                at_or_above(rs, &sk)
            } else {
                at_or_above(rs, &sk) || at_or_above(&sk, rs)
            };
            let principal_ok = principal.as_ref().is_none_or(|p| {
                r.body
                    .pointer("/properties/principalId")
                    .and_then(Value::as_str)
                    .is_some_and(|x| x.eq_ignore_ascii_case(p))
            });
            scope_ok && principal_ok
        })
        .into_iter()
        .map(|r| r.body.clone())
        .collect();
    page(st, ctx, req, items)
}

/// Value of `name '...'` or `name('...')` in an OData filter (case-insensitive name).
fn extract_quoted(filter: &str, name: &str) -> Option<String> {
    let lower = filter.to_ascii_lowercase();
    let pos = lower.find(name)? + name.len();
    let rest = &filter[pos..];
    let start = rest.find('\'')? + 1;
    let end = rest[start..].find('\'')? + start;
    Some(rest[start..end].to_string())
}

fn definitions(st: &State, ctx: &Ctx, req: &Req, path: &ArmPath, named: bool) -> Resp {
    if req.method != Method::GET {
        return arm_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "Custom role definitions are not supported by the emulator.",
        );
    }
    let upto = if named {
        path.levels.len() - 1
    } else {
        path.levels.len()
    };
    let scope = scope_of(path, upto);
    if named {
        let guid = path
            .levels
            .last()
            .map(|l| l.name.clone())
            .unwrap_or_default();
        return match roles::by_id(&guid) {
            Some(r) => Resp::json(StatusCode::OK, &definition_json(&scope, r)),
            None => arm_error(
                StatusCode::NOT_FOUND,
                "RoleDefinitionDoesNotExist",
                format!("The specified role definition with ID '{guid}' does not exist."),
            ),
        };
    }
    let filter = req.q("$filter").unwrap_or_default().to_string();
    let name = extract_quoted(&filter, "rolename eq");
    let items: Vec<Value> = roles::BUILT_IN
        .iter()
        .filter(|r| name.as_ref().is_none_or(|n| r.name.eq_ignore_ascii_case(n)))
        .map(|r| definition_json(&scope, r))
        .collect();
    page(st, ctx, req, items)
}

/// Whether `oid` holds a storage data role at `scope_id` or above (DFS RBAC).
pub fn has_storage_data_role(st: &State, oid: &str, scope_id: &str, write: bool) -> bool {
    let sk = key(scope_id);
    !st.store
        .filter(|r| {
            r.full_type.eq_ignore_ascii_case(ASSIGNMENTS)
                && at_or_above(
                    if r.parent_key.is_empty() {
                        "/"
                    } else {
                        &r.parent_key
                    },
                    &sk,
                )
                && r.body
                    .pointer("/properties/principalId")
                    .and_then(Value::as_str)
                    .is_some_and(|p| p.eq_ignore_ascii_case(oid))
                && r.body
                    .pointer("/properties/roleDefinitionId")
                    .and_then(Value::as_str)
                    .is_some_and(|d| {
                        roles::storage_data_role(d.rsplit('/').next().unwrap_or_default(), write)
                    })
        })
        .is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_and_scopes() {
        assert_eq!(
            extract_quoted("atScope() and principalId eq 'abc'", "principalid eq").as_deref(),
            Some("abc")
        );
        assert_eq!(
            extract_quoted("assignedTo('x-y')", "assignedto(").as_deref(),
            Some("x-y")
        );
        assert!(at_or_above(
            "/subscriptions/s",
            "/subscriptions/s/resourcegroups/rg"
        ));
        assert!(!at_or_above(
            "/subscriptions/s/resourcegroups/rg",
            "/subscriptions/s/resourcegroups/rg2"
        ));
        assert!(at_or_above("/", "/subscriptions/s"));
        assert_eq!(
            definition_id("/subscriptions/s/resourceGroups/r", "g"),
            "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/g"
        );
    }
}
