//! Acceptance tests of `aifactory_common` with real Terraform CLIs against the in-process
//! emulator enforcing the landing zone's "subnets must have an NSG" policy:
//!
//! - one stage's common part alone: create (every subnet written with its NSG, every
//!   private endpoint resolvable: its zones exist and are linked to the vNet of its
//!   subnet), an empty plan, drift on a DNS link (deleted) and an NSG rule (changed) shown
//!   in the plan and repaired by the apply, import by the common resource group's ID (the
//!   next plan empty), destroy;
//! - the hub's zones (not created, linked here) with the landing zone's DNS policy writing
//!   the records (`dns_zone_groups = false`: endpoints without zone groups), and a project
//!   given `project_refs` as it is.

use std::sync::Arc;

use crate::testkit::emulator::EmulatorFixture;
use crate::testkit::terraform::*;
use aifactory_emulator::policy::Policy;
use serde_json::{json, Value};

const ADDR: &str = "aifactory_common.stage";
const SUB: &str = "00000000-0000-0000-0000-000000000001";

fn policed() -> Arc<EmulatorFixture> {
    Arc::new(EmulatorFixture::start_with(|mut c| {
        c.settings.policies = vec![Policy::SubnetNsgRequired];
        c
    }))
}

fn stage(prefix: &str, extra: &str) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    aifactory = {{ source = "aifactory/aifactory" }}
  }}
}}

resource "aifactory_common" "stage" {{
  environment   = "dev"
  location      = "westeurope"
  naming        = {{ prefix = "{prefix}", location_short = "weu", suffix = "-001" }}
  address_space = ["10.30.0.0/16"]
  subnets       = {{ common = 24, scoring = 26 }}
  core_team     = {{ object_ids = ["0a1b2c3d-0000-4000-8000-0000000000c0"], principal_type = "Group" }}
  {extra}
}}

output "refs" {{
  value = aifactory_common.stage.project_refs
}}
"#
    )
}

