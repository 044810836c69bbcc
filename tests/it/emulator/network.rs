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
    let r = run_arm_cases(
        &c,
        &tok,
        [
            ("s1", "10.0.1.0/24", 201, ""),
            ("out", "10.1.0.0/24", 400, "NetcfgSubnetRangeOutsideVnet"),
            ("overlap", "10.0.1.128/25", 400, "NetcfgSubnetRangesOverlap"),
            ("overlap2", "10.0.0.0/23", 400, "NetcfgSubnetRangesOverlap"),
            ("small", "10.0.2.0/30", 400, "NetcfgInvalidSubnet"),
            ("bad", "10.0.2.0", 400, "InvalidAddressPrefixFormat"),
            ("hostbits", "10.0.2.5/24", 400, "InvalidCIDRNotation"),
            ("tiny", "10.0.2.0/29", 201, ""),
        ]
        .map(|(name, prefix, status, code)| {
            arm_case(format!("{name} {prefix}"), "PUT", sub(name), status, code)
                .with_body(json!({"properties": {"addressPrefix": prefix}}))
        }),
    )
    .await;
    assert_eq!(
        r[0].json()["type"],
        "Microsoft.Network/virtualNetworks/subnets"
    );
    assert!(r[0].json()["etag"].is_string());
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
    let r = run_arm_cases(
        &c,
        &tok,
        [
            arm_case("vNet PUT keeping only s1", "PUT", format!("{}?{API}", vnet_path("v1")), 200, "")
                .with_body(json!({"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "subnets": [{"name": "s1", "properties": {"addressPrefix": "10.0.1.0/24"}}]}})),
            arm_case("a subnet the vNet PUT dropped", "GET", sub("tiny"), 404, "ResourceNotFound"),
        ],
    )
    .await;
    assert_eq!(
        r[0].json()["properties"]["subnets"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
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
    let subnet = format!("{subnet_id}?{API}");
    let pe_in =
        |subnet: &str| json!({"location": "westeurope", "properties": {"subnet": {"id": subnet}}});
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case(
                "endpoint in a missing subnet",
                "PUT",
                &pe,
                400,
                "InvalidResourceReference",
            )
            .with_body(pe_in(&format!("{}/subnets/missing", vnet_path("v1")))),
            arm_case("endpoint in the inline subnet", "PUT", &pe, 201, "")
                .with_body(pe_in(&subnet_id)),
        ],
    )
    .await;
    let s = c.arm(&tok, "GET", &subnet, None).await.json();
    assert!(s["properties"]["privateEndpoints"][0]["id"]
        .as_str()
        .unwrap()
        .ends_with("/privateEndpoints/pe1"));
    // The subnet is held: a DELETE, or a vNet PUT dropping it, is refused. Microsoft.Network
    // deletes are LROs: 202 + Location; with no delay they finish at once.
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case("DELETE of the subnet in use", "DELETE", &subnet, 400, "InUseSubnetCannotBeDeleted")
                .message_contains("privateEndpoints/pe1"),
            arm_case("vNet PUT dropping the subnet in use", "PUT", format!("{}?{API}", vnet_path("v1")), 400, "InUseSubnetCannotBeDeleted")
                .with_body(json!({"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}})),
            arm_case("DELETE of the endpoint", "DELETE", &pe, 202, "").expect_header("location"),
            arm_case("DELETE of the freed subnet", "DELETE", &subnet, 202, "").expect_header("location"),
            arm_case("GET of the deleted subnet", "GET", &subnet, 404, "ResourceNotFound"),
        ],
    )
    .await;
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
        let subnet = |n: &str| format!("{}/subnets/{n}?{API}", vnet_path("v1"));
        let b = json!({"properties": {"addressPrefix": "10.0.2.0/24"}});
        let r = run_arm_cases(
            &c,
            &tok,
            [
                arm_case(
                    "first write (runs for a minute)",
                    "PUT",
                    subnet("a"),
                    201,
                    "",
                )
                .with_body(json!({"properties": {"addressPrefix": "10.0.1.0/24"}})),
                arm_case("concurrent PUT", "PUT", subnet("b"), status, code).with_body(b.clone()),
                arm_case(
                    "concurrent DELETE",
                    "DELETE",
                    subnet("inline"),
                    status,
                    code,
                ),
            ],
        )
        .await;
        let (s1, s2) = (&r[0], &r[1]);
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
        emu.advance_clock(Duration::from_secs(61));
        poll(&c, &tok, &s1.h("azure-asyncoperation").unwrap()).await;
        run_arm_cases(
            &c,
            &tok,
            [arm_case(
                "PUT after the first operation finished",
                "PUT",
                subnet("b"),
                201,
                "",
            )
            .with_body(b)],
        )
        .await;
        drop(emu);
    }
}
