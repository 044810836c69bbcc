//! The status codes of PUT (create, replace), PATCH and DELETE (existing, absent) per
//! resource type, as the stable REST specs declare them (`aifactory_emulator::arm::ops`):
//! one row per type the emulator's table lists, plus a type outside it. A 202 answers with
//! `Location`; a long-running 201 also with `Azure-AsyncOperation`.

use super::*;
use aifactory_emulator::arm::ops;
use serde_json::{json, Value};

const UAI: &str = "Microsoft.ManagedIdentity/userAssignedIdentities";
const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";

/// One type: where it lives, a valid body, and the statuses of PUT create, PUT replace,
/// PATCH (when the spec declares one), DELETE and DELETE again.
struct Row {
    resource_type: &'static str,
    path: String,
    body: Value,
    create: u16,
    replace: u16,
    patch: Option<u16>,
    /// What the PATCH sends (tags, unless the type has none).
    patch_body: Value,
    delete: Option<(u16, u16)>,
}

impl Row {
    fn patch_with(mut self, body: Value) -> Row {
        self.patch_body = body;
        self
    }
}

fn id(rel: &str) -> String {
    format!("{}/providers/{rel}", rg("codes"))
}

fn row(
    resource_type: &'static str,
    path: String,
    body: Value,
    (create, replace): (u16, u16),
    patch: Option<u16>,
    delete: Option<(u16, u16)>,
) -> Row {
    Row {
        resource_type,
        path,
        body,
        create,
        replace,
        patch,
        patch_body: json!({"tags": {"k": "v"}}),
        delete,
    }
}

