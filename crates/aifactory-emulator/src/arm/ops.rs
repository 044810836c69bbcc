//! What each resource type's PUT, PATCH and DELETE answer, per the stable REST spec of the
//! api-version the provider and its examples write: the declared success status codes and
//! `x-ms-long-running-operation`, in one table ([`ALL`]), plus the generic-resource contract
//! for every other type ([`GENERIC`]). The handlers (`put`, `patch`, `delete`,
//! `resource_group`, and `authorization` for role assignments) ask [`put_answer`],
//! [`delete_answer`] and [`PATCH_ANSWER`] which of the declared answers to give.
//!
//! Owns these facts and the choice among them; a leaf: must not touch the state, HTTP or any
//! other module (whether an unknown type is long-running comes from the caller).

/// One operation as the spec declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Op {
    /// The success statuses the spec lists, ascending.
    pub codes: &'static [u16],
    /// `x-ms-long-running-operation: true`.
    pub lro: bool,
}

/// One resource type's operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypeOps {
    pub resource_type: &'static str,
    /// The stable api-version the codes were read from.
    pub api_version: &'static str,
    /// The spec file, under `Azure/azure-rest-api-specs/specification/`.
    pub spec: &'static str,
    pub put: Op,
    /// `None`: the spec declares no PATCH for the type.
    pub patch: Option<Op>,
    /// `None`: the spec declares no DELETE for the type.
    pub delete: Option<Op>,
}

const fn op(codes: &'static [u16], lro: bool) -> Op {
    Op { codes, lro }
}

const NETWORK: &str = "network/resource-manager/Microsoft.Network/stable/2024-05-01/";
const STORAGE: &str = "storage/resource-manager/Microsoft.Storage/stable/2025-06-01/openapi.json";

