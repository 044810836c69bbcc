//! Request-body validation, one case table per resource type the provider writes: a valid
//! body (any 2xx: the status of each type's PUT is the operation table's business) and each
//! invalid shape with Azure's status, error code and the JSON path named in the answer.
//! Bodies are checked against the stable REST spec of the api-version in the URL; other
//! versions pass as before.

use super::*;
use serde_json::{json, Value};

const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const UAI: &str = "Microsoft.ManagedIdentity/userAssignedIdentities";

/// What a case must get: any success, or (status, error code, text the answer must name).
#[derive(Clone, Copy, Debug)]
enum Want {
    Ok,
    Err(u16, &'static str, &'static str),
}

/// One request of a table.
struct Case {
    name: &'static str,
    method: &'static str,
    path: String,
    body: Value,
    want: Want,
}

fn ok(name: &'static str, path: &str, body: Value) -> Case {
    Case {
        name,
        method: "PUT",
        path: path.to_string(),
        body,
        want: Want::Ok,
    }
}

fn bad(
    name: &'static str,
    path: &str,
    body: Value,
    status: u16,
    code: &'static str,
    names: &'static str,
) -> Case {
    Case {
        name,
        method: "PUT",
        path: path.to_string(),
        body,
        want: Want::Err(status, code, names),
    }
}

impl Case {
    fn patch(mut self) -> Case {
        self.method = "PATCH";
        self
    }
}

async fn run(c: &Client, tok: &str, cases: Vec<Case>) {
    for case in cases {
        let r = c.arm(tok, case.method, &case.path, Some(case.body)).await;
        let text = String::from_utf8_lossy(&r.body).to_string();
        match case.want {
            Want::Ok => assert!(
                (200..300).contains(&r.status),
                "case {:?}: {} {text}",
                case.name,
                r.status
            ),
            Want::Err(status, code, names) => {
                assert_error(&r, expect(case.name, status, code));
                assert!(
                    text.contains(names),
                    "case {:?}: the answer names {names:?}: {text}",
                    case.name
                );
            }
        }
    }
}

fn id(rel: &str) -> String {
    format!("{}/providers/{rel}", rg("bodies"))
}

fn at(rel: &str, api: &str) -> String {
    format!("{}?api-version={api}", id(rel))
}

/// A fresh emulator (operations finish at once) with the resource group `bodies`.
async fn setup() -> (RunningEmulator, Client, String) {
    let (emu, c) = start(config().with_lro_delay(std::time::Duration::ZERO)).await;
    let tok = c.token(ARM_SCOPE).await;
    assert_eq!(put_rg(&c, &tok, "bodies").await.status, 201);
    (emu, c, tok)
}

fn with(mut base: Value, pointer: &str, v: Value) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    if parent.is_empty() {
        base[key] = v;
    } else {
        base.pointer_mut(parent).unwrap()[key] = v;
    }
    base
}

fn without(mut base: Value, pointer: &str) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let obj = if parent.is_empty() {
        base.as_object_mut()
    } else {
        base.pointer_mut(parent).and_then(Value::as_object_mut)
    };
    obj.unwrap().remove(key);
    base
}

