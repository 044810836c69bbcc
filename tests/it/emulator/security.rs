//! Defender for Cloud plans in the emulator (`/subscriptions/{s}/providers/Microsoft.Security/
//! pricings/{plan}`, stable 2024-01-01: PUT 201/200, synchronous): subscription scope only,
//! plan names, `pricingTier` required, plans reading `Free` until set, no delete at
//! subscription scope. Owns these cases only.

use super::*;

fn pricing(plan: &str) -> String {
    format!(
        "/subscriptions/{S}/providers/Microsoft.Security/pricings/{plan}?api-version=2024-01-01"
    )
}

#[tokio::test]
async fn defender_plans() {
    let (emu, c) = start(config()).await;
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "sec").await;
    let standard = json!({"properties": {"pricingTier": "Standard"}});
    let r = run_arm_cases(
        &c,
        &tok,
        [
            arm_case("plan never set", "GET", pricing("KeyVaults"), 200, ""),
            arm_case("unknown plan never set", "GET", pricing("Toasters"), 404, "ResourceNotFound"),
            // Pricings_Update: 201 on create, 200 on replace, synchronous.
            arm_case("set", "PUT", pricing("KeyVaults"), 201, "").with_body(standard.clone()),
            arm_case("set again", "PUT", pricing("KeyVaults"), 200, "").with_body(standard.clone()),
            arm_case("read", "GET", pricing("KeyVaults"), 200, ""),
            arm_case("unknown plan", "PUT", pricing("Toasters"), 400, "BadRequest")
                .with_body(standard.clone())
                .message_contains("not a Defender for Cloud plan"),
            arm_case("without pricingTier", "PUT", pricing("Dns"), 400, "MissingRequiredProperty")
                .with_body(json!({"properties": {}})),
            arm_case("unknown tier", "PUT", pricing("Dns"), 400, "InvalidRequestContent")
                .with_body(json!({"properties": {"pricingTier": "Gold"}})),
            arm_case("extension without isEnabled", "PUT", pricing("StorageAccounts"), 400, "MissingRequiredProperty")
                .with_body(json!({"properties": {"pricingTier": "Standard", "extensions": [{"name": "OnUploadMalwareScanning"}]}})),
            arm_case("resource group scope", "PUT",
                format!("{}/providers/Microsoft.Security/pricings/KeyVaults?api-version=2024-01-01", rg("sec")), 400, "BadRequest")
                .with_body(standard.clone())
                .message_contains("subscription scope"),
            arm_case("delete at subscription scope", "DELETE", pricing("KeyVaults"), 400, "BadRequest")
                .message_contains("pricingTier 'Free'"),
        ],
    )
    .await;
    assert_eq!(r[0].json()["properties"]["pricingTier"], "Free");
    assert_eq!(r[4].json()["properties"]["pricingTier"], "Standard");
    drop(emu);
}
