//! The project template: a pure function from a [`ProjectSpec`] (the `aifactory_project`
//! configuration plus provider facts) to the Azure objects the project should have
//! ([`DesiredProject`]): ARM resources with their exact PUT bodies, role assignments with
//! deterministic names, and data lake ACL entries. No I/O, no clocks, no hashing order.
//!
//! Owns: what a project contains per type and services, the bodies, the role matrix
//! ([`rbac`]), the ACL layout, private endpoint and DNS wiring per cloud ([`network`]),
//! api-versions ([`api`]), dependency order ([`DesiredProject::apply_order`]) and typed
//! [`Issue`]s on exact attribute paths. Must not touch: Terraform values, Azure.
//!
//! # Keys
//!
//! Every object has a stable logical key, the same for the same inputs whatever the order
//! of lists and maps; toggling a service or a member adds or removes exactly that
//! service's or member's objects and changes no other object:
//!
//! * resources: `resource_group`, `identity`, `key_vault`, `storage`, `ml_storage`,
//!   `app_insights`, `ml_workspace`, `databricks`, `data_factory`, `search`,
//!   `ai_services`, `private_endpoint.<target>_<group>` and
//!   `private_dns_zone_group.<target>_<group>` (`private_endpoint.key_vault_vault`);
//! * role assignments: `role.team.<oid>.<scope>.<role>`, `role.sp.<oid>.<scope>.<role>`,
//!   `role.identity.<scope>.<role>` with scope `rg`, a resource key or `datalake` and the
//!   role's slug (`role.team.<oid>.rg.reader`);
//! * ACL entries: `acl.team.<oid>.<path>.<scope>`, `acl.sp.<oid>...`,
//!   `acl.identity.<path>.<scope>`, `acl.mask.project.<scope>` with path `root`,
//!   `projects` or `project` and scope `access` or `default`.
//!
//! # The project identity
//!
//! The user-assigned managed identity's principal ID exists only once Azure created it.
//! Until then ([`ProjectSpec::identity_principal_id`] is `None`), its role assignments and
//! ACL entries have `principal_id`, `name` and `id` `None`; pass the ID from state, or call
//! [`DesiredProject::resolve_identity`] after creating the identity.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use serde_json::Value;

use crate::naming::{
    self, Environment, Guid, NameKind, NamingInput, ProjectNames, UnknownValue,
    PRIVATE_LINK_TARGETS,
};
use aifactory_attrpath::AttrPath;

mod acl;
pub mod api;
pub mod docs;
mod graph;
pub mod ids;
mod issue;
pub mod network;
pub mod rbac;
mod resources;
#[cfg(test)]
mod tests;
mod validate;

pub use graph::{GraphError, Node};
pub use issue::{GuidField, IpProblem, Issue, IssueKind, TagProblem};
pub use network::Cloud;

/// Ownership tag names; user tags may not use them (case-insensitively).
pub const TAG_PROJECT: &str = "aifactory-project";
pub const TAG_ENVIRONMENT: &str = "aifactory-environment";
pub const TAG_TYPE: &str = "aifactory-type";
/// Azure's limit of tags per resource.
pub const MAX_TAGS: usize = 50;

/// esml or genai.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProjectType {
    Esml,
    Genai,
}

impl ProjectType {
    pub fn as_str(self) -> &'static str {
        match self {
            ProjectType::Esml => "esml",
            ProjectType::Genai => "genai",
        }
    }
}

impl FromStr for ProjectType {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "esml" => Ok(ProjectType::Esml),
            "genai" => Ok(ProjectType::Genai),
            _ => Err(UnknownValue {
                value: s.to_string(),
                expected: &["esml", "genai"],
            }),
        }
    }
}

impl fmt::Display for ProjectType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// private (default) or allowlist.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NetworkAccess {
    /// Public network access disabled; private endpoints in `subnet_ids.private_endpoints`.
    #[default]
    Private,
    /// Public access restricted to `ip_allowlist`; no private endpoints.
    Allowlist,
}

impl FromStr for NetworkAccess {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "private" => Ok(NetworkAccess::Private),
            "allowlist" => Ok(NetworkAccess::Allowlist),
            _ => Err(UnknownValue {
                value: s.to_string(),
                expected: &["private", "allowlist"],
            }),
        }
    }
}

/// `team.principal_type`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub enum TeamPrincipalType {
    User,
    #[default]
    Group,
}