#[tokio::test]
async fn resource_groups_identities_and_role_assignments() {
    let (emu, c, tok) = setup().await;
    let group = format!("{}?api-version=2024-07-01", rg("bodies-rg"));
    let old_api = format!("{}?api-version=2021-04-01", rg("bodies-rg2"));
    let rg_ok = json!({"location": "westeurope", "tags": {"team": "a"}});
    let uai = at(&format!("{UAI}/id1"), "2024-11-30");
    let ra = format!(
        "{}/providers/Microsoft.Authorization/roleAssignments/{}?api-version=2022-04-01",
        rg("bodies"),
        "5a1f6b0e-2c3d-4e5f-8a9b-0c1d2e3f4a5b"
    );
    let ra_ok = json!({"properties": {
        "roleDefinitionId": format!("/subscriptions/{S}/providers/Microsoft.Authorization/roleDefinitions/{READER}"),
        "principalId": "6b2f7c1e-3d4e-4f5a-9b0c-1d2e3f4a5b6c", "principalType": "ServicePrincipal"}});
    run(&c, &tok, vec![
        bad("rg casing", &group, json!({"Location": "westeurope"}), 400, "InvalidRequestContent", "'Location'"),
        bad("rg snake_case", &group, json!({"location": "westeurope", "managed_by": "x"}), 400, "InvalidRequestContent", "'managed_by'"),
        bad("rg without location", &group, json!({"tags": {}}), 400, "LocationRequired", "location"),
        bad("rg tag value not a string", &group, json!({"location": "westeurope", "tags": {"n": 1}}), 400, "InvalidRequestContent", "tags.n"),
        bad("rg properties not an object", &group, json!({"location": "westeurope", "properties": "x"}), 400, "InvalidRequestContent", "'properties'"),
        ok("rg valid", &group, rg_ok.clone()),
        ok("rg read-only members ignored", &group, json!({"id": "x", "name": "bodies-rg", "type": "t", "location": "westeurope", "properties": {"provisioningState": "Succeeded"}})),
        bad("rg patch tag value", &group, json!({"tags": {"n": true}}), 400, "InvalidRequestContent", "tags.n").patch(),
        ok("rg patch", &group, json!({"tags": {"n": "1"}})).patch(),
        ok("rg older api-version", &old_api, rg_ok),
        bad("identity without location", &uai, json!({}), 400, "LocationRequired", "location"),
        bad("identity unknown member", &uai, json!({"location": "westeurope", "sku": {"name": "x"}}), 400, "InvalidRequestContent", "'sku'"),
        bad("identity isolationScope not a string", &uai, json!({"location": "westeurope", "properties": {"isolationScope": 1}}), 400, "InvalidRequestContent", "properties.isolationScope"),
        ok("identity valid", &uai, json!({"location": "westeurope", "tags": {}, "properties": {"isolationScope": "None"}})),
        bad("role assignment without properties", &ra, json!({}), 400, "InvalidRequestContent", "properties"),
        bad("role assignment without principalId", &ra, without(ra_ok.clone(), "/properties/principalId"), 400, "InvalidRequestContent", "properties.principalId"),
        bad("role assignment flattened", &ra, json!({"principalId": "x", "properties": ra_ok["properties"].clone()}), 400, "InvalidRequestContent", "'principalId'"),
        bad("role assignment description not a string", &ra, with(ra_ok.clone(), "/properties/description", json!(["a"])), 400, "InvalidRequestContent", "properties.description"),
        ok("role assignment valid", &ra, ra_ok),
    ])
    .await;
    drop(emu);
}

fn storage_ok() -> Value {
    json!({"location": "westeurope", "tags": {"a": "b"}, "kind": "StorageV2", "sku": {"name": "Standard_LRS"},
        "identity": {"type": "UserAssigned", "userAssignedIdentities": {id(&format!("{UAI}/id1")): {}}},
        "properties": {"isHnsEnabled": true, "accessTier": "Hot", "minimumTlsVersion": "TLS1_2",
            "supportsHttpsTrafficOnly": true, "allowBlobPublicAccess": false, "allowSharedKeyAccess": false,
            "publicNetworkAccess": "Disabled",
            "networkAcls": {"bypass": "AzureServices", "defaultAction": "Deny",
                "ipRules": [{"value": "203.0.113.0/24", "action": "Allow"}],
                "virtualNetworkRules": [{"id": id("Microsoft.Network/virtualNetworks/v1/subnets/s1")}]}}})
}

