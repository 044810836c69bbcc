//! Network semantics: subnet validation and vNet rendering, subnets in use by private
//! endpoints, concurrent vNet writes.

use super::*;
use aifactory_emulator::VnetConflict;
use serde_json::json;
use std::time::Duration;

fn vnet_path(name: &str) -> String {
    format!(
        "{}/providers/Microsoft.Network/virtualNetworks/{name}",
        rg("net")
    )
}

async fn net_setup(c: &Client) -> String {
    let tok = c.token(ARM_SCOPE).await;
    put_rg(c, &tok, "net").await;
    let r = c
        .arm(&tok, "PUT", &format!("{}?{API}", vnet_path("v1")), Some(json!({"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "subnets": [{"name": "inline", "properties": {"addressPrefix": "10.0.0.0/24"}}]}})))
        .await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    tok
}

#[tokio::test]
async fn subnet_validation_and_vnet_rendering() {
    let (emu, c) = start(config()).await;
    let tok = net_setup(&c).await;
    let sub = |n: &str| format!("{}/subnets/{n}?{API}", vnet_path("v1"));
    let put = |n: &str, prefix: &str| {
        let c = c.clone();
        let tok = tok.clone();
        let p = sub(n);
        let body = json!({"properties": {"addressPrefix": prefix}});
        async move { c.arm(&tok, "PUT", &p, Some(body)).await }
    };
    let r = put("s1", "10.0.1.0/24").await;
    assert_eq!(r.status, 201);
    assert_eq!(
        r.json()["type"],
        "Microsoft.Network/virtualNetworks/subnets"
    );
    assert!(r.json()["etag"].is_string());
    for (name, prefix, code) in [
        ("out", "10.1.0.0/24", "NetcfgSubnetRangeOutsideVnet"),
        ("overlap", "10.0.1.128/25", "NetcfgSubnetRangesOverlap"),
        ("overlap2", "10.0.0.0/23", "NetcfgSubnetRangesOverlap"),
        ("small", "10.0.2.0/30", "NetcfgInvalidSubnet"),
        ("bad", "10.0.2.0", "InvalidAddressPrefixFormat"),
        ("hostbits", "10.0.2.5/24", "InvalidCIDRNotation"),
    ] {
        let r = put(name, prefix).await;
        assert_error(&r, expect(&format!("{name} {prefix}"), 400, code));
    }
    assert_eq!(put("tiny", "10.0.2.0/29").await.status, 201);
    // Subnets appear inside the vNet GET, inline one included.
    let v = c
        .arm(&tok, "GET", &format!("{}?{API}", vnet_path("v1")), None)
        .await
        .json();
    let names: Vec<&str> = v["properties"]["subnets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["inline", "s1", "tiny"]);
    // Subnet list collection.
    let l = c
        .arm(
            &tok,
            "GET",
            &format!("{}/subnets?{API}", vnet_path("v1")),
            None,
        )
        .await;
    assert_eq!(l.json()["value"].as_array().unwrap().len(), 3);
    // vNet PUT without the existing subnets removes them (not in use).
    let r = c.arm(&tok, "PUT", &format!("{}?{API}", vnet_path("v1")), Some(json!({"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "subnets": [{"name": "s1", "properties": {"addressPrefix": "10.0.1.0/24"}}]}}))).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json()["properties"]["subnets"].as_array().unwrap().len(),
        1
    );
    assert_eq!(c.arm(&tok, "GET", &sub("tiny"), None).await.status, 404);
    drop(emu);
}

#[tokio::test]
async fn subnet_in_use_by_private_endpoint() {
    let (emu, c) = start(config()).await;
    let tok = net_setup(&c).await;
    let subnet_id = format!("{}/subnets/inline", vnet_path("v1"));
    let pe = format!(
        "{}/providers/Microsoft.Network/privateEndpoints/pe1?{API}",
        rg("net")
    );
    let r = c.arm(&tok, "PUT", &pe, Some(json!({"location": "westeurope", "properties": {"subnet": {"id": format!("{}/subnets/missing", vnet_path("v1"))}}}))).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "InvalidResourceReference")
    );
    let r = c
        .arm(
            &tok,
            "PUT",
            &pe,
            Some(json!({"location": "westeurope", "properties": {"subnet": {"id": subnet_id}}})),
        )
        .await;
    assert_eq!(r.status, 201);
    let s = c
        .arm(&tok, "GET", &format!("{subnet_id}?{API}"), None)
        .await
        .json();
    assert!(s["properties"]["privateEndpoints"][0]["id"]
        .as_str()
        .unwrap()
        .ends_with("/privateEndpoints/pe1"));
    let r = c
        .arm(&tok, "DELETE", &format!("{subnet_id}?{API}"), None)
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "InUseSubnetCannotBeDeleted")
    );
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("privateEndpoints/pe1"));
    // A vNet PUT dropping the subnet is refused the same way.
    let r = c.arm(&tok, "PUT", &format!("{}?{API}", vnet_path("v1")), Some(json!({"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}}))).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "InUseSubnetCannotBeDeleted")
    );
    // Microsoft.Network deletes are LROs: 202 + Location; with no delay they finish at once.
    assert_eq!(c.arm(&tok, "DELETE", &pe, None).await.status, 202);
    assert_eq!(
        c.arm(&tok, "DELETE", &format!("{subnet_id}?{API}"), None)
            .await
            .status,
        202
    );
    assert_eq!(
        c.arm(&tok, "GET", &format!("{subnet_id}?{API}"), None)
            .await
            .status,
        404
    );
    drop(emu);
}

#[tokio::test]
async fn concurrent_vnet_writes_conflict() {
    for (mode, status, code) in [
        (
            VnetConflict::AnotherOperationInProgress,
            409,
            "AnotherOperationInProgress",
        ),
        (VnetConflict::RetryableError, 429, "RetryableError"),
    ] {
        let mut cfg = config();
        cfg.settings.vnet_conflict = mode;
        let (emu, c) = start(cfg).await;
        let tok = net_setup(&c).await;
        emu.update_settings(|s| s.lro_delay_ms = 60_000);
        let s1 = c
            .arm(
                &tok,
                "PUT",
                &format!("{}/subnets/a?{API}", vnet_path("v1")),
                Some(json!({"properties": {"addressPrefix": "10.0.1.0/24"}})),
            )
            .await;
        assert_eq!(s1.status, 201);
        let s2 = c
            .arm(
                &tok,
                "PUT",
                &format!("{}/subnets/b?{API}", vnet_path("v1")),
                Some(json!({"properties": {"addressPrefix": "10.0.2.0/24"}})),
            )
            .await;
        assert_eq!((s2.status, s2.code().as_str()), (status, code));
        if status == 429 {
            assert!(s2.h("retry-after").is_some());
            assert_eq!(
                s2.json()["error"]["details"][0]["code"],
                "RetryableErrorDueToAnotherOperation"
            );
        } else {
            assert!(s2.json()["error"]["message"]
                .as_str()
                .unwrap()
                .contains("/operations/"));
        }
        let d = c
            .arm(
                &tok,
                "DELETE",
                &format!("{}/subnets/inline?{API}", vnet_path("v1")),
                None,
            )
            .await;
        assert_eq!(d.status, status);
        emu.advance_clock(Duration::from_secs(61));
        poll(&c, &tok, &s1.h("azure-asyncoperation").unwrap()).await;
        let s2 = c
            .arm(
                &tok,
                "PUT",
                &format!("{}/subnets/b?{API}", vnet_path("v1")),
                Some(json!({"properties": {"addressPrefix": "10.0.2.0/24"}})),
            )
            .await;
        assert_eq!(s2.status, 201, "after the first operation finished");
        drop(emu);
    }
}
