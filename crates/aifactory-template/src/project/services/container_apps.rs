//! A Container Apps environment (`services.container_apps`): internal (no public IP, an
//! internal load balancer only), with workload profiles (Consumption), injected into the
//! project's `aca` subnet; zone-redundant in prod. Must not: get a public endpoint.

use serde_json::{json, Value};

use super::{after_group, Ctx, DiagnosticLogs, Service, ServiceKey, SoftDelete, SubnetNeed};
use crate::naming::NameKind;
use crate::project::api_type::ApiType;

pub const API: ApiType = ApiType {
    resource_type: "Microsoft.App/managedEnvironments",
    api_version: "2026-01-01",
    lro: true,
    spec: "app/resource-manager/Microsoft.App/ContainerApps/stable/2026-01-01/ManagedEnvironments.json",
};

pub const SERVICE: Service = Service {
    key: ServiceKey::ContainerApps,
    api: API,
    // ManagedEnvironments_Delete is x-ms-long-running-operation.
    delete_lro: true,
    name_kind: NameKind::ContainerApps,
    // An internal environment is reached through its own VNet integration, not a private
    // endpoint.
    private_link_groups: &[],
    soft_delete: SoftDelete::None,
    write_only: &[],
    // Workload-profiles environments need a subnet delegated to Microsoft.App/environments,
    // /27 or larger (consumption-only ones /23): learn.microsoft.com/azure/container-apps/
    // networking ("Subnet"), and ESML's users' reports (esml.md). ESML sizes it /23.
    subnets: &[SubnetNeed {
        purpose: "aca",
        needed_for: "the Container Apps environment (services.container_apps)",
        delegation: Some("Microsoft.App/environments"),
        ranges: &[],
        max_prefix_length: Some(27),
        private_only: false,
        needed: |_| true,
        source: "learn.microsoft.com/azure/container-apps/networking (workload profiles: /27 or larger, delegated)",
    }],
    diagnostics: Some(DiagnosticLogs {
        category_groups: &["allLogs"],
        metrics: true,
    }),
    grants: &[],
    summary: "services.container_apps (internal, workload profiles, in subnet_ids.aca)",
    enabled: |l| l.container_apps,
    depends_on: after_group,
    body,
    parent: None,
    own_name: None,
};

fn body(x: &Ctx) -> Value {
    json!({
        "location": x.location(),
        "tags": x.tags(),
        "properties": {
            "vnetConfiguration": {
                "infrastructureSubnetId": x.c.aca_subnet_id.clone().unwrap_or_default(),
                "internal": true,
            },
            "workloadProfiles": [{ "name": "Consumption", "workloadProfileType": "Consumption" }],
            "zoneRedundant": x.prod(),
            "publicNetworkAccess": "Disabled",
        },
    })
}