/// The objects of `ADDR` in a state, by key: (type, id).
fn objects(state: &Value) -> Vec<(String, String, String)> {
    let Some(res) = find_resource(state, ADDR) else {
        return Vec::new();
    };
    res["resources"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| {
            (
                k.clone(),
                v["type"].as_str().unwrap_or_default().to_string(),
                v["id"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// `ADDR`'s attributes in a state.
fn find_resource(state: &Value, address: &str) -> Option<Value> {
    let (ty, name) = address.split_once('.')?;
    state["values"]["root_module"]["resources"]
        .as_array()?
        .iter()
        .find(|r| r["type"] == ty && r["name"] == name)
        .map(|r| r["values"].clone())
}

/// Every private endpoint in the emulator under `rg` resolves: each zone its zone group
/// names exists and is linked to the vNet holding the endpoint's subnet.
fn endpoints_resolve(fx: &Arc<EmulatorFixture>, state_addr: &'static str) -> Check {
    let fx = fx.clone();
    check(
        "emulator: every private endpoint's zones exist and are linked to its subnet's vNet",
        move |state| {
            let objs = objects(state);
            let _ = state_addr;
            let groups: Vec<&(String, String, String)> = objs
                .iter()
                .filter(|(k, _, _)| k.starts_with("private_dns_zone_group."))
                .collect();
            if groups.is_empty() {
                return Err("no zone groups".into());
            }
            for (key, _, gid) in groups {
                let pe_id = gid
                    .split("/privateDnsZoneGroups/")
                    .next()
                    .unwrap_or_default();
                let pe = fx
                    .emulator
                    .resource(pe_id)
                    .ok_or(format!("{pe_id} missing"))?;
                let subnet = pe
                    .pointer("/properties/subnet/id")
                    .and_then(Value::as_str)
                    .ok_or(format!("{pe_id}: no subnet"))?;
                let vnet = subnet
                    .split("/subnets/")
                    .next()
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                let group = fx
                    .emulator
                    .resource(gid)
                    .ok_or(format!("{key}: {gid} missing"))?;
                for c in group["properties"]["privateDnsZoneConfigs"]
                    .as_array()
                    .into_iter()
                    .flatten()
                {
                    let zone = c["properties"]["privateDnsZoneId"]
                        .as_str()
                        .unwrap_or_default();
                    fx.emulator
                        .resource(zone)
                        .ok_or(format!("{key}: zone {zone} missing"))?;
                    let linked = objs.iter().any(|(k, _, lid)| {
                        k.starts_with("dns_link.")
                            && lid
                                .to_ascii_lowercase()
                                .starts_with(&format!("{}/", zone.to_ascii_lowercase()))
                            && fx
                                .emulator
                                .resource(lid)
                                .and_then(|l| {
                                    l.pointer("/properties/virtualNetwork/id")
                                        .and_then(Value::as_str)
                                        .map(str::to_ascii_lowercase)
                                })
                                .is_some_and(|v| v == vnet)
                    });
                    if !linked {
                        return Err(format!("{key}: zone {zone} is not linked to {vnet}"));
                    }
                }
            }
            Ok(())
        },
    )
}

/// Every subnet the common part made carries its NSG.
fn subnets_have_nsgs(fx: &Arc<EmulatorFixture>) -> Check {
    let fx = fx.clone();
    check("emulator: every common subnet has its NSG", move |state| {
        for (k, _, id) in objects(state)
            .iter()
            .filter(|(k, _, _)| k.starts_with("subnet."))
        {
            let s = fx
                .emulator
                .resource(id)
                .ok_or(format!("{k}: {id} missing"))?;
            if s.pointer("/properties/networkSecurityGroup/id").is_none() {
                return Err(format!("{k} has no NSG"));
            }
        }
        Ok(())
    })
}

fn id_of(state: &Value, key: &str) -> Result<String, String> {
    objects(state)
        .into_iter()
        .find(|(k, _, _)| k == key)
        .map(|(_, _, id)| id)
        .ok_or(format!("{key} not in state"))
}

#[test]
fn common_lifecycle_drift_import_destroy() {
    let fx = policed();
    let cfg = stage("acc1-", "");
    let rg = format!("/subscriptions/{SUB}/resourceGroups/acc1-esml-common-weu-dev-001");
    let last_state: Arc<std::sync::Mutex<Value>> = Arc::default();
    let keep = last_state.clone();
    let (fx1, keep1) = (fx.clone(), last_state.clone());
    let case = Case::new("common_lifecycle")
        .envs(fx.env())
        .step(
            config_step(cfg.clone())
                .plan_check(planned_attr(ADDR, "project_refs.resource_group_name", "acc1-esml-common-weu-dev-001"))
                .check(attr(ADDR, "id", rg.as_str()))
                .check(attr(ADDR, "subnet_cidrs.common", "10.30.0.0/24"))
                .check(subnets_have_nsgs(&fx))
                .check(endpoints_resolve(&fx, ADDR))
                .check(check("remember the state", move |s| {
                    *keep.lock().map_err(|e| e.to_string())? = s.clone();
                    Ok(())
                })),
        )
        .step(hook_step(
            "delete the blob zone's vNet link and open the common NSG's first rule behind Terraform's back",
            move || {
                let state = keep1.lock().map_err(|e| e.to_string())?.clone();
                let link = id_of(&state, "dns_link.privatelink.blob.core.windows.net")?;
                if fx1.emulator.delete_resource(&link) == 0 {
                    return Err(format!("{link} was not there"));
                }
                let nsg = id_of(&state, "nsg.common")?;
                let mut body = fx1.emulator.resource(&nsg).ok_or("nsg missing")?;
                body["properties"]["securityRules"][0]["properties"]["access"] = json!("Deny");
                fx1.emulator
                    .put_resource(&nsg, body)
                    .map_err(|e| format!("{e:?}"))?;
                Ok(())
            },
        ))
        .step(
            config_step(cfg.clone())
                .plan_check(plan_actions(ADDR, &["update"]))
                .plan_check(plan_contains("dns_link.privatelink.blob.core.windows.net"))
                .plan_check(plan_contains("nsg.common"))
                .check(endpoints_resolve(&fx, ADDR)),
        )
        .step(import_step(ADDR).in_place())
        .check_destroy(|_| Ok(()));
    run_on_all_clis(&case);
    assert!(
        fx.emulator.resource(&rg).is_none(),
        "destroy left the resource group"
    );
    let _ = last_state;
}

#[test]
fn hub_zones_and_policy_written_records_with_a_project() {
    let fx = policed();
    let hub_rg = format!("/subscriptions/{SUB}/resourceGroups/acc2-hub-dns");
    // The hub holds every zone the factory needs (the plan refuses a hub without them).
    let zones = aifactory_template::common::zones(aifactory_template::project::Cloud::Public);
    let hub = |zones: &[&str], with_stage: bool| -> String {
        let blocks: String = zones
            .iter()
            .map(|z| {
                format!(
                    r#"
resource "aifactory_arm_resource" "{name}" {{
  resource_id = "${{aifactory_arm_resource.hub_rg.id}}/providers/Microsoft.Network/privateDnsZones/{z}"
  api_version = "2024-06-01"
  body        = jsonencode({{ location = "global" }})
}}
"#,
                    name = z.replace('.', "_")
                )
            })
            .collect();
        let stage_block = if with_stage {
            stage(
                "acc2-",
                "private_dns_zone_resource_group_id = aifactory_arm_resource.hub_rg.id\n  link_private_dns_zones = true\n  dns_zone_groups = false",
            )
        } else {
            stage("acc2-", "")
                .split("resource \"aifactory_common\"")
                .next()
                .unwrap_or_default()
                .to_string()
        };
        format!(
            r#"
{stage_block}
resource "aifactory_arm_resource" "hub_rg" {{
  resource_id = "{hub_rg}"
  api_version = "2024-07-01"
  body        = jsonencode({{ location = "westeurope" }})
}}

resource "aifactory_arm_resource" "empty_rg" {{
  resource_id = "/subscriptions/{SUB}/resourceGroups/acc2-empty"
  api_version = "2024-07-01"
  body        = jsonencode({{ location = "westeurope" }})
}}
{blocks}
"#
        )
    };
    let cfg = hub(&zones, true);
    let fx1 = fx.clone();
    let case = Case::new("common_hub_zones")
        .envs(fx.env())
        // The hub's zones exist first (as in a landing zone).
        .step(config_step(hub(&zones, false)))
        // A hub resource group lacking zones is refused at plan, naming them.
        .step(
            config_step(hub(&zones, true).replace(
                "private_dns_zone_resource_group_id = aifactory_arm_resource.hub_rg.id",
                "private_dns_zone_resource_group_id = aifactory_arm_resource.empty_rg.id",
            ))
            .expect_error("private DNS zones missing in the hub*privatelink."),
        )
        .step(
            config_step(cfg)
                .check(attr(ADDR, "project_refs.dns_zone_groups", "false"))
                .check(attr(
                    ADDR,
                    "project_refs.private_dns_zone_resource_group_id",
                    hub_rg.as_str(),
                ))
                .check(check(
                    "no zone created here, none without a link, no zone group",
                    move |state| {
                        let objs = objects(state);
                        if objs.iter().any(|(k, _, _)| {
                            k.starts_with("dns_zone.") || k.starts_with("private_dns_zone_group.")
                        }) {
                            return Err("zones or zone groups were created".into());
                        }
                        let links = objs
                            .iter()
                            .filter(|(k, _, _)| k.starts_with("dns_link."))
                            .count();
                        if links < zones.len() {
                            return Err(format!("{links} links"));
                        }
                        for (k, _, id) in objs
                            .iter()
                            .filter(|(k, _, _)| k.starts_with("private_endpoint."))
                        {
                            let pe = fx1.emulator.resource(id).ok_or(format!("{k} missing"))?;
                            let _ = pe;
                        }
                        Ok(())
                    },
                )),
        )
        .check_destroy(|_| Ok(()));
    run_on_all_clis(&case);
}

/// A common part under ESML's names and salt (`naming.salt = "esml"`: Bicep's
/// `uniqueString` of the common group's ID, as ESML's pipelines name it): its globally
/// unique names carry ESML's salt, and an import by the group's ID finds ESML's salt again
/// (the plan after it is empty), on both CLIs.
#[test]
fn an_esml_salted_common_part_imports_by_its_group() {
    let fx = policed();
    let rg_name = "acc3-esml-common-weu-dev-001";
    let salt = aifactory_template::naming::esml_salt(SUB, rg_name);
    let cfg = stage("acc3-", "").replace(
        "suffix = \"-001\" }",
        "suffix = \"-001\", salt = \"esml\" }",
    );
    let case = Case::new("common_esml_salt")
        .envs(fx.env())
        .step(
            config_step(cfg)
                .check(attr(
                    ADDR,
                    "resources.key_vault.name",
                    format!("kv-cmndev-{salt}-001").as_str(),
                ))
                .check(attr(
                    ADDR,
                    "resources.log_analytics.name",
                    format!("la-cmn-weu-dev-{salt}-001").as_str(),
                )),
        )
        .step(import_step(ADDR).in_place())
        .check_destroy(|_| Ok(()));
    run_on_all_clis(&case);
}
