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
//!   `private_dns_zone_group.<target>_<group>` (`private_endpoint.key_vault_vault`),
//!   `diagnostic_setting.<service>` (`diagnostic_setting.key_vault`),
//!   `shared_private_link.<target>_<group>` (`shared_private_link.storage_blob`);
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

use aifactory_attrpath::AttrPath;

mod acl;
pub mod api;
pub(crate) use crate::arm::api_type;
mod checked;
mod cloud;
pub mod docs;
pub mod foundry;
mod graph;
pub use crate::arm::ids;
mod ipnet;
mod issue;
mod model;
pub mod network;
pub mod rbac;
mod resources;
pub mod services;
mod spec;
#[cfg(test)]
mod tests;
mod validate;

pub use cloud::Cloud;
pub use graph::{GraphError, Node};
pub use issue::{GuidField, IpProblem, Issue, IssueKind, TagProblem};
pub use model::{
    role_assignment_name, role_assignment_namespace, AclKind, AclScope, DesiredAclEntry,
    DesiredDatalake, DesiredProject, DesiredResource, DesiredRoleAssignment, InvalidPrincipalId,
    Origin, Perms, PersonaRef, PrincipalRef, ResourceSummary, SQL_ROLE_ASSIGNMENT_TYPE,
};
pub use resources::{diagnostic_setting_key, shared_private_link_key};
pub use services::{ServiceKey, CATALOG};
pub use spec::{
    esml_template, CommonRefs, FoundryAccount, Layout, ModelDeployment, NamingOptions,
    NetworkAccess, Persona, PrincipalType, ProjectSpec, ProjectType, RoleSet, SearchOptions,
    Services, Team, TeamPrincipalType, MAX_TAGS, SERVICE_SWITCHES, TAG_ENVIRONMENT, TAG_PROJECT,
    TAG_TYPE,
};

/// Build the desired project. Errors: every problem found (warnings included), each on its
/// attribute; never a partial result. Warnings of a successful build are in
/// [`DesiredProject::warnings`].
/// Azure's limit of entries per scope in one data-lake ACL (base entries included).
pub const MAX_ACL_ENTRIES_PER_SCOPE: usize = 32;

/// Each path's ACL, per scope, stays within Azure's limit: the project's named entries
/// plus the four base entries (owner, owning group, mask, others). Known at plan time, so
/// a team too large for one ACL is refused before anything exists.
fn check_acl_sizes(entries: &[DesiredAclEntry]) -> Result<(), Vec<Issue>> {
    let mut named: std::collections::BTreeMap<(&str, bool), usize> =
        std::collections::BTreeMap::new();
    for e in entries.iter().filter(|e| e.principal.is_some()) {
        *named
            .entry((e.path.as_str(), e.scope == AclScope::Default))
            .or_default() += 1;
    }
    let issues: Vec<Issue> = named
        .into_iter()
        .filter(|(_, n)| n + 4 > MAX_ACL_ENTRIES_PER_SCOPE)
        .map(|((path, default), n)| {
            Issue::new(
                AttrPath::attr("team").and_attr("object_ids"),
                IssueKind::TooManyAclEntries {
                    path: path.to_string(),
                    scope: if default { "default" } else { "access" },
                    count: n + 4,
                    max: MAX_ACL_ENTRIES_PER_SCOPE,
                },
            )
        })
        .collect();
    if issues.is_empty() {
        Ok(())
    } else {
        Err(issues)
    }
}

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

    let mut acl_entries = acl::entries(&checked);
    acl_entries.sort_by(|a, b| a.key.cmp(&b.key));
    check_acl_sizes(&acl_entries)?;

    let datalake = checked.lake.as_ref().map(|l| DesiredDatalake {
        account_id: l.account_id.clone(),
        account_name: l.account_name.clone(),
        filesystem: l.filesystem.clone(),
        dfs_endpoint: format!("https://{}.{}", l.account_name, spec.cloud.dfs_suffix()),
        directories: vec!["projects".to_string(), names.datalake_path.clone()],
        recursive: vec![names.datalake_path.clone()],
        depends_on: Vec::new(),
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
