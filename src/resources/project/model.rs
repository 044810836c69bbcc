//! The `resources` map (one record per Azure object the project owns, typed as a model),
//! private state, and the translation between the core's [`DesiredProject`] and both.
//!
//! Must not: talk to Azure, read the rest of the configuration.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::framework::{AttrPath, FromValue, ModelError, Tf, ToValue, Value};
use aifactory_azure::{AclEntry, AclKey, AclType, Perms as AzPerms};
use aifactory_template::project::{
    api, AclKind, AclScope, DesiredAclEntry, DesiredDatalake, DesiredProject,
    DesiredRoleAssignment, Perms, SQL_ROLE_ASSIGNMENT_TYPE,
};

/// The DFS REST version ACL and directory records are written with.
pub const DFS_API: &str = aifactory_azure::dfs::DFS_VERSION;
/// `type` of an ACL entry record.
pub const ACL_TYPE: &str = "dfs/acl";
/// `type` of the project directory record.
pub const DIRECTORY_TYPE: &str = "dfs/directory";
/// Key of the project directory record.
pub const DIRECTORY_KEY: &str = "datalake_directory";

/// One object of the `resources` map. `None` = not known yet (plan).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    #[serde(rename = "type")]
    pub ty: String,
    pub name: Option<String>,
    pub id: Option<String>,
    pub api_version: String,
}

pub type Records = BTreeMap<String, Record>;

crate::model! {
    /// One object of `resources` as Terraform holds it (`name` and `id` unknown until
    /// the new identity exists).
    struct RecordModel {
        r#type: String,
        name: Tf<String>,
        id: Tf<String>,
        api_version: String,
    }
}

fn unknown_if_none(v: &Option<String>) -> Tf<String> {
    v.clone().map_or(Tf::Unknown, Tf::Known)
}

impl FromValue for Record {
    fn from_value(v: &Value, path: &AttrPath) -> Result<Self, ModelError> {
        let m = RecordModel::from_value(v, path)?;
        Ok(Record {
            ty: m.r#type,
            name: m.name.into_known(),
            id: m.id.into_known(),
            api_version: m.api_version,
        })
    }
}

impl ToValue for Record {
    fn to_value(&self) -> Value {
        RecordModel {
            r#type: self.ty.clone(),
            name: unknown_if_none(&self.name),
            id: unknown_if_none(&self.id),
            api_version: self.api_version.clone(),
        }
        .to_value()
    }
}

impl Record {
    pub fn is_acl(&self) -> bool {
        self.ty == ACL_TYPE
    }
    pub fn is_role(&self) -> bool {
        self.ty
            .eq_ignore_ascii_case(api::ROLE_ASSIGNMENT.resource_type)
            || self.ty.eq_ignore_ascii_case(SQL_ROLE_ASSIGNMENT_TYPE)
    }
    pub fn is_directory(&self) -> bool {
        self.ty == DIRECTORY_TYPE
    }
    pub fn is_arm_resource(&self) -> bool {
        !self.is_acl() && !self.is_role() && !self.is_directory()
    }
}

/// `default:user:<oid>` style key of an entry (no permissions).
pub fn ace_key(e: &DesiredAclEntry) -> Option<String> {
    Some(azure_entry(e)?.key.to_string())
}

/// The entry as the DFS client's type; `None` while the principal is unknown.
pub fn azure_entry(e: &DesiredAclEntry) -> Option<AclEntry> {
    let kind = match e.kind {
        AclKind::User => AclType::User,
        AclKind::Group => AclType::Group,
        AclKind::Mask => AclType::Mask,
        AclKind::Other => AclType::Other,
    };
    let id = match e.kind {
        AclKind::Mask | AclKind::Other => String::new(),
        _ => e.principal_id.clone()?,
    };
    Some(AclEntry::new(
        e.scope == AclScope::Default,
        kind,
        id,
        az_perms(e.perms),
    ))
}

pub fn az_perms(p: Perms) -> AzPerms {
    AzPerms {
        read: p.read,
        write: p.write,
        execute: p.execute,
    }
}

