//! Body rules of the project's other services (Key Vault, Application Insights, Machine
//! Learning, Databricks, Data Factory, AI Search, AI Services) and of the common
//! environment's Log Analytics workspace.
//!
//! Owns these facts only; must not hold code.

use crate::validate::schema::{opt, req, Style, Ty, TypeRules, ANY_MEMBER};

const IDENTITIES: &str = "Microsoft.ManagedIdentity/userAssignedIdentities";

/// `VaultCreateOrUpdateParameters`: `location` and `properties` required, in them
/// `tenantId` (a GUID) and `sku` (`family`, and `name` a closed enum); `createMode` closed;
/// each access policy needs `tenantId`, `objectId`, `permissions`.
pub const KEY_VAULT: TypeRules = TypeRules {
    resource_type: "Microsoft.KeyVault/vaults",
    api_versions: &["2024-11-01", "2025-05-01", "2026-02-01"],
    spec: "keyvault/resource-manager/Microsoft.KeyVault/KeyVault/stable/2024-11-01/keyvault.json",
    style: Style::Arm,
    location_required: true,
    top: &["location", "tags", "properties"],
    fields: &[
        opt("tags", Ty::StrMap),
        req("properties", Ty::Obj),
        req("properties.tenantId", Ty::Uuid),
        req("properties.sku", Ty::Obj),
        req("properties.sku.family", Ty::Str),
        req("properties.sku.name", Ty::OneOf(&["standard", "premium"])),
        opt("properties.accessPolicies", Ty::Arr),
        req("properties.accessPolicies[].tenantId", Ty::Uuid),
        req("properties.accessPolicies[].objectId", Ty::Str),
        req("properties.accessPolicies[].permissions", Ty::Obj),
        opt("properties.createMode", Ty::OneOf(&["default", "recover"])),
        opt("properties.enabledForDeployment", Ty::Bool),
        opt("properties.enabledForDiskEncryption", Ty::Bool),
        opt("properties.enabledForTemplateDeployment", Ty::Bool),
        opt("properties.enablePurgeProtection", Ty::Bool),
        opt("properties.enableRbacAuthorization", Ty::Bool),
        opt("properties.enableSoftDelete", Ty::Bool),
        opt("properties.softDeleteRetentionInDays", Ty::Int),
        opt("properties.publicNetworkAccess", Ty::Str),
        opt("properties.vaultUri", Ty::Str),
        opt("properties.networkAcls", Ty::Obj),
        opt("properties.networkAcls.bypass", Ty::Str),
        opt("properties.networkAcls.defaultAction", Ty::Str),
        opt("properties.networkAcls.ipRules", Ty::Arr),
        req("properties.networkAcls.ipRules[].value", Ty::Str),
        opt("properties.networkAcls.virtualNetworkRules", Ty::Arr),
        req(
            "properties.networkAcls.virtualNetworkRules[].id",
            Ty::Id(Some("Microsoft.Network/virtualNetworks/subnets")),
        ),
        opt(
            "properties.networkAcls.virtualNetworkRules[].ignoreMissingVnetServiceEndpoint",
            Ty::Bool,
        ),
    ],
    missing_code: "MissingRequiredProperty",
    at_least_one: &[],
};

/// `ApplicationInsightsComponent`: `kind`, `location` and `properties.Application_Type`
/// required (open enums throughout; the spec's member names keep their capitals).
pub const APP_INSIGHTS: TypeRules = TypeRules {
    resource_type: "Microsoft.Insights/components",
    api_versions: &["2020-02-02"],
    spec: "applicationinsights/resource-manager/Microsoft.Insights/stable/2020-02-02/components_API.json",
    style: Style::Arm,
    location_required: true,
    top: &["location", "tags", "kind", "properties"],
    fields: &[
        opt("tags", Ty::StrMap),
        req("kind", Ty::Str),
        opt("properties", Ty::Obj),
        req("properties.Application_Type", Ty::Str),
        opt("properties.Flow_Type", Ty::Str),
        opt("properties.Request_Source", Ty::Str),
        opt("properties.HockeyAppId", Ty::Str),
        opt("properties.SamplingPercentage", Ty::Int),
        opt("properties.RetentionInDays", Ty::Int),
        opt("properties.DisableIpMasking", Ty::Bool),
        opt("properties.DisableLocalAuth", Ty::Bool),
        opt("properties.ImmediatePurgeDataOn30Days", Ty::Bool),
        opt("properties.ForceCustomerStorageForProfiler", Ty::Bool),
        opt("properties.WorkspaceResourceId", Ty::Id(Some("Microsoft.OperationalInsights/workspaces"))),
        opt("properties.IngestionMode", Ty::Str),
        opt("properties.publicNetworkAccessForIngestion", Ty::Str),
        opt("properties.publicNetworkAccessForQuery", Ty::Str),
    ],
    missing_code: "MissingRequiredProperty",
    at_least_one: &[],
};

