//! The plan-time preflight of a new common part, from reads only: every resource provider
//! the factory uses is registered in the subscription (else one error listing the
//! `az provider register` commands), and offers the types the stage writes in its region;
//! and (at any plan) a warning for Defender plans the stage would newly set that are already
//! on in the subscription (shared with whoever turned them on).
//!
//! Must not: write anything (registering a provider is the subscription owner's call).

use std::collections::BTreeSet;

use aifactory_azure::{AzureClient, Ctx};
use serde_json::Value as Json;

use crate::framework::{AttrPath, Diagnostics};

/// The namespaces the stage's projects write (needed before a project uses them; the
/// common part itself needs the namespaces of the types it writes).
pub const PROJECT_NAMESPACES: [&str; 8] = [
    "Microsoft.ManagedIdentity",
    "Microsoft.MachineLearningServices",
    "Microsoft.CognitiveServices",
    "Microsoft.Search",
    "Microsoft.DocumentDB",
    "Microsoft.App",
    "Microsoft.Databricks",
    "Microsoft.DataFactory",
];

/// Namespaces every subscription has.
const ALWAYS: [&str; 2] = ["Microsoft.Resources", "Microsoft.Authorization"];

/// `api-version` of `GET /subscriptions/{id}/providers`.
const PROVIDERS_API: &str = "2021-04-01";

