//! What the template produces: the desired ARM resources, role assignments (with their
//! deterministic names) and data lake ACL entries of a project ([`DesiredProject`]). Plain
//! data plus small accessors; building it is `project::desired`, ordering it is
//! `project::graph`. Knows no Terraform values, no Azure and no I/O.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use serde_json::Value;

use crate::naming::{Environment, Guid, ProjectNames};

use super::cloud::Cloud;
use super::issue::Issue;
use super::spec::{PrincipalType, ProjectType};

/// One ARM resource to PUT.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DesiredResource {
    pub key: String,
    #[serde(rename = "type")]
    pub resource_type: String,
    pub api_version: String,
    pub id: String,
    pub name: String,
    /// The exact PUT body.
    pub body: Value,
    /// Keys of objects that must exist first.
    pub depends_on: Vec<String>,
    /// PUT runs as a long-running operation.
    pub lro: bool,
    /// Who makes it: the provider's PUT, or Azure as a side effect of another object.
    #[serde(skip_serializing_if = "Origin::is_put")]
    pub origin: Origin,
}

/// How a desired object comes to exist.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// The provider PUTs the body.
    #[default]
    Put,
    /// Azure makes it when another object is written (the capability host the Cognitive
    /// Services resource provider adds to an account with agent network injection): the
    /// provider waits for it and records it, never PUTs it (a second one would be refused),
    /// and deletes it like any other object.
    Azure,
}

impl Origin {
    pub fn is_put(&self) -> bool {
        *self == Origin::Put
    }
}

/// For the computed `resources` attribute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResourceSummary {
    #[serde(rename = "type")]
    pub resource_type: String,
    pub name: String,
    pub id: String,
    pub api_version: String,
}

/// Who a role assignment or ACL entry is for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PrincipalRef {
    Team {
        object_id: String,
        /// The persona it is listed in (`None`: `team.object_ids`).
        #[serde(skip_serializing_if = "Option::is_none")]
        persona: Option<PersonaRef>,
    },
    ServicePrincipal {
        object_id: String,
    },
    ProjectIdentity,
}

impl PrincipalRef {
    /// Key part: `team.<oid>`, `sp.<oid>`, `identity`.
    pub fn key_part(&self) -> String {
        match self {
            PrincipalRef::Team { object_id, .. } => format!("team.{object_id}"),
            PrincipalRef::ServicePrincipal { object_id } => format!("sp.{object_id}"),
            PrincipalRef::ProjectIdentity => "identity".to_string(),
        }
    }
    /// The object ID when known from configuration.
    pub fn object_id(&self) -> Option<&str> {
        match self {
            PrincipalRef::Team { object_id, .. } | PrincipalRef::ServicePrincipal { object_id } => {
                Some(object_id)
            }
            PrincipalRef::ProjectIdentity => None,
        }
    }
}

/// A persona a team principal is listed in, and its role set.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PersonaRef {
    pub name: String,
    pub role_set: super::spec::RoleSet,
}

/// One role assignment to PUT at `{scope}/providers/Microsoft.Authorization/roleAssignments/{name}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DesiredRoleAssignment {
    pub key: String,
    /// Full ARM ID of the scope.
    pub scope: String,
    pub role_name: String,
    pub role_definition_guid: String,
    /// `/subscriptions/{s}/providers/Microsoft.Authorization/roleDefinitions/{guid}`.
    pub role_definition_id: String,
    pub principal: PrincipalRef,
    /// `None` for the project identity until its principal ID is known.
    pub principal_id: Option<String>,
    pub principal_type: PrincipalType,
    /// Deterministic GUID from (scope, role, principal ID); `None` while the principal is.
    pub name: Option<String>,
    /// Full ID of the assignment; `None` while the name is.
    pub id: Option<String>,
    pub api_version: String,
    pub depends_on: Vec<String>,
    /// A Cosmos DB data-plane assignment (`{account}/sqlRoleAssignments/{name}`), not an
    /// ARM role assignment.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub data_plane: bool,
}

/// The ARM type of a Cosmos DB data-plane role assignment.
pub const SQL_ROLE_ASSIGNMENT_TYPE: &str =
    "Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments";