/// `Workspace` (Machine Learning): `sku.name` required and `sku.tier` a closed enum;
/// `identity.type` required; the associated resources are ARM IDs.
pub const ML_WORKSPACE: TypeRules = TypeRules {
    resource_type: "Microsoft.MachineLearningServices/workspaces",
    api_versions: &["2025-06-01", "2025-09-01"],
    spec: "machinelearningservices/resource-manager/Microsoft.MachineLearningServices/stable/2025-06-01/workspaceRP.json",
    style: Style::Arm,
    location_required: true,
    top: &["location", "tags", "kind", "sku", "identity", "properties"],
    fields: &[
        opt("tags", Ty::StrMap),
        opt("kind", Ty::Str),
        opt("sku", Ty::Obj),
        req("sku.name", Ty::Str),
        opt("sku.tier", Ty::OneOf(&["Free", "Basic", "Standard", "Premium"])),
        opt("sku.capacity", Ty::Int),
        opt("identity", Ty::Obj),
        req("identity.type", Ty::Str),
        opt("identity.userAssignedIdentities", Ty::IdKeys(IDENTITIES)),
        opt("properties", Ty::Obj),
        opt("properties.friendlyName", Ty::Str),
        opt("properties.description", Ty::Str),
        opt("properties.keyVault", Ty::Id(Some("Microsoft.KeyVault/vaults"))),
        opt("properties.storageAccount", Ty::Id(Some("Microsoft.Storage/storageAccounts"))),
        opt("properties.applicationInsights", Ty::Id(Some("Microsoft.Insights/components"))),
        opt("properties.containerRegistry", Ty::Id(Some("Microsoft.ContainerRegistry/registries"))),
        opt("properties.primaryUserAssignedIdentity", Ty::Id(Some(IDENTITIES))),
        opt("properties.publicNetworkAccess", Ty::Str),
        opt("properties.hbiWorkspace", Ty::Bool),
        opt("properties.v1LegacyMode", Ty::Bool),
        opt("properties.allowPublicAccessWhenBehindVnet", Ty::Bool),
        opt("properties.enableDataIsolation", Ty::Bool),
        opt("properties.systemDatastoresAuthMode", Ty::Str),
        opt("properties.imageBuildCompute", Ty::Str),
    ],
    missing_code: "MissingRequiredProperty",
    at_least_one: &[],
};

