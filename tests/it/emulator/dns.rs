//! Private DNS in the emulator: virtual network links of a zone
//! (`privateDnsZones/{z}/virtualNetworkLinks/{l}`, stable 2024-06-01: PUT 201/200, PATCH 200,
//! DELETE 202/204, long-running), their rules (global, an existing vNet, one link per vNet
//! and zone, no overlapping namespaces, one registration zone per vNet), the link state,
//! the list, links going with their zone; and private endpoints' zone groups needing
//! existing zones. Owns these cases only.

use super::*;

const DNS_API: &str = "api-version=2024-06-01";

fn res(rel: &str) -> String {
    format!("{}/providers/{rel}", rg("dns"))
}

fn zone(name: &str) -> String {
    res(&format!("Microsoft.Network/privateDnsZones/{name}"))
}

fn link(zone_name: &str, name: &str) -> String {
    format!("{}/virtualNetworkLinks/{name}?{DNS_API}", zone(zone_name))
}

fn vnet(name: &str) -> String {
    res(&format!("Microsoft.Network/virtualNetworks/{name}"))
}

fn link_body(vnet_id: &str, register: bool) -> serde_json::Value {
    json!({"location": "global", "properties": {"virtualNetwork": {"id": vnet_id}, "registrationEnabled": register}})
}

#[tokio::test]
async fn virtual_network_links() {
    let (emu, c) = start(config()).await;
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "dns").await;
    let blob = "privatelink.blob.core.windows.net";
    let v1 = vnet("v1");
    let v2 = vnet("v2");
    let r = run_arm_cases(
        &c,
        &tok,
        [
            arm_case("zone outside global", "PUT", format!("{}?{DNS_API}", zone("bad.example")), 400, "LocationNotAvailableForResourceType")
                .with_body(json!({"location": "westeurope"})),
            arm_case("zone", "PUT", format!("{}?{DNS_API}", zone(blob)), 201, "").with_body(json!({"location": "global"})),
            arm_case("zone 2", "PUT", format!("{}?{DNS_API}", zone("privatelink.dfs.core.windows.net")), 201, "")
                .with_body(json!({"location": "global"})),
            arm_case("zone 3", "PUT", format!("{}?{DNS_API}", zone("contoso.internal")), 201, "").with_body(json!({"location": "global"})),
            arm_case("overlapping zone", "PUT", format!("{}?{DNS_API}", zone("eu.contoso.internal")), 201, "")
                .with_body(json!({"location": "global"})),
            arm_case("vNet 1", "PUT", format!("{v1}?{API}"), 201, "")
                .with_body(json!({"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.5.0.0/16"]}}})),
            arm_case("vNet 2", "PUT", format!("{v2}?{API}"), 201, "")
                .with_body(json!({"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.6.0.0/16"]}}})),
            arm_case("link to a missing vNet", "PUT", link(blob, "l0"), 400, "BadRequest")
                .with_body(link_body(&vnet("nope"), false))
                .message_contains("Virtual network resource not found for"),
            arm_case("link without a vNet", "PUT", link(blob, "l0"), 400, "BadRequest")
                .with_body(json!({"location": "global", "properties": {}}))
                .message_contains("properties.virtualNetwork.id"),
            arm_case("link outside global", "PUT", link(blob, "l0"), 400, "LocationNotAvailableForResourceType")
                .with_body(json!({"location": "westeurope", "properties": {"virtualNetwork": {"id": v1}}})),
            arm_case("link without location", "PUT", link(blob, "l0"), 400, "LocationRequired")
                .with_body(json!({"properties": {"virtualNetwork": {"id": v1}}})),
            arm_case("link vNet ID of a subnet", "PUT", link(blob, "l0"), 400, "InvalidResourceId")
                .with_body(link_body(&format!("{v1}/subnets/s1"), false)),
            arm_case("registrationEnabled as text", "PUT", link(blob, "l0"), 400, "InvalidRequestContent")
                .with_body(json!({"location": "global", "properties": {"virtualNetwork": {"id": v1}, "registrationEnabled": "true"}})),
            // VirtualNetworkLinks_CreateOrUpdate: 201 on create (long-running), 200 on replace.
            arm_case("link v1", "PUT", link(blob, "l1"), 201, "").with_body(link_body(&v1, false)).expect_header("azure-asyncoperation"),
            arm_case("link v1 replace", "PUT", link(blob, "l1"), 200, "").with_body(link_body(&v1, false)),
            arm_case("link v1 again under another name", "PUT", link(blob, "l1b"), 409, "Conflict")
                .with_body(link_body(&v1, false))
                .message_contains(format!("Private zone '{blob}' is already linked to the virtual network")),
            arm_case("link v2", "PUT", link(blob, "l2"), 201, "").with_body(link_body(&v2, false)),
            arm_case("v1 registers in dfs", "PUT", link("privatelink.dfs.core.windows.net", "l1"), 201, "").with_body(link_body(&v1, true)),
            arm_case("v1 registers in a second zone", "PUT", link("contoso.internal", "l1"), 400, "BadRequest")
                .with_body(link_body(&v1, true))
                .message_contains("auto-registration"),
            arm_case("v2 in contoso.internal", "PUT", link("contoso.internal", "l2"), 201, "").with_body(link_body(&v2, false)),
            arm_case("v2 in an overlapping zone", "PUT", link("eu.contoso.internal", "l2"), 400, "BadRequest")
                .with_body(link_body(&v2, false))
                .message_contains("cannot be linked to multiple zones with overlapping namespaces"),
            arm_case("link PATCH", "PATCH", link(blob, "l2"), 200, "").with_body(json!({"tags": {"k": "v"}})),
            arm_case("link GET", "GET", link(blob, "l1"), 200, ""),
        ],
    )
    .await;
    assert_eq!(
        r.last().unwrap().json()["properties"]["virtualNetworkLinkState"],
        "Completed"
    );
    let list = c
        .arm(
            &tok,
            "GET",
            &format!("{}/virtualNetworkLinks?{DNS_API}", zone(blob)),
            None,
        )
        .await;
    assert_eq!(list.status, 200);
    assert_eq!(list.json()["value"].as_array().unwrap().len(), 2);
    // Links go with their zone: a zone of the same name starts without them.
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case("link delete", "DELETE", link(blob, "l2"), 202, "")
                .expect_header("azure-asyncoperation"),
            arm_case("link delete again", "DELETE", link(blob, "l2"), 204, ""),
            arm_case(
                "zone delete",
                "DELETE",
                format!("{}?{DNS_API}", zone(blob)),
                202,
                "",
            ),
            arm_case(
                "zone again",
                "PUT",
                format!("{}?{DNS_API}", zone(blob)),
                201,
                "",
            )
            .with_body(json!({"location": "global"})),
            arm_case(
                "old link gone",
                "GET",
                link(blob, "l1"),
                404,
                "ResourceNotFound",
            ),
            arm_case("v1 can be linked again", "PUT", link(blob, "l1b"), 201, "")
                .with_body(link_body(&v1, false)),
        ],
    )
    .await;
    drop(emu);
}

