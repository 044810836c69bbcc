//! Azure AI Search, running as the project identity, local (key) authentication off so
//! every caller uses Entra ID and the role grants; `standard` in prod, `basic` elsewhere.
//! Must not: hand out admin or query keys.

use serde_json::{json, Value};

use super::{after_identity, Ctx, DiagnosticLogs, Service, ServiceKey, SoftDelete};
use crate::naming::NameKind;
use crate::project::api_type::ApiType;
use crate::project::model::DesiredResource;
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
        // Microsoft's standard agent setup and ESML (rbacAISearchForAIFv2.bicep) give the
        // project's identity both Search roles: the Agent service makes its own indexes.
        Grant::new(
            I,
            ScopeKey::Search,
            SEARCH_SERVICE_CONTRIBUTOR,
            When::Agent,
            "the Agent service creates and manages its vector store indexes",
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

/// Approving a shared private link on its target: Azure creates the link's private
/// endpoint connection on the target as `Pending` (never auto-approved), and Search cannot
/// use the link until the target's owner approves it. The project owns both sides, so the
/// provider approves it right after writing the link: it lists the target's
/// `privateEndpointConnections`, finds the pending one carrying the link's request message
/// (Azure copies it into the connection's description; the connection's name is Azure's)
/// and PUTs it `Approved`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkApproval {
    /// The target resource's ID.
    pub target_id: String,
    /// The api-version of the target's `privateEndpointConnections` (its own type's).
    pub api_version: &'static str,
    /// The link's `requestMessage`, which marks its connection.
    pub request_message: String,
}

/// What approving a desired shared private link takes; `None` for anything else.
pub fn link_approval(r: &DesiredResource) -> Option<LinkApproval> {
    if !r
        .resource_type
        .eq_ignore_ascii_case(SHARED_PRIVATE_LINK.resource_type)
    {
        return None;
    }
    let props = r.body.get("properties")?;
    let target_id = props.get("privateLinkResourceId")?.as_str()?.to_string();
    let target_type = crate::project::ids::ArmId::parse(&target_id)?.resource_type();
    // Storage: PrivateEndpointConnections_Put in storage.json; Cognitive Services:
    // PrivateEndpointConnections_CreateOrUpdate in cognitiveservices.json (long-running).
    let api_version = [super::storage::API, super::ai_services::API]
        .into_iter()
        .find(|a| a.resource_type.eq_ignore_ascii_case(&target_type))?
        .api_version;
    Some(LinkApproval {
        target_id,
        api_version,
        request_message: props.get("requestMessage")?.as_str()?.to_string(),
    })
}

/// A target's private endpoint connection as far as approval cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkConnection {
    pub id: String,
    /// `Pending`, `Approved`, `Rejected` or `Disconnected`.
    pub status: String,
}

/// The connection of a link among a target's `privateEndpointConnections` (the list's
/// `value`): the one whose description is the link's request message.
pub fn link_connection(connections: &[Value], request_message: &str) -> Option<LinkConnection> {
    connections.iter().find_map(|c| {
        let state = c.pointer("/properties/privateLinkServiceConnectionState")?;
        if state.get("description")?.as_str()? != request_message {
            return None;
        }
        Some(LinkConnection {
            id: c.get("id")?.as_str()?.to_string(),
            status: state.get("status")?.as_str()?.to_string(),
        })
    })
}

/// The PUT body approving a link's connection. The description stays the request
/// message: the approver's description replaces the requester's, and it is the only mark
/// of the link on the connection (whose name and endpoint are Azure's).
pub fn approval_body(a: &LinkApproval) -> Value {
    json!({
        "properties": {
            "privateLinkServiceConnectionState": {
                "status": "Approved",
                "description": a.request_message,
            },
        },
    })
}

/// Drift of a link read back: its `status` is its connection's, and anything but
/// `Approved` leaves Search without the link (a pending connection, or one rejected or
/// deleted on the target). `None` when approved.
pub fn link_status_drift(actual: &Value) -> Option<String> {
    let status = actual.pointer("/properties/status")?.as_str()?;
    (!status.eq_ignore_ascii_case("Approved"))
        .then(|| format!("properties.status: {status} (not approved on the target)"))
}

#[cfg(test)]
mod link_tests {
    use super::*;

    const STORAGE: &str =
        "/subscriptions/s/resourceGroups/r/providers/Microsoft.Storage/storageAccounts/sa1";

    fn link(target: &str) -> DesiredResource {
        DesiredResource {
            key: "shared_private_link.storage_blob".into(),
            resource_type: SHARED_PRIVATE_LINK.resource_type.into(),
            api_version: SHARED_PRIVATE_LINK.api_version.into(),
            id: "/subscriptions/s/resourceGroups/r/providers/Microsoft.Search/searchServices/srch/sharedPrivateLinkResources/shared-pe-storage-blob".into(),
            name: "shared-pe-storage-blob".into(),
            body: json!({"properties": {"privateLinkResourceId": target, "groupId": "blob", "requestMessage": "m1"}}),
            depends_on: Vec::new(),
            lro: true,
            origin: Default::default(),
        }
    }

    #[test]
    fn approval_targets_each_type_with_its_own_api_version() {
        let a = link_approval(&link(STORAGE)).expect("storage");
        assert_eq!(a.api_version, super::super::storage::API.api_version);
        assert_eq!(
            (a.target_id.as_str(), a.request_message.as_str()),
            (STORAGE, "m1")
        );
        let cs =
            "/subscriptions/s/resourceGroups/r/providers/Microsoft.CognitiveServices/accounts/aif1";
        assert_eq!(
            link_approval(&link(cs)).map(|a| a.api_version),
            Some(super::super::ai_services::API.api_version)
        );
        let kv = "/subscriptions/s/resourceGroups/r/providers/Microsoft.KeyVault/vaults/kv1";
        assert_eq!(link_approval(&link(kv)), None);
        let mut other = link(STORAGE);
        other.resource_type = "Microsoft.Network/privateEndpoints".into();
        assert_eq!(link_approval(&other), None);
    }

    #[test]
    fn the_connection_is_found_by_its_request_message() {
        let conns = vec![
            json!({"id": "c0", "properties": {"privateLinkServiceConnectionState": {"status": "Approved", "description": "someone else's"}}}),
            json!({"id": "c1", "properties": {"privateLinkServiceConnectionState": {"status": "Pending", "description": "m1"}}}),
        ];
        assert_eq!(
            link_connection(&conns, "m1"),
            Some(LinkConnection {
                id: "c1".into(),
                status: "Pending".into()
            })
        );
        assert_eq!(link_connection(&conns, "m2"), None);
        let a = link_approval(&link(STORAGE)).expect("storage");
        let state = &approval_body(&a)["properties"]["privateLinkServiceConnectionState"];
        assert_eq!(state["status"], "Approved");
        // Still found by its message once approved.
        assert_eq!(state["description"], "m1");
    }

    #[test]
    fn only_an_approved_link_is_without_drift() {
        for (status, drift) in [
            ("Approved", false),
            ("Pending", true),
            ("Rejected", true),
            ("Disconnected", true),
        ] {
            let d = link_status_drift(&json!({"properties": {"status": status}}));
            assert_eq!(d.is_some(), drift, "{status}");
        }
        assert_eq!(link_status_drift(&json!({"properties": {}})), None);
    }
}
