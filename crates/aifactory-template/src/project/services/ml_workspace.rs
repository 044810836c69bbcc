//! The Azure Machine Learning workspace: identity = the project identity only
//! (`UserAssigned`, `primaryUserAssignedIdentity`), wired to the key vault, its default
//! storage and Application Insights; `allowRoleAssignmentOnRG: false` (the provider
//! assigns roles itself). Its grants include those on its default storage
//! (`ScopeKey::MlDefaultStorage`: `storage` for esml, `ml_storage` for genai).
//! Must not: run as a system-assigned identity.

use serde_json::{json, Value};

use super::{Ctx, DiagnosticLogs, Service, ServiceKey, SoftDelete};
use crate::naming::NameKind;
use crate::project::api_type::ApiType;
use crate::project::rbac::{
    Grant, PrincipalClass::Identity as I, PrincipalClass::Member as M, ScopeKey, When,
    AZUREML_COMPUTE_OPERATOR, AZUREML_DATA_SCIENTIST, STORAGE_BLOB_DATA_CONTRIBUTOR,
    STORAGE_FILE_DATA_PRIVILEGED_CONTRIBUTOR,
};

pub const API: ApiType = ApiType {
    resource_type: "Microsoft.MachineLearningServices/workspaces",
    api_version: "2025-06-01",
    lro: true,
    spec: "machinelearningservices/resource-manager/Microsoft.MachineLearningServices/stable/2025-06-01/workspaceRP.json",
};

pub const SERVICE: Service = Service {
    key: ServiceKey::MlWorkspace,
    api: API,
    // Workspaces_Delete is x-ms-long-running-operation.
    delete_lro: true,
    name_kind: NameKind::MlWorkspace,
    private_link_groups: &["amlworkspace"],
    soft_delete: SoftDelete::None,
    write_only: &[],
    subnets: &[],
    diagnostics: Some(DiagnosticLogs {
        category_groups: &["allLogs"],
        metrics: true,
    }),
    grants: &[
        Grant::new(
            M,
            ScopeKey::MlDefaultStorage,
            STORAGE_BLOB_DATA_CONTRIBUTOR,
            When::MachineLearning,
            "data preview and datastores in ML studio",
        ),
        Grant::new(
            M,
            ScopeKey::MlDefaultStorage,
            STORAGE_FILE_DATA_PRIVILEGED_CONTRIBUTOR,
            When::MachineLearning,
            "notebooks and code on the workspace file share",
        ),
        Grant::new(
            M,
            ScopeKey::MlWorkspace,
            AZUREML_DATA_SCIENTIST,
            When::MachineLearning,
            "everything in the workspace except compute and workspace changes",
        ),
        Grant::new(
            M,
            ScopeKey::MlWorkspace,
            AZUREML_COMPUTE_OPERATOR,
            When::MachineLearning,
            "create and manage compute instances and clusters",
        ),
        Grant::new(
            I,
            ScopeKey::MlDefaultStorage,
            STORAGE_BLOB_DATA_CONTRIBUTOR,
            When::MachineLearning,
            "workspace datastores",
        ),
        Grant::new(
            I,
            ScopeKey::MlDefaultStorage,
            STORAGE_FILE_DATA_PRIVILEGED_CONTRIBUTOR,
            When::MachineLearning,
            "workspace file share",
        ),
    ],
    summary: "services.azure_ml (default for esml)",
    enabled: |l| l.ml,
    depends_on: |l| {
        vec![
            ServiceKey::ResourceGroup,
            ServiceKey::Identity,
            ServiceKey::KeyVault,
            ml_storage_of(l),
            ServiceKey::AppInsights,
        ]
    },
    body,
    parent: None,
    own_name: None,
};

/// The storage the workspace uses by default.
pub(in crate::project) fn ml_storage_of(l: &crate::project::spec::Layout) -> ServiceKey {
    if l.genai {
        ServiceKey::MlStorage
    } else {
        ServiceKey::Storage
    }
}

fn body(x: &Ctx) -> Value {
    let (spec, n) = (x.spec, &x.c.names);
    let mut props = json!({
        "friendlyName": n.ml_workspace,
        "description": format!("AI Factory {} ({}, {})", n.project_key, spec.project_type, spec.environment),
        "keyVault": x.service_id(ServiceKey::KeyVault),
        "storageAccount": x.service_id(ml_storage_of(x.layout)),
        "applicationInsights": x.service_id(ServiceKey::AppInsights),
        "primaryUserAssignedIdentity": x.identity_id(),
        "publicNetworkAccess": x.public_access(),
        "allowRoleAssignmentOnRG": false,
        "hbiWorkspace": false,
        "v1LegacyMode": false,
    });
    if !x.private() {
        props["networkAcls"] = json!({
            "defaultAction": "Deny",
            "ipRules": x.c.ip_rules.iter().map(|r| json!({ "value": r.cidr() })).collect::<Vec<_>>(),
        });
    }
    json!({
        "location": x.location(),
        "tags": x.tags(),
        "kind": "Default",
        "sku": { "name": "Basic", "tier": "Basic" },
        "identity": x.user_assigned(),
        "properties": props,
    })
}
