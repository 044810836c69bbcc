//! genai's second storage account (ESML's "storage 2"), the default storage of its
//! Machine Learning workspace: shared key kept (see `storage`). Must not: exist without
//! the workspace.

use super::storage::{body, API};
use super::{after_group, DiagnosticLogs, Service, ServiceKey, SoftDelete};
use crate::naming::NameKind;

pub const SERVICE: Service = Service {
    key: ServiceKey::MlStorage,
    api: API,
    delete_lro: false,
    name_kind: NameKind::MlStorage,
    private_link_groups: &["blob", "dfs", "file", "queue", "table"],
    soft_delete: SoftDelete::None,
    write_only: &[],
    subnets: &[],
    diagnostics: Some(DiagnosticLogs {
        category_groups: &[],
        metrics: true,
    }),
    // The workspace's grants on its default storage are the workspace's (`ml_workspace`).
    grants: &[],
    summary: "genai with services.azure_ml (Machine Learning's own storage)",
    enabled: |l| l.genai && l.ml,
    depends_on: after_group,
    body: |x| body(x, true),
    parent: None,
    own_name: None,
};
