//! Acceptance tests of `aifactory_subnet_allocation`'s network security groups and
//! firewall route, with real Terraform CLIs against the in-process emulator enforcing the
//! landing zone's "subnets must have an NSG" policy (`--policy subnet-nsg-required`):
//!
//! - without `network_security_group` the apply fails with Azure Policy's
//!   `RequestDisallowedByPolicy`, naming the subnet and the policy, and records nothing;
//! - with `network_security_group = "create"` and `route_to_firewall` the subnets are
//!   created with their NSGs and route table, the next plans are empty, a rule changed out
//!   of band through the emulator's HTTP admin API shows in the plan and the apply
//!   restores it, destroy removes subnets, NSGs and route table;
//! - a state written by the previous version (without the new attributes) plans empty.

use std::fs;
use std::sync::Arc;

use super::subnets::{cli_config, common, rg_id, tf, vnet_id, workspace, ALLOC, AUTO, NETWORK_API};
use crate::testkit::emulator::EmulatorFixture;
use crate::testkit::http::Client;
use crate::testkit::terraform::*;
use aifactory_emulator::policy::Policy;
use serde_json::{json, Value};

/// `common` plus project 001's allocation; `extra` goes into the resource block.
fn allocation(rg: &str, extra: &str) -> String {
    format!(
        r#"{common}
resource "aifactory_subnet_allocation" "prj001" {{
  key                = "prj001"
  virtual_network_id = aifactory_arm_resource.vnet.id
  {extra}
  subnets = {{
    genai  = {{ prefix_length = 25 }}
    aks    = {{ prefix_length = 26 }}
    dbxpub = {{ prefix_length = 26, delegation = "Microsoft.Databricks/workspaces" }}
  }}
}}
"#,
        common = common(rg)
    )
}

const WITH_NSG: &str =
    "network_security_group = \"create\"\n  route_to_firewall      = \"10.20.255.4\"";

fn nsg(rg: &str, purpose: &str) -> String {
    format!(
        "{}/providers/Microsoft.Network/networkSecurityGroups/{purpose}-nsg-prj001",
        rg_id(rg)
    )
}

fn policed() -> Arc<EmulatorFixture> {
    Arc::new(EmulatorFixture::start_with(|mut c| {
        c.settings.policies = vec![Policy::SubnetNsgRequired];
        c
    }))
}

/// Every subnet of the allocation carries its NSG and the route table; the NSGs hold
/// their tables (genai 24 rules, aks 13, dbxpub 3).
fn subnets_are_covered(fx: &Arc<EmulatorFixture>, rg: &str) -> Check {
    let (fx, rg) = (fx.clone(), rg.to_string());
    check(
        "emulator: every subnet has its NSG (with ESML's rules) and the route table",
        move |_| {
            let rt = format!(
                "{}/providers/Microsoft.Network/routeTables/rt-prj001",
                rg_id(&rg)
            );
            let table = fx.emulator.resource(&rt).ok_or("route table missing")?;
            let hop = table.pointer("/properties/routes/0/properties/nextHopIpAddress");
            if hop != Some(&json!("10.20.255.4")) {
                return Err(format!("route next hop is {hop:?}"));
            }
            for (purpose, rules) in [("genai", 24), ("aks", 13), ("dbxpub", 3)] {
                let sid = format!("{}/subnets/snt-prj001-{purpose}", vnet_id(&rg));
                let s = fx.emulator.resource(&sid).ok_or(format!("{sid} missing"))?;
                let want = nsg(&rg, purpose);
                if s.pointer("/properties/networkSecurityGroup/id") != Some(&json!(want)) {
                    return Err(format!(
                        "{sid}: NSG {:?}",
                        s.pointer("/properties/networkSecurityGroup")
                    ));
                }
                if s.pointer("/properties/routeTable/id") != Some(&json!(rt)) {
                    return Err(format!(
                        "{sid}: route table {:?}",
                        s.pointer("/properties/routeTable")
                    ));
                }
                let n = fx
                    .emulator
                    .resource(&want)
                    .ok_or(format!("{want} missing"))?;
                let count = n["properties"]["securityRules"]
                    .as_array()
                    .map_or(0, Vec::len);
                if count != rules {
                    return Err(format!("{want}: {count} rules, expected {rules}"));
                }
                let first = &n["properties"]["securityRules"][0]["properties"]["access"];
                if first != "Allow" {
                    return Err(format!("{want}: first rule's access is {first}"));
                }
            }
            Ok(())
        },
    )
}

