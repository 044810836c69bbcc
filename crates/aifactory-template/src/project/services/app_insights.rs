//! Application Insights, workspace-based on the common Log Analytics workspace. Its
//! ingestion and query endpoints stay public: they can only be made private with an Azure
//! Monitor Private Link Scope, which belongs to the common part. Must not: keep its own
//! data store (classic mode).

use serde_json::{json, Value};

use super::{after_group, always, Ctx, Service, ServiceKey, SoftDelete};
use crate::naming::NameKind;
use crate::project::api_type::ApiType;

pub const API: ApiType = ApiType {
    resource_type: "Microsoft.Insights/components",
    api_version: "2020-02-02",
    lro: false,
    spec: "applicationinsights/resource-manager/Microsoft.Insights/stable/2020-02-02/components_API.json",
};

pub const SERVICE: Service = Service {
    key: ServiceKey::AppInsights,
    api: API,
    delete_lro: false,
    name_kind: NameKind::AppInsights,
    private_link_groups: &[],
    soft_delete: SoftDelete::None,
    write_only: &[],
    subnets: &[],
    // Its telemetry already lands in the common workspace.
    diagnostics: None,
    grants: &[],
    summary: "always (workspace-based on the common Log Analytics workspace)",
    enabled: always,
    depends_on: after_group,
    body,
    parent: None,
    own_name: None,
};

fn body(x: &Ctx) -> Value {
    json!({
        "location": x.location(),
        "tags": x.tags(),
        "kind": "web",
        "properties": {
            "Application_Type": "web",
            "WorkspaceResourceId": x.c.log_analytics_id,
            "IngestionMode": "LogAnalytics",
            "publicNetworkAccessForIngestion": "Enabled",
            "publicNetworkAccessForQuery": "Enabled",
        },
    })
}
