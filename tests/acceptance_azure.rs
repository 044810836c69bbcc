//! Acceptance tests of the Azure-backed resources: real Terraform CLIs, the built
//! provider, and the in-process Azure emulator over real HTTPS and OAuth (loopback only).

#[path = "support/emulator.rs"]
mod emulator;
#[path = "support/terraform.rs"]
#[allow(dead_code)]
mod terraform;

use std::sync::Arc;

use emulator::{EmulatorFixture, SUBSCRIPTION};
use terraform::*;

const RG: &str = "aifactory_arm_resource.rg";
const VNET: &str = "aifactory_arm_resource.vnet";

fn rg_id(name: &str) -> String {
    format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/{name}")
}

fn config(rg: &str, prefixes: &str, tags: &str) -> String {
    format!(
        r#"{PROVIDER_PREAMBLE}
resource "aifactory_arm_resource" "rg" {{
  resource_id = "{rg_id}"
  api_version = "2021-04-01"
  body        = jsonencode({{ location = "westeurope", tags = {{ {tags} }} }})
}}

resource "aifactory_arm_resource" "vnet" {{
  resource_id = "${{aifactory_arm_resource.rg.id}}/providers/Microsoft.Network/virtualNetworks/vnet1"
  api_version = "2024-05-01"
  body = jsonencode({{
    location   = "westeurope"
    properties = {{ addressSpace = {{ addressPrefixes = [{prefixes}] }} }}
  }})
}}

output "vnet_state" {{
  value = jsondecode(aifactory_arm_resource.vnet.output).properties.provisioningState
}}
"#,
        rg_id = rg_id(rg)
    )
}

/// Create, update in place, drift (changed and deleted behind Terraform's back), import.
#[test]
fn arm_resource_lifecycle_drift_and_import() {
    let fx = Arc::new(EmulatorFixture::start());
    let vnet_id = format!("{}/providers/Microsoft.Network/virtualNetworks/vnet1", rg_id("rg-acc"));
    let (fx_change, fx_delete, id_change, id_delete) = (fx.clone(), fx.clone(), vnet_id.clone(), vnet_id.clone());
    let case = Case::new("arm_resource_lifecycle")
        .envs(fx.env())
        .step(
            config_step(config("rg-acc", r#""10.0.0.0/16""#, r#"owner = "ai""#))
                .check(attr(VNET, "id", vnet_id.as_str()))
                .check(output("vnet_state", "Succeeded")),
        )
        .step(
            config_step(config("rg-acc", r#""10.0.0.0/16", "10.1.0.0/16""#, r#"owner = "ai""#))
                .plan_check(plan_actions(VNET, &["update"]))
                .plan_check(plan_actions(RG, &["no-op"])),
        )
        .step(hook_step("change the vNet's address space behind Terraform's back", move || {
            let mut body = fx_change.emulator.resource(&id_change).ok_or("vNet missing in the emulator")?;
            body["properties"]["addressSpace"]["addressPrefixes"] = serde_json::json!(["10.9.0.0/16"]);
            fx_change.emulator.put_resource(&id_change, body).map(|_| ()).map_err(|e| e.to_string())
        }))
        .step(
            config_step(config("rg-acc", r#""10.0.0.0/16", "10.1.0.0/16""#, r#"owner = "ai""#))
                .plan_check(plan_actions(VNET, &["update"])),
        )
        .step(hook_step("delete the vNet behind Terraform's back", move || {
            match fx_delete.emulator.delete_resource(&id_delete) {
                0 => Err("nothing deleted".into()),
                _ => Ok(()),
            }
        }))
        .step(
            config_step(config("rg-acc", r#""10.0.0.0/16", "10.1.0.0/16""#, r#"owner = "ai""#))
                .plan_check(plan_actions(VNET, &["create"])),
        )
        .step(
            import_step(RG)
                .id(&format!("{}?api-version=2021-04-01", rg_id("rg-acc")))
                .check(attr(RG, "id", rg_id("rg-acc").as_str())),
        )
        .check_destroy(|_| Ok(()));
    run_on_all_clis(&case);
    assert!(fx.emulator.resource(&vnet_id).is_none(), "destroy left the vNet in Azure");
    assert!(fx.emulator.resource(&rg_id("rg-acc")).is_none(), "destroy left the resource group in Azure");
}

/// Bad settings and bad input give clear diagnostics on the right attribute.
#[test]
fn arm_resource_errors_are_clear() {
    let fx = EmulatorFixture::start();
    let bad_body = format!(r#"{PROVIDER_PREAMBLE}
resource "aifactory_arm_resource" "x" {{
  resource_id = "subscriptions/oops"
  api_version = "2024-5-1"
  body        = "[1]"
}}
"#);
    let case = Case::new("arm_resource_errors")
        .envs(fx.env())
        .step(config_step(bad_body.clone()).expect_error("Invalid resource ID"))
        .step(config_step(bad_body.clone()).expect_error("Invalid api-version"))
        .step(config_step(bad_body).expect_error("must be a JSON object"))
        .step(
            config_step(format!(
                r#"{PROVIDER_PREAMBLE}
resource "aifactory_arm_resource" "x" {{
  resource_id = "/subscriptions/{SUBSCRIPTION}/resourceGroups/missing-rg/providers/Microsoft.Network/virtualNetworks/v"
  api_version = "2024-05-01"
  body        = jsonencode({{ location = "westeurope" }})
}}
"#
            ))
            .expect_error("ResourceGroupNotFound"),
        );
    run_on_all_clis(&case);
}
