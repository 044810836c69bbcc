//! AI Foundry's objects on top of the catalog's services: the Foundry project's
//! connections to the project's AI Search, Storage and Cosmos DB (Entra ID, no keys), the
//! model deployments on the account Foundry runs on (AI Services or its own; one at a time: each depends on the one
//! before, because Azure refuses concurrent deployment writes on one account), and the
//! Agent service's capability hosts (account, then project, on Cosmos DB, Storage and AI
//! Search; with agent network injection the account's is the one Azure adds).
//!
//! Must not: decide whether Foundry is on (the layout does) or name the services (naming
//! and the descriptors do).

use serde_json::{json, Value};

use super::api::ApiType;
use super::model::{DesiredResource, Origin};
use super::services::{Ctx, ServiceKey};

/// `accounts/projects/connections`.
pub const CONNECTION: ApiType = ApiType {
    resource_type: "Microsoft.CognitiveServices/accounts/projects/connections",
    api_version: "2025-06-01",
    lro: false,
    spec: "cognitiveservices/resource-manager/Microsoft.CognitiveServices/stable/2025-06-01/cognitiveservices.json",
};
/// `accounts/deployments`.
pub const DEPLOYMENT: ApiType = ApiType {
    resource_type: "Microsoft.CognitiveServices/accounts/deployments",
    api_version: "2025-06-01",
    lro: true,
    spec: "cognitiveservices/resource-manager/Microsoft.CognitiveServices/stable/2025-06-01/cognitiveservices.json",
};
/// The suffix of the capability host the Cognitive Services resource provider adds to an
/// account created with agent network injection (`{account}@aml_aiagentservice`; the
/// 409 users of Microsoft's network-secured agent template hit when they PUT a second
/// one, microsoft-foundry/foundry-samples pull 753).
pub const AZURE_ACCOUNT_HOST_SUFFIX: &str = "@aml_aiagentservice";

/// `accounts/capabilityHosts`.
pub const ACCOUNT_CAPABILITY_HOST: ApiType = ApiType {
    resource_type: "Microsoft.CognitiveServices/accounts/capabilityHosts",
    api_version: "2025-06-01",
    lro: true,
    spec: "cognitiveservices/resource-manager/Microsoft.CognitiveServices/stable/2025-06-01/cognitiveservices.json",
};
/// `accounts/projects/capabilityHosts`.
pub const PROJECT_CAPABILITY_HOST: ApiType = ApiType {
    resource_type: "Microsoft.CognitiveServices/accounts/projects/capabilityHosts",
    api_version: "2025-06-01",
    lro: true,
    spec: "cognitiveservices/resource-manager/Microsoft.CognitiveServices/stable/2025-06-01/cognitiveservices.json",
};

/// The Foundry objects of a project (none without Foundry).
pub(super) fn build(x: &Ctx) -> Vec<DesiredResource> {
    if !x.layout.foundry {
        return Vec::new();
    }
    let mut out = connections(x);
    out.extend(deployments(x));
    if x.layout.agent {
        out.extend(capability_hosts(x, &out));
    }
    out
}

fn resource(
    key: String,
    t: &ApiType,
    name: &str,
    id: String,
    body: Value,
    mut depends_on: Vec<String>,
) -> DesiredResource {
    depends_on.sort();
    depends_on.dedup();
    DesiredResource {
        key,
        resource_type: t.resource_type.to_string(),
        api_version: t.api_version.to_string(),
        id,
        name: name.to_string(),
        body,
        depends_on,
        lro: t.lro,
        origin: Default::default(),
    }
}

/// (service, connection category, data-plane host kind) of each connection.
const CONNECTIONS: [(ServiceKey, &str, &str); 3] = [
    (ServiceKey::Search, "CognitiveSearch", "search"),
    (ServiceKey::Storage, "AzureStorageAccount", "blob"),
    (ServiceKey::CosmosDb, "CosmosDb", "documents"),
];

/// The connection key of a service (`foundry_connection.search`).
pub fn connection_key(service: ServiceKey) -> String {
    format!("foundry_connection.{service}")
}