/// Every resource type the emulator serves by name (its type tables, the provider's project
/// template and what the examples write through `aifactory_arm_resource`).
pub const ALL: [TypeOps; 35] = [
    TypeOps {
        resource_type: "Microsoft.Resources/resourceGroups",
        api_version: "2024-07-01",
        spec: "resources/resource-manager/Microsoft.Resources/stable/2024-07-01/resources.json",
        put: op(&[200, 201], false),
        patch: Some(op(&[200], false)),
        delete: Some(op(&[200, 202], true)),
    },
    TypeOps {
        resource_type: "Microsoft.ManagedIdentity/userAssignedIdentities",
        api_version: "2024-11-30",
        spec: "msi/resource-manager/Microsoft.ManagedIdentity/stable/2024-11-30/ManagedIdentity.json",
        put: op(&[200, 201], false),
        patch: Some(op(&[200], false)),
        delete: Some(op(&[200, 204], false)),
    },
    TypeOps {
        resource_type: "Microsoft.Authorization/roleAssignments",
        api_version: "2022-04-01",
        spec: "authorization/resource-manager/Microsoft.Authorization/stable/2022-04-01/authorization-RoleAssignmentsCalls.json",
        put: op(&[200, 201], false),
        patch: None,
        delete: Some(op(&[200, 204], false)),
    },
    TypeOps {
        resource_type: "Microsoft.KeyVault/vaults",
        api_version: "2024-11-01",
        spec: "keyvault/resource-manager/Microsoft.KeyVault/KeyVault/stable/2024-11-01/keyvault.json",
        put: op(&[200, 201], true),
        patch: Some(op(&[200, 201], false)),
        delete: Some(op(&[200, 204], false)),
    },
    TypeOps {
        resource_type: "Microsoft.Storage/storageAccounts",
        api_version: "2025-06-01",
        spec: STORAGE,
        put: op(&[200, 202], true),
        patch: Some(op(&[200], false)),
        delete: Some(op(&[200, 204], false)),
    },
    TypeOps {
        resource_type: "Microsoft.Storage/storageAccounts/blobServices",
        api_version: "2025-06-01",
        spec: STORAGE,
        put: op(&[200], false),
        patch: None,
        delete: None,
    },
    TypeOps {
        resource_type: "Microsoft.Storage/storageAccounts/blobServices/containers",
        api_version: "2025-06-01",
        spec: STORAGE,
        put: op(&[200, 201], false),
        patch: Some(op(&[200], false)),
        delete: Some(op(&[200, 204], false)),
    },
    TypeOps {
        resource_type: "Microsoft.Insights/components",
        api_version: "2020-02-02",
        spec: "applicationinsights/resource-manager/Microsoft.Insights/stable/2020-02-02/components_API.json",
        put: op(&[200], false),
        patch: Some(op(&[200], false)),
        delete: Some(op(&[200, 204], false)),
    },
    TypeOps {
        resource_type: "Microsoft.MachineLearningServices/workspaces",
        api_version: "2025-06-01",
        spec: "machinelearningservices/resource-manager/Microsoft.MachineLearningServices/stable/2025-06-01/workspaceRP.json",
        put: op(&[200, 202], true),
        patch: Some(op(&[200, 202], true)),
        delete: Some(op(&[200, 202, 204], true)),
    },
    TypeOps {
        resource_type: "Microsoft.Databricks/workspaces",
        api_version: "2024-05-01",
        spec: "databricks/resource-manager/Microsoft.Databricks/stable/2024-05-01/databricks.json",
        put: op(&[200, 201], true),
        patch: Some(op(&[200, 202], true)),
        delete: Some(op(&[200, 202, 204], true)),
    },
    TypeOps {
        resource_type: "Microsoft.DataFactory/factories",
        api_version: "2018-06-01",
        spec: "datafactory/resource-manager/Microsoft.DataFactory/stable/2018-06-01/datafactory.json",
        put: op(&[200], false),
        patch: Some(op(&[200], false)),
        delete: Some(op(&[200, 204], false)),
    },
    TypeOps {
        resource_type: "Microsoft.Search/searchServices",
        api_version: "2025-05-01",
        spec: "search/resource-manager/Microsoft.Search/stable/2025-05-01/search.json",
        put: op(&[200, 201], true),
        patch: Some(op(&[200], false)),
        // 404 is declared too ("could not be found"); the emulator answers 204 then.
        delete: Some(op(&[200, 204, 404], false)),
    },
    // Shared private links of a search service: SharedPrivateLinkResources_CreateOrUpdate
    // 200/202, _Delete 202/204/404 (404 answered as 204), both long-running; no PATCH.
    TypeOps {
        resource_type: "Microsoft.Search/searchServices/sharedPrivateLinkResources",
        api_version: "2025-05-01",
        spec: "search/resource-manager/Microsoft.Search/stable/2025-05-01/search.json",
        put: op(&[200, 202], true),
        patch: None,
        delete: Some(op(&[202, 204, 404], true)),
    },
    TypeOps {
        resource_type: "Microsoft.CognitiveServices/accounts",
        api_version: "2025-06-01",
        spec: "cognitiveservices/resource-manager/Microsoft.CognitiveServices/stable/2025-06-01/cognitiveservices.json",
        put: op(&[200, 201, 202], true),
        patch: Some(op(&[200, 202], true)),
        delete: Some(op(&[200, 202, 204], true)),
    },
    // Model deployments of an AI Services account (Deployments_CreateOrUpdate 200/201,
    // Deployments_Update 200/202, Deployments_Delete 200/202/204, all long-running).
    TypeOps {
        resource_type: "Microsoft.CognitiveServices/accounts/deployments",
        api_version: "2025-06-01",
        spec: "cognitiveservices/resource-manager/Microsoft.CognitiveServices/stable/2025-06-01/cognitiveservices.json",
        put: op(&[200, 201], true),
        patch: Some(op(&[200, 202], true)),
        delete: Some(op(&[200, 202, 204], true)),
    },
    // The Agent service's capability hosts (AccountCapabilityHosts_CreateOrUpdate and
    // ProjectCapabilityHosts_CreateOrUpdate 200/201, Delete 202/204, all long-running; no PATCH).
    TypeOps {
        resource_type: "Microsoft.CognitiveServices/accounts/capabilityHosts",
        api_version: "2025-06-01",
        spec: "cognitiveservices/resource-manager/Microsoft.CognitiveServices/stable/2025-06-01/cognitiveservices.json",
        put: op(&[200, 201], true),
        patch: None,
        delete: Some(op(&[202, 204], true)),
    },
    TypeOps {
        resource_type: "Microsoft.CognitiveServices/accounts/projects/capabilityHosts",
        api_version: "2025-06-01",
        spec: "cognitiveservices/resource-manager/Microsoft.CognitiveServices/stable/2025-06-01/cognitiveservices.json",
        put: op(&[200, 201], true),
        patch: None,
        delete: Some(op(&[202, 204], true)),
    },
    // Foundry project connections: ProjectConnection_Create 200 only, _Update 200,
    // _Delete 200/204, none long-running.
    TypeOps {
        resource_type: "Microsoft.CognitiveServices/accounts/projects/connections",
        api_version: "2025-06-01",
        spec: "cognitiveservices/resource-manager/Microsoft.CognitiveServices/stable/2025-06-01/cognitiveservices.json",
        put: op(&[200], false),
        patch: Some(op(&[200], false)),
        delete: Some(op(&[200, 204], false)),
    },
    // Cosmos DB for NoSQL accounts (the project template's `cosmos_db`): CreateOrUpdate
    // answers 200 only (long-running), Update 200 (long-running), Delete 202/204.
    TypeOps {
        resource_type: "Microsoft.DocumentDB/databaseAccounts",
        api_version: "2026-03-15",
        spec: "cosmos-db/resource-manager/Microsoft.DocumentDB/DocumentDB/stable/2026-03-15/cosmos-db.json",
        put: op(&[200], true),
        patch: Some(op(&[200], true)),
        delete: Some(op(&[202, 204], true)),
    },
    TypeOps {
        resource_type: "Microsoft.OperationalInsights/workspaces",
        api_version: "2023-09-01",
        spec: "operationalinsights/resource-manager/Microsoft.OperationalInsights/stable/2023-09-01/Workspaces.json",
        put: op(&[200, 201, 202], true),
        patch: Some(op(&[200], false)),
        delete: Some(op(&[200, 202, 204], true)),
    },
    TypeOps {
        resource_type: "Microsoft.Network/virtualNetworks",
        api_version: "2024-05-01",
        spec: NETWORK,
        put: op(&[200, 201], true),
        patch: Some(op(&[200], false)),
        delete: Some(op(&[200, 202, 204], true)),
    },
    TypeOps {
        resource_type: "Microsoft.Network/virtualNetworks/subnets",
        api_version: "2024-05-01",
        spec: NETWORK,
        put: op(&[200, 201], true),
        patch: None,
        delete: Some(op(&[200, 202, 204], true)),
    },
    // VirtualNetworkPeerings_CreateOrUpdate 200/201, _Delete 200/202/204, long-running.
    TypeOps {
        resource_type: "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
        api_version: "2024-05-01",
        spec: NETWORK,
        put: op(&[200, 201], true),
        patch: None,
        delete: Some(op(&[200, 202, 204], true)),
    },
    // Public IP addresses: CreateOrUpdate 200/201 (long-running), UpdateTags 200, Delete
    // 200/202/204 (long-running).
    TypeOps {
        resource_type: "Microsoft.Network/publicIPAddresses",
        api_version: "2024-05-01",
        spec: NETWORK,
        put: op(&[200, 201], true),
        patch: Some(op(&[200], false)),
        delete: Some(op(&[200, 202, 204], true)),
    },
    // Bastion hosts: CreateOrUpdate 200/201, UpdateTags 200, Delete 200/202/204, all
    // long-running.
    TypeOps {
        resource_type: "Microsoft.Network/bastionHosts",
        api_version: "2024-05-01",
        spec: NETWORK,
        put: op(&[200, 201], true),
        patch: Some(op(&[200], true)),
        delete: Some(op(&[200, 202, 204], true)),
    },
    // Network interfaces: CreateOrUpdate 200/201 (long-running), UpdateTags 200, Delete
    // 200/202/204 (long-running).
    TypeOps {
        resource_type: "Microsoft.Network/networkInterfaces",
        api_version: "2024-05-01",
        spec: NETWORK,
        put: op(&[200, 201], true),
        patch: Some(op(&[200], false)),
        delete: Some(op(&[200, 202, 204], true)),
    },
    // Virtual machines: CreateOrUpdate 200/201, Update 200, Delete 200/202/204, all
    // long-running.
    TypeOps {
        resource_type: "Microsoft.Compute/virtualMachines",
        api_version: "2025-04-01",
        spec: "compute/resource-manager/Microsoft.Compute/ComputeRP/stable/2025-04-01/virtualMachine.json",
        put: op(&[200, 201], true),
        patch: Some(op(&[200], true)),
        delete: Some(op(&[200, 202, 204], true)),
    },
    TypeOps {
        resource_type: "Microsoft.Network/networkSecurityGroups",
        api_version: "2024-05-01",
        spec: NETWORK,
        put: op(&[200, 201], true),
        patch: Some(op(&[200], false)),
        delete: Some(op(&[200, 202, 204], true)),
    },
    TypeOps {
        resource_type: "Microsoft.Network/privateEndpoints",
        api_version: "2024-05-01",
        spec: NETWORK,
        put: op(&[200, 201], true),
        patch: None,
        delete: Some(op(&[200, 202, 204], true)),
    },
    TypeOps {
        resource_type: "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
        api_version: "2024-05-01",
        spec: NETWORK,
        put: op(&[200, 201], true),
        patch: None,
        delete: Some(op(&[200, 202, 204], true)),
    },
    TypeOps {
        resource_type: "Microsoft.Network/privateDnsZones",
        api_version: "2024-06-01",
        spec: "privatedns/resource-manager/Microsoft.Network/stable/2024-06-01/privatedns.json",
        put: op(&[200, 201, 202], true),
        patch: Some(op(&[200, 202], true)),
        delete: Some(op(&[200, 202, 204], true)),
    },
    // Virtual network links of a private DNS zone: VirtualNetworkLinks_CreateOrUpdate
    // 200/201/202, _Update 200/202, _Delete 200/202/204, all long-running.
    TypeOps {
        resource_type: "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
        api_version: "2024-06-01",
        spec: "privatedns/resource-manager/Microsoft.Network/stable/2024-06-01/privatedns.json",
        put: op(&[200, 201, 202], true),
        patch: Some(op(&[200, 202], true)),
        delete: Some(op(&[200, 202, 204], true)),
    },
    // Container registries: Registries_Create 200/201, _Update 200/201, _Delete 200/202/204,
    // all long-running (2025-04-01 declares the same).
    TypeOps {
        resource_type: "Microsoft.ContainerRegistry/registries",
        api_version: "2025-11-01",
        spec: "containerregistry/resource-manager/Microsoft.ContainerRegistry/Registry/stable/2025-11-01/containerregistry.json",
        put: op(&[200, 201], true),
        patch: Some(op(&[200, 201], true)),
        delete: Some(op(&[200, 202, 204], true)),
    },
    // Defender for Cloud plans: Pricings_Update 200/201, Pricings_Delete 200/204 (resource
    // scope only), synchronous; no PATCH.
    TypeOps {
        resource_type: "Microsoft.Security/pricings",
        api_version: "2024-01-01",
        spec: "security/resource-manager/Microsoft.Security/stable/2024-01-01/pricings.json",
        put: op(&[200, 201], false),
        patch: None,
        delete: Some(op(&[200, 204], false)),
    },
    // Diagnostic settings (an extension resource on any resource): the preview version,
    // because the stable 2016-09-01 has no `categoryGroup` (azurerm writes the preview too).
    // DiagnosticSettings_CreateOrUpdate 200, _Delete 200/204, synchronous; no PATCH.
    TypeOps {
        resource_type: "Microsoft.Insights/diagnosticSettings",
        api_version: "2021-05-01-preview",
        spec: "monitor/resource-manager/Microsoft.Insights/preview/2021-05-01-preview/diagnosticsSettings_API.json",
        put: op(&[200], false),
        patch: None,
        delete: Some(op(&[200, 204], false)),
    },
];

