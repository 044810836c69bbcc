//! The project storage account: StorageV2, HNS off, TLS 1.2, no public blob access, HTTPS
//! only, no cross-tenant replication, Entra ID as the portal default, Standard_LRS. Shared
//! key access is disabled except on the account a Machine Learning workspace uses as its
//! default storage: Azure ML's support for a shared-key-disabled default storage
//! (`systemDatastoresAuthMode: identity`) is still preview, and a GA project must not
//! depend on a preview feature. So esml's storage keeps shared key; genai's has none, and
//! genai with `azure_ml` gets a separate `ml_storage` (ESML's "storage 2") that keeps it.
//! The project storage gets `file`, `queue` and `table` endpoints only when it is the
//! workspace's storage (notebooks and code; parallel and pipeline jobs).
//! Must not: hold the team's lake data (that is the common data lake's).

use serde_json::{json, Value};

use super::{after_group, always, Ctx, DiagnosticLogs, Service, ServiceKey, SoftDelete};
use crate::naming::NameKind;
use crate::project::api_type::ApiType;
use crate::project::rbac::{
    Grant, PrincipalClass::Identity as I, PrincipalClass::Member as M, PrincipalClass::Reader as R,
    ScopeKey, When, STORAGE_BLOB_DATA_CONTRIBUTOR, STORAGE_BLOB_DATA_READER,
};

pub const API: ApiType = ApiType {
    resource_type: "Microsoft.Storage/storageAccounts",
    api_version: "2025-06-01",
    lro: true,
    spec: "storage/resource-manager/Microsoft.Storage/stable/2025-06-01/openapi.json",
};

pub const SERVICE: Service = Service {
    key: ServiceKey::Storage,
    api: API,
    // StorageAccounts_Delete answers 200/204, not long-running.
    delete_lro: false,
    name_kind: NameKind::Storage,
    private_link_groups: &["blob", "dfs", "file", "queue", "table"],
    soft_delete: SoftDelete::None,
    write_only: &[],
    subnets: &[],
    // Account-level settings take metrics only; logs are on the blob/file/queue/table services.
    diagnostics: Some(DiagnosticLogs {
        category_groups: &[],
        metrics: true,
    }),
    grants: &[
        Grant::new(
            R,
            ScopeKey::Storage,
            STORAGE_BLOB_DATA_READER,
            When::Always,
            "read project blobs",
        ),
        Grant::new(
            M,
            ScopeKey::Storage,
            STORAGE_BLOB_DATA_CONTRIBUTOR,
            When::Always,
            "read and write project blobs",
        ),
        Grant::new(
            I,
            ScopeKey::Storage,
            STORAGE_BLOB_DATA_CONTRIBUTOR,
            When::Always,
            "read and write project blobs from jobs",
        ),
    ],
    summary: "always (StorageV2, HNS off, TLS 1.2, shared key only when it is Machine Learning's storage)",
    enabled: always,
    depends_on: after_group,
    // Shared key only where Machine Learning uses this account as its default storage.
    body: |x| body(x, x.layout.ml && !x.layout.genai),
    parent: None,
    own_name: None,
};

/// A project storage account's body; `shared_key` for the one Azure ML uses by default.
pub(super) fn body(x: &Ctx, shared_key: bool) -> Value {
    let ip_rules: Vec<Value> =
        x.c.ip_rules
            .iter()
            .flat_map(|r| r.storage_rules())
            .map(|v| json!({ "value": v, "action": "Allow" }))
            .collect();
    json!({
        "location": x.location(),
        "tags": x.tags(),
        "kind": "StorageV2",
        "sku": { "name": "Standard_LRS" },
        "properties": {
            "isHnsEnabled": false,
            "accessTier": "Hot",
            "minimumTlsVersion": "TLS1_2",
            "supportsHttpsTrafficOnly": true,
            "allowBlobPublicAccess": false,
            "allowSharedKeyAccess": shared_key,
            "defaultToOAuthAuthentication": true,
            "allowCrossTenantReplication": false,
            "publicNetworkAccess": x.public_access(),
            "networkAcls": {
                "bypass": "AzureServices",
                "defaultAction": "Deny",
                "ipRules": ip_rules,
                "virtualNetworkRules": [],
            },
        },
    })
}
