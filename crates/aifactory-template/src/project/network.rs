//! Network facts: private link group ids and their private DNS zones per cloud, the
//! storage endpoints a project's storage needs, and IP rules for allowlist mode.
//!
//! Zone names: Microsoft's table "Azure Private Endpoint private DNS zone values"
//! (MicrosoftDocs/azure-docs `articles/private-link/private-endpoint-dns.md`, Commercial
//! section as updated 2026-05-07; Government and China sections of the 2023-11-15
//! revision). Where that table has no row for a cloud, the zone used by public
//! infrastructure code is taken and marked [`ZoneSource::Community`]; such rows are listed
//! in the generated docs so operators can confirm them before relying on them.

use std::fmt;
use std::net::Ipv4Addr;

use serde::Serialize;

/// Azure cloud.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Cloud {
    Public,
    UsGovernment,
    China,
}

impl Cloud {
    pub const ALL: [Cloud; 3] = [Cloud::Public, Cloud::UsGovernment, Cloud::China];
    pub fn as_str(self) -> &'static str {
        match self {
            Cloud::Public => "public",
            Cloud::UsGovernment => "usgovernment",
            Cloud::China => "china",
        }
    }
    /// Suffix of the ADLS Gen2 (DFS) endpoint: `https://{account}.{suffix}`.
    /// The data-plane host suffix of a service in this cloud: `blob` (storage), `search`
    /// (AI Search), `documents` (Cosmos DB for NoSQL).
    pub fn host_suffix(self, service: &str) -> Option<&'static str> {
        Some(match (service, self) {
            ("blob", Cloud::Public) => "blob.core.windows.net",
            ("blob", Cloud::UsGovernment) => "blob.core.usgovcloudapi.net",
            ("blob", Cloud::China) => "blob.core.chinacloudapi.cn",
            ("search", Cloud::Public) => "search.windows.net",
            ("search", Cloud::UsGovernment) => "search.azure.us",
            ("search", Cloud::China) => "search.azure.cn",
            ("documents", Cloud::Public) => "documents.azure.com",
            ("documents", Cloud::UsGovernment) => "documents.azure.us",
            ("documents", Cloud::China) => "documents.azure.cn",
            _ => return None,
        })
    }

    pub fn dfs_suffix(self) -> &'static str {
        match self {
            Cloud::Public => "dfs.core.windows.net",
            Cloud::UsGovernment => "dfs.core.usgovcloudapi.net",
            Cloud::China => "dfs.core.chinacloudapi.cn",
        }
    }
}

impl fmt::Display for Cloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Cloud {
    type Err = crate::naming::UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "public" => Ok(Cloud::Public),
            "usgovernment" => Ok(Cloud::UsGovernment),
            "china" => Ok(Cloud::China),
            _ => Err(crate::naming::UnknownValue {
                value: s.to_string(),
                expected: &["public", "usgovernment", "china"],
            }),
        }
    }
}

/// How sure we are of a zone name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ZoneSource {
    /// In Microsoft's private endpoint DNS table.
    Microsoft,
    /// Not (yet) in Microsoft's table for this cloud; used by public infrastructure code.
    Community,
}

/// The private DNS zones for a private link group id in a cloud.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zones {
    pub zones: Vec<&'static str>,
    pub source: ZoneSource,
}

