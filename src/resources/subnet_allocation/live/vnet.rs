//! The virtual network as Azure shows it (`GET` of the vNet, api-version
//! [`NETWORK_API`]): its address space and subnets with their prefixes, range checks
//! between CIDRs, and the diagnostics about ranges and Azure errors the live mode reports.
//!
//! Must not: do I/O (callers GET and hand the JSON in), or know Terraform state.

use std::time::Duration;

use serde_json::Value as Json;

use crate::framework::{AttrPath, Diagnostic};
use aifactory_allocator::{self as allocator, Cidr};
use aifactory_azure::AzureError;

/// Microsoft.Network api-version for virtual networks and subnets.
pub(crate) const NETWORK_API: &str = "2024-05-01";
/// Time one apply or destroy may take (subnet writes serialize per vNet).
pub(super) const OPERATION_TIMEOUT: Duration = Duration::from_secs(60 * 60);
/// Time a read (plan, refresh, import) may take.
pub(super) const READ_TIMEOUT: Duration = Duration::from_secs(5 * 60);
/// Time the checks after a failure may take.
pub(super) const CHECK_TIMEOUT: Duration = Duration::from_secs(60);

/// One subnet of the vNet GET.
#[derive(Debug, Clone)]
pub(crate) struct LiveSubnet {
    pub name: String,
    pub prefixes: Vec<Cidr>,
    pub body: Json,
}