impl FromStr for TeamPrincipalType {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "User" => Ok(TeamPrincipalType::User),
            "Group" => Ok(TeamPrincipalType::Group),
            _ => Err(UnknownValue {
                value: s.to_string(),
                expected: &["User", "Group"],
            }),
        }
    }
}

/// ARM `principalType` of a role assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PrincipalType {
    User,
    Group,
    ServicePrincipal,
}

impl PrincipalType {
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalType::User => "User",
            PrincipalType::Group => "Group",
            PrincipalType::ServicePrincipal => "ServicePrincipal",
        }
    }
}

/// `naming`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NamingOptions {
    pub prefix: Option<String>,
    pub location_short: Option<String>,
    pub suffix: Option<String>,
    /// `naming.salt` (default [`naming::SaltMode::AiFactory`]).
    pub salt: naming::SaltMode,
    /// `naming.random_salt`: ESML's 10-character random salt (only with
    /// [`naming::SaltMode::Esml`]).
    pub random_salt: Option<String>,
}

/// `common`: references into the AI factory's common part.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommonRefs {
    pub resource_group_name: String,
    /// Resource group holding the `privatelink.*` zones.
    pub private_dns_zone_resource_group_id: String,
    pub log_analytics_workspace_id: String,
    pub datalake_storage_account_id: Option<String>,
    pub datalake_filesystem: Option<String>,
}

/// `team`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Team {
    pub object_ids: Vec<String>,
    pub principal_type: TeamPrincipalType,
    pub service_principal_object_id: Option<String>,
}

/// `services`: `None` = not set (off).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Services {
    /// esml only.
    pub databricks: Option<bool>,
    /// esml only.
    pub data_factory: Option<bool>,
    /// genai only (esml always has Machine Learning).
    pub azure_ml: Option<bool>,
}

/// The typed input: the `aifactory_project` configuration plus provider facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectSpec {
    pub subscription_id: String,
    pub tenant_id: String,
    pub cloud: Cloud,
    pub number: i64,
    pub environment: Environment,
    pub location: String,
    pub project_type: ProjectType,
    pub naming: NamingOptions,
    pub common: CommonRefs,
    /// Purpose (`private_endpoints`, `dbx_public`, `dbx_private`) -> subnet ID.
    pub subnet_ids: BTreeMap<String, String>,
    pub team: Team,
    pub services: Services,
    pub network_access: NetworkAccess,
    pub ip_allowlist: Vec<String>,
    pub tags: BTreeMap<String, String>,
    /// The managed identity's principal ID once known (from state).
    pub identity_principal_id: Option<String>,
    /// Key Vault purge protection; default on in prod only (it is irreversible and blocks
    /// re-creating a vault name for the retention period).
    pub key_vault_purge_protection: Option<bool>,
}

impl ProjectSpec {
    /// The naming part of the spec.
    pub fn naming_input(&self) -> NamingInput {
        NamingInput {
            number: self.number,
            environment: self.environment,
            location: self.location.clone(),
            prefix: self.naming.prefix.clone(),
            location_short: self.naming.location_short.clone(),
            suffix: self.naming.suffix.clone(),
            subscription_id: self.subscription_id.clone(),
            common_resource_group_name: self.common.resource_group_name.clone(),
        }
    }
}

impl ProjectSpec {
    /// Every name of the project with its `naming.salt` and `naming.random_salt`
    /// ([`naming::compose_template`]; with `naming.salt = "esml"` an esml project takes the
    /// names of ESML's `esml-project` template, a genai project those of `esml-genai-1`).
    pub fn compose_names(
        &self,
    ) -> Result<(naming::ProjectNames, Vec<naming::Issue>), Vec<naming::Issue>> {
        naming::compose_template(
            &self.naming_input(),
            self.naming.salt,
            self.naming.random_salt.as_deref(),
            self.esml_template(),
        )
    }

    /// Which of ESML's templates `naming.salt = "esml"` follows for this project.
    pub fn esml_template(&self) -> naming::EsmlTemplate {
        esml_template(self.project_type, self.network_access)
    }
}

/// ESML's template for a project type: `esml-project` for esml (its private-link
/// Databricks with `network_access = "private"`), `esml-genai-1` for genai.
pub fn esml_template(
    project_type: ProjectType,
    network_access: NetworkAccess,
) -> naming::EsmlTemplate {
    match project_type {
        ProjectType::Esml => naming::EsmlTemplate::Project {
            databricks_private: network_access == NetworkAccess::Private,
        },
        ProjectType::Genai => naming::EsmlTemplate::Genai,
    }
}

