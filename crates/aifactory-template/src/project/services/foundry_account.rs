//! The dedicated AI Foundry account (`foundry_options.account = "dedicated"`): an account
//! of `kind: AIServices` of its own beside the AI Services account, as ESML builds it
//! (`aif2…`, `09-ai-foundry-2025-v4.bicep`), with project management on and the Agent
//! service injected into the project's agent subnet; running as the project identity,
//! custom subdomain = its name, local (key) authentication off. The Foundry project, its
//! connections, the model deployments and the capability hosts hang off it.
//! Must not: hand out keys, or exist without AI Foundry.

use serde_json::Value;

use super::ai_services::{account_body, foundry_properties, AGENT_SUBNET};
use super::{after_identity, Ctx, DiagnosticLogs, Service, ServiceKey, SoftDelete};
use crate::naming::NameKind;
use crate::project::rbac::{
    Grant, PrincipalClass::Identity as I, PrincipalClass::Member as M, ScopeKey, When,
    COGNITIVE_SERVICES_OPENAI_CONTRIBUTOR, COGNITIVE_SERVICES_OPENAI_USER, COGNITIVE_SERVICES_USER,
};

pub const SERVICE: Service = Service {
    key: ServiceKey::FoundryAccount,
    // The same resource type and version as the AI Services account.
    api: super::ai_services::API,
    delete_lro: true,
    name_kind: NameKind::FoundryAccount,
    private_link_groups: &["account"],
    soft_delete: SoftDelete::CognitiveServices,
    write_only: &["properties.restore"],
    subnets: &[AGENT_SUBNET.when(|l| l.agent && l.foundry_dedicated)],
    diagnostics: Some(DiagnosticLogs {
        category_groups: &["audit", "allLogs"],
        metrics: true,
    }),
    // As on the AI Services account when Foundry runs there: members deploy and call
    // models and the account's other AI services, the identity calls models.
    grants: &[
        Grant::new(
            M,
            ScopeKey::FoundryAccount,
            COGNITIVE_SERVICES_OPENAI_CONTRIBUTOR,
            When::FoundryAccount,
            "deploy models and call them",
        ),
        Grant::new(
            M,
            ScopeKey::FoundryAccount,
            COGNITIVE_SERVICES_USER,
            When::FoundryAccount,
            "use the Foundry project and the account's AI services",
        ),
        Grant::new(
            I,
            ScopeKey::FoundryAccount,
            COGNITIVE_SERVICES_OPENAI_USER,
            When::FoundryAccount,
            "call models from jobs and agents",
        ),
    ],
    summary: "services.ai_foundry with foundry_options.account = \"dedicated\" (kind AIServices with project management, ESML's aif2 account)",
    enabled: |l| l.foundry_dedicated,
    depends_on: after_identity,
    body,
    parent: None,
    own_name: None,
};

fn body(x: &Ctx) -> Value {
    let mut body = account_body(x, ServiceKey::FoundryAccount, "AIServices");
    foundry_properties(x, &mut body);
    body
}
