//! Azure Monitor's diagnostic settings in the emulator (`{resourceId}/providers/
//! Microsoft.Insights/diagnosticSettings/{name}`, 2021-05-01-preview): the spec's status
//! codes (PUT 200, DELETE 200/204, synchronous), the scope and workspace that must exist,
//! the body rules, the category rules, the data-sink conflict, the limit of five per
//! resource, list and GET, and settings going with their resource. Owns these cases only.

use super::*;

const DS_API: &str = "api-version=2021-05-01-preview";

fn vault(name: &str) -> String {
    format!("{}/providers/Microsoft.KeyVault/vaults/{name}", rg("mon"))
}

fn workspace(name: &str) -> String {
    format!(
        "{}/providers/Microsoft.OperationalInsights/workspaces/{name}",
        rg("mon")
    )
}

fn setting(scope: &str, name: &str) -> String {
    format!("{scope}/providers/Microsoft.Insights/diagnosticSettings/{name}?{DS_API}")
}

fn body(ws: &str, logs: serde_json::Value) -> serde_json::Value {
    json!({"properties": {"workspaceId": ws, "logs": logs,
        "metrics": [{"category": "AllMetrics", "enabled": true}]}})
}

#[tokio::test]
async fn diagnostic_settings() {
    let (emu, c) = start(config()).await;
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "mon").await;
    let ws = workspace("log1");
    let ws2 = workspace("log2");
    let all_logs = json!([{"categoryGroup": "allLogs", "enabled": true}]);
    let kv = vault("kvmon");
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case("setting on a missing resource", "PUT", setting(&kv, "d0"), 404, "ResourceNotFound")
                .with_body(body(&ws, all_logs.clone()))
                .message_contains("Microsoft.KeyVault/vaults/kvmon"),
            arm_case("vault", "PUT", format!("{kv}?api-version=2024-11-01"), 201, "")
                .with_body(json!({"location": "westeurope", "properties": {"tenantId": T, "sku": {"family": "A", "name": "standard"}, "enableSoftDelete": false}})),
            arm_case("setting to a missing workspace", "PUT", setting(&kv, "d0"), 404, "ResourceNotFound")
                .with_body(body(&ws, all_logs.clone()))
                .message_contains("Microsoft.OperationalInsights/workspaces/log1"),
            arm_case("workspace", "PUT", format!("{ws}?api-version=2023-09-01"), 201, "")
                .with_body(json!({"location": "westeurope", "properties": {"sku": {"name": "PerGB2018"}}})),
            arm_case("workspace 2", "PUT", format!("{ws2}?api-version=2023-09-01"), 201, "")
                .with_body(json!({"location": "westeurope", "properties": {"sku": {"name": "PerGB2018"}}})),
            // DiagnosticSettings_CreateOrUpdate declares 200 only, for create and replace.
            arm_case("create", "PUT", setting(&kv, "d1"), 200, "").with_body(body(&ws, all_logs.clone())),
            arm_case("replace", "PUT", setting(&kv, "d1"), 200, "").with_body(body(&ws, all_logs.clone())),
            arm_case("GET", "GET", setting(&kv, "d1"), 200, ""),
            arm_case("workspace ID of another type", "PUT", setting(&kv, "bad"), 400, "InvalidResourceId")
                .with_body(body(&kv, all_logs.clone())),
            arm_case("workspace not an ID (the workspace's GUID)", "PUT", setting(&kv, "bad"), 400, "LinkedInvalidPropertyId")
                .with_body(body("1c11b111-111e-1f11-b111-beef1111c1e1", all_logs.clone())),
            arm_case("log entry without enabled", "PUT", setting(&kv, "bad"), 400, "MissingRequiredProperty")
                .with_body(body(&ws2, json!([{"categoryGroup": "audit"}])))
                .message_contains("enabled"),
            arm_case("retention without days", "PUT", setting(&kv, "bad"), 400, "MissingRequiredProperty")
                .with_body(body(&ws2, json!([{"categoryGroup": "audit", "enabled": true, "retentionPolicy": {"enabled": false}}])))
                .message_contains("days"),
            arm_case("unknown member", "PUT", setting(&kv, "bad"), 400, "InvalidRequestContent")
                .with_body(json!({"location": "westeurope", "properties": {"workspaceId": ws2}})),
            arm_case("unknown category group", "PUT", setting(&kv, "bad"), 400, "BadRequest")
                .with_body(body(&ws2, json!([{"categoryGroup": "everything", "enabled": true}])))
                .message_contains("CategoryGroup: 'everything' is not supported"),
            arm_case("neither category nor group", "PUT", setting(&kv, "bad"), 400, "BadRequest")
                .with_body(body(&ws2, json!([{"enabled": true}]))),
            arm_case("category and group mixed", "PUT", setting(&kv, "bad"), 400, "BadRequest")
                .with_body(body(&ws2, json!([{"categoryGroup": "allLogs", "enabled": true}, {"category": "AuditEvent", "enabled": true}])))
                .message_contains("does not support mix of log category and log category group"),
            arm_case("metric category other than AllMetrics", "PUT", setting(&kv, "bad"), 400, "BadRequest")
                .with_body(json!({"properties": {"workspaceId": ws2, "metrics": [{"category": "Requests", "enabled": true}]}}))
                .message_contains("supported categories are: 'AllMetrics'"),
            arm_case("same sink and group in a second setting", "PUT", setting(&kv, "dup"), 409, "Conflict")
                .with_body(body(&ws, all_logs.clone()))
                .message_contains("is already used in diagnostic setting 'd1'"),
            arm_case("same sink, other category", "PUT", setting(&kv, "d2"), 200, "")
                .with_body(json!({"properties": {"workspaceId": ws, "logs": [{"category": "AuditEvent", "enabled": true}]}})),
            arm_case("third", "PUT", setting(&kv, "d3"), 200, "").with_body(body(&ws2, json!([{"categoryGroup": "audit", "enabled": true}]))),
            arm_case("fourth", "PUT", setting(&kv, "d4"), 200, "").with_body(json!({"properties": {"workspaceId": ws2, "logs": [{"category": "AuditEvent", "enabled": true}]}})),
            arm_case("fifth", "PUT", setting(&kv, "d5"), 200, "").with_body(json!({"properties": {"workspaceId": ws2, "logs": [{"category": "AzurePolicyEvaluationDetails", "enabled": true}]}})),
            arm_case("sixth", "PUT", setting(&kv, "d6"), 400, "BadRequest")
                .with_body(json!({"properties": {"workspaceId": ws2, "logs": [{"category": "Other", "enabled": true}]}})),
            arm_case("replacing the fifth is no sixth", "PUT", setting(&kv, "d5"), 200, "")
                .with_body(json!({"properties": {"workspaceId": ws2, "logs": [{"category": "AzurePolicyEvaluationDetails", "enabled": false}]}})),
            arm_case("delete", "DELETE", setting(&kv, "d5"), 200, ""),
            arm_case("delete again", "DELETE", setting(&kv, "d5"), 204, ""),
            arm_case("GET deleted", "GET", setting(&kv, "d5"), 404, "ResourceNotFound"),
        ],
    )
    .await;
    let list = c
        .arm(
            &tok,
            "GET",
            &format!("{kv}/providers/Microsoft.Insights/diagnosticSettings?{DS_API}"),
            None,
        )
        .await;
    assert_eq!(list.status, 200);
    let listed = list.json();
    let names: Vec<&str> = listed["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["d1", "d2", "d3", "d4"]);
    // Settings go with their resource: a vault of the same name starts without them.
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case("vault delete", "DELETE", format!("{kv}?api-version=2024-11-01"), 200, ""),
            arm_case("vault again", "PUT", format!("{kv}?api-version=2024-11-01"), 201, "")
                .with_body(json!({"location": "westeurope", "properties": {"tenantId": T, "sku": {"family": "A", "name": "standard"}, "enableSoftDelete": false}})),
            arm_case("old setting gone", "GET", setting(&kv, "d1"), 404, "ResourceNotFound"),
        ],
    )
    .await;
    drop(emu);
}