impl DesiredRoleAssignment {
    /// The assignment's ID for a name: ARM's under the scope, or the Cosmos DB account's
    /// `sqlRoleAssignments` for a data-plane role.
    pub fn id_for(&self, name: &str) -> String {
        if self.data_plane {
            format!("{}/sqlRoleAssignments/{name}", self.scope)
        } else {
            format!(
                "{}/providers/Microsoft.Authorization/roleAssignments/{name}",
                self.scope
            )
        }
    }

    /// `aifactory: <key>`, plus the persona and role set for a persona's principal (import
    /// reads them back).
    pub fn description(&self) -> String {
        match &self.principal {
            PrincipalRef::Team {
                persona: Some(p), ..
            } => format!(
                "aifactory: {} persona={} role_set={}",
                self.key,
                p.name,
                p.role_set.as_str()
            ),
            _ => format!("aifactory: {}", self.key),
        }
    }

    /// The PUT body (`RoleAssignmentCreateParameters`), once the principal is known.
    pub fn body(&self) -> Option<Value> {
        let principal_id = self.principal_id.as_ref()?;
        if self.data_plane {
            return Some(serde_json::json!({
                "properties": {
                    "roleDefinitionId": self.role_definition_id,
                    "scope": self.scope,
                    "principalId": principal_id,
                }
            }));
        }
        Some(serde_json::json!({
            "properties": {
                "roleDefinitionId": self.role_definition_id,
                "principalId": principal_id,
                "principalType": self.principal_type.as_str(),
                "description": self.description(),
            }
        }))
    }
}

/// `user`, `group` or `mask`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AclKind {
    User,
    Group,
    Mask,
    /// Everyone else (`other::`): the common part's traverse-only entries.
    Other,
}

/// Access or default ACL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AclScope {
    Access,
    Default,
}

/// `rwx` permissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Perms {
    pub read: bool,
    pub write: bool,
    pub execute: bool,
}

impl Perms {
    pub const RWX: Perms = Perms {
        read: true,
        write: true,
        execute: true,
    };
    pub const EXECUTE: Perms = Perms {
        read: false,
        write: false,
        execute: true,
    };
    pub const READ_EXECUTE: Perms = Perms {
        read: true,
        write: false,
        execute: true,
    };
}

impl fmt::Display for Perms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = |b: bool, ch: char| if b { ch } else { '-' };
        write!(
            f,
            "{}{}{}",
            c(self.read, 'r'),
            c(self.write, 'w'),
            c(self.execute, 'x')
        )
    }
}

impl Serialize for Perms {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// One desired ACL entry on a path of the common data lake filesystem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DesiredAclEntry {
    pub key: String,
    /// `/` (the filesystem root), `projects` or `projects/project001`.
    pub path: String,
    /// `None` for the mask.
    pub principal: Option<PrincipalRef>,
    /// `None` for the mask, and for the project identity until known.
    pub principal_id: Option<String>,
    pub kind: AclKind,
    pub scope: AclScope,
    pub perms: Perms,
    pub depends_on: Vec<String>,
}

impl DesiredAclEntry {
    /// The entry in `x-ms-acl` grammar (arm.md §5): `[default:]user:<oid>:rwx`,
    /// `[default:]mask::rwx`; `None` while the principal is unknown.
    pub fn ace(&self) -> Option<String> {
        let scope = match self.scope {
            AclScope::Access => "",
            AclScope::Default => "default:",
        };
        let kind = match self.kind {
            AclKind::User => "user",
            AclKind::Group => "group",
            AclKind::Mask => "mask",
            AclKind::Other => "other",
        };
        let id = match self.kind {
            AclKind::Mask | AclKind::Other => "",
            _ => self.principal_id.as_deref()?,
        };
        Some(format!("{scope}{kind}:{id}:{}", self.perms))
    }
}

/// The project's place in the common data lake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DesiredDatalake {
    pub account_id: String,
    pub account_name: String,
    pub filesystem: String,
    /// `https://{account}.dfs.core.windows.net` (per cloud).
    pub dfs_endpoint: String,
    /// Directories to create if missing, parents first.
    pub directories: Vec<String>,
    /// Paths whose entries are applied recursively (to what they already hold).
    pub recursive: Vec<String>,
    /// Keys of objects that must exist before the directories (the filesystem).
    pub depends_on: Vec<String>,
}