/// `Workspace` (Databricks): `location`, `properties` and `properties.managedResourceGroupId`
/// (a resource group ID) required; each custom parameter is `{ "value": ... }` with `value`
/// required.
pub const DATABRICKS: TypeRules = TypeRules {
    resource_type: "Microsoft.Databricks/workspaces",
    api_versions: &["2024-05-01"],
    spec: "databricks/resource-manager/Microsoft.Databricks/stable/2024-05-01/databricks.json",
    style: Style::Arm,
    location_required: true,
    top: &["location", "tags", "sku", "properties"],
    fields: &[
        opt("tags", Ty::StrMap),
        opt("sku", Ty::Obj),
        req("sku.name", Ty::Str),
        opt("sku.tier", Ty::Str),
        req("properties", Ty::Obj),
        req(
            "properties.managedResourceGroupId",
            Ty::Id(Some("Microsoft.Resources/resourceGroups")),
        ),
        opt("properties.publicNetworkAccess", Ty::Str),
        opt("properties.requiredNsgRules", Ty::Str),
        opt("properties.parameters", Ty::Obj),
        opt("properties.parameters.customVirtualNetworkId", Ty::Obj),
        req(
            "properties.parameters.customVirtualNetworkId.value",
            Ty::Id(Some("Microsoft.Network/virtualNetworks")),
        ),
        opt("properties.parameters.customPublicSubnetName", Ty::Obj),
        req(
            "properties.parameters.customPublicSubnetName.value",
            Ty::Str,
        ),
        opt("properties.parameters.customPrivateSubnetName", Ty::Obj),
        req(
            "properties.parameters.customPrivateSubnetName.value",
            Ty::Str,
        ),
        opt("properties.parameters.enableNoPublicIp", Ty::Obj),
        req("properties.parameters.enableNoPublicIp.value", Ty::Bool),
        opt("properties.parameters.prepareEncryption", Ty::Obj),
        req("properties.parameters.prepareEncryption.value", Ty::Bool),
        opt(
            "properties.parameters.requireInfrastructureEncryption",
            Ty::Obj,
        ),
        req(
            "properties.parameters.requireInfrastructureEncryption.value",
            Ty::Bool,
        ),
        opt("properties.parameters.storageAccountName", Ty::Obj),
        req("properties.parameters.storageAccountName.value", Ty::Str),
        opt("properties.parameters.storageAccountSkuName", Ty::Obj),
        req("properties.parameters.storageAccountSkuName.value", Ty::Str),
    ],
    missing_code: "MissingRequiredProperty",
    at_least_one: &[],
};

/// `Factory`: `identity.type` required (open enum); `properties.publicNetworkAccess` open.
/// The spec lets a factory carry additional top-level properties, so only near-misses of
/// the declared members are refused.
pub const DATA_FACTORY: TypeRules = TypeRules {
    resource_type: "Microsoft.DataFactory/factories",
    api_versions: &["2018-06-01"],
    spec: "datafactory/resource-manager/Microsoft.DataFactory/stable/2018-06-01/datafactory.json",
    style: Style::Arm,
    location_required: true,
    top: &["location", "tags", "identity", "properties", ANY_MEMBER],
    fields: &[
        opt("tags", Ty::StrMap),
        opt("identity", Ty::Obj),
        req("identity.type", Ty::Str),
        opt("identity.userAssignedIdentities", Ty::IdKeys(IDENTITIES)),
        opt("properties", Ty::Obj),
        opt("properties.publicNetworkAccess", Ty::Str),
        opt("properties.globalParameters", Ty::Obj),
        opt("properties.repoConfiguration", Ty::Obj),
        opt("properties.encryption", Ty::Obj),
    ],
    missing_code: "MissingRequiredProperty",
    at_least_one: &[],
};

/// `SearchService`: `location` required; `hostingMode` and CMK `enforcement` are closed
/// enums; replica and partition counts integers; `identity.type` required.
pub const SEARCH: TypeRules = TypeRules {
    resource_type: "Microsoft.Search/searchServices",
    api_versions: &["2025-05-01"],
    spec: "search/resource-manager/Microsoft.Search/stable/2025-05-01/search.json",
    style: Style::Arm,
    location_required: true,
    top: &["location", "tags", "sku", "identity", "properties"],
    fields: &[
        opt("tags", Ty::StrMap),
        opt("sku", Ty::Obj),
        opt("sku.name", Ty::Str),
        opt("identity", Ty::Obj),
        req("identity.type", Ty::Str),
        opt("identity.userAssignedIdentities", Ty::IdKeys(IDENTITIES)),
        opt("properties", Ty::Obj),
        opt("properties.replicaCount", Ty::Int),
        opt("properties.partitionCount", Ty::Int),
        opt(
            "properties.hostingMode",
            Ty::OneOf(&["Default", "HighDensity"]),
        ),
        opt("properties.publicNetworkAccess", Ty::Str),
        opt("properties.disableLocalAuth", Ty::Bool),
        opt("properties.semanticSearch", Ty::Str),
        opt("properties.computeType", Ty::Str),
        opt("properties.networkRuleSet", Ty::Obj),
        opt("properties.networkRuleSet.bypass", Ty::Str),
        opt("properties.networkRuleSet.ipRules", Ty::Arr),
        opt("properties.networkRuleSet.ipRules[].value", Ty::Str),
        opt("properties.encryptionWithCmk", Ty::Obj),
        opt(
            "properties.encryptionWithCmk.enforcement",
            Ty::OneOf(&["Disabled", "Enabled", "Unspecified"]),
        ),
    ],
    missing_code: "MissingRequiredProperty",
    at_least_one: &[],
};

