//! Role assignments (from [`super::services::matrix`]) and data lake ACL entries, one
//! object per (principal, scope, role) and per (principal, path, ACL scope), so adding or
//! removing a member adds or removes exactly that member's objects.
//!
//! # Data lake layout
//!
//! In the common lake filesystem the project owns `projects/project<NNN>`. Every team
//! member, the project service principal and the project identity get `rwx` there as access
//! and default entries (so new files and folders inherit them), and `--x` access entries on
//! `projects` and on the filesystem root `/` so they can traverse to it (no read, so they
//! cannot list other projects). The project directory also gets `mask::rwx` (access and
//! default) so the mask never trims the named entries. Team entries are `user` or `group`
//! per `team.principal_type`; service principals and the managed identity are `user`
//! entries (ADLS matches `group` entries by group membership only). Parent masks are left
//! alone: they belong to the common part, and touching them would change other projects'
//! effective permissions.

use super::api;
use super::checked::Checked;
use super::ids::{resource_group_id, resource_id};
use super::model::{
    role_assignment_name, AclKind, AclScope, DesiredAclEntry, DesiredResource,
    DesiredRoleAssignment, Perms, PersonaRef, PrincipalRef,
};
use super::rbac::{PrincipalClass, ScopeKey, When};
use super::services::matrix;
use super::spec::{Layout, PrincipalType, ProjectSpec, RoleSet, TeamPrincipalType};

/// One principal of a project: who, its ARM principal type, its ACL entry kind, the grant
/// classes it receives and whether its data access is read-only.
struct Principal {
    principal: PrincipalRef,
    principal_type: PrincipalType,
    acl: AclKind,
    classes: &'static [PrincipalClass],
    read_only: bool,
}

/// The principals of a project: the team's people, the service principal, the identity.
fn principals(c: &Checked) -> Vec<Principal> {
    let mut out: Vec<Principal> = c
        .team
        .iter()
        .map(|m| {
            let (principal_type, acl) = match m.principal_type {
                TeamPrincipalType::User => (PrincipalType::User, AclKind::User),
                TeamPrincipalType::Group => (PrincipalType::Group, AclKind::Group),
            };
            Principal {
                principal: PrincipalRef::Team {
                    object_id: m.object_id.clone(),
                    persona: m.persona.as_ref().map(|name| PersonaRef {
                        name: name.clone(),
                        role_set: m.role_set,
                    }),
                },
                principal_type,
                acl,
                classes: m.role_set.classes(),
                read_only: m.role_set == RoleSet::Reader,
            }
        })
        .collect();
    if let Some(sp) = &c.sp {
        out.push(Principal {
            principal: PrincipalRef::ServicePrincipal {
                object_id: sp.clone(),
            },
            principal_type: PrincipalType::ServicePrincipal,
            acl: AclKind::User,
            classes: RoleSet::Developer.classes(),
            read_only: false,
        });
    }
    out.push(Principal {
        principal: PrincipalRef::ProjectIdentity,
        principal_type: PrincipalType::ServicePrincipal,
        acl: AclKind::User,
        classes: &[PrincipalClass::Identity],
        read_only: false,
    });
    out
}

fn applies(when: When, layout: &Layout) -> bool {
    match when {
        When::Always => true,
        When::MachineLearning => layout.ml,
        When::Search => layout.search,
        When::AiServices => layout.ai_services,
        When::FoundryAccount => layout.foundry_dedicated,
        When::DataFactory => layout.data_factory,
        When::Datalake => layout.datalake,
        When::CosmosDb => layout.cosmos_db,
        When::Agent => layout.agent,
        When::AzureOpenAi => layout.azure_openai,
    }
}