/// Any other type: ARM's generic resource contract (`Resources_CreateOrUpdateById`,
/// `Resources_UpdateById`, `Resources_DeleteById`). Whether the emulator runs such a type
/// long-running is its setting `lro_resource_types`, not this flag.
pub const GENERIC: TypeOps = TypeOps {
    resource_type: "*",
    api_version: "2024-07-01",
    spec: "resources/resource-manager/Microsoft.Resources/stable/2024-07-01/resources.json",
    put: op(&[200, 201, 202], true),
    patch: Some(op(&[200, 202], true)),
    delete: Some(op(&[200, 202, 204], true)),
};

/// A delete without a declared DELETE (`blobServices/default`): answered synchronously.
const UNDECLARED_DELETE: Op = op(&[200, 204], false);

/// The entry of `full_type` (case-insensitive), if the table has one.
pub fn find(full_type: &str) -> Option<&'static TypeOps> {
    ALL.iter()
        .find(|t| t.resource_type.eq_ignore_ascii_case(full_type))
}

/// How the emulator answers one write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    /// Start an operation (the resource stays transient until it completes).
    pub long_running: bool,
    /// The response carries the resource.
    pub body: bool,
    /// The response carries `Azure-AsyncOperation` (besides `Location` and `Retry-After`).
    pub async_operation: bool,
}

