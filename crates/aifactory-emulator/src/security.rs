//! Microsoft Defender for Cloud plans (`{scope}/providers/Microsoft.Security/pricings/{plan}`,
//! stable 2024-01-01: PUT 200/201, DELETE 200/204, synchronous, no PATCH): a plan is set at
//! subscription scope (resource scope only for virtual machines, which the emulator does not
//! serve), its name is one of Defender's plans ([`PLANS`]), `pricingTier` is required
//! (`Free` or `Standard`, the body rules), every plan reads `Free` until it is set (Azure
//! answers every plan of a subscription), and a subscription's plan is not deleted (DELETE
//! is for resource scope). Refusals are 400 `BadRequest` naming the plan or the
//! scope: Defender's codes for them are not documented.
//!
//! Owns these rules and the implicit plans; must not store or touch other providers.
//! Source: `security/resource-manager/Microsoft.Security/stable/2024-01-01/pricings.json`
//! (operations, `pricingTier`), learn.microsoft.com "Microsoft Defender for Cloud plans"
//! (plan names).

use crate::arm::id::{ArmPath, LevelKind};
use crate::http::{arm_error, Resp};
use http::StatusCode;
use serde_json::{json, Map, Value};

pub const PRICINGS: &str = "Microsoft.Security/pricings";

/// Defender's plan names at 2024-01-01.
pub const PLANS: [&str; 16] = [
    "VirtualMachines",
    "SqlServers",
    "AppServices",
    "StorageAccounts",
    "SqlServerVirtualMachines",
    "KeyVaults",
    "Dns",
    "Arm",
    "OpenSourceRelationalDatabases",
    "CosmosDbs",
    "Containers",
    "CloudPosture",
    "Api",
    "AI",
    "KubernetesService",
    "ContainerRegistry",
];

fn plan(name: &str) -> Option<&'static str> {
    PLANS.iter().copied().find(|p| p.eq_ignore_ascii_case(name))
}

fn bad(message: String) -> Resp {
    arm_error(StatusCode::BAD_REQUEST, "BadRequest", message)
}

/// Checks of a PUT (not applied when seeding).
pub fn check_put(path: &ArmPath, full_type: &str, _body: &Map<String, Value>) -> Result<(), Resp> {
    if !full_type.eq_ignore_ascii_case(PRICINGS) {
        return Ok(());
    }
    let n = path.levels.len();
    let scope = n.checked_sub(2).and_then(|i| path.levels.get(i));
    if !matches!(scope.map(|l| &l.kind), Some(LevelKind::Subscription)) {
        return Err(bad(format!(
            "Pricings are set at subscription scope (/subscriptions/{{id}}/providers/Microsoft.Security/pricings/{{plan}}); '{}' is not a supported scope.",
            scope.map(|l| l.id.as_str()).unwrap_or_default()
        )));
    }
    let name = path
        .levels
        .last()
        .map(|l| l.name.as_str())
        .unwrap_or_default();
    if plan(name).is_none() {
        return Err(bad(format!(
            "The pricing name '{name}' is not a Defender for Cloud plan; use one of {}.",
            PLANS.join(", ")
        )));
    }
    Ok(())
}

/// What GET answers for a plan of a subscription that was never set: `Free`.
pub fn implicit_at(full_type: &str, id: &str) -> Option<Value> {
    if !full_type.eq_ignore_ascii_case(PRICINGS) {
        return None;
    }
    let path = crate::arm::id::parse_id(id).ok()?;
    if path.levels.len() != 2 {
        return None;
    }
    let name = plan(&path.levels[1].name)?;
    Some(json!({
        "id": id,
        "name": name,
        "type": PRICINGS,
        "properties": {"pricingTier": "Free", "freeTrialRemainingTime": "P30D", "deprecated": false},
    }))
}

/// Checks of a DELETE of an existing plan: Defender deletes plans at resource scope only
/// (`Pricings_Delete` takes a resource ID), so a subscription's plan is set back to `Free`
/// with a PUT instead.
pub fn check_delete(full_type: &str, id: &str) -> Result<(), Resp> {
    if !full_type.eq_ignore_ascii_case(PRICINGS) {
        return Ok(());
    }
    let at_subscription = crate::arm::id::parse_id(id).is_ok_and(|p| p.levels.len() == 2);
    if at_subscription {
        return Err(bad(format!(
            "Pricing '{id}' is set at subscription scope, where plans are not deleted: PUT it with pricingTier 'Free' instead."
        )));
    }
    Ok(())
}
