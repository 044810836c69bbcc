//! Resource types and the api-version each is written with: the services' own (each in its
//! descriptor, `services/*`, re-exported here by name) and the plumbing every service
//! shares (private endpoints, DNS zone groups, role assignments). A version bump is a
//! one-line change in one file (and a snapshot update). [`ApiType`] itself lives in the
//! `api_type` leaf, so the descriptors never import this file.
//!
//! Rule: the Azure REST spec's GA (`stable/`) version, preferring the newest one that
//! ESML itself already deploys with (esml.md §2.3) so it is proven in every cloud it runs
//! in. Each was checked to exist under `Azure/azure-rest-api-specs/specification/*/
//! resource-manager/.../stable/<version>/`.

pub use super::api_type::ApiType;

pub const RESOURCE_GROUP: ApiType = super::services::resource_group::API;
pub const IDENTITY: ApiType = super::services::identity::API;
pub const KEY_VAULT: ApiType = super::services::key_vault::API;
pub const STORAGE: ApiType = super::services::storage::API;
pub const APP_INSIGHTS: ApiType = super::services::app_insights::API;
pub const ML_WORKSPACE: ApiType = super::services::ml_workspace::API;
pub const DATABRICKS: ApiType = super::services::databricks::API;
pub const DATA_FACTORY: ApiType = super::services::data_factory::API;
pub const SEARCH: ApiType = super::services::search::API;
pub const AI_SERVICES: ApiType = super::services::ai_services::API;
pub const COSMOS_DB: ApiType = super::services::cosmos_db::API;
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
pub const ALL: [ApiType; 14] = [
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
    COSMOS_DB,
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
