//! Azure AI Search, running as the project identity, local (key) authentication off so
//! every caller uses Entra ID and the role grants; `standard` in prod, `basic` elsewhere.
//! Must not: hand out admin or query keys.

use serde_json::{json, Value};

use super::{after_identity, Ctx, DiagnosticLogs, Service, ServiceKey, SoftDelete};
use crate::naming::NameKind;
use crate::project::api::ApiType;
use crate::project::rbac::{
    Grant, PrincipalClass::Identity as I, PrincipalClass::Member as M, PrincipalClass::Reader as R,
    ScopeKey, When, SEARCH_INDEX_DATA_CONTRIBUTOR, SEARCH_INDEX_DATA_READER,
    SEARCH_SERVICE_CONTRIBUTOR,
};

pub const API: ApiType = ApiType {
    resource_type: "Microsoft.Search/searchServices",
    api_version: "2025-05-01",
    lro: true,
    spec: "search/resource-manager/Microsoft.Search/stable/2025-05-01/search.json",
};

/// `searchServices/sharedPrivateLinkResources`: Search's own private endpoints into the
/// project's Storage and AI Services (indexers and vectorizers reach them with public
/// access disabled). PUT and DELETE are long-running in the spec.
pub const SHARED_PRIVATE_LINK: ApiType = ApiType {
    resource_type: "Microsoft.Search/searchServices/sharedPrivateLinkResources",
    api_version: "2025-05-01",
    lro: true,
    spec: "search/resource-manager/Microsoft.Search/stable/2025-05-01/search.json",
};

/// The shared private links of a private project with AI Search: (target, group ID, name).
/// `blob` for the storage account (indexers read documents); `openai_account` for the
/// account the models are on (the dedicated Foundry account, else AI Services), the group
/// Microsoft documents for Search to Azure OpenAI models (embedding skills and
/// vectorizers). The Foundry link keeps ESML's name (`shared-pe-foundry-openai`,
/// aiSearchSharedPrivateLinkFoundry.bicep) so an ESML-made link is adopted, not
/// duplicated; only one of the two `openai_account` links is in a layout.
pub const SHARED_PRIVATE_LINKS: [(ServiceKey, &str, &str); 3] = [
    (ServiceKey::Storage, "blob", "shared-pe-storage-blob"),
    (
        ServiceKey::AiServices,
        "openai_account",
        "shared-pe-foundry-openai",
    ),
    (
        ServiceKey::FoundryAccount,
        "openai_account",
        "shared-pe-foundry-openai",
    ),
];

/// Whether a shared private link to `target` is in this layout: the `openai_account` link
/// goes to the dedicated Foundry account when there is one.
pub fn links_to(layout: &crate::project::spec::Layout, target: ServiceKey) -> bool {
    (target.descriptor().enabled)(layout)
        && !(target == ServiceKey::AiServices && layout.foundry_dedicated)
}

pub const SERVICE: Service = Service {
    key: ServiceKey::Search,
    api: API,
    delete_lro: false,
    name_kind: NameKind::Search,
    private_link_groups: &["searchService"],
    soft_delete: SoftDelete::None,
    write_only: &[],
    subnets: &[],
    diagnostics: Some(DiagnosticLogs {
        category_groups: &["allLogs"],
        metrics: true,
    }),
    grants: &[
        Grant::new(
            R,
            ScopeKey::Search,
            SEARCH_INDEX_DATA_READER,
            When::Search,
            "query index documents",
        ),
        Grant::new(
            M,
            ScopeKey::Search,
            SEARCH_SERVICE_CONTRIBUTOR,
            When::Search,
            "define indexes, indexers and skillsets",
        ),
        Grant::new(
            M,
            ScopeKey::Search,
            SEARCH_INDEX_DATA_CONTRIBUTOR,
            When::Search,
            "load and query index documents",
        ),
        Grant::new(
            I,
            ScopeKey::Search,
            SEARCH_INDEX_DATA_CONTRIBUTOR,
            When::Search,
            "index documents from pipelines",
        ),
    ],
    summary: "services.ai_search (default for genai; basic, standard in prod)",
    enabled: |l| l.search,
    depends_on: after_identity,
    body,
    parent: None,
    own_name: None,
};

fn body(x: &Ctx) -> Value {
    let mut body = json!({
        "location": x.location(),
        "tags": x.tags(),
        "sku": { "name": x.spec.search.sku.clone().unwrap_or_else(|| if x.prod() { "standard" } else { "basic" }.to_string()) },
        "identity": x.user_assigned(),
        "properties": {
            "replicaCount": 1,
            "partitionCount": 1,
            "hostingMode": "default",
            "publicNetworkAccess": if x.private() { "disabled" } else { "enabled" },
            "networkRuleSet": {
                "ipRules": x.c.ip_rules.iter().map(|r| json!({ "value": r.ip_or_cidr() })).collect::<Vec<_>>(),
                "bypass": "AzureServices",
            },
            "disableLocalAuth": true,
        },
    });
    if let Some(semantic) = &x.spec.search.semantic_ranker {
        body["properties"]["semanticSearch"] = json!(semantic);
    }
    body
}
