//! Acceptance tests: the real Terraform CLI (1.0.3 and the newest on PATH)
//! against the freshly built provider, offline. See `testkit::terraform`
//! for the harness and its environment knobs (AIFACTORY_KEEP_WORKDIR=1,
//! AIFACTORY_TF_LOG=TRACE, …). Run with `cargo test --test it acceptance::basic::`;
//! add `-- --nocapture` to see per-case timings and notes.

use std::cell::RefCell;
use std::rc::Rc;

use crate::testkit::terraform::*;
use ipnet::IpNet;
use serde_json::{json, Value};

const ADDR: &str = "aifactory_subnet_allocation.p001";

/// The provider preamble plus `body`.
fn cfg(body: &str) -> String {
    format!("{PROVIDER_PREAMBLE}\n{body}")
}

// ---------------------------------------------------------------------------
// CIDR helpers for checks
// ---------------------------------------------------------------------------

fn net(s: &str) -> Result<IpNet, String> {
    let n: IpNet = s.parse().map_err(|e| format!("{s:?} is not a CIDR: {e}"))?;
    if n.trunc() != n {
        return Err(format!("{s:?} has host bits set"));
    }
    Ok(n)
}

fn overlaps(a: &IpNet, b: &IpNet) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

/// The string map at `path` of the resource (e.g. `cidrs`).
fn string_map(state: &Value, address: &str, path: &str) -> Result<Vec<(String, String)>, String> {
    let values = resource_values(state, address)?;
    let map = lookup(values, path).unwrap_or(json!({}));
    let obj = map
        .as_object()
        .ok_or_else(|| format!("{address}: {path} is not a map: {map}"))?;
    obj.iter()
        .map(|(k, v)| {
            v.as_str()
                .map(|s| (k.clone(), s.to_string()))
                .ok_or_else(|| format!("{address}: {path}.{k} is not a string: {v}"))
        })
        .collect()
}

/// Every CIDR in `cidrs` is canonical, inside one of `pool`, clear of
/// `reserved`, and disjoint from the others; `prefixes` pins sizes by name.
fn layout_ok(
    cidrs: &[(String, String)],
    pool: &[&str],
    reserved: &[&str],
    prefixes: &[(&str, u8)],
) -> Result<(), String> {
    let pool: Vec<IpNet> = pool.iter().map(|s| net(s)).collect::<Result<_, _>>()?;
    let reserved: Vec<IpNet> = reserved.iter().map(|s| net(s)).collect::<Result<_, _>>()?;
    let mut seen: Vec<(String, IpNet)> = Vec::new();
    for (name, text) in cidrs {
        let n = net(text)?;
        if !pool.iter().any(|p| p.contains(&n)) {
            return Err(format!("{name} = {n} is outside the pool {pool:?}"));
        }
        if let Some(r) = reserved.iter().find(|r| overlaps(r, &n)) {
            return Err(format!("{name} = {n} overlaps reserved {r}"));
        }
        if let Some((other, o)) = seen.iter().find(|(_, o)| overlaps(o, &n)) {
            return Err(format!("{name} = {n} overlaps {other} = {o}"));
        }
        seen.push((name.clone(), n));
    }
    for (name, len) in prefixes {
        match seen.iter().find(|(n, _)| n == name) {
            Some((_, n)) if n.prefix_len() == *len => {}
            Some((_, n)) => return Err(format!("{name} = {n}, expected a /{len}")),
            None => return Err(format!("no CIDR for {name} (have {cidrs:?})")),
        }
    }
    Ok(())
}

/// A check that the resource's `path` map (cidrs / ipv6_cidrs) has a valid layout.
fn layout(
    address: &str,
    path: &str,
    pool: &'static [&'static str],
    reserved: &'static [&'static str],
    prefixes: &'static [(&'static str, u8)],
) -> Check {
    let (address, path) = (address.to_string(), path.to_string());
    check(format!("{address}: {path} layout"), move |state| {
        layout_ok(
            &string_map(state, &address, &path)?,
            pool,
            reserved,
            prefixes,
        )
    })
}