#[tokio::test]
async fn storage_accounts_blob_services_and_containers() {
    let (emu, c, tok) = setup().await;
    let acct = at("Microsoft.Storage/storageAccounts/stbodies1", "2025-06-01");
    let v = storage_ok();
    let blob = at(
        "Microsoft.Storage/storageAccounts/stbodies1/blobServices/default",
        "2025-06-01",
    );
    let cont = at(
        "Microsoft.Storage/storageAccounts/stbodies1/blobServices/default/containers/lake",
        "2025-06-01",
    );
    run(&c, &tok, vec![
        bad("account without sku", &acct, without(v.clone(), "/sku"), 400, "MissingRequiredProperty", "'sku'"),
        bad("account without sku.name", &acct, with(v.clone(), "/sku", json!({})), 400, "MissingRequiredProperty", "sku.name"),
        bad("account without kind", &acct, without(v.clone(), "/kind"), 400, "MissingRequiredProperty", "'kind'"),
        bad("account without location", &acct, without(v.clone(), "/location"), 400, "LocationRequired", "location"),
        bad("account Sku casing", &acct, with(without(v.clone(), "/sku"), "/Sku", json!({"name": "Standard_LRS"})), 400, "InvalidRequestContent", "'Sku'"),
        bad("account accessTier outside the closed enum", &acct, with(v.clone(), "/properties/accessTier", json!("Archive")), 400, "InvalidRequestContent", "properties.accessTier"),
        bad("account isHnsEnabled as text", &acct, with(v.clone(), "/properties/isHnsEnabled", json!("true")), 400, "InvalidRequestContent", "properties.isHnsEnabled"),
        bad("account snake_case property", &acct, with(v.clone(), "/properties/is_hns_enabled", json!(true)), 400, "InvalidRequestContent", "properties.is_hns_enabled"),
        bad("account networkAcls without defaultAction", &acct, without(v.clone(), "/properties/networkAcls/defaultAction"), 400, "MissingRequiredProperty", "properties.networkAcls.defaultAction"),
        bad("account defaultAction outside the closed enum", &acct, with(v.clone(), "/properties/networkAcls/defaultAction", json!("Block")), 400, "InvalidRequestContent", "properties.networkAcls.defaultAction"),
        bad("account ipRule without value", &acct, with(v.clone(), "/properties/networkAcls/ipRules", json!([{"action": "Allow"}])), 400, "MissingRequiredProperty", "properties.networkAcls.ipRules[0].value"),
        bad("account ipRule action outside the closed enum", &acct, with(v.clone(), "/properties/networkAcls/ipRules", json!([{"value": "203.0.113.1", "action": "Deny"}])), 400, "InvalidRequestContent", "properties.networkAcls.ipRules[0].action"),
        bad("account vNet rule not an ID", &acct, with(v.clone(), "/properties/networkAcls/virtualNetworkRules", json!([{"id": "s1"}])), 400, "LinkedInvalidPropertyId", "properties.networkAcls.virtualNetworkRules[0].id"),
        bad("account vNet rule names a vNet", &acct, with(v.clone(), "/properties/networkAcls/virtualNetworkRules", json!([{"id": id("Microsoft.Network/virtualNetworks/v1")}])), 400, "InvalidResourceId", "properties.networkAcls.virtualNetworkRules[0].id"),
        bad("account identity without type", &acct, with(v.clone(), "/identity", json!({})), 400, "MissingRequiredProperty", "identity.type"),
        bad("account identity key not an ID", &acct, with(v.clone(), "/identity/userAssignedIdentities", json!({"id1": {}})), 400, "LinkedInvalidPropertyId", "identity.userAssignedIdentities"),
        ok("account valid", &acct, v.clone()),
        ok("account accessTier in other casing", &acct, with(v.clone(), "/properties/accessTier", json!("hot"))),
        ok("account 2023-05-01", &at("Microsoft.Storage/storageAccounts/stbodies2", "2023-05-01"),
            json!({"location": "westeurope", "kind": "StorageV2", "sku": {"name": "Standard_ZRS"}, "properties": {"isHnsEnabled": true}})),
        bad("account zones before 2025", &at("Microsoft.Storage/storageAccounts/stbodies3", "2024-01-01"), with(v.clone(), "/zones", json!(["1"])), 400, "InvalidRequestContent", "'zones'"),
        ok("account zones since 2025", &at("Microsoft.Storage/storageAccounts/stbodies3", "2025-01-01"), with(v.clone(), "/zones", json!(["1"]))),
        bad("account patch accessTier", &acct, json!({"properties": {"accessTier": "Archive"}}), 400, "InvalidRequestContent", "properties.accessTier").patch(),
        ok("account patch tags", &acct, json!({"tags": {"c": "d"}})).patch(),
        bad("blob service days as text", &blob, json!({"properties": {"deleteRetentionPolicy": {"enabled": true, "days": "7"}}}), 400, "InvalidRequestContent", "properties.deleteRetentionPolicy.days"),
        bad("blob service restorePolicy without enabled", &blob, json!({"properties": {"restorePolicy": {"days": 6}}}), 400, "MissingRequiredProperty", "properties.restorePolicy.enabled"),
        ok("blob service valid", &blob, json!({"properties": {"isVersioningEnabled": true, "deleteRetentionPolicy": {"enabled": true, "days": 7}}})),
        bad("container publicAccess outside the closed enum", &cont, json!({"properties": {"publicAccess": "Private"}}), 400, "InvalidRequestContent", "properties.publicAccess"),
        bad("container metadata value not a string", &cont, json!({"properties": {"metadata": {"a": 1}}}), 400, "InvalidRequestContent", "properties.metadata.a"),
        bad("container with a location", &cont, json!({"location": "westeurope", "properties": {}}), 400, "InvalidRequestContent", "'location'"),
        ok("container valid", &cont, json!({"properties": {"publicAccess": "None", "metadata": {"a": "b"}}})),
    ])
    .await;
    drop(emu);
}

