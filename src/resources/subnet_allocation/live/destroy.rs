//! Deleting the subnets an allocation owns (destroy, and subnets a plan dropped), under
//! the vNet's write lock; a subnet still in use gives Azure's error plus the resources
//! holding it.
//!
//! Must not: delete a subnet the allocation does not own.

use serde_json::Value as Json;

use crate::context::ProviderContext;
use crate::framework::{resource::StateResponse, Diagnostic, Diagnostics, ToValue, Value};
use crate::resources::subnet_allocation::model::AllocationModel;
use aifactory_azure::{AzureClient, Ctx};

use super::coordination::lock_vnet;
use super::vnet::{
    azure_diag, last_segment, subnets_path, CHECK_TIMEOUT, NETWORK_API, OPERATION_TIMEOUT,
};

/// Resources that hold a subnet, from its GET.
fn holders(subnet: &Json) -> Vec<String> {
    let mut out = Vec::new();
    let props = subnet.get("properties");
    for (list, pointer) in [
        ("privateEndpoints", "/id"),
        ("ipConfigurations", "/id"),
        ("serviceAssociationLinks", "/properties/link"),
        ("resourceNavigationLinks", "/properties/link"),
    ] {
        if let Some(items) = props.and_then(|p| p.get(list)).and_then(Json::as_array) {
            for i in items {
                if let Some(id) = i.pointer(pointer).and_then(Json::as_str) {
                    if !out.iter().any(|x: &String| x.eq_ignore_ascii_case(id)) {
                        out.push(id.to_string());
                    }
                }
            }
        }
    }
    out
}

/// The holder Azure names in an `InUseSubnetCannotBeDeleted` message ("... is in use by X and ...").
fn holder_in_message(message: &str) -> Option<String> {
    let rest = message.split(" in use by ").nth(1)?;
    let id = rest.split_whitespace().next()?;
    Some(id.trim_end_matches(['.', ',']).to_string())
}

/// The AI factory projects whose resource groups hold `held` (by their ownership tag), as
/// a paragraph naming each and the import that brings it back under Terraform (a project
/// left untracked by a cut-off apply is the usual holder); empty when none is a project.
async fn holding_projects(client: &AzureClient, ctx: &Ctx, held: &[String]) -> String {
    use aifactory_template::project::{api, ids, TAG_PROJECT};
    let mut groups: Vec<String> = held
        .iter()
        .filter_map(|h| {
            let seg: Vec<&str> = h.split('/').collect();
            (seg.len() > 4
                && seg[1].eq_ignore_ascii_case("subscriptions")
                && seg[3].eq_ignore_ascii_case("resourceGroups"))
            .then(|| ids::resource_group_id(seg[2], seg[4]))
        })
        .collect();
    groups.sort_by_key(|g| g.to_ascii_lowercase());
    groups.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    let mut out = String::new();
    for rg in groups {
        let Ok(Some(j)) = client
            .arm()
            .get_opt(ctx, &rg, api::RESOURCE_GROUP.api_version)
            .await
        else {
            continue;
        };
        if let Some(project) = j
            .pointer(&format!("/tags/{TAG_PROJECT}"))
            .and_then(|v| v.as_str())
        {
            out.push_str(&format!(
                "\nThey belong to the AI factory project {project} (resource group {rg}). If no configuration \
                 manages it any more (an apply that was cut off), import it and destroy it first:\n\n  \
                 terraform import <aifactory_project address> '{rg}'\n"
            ));
        }
    }
    out
}

/// Delete one owned subnet (under the vNet's write lock).
pub(super) async fn delete_subnet(
    ctx: &ProviderContext,
    client: &AzureClient,
    rctx: &Ctx,
    vnet_id: &str,
    purpose: &str,
    id: &str,
) -> Result<(), Diagnostic> {
    let name = last_segment(id).to_string();
    let what = format!("Deleting subnet {name} (subnets[{purpose:?}])");
    let path = subnets_path(purpose);
    let _guard = lock_vnet(rctx, vnet_id)
        .await
        .map_err(|e| azure_diag(path.clone(), &what, &e))?;
    tracing::debug!(subnet = %id, "deleting subnet");
    match client.arm().delete(rctx, id, NETWORK_API).await {
        Ok(()) => Ok(()),
        Err(e) if e.code() == Some("InUseSubnetCannotBeDeleted") => {
            let check = ctx.request_ctx(CHECK_TIMEOUT);
            let mut held = match client.arm().get_opt(&check, id, NETWORK_API).await {
                Ok(Some(j)) => holders(&j),
                _ => Vec::new(),
            };
            if held.is_empty() {
                let message = e.api().map(|a| a.message.clone()).unwrap_or_default();
                held.extend(holder_in_message(&message));
            }
            let list = if held.is_empty() {
                "(Azure did not say which resources)".to_string()
            } else {
                held.iter()
                    .map(|h| format!("- {h}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            let projects = holding_projects(client, &check, &held).await;
            Err(Diagnostic::error(
                path,
                format!("Subnet {name} is in use and cannot be deleted"),
                format!(
                    "Azure refused to delete subnet {name} (subnets[{purpose:?}]) of virtual network {} \
                     (InUseSubnetCannotBeDeleted). It is held by:\n{list}\n{projects}\nDelete these resources, or move them \
                     to another subnet, then run terraform apply again.\n\n{}",
                    last_segment(vnet_id),
                    e.detail()
                ),
            ))
        }
        Err(e) => Err(azure_diag(path, &what, &e)),
    }
}

/// Delete every subnet the allocation owns.
pub(crate) async fn destroy(ctx: &ProviderContext, prior: &AllocationModel) -> StateResponse {
    let keep = |diags| StateResponse {
        state: prior.to_value(),
        private: Value::Null,
        diags,
    };
    let mut diags = Diagnostics::new();
    let client = match ctx.azure() {
        Ok(c) => c,
        Err(d) => {
            diags.push(d);
            return keep(diags);
        }
    };
    let vnet_id = prior.vnet_id();
    let rctx = ctx.request_ctx(OPERATION_TIMEOUT);
    for (p, id) in AllocationModel::map_of(&prior.subnet_ids) {
        if let Err(d) = delete_subnet(ctx, client, &rctx, vnet_id, &p, &id).await {
            diags.push(d);
        }
    }
    // The NSGs and route table go after the subnets that use them.
    if !diags.has_errors() {
        for d in super::network::destroy_network(client, &rctx, prior).await {
            diags.push(d);
        }
    }
    if diags.has_errors() {
        keep(diags)
    } else {
        StateResponse::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn in_use_messages_name_the_holders() {
        assert_eq!(
            holder_in_message("Subnet s is in use by /subscriptions/x/pe1.nic.1/ipConfigurations/c and cannot be deleted."),
            Some("/subscriptions/x/pe1.nic.1/ipConfigurations/c".to_string())
        );
        let held = holders(
            &json!({"properties": {"privateEndpoints": [{"id": "/pe1"}], "ipConfigurations": [{"id": "/nic/ip"}]}}),
        );
        assert_eq!(held, vec!["/pe1".to_string(), "/nic/ip".to_string()]);
    }
}
