//! The Azure AI Services account (`kind: AIServices`), running as the project identity,
//! custom subdomain = its name, local (key) authentication off. Must not: hand out keys.

use serde_json::{json, Value};

use super::{after_identity, Ctx, DiagnosticLogs, Service, ServiceKey, SoftDelete, SubnetNeed};
use crate::naming::NameKind;
use crate::project::api_type::ApiType;
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

/// The Agent service's network injection (standard setup, private mode) into the Foundry
/// account's agent subnet: delegated to Microsoft.App/environments, in 172.16.0.0/12 or
/// 192.168.0.0/16 (learn.microsoft.com/azure/ai-foundry/agents/how-to/virtual-networks),
/// /23 or larger: ESML's users report a smaller one is rejected and the account stays
/// "Creating" (esml.md, subnet rules). Needed by whichever account Foundry runs on.
pub const AGENT_SUBNET: SubnetNeed = SubnetNeed {
    purpose: "agent",
    needed_for: "the Agent service's network injection (services.agent_service)",
    delegation: Some("Microsoft.App/environments"),
    ranges: &["172.16.0.0/12", "192.168.0.0/16"],
    max_prefix_length: Some(23),
    private_only: true,
    needed: |l| l.agent,
    source: "learn.microsoft.com/azure/ai-foundry/agents/how-to/virtual-networks",
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
    subnets: &[AGENT_SUBNET.when(|l| l.agent && !l.foundry_dedicated)],
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
    summary: "services.ai_services (default for genai; kind AIServices, custom subdomain; project management with services.ai_foundry unless foundry_options.account = \"dedicated\")",
    enabled: |l| l.ai_services,
    depends_on: after_identity,
    body,
    parent: None,
    own_name: None,
};

/// A keyless Cognitive Services account of `kind` named `key`'s name (custom subdomain =
/// name), running as the project identity: shared with the separate Azure OpenAI account.
pub(super) fn account_body(x: &Ctx, key: ServiceKey, kind: &str) -> Value {
    let name = x.name_of(key);
    json!({
        "location": x.location(),
        "tags": x.tags(),
        "kind": kind,
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

fn body(x: &Ctx) -> Value {
    let mut body = account_body(x, ServiceKey::AiServices, "AIServices");
    if x.layout.foundry_host() == ServiceKey::AiServices {
        foundry_properties(x, &mut body);
    }
    body
}

/// AI Foundry on an account: projects as child resources; the Agent service injected into
/// the project's agent subnet (private mode).
pub(super) fn foundry_properties(x: &Ctx, body: &mut Value) {
    if x.layout.foundry {
        body["properties"]["allowProjectManagement"] = json!(true);
    }
    if let Some(subnet) = x.c.agent_subnet_id.as_ref().filter(|_| x.layout.agent) {
        body["properties"]["networkInjections"] = json!([{
            "scenario": "agent",
            "subnetArmId": subnet,
            "useMicrosoftManagedNetwork": false,
        }]);
    }
}