/// The table; `api` is each type's spec version (the one in `ops::ALL`).
fn rows(principal: &str) -> Vec<Row> {
    let api = |ty: &str| ops::find(ty).map(|t| t.api_version).unwrap_or("2024-07-01");
    let at = |ty: &'static str, rel: &str| format!("{}?api-version={}", id(rel), api(ty));
    let loc = json!({"location": "westeurope"});
    let uai =
        json!({"type": "UserAssigned", "userAssignedIdentities": {id(&format!("{UAI}/id1")): {}}});
    vec![
        row("Microsoft.Resources/resourceGroups",
            format!("{}?api-version=2024-07-01", rg("codes-rg")), loc.clone(),
            (201, 200), Some(200), None),
        row(UAI, at(UAI, &format!("{UAI}/id2")), loc.clone(), (201, 200), Some(200), Some((200, 204))),
        row("Microsoft.Authorization/roleAssignments",
            format!("{}/providers/Microsoft.Authorization/roleAssignments/0c0c0c0c-0000-4000-8000-000000000001?api-version=2022-04-01", rg("codes")),
            json!({"properties": {"roleDefinitionId": format!("/subscriptions/{S}/providers/Microsoft.Authorization/roleDefinitions/{READER}"), "principalId": principal, "principalType": "ServicePrincipal"}}),
            (201, 200), None, Some((200, 204))),
        row("Microsoft.KeyVault/vaults", at("Microsoft.KeyVault/vaults", "Microsoft.KeyVault/vaults/kvcodes"),
            json!({"location": "westeurope", "properties": {"tenantId": T, "sku": {"family": "A", "name": "standard"}, "enableSoftDelete": false}}),
            (201, 200), Some(200), Some((200, 204))),
        row("Microsoft.Storage/storageAccounts", at("Microsoft.Storage/storageAccounts", "Microsoft.Storage/storageAccounts/stcodes"),
            json!({"location": "westeurope", "kind": "StorageV2", "sku": {"name": "Standard_LRS"}}),
            (202, 200), Some(200), Some((200, 204))),
        row("Microsoft.Storage/storageAccounts/blobServices",
            at("Microsoft.Storage/storageAccounts/blobServices", "Microsoft.Storage/storageAccounts/stparent/blobServices/default"),
            json!({"properties": {"isVersioningEnabled": true}}), (200, 200), None, None),
        row("Microsoft.Storage/storageAccounts/blobServices/containers",
            at("Microsoft.Storage/storageAccounts/blobServices/containers", "Microsoft.Storage/storageAccounts/stparent/blobServices/default/containers/lake"),
            json!({"properties": {}}), (201, 200), Some(200), Some((200, 204)))
            .patch_with(json!({"properties": {"metadata": {"k": "v"}}})),
        row("Microsoft.Insights/components", at("Microsoft.Insights/components", "Microsoft.Insights/components/aicodes"),
            json!({"location": "westeurope", "kind": "web", "properties": {"Application_Type": "web"}}),
            (200, 200), Some(200), Some((200, 204))),
        row("Microsoft.MachineLearningServices/workspaces",
            at("Microsoft.MachineLearningServices/workspaces", "Microsoft.MachineLearningServices/workspaces/mlcodes"),
            json!({"location": "westeurope", "identity": {"type": "SystemAssigned"}, "properties": {}}),
            (202, 200), Some(200), Some((202, 204))),
        row("Microsoft.Databricks/workspaces", at("Microsoft.Databricks/workspaces", "Microsoft.Databricks/workspaces/dbxcodes"),
            json!({"location": "westeurope", "sku": {"name": "premium"}, "properties": {"managedResourceGroupId": format!("/subscriptions/{S}/resourceGroups/dbx-managed")}}),
            (201, 200), Some(200), Some((202, 204))),
        row("Microsoft.DataFactory/factories", at("Microsoft.DataFactory/factories", "Microsoft.DataFactory/factories/adfcodes"),
            json!({"location": "westeurope", "identity": uai, "properties": {}}),
            (200, 200), Some(200), Some((200, 204))),
        row("Microsoft.Search/searchServices", at("Microsoft.Search/searchServices", "Microsoft.Search/searchServices/srchcodes"),
            json!({"location": "westeurope", "sku": {"name": "basic"}}),
            (201, 200), Some(200), Some((200, 204))),
        // Shared private links: 202 on create (long-running, no body), 200 on replace;
        // DELETE 202 then 204.
        row("Microsoft.Search/searchServices/sharedPrivateLinkResources",
            at("Microsoft.Search/searchServices/sharedPrivateLinkResources", "Microsoft.Search/searchServices/srchparent/sharedPrivateLinkResources/blob"),
            json!({"properties": {"privateLinkResourceId": id("Microsoft.Storage/storageAccounts/stparent"), "groupId": "blob"}}),
            (202, 200), None, Some((202, 204))),
        row("Microsoft.CognitiveServices/accounts", at("Microsoft.CognitiveServices/accounts", "Microsoft.CognitiveServices/accounts/aiscodes"),
            json!({"location": "westeurope", "kind": "AIServices", "sku": {"name": "S0"}, "properties": {"customSubDomainName": "aiscodes"}}),
            (201, 200), Some(200), Some((202, 204))),
        row("Microsoft.CognitiveServices/accounts/deployments",
            at("Microsoft.CognitiveServices/accounts/deployments", "Microsoft.CognitiveServices/accounts/aisparent/deployments/gpt"),
            json!({"sku": {"name": "GlobalStandard", "capacity": 10}, "properties": {"model": {"format": "OpenAI", "name": "gpt-4o", "version": "2024-11-20"}}}),
            (201, 200), Some(200), Some((202, 204)))
            .patch_with(json!({"sku": {"name": "GlobalStandard", "capacity": 20}})),
        row("Microsoft.CognitiveServices/accounts/capabilityHosts",
            at("Microsoft.CognitiveServices/accounts/capabilityHosts", "Microsoft.CognitiveServices/accounts/aisparent/capabilityHosts/agents"),
            json!({"properties": {"capabilityHostKind": "Agents"}}), (201, 200), None, Some((202, 204))),
        row("Microsoft.CognitiveServices/accounts/projects/capabilityHosts",
            at("Microsoft.CognitiveServices/accounts/projects/capabilityHosts", "Microsoft.CognitiveServices/accounts/aisparent/projects/p1/capabilityHosts/agents"),
            json!({"properties": {"capabilityHostKind": "Agents"}}), (201, 200), None, Some((202, 204))),
        row("Microsoft.CognitiveServices/accounts/projects/connections",
            at("Microsoft.CognitiveServices/accounts/projects/connections", "Microsoft.CognitiveServices/accounts/aisparent/projects/p1/connections/search"),
            json!({"properties": {"category": "CognitiveSearch", "authType": "AAD", "target": "https://srch.search.windows.net",
                "metadata": {"ResourceId": id("Microsoft.Search/searchServices/srch")}}}),
            (200, 200), Some(200), Some((200, 204)))
            .patch_with(json!({"properties": {"category": "CognitiveSearch", "authType": "AAD", "target": "https://srch2.search.windows.net"}})),
        // Cosmos DB: CreateOrUpdate declares 200 only (long-running), Delete 202/204.
        row("Microsoft.DocumentDB/databaseAccounts", at("Microsoft.DocumentDB/databaseAccounts", "Microsoft.DocumentDB/databaseAccounts/cosmoscodes"),
            json!({"location": "westeurope", "kind": "GlobalDocumentDB", "properties": {"databaseAccountOfferType": "Standard",
                "locations": [{"locationName": "westeurope", "failoverPriority": 0}]}}),
            (200, 200), Some(200), Some((202, 204))),
        row("Microsoft.OperationalInsights/workspaces",
            at("Microsoft.OperationalInsights/workspaces", "Microsoft.OperationalInsights/workspaces/lacodes"),
            json!({"location": "westeurope", "properties": {"sku": {"name": "PerGB2018"}}}),
            (201, 200), Some(200), Some((202, 204))),
        row("Microsoft.Network/virtualNetworks", at("Microsoft.Network/virtualNetworks", "Microsoft.Network/virtualNetworks/vcodes"),
            json!({"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.2.0.0/16"]}}}),
            (201, 200), Some(200), Some((202, 204))),
        row("Microsoft.Network/virtualNetworks/subnets",
            at("Microsoft.Network/virtualNetworks/subnets", "Microsoft.Network/virtualNetworks/vparent/subnets/s2"),
            json!({"properties": {"addressPrefix": "10.1.2.0/24"}}), (201, 200), None, Some((202, 204))),
        row("Microsoft.Network/networkSecurityGroups",
            at("Microsoft.Network/networkSecurityGroups", "Microsoft.Network/networkSecurityGroups/nsgcodes"),
            json!({"location": "westeurope", "properties": {}}), (201, 200), Some(200), Some((202, 204))),
        row("Microsoft.Network/privateEndpoints", at("Microsoft.Network/privateEndpoints", "Microsoft.Network/privateEndpoints/pecodes"),
            json!({"location": "westeurope", "properties": {"subnet": {"id": id("Microsoft.Network/virtualNetworks/vparent/subnets/s1")}}}),
            (201, 200), None, Some((202, 204))),
        row("Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
            at("Microsoft.Network/privateEndpoints/privateDnsZoneGroups", "Microsoft.Network/privateEndpoints/peparent/privateDnsZoneGroups/default"),
            json!({"properties": {"privateDnsZoneConfigs": []}}), (201, 200), None, Some((202, 204))),
        row("Microsoft.Network/privateDnsZones",
            at("Microsoft.Network/privateDnsZones", "Microsoft.Network/privateDnsZones/privatelink.codes.example"),
            json!({"location": "global"}), (201, 200), Some(200), Some((202, 204))),
        row("Microsoft.Network/privateDnsZones/virtualNetworkLinks",
            at("Microsoft.Network/privateDnsZones/virtualNetworkLinks", "Microsoft.Network/privateDnsZones/privatelink.parent.example/virtualNetworkLinks/vparent"),
            json!({"location": "global", "properties": {"virtualNetwork": {"id": id("Microsoft.Network/virtualNetworks/vparent")}}}),
            (201, 200), Some(200), Some((202, 204))),
        row("Microsoft.ContainerRegistry/registries",
            at("Microsoft.ContainerRegistry/registries", "Microsoft.ContainerRegistry/registries/acrcodes"),
            json!({"location": "westeurope", "sku": {"name": "Basic"}}),
            (201, 200), Some(200), Some((202, 204))),
        row("Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
            at("Microsoft.Network/virtualNetworks/virtualNetworkPeerings", "Microsoft.Network/virtualNetworks/vparent/virtualNetworkPeerings/to-remote"),
            json!({"properties": {"remoteVirtualNetwork": {"id": id("Microsoft.Network/virtualNetworks/vremote")}}}),
            (201, 200), None, Some((202, 204))),
        // Defender plans: subscription scope, 201 then 200; no delete there (resource scope only).
        row("Microsoft.Security/pricings",
            format!("/subscriptions/{S}/providers/Microsoft.Security/pricings/Containers?api-version={}", api("Microsoft.Security/pricings")),
            json!({"properties": {"pricingTier": "Standard"}}),
            (201, 200), None, None),
        row("Microsoft.Network/publicIPAddresses", at("Microsoft.Network/publicIPAddresses", "Microsoft.Network/publicIPAddresses/pipcodes"),
            json!({"location": "westeurope", "sku": {"name": "Standard"}, "properties": {"publicIPAllocationMethod": "Static"}}),
            (201, 200), Some(200), Some((202, 204))),
        row("Microsoft.Network/bastionHosts", at("Microsoft.Network/bastionHosts", "Microsoft.Network/bastionHosts/bascodes"),
            json!({"location": "westeurope", "properties": {"ipConfigurations": [{"name": "c", "properties": {
                "subnet": {"id": id("Microsoft.Network/virtualNetworks/vparent/subnets/AzureBastionSubnet")},
                "publicIPAddress": {"id": id("Microsoft.Network/publicIPAddresses/pipparent")}}}]}}),
            (201, 200), Some(200), Some((202, 204))),
        row("Microsoft.Network/networkInterfaces", at("Microsoft.Network/networkInterfaces", "Microsoft.Network/networkInterfaces/niccodes"),
            json!({"location": "westeurope", "properties": {"ipConfigurations": [{"name": "ipconfig1", "properties": {
                "subnet": {"id": id("Microsoft.Network/virtualNetworks/vparent/subnets/s1")}}}]}}),
            (201, 200), Some(200), Some((202, 204))),
        row("Microsoft.Compute/virtualMachines", at("Microsoft.Compute/virtualMachines", "Microsoft.Compute/virtualMachines/vmcodes"),
            json!({"location": "westeurope", "properties": {
                "hardwareProfile": {"vmSize": "Standard_B2s"},
                "storageProfile": {"imageReference": {"publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "server", "version": "latest"},
                    "osDisk": {"createOption": "FromImage", "deleteOption": "Delete"}},
                "osProfile": {"computerName": "vmcodes", "adminUsername": "azureuser",
                    "linuxConfiguration": {"disablePasswordAuthentication": true,
                        "ssh": {"publicKeys": [{"path": "/home/azureuser/.ssh/authorized_keys", "keyData": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE codes"}]}}},
                "networkProfile": {"networkInterfaces": [{"id": id("Microsoft.Network/networkInterfaces/nicparent")}]}}}),
            (201, 200), Some(200), Some((202, 204))),
        // Diagnostic settings (2021-05-01-preview): PUT 200 for create and replace, synchronous.
        row("Microsoft.Insights/diagnosticSettings",
            at("Microsoft.Insights/diagnosticSettings", "Microsoft.Storage/storageAccounts/stparent/providers/Microsoft.Insights/diagnosticSettings/codes"),
            json!({"properties": {"storageAccountId": id("Microsoft.Storage/storageAccounts/stparent"),
                "logs": [{"categoryGroup": "audit", "enabled": true}]}}),
            (200, 200), None, Some((200, 204))),
        // Outside the table: ARM's generic contract, synchronous (not in `lro_resource_types`).
        row("Contoso.Widgets/widgets", format!("{}?api-version=2024-07-01", id("Contoso.Widgets/widgets/w1")), loc,
            (201, 200), Some(200), Some((200, 204))),
    ]
}

/// The cases of one row, in order.
fn cases(r: &Row) -> Vec<ArmCase> {
    let name = |what: &str| format!("{} {what}", r.resource_type);
    let mut out = vec![
        answered(
            arm_case(name("PUT create"), "PUT", &r.path, r.create, ""),
            r.create,
            r.resource_type,
        )
        .with_body(r.body.clone()),
        arm_case(name("PUT replace"), "PUT", &r.path, r.replace, "").with_body(r.body.clone()),
    ];
    if let Some(p) = r.patch {
        out.push(arm_case(name("PATCH"), "PATCH", &r.path, p, "").with_body(r.patch_body.clone()));
    }
    if let Some((first, again)) = r.delete {
        out.push(answered(
            arm_case(name("DELETE"), "DELETE", &r.path, first, ""),
            first,
            r.resource_type,
        ));
        out.push(arm_case(name("DELETE again"), "DELETE", &r.path, again, ""));
    }
    out
}

/// A 202 carries `Location`; a long-running 201 `Azure-AsyncOperation`.
fn answered(case: ArmCase, status: u16, resource_type: &str) -> ArmCase {
    let lro = ops::find(resource_type).is_some_and(|t| t.put.lro);
    match status {
        202 => case.expect_header("location").expect_header("retry-after"),
        201 if lro => case.expect_header("azure-asyncoperation"),
        _ => case,
    }
}

#[tokio::test]
async fn put_patch_delete_status_codes_per_type() {
    let (emu, c) = start(config()).await;
    let tok = c.token(ARM_SCOPE).await;
    let principal = emu.principal(APP).unwrap().object_id;
    let rows = rows(&principal);
    // Every type of the table has a row, and every expected status is one its spec declares.
    for t in &ops::ALL {
        let r = rows
            .iter()
            .find(|r| r.resource_type == t.resource_type)
            .unwrap_or_else(|| panic!("no row for {}", t.resource_type));
        for s in [r.create, r.replace] {
            assert!(t.put.codes.contains(&s), "{} PUT {s}", t.resource_type);
        }
        if let (Some(p), Some(d)) = (r.patch, t.patch) {
            assert!(d.codes.contains(&p), "{} PATCH {p}", t.resource_type);
        }
        assert_eq!(
            r.patch.is_some(),
            t.patch.is_some(),
            "{} PATCH",
            t.resource_type
        );
        if let (Some((first, again)), Some(d)) = (r.delete, t.delete) {
            assert!(
                d.codes.contains(&first) && d.codes.contains(&again),
                "{} DELETE",
                t.resource_type
            );
        }
    }
    // Parents of the child types.
    put_rg(&c, &tok, "codes").await;
    let parent = |rel: &str| format!("{}?api-version=2024-05-01", id(rel));
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case("parent vNet", "PUT", parent("Microsoft.Network/virtualNetworks/vparent"), 201, "")
                .with_body(json!({"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.1.0.0/16"]}, "subnets": [{"name": "s1", "properties": {"addressPrefix": "10.1.1.0/24"}}]}})),
            arm_case("remote vNet", "PUT", parent("Microsoft.Network/virtualNetworks/vremote"), 201, "")
                .with_body(json!({"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.9.0.0/16"]}}})),
            arm_case("parent Bastion subnet", "PUT", parent("Microsoft.Network/virtualNetworks/vparent/subnets/AzureBastionSubnet"), 201, "")
                .with_body(json!({"properties": {"addressPrefix": "10.1.3.0/26"}})),
            arm_case("parent public IP", "PUT", parent("Microsoft.Network/publicIPAddresses/pipparent"), 201, "")
                .with_body(json!({"location": "westeurope", "sku": {"name": "Standard"}, "properties": {"publicIPAllocationMethod": "Static"}})),
            arm_case("parent NIC", "PUT", parent("Microsoft.Network/networkInterfaces/nicparent"), 201, "")
                .with_body(json!({"location": "westeurope", "properties": {"ipConfigurations": [{"name": "ipconfig1", "properties": {"subnet": {"id": id("Microsoft.Network/virtualNetworks/vparent/subnets/s1")}}}]}})),
            arm_case("parent endpoint", "PUT", parent("Microsoft.Network/privateEndpoints/peparent"), 201, "")
                .with_body(json!({"location": "westeurope", "properties": {"subnet": {"id": id("Microsoft.Network/virtualNetworks/vparent/subnets/s1")}}})),
            arm_case("parent AI Services account", "PUT", format!("{}?api-version=2025-06-01", id("Microsoft.CognitiveServices/accounts/aisparent")), 201, "")
                .with_body(json!({"location": "westeurope", "kind": "AIServices", "sku": {"name": "S0"}, "properties": {"customSubDomainName": "aisparent"}})),
            arm_case("parent Foundry project", "PUT", format!("{}?api-version=2025-06-01", id("Microsoft.CognitiveServices/accounts/aisparent/projects/p1")), 201, "")
                .with_body(json!({"location": "westeurope", "identity": {"type": "SystemAssigned"}, "properties": {"displayName": "p1"}})),
            arm_case("parent search service", "PUT", format!("{}?api-version=2025-05-01", id("Microsoft.Search/searchServices/srchparent")), 201, "")
                .with_body(json!({"location": "westeurope", "sku": {"name": "basic"}})),
            arm_case("parent private DNS zone", "PUT", format!("{}?api-version=2024-06-01", id("Microsoft.Network/privateDnsZones/privatelink.parent.example")), 201, "")
                .with_body(json!({"location": "global"})),
            arm_case("parent storage account", "PUT", format!("{}?api-version=2025-06-01", id("Microsoft.Storage/storageAccounts/stparent")), 202, "")
                .with_body(json!({"location": "westeurope", "kind": "StorageV2", "sku": {"name": "Standard_LRS"}})),
        ],
    )
    .await;
    let r = run_arm_cases(&c, &tok, rows.iter().flat_map(cases)).await;
    // A 202 create has no body; the resource is there once the operation is done.
    assert!(r.iter().all(|r| r.status != 202 || r.body.is_empty()));
    // A resource group's DELETE is long-running; deleted, it is not found.
    let group = format!("{}?api-version=2024-07-01", rg("codes-rg"));
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case("resource group DELETE", "DELETE", &group, 202, "").expect_header("location"),
            arm_case(
                "resource group DELETE again",
                "DELETE",
                &group,
                404,
                "ResourceGroupNotFound",
            ),
        ],
    )
    .await;
    drop(emu);
}
