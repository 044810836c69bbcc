//! Azure Data Factory, running as the project identity. It has no ARM IP rules: in
//! allowlist mode it stays publicly reachable, with Entra ID. Must not: use a
//! system-assigned identity.

use serde_json::{json, Value};

use super::{after_identity, Ctx, DiagnosticLogs, Service, ServiceKey, SoftDelete};
use crate::naming::NameKind;
use crate::project::api_type::ApiType;
use crate::project::rbac::{
    Grant, PrincipalClass::Member as M, ScopeKey, When, DATA_FACTORY_CONTRIBUTOR,
};

pub const API: ApiType = ApiType {
    resource_type: "Microsoft.DataFactory/factories",
    api_version: "2018-06-01",
    lro: false,
    spec: "datafactory/resource-manager/Microsoft.DataFactory/stable/2018-06-01/datafactory.json",
};

pub const SERVICE: Service = Service {
    key: ServiceKey::DataFactory,
    api: API,
    delete_lro: false,
    name_kind: NameKind::DataFactory,
    private_link_groups: &["dataFactory"],
    soft_delete: SoftDelete::None,
    write_only: &[],
    subnets: &[],
    diagnostics: Some(DiagnosticLogs {
        category_groups: &["allLogs"],
        metrics: true,
    }),
    grants: &[Grant::new(
        M,
        ScopeKey::DataFactory,
        DATA_FACTORY_CONTRIBUTOR,
        When::DataFactory,
        "author and run pipelines",
    )],
    summary: "services.data_factory",
    enabled: |l| l.data_factory,
    depends_on: after_identity,
    body,
    parent: None,
    own_name: None,
};

fn body(x: &Ctx) -> Value {
    json!({
        "location": x.location(),
        "tags": x.tags(),
        "identity": x.user_assigned(),
        "properties": { "publicNetworkAccess": x.public_access() },
    })
}
