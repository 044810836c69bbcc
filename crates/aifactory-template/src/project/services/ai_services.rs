//! The Azure AI Services account (`kind: AIServices`), running as the project identity,
//! custom subdomain = its name, local (key) authentication off. Must not: hand out keys.

use serde_json::{json, Value};

use super::{after_identity, Ctx, DiagnosticLogs, Service, ServiceKey, SoftDelete};
use crate::naming::NameKind;
use crate::project::api::ApiType;
use crate::project::rbac::{
    Grant, PrincipalClass::Identity as I, PrincipalClass::Member as M, ScopeKey, When,
    COGNITIVE_SERVICES_OPENAI_CONTRIBUTOR, COGNITIVE_SERVICES_OPENAI_USER, COGNITIVE_SERVICES_USER,
};

pub const API: ApiType = ApiType {
    resource_type: "Microsoft.CognitiveServices/accounts",
    api_version: "2025-06-01",
    lro: true,
    spec: "cognitiveservices/resource-manager/Microsoft.CognitiveServices/stable/2025-06-01/cognitiveservices.json",
};

pub const SERVICE: Service = Service {
    key: ServiceKey::AiServices,
    api: API,
    delete_lro: true,
    name_kind: NameKind::AiServices,
    private_link_groups: &["account"],
    soft_delete: SoftDelete::CognitiveServices,
    // Only written when restoring a soft-deleted account.
    write_only: &["properties.restore"],
    subnets: &[],
    diagnostics: Some(DiagnosticLogs {
        category_groups: &["audit", "allLogs"],
        metrics: true,
    }),
    grants: &[
        Grant::new(
            M,
            ScopeKey::AiServices,
            COGNITIVE_SERVICES_OPENAI_CONTRIBUTOR,
            When::AiServices,
            "deploy models and call them",
        ),
        Grant::new(
            M,
            ScopeKey::AiServices,
            COGNITIVE_SERVICES_USER,
            When::AiServices,
            "call the other AI services of the account",
        ),
        Grant::new(
            I,
            ScopeKey::AiServices,
            COGNITIVE_SERVICES_OPENAI_USER,
            When::AiServices,
            "call models from jobs",
        ),
    ],
    enabled: |l| l.ai_services,
    depends_on: after_identity,
    body,
};

fn body(x: &Ctx) -> Value {
    let name = x.name_of(ServiceKey::AiServices);
    json!({
        "location": x.location(),
        "tags": x.tags(),
        "kind": "AIServices",
        "sku": { "name": "S0" },
        "identity": x.user_assigned(),
        "properties": {
            "customSubDomainName": name,
            "publicNetworkAccess": x.public_access(),
            "networkAcls": {
                "defaultAction": "Deny",
                "ipRules": x.c.ip_rules.iter().map(|r| json!({ "value": r.ip_or_cidr() })).collect::<Vec<_>>(),
                "virtualNetworkRules": [],
            },
            "disableLocalAuth": true,
        },
    })
}
