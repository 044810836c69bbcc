//! The AI Foundry project (`accounts/projects`, `services.ai_foundry`): the AI Factory
//! project's own Foundry project on its AI Services account, named like the project
//! (`project001`), running as the project identity. Its connections, the model
//! deployments and the Agent service's capability hosts are built from it by
//! `project::foundry`. Must not: exist without the account's project management.

use serde_json::{json, Value};

use super::{Ctx, DiagnosticLogs, Service, ServiceKey, SoftDelete};
use crate::naming::NameKind;
use crate::project::api::ApiType;

pub const API: ApiType = ApiType {
    resource_type: "Microsoft.CognitiveServices/accounts/projects",
    api_version: "2025-06-01",
    lro: true,
    spec: "cognitiveservices/resource-manager/Microsoft.CognitiveServices/stable/2025-06-01/cognitiveservices.json",
};

pub const SERVICE: Service = Service {
    key: ServiceKey::FoundryProject,
    api: API,
    // Projects_Delete is x-ms-long-running-operation.
    delete_lro: true,
    // Named by the project key (`project001`); the account's rule bounds it.
    name_kind: NameKind::AiServices,
    private_link_groups: &[],
    soft_delete: SoftDelete::None,
    write_only: &[],
    subnets: &[],
    // Its logs are the account's.
    diagnostics: None::<DiagnosticLogs>,
    grants: &[],
    summary: "services.ai_foundry (the Foundry project, named like the project)",
    enabled: |l| l.foundry,
    depends_on: |_| {
        vec![
            ServiceKey::ResourceGroup,
            ServiceKey::Identity,
            ServiceKey::AiServices,
        ]
    },
    body,
    parent: Some((ServiceKey::AiServices, "projects")),
    own_name: Some(|x| x.c.names.project_key.clone()),
};

fn body(x: &Ctx) -> Value {
    let n = &x.c.names;
    json!({
        "location": x.location(),
        "tags": x.tags(),
        "identity": x.user_assigned(),
        "properties": {
            "displayName": n.project_key,
            "description": format!(
                "AI Factory {} ({}, {})",
                n.project_key, x.spec.project_type, x.spec.environment
            ),
        },
    })
}
