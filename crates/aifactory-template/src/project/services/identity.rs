//! The project's user-assigned managed identity: what every service of the project runs
//! as (one principal for the role grants and ACL entries). Must not: be shared between
//! projects.

use serde_json::Value;

use super::{after_group, always, Ctx, Service, ServiceKey, SoftDelete};
use crate::naming::NameKind;
use crate::project::api_type::ApiType;

pub const API: ApiType = ApiType {
    resource_type: "Microsoft.ManagedIdentity/userAssignedIdentities",
    api_version: "2024-11-30",
    lro: false,
    spec: "msi/resource-manager/Microsoft.ManagedIdentity/stable/2024-11-30/ManagedIdentity.json",
};

pub const SERVICE: Service = Service {
    key: ServiceKey::Identity,
    api: API,
    delete_lro: false,
    name_kind: NameKind::Identity,
    private_link_groups: &[],
    soft_delete: SoftDelete::None,
    write_only: &[],
    subnets: &[],
    diagnostics: None,
    // Its grants are on the services it uses (see each service).
    grants: &[],
    summary: "always (user-assigned managed identity)",
    enabled: always,
    depends_on: after_group,
    body,
    parent: None,
    own_name: None,
};

fn body(x: &Ctx) -> Value {
    Value::Object(x.located())
}
