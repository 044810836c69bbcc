//! The whole factory (`examples/aifactory`) through real Terraform against the emulator
//! enforcing the landing zone's "subnets must have an NSG" policy: each stage is an
//! `aifactory_common` plus its projects, every private endpoint resolves (its zones exist and
//! are linked to its subnet's vNet), onboarding a project is adding an entry to
//! `projects.yaml`, offboarding is removing it, and neither touches any other project.

use std::path::Path;

use std::sync::Arc;

use crate::testkit::emulator::EmulatorFixture;
use crate::testkit::terraform::*;
use aifactory_emulator::policy::Policy;
use serde_json::Value;

/// The emulator as a landing zone: subnets without an NSG are denied.
fn policed() -> Arc<EmulatorFixture> {
    Arc::new(EmulatorFixture::start_with(|mut c| {
        c.settings.policies = vec![Policy::SubnetNsgRequired];
        c
    }))
}

/// Every `resources` object of every `aifactory_*` instance in a `terraform show -json`
/// state: (key, type, id).
fn all_objects(state: &Value) -> Vec<(String, String, String)> {
    fn walk(m: &Value, out: &mut Vec<(String, String, String)>) {
        for r in m["resources"].as_array().into_iter().flatten() {
            for (k, v) in r["values"]["resources"].as_object().into_iter().flatten() {
                out.push((
                    k.clone(),
                    v["type"].as_str().unwrap_or_default().to_string(),
                    v["id"].as_str().unwrap_or_default().to_ascii_lowercase(),
                ));
            }
        }
        for c in m["child_modules"].as_array().into_iter().flatten() {
            walk(c, out);
        }
    }
    let mut out = Vec::new();
    walk(&state["values"]["root_module"], &mut out);
    out
}

/// Every private endpoint of the factory (common parts and projects) resolves: each zone
/// its zone group names exists, and a link of that zone points at the vNet that holds the
/// endpoint's subnet.
fn every_endpoint_resolves(fx: &Arc<EmulatorFixture>) -> Check {
    let fx = fx.clone();
    check(
        "emulator: every private endpoint's zones exist and are linked to its subnet's vNet",
        move |state| {
            let objs = all_objects(state);
            let links: Vec<(String, String)> = objs
                .iter()
                .filter(|(_, t, _)| t == "Microsoft.Network/privateDnsZones/virtualNetworkLinks")
                .filter_map(|(_, _, id)| {
                    let l = fx.emulator.resource(id)?;
                    let vnet = l
                        .pointer("/properties/virtualNetwork/id")?
                        .as_str()?
                        .to_ascii_lowercase();
                    let zone = id.split("/virtualnetworklinks/").next()?.to_string();
                    Some((zone, vnet))
                })
                .collect();
            let groups: Vec<&String> = objs
                .iter()
                .filter(|(_, t, _)| t == "Microsoft.Network/privateEndpoints/privateDnsZoneGroups")
                .map(|(_, _, id)| id)
                .collect();
            if groups.len() < 10 {
                return Err(format!("only {} zone groups", groups.len()));
            }
            for gid in groups {
                let pe_id = gid
                    .split("/privatednszonegroups/")
                    .next()
                    .unwrap_or_default();
                let pe = fx
                    .emulator
                    .resource(pe_id)
                    .ok_or(format!("{pe_id} missing"))?;
                let subnet = pe
                    .pointer("/properties/subnet/id")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let vnet = subnet
                    .split("/subnets/")
                    .next()
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                let group = fx.emulator.resource(gid).ok_or(format!("{gid} missing"))?;
                for c in group["properties"]["privateDnsZoneConfigs"]
                    .as_array()
                    .into_iter()
                    .flatten()
                {
                    let zone = c["properties"]["privateDnsZoneId"]
                        .as_str()
                        .unwrap_or_default()
                        .to_ascii_lowercase();
                    fx.emulator
                        .resource(&zone)
                        .ok_or(format!("{gid}: zone {zone} missing"))?;
                    if !links.iter().any(|(z, v)| *z == zone && *v == vnet) {
                        return Err(format!("{gid}: zone {zone} is not linked to {vnet}"));
                    }
                }
            }
            Ok(())
        },
    )
}

/// The example's files, with `projects.yaml` listing the given project numbers.
fn factory(numbers: &[u32]) -> Files {
    fn walk(root: &Path, dir: &Path, out: &mut Files) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .expect("read example")
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(root, &p, out);
            } else if p.extension().is_some_and(|x| x == "tf") {
                let rel = p
                    .strip_prefix(root)
                    .expect("inside")
                    .to_string_lossy()
                    .into_owned();
                out.push((rel, std::fs::read_to_string(&p).expect("read file")));
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/aifactory");
    let mut files = Files::new();
    walk(&root, &root, &mut files);
    let mut yaml = String::from("projects:\n");
    for n in numbers {
        yaml.push_str(&format!(
            "  - number: {n}\n    type: genai\n    cost_centre: \"47{n:02}\"\n    principal_type: Group\n    members:\n      - 6a1f1b52-0d0e-4a3c-9a58-1a7e3c1d000{}\n",
            n % 6 + 1
        ));
    }
    files.push(("projects.yaml".to_string(), yaml));
    files
}

