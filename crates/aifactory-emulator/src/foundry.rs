//! AI Foundry's resource-provider rules beyond the body schemas: model deployments of one
//! Cognitive Services account are written one at a time (a PUT or DELETE while another
//! deployment operation of the account runs answers 409 `RequestConflict`, "Another
//! operation is being performed on the parent resource ..."), and a deployment's capacity
//! counts against a quota per subscription, region, model and SKU (`Settings::deployment_quota`;
//! beyond it 400 `InsufficientQuota` with Azure's message shape). Cosmos DB's data-plane
//! role assignments (`databaseAccounts/sqlRoleAssignments`) need a role definition of the
//! same account (the built-in Data Reader `...0001` and Data Contributor `...0002`, or a
//! stored `sqlRoleDefinitions`), a scope inside the account and a GUID principal
//! (400 `BadRequest`, as the Cosmos DB resource provider words it).
//!
//! Capability hosts: one per account and per project, never updated in place; an account
//! written with agent network injection gets the one the resource provider adds itself
//! (`{account}@aml_aiagentservice`, which a second account capability host PUT then
//! conflicts with, as Microsoft's network-secured agent template's users report:
//! microsoft-foundry/foundry-samples pull 753; the rules from learn.microsoft.com
//! "Capability hosts").
//!
//! Owns these checks and the capability host Azure adds; must not answer successes or touch
//! other resource providers.
//! Sources: the 409 and quota answers as users report them (hashicorp/terraform-provider-azurerm
//! issue 22607, Azure/azure-dev issue 9398, microsoft/PubSec-Info-Assistant issue 880);
//! the Cosmos DB built-in data roles from learn.microsoft.com "Configure role-based access
//! control with Microsoft Entra ID for your Azure Cosmos DB account".

use crate::arm::lro::OpKind;
use crate::arm::store::Stored;
use crate::http::{arm_error, Resp};
use crate::state::{Lingering, State};
use crate::util;
use http::StatusCode;
use serde_json::{json, Map, Value};

const DEPLOYMENTS: &str = "Microsoft.CognitiveServices/accounts/deployments";
const SQL_ROLE_ASSIGNMENTS: &str = "Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments";
const SQL_ROLE_DEFINITIONS: &str = "Microsoft.DocumentDB/databaseAccounts/sqlRoleDefinitions";

/// Cosmos DB's built-in data-plane roles: (GUID, name, data actions).
pub const COSMOS_BUILT_IN: [(&str, &str, &[&str]); 2] = [
    (
        "00000000-0000-0000-0000-000000000001",
        "Cosmos DB Built-in Data Reader",
        &[
            "Microsoft.DocumentDB/databaseAccounts/readMetadata",
            "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/executeQuery",
            "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/readChangeFeed",
            "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/items/read",
        ],
    ),
    (
        "00000000-0000-0000-0000-000000000002",
        "Cosmos DB Built-in Data Contributor",
        &[
            "Microsoft.DocumentDB/databaseAccounts/readMetadata",
            "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/*",
            "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/items/*",
        ],
    ),
];

/// Whether `guid` is one of Cosmos DB's built-in data roles.
pub fn is_cosmos_built_in(guid: &str) -> bool {
    COSMOS_BUILT_IN
        .iter()
        .any(|(g, _, _)| g.eq_ignore_ascii_case(guid))
}

/// The parent resource of a child resource ID (`.../accounts/a/deployments/d` gives
/// `.../accounts/a`).
fn parent_of(id: &str) -> &str {
    let mut cut = id;
    for _ in 0..2 {
        cut = cut.rsplit_once('/').map_or(cut, |(p, _)| p);
    }
    cut
}

fn lower(s: &str) -> String {
    s.to_ascii_lowercase()
}

/// Checks of a PUT (not applied when seeding).
pub fn check_put(
    st: &State,
    full_type: &str,
    id: &str,
    body: &Map<String, Value>,
) -> Result<(), Resp> {
    if full_type.eq_ignore_ascii_case(DEPLOYMENTS) {
        deployment_conflict(st, id)?;
        return deployment_quota(st, id, body);
    }
    if full_type.eq_ignore_ascii_case(SQL_ROLE_ASSIGNMENTS) {
        return sql_role_assignment(st, id, body);
    }
    if full_type.eq_ignore_ascii_case(MANAGED_ENVIRONMENTS) {
        return managed_environment(st, body);
    }
    if full_type.eq_ignore_ascii_case(ACCOUNT_CAPABILITY_HOSTS)
        || full_type.eq_ignore_ascii_case(PROJECT_CAPABILITY_HOSTS)
    {
        return capability_host(st, full_type, id, body);
    }
    Ok(())
}