/// `westeurope` for `West Europe` (ARM lists display names).
fn region_key(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Check registration and regional availability of `types` (ARM types the stage writes).
pub async fn check(
    client: &AzureClient,
    ctx: &Ctx,
    subscription_id: &str,
    location: &str,
    types: &BTreeSet<String>,
    diags: &mut Diagnostics,
) {
    let items = match client
        .arm()
        .list(
            ctx,
            &format!("/subscriptions/{subscription_id}/providers"),
            PROVIDERS_API,
        )
        .await
    {
        Ok(items) => items,
        Err(e) => {
            diags.warning(
                AttrPath::root(),
                "Could not check the subscription's resource providers",
                format!(
                    "{}: the preflight (registered providers, regional availability) was skipped; apply reports what Azure refuses.",
                    e.summary()
                ),
            );
            return;
        }
    };
    if items.is_empty() {
        // ARM always lists every namespace (registered or not): an empty answer is a proxy
        // or an endpoint that does not know this call.
        diags.warning(
            AttrPath::root(),
            "Could not check the subscription's resource providers",
            "The provider list came back empty: the preflight (registered providers, regional availability) was skipped; apply reports what Azure refuses.",
        );
        return;
    }
    let find = |ns: &str| -> Option<&Json> {
        items.iter().find(|p| {
            p.get("namespace")
                .and_then(Json::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(ns))
        })
    };
    let registered = |ns: &str| -> bool {
        find(ns)
            .and_then(|p| p.get("registrationState").and_then(Json::as_str))
            .is_some_and(|s| s.eq_ignore_ascii_case("Registered"))
    };
    let own: BTreeSet<String> = types
        .iter()
        .filter_map(|t| t.split_once('/').map(|(ns, _)| ns.to_string()))
        .filter(|ns| !ALWAYS.iter().any(|a| a.eq_ignore_ascii_case(ns)))
        .collect();
    let missing_own: Vec<&str> = own
        .iter()
        .map(String::as_str)
        .filter(|ns| !registered(ns))
        .collect();
    let missing_projects: Vec<&str> = PROJECT_NAMESPACES
        .iter()
        .copied()
        .filter(|ns| !own.contains(*ns) && !registered(ns))
        .collect();
    let commands = |list: &[&str]| -> String {
        list.iter()
            .map(|ns| {
                format!("  az provider register --subscription {subscription_id} --namespace {ns}")
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let plural = |n: usize| if n == 1 { " is" } else { "s are" };
    if !missing_own.is_empty() {
        diags.error(
            AttrPath::root(),
            format!(
                "{} resource provider{} not registered",
                missing_own.len(),
                plural(missing_own.len())
            ),
            format!(
                "The common part writes types of {} in subscription {subscription_id}, where {} not registered, so Azure would refuse them (MissingSubscriptionRegistration). Someone with the subscription's */register/action permission (Owner or Contributor) runs:\n\n{}\n\nthen plan again (registration takes a few minutes).",
                missing_own.join(", "),
                if missing_own.len() == 1 { "it is" } else { "they are" },
                commands(&missing_own)
            ),
        );
    }
    if !missing_projects.is_empty() {
        diags.warning(
            AttrPath::root(),
            format!(
                "{} resource provider{} the projects use {} not registered",
                missing_projects.len(),
                if missing_projects.len() == 1 { "" } else { "s" },
                if missing_projects.len() == 1 { "is" } else { "are" }
            ),
            format!(
                "Projects of this stage with services of {} will be refused until they are registered in subscription {subscription_id}:\n\n{}",
                missing_projects.join(", "),
                commands(&missing_projects)
            ),
        );
    }
    let want = region_key(location);
    let mut missing = Vec::new();
    for t in types {
        let Some((ns, rest)) = t.split_once('/') else {
            continue;
        };
        let Some(p) = find(ns) else {
            continue;
        };
        let Some(rt) = p
            .get("resourceTypes")
            .and_then(Json::as_array)
            .and_then(|a| {
                a.iter().find(|r| {
                    r.get("resourceType")
                        .and_then(Json::as_str)
                        .is_some_and(|x| x.eq_ignore_ascii_case(rest))
                })
            })
        else {
            continue;
        };
        let Some(locations) = rt.get("locations").and_then(Json::as_array) else {
            continue;
        };
        // Global types list none or "global".
        if locations.is_empty()
            || locations
                .iter()
                .filter_map(Json::as_str)
                .any(|l| region_key(l) == want || region_key(l) == "global")
        {
            continue;
        }
        missing.push(t.clone());
    }
    if !missing.is_empty() {
        diags.error(
            AttrPath::attr("location"),
            format!("Not offered in {location}"),
            format!(
                "Azure does not offer {} in {location} for this subscription. Choose a region that offers them (`az provider show --namespace <namespace> --query \"resourceTypes[?resourceType=='<type>'].locations\"`), or turn the service off.",
                missing.join(", ")
            ),
        );
    }
}

/// Defender plans this stage is about to set that are already Standard in the subscription
/// (another stage, the landing zone's policy, someone by hand): a warning, since the stage
/// takes them over and turns them off for everyone when it lets go of them. `plans`:
/// (plan name, pricing ID, api-version). An unreadable plan is left to apply.
pub async fn defender_already_on(
    client: &AzureClient,
    ctx: &Ctx,
    subscription_id: &str,
    plans: &[(String, String, String)],
    diags: &mut Diagnostics,
) {
    let mut on = Vec::new();
    for (name, id, api_version) in plans {
        if let Ok(Some(j)) = client.arm().get_opt(ctx, id, api_version).await {
            if j.pointer("/properties/pricingTier")
                .and_then(Json::as_str)
                .is_some_and(|t| t.eq_ignore_ascii_case("Standard"))
            {
                on.push(name.as_str());
            }
        }
    }
    if on.is_empty() {
        return;
    }
    diags.warning(
        AttrPath::attr("defender_plans"),
        "Defender plans already on in the subscription",
        format!(
            "{} {} already Standard in subscription {subscription_id}: another stage, the landing zone's policy or someone else turned {} on. Defender plans are per subscription, so this stage takes {} over, and removing {} from `defender_plans` (or destroying the stage) sets {} to Free for the whole subscription. Leave {} out here if {} managed elsewhere.",
            on.join(", "),
            if on.len() == 1 { "is" } else { "are" },
            if on.len() == 1 { "it" } else { "them" },
            if on.len() == 1 { "it" } else { "them" },
            if on.len() == 1 { "it" } else { "them" },
            if on.len() == 1 { "it" } else { "them" },
            if on.len() == 1 { "it" } else { "them" },
            if on.len() == 1 { "it is" } else { "they are" },
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::region_key;

    #[test]
    fn display_names_and_names_compare_equal() {
        assert_eq!(region_key("West Europe"), "westeurope");
        assert_eq!(region_key("swedencentral"), "swedencentral");
    }
}
