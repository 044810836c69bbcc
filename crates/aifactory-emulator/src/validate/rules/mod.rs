//! The body rules, one small [`TypeRules`] table per resource type the provider writes (its
//! project template, `aifactory_subnet_allocation`, and what the examples write through
//! `aifactory_arm_resource`), each read from the stable REST spec of the api-versions it
//! lists. Grouped by resource provider: `resources` (resource groups, managed identities,
//! role assignments), `storage`, `network`, `services` (the project's other services and
//! the common environment's workspaces and zones).
//!
//! Owns the facts; must not hold code that walks a body (that is `check`).

mod network;
mod resources;
mod services;
mod storage;

use super::schema::TypeRules;

/// Every rule set.
pub const ALL: [&TypeRules; 20] = [
    &resources::RESOURCE_GROUP,
    &resources::USER_ASSIGNED_IDENTITY,
    &resources::ROLE_ASSIGNMENT,
    &storage::ACCOUNT,
    &storage::BLOB_SERVICE,
    &storage::CONTAINER,
    &network::VIRTUAL_NETWORK,
    &network::SUBNET,
    &network::NETWORK_SECURITY_GROUP,
    &network::PRIVATE_ENDPOINT,
    &network::PRIVATE_DNS_ZONE_GROUP,
    &network::PRIVATE_DNS_ZONE,
    &services::KEY_VAULT,
    &services::APP_INSIGHTS,
    &services::ML_WORKSPACE,
    &services::DATABRICKS,
    &services::DATA_FACTORY,
    &services::SEARCH,
    &services::AI_SERVICES,
    &services::LOG_ANALYTICS,
];

/// The rules of `resource_type` at `api_version` (none for other versions or types).
pub fn find(resource_type: &str, api_version: &str) -> Option<&'static TypeRules> {
    ALL.into_iter().find(|r| {
        r.resource_type.eq_ignore_ascii_case(resource_type)
            && r.api_versions.contains(&api_version.trim())
    })
}
