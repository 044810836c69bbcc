//! Azure AI Search's shared private links in the emulator
//! (`searchServices/{s}/sharedPrivateLinkResources/{n}`, stable 2025-05-01): status codes
//! (PUT 202 then 200, DELETE 202/204, long-running), the SKU, target and group rules, the
//! `Pending` connection on the target and its approval, and the connection going with the
//! link. Owns these cases only.

use super::*;

const SRCH_API: &str = "api-version=2025-05-01";

fn res(rel: &str) -> String {
    format!("{}/providers/{rel}", rg("srch"))
}

fn link(service: &str, name: &str) -> String {
    format!(
        "{}/sharedPrivateLinkResources/{name}?{SRCH_API}",
        res(&format!("Microsoft.Search/searchServices/{service}"))
    )
}

fn spl(target: &str, group: &str) -> serde_json::Value {
    json!({"properties": {"privateLinkResourceId": target, "groupId": group, "requestMessage": "please approve"}})
}

#[tokio::test]
async fn shared_private_links() {
    let (emu, c) = start(config()).await;
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "srch").await;
    let st = res("Microsoft.Storage/storageAccounts/stsrch");
    let ais = res("Microsoft.CognitiveServices/accounts/aissrch");
    let kv = res("Microsoft.KeyVault/vaults/kvsrch");
    let service = |sku: &str| json!({"location": "westeurope", "sku": {"name": sku}});
    let r = run_arm_cases(
        &c,
        &tok,
        [
            arm_case("free service", "PUT", format!("{}?{SRCH_API}", res("Microsoft.Search/searchServices/free1")), 201, "")
                .with_body(service("free")),
            arm_case("basic service", "PUT", format!("{}?{SRCH_API}", res("Microsoft.Search/searchServices/basic1")), 201, "")
                .with_body(service("basic")),
            arm_case("storage account", "PUT", format!("{st}?api-version=2025-06-01"), 202, "")
                .with_body(json!({"location": "westeurope", "kind": "StorageV2", "sku": {"name": "Standard_LRS"}, "properties": {"isHnsEnabled": true}})),
            arm_case("AI Services account", "PUT", format!("{ais}?api-version=2025-06-01"), 201, "")
                .with_body(json!({"location": "westeurope", "kind": "AIServices", "sku": {"name": "S0"}, "properties": {"customSubDomainName": "aissrch"}})),
            arm_case("link on a free service", "PUT", link("free1", "blob"), 400, "BadRequest")
                .with_body(spl(&st, "blob"))
                .message_contains("'free' SKU"),
            arm_case("link without a group", "PUT", link("basic1", "x"), 400, "BadRequest")
                .with_body(json!({"properties": {"privateLinkResourceId": st}}))
                .message_contains("properties.groupId"),
            arm_case("link to a missing resource", "PUT", link("basic1", "x"), 400, "BadRequest")
                .with_body(spl(&kv, "vault"))
                .message_contains("was not found"),
            arm_case("storage group Search does not share", "PUT", link("basic1", "x"), 400, "BadRequest")
                .with_body(spl(&st, "queue"))
                .message_contains("supported group IDs: blob, table, dfs, file"),
            arm_case("account group of another type", "PUT", link("basic1", "x"), 400, "BadRequest")
                .with_body(spl(&ais, "account"))
                .message_contains("cognitiveservices_account, openai_account"),
            arm_case("unsupported target type", "PUT", link("basic1", "x"), 400, "BadRequest")
                .with_body(spl(&res("Microsoft.Network/virtualNetworks/v"), "vnet"))
                .message_contains("is not supported by shared private link resources"),
            arm_case("status not in the enum", "PUT", link("basic1", "x"), 400, "InvalidRequestContent")
                .with_body(json!({"properties": {"privateLinkResourceId": st, "groupId": "blob", "status": "Waiting"}})),
            // SharedPrivateLinkResources_CreateOrUpdate: 202 (long-running) on create.
            arm_case("blob link", "PUT", link("basic1", "blob"), 202, "")
                .with_body(spl(&st, "blob"))
                .expect_header("location"),
            arm_case("openai link", "PUT", link("basic1", "aoai"), 202, "").with_body(spl(&ais, "openai_account")),
            arm_case("blob link again", "PUT", link("basic1", "blob"), 200, "").with_body(spl(&st, "blob")),
            arm_case("link GET", "GET", link("basic1", "blob"), 200, ""),
        ],
    )
    .await;
    // Pending until the target's owner approves, also in the same subscription.
    assert_eq!(r[14].json()["properties"]["status"], "Pending");
    let target = c
        .arm(&tok, "GET", &format!("{st}?api-version=2025-06-01"), None)
        .await
        .json();
    let conns = target["properties"]["privateEndpointConnections"]
        .as_array()
        .expect("connections on the target")
        .clone();
    assert_eq!(conns.len(), 1);
    assert_eq!(conns[0]["name"], "basic1.blob");
    assert_eq!(
        conns[0]["properties"]["privateLinkServiceConnectionState"]["status"],
        "Pending"
    );
    assert_eq!(conns[0]["properties"]["groupIds"], json!(["blob"]));
    let conn = format!(
        "{}?api-version=2025-06-01",
        conns[0]["id"].as_str().unwrap()
    );
    let r = run_arm_cases(
        &c,
        &tok,
        [
            arm_case("approve on the target", "PUT", &conn, 200, "").with_body(json!({"properties": {
                "privateLinkServiceConnectionState": {"status": "Approved", "description": "ok"}}})),
            arm_case("link approved", "GET", link("basic1", "blob"), 200, ""),
            arm_case("service lists its links", "GET", format!("{}?{SRCH_API}", res("Microsoft.Search/searchServices/basic1")), 200, ""),
            arm_case("link delete", "DELETE", link("basic1", "blob"), 202, "").expect_header("location"),
            arm_case("link delete again", "DELETE", link("basic1", "blob"), 204, ""),
            arm_case("connection gone with the link", "GET", &conn, 404, "ResourceNotFound"),
        ],
    )
    .await;
    assert_eq!(r[1].json()["properties"]["status"], "Approved");
    assert_eq!(
        r[2].json()["properties"]["sharedPrivateLinkResources"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // A connection deleted on the target leaves the link Disconnected.
    let aoai_conn = format!("{ais}/privateEndpointConnections/basic1.aoai?api-version=2025-06-01");
    let r = run_arm_cases(
        &c,
        &tok,
        [
            arm_case("connection delete", "DELETE", &aoai_conn, 200, ""),
            arm_case("link disconnected", "GET", link("basic1", "aoai"), 200, ""),
        ],
    )
    .await;
    assert_eq!(r[1].json()["properties"]["status"], "Disconnected");
    drop(emu);
}
