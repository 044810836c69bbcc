//! Azure Monitor's diagnostic settings (`{resourceId}/providers/Microsoft.Insights/
//! diagnosticSettings/{name}`, 2021-05-01-preview: the stable 2016-09-01 has no
//! `categoryGroup`) beyond the body schema: the destination workspace
//! (`properties.workspaceId`) must exist (404 `ResourceNotFound`, ARM's wording); log
//! entries name a `category` or a `categoryGroup` (`allLogs`, `audit`), never both kinds in
//! one setting; metrics only `AllMetrics`; one sink may not take the same category from two
//! settings of one resource (409 `Conflict`); at most [`MAX_PER_RESOURCE`] settings per
//! resource. The setting's scope must exist (`arm::checks`, 404 `ResourceNotFound`), and
//! settings go with their resource (they are stored under it).
//!
//! Owns these checks; must not store, answer successes or touch other resource providers.
//! Sources: the category-group and metric messages as the service words them
//! (Azure/avdaccelerator issue 685, Azure/Enterprise-Scale issue 893,
//! Azure/azure-rest-api-specs issue 22719), the data-sink conflict
//! (Azure/bicep-registry-modules issue 3407), the limit of five settings per resource
//! (learn.microsoft.com "Diagnostic settings in Azure Monitor"; the code and message of the
//! sixth are not documented: `BadRequest` here), the missing workspace as ARM's
//! `ResourceNotFound` (Azure/azure-cli issue 8570).

use crate::arm::id::{self, key};
use crate::arm::reply::resource_not_found;
use crate::http::{arm_error, Resp};
use crate::state::State;
use http::StatusCode;
use serde_json::{Map, Value};

pub const DIAGNOSTIC_SETTINGS: &str = "Microsoft.Insights/diagnosticSettings";
const WORKSPACES: &str = "Microsoft.OperationalInsights/workspaces";
/// Azure Monitor's fixed limit of diagnostic settings per resource.
pub const MAX_PER_RESOURCE: usize = 5;
/// The log category groups resources offer.
pub const CATEGORY_GROUPS: [&str; 2] = ["allLogs", "audit"];
/// The one metric category of diagnostic settings.
pub const ALL_METRICS: &str = "AllMetrics";

fn bad(message: String) -> Resp {
    arm_error(StatusCode::BAD_REQUEST, "BadRequest", message)
}

fn str_of<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or_default()
}

fn enabled(v: &Value) -> bool {
    v.get("enabled").and_then(Value::as_bool).unwrap_or(false)
}

/// The enabled sources of a setting's properties: `log:<category>`, `group:<group>`,
/// `metric:<category>` (lowercase).
fn sources(props: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for (list, kind) in [("logs", "log"), ("metrics", "metric")] {
        for e in props
            .get(list)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if !enabled(e) {
                continue;
            }
            let group = str_of(e, "categoryGroup");
            if kind == "log" && !group.is_empty() {
                out.push(format!("group:{}", group.to_ascii_lowercase()));
            } else {
                out.push(format!(
                    "{kind}:{}",
                    str_of(e, "category").to_ascii_lowercase()
                ));
            }
        }
    }
    out
}

/// Checks of a PUT (not applied when seeding).
pub fn check_put(
    st: &State,
    full_type: &str,
    id: &str,
    body: &Map<String, Value>,
) -> Result<(), Resp> {
    if !full_type.eq_ignore_ascii_case(DIAGNOSTIC_SETTINGS) {
        return Ok(());
    }
    let props = body.get("properties").cloned().unwrap_or(Value::Null);
    check_logs(&props)?;
    check_metrics(&props)?;
    let workspace = str_of(&props, "workspaceId");
    if !workspace.is_empty() {
        check_workspace(st, workspace)?;
    }
    let Some((scope, name)) = split(id) else {
        return Ok(());
    };
    let others: Vec<_> = st
        .store
        .children(scope, DIAGNOSTIC_SETTINGS)
        .into_iter()
        .filter(|r| key(&r.id) != key(id))
        .collect();
    if others.len() >= MAX_PER_RESOURCE {
        return Err(bad(format!(
            "Diagnostic setting '{name}' cannot be created: the resource already has {MAX_PER_RESOURCE} diagnostic settings, the most a resource can have."
        )));
    }
    if workspace.is_empty() {
        return Ok(());
    }
    let mine = sources(&props);
    for o in others {
        let theirs = &o.body["properties"];
        if !str_of(theirs, "workspaceId").eq_ignore_ascii_case(workspace) {
            continue;
        }
        let taken = sources(theirs);
        if let Some(s) = mine.iter().find(|s| taken.contains(s)) {
            let category = s.split_once(':').map_or(s.as_str(), |x| x.1);
            return Err(arm_error(
                StatusCode::CONFLICT,
                "Conflict",
                format!(
                    "Data sink '{workspace}' is already used in diagnostic setting '{}' for category '{category}'. Data sinks can't be reused in different settings on the same category for the same resource.",
                    o.id.rsplit('/').next().unwrap_or_default()
                ),
            ));
        }
    }
    Ok(())
}

