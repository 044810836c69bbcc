//! Body rules of Microsoft.Storage: accounts, their blob service and blob containers.
//!
//! Owns these facts only; must not hold code.

use crate::validate::schema::{opt, req, Field, Style, Ty, TypeRules};

/// The storage api-versions these rules hold for (checked: same members, required
/// properties and closed enums for every field below).
const VERSIONS: &[&str] = &[
    "2023-05-01",
    "2024-01-01",
    "2025-01-01",
    "2025-06-01",
    "2025-08-01",
    "2026-04-01",
];
/// Accounts gained the top-level `zones` and `placement` in 2025-01-01 (and the access tier
/// `Smart` in 2025-08-01, which these rules do not know: later versions get none).
const ACCOUNT_VERSIONS: &[&str] = &["2025-01-01", "2025-06-01"];

/// `StorageAccountCreateParameters`: `sku` (with `name`), `kind` and `location` required;
/// `properties.accessTier`, `networkAcls.defaultAction` and the IP/vNet rules' `action`
/// are closed enums; `identity.type` is required (open enum).
/// The fields of an account PUT, in every version below (`zones` is its own: newer only).
const ACCOUNT_FIELDS: [Field; 43] = [
    opt("tags", Ty::StrMap),
    req("sku", Ty::Obj),
    req("sku.name", Ty::Str),
    req("kind", Ty::Str),
    opt("identity", Ty::Obj),
    req("identity.type", Ty::Str),
    opt(
        "identity.userAssignedIdentities",
        Ty::IdKeys("Microsoft.ManagedIdentity/userAssignedIdentities"),
    ),
    opt("properties", Ty::Obj),
    opt(
        "properties.accessTier",
        Ty::OneOf(&["Hot", "Cool", "Premium", "Cold"]),
    ),
    opt("properties.allowBlobPublicAccess", Ty::Bool),
    opt("properties.allowCrossTenantReplication", Ty::Bool),
    opt("properties.allowSharedKeyAccess", Ty::Bool),
    opt("properties.defaultToOAuthAuthentication", Ty::Bool),
    opt("properties.isHnsEnabled", Ty::Bool),
    opt("properties.isLocalUserEnabled", Ty::Bool),
    opt("properties.isNfsV3Enabled", Ty::Bool),
    opt("properties.isSftpEnabled", Ty::Bool),
    opt("properties.supportsHttpsTrafficOnly", Ty::Bool),
    opt("properties.minimumTlsVersion", Ty::Str),
    opt("properties.publicNetworkAccess", Ty::Str),
    opt("properties.largeFileSharesState", Ty::Str),
    opt("properties.dnsEndpointType", Ty::Str),
    opt("properties.allowedCopyScope", Ty::Str),
    opt("properties.networkAcls", Ty::Obj),
    req(
        "properties.networkAcls.defaultAction",
        Ty::OneOf(&["Allow", "Deny"]),
    ),
    opt("properties.networkAcls.bypass", Ty::Str),
    opt("properties.networkAcls.ipRules", Ty::Arr),
    req("properties.networkAcls.ipRules[].value", Ty::Str),
    opt(
        "properties.networkAcls.ipRules[].action",
        Ty::OneOf(&["Allow"]),
    ),
    opt("properties.networkAcls.virtualNetworkRules", Ty::Arr),
    req(
        "properties.networkAcls.virtualNetworkRules[].id",
        Ty::Id(Some("Microsoft.Network/virtualNetworks/subnets")),
    ),
    opt(
        "properties.networkAcls.virtualNetworkRules[].action",
        Ty::OneOf(&["Allow"]),
    ),
    opt("properties.networkAcls.resourceAccessRules", Ty::Arr),
    opt("properties.customDomain", Ty::Obj),
    req("properties.customDomain.name", Ty::Str),
    opt("properties.encryption", Ty::Obj),
    opt("properties.encryption.keySource", Ty::Str),
    opt(
        "properties.encryption.requireInfrastructureEncryption",
        Ty::Bool,
    ),
    opt("properties.keyPolicy", Ty::Obj),
    req("properties.keyPolicy.keyExpirationPeriodInDays", Ty::Int),
    opt("properties.sasPolicy", Ty::Obj),
    req("properties.sasPolicy.sasExpirationPeriod", Ty::Str),
    req("properties.sasPolicy.expirationAction", Ty::Str),
];