fn connections(x: &Ctx) -> Vec<DesiredResource> {
    let project = x.service_id(ServiceKey::FoundryProject);
    CONNECTIONS
        .iter()
        .filter(|(s, _, _)| (s.descriptor().enabled)(x.layout))
        .filter_map(|(service, category, host)| {
            let name = x.name_of(*service);
            let suffix = x.spec.cloud.host_suffix(host)?;
            let target = match *host {
                "documents" => format!("https://{name}.{suffix}:443/"),
                _ => format!("https://{name}.{suffix}/"),
            };
            Some(resource(
                connection_key(*service),
                &CONNECTION,
                &name,
                format!("{project}/connections/{name}"),
                json!({
                    "properties": {
                        "category": category,
                        "target": target,
                        "authType": "AAD",
                        "isSharedToAll": false,
                        "metadata": {
                            "ApiType": "Azure",
                            "ResourceId": x.service_id(*service),
                            "location": x.spec.location,
                        },
                    },
                }),
                vec![
                    ServiceKey::FoundryProject.as_str().to_string(),
                    service.as_str().to_string(),
                ],
            ))
        })
        .collect()
}

/// The deployment key (`deployment.gpt`).
pub fn deployment_key(name: &str) -> String {
    format!("deployment.{name}")
}

/// Model deployments, each after the one before (sorted by name): Azure refuses a
/// deployment write while another one on the account is in progress.
fn deployments(x: &Ctx) -> Vec<DesiredResource> {
    let host = x.layout.foundry_host();
    let account = x.service_id(host);
    let mut previous: Option<String> = None;
    let mut out = Vec::new();
    for d in &x.spec.deployments {
        let mut model = json!({ "format": d.format, "name": d.model });
        if let Some(v) = &d.version {
            model["version"] = json!(v);
        }
        let mut deps = vec![host.as_str().to_string()];
        deps.extend(previous.clone());
        let key = deployment_key(&d.name);
        out.push(resource(
            key.clone(),
            &DEPLOYMENT,
            &d.name,
            format!("{account}/deployments/{}", d.name),
            json!({
                "sku": { "name": d.sku, "capacity": d.capacity },
                "properties": { "model": model },
            }),
            deps,
        ));
        previous = Some(key);
    }
    out
}

/// The Agent service's capability hosts: the account's, then the project's on the
/// project's connections (vector store: AI Search; files: Storage; threads: Cosmos DB).
fn capability_hosts(x: &Ctx, built: &[DesiredResource]) -> Vec<DesiredResource> {
    let host = x.layout.foundry_host();
    let account = x.service_id(host);
    let project = x.service_id(ServiceKey::FoundryProject);
    let conn = |s: ServiceKey| -> Option<(String, String)> {
        let key = connection_key(s);
        built
            .iter()
            .find(|r| r.key == key)
            .map(|r| (r.name.clone(), r.key.clone()))
    };
    let (Some(search), Some(storage), Some(cosmos)) = (
        conn(ServiceKey::Search),
        conn(ServiceKey::Storage),
        conn(ServiceKey::CosmosDb),
    ) else {
        return Vec::new();
    };
    // ESML names both after its account (`{account}caphost`, dashes removed); ours after
    // the project key.
    let account_name = x.name_of(host);
    let name = if x.layout.foundry_dedicated {
        format!("{}caphost", account_name.replace('-', ""))
    } else {
        format!("caphost-{}", x.c.names.project_key)
    };
    // With agent network injection the Cognitive Services resource provider adds the
    // account's capability host itself, named `{account}@aml_aiagentservice`, and refuses
    // a second one (409 Conflict: one capability host per account): wait for Azure's.
    // Without injection the provider creates it.
    let injected = x.layout.private && x.c.agent_subnet_id.is_some();
    let account_host = if injected {
        let azure_name = format!("{account_name}{AZURE_ACCOUNT_HOST_SUFFIX}");
        let mut r = resource(
            "capability_host.account".into(),
            &ACCOUNT_CAPABILITY_HOST,
            &azure_name,
            format!("{account}/capabilityHosts/{azure_name}"),
            json!({}),
            vec![host.as_str().to_string()],
        );
        r.origin = Origin::Azure;
        r
    } else {
        resource(
            "capability_host.account".into(),
            &ACCOUNT_CAPABILITY_HOST,
            &name,
            format!("{account}/capabilityHosts/{name}"),
            json!({ "properties": { "capabilityHostKind": "Agents" } }),
            vec![host.as_str().to_string()],
        )
    };
    let project_host = resource(
        "capability_host.project".into(),
        &PROJECT_CAPABILITY_HOST,
        &name,
        format!("{project}/capabilityHosts/{name}"),
        json!({
            "properties": {
                "capabilityHostKind": "Agents",
                "vectorStoreConnections": [search.0],
                "storageConnections": [storage.0],
                "threadStorageConnections": [cosmos.0],
            },
        }),
        vec![
            "capability_host.account".to_string(),
            ServiceKey::FoundryProject.as_str().to_string(),
            search.1,
            storage.1,
            cosmos.1,
        ],
    );
    vec![account_host, project_host]
}
