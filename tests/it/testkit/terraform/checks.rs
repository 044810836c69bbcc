//! Checks: state checks (`attr`, `output`, …) and plan checks (`plan_contains`,
//! `plan_actions`, …) a step runs after apply or plan.

use super::*;
use serde_json::Value;

pub(super) type CheckFn = Box<dyn Fn(&Value) -> Result<(), String>>;
pub(super) type PlanCheckFn = Box<dyn Fn(&Plan) -> Result<(), String>>;
pub(super) type ImportIdFn = Box<dyn Fn(&Value) -> Result<String, String>>;

/// A check on the `terraform show -json` state document.
pub struct Check {
    pub description: String,
    pub(super) f: CheckFn,
}

impl Check {
    pub fn new(
        description: impl Into<String>,
        f: impl Fn(&Value) -> Result<(), String> + 'static,
    ) -> Check {
        Check {
            description: description.into(),
            f: Box::new(f),
        }
    }

    pub fn run(&self, state: &Value) -> Result<(), String> {
        (self.f)(state)
    }
}

/// Any custom check on the whole state document.
pub fn check(
    description: impl Into<String>,
    f: impl Fn(&Value) -> Result<(), String> + 'static,
) -> Check {
    Check::new(description, f)
}

/// `address`'s attribute at `path` equals `expected` (see [`values_equal`]).
pub fn attr(address: &str, path: &str, expected: impl Into<Value>) -> Check {
    let (address, path, expected) = (address.to_string(), path.to_string(), expected.into());
    Check::new(format!("{address}: {path} == {expected}"), move |state| {
        let values = resource_values(state, &address)?;
        match lookup(values, &path) {
            Some(actual) if values_equal(&actual, &expected) => Ok(()),
            Some(actual) => Err(format!(
                "{address}: {path} is {actual}, expected {expected}"
            )),
            None => Err(format!("{address}: {path} is not set, expected {expected}")),
        }
    })
}

/// `address`'s attribute at `path` is present and not null.
pub fn attr_set(address: &str, path: &str) -> Check {
    let (address, path) = (address.to_string(), path.to_string());
    Check::new(format!("{address}: {path} is set"), move |state| {
        let values = resource_values(state, &address)?;
        lookup(values, &path)
            .map(|_| ())
            .ok_or_else(|| format!("{address}: {path} is not set"))
    })
}

/// `address`'s attribute at `path` is missing or null.
pub fn no_attr(address: &str, path: &str) -> Check {
    let (address, path) = (address.to_string(), path.to_string());
    Check::new(format!("{address}: {path} is not set"), move |state| {
        let values = resource_values(state, &address)?;
        match lookup(values, &path) {
            None => Ok(()),
            Some(v) => Err(format!("{address}: {path} is {v}, expected it unset")),
        }
    })
}

/// `address`'s attribute at `path` is set and satisfies `pred`.
pub fn attr_matches(address: &str, path: &str, pred: impl Fn(&Value) -> bool + 'static) -> Check {
    let (address, path) = (address.to_string(), path.to_string());
    Check::new(
        format!("{address}: {path} matches predicate"),
        move |state| {
            let values = resource_values(state, &address)?;
            match lookup(values, &path) {
                Some(v) if pred(&v) => Ok(()),
                Some(v) => Err(format!(
                    "{address}: {path} = {v} does not satisfy the predicate"
                )),
                None => Err(format!("{address}: {path} is not set")),
            }
        },
    )
}

/// Root-module output `name` equals `expected`.
pub fn output(name: &str, expected: impl Into<Value>) -> Check {
    let (name, expected) = (name.to_string(), expected.into());
    Check::new(format!("output {name} == {expected}"), move |state| {
        let actual = output_value(state, &name)?;
        if values_equal(&actual, &expected) {
            Ok(())
        } else {
            Err(format!("output {name} is {actual}, expected {expected}"))
        }
    })
}

/// Root-module output `name` is set and satisfies `pred`.
pub fn output_matches(name: &str, pred: impl Fn(&Value) -> bool + 'static) -> Check {
    let name = name.to_string();
    Check::new(format!("output {name} matches predicate"), move |state| {
        let actual = output_value(state, &name)?;
        if pred(&actual) {
            Ok(())
        } else {
            Err(format!(
                "output {name} = {actual} does not satisfy the predicate"
            ))
        }
    })
}

