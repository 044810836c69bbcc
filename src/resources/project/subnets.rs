//! Plan-time subnet rules for `aifactory_project`: each subnet a switched-on service needs
//! (its descriptor's `SubnetNeed`: delegation, address ranges, smallest size) is read and
//! checked before anything is created, with an error on `subnet_ids["<purpose>"]` naming
//! the subnet, the rule, its source and the fix. Read only when the plan creates the
//! project or changes its subnets or services; a subnet created in the same apply (by
//! `aifactory_subnet_allocation`) is checked at apply, before the first write.
//!
//! Owns: the reads and the messages. Must not: write, or fail a plan because a subnet
//! could not be read for another reason than its absence (a warning says so).

use std::net::Ipv4Addr;

use crate::context::ProviderContext;
use crate::framework::{AttrPath, Diagnostics};
use aifactory_template::project::{api, services, Layout, ProjectSpec};
use serde_json::Value as Json;

const READ: std::time::Duration = std::time::Duration::from_secs(60);

/// `a.b.c.d/n` parsed.
fn cidr(s: &str) -> Option<(u32, u8)> {
    let (ip, len) = s.trim().split_once('/')?;
    let ip: Ipv4Addr = ip.parse().ok()?;
    let len: u8 = len.parse().ok().filter(|l| *l <= 32)?;
    Some((u32::from(ip), len))
}

/// Is `inner` inside `outer`?
fn within(inner: (u32, u8), outer: (u32, u8)) -> bool {
    let mask = |len: u8| {
        if len == 0 {
            0
        } else {
            u32::MAX << (32 - u32::from(len))
        }
    };
    inner.1 >= outer.1 && (inner.0 & mask(outer.1)) == (outer.0 & mask(outer.1))
}

/// The problems of one subnet (as Azure returned it) against one need.
pub(super) fn problems(subnet: &Json, need: &services::SubnetNeed) -> Vec<String> {
    let mut out = Vec::new();
    let props = subnet.get("properties").cloned().unwrap_or(Json::Null);
    if let Some(want) = need.delegation {
        let has = props
            .get("delegations")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .filter_map(|d| d.pointer("/properties/serviceName").and_then(Json::as_str))
            .any(|s| s.eq_ignore_ascii_case(want));
        if !has {
            out.push(format!(
                "it is not delegated to {want} (add the delegation to the subnet)"
            ));
        }
    }
    let prefix = props
        .get("addressPrefix")
        .and_then(Json::as_str)
        .or_else(|| {
            props
                .get("addressPrefixes")
                .and_then(Json::as_array)
                .and_then(|a| a.first())
                .and_then(Json::as_str)
        })
        .unwrap_or_default();
    match cidr(prefix) {
        None => out.push(format!("its address prefix {prefix:?} is not an IPv4 CIDR")),
        Some(p) => {
            if !need.ranges.is_empty()
                && !need
                    .ranges
                    .iter()
                    .filter_map(|r| cidr(r))
                    .any(|r| within(p, r))
            {
                out.push(format!(
                    "its range {prefix} is outside {} (move it to a range there)",
                    need.ranges.join(" or ")
                ));
            }
            if let Some(max) = need.max_prefix_length {
                if p.1 > max {
                    out.push(format!("it is a /{} and needs a /{max} or larger", p.1));
                }
            }
        }
    }
    out
}

/// When the checks run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Moment {
    /// At plan: a subnet that does not exist yet is skipped (it may be created in the same
    /// apply, by `aifactory_subnet_allocation`); the apply checks it.
    Plan,
    /// At apply, before the first write: every needed subnet must exist and fit.
    Apply,
}

/// Reads and checks every needed subnet that has rules.
pub(super) async fn check(
    ctx: &ProviderContext,
    spec: &ProjectSpec,
    moment: Moment,
    diags: &mut Diagnostics,
) {
    let layout = Layout::of(spec);
    let mut needs: Vec<&services::SubnetNeed> = Vec::new();
    for s in services::enabled(&layout) {
        for n in s.subnets {
            let ruled =
                n.delegation.is_some() || !n.ranges.is_empty() || n.max_prefix_length.is_some();
            if ruled && (n.needed)(&layout) && (layout.private || !n.private_only) {
                needs.push(n);
            }
        }
    }
    if needs.is_empty() {
        return;
    }
    let Ok(client) = ctx.azure() else {
        return;
    };
    for need in needs {
        let Some(id) = spec.subnet_ids.get(need.purpose) else {
            continue; // missing: the template reports it
        };
        let path = AttrPath::attr("subnet_ids").and_key(need.purpose);
        let rctx = ctx.request_ctx(READ);
        match client.arm().get_opt(&rctx, id, api::PRIVATE_ENDPOINT.api_version).await {
            Ok(None) if moment == Moment::Plan => {
                tracing::info!(subnet = %id, "not there yet: its rules are checked at apply");
            }
            Ok(None) => diags.error(
                path,
                format!("The {} subnet does not exist", need.purpose),
                format!(
                    "Azure has no {id}. {} needs it; create it first (aifactory_subnet_allocation) and pass its ID. \
                     Nothing was created.",
                    need.needed_for
                ),
            ),
            Ok(Some(subnet)) => {
                let p = problems(&subnet, need);
                if !p.is_empty() {
                    diags.error(
                        path,
                        format!("The {} subnet does not fit {}", need.purpose, need.needed_for),
                        format!(
                            "{id}: {}. Rule source: {}. Nothing was created.",
                            p.join("; "),
                            need.source
                        ),
                    );
                }
            }
            Err(e) => diags.warning(
                path,
                format!("The {} subnet was not checked", need.purpose),
                format!(
                    "Could not read {id} ({e}); its rules ({}) are checked by Azure at apply.",
                    need.source
                ),
            ),
        }
    }
}