fn z(zones: &[&'static str], source: ZoneSource) -> Zones {
    Zones {
        zones: zones.to_vec(),
        source,
    }
}

/// The zones ESML's common part creates besides the ones its own services use
/// (`modules/common/CmnPrivateDnsZones.bicep`, esml.md §5): the services a project team
/// brings itself (web apps, Event Hubs and Service Bus, Event Grid, PostgreSQL, SQL
/// Database, Redis, API Management, Cosmos DB for MongoDB, the Azure Monitor private link
/// scope) and the regional zone of Container Apps. Left out of ESML's list:
/// `scm.privatelink.azurewebsites.net` and `<region>.data.privatelink.azurecr.io`, whose
/// namespaces overlap `privatelink.azurewebsites.net` and `privatelink.azurecr.io`: Azure
/// refuses to link one vNet to both (the records of the SCM site and the registry's data
/// endpoint go into the parent zones). Public cloud only: for US Government and China,
/// only the zones of the catalog are created (their names for these services are not in
/// ESML's list).
pub fn esml_extra_zones(cloud: Cloud, location: &str) -> Vec<String> {
    if cloud != Cloud::Public {
        return Vec::new();
    }
    let mut out: Vec<String> = [
        "privatelink.adf.azure.com",
        "privatelink.azurewebsites.net",
        "privatelink.mongo.cosmos.azure.com",
        "privatelink.servicebus.windows.net",
        "privatelink.eventgrid.azure.net",
        "privatelink.monitor.azure.com",
        "privatelink.oms.opinsights.azure.com",
        "privatelink.ods.opinsights.azure.com",
        "privatelink.agentsvc.azure-automation.net",
        "privatelink.postgres.database.azure.com",
        "privatelink.database.windows.net",
        "privatelink.redis.cache.windows.net",
        "privatelink.azure-api.net",
    ]
    .iter()
    .map(|z| z.to_string())
    .collect();
    let region: String = location
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    if !region.is_empty() {
        out.push(format!("privatelink.{region}.azurecontainerapps.io"));
    }
    out.sort();
    out
}

/// Every private DNS zone an AI Factory needs in `cloud`: the zones of every private-link
/// group of every service in the catalog, sorted, without duplicates. The one list the
/// common part creates and links, and every project endpoint's zone group points into.
pub fn factory_zones(cloud: Cloud) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = super::services::CATALOG
        .iter()
        .flat_map(|s| s.private_link_groups.iter())
        .filter_map(|g| dns_zones(cloud, g))
        .flat_map(|z| z.zones)
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Zones for a group id (`vault`, `blob`, ...). `None` for a group id the project never
/// creates.
pub fn dns_zones(cloud: Cloud, group_id: &str) -> Option<Zones> {
    use Cloud::*;
    use ZoneSource::*;
    let storage = |svc: &str| -> Option<Zones> {
        let zone: &'static str = match (cloud, svc) {
            (Public, "blob") => "privatelink.blob.core.windows.net",
            (Public, "dfs") => "privatelink.dfs.core.windows.net",
            (Public, "file") => "privatelink.file.core.windows.net",
            (Public, "queue") => "privatelink.queue.core.windows.net",
            (Public, "table") => "privatelink.table.core.windows.net",
            (UsGovernment, "blob") => "privatelink.blob.core.usgovcloudapi.net",
            (UsGovernment, "dfs") => "privatelink.dfs.core.usgovcloudapi.net",
            (UsGovernment, "file") => "privatelink.file.core.usgovcloudapi.net",
            (UsGovernment, "queue") => "privatelink.queue.core.usgovcloudapi.net",
            (UsGovernment, "table") => "privatelink.table.core.usgovcloudapi.net",
            (China, "blob") => "privatelink.blob.core.chinacloudapi.cn",
            (China, "dfs") => "privatelink.dfs.core.chinacloudapi.cn",
            (China, "file") => "privatelink.file.core.chinacloudapi.cn",
            (China, "queue") => "privatelink.queue.core.chinacloudapi.cn",
            (China, "table") => "privatelink.table.core.chinacloudapi.cn",
            _ => return None,
        };
        Some(z(&[zone], Microsoft))
    };
    Some(match (group_id, cloud) {
        ("vault", Public) => z(&["privatelink.vaultcore.azure.net"], Microsoft),
        ("vault", UsGovernment) => z(&["privatelink.vaultcore.usgovcloudapi.net"], Microsoft),
        ("vault", China) => z(&["privatelink.vaultcore.azure.cn"], Microsoft),
        ("blob" | "dfs" | "file" | "queue" | "table", _) => return storage(group_id),
        ("amlworkspace", Public) => z(
            &[
                "privatelink.api.azureml.ms",
                "privatelink.notebooks.azure.net",
            ],
            Microsoft,
        ),
        ("amlworkspace", UsGovernment) => z(
            &[
                "privatelink.api.ml.azure.us",
                "privatelink.notebooks.usgovcloudapi.net",
            ],
            Microsoft,
        ),
        ("amlworkspace", China) => z(
            &[
                "privatelink.api.ml.azure.cn",
                "privatelink.notebooks.chinacloudapi.cn",
            ],
            Microsoft,
        ),
        ("searchService", Public) => z(&["privatelink.search.windows.net"], Microsoft),
        ("searchService", UsGovernment) => z(&["privatelink.search.windows.us"], Microsoft),
        ("searchService", China) => z(&["privatelink.search.azure.cn"], Community),
        ("account", Public) => z(
            &[
                "privatelink.cognitiveservices.azure.com",
                "privatelink.openai.azure.com",
                "privatelink.services.ai.azure.com",
            ],
            Microsoft,
        ),
        // Microsoft's Government row lists only cognitiveservices; the OpenAI zone is the one
        // Azure Government OpenAI deployments use.
        ("account", UsGovernment) => z(
            &[
                "privatelink.cognitiveservices.azure.us",
                "privatelink.openai.azure.us",
            ],
            Community,
        ),
        ("account", China) => z(&["privatelink.cognitiveservices.azure.cn"], Community),
        ("dataFactory", Public) => z(&["privatelink.datafactory.azure.net"], Microsoft),
        ("dataFactory", UsGovernment) => z(&["privatelink.datafactory.azure.us"], Microsoft),
        ("dataFactory", China) => z(&["privatelink.datafactory.azure.cn"], Microsoft),
        ("databricks_ui_api", Public) => z(&["privatelink.azuredatabricks.net"], Microsoft),
        ("databricks_ui_api", UsGovernment) => z(&["privatelink.databricks.azure.us"], Microsoft),
        ("databricks_ui_api", China) => z(&["privatelink.databricks.azure.cn"], Community),
        // Container Registry (the common registry; Microsoft's DNS table, "Containers").
        ("registry", Public) => z(&["privatelink.azurecr.io"], Microsoft),
        ("registry", UsGovernment) => z(&["privatelink.azurecr.us"], Microsoft),
        ("registry", China) => z(&["privatelink.azurecr.cn"], Microsoft),
        // Cosmos DB for NoSQL (Microsoft's private endpoint DNS table, "Azure Cosmos DB / Sql").
        ("Sql", Public) => z(&["privatelink.documents.azure.com"], Microsoft),
        ("Sql", UsGovernment) => z(&["privatelink.documents.azure.us"], Microsoft),
        ("Sql", China) => z(&["privatelink.documents.azure.cn"], Microsoft),
        _ => return None,
    })
}