/// `SharedPrivateLinkResource` (a search service's outbound private link): all members
/// optional in the spec (the service requires the target and group: `crate::search`);
/// `status` and `provisioningState` closed enums.
pub const SEARCH_SHARED_PRIVATE_LINK: TypeRules = TypeRules {
    resource_type: "Microsoft.Search/searchServices/sharedPrivateLinkResources",
    api_versions: &["2025-05-01"],
    spec: "search/resource-manager/Microsoft.Search/stable/2025-05-01/search.json",
    style: Style::Arm,
    location_required: false,
    top: &["properties"],
    fields: &[
        opt("properties", Ty::Obj),
        opt("properties.privateLinkResourceId", Ty::Id(None)),
        opt("properties.groupId", Ty::Str),
        opt("properties.requestMessage", Ty::Str),
        opt("properties.resourceRegion", Ty::Str),
        opt(
            "properties.status",
            Ty::OneOf(&["Pending", "Approved", "Rejected", "Disconnected"]),
        ),
        opt(
            "properties.provisioningState",
            Ty::OneOf(&["Updating", "Deleting", "Failed", "Succeeded", "Incomplete"]),
        ),
    ],
    missing_code: "MissingRequiredProperty",
    at_least_one: &[],
};

/// `Account` (Cognitive Services / AI Services): `sku.name` required; `identity.type` a
/// closed enum; network rules need `value` / `id`.
pub const AI_SERVICES: TypeRules = TypeRules {
    resource_type: "Microsoft.CognitiveServices/accounts",
    api_versions: &["2025-06-01", "2025-09-01", "2025-12-01", "2026-03-01", "2026-05-01", "2026-07-01"],
    spec: "cognitiveservices/resource-manager/Microsoft.CognitiveServices/stable/2025-06-01/cognitiveservices.json",
    style: Style::Arm,
    location_required: true,
    top: &["location", "tags", "kind", "sku", "identity", "properties"],
    fields: &[
        opt("tags", Ty::StrMap),
        opt("kind", Ty::Str),
        opt("sku", Ty::Obj),
        req("sku.name", Ty::Str),
        opt("sku.tier", Ty::Str),
        opt("sku.capacity", Ty::Int),
        opt("identity", Ty::Obj),
        opt("identity.type", Ty::OneOf(&["None", "SystemAssigned", "UserAssigned", "SystemAssigned, UserAssigned"])),
        opt("identity.userAssignedIdentities", Ty::IdKeys(IDENTITIES)),
        opt("properties", Ty::Obj),
        opt("properties.customSubDomainName", Ty::Str),
        opt("properties.publicNetworkAccess", Ty::Str),
        opt("properties.disableLocalAuth", Ty::Bool),
        opt("properties.restrictOutboundNetworkAccess", Ty::Bool),
        opt("properties.allowedFqdnList", Ty::StrArr),
        opt("properties.restore", Ty::Bool),
        opt("properties.networkAcls", Ty::Obj),
        opt("properties.networkAcls.defaultAction", Ty::Str),
        opt("properties.networkAcls.bypass", Ty::Str),
        opt("properties.networkAcls.ipRules", Ty::Arr),
        req("properties.networkAcls.ipRules[].value", Ty::Str),
        opt("properties.networkAcls.virtualNetworkRules", Ty::Arr),
        req("properties.networkAcls.virtualNetworkRules[].id", Ty::Id(Some("Microsoft.Network/virtualNetworks/subnets"))),
    ],
    missing_code: "MissingRequiredProperty",
    at_least_one: &[],
};

