//! Azure Policy deny assignments (`Settings::policies`): `subnet-nsg-required` refuses a
//! subnet without a network security group (standalone subnet PUT and inline subnets of a
//! vNet PUT) with 403 `RequestDisallowedByPolicy` and the `PolicyViolation` details, and
//! lets through the subnets ALZ's `Deny-Subnet-Without-Nsg` excludes; security rule
//! priorities outside 100..4096 are refused.

use super::*;
use aifactory_emulator::policy::Policy;

fn vnet(name: &str) -> String {
    format!(
        "{}/providers/Microsoft.Network/virtualNetworks/{name}",
        rg("pol")
    )
}

fn nsg_id() -> String {
    format!(
        "{}/providers/Microsoft.Network/networkSecurityGroups/n1",
        rg("pol")
    )
}

fn policed() -> EmulatorConfig {
    let mut c = config();
    c.settings.policies = vec![Policy::SubnetNsgRequired];
    c
}

fn with_nsg(prefix: &str) -> serde_json::Value {
    json!({"properties": {"addressPrefix": prefix, "networkSecurityGroup": {"id": nsg_id()}}})
}

#[tokio::test]
async fn subnet_nsg_required_denies_subnets_without_an_nsg() {
    let (_emu, c) = start(policed()).await;
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "pol").await;
    let space = json!({"addressPrefixes": ["10.0.0.0/16"]});
    let sub = |n: &str| format!("{}/subnets/{n}?{API}", vnet("v1"));
    let r = run_arm_cases(
        &c,
        &tok,
        [
            arm_case("nsg", "PUT", format!("{}?{API}", nsg_id()), 201, "")
                .with_body(json!({"location": "westeurope", "properties": {}})),
            arm_case("vnet, no subnets", "PUT", format!("{}?{API}", vnet("v1")), 201, "")
                .with_body(json!({"location": "westeurope", "properties": {"addressSpace": space}})),
            arm_case("subnet without NSG", "PUT", sub("a"), 403, "RequestDisallowedByPolicy")
                .with_body(json!({"properties": {"addressPrefix": "10.0.1.0/24"}})),
            arm_case("subnet with empty NSG id (ARM's ID check first)", "PUT", sub("a"), 400, "LinkedInvalidPropertyId")
                .with_body(json!({"properties": {"addressPrefix": "10.0.1.0/24", "networkSecurityGroup": {"id": ""}}})),
            arm_case("subnet with NSG", "PUT", sub("a"), 201, "").with_body(with_nsg("10.0.1.0/24")),
            arm_case("NSG removed by a later PUT", "PUT", sub("a"), 403, "RequestDisallowedByPolicy")
                .with_body(json!({"properties": {"addressPrefix": "10.0.1.0/24"}})),
            arm_case("GatewaySubnet is excluded", "PUT", sub("GatewaySubnet"), 201, "")
                .with_body(json!({"properties": {"addressPrefix": "10.0.2.0/27"}})),
            arm_case("AzureFirewallSubnet is excluded", "PUT", sub("AzureFirewallSubnet"), 201, "")
                .with_body(json!({"properties": {"addressPrefix": "10.0.3.0/26"}})),
            arm_case("AzureFirewallManagementSubnet is excluded", "PUT", sub("azurefirewallmanagementsubnet"), 201, "")
                .with_body(json!({"properties": {"addressPrefix": "10.0.4.0/26"}})),
            arm_case("AzureBastionSubnet is not excluded", "PUT", sub("AzureBastionSubnet"), 403, "RequestDisallowedByPolicy")
                .with_body(json!({"properties": {"addressPrefix": "10.0.5.0/26"}})),
            arm_case("vnet with an inline subnet without NSG", "PUT", format!("{}?{API}", vnet("v2")), 403, "RequestDisallowedByPolicy")
                .with_body(json!({"location": "westeurope", "properties": {"addressSpace": space, "subnets": [
                    {"name": "ok", "properties": {"addressPrefix": "10.0.1.0/24", "networkSecurityGroup": {"id": nsg_id()}}},
                    {"name": "bare", "properties": {"addressPrefix": "10.0.2.0/24"}}
                ]}})),
            arm_case("vnet with inline subnets that all have one", "PUT", format!("{}?{API}", vnet("v3")), 201, "")
                .with_body(json!({"location": "westeurope", "properties": {"addressSpace": space, "subnets": [
                    {"name": "ok", "properties": {"addressPrefix": "10.0.1.0/24", "networkSecurityGroup": {"id": nsg_id()}}},
                    {"name": "GatewaySubnet", "properties": {"addressPrefix": "10.0.2.0/27"}}
                ]}})),
        ],
    )
    .await;
    // The denial as Azure Policy words it.
    let e = r[2].json();
    let err = &e["error"];
    assert_eq!(err["target"], "a");
    let msg = err["message"].as_str().unwrap_or_default();
    assert!(
        msg.starts_with("Resource 'a' was disallowed by policy.")
            && msg.contains("Deny-Subnet-Without-Nsg")
            && msg.contains("Subnets should have a Network Security Group"),
        "{msg}"
    );
    let add = &err["additionalInfo"][0];
    assert_eq!(add["type"], "PolicyViolation");
    let info = &add["info"];
    assert_eq!(
        info["policyDefinitionDisplayName"],
        "Subnets should have a Network Security Group"
    );
    assert_eq!(
        info["policyAssignmentId"],
        format!("/subscriptions/{S}/providers/Microsoft.Authorization/policyAssignments/Deny-Subnet-Without-Nsg")
    );
    assert_eq!(info["policyAssignmentName"], "Deny-Subnet-Without-Nsg");
    assert_eq!(
        info["policyDefinitionId"],
        format!("/subscriptions/{S}/providers/Microsoft.Authorization/policyDefinitions/Deny-Subnet-Without-Nsg")
    );
    assert_eq!(info["policyDefinitionEffect"], "Deny");
    let exprs = info["evaluationDetails"]["evaluatedExpressions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(exprs.iter().any(|x| x["operator"] == "Exists"), "{exprs:?}");
    // The inline denial names the subnet.
    let inline = r[10].json();
    assert!(inline["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("Subnet bare "));
    // Nothing of the denied vNet was stored; the refused subnet PUT left the NSG in place.
    let g = c
        .arm(&tok, "GET", &format!("{}?{API}", vnet("v2")), None)
        .await;
    assert_eq!(g.status, 404);
    let g = c.arm(&tok, "GET", &sub("a"), None).await.json();
    assert_eq!(g["properties"]["networkSecurityGroup"]["id"], nsg_id());
}

#[tokio::test]
async fn without_the_policy_subnets_need_no_nsg() {
    let (_emu, c) = start(config()).await;
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "pol").await;
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case("vnet", "PUT", format!("{}?{API}", vnet("v1")), 201, "").with_body(
                json!({"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}}),
            ),
            arm_case("subnet without NSG", "PUT", format!("{}/subnets/a?{API}", vnet("v1")), 201, "")
                .with_body(json!({"properties": {"addressPrefix": "10.0.1.0/24"}})),
        ],
    )
    .await;
}

fn rule(name: &str, priority: i64) -> serde_json::Value {
    json!({"name": name, "properties": {"protocol": "Tcp", "access": "Allow", "direction": "Inbound",
        "priority": priority, "sourcePortRange": "*", "destinationPortRange": "443",
        "sourceAddressPrefix": "VirtualNetwork", "destinationAddressPrefix": "*"}})
}

#[tokio::test]
async fn security_rules_and_route_tables_are_validated() {
    let (_emu, c) = start(config()).await;
    let tok = c.token(ARM_SCOPE).await;
    put_rg(&c, &tok, "pol").await;
    let nsg = |rules: serde_json::Value| json!({"location": "westeurope", "properties": {"securityRules": rules}});
    let rt = format!(
        "{}/providers/Microsoft.Network/routeTables/rt1?{API}",
        rg("pol")
    );
    let mut missing = rule("r", 100);
    missing["properties"]
        .as_object_mut()
        .map(|p| p.remove("direction"));
    run_arm_cases(
        &c,
        &tok,
        [
            arm_case("rules at 100 and 4096", "PUT", format!("{}?{API}", nsg_id()), 201, "")
                .with_body(nsg(json!([rule("a", 100), rule("b", 4096)]))),
            arm_case("priority 99", "PUT", format!("{}?{API}", nsg_id()), 400, "SecurityRuleInvalidPriority")
                .with_body(nsg(json!([rule("a", 99)]))),
            arm_case("priority 4097", "PUT", format!("{}?{API}", nsg_id()), 400, "SecurityRuleInvalidPriority")
                .with_body(nsg(json!([rule("a", 4097)]))),
            arm_case("rule without direction", "PUT", format!("{}?{API}", nsg_id()), 400, "InvalidRequestFormat")
                .with_body(nsg(json!([missing]))),
            arm_case("priority as a string", "PUT", format!("{}?{API}", nsg_id()), 400, "InvalidRequestFormat")
                .with_body(nsg(json!([{"name": "a", "properties": {"protocol": "Tcp", "access": "Allow", "direction": "Inbound", "priority": "100"}}]))),
            arm_case("child rule priority 50", "PUT", format!("{}/securityRules/c?{API}", nsg_id()), 400, "SecurityRuleInvalidPriority")
                .with_body(json!({"properties": rule("c", 50)["properties"]})),
            arm_case("route table", "PUT", rt.clone(), 201, "").with_body(json!({"location": "westeurope", "properties": {"routes": [
                {"name": "default", "properties": {"addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.1.0.4"}}
            ]}})),
            arm_case("route without nextHopType", "PUT", rt, 400, "InvalidRequestFormat").with_body(json!({"location": "westeurope", "properties": {"routes": [
                {"name": "default", "properties": {"addressPrefix": "0.0.0.0/0"}}
            ]}})),
        ],
    )
    .await;
}
