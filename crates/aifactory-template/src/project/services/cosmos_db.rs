//! Azure Cosmos DB for NoSQL (`services.cosmos_db`): the Agent service's thread store and a
//! project database. Local (key) authentication off, key-based metadata writes off, TLS
//! 1.2, session consistency, one region (the project's) without zone redundancy outside
//! prod, public access off in private mode (endpoint `Sql`), IP rules in allowlist mode.
//! Must not: hand out keys (data-plane access is Cosmos DB's own role assignments,
//! `sqlRoleAssignments`, not ARM role assignments).

use serde_json::{json, Value};

use super::{after_group, Ctx, DiagnosticLogs, Service, ServiceKey, SoftDelete};
use crate::naming::NameKind;
use crate::project::api_type::ApiType;
use crate::project::rbac::{
    Grant, PrincipalClass::Identity as I, PrincipalClass::Member as M, PrincipalClass::Reader as R,
    ScopeKey, When, COSMOS_DB_DATA_CONTRIBUTOR, COSMOS_DB_DATA_READER, COSMOS_DB_OPERATOR,
};

pub const API: ApiType = ApiType {
    resource_type: "Microsoft.DocumentDB/databaseAccounts",
    api_version: "2026-03-15",
    lro: true,
    spec: "cosmos-db/resource-manager/Microsoft.DocumentDB/DocumentDB/stable/2026-03-15/cosmos-db.json",
};

pub const SERVICE: Service = Service {
    key: ServiceKey::CosmosDb,
    api: API,
    // DatabaseAccounts_Delete is x-ms-long-running-operation.
    delete_lro: true,
    name_kind: NameKind::CosmosDb,
    private_link_groups: &["Sql"],
    soft_delete: SoftDelete::None,
    write_only: &[],
    subnets: &[],
    diagnostics: Some(DiagnosticLogs {
        category_groups: &["audit", "allLogs"],
        metrics: true,
    }),
    // Data-plane access: sqlRoleAssignments (Cosmos DB's own built-in data roles), not ARM
    // roles; the resource group's Reader shows the account.
    grants: &[
        Grant::new(
            M,
            ScopeKey::CosmosDb,
            COSMOS_DB_DATA_CONTRIBUTOR,
            When::CosmosDb,
            "read and write the project's documents",
        ),
        Grant::new(
            R,
            ScopeKey::CosmosDb,
            COSMOS_DB_DATA_READER,
            When::CosmosDb,
            "read the project's documents",
        ),
        Grant::new(
            I,
            ScopeKey::CosmosDb,
            COSMOS_DB_DATA_CONTRIBUTOR,
            When::CosmosDb,
            "the Agent service's threads and the project's jobs",
        ),
        Grant::new(
            I,
            ScopeKey::CosmosDb,
            COSMOS_DB_OPERATOR,
            When::Agent,
            "the Agent service creates its databases and containers in the account",
        ),
    ],
    summary: "services.cosmos_db (NoSQL, keyless; default with the Agent service)",
    enabled: |l| l.cosmos_db,
    depends_on: after_group,
    body,
    parent: None,
    own_name: None,
};

fn body(x: &Ctx) -> Value {
    let ip_rules: Vec<Value> =
        x.c.ip_rules
            .iter()
            .map(|r| json!({ "ipAddressOrRange": r.ip_or_cidr() }))
            .collect();
    json!({
        "location": x.location(),
        "tags": x.tags(),
        "kind": "GlobalDocumentDB",
        "properties": {
            "databaseAccountOfferType": "Standard",
            "locations": [{
                "locationName": x.location(),
                "failoverPriority": 0,
                "isZoneRedundant": x.prod(),
            }],
            "consistencyPolicy": { "defaultConsistencyLevel": "Session" },
            "disableLocalAuth": true,
            "disableKeyBasedMetadataWriteAccess": true,
            "minimalTlsVersion": "Tls12",
            "publicNetworkAccess": x.public_access(),
            "networkAclBypass": "AzureServices",
            "ipRules": if x.private() { Vec::new() } else { ip_rules },
            "isVirtualNetworkFilterEnabled": false,
        },
    })
}
