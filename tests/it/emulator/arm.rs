//! ARM basics on the wire: authentication errors, api-version and not-found codes, PUT
//! create/update semantics, LROs, resource group cascade delete and paging.

use super::*;
use aifactory_emulator::{FaultAction, FaultRule};
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn arm_authentication_errors() {
    let (emu, c) = start(config().with_token_lifetime(Duration::from_secs(60))).await;
    let p = format!("/subscriptions/{S}/resourcegroups?api-version=2021-04-01");
    let storage = c.token(STORAGE_SCOPE).await;
    let tok = c.token(ARM_SCOPE).await;
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case(
                "no Authorization header",
                "GET",
                &p,
                401,
                "AuthenticationFailed",
            )
            .without_auth()
            .expect_header_prefix("www-authenticate", "Bearer authorization_uri="),
            arm_case(
                "a token that is no JWT",
                "GET",
                &p,
                401,
                "InvalidAuthenticationToken",
            )
            .with_raw_auth("Bearer not-a-jwt"),
            arm_case(
                "a storage-audience token",
                "GET",
                &p,
                401,
                "InvalidAuthenticationTokenAudience",
            )
            .with_token(&storage)
            .expect_header("www-authenticate"),
            arm_case("a valid ARM token", "GET", &p, 200, ""),
        ],
    )
    .await;
    emu.advance_clock(Duration::from_secs(61));
    let refreshed = c.token(ARM_SCOPE).await;
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case(
                "an expired token",
                "GET",
                &p,
                401,
                "ExpiredAuthenticationToken",
            )
            .message_contains("is earlier than current UTC time"),
            arm_case("a refreshed token", "GET", &p, 200, "").with_token(refreshed),
        ],
    )
    .await;
    drop(emu);
}

#[tokio::test]
async fn arm_api_version_and_not_found_codes() {
    let (emu, c) = start(config()).await;
    let tok = c.token(ARM_SCOPE).await;
    let kv1 = format!(
        "{}/providers/Microsoft.KeyVault/vaults/kv1?api-version=2023-07-01",
        rg("rg1")
    );
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case(
                "no api-version",
                "GET",
                rg("rg1"),
                400,
                "MissingApiVersionParameter",
            ),
            arm_case(
                "unknown subscription",
                "GET",
                "/subscriptions/99999999-0000-4000-8000-000000000000/resourcegroups/x?api-version=2021-04-01",
                404,
                "SubscriptionNotFound",
            ),
            arm_case(
                "GET of a missing resource group",
                "GET",
                format!("{}?api-version=2021-04-01", rg("nope")),
                404,
                "ResourceGroupNotFound",
            ),
            arm_case(
                "PUT into a missing resource group",
                "PUT",
                format!(
                    "{}/providers/Microsoft.Network/virtualNetworks/v1?{API}",
                    rg("nope")
                ),
                404,
                "ResourceGroupNotFound",
            )
            .with_body(json!({"location": "westeurope"})),
        ],
    )
    .await;
    assert_eq!(put_rg(&c, &tok, "rg1").await.status, 201);
    let r = run_arm_cases(
        &c,
        &tok,
        [
            arm_case(
                "subnet of a missing vNet",
                "PUT",
                format!(
                    "{}/providers/Microsoft.Network/virtualNetworks/v1/subnets/s1?{API}",
                    rg("rg1")
                ),
                404,
                "ParentResourceNotFound",
            )
            .with_body(json!({"properties": {"addressPrefix": "10.0.0.0/24"}})),
            arm_case(
                "GET of a missing resource",
                "GET",
                kv1.clone(),
                404,
                "ResourceNotFound",
            ),
            arm_case("DELETE of a missing resource", "DELETE", kv1, 204, ""),
        ],
    )
    .await;
    assert!(r[1].json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Microsoft.KeyVault/vaults/kv1"));
    drop(emu);
}

