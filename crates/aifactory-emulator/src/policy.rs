//! Azure Policy deny assignments the emulator can enforce (`Settings::policies`, the
//! binary's `--policy NAME`), answered as Azure Policy answers a denied write: 403
//! `RequestDisallowedByPolicy`, a message naming the resource and the policy identifiers,
//! and `additionalInfo` of type `PolicyViolation` (shape: Microsoft's documented example in
//! "Enforce job execution on Azure Automation Hybrid Runbook Worker", learn.microsoft.com).
//!
//! Policies:
//! - `subnet-nsg-required`: the Azure Landing Zones definition `Deny-Subnet-Without-Nsg`
//!   ("Subnets should have a Network Security Group", Azure/Enterprise-Scale): a subnet PUT,
//!   or a virtual network PUT with an inline subnet, whose `networkSecurityGroup.id` is
//!   missing is denied, except the subnets named in the definition's default
//!   `excludedSubnets` (`GatewaySubnet`, `AzureFirewallSubnet`,
//!   `AzureFirewallManagementSubnet`; Policy compares names case-insensitively).
//!
//! Owns the policy evaluation and its error body; must not change what it checks (runs
//! before the network rules, on the request body as sent).

use crate::arm::id::{ArmPath, Level};
use crate::arm::types::{SUBNET, VNET};
use crate::http::Resp;
use http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// A policy the emulator can enforce.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Policy {
    /// ALZ `Deny-Subnet-Without-Nsg`.
    SubnetNsgRequired,
}

impl Policy {
    /// Every policy, for usage messages.
    pub const ALL: [Policy; 1] = [Policy::SubnetNsgRequired];

