//! Managed identities as Azure hands them out: a user-assigned identity
//! (`Microsoft.ManagedIdentity/userAssignedIdentities`) gets `principalId`, `clientId` and
//! `tenantId`, and so does any resource whose `identity.type` includes `SystemAssigned`;
//! the principal is registered in the directory (a service principal), so role
//! assignments to it behave as in Azure. IDs are derived from the resource ID, so a
//! re-created identity keeps them only if Azure would (it does not: a new object each time
//! a deleted identity comes back is modelled by the creation time in the seed).
//!
//! Must not touch: other properties of the body.

use serde_json::{json, Value};

use crate::seed::PrincipalKind;
use crate::state::{Principal, State};
use crate::util;

const UAMI: &str = "Microsoft.ManagedIdentity/userAssignedIdentities";

fn register(st: &mut State, tenant: &str, object_id: &str, client_id: &str, resource_id: &str) {
    if st
        .directory
        .principals
        .iter()
        .any(|p| p.object_id.eq_ignore_ascii_case(object_id))
    {
        return;
    }
    st.directory.principals.push(Principal {
        kind: PrincipalKind::ManagedIdentity,
        tenant: tenant.to_string(),
        object_id: object_id.to_string(),
        client_id: Some(client_id.to_string()),
        display_name: resource_id.rsplit('/').next().map(str::to_string),
        user_principal_name: None,
        secrets: Vec::new(),
        federated_credentials: Vec::new(),
        certificates: Vec::new(),
        resource_id: Some(resource_id.to_string()),
        new_until_ms: None,
    });
}

/// Fill in identity IDs on a resource body about to be stored. `created_ms` distinguishes
/// incarnations: Azure gives a re-created identity a new principal.
pub fn decorate(
    st: &mut State,
    full_type: &str,
    id: &str,
    subscription: &str,
    created_ms: i64,
    body: &mut Value,
) {
    let tenant = st
        .directory
        .subscription(subscription)
        .map(|s| s.tenant.clone())
        .unwrap_or_default();
    let incarnation = format!("{}|{created_ms}", id.to_ascii_lowercase());
    if full_type.eq_ignore_ascii_case(UAMI) {
        let props = body
            .as_object_mut()
            .map(|m| m.entry("properties").or_insert_with(|| json!({})));
        if let Some(Value::Object(p)) = props {
            let principal = p
                .get("principalId")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| util::guid_from(&format!("principal|{incarnation}")));
            let client = p
                .get("clientId")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| util::guid_from(&format!("client|{incarnation}")));
            p.insert("principalId".into(), json!(principal));
            p.insert("clientId".into(), json!(client));
            p.insert("tenantId".into(), json!(tenant));
            register(st, &tenant, &principal, &client, id);
        }
    }
    let system = body
        .pointer("/identity/type")
        .and_then(Value::as_str)
        .is_some_and(|t| t.to_ascii_lowercase().contains("systemassigned"));
    if system {
        let principal = body
            .pointer("/identity/principalId")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| util::guid_from(&format!("system|{incarnation}")));
        if let Some(Value::Object(identity)) = body.get_mut("identity") {
            identity.insert("principalId".into(), json!(principal));
            identity.insert("tenantId".into(), json!(tenant));
        }
        let client = util::guid_from(&format!("system-client|{incarnation}"));
        register(st, &tenant, &principal, &client, id);
    }
}