/// The DFS path of an entry (`/` is the filesystem root).
pub fn dfs_path(path: &str) -> &str {
    path.trim_matches('/')
}

/// `https://{account}.dfs.../{fs}[/{path}]`.
pub fn path_url(lake: &DesiredDatalake, path: &str) -> String {
    let p = dfs_path(path);
    if p.is_empty() {
        format!("{}/{}", lake.dfs_endpoint, lake.filesystem)
    } else {
        format!("{}/{}/{p}", lake.dfs_endpoint, lake.filesystem)
    }
}

/// The parsed key of an ACL record's id (`...#default:user:<oid>`).
pub fn acl_key_of_id(id: &str) -> Option<AclKey> {
    let (_, key) = id.rsplit_once('#')?;
    // A key is an entry without permissions; parse it through the entry grammar.
    let entry: AclEntry = format!("{key}:---").parse().ok()?;
    Some(entry.key)
}

/// The DFS path (relative, `""` = root) of an ACL or directory record's id.
pub fn path_of_id(lake: &DesiredDatalake, id: &str) -> Option<String> {
    let base = format!("{}/{}", lake.dfs_endpoint, lake.filesystem);
    let rest = id.split('#').next()?.strip_prefix(&base)?;
    Some(rest.trim_matches('/').to_string())
}

/// Every object of a desired project as a record, by key.
/// The record type of a role assignment: ARM's, or Cosmos DB's data-plane one.
pub fn role_type(ra: &DesiredRoleAssignment) -> &'static str {
    if ra.data_plane {
        SQL_ROLE_ASSIGNMENT_TYPE
    } else {
        api::ROLE_ASSIGNMENT.resource_type
    }
}

pub fn desired_records(d: &DesiredProject) -> Records {
    let mut out = Records::new();
    for r in &d.resources {
        out.insert(
            r.key.clone(),
            Record {
                ty: r.resource_type.clone(),
                name: Some(r.name.clone()),
                id: Some(r.id.clone()),
                api_version: r.api_version.clone(),
            },
        );
    }
    for ra in &d.role_assignments {
        out.insert(
            ra.key.clone(),
            Record {
                ty: role_type(ra).to_string(),
                name: ra.name.clone(),
                id: ra.id.clone(),
                api_version: ra.api_version.clone(),
            },
        );
    }
    if let Some(lake) = &d.datalake {
        for e in &d.acl {
            out.insert(
                e.key.clone(),
                Record {
                    ty: ACL_TYPE.to_string(),
                    name: e.ace(),
                    id: ace_key(e).map(|k| format!("{}#{k}", path_url(lake, &e.path))),
                    api_version: DFS_API.to_string(),
                },
            );
        }
        if let Some(path) = &d.datalake_path {
            out.insert(
                DIRECTORY_KEY.to_string(),
                Record {
                    ty: DIRECTORY_TYPE.to_string(),
                    name: Some(path.clone()),
                    id: Some(path_url(lake, path)),
                    api_version: DFS_API.to_string(),
                },
            );
        }
    }
    out
}

/// What a plan without prior state planned, for the delete half of a replacement.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedCreate {
    pub resource_group_id: String,
    /// Key -> planned ID (`None` while unknown).
    pub ids: BTreeMap<String, Option<String>>,
}

/// Private state of a project.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Private {
    #[serde(default)]
    pub planned_create: Option<PlannedCreate>,
    /// Role assignments that existed under another name and were adopted: key -> actual ID.
    #[serde(default)]
    pub adopted: BTreeMap<String, String>,
}

impl Private {
    pub fn from_value(v: &Value) -> Private {
        v.as_str()
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default()
    }
    pub fn to_value(&self) -> Value {
        if self == &Private::default() {
            return Value::Null;
        }
        Value::String(serde_json::to_string(self).unwrap_or_default())
    }
}

/// Keys present in either map whose records differ in a known part.
pub fn changed_keys(a: &Records, b: &Records) -> BTreeSet<String> {
    a.keys()
        .chain(b.keys())
        .filter(|k| a.get(*k) != b.get(*k))
        .cloned()
        .collect()
}