/// What a project contains, derived from its type, services and network access.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    pub genai: bool,
    pub ml: bool,
    pub databricks: bool,
    pub data_factory: bool,
    pub private: bool,
    pub datalake: bool,
}

impl Layout {
    pub fn of(spec: &ProjectSpec) -> Layout {
        let genai = spec.project_type == ProjectType::Genai;
        Layout {
            genai,
            ml: !genai || spec.services.azure_ml == Some(true),
            databricks: !genai && spec.services.databricks == Some(true),
            data_factory: !genai && spec.services.data_factory == Some(true),
            private: spec.network_access == NetworkAccess::Private,
            datalake: spec.common.datalake_storage_account_id.is_some()
                && spec.common.datalake_filesystem.is_some(),
        }
    }

    /// The storage account key the Machine Learning workspace uses.
    pub fn ml_storage_key(&self) -> &'static str {
        if self.genai {
            "ml_storage"
        } else {
            "storage"
        }
    }

    /// Keys of the main resources, in documentation order.
    pub fn targets(&self) -> Vec<&'static str> {
        let mut t = vec!["resource_group", "identity", "key_vault", "storage"];
        if self.genai && self.ml {
            t.push("ml_storage");
        }
        t.push("app_insights");
        if self.ml {
            t.push("ml_workspace");
        }
        if self.databricks {
            t.push("databricks");
        }
        if self.data_factory {
            t.push("data_factory");
        }
        if self.genai {
            t.push("search");
            t.push("ai_services");
        }
        t
    }

    /// The private endpoints (empty in allowlist mode). The project storage gets `file`,
    /// `queue` and `table` endpoints only when it is the workspace's storage: Azure ML needs
    /// `file` for notebooks and code, and `queue`/`table` for parallel/pipeline jobs.
    pub fn private_links(&self) -> Vec<&'static naming::PrivateLinkTarget> {
        if !self.private {
            return Vec::new();
        }
        let targets = self.targets();
        PRIVATE_LINK_TARGETS
            .iter()
            .filter(|t| targets.contains(&t.target))
            .filter(|t| {
                !(t.target == "storage" && matches!(t.group_id, "file" | "queue" | "table"))
                    || (self.ml && !self.genai)
            })
            .collect()
    }

    /// Is a name of this kind (and private endpoint key) used by this project?
    pub fn uses_name(&self, kind: NameKind, key: Option<&str>) -> bool {
        let targets = self.targets();
        match kind {
            NameKind::PrivateEndpoint | NameKind::NetworkInterface => {
                key.is_some_and(|k| self.private_links().iter().any(|t| t.key() == k))
            }
            NameKind::DatabricksManagedResourceGroup => self.databricks,
            NameKind::ResourceGroup => true,
            NameKind::Identity => targets.contains(&"identity"),
            NameKind::KeyVault => targets.contains(&"key_vault"),
            NameKind::Storage => targets.contains(&"storage"),
            NameKind::MlStorage => targets.contains(&"ml_storage"),
            NameKind::AppInsights => targets.contains(&"app_insights"),
            NameKind::MlWorkspace => targets.contains(&"ml_workspace"),
            NameKind::Databricks => targets.contains(&"databricks"),
            NameKind::DataFactory => targets.contains(&"data_factory"),
            NameKind::Search => targets.contains(&"search"),
            NameKind::AiServices => targets.contains(&"ai_services"),
        }
    }
}

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
    Team { object_id: String },
    ServicePrincipal { object_id: String },
    ProjectIdentity,
}

impl PrincipalRef {
    /// Key part: `team.<oid>`, `sp.<oid>`, `identity`.
    pub fn key_part(&self) -> String {
        match self {
            PrincipalRef::Team { object_id } => format!("team.{object_id}"),
            PrincipalRef::ServicePrincipal { object_id } => format!("sp.{object_id}"),
            PrincipalRef::ProjectIdentity => "identity".to_string(),
        }
    }
    /// The object ID when known from configuration.
    pub fn object_id(&self) -> Option<&str> {
        match self {
            PrincipalRef::Team { object_id } | PrincipalRef::ServicePrincipal { object_id } => {
                Some(object_id)
            }
            PrincipalRef::ProjectIdentity => None,
        }
    }
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
}

