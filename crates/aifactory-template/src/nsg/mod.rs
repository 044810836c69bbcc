//! Network security groups for the subnets of an AI Factory project, as data: one rule
//! table per subnet purpose ([`Purpose`]), each rule with ESML's name, priority,
//! direction, access, protocol, ports and prefixes ([`rules`]), ESML's NSG names, and the
//! ARM bodies and one-line summaries the provider writes and compares.
//!
//! Sources: ESML (`jostrm/azure-enterprise-scale-ml`, `environment_setup/aifactory/bicep/`):
//! `esml-genai-1/31-network.bicep` picks the module per subnet (`nsgGenAI.bicep` for the
//! genai, aca, aca-002 and webapp subnets, `aksNsg.bicep` for aks and aks-002,
//! `databricksNsg.bicep` for dbxpub and dbxpriv) and names the NSGs
//! `<purpose>-nsg-<project>-<loc>-<env>`; priorities 100 to 4096 and the field meanings
//! are Microsoft.Network 2024-05-01's `SecurityRulePropertiesFormat`. The Bastion subnet's
//! table ([`Purpose::Bastion`], the common part's only) is Microsoft's
//! (learn.microsoft.com/azure/bastion/bastion-nsg).
//!
//! Owns these facts and their rendering; must not do I/O or know Terraform.

mod rules;

pub use rules::{AKS, BASTION, DATABRICKS, DEFAULT, GENAI};

use serde_json::{json, Value};

/// Which way a rule filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Direction {
    Inbound,
    Outbound,
}

/// Whether a rule lets traffic through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Allow,
    Deny,
}

/// The protocol a rule matches (`*` is any).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Any,
    Tcp,
    Udp,
    Icmp,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Inbound => "Inbound",
            Direction::Outbound => "Outbound",
        }
    }
}

impl Access {
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Allow => "Allow",
            Access::Deny => "Deny",
        }
    }
}

impl Protocol {
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Any => "*",
            Protocol::Tcp => "Tcp",
            Protocol::Udp => "Udp",
            Protocol::Icmp => "Icmp",
        }
    }
}

/// The placeholder for the region in service tags such as `Storage.{location}`.
pub const LOCATION: &str = "{location}";

/// One security rule. Ports are `*`, a number or a range `a-b`; prefixes are `*`, a
/// service tag (possibly regional, with [`LOCATION`]) or CIDRs. One entry is written as
/// the singular property (`destinationPortRange`), several as the plural one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub name: &'static str,
    pub priority: u16,
    pub direction: Direction,
    pub access: Access,
    pub protocol: Protocol,
    pub source_ports: &'static [&'static str],
    pub destination_ports: &'static [&'static str],
    pub sources: &'static [&'static str],
    pub destinations: &'static [&'static str],
}

/// What a subnet is for, which decides its NSG's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Purpose {
    /// Private endpoints of the project's services (ESML's `genai` subnet).
    PrivateEndpoints,
    /// Container Apps environments, also the AI Foundry agent subnet (ESML `aca`, `aca-002`).
    ContainerApps,
    /// AKS (ESML `aks`, `aks-002`).
    Aks,
    /// App Service virtual network integration (ESML `webapp`).
    WebApps,
    /// Databricks' public (host) subnet (ESML `dbxpub`).
    DatabricksPublic,
    /// Databricks' private (container) subnet (ESML `dbxpriv`).
    DatabricksPrivate,
    /// Anything else: Azure's default rules only.
    Default,
    /// `AzureBastionSubnet` of the common part (Microsoft's required rules). Not in
    /// [`Purpose::ALL`]: a project's subnets never take it (Bastion deploys only into a
    /// subnet of that name), so `aifactory_subnet_allocation` neither accepts nor infers it.
    Bastion,
}

impl Purpose {
    pub const ALL: [Purpose; 7] = [
        Purpose::PrivateEndpoints,
        Purpose::ContainerApps,
        Purpose::Aks,
        Purpose::WebApps,
        Purpose::DatabricksPublic,
        Purpose::DatabricksPrivate,
        Purpose::Default,
    ];

    /// Every purpose, [`Purpose::Bastion`] included.
    pub const EVERY: [Purpose; 8] = [
        Purpose::PrivateEndpoints,
        Purpose::ContainerApps,
        Purpose::Aks,
        Purpose::WebApps,
        Purpose::DatabricksPublic,
        Purpose::DatabricksPrivate,
        Purpose::Default,
        Purpose::Bastion,
    ];

