//! Resource provider registration in the emulator, as ARM answers it: the provider list and
//! documents (`registrationState`, `resourceTypes[].locations`), `register`, 409
//! `MissingSubscriptionRegistration` for a PUT of an unregistered namespace's type, 400
//! `LocationNotAvailableForResourceType` for a region a type is not offered in. Owns these
//! cases only.

use super::*;
use aifactory_emulator::TypeRegion;

const RP_API: &str = "api-version=2021-04-01";

fn providers(rest: &str) -> String {
    format!("/subscriptions/{S}/providers{rest}?{RP_API}")
}

fn acr(name: &str, location: &str) -> (String, serde_json::Value) {
    (
        format!(
            "{}/providers/Microsoft.ContainerRegistry/registries/{name}?api-version=2025-11-01",
            rg("rp")
        ),
        json!({"location": location, "sku": {"name": "Basic"}}),
    )
}

#[tokio::test]
async fn provider_registration_and_regions() {
    let mut cfg = config();
    cfg.settings.unregistered_providers = vec!["Microsoft.ContainerRegistry".into()];
    cfg.settings.type_not_in_region = vec![TypeRegion {
        resource_type: "Microsoft.ContainerRegistry/registries".into(),
        location: "swedencentral".into(),
    }];
    let (emu, c) = start(cfg).await;
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "rp").await;
    let (west, west_body) = acr("acrwest1", "westeurope");
    let (sweden, sweden_body) = acr("acrsweden1", "Sweden Central");
    let r = run_arm_cases(
        &c,
        &tok,
        [
            arm_case("list", "GET", providers(""), 200, ""),
            arm_case("unregistered namespace", "GET", providers("/Microsoft.ContainerRegistry"), 200, ""),
            arm_case("registered namespace", "GET", providers("/microsoft.network"), 200, ""),
            arm_case("PUT before registering", "PUT", &west, 409, "MissingSubscriptionRegistration")
                .with_body(west_body.clone())
                .message_contains("The subscription is not registered to use namespace 'Microsoft.ContainerRegistry'"),
            arm_case("register", "POST", providers("/Microsoft.ContainerRegistry/register"), 200, ""),
            arm_case("registered now", "GET", providers("/Microsoft.ContainerRegistry"), 200, ""),
            arm_case("PUT after registering", "PUT", &west, 201, "").with_body(west_body),
            arm_case("PUT in a region without the type", "PUT", &sweden, 400, "LocationNotAvailableForResourceType")
                .with_body(sweden_body)
                .message_contains("The provided location 'Sweden Central' is not available for resource type 'Microsoft.ContainerRegistry/registries'"),
            arm_case("register again", "POST", providers("/Microsoft.ContainerRegistry/register"), 200, ""),
        ],
    )
    .await;
    let listed = r[0].json();
    let ns = |v: &serde_json::Value, n: &str| -> serde_json::Value {
        v["value"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["namespace"] == n)
            .cloned()
            .unwrap_or_else(|| panic!("{n} not listed"))
    };
    assert_eq!(
        ns(&listed, "Microsoft.ContainerRegistry")["registrationState"],
        "NotRegistered"
    );
    assert_eq!(
        ns(&listed, "Microsoft.App")["registrationState"],
        "Registered"
    );
    let doc = r[1].json();
    assert_eq!(doc["registrationState"], "NotRegistered");
    let registries = doc["resourceTypes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["resourceType"] == "registries")
        .cloned()
        .expect("registries listed");
    let locations: Vec<&str> = registries["locations"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l.as_str())
        .collect();
    assert!(locations.contains(&"West Europe"), "{locations:?}");
    assert!(!locations.contains(&"Sweden Central"), "{locations:?}");
    assert_eq!(r[2].json()["namespace"], "Microsoft.Network");
    assert_eq!(r[4].json()["registrationState"], "Registering");
    assert_eq!(r[5].json()["registrationState"], "Registered");
    assert_eq!(r[8].json()["registrationState"], "Registered");
    let zones = r[2].json()["resourceTypes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["resourceType"] == "privateDnsZones")
        .cloned()
        .expect("zones listed");
    assert_eq!(zones["locations"], json!(["global"]));
    drop(emu);
}
