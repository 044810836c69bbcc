//! Azure Bastion and public IP addresses in the emulator (stable 2024-05-01, long-running):
//! the subnet named `AzureBastionSubnet` and /26 or larger, a Standard static public IP,
//! both existing, and both held while the bastion exists. Owns these cases only.

use super::*;

fn res(rel: &str) -> String {
    format!("{}/providers/Microsoft.Network/{rel}", rg("bas"))
}

fn bastion(subnet: &str, ip: &str) -> serde_json::Value {
    json!({"location": "westeurope", "sku": {"name": "Standard"}, "properties": {"ipConfigurations": [
        {"name": "IpConf", "properties": {"subnet": {"id": res(&format!("virtualNetworks/hub/subnets/{subnet}"))},
            "publicIPAddress": {"id": res(&format!("publicIPAddresses/{ip}"))}}}]}})
}

fn ip(sku: &str, method: &str) -> serde_json::Value {
    json!({"location": "westeurope", "sku": {"name": sku}, "properties": {"publicIPAllocationMethod": method}})
}

#[tokio::test]
async fn bastion_hosts() {
    let (emu, c) = start(config()).await;
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "bas").await;
    let at = |rel: &str| format!("{}?{API}", res(rel));
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case("hub vNet", "PUT", at("virtualNetworks/hub"), 201, "")
                .with_body(json!({"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "subnets": [
                    {"name": "AzureBastionSubnet", "properties": {"addressPrefix": "10.0.0.0/26"}},
                    {"name": "bastion", "properties": {"addressPrefix": "10.0.1.0/26"}}]}})),
            arm_case("public IP", "PUT", at("publicIPAddresses/pip"), 201, "").with_body(ip("Standard", "Static")),
            arm_case("dynamic public IP", "PUT", at("publicIPAddresses/pipdyn"), 201, "").with_body(ip("Standard", "Dynamic")),
            arm_case("idle timeout as text", "PUT", at("publicIPAddresses/bad"), 400, "InvalidRequestFormat")
                .with_body(json!({"location": "westeurope", "properties": {"idleTimeoutInMinutes": "4"}})),
            arm_case("bastion in another subnet", "PUT", at("bastionHosts/bas"), 400, "SubnetNameMustBeAzureBastionSubnet")
                .with_body(bastion("bastion", "pip"))
                .message_contains("can only be created in subnet with name 'AzureBastionSubnet'"),
            arm_case("bastion in a missing subnet", "PUT", at("bastionHosts/bas"), 400, "InvalidResourceReference")
                .with_body(bastion("nope", "pip")),
            arm_case("bastion with a missing IP", "PUT", at("bastionHosts/bas"), 400, "InvalidResourceReference")
                .with_body(bastion("AzureBastionSubnet", "nope")),
            arm_case("bastion with a dynamic IP", "PUT", at("bastionHosts/bas"), 400, "BastionHostPublicIpAddressMustBeStandardStatic")
                .with_body(bastion("AzureBastionSubnet", "pipdyn")),
            arm_case("bastion without IP configurations", "PUT", at("bastionHosts/bas"), 400, "InvalidRequestFormat")
                .with_body(json!({"location": "westeurope", "sku": {"name": "Standard"}, "properties": {}})),
            arm_case("bastion config without subnet", "PUT", at("bastionHosts/bas"), 400, "InvalidRequestFormat")
                .with_body(json!({"location": "westeurope", "properties": {"ipConfigurations": [{"name": "c", "properties": {"publicIPAddress": {"id": res("publicIPAddresses/pip")}}}]}})),
            arm_case("bastion", "PUT", at("bastionHosts/bas"), 201, "").with_body(bastion("AzureBastionSubnet", "pip")).expect_header("azure-asyncoperation"),
            arm_case("bastion replace", "PUT", at("bastionHosts/bas"), 200, "").with_body(bastion("AzureBastionSubnet", "pip")),
            arm_case("its subnet is held", "DELETE", at("virtualNetworks/hub/subnets/AzureBastionSubnet"), 400, "InUseSubnetCannotBeDeleted"),
            arm_case("its public IP is held", "DELETE", at("publicIPAddresses/pip"), 400, "InUsePublicIpAddressCannotBeDeleted"),
            arm_case("bastion delete", "DELETE", at("bastionHosts/bas"), 202, ""),
            arm_case("bastion delete again", "DELETE", at("bastionHosts/bas"), 204, ""),
            arm_case("public IP free", "DELETE", at("publicIPAddresses/pip"), 202, ""),
        ],
    )
    .await;
    // A /27 AzureBastionSubnet is too small (since November 2021).
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case("small vNet", "PUT", at("virtualNetworks/small"), 201, "")
                .with_body(json!({"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.1.0.0/24"]}, "subnets": [
                    {"name": "AzureBastionSubnet", "properties": {"addressPrefix": "10.1.0.0/27"}}]}})),
            arm_case("public IP 2", "PUT", at("publicIPAddresses/pip2"), 201, "").with_body(ip("Standard", "Static")),
            arm_case("bastion in a /27", "PUT", at("bastionHosts/bas2"), 400, "AzureBastionSubnetPrefixTooSmall")
                .with_body(json!({"location": "westeurope", "properties": {"ipConfigurations": [{"name": "c", "properties": {
                    "subnet": {"id": res("virtualNetworks/small/subnets/AzureBastionSubnet")}, "publicIPAddress": {"id": res("publicIPAddresses/pip2")}}}]}})),
        ],
    )
    .await;
    drop(emu);
}