/// Output `name` equals the resource attribute `path`.
fn output_mirrors(name: &str, address: &str, path: &str) -> Check {
    let (name, address, path) = (name.to_string(), address.to_string(), path.to_string());
    check(format!("output {name} == {address}.{path}"), move |state| {
        let out = output_value(state, &name)?;
        let attr = lookup(resource_values(state, &address)?, &path).unwrap_or(Value::Null);
        if out == attr {
            Ok(())
        } else {
            Err(format!(
                "output {name} = {out}, but {address}.{path} = {attr}"
            ))
        }
    })
}

/// A shared cell that one step's check fills and a later step's check reads.
type Cell = Rc<RefCell<Value>>;

fn capture(cell: &Cell, address: &str, path: &str) -> Check {
    let (cell, address, path) = (cell.clone(), address.to_string(), path.to_string());
    check(format!("capture {address}.{path}"), move |state| {
        let v = lookup(resource_values(state, &address)?, &path)
            .ok_or_else(|| format!("{address}: {path} is not set"))?;
        *cell.borrow_mut() = v;
        Ok(())
    })
}

/// Every entry of the captured map is still present with the same value.
fn unchanged_entries(cell: &Cell, address: &str, path: &str) -> Check {
    let (cell, address, path) = (cell.clone(), address.to_string(), path.to_string());
    check(
        format!("{address}.{path}: earlier entries unchanged"),
        move |state| {
            let before = cell.borrow().clone();
            let before = before
                .as_object()
                .ok_or_else(|| format!("nothing captured for {path}"))?;
            let now = lookup(resource_values(state, &address)?, &path).unwrap_or(json!({}));
            for (k, v) in before {
                if now.get(k) != Some(v) {
                    return Err(format!(
                        "{path}.{k} moved: was {v}, now {}",
                        now.get(k).unwrap_or(&Value::Null)
                    ));
                }
            }
            Ok(())
        },
    )
}

/// Every planned CIDR in `planned_values` is known, and every new or changed
/// one is printed in the plan text (an update plan hides unchanged entries).
fn plan_shows_cidrs(address: &str, expected_count: usize) -> PlanCheck {
    let address = address.to_string();
    plan_check(
        format!("plan shows the CIDRs of {address}"),
        true,
        move |plan| {
            let values = resource_values(&plan.json, &address)?;
            let cidrs = values
                .get("cidrs")
                .and_then(Value::as_object)
                .ok_or_else(|| "cidrs is unknown in the plan".to_string())?;
            if cidrs.len() != expected_count {
                return Err(format!(
                    "planned cidrs has {} entries, expected {expected_count}: {cidrs:?}",
                    cidrs.len()
                ));
            }
            let before = plan.json["resource_changes"]
                .as_array()
                .and_then(|cs| cs.iter().find(|c| c["address"].as_str() == Some(&*address)))
                .and_then(|c| c.pointer("/change/before/cidrs"))
                .cloned()
                .unwrap_or(Value::Null);
            for (name, cidr) in cidrs {
                let text = cidr
                    .as_str()
                    .ok_or_else(|| format!("planned cidrs.{name} is not a string"))?;
                if before.get(name) == Some(cidr) {
                    continue; // unchanged: hidden in update plans
                }
                if !text_contains(&plan.text, &format!("\"{text}\"")) {
                    return Err(format!("plan text does not show cidrs.{name} = {text:?}"));
                }
            }
            Ok(())
        },
    )
}

// ---------------------------------------------------------------------------
// Harness smoke test: provider install + init + apply with outputs only
// ---------------------------------------------------------------------------