/// A zone's config name inside a DNS zone group (dots become hyphens).
pub fn zone_config_name(zone: &str) -> String {
    zone.replace('.', "-")
}

/// A validated public IPv4 network from `ip_allowlist`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ipv4Net {
    pub addr: Ipv4Addr,
    pub prefix: u8,
}

impl Ipv4Net {
    fn mask(prefix: u8) -> u32 {
        if prefix == 0 {
            0
        } else {
            u32::MAX << (32 - u32::from(prefix))
        }
    }
    /// Does `self` contain `other`?
    pub fn contains(&self, other: &Ipv4Net) -> bool {
        other.prefix >= self.prefix
            && (u32::from(other.addr) & Self::mask(self.prefix)) == u32::from(self.addr)
    }
    /// `a.b.c.d/n`.
    pub fn cidr(&self) -> String {
        format!("{}/{}", self.addr, self.prefix)
    }
    /// `a.b.c.d` for a /32, else the CIDR (Search, AI Services).
    pub fn ip_or_cidr(&self) -> String {
        if self.prefix == 32 {
            self.addr.to_string()
        } else {
            self.cidr()
        }
    }
    /// Azure Storage IP rules: single addresses for /31 and /32 (Storage does not accept
    /// those prefix sizes), the CIDR otherwise.
    pub fn storage_rules(&self) -> Vec<String> {
        match self.prefix {
            32 => vec![self.addr.to_string()],
            31 => {
                let a = u32::from(self.addr);
                vec![
                    Ipv4Addr::from(a).to_string(),
                    Ipv4Addr::from(a + 1).to_string(),
                ]
            }
            _ => vec![self.cidr()],
        }
    }
}

/// Why an allowlist entry was refused (see `IpProblem`), with the network when known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpParse {
    Syntax,
    HostBits(Ipv4Net),
    NotPublic,
    Everything,
}

/// Ranges that never reach a service's public endpoint as a source address.
const NOT_PUBLIC: &[(u8, u8, u8, u8, u8)] = &[
    (0, 0, 0, 0, 8),      // "this network"
    (10, 0, 0, 0, 8),     // RFC 1918
    (100, 64, 0, 0, 10),  // RFC 6598 shared address space
    (127, 0, 0, 0, 8),    // loopback
    (169, 254, 0, 0, 16), // link-local
    (172, 16, 0, 0, 12),  // RFC 1918
    (192, 168, 0, 0, 16), // RFC 1918
    (224, 0, 0, 0, 4),    // multicast
    (240, 0, 0, 0, 4),    // reserved
];