#[tokio::test]
async fn network_types() {
    let (emu, c, tok) = setup().await;
    let vnet = at("Microsoft.Network/virtualNetworks/v1", "2024-05-01");
    let vnet2 = at("Microsoft.Network/virtualNetworks/v2", "2024-05-01");
    let subnet = at(
        "Microsoft.Network/virtualNetworks/v1/subnets/s1",
        "2024-05-01",
    );
    let nsg = at("Microsoft.Network/networkSecurityGroups/nsg1", "2024-05-01");
    let pe = at("Microsoft.Network/privateEndpoints/pe1", "2024-05-01");
    let zg = at(
        "Microsoft.Network/privateEndpoints/pe1/privateDnsZoneGroups/default",
        "2024-05-01",
    );
    let zone = at(
        "Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net",
        "2024-06-01",
    );
    let zone_id = id("Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net");
    let subnet_id = id("Microsoft.Network/virtualNetworks/v1/subnets/s1");
    let vnet_ok = json!({"location": "westeurope", "tags": {"a": "b"}, "properties": {"addressSpace": {"addressPrefixes": ["10.1.0.0/16"]}, "enableDdosProtection": false}});
    let rule = json!({"name": "r1", "properties": {"protocol": "Tcp", "access": "Allow", "direction": "Inbound", "priority": 100, "sourceAddressPrefix": "*", "destinationAddressPrefix": "*", "sourcePortRange": "*", "destinationPortRange": "443"}});
    let nsg_ok = json!({"location": "westeurope", "properties": {"securityRules": [rule.clone()]}});
    let pe_ok = json!({"location": "westeurope", "properties": {"subnet": {"id": subnet_id}, "customNetworkInterfaceName": "pe1-nic",
        "privateLinkServiceConnections": [{"name": "c1", "properties": {"privateLinkServiceId": id("Microsoft.Storage/storageAccounts/st1"), "groupIds": ["blob"]}}]}});
    let zg_ok = json!({"properties": {"privateDnsZoneConfigs": [{"name": "blob", "properties": {"privateDnsZoneId": zone_id}}]}});
    run(&c, &tok, vec![
        bad("vNet without address space", &vnet, json!({"location": "westeurope", "properties": {}}), 400, "VnetAddressSpaceMustHaveAtLeastOneAddressPrefix", "/virtualNetworks/v1"),
        bad("vNet with an empty address space", &vnet, json!({"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": []}}}), 400, "VnetAddressSpaceMustHaveAtLeastOneAddressPrefix", "addressPrefixes"),
        bad("vNet snake_case address space", &vnet, json!({"location": "westeurope", "properties": {"address_space": {"addressPrefixes": ["10.1.0.0/16"]}}}), 400, "InvalidRequestFormat", "properties.address_space"),
        bad("vNet prefixes as one string", &vnet, with(vnet_ok.clone(), "/properties/addressSpace/addressPrefixes", json!("10.1.0.0/16")), 400, "InvalidRequestFormat", "properties.addressSpace.addressPrefixes"),
        bad("vNet subnets outside properties", &vnet, with(vnet_ok.clone(), "/subnets", json!([])), 400, "InvalidRequestContent", "'subnets'"),
        bad("vNet enableDdosProtection as text", &vnet, with(vnet_ok.clone(), "/properties/enableDdosProtection", json!("false")), 400, "InvalidRequestFormat", "properties.enableDdosProtection"),
        bad("vNet inline subnet NSG not an ID", &vnet, with(vnet_ok.clone(), "/properties/subnets", json!([{"name": "s0", "properties": {"addressPrefix": "10.1.0.0/24", "networkSecurityGroup": {"id": "nsg1"}}}])), 400, "LinkedInvalidPropertyId", "properties.subnets[0].properties.networkSecurityGroup.id"),
        bad("vNet without location", &vnet, without(vnet_ok.clone(), "/location"), 400, "LocationRequired", "location"),
        bad("vNet without address space (newer api-version)", &at("Microsoft.Network/virtualNetworks/v3", "2025-07-01"), json!({"location": "westeurope"}), 400, "VnetAddressSpaceMustHaveAtLeastOneAddressPrefix", "/virtualNetworks/v3"),
        ok("vNet valid", &vnet, vnet_ok.clone()),
        ok("vNet from an IPAM pool", &vnet2, json!({"location": "westeurope", "properties": {"addressSpace": {"ipamPoolPrefixAllocations": [{"numberOfIpAddresses": "256", "pool": {"id": id("Microsoft.Network/networkManagers/m/ipamPools/p")}}]}}})),
        bad("subnet prefix as a number", &subnet, json!({"properties": {"addressPrefix": 10}}), 400, "InvalidRequestFormat", "properties.addressPrefix"),
        bad("subnet NSG not an ID", &subnet, json!({"properties": {"addressPrefix": "10.1.1.0/24", "networkSecurityGroup": {"id": "nsg1"}}}), 400, "LinkedInvalidPropertyId", "properties.networkSecurityGroup.id"),
        bad("subnet NSG names a route table", &subnet, json!({"properties": {"addressPrefix": "10.1.1.0/24", "networkSecurityGroup": {"id": id("Microsoft.Network/routeTables/rt")}}}), 400, "InvalidResourceId", "properties.networkSecurityGroup.id"),
        bad("subnet defaultOutboundAccess as text", &subnet, json!({"properties": {"addressPrefix": "10.1.1.0/24", "defaultOutboundAccess": "no"}}), 400, "InvalidRequestFormat", "properties.defaultOutboundAccess"),
        bad("subnet delegation casing", &subnet, json!({"properties": {"addressPrefix": "10.1.1.0/24", "delegations": [{"name": "d", "properties": {"ServiceName": "Microsoft.Web/serverFarms"}}]}}), 400, "InvalidRequestFormat", "properties.delegations[0].properties.ServiceName"),
        bad("subnet with a location", &subnet, json!({"location": "westeurope", "properties": {"addressPrefix": "10.1.1.0/24"}}), 400, "InvalidRequestContent", "'location'"),
        ok("subnet valid", &subnet, json!({"properties": {"addressPrefix": "10.1.1.0/24", "privateEndpointNetworkPolicies": "Disabled", "serviceEndpoints": [{"service": "Microsoft.Storage"}], "delegations": []}})),
        bad("NSG rule without priority", &nsg, without(nsg_ok.clone(), "/properties/securityRules/0/properties/priority"), 400, "InvalidRequestFormat", "properties.securityRules[0].properties.priority"),
        bad("NSG rule priority as text", &nsg, with(nsg_ok.clone(), "/properties/securityRules/0/properties/priority", json!("100")), 400, "InvalidRequestFormat", "properties.securityRules[0].properties.priority"),
        ok("NSG valid", &nsg, nsg_ok),
        ok("NSG empty", &nsg, json!({"location": "westeurope", "properties": {}})),
        bad("private endpoint subnet not an ID", &pe, with(pe_ok.clone(), "/properties/subnet/id", json!("s1")), 400, "LinkedInvalidPropertyId", "properties.subnet.id"),
        bad("private endpoint subnet names a vNet", &pe, with(pe_ok.clone(), "/properties/subnet/id", json!(id("Microsoft.Network/virtualNetworks/v1"))), 400, "InvalidResourceId", "properties.subnet.id"),
        bad("private endpoint groupIds as one string", &pe, with(pe_ok.clone(), "/properties/privateLinkServiceConnections/0/properties/groupIds", json!("blob")), 400, "InvalidRequestFormat", "properties.privateLinkServiceConnections[0].properties.groupIds"),
        bad("private endpoint service not an ID", &pe, with(pe_ok.clone(), "/properties/privateLinkServiceConnections/0/properties/privateLinkServiceId", json!("st1")), 400, "LinkedInvalidPropertyId", "properties.privateLinkServiceConnections[0].properties.privateLinkServiceId"),
        ok("private endpoint valid", &pe, pe_ok),
        // The zone first: a zone group must find its zones.
        bad("private DNS zone without location", &zone, json!({}), 400, "LocationRequired", "location"),
        bad("private DNS zone properties as a list", &zone, json!({"location": "global", "properties": []}), 400, "InvalidRequestContent", "'properties'"),
        ok("private DNS zone valid", &zone, json!({"location": "global", "tags": {}})),
        bad("zone group configs as an object", &zg, json!({"properties": {"privateDnsZoneConfigs": {"name": "blob"}}}), 400, "InvalidRequestFormat", "properties.privateDnsZoneConfigs"),
        bad("zone group zone not an ID", &zg, with(zg_ok.clone(), "/properties/privateDnsZoneConfigs/0/properties/privateDnsZoneId", json!("privatelink.blob.core.windows.net")), 400, "LinkedInvalidPropertyId", "properties.privateDnsZoneConfigs[0].properties.privateDnsZoneId"),
        ok("zone group valid", &zg, zg_ok),
    ])
    .await;
    drop(emu);
}