pub const ACCOUNT: TypeRules = TypeRules {
    resource_type: "Microsoft.Storage/storageAccounts",
    api_versions: ACCOUNT_VERSIONS,
    spec: "storage/resource-manager/Microsoft.Storage/stable/2025-06-01/openapi.json",
    style: Style::Arm,
    location_required: true,
    top: &[
        "location",
        "tags",
        "sku",
        "kind",
        "identity",
        "properties",
        "extendedLocation",
        "zones",
        "placement",
    ],
    fields: &ACCOUNT_FIELDS,
    missing_code: "MissingRequiredProperty",
    at_least_one: &[],
};

/// `StorageAccountCreateParameters` before 2025: the same, without `zones` and `placement`.
pub const ACCOUNT_2023: TypeRules = TypeRules {
    resource_type: "Microsoft.Storage/storageAccounts",
    api_versions: &["2023-05-01", "2024-01-01"],
    spec: "storage/resource-manager/Microsoft.Storage/stable/2024-01-01/storage.json",
    style: Style::Arm,
    location_required: true,
    top: &[
        "location",
        "tags",
        "sku",
        "kind",
        "identity",
        "properties",
        "extendedLocation",
    ],
    fields: &ACCOUNT_FIELDS,
    missing_code: "MissingRequiredProperty",
    at_least_one: &[],
};

/// `BlobServiceProperties` (`blobServices/default`): `properties` with retention policies
/// and versioning; no location.
pub const BLOB_SERVICE: TypeRules = TypeRules {
    resource_type: "Microsoft.Storage/storageAccounts/blobServices",
    api_versions: VERSIONS,
    spec: "storage/resource-manager/Microsoft.Storage/stable/2025-06-01/openapi.json",
    style: Style::Arm,
    location_required: false,
    top: &["properties"],
    fields: &[
        opt("properties", Ty::Obj),
        opt("properties.isVersioningEnabled", Ty::Bool),
        opt("properties.automaticSnapshotPolicyEnabled", Ty::Bool),
        opt("properties.defaultServiceVersion", Ty::Str),
        opt("properties.deleteRetentionPolicy", Ty::Obj),
        opt("properties.deleteRetentionPolicy.enabled", Ty::Bool),
        opt("properties.deleteRetentionPolicy.days", Ty::Int),
        opt(
            "properties.deleteRetentionPolicy.allowPermanentDelete",
            Ty::Bool,
        ),
        opt("properties.containerDeleteRetentionPolicy", Ty::Obj),
        opt(
            "properties.containerDeleteRetentionPolicy.enabled",
            Ty::Bool,
        ),
        opt("properties.containerDeleteRetentionPolicy.days", Ty::Int),
        opt("properties.changeFeed", Ty::Obj),
        opt("properties.changeFeed.enabled", Ty::Bool),
        opt("properties.changeFeed.retentionInDays", Ty::Int),
        opt("properties.restorePolicy", Ty::Obj),
        req("properties.restorePolicy.enabled", Ty::Bool),
        opt("properties.restorePolicy.days", Ty::Int),
        opt("properties.cors", Ty::Obj),
        opt("properties.cors.corsRules", Ty::Arr),
    ],
    missing_code: "MissingRequiredProperty",
    at_least_one: &[],
};

/// `BlobContainer`: `properties.publicAccess` is a closed enum, `metadata` a string map.
pub const CONTAINER: TypeRules = TypeRules {
    resource_type: "Microsoft.Storage/storageAccounts/blobServices/containers",
    api_versions: VERSIONS,
    spec: "storage/resource-manager/Microsoft.Storage/stable/2025-06-01/openapi.json",
    style: Style::Arm,
    location_required: false,
    top: &["properties"],
    fields: &[
        opt("properties", Ty::Obj),
        opt(
            "properties.publicAccess",
            Ty::OneOf(&["Container", "Blob", "None"]),
        ),
        opt("properties.metadata", Ty::StrMap),
        opt("properties.defaultEncryptionScope", Ty::Str),
        opt("properties.denyEncryptionScopeOverride", Ty::Bool),
        opt("properties.enableNfsV3AllSquash", Ty::Bool),
        opt("properties.enableNfsV3RootSquash", Ty::Bool),
        opt("properties.immutableStorageWithVersioning", Ty::Obj),
        opt(
            "properties.immutableStorageWithVersioning.enabled",
            Ty::Bool,
        ),
    ],
    missing_code: "MissingRequiredProperty",
    at_least_one: &[],
};
