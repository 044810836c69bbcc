//! Soft delete: Key Vault and Cognitive Services accounts (recover/restore, purge,
//! purge protection) and soft-deleted items across a restart.

use super::*;
use serde_json::{json, Value};
use std::time::Duration;

const KV_API: &str = "api-version=2024-11-01";
const CS_API: &str = "api-version=2025-06-01";

fn vault_path(rg_name: &str, name: &str) -> String {
    format!(
        "{}/providers/Microsoft.KeyVault/vaults/{name}?{KV_API}",
        rg(rg_name)
    )
}

fn deleted_vault_path(location: &str, name: &str) -> String {
    format!("/subscriptions/{S}/providers/Microsoft.KeyVault/locations/{location}/deletedVaults/{name}?{KV_API}")
}

fn vault_body(purge_protection: bool, rbac: bool) -> Value {
    json!({"location": "westeurope", "tags": {"team": "a"}, "properties": {
        "tenantId": T, "sku": {"family": "A", "name": "standard"},
        "enableRbacAuthorization": rbac, "enableSoftDelete": true, "softDeleteRetentionInDays": 7,
        "enablePurgeProtection": purge_protection}})
}

/// Waits for an operation behind a `Location` header (202 -> 200/204).
/// DELETE `path` and, when Azure answers 202, wait for the operation; the DELETE's status.
async fn delete_and_wait(c: &Client, tok: &str, path: &str) -> u16 {
    let d = c.arm(tok, "DELETE", path, None).await;
    if d.status == 202 {
        wait_location(c, tok, &d).await;
    }
    d.status
}