pub(super) fn role_assignments(
    spec: &ProjectSpec,
    c: &Checked,
    layout: &Layout,
    resources: &[DesiredResource],
) -> Vec<DesiredRoleAssignment> {
    let n = &c.names;
    let sub = &spec.subscription_id;
    let rid =
        |t: &api::ApiType, name: &str| resource_id(sub, &n.resource_group, t.resource_type, name);
    // (scope key in assignment keys, resource key to depend on, scope ID)
    let scope = |s: ScopeKey| -> Option<(&'static str, Option<&'static str>, String)> {
        Some(match s {
            ScopeKey::ResourceGroup => (
                "rg",
                Some("resource_group"),
                resource_group_id(sub, &n.resource_group),
            ),
            ScopeKey::KeyVault => (
                "key_vault",
                Some("key_vault"),
                rid(&api::KEY_VAULT, &n.key_vault),
            ),
            ScopeKey::Storage => ("storage", Some("storage"), rid(&api::STORAGE, &n.storage)),
            ScopeKey::MlDefaultStorage => {
                if layout.genai {
                    (
                        "ml_storage",
                        Some("ml_storage"),
                        rid(&api::STORAGE, &n.ml_storage),
                    )
                } else {
                    ("storage", Some("storage"), rid(&api::STORAGE, &n.storage))
                }
            }
            ScopeKey::MlWorkspace => (
                "ml_workspace",
                Some("ml_workspace"),
                rid(&api::ML_WORKSPACE, &n.ml_workspace),
            ),
            ScopeKey::Search => ("search", Some("search"), rid(&api::SEARCH, &n.search)),
            ScopeKey::AiServices => (
                "ai_services",
                Some("ai_services"),
                rid(&api::AI_SERVICES, &n.ai_services),
            ),
            ScopeKey::FoundryAccount => (
                "foundry_account",
                Some("foundry_account"),
                rid(&api::AI_SERVICES, &n.foundry_account),
            ),
            ScopeKey::DataFactory => (
                "data_factory",
                Some("data_factory"),
                rid(&api::DATA_FACTORY, &n.data_factory),
            ),
            ScopeKey::CosmosDb => (
                "cosmos_db",
                Some("cosmos_db"),
                rid(&api::COSMOS_DB, &n.cosmos_db),
            ),
            ScopeKey::AzureOpenAi => (
                "azure_openai",
                Some("azure_openai"),
                rid(&api::AI_SERVICES, &n.azure_openai),
            ),
            ScopeKey::Datalake => ("datalake", None, c.lake.as_ref()?.account_id.clone()),
        })
    };
    let exists = |key: &str| resources.iter().any(|r| r.key == key);

    let mut out: Vec<DesiredRoleAssignment> = Vec::new();
    let matrix = matrix();
    for p in principals(c) {
        let (principal, principal_type) = (p.principal, p.principal_type);
        for grant in matrix
            .iter()
            .filter(|g| p.classes.contains(&g.principal) && applies(g.when, layout))
        {
            let Some((scope_key, depends, scope_id)) = scope(grant.scope) else {
                continue;
            };
            if depends.is_some_and(|d| !exists(d)) {
                continue;
            }
            let key = format!(
                "role.{}.{scope_key}.{}",
                principal.key_part(),
                grant.role.slug
            );
            if out.iter().any(|r| r.key == key) {
                continue; // e.g. esml's ML storage is its project storage
            }
            let principal_id = principal.object_id().map(str::to_string);
            let name = principal_id
                .as_ref()
                .map(|p| role_assignment_name(&scope_id, grant.role.guid, p));
            let mut depends_on: Vec<String> = depends.iter().map(|d| d.to_string()).collect();
            if principal == PrincipalRef::ProjectIdentity {
                depends_on.push("identity".to_string());
            }
            depends_on.sort();
            out.push(DesiredRoleAssignment {
                key,
                role_name: grant.role.name.to_string(),
                role_definition_guid: grant.role.guid.to_string(),
                role_definition_id: if grant.role.data_plane {
                    format!("{scope_id}/sqlRoleDefinitions/{}", grant.role.guid)
                } else {
                    format!(
                        "/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{}",
                        grant.role.guid
                    )
                },
                principal: principal.clone(),
                principal_id,
                principal_type,
                id: name.as_ref().map(|nm| {
                    if grant.role.data_plane {
                        format!("{scope_id}/sqlRoleAssignments/{nm}")
                    } else {
                        format!("{scope_id}/providers/Microsoft.Authorization/roleAssignments/{nm}")
                    }
                }),
                name,
                scope: scope_id,
                api_version: if grant.role.data_plane {
                    api::COSMOS_DB.api_version.to_string()
                } else {
                    api::ROLE_ASSIGNMENT.api_version.to_string()
                },
                depends_on,
                data_plane: grant.role.data_plane,
            });
        }
    }
    out
}

pub(super) fn entries(c: &Checked) -> Vec<DesiredAclEntry> {
    if c.lake.is_none() {
        return Vec::new();
    }
    let project_path = c.names.datalake_path.clone();
    let mut out = Vec::new();
    for p in principals(c) {
        let (principal, kind) = (p.principal, p.acl);
        let project_perms = if p.read_only {
            Perms::READ_EXECUTE
        } else {
            Perms::RWX
        };
        let depends_on = if principal == PrincipalRef::ProjectIdentity {
            vec!["identity".to_string()]
        } else {
            Vec::new()
        };
        let layout: [(&str, &str, AclScope, Perms); 4] = [
            ("root", "/", AclScope::Access, Perms::EXECUTE),
            ("projects", "projects", AclScope::Access, Perms::EXECUTE),
            (
                "project",
                project_path.as_str(),
                AclScope::Access,
                project_perms,
            ),
            (
                "project",
                project_path.as_str(),
                AclScope::Default,
                project_perms,
            ),
        ];
        let shared_by_group = c.traverse_group.is_some();
        for (path_key, path, scope, perms) in layout {
            if shared_by_group && path_key != "project" {
                continue; // the common part's traverse group covers `/` and `projects`
            }
            let scope_text = match scope {
                AclScope::Access => "access",
                AclScope::Default => "default",
            };
            out.push(DesiredAclEntry {
                key: format!("acl.{}.{path_key}.{scope_text}", principal.key_part()),
                path: path.to_string(),
                principal: Some(principal.clone()),
                principal_id: principal.object_id().map(str::to_string),
                kind,
                scope,
                perms,
                depends_on: depends_on.clone(),
            });
        }
    }
    for (scope, text) in [(AclScope::Access, "access"), (AclScope::Default, "default")] {
        out.push(DesiredAclEntry {
            key: format!("acl.mask.project.{text}"),
            path: project_path.clone(),
            principal: None,
            principal_id: None,
            kind: AclKind::Mask,
            scope,
            perms: Perms::RWX,
            depends_on: Vec::new(),
        });
    }
    out
}
