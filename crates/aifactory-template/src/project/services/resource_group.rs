//! The project's resource group: holds every project object and the ownership tags that
//! import reads back. Must not: hold anything of the common part.

use serde_json::{json, Value};

use super::{always, Ctx, Service, ServiceKey, SoftDelete};
use crate::naming::NameKind;
use crate::project::api_type::ApiType;
use crate::project::rbac::{
    Grant, PrincipalClass::Admin as A, PrincipalClass::Identity as I, PrincipalClass::Member as M,
    PrincipalClass::Reader as R, ScopeKey, When, AZURE_AI_ADMINISTRATOR, READER,
};

pub const API: ApiType = ApiType {
    resource_type: "Microsoft.Resources/resourceGroups",
    api_version: "2024-07-01",
    lro: false,
    spec: "resources/resource-manager/Microsoft.Resources/stable/2024-07-01/resources.json",
};

pub const SERVICE: Service = Service {
    key: ServiceKey::ResourceGroup,
    api: API,
    // ResourceGroups_Delete is x-ms-long-running-operation (202 + Location).
    delete_lro: true,
    name_kind: NameKind::ResourceGroup,
    private_link_groups: &[],
    soft_delete: SoftDelete::None,
    write_only: &[],
    subnets: &[],
    // Resource groups have no diagnostic settings (the activity log covers them).
    diagnostics: None,
    grants: &[
        Grant::new(R, ScopeKey::ResourceGroup, READER, When::Always, "see every project resource"),
        Grant::new(
            A,
            ScopeKey::ResourceGroup,
            AZURE_AI_ADMINISTRATOR,
            When::Always,
            "manage the project's AI services (Machine Learning, AI Services, AI Search settings); no role assignments",
        ),
        Grant::new(
            M,
            ScopeKey::ResourceGroup,
            READER,
            When::Always,
            "see every project resource",
        ),
        Grant::new(
            I,
            ScopeKey::ResourceGroup,
            AZURE_AI_ADMINISTRATOR,
            When::MachineLearning,
            "the workspace identity's control-plane role (replaces Contributor)",
        ),
    ],
    summary: "always",
    enabled: always,
    depends_on: |_| Vec::new(),
    body,
    parent: None,
    own_name: None,
};

fn body(x: &Ctx) -> Value {
    json!({ "location": x.location(), "tags": x.tags() })
}