/// Every planned change whose address mentions `needle`, with its actions.
fn changes_matching(plan: &Value, needle: &str) -> Vec<(String, Vec<String>)> {
    plan["resource_changes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| {
            let addr = c["address"].as_str()?;
            let actions: Vec<String> = c
                .pointer("/change/actions")?
                .as_array()?
                .iter()
                .filter_map(|a| a.as_str().map(String::from))
                .collect();
            (addr.contains(needle) && actions != ["no-op"]).then(|| (addr.to_string(), actions))
        })
        .collect()
}

fn only_project_changes(project: &'static str, action: &'static str) -> PlanCheck {
    plan_check(format!("only {project} is {action}d"), true, move |p| {
        let all = changes_matching(&p.json, "");
        if all.is_empty() {
            return Err("the plan changes nothing".into());
        }
        for (addr, actions) in &all {
            if !addr.contains(project) || actions != &[action.to_string()] {
                return Err(format!("unexpected change {addr}: {actions:?}"));
            }
        }
        Ok(())
    })
}

#[test]
fn onboarding_and_offboarding_touch_only_that_project() {
    let fx = policed();
    let case = Case::new("factory_onboarding")
        .envs(fx.env())
        .step(
            ConfigStep::from_files(factory(&[1, 2]))
                .check(output_matches("factory", |f| {
                    ["dev", "test", "prod"]
                        .iter()
                        .all(|s| f[s]["projects"].as_object().is_some_and(|p| p.len() == 2))
                }))
                .check(every_endpoint_resolves(&fx)),
        )
        .step(
            ConfigStep::from_files(factory(&[1, 2, 3]))
                .plan_check(only_project_changes("project003", "create")),
        )
        .step(
            ConfigStep::from_files(factory(&[1, 3]))
                .plan_check(only_project_changes("project002", "delete")),
        );
    run_on_all_clis(&case);
}

/// The value of `attr` of the resource at `addr` in a `terraform show -json` state.
fn state_attr(state: &Value, addr: &str, attr: &str) -> Result<String, String> {
    fn walk<'a>(m: &'a Value, addr: &str) -> Option<&'a Value> {
        let here = m["resources"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|r| r["address"] == addr);
        here.or_else(|| {
            m["child_modules"]
                .as_array()
                .into_iter()
                .flatten()
                .find_map(|c| walk(c, addr))
        })
    }
    walk(&state["values"]["root_module"], addr)
        .and_then(|r| r["values"][attr].as_str())
        .map(String::from)
        .ok_or_else(|| format!("{addr}.{attr} not in the state"))
}

/// A stage's common part and the factory's projects (a genai and an esml one, in two
/// stages), removed from state and imported back one by one by their resource group IDs:
/// the first plan after each import has no resource change, with and without refresh.
#[test]
fn imports_into_the_factory_converge() {
    let fx = policed();
    let mut case = Case::new("factory_imports")
        .envs(fx.env())
        .step(ConfigStep::from_files(factory(&[1, 2])));
    for (stage, addr) in [
        ("dev", "aifactory_common.stage"),
        ("dev", "aifactory_project.project[\"project001\"]"),
        ("dev", "aifactory_project.project[\"project002\"]"),
        ("prod", "aifactory_project.project[\"project001\"]"),
    ] {
        let addr = format!("module.{stage}.{addr}");
        let from = addr.clone();
        case = case.step(
            import_step(&addr)
                .in_place()
                .id_fn(move |s| state_attr(s, &from, "id")),
        );
    }
    run_on_all_clis(&case);
}

/// The way back after state is lost (a killed provider, a second workspace): a project's
/// create finds its resource group and refuses, naming the import; one import brings the
/// whole project back, the next plan is empty and the destroy at the end is clean.
#[test]
fn a_lost_project_is_refused_then_imported_back() {
    let fx = policed();
    let addr = "module.dev.aifactory_project.project[\"project001\"]";
    let case = Case::new("factory_lost_project")
        .envs(fx.env())
        .step(ConfigStep::from_files(factory(&[1])))
        .step(
            import_step(addr)
                .refused_create("The project already exists*terraform import")
                .id_fn(move |s| state_attr(s, addr, "id")),
        );
    run_on_all_clis(&case);
}
