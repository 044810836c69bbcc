//! Acceptance tests of the Azure-backed resources: real Terraform CLIs, the built
//! provider, and the in-process Azure emulator over real HTTPS and OAuth (loopback only).

use std::sync::Arc;

use crate::testkit::emulator::{EmulatorFixture, SUBSCRIPTION};
use crate::testkit::terraform::*;

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
    let vnet_id = format!(
        "{}/providers/Microsoft.Network/virtualNetworks/vnet1",
        rg_id("rg-acc")
    );
    let (fx_change, fx_delete, id_change, id_delete) =
        (fx.clone(), fx.clone(), vnet_id.clone(), vnet_id.clone());
    let case = Case::new("arm_resource_lifecycle")
        .envs(fx.env())
        .step(
            config_step(config("rg-acc", r#""10.0.0.0/16""#, r#"owner = "ai""#))
                .check(attr(VNET, "id", vnet_id.as_str()))
                .check(output("vnet_state", "Succeeded")),
        )
        .step(
            config_step(config(
                "rg-acc",
                r#""10.0.0.0/16", "10.1.0.0/16""#,
                r#"owner = "ai""#,
            ))
            .plan_check(plan_actions(VNET, &["update"]))
            .plan_check(plan_actions(RG, &["no-op"])),
        )
        .step(hook_step(
            "change the vNet's address space behind Terraform's back",
            move || {
                let mut body = fx_change
                    .emulator
                    .resource(&id_change)
                    .ok_or("vNet missing in the emulator")?;
                body["properties"]["addressSpace"]["addressPrefixes"] =
                    serde_json::json!(["10.9.0.0/16"]);
                fx_change
                    .emulator
                    .put_resource(&id_change, body)
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            },
        ))
        .step(
            config_step(config(
                "rg-acc",
                r#""10.0.0.0/16", "10.1.0.0/16""#,
                r#"owner = "ai""#,
            ))
            .plan_check(plan_actions(VNET, &["update"])),
        )
        .step(hook_step(
            "delete the vNet behind Terraform's back",
            move || match fx_delete.emulator.delete_resource(&id_delete) {
                0 => Err("nothing deleted".into()),
                _ => Ok(()),
            },
        ))
        .step(
            config_step(config(
                "rg-acc",
                r#""10.0.0.0/16", "10.1.0.0/16""#,
                r#"owner = "ai""#,
            ))
            .plan_check(plan_actions(VNET, &["create"])),
        )
        .step(
            import_step(RG)
                .id(&format!("{}?api-version=2021-04-01", rg_id("rg-acc")))
                .check(attr(RG, "id", rg_id("rg-acc").as_str())),
        )
        .check_destroy(|_| Ok(()));
    run_on_all_clis(&case);
    assert!(
        fx.emulator.resource(&vnet_id).is_none(),
        "destroy left the vNet in Azure"
    );
    assert!(
        fx.emulator.resource(&rg_id("rg-acc")).is_none(),
        "destroy left the resource group in Azure"
    );
}

/// Bad settings and bad input give clear diagnostics on the right attribute.
#[test]
fn arm_resource_errors_are_clear() {
    let fx = EmulatorFixture::start();
    let bad_body = format!(
        r#"{PROVIDER_PREAMBLE}
resource "aifactory_arm_resource" "x" {{
  resource_id = "subscriptions/oops"
  api_version = "2024-5-1"
  body        = "[1]"
}}
"#
    );
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

const ROOT_ACL: &str = "aifactory_datalake_acl.root";
const PROJECTS_ACL: &str = "aifactory_datalake_acl.projects";
const PLATFORM: &str = "7d0b3a2e-0000-4000-8000-00000000c0de";
const ANALYSTS: &str = "7d0b3a2e-0000-4000-8000-00000000a11a";

fn lake_id() -> String {
    format!(
        "{}/providers/Microsoft.Storage/storageAccounts/lakeaccacl",
        rg_id("rg-lake-acl")
    )
}

fn lake_config(projects_entries: &[&str]) -> String {
    let entries = projects_entries
        .iter()
        .map(|e| format!("\"{e}\""))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        r#"{PROVIDER_PREAMBLE}
resource "aifactory_arm_resource" "rg" {{
  resource_id = "{rg}"
  api_version = "2021-04-01"
  body        = jsonencode({{ location = "westeurope" }})
}}

resource "aifactory_arm_resource" "lake" {{
  resource_id = "{lake}"
  api_version = "2023-05-01"
  body = jsonencode({{
    location = "westeurope", kind = "StorageV2", sku = {{ name = "Standard_ZRS" }}
    properties = {{ isHnsEnabled = true }}
  }})
  depends_on = [aifactory_arm_resource.rg]
}}

resource "aifactory_arm_resource" "filesystem" {{
  resource_id = "${{aifactory_arm_resource.lake.id}}/blobServices/default/containers/lake3"
  api_version = "2023-05-01"
  body        = jsonencode({{ properties = {{ publicAccess = "None" }} }})
}}

resource "aifactory_datalake_acl" "root" {{
  storage_account_id = aifactory_arm_resource.lake.id
  filesystem         = "lake3"
  entries            = ["other::--x"]
  depends_on         = [aifactory_arm_resource.filesystem]
}}

resource "aifactory_datalake_acl" "projects" {{
  storage_account_id = aifactory_arm_resource.lake.id
  filesystem         = "lake3"
  path               = "projects"
  entries            = [{entries}]
  depends_on         = [aifactory_arm_resource.filesystem]
}}
"#,
        rg = rg_id("rg-lake-acl"),
        lake = lake_id(),
    )
}

/// The lake's ACL entries as the emulator holds them (through the provider's own DFS client).
fn lake_acl(fx: &EmulatorFixture, path: &str) -> Result<aifactory_azure::Acl, String> {
    let ctx = provider_context(fx);
    fx.block_on(async {
        let client = ctx.azure().map_err(|d| d.summary.clone())?;
        let dfs = client.dfs("lakeaccacl").map_err(|e| e.to_string())?;
        dfs.get_access_control(
            &ctx.request_ctx(std::time::Duration::from_secs(30)),
            "lake3",
            path,
        )
        .await
        .map(|ac| ac.acl)
        .map_err(|e| e.to_string())
    })
}

fn change_lake_acl(
    fx: &EmulatorFixture,
    path: &str,
    f: impl Fn(&mut aifactory_azure::Acl) + Send + Sync,
) -> Result<(), String> {
    let ctx = provider_context(fx);
    fx.block_on(async {
        let client = ctx.azure().map_err(|d| d.summary.clone())?;
        let dfs = client.dfs("lakeaccacl").map_err(|e| e.to_string())?;
        dfs.update_acl(
            &ctx.request_ctx(std::time::Duration::from_secs(30)),
            "lake3",
            path,
            |a| {
                f(a);
                Ok(())
            },
        )
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
    })
}

fn provider_context(fx: &EmulatorFixture) -> Arc<aifactory::context::ProviderContext> {
    aifactory_azure::http::install_crypto_provider();
    let vars = fx.env().into_iter().collect();
    aifactory::context::ProviderContext::with_settings(aifactory_azure::Settings::from_vars_and(
        &vars,
        &aifactory_azure::NoConfig,
    ))
}

/// `aifactory_datalake_acl`: create (with the directory), other writers' entries kept, drift
/// (an entry removed and one changed behind Terraform's back), update, import, destroy that
/// keeps the data and everyone else's entries.
#[test]
fn datalake_acl_lifecycle_drift_and_import() {
    let fx = Arc::new(EmulatorFixture::start());
    let platform = format!("group:{PLATFORM}:r-x");
    let platform_default = format!("default:group:{PLATFORM}:r-x");
    let analysts = format!("group:{ANALYSTS}:r-x");
    let (fx1, fx2, fx3, fx4) = (fx.clone(), fx.clone(), fx.clone(), fx.clone());
    let import_id = format!(
        "{}|lake3|projects|other:,group:{PLATFORM},default:group:{PLATFORM}",
        lake_id()
    );
    let case = Case::new("datalake_acl_lifecycle")
        .envs(fx.env())
        .step(
            config_step(lake_config(&["other::--x", &platform, &platform_default]))
                .check(attr(
                    ROOT_ACL,
                    "id",
                    format!("{}|lake3|/", lake_id()).as_str(),
                ))
                .check(attr(
                    PROJECTS_ACL,
                    "id",
                    format!("{}|lake3|/projects", lake_id()).as_str(),
                )),
        )
        .step(hook_step(
            "another writer adds an entry; check Azure holds ours",
            move || {
                let acl = lake_acl(&fx1, "projects")?;
                if acl
                    .to_string()
                    .contains(&format!("default:group:{PLATFORM}:r-x"))
                    && acl.to_string().contains("other::--x")
                {
                    change_lake_acl(&fx1, "projects", |a| {
                        a.set_entries(&[format!("user:{ANALYSTS}:--x").parse().expect("entry")])
                    })
                } else {
                    Err(format!("projects ACL is {acl}"))
                }
            },
        ))
        // Someone else's entry is not drift.
        .step(config_step(lake_config(&[
            "other::--x",
            &platform,
            &platform_default,
        ])))
        .step(hook_step(
            "remove our named entry and open `other` behind Terraform's back",
            move || {
                change_lake_acl(&fx2, "projects", |a| {
                    a.remove_keys(&[aifactory_azure::AclKey::group(PLATFORM).as_default()]);
                    a.set_entries(&["other::r-x".parse().expect("entry")]);
                })
            },
        ))
        .step(
            config_step(lake_config(&["other::--x", &platform, &platform_default]))
                .plan_check(plan_actions(PROJECTS_ACL, &["update"]))
                .plan_check(plan_actions(ROOT_ACL, &["no-op"])),
        )
        .step(hook_step("drift repaired", move || {
            let acl = lake_acl(&fx3, "projects")?.to_string();
            let ok = acl.contains(&format!("default:group:{PLATFORM}:r-x"))
                && acl.contains("other::--x")
                && acl.contains(&format!("user:{ANALYSTS}:--x"));
            if ok {
                Ok(())
            } else {
                Err(format!("projects ACL is {acl}"))
            }
        }))
        // Update: one entry swapped for another, in place.
        .step(
            config_step(lake_config(&["other::--x", &analysts, &platform_default]))
                .plan_check(plan_actions(PROJECTS_ACL, &["update"])),
        )
        .step(hook_step("the swapped-out entry is gone", move || {
            use aifactory_azure::AclKey;
            let acl = lake_acl(&fx4, "projects")?;
            let gone = acl.get(&AclKey::group(PLATFORM)).is_none();
            let kept = acl.get(&AclKey::group(PLATFORM).as_default()).is_some()
                && acl.get(&AclKey::group(ANALYSTS)).is_some();
            if gone && kept {
                Ok(())
            } else {
                Err(format!("projects ACL is {acl}"))
            }
        }))
        .step(config_step(lake_config(&[
            "other::--x",
            &platform,
            &platform_default,
        ])))
        .step(import_step(PROJECTS_ACL).id(&import_id).verify())
        .check_destroy(|_| Ok(()));
    run_on_all_clis(&case);
}
