//! Azure Bastion and the public IP addresses it takes (`bastionHosts`, `publicIPAddresses`,
//! stable 2024-05-01, long-running): every IP configuration of a bastion names an existing
//! subnet (400 `InvalidResourceReference`) called `AzureBastionSubnet` (400
//! `SubnetNameMustBeAzureBastionSubnet`, Azure's message) of at least /26 (400
//! `AzureBastionSubnetPrefixTooSmall`: the emulator's code) and an existing public IP
//! (`InvalidResourceReference`) of the Standard SKU with static allocation (400
//! `BastionHostPublicIpAddressMustBeStandardStatic`: the emulator's code; Azure documents
//! the requirement, not the code). The bastion holds its subnet (deleting it answers 400
//! `InUseSubnetCannotBeDeleted`) and its public IP (400 `InUsePublicIpAddressCannotBeDeleted`).
//!
//! Owns these checks; must not store or answer successes. Sources: learn.microsoft.com
//! "About Azure Bastion configuration settings" (subnet name, /26 since November 2021,
//! Standard public IP, static); hashicorp/terraform-provider-azurerm pull 15365 (the subnet
//! name refusal).

use crate::http::{arm_error, Resp};
use crate::state::State;
use http::StatusCode;
use ipnet::IpNet;
use serde_json::{Map, Value};

pub const BASTION: &str = "Microsoft.Network/bastionHosts";
pub const PUBLIC_IP: &str = "Microsoft.Network/publicIPAddresses";
/// The one subnet name Bastion deploys into.
pub const SUBNET_NAME: &str = "AzureBastionSubnet";

fn bad(code: &str, message: String) -> Resp {
    arm_error(StatusCode::BAD_REQUEST, code, message)
}

fn missing(reference: &str, id: &str) -> Resp {
    bad(
        "InvalidResourceReference",
        format!("Resource {reference} referenced by resource {id} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region."),
    )
}

fn configs(body: &Value) -> Vec<Value> {
    body.pointer("/properties/ipConfigurations")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn str_at<'a>(v: &'a Value, p: &str) -> &'a str {
    v.pointer(p).and_then(Value::as_str).unwrap_or_default()
}

/// The smallest prefix length among a subnet's prefixes (the largest range).
fn prefix_len(subnet: &Value) -> Option<u8> {
    let one = subnet
        .pointer("/properties/addressPrefix")
        .and_then(Value::as_str)
        .map(str::to_string);
    let many = subnet
        .pointer("/properties/addressPrefixes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string);
    one.into_iter()
        .chain(many)
        .filter_map(|p| p.parse::<IpNet>().ok())
        .map(|n| n.prefix_len())
        .min()
}

/// Checks of a PUT (not applied when seeding).
pub fn check_put(
    st: &State,
    full_type: &str,
    id: &str,
    body: &Map<String, Value>,
) -> Result<(), Resp> {
    if !full_type.eq_ignore_ascii_case(BASTION) {
        return Ok(());
    }
    let body = Value::Object(body.clone());
    let sku = str_at(&body, "/sku/name");
    let configs = configs(&body);
    if configs.is_empty() && !sku.eq_ignore_ascii_case("Developer") {
        return Err(bad(
            "InvalidRequestFormat",
            format!("Cannot parse the request. Bastion host {id} needs one entry in properties.ipConfigurations with a subnet and a public IP address."),
        ));
    }
    for c in &configs {
        let subnet_id = str_at(c, "/properties/subnet/id");
        let Some(subnet) = st.store.get(subnet_id) else {
            return Err(missing(subnet_id, id));
        };
        let name = subnet_id.rsplit('/').next().unwrap_or_default();
        if name != SUBNET_NAME {
            return Err(bad(
                "SubnetNameMustBeAzureBastionSubnet",
                format!("Subnet name {subnet_id} is invalid for Azure Bastion. Azure Bastion can only be created in subnet with name '{SUBNET_NAME}'."),
            ));
        }
        if prefix_len(&subnet.body).is_some_and(|l| l > 26) {
            return Err(bad(
                "AzureBastionSubnetPrefixTooSmall",
                format!("Subnet {subnet_id} is too small for Azure Bastion: {SUBNET_NAME} must be /26 or larger."),
            ));
        }
        let ip_id = str_at(c, "/properties/publicIPAddress/id");
        let Some(ip) = st.store.get(ip_id) else {
            return Err(missing(ip_id, id));
        };
        let ip_sku = str_at(&ip.body, "/sku/name");
        let method = str_at(&ip.body, "/properties/publicIPAllocationMethod");
        if !ip_sku.eq_ignore_ascii_case("Standard") || !method.eq_ignore_ascii_case("Static") {
            return Err(bad(
                "BastionHostPublicIpAddressMustBeStandardStatic",
                format!("Public IP address {ip_id} of Bastion host {id} must have the Standard SKU and static allocation (it has SKU '{ip_sku}', allocation '{method}')."),
            ));
        }
    }
    Ok(())
}

/// The bastion holding `id` (a subnet or a public IP) through an IP configuration.
fn holder(st: &State, field: &str, id: &str) -> Option<String> {
    st.store
        .filter(|r| {
            r.full_type.eq_ignore_ascii_case(BASTION)
                && configs(&r.body)
                    .iter()
                    .any(|c| str_at(c, field).eq_ignore_ascii_case(id))
        })
        .first()
        .map(|r| r.id.clone())
}

/// The bastion holding subnet `subnet_id`.
pub fn subnet_holder(st: &State, subnet_id: &str) -> Option<String> {
    holder(st, "/properties/subnet/id", subnet_id)
}

/// Checks of a DELETE of an existing public IP: not while a bastion holds it.
pub fn check_delete(st: &State, full_type: &str, id: &str) -> Result<(), Resp> {
    if !full_type.eq_ignore_ascii_case(PUBLIC_IP) {
        return Ok(());
    }
    match holder(st, "/properties/publicIPAddress/id", id) {
        Some(h) => Err(bad(
            "InUsePublicIpAddressCannotBeDeleted",
            format!("Public IP address {id} can not be deleted since it is still allocated to resource {h}/bastionHostIpConfigurations/IpConf. In order to delete the public IP, disassociate/detach the Public IP address from the resource."),
        )),
        None => Ok(()),
    }
}