#[tokio::test]
async fn zone_groups_need_existing_zones() {
    let (emu, c) = start(config()).await;
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "dns").await;
    let blob = "privatelink.blob.core.windows.net";
    let pe = res("Microsoft.Network/privateEndpoints/pe1");
    let group = format!("{pe}/privateDnsZoneGroups/default?{API}");
    let zg = json!({"properties": {"privateDnsZoneConfigs": [{"name": "blob", "properties": {"privateDnsZoneId": zone(blob)}}]}});
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case("vNet", "PUT", format!("{}?{API}", vnet("v1")), 201, "")
                .with_body(json!({"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.5.0.0/16"]},
                    "subnets": [{"name": "pe", "properties": {"addressPrefix": "10.5.0.0/24"}}]}})),
            arm_case("endpoint", "PUT", format!("{pe}?{API}"), 201, "")
                .with_body(json!({"location": "westeurope", "properties": {"subnet": {"id": format!("{}/subnets/pe", vnet("v1"))}}})),
            arm_case("zone group to a missing zone", "PUT", &group, 400, "InvalidResourceReference")
                .with_body(zg.clone())
                .message_contains(format!("Resource {} referenced by resource", zone(blob))),
            arm_case("zone", "PUT", format!("{}?{DNS_API}", zone(blob)), 201, "").with_body(json!({"location": "global"})),
            arm_case("zone group", "PUT", &group, 201, "").with_body(zg),
        ],
    )
    .await;
    drop(emu);
}