    /// The name users write.
    pub fn name(self) -> &'static str {
        match self {
            Purpose::PrivateEndpoints => "private_endpoints",
            Purpose::ContainerApps => "container_apps",
            Purpose::Aks => "aks",
            Purpose::WebApps => "web_apps",
            Purpose::DatabricksPublic => "databricks_public",
            Purpose::DatabricksPrivate => "databricks_private",
            Purpose::Default => "default",
            Purpose::Bastion => "bastion",
        }
    }

    /// The purpose of a name users write (exact, lower case).
    pub fn parse(name: &str) -> Option<Purpose> {
        Purpose::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The purpose of a subnet request named by ESML's subnet keys (`genai`, `aks`,
    /// `aks-002`/`aks2`, `aca`, `aca-002`/`aca2`, `webapp`, `dbxpub`, `dbxpriv`, case
    /// ignored) or by a purpose name; [`Purpose::Default`] for any other key.
    pub fn of_key(key: &str) -> Purpose {
        let k = key.to_ascii_lowercase();
        if let Some(p) = Purpose::parse(&k) {
            return p;
        }
        let k = k.replace(['-', '_'], "");
        match k.as_str() {
            "genai" | "pe" | "pend" | "privateendpoint" => Purpose::PrivateEndpoints,
            "dbxpub" | "dbxpublic" => Purpose::DatabricksPublic,
            "dbxpriv" | "dbxprivate" => Purpose::DatabricksPrivate,
            _ if k.starts_with("aks") => Purpose::Aks,
            _ if k.starts_with("aca") || k.starts_with("agent") => Purpose::ContainerApps,
            _ if k.starts_with("webapp") => Purpose::WebApps,
            _ => Purpose::Default,
        }
    }

    /// The rule table of this purpose.
    pub fn rules(self) -> &'static [Rule] {
        match self {
            Purpose::PrivateEndpoints | Purpose::ContainerApps | Purpose::WebApps => GENAI,
            Purpose::Aks => AKS,
            Purpose::DatabricksPublic | Purpose::DatabricksPrivate => DATABRICKS,
            Purpose::Default => DEFAULT,
            Purpose::Bastion => BASTION,
        }
    }

    /// The ESML module the table comes from.
    pub fn source(self) -> &'static str {
        match self {
            Purpose::PrivateEndpoints | Purpose::ContainerApps | Purpose::WebApps => {
                "modules/nsgGenAI.bicep"
            }
            Purpose::Aks => "modules/aksNsg.bicep",
            Purpose::DatabricksPublic | Purpose::DatabricksPrivate => "modules/databricksNsg.bicep",
            Purpose::Default => "none: Azure's default rules",
            Purpose::Bastion => "learn.microsoft.com/azure/bastion/bastion-nsg",
        }
    }
}

/// The NSG name of the subnet requested as `subnet_key` by allocation `key`: ESML's
/// `<purpose>-nsg-<project>` (ESML appends `-<loc>-<env>`, which is part of `key` when the
/// key carries them).
pub fn nsg_name(subnet_key: &str, key: &str) -> String {
    format!("{subnet_key}-nsg-{key}")
}

/// The name of the route table of allocation `key` (ESML: `rt-<project>-aks2-<loc>-<env>`).
pub fn route_table_name(key: &str) -> String {
    format!("rt-{key}")
}

/// The name of the default route in that table (ESML's).
pub const DEFAULT_ROUTE_NAME: &str = "default-route-to-azfw";

fn regional(s: &str, location: &str) -> String {
    s.replace(LOCATION, location)
}

/// One list as ARM writes it: the singular property for one entry, the plural for more.
fn set_list(props: &mut serde_json::Map<String, Value>, one: &str, many: &str, v: Vec<String>) {
    if v.len() == 1 {
        props.insert(one.into(), json!(v[0]));
    } else {
        props.insert(many.into(), json!(v));
    }
}

impl Rule {
    /// The rule as an element of `properties.securityRules` for a region.
    pub fn to_arm(&self, location: &str) -> Value {
        let mut p = serde_json::Map::new();
        p.insert("protocol".into(), json!(self.protocol.as_str()));
        p.insert("access".into(), json!(self.access.as_str()));
        p.insert("direction".into(), json!(self.direction.as_str()));
        p.insert("priority".into(), json!(self.priority));
        let list = |v: &[&str]| v.iter().map(|s| regional(s, location)).collect::<Vec<_>>();
        set_list(
            &mut p,
            "sourcePortRange",
            "sourcePortRanges",
            list(self.source_ports),
        );
        set_list(
            &mut p,
            "destinationPortRange",
            "destinationPortRanges",
            list(self.destination_ports),
        );
        set_list(
            &mut p,
            "sourceAddressPrefix",
            "sourceAddressPrefixes",
            list(self.sources),
        );
        set_list(
            &mut p,
            "destinationAddressPrefix",
            "destinationAddressPrefixes",
            list(self.destinations),
        );
        json!({ "name": self.name, "properties": p })
    }