    /// The name used on the command line and in settings.
    pub fn name(self) -> &'static str {
        match self {
            Policy::SubnetNsgRequired => "subnet-nsg-required",
        }
    }

    /// The policy of a command-line name.
    pub fn parse(name: &str) -> Option<Policy> {
        Policy::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// ALZ's definition name (also the assignment's name, as ALZ assigns it).
pub const NSG_DEFINITION_NAME: &str = "Deny-Subnet-Without-Nsg";
/// ALZ's display name of the definition.
pub const NSG_DISPLAY_NAME: &str = "Subnets should have a Network Security Group";
/// The definition's default `excludedSubnets`.
pub const NSG_EXCLUDED_SUBNETS: [&str; 3] = [
    "GatewaySubnet",
    "AzureFirewallSubnet",
    "AzureFirewallManagementSubnet",
];

/// The denial of a PUT on `path` with `body` under `policies`, if any.
pub fn check_put(policies: &[Policy], path: &ArmPath, body: &Map<String, Value>) -> Option<Resp> {
    if !policies.contains(&Policy::SubnetNsgRequired) {
        return None;
    }
    let target = path.target()?;
    let subscription = path
        .levels
        .first()
        .map(|l| l.name.as_str())
        .unwrap_or_default();
    if target.full_type.eq_ignore_ascii_case(SUBNET) {
        if !excluded(&target.name) && !has_nsg(body.get("properties")) {
            return Some(nsg_denial(subscription, target, &target.name, "subnets"));
        }
    } else if target.full_type.eq_ignore_ascii_case(VNET) {
        // Inline subnets sit in `properties.subnets` (the emulator also reads a top-level
        // `subnets`, so both are checked).
        let inline = body
            .get("properties")
            .and_then(|p| p.get("subnets"))
            .into_iter()
            .chain(body.get("subnets"))
            .filter_map(Value::as_array)
            .flatten();
        for s in inline {
            let name = s.get("name").and_then(Value::as_str).unwrap_or_default();
            if !excluded(name) && !has_nsg(s.get("properties")) {
                return Some(nsg_denial(
                    subscription,
                    target,
                    name,
                    "virtualNetworks.subnets",
                ));
            }
        }
    }
    None
}

fn excluded(name: &str) -> bool {
    NSG_EXCLUDED_SUBNETS
        .iter()
        .any(|e| e.eq_ignore_ascii_case(name))
}

fn has_nsg(props: Option<&Value>) -> bool {
    props
        .and_then(|p| p.pointer("/networkSecurityGroup/id"))
        .and_then(Value::as_str)
        .is_some_and(|id| !id.is_empty())
}

/// The 403 for a subnet `subnet` (written through `target`) without an NSG.
fn nsg_denial(subscription: &str, target: &Level, subnet: &str, kind: &str) -> Resp {
    let assignment_scope = format!("/subscriptions/{subscription}");
    let assignment_id = format!(
        "{assignment_scope}/providers/Microsoft.Authorization/policyAssignments/{NSG_DEFINITION_NAME}"
    );
    let definition_id = format!(
        "/subscriptions/{subscription}/providers/Microsoft.Authorization/policyDefinitions/{NSG_DEFINITION_NAME}"
    );
    let identifiers = json!([{
        "policyAssignment": {"name": NSG_DEFINITION_NAME, "id": assignment_id},
        "policyDefinition": {"name": NSG_DISPLAY_NAME, "id": definition_id},
    }]);
    let (field, path) = if kind == "subnets" {
        (
            "Microsoft.Network/virtualNetworks/subnets/networkSecurityGroup.id",
            "properties.networkSecurityGroup.id".to_string(),
        )
    } else {
        (
            "Microsoft.Network/virtualNetworks/subnets[*].networkSecurityGroup.id",
            format!("properties.subnets[?name=='{subnet}'].properties.networkSecurityGroup.id"),
        )
    };
    let message = format!(
        "Resource '{}' was disallowed by policy. Reasons: 'Subnet {subnet} has no network security group \
         (properties.networkSecurityGroup.id).'. Policy identifiers: '{identifiers}'.",
        target.name
    );
    let body = json!({"error": {
        "code": "RequestDisallowedByPolicy",
        "target": target.name,
        "message": message,
        "additionalInfo": [{
            "type": "PolicyViolation",
            "info": {
                "policyDefinitionDisplayName": NSG_DISPLAY_NAME,
                "evaluationDetails": {"evaluatedExpressions": [
                    {
                        "result": "True",
                        "expressionKind": "Field",
                        "expression": "type",
                        "path": "type",
                        "expressionValue": if kind == "subnets" { SUBNET } else { VNET },
                        "targetValue": if kind == "subnets" { SUBNET } else { VNET },
                        "operator": "Equals"
                    },
                    {
                        "result": "True",
                        "expressionKind": "Field",
                        "expression": field,
                        "path": path,
                        "targetValue": "false",
                        "operator": "Exists"
                    }
                ]},
                "policyDefinitionId": definition_id,
                "policyDefinitionName": NSG_DEFINITION_NAME,
                "policyDefinitionEffect": "Deny",
                "policyAssignmentId": assignment_id,
                "policyAssignmentName": NSG_DEFINITION_NAME,
                "policyAssignmentDisplayName": NSG_DISPLAY_NAME,
                "policyAssignmentScope": assignment_scope,
                "policyAssignmentParameters": {}
            }
        }]
    }});
    Resp::json(StatusCode::FORBIDDEN, &body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arm::id::parse_id;

    fn run(path: &str, body: Value) -> Option<Value> {
        let p = parse_id(path).expect("path");
        let Value::Object(m) = body else {
            panic!("object")
        };
        check_put(&[Policy::SubnetNsgRequired], &p, &m)
            .map(|r| serde_json::from_slice(&r.body).expect("json body"))
    }

    const V: &str =
        "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v";

    #[test]
    fn subnet_without_nsg_is_denied_and_exclusions_pass() {
        let denied = run(&format!("{V}/subnets/a"), json!({"properties": {}})).expect("denied");
        assert_eq!(denied["error"]["code"], "RequestDisallowedByPolicy");
        let info = &denied["error"]["additionalInfo"][0];
        assert_eq!(info["type"], "PolicyViolation");
        assert_eq!(info["info"]["policyAssignmentName"], NSG_DEFINITION_NAME);
        assert_eq!(
            info["info"]["policyAssignmentId"],
            "/subscriptions/s1/providers/Microsoft.Authorization/policyAssignments/Deny-Subnet-Without-Nsg"
        );
        for name in [
            "GatewaySubnet",
            "azurefirewallsubnet",
            "AzureFirewallManagementSubnet",
        ] {
            assert!(
                run(&format!("{V}/subnets/{name}"), json!({})).is_none(),
                "{name}"
            );
        }
        assert!(run(&format!("{V}/subnets/AzureBastionSubnet"), json!({})).is_some());
        let with = json!({"properties": {"networkSecurityGroup": {"id": "/x"}}});
        assert!(run(&format!("{V}/subnets/a"), with).is_none());
        assert!(run(
            &format!("{V}/subnets/a"),
            json!({"properties": {"networkSecurityGroup": {"id": ""}}})
        )
        .is_some());
        // Inline subnets of a vNet PUT.
        let vnet = json!({"properties": {"subnets": [
            {"name": "GatewaySubnet", "properties": {}},
            {"name": "ok", "properties": {"networkSecurityGroup": {"id": "/n"}}},
            {"name": "bad", "properties": {}}
        ]}});
        let d = run(V, vnet).expect("denied");
        assert!(d["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("Subnet bad ")));
        assert!(run(V, json!({"properties": {}})).is_none());
        assert!(Policy::parse("subnet-nsg-required").is_some() && Policy::parse("x").is_none());
    }
}
