//! Azure Databricks: premium (required for private link and no-public-IP), injected into
//! the project's two delegated subnets; private mode disables public network access with
//! `requiredNsgRules: NoAzureDatabricksRules` (back-end private link through the
//! `databricks_ui_api` endpoint). Must not: create its managed resource group itself
//! (Azure does, under the name given).

use serde_json::{json, Value};

use super::{after_group, Ctx, DiagnosticLogs, Service, ServiceKey, SoftDelete, SubnetNeed};
use crate::naming::NameKind;
use crate::project::api_type::ApiType;

pub const API: ApiType = ApiType {
    resource_type: "Microsoft.Databricks/workspaces",
    api_version: "2024-05-01",
    lro: true,
    spec: "databricks/resource-manager/Microsoft.Databricks/stable/2024-05-01/databricks.json",
};

pub const SERVICE: Service = Service {
    key: ServiceKey::Databricks,
    api: API,
    delete_lro: true,
    name_kind: NameKind::Databricks,
    private_link_groups: &["databricks_ui_api"],
    soft_delete: SoftDelete::None,
    write_only: &[],
    // VNet injection: two subnets delegated to Microsoft.Databricks/workspaces
    // (learn.microsoft.com/azure/databricks/security/network/classic/vnet-inject).
    subnets: &[
        SubnetNeed {
            purpose: "dbx_public",
            needed_for: "Databricks VNet injection (services.databricks)",
            delegation: Some("Microsoft.Databricks/workspaces"),
            ranges: &[],
            max_prefix_length: Some(26),
            private_only: false,
            needed: |_| true,
            source: "learn.microsoft.com/azure/databricks/security/network/classic/vnet-inject (/26 or larger)",
        },
        SubnetNeed {
            purpose: "dbx_private",
            needed_for: "Databricks VNet injection (services.databricks)",
            delegation: Some("Microsoft.Databricks/workspaces"),
            ranges: &[],
            max_prefix_length: Some(26),
            private_only: false,
            needed: |_| true,
            source: "learn.microsoft.com/azure/databricks/security/network/classic/vnet-inject (/26 or larger)",
        },
    ],
    // Databricks exports logs, no metrics.
    diagnostics: Some(DiagnosticLogs {
        category_groups: &["allLogs"],
        metrics: false,
    }),
    grants: &[],
    summary: "services.databricks (premium, VNet-injected)",
    enabled: |l| l.databricks,
    depends_on: after_group,
    body,
    parent: None,
    own_name: None,
};

fn body(x: &Ctx) -> Value {
    let n = &x.c.names;
    let managed_rg = crate::project::ids::resource_group_id(
        &x.spec.subscription_id,
        &n.databricks_managed_resource_group,
    );
    let (vnet, public, private) =
        x.c.dbx
            .as_ref()
            .map(|d| {
                (
                    d.vnet_id.as_str(),
                    d.public_subnet.as_str(),
                    d.private_subnet.as_str(),
                )
            })
            .unwrap_or_default();
    json!({
        "location": x.location(),
        "tags": x.tags(),
        "sku": { "name": "premium" },
        "properties": {
            "managedResourceGroupId": managed_rg,
            "parameters": {
                "customVirtualNetworkId": { "value": vnet },
                "customPublicSubnetName": { "value": public },
                "customPrivateSubnetName": { "value": private },
                "enableNoPublicIp": { "value": true },
            },
            "publicNetworkAccess": x.public_access(),
            "requiredNsgRules": if x.private() { "NoAzureDatabricksRules" } else { "AllRules" },
        },
    })
}