#[test]
fn harness_smoke() {
    let case = Case::new("harness_smoke").step(
        config_step(cfg(r#"output "hello" { value = "world" }"#))
            .check(output("hello", "world"))
            .check(output_matches("hello", |v| v.as_str() == Some("world"))),
    );
    run_on_all_clis(&case);
}

#[test]
fn harness_expect_error() {
    let case = Case::new("harness_expect_error").step(
        config_step(cfg(r#"output "bad" { value = var.missing }"#))
            .expect_error("Reference to undeclared input variable"),
    );
    run_on_all_clis(&case);
}

// ---------------------------------------------------------------------------
// (a) lifecycle: create, add a request (stable), change key (replace)
// ---------------------------------------------------------------------------

fn lifecycle_config(key: &str, extra: bool) -> String {
    let extra = if extra {
        "\n    extra  = { prefix_length = 28 }"
    } else {
        ""
    };
    cfg(&format!(
        r#"
resource "aifactory_subnet_allocation" "p001" {{
  key           = "{key}"
  address_space = ["10.20.0.0/16", "fd00:20::/48"]
  reserved      = ["10.20.0.0/24"]
  occupied      = []
  strategy      = "packed"
  subnets = {{
    genai  = {{ prefix_length = 25 }}
    aks    = {{ min_hosts = 50 }}
    webapp = {{ prefix_length = 27, ipv6 = true }}{extra}
  }}
}}

output "cidrs" {{
  value = aifactory_subnet_allocation.p001.cidrs
}}

output "ipv6_cidrs" {{
  value = aifactory_subnet_allocation.p001.ipv6_cidrs
}}
"#
    ))
}

const POOL4: &[&str] = &["10.20.0.0/16"];
const RESERVED: &[&str] = &["10.20.0.0/24"];
const SIZES: &[(&str, u8)] = &[("genai", 25), ("aks", 26), ("webapp", 27)];
const SIZES_EXTRA: &[(&str, u8)] = &[("genai", 25), ("aks", 26), ("webapp", 27), ("extra", 28)];

#[test]
fn subnet_allocation_lifecycle() {
    let cidrs: Cell = Rc::default();
    let ipv6: Cell = Rc::default();
    let id: Cell = Rc::default();
    let id_before = id.clone();

    let create = config_step(lifecycle_config("project001", false))
        .plan_check(plan_shows_cidrs(ADDR, 3))
        .plan_check(plan_actions(ADDR, &["create"]))
        .check(attr(ADDR, "key", "project001"))
        .check(attr(ADDR, "id", "project001"))
        .check(attr(ADDR, "strategy", "packed"))
        .check(attr(ADDR, "cidrs.%", 3))
        .check(attr(ADDR, "ipv6_cidrs.%", 1))
        .check(attr(ADDR, "allocated_addresses", 128 + 64 + 32))
        .check(layout(ADDR, "cidrs", POOL4, RESERVED, SIZES))
        .check(layout(
            ADDR,
            "ipv6_cidrs",
            &["fd00:20::/48"],
            &[],
            &[("webapp", 64)],
        ))
        .check(output_mirrors("cidrs", ADDR, "cidrs"))
        .check(output_mirrors("ipv6_cidrs", ADDR, "ipv6_cidrs"))
        .check(capture(&cidrs, ADDR, "cidrs"))
        .check(capture(&ipv6, ADDR, "ipv6_cidrs"))
        .check(capture(&id, ADDR, "id"));

    let add_request = config_step(lifecycle_config("project001", true))
        .plan_check(plan_actions(ADDR, &["update"]))
        .plan_check(plan_shows_cidrs(ADDR, 4))
        .check(attr(ADDR, "id", "project001"))
        .check(attr(ADDR, "cidrs.%", 4))
        .check(attr(ADDR, "allocated_addresses", 128 + 64 + 32 + 16))
        .check(layout(ADDR, "cidrs", POOL4, RESERVED, SIZES_EXTRA))
        .check(unchanged_entries(&cidrs, ADDR, "cidrs"))
        .check(unchanged_entries(&ipv6, ADDR, "ipv6_cidrs"))
        .check(output_mirrors("cidrs", ADDR, "cidrs"));

    let change_key = config_step(lifecycle_config("project002", true))
        .plan_check(plan_replaces(ADDR))
        .plan_check(plan_contains("forces replacement"))
        .check(attr(ADDR, "key", "project002"))
        .check(attr(ADDR, "id", "project002"))
        .check(check("id changed", move |state| {
            let now = lookup(resource_values(state, ADDR)?, "id").unwrap_or(Value::Null);
            let before = id_before.borrow().clone();
            if now == before {
                Err(format!("id is still {now} after the key changed"))
            } else {
                Ok(())
            }
        }))
        .check(layout(ADDR, "cidrs", POOL4, RESERVED, SIZES_EXTRA));

    let case = Case::new("subnet_allocation_lifecycle")
        .step(create)
        .step(add_request)
        .step(change_key);
    run_on_all_clis(&case);
}

// ---------------------------------------------------------------------------
// (b) the plan shows the CIDRs (no "known after apply")
// ---------------------------------------------------------------------------

#[test]
fn subnet_allocation_plan_shows_cidrs() {
    // A /24 split into two /25s: whatever the placement policy, both literal
    // CIDRs must be in the plan.
    let hcl = cfg(r#"
resource "aifactory_subnet_allocation" "p001" {
  key           = "plan"
  address_space = ["10.50.0.0/24"]
  subnets = {
    a = { prefix_length = 25 }
    b = { prefix_length = 25 }
  }
}
"#);
    let case = Case::new("subnet_allocation_plan_shows_cidrs").step(
        config_step(hcl)
            .plan_only()
            .expect_non_empty_plan()
            .plan_check(plan_contains("\"10.50.0.0/25\""))
            .plan_check(plan_contains("\"10.50.0.128/25\""))
            .plan_check(plan_not_contains("known after apply"))
            .plan_check(plan_shows_cidrs(ADDR, 2))
            .plan_check(planned_attr(ADDR, "allocated_addresses", 256)),
    );
    run_on_all_clis(&case);
}

// ---------------------------------------------------------------------------
// (c) bad input and exhaustion are errors that say what is wrong
// ---------------------------------------------------------------------------

#[test]
fn subnet_allocation_bad_input() {
    let host_bits = cfg(r#"
resource "aifactory_subnet_allocation" "p001" {
  key           = "bad"
  address_space = ["10.20.0.1/16"]
  subnets = {
    a = { prefix_length = 24 }
  }
}
"#);
    let too_large = cfg(r#"
resource "aifactory_subnet_allocation" "p001" {
  key           = "full"
  address_space = ["10.30.0.0/24"]
  reserved      = ["10.30.0.0/25"]
  subnets = {
    toolarge = { prefix_length = 24 }
  }
}
"#);
    // Two /25s fill the /24; the /26 cannot fit whatever the order.
    let exhausted = cfg(r#"
resource "aifactory_subnet_allocation" "p001" {
  key           = "full"
  address_space = ["10.30.0.0/24"]
  subnets = {
    first    = { prefix_length = 25 }
    second   = { prefix_length = 25 }
    overflow = { prefix_length = 26 }
  }
}
"#);
    let case = Case::new("subnet_allocation_bad_input")
        .step(config_step(host_bits).expect_error("10.20.0.1/16*10.20.0.0/16"))
        .step(config_step(too_large).expect_error("\"toolarge\""))
        .step(config_step(exhausted).expect_error("\"overflow\""));
    run_on_all_clis(&case);
}

// ---------------------------------------------------------------------------
// (d) slot strategy: same slot, same pool, different `occupied` => same CIDRs
// ---------------------------------------------------------------------------

#[test]
fn subnet_allocation_slot_is_independent_of_occupied() {
    let one = |name: &str, key: &str, occupied: &str| {
        format!(
            r#"
resource "aifactory_subnet_allocation" "{name}" {{
  key                = "{key}"
  address_space      = ["10.40.0.0/16"]
  occupied           = {occupied}
  strategy           = "slot"
  slot               = 3
  slot_prefix_length = 21
  subnets = {{
    genai  = {{ prefix_length = 25 }}
    aks    = {{ min_hosts = 50 }}
    webapp = {{ prefix_length = 27 }}
  }}
}}
"#
        )
    };
    // Slot 3 of /21 in 10.40.0.0/16 is 10.40.24.0/21; `occupied` only lists
    // CIDRs of other slots, so it must not matter.
    let hcl = cfg(&format!(
        "{}{}",
        one("dev", "dev", "[]"),
        one(
            "prod",
            "prod",
            r#"["10.40.0.0/21", "10.40.8.0/24", "10.40.32.0/20"]"#
        )
    ));
    let case = Case::new("subnet_allocation_slot").step(
        config_step(hcl)
            .check(attr("aifactory_subnet_allocation.dev", "strategy", "slot"))
            .check(layout(
                "aifactory_subnet_allocation.dev",
                "cidrs",
                &["10.40.24.0/21"],
                &[],
                SIZES,
            ))
            .check(layout(
                "aifactory_subnet_allocation.prod",
                "cidrs",
                &["10.40.24.0/21"],
                &[],
                SIZES,
            ))
            .check(check("dev and prod get identical CIDRs", |state| {
                let dev = string_map(state, "aifactory_subnet_allocation.dev", "cidrs")?;
                let prod = string_map(state, "aifactory_subnet_allocation.prod", "cidrs")?;
                if dev == prod {
                    Ok(())
                } else {
                    Err(format!("dev {dev:?} != prod {prod:?}"))
                }
            })),
    );
    run_on_all_clis(&case);
}

// ---------------------------------------------------------------------------
// (e) import
// ---------------------------------------------------------------------------

fn import_config() -> String {
    cfg(r#"
resource "aifactory_subnet_allocation" "p001" {
  key           = "project001"
  address_space = ["10.60.0.0/16"]
  reserved      = ["10.60.0.0/24"]
  subnets = {
    genai = { prefix_length = 25 }
    aks   = { min_hosts = 50 }
  }
}
"#)
}

/// Import with the `KEY|name=cidr,...` format (built from state, like
/// ImportStateIdFunc): the identity and the CIDRs must round-trip; the config
/// inputs cannot, so verify ignores them. A malformed ID is a clear error.
#[test]
fn subnet_allocation_import_adopts_cidrs() {
    let id_from_state = |state: &Value| -> Result<String, String> {
        let key = lookup(resource_values(state, ADDR)?, "key")
            .and_then(|v| v.as_str().map(String::from))
            .ok_or("no key")?;
        let pairs: Vec<String> = string_map(state, ADDR, "cidrs")?
            .into_iter()
            .map(|(n, c)| format!("{n}={c}"))
            .collect();
        Ok(format!("{key}|{}", pairs.join(",")))
    };
    let case = Case::new("subnet_allocation_import")
        .step(config_step(import_config()).check(attr(ADDR, "cidrs.%", 2)))
        .step(
            import_step(ADDR)
                .id("project001")
                .expect_error("Invalid import ID"),
        )
        .step(
            import_step(ADDR)
                .id_fn(id_from_state)
                .verify()
                .ignore("address_space")
                .ignore("reserved")
                .ignore("occupied")
                .ignore("strategy")
                .ignore("slot")
                .ignore("subnets")
                .check(attr(ADDR, "id", "project001"))
                .check(attr(ADDR, "key", "project001"))
                .check(attr(ADDR, "cidrs.%", 2)),
        );
    run_on_all_clis(&case);
}

// ---------------------------------------------------------------------------
// (f) provider function (Terraform >= 1.8)
// ---------------------------------------------------------------------------

#[test]
fn function_allocate_subnets() {
    let hcl = cfg(r#"
output "x" {
  value = provider::aifactory::allocate_subnets(["10.0.0.0/16"], ["10.0.0.0/24"], { a = 24, b = 26 })
}
"#);
    let case = Case::new("function_allocate_subnets")
        .min_version(FUNCTIONS_MIN)
        .step(
            config_step(hcl).check(check("output x is a valid allocation", |state| {
                let x = output_value(state, "x")?;
                let obj = x
                    .as_object()
                    .ok_or_else(|| format!("output x is not a map: {x}"))?;
                let mut pairs = Vec::new();
                for (k, v) in obj {
                    pairs.push((
                        k.clone(),
                        v.as_str()
                            .ok_or_else(|| format!("x.{k} is not a string: {v}"))?
                            .to_string(),
                    ));
                }
                if pairs.len() != 2 {
                    return Err(format!("expected 2 entries, got {pairs:?}"));
                }
                layout_ok(
                    &pairs,
                    &["10.0.0.0/16"],
                    &["10.0.0.0/24"],
                    &[("a", 24), ("b", 26)],
                )
            })),
        );
    run_on_all_clis(&case);
}

// ---------------------------------------------------------------------------
// (g) every example under examples/ applies cleanly
// ---------------------------------------------------------------------------

#[test]
fn examples_apply() {
    let dirs = example_dirs();
    if dirs.is_empty() {
        eprintln!("note: no example directories with *.tf under examples/; nothing to apply");
        return;
    }
    let clis = clis();
    let mut failures = Vec::new();
    // Examples of Azure-backed resources run against the in-process emulator.
    let fx = crate::testkit::emulator::EmulatorFixture::start();
    for dir in &dirs {
        let case = example_case(dir).envs(fx.env());
        for cli in &clis {
            if let Err(e) = run_case(cli, &case) {
                failures.push(e.to_string());
            }
        }
    }
    eprintln!(
        "applied {} example dir(s) on {} CLI(s)",
        dirs.len(),
        clis.len()
    );
    if !failures.is_empty() {
        panic!(
            "{} example run(s) failed:\n\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
}
