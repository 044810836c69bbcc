//! Read-only scopes (`Settings::read_only_scopes`, the binary's `--read-only-scope ID`): the
//! caller has read access only at and below these resource group, subscription or resource
//! IDs, so every write there (PUT, PATCH, DELETE, POST) is refused as ARM refuses a caller
//! without the role: 403 `AuthorizationFailed`, "The client '...' with object id '...' does
//! not have authorization to perform action '{type}/write' over scope '{id}' or the scope is
//! invalid. If access was recently granted, please refresh your credentials." (ARM's
//! wording, as in learn.microsoft.com "Troubleshoot Azure RBAC"). Reads are unaffected.
//!
//! Owns the scope test and the refusal; must not change state. Called by `arm::route` before
//! any handler.

use crate::arm::id::{key, ArmPath, LevelKind, RG_TYPE};
use crate::auth::Caller;
use crate::http::{arm_error, Resp};
use http::{Method, StatusCode};

/// Whether `id` is `scope` or below it (case-insensitive).
pub fn within(id: &str, scope: &str) -> bool {
    let (id, scope) = (key(id), key(scope));
    !scope.is_empty() && (id == scope || id.starts_with(&format!("{scope}/")))
}

/// The 403 for a write on `segments` (decoded, from `subscriptions`) when it falls in one of
/// `scopes`.
pub fn check_write(
    scopes: &[String],
    method: &Method,
    segments: &[String],
    caller: &Caller,
) -> Option<Resp> {
    if scopes.is_empty() || matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return None;
    }
    let path = ArmPath::parse(segments).ok()?;
    let level = path.levels.last()?;
    let target = match &path.collection {
        Some((scope, _)) => scope.clone(),
        None => level.id.clone(),
    };
    if !scopes.iter().any(|s| within(&target, s)) {
        return None;
    }
    let kind = match level.kind {
        LevelKind::Subscription => "Microsoft.Resources/subscriptions".to_string(),
        LevelKind::ResourceGroup => {
            RG_TYPE.replace("resourceGroups", "subscriptions/resourceGroups")
        }
        LevelKind::Resource { .. } => level.full_type.clone(),
    };
    let verb = match *method {
        Method::DELETE => "delete".to_string(),
        Method::POST => format!(
            "{}/action",
            segments.last().map(String::as_str).unwrap_or("action")
        ),
        _ => "write".to_string(),
    };
    let client = caller.appid.clone().unwrap_or_else(|| caller.oid.clone());
    Some(arm_error(
        StatusCode::FORBIDDEN,
        "AuthorizationFailed",
        format!(
            "The client '{client}' with object id '{}' does not have authorization to perform action '{kind}/{verb}' over scope '{target}' or the scope is invalid. If access was recently granted, please refresh your credentials.",
            caller.oid
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_test() {
        assert!(within(
            "/subscriptions/S/resourceGroups/hub/providers/x/y/z",
            "/subscriptions/s/resourcegroups/HUB"
        ));
        assert!(within(
            "/subscriptions/s/resourceGroups/hub",
            "/subscriptions/s/resourceGroups/hub/"
        ));
        assert!(!within(
            "/subscriptions/s/resourceGroups/hub2",
            "/subscriptions/s/resourceGroups/hub"
        ));
        assert!(!within("/subscriptions/s", ""));
    }
}
