//! Resource types and the api-version each is written with. One table, so a version bump
//! is a one-line change (and a snapshot update).
//!
//! Rule: the Azure REST spec's GA (`stable/`) version, preferring the newest one that
//! ESML itself already deploys with (esml.md §2.3) so it is proven in every cloud it runs
//! in. Each was checked to exist under `Azure/azure-rest-api-specs/specification/*/
//! resource-manager/.../stable/<version>/`.

/// One resource type the project writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiType {
    pub resource_type: &'static str,
    pub api_version: &'static str,
    /// Does PUT run as a long-running operation (`x-ms-long-running-operation`)?
    pub lro: bool,
    /// Where the version was confirmed.
    pub spec: &'static str,
}

pub const RESOURCE_GROUP: ApiType = ApiType {
    resource_type: "Microsoft.Resources/resourceGroups",
    api_version: "2024-07-01",
    lro: false,
    spec: "resources/resource-manager/Microsoft.Resources/stable/2024-07-01/resources.json",
};
pub const IDENTITY: ApiType = ApiType {
    resource_type: "Microsoft.ManagedIdentity/userAssignedIdentities",
    api_version: "2024-11-30",
    lro: false,
    spec: "msi/resource-manager/Microsoft.ManagedIdentity/stable/2024-11-30/ManagedIdentity.json",
};
pub const KEY_VAULT: ApiType = ApiType {
    resource_type: "Microsoft.KeyVault/vaults",
    api_version: "2024-11-01",
    lro: true,
    spec: "keyvault/resource-manager/Microsoft.KeyVault/KeyVault/stable/2024-11-01/keyvault.json",
};
pub const STORAGE: ApiType = ApiType {
    resource_type: "Microsoft.Storage/storageAccounts",
    api_version: "2025-06-01",
    lro: true,
    spec: "storage/resource-manager/Microsoft.Storage/stable/2025-06-01/openapi.json",
};
pub const APP_INSIGHTS: ApiType = ApiType {
    resource_type: "Microsoft.Insights/components",
    api_version: "2020-02-02",
    lro: false,
    spec: "applicationinsights/resource-manager/Microsoft.Insights/stable/2020-02-02/components_API.json",
};
pub const ML_WORKSPACE: ApiType = ApiType {
    resource_type: "Microsoft.MachineLearningServices/workspaces",
    api_version: "2025-06-01",
    lro: true,
    spec: "machinelearningservices/resource-manager/Microsoft.MachineLearningServices/stable/2025-06-01/workspaceRP.json",
};
pub const DATABRICKS: ApiType = ApiType {
    resource_type: "Microsoft.Databricks/workspaces",
    api_version: "2024-05-01",
    lro: true,
    spec: "databricks/resource-manager/Microsoft.Databricks/stable/2024-05-01/databricks.json",
};
pub const DATA_FACTORY: ApiType = ApiType {
    resource_type: "Microsoft.DataFactory/factories",
    api_version: "2018-06-01",
    lro: false,
    spec: "datafactory/resource-manager/Microsoft.DataFactory/stable/2018-06-01/datafactory.json",
};
pub const SEARCH: ApiType = ApiType {
    resource_type: "Microsoft.Search/searchServices",
    api_version: "2025-05-01",
    lro: true,
    spec: "search/resource-manager/Microsoft.Search/stable/2025-05-01/search.json",
};
pub const AI_SERVICES: ApiType = ApiType {
    resource_type: "Microsoft.CognitiveServices/accounts",
    api_version: "2025-06-01",
    lro: true,
    spec: "cognitiveservices/resource-manager/Microsoft.CognitiveServices/stable/2025-06-01/cognitiveservices.json",
};
pub const PRIVATE_ENDPOINT: ApiType = ApiType {
    resource_type: "Microsoft.Network/privateEndpoints",
    api_version: "2024-05-01",
    lro: true,
    spec: "network/resource-manager/Microsoft.Network/stable/2024-05-01/privateEndpoint.json (examples/PrivateEndpointCreate.json)",
};
pub const PRIVATE_DNS_ZONE_GROUP: ApiType = ApiType {
    resource_type: "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
    api_version: "2024-05-01",
    lro: true,
    spec: "network/resource-manager/Microsoft.Network/stable/2024-05-01/privateEndpoint.json (examples/PrivateEndpointDnsZoneGroupCreate.json)",
};
pub const ROLE_ASSIGNMENT: ApiType = ApiType {
    resource_type: "Microsoft.Authorization/roleAssignments",
    api_version: "2022-04-01",
    lro: false,
    spec: "authorization/resource-manager/Microsoft.Authorization/stable/2022-04-01/authorization-RoleAssignmentsCalls.json",
};

/// Every type, in documentation order.
pub const ALL: [ApiType; 13] = [
    RESOURCE_GROUP,
    IDENTITY,
    KEY_VAULT,
    STORAGE,
    APP_INSIGHTS,
    ML_WORKSPACE,
    DATABRICKS,
    DATA_FACTORY,
    SEARCH,
    AI_SERVICES,
    PRIVATE_ENDPOINT,
    PRIVATE_DNS_ZONE_GROUP,
    ROLE_ASSIGNMENT,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_ga_dates() {
        for t in ALL {
            let v = t.api_version;
            assert_eq!(v.len(), 10, "{v}");
            assert!(!v.contains("preview"), "{v}");
            assert!(v.chars().enumerate().all(|(i, c)| if i == 4 || i == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }));
            assert!(
                t.spec.contains(&format!("stable/{v}")),
                "{} {}",
                t.resource_type,
                t.spec
            );
        }
    }
}