#[tokio::test]
async fn key_vaults_and_monitoring() {
    let (emu, c, tok) = setup().await;
    let kv = at("Microsoft.KeyVault/vaults/kvbodies1", "2024-11-01");
    let kv_ok = json!({"location": "westeurope", "tags": {}, "properties": {"tenantId": T, "sku": {"family": "A", "name": "standard"},
        "enableRbacAuthorization": true, "enableSoftDelete": true, "softDeleteRetentionInDays": 7, "accessPolicies": [],
        "publicNetworkAccess": "Disabled", "networkAcls": {"bypass": "AzureServices", "defaultAction": "Deny", "ipRules": [{"value": "203.0.113.0/24"}], "virtualNetworkRules": []}}});
    let la = at("Microsoft.OperationalInsights/workspaces/la1", "2023-09-01");
    let ai = at("Microsoft.Insights/components/ai1", "2020-02-02");
    let ai_ok = json!({"location": "westeurope", "kind": "web", "properties": {"Application_Type": "web", "WorkspaceResourceId": id("Microsoft.OperationalInsights/workspaces/la1"), "IngestionMode": "LogAnalytics"}});
    run(&c, &tok, vec![
        bad("vault without properties", &kv, json!({"location": "westeurope"}), 400, "MissingRequiredProperty", "'properties'"),
        bad("vault without tenantId", &kv, without(kv_ok.clone(), "/properties/tenantId"), 400, "MissingRequiredProperty", "properties.tenantId"),
        bad("vault tenantId not a GUID", &kv, with(kv_ok.clone(), "/properties/tenantId", json!("contoso")), 400, "InvalidRequestContent", "properties.tenantId"),
        bad("vault sku outside the closed enum", &kv, with(kv_ok.clone(), "/properties/sku/name", json!("gold")), 400, "InvalidRequestContent", "properties.sku.name"),
        bad("vault sku without family", &kv, with(kv_ok.clone(), "/properties/sku", json!({"name": "standard"})), 400, "MissingRequiredProperty", "properties.sku.family"),
        bad("vault flag as text", &kv, with(kv_ok.clone(), "/properties/enableRbacAuthorization", json!("true")), 400, "InvalidRequestContent", "properties.enableRbacAuthorization"),
        bad("vault retention not an integer", &kv, with(kv_ok.clone(), "/properties/softDeleteRetentionInDays", json!(7.5)), 400, "InvalidRequestContent", "properties.softDeleteRetentionInDays"),
        bad("vault ipRule without value", &kv, with(kv_ok.clone(), "/properties/networkAcls/ipRules", json!([{}])), 400, "MissingRequiredProperty", "properties.networkAcls.ipRules[0].value"),
        bad("vault access policy without objectId", &kv, with(kv_ok.clone(), "/properties/accessPolicies", json!([{"tenantId": T, "permissions": {}}])), 400, "MissingRequiredProperty", "properties.accessPolicies[0].objectId"),
        bad("vault createMode outside the closed enum", &kv, with(kv_ok.clone(), "/properties/createMode", json!("restore")), 400, "InvalidRequestContent", "properties.createMode"),
        bad("vault snake_case flag", &kv, with(kv_ok.clone(), "/properties/enable_rbac_authorization", json!(true)), 400, "InvalidRequestContent", "properties.enable_rbac_authorization"),
        ok("vault valid", &kv, kv_ok),
        ok("vault at an api-version without rules", &at("Microsoft.KeyVault/vaults/kvbodies2", "2023-07-01"), json!({"location": "westeurope"})),
        bad("workspace sku without name", &la, json!({"location": "westeurope", "properties": {"sku": {}}}), 400, "MissingRequiredProperty", "properties.sku.name"),
        bad("workspace retention as text", &la, json!({"location": "westeurope", "properties": {"retentionInDays": "30"}}), 400, "InvalidRequestContent", "properties.retentionInDays"),
        bad("workspace identity type outside the closed enum", &la, json!({"location": "westeurope", "identity": {"type": "Managed"}}), 400, "InvalidRequestContent", "identity.type"),
        ok("workspace valid", &la, json!({"location": "westeurope", "properties": {"sku": {"name": "PerGB2018"}, "retentionInDays": 30}})),
        bad("insights without kind", &ai, without(ai_ok.clone(), "/kind"), 400, "MissingRequiredProperty", "'kind'"),
        bad("insights without Application_Type", &ai, without(ai_ok.clone(), "/properties/Application_Type"), 400, "MissingRequiredProperty", "properties.Application_Type"),
        bad("insights ApplicationType spelling", &ai, with(ai_ok.clone(), "/properties/ApplicationType", json!("web")), 400, "InvalidRequestContent", "properties.ApplicationType"),
        bad("insights workspace not an ID", &ai, with(ai_ok.clone(), "/properties/WorkspaceResourceId", json!("la1")), 400, "LinkedInvalidPropertyId", "properties.WorkspaceResourceId"),
        ok("insights valid", &ai, ai_ok),
    ])
    .await;
    drop(emu);
}