/// `Workspace` (Log Analytics): `location` required; `properties.sku.name` required (open
/// enum); `identity.type` a closed enum.
pub const LOG_ANALYTICS: TypeRules = TypeRules {
    resource_type: "Microsoft.OperationalInsights/workspaces",
    api_versions: &["2023-09-01", "2025-02-01", "2025-07-01", "2026-03-01"],
    spec: "operationalinsights/resource-manager/Microsoft.OperationalInsights/OperationalInsights/stable/2023-09-01/Workspaces.json",
    style: Style::Arm,
    location_required: true,
    top: &["location", "tags", "identity", "properties"],
    fields: &[
        opt("tags", Ty::StrMap),
        opt("identity", Ty::Obj),
        req("identity.type", Ty::OneOf(&["None", "SystemAssigned", "UserAssigned"])),
        opt("identity.userAssignedIdentities", Ty::IdKeys(IDENTITIES)),
        opt("properties", Ty::Obj),
        opt("properties.sku", Ty::Obj),
        req("properties.sku.name", Ty::Str),
        opt("properties.sku.capacityReservationLevel", Ty::Int),
        opt("properties.retentionInDays", Ty::Int),
        opt("properties.publicNetworkAccessForIngestion", Ty::Str),
        opt("properties.publicNetworkAccessForQuery", Ty::Str),
        opt("properties.forceCmkForQuery", Ty::Bool),
        opt("properties.features", Ty::Obj),
        opt("properties.workspaceCapping", Ty::Obj),
        opt("properties.workspaceCapping.dailyQuotaGb", Ty::Int),
    ],
    missing_code: "MissingRequiredProperty",
    at_least_one: &[],
};

/// `Deployment` (a model deployment of an AI Services account): `sku.name` required (the
/// spec's `Sku`), `sku.capacity` an integer; `properties.model` with `format`, `name`,
/// `version` as strings.
pub const AI_DEPLOYMENT: TypeRules = TypeRules {
    resource_type: "Microsoft.CognitiveServices/accounts/deployments",
    api_versions: &["2025-06-01"],
    spec: "cognitiveservices/resource-manager/Microsoft.CognitiveServices/stable/2025-06-01/cognitiveservices.json",
    style: Style::Arm,
    location_required: false,
    top: &["tags", "sku", "properties"],
    fields: &[
        opt("tags", Ty::StrMap),
        opt("sku", Ty::Obj),
        req("sku.name", Ty::Str),
        opt("sku.tier", Ty::Str),
        opt("sku.capacity", Ty::Int),
        opt("properties", Ty::Obj),
        opt("properties.model", Ty::Obj),
        opt("properties.model.format", Ty::Str),
        opt("properties.model.name", Ty::Str),
        opt("properties.model.version", Ty::Str),
        opt("properties.raiPolicyName", Ty::Str),
        opt("properties.versionUpgradeOption", Ty::Str),
    ],
    missing_code: "MissingRequiredProperty",
    at_least_one: &[],
};

/// `Registry` (Container Registry): `location` and `sku.name` required (an open enum in the
/// spec; `crate::registry` holds the service's SKU, name and network rules); the network
/// rule set's IP rules need `value`.
pub const CONTAINER_REGISTRY: TypeRules = TypeRules {
    resource_type: "Microsoft.ContainerRegistry/registries",
    api_versions: &["2025-04-01", "2025-11-01"],
    spec: "containerregistry/resource-manager/Microsoft.ContainerRegistry/Registry/stable/2025-11-01/containerregistry.json",
    style: Style::Arm,
    location_required: true,
    top: &["location", "tags", "sku", "identity", "properties"],
    fields: &[
        opt("tags", Ty::StrMap),
        req("sku", Ty::Obj),
        req("sku.name", Ty::Str),
        opt("identity", Ty::Obj),
        opt("identity.type", Ty::Str),
        opt("identity.userAssignedIdentities", Ty::IdKeys(IDENTITIES)),
        opt("properties", Ty::Obj),
        opt("properties.adminUserEnabled", Ty::Bool),
        opt("properties.dataEndpointEnabled", Ty::Bool),
        opt("properties.anonymousPullEnabled", Ty::Bool),
        opt("properties.publicNetworkAccess", Ty::Str),
        opt("properties.networkRuleBypassOptions", Ty::Str),
        opt("properties.zoneRedundancy", Ty::Str),
        opt("properties.networkRuleSet", Ty::Obj),
        opt("properties.networkRuleSet.defaultAction", Ty::Str),
        opt("properties.networkRuleSet.ipRules", Ty::Arr),
        req("properties.networkRuleSet.ipRules[].value", Ty::Str),
        opt("properties.policies", Ty::Obj),
        opt("properties.encryption", Ty::Obj),
    ],
    missing_code: "MissingRequiredProperty",
    at_least_one: &[],
};

