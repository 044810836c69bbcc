//! Live-mode refresh and import: re-read the vNet and record the owned subnets as they
//! are (deleted ones leave the state, changed prefixes and configured settings show as
//! drift, see [`drift`]); import `<vnet id>|<key>` adopts the subnets named
//! `snt-<key>-<purpose>`.
//!
//! Must not: write to Azure.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use crate::context::ProviderContext;
use crate::framework::{resource::StateResponse, AttrPath, Diagnostics, Tf, ToValue, Value};
use crate::resources::subnet_allocation::{
    drift,
    model::{AllocationModel, PrivateModel},
    shared::{check_network_id, name_prefix, IMPORT_SEPARATOR, IMPORT_USAGE},
};

use super::network;
use super::tracked::Tracked;
use super::vnet::{azure_diag, last_segment, parse_vnet, NETWORK_API, READ_TIMEOUT};

/// Refresh: the owned subnets as they are now.
pub(crate) async fn read(
    ctx: &ProviderContext,
    state: AllocationModel,
    private: Value,
) -> StateResponse {
    let mut diags = Diagnostics::new();
    let keep = |state: &AllocationModel, private: Value, diags| StateResponse {
        state: state.to_value(),
        private,
        diags,
    };
    let client = match ctx.azure() {
        Ok(c) => c,
        Err(d) => {
            diags.push(d);
            return keep(&state, private, diags);
        }
    };
    let rctx = ctx.request_ctx(READ_TIMEOUT);
    let vnet = match client
        .arm()
        .get_opt(&rctx, state.vnet_id(), NETWORK_API)
        .await
    {
        Ok(Some(j)) => parse_vnet(&j),
        Ok(None) => {
            // The vNet and every subnet in it are gone.
            return StateResponse::default();
        }
        Err(e) => {
            diags.push(azure_diag(
                AttrPath::attr("virtual_network_id"),
                "Reading the virtual network",
                &e,
            ));
            return keep(&state, private, diags);
        }
    };
    let before = Tracked::from_state(&state);
    let mut now = Tracked::default();
    let mut bodies: BTreeMap<String, &Json> = BTreeMap::new();
    for (p, id) in &before.ids {
        let Some(s) = vnet.subnet(last_segment(id)) else {
            continue;
        };
        let v4 = s.v4().or_else(|| before.v4.get(p).cloned());
        now.set(p, id, v4, s.v6());
        bodies.insert(p.clone(), &s.body);
    }
    // Settings changed behind Terraform's back: the actual values go into the request's
    // entry of `subnets`, so the next plan shows them changing back (in place).
    let mut state = state;
    if let Some((subnets, drifted)) = drift::with_actual_settings(&state.subnets, &bodies) {
        for (p, attr, actual) in &drifted {
            tracing::info!(
                purpose = %p,
                attribute = %attr,
                actual = %actual,
                "subnet setting changed outside Terraform"
            );
        }
        state.subnets = subnets;
    }
    // A subnet that lost the NSG or route table the allocation gave it.
    for (p, attr, actual) in network::association_drift(&state, &bodies) {
        tracing::info!(purpose = %p, attribute = attr, actual = %actual, "subnet association changed outside Terraform");
        if let Some(subnets) = drift::with_recorded(&state.subnets, &p, attr, &actual) {
            state.subnets = subnets;
        }
    }
    // The NSGs' rules and the route table as they are.
    match network::refresh_network(client, &rctx, &state).await {
        Ok(r) => {
            if let Some(rules) = r.rules {
                state.network_security_group_rules = Tf::Known(rules);
            }
            if r.route_table_gone {
                state.route_table_id = Tf::Null;
            }
        }
        Err((path, what, e)) => diags.push(azure_diag(path, &what, &e)),
    }
    let state = now.into_state(state, Some(vnet.address_space.clone()));
    keep(&state, private, diags)
}