#[test]
fn nsgs_under_the_landing_zone_policy() {
    let fx = policed();
    let rg = "rg-subnets-nsg";
    let aks_nsg = nsg(rg, "aks");
    let (fx1, aks1) = (fx.clone(), aks_nsg.clone());
    let case = Case::new("subnets_nsg_policy")
        .envs(fx.env())
        .step(config_step(common(rg)))
        .step(
            // Today's configuration: the policy refuses the first subnet.
            config_step(allocation(rg, "")).expect_error(
                "Writing subnet snt-prj001-*denied by Azure Policy*Subnets should have a Network Security Group*assignment Deny-Subnet-Without-Nsg*network_security_group = \"create\"",
            ),
        )
        .step(
            config_step(allocation(rg, WITH_NSG))
                .plan_check(planned_attr(ALLOC, "network_security_group_ids.aks", aks_nsg.as_str()))
                .check(attr(ALLOC, "network_security_group_ids.aks", aks_nsg.as_str()))
                .check(attr(
                    ALLOC,
                    "route_table_id",
                    format!("{}/providers/Microsoft.Network/routeTables/rt-prj001", rg_id(rg)).as_str(),
                ))
                .check(subnets_are_covered(&fx, rg)),
        )
        .step(hook_step(
            "deny the first rule of aks-nsg-prj001 through the emulator's admin HTTP API",
            move || {
                fx1.block_on(async {
                    let c = Client::new(&fx1.emulator);
                    let path = format!("resource?id={aks1}");
                    let mut body = c.admin("GET", &path, None).await.json();
                    body["properties"]["securityRules"][0]["properties"]["access"] = json!("Deny");
                    let r = c.admin("PUT", &path, Some(body)).await;
                    match r.status {
                        200 => Ok(()),
                        s => Err(format!("admin PUT answered {s}: {}", String::from_utf8_lossy(&r.body))),
                    }
                })
            },
        ))
        .step(
            config_step(allocation(rg, WITH_NSG))
                .plan_check(plan_actions(ALLOC, &["update"]))
                .plan_check(plan_contains("network_security_group_rules"))
                .plan_check(plan_contains("1000 Inbound Deny * VirtualNetwork:* -> VirtualNetwork:* Allow_VNet_Inbound"))
                .check(subnets_are_covered(&fx, rg)),
        );
    run_on_all_clis(&case);
    for purpose in ["genai", "aks", "dbxpub"] {
        assert!(
            fx.emulator.resource(&nsg(rg, purpose)).is_none(),
            "destroy left {purpose}'s NSG"
        );
    }
    assert!(fx
        .emulator
        .resource(&format!(
            "{}/providers/Microsoft.Network/routeTables/rt-prj001",
            rg_id(rg)
        ))
        .is_none());
}

/// A state the previous version wrote has none of the new attributes: with the same
/// configuration the plan is empty.
#[test]
fn a_state_from_the_previous_version_plans_empty() {
    let rc = cli_config();
    for cli in clis() {
        let fx = EmulatorFixture::start();
        let rg = "rg-subnets-nsg-compat";
        let base = tempfile::Builder::new()
            .prefix(&format!("aifactory-acc-nsg-compat-{}-", cli.version))
            .tempdir()
            .expect("temp dir");
        let env = fx.env();
        let dir = workspace(&cli, &rc, &env, base.path(), "w", &allocation(rg, ""));
        let r = tf(&cli, &rc, &env, &dir, &AUTO);
        assert_eq!(r.code, Some(0), "apply failed:\n{}", r.output);
        let path = dir.join("terraform.tfstate");
        let mut state: Value =
            serde_json::from_str(&fs::read_to_string(&path).expect("state")).expect("state JSON");
        let mut removed = 0;
        for res in state["resources"].as_array_mut().into_iter().flatten() {
            if res["type"] != "aifactory_subnet_allocation" {
                continue;
            }
            for inst in res["instances"].as_array_mut().into_iter().flatten() {
                if let Some(a) = inst["attributes"].as_object_mut() {
                    for k in [
                        "network_security_group",
                        "route_to_firewall",
                        "network_security_group_ids",
                        "network_security_group_rules",
                        "route_table_id",
                    ] {
                        removed += usize::from(a.remove(k).is_some());
                    }
                }
            }
        }
        assert_eq!(removed, 5, "the new attributes were in the state");
        if let Some(serial) = state["serial"].as_u64() {
            state["serial"] = json!(serial + 1);
        }
        fs::write(&path, serde_json::to_string_pretty(&state).expect("json")).expect("write state");
        for refresh in ["-refresh=true", "-refresh=false"] {
            let r = tf(
                &cli,
                &rc,
                &env,
                &dir,
                &[
                    "plan",
                    "-no-color",
                    "-input=false",
                    "-detailed-exitcode",
                    refresh,
                ],
            );
            assert_eq!(
                r.code,
                Some(0),
                "{} ({refresh}): plan not empty:\n{}",
                cli.version,
                r.output
            );
        }
        let r = tf(
            &cli,
            &rc,
            &env,
            &dir,
            &["destroy", "-no-color", "-input=false", "-auto-approve"],
        );
        assert_eq!(r.code, Some(0), "destroy failed:\n{}", r.output);
        let _ = NETWORK_API;
    }
}