/// `VirtualMachine` (Compute 2025-04-01): the types of the members the common part's jump
/// host writes; the required ones and the SSH rule are Compute's own answers
/// (`crate::compute`, 400 `InvalidParameter`), not the deserializer's.
pub const VIRTUAL_MACHINE: TypeRules = TypeRules {
    resource_type: "Microsoft.Compute/virtualMachines",
    api_versions: &["2024-11-01", "2025-04-01"],
    spec:
        "compute/resource-manager/Microsoft.Compute/ComputeRP/stable/2025-04-01/virtualMachine.json",
    style: Style::Arm,
    location_required: true,
    top: &[
        "location",
        "tags",
        "identity",
        "zones",
        "plan",
        "properties",
        "extendedLocation",
        "placement",
    ],
    fields: &[
        opt("tags", Ty::StrMap),
        opt("identity", Ty::Obj),
        opt("identity.type", Ty::Str),
        opt("zones", Ty::StrArr),
        opt("properties", Ty::Obj),
        opt("properties.hardwareProfile", Ty::Obj),
        opt("properties.hardwareProfile.vmSize", Ty::Str),
        opt("properties.storageProfile", Ty::Obj),
        opt("properties.storageProfile.imageReference", Ty::Obj),
        opt(
            "properties.storageProfile.imageReference.publisher",
            Ty::Str,
        ),
        opt("properties.storageProfile.imageReference.offer", Ty::Str),
        opt("properties.storageProfile.imageReference.sku", Ty::Str),
        opt("properties.storageProfile.imageReference.version", Ty::Str),
        opt("properties.storageProfile.osDisk", Ty::Obj),
        opt("properties.storageProfile.osDisk.name", Ty::Str),
        opt("properties.storageProfile.osDisk.createOption", Ty::Str),
        opt("properties.storageProfile.osDisk.deleteOption", Ty::Str),
        opt("properties.storageProfile.osDisk.managedDisk", Ty::Obj),
        opt(
            "properties.storageProfile.osDisk.managedDisk.storageAccountType",
            Ty::Str,
        ),
        opt("properties.osProfile", Ty::Obj),
        opt("properties.osProfile.computerName", Ty::Str),
        opt("properties.osProfile.adminUsername", Ty::Str),
        opt("properties.osProfile.linuxConfiguration", Ty::Obj),
        opt(
            "properties.osProfile.linuxConfiguration.disablePasswordAuthentication",
            Ty::Bool,
        ),
        opt("properties.osProfile.linuxConfiguration.ssh", Ty::Obj),
        opt(
            "properties.osProfile.linuxConfiguration.ssh.publicKeys",
            Ty::Arr,
        ),
        opt(
            "properties.osProfile.linuxConfiguration.ssh.publicKeys[].path",
            Ty::Str,
        ),
        opt(
            "properties.osProfile.linuxConfiguration.ssh.publicKeys[].keyData",
            Ty::Str,
        ),
        opt("properties.networkProfile", Ty::Obj),
        opt("properties.networkProfile.networkInterfaces", Ty::Arr),
        opt(
            "properties.networkProfile.networkInterfaces[].id",
            Ty::Id(Some("Microsoft.Network/networkInterfaces")),
        ),
        opt(
            "properties.networkProfile.networkInterfaces[].properties",
            Ty::Obj,
        ),
        opt(
            "properties.networkProfile.networkInterfaces[].properties.primary",
            Ty::Bool,
        ),
        opt(
            "properties.networkProfile.networkInterfaces[].properties.deleteOption",
            Ty::Str,
        ),
    ],
    missing_code: "InvalidParameter",
    at_least_one: &[],
};
