//! A separate Azure OpenAI account (`services.azure_openai`, `kind: OpenAI`) for projects
//! that want one beside (or instead of) the AI Services account: running as the project
//! identity, custom subdomain = its name, local (key) authentication off, private endpoint
//! `account`. Must not: hand out keys.

use serde_json::Value;

use super::{after_identity, Ctx, DiagnosticLogs, Service, ServiceKey, SoftDelete};
use crate::naming::NameKind;
use crate::project::rbac::{
    Grant, PrincipalClass::Identity as I, PrincipalClass::Member as M, ScopeKey, When,
    COGNITIVE_SERVICES_OPENAI_CONTRIBUTOR, COGNITIVE_SERVICES_OPENAI_USER,
};

pub const SERVICE: Service = Service {
    key: ServiceKey::AzureOpenAi,
    // The same resource type and version as the AI Services account.
    api: super::ai_services::API,
    delete_lro: true,
    name_kind: NameKind::AzureOpenAi,
    private_link_groups: &["account"],
    soft_delete: SoftDelete::CognitiveServices,
    write_only: &["properties.restore"],
    subnets: &[],
    diagnostics: Some(DiagnosticLogs {
        category_groups: &["audit", "allLogs"],
        metrics: true,
    }),
    grants: &[
        Grant::new(
            M,
            ScopeKey::AzureOpenAi,
            COGNITIVE_SERVICES_OPENAI_CONTRIBUTOR,
            When::AzureOpenAi,
            "deploy models and call them",
        ),
        Grant::new(
            I,
            ScopeKey::AzureOpenAi,
            COGNITIVE_SERVICES_OPENAI_USER,
            When::AzureOpenAi,
            "call models from jobs",
        ),
    ],
    summary: "services.azure_openai (kind OpenAI, custom subdomain, keyless)",
    enabled: |l| l.azure_openai,
    depends_on: after_identity,
    body,
    parent: None,
    own_name: None,
};

fn body(x: &Ctx) -> Value {
    super::ai_services::account_body(x, ServiceKey::AzureOpenAi, "OpenAI")
}