impl Op {
    fn has(&self, code: u16) -> bool {
        self.codes.contains(&code)
    }
}

/// The PUT operation of `full_type`; `generic_lro` decides for types outside the table.
fn put_op(full_type: &str, generic_lro: bool) -> Op {
    match find(full_type) {
        Some(t) => t.put,
        None => op(GENERIC.put.codes, generic_lro),
    }
}

/// The DELETE operation of `full_type`; `generic_lro` decides for types outside the table.
fn delete_op(full_type: &str, generic_lro: bool) -> Op {
    match find(full_type) {
        Some(t) => t.delete.unwrap_or(UNDECLARED_DELETE),
        None => op(GENERIC.delete.map_or(&[], |d| d.codes), generic_lro),
    }
}

/// A PUT that `created` the resource or replaced it.
///
/// Create: 201 with the body when declared (plus the operation headers when long-running);
/// else, long-running with 202 declared, 202 without a body (`Location`, `Retry-After`);
/// else 200 with the body. Replace: 200 with the body, long-running only where the
/// long-running answer has a body (201-style types); a 202-style type's 200 is final.
pub fn put_answer(full_type: &str, created: bool, generic_lro: bool) -> Answer {
    let o = put_op(full_type, generic_lro);
    let accepted_style = o.lro && !o.has(201) && o.has(202);
    let with_body = |status, long_running| Answer {
        status,
        long_running,
        body: true,
        async_operation: long_running,
    };
    match (created, accepted_style) {
        (true, true) => Answer {
            status: 202,
            long_running: true,
            body: false,
            async_operation: false,
        },
        (true, false) if o.has(201) => with_body(201, o.lro),
        (_, true) => with_body(200, false),
        _ => with_body(200, o.lro),
    }
}