const ACCOUNTS: &str = "Microsoft.CognitiveServices/accounts";
const ACCOUNT_CAPABILITY_HOSTS: &str = "Microsoft.CognitiveServices/accounts/capabilityHosts";
const PROJECT_CAPABILITY_HOSTS: &str =
    "Microsoft.CognitiveServices/accounts/projects/capabilityHosts";
/// The name suffix of the capability host the resource provider adds to an account with
/// agent network injection.
pub const AZURE_CAPABILITY_HOST_SUFFIX: &str = "@aml_aiagentservice";

/// One capability host per account and per project (a second name is 409 `Conflict`, in
/// the words Microsoft documents), and no update of one (the documentation: delete and
/// re-create it; the emulator's 409 `Conflict` wording is its own). A PUT of the same
/// properties again is accepted.
fn capability_host(
    st: &State,
    full_type: &str,
    id: &str,
    body: &Map<String, Value>,
) -> Result<(), Resp> {
    let scope = parent_of(id);
    let name = id.rsplit('/').next().unwrap_or_default();
    if let Some(other) = st
        .store
        .children(scope, full_type)
        .into_iter()
        .find(|c| !c.id.eq_ignore_ascii_case(id))
    {
        let state = other
            .body
            .pointer("/properties/provisioningState")
            .and_then(Value::as_str)
            .unwrap_or("Succeeded");
        return Err(arm_error(
            StatusCode::CONFLICT,
            "Conflict",
            format!(
                "There is an existing Capability Host with name: {}, provisioning state: {state} for workspace: {scope}, cannot create a new Capability Host with name: {name} for the same ClientId.",
                other.id.rsplit('/').next().unwrap_or_default()
            ),
        ));
    }
    if let Some(existing) = st.store.get(id) {
        let before = existing.body.get("properties");
        let changed = body
            .get("properties")
            .and_then(Value::as_object)
            .is_some_and(|props| {
                props.iter().any(|(k, v)| {
                    k != "provisioningState" && before.and_then(|b| b.get(k)) != Some(v)
                })
            });
        if changed {
            return Err(arm_error(
                StatusCode::CONFLICT,
                "Conflict",
                format!(
                    "Updating Capability Host {name} is not supported: delete it and create it again with the new configuration."
                ),
            ));
        }
    }
    Ok(())
}

