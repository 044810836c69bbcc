//! Acceptance tests of `aifactory_project` and `aifactory_project_names`: real Terraform
//! CLIs (1.0.3 and the newest on PATH), the built provider, and the in-process Azure
//! emulator over HTTPS (loopback only).

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::testkit::emulator::{EmulatorFixture, SUBSCRIPTION};
use crate::testkit::terraform::*;
use aifactory_emulator::{FaultAction, FaultRule, Seed};
use aifactory_template::naming::{Environment, NamingInput};
use serde_json::{json, Value};

const ADDR: &str = "aifactory_project.p001";
pub(super) const M1: &str = "0a1b2c3d-0000-4000-8000-000000000001";
const M2: &str = "0a1b2c3d-0000-4000-8000-000000000002";
const SP: &str = "5e5e5e5e-0000-4000-8000-00000000005e";
const COMMON_RG: &str = "acme-esml-common-weu-dev-001";

fn rg(name: &str) -> String {
    format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/{name}")
}
pub(super) fn vnet_id() -> String {
    format!(
        "{}/providers/Microsoft.Network/virtualNetworks/vnt-esmlcmn-weu-dev-001",
        rg(COMMON_RG)
    )
}
pub(super) fn la_id() -> String {
    format!(
        "{}/providers/Microsoft.OperationalInsights/workspaces/la-cmn-weu-dev",
        rg(COMMON_RG)
    )
}
fn lake_id() -> String {
    format!(
        "{}/providers/Microsoft.Storage/storageAccounts/lakeweudev",
        rg(COMMON_RG)
    )
}

/// The common part every test project refers to, seeded into the emulator: with the
/// factory's private DNS zones, which the endpoints' zone groups must find (as in Azure).
fn common_seed() -> Seed {
    let zones: Vec<serde_json::Value> =
        aifactory_template::project::network::factory_zones(aifactory_template::project::Cloud::Public)
            .into_iter()
            .map(|z| json!({"id": format!("{}/providers/Microsoft.Network/privateDnsZones/{z}", rg("acme-dns")), "body": {"location": "global"}}))
            .collect();
    let mut seed: Seed = serde_json::from_value(json!({
        "resources": [
            {"id": rg(COMMON_RG), "body": {"location": "westeurope"}},
            {"id": rg("acme-dns"), "body": {"location": "westeurope"}},
            {"id": vnet_id(), "body": {"location": "westeurope", "properties": {
                "addressSpace": {"addressPrefixes": ["10.20.0.0/16"]},
                "subnets": [{"name": "snt-prj001-genai", "properties": {"addressPrefix": "10.20.1.0/24"}}]}}},
            {"id": la_id(), "body": {"location": "westeurope"}},
            {"id": lake_id(), "body": {"location": "westeurope", "kind": "StorageV2", "properties": {"isHnsEnabled": true}}}
        ],
        "filesystems": [{"account": "lakeweudev", "name": "lake3", "directories": ["projects"]}]
    }))
    .expect("seed");
    let zones: Seed = serde_json::from_value(json!({ "resources": zones })).expect("zones");
    seed.resources.extend(zones.resources);
    seed
}

fn names() -> aifactory_template::naming::ProjectNames {
    aifactory_template::naming::names(&NamingInput {
        number: 1,
        environment: Environment::Dev,
        location: "westeurope".into(),
        prefix: Some("acme-".into()),
        location_short: Some("weu".into()),
        suffix: Some("-001".into()),
        subscription_id: SUBSCRIPTION.into(),
        common_resource_group_name: COMMON_RG.into(),
    })
    .expect("names")
}

pub(super) fn start() -> Arc<EmulatorFixture> {
    Arc::new(EmulatorFixture::start_with(|c| c.with_seed(common_seed())))
}