/// Polls `subnet` until Azure lists no service association link on it (the Agent
/// service's, released some time after its capability host is deleted), logging progress;
/// bounded by `ctx` (the delete timeout). `Err` says what still holds it.
pub(super) async fn wait_for_release(
    client: &aifactory_azure::AzureClient,
    ctx: &aifactory_azure::Ctx,
    subnet: &str,
) -> Result<(), String> {
    let started = std::time::Instant::now();
    let mut delay = std::time::Duration::from_secs(2);
    loop {
        let links: Vec<String> = match client
            .arm()
            .get_opt(ctx, subnet, api::PRIVATE_ENDPOINT.api_version)
            .await
        {
            Ok(None) => return Ok(()),
            Ok(Some(s)) => s
                .pointer("/properties/serviceAssociationLinks")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
                .map(|l| {
                    l.pointer("/properties/linkedResourceType")
                        .and_then(Json::as_str)
                        .or_else(|| l.get("name").and_then(Json::as_str))
                        .unwrap_or("a service association link")
                        .to_string()
                })
                .collect(),
            Err(e) => return Err(format!("Reading {subnet}: {e}")),
        };
        if links.is_empty() {
            if started.elapsed() > std::time::Duration::from_secs(1) {
                tracing::info!(
                    subnet,
                    waited_secs = started.elapsed().as_secs(),
                    "the agent subnet is released"
                );
            }
            return Ok(());
        }
        tracing::info!(
            subnet,
            links = %links.join(", "),
            waited_secs = started.elapsed().as_secs(),
            "waiting for Azure to release the agent subnet's service association link"
        );
        let wait = ctx.remaining().map_or(delay, |r| r.min(delay));
        if wait.is_zero()
            || ctx
                .sleep("waiting for the agent subnet", wait)
                .await
                .is_err()
        {
            return Err(format!(
                "After {}s, {subnet} still has a service association link ({}). Azure releases it some \
                 time after the capability host is deleted; destroy the subnet (aifactory_subnet_allocation) \
                 once it is gone, or raise the delete timeout.",
                started.elapsed().as_secs(),
                links.join(", ")
            ));
        }
        delay = (delay * 2).min(std::time::Duration::from_secs(15));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_container_apps_subnet_needs_a_delegated_27() {
        let need = services::ServiceKey::ContainerApps.descriptor().subnets[0];
        let ok = json!({"properties": {"addressPrefix": "10.20.16.0/23", "delegations": [
            {"name": "aca", "properties": {"serviceName": "Microsoft.App/environments"}}]}});
        assert!(problems(&ok, &need).is_empty());
        let small = json!({"properties": {"addressPrefix": "10.20.16.0/28"}});
        let p = problems(&small, &need);
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[1].contains("needs a /27 or larger"), "{p:?}");
    }

    fn agent_need() -> services::SubnetNeed {
        services::ServiceKey::AiServices.descriptor().subnets[0]
    }

    #[test]
    fn the_agent_subnet_rules_as_a_table() {
        let subnet = |prefix: &str, delegated: bool| {
            let d = if delegated {
                json!([{"name": "d", "properties": {"serviceName": "Microsoft.App/environments"}}])
            } else {
                json!([])
            };
            json!({"properties": {"addressPrefix": prefix, "delegations": d}})
        };
        let cases: [(&str, bool, &[&str]); 7] = [
            ("172.16.4.0/23", true, &[]),
            ("192.168.10.0/23", true, &[]),
            ("192.168.10.0/24", true, &["needs a /23 or larger"]),
            (
                "10.20.4.0/23",
                true,
                &["outside 172.16.0.0/12 or 192.168.0.0/16"],
            ),
            ("172.16.4.0/25", true, &["needs a /23 or larger"]),
            (
                "172.16.4.0/23",
                false,
                &["not delegated to Microsoft.App/environments"],
            ),
            (
                "10.0.0.0/26",
                false,
                &["not delegated", "outside", "needs a /23"],
            ),
        ];
        for (prefix, delegated, wants) in cases {
            let p = problems(&subnet(prefix, delegated), &agent_need());
            assert_eq!(p.len(), wants.len(), "{prefix} {delegated}: {p:?}");
            for w in wants {
                assert!(
                    p.iter().any(|x| x.contains(w)),
                    "{prefix}: {w} not in {p:?}"
                );
            }
        }
    }
}