impl LiveSubnet {
    pub fn v4(&self) -> Option<String> {
        self.prefixes
            .iter()
            .find(|c| matches!(c, Cidr::V4(_)))
            .map(Cidr::to_string)
    }
    pub fn v6(&self) -> Option<String> {
        self.prefixes
            .iter()
            .find(|c| matches!(c, Cidr::V6(_)))
            .map(Cidr::to_string)
    }
    pub fn prefixes_text(&self) -> String {
        self.prefixes
            .iter()
            .map(Cidr::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The parts of a virtual network the allocation needs.
#[derive(Debug, Clone, Default)]
pub(crate) struct Vnet {
    /// The vNet's region (its NSGs and route table go there too).
    pub location: String,
    pub address_space: Vec<String>,
    pub subnets: Vec<LiveSubnet>,
}

pub(super) fn prefixes_of(props: Option<&Json>) -> Vec<Cidr> {
    let mut out: Vec<Cidr> = Vec::new();
    let Some(p) = props else { return out };
    let single = p.get("addressPrefix").and_then(Json::as_str);
    let many = p
        .get("addressPrefixes")
        .and_then(Json::as_array)
        .map(|a| a.iter().filter_map(Json::as_str).collect::<Vec<_>>())
        .unwrap_or_default();
    for text in single.into_iter().chain(many) {
        if let Ok(c) = allocator::parse_cidr(text.trim()) {
            if !out.contains(&c) {
                out.push(c);
            }
        }
    }
    out
}

pub(crate) fn parse_vnet(j: &Json) -> Vnet {
    let address_space = j
        .pointer("/properties/addressSpace/addressPrefixes")
        .and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Json::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let subnets = j
        .pointer("/properties/subnets")
        .and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| {
                    let name = s
                        .get("name")
                        .and_then(Json::as_str)
                        .map(str::to_string)
                        .or_else(|| {
                            s.get("id")
                                .and_then(Json::as_str)
                                .and_then(|id| id.rsplit('/').next())
                                .map(str::to_string)
                        })?;
                    Some(LiveSubnet {
                        name,
                        prefixes: prefixes_of(s.get("properties")),
                        body: s.clone(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    Vnet {
        location: j
            .get("location")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string(),
        address_space,
        subnets,
    }
}

impl Vnet {
    /// The subnet named `name` (subnet names are case-insensitive).
    pub fn subnet(&self, name: &str) -> Option<&LiveSubnet> {
        self.subnets
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(name))
    }

    pub fn space(&self) -> Vec<Cidr> {
        self.address_space
            .iter()
            .filter_map(|s| allocator::parse_cidr(s.trim()).ok())
            .collect()
    }

    /// A subnet other than `name` that overlaps `cidr`.
    pub fn overlapping(&self, name: &str, cidr: &Cidr) -> Option<&LiveSubnet> {
        self.subnets.iter().find(|s| {
            !s.name.eq_ignore_ascii_case(name) && s.prefixes.iter().any(|p| overlap(p, cidr))
        })
    }
}

pub(super) fn overlap(a: &Cidr, b: &Cidr) -> bool {
    match (a, b) {
        (Cidr::V4(x), Cidr::V4(y)) => x.overlaps(y),
        (Cidr::V6(x), Cidr::V6(y)) => x.overlaps(y),
        _ => false,
    }
}

pub(super) fn contains(outer: &Cidr, inner: &Cidr) -> bool {
    match (outer, inner) {
        (Cidr::V4(x), Cidr::V4(y)) => x.contains(y),
        (Cidr::V6(x), Cidr::V6(y)) => x.contains(y),
        _ => false,
    }
}

pub(super) fn last_segment(id: &str) -> &str {
    id.rsplit('/').next().unwrap_or(id)
}

pub(super) fn subnets_path(purpose: &str) -> AttrPath {
    AttrPath::attr("subnets").and_key(purpose)
}

/// The message when a planned range is no longer free.
pub(super) fn taken_since_plan(
    purpose: &str,
    name: &str,
    cidr: &str,
    by: &str,
    vnet_id: &str,
) -> Diagnostic {
    Diagnostic::error(
        subnets_path(purpose),
        format!("The range planned for subnets[{purpose:?}] was taken since the plan"),
        format!(
            "The plan gave subnets[{purpose:?}] (subnet {name}) {cidr}, but {cidr} was taken by {by} since the \
             plan; run terraform plan again. The new plan allocates a free range (another workspace allocated \
             in virtual network {} at the same time); nothing overlapping was created.",
            last_segment(vnet_id)
        ),
    )
}

/// The message when a create finds a subnet under the requested name that this
/// allocation does not own (and `adopt_existing` is not set).
pub(super) fn not_owned(purpose: &str, name: &str, vnet_id: &str, key: &str) -> Diagnostic {
    Diagnostic::error(
        subnets_path(purpose),
        format!("Subnet {name} already exists and this allocation does not manage it"),
        format!(
            "subnets[{purpose:?}] would create subnet {name}, but {vnet_id}/subnets/{name} already exists: another \
             workspace, another allocation or someone by hand made it. Nothing was written. To manage the \
             existing subnets with this resource, import the allocation (it takes the virtual network's subnets \
             named snt-{key}-<purpose>):\n\n  terraform import <resource address> '{vnet_id}|{key}'\n\n\
             or set `adopt_existing = true` to take them over on create (then `terraform destroy` deletes them, \
             whoever created them). If another workspace owns them, use a different `key` or subnet `name`."
        ),
    )
}

pub(super) fn outside_since_plan(purpose: &str, name: &str, cidr: &str, vnet: &Vnet) -> Diagnostic {
    Diagnostic::error(
        subnets_path(purpose),
        format!("The range planned for subnets[{purpose:?}] left the virtual network's address space"),
        format!(
            "The plan gave subnets[{purpose:?}] (subnet {name}) {cidr}, but the virtual network's address space is \
             now {}. Run terraform plan again to allocate inside it.",
            vnet.address_space.join(", ")
        ),
    )
}

pub(super) fn azure_diag(path: AttrPath, what: &str, e: &AzureError) -> Diagnostic {
    if e.code() == Some("RequestDisallowedByPolicy") {
        if let Some(api) = e.api() {
            return policy_diag(path, what, api);
        }
    }
    Diagnostic::error(path, format!("{what}: {}", e.summary()), e.detail())
}

/// An Azure Policy denial (403 `RequestDisallowedByPolicy`): which assignment and
/// definition refused what, and the fix (for an NSG policy: `network_security_group`).
fn policy_diag(path: AttrPath, what: &str, api: &aifactory_azure::ApiError) -> Diagnostic {
    let info = api
        .additional_info
        .iter()
        .find(|i| i.get("type").and_then(Json::as_str) == Some("PolicyViolation"))
        .and_then(|i| i.get("info"));
    let field = |k: &str| {
        info.and_then(|i| i.get(k))
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let display = field("policyDefinitionDisplayName");
    let assignment = field("policyAssignmentName");
    let assignment_id = field("policyAssignmentId");
    let definition_id = field("policyDefinitionId");
    let about_nsg = [&display, &definition_id, &api.message].iter().any(|s| {
        s.to_ascii_lowercase().contains("network security group")
            || s.to_ascii_lowercase().contains("nsg")
    });
    let fix = if about_nsg {
        "The landing zone requires a network security group on every subnet, in the subnet's first write. \
         Set `network_security_group = \"create\"` (one NSG per subnet with ESML's rules for its purpose) or \
         `network_security_group = \"<NSG ID>\"` on this resource, or a request's own `network_security_group_id`, \
         and apply again."
    } else {
        "Change the configuration so it complies with the policy, or ask the landing zone's owners for an \
         exemption at this scope, and apply again."
    };
    let named = if display.is_empty() {
        String::new()
    } else {
        format!(" \"{display}\"")
    };
    let mut detail = format!(
        "Azure Policy refused it (HTTP {} RequestDisallowedByPolicy): policy{named}",
        api.status
    );
    if !assignment.is_empty() {
        detail.push_str(&format!(", assignment {assignment} ({assignment_id})"));
    }
    if !definition_id.is_empty() {
        detail.push_str(&format!(", definition {definition_id}"));
    }
    detail.push_str(&format!(
        ".\n\n{fix}\n\nAzure said: {}\n{} {}",
        api.message, api.method, api.url
    ));
    if let Some(id) = &api.request_id {
        detail.push_str(&format!("\nRequest ID: {id}"));
    }
    if let Some(id) = &api.correlation_id {
        detail.push_str(&format!("\nCorrelation ID: {id}"));
    }
    Diagnostic::error(
        path,
        format!("{what}: denied by Azure Policy{named}"),
        detail,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn vnet_parsing_reads_both_prefix_forms() {
        let v = parse_vnet(&json!({"properties": {
        "addressSpace": {"addressPrefixes": ["10.0.0.0/16", "fd00::/48"]},
        "subnets": [
            {"name": "a", "properties": {"addressPrefix": "10.0.0.0/24"}},
            {"id": "/x/subnets/b", "properties": {"addressPrefix": null, "addressPrefixes": ["10.0.1.0/24", "fd00::/64"]}}
        ]}}));
        assert_eq!(v.address_space.len(), 2);
        assert_eq!(
            v.subnet("B").and_then(LiveSubnet::v6).as_deref(),
            Some("fd00::/64")
        );
        let c = allocator::parse_cidr("10.0.1.128/25").unwrap();
        assert_eq!(v.overlapping("x", &c).map(|s| s.name.as_str()), Some("b"));
        assert!(v.overlapping("b", &c).is_none());
    }
}
