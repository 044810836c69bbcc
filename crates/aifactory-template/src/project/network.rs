//! Network facts: private link group ids and their private DNS zones per cloud, the
//! storage endpoints a project's storage needs, and the one zone list of a factory (from
//! the service catalog). The cloud ([`Cloud`], in `cloud`) and the allowlist's IP networks
//! ([`Ipv4Net`], in `ipnet`) are leaves of their own, re-exported here.
//!
//! Zone names: Microsoft's table "Azure Private Endpoint private DNS zone values"
//! (MicrosoftDocs/azure-docs `articles/private-link/private-endpoint-dns.md`, Commercial
//! section as updated 2026-05-07; Government and China sections of the 2023-11-15
//! revision). Where that table has no row for a cloud, the zone used by public
//! infrastructure code is taken and marked [`ZoneSource::Community`]; such rows are listed
//! in the generated docs so operators can confirm them before relying on them.

use serde::Serialize;

pub use super::cloud::Cloud;
pub use super::ipnet::{parse_ipv4_net, IpParse, Ipv4Net};

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
}