async fn wait_location(c: &Client, tok: &str, r: &R) {
    let loc = r.h("location").expect("Location header");
    for _ in 0..200 {
        let p = c.arm(tok, "GET", &path_of(&loc), None).await;
        if p.status != 202 {
            assert!(
                p.status == 200 || p.status == 204,
                "{}: {}",
                p.status,
                String::from_utf8_lossy(&p.body)
            );
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("operation never finished");
}

#[tokio::test]
async fn key_vault_soft_delete_recover_and_purge() {
    let (emu, c) = start(config()).await;
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "kvrg").await;
    put_rg(&c, &tok, "other").await;
    let kv = vault_path("kvrg", "kv-soft-1");
    let deleted = deleted_vault_path("westeurope", "kv-soft-1");
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case("create", "PUT", &kv, 201, "").with_body(vault_body(false, true)),
            arm_case(
                "no soft-deleted twin yet",
                "GET",
                &deleted,
                404,
                "ResourceNotFound",
            ),
        ],
    )
    .await;

    // Delete: the vault goes, its soft-deleted twin appears.
    let d = delete_and_wait(&c, &tok, &kv).await;
    assert!(d == 200 || d == 202, "{d}");
    let r = run_arm_cases(
        &c,
        &tok,
        [
            arm_case("the deleted vault", "GET", &kv, 404, "ResourceNotFound"),
            arm_case("its soft-deleted twin", "GET", &deleted, 200, ""),
            arm_case(
                "the twin in another location",
                "GET",
                deleted_vault_path("eastus", "kv-soft-1"),
                404,
                "ResourceNotFound",
            ),
            arm_case(
                "the list of deleted vaults",
                "GET",
                format!("/subscriptions/{S}/providers/Microsoft.KeyVault/deletedVaults?{KV_API}"),
                200,
                "",
            ),
        ],
    )
    .await;
    let v = r[1].json();
    assert_eq!(v["type"], "Microsoft.KeyVault/deletedVaults");
    assert_eq!(v["name"], "kv-soft-1");
    assert_eq!(
        v["properties"]["vaultId"],
        format!(
            "{}/providers/Microsoft.KeyVault/vaults/kv-soft-1",
            rg("kvrg")
        )
    );
    assert_eq!(v["properties"]["location"], "westeurope");
    assert_eq!(v["properties"]["tags"]["team"], "a");
    assert_eq!(v["properties"]["purgeProtectionEnabled"], false);
    assert!(v["properties"]["deletionDate"].is_string());
    assert!(v["properties"]["scheduledPurgeDate"].is_string());
    assert_eq!(r[3].json()["value"].as_array().map(Vec::len), Some(1));
    assert_eq!(emu.soft_deleted().len(), 1);
    let admin = c.admin("GET", "soft-deleted", None).await;
    assert_eq!(admin.json()["value"][0]["name"], "kv-soft-1");

    // The name is taken, in every resource group of the subscription. Recovery works only
    // where the vault was; Azure ignores the request's properties.
    let mut recover = vault_body(false, false);
    recover["properties"]["createMode"] = json!("recover");
    let r = run_arm_cases(
        &c,
        &tok,
        [
            arm_case(
                "create over the soft-deleted name",
                "PUT",
                &kv,
                409,
                "ConflictError",
            )
            .with_body(vault_body(false, true))
            .message_contains("deleted state"),
            arm_case(
                "create the name in another group",
                "PUT",
                vault_path("other", "kv-soft-1"),
                409,
                "ConflictError",
            )
            .with_body(vault_body(false, true))
            .message_contains("deleted state"),
            arm_case(
                "recover in another group",
                "PUT",
                vault_path("other", "kv-soft-1"),
                400,
                "BadRequest",
            )
            .with_body(recover.clone()),
            arm_case("recover", "PUT", &kv, 201, "").with_body(recover.clone()),
            arm_case("the recovered vault", "GET", &kv, 200, ""),
            arm_case(
                "the twin after recovery",
                "GET",
                &deleted,
                404,
                "ResourceNotFound",
            ),
            arm_case(
                "recover with nothing soft-deleted",
                "PUT",
                vault_path("kvrg", "kv-never"),
                404,
                "SoftDeletedVaultDoesNotExist",
            )
            .with_body(recover.clone()),
        ],
    )
    .await;
    let body = r[4].json();
    assert_eq!(
        body["properties"]["enableRbacAuthorization"], true,
        "original properties"
    );
    assert!(
        body["properties"].get("createMode").is_none(),
        "createMode is write-only"
    );
    assert_eq!(body["properties"]["provisioningState"], "Succeeded");

    // Delete again and purge: 202 + Location, then gone, and the name is free.
    delete_and_wait(&c, &tok, &kv).await;
    let purge = |name: &str| {
        format!("/subscriptions/{S}/providers/Microsoft.KeyVault/locations/westeurope/deletedVaults/{name}/purge?{KV_API}")
    };
    let p = c.arm(&tok, "POST", &purge("kv-soft-1"), None).await;
    assert_eq!(p.status, 202, "{}", String::from_utf8_lossy(&p.body));
    wait_location(&c, &tok, &p).await;
    // Purge protection forbids the purge (the vault stays soft-deleted); a vault created
    // with enableSoftDelete=false is gone for good.
    let kv2 = vault_path("kvrg", "kv-protected");
    let kv3 = vault_path("kvrg", "kv-hard");
    let mut hard = vault_body(false, true);
    hard["properties"]["enableSoftDelete"] = json!(false);
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case(
                "the twin after the purge",
                "GET",
                &deleted,
                404,
                "ResourceNotFound",
            ),
            arm_case(
                "purge again",
                "POST",
                purge("kv-soft-1"),
                404,
                "ResourceNotFound",
            ),
            arm_case("create after the purge", "PUT", &kv, 201, "")
                .with_body(vault_body(false, true)),
            arm_case("create with purge protection", "PUT", &kv2, 201, "")
                .with_body(vault_body(true, true)),
            arm_case("create without soft delete", "PUT", &kv3, 201, "").with_body(hard),
        ],
    )
    .await;
    delete_and_wait(&c, &tok, &kv2).await;
    delete_and_wait(&c, &tok, &kv3).await;
    let r = run_arm_cases(
        &c,
        &tok,
        [
            arm_case(
                "purge of a protected vault",
                "POST",
                purge("kv-protected"),
                409,
                "MethodNotAllowed",
            ),
            arm_case(
                "the protected twin",
                "GET",
                deleted_vault_path("westeurope", "kv-protected"),
                200,
                "",
            ),
            arm_case(
                "no twin without soft delete",
                "GET",
                deleted_vault_path("westeurope", "kv-hard"),
                404,
                "ResourceNotFound",
            ),
        ],
    )
    .await;
    assert_eq!(r[1].json()["properties"]["purgeProtectionEnabled"], true);

    // A resource group's cascade delete soft-deletes its vaults too.
    put_rg(&c, &tok, "doomed").await;
    let kv4 = vault_path("doomed", "kv-cascade");
    let r = run_arm_cases(
        &c,
        &tok,
        [
            arm_case("vault in the doomed group", "PUT", &kv4, 201, "")
                .with_body(vault_body(false, true)),
            arm_case(
                "DELETE of the group",
                "DELETE",
                format!("{}?api-version=2021-04-01", rg("doomed")),
                202,
                "",
            )
            .expect_header("location"),
        ],
    )
    .await;
    wait_location(&c, &tok, &r[1]).await;
    let cascaded = deleted_vault_path("westeurope", "kv-cascade");
    run_arm_cases(
        &c,
        &tok,
        [arm_case("the cascaded twin", "GET", &cascaded, 200, "")],
    )
    .await;

    // After the retention period (7 days here) Azure purges on its own.
    emu.advance_clock(Duration::from_secs(8 * 86_400));
    let tok = c.token(ARM_SCOPE).await;
    run_arm_cases(
        &c,
        &tok,
        [arm_case(
            "the twin after its retention",
            "GET",
            &cascaded,
            404,
            "ResourceNotFound",
        )],
    )
    .await;
    assert!(emu.soft_deleted().is_empty());
}

