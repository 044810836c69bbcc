//! [`Cloud`]: the Azure cloud a project is in, and the data-plane host suffixes each
//! cloud gives its services. A leaf: imports nothing from `project`, so the spec, the
//! model and `network` all take it from here; must not know services, zones or bodies.

use std::fmt;

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