/// Parses `a.b.c.d` or `a.b.c.d/n` (0..=32) as a public IPv4 network.
pub fn parse_ipv4_net(text: &str) -> Result<Ipv4Net, IpParse> {
    let (addr_text, prefix) = match text.split_once('/') {
        Some((a, p)) => {
            if p.is_empty() || p.len() > 2 || !p.chars().all(|c| c.is_ascii_digit()) {
                return Err(IpParse::Syntax);
            }
            let n: u8 = p.parse().map_err(|_| IpParse::Syntax)?;
            if n > 32 {
                return Err(IpParse::Syntax);
            }
            (a, n)
        }
        None => (text, 32),
    };
    // Only canonical dotted quads (no leading zeros, no spaces).
    let octets: Vec<&str> = addr_text.split('.').collect();
    if octets.len() != 4
        || octets.iter().any(|o| {
            o.is_empty()
                || o.len() > 3
                || !o.chars().all(|c| c.is_ascii_digit())
                || (o.len() > 1 && o.starts_with('0'))
        })
    {
        return Err(IpParse::Syntax);
    }
    let addr: Ipv4Addr = addr_text.parse().map_err(|_| IpParse::Syntax)?;
    if prefix == 0 {
        return Err(IpParse::Everything);
    }
    let net = Ipv4Net {
        addr: Ipv4Addr::from(u32::from(addr) & Ipv4Net::mask(prefix)),
        prefix,
    };
    if net.addr != addr {
        return Err(IpParse::HostBits(net));
    }
    for (a, b, c, d, p) in NOT_PUBLIC {
        let range = Ipv4Net {
            addr: Ipv4Addr::new(*a, *b, *c, *d),
            prefix: *p,
        };
        let overlap = range.contains(&net) || net.contains(&range);
        if overlap {
            return Err(IpParse::NotPublic);
        }
    }
    Ok(net)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_group_has_zones_in_every_cloud() {
        for group in [
            "vault",
            "blob",
            "dfs",
            "file",
            "queue",
            "table",
            "amlworkspace",
            "searchService",
            "account",
            "dataFactory",
            "databricks_ui_api",
        ] {
            for cloud in Cloud::ALL {
                let zones = dns_zones(cloud, group).unwrap_or_else(|| panic!("{group} {cloud}"));
                assert!(!zones.zones.is_empty());
                for zone in zones.zones {
                    assert!(zone.starts_with("privatelink."), "{zone}");
                    let suffix_ok = match cloud {
                        Cloud::Public => !zone.ends_with(".us") && !zone.ends_with(".cn"),
                        Cloud::UsGovernment => {
                            zone.ends_with(".us") || zone.ends_with("usgovcloudapi.net")
                        }
                        Cloud::China => zone.ends_with(".cn"),
                    };
                    assert!(suffix_ok, "{group} {cloud} {zone}");
                }
            }
        }
        assert_eq!(dns_zones(Cloud::Public, "nope"), None);
    }

    #[test]
    fn key_vault_zones_per_cloud() {
        let names: Vec<&str> = Cloud::ALL
            .iter()
            .map(|c| dns_zones(*c, "vault").map_or("", |z| z.zones[0]))
            .collect();
        assert_eq!(
            names,
            [
                "privatelink.vaultcore.azure.net",
                "privatelink.vaultcore.usgovcloudapi.net",
                "privatelink.vaultcore.azure.cn"
            ]
        );
    }

    #[test]
    fn ip_parsing() {
        assert_eq!(
            parse_ipv4_net("203.0.113.7").map(|n| n.cidr()),
            Ok("203.0.113.7/32".to_string())
        );
        assert_eq!(
            parse_ipv4_net("203.0.113.0/24").map(|n| n.cidr()),
            Ok("203.0.113.0/24".to_string())
        );
        assert!(
            matches!(parse_ipv4_net("203.0.113.7/24"), Err(IpParse::HostBits(n)) if n.cidr() == "203.0.113.0/24")
        );
        for bad in [
            "",
            "1.2.3",
            "1.2.3.4/33",
            "1.2.3.4/",
            "01.2.3.4",
            "1.2.3.4 ",
            "::1",
            "1.2.3.256",
            "a.b.c.d",
            "1.2.3.4/x",
        ] {
            assert_eq!(parse_ipv4_net(bad), Err(IpParse::Syntax), "{bad}");
        }
        for private in [
            "10.1.2.3",
            "192.168.0.0/16",
            "172.20.0.0/16",
            "100.64.1.1",
            "127.0.0.1",
            "0.0.0.0/1",
            "224.0.0.0/4",
        ] {
            assert_eq!(
                parse_ipv4_net(private),
                Err(IpParse::NotPublic),
                "{private}"
            );
        }
        assert_eq!(parse_ipv4_net("0.0.0.0/0"), Err(IpParse::Everything));
    }

    #[test]
    fn per_service_forms() {
        let one = parse_ipv4_net("203.0.113.7").unwrap_or_else(|_| panic!());
        assert_eq!(one.ip_or_cidr(), "203.0.113.7");
        assert_eq!(one.storage_rules(), vec!["203.0.113.7"]);
        let two = parse_ipv4_net("203.0.113.8/31").unwrap_or_else(|_| panic!());
        assert_eq!(two.storage_rules(), vec!["203.0.113.8", "203.0.113.9"]);
        let net = parse_ipv4_net("198.51.100.0/24").unwrap_or_else(|_| panic!());
        assert!(!net.contains(&one));
        assert!(net.contains(&parse_ipv4_net("198.51.100.4").unwrap_or_else(|_| panic!())));
    }
}
