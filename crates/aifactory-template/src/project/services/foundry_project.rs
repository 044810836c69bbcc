//! The AI Foundry project (`accounts/projects`, `services.ai_foundry`): the AI Factory
//! project's own Foundry project on the account Foundry runs on (AI Services, named like
//! the project: `project001`; or the dedicated Foundry account, named as ESML names it
//! with its random salt: `aif2-p…`), running as the project identity. Its connections, the model
//! deployments and the Agent service's capability hosts are built from it by
//! `project::foundry`. Must not: exist without the account's project management.

use serde_json::{json, Value};

use super::{Ctx, DiagnosticLogs, Service, ServiceKey, SoftDelete};
use crate::naming::NameKind;
use crate::project::api_type::ApiType;

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
    depends_on: |l| {
        vec![
            ServiceKey::ResourceGroup,
            ServiceKey::Identity,
            l.foundry_host(),
        ]
    },
    body,
    parent: Some((|l| l.foundry_host(), "projects")),
    own_name: Some(|x| {
        if x.layout.foundry_dedicated {
            x.c.names.foundry_project.clone()
        } else {
            x.c.names.project_key.clone()
        }
    }),
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