    /// The rule on one line, as [`summary_of_arm`] renders the same rule read from Azure.
    pub fn summary(&self, location: &str) -> String {
        summary_of_arm(&self.to_arm(location)).unwrap_or_default()
    }
}

/// A rule of `properties.securityRules` (as Azure returns it) on one line:
/// `<priority> <direction> <access> <protocol> <sources>:<ports> -> <destinations>:<ports> <name>`;
/// lists sorted, the singular and plural properties merged. `None` without a name.
pub fn summary_of_arm(rule: &Value) -> Option<String> {
    let name = rule.get("name")?.as_str()?;
    let p = rule.get("properties").cloned().unwrap_or(Value::Null);
    let text = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or("?").to_string();
    let list = |one: &str, many: &str| {
        let mut v: Vec<String> = p
            .get(one)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .into_iter()
            .chain(
                p.get(many)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_string),
            )
            .collect();
        v.sort();
        if v.is_empty() {
            "?".to_string()
        } else {
            v.join(",")
        }
    };
    let priority = p
        .get("priority")
        .and_then(Value::as_i64)
        .map_or("?".to_string(), |n| n.to_string());
    Some(format!(
        "{priority} {} {} {} {}:{} -> {}:{} {name}",
        text("direction"),
        text("access"),
        text("protocol"),
        list("sourceAddressPrefix", "sourceAddressPrefixes"),
        list("sourcePortRange", "sourcePortRanges"),
        list("destinationAddressPrefix", "destinationAddressPrefixes"),
        list("destinationPortRange", "destinationPortRanges"),
    ))
}

/// The body of the NSG of a subnet of `purpose` in `location`: its rules, the `tags`.
pub fn nsg_body(purpose: Purpose, location: &str, tags: &Value) -> Value {
    let rules: Vec<Value> = purpose.rules().iter().map(|r| r.to_arm(location)).collect();
    json!({ "location": location, "tags": tags, "properties": { "securityRules": rules } })
}

/// The body of a route table sending everything (`0.0.0.0/0`) to a firewall at `ip`.
pub fn firewall_route_table_body(location: &str, ip: &str, tags: &Value) -> Value {
    json!({
        "location": location,
        "tags": tags,
        "properties": {
            "disableBgpRoutePropagation": false,
            "routes": [{
                "name": DEFAULT_ROUTE_NAME,
                "properties": {
                    "addressPrefix": "0.0.0.0/0",
                    "nextHopType": "VirtualAppliance",
                    "nextHopIpAddress": ip
                }
            }]
        }
    })
}

/// The NSG body `existing` (as read) with the rules of `purpose` restored: rules named
/// as in any table are replaced by `purpose`'s table, rules of other names are kept
/// (Databricks adds its own).
pub fn restored_body(existing: &Value, purpose: Purpose, location: &str) -> Value {
    let ours: Vec<Value> = purpose.rules().iter().map(|r| r.to_arm(location)).collect();
    let mut rules: Vec<Value> = existing
        .pointer("/properties/securityRules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|r| {
            let n = r.get("name").and_then(Value::as_str).unwrap_or_default();
            !purpose
                .rules()
                .iter()
                .any(|o| o.name.eq_ignore_ascii_case(n))
        })
        .map(|r| {
            json!({
                "name": r.get("name").cloned().unwrap_or(Value::Null),
                "properties": writable_rule_properties(r.get("properties")),
            })
        })
        .collect();
    rules.extend(ours);
    let mut body = json!({
        "location": existing.get("location").cloned().unwrap_or_else(|| json!(location)),
        "properties": { "securityRules": rules }
    });
    if let Some(t) = existing.get("tags") {
        body["tags"] = t.clone();
    }
    body
}

fn writable_rule_properties(p: Option<&Value>) -> Value {
    let mut m = p.and_then(Value::as_object).cloned().unwrap_or_default();
    m.remove("provisioningState");
    Value::Object(m)
}

/// The summaries of `purpose`'s rules as they are in the NSG `nsg` (read from Azure), in
/// the table's order; a rule of the table missing in Azure is left out.
pub fn actual_summaries(nsg: &Value, purpose: Purpose) -> Vec<String> {
    let rules: Vec<&Value> = nsg
        .pointer("/properties/securityRules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    purpose
        .rules()
        .iter()
        .filter_map(|ours| {
            rules
                .iter()
                .find(|r| {
                    r.get("name")
                        .and_then(Value::as_str)
                        .is_some_and(|n| n.eq_ignore_ascii_case(ours.name))
                })
                .and_then(|r| summary_of_arm(r))
        })
        .collect()
}

/// The summaries of `purpose`'s rules as the table has them, in its order.
pub fn desired_summaries(purpose: Purpose, location: &str) -> Vec<String> {
    purpose
        .rules()
        .iter()
        .map(|r| r.summary(location))
        .collect()
}

#[cfg(test)]
mod tests;
