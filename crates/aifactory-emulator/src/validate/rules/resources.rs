//! Body rules of Microsoft.Resources (resource groups), Microsoft.ManagedIdentity
//! (user-assigned identities) and Microsoft.Authorization (role assignments).
//!
//! Owns these facts only; must not hold code.

use crate::validate::schema::{opt, req, Style, Ty, TypeRules};

/// `ResourceGroup`: `location` required, `managedBy`, `tags`; `properties` holds only the
/// read-only `provisioningState`.
pub const RESOURCE_GROUP: TypeRules = TypeRules {
    resource_type: "Microsoft.Resources/resourceGroups",
    api_versions: &[
        "2021-04-01",
        "2022-09-01",
        "2023-07-01",
        "2024-03-01",
        "2024-07-01",
        "2024-11-01",
        "2025-03-01",
        "2025-04-01",
    ],
    spec: "resources/resource-manager/Microsoft.Resources/stable/2024-07-01/resources.json",
    style: Style::Arm,
    location_required: true,
    top: &["location", "tags", "properties", "managedBy"],
    fields: &[
        opt("tags", Ty::StrMap),
        opt("properties", Ty::Obj),
        opt("managedBy", Ty::Str),
    ],
    missing_code: "MissingRequiredProperty",
    at_least_one: &[],
};

/// `Identity` (a tracked resource): `location` required; `properties.isolationScope` is an
/// open enum; `tenantId`, `principalId`, `clientId` are read-only.
pub const USER_ASSIGNED_IDENTITY: TypeRules = TypeRules {
    resource_type: "Microsoft.ManagedIdentity/userAssignedIdentities",
    api_versions: &["2024-11-30"],
    spec: "msi/resource-manager/Microsoft.ManagedIdentity/stable/2024-11-30/ManagedIdentity.json",
    style: Style::Arm,
    location_required: true,
    top: &["location", "tags", "properties"],
    fields: &[
        opt("tags", Ty::StrMap),
        opt("properties", Ty::Obj),
        opt("properties.isolationScope", Ty::Str),
    ],
    missing_code: "MissingRequiredProperty",
    at_least_one: &[],
};

/// `RoleAssignmentCreateParameters`: `properties` with `roleDefinitionId` and `principalId`
/// required; `principalType` is an open enum (the RP's own check stays in
/// `authorization`). The RP answers a missing property with `InvalidRequestContent`.
pub const ROLE_ASSIGNMENT: TypeRules = TypeRules {
    resource_type: "Microsoft.Authorization/roleAssignments",
    api_versions: &["2022-04-01"],
    spec: "authorization/resource-manager/Microsoft.Authorization/stable/2022-04-01/authorization-RoleAssignmentsCalls.json",
    style: Style::Arm,
    location_required: false,
    top: &["properties"],
    fields: &[
        req("properties", Ty::Obj),
        req("properties.roleDefinitionId", Ty::Str),
        req("properties.principalId", Ty::Str),
        opt("properties.principalType", Ty::Str),
        opt("properties.description", Ty::Str),
        opt("properties.condition", Ty::Str),
        opt("properties.conditionVersion", Ty::Str),
        opt("properties.delegatedManagedIdentityResourceId", Ty::Id(None)),
    ],
    missing_code: "InvalidRequestContent",
    at_least_one: &[],
};