/// A genai project with private networking and the data lake.
pub(super) fn project_hcl(members: &[&str], extra: &str) -> String {
    let ids = members
        .iter()
        .map(|m| format!("\"{m}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let subnet = format!("{}/subnets/snt-prj001-genai", vnet_id());
    format!(
        r#"{PROVIDER_PREAMBLE}
resource "aifactory_project" "p001" {{
  number       = 1
  environment  = "dev"
  location     = "westeurope"
  project_type = "genai"
  naming       = {{ prefix = "acme-", location_short = "weu", suffix = "-001" }}
  common = {{
    resource_group_name                = "{COMMON_RG}"
    private_dns_zone_resource_group_id = "{dns}"
    log_analytics_workspace_id         = "{la}"
    datalake_storage_account_id        = "{lake}"
    datalake_filesystem                = "lake3"
  }}
  subnet_ids = {{ private_endpoints = "{subnet}" }}
  team = {{
    object_ids                  = [{ids}]
    principal_type              = "Group"
    service_principal_object_id = "{SP}"
  }}
  network_access = "private"
  tags           = {{ cost_center = "1234" }}
{extra}}}

data "aifactory_project_names" "p001" {{
  number       = 1
  environment  = "dev"
  location     = "westeurope"
  project_type = "genai"
  naming       = {{ prefix = "acme-", location_short = "weu", suffix = "-001" }}
  common       = {{ resource_group_name = "{COMMON_RG}" }}
}}

output "key_vault_name" {{
  value = aifactory_project.p001.resources["key_vault"].name
}}

output "key_vault_name_from_data_source" {{
  value = data.aifactory_project_names.p001.names["key_vault"]
}}
"#,
        dns = rg("acme-dns"),
        la = la_id(),
        lake = lake_id(),
    )
}

fn planned_change(plan: &Value) -> Result<&Value, String> {
    plan["resource_changes"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["address"] == ADDR))
        .map(|c| &c["change"])
        .ok_or_else(|| format!("no planned change for {ADDR}"))
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

/// Writes since `seq` as (method, path, status), tokens excluded.
fn writes(fx: &EmulatorFixture, seq: u64) -> Vec<(String, String, u16)> {
    fx.emulator
        .journal()
        .into_iter()
        .filter(|e| {
            e.seq > seq && e.method != "GET" && e.method != "HEAD" && !e.path.contains("oauth2")
        })
        .map(|e| (e.method, e.path, e.status))
        .collect()
}

fn mark(
    fx: &Arc<EmulatorFixture>,
    at: &Arc<AtomicU64>,
) -> impl Fn() -> Result<(), String> + 'static {
    let (fx, at) = (fx.clone(), at.clone());
    move || {
        at.store(
            fx.emulator.journal().last().map_or(0, |e| e.seq),
            Ordering::SeqCst,
        );
        Ok(())
    }
}

/// Plan, create, refresh (empty plan), add a member (exactly their objects, minimal calls),
/// remove them, drift (deleted and changed behind Terraform's back) and repair, import with
/// verification, destroy.
#[test]
fn project_lifecycle() {
    let fx = start();
    let n = names();
    let rg_id = rg(&n.resource_group);
    let kv_id = format!(
        "{rg_id}/providers/Microsoft.KeyVault/vaults/{}",
        n.key_vault
    );
    let st_id = format!(
        "{rg_id}/providers/Microsoft.Storage/storageAccounts/{}",
        n.storage
    );
    let seq = Arc::new(AtomicU64::new(0));

    let one = project_hcl(&[M1], "");
    let two = project_hcl(&[M1, M2], "");
    let (fx_a, seq_a) = (fx.clone(), seq.clone());
    let (fx_b, seq_b) = (fx.clone(), seq.clone());
    let (fx_drift, kv_drift, st_drift) = (fx.clone(), kv_id.clone(), st_id.clone());

    let case = Case::new("project_lifecycle")
        .envs(fx.env())
        .step(
            config_step(one.clone())
                .plan_check(plan_actions(ADDR, &["create"]))
                .plan_check(plan_check(
                    "resources known at plan time, except the new identity's parts",
                    true,
                    |p| {
                        let c = planned_change(&p.json)?;
                        let after = &c["after"]["resources"];
                        let unknown = &c["after_unknown"]["resources"];
                        for k in [
                            "resource_group",
                            "identity",
                            "key_vault",
                            "storage",
                            "search",
                            "ai_services",
                            "datalake_directory",
                        ] {
                            if !after[k]["id"].is_string() {
                                return Err(format!(
                                    "resources[{k}].id is not known: {}",
                                    after[k]
                                ));
                            }
                        }
                        let identity_keys: Vec<&String> = after
                            .as_object()
                            .map(|m| {
                                m.keys()
                                    .filter(|k| {
                                        k.starts_with("role.identity.")
                                            || k.starts_with("acl.identity.")
                                    })
                                    .collect()
                            })
                            .unwrap_or_default();
                        if identity_keys.is_empty() {
                            return Err(
                                "no identity role assignments or ACL entries planned".into()
                            );
                        }
                        for k in identity_keys {
                            if unknown[k]["id"] != json!(true) {
                                return Err(format!(
                                    "resources[{k}].id should be unknown: {}",
                                    unknown[k]
                                ));
                            }
                        }
                        Ok(())
                    },
                ))
                .check(attr(ADDR, "id", rg_id.as_str()))
                .check(attr(ADDR, "resources.key_vault.id", kv_id.as_str()))
                .check(attr(ADDR, "datalake_path", "projects/project001"))
                .check(attr_set(ADDR, "identity_principal_id"))
                .check(output("key_vault_name", n.key_vault.as_str()))
                .check(output(
                    "key_vault_name_from_data_source",
                    n.key_vault.as_str(),
                )),
        )
        .step(hook_step("mark the journal", mark(&fx, &seq)))
        .step(
            config_step(two.clone())
                .plan_check(plan_actions(ADDR, &["update"]))
                .plan_check(plan_check(
                    "adding a member adds exactly their objects",
                    true,
                    |p| {
                        let c = planned_change(&p.json)?;
                        let (before, after) = (
                            keys(&c["before"]["resources"]),
                            keys(&c["after"]["resources"]),
                        );
                        let removed: Vec<_> = before.difference(&after).collect();
                        let added: Vec<_> = after.difference(&before).collect();
                        if !removed.is_empty()
                            || added.is_empty()
                            || added.iter().any(|k| !k.contains(M2))
                        {
                            return Err(format!("added {added:?}, removed {removed:?}"));
                        }
                        for k in before.intersection(&after) {
                            if c["before"]["resources"][k] != c["after"]["resources"][k] {
                                return Err(format!("{k} changed"));
                            }
                        }
                        Ok(())
                    },
                )),
        )
        .step(hook_step(
            "only the new member's role assignments and ACL entries were written",
            move || {
                let w = writes(&fx_a, seq_a.load(Ordering::SeqCst));
                let roles = w
                    .iter()
                    .filter(|(m, p, _)| m == "PUT" && p.contains("/roleAssignments/"))
                    .count();
                let dfs = w.iter().filter(|(_, p, _)| p.contains("/dfs/")).count();
                let other: Vec<_> = w
                    .iter()
                    .filter(|(_, p, _)| !p.contains("/roleAssignments/") && !p.contains("/dfs/"))
                    .collect();
                if roles == 0 || dfs != 3 || !other.is_empty() {
                    return Err(format!(
                        "{roles} role PUTs, {dfs} DFS writes, other writes {other:?}"
                    ));
                }
                Ok(())
            },
        ))
        .step(hook_step("mark the journal", mark(&fx, &seq)))
        .step(config_step(one.clone()).plan_check(plan_actions(ADDR, &["update"])))
        .step(hook_step(
            "removing the member deleted only their role assignments",
            move || {
                let w = writes(&fx_b, seq_b.load(Ordering::SeqCst));
                let bad: Vec<_> = w
                    .iter()
                    .filter(|(m, p, _)| {
                        !(p.contains("/dfs/") || (m == "DELETE" && p.contains("/roleAssignments/")))
                    })
                    .collect();
                if !bad.is_empty() || !w.iter().any(|(m, _, _)| m == "DELETE") {
                    return Err(format!("unexpected writes {bad:?} in {w:?}"));
                }
                Ok(())
            },
        ))
        .step(hook_step(
            "delete the key vault and open the storage account behind Terraform's back",
            move || {
                if fx_drift.emulator.delete_resource(&kv_drift) == 0 {
                    return Err("key vault missing".into());
                }
                let mut body = fx_drift
                    .emulator
                    .resource(&st_drift)
                    .ok_or("storage missing")?;
                body["properties"]["publicNetworkAccess"] = json!("Enabled");
                fx_drift
                    .emulator
                    .put_resource(&st_drift, body)
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            },
        ))
        .step(
            config_step(one.clone())
                .plan_check(plan_actions(ADDR, &["update"]))
                .plan_check(plan_contains("publicNetworkAccess"))
                .check(attr(ADDR, "resources.key_vault.id", kv_id.as_str())),
        )
        .step(import_step(ADDR).verify())
        .check_destroy(|_| Ok(()));
    run_on_all_clis(&case);
    assert!(
        fx.emulator.resource(&rg_id).is_none(),
        "destroy left the resource group"
    );
}

/// A create that fails part-way records exactly what exists; the next apply continues
/// (no object is created twice) and converges.
#[test]
fn project_failed_create_continues() {
    let fx = start();
    let n = names();
    let rg_id = rg(&n.resource_group);
    let seq = Arc::new(AtomicU64::new(0));
    let start_seq = Arc::new(AtomicU64::new(0));
    let cfg = project_hcl(&[M1], "");
    let (fx_fault, start_fault) = (fx.clone(), start_seq.clone());
    let start_check = start_seq.clone();
    let (fx_fix, seq_fix) = (fx.clone(), seq.clone());
    let (fx_check, seq_check) = (fx.clone(), seq.clone());
    let case = Case::new("project_failed_create")
        .envs(fx.env())
        .step(hook_step("AI Search refuses writes", move || {
            start_fault.store(
                fx_fault.emulator.journal().last().map_or(0, |e| e.seq),
                Ordering::SeqCst,
            );
            fx_fault.emulator.add_fault(
                FaultRule::new(
                    "PUT",
                    "*/Microsoft.Search/searchServices/*",
                    FaultAction::Status {
                        status: 400,
                        code: Some("RequestDisallowedByPolicy".into()),
                        message: Some("Search is not allowed by policy".into()),
                        retry_after_secs: None,
                    },
                )
                .named("search-policy"),
            );
            Ok(())
        }))
        .step(config_step(cfg.clone()).expect_error("RequestDisallowedByPolicy"))
        .step(hook_step("the policy is lifted", move || {
            fx_fix.emulator.set_faults(Vec::new());
            seq_fix.store(
                fx_fix.emulator.journal().last().map_or(0, |e| e.seq),
                Ordering::SeqCst,
            );
            Ok(())
        }))
        .step(
            config_step(cfg)
                .plan_check(plan_replaces(ADDR))
                .check(attr_set(ADDR, "resources.search.id")),
        )
        .step(hook_step(
            "nothing that existed was deleted or created again",
            move || {
                let w = writes(&fx_check, seq_check.load(Ordering::SeqCst));
                if let Some(d) = w.iter().find(|(m, _, _)| m == "DELETE") {
                    return Err(format!("deleted {d:?}"));
                }
                let mut created = BTreeSet::new();
                for (m, p, s) in &w {
                    if m == "PUT" && *s == 201 && !created.insert(p.to_ascii_lowercase()) {
                        return Err(format!("{p} created twice"));
                    }
                }
                let journal = fx_check.emulator.journal();
                let before: BTreeSet<String> = journal
                    .iter()
                    .filter(|e| {
                        e.seq > start_check.load(Ordering::SeqCst)
                            && e.seq <= seq_check.load(Ordering::SeqCst)
                            && e.method == "PUT"
                            && e.status == 201
                    })
                    .map(|e| e.path.to_ascii_lowercase())
                    .collect();
                if let Some(p) = created.intersection(&before).next() {
                    return Err(format!("{p} existed and was created again"));
                }
                Ok(())
            },
        ))
        .check_destroy(|_| Ok(()));
    run_on_all_clis(&case);
    assert!(fx.emulator.resource(&rg_id).is_none());
}

/// Destroy refuses to delete a group holding foreign resources unless `force_destroy`;
/// a too short `timeouts.create` ends the apply with what was created kept in state.
#[test]
fn project_force_destroy_and_timeouts() {
    let fx = start();
    let n = names();
    let rg_id = rg(&n.resource_group);
    let foreign = format!("{rg_id}/providers/Microsoft.Storage/storageAccounts/somebodyelse");
    let (fx_slow, fx_fast, fx_foreign, foreign_id) =
        (fx.clone(), fx.clone(), fx.clone(), foreign.clone());
    let case = Case::new("project_force_destroy_and_timeouts")
        .envs(fx.env())
        // Every key vault write is slow until the next hook: on the second CLI the vault the
        // first one destroyed is soft-deleted, and the provider's recover write must be slow too.
        .step(hook_step("key vault writes take 20 s", move || {
            fx_slow.emulator.add_fault(FaultRule::new(
                "PUT",
                "*/Microsoft.KeyVault/vaults/*",
                FaultAction::SlowLro { delay_ms: 20_000 },
            ));
            Ok(())
        }))
        .step(
            config_step(project_hcl(
                &[M1],
                "  timeouts {\n    create = \"3s\"\n  }\n",
            ))
            .expect_error("timed out"),
        )
        .step(hook_step("back to normal", move || {
            fx_fast.emulator.set_faults(Vec::new());
            Ok(())
        }))
        .step(config_step(project_hcl(&[M1], "")).plan_check(plan_replaces(ADDR)))
        .step(hook_step(
            "someone adds a storage account to the project's group",
            move || {
                fx_foreign
                    .emulator
                    .put_resource(&foreign_id, json!({"location": "westeurope"}))
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            },
        ))
        .step(config_step(PROVIDER_PREAMBLE).expect_error("somebodyelse"))
        .step(
            config_step(project_hcl(&[M1], "  force_destroy = true\n"))
                .plan_check(plan_actions(ADDR, &["update"])),
        )
        .check_destroy(|_| Ok(()));
    run_on_all_clis(&case);
    assert!(fx.emulator.resource(&rg_id).is_none());
    assert!(fx.emulator.resource(&foreign).is_none());
}

/// The data source alone: names without any Azure call, and clear errors.
#[test]
fn project_names_data_source() {
    let fx = EmulatorFixture::start();
    let n = names();
    let hcl = format!(
        r#"{PROVIDER_PREAMBLE}
data "aifactory_project_names" "p" {{
  number       = 1
  environment  = "dev"
  location     = "westeurope"
  project_type = "genai"
  naming       = {{ prefix = "acme-", location_short = "weu", suffix = "-001" }}
  common       = {{ resource_group_name = "{COMMON_RG}" }}
}}

output "names" {{
  value = data.aifactory_project_names.p.names
}}
"#
    );
    let bad = format!(
        r#"{PROVIDER_PREAMBLE}
data "aifactory_project_names" "p" {{
  number       = 1
  environment  = "staging"
  location     = "westeurope"
  project_type = "genai"
  common       = {{ resource_group_name = "{COMMON_RG}" }}
}}
"#
    );
    let (rg_name, search) = (n.resource_group.clone(), n.search.clone());
    let before = fx.emulator.journal().len();
    let case = Case::new("project_names_data_source")
        .envs(fx.env())
        .step(config_step(hcl).check(output_matches("names", move |v| {
            v["resource_group"] == json!(rg_name)
                && v["search"] == json!(search)
                && v.get("ml_workspace").is_none()
                && v["datalake_path"] == json!("projects/project001")
        })))
        .step(config_step(bad).expect_error("Invalid environment"));
    run_on_all_clis(&case);
    let arm_calls = fx
        .emulator
        .journal()
        .iter()
        .skip(before)
        .filter(|e| !e.path.contains("oauth2"))
        .count();
    assert_eq!(arm_calls, 0, "the data source must not call Azure");
}

/// ARM ids PUT (2xx) since `seq`, and data-lake writes (2xx) since `seq` as
/// (`directory` or `acl`, account, path inside the account).
fn written_since(
    fx: &EmulatorFixture,
    seq: u64,
) -> (BTreeSet<String>, BTreeSet<(String, String, String)>) {
    let (mut arm, mut dfs) = (BTreeSet::new(), BTreeSet::new());
    for e in fx.emulator.journal() {
        if e.seq <= seq
            || e.method == "GET"
            || e.method == "HEAD"
            || !(200..300).contains(&e.status)
        {
            continue;
        }
        if e.path.starts_with("/subscriptions/") && e.method == "PUT" {
            arm.insert(e.path.clone());
        } else if let Some((account, path)) =
            e.path.strip_prefix("/dfs/").and_then(|p| p.split_once('/'))
        {
            let what = if e.method == "PUT" && e.query.contains("resource=directory") {
                "directory"
            } else if e.query.contains("acl")
                || e.query.contains("Acl")
                || e.query.contains("AccessControl")
            {
                "acl"
            } else {
                "other"
            };
            dfs.insert((what.to_string(), account.to_string(), format!("/{path}")));
        }
    }
    (arm, dfs)
}

/// (account, path) of a data-lake record id `https://{account}.dfs.../{path}[#entry]`.
fn dfs_target(id: &str) -> Option<(String, String)> {
    let rest = id.split('#').next()?.strip_prefix("https://")?;
    let (host, path) = rest.split_once('/')?;
    Some((host.split('.').next()?.to_string(), format!("/{path}")))
}

/// Ctrl-C during a slow create: Terraform sends StopProvider, the provider cancels the wait
/// on Azure at once and returns what exists; Terraform saves it (no errored.tfstate), and
/// every object of the project that exists in Azure is in the state. The next apply
/// completes the project and the plan after it is empty.
#[test]
fn project_interrupted_create_keeps_what_exists() {
    const SLOW: u64 = 60_000;
    let fx = start();
    let n = names();
    let rg_id = rg(&n.resource_group);
    let search_id = format!(
        "{rg_id}/providers/Microsoft.Search/searchServices/{}",
        n.search
    );
    let cfg = project_hcl(&[M1], "");
    let seq = Arc::new(AtomicU64::new(0));
    let (fx_slow, seq_slow) = (fx.clone(), seq.clone());
    let (fx_when, seq_when) = (fx.clone(), seq.clone());
    let kv_id = format!(
        "{rg_id}/providers/Microsoft.KeyVault/vaults/{}",
        n.key_vault
    );
    let (fx_check, seq_check, search_check, vault_check) =
        (fx.clone(), seq.clone(), search_id.clone(), kv_id);
    let fx_fast = fx.clone();
    let case = Case::new("project_interrupted_create")
        .envs(fx.env())
        .step(hook_step("AI Search creation takes a minute, every other LRO half a second", move || {
            seq_slow.store(fx_slow.emulator.journal().last().map_or(0, |e| e.seq), Ordering::SeqCst);
            fx_slow.emulator.update_settings(|s| s.lro_delay_ms = 500);
            fx_slow.emulator.add_fault(
                FaultRule::new("PUT", "*/Microsoft.Search/searchServices/*", FaultAction::SlowLro { delay_ms: SLOW }).named("slow-search").times(1),
            );
            Ok(())
        }))
        .step(interrupt_step(
            cfg.clone(),
            std::time::Duration::from_secs(120),
            // Ctrl-C once Azure has accepted the search service and the key vault exists:
            // the search LRO is in flight, other objects are created or being created.
            move || {
                let from = seq_when.load(Ordering::SeqCst);
                let journal = fx_when.emulator.journal();
                let search_started = journal.iter().any(|e| e.seq > from && e.faults.iter().any(|f| f == "slow-search") && e.status < 300);
                let vault = journal.iter().any(|e| e.seq > from && e.method == "PUT" && e.path.contains("/Microsoft.KeyVault/vaults/") && e.status < 300);
                Ok(search_started && vault)
            },
            move |it| {
                let fx = &fx_check;
                let combined = it.apply.combined();
                if it.apply.success() {
                    return Err("the interrupted apply succeeded".into());
                }
                if it.exit_after_signal > std::time::Duration::from_secs(15) {
                    return Err(format!("Terraform took {:.1?} to exit after SIGINT (the provider did not cancel)", it.exit_after_signal));
                }
                if it.errored_state {
                    return Err("Terraform wrote errored.tfstate: it could not persist the state".into());
                }
                if !text_contains(&combined, "Interrupt received") {
                    return Err("Terraform did not report the interrupt".into());
                }
                // The saved state file itself holds the project (not only `show`).
                let in_file = it.state_file["resources"]
                    .as_array()
                    .is_some_and(|rs| rs.iter().any(|r| r["type"] == "aifactory_project" && r["name"] == "p001"));
                if !in_file {
                    return Err(format!("terraform.tfstate has no aifactory_project.p001: {}", it.state_file));
                }
                let values = resource_values(&it.state, ADDR)?;
                let records = values["resources"].as_object().ok_or("state has no `resources` map")?;
                let mut arm_ids = BTreeSet::new();
                let mut dfs_ids = Vec::new();
                for (key, r) in records {
                    let id = r["id"].as_str().ok_or_else(|| format!("resources[{key}] has no id"))?;
                    if let Some(kind) = r["type"].as_str().and_then(|t| t.strip_prefix("dfs/")) {
                        let (account, path) = dfs_target(id).ok_or_else(|| format!("resources[{key}].id {id} is not a data-lake URL"))?;
                        dfs_ids.push((kind.to_string(), account, path));
                    } else {
                        // Every recorded ARM object exists.
                        if fx.emulator.resource(id).is_none() {
                            return Err(format!("resources[{key}] = {id} is in state but not in Azure"));
                        }
                        arm_ids.insert(id.to_ascii_lowercase());
                    }
                }
                if !arm_ids.contains(&rg_id_lower(&search_check)) {
                    return Err(format!("the resource group is not in state: {arm_ids:?}"));
                }
                if !arm_ids.contains(&search_check.to_ascii_lowercase()) {
                    return Err(format!("the search service whose creation was interrupted is not in state: {arm_ids:?}"));
                }
                if !arm_ids.contains(&vault_check.to_ascii_lowercase()) {
                    return Err(format!("the key vault is not in state: {arm_ids:?}"));
                }
                // Every object the apply created that exists in Azure is tracked, itself or
                // through its parent.
                let (written, dfs_written) = written_since(fx, seq_check.load(Ordering::SeqCst));
                let mut untracked = Vec::new();
                for id in &written {
                    if fx.emulator.resource(id).is_none() {
                        continue;
                    }
                    let low = id.to_ascii_lowercase();
                    let tracked = arm_ids.iter().any(|t| low == *t || low.starts_with(&format!("{t}/")));
                    if !tracked {
                        untracked.push(id.clone());
                    }
                }
                for (what, account, path) in &dfs_written {
                    // A directory created and ACL entries written are recorded on their path.
                    let tracked = what == "other"
                        || dfs_ids.iter().any(|(kind, a, p)| kind == what && a.eq_ignore_ascii_case(account) && p == path);
                    if !tracked {
                        untracked.push(format!("{what} {account}{path}"));
                    }
                }
                if !untracked.is_empty() {
                    return Err(format!("created in Azure but not in state: {untracked:#?}\nstate: {records:#?}"));
                }
                eprintln!(
                    "note: interrupted create kept {} ARM objects and {} data-lake records; checked {} ARM writes and data-lake writes {dfs_written:?}",
                    arm_ids.len(),
                    dfs_ids.len(),
                    written.len()
                );
                Ok(())
            },
        ))
        .step(hook_step("Azure is fast again", move || {
            fx_fast.emulator.set_faults(Vec::new());
            fx_fast.emulator.update_settings(|s| s.lro_delay_ms = 0);
            Ok(())
        }))
        .step(config_step(cfg).plan_check(plan_replaces(ADDR)).check(attr(ADDR, "resources.search.id", search_id.as_str())))
        .check_destroy(|_| Ok(()));
    run_on_all_clis(&case);
    assert!(fx.emulator.resource(&rg_id).is_none());
}

/// `kill -9` of the provider in the middle of a create (issue 11 item 6): the protocol
/// gives a killed provider no way to report what it made, so the project is not in state
/// while its objects exist. The way back is short: the next apply refuses to take the
/// objects over and names the one import; after it, one apply finishes what the cut-off
/// create never started, the plan is empty, and destroy leaves nothing behind.
#[test]
fn project_provider_killed_mid_create_comes_back_by_one_import() {
    let fx = start();
    let n = names();
    let rg_id = rg(&n.resource_group);
    let cfg = project_hcl(&[M1], "");
    let seq = Arc::new(AtomicU64::new(0));
    let (fx_slow, seq_slow) = (fx.clone(), seq.clone());
    let (fx_when, seq_when) = (fx.clone(), seq.clone());
    let (fx_check, rg_check) = (fx.clone(), rg_id.clone());
    let import_cfg = cfg.clone();
    let fx_fast = fx.clone();
    let import_id = rg_id.clone();
    let case = Case::new("project_provider_killed")
        .envs(fx.env())
        .step(hook_step("every LRO takes a second", move || {
            seq_slow.store(fx_slow.emulator.journal().last().map_or(0, |e| e.seq), Ordering::SeqCst);
            fx_slow.emulator.update_settings(|s| s.lro_delay_ms = 1_000);
            Ok(())
        }))
        .step(
            interrupt_step(
                cfg,
                std::time::Duration::from_secs(120),
                // Kill once the key vault exists: the resource group and the first
                // objects exist, later waves have not started.
                move || {
                    let from = seq_when.load(Ordering::SeqCst);
                    Ok(fx_when.emulator.journal().iter().any(|e| {
                        e.seq > from
                            && e.method == "PUT"
                            && e.path.contains("/Microsoft.KeyVault/vaults/")
                            && e.status < 300
                    }))
                },
                move |it| {
                    if it.apply.success() {
                        return Err("the apply whose provider was killed succeeded".into());
                    }
                    let in_state = it.state_file["resources"]
                        .as_array()
                        .is_some_and(|rs| rs.iter().any(|r| r["type"] == "aifactory_project"));
                    if in_state {
                        return Err("a killed provider cannot report its objects, yet the project is in state".into());
                    }
                    if fx_check.emulator.resource(&rg_check).is_none() {
                        return Err(format!("{rg_check} was not created before the kill"));
                    }
                    Ok(())
                },
            )
            .kill_provider(),
        )
        .step(hook_step("Azure is fast again", move || {
            fx_fast.emulator.update_settings(|s| s.lro_delay_ms = 0);
            Ok(())
        }))
        .step(
            import_step(ADDR)
                .after_cut_off()
                .refused_create("The project already exists*terraform import")
                .config(import_cfg)
                .id(&import_id),
        )
        .check_destroy(|_| Ok(()));
    run_on_all_clis(&case);
    assert!(
        fx.emulator.resource(&rg_id).is_none(),
        "destroy left the resource group"
    );
}

/// ESML's one project type (issue 9 section 2): every service switch for every type, the
/// type a preset. A genai project gains Data Factory and Cosmos DB (with its `Sql`
/// endpoint) and loses AI Search in place (no replacement), each plan after an apply is
/// empty, on both CLIs.
#[test]
fn project_services_are_switches_for_every_type() {
    let fx = start();
    let n = names();
    let rg_id = rg(&n.resource_group);
    let search_id = format!(
        "{rg_id}/providers/Microsoft.Search/searchServices/{}",
        n.search
    );
    let (fx1, fx2, s1, s2) = (fx.clone(), fx.clone(), search_id.clone(), search_id.clone());
    let (fx_sku, s_sku) = (fx.clone(), search_id.clone());
    let case = Case::new("project_service_switches")
        .envs(fx.env())
        .step(
            config_step(project_hcl(
                &[M1],
                "  services = { data_factory = true, cosmos_db = true, azure_openai = true }\n  search_options = { sku = \"standard\", semantic_ranker = \"free\" }\n",
            ))
            .check(attr(
                ADDR,
                "resources.data_factory.type",
                "Microsoft.DataFactory/factories",
            ))
            .check(attr(
                ADDR,
                "resources.cosmos_db.type",
                "Microsoft.DocumentDB/databaseAccounts",
            ))
            .check(attr(
                ADDR,
                "resources.azure_openai.type",
                "Microsoft.CognitiveServices/accounts",
            ))
            .check(Check::new("AI Search has its SKU and semantic ranker", move |_| {
                let s = fx_sku.emulator.resource(&s_sku).ok_or("search missing")?;
                if s["sku"]["name"] == json!("standard") && s["properties"]["semanticSearch"] == json!("free") {
                    Ok(())
                } else {
                    Err(format!("search sku {} semantic {}", s["sku"]["name"], s["properties"]["semanticSearch"]))
                }
            }))
            .check(Check::new(
                "Cosmos DB has its Sql endpoint and zone group",
                |state| {
                    let values = resource_values(state, ADDR)?;
                    let r = values["resources"].as_object().ok_or("no resources map")?;
                    for k in [
                        "private_endpoint.cosmos_db_sql",
                        "private_dns_zone_group.cosmos_db_sql",
                    ] {
                        if !r.contains_key(k) {
                            return Err(format!("{k} not in state"));
                        }
                    }
                    Ok(())
                },
            ))
            .check(attr(ADDR, "resources.search.id", search_id.as_str()))
            .check(Check::new("the search service exists", move |_| {
                fx1.emulator
                    .resource(&s1)
                    .map(|_| ())
                    .ok_or_else(|| format!("{s1} missing"))
            })),
        )
        .step(
            config_step(project_hcl(
                &[M1],
                "  services = { data_factory = true, cosmos_db = true, azure_openai = true, ai_search = false }\n",
            ))
            .plan_check(plan_actions(ADDR, &["update"]))
            .check(no_attr(ADDR, "resources.search"))
            .check(Check::new(
                "no role assignment on the search service is left",
                |state| {
                    let values = resource_values(state, ADDR)?;
                    let keys: Vec<&String> = values["resources"]
                        .as_object()
                        .ok_or("no resources map")?
                        .keys()
                        .collect();
                    match keys.iter().find(|k| k.contains(".search.")) {
                        Some(k) => Err(format!("{k} is still in state")),
                        None if keys.iter().any(|k| k.starts_with("role.")) => Ok(()),
                        None => Err("no role assignments in state at all".into()),
                    }
                },
            ))
            .check(Check::new("the search service is gone", move |_| match fx2
                .emulator
                .resource(&s2)
            {
                None => Ok(()),
                Some(_) => Err(format!("{s2} still exists")),
            })),
        )
        .step(import_step(ADDR).in_place())
        .check_destroy(|_| Ok(()));
    run_on_all_clis(&case);
    assert!(fx.emulator.resource(&rg_id).is_none());
}

/// Personas (issue 9 section 3): a reader persona and a project-admin persona next to
/// `team.object_ids`; the plan after apply is empty, the reader's assignments are read
/// roles only, and an import reads the personas back from the assignments' descriptions
/// (first plan empty), on both CLIs.
#[test]
fn project_personas_with_role_sets() {
    let fx = start();
    let reader = "0a1b2c3d-0000-4000-8000-0000000000a1";
    let admin = "0a1b2c3d-0000-4000-8000-0000000000a2";
    let cfg = project_hcl(&[M1], "").replacen(
        "    service_principal_object_id = \"5e5e5e5e-0000-4000-8000-00000000005e\"\n",
        &format!(
            "    service_principal_object_id = \"5e5e5e5e-0000-4000-8000-00000000005e\"\n    personas = {{\n      auditors = {{ object_ids = [\"{reader}\"], principal_type = \"Group\", role_set = \"reader\" }}\n      leads    = {{ object_ids = [\"{admin}\"], principal_type = \"User\", role_set = \"project_admin\" }}\n    }}\n"
        ),
        1,
    );
    assert!(
        cfg.contains("role_set = \"reader\""),
        "the persona block was not inserted"
    );
    let case = Case::new("project_personas")
        .envs(fx.env())
        .step(config_step(cfg).check(Check::new(
            "reader roles only for the reader persona",
            move |state| {
                let values = resource_values(state, ADDR)?;
                let keys: Vec<&String> = values["resources"]
                    .as_object()
                    .ok_or("no resources map")?
                    .keys()
                    .collect();
                let of = |oid: &str| -> Vec<&&String> {
                    keys.iter()
                        .filter(|k| k.starts_with(&format!("role.team.{oid}.")))
                        .collect()
                };
                let r = of(reader);
                if r.is_empty()
                    || r.iter().any(|k| {
                        k.contains("contributor")
                            || k.contains("officer")
                            || k.contains("administrator")
                    })
                {
                    return Err(format!("reader persona's assignments: {r:?}"));
                }
                let a = of(admin);
                if !a.iter().any(|k| k.ends_with(".rg.azure-ai-administrator"))
                    || !a
                        .iter()
                        .any(|k| k.ends_with(".key_vault.key-vault-administrator"))
                {
                    return Err(format!("admin persona's assignments: {a:?}"));
                }
                Ok(())
            },
        )))
        .step(import_step(ADDR).in_place())
        .check_destroy(|_| Ok(()));
    run_on_all_clis(&case);
}

/// A GenAI project on AI Foundry (issue 9 section 4), laid out and named as ESML builds it
/// (`foundry_options.account = "dedicated"`, `naming.salt = "esml"` with a random salt:
/// the Foundry account `aif2…` beside AI Services, its project `aif2-p…`): the Agent
/// service on Cosmos DB, Storage and AI Search injected into a delegated 172.16/12 subnet,
/// two model deployments;
/// a misplaced agent subnet is refused at plan; a third deployment is added in place;
/// drift on a deployment's capacity is shown and repaired; an import of the ESML-named
/// Foundry project reads the dedicated account, the Agent service, the agent subnet and
/// the deployments back (first plan empty); destroy is
/// clean (after the agent subnet's link is released); on both CLIs.
#[test]
fn project_on_ai_foundry_with_agents_and_deployments() {
    let fx = start();
    let n = names();
    let rg_id = rg(&n.resource_group);
    let vnet = vnet_id();
    let agent_subnet = format!("{vnet}/subnets/snt-prj001-agent");
    let wrong_subnet = format!("{vnet}/subnets/snt-prj001-wrong");
    let aca = format!("{vnet}/subnets/snt-prj001-aca");
    // ESML's Foundry v2 names (CmnAIfactoryNaming.bicep: aifV2Name, aifV2PrjName), written
    // out from its formulas with the random salt 0dbf2948-a.
    let s5 = aifactory_template::naming::esml_salt(SUBSCRIPTION, COMMON_RG);
    let (foundry_account, foundry_project) = (
        format!("aif2{s5}0db001dev"),
        format!("aif2-p001{}dev", &s5[..3]),
    );
    let account_id =
        format!("{rg_id}/providers/Microsoft.CognitiveServices/accounts/{foundry_account}");
    let project_id = format!("{account_id}/projects/{foundry_project}");
    let gpt_id = format!("{account_id}/deployments/gpt");
    let foundry = |subnet: &str, deployments: &str| {
        project_hcl(
            &[M1],
            &format!(
                "  services   = {{ ai_foundry = true, agent_service = true, cosmos_db = true, container_apps = true }}\n  foundry_options = {{ account = \"dedicated\" }}\n  deployments = {{\n{deployments}  }}\n"
            ),
        )
        .replacen(
            "suffix = \"-001\" }\n  common = {",
            "suffix = \"-001\", salt = \"esml\", random_salt = \"0dbf2948-a\" }\n  common = {",
            1,
        )
        .replacen(
            "/subnets/snt-prj001-genai\" }",
            &format!("/subnets/snt-prj001-genai\", agent = \"{subnet}\", aca = \"{aca}\" }}"),
            1,
        )
    };
    let two = "    embed = { model = \"text-embedding-3-large\", version = \"1\", sku = \"Standard\", capacity = 20 }\n    gpt   = { model = \"gpt-4o\", version = \"2024-11-20\", sku = \"GlobalStandard\", capacity = 50 }\n";
    let three = format!("{two}    mini  = {{ model = \"gpt-4o-mini\", version = \"2024-07-18\", sku = \"GlobalStandard\", capacity = 30 }}\n");
    let cfg_wrong = foundry(&wrong_subnet, two);
    let cfg_two = foundry(&agent_subnet, two);
    let cfg_three = foundry(&agent_subnet, &three);
    assert!(
        cfg_two.contains("agent = ") && cfg_two.contains("random_salt"),
        "the agent subnet or ESML's naming was not inserted:\n{cfg_two}"
    );
    let (fx_net, agent_net, wrong_net) = (fx.clone(), agent_subnet.clone(), wrong_subnet.clone());
    let aca_net = aca.clone();
    let (fx_check, gpt_check) = (fx.clone(), gpt_id.clone());
    let (fx_drift, gpt_drift) = (fx.clone(), gpt_id.clone());
    let (fx_fixed, gpt_fixed) = (fx.clone(), gpt_id.clone());
    let case = Case::new("project_foundry")
        .envs(fx.env())
        .step(hook_step("the agent subnet (172.16.4.0/23, delegated) and a misplaced one", move || {
            let agent = json!({"properties": {"addressPrefix": "172.16.4.0/23",
                "delegations": [{"name": "aca", "properties": {"serviceName": "Microsoft.App/environments"}}]}});
            let wrong = json!({"properties": {"addressPrefix": "10.20.8.0/26"}});
            let aca = json!({"properties": {"addressPrefix": "10.20.16.0/23",
                "delegations": [{"name": "aca", "properties": {"serviceName": "Microsoft.App/environments"}}]}});
            for (id, body) in [(&agent_net, agent), (&wrong_net, wrong), (&aca_net, aca)] {
                fx_net.emulator.put_resource(id, body).map_err(|e| e.to_string())?;
            }
            Ok(())
        }))
        .step(config_step(cfg_wrong).expect_error("The agent subnet does not fit"))
        .step(
            config_step(cfg_two)
                .check(attr(ADDR, "resources.foundry_project.type", "Microsoft.CognitiveServices/accounts/projects"))
                .check(attr(ADDR, "resources.foundry_project.id", project_id.as_str()))
                .check(attr(ADDR, "resources.foundry_account.id", account_id.as_str()))
                .check(attr(ADDR, "resources.container_apps.type", "Microsoft.App/managedEnvironments"))
                .check(Check::new("Foundry objects in state and in Azure", move |state| {
                    let values = resource_values(state, ADDR)?;
                    let r = values["resources"].as_object().ok_or("no resources map")?;
                    for k in ["deployment.embed", "deployment.gpt", "foundry_connection.search", "foundry_connection.storage",
                              "foundry_connection.cosmos_db", "capability_host.account", "capability_host.project"] {
                        if !r.contains_key(k) {
                            return Err(format!("{k} not in state"));
                        }
                    }
                    // Cosmos DB data-plane access: sqlRoleAssignments, not ARM role assignments.
                    let sql = "Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments";
                    let rec = &r["role.identity.cosmos_db.cosmos-db-built-in-data-contributor"];
                    if rec["type"] != json!(sql) || !rec["id"].as_str().is_some_and(|id| id.contains("/sqlRoleAssignments/")) {
                        return Err(format!("the identity's Cosmos DB data role: {rec}"));
                    }
                    let id = rec["id"].as_str().unwrap_or_default();
                    let azure = fx_check.emulator.resource(id).ok_or("the data-plane assignment is not in Azure")?;
                    if !azure["properties"]["roleDefinitionId"].as_str().is_some_and(|d| d.ends_with("/sqlRoleDefinitions/00000000-0000-0000-0000-000000000002")) {
                        return Err(format!("data-plane assignment body: {azure}"));
                    }
                    let gpt = fx_check.emulator.resource(&gpt_check).ok_or("gpt deployment not in Azure")?;
                    if gpt["sku"]["capacity"] != json!(50) {
                        return Err(format!("gpt capacity {}", gpt["sku"]["capacity"]));
                    }
                    Ok(())
                })),
        )
        .step(config_step(cfg_three.clone()).plan_check(plan_actions(ADDR, &["update"])).check(Check::new(
            "the third deployment is recorded",
            |state| {
                let values = resource_values(state, ADDR)?;
                values["resources"].get("deployment.mini").map(|_| ()).ok_or_else(|| "deployment.mini not in state".to_string())
            },
        )))
        .step(hook_step("someone lowers gpt's capacity in the portal", move || {
            let mut d = fx_drift.emulator.resource(&gpt_drift).ok_or("gpt missing")?;
            d["sku"]["capacity"] = json!(10);
            fx_drift.emulator.put_resource(&gpt_drift, d).map(|_| ()).map_err(|e| e.to_string())
        }))
        .step(
            config_step(cfg_three)
                .plan_check(plan_actions(ADDR, &["update"]))
                .plan_check(plan_contains("capacity"))
                .check(Check::new("the capacity is restored", move |_| {
                    let d = fx_fixed.emulator.resource(&gpt_fixed).ok_or("gpt missing")?;
                    if d["sku"]["capacity"] == json!(50) {
                        Ok(())
                    } else {
                        Err(format!("gpt capacity {}", d["sku"]["capacity"]))
                    }
                })),
        )
        .step(import_step(ADDR).in_place())
        .check_destroy(|_| Ok(()));
    run_on_all_clis(&case);
    assert!(
        fx.emulator.resource(&rg_id).is_none(),
        "destroy left the resource group"
    );
}

/// The resource group id (lower case) of an id inside it.
fn rg_id_lower(id: &str) -> String {
    id.to_ascii_lowercase()
        .split("/providers/")
        .next()
        .unwrap_or_default()
        .to_string()
}

/// Numbers keep their value in messages and each message names the attribute the user
/// wrote, for the resource and the data source alike (real Terraform; the number that
/// does not fit a float64 travels as text).
#[test]
fn project_messages_quote_the_value_and_the_attribute() {
    let fx = start();
    let data_source = |number: &str, extra: &str| {
        format!(
            r#"{PROVIDER_PREAMBLE}
data "aifactory_project_names" "p" {{
  number       = {number}
  environment  = "dev"
  location     = "westeurope"
  project_type = "genai"
  common       = {{ resource_group_name = "{COMMON_RG}" }}
{extra}}}
"#
        )
    };
    let resource = |number: &str| {
        project_hcl(&[M1], "").replacen(
            "  number       = 1\n",
            &format!("  number       = {number}\n"),
            1,
        )
    };
    let mut case = Case::new("project_messages").envs(fx.env());
    for (number, message) in [
        ("1e300", "number 1e300 is out of range"),
        ("999.9", "number 999.9 is not a whole number"),
        (
            "18446744073709551617",
            "number 18446744073709551617 is out of range",
        ),
    ] {
        case = case
            .step(config_step(resource(number)).expect_error(message))
            .step(config_step(data_source(number, "")).expect_error(message));
    }
    case = case.step(
        config_step(data_source("1", "  subscription_id = \"not-a-guid\"\n"))
            .expect_error("subscription_id \"not-a-guid\" is not a GUID"),
    );
    run_on_all_clis(&case);
}