/// The value of root-module output `name` in a state document.
pub fn output_value(state: &Value, name: &str) -> Result<Value, String> {
    state
        .pointer("/values/outputs")
        .and_then(|o| o.get(name))
        .map(|o| o["value"].clone())
        .ok_or_else(|| {
            let known: Vec<String> = state
                .pointer("/values/outputs")
                .and_then(Value::as_object)
                .map(|o| o.keys().cloned().collect())
                .unwrap_or_default();
            format!("no output {name:?} (outputs: {known:?})")
        })
}

/// What plan checks see: the human plan output and, when some check needs it,
/// `terraform show -json <planfile>`.
pub struct Plan {
    pub text: String,
    pub json: Value,
}

pub struct PlanCheck {
    pub description: String,
    pub(super) needs_json: bool,
    pub(super) f: PlanCheckFn,
}

impl PlanCheck {
    pub fn new(
        description: impl Into<String>,
        needs_json: bool,
        f: impl Fn(&Plan) -> Result<(), String> + 'static,
    ) -> PlanCheck {
        PlanCheck {
            description: description.into(),
            needs_json,
            f: Box::new(f),
        }
    }
}

/// The human-readable plan (`-no-color`) contains `needle` (normalised).
pub fn plan_contains(needle: &str) -> PlanCheck {
    let needle = needle.to_string();
    PlanCheck::new(format!("plan contains {needle:?}"), false, move |p| {
        if text_contains(&p.text, &needle) {
            Ok(())
        } else {
            Err(format!("plan output does not contain {needle:?}"))
        }
    })
}

/// The human-readable plan does not contain `needle` (normalised).
pub fn plan_not_contains(needle: &str) -> PlanCheck {
    let needle = needle.to_string();
    PlanCheck::new(
        format!("plan does not contain {needle:?}"),
        false,
        move |p| {
            if text_contains(&p.text, &needle) {
                Err(format!("plan output contains {needle:?}"))
            } else {
                Ok(())
            }
        },
    )
}

/// In `planned_values`, `address`'s attribute at `path` equals `expected`
/// (so it is known at plan time).
pub fn planned_attr(address: &str, path: &str, expected: impl Into<Value>) -> PlanCheck {
    let (address, path, expected) = (address.to_string(), path.to_string(), expected.into());
    PlanCheck::new(
        format!("planned {address}: {path} == {expected}"),
        true,
        move |p| {
            let values = resource_values(&p.json, &address)?;
            match lookup(values, &path) {
                Some(actual) if values_equal(&actual, &expected) => Ok(()),
                Some(actual) => Err(format!(
                    "planned {address}: {path} is {actual}, expected {expected}"
                )),
                None => Err(format!(
                    "planned {address}: {path} is unset or unknown, expected {expected}"
                )),
            }
        },
    )
}

/// The actions planned for `address` (`resource_changes[].change.actions`)
/// are exactly `actions`, e.g. `["update"]`, `["no-op"]`, `["create"]`.
pub fn plan_actions(address: &str, actions: &[&str]) -> PlanCheck {
    let address = address.to_string();
    let want: Vec<String> = actions.iter().map(|s| s.to_string()).collect();
    PlanCheck::new(
        format!("plan actions for {address} == {want:?}"),
        true,
        move |p| {
            let got = planned_actions(&p.json, &address)?;
            if got == want {
                Ok(())
            } else {
                Err(format!(
                    "plan actions for {address} are {got:?}, expected {want:?}"
                ))
            }
        },
    )
}

/// `address` is planned for replacement (delete+create in either order).
pub fn plan_replaces(address: &str) -> PlanCheck {
    let address = address.to_string();
    PlanCheck::new(format!("{address} is replaced"), true, move |p| {
        let got = planned_actions(&p.json, &address)?;
        let mut sorted = got.clone();
        sorted.sort();
        if sorted == ["create", "delete"] {
            Ok(())
        } else {
            Err(format!(
                "plan actions for {address} are {got:?}, expected a replacement"
            ))
        }
    })
}

fn planned_actions(plan: &Value, address: &str) -> Result<Vec<String>, String> {
    let changes = plan["resource_changes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let change = changes
        .iter()
        .find(|c| c["address"].as_str() == Some(address))
        .ok_or_else(|| format!("no planned change for {address}"))?;
    Ok(change
        .pointer("/change/actions")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default())
}

/// Any custom check on the plan.
pub fn plan_check(
    description: impl Into<String>,
    needs_json: bool,
    f: impl Fn(&Plan) -> Result<(), String> + 'static,
) -> PlanCheck {
    PlanCheck::new(description, needs_json, f)
}
