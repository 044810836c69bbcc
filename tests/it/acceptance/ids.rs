//! Hostile resource IDs against every attribute and import ID that takes one (real
//! Terraform, the emulator): each is refused before any request, with the reason on the
//! attribute; and a well-formed ID with characters a URL must escape reaches Azure as
//! exactly the planned ID.

use percent_encoding::percent_decode_str;

use super::project::{la_id, project_hcl, start, vnet_id, M1};
use crate::testkit::emulator::{EmulatorFixture, MORE_SUBSCRIPTIONS, SUBSCRIPTION};
use crate::testkit::terraform::*;

/// IDs that would send a request somewhere else than they read (HCL string literals):
/// encoded `..` segments into another subscription, a `.` + newline + `.` segment, mixed
/// `.%2E`, and control characters that a lenient client would drop.
fn hostile(base: &str) -> Vec<(String, &'static str)> {
    let other = MORE_SUBSCRIPTIONS[0];
    vec![
        (
            format!("{base}/%2e%2e/%2e%2e/%2e%2e/%2e%2e/subscriptions/{other}/resourceGroups/x"),
            "relative path step",
        ),
        (format!("{base}/.\\n."), "control character"),
        (format!("{base}/.%2E"), "relative path step"),
        (format!("{base}/rel\\nnl\\ttab"), "control character"),
    ]
}

fn approved_rg() -> String {
    format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/approved-rg")
}

fn arm_resource(id: &str) -> String {
    format!(
        r#"{PROVIDER_PREAMBLE}
resource "aifactory_arm_resource" "x" {{
  resource_id = "{id}"
  api_version = "2021-04-01"
  body        = jsonencode({{ location = "westeurope" }})
}}
"#
    )
}

fn allocation(vnet: &str) -> String {
    format!(
        r#"{PROVIDER_PREAMBLE}
resource "aifactory_subnet_allocation" "p" {{
  key                = "prj001"
  virtual_network_id = "{vnet}"
  subnets            = {{ genai = {{ prefix_length = 26 }} }}
}}
"#
    )
}

fn acl(account: &str) -> String {
    format!(
        r#"{PROVIDER_PREAMBLE}
resource "aifactory_datalake_acl" "a" {{
  storage_account_id = "{account}"
  filesystem         = "lake3"
  path               = "projects"
  entries            = ["other::--x"]
}}
"#
    )
}

/// Every attribute and import ID that takes an ARM ID refuses each hostile form at plan
/// (or import) time, naming why; no request reaches Azure's other subscription.
#[test]
fn hostile_ids_are_refused_before_any_request() {
    let fx = start();
    let before = fx.emulator.journal().len();
    let vnets = format!(
        "{}/providers/Microsoft.Network/virtualNetworks",
        approved_rg()
    );
    let accounts = format!(
        "{}/providers/Microsoft.Storage/storageAccounts",
        approved_rg()
    );
    let project_ok = project_hcl(&[M1], "");
    let mut case = Case::new("hostile_ids").envs(fx.env());
    for (id, why) in hostile(&approved_rg()) {
        case = case
            .step(config_step(arm_resource(&id)).expect_error(why))
            .step(
                import_step("aifactory_arm_resource.x")
                    .config(arm_resource(&format!(
                        "{}/providers/Microsoft.Network/virtualNetworks/v",
                        approved_rg()
                    )))
                    .id(&format!(
                        "{}?api-version=2021-04-01",
                        id.replace("\\n", "\n").replace("\\t", "\t")
                    ))
                    .expect_error(why),
            );
    }
    for (id, why) in hostile(&vnets) {
        case = case
            .step(config_step(allocation(&id)).expect_error(why))
            .step(
                import_step("aifactory_subnet_allocation.p")
                    .config(allocation(&vnet_id()))
                    .id(&format!(
                        "{}|prj001",
                        id.replace("\\n", "\n").replace("\\t", "\t")
                    ))
                    .expect_error(why),
            );
    }
    for (id, why) in hostile(&accounts) {
        case = case.step(config_step(acl(&id)).expect_error(why));
    }
    for (id, why) in hostile(&approved_rg()) {
        let raw = id.replace("\\n", "\n").replace("\\t", "\t");
        case = case
            .step(
                config_step(project_ok.replacen(&la_id(), &id, 1)).expect_error(&format!(
                    "Invalid common[\"log_analytics_workspace_id\"]*{why}"
                )),
            )
            .step(
                config_step(project_ok.replacen(
                    &format!("{}/subnets/snt-prj001-genai", vnet_id()),
                    &id,
                    1,
                ))
                .expect_error(&format!("Invalid subnet_ids[\"private_endpoints\"]*{why}")),
            )
            .step(
                import_step("aifactory_project.p001")
                    .config(project_ok.clone())
                    .id(&raw)
                    .expect_error(why),
            );
    }
    run_on_all_clis(&case);
    let escaped: Vec<_> = fx
        .emulator
        .journal()
        .into_iter()
        .skip(before)
        .filter(|e| !e.path.contains("oauth2") && e.method != "GET")
        .map(|e| (e.method, e.path, e.status))
        .collect();
    assert!(escaped.is_empty(), "writes went out: {escaped:?}");
}

/// A well-formed ID whose names hold characters a URL path must escape (parentheses,
/// dots, a non-ASCII letter) reaches Azure as exactly the planned ID: the request path,
/// decoded, is the ID in the plan and the state.
#[test]
fn the_request_path_is_the_planned_id() {
    let fx = EmulatorFixture::start();
    let id = format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/rg(acc)_ü.x");
    let before = fx.emulator.journal().len();
    let planned = id.clone();
    let case = Case::new("request_path_is_planned_id")
        .envs(fx.env())
        .step(
            config_step(arm_resource(&id))
                .plan_check(plan_actions("aifactory_arm_resource.x", &["create"]))
                .check(attr("aifactory_arm_resource.x", "id", planned.as_str())),
        )
        .check_destroy(|_| Ok(()));
    run_on_all_clis(&case);
    let paths: Vec<(String, String)> = fx
        .emulator
        .journal()
        .into_iter()
        .skip(before)
        .filter(|e| e.method == "PUT" || e.method == "DELETE")
        .map(|e| (e.method, e.path))
        .collect();
    assert!(
        paths.len() >= 4,
        "a create and a destroy on each CLI: {paths:?}"
    );
    for (method, path) in paths {
        assert_eq!(
            percent_decode_str(&path).decode_utf8_lossy(),
            id,
            "{method} {path}: the request path decodes to the planned ID"
        );
        assert!(path.is_ascii(), "{method} {path}: sent percent-encoded");
    }
}
