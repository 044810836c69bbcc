//! Diagnostic settings (`Microsoft.Insights/diagnosticSettings`): the desired setting that
//! sends a resource's logs (by category group) and metrics to a Log Analytics workspace.
//! Shared by the project template (one setting per service whose descriptor has
//! `diagnostics`) and the common part.
//!
//! A diagnostic setting is an extension resource: its ID is
//! `{target resource ID}/providers/Microsoft.Insights/diagnosticSettings/{name}`. Its name
//! follows ESML's modules (`diag-{target name}`): Azure refuses a second setting that sends
//! the same category to the same workspace, so adopting an ESML-made project needs ESML's
//! name, not a second setting beside it.
//!
//! Owns: the name, ID, body and api-version of a setting. Must not: know which services
//! have which logs (the descriptors do), Terraform or I/O.

use serde_json::{json, Map, Value};
use thiserror::Error;

use crate::arm::ids::ArmId;
use crate::arm::ApiType;

/// `Microsoft.Insights/diagnosticSettings` at 2021-05-01-preview: the stable 2016-09-01
/// has no `categoryGroup` (only named categories, which differ per type and change over
/// time), and no later version of the type exists under `stable/`, so the preview is the
/// one version with category groups (what ESML's modules and Azure Policy's built-ins use).
pub const API: ApiType = ApiType {
    resource_type: "Microsoft.Insights/diagnosticSettings",
    api_version: "2021-05-01-preview",
    lro: false,
    spec: "monitor/resource-manager/Microsoft.Insights/preview/2021-05-01-preview/diagnosticsSettings_API.json",
};

/// The category groups Azure Monitor defines: `allLogs` (every log category of the type,
/// `audit` included) and `audit`.
pub const CATEGORY_GROUPS: [&str; 2] = ["allLogs", "audit"];

/// The metric category that stands for all of a type's metrics.
pub const ALL_METRICS: &str = "AllMetrics";

/// Why a diagnostic setting cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DiagnosticsError {
    #[error("{0:?} is not the ID of a resource in a resource group")]
    TargetId(String),
    #[error("{0:?} is not the ID of a Log Analytics workspace (Microsoft.OperationalInsights/workspaces)")]
    WorkspaceId(String),
    #[error("{0:?} is not a category group (allLogs or audit)")]
    UnknownCategoryGroup(String),
    #[error("nothing to send: no category group and no metrics")]
    NothingToSend,
}

/// One desired diagnostic setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagnosticSetting {
    pub id: String,
    pub name: String,
    /// The exact PUT body.
    pub body: Value,
}

/// The setting's name for a target resource name (ESML's `diag-{name}`).
pub fn setting_name(target_name: &str) -> String {
    format!("diag-{target_name}")
}

/// The setting's ID on a target resource.
pub fn setting_id(target_id: &str, name: &str) -> String {
    format!(
        "{}/providers/{}/{name}",
        target_id.trim_end_matches('/'),
        API.resource_type
    )
}

/// The body: logs by category group and all metrics to the workspace. `allLogs` holds
/// every `audit` category too, so with both only `allLogs` is sent (one entry: nothing
/// for Azure to reorder, and refresh compares lists by position).
pub fn body(workspace_id: &str, category_groups: &[&str], metrics: bool) -> Value {
    let groups: Vec<&str> = if category_groups.contains(&"allLogs") {
        vec!["allLogs"]
    } else {
        let mut g: Vec<&str> = category_groups.to_vec();
        g.sort_unstable();
        g.dedup();
        g
    };
    let mut properties = Map::new();
    properties.insert("workspaceId".into(), json!(workspace_id));
    if !groups.is_empty() {
        properties.insert(
            "logs".into(),
            Value::Array(
                groups
                    .iter()
                    .map(|g| json!({ "categoryGroup": g, "enabled": true }))
                    .collect(),
            ),
        );
    }
    if metrics {
        properties.insert(
            "metrics".into(),
            json!([{ "category": ALL_METRICS, "enabled": true }]),
        );
    }
    json!({ "properties": properties })
}

/// The setting that sends `target_id`'s logs (`category_groups`) and, with `metrics`, its
/// metrics to the workspace.
pub fn desired(
    target_id: &str,
    workspace_id: &str,
    category_groups: &[&str],
    metrics: bool,
) -> Result<DiagnosticSetting, DiagnosticsError> {
    let target = ArmId::parse(target_id)
        .filter(|a| !a.segments.is_empty())
        .ok_or_else(|| DiagnosticsError::TargetId(target_id.to_string()))?;
    if !ArmId::parse(workspace_id)
        .is_some_and(|a| a.is_type("Microsoft.OperationalInsights", &["workspaces"]))
    {
        return Err(DiagnosticsError::WorkspaceId(workspace_id.to_string()));
    }
    if let Some(g) = category_groups
        .iter()
        .find(|g| !CATEGORY_GROUPS.contains(g))
    {
        return Err(DiagnosticsError::UnknownCategoryGroup(g.to_string()));
    }
    if category_groups.is_empty() && !metrics {
        return Err(DiagnosticsError::NothingToSend);
    }
    let target_name = target
        .segments
        .last()
        .map(|(_, n)| n.as_str())
        .unwrap_or_default();
    let name = setting_name(target_name);
    Ok(DiagnosticSetting {
        id: setting_id(target_id, &name),
        name,
        body: body(workspace_id, category_groups, metrics),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LAW: &str = "/subscriptions/s/resourceGroups/cmn/providers/Microsoft.OperationalInsights/workspaces/la-cmn";
    const KV: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-1";

    #[test]
    fn a_setting_is_an_extension_of_its_target_named_like_esml() {
        let d = desired(KV, LAW, &["audit", "allLogs"], true).unwrap();
        assert_eq!(d.name, "diag-kv-1");
        assert_eq!(
            d.id,
            format!("{KV}/providers/Microsoft.Insights/diagnosticSettings/diag-kv-1")
        );
        assert_eq!(
            d.body,
            json!({ "properties": {
                "workspaceId": LAW,
                "logs": [{ "categoryGroup": "allLogs", "enabled": true }],
                "metrics": [{ "category": "AllMetrics", "enabled": true }],
            }})
        );
    }

    #[test]
    fn metrics_only_and_logs_only_leave_the_other_list_out() {
        let m = desired(KV, LAW, &[], true).unwrap();
        assert!(m.body["properties"].get("logs").is_none());
        let l = desired(KV, LAW, &["audit"], false).unwrap();
        assert!(l.body["properties"].get("metrics").is_none());
        assert_eq!(l.body["properties"]["logs"][0]["categoryGroup"], "audit");
    }

    #[test]
    fn bad_inputs_are_typed_errors() {
        assert_eq!(
            desired(
                "/subscriptions/s/resourceGroups/rg",
                LAW,
                &["allLogs"],
                true
            ),
            Err(DiagnosticsError::TargetId(
                "/subscriptions/s/resourceGroups/rg".into()
            ))
        );
        assert!(matches!(
            desired(KV, KV, &["allLogs"], true),
            Err(DiagnosticsError::WorkspaceId(_))
        ));
        assert_eq!(
            desired(KV, LAW, &["AuditEvent"], true),
            Err(DiagnosticsError::UnknownCategoryGroup("AuditEvent".into()))
        );
        assert_eq!(
            desired(KV, LAW, &[], false),
            Err(DiagnosticsError::NothingToSend)
        );
    }
}