#[tokio::test]
async fn arm_put_create_update_casing_headers_etag_patch() {
    let (emu, c) = start(config()).await;
    let tok = c.token(ARM_SCOPE).await;
    let r = put_rg(&c, &tok, "MyRG").await;
    assert_eq!(r.status, 201);
    assert_eq!(r.json()["properties"]["provisioningState"], "Succeeded");
    assert_eq!(r.json()["type"], "Microsoft.Resources/resourceGroups");
    assert_eq!(put_rg(&c, &tok, "myrg").await.status, 200);
    let r = c
        .arm(
            &tok,
            "GET",
            &format!("/subscriptions/{S}/resourcegroups/MYRG?api-version=2021-04-01"),
            None,
        )
        .await;
    assert_eq!(r.json()["name"], "MyRG", "casing of the create is kept");

    let id = format!(
        "{}/providers/Microsoft.App/managedEnvironments/Env-One",
        rg("MyRG")
    );
    let body = json!({"location": "westeurope", "tags": {"a": "1"}, "properties": {"x": {"y": 1, "z": 2}}});
    let corr = "c0ffee00-0000-4000-8000-000000000001";
    let r = c
        .send(
            "PUT",
            &format!("{id}?api-version=2024-03-01"),
            &[
                ("authorization", &format!("Bearer {tok}")),
                ("content-type", "application/json"),
                ("x-ms-correlation-request-id", corr),
            ],
            Some(body.to_string().into_bytes()),
        )
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.h("x-ms-correlation-request-id").as_deref(), Some(corr));
    assert!(r.h("x-ms-request-id").is_some());
    let writes: u32 = r
        .h("x-ms-ratelimit-remaining-subscription-writes")
        .unwrap()
        .parse()
        .unwrap();
    assert!((190..200).contains(&writes), "{writes}");
    assert!(r
        .h("x-ms-ratelimit-remaining-subscription-global-writes")
        .is_some());
    let j = r.json();
    assert_eq!(j["id"], id);
    assert_eq!(j["name"], "Env-One");
    assert_eq!(j["type"], "Microsoft.App/managedEnvironments");
    assert_eq!(j["tags"]["a"], "1");
    assert_eq!(j["location"], "westeurope");
    assert_eq!(j["properties"]["provisioningState"], "Succeeded");
    let etag = r.h("etag").unwrap();
    // GET with other casing echoes the stored casing.
    let r = c
        .arm(
            &tok,
            "GET",
            &format!("{}?api-version=2024-03-01", id.to_lowercase()),
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["id"], id);
    assert!(r.h("x-ms-ratelimit-remaining-subscription-reads").is_some());
    // Conditional requests, PATCH (merges properties, replaces tags), the location rules,
    // HEAD, DELETE 200 then 204.
    let at = |p: &str| format!("{p}?api-version=2024-03-01");
    let other = |n: &str| {
        at(&format!(
            "{}/providers/Microsoft.App/managedEnvironments/{n}",
            rg("MyRG")
        ))
    };
    let r = run_arm_cases(
        &c,
        &tok,
        [
            arm_case(
                "If-None-Match: * on an existing resource",
                "PUT",
                at(&id),
                412,
                "PreconditionFailed",
            )
            .with_body(body.clone())
            .with_header("if-none-match", "*"),
            arm_case(
                "If-Match with another ETag",
                "PUT",
                at(&id),
                412,
                "PreconditionFailed",
            )
            .with_body(body.clone())
            .with_header("if-match", "\"nope\""),
            arm_case("If-Match with the current ETag", "PUT", at(&id), 200, "")
                .with_body(body.clone())
                .with_header("if-match", etag),
            arm_case("PATCH", "PATCH", at(&id), 200, "")
                .with_body(json!({"tags": {"b": "2"}, "properties": {"x": {"z": null, "w": 3}}})),
            arm_case(
                "PATCH of a missing resource",
                "PATCH",
                other("none"),
                404,
                "ResourceNotFound",
            )
            .with_body(json!({"tags": {}})),
            arm_case(
                "PUT in another location",
                "PUT",
                at(&id),
                400,
                "InvalidResourceLocation",
            )
            .with_body(json!({"location": "eastus"})),
            arm_case(
                "PUT without a location",
                "PUT",
                other("e2"),
                400,
                "LocationRequired",
            )
            .with_body(json!({})),
            arm_case("HEAD of the resource", "HEAD", at(&id), 204, ""),
            arm_case("DELETE of the resource", "DELETE", at(&id), 200, ""),
            arm_case("DELETE again", "DELETE", at(&id), 204, ""),
            arm_case("HEAD after the DELETE", "HEAD", at(&id), 404, ""),
        ],
    )
    .await;
    assert_eq!(r[3].json()["tags"], json!({"b": "2"}));
    assert_eq!(r[3].json()["properties"]["x"], json!({"y": 1, "w": 3}));
    drop(emu);
}

