//! AI Foundry's wire formats in the emulator: model deployments of an AI Services account
//! (`Microsoft.CognitiveServices/accounts/deployments`, stable 2025-06-01): the spec's
//! status codes and the body rules (a valid body accepted, each rule refused with Azure's
//! code and the JSON path in the message). Owns these cases only; the status-code table of
//! every type is `status_codes`.

use super::*;
use std::time::Duration;

fn account(name: &str) -> String {
    format!(
        "{}/providers/Microsoft.CognitiveServices/accounts/{name}",
        rg("foundry")
    )
}

fn deployment(name: &str) -> String {
    format!(
        "{}/deployments/{name}?api-version=2025-06-01",
        account("aif")
    )
}

#[tokio::test]
async fn model_deployment_bodies_and_status_codes() {
    let (emu, c) = start(config()).await;
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "foundry").await;
    let valid = json!({
        "sku": {"name": "GlobalStandard", "capacity": 50},
        "properties": {"model": {"format": "OpenAI", "name": "gpt-4o", "version": "2024-11-20"}}
    });
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case("deployment without its account", "PUT", deployment("early"), 404, "ParentResourceNotFound")
                .with_body(valid.clone()),
            arm_case("account", "PUT", format!("{}?api-version=2025-06-01", account("aif")), 201, "")
                .with_body(json!({"location": "westeurope", "kind": "AIServices", "sku": {"name": "S0"},
                    "properties": {"customSubDomainName": "aif", "allowProjectManagement": true, "disableLocalAuth": true}})),
            // Deployments_CreateOrUpdate: 201 on create (long-running), 200 on replace.
            arm_case("deployment create", "PUT", deployment("gpt"), 201, "")
                .with_body(valid.clone())
                .expect_header("azure-asyncoperation"),
            arm_case("deployment replace", "PUT", deployment("gpt"), 200, "").with_body(valid.clone()),
            arm_case("deployment without sku.name", "PUT", deployment("nosku"), 400, "MissingRequiredProperty")
                .with_body(json!({"sku": {"capacity": 1}, "properties": {}}))
                .message_contains("sku.name"),
            arm_case("deployment capacity not an integer", "PUT", deployment("cap"), 400, "InvalidRequestContent")
                .with_body(json!({"sku": {"name": "Standard", "capacity": "fifty"}}))
                .message_contains("sku.capacity"),
            arm_case("deployment model not an object", "PUT", deployment("model"), 400, "InvalidRequestContent")
                .with_body(json!({"sku": {"name": "Standard"}, "properties": {"model": "gpt-4o"}}))
                .message_contains("properties.model"),
            arm_case("deployment model version not a string", "PUT", deployment("ver"), 400, "InvalidRequestContent")
                .with_body(json!({"sku": {"name": "Standard"}, "properties": {"model": {"name": "gpt-4o", "version": 2024}}}))
                .message_contains("properties.model.version"),
            arm_case("deployment unknown member", "PUT", deployment("loc"), 400, "InvalidRequestContent")
                .with_body(json!({"sku": {"name": "Standard"}, "kind": "x"}))
                .message_contains("kind"),
            // Deployments_Delete: 200/202/204, long-running; the emulator answers 202 then 204.
            arm_case("deployment delete", "DELETE", deployment("gpt"), 202, "").expect_header("location"),
            arm_case("deployment delete again", "DELETE", deployment("gpt"), 204, ""),
        ],
    )
    .await;
    drop(emu);
}

fn gpt(capacity: u64) -> serde_json::Value {
    json!({
        "sku": {"name": "GlobalStandard", "capacity": capacity},
        "properties": {"model": {"format": "OpenAI", "name": "gpt-4o", "version": "2024-11-20"}}
    })
}

async fn put_account(c: &Client, tok: &str) {
    run_arm_cases(
        c,
        tok,
        [arm_case(
            "account",
            "PUT",
            format!("{}?api-version=2025-06-01", account("aif")),
            201,
            "",
        )
        .with_body(
            json!({"location": "westeurope", "kind": "AIServices", "sku": {"name": "S0"},
                "properties": {"customSubDomainName": "aif"}}),
        )],
    )
    .await;
}