/// (scope ID, setting name) of a setting's ID.
fn split(id: &str) -> Option<(&str, &str)> {
    let lower = id.to_ascii_lowercase();
    let pos = lower.rfind("/providers/microsoft.insights/diagnosticsettings/")?;
    let name = id.rsplit('/').next()?;
    Some((&id[..pos], name))
}

/// Each log entry names a category or a category group (a known one); one setting does not
/// mix the two.
fn check_logs(props: &Value) -> Result<(), Resp> {
    let logs = props.get("logs").and_then(Value::as_array);
    let (mut with_category, mut with_group) = (false, false);
    for e in logs.into_iter().flatten() {
        let category = str_of(e, "category");
        let group = str_of(e, "categoryGroup");
        if category.is_empty() && group.is_empty() {
            return Err(bad(
                "Each log settings entry needs either 'category' or 'categoryGroup'.".into(),
            ));
        }
        if !group.is_empty()
            && !CATEGORY_GROUPS
                .iter()
                .any(|g| g.eq_ignore_ascii_case(group))
        {
            return Err(bad(format!(
                "CategoryGroup: '{group}' is not supported, supported ones are: '{}'",
                CATEGORY_GROUPS.join(",")
            )));
        }
        if enabled(e) {
            with_category |= !category.is_empty();
            with_group |= !group.is_empty();
        }
    }
    if with_category && with_group {
        return Err(bad(
            "Diagnostic setting does not support mix of log category and log category group."
                .into(),
        ));
    }
    Ok(())
}

/// Metrics: only `AllMetrics`.
fn check_metrics(props: &Value) -> Result<(), Resp> {
    let metrics = props.get("metrics").and_then(Value::as_array);
    for e in metrics.into_iter().flatten() {
        let category = str_of(e, "category");
        if !category.eq_ignore_ascii_case(ALL_METRICS) {
            return Err(bad(format!(
                "Metric category '{category}' is not supported, supported categories are: '{ALL_METRICS}'."
            )));
        }
    }
    Ok(())
}

/// The destination workspace exists (its ID's grammar is the body rules' concern).
fn check_workspace(st: &State, workspace: &str) -> Result<(), Resp> {
    let Ok(path) = id::parse_id(workspace) else {
        return Ok(());
    };
    let Some(level) = path.target() else {
        return Ok(());
    };
    let is_workspace = level.full_type.eq_ignore_ascii_case(WORKSPACES);
    if is_workspace && st.store.contains(&level.id) {
        return Ok(());
    }
    if !is_workspace {
        return Err(bad(format!(
            "The workspace '{workspace}' is not a Log Analytics workspace ({WORKSPACES})."
        )));
    }
    Err(resource_not_found(level, path.resource_group()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sources_and_split() {
        let p = json!({"logs": [{"categoryGroup": "allLogs", "enabled": true}, {"category": "X", "enabled": false}],
            "metrics": [{"category": "AllMetrics", "enabled": true}]});
        assert_eq!(sources(&p), vec!["group:alllogs", "metric:allmetrics"]);
        let id = "/subscriptions/s/resourceGroups/r/providers/Microsoft.KeyVault/vaults/v/providers/Microsoft.Insights/diagnosticSettings/d";
        assert_eq!(
            split(id),
            Some((
                "/subscriptions/s/resourceGroups/r/providers/Microsoft.KeyVault/vaults/v",
                "d"
            ))
        );
        assert!(check_logs(&json!({"logs": [{"enabled": true}]})).is_err());
        assert!(
            check_logs(&json!({"logs": [{"categoryGroup": "audit", "enabled": true}]})).is_ok()
        );
    }
}