/// `<vnet id>|<key>`: `Some` when the ID has that form (the key, or why it is invalid).
pub(crate) fn parse_import_id(id: &str) -> Option<(&str, Result<String, String>)> {
    if !id
        .get(..15)
        .is_some_and(|p| p.eq_ignore_ascii_case("/subscriptions/"))
    {
        return None;
    }
    let Some((vnet, key)) = id.rsplit_once(IMPORT_SEPARATOR) else {
        return Some((
            id,
            Err(format!("{id:?} has no `|` before the key. {IMPORT_USAGE}")),
        ));
    };
    if let Some(why) = check_network_id(vnet, "virtualNetworks") {
        return Some((vnet, Err(format!("{why} {IMPORT_USAGE}"))));
    }
    let key = key.trim();
    if key.is_empty() {
        return Some((
            vnet,
            Err(format!("The key after `|` is empty. {IMPORT_USAGE}")),
        ));
    }
    Some((vnet, Ok(key.to_string())))
}

/// Adopt the vNet's subnets named `snt-<key>-<purpose>`.
pub(crate) async fn import(ctx: &ProviderContext, vnet_id: &str, key: &str) -> StateResponse {
    let mut diags = Diagnostics::new();
    let fail = |diags: Diagnostics| StateResponse {
        state: Value::Null,
        private: Value::Null,
        diags,
    };
    let client = match ctx.azure() {
        Ok(c) => c,
        Err(d) => {
            diags.push(d);
            return fail(diags);
        }
    };
    let rctx = ctx.request_ctx(READ_TIMEOUT);
    let vnet = match client.arm().get_opt(&rctx, vnet_id, NETWORK_API).await {
        Ok(Some(j)) => parse_vnet(&j),
        Ok(None) => {
            diags.error(
                AttrPath::root(),
                "Cannot import from a virtual network that does not exist",
                format!("Azure has no {vnet_id}. Check the ID before `|`. {IMPORT_USAGE}"),
            );
            return fail(diags);
        }
        Err(e) => {
            diags.push(azure_diag(
                AttrPath::root(),
                "Reading the virtual network",
                &e,
            ));
            return fail(diags);
        }
    };
    let prefix = name_prefix(key).to_ascii_lowercase();
    let mut t = Tracked::default();
    for s in &vnet.subnets {
        let lower = s.name.to_ascii_lowercase();
        let Some(purpose) = lower.strip_prefix(&prefix).map(|_| &s.name[prefix.len()..]) else {
            continue;
        };
        if purpose.is_empty() {
            continue;
        }
        t.set(
            purpose,
            &format!("{vnet_id}/subnets/{}", s.name),
            s.v4(),
            s.v6(),
        );
    }
    if t.ids.is_empty() {
        let seen: Vec<&str> = vnet
            .subnets
            .iter()
            .map(|s| s.name.as_str())
            .take(20)
            .collect();
        diags.error(
            AttrPath::root(),
            format!("No subnet of key {key:?} in the virtual network"),
            format!(
                "Import by `<vnet id>|<key>` adopts the subnets named {}<purpose>, and {} has none (its subnets: {}). \
                 Check the key, or import with `KEY|NAME=CIDR,...` and let the first apply adopt subnets by their \
                 `name`.",
                name_prefix(key),
                last_segment(vnet_id),
                if seen.is_empty() { "none".to_string() } else { seen.join(", ") }
            ),
        );
        return fail(diags);
    }
    let private = PrivateModel::new(&t.v4, &t.v6, None).value();
    let base = AllocationModel {
        key: Tf::Known(key.into()),
        id: Tf::Known(key.into()),
        virtual_network_id: Tf::Known(vnet_id.into()),
        ..AllocationModel::default()
    };
    let state = t.into_state(base, Some(vnet.address_space.clone()));
    StateResponse {
        state: state.to_value(),
        private,
        diags,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_ids() {
        let vnet =
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v";
        assert_eq!(
            parse_import_id(&format!("{vnet}|prj001")).map(|(v, k)| (v.to_string(), k)),
            Some((vnet.to_string(), Ok("prj001".to_string())))
        );
        assert!(parse_import_id("prj001|genai=10.0.0.0/24").is_none());
        assert!(matches!(
            parse_import_id(&format!("{vnet}|")),
            Some((_, Err(_)))
        ));
        assert!(matches!(
            parse_import_id("/subscriptions/s/x|k"),
            Some((_, Err(_)))
        ));
    }
}
