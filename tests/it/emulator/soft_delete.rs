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
    let r = c.arm(&tok, "PUT", &kv, Some(vault_body(false, true))).await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(c.arm(&tok, "GET", &deleted, None).await.status, 404);

    // Delete: the vault goes, its soft-deleted twin appears.
    let d = delete_and_wait(&c, &tok, &kv).await;
    assert!(d == 200 || d == 202, "{d}");
    assert_eq!(c.arm(&tok, "GET", &kv, None).await.status, 404);
    let g = c.arm(&tok, "GET", &deleted, None).await;
    assert_eq!(g.status, 200, "{}", String::from_utf8_lossy(&g.body));
    let v = g.json();
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
    assert_eq!(
        c.arm(
            &tok,
            "GET",
            &deleted_vault_path("eastus", "kv-soft-1"),
            None
        )
        .await
        .status,
        404,
        "another location"
    );
    let list = c
        .arm(
            &tok,
            "GET",
            &format!("/subscriptions/{S}/providers/Microsoft.KeyVault/deletedVaults?{KV_API}"),
            None,
        )
        .await;
    assert_eq!(list.status, 200);
    assert_eq!(list.json()["value"].as_array().map(Vec::len), Some(1));
    assert_eq!(emu.soft_deleted().len(), 1);
    let admin = c.admin("GET", "soft-deleted", None).await;
    assert_eq!(admin.json()["value"][0]["name"], "kv-soft-1");

    // The name is taken, in every resource group of the subscription.
    for path in [&kv, &vault_path("other", "kv-soft-1")] {
        let r = c
            .arm(&tok, "PUT", path, Some(vault_body(false, true)))
            .await;
        assert_eq!(
            (r.status, r.code().as_str()),
            (409, "ConflictError"),
            "{path}"
        );
        assert!(r.json()["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("deleted state"));
    }
    // Recovery: only where it was; Azure ignores the request's properties.
    let mut recover = vault_body(false, false);
    recover["properties"]["createMode"] = json!("recover");
    let r = c
        .arm(
            &tok,
            "PUT",
            &vault_path("other", "kv-soft-1"),
            Some(recover.clone()),
        )
        .await;
    assert_eq!(r.status, 400);
    let r = c.arm(&tok, "PUT", &kv, Some(recover.clone())).await;
    assert!(
        r.status == 200 || r.status == 201,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let g = c.arm(&tok, "GET", &kv, None).await;
    assert_eq!(g.status, 200);
    let body = g.json();
    assert_eq!(
        body["properties"]["enableRbacAuthorization"], true,
        "original properties"
    );
    assert!(
        body["properties"].get("createMode").is_none(),
        "createMode is write-only"
    );
    assert_eq!(body["properties"]["provisioningState"], "Succeeded");
    assert_eq!(c.arm(&tok, "GET", &deleted, None).await.status, 404);
    // Recover with nothing soft-deleted.
    let r = c
        .arm(
            &tok,
            "PUT",
            &vault_path("kvrg", "kv-never"),
            Some(recover.clone()),
        )
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (404, "SoftDeletedVaultDoesNotExist")
    );

    // Delete again and purge: 202 + Location, then gone, and the name is free.
    delete_and_wait(&c, &tok, &kv).await;
    let purge = format!(
        "/subscriptions/{S}/providers/Microsoft.KeyVault/locations/westeurope/deletedVaults/kv-soft-1/purge?{KV_API}"
    );
    let p = c.arm(&tok, "POST", &purge, None).await;
    assert_eq!(p.status, 202, "{}", String::from_utf8_lossy(&p.body));
    wait_location(&c, &tok, &p).await;
    assert_eq!(c.arm(&tok, "GET", &deleted, None).await.status, 404);
    assert_eq!(c.arm(&tok, "POST", &purge, None).await.status, 404);
    let r = c.arm(&tok, "PUT", &kv, Some(vault_body(false, true))).await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));

    // Purge protection forbids the purge; the vault stays soft-deleted.
    let kv2 = vault_path("kvrg", "kv-protected");
    assert_eq!(
        c.arm(&tok, "PUT", &kv2, Some(vault_body(true, true)))
            .await
            .status,
        201
    );
    delete_and_wait(&c, &tok, &kv2).await;
    let p = c
        .arm(&tok, "POST", &format!("/subscriptions/{S}/providers/Microsoft.KeyVault/locations/westeurope/deletedVaults/kv-protected/purge?{KV_API}"), None)
        .await;
    assert_eq!((p.status, p.code().as_str()), (409, "MethodNotAllowed"));
    let g = c
        .arm(
            &tok,
            "GET",
            &deleted_vault_path("westeurope", "kv-protected"),
            None,
        )
        .await;
    assert_eq!(g.status, 200);
    assert_eq!(g.json()["properties"]["purgeProtectionEnabled"], true);

    // A vault created with enableSoftDelete=false is gone for good.
    let kv3 = vault_path("kvrg", "kv-hard");
    let mut hard = vault_body(false, true);
    hard["properties"]["enableSoftDelete"] = json!(false);
    assert_eq!(c.arm(&tok, "PUT", &kv3, Some(hard)).await.status, 201);
    delete_and_wait(&c, &tok, &kv3).await;
    assert_eq!(
        c.arm(
            &tok,
            "GET",
            &deleted_vault_path("westeurope", "kv-hard"),
            None
        )
        .await
        .status,
        404
    );

    // A resource group's cascade delete soft-deletes its vaults too.
    put_rg(&c, &tok, "doomed").await;
    let kv4 = vault_path("doomed", "kv-cascade");
    assert_eq!(
        c.arm(&tok, "PUT", &kv4, Some(vault_body(false, true)))
            .await
            .status,
        201
    );
    let d = c
        .arm(
            &tok,
            "DELETE",
            &format!("{}?api-version=2021-04-01", rg("doomed")),
            None,
        )
        .await;
    assert_eq!(d.status, 202);
    wait_location(&c, &tok, &d).await;
    assert_eq!(
        c.arm(
            &tok,
            "GET",
            &deleted_vault_path("westeurope", "kv-cascade"),
            None
        )
        .await
        .status,
        200
    );

    // After the retention period (7 days here) Azure purges on its own.
    emu.advance_clock(Duration::from_secs(8 * 86_400));
    let tok = c.token(ARM_SCOPE).await;
    assert_eq!(
        c.arm(
            &tok,
            "GET",
            &deleted_vault_path("westeurope", "kv-cascade"),
            None
        )
        .await
        .status,
        404
    );
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
    assert_eq!(c.arm(&tok, "GET", &acct, None).await.status, 404);
    let g = c.arm(&tok, "GET", &deleted, None).await;
    assert_eq!(g.status, 200, "{}", String::from_utf8_lossy(&g.body));
    let v = g.json();
    assert_eq!(v["name"], "ai-soft-1");
    assert_eq!(v["kind"], "AIServices");
    assert!(v["properties"]["deletionDate"].is_string());
    assert!(v["properties"]["scheduledPurgeDate"].is_string());
    let list = c
        .arm(
            &tok,
            "GET",
            &format!(
                "/subscriptions/{S}/providers/Microsoft.CognitiveServices/deletedAccounts?{CS_API}"
            ),
            None,
        )
        .await;
    assert_eq!(list.json()["value"].as_array().map(Vec::len), Some(1));

    // Re-create without restore: 409 FlagMustBeSetForRestore.
    let r = c.arm(&tok, "PUT", &acct, Some(body.clone())).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (409, "FlagMustBeSetForRestore")
    );
    // restore=true brings it back, with the request applied over it.
    let mut restore = body.clone();
    restore["properties"]["restore"] = json!(true);
    restore["properties"]["publicNetworkAccess"] = json!("Enabled");
    let r = c.arm(&tok, "PUT", &acct, Some(restore)).await;
    assert!(
        r.status == 200 || r.status == 201,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let g = c.arm(&tok, "GET", &acct, None).await.json();
    assert_eq!(g["properties"]["publicNetworkAccess"], "Enabled");
    assert_eq!(g["properties"]["customSubDomainName"], "ai-soft-1");
    assert!(
        g["properties"].get("restore").is_none(),
        "restore is write-only"
    );
    assert_eq!(c.arm(&tok, "GET", &deleted, None).await.status, 404);

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
    assert_eq!(c.arm(&tok, "GET", &deleted, None).await.status, 404);
    assert_eq!(c.arm(&tok, "DELETE", &deleted, None).await.status, 404);
    let r = c.arm(&tok, "PUT", &acct, Some(body)).await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
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
    assert_eq!(
        c.arm(&tok, "PUT", &kv, Some(vault_body(false, true)))
            .await
            .status,
        201
    );
    delete_and_wait(&c, &tok, &kv).await;
    emu.stop().await.unwrap();
    let (emu, c) = start(config().with_state_file(&state)).await;
    let g = c
        .arm(
            &tok,
            "GET",
            &deleted_vault_path("westeurope", "kv-kept"),
            None,
        )
        .await;
    assert_eq!(g.status, 200, "{}", String::from_utf8_lossy(&g.body));
    let r = c.arm(&tok, "PUT", &kv, Some(vault_body(false, true))).await;
    assert_eq!(r.status, 409);
    emu.stop().await.unwrap();
}