/// After an account is stored with agent network injection (`networkInjections` with
/// scenario `agent`): the account capability host the resource provider adds,
/// `{account}@aml_aiagentservice`, unless the account has one.
pub fn after_put(st: &mut State, full_type: &str, id: &str) {
    if !full_type.eq_ignore_ascii_case(ACCOUNTS) {
        return;
    }
    let Some(account) = st.store.get(id).cloned() else {
        return;
    };
    let subnet = account
        .body
        .pointer("/properties/networkInjections")
        .and_then(Value::as_array)
        .and_then(|ns| {
            ns.iter().find(|n| {
                n.get("scenario")
                    .and_then(Value::as_str)
                    .is_some_and(|s| s.eq_ignore_ascii_case("agent"))
            })
        })
        .and_then(|n| n.get("subnetArmId"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let Some(subnet) = subnet else {
        return;
    };
    if !st
        .store
        .children(&account.id, ACCOUNT_CAPABILITY_HOSTS)
        .is_empty()
    {
        return;
    }
    let name = format!(
        "{}{AZURE_CAPABILITY_HOST_SUFFIX}",
        account.id.rsplit('/').next().unwrap_or_default()
    );
    let host = format!("{}/capabilityHosts/{name}", account.id);
    st.put_provider_made(
        &host,
        &account.id,
        ACCOUNT_CAPABILITY_HOSTS,
        json!({
            "properties": {
                "capabilityHostKind": "Agents",
                "customerSubnet": subnet,
                "provisioningState": "Succeeded",
            },
        }),
    );
}

const MANAGED_ENVIRONMENTS: &str = "Microsoft.App/managedEnvironments";
use crate::arm::types::SUBNET;
const APP_ENVIRONMENTS: &str = "Microsoft.App/environments";

fn aca_invalid(code: &str, detail: &str) -> Resp {
    arm_error(
        StatusCode::BAD_REQUEST,
        code,
        format!("The environment network configuration is invalid: {detail}"),
    )
}

/// The prefix length of a subnet body's first address prefix.
fn prefix_len(subnet: &Value) -> Option<u8> {
    let p = subnet
        .pointer("/properties/addressPrefix")
        .and_then(Value::as_str)
        .or_else(|| {
            subnet
                .pointer("/properties/addressPrefixes/0")
                .and_then(Value::as_str)
        })?;
    p.rsplit_once('/')?.1.parse().ok()
}

/// A managed environment in a vNet: its infrastructure subnet exists; with workload profiles
/// it is delegated to `Microsoft.App/environments` and at least /27, consumption only needs
/// /23 (Container Apps networking docs; the codes and messages as users report them:
/// microsoft/azure-container-apps issues 425 and 1220, pulumi/pulumi-azure-native issue 3244,
/// MicrosoftDocs/azure-docs pull request 119379).
fn managed_environment(st: &State, body: &Map<String, Value>) -> Result<(), Resp> {
    let Some(subnet_id) = body
        .get("properties")
        .and_then(|p| p.pointer("/vnetConfiguration/infrastructureSubnetId"))
        .and_then(Value::as_str)
    else {
        return Ok(());
    };
    let Some(subnet) = st
        .store
        .get(subnet_id)
        .filter(|s| s.full_type.eq_ignore_ascii_case(SUBNET))
    else {
        return Err(aca_invalid(
            "ManagedEnvironmentInvalidNetworkConfiguration",
            "The subnet and its addressPrefix could not be found.",
        ));
    };
    let profiles = body
        .get("properties")
        .and_then(|p| p.get("workloadProfiles"))
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty());
    let len = prefix_len(&subnet.body).unwrap_or(32);
    if profiles {
        let delegated = subnet
            .body
            .pointer("/properties/delegations")
            .and_then(Value::as_array)
            .is_some_and(|ds| {
                ds.iter().any(|d| {
                    d.pointer("/properties/serviceName")
                        .and_then(Value::as_str)
                        .is_some_and(|n| n.eq_ignore_ascii_case(APP_ENVIRONMENTS))
                })
            });
        if !delegated {
            return Err(arm_error(
                StatusCode::BAD_REQUEST,
                "ManagedEnvironmentSubnetDelegationError",
                format!("The subnet of the environment must be delegated to the service '{APP_ENVIRONMENTS}'."),
            ));
        }
        if len > 27 {
            return Err(aca_invalid(
                "ManagedEnvironmentInvalidNetworkConfiguration",
                "Provided subnet must have a size of at least /27",
            ));
        }
    } else if len > 23 {
        return Err(aca_invalid(
            "ManagedEnvironmentInvalidNetworkConfiguration",
            "Provided subnet must have a size of at least /23",
        ));
    }
    Ok(())
}

/// The subnets a resource holds through a service association link: an account's
/// `networkInjections[].subnetArmId`, a capability host's `customerSubnet`, a managed
/// environment's `vnetConfiguration.infrastructureSubnetId`.
fn linked_subnets(r: &Stored) -> Vec<String> {
    let p = r.body.get("properties");
    let mut out = Vec::new();
    if let Some(ns) = p
        .and_then(|p| p.get("networkInjections"))
        .and_then(Value::as_array)
    {
        out.extend(
            ns.iter()
                .filter_map(|n| n.get("subnetArmId").and_then(Value::as_str))
                .map(String::from),
        );
    }
    for ptr in [
        "/customerSubnet",
        "/vnetConfiguration/infrastructureSubnetId",
    ] {
        if let Some(s) = p.and_then(|p| p.pointer(ptr)).and_then(Value::as_str) {
            out.push(s.to_string());
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

/// The holders of `subnet_id`'s service association links: live resources, then links
/// still lingering after their holder was deleted.
pub fn link_holders(st: &State, subnet_id: &str) -> Vec<String> {
    let k = lower(subnet_id);
    let mut out: Vec<String> = st
        .store
        .filter(|r| linked_subnets(r).iter().any(|s| lower(s) == k))
        .into_iter()
        .map(|r| r.id.clone())
        .collect();
    let now = st.now_ms();
    for l in &st.lingering_links {
        if l.subnet_key == k && l.until_ms > now && !out.contains(&l.holder) {
            out.push(l.holder.clone());
        }
    }
    out
}

/// The subnet's `serviceAssociationLinks` as a GET shows them.
pub fn link_bodies(st: &State, subnet_id: &str) -> Vec<Value> {
    link_holders(st, subnet_id)
        .into_iter()
        .enumerate()
        .map(|(i, holder)| {
            let name = if i == 0 {
                "legionservicelink".to_string()
            } else {
                format!("legionservicelink{i}")
            };
            json!({
                "id": format!("{subnet_id}/serviceAssociationLinks/{name}"),
                "name": name,
                "type": "Microsoft.Network/virtualNetworks/subnets/serviceAssociationLinks",
                "properties": {
                    "linkedResourceType": APP_ENVIRONMENTS,
                    "link": holder,
                    "provisioningState": "Succeeded",
                },
            })
        })
        .collect()
}

/// Removed holders leave their links behind for the release delay; expired links go.
pub fn release_links(st: &mut State, removed: &[Stored]) {
    let now = st.now_ms();
    let until = now.saturating_add(
        i64::try_from(st.settings.service_association_link_release_ms).unwrap_or(i64::MAX),
    );
    st.lingering_links.retain(|l| l.until_ms > now);
    for r in removed {
        for s in linked_subnets(r) {
            st.lingering_links.push(Lingering {
                subnet_key: lower(&s),
                holder: r.id.clone(),
                until_ms: until,
            });
        }
    }
}

/// Checks of a DELETE of an existing resource.
pub fn check_delete(st: &State, full_type: &str, id: &str) -> Result<(), Resp> {
    if full_type.eq_ignore_ascii_case(DEPLOYMENTS) {
        return deployment_conflict(st, id);
    }
    Ok(())
}

/// 409 `RequestConflict` while another deployment operation of the same account runs.
fn deployment_conflict(st: &State, id: &str) -> Result<(), Resp> {
    let account = parent_of(id);
    let prefix = format!("{}/deployments/", lower(account));
    let busy = st.ops.values().any(|o| {
        !o.completed
            && matches!(o.kind, OpKind::Put | OpKind::Delete)
            && lower(&o.target_id).starts_with(&prefix)
    });
    if !busy {
        return Ok(());
    }
    Err(arm_error(
        StatusCode::CONFLICT,
        "RequestConflict",
        format!("Another operation is being performed on the parent resource '{account}'. Please try again later."),
    ))
}

fn capacity_of(body: &Value) -> u64 {
    body.pointer("/sku/capacity")
        .and_then(Value::as_u64)
        .unwrap_or(1)
}

fn quota_key(body: &Value) -> (String, String) {
    let model = body
        .pointer("/properties/model/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let sku = body
        .pointer("/sku/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    (lower(model), lower(sku))
}

fn region_of(st: &State, account_id: &str) -> String {
    st.store
        .get(account_id)
        .and_then(|a| a.body.get("location").and_then(Value::as_str))
        .map(lower)
        .unwrap_or_default()
}

/// 400 `InsufficientQuota` when the deployments of (subscription, region, model, SKU) would
/// hold more than `Settings::deployment_quota`.
fn deployment_quota(st: &State, id: &str, body: &Map<String, Value>) -> Result<(), Resp> {
    let body = Value::Object(body.clone());
    let wanted = capacity_of(&body);
    let key = quota_key(&body);
    let account = parent_of(id);
    let region = region_of(st, account);
    let subscription = lower(id.split('/').nth(2).unwrap_or_default());
    let used: u64 = st
        .store
        .filter(|r| {
            r.full_type.eq_ignore_ascii_case(DEPLOYMENTS)
                && !r.id.eq_ignore_ascii_case(id)
                && lower(r.id.split('/').nth(2).unwrap_or_default()) == subscription
                && region_of(st, parent_of(&r.id)) == region
                && quota_key(&r.body) == key
        })
        .iter()
        .map(|r| capacity_of(&r.body))
        .sum();
    let limit = st.settings.deployment_quota;
    if used.saturating_add(wanted) <= limit {
        return Ok(());
    }
    let model = body
        .pointer("/properties/model/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let sku = body
        .pointer("/sku/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let quota = format!("Tokens Per Minute (thousands) - {model} - {sku}");
    let available = limit.saturating_sub(used);
    Err(arm_error(
        StatusCode::BAD_REQUEST,
        "InsufficientQuota",
        format!("This operation require {wanted} new capacity in quota {quota}, which is bigger than the current available capacity {available}. The current quota usage is {used} and the quota limit is {limit} for quota {quota}."),
    ))
}

fn bad(message: String) -> Resp {
    arm_error(StatusCode::BAD_REQUEST, "BadRequest", message)
}

/// A data-plane role assignment: role definition of this account, scope inside it, GUID principal.
fn sql_role_assignment(st: &State, id: &str, body: &Map<String, Value>) -> Result<(), Resp> {
    let account = parent_of(id);
    let props = body.get("properties").cloned().unwrap_or(json!({}));
    let principal = props
        .get("principalId")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !util::is_guid(principal) {
        return Err(bad(format!(
            "The provided principal ID [{principal}] is not a valid GUID."
        )));
    }
    let role = props
        .get("roleDefinitionId")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let prefix = format!("{}/sqlroledefinitions/", lower(account));
    let role_ok = lower(role).strip_prefix(&prefix).is_some_and(|guid| {
        !guid.contains('/')
            && (is_cosmos_built_in(guid)
                || st
                    .store
                    .get(role)
                    .is_some_and(|r| r.full_type.eq_ignore_ascii_case(SQL_ROLE_DEFINITIONS)))
    });
    if !role_ok {
        return Err(bad(format!(
            "The provided Role Definition ID [{role}] is not a SQL role definition of the database account [{account}]."
        )));
    }
    let scope = props
        .get("scope")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let inside =
        lower(scope) == lower(account) || lower(scope).starts_with(&format!("{}/", lower(account)));
    if !inside {
        return Err(bad(format!(
            "The provided scope [{scope}] is not within the database account [{account}]."
        )));
    }
    Ok(())
}

/// A built-in SQL role definition of `account_id` as `GET .../sqlRoleDefinitions/{guid}` answers it.
pub fn built_in_definition(account_id: &str, guid: &str) -> Option<Value> {
    let (g, name, actions) = COSMOS_BUILT_IN
        .iter()
        .find(|(g, _, _)| g.eq_ignore_ascii_case(guid))?;
    Some(json!({
        "id": format!("{account_id}/sqlRoleDefinitions/{g}"),
        "name": g,
        "type": SQL_ROLE_DEFINITIONS,
        "properties": {
            "roleName": name,
            "type": "BuiltInRole",
            "assignableScopes": [account_id],
            "permissions": [{"dataActions": actions, "notDataActions": []}],
        },
    }))
}

/// The built-in SQL role definition stored nowhere but answered for `id`, if it is one.
pub fn built_in_definition_at(full_type: &str, id: &str) -> Option<Value> {
    if !full_type.eq_ignore_ascii_case(SQL_ROLE_DEFINITIONS) {
        return None;
    }
    let (account, guid) = id.rsplit_once("/sqlRoleDefinitions/").or_else(|| {
        let i = lower(id).rfind("/sqlroledefinitions/")?;
        Some((&id[..i], &id[i + "/sqlRoleDefinitions/".len()..]))
    })?;
    built_in_definition(account, guid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_and_built_ins() {
        assert_eq!(
            parent_of("/s/x/providers/M/accounts/a/deployments/d"),
            "/s/x/providers/M/accounts/a"
        );
        assert!(is_cosmos_built_in("00000000-0000-0000-0000-000000000002"));
        assert!(!is_cosmos_built_in("00000000-0000-0000-0000-000000000003"));
        let d = built_in_definition("/acc", "00000000-0000-0000-0000-000000000001");
        assert_eq!(
            d.and_then(|d| d["properties"]["roleName"].as_str().map(String::from)),
            Some("Cosmos DB Built-in Data Reader".to_string())
        );
    }
}