impl DesiredRoleAssignment {
    /// The PUT body (`RoleAssignmentCreateParameters`), once the principal is known.
    pub fn body(&self) -> Option<Value> {
        let principal_id = self.principal_id.as_ref()?;
        Some(serde_json::json!({
            "properties": {
                "roleDefinitionId": self.role_definition_id,
                "principalId": principal_id,
                "principalType": self.principal_type.as_str(),
                "description": format!("aifactory: {}", self.key),
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
        };
        let id = match self.kind {
            AclKind::Mask => "",
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
    /// Every node (resource, role assignment, ACL entry).
    pub fn nodes(&self) -> Vec<Node<'_>> {
        self.resources
            .iter()
            .map(Node::Resource)
            .chain(self.role_assignments.iter().map(Node::RoleAssignment))
            .chain(self.acl.iter().map(Node::Acl))
            .collect()
    }

    /// The node with this key.
    pub fn node(&self, key: &str) -> Option<Node<'_>> {
        self.nodes().into_iter().find(|n| n.key() == key)
    }

    /// Every key, sorted.
    pub fn keys(&self) -> BTreeSet<String> {
        self.nodes().iter().map(|n| n.key().to_string()).collect()
    }

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
                ra.id = Some(format!(
                    "{}/providers/Microsoft.Authorization/roleAssignments/{name}",
                    ra.scope
                ));
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

/// Build the desired project. Errors: every problem found (warnings included), each on its
/// attribute; never a partial result. Warnings of a successful build are in
/// [`DesiredProject::warnings`].
pub fn desired(spec: &ProjectSpec) -> Result<DesiredProject, Vec<Issue>> {
    let layout = Layout::of(spec);
    let (checked, warnings) = validate::check(spec, &layout)?;
    let names = &checked.names;
    let rg_id = ids::resource_group_id(&spec.subscription_id, &names.resource_group);
    let identity_id = ids::resource_id(
        &spec.subscription_id,
        &names.resource_group,
        api::IDENTITY.resource_type,
        &names.identity,
    );

    let mut resources = resources::build(spec, &checked, &layout);
    resources.sort_by(|a, b| a.key.cmp(&b.key));

    let mut role_assignments = acl::role_assignments(spec, &checked, &layout, &resources);
    role_assignments.sort_by(|a, b| a.key.cmp(&b.key));

    // The Machine Learning workspace checks its identity's access when it is created.
    if let Some(ws) = resources.iter_mut().find(|r| r.key == "ml_workspace") {
        let ml_storage = layout.ml_storage_key();
        for ra in &role_assignments {
            let scope_ok = ra
                .depends_on
                .iter()
                .any(|d| d == "resource_group" || d == "key_vault" || d == ml_storage);
            if ra.principal == PrincipalRef::ProjectIdentity && scope_ok {
                ws.depends_on.push(ra.key.clone());
            }
        }
        ws.depends_on.sort();
        ws.depends_on.dedup();
    }

    let mut acl_entries = acl::entries(spec, &checked);
    acl_entries.sort_by(|a, b| a.key.cmp(&b.key));

    let datalake = checked.lake.as_ref().map(|l| DesiredDatalake {
        account_id: l.account_id.clone(),
        account_name: l.account_name.clone(),
        filesystem: l.filesystem.clone(),
        dfs_endpoint: format!("https://{}.{}", l.account_name, spec.cloud.dfs_suffix()),
        directories: vec!["projects".to_string(), names.datalake_path.clone()],
    });

    let mut project = DesiredProject {
        project_key: names.project_key.clone(),
        project_type: spec.project_type,
        environment: spec.environment,
        cloud: spec.cloud,
        location: spec.location.clone(),
        resource_group_id: rg_id,
        resource_group_name: names.resource_group.clone(),
        identity_id,
        tags: checked.tags.clone(),
        names: checked.names.clone(),
        resources,
        role_assignments,
        acl: acl_entries,
        datalake_path: datalake
            .as_ref()
            .map(|_| checked.names.datalake_path.clone()),
        datalake,
        warnings,
    };
    if let Some(pid) = &checked.identity_principal_id {
        project.resolve_identity(pid).map_err(|e| {
            vec![Issue::new(
                AttrPath::attr("identity_principal_id"),
                IssueKind::InvalidGuid {
                    field: GuidField::IdentityPrincipal,
                    value: e.0,
                },
            )]
        })?;
    }
    Ok(project)
}