#[tokio::test]
async fn project_services() {
    let (emu, c, tok) = setup().await;
    let uai =
        json!({"type": "UserAssigned", "userAssignedIdentities": {id(&format!("{UAI}/id1")): {}}});
    let ml = at(
        "Microsoft.MachineLearningServices/workspaces/ml1",
        "2025-06-01",
    );
    let ml_ok = json!({"location": "westeurope", "kind": "Default", "sku": {"name": "Basic", "tier": "Basic"}, "identity": uai.clone(),
        "properties": {"friendlyName": "ml1", "keyVault": id("Microsoft.KeyVault/vaults/kv1"), "storageAccount": id("Microsoft.Storage/storageAccounts/st1"),
            "applicationInsights": id("Microsoft.Insights/components/ai1"), "primaryUserAssignedIdentity": id(&format!("{UAI}/id1")),
            "publicNetworkAccess": "Disabled", "hbiWorkspace": false, "v1LegacyMode": false}});
    let dbx = at("Microsoft.Databricks/workspaces/dbx1", "2024-05-01");
    let dbx_ok = json!({"location": "westeurope", "sku": {"name": "premium"}, "properties": {
        "managedResourceGroupId": format!("/subscriptions/{S}/resourceGroups/dbx-managed"),
        "parameters": {"customVirtualNetworkId": {"value": id("Microsoft.Network/virtualNetworks/v1")},
            "customPublicSubnetName": {"value": "pub"}, "customPrivateSubnetName": {"value": "priv"}, "enableNoPublicIp": {"value": true}},
        "publicNetworkAccess": "Disabled", "requiredNsgRules": "NoAzureDatabricksRules"}});
    let adf = at("Microsoft.DataFactory/factories/adf1", "2018-06-01");
    let adf_ok = json!({"location": "westeurope", "identity": uai.clone(), "properties": {"publicNetworkAccess": "Disabled"}});
    let search = at("Microsoft.Search/searchServices/srch1", "2025-05-01");
    let search_ok = json!({"location": "westeurope", "sku": {"name": "basic"}, "identity": uai.clone(), "properties": {
        "replicaCount": 1, "partitionCount": 1, "hostingMode": "default", "publicNetworkAccess": "disabled",
        "networkRuleSet": {"ipRules": [], "bypass": "AzureServices"}, "disableLocalAuth": true}});
    let ais = at("Microsoft.CognitiveServices/accounts/ais1", "2025-06-01");
    let ais_ok = json!({"location": "westeurope", "kind": "AIServices", "sku": {"name": "S0"}, "identity": uai, "properties": {
        "customSubDomainName": "ais1", "publicNetworkAccess": "Disabled", "disableLocalAuth": true,
        "networkAcls": {"defaultAction": "Deny", "ipRules": [{"value": "203.0.113.1"}], "virtualNetworkRules": []}}});
    run(
        &c,
        &tok,
        vec![
            bad(
                "ML sku tier outside the closed enum",
                &ml,
                with(ml_ok.clone(), "/sku/tier", json!("Gold")),
                400,
                "InvalidRequestContent",
                "sku.tier",
            ),
            bad(
                "ML identity without type",
                &ml,
                with(ml_ok.clone(), "/identity", json!({})),
                400,
                "MissingRequiredProperty",
                "identity.type",
            ),
            bad(
                "ML key vault not an ID",
                &ml,
                with(ml_ok.clone(), "/properties/keyVault", json!("kv1")),
                400,
                "LinkedInvalidPropertyId",
                "properties.keyVault",
            ),
            bad(
                "ML storage names a key vault",
                &ml,
                with(
                    ml_ok.clone(),
                    "/properties/storageAccount",
                    json!(id("Microsoft.KeyVault/vaults/kv1")),
                ),
                400,
                "InvalidResourceId",
                "properties.storageAccount",
            ),
            bad(
                "ML hbiWorkspace as text",
                &ml,
                with(ml_ok.clone(), "/properties/hbiWorkspace", json!("false")),
                400,
                "InvalidRequestContent",
                "properties.hbiWorkspace",
            ),
            ok("ML valid", &ml, ml_ok),
            bad(
                "Databricks without managed resource group",
                &dbx,
                without(dbx_ok.clone(), "/properties/managedResourceGroupId"),
                400,
                "MissingRequiredProperty",
                "properties.managedResourceGroupId",
            ),
            bad(
                "Databricks managed resource group names a vNet",
                &dbx,
                with(
                    dbx_ok.clone(),
                    "/properties/managedResourceGroupId",
                    json!(id("Microsoft.Network/virtualNetworks/v1")),
                ),
                400,
                "InvalidResourceId",
                "properties.managedResourceGroupId",
            ),
            bad(
                "Databricks parameter without value",
                &dbx,
                with(
                    dbx_ok.clone(),
                    "/properties/parameters/customPublicSubnetName",
                    json!({}),
                ),
                400,
                "MissingRequiredProperty",
                "properties.parameters.customPublicSubnetName.value",
            ),
            bad(
                "Databricks parameter value as text",
                &dbx,
                with(
                    dbx_ok.clone(),
                    "/properties/parameters/enableNoPublicIp/value",
                    json!("true"),
                ),
                400,
                "InvalidRequestContent",
                "properties.parameters.enableNoPublicIp.value",
            ),
            bad(
                "Databricks without properties",
                &dbx,
                without(dbx_ok.clone(), "/properties"),
                400,
                "MissingRequiredProperty",
                "'properties'",
            ),
            ok("Databricks valid", &dbx, dbx_ok),
            bad(
                "Data Factory identity casing",
                &adf,
                with(
                    without(adf_ok.clone(), "/identity"),
                    "/Identity",
                    json!({"type": "UserAssigned"}),
                ),
                400,
                "InvalidRequestContent",
                "'Identity'",
            ),
            bad(
                "Data Factory identity without type",
                &adf,
                with(adf_ok.clone(), "/identity", json!({})),
                400,
                "MissingRequiredProperty",
                "identity.type",
            ),
            ok("Data Factory valid", &adf, adf_ok.clone()),
            ok(
                "Data Factory additional member (allowed by its spec)",
                &adf,
                with(adf_ok, "/annotation", json!("x")),
            ),
            bad(
                "Search hostingMode outside the closed enum",
                &search,
                with(search_ok.clone(), "/properties/hostingMode", json!("dense")),
                400,
                "InvalidRequestContent",
                "properties.hostingMode",
            ),
            bad(
                "Search replicaCount as text",
                &search,
                with(search_ok.clone(), "/properties/replicaCount", json!("1")),
                400,
                "InvalidRequestContent",
                "properties.replicaCount",
            ),
            ok("Search valid", &search, search_ok),
            bad(
                "AI Services identity type outside the closed enum",
                &ais,
                with(ais_ok.clone(), "/identity/type", json!("Managed")),
                400,
                "InvalidRequestContent",
                "identity.type",
            ),
            bad(
                "AI Services sku without name",
                &ais,
                with(ais_ok.clone(), "/sku", json!({})),
                400,
                "MissingRequiredProperty",
                "sku.name",
            ),
            bad(
                "AI Services vNet rule without id",
                &ais,
                with(
                    ais_ok.clone(),
                    "/properties/networkAcls/virtualNetworkRules",
                    json!([{}]),
                ),
                400,
                "MissingRequiredProperty",
                "properties.networkAcls.virtualNetworkRules[0].id",
            ),
            ok("AI Services valid", &ais, ais_ok),
        ],
    )
    .await;
    drop(emu);
}