#[tokio::test]
async fn lro_headers_and_status_progression() {
    let (emu, c) = start(config().with_lro_delay(Duration::from_millis(1000))).await;
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "rg").await;
    let id = format!(
        "{}/providers/Microsoft.Network/virtualNetworks/v1",
        rg("rg")
    );
    let r = c.arm(&tok, "PUT", &format!("{id}?{API}"), Some(json!({"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}}))).await;
    assert_eq!(r.status, 201);
    assert_eq!(r.json()["properties"]["provisioningState"], "Updating");
    let async_url = r.h("azure-asyncoperation").expect("Azure-AsyncOperation");
    assert!(async_url.starts_with(emu.base_url()));
    assert!(async_url.contains("/providers/Microsoft.Network/locations/westeurope/operations/"));
    assert!(r.h("location").unwrap().contains("/operationResults/"));
    assert_eq!(r.h("retry-after").as_deref(), Some("1"));
    let g = c.arm(&tok, "GET", &format!("{id}?{API}"), None).await;
    assert_eq!(g.json()["properties"]["provisioningState"], "Updating");
    let loc = c
        .arm(&tok, "GET", &path_of(&r.h("location").unwrap()), None)
        .await;
    assert_eq!(loc.status, 202);
    let (status, polls) = poll(&c, &tok, &async_url).await;
    assert_eq!(status, "Succeeded");
    assert!(polls > 1, "must be InProgress at least once");
    let g = c.arm(&tok, "GET", &format!("{id}?{API}"), None).await;
    assert_eq!(g.json()["properties"]["provisioningState"], "Succeeded");
    let loc = c
        .arm(&tok, "GET", &path_of(&r.h("location").unwrap()), None)
        .await;
    assert_eq!(loc.status, 200);
    assert_eq!(loc.json()["id"], id);
    // Async delete.
    let d = c.arm(&tok, "DELETE", &format!("{id}?{API}"), None).await;
    assert_eq!(d.status, 202);
    let (status, _) = poll(&c, &tok, &d.h("azure-asyncoperation").unwrap()).await;
    assert_eq!(status, "Succeeded");
    assert_eq!(
        c.arm(&tok, "GET", &format!("{id}?{API}"), None)
            .await
            .status,
        404
    );
    // Injected LRO failure.
    emu.set_faults(vec![FaultRule::new(
        "PUT",
        "*/virtualNetworks/v2",
        FaultAction::LroFailed {
            code: "InternalServerError".into(),
            message: "boom".into(),
        },
    )]);
    let r = c.arm(&tok, "PUT", &format!("{}/providers/Microsoft.Network/virtualNetworks/v2?{API}", rg("rg")), Some(json!({"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.1.0.0/16"]}}}))).await;
    let url = r.h("azure-asyncoperation").unwrap();
    let (status, _) = poll(&c, &tok, &url).await;
    assert_eq!(status, "Failed");
    let doc = c.arm(&tok, "GET", &path_of(&url), None).await.json();
    assert_eq!(doc["error"]["code"], "InternalServerError");
    let g = c
        .arm(
            &tok,
            "GET",
            &format!(
                "{}/providers/Microsoft.Network/virtualNetworks/v2?{API}",
                rg("rg")
            ),
            None,
        )
        .await;
    assert_eq!(g.json()["properties"]["provisioningState"], "Failed");
    drop(emu);
}

