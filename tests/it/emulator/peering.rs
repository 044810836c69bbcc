//! Virtual network peerings in the emulator (`virtualNetworks/{v}/virtualNetworkPeerings/{p}`,
//! stable 2024-05-01: PUT 201/200, DELETE 202/204, long-running): the remote vNet must
//! exist, no overlapping spaces (also with vNets already peered to the remote one), the
//! states Initiated, Connected and Disconnected; and a read-only scope (the hub owned by
//! another team) refusing writes with 403 `AuthorizationFailed`. Owns these cases only.

use super::*;

fn vnet(group: &str, name: &str) -> String {
    format!(
        "{}/providers/Microsoft.Network/virtualNetworks/{name}",
        rg(group)
    )
}

fn peering(vnet_id: &str, name: &str) -> String {
    format!("{vnet_id}/virtualNetworkPeerings/{name}?{API}")
}

fn to(remote: &str) -> serde_json::Value {
    json!({"properties": {"remoteVirtualNetwork": {"id": remote}, "allowVirtualNetworkAccess": true, "allowForwardedTraffic": false}})
}

fn space(prefix: &str) -> serde_json::Value {
    json!({"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": [prefix]}}})
}

fn state(r: &R) -> String {
    r.json()["properties"]["peeringState"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn peerings_and_a_read_only_hub() {
    let (emu, c) = start(config()).await;
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "hub").await;
    put_rg(&c, &tok, "spoke").await;
    let hub = vnet("hub", "hub");
    let spoke = vnet("spoke", "spoke");
    let clash = vnet("spoke", "clash");
    let other = vnet("spoke", "other");
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case("hub vNet", "PUT", format!("{hub}?{API}"), 201, "")
                .with_body(space("10.0.0.0/16")),
            arm_case("spoke vNet", "PUT", format!("{spoke}?{API}"), 201, "")
                .with_body(space("10.1.0.0/16")),
            arm_case(
                "vNet overlapping the hub",
                "PUT",
                format!("{clash}?{API}"),
                201,
                "",
            )
            .with_body(space("10.0.128.0/17")),
            arm_case(
                "vNet overlapping the spoke",
                "PUT",
                format!("{other}?{API}"),
                201,
                "",
            )
            .with_body(space("10.1.0.0/24")),
        ],
    )
    .await;
    // The hub belongs to another team: this caller may only read there.
    emu.update_settings(|s| s.read_only_scopes = vec![rg("hub")]);
    let r = run_arm_cases(
        &c,
        &tok,
        [
            arm_case("peering to a missing vNet", "PUT", peering(&spoke, "to-nowhere"), 400, "InvalidResourceReference")
                .with_body(to(&vnet("spoke", "nowhere"))),
            arm_case("peering without a remote", "PUT", peering(&spoke, "to-nowhere"), 400, "InvalidRequestFormat")
                .with_body(json!({"properties": {"allowVirtualNetworkAccess": true}})),
            arm_case("remote not a vNet ID", "PUT", peering(&spoke, "to-nowhere"), 400, "InvalidResourceId")
                .with_body(to(&format!("{hub}/subnets/s"))),
            arm_case("flag as text", "PUT", peering(&spoke, "to-hub"), 400, "InvalidRequestFormat")
                .with_body(json!({"properties": {"remoteVirtualNetwork": {"id": hub}, "allowForwardedTraffic": "no"}})),
            arm_case("overlapping spaces", "PUT", peering(&clash, "to-hub"), 400, "VnetAddressSpacesOverlap")
                .with_body(to(&hub))
                .message_contains("10.0.128.0/17"),
            // VirtualNetworkPeerings_CreateOrUpdate: 201 on create (long-running).
            arm_case("spoke to hub", "PUT", peering(&spoke, "to-hub"), 201, "").with_body(to(&hub)).expect_header("azure-asyncoperation"),
            arm_case("spoke side initiated", "GET", peering(&spoke, "to-hub"), 200, ""),
            arm_case("hub side refused", "PUT", peering(&hub, "to-spoke"), 403, "AuthorizationFailed")
                .with_body(to(&spoke))
                .message_contains("'Microsoft.Network/virtualNetworks/virtualNetworkPeerings/write'"),
            arm_case("hub vNet delete refused", "DELETE", format!("{hub}?{API}"), 403, "AuthorizationFailed")
                .message_contains("'Microsoft.Network/virtualNetworks/delete'"),
            arm_case("hub group delete refused", "DELETE", format!("{}?api-version=2021-04-01", rg("hub")), 403, "AuthorizationFailed"),
            arm_case("hub still readable", "GET", format!("{hub}?{API}"), 200, ""),
        ],
    )
    .await;
    assert_eq!(state(&r[6]), "Initiated");
    assert_eq!(
        r[6].json()["properties"]["remoteAddressSpace"]["addressPrefixes"],
        json!(["10.0.0.0/16"])
    );
    // The hub team adds its side: both Connected.
    emu.update_settings(|s| s.read_only_scopes.clear());
    let r = run_arm_cases(
        &c,
        &tok,
        [
            arm_case("hub to spoke", "PUT", peering(&hub, "to-spoke"), 201, "")
                .with_body(to(&spoke)),
            arm_case(
                "spoke side connected",
                "GET",
                peering(&spoke, "to-hub"),
                200,
                "",
            ),
            arm_case(
                "hub side connected",
                "GET",
                peering(&hub, "to-spoke"),
                200,
                "",
            ),
            arm_case(
                "spoke to hub replace",
                "PUT",
                peering(&spoke, "to-hub"),
                200,
                "",
            )
            .with_body(to(&hub)),
            arm_case(
                "overlapping a vNet already peered with the hub",
                "PUT",
                peering(&other, "to-hub"),
                400,
                "VnetAddressSpaceOverlapsWithAlreadyPeeredVnet",
            )
            .with_body(to(&hub))
            .message_contains("already peered with the second virtual network"),
            arm_case(
                "hub vNet lists its peerings",
                "GET",
                format!("{hub}?{API}"),
                200,
                "",
            ),
        ],
    )
    .await;
    assert_eq!(state(&r[1]), "Connected");
    assert_eq!(state(&r[2]), "Connected");
    assert_eq!(r[1].json()["properties"]["peeringSyncLevel"], "FullyInSync");
    assert_eq!(
        r[5].json()["properties"]["virtualNetworkPeerings"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // One side goes: the other is Disconnected.
    let r = run_arm_cases(
        &c,
        &tok,
        [
            arm_case(
                "hub side delete",
                "DELETE",
                peering(&hub, "to-spoke"),
                202,
                "",
            ),
            arm_case(
                "hub side delete again",
                "DELETE",
                peering(&hub, "to-spoke"),
                204,
                "",
            ),
            arm_case(
                "spoke side disconnected",
                "GET",
                peering(&spoke, "to-hub"),
                200,
                "",
            ),
        ],
    )
    .await;
    assert_eq!(state(&r[2]), "Disconnected");
    drop(emu);
}
