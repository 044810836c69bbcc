//! Azure Container Registry in the emulator (`Microsoft.ContainerRegistry/registries`,
//! stable 2025-11-01: PUT 201/200, PATCH 200, DELETE 202/204, long-running): the name
//! rules, global uniqueness, SKUs, Premium-only private access, private endpoints with the
//! group `registry`, `loginServer`. Owns these cases only.

use super::*;

const ACR_API: &str = "api-version=2025-11-01";

fn acr(rg_name: &str, name: &str) -> String {
    format!(
        "{}/providers/Microsoft.ContainerRegistry/registries/{name}?{ACR_API}",
        rg(rg_name)
    )
}

fn acr_id(name: &str) -> String {
    format!(
        "{}/providers/Microsoft.ContainerRegistry/registries/{name}",
        rg("acr")
    )
}

fn body(sku: &str, public: &str) -> serde_json::Value {
    json!({"location": "westeurope", "sku": {"name": sku}, "properties": {"adminUserEnabled": false, "publicNetworkAccess": public}})
}

#[tokio::test]
async fn container_registries() {
    let (emu, c) = start(config()).await;
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "acr").await;
    put_rg(&c, &tok, "acr2").await;
    let pe = format!(
        "{}/providers/Microsoft.Network/privateEndpoints/pe-acr?{API}",
        rg("acr")
    );
    let subnet = format!(
        "{}/providers/Microsoft.Network/virtualNetworks/v1/subnets/pe",
        rg("acr")
    );
    let pe_body = |target: &str, group: &str| {
        json!({"location": "westeurope", "properties": {"subnet": {"id": subnet},
        "privateLinkServiceConnections": [{"name": "c", "properties": {"privateLinkServiceId": target, "groupIds": [group]}}]}})
    };
    let r = run_arm_cases(
        &c,
        &tok,
        [
            arm_case("name with a dash", "PUT", acr("acr", "acr-one"), 400, "InvalidResourceName").with_body(body("Basic", "Enabled")),
            arm_case("name too short", "PUT", acr("acr", "acr1"), 400, "InvalidResourceName").with_body(body("Basic", "Enabled")),
            arm_case("name too long", "PUT", acr("acr", &"a".repeat(51)), 400, "InvalidResourceName").with_body(body("Basic", "Enabled")),
            arm_case("without sku", "PUT", acr("acr", "acrnosku"), 400, "MissingRequiredProperty")
                .with_body(json!({"location": "westeurope"})),
            arm_case("unknown sku", "PUT", acr("acr", "acrbadsku"), 400, "InvalidSkuName").with_body(body("Gold", "Enabled")),
            arm_case("adminUserEnabled as text", "PUT", acr("acr", "acrtext"), 400, "InvalidRequestContent")
                .with_body(json!({"location": "westeurope", "sku": {"name": "Basic"}, "properties": {"adminUserEnabled": "yes"}})),
            arm_case("Basic without public access", "PUT", acr("acr", "acrbasic"), 400, "DisablingPublicNetworkAccessNotSupported")
                .with_body(body("Basic", "Disabled"))
                .message_contains("not supported for the SKU Basic"),
            arm_case("Standard without public access", "PUT", acr("acr", "acrstd"), 400, "DisablingPublicNetworkAccessNotSupported")
                .with_body(body("Standard", "Disabled")),
            // Registries_Create: 201 on create (long-running), 200 on replace.
            arm_case("Basic", "PUT", acr("acr", "acrbasic"), 201, "").with_body(body("Basic", "Enabled")).expect_header("azure-asyncoperation"),
            arm_case("Premium private", "PUT", acr("acr", "acrPremium1"), 201, "").with_body(body("Premium", "Disabled")),
            arm_case("Premium replace", "PUT", acr("acr", "acrPremium1"), 200, "").with_body(body("Premium", "Disabled")),
            arm_case("same name, other group", "PUT", acr("acr2", "ACRPREMIUM1"), 409, "AlreadyInUse")
                .with_body(body("Premium", "Enabled"))
                .message_contains("acrpremium1.azurecr.io is already in use"),
            arm_case("GET", "GET", acr("acr", "acrPremium1"), 200, ""),
            arm_case("vNet", "PUT", format!("{}/providers/Microsoft.Network/virtualNetworks/v1?{API}", rg("acr")), 201, "")
                .with_body(json!({"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.7.0.0/16"]},
                    "subnets": [{"name": "pe", "properties": {"addressPrefix": "10.7.0.0/24"}}]}})),
            arm_case("endpoint to a Basic registry", "PUT", &pe, 400, "PrivateEndpointBadRequest")
                .with_body(pe_body(&acr_id("acrbasic"), "registry"))
                .message_contains("Premium"),
            arm_case("endpoint with another group", "PUT", &pe, 400, "PrivateEndpointBadRequest")
                .with_body(pe_body(&acr_id("acrPremium1"), "blob"))
                .message_contains("'registry'"),
            arm_case("endpoint to the Premium registry", "PUT", &pe, 201, "").with_body(pe_body(&acr_id("acrPremium1"), "registry")),
            arm_case("PATCH", "PATCH", acr("acr", "acrbasic"), 200, "").with_body(json!({"tags": {"k": "v"}})),
            arm_case("PATCH closing a Basic registry", "PATCH", acr("acr", "acrbasic"), 400, "DisablingPublicNetworkAccessNotSupported")
                .with_body(json!({"properties": {"publicNetworkAccess": "Disabled"}})),
            arm_case("PATCH to an unknown SKU", "PATCH", acr("acr", "acrbasic"), 400, "InvalidSkuName")
                .with_body(json!({"sku": {"name": "Gold"}})),
            arm_case("delete", "DELETE", acr("acr", "acrbasic"), 202, ""),
            arm_case("delete again", "DELETE", acr("acr", "acrbasic"), 204, ""),
            arm_case("name free again elsewhere", "PUT", acr("acr2", "acrbasic"), 201, "").with_body(body("Basic", "Enabled")),
        ],
    )
    .await;
    assert_eq!(
        r[12].json()["properties"]["loginServer"],
        "acrpremium1.azurecr.io"
    );
    drop(emu);
}
