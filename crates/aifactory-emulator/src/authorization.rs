//! Microsoft.Authorization: role assignments at any scope (GUID names, built-in role
//! definitions only, duplicate (principal, role, scope) -> 409 `RoleAssignmentExists`,
//! replication delay -> 400 `PrincipalNotFound` for "new" or unknown principals unless
//! `principalType` is sent, `UnmatchedPrincipalType`, `RoleAssignmentUpdateNotPermitted`),
//! lists with `$filter=atScope()` / `principalId eq '...'` / `assignedTo('...')`, role
//! definitions (`GET .../roleDefinitions/{guid}`, list with `roleName eq '...'`), and the
//! data-plane role check DFS uses.
//!
//! Owns RBAC semantics; role assignments live in the generic store (so resource-group
//! deletes cascade) but only this module writes them.

use super::arm::id::{key, ArmPath, Level, LevelKind};
use super::arm::store::Stored;
use super::arm::{page, Ctx};
use super::auth::Caller;
use super::http::{arm_error, Req, Resp};
use super::roles::{self, Role};
use super::state::State;
use super::util;
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
    if let Err(r) = super::arm::check_parents(st, path, upto, false) {
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
            put(st, ctx, &scope, &target, &body, Some(caller))
        }
        _ => arm_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            format!(
                "The requested resource does not support http method '{}'.",
                req.method
            ),
        ),
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
    if let Err(r) = super::arm::check_parents(st, path, upto, true) {
        return Some(r);
    }
    let scope = scope_of(path, upto);
    let target = path.levels.last().cloned()?;
    Some(put(st, ctx, &scope, &target, body, None))
}

fn put(
    st: &mut State,
    ctx: &Ctx,
    scope: &str,
    target: &Level,
    body: &Map<String, Value>,
    caller: Option<&Caller>,
) -> Resp {
    let bad = |code: &str, msg: String| arm_error(StatusCode::BAD_REQUEST, code, msg);
    if !util::is_guid(&target.name) {
        return bad(
            "InvalidRoleAssignmentId",
            format!(
                "The role assignment ID '{}' is not valid. The role assignment ID must be a GUID.",
                target.name
            ),
        );
    }
    let props = body
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let s = |k: &str| props.get(k).and_then(Value::as_str).map(str::to_string);
    let Some(role_def) = s("roleDefinitionId") else {
        return bad(
            "InvalidRequestContent",
            "The request content was invalid: 'properties.roleDefinitionId' is required.".into(),
        );
    };
    let Some(principal_id) = s("principalId") else {
        return bad(
            "InvalidRequestContent",
            "The request content was invalid: 'properties.principalId' is required.".into(),
        );
    };
    let role_guid = role_def.rsplit('/').next().unwrap_or_default().to_string();
    let Some(role) = roles::by_id(&role_guid) else {
        return bad(
            "RoleDefinitionDoesNotExist",
            format!("The specified role definition with ID '{role_guid}' does not exist."),
        );
    };
    let now = st.now_ms();
    let tenant = subscription_of(scope)
        .and_then(|s| st.directory.subscription(&s).map(|x| x.tenant.clone()))
        .or_else(|| caller.map(|c| c.tid.clone()))
        .unwrap_or_default();
    let given_type = s("principalType");
    if let Some(t) = &given_type {
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
            return bad("InvalidPrincipalType", format!("The principal type '{t}' is not valid. Valid values: User, Group, ServicePrincipal, ForeignGroup, Device."));
        }
    }
    let principal = st.directory.by_object_id(&principal_id).cloned();
    let is_new = principal
        .as_ref()
        .is_some_and(|p| p.new_until_ms.is_some_and(|t| now < t));
    let actual_type = match (&principal, &given_type) {
        (Some(p), _) if !is_new => {
            let actual = p.kind.principal_type();
            if let Some(g) = &given_type {
                if !g.eq_ignore_ascii_case(actual) {
                    return bad(
                        "UnmatchedPrincipalType",
                        format!("The PrincipalId '{principal_id}' has type '{actual}' , which is different from specified PrincipalType '{g}'."),
                    );
                }
            }
            actual.to_string()
        }
        (_, Some(g)) => g.clone(),
        (_, None) => {
            return bad(
                "PrincipalNotFound",
                format!("Principal {} does not exist in the directory {tenant}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype", principal_id.replace('-', "")),
            );
        }
    };
    let scope_key = key(scope);
    let existing = st.store.get(&target.id).cloned();
    if let Some(e) = &existing {
        let ep = e
            .body
            .pointer("/properties/principalId")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let er = e
            .body
            .pointer("/properties/roleDefinitionId")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !ep.eq_ignore_ascii_case(&principal_id)
            || !er
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .eq_ignore_ascii_case(&role_guid)
        {
            return bad(
                "RoleAssignmentUpdateNotPermitted",
                "Tenant ID, application ID, principal ID, and scope are not allowed to be updated."
                    .into(),
            );
        }
    }
    let dup = st.store.filter(|r| {
        r.full_type.eq_ignore_ascii_case(ASSIGNMENTS)
            && r.parent_key == scope_key
            && key(&r.id) != key(&target.id)
            && r.body
                .pointer("/properties/principalId")
                .and_then(Value::as_str)
                .is_some_and(|p| p.eq_ignore_ascii_case(&principal_id))
            && r.body
                .pointer("/properties/roleDefinitionId")
                .and_then(Value::as_str)
                .is_some_and(|d| {
                    d.rsplit('/')
                        .next()
                        .unwrap_or_default()
                        .eq_ignore_ascii_case(&role_guid)
                })
    });
    if let Some(d) = dup.first() {
        return arm_error(
            StatusCode::CONFLICT,
            "RoleAssignmentExists",
            format!(
                "The role assignment already exists. The ID of the existing role assignment is {}.",
                d.id.rsplit('/').next().unwrap_or_default()
            ),
        );
    }
    let when = util::iso8601(now);
    let who = caller.map(|c| c.oid.clone());
    let created_on = existing
        .as_ref()
        .and_then(|e| e.body.pointer("/properties/createdOn").cloned())
        .unwrap_or(json!(when));
    let created_by = existing
        .as_ref()
        .and_then(|e| e.body.pointer("/properties/createdBy").cloned())
        .unwrap_or(json!(who));
    let id = existing
        .as_ref()
        .map(|e| e.id.clone())
        .unwrap_or_else(|| target.id.clone());
    let out = json!({
        "id": id,
        "type": ASSIGNMENTS,
        "name": id.rsplit('/').next().unwrap_or(&target.name),
        "properties": {
            "roleDefinitionId": definition_id(scope, role.id),
            "principalId": principal_id,
            "principalType": actual_type,
            "scope": scope,
            "condition": props.get("condition").cloned().unwrap_or(Value::Null),
            "conditionVersion": props.get("conditionVersion").cloned().unwrap_or(Value::Null),
            "description": props.get("description").cloned().unwrap_or(Value::Null),
            "delegatedManagedIdentityResourceId": props.get("delegatedManagedIdentityResourceId").cloned().unwrap_or(Value::Null),
            "createdOn": created_on,
            "updatedOn": when,
            "createdBy": created_by,
            "updatedBy": who,
        }
    });
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