/// Everything a project should have in Azure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DesiredProject {
    /// `project001`.
    pub project_key: String,
    pub project_type: ProjectType,
    pub environment: Environment,
    pub cloud: Cloud,
    pub location: String,
    pub resource_group_id: String,
    pub resource_group_name: String,
    /// ARM ID of the project's user-assigned managed identity.
    pub identity_id: String,
    /// Tags put on every resource (user tags plus ownership tags).
    pub tags: BTreeMap<String, String>,
    pub names: ProjectNames,
    /// Sorted by key.
    pub resources: Vec<DesiredResource>,
    /// Sorted by key.
    pub role_assignments: Vec<DesiredRoleAssignment>,
    /// Sorted by key.
    pub acl: Vec<DesiredAclEntry>,
    pub datalake: Option<DesiredDatalake>,
    /// `projects/project001` when the data lake is configured.
    pub datalake_path: Option<String>,
    /// Non-fatal problems (warnings) found in the spec.
    #[serde(skip)]
    pub warnings: Vec<Issue>,
}

/// [`DesiredProject::resolve_identity`] was given something that is not a GUID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidPrincipalId(pub String);

impl fmt::Display for InvalidPrincipalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "principal ID {:?} is not a GUID", self.0)
    }
}

impl std::error::Error for InvalidPrincipalId {}

/// Namespace of role assignment names: `Guid::v5(NAMESPACE_URL, "urn:aifactory:role-assignment:v1")`.
pub fn role_assignment_namespace() -> Guid {
    Guid::v5(&Guid::NAMESPACE_URL, b"urn:aifactory:role-assignment:v1")
}

/// The deterministic role assignment name: RFC 4122 v5 UUID in
/// [`role_assignment_namespace`] of `lowercase(scope) + "|" + lowercase(role GUID) + "|" +
/// lowercase(principal ID)`. Lowercasing makes it immune to ARM's case games with IDs.
pub fn role_assignment_name(scope: &str, role_guid: &str, principal_id: &str) -> String {
    let text = format!(
        "{}|{}|{}",
        scope.to_ascii_lowercase(),
        role_guid.to_ascii_lowercase(),
        principal_id.to_ascii_lowercase()
    );
    Guid::v5(&role_assignment_namespace(), text.as_bytes()).to_string()
}

impl DesiredProject {
    /// For the computed `resources` attribute, by key.
    pub fn resource_summaries(&self) -> BTreeMap<String, ResourceSummary> {
        self.resources
            .iter()
            .map(|r| {
                (
                    r.key.clone(),
                    ResourceSummary {
                        resource_type: r.resource_type.clone(),
                        name: r.name.clone(),
                        id: r.id.clone(),
                        api_version: r.api_version.clone(),
                    },
                )
            })
            .collect()
    }

    /// Fill in the project identity's principal ID (after creating it): principal IDs,
    /// names and IDs of its role assignments, principal IDs of its ACL entries.
    pub fn resolve_identity(&mut self, principal_id: &str) -> Result<(), InvalidPrincipalId> {
        let guid = Guid::parse(principal_id)
            .ok_or_else(|| InvalidPrincipalId(principal_id.to_string()))?;
        let id = guid.to_string();
        for ra in &mut self.role_assignments {
            if ra.principal == PrincipalRef::ProjectIdentity {
                let name = role_assignment_name(&ra.scope, &ra.role_definition_guid, &id);
                ra.id = Some(ra.id_for(&name));
                ra.name = Some(name);
                ra.principal_id = Some(id.clone());
            }
        }
        for e in &mut self.acl {
            if e.principal == Some(PrincipalRef::ProjectIdentity) {
                e.principal_id = Some(id.clone());
            }
        }
        Ok(())
    }

    /// The `x-ms-acl` value for `setAccessControl` in `modify` mode on one path: the
    /// project's entries there, access entries first; `None` while some principal is
    /// unknown or the path has no entries.
    pub fn acl_spec(&self, path: &str) -> Option<String> {
        let mut entries: Vec<&DesiredAclEntry> =
            self.acl.iter().filter(|e| e.path == path).collect();
        if entries.is_empty() {
            return None;
        }
        entries.sort_by(|a, b| {
            (a.scope, a.kind, &a.principal_id).cmp(&(b.scope, b.kind, &b.principal_id))
        });
        let aces: Option<Vec<String>> = entries.iter().map(|e| e.ace()).collect();
        aces.map(|a| a.join(","))
    }
}