#[tokio::test]
async fn cognitive_account_soft_delete_restore_and_purge() {
    let (emu, c) = start(config()).await;
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "airg").await;
    let acct = format!(
        "{}/providers/Microsoft.CognitiveServices/accounts/ai-soft-1?{CS_API}",
        rg("airg")
    );
    let deleted = format!("/subscriptions/{S}/providers/Microsoft.CognitiveServices/locations/westeurope/resourceGroups/airg/deletedAccounts/ai-soft-1?{CS_API}");
    let body = json!({"location": "westeurope", "kind": "AIServices", "sku": {"name": "S0"},
        "properties": {"customSubDomainName": "ai-soft-1", "publicNetworkAccess": "Disabled"}});
    let r = c.arm(&tok, "PUT", &acct, Some(body.clone())).await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    delete_and_wait(&c, &tok, &acct).await;
    // Re-create without restore: 409 FlagMustBeSetForRestore; restore=true brings it back,
    // with the request applied over it.
    let mut restore = body.clone();
    restore["properties"]["restore"] = json!(true);
    restore["properties"]["publicNetworkAccess"] = json!("Enabled");
    let r = run_arm_cases(
        &c,
        &tok,
        [
            arm_case("the deleted account", "GET", &acct, 404, "ResourceNotFound"),
            arm_case("its soft-deleted twin", "GET", &deleted, 200, ""),
            arm_case("the list of deleted accounts", "GET", format!("/subscriptions/{S}/providers/Microsoft.CognitiveServices/deletedAccounts?{CS_API}"), 200, ""),
            arm_case("create without restore", "PUT", &acct, 409, "FlagMustBeSetForRestore")
                .with_body(body.clone()),
            arm_case("restore", "PUT", &acct, 201, "").with_body(restore),
            arm_case("the restored account", "GET", &acct, 200, ""),
            arm_case("the twin after the restore", "GET", &deleted, 404, "ResourceNotFound"),
        ],
    )
    .await;
    let v = r[1].json();
    assert_eq!(v["name"], "ai-soft-1");
    assert_eq!(v["kind"], "AIServices");
    assert!(v["properties"]["deletionDate"].is_string());
    assert!(v["properties"]["scheduledPurgeDate"].is_string());
    assert_eq!(r[2].json()["value"].as_array().map(Vec::len), Some(1));
    let g = r[5].json();
    assert_eq!(g["properties"]["publicNetworkAccess"], "Enabled");
    assert_eq!(g["properties"]["customSubDomainName"], "ai-soft-1");
    assert!(
        g["properties"].get("restore").is_none(),
        "restore is write-only"
    );

    // Delete again and purge (DELETE on the deleted account): 202 + Azure-AsyncOperation.
    delete_and_wait(&c, &tok, &acct).await;
    let p = c.arm(&tok, "DELETE", &deleted, None).await;
    assert_eq!(p.status, 202, "{}", String::from_utf8_lossy(&p.body));
    let (status, _) = poll(
        &c,
        &tok,
        &p.h("azure-asyncoperation").expect("Azure-AsyncOperation"),
    )
    .await;
    assert_eq!(status, "Succeeded");
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case(
                "the twin after the purge",
                "GET",
                &deleted,
                404,
                "ResourceNotFound",
            ),
            arm_case("purge again", "DELETE", &deleted, 404, "ResourceNotFound"),
            arm_case("create after the purge", "PUT", &acct, 201, "").with_body(body),
        ],
    )
    .await;
    drop(emu);
}

#[tokio::test]
async fn soft_deleted_items_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let (emu, c) = start(config().with_state_file(&state)).await;
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "kvrg").await;
    let kv = vault_path("kvrg", "kv-kept");
    run_arm_cases(
        &c,
        &tok,
        [arm_case("create", "PUT", &kv, 201, "").with_body(vault_body(false, true))],
    )
    .await;
    delete_and_wait(&c, &tok, &kv).await;
    emu.stop().await.unwrap();
    let (emu, c) = start(config().with_state_file(&state)).await;
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case(
                "the soft-deleted twin after the restart",
                "GET",
                deleted_vault_path("westeurope", "kv-kept"),
                200,
                "",
            ),
            arm_case(
                "the name after the restart",
                "PUT",
                &kv,
                409,
                "ConflictError",
            )
            .with_body(vault_body(false, true)),
        ],
    )
    .await;
    emu.stop().await.unwrap();
}