/// Azure refuses a deployment write while another deployment operation of the same account
/// runs (409 `RequestConflict`); once it is done, the next write goes through.
#[tokio::test]
async fn concurrent_deployment_writes_conflict() {
    let (emu, c) = start(config()).await;
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "foundry").await;
    put_account(&c, &tok).await;
    emu.update_settings(|s| s.lro_delay_ms = 60_000);
    let busy = "Another operation is being performed on the parent resource";
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case("first deployment", "PUT", deployment("gpt"), 201, "").with_body(gpt(10)),
            arm_case(
                "second deployment while the first runs",
                "PUT",
                deployment("gpt2"),
                409,
                "RequestConflict",
            )
            .with_body(gpt(10))
            .message_contains(busy),
            arm_case(
                "delete while the first runs",
                "DELETE",
                deployment("gpt"),
                409,
                "RequestConflict",
            )
            .message_contains(busy),
        ],
    )
    .await;
    emu.advance_clock(Duration::from_secs(61));
    run_arm_cases(
        &c,
        &tok,
        [arm_case(
            "second deployment after the first",
            "PUT",
            deployment("gpt2"),
            201,
            "",
        )
        .with_body(gpt(10))],
    )
    .await;
    drop(emu);
}

/// Capacity beyond the quota of (subscription, region, model, SKU): 400 `InsufficientQuota`
/// with Azure's message; a replace counts the deployment's own capacity once.
#[tokio::test]
async fn deployment_capacity_beyond_quota_is_refused() {
    let (emu, c) = start(config()).await;
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "foundry").await;
    put_account(&c, &tok).await;
    emu.update_settings(|s| s.deployment_quota = 100);
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case("within quota", "PUT", deployment("a"), 201, "").with_body(gpt(60)),
            arm_case("replace within quota", "PUT", deployment("a"), 200, "").with_body(gpt(100)),
            arm_case("beyond quota", "PUT", deployment("b"), 400, "InsufficientQuota")
                .with_body(gpt(1))
                .message_contains("This operation require 1 new capacity in quota Tokens Per Minute (thousands) - gpt-4o - GlobalStandard, which is bigger than the current available capacity 0. The current quota usage is 100 and the quota limit is 100"),
            arm_case("another SKU has its own quota", "PUT", deployment("c"), 201, "")
                .with_body(json!({"sku": {"name": "Standard", "capacity": 50},
                    "properties": {"model": {"format": "OpenAI", "name": "gpt-4o", "version": "2024-11-20"}}})),
        ],
    )
    .await;
    drop(emu);
}

/// Cosmos DB data-plane role assignments: a SQL role definition of the same account (the
/// built-ins answer GET), a scope inside the account, a GUID principal.
#[tokio::test]
async fn cosmos_sql_role_assignments() {
    let (emu, c) = start(config()).await;
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "foundry").await;
    let cosmos = format!(
        "{}/providers/Microsoft.DocumentDB/databaseAccounts/cdb",
        rg("foundry")
    );
    let api = "api-version=2026-03-15";
    let contributor = format!("{cosmos}/sqlRoleDefinitions/00000000-0000-0000-0000-000000000002");
    let principal = "44444444-4444-4444-8444-444444444444";
    let ra = |name: &str| format!("{cosmos}/sqlRoleAssignments/{name}?{api}");
    let body = |role: &str, scope: &str, principal: &str| json!({"properties": {"roleDefinitionId": role, "scope": scope, "principalId": principal}});
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case("account", "PUT", format!("{cosmos}?{api}"), 200, "").with_body(json!({
                "location": "westeurope", "kind": "GlobalDocumentDB",
                "properties": {"databaseAccountOfferType": "Standard", "disableLocalAuth": true,
                    "publicNetworkAccess": "Disabled",
                    "locations": [{"locationName": "westeurope", "failoverPriority": 0}]}})),
            arm_case("built-in Data Contributor", "GET", format!("{contributor}?{api}"), 200, ""),
            arm_case("no such built-in", "GET",
                format!("{cosmos}/sqlRoleDefinitions/00000000-0000-0000-0000-000000000009?{api}"), 404, "ResourceNotFound"),
            arm_case("assignment", "PUT", ra("a1"), 201, "").with_body(body(&contributor, &cosmos, principal)),
            arm_case("principal not a GUID", "PUT", ra("a2"), 400, "BadRequest")
                .with_body(body(&contributor, &cosmos, "alice"))
                .message_contains("principal ID [alice]"),
            arm_case("ARM role definition", "PUT", ra("a3"), 400, "BadRequest")
                .with_body(body(&format!("/subscriptions/{S}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7"), &cosmos, principal))
                .message_contains("not a SQL role definition"),
            arm_case("role definition of another account", "PUT", ra("a4"), 400, "BadRequest")
                .with_body(body(&contributor.replace("/cdb/", "/other/"), &cosmos, principal))
                .message_contains("not a SQL role definition"),
            arm_case("scope outside the account", "PUT", ra("a5"), 400, "BadRequest")
                .with_body(body(&contributor, &rg("foundry"), principal))
                .message_contains("not within the database account"),
            arm_case("scope of a database inside the account", "PUT", ra("a6"), 201, "")
                .with_body(body(&contributor, &format!("{cosmos}/dbs/agents"), principal)),
        ],
    )
    .await;
    drop(emu);
}