/// A DELETE of a resource that `exists` or not: 202 with the operation headers when
/// long-running, else 200; absent, 204 (or 200 where 204 is not declared).
pub fn delete_answer(full_type: &str, exists: bool, generic_lro: bool) -> Answer {
    let o = delete_op(full_type, generic_lro);
    let sync = |status| Answer {
        status,
        long_running: false,
        body: false,
        async_operation: false,
    };
    if !exists {
        return sync(if o.has(204) { 204 } else { 200 });
    }
    if o.lro && o.has(202) {
        return Answer {
            status: 202,
            long_running: true,
            body: false,
            async_operation: true,
        };
    }
    sync(200)
}

/// A PATCH: always the synchronous 200 with the body, which every declared PATCH lists
/// (long-running ones may finish at once).
pub const PATCH_ANSWER: Answer = Answer {
    status: 200,
    long_running: false,
    body: true,
    async_operation: false,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_well_formed() {
        let mut seen = Vec::new();
        for t in ALL.iter().chain([&GENERIC]) {
            let lower = t.resource_type.to_ascii_lowercase();
            assert!(!seen.contains(&lower), "{} twice", t.resource_type);
            seen.push(lower);
            // Stable versions only, except where the stable version lacks what is written
            // (a preview version read from its preview spec).
            let preview = t.api_version.ends_with("-preview");
            assert!(
                t.api_version.len() == if preview { 18 } else { 10 },
                "{}",
                t.resource_type
            );
            let folder = if preview { "/preview/" } else { "/stable/" };
            assert!(t.spec.contains(folder), "{}", t.spec);
            if !t.spec.ends_with('/') {
                assert!(t.spec.contains(t.api_version), "{}", t.spec);
            }
            let ops = [Some(t.put), t.patch, t.delete];
            for o in ops.into_iter().flatten() {
                assert!(!o.codes.is_empty(), "{}", t.resource_type);
                assert!(
                    o.codes.windows(2).all(|w| w[0] < w[1]),
                    "{}",
                    t.resource_type
                );
                // Every operation answers 200, except deletes that only accept (Cosmos DB:
                // 202/204).
                assert!(
                    o.codes.contains(&200) || o.codes.contains(&202),
                    "{}: 200 or 202 declared",
                    t.resource_type
                );
            }
        }
    }

    /// Every answer the emulator picks is one the spec declares, with a long-running answer
    /// only for a long-running operation.
    #[test]
    fn answers_are_declared() {
        for t in &ALL {
            for created in [true, false] {
                let a = put_answer(t.resource_type, created, false);
                assert!(
                    t.put.codes.contains(&a.status),
                    "{} PUT {a:?}",
                    t.resource_type
                );
                assert!(
                    !a.long_running || t.put.lro,
                    "{} PUT {a:?}",
                    t.resource_type
                );
            }
            if let Some(d) = t.delete {
                for exists in [true, false] {
                    let a = delete_answer(t.resource_type, exists, false);
                    assert!(
                        d.codes.contains(&a.status),
                        "{} DELETE {a:?}",
                        t.resource_type
                    );
                    assert!(!a.long_running || d.lro, "{} DELETE {a:?}", t.resource_type);
                }
            }
            if let Some(p) = t.patch {
                assert!(
                    p.codes.contains(&PATCH_ANSWER.status),
                    "{}",
                    t.resource_type
                );
            }
        }
    }

    #[test]
    fn answers_per_style() {
        // (type, created/exists, PUT status, PUT long-running, PUT body, DELETE status, DELETE long-running)
        let cases = [
            (
                "Microsoft.Storage/storageAccounts",
                true,
                202,
                true,
                false,
                200,
                false,
            ),
            (
                "Microsoft.Storage/storageAccounts",
                false,
                200,
                false,
                true,
                204,
                false,
            ),
            (
                "microsoft.keyvault/VAULTS",
                true,
                201,
                true,
                true,
                200,
                false,
            ),
            (
                "Microsoft.KeyVault/vaults",
                false,
                200,
                true,
                true,
                204,
                false,
            ),
            (
                "Microsoft.MachineLearningServices/workspaces",
                true,
                202,
                true,
                false,
                202,
                true,
            ),
            (
                "Microsoft.DataFactory/factories",
                true,
                200,
                false,
                true,
                200,
                false,
            ),
            (
                "Microsoft.Network/virtualNetworks",
                true,
                201,
                true,
                true,
                202,
                true,
            ),
            (
                "Microsoft.Storage/storageAccounts/blobServices",
                true,
                200,
                false,
                true,
                200,
                false,
            ),
            (
                "Contoso.Widgets/widgets",
                true,
                201,
                false,
                true,
                200,
                false,
            ),
        ];
        for (ty, first, put, put_lro, body, del, del_lro) in cases {
            let p = put_answer(ty, first, false);
            assert_eq!(
                (p.status, p.long_running, p.body),
                (put, put_lro, body),
                "{ty} PUT"
            );
            let d = delete_answer(ty, first, false);
            assert_eq!((d.status, d.long_running), (del, del_lro), "{ty} DELETE");
        }
        // Types outside the table follow the setting.
        let p = put_answer("Contoso.Widgets/widgets", true, true);
        assert_eq!(
            (p.status, p.long_running, p.async_operation),
            (201, true, true)
        );
        assert_eq!(
            delete_answer("Contoso.Widgets/widgets", true, true).status,
            202
        );
    }

    /// The provider's own table of the types it writes agrees on version and long-running PUT.
    #[test]
    fn agrees_with_the_provider_template() {
        for t in aifactory_template::project::api::ALL {
            let ops = find(t.resource_type)
                .unwrap_or_else(|| panic!("{} is not in the table", t.resource_type));
            assert_eq!(ops.api_version, t.api_version, "{}", t.resource_type);
            assert_eq!(ops.put.lro, t.lro, "{}", t.resource_type);
        }
    }
}