#[tokio::test]
async fn resource_group_cascade_delete() {
    let (emu, c) = start(config().with_lro_delay(Duration::from_millis(600))).await;
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "doomed").await;
    let kv = format!(
        "{}/providers/Microsoft.KeyVault/vaults/kv?api-version=2023-07-01",
        rg("doomed")
    );
    let doomed = format!("{}?api-version=2021-04-01", rg("doomed"));
    let r = run_arm_cases(
        &c,
        &tok,
        [
            arm_case("vault in the group", "PUT", &kv, 201, "")
                .with_body(json!({"location": "westeurope", "properties": {}})),
            arm_case("DELETE of the group", "DELETE", &doomed, 202, "")
                .expect_header_prefix(
                    "location",
                    format!("{}/subscriptions/{S}/operationresults/", emu.base_url()),
                )
                .expect_header("retry-after"),
            arm_case("GET of the group being deleted", "GET", &doomed, 200, ""),
            arm_case(
                "PUT into the group being deleted",
                "PUT",
                &kv,
                409,
                "ResourceGroupBeingDeleted",
            )
            .with_body(json!({"location": "westeurope"})),
        ],
    )
    .await;
    let loc = r[1].h("location").unwrap();
    assert_eq!(r[2].json()["properties"]["provisioningState"], "Deleting");
    let mut polls = 0;
    loop {
        let p = c.arm(&tok, "GET", &path_of(&loc), None).await;
        polls += 1;
        if p.status == 200 {
            break;
        }
        assert_eq!(p.status, 202);
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    assert!(polls > 1);
    assert!(emu
        .resource(&format!(
            "{}/providers/Microsoft.KeyVault/vaults/kv",
            rg("doomed")
        ))
        .is_none());
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case(
                "GET of the deleted group",
                "GET",
                &doomed,
                404,
                "ResourceGroupNotFound",
            ),
            arm_case(
                "DELETE of the deleted group",
                "DELETE",
                &doomed,
                404,
                "ResourceGroupNotFound",
            ),
        ],
    )
    .await;
    drop(emu);
}

#[tokio::test]
async fn lists_page_with_next_link() {
    let (emu, c) = start(config().with_page_size(2)).await;
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "rg").await;
    run_arm_cases(
        &c,
        &tok,
        (0..5).map(|i| {
            let path = format!(
                "{}/providers/Microsoft.KeyVault/vaults/kv{i}?api-version=2023-07-01",
                rg("rg")
            );
            arm_case(format!("vault kv{i}"), "PUT", path, 201, "")
                .with_body(json!({"location": "westeurope"}))
        }),
    )
    .await;
    for first in [
        format!("{}/providers/Microsoft.KeyVault/vaults?api-version=2023-07-01", rg("rg")),
        format!("{}/resources?api-version=2021-04-01", rg("rg")),
        format!("/subscriptions/{S}/providers/Microsoft.KeyVault/vaults?api-version=2023-07-01"),
        format!("/subscriptions/{S}/resources?api-version=2021-04-01&$filter=resourceType%20eq%20'Microsoft.KeyVault/vaults'"),
    ] {
        let mut names = Vec::new();
        let mut next = Some(first.clone());
        let mut pages = 0;
        while let Some(p) = next {
            let r = c.arm(&tok, "GET", &p, None).await;
            assert_eq!(r.status, 200, "{p}: {}", String::from_utf8_lossy(&r.body));
            pages += 1;
            for v in r.json()["value"].as_array().unwrap() {
                names.push(v["name"].as_str().unwrap().to_string());
            }
            next = r.json()["nextLink"].as_str().map(|u| {
                assert!(u.starts_with(emu.base_url()));
                path_of(u)
            });
        }
        assert_eq!(pages, 3, "{first}: {names:?}");
        assert_eq!(names, vec!["kv0", "kv1", "kv2", "kv3", "kv4"], "{first}");
    }
    let r = c
        .arm(
            &tok,
            "GET",
            &format!("/subscriptions/{S}/resourcegroups?api-version=2021-04-01"),
            None,
        )
        .await;
    assert_eq!(r.json()["value"][0]["name"], "rg");
    drop(emu);
}
