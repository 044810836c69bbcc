//! Markdown fragments for `docs/resources/project.md`, generated from the same tables the
//! code uses, so the documentation cannot drift from behaviour.

use std::fmt::Write as _;

use crate::naming::{self, regions, rule_for, NameKind, PRIVATE_LINK_TARGETS};

use super::api;
use super::network::{dns_zones, Cloud, ZoneSource};
use super::rbac::{FORBIDDEN_ROLE_GUIDS, ROLES};
use super::services::matrix;

/// The role matrix: principal x scope x built-in role, with GUIDs and conditions.
pub fn role_matrix_markdown() -> String {
    let mut s = String::new();
    s.push_str(
        "Role assignments are named with a deterministic GUID (RFC 4122 version 5, from scope, role and \
         principal), so re-applying never creates duplicates. `principalType` is always set: `User` or \
         `Group` per `team.principal_type` for team members, `ServicePrincipal` for the project service \
         principal and the project identity. \"Member\" rows apply to every `team.object_ids` entry and \
         to `team.service_principal_object_id`.\n\n",
    );
    s.push_str(&role_sets_markdown());
    s.push_str("| Principal | Scope | Role | Role definition ID | When | Why |\n|---|---|---|---|---|---|\n");
    let mut rows = matrix();
    rows.sort_by_key(|g| g.principal);
    for g in rows {
        let principal = g.principal.label();
        let _ = writeln!(
            s,
            "| {principal} | {} | {} | `{}` | {} | {} |",
            g.scope.label(),
            g.role.name,
            g.role.guid,
            g.when.label(),
            g.why
        );
    }
    s.push_str("\nNever assigned: ");
    let forbidden: Vec<String> = FORBIDDEN_ROLE_GUIDS
        .iter()
        .map(|(n, g)| format!("{n} (`{g}`)"))
        .collect();
    s.push_str(&forbidden.join(", "));
    s.push_str(
        ". No role with bare `*` actions is used. Databricks workspace access is not granted through \
         Azure RBAC (that would take Contributor); provision workspace users through Databricks \
         identity federation / SCIM.\n\nRole definition IDs were checked against Microsoft's built-in \
         roles list (learn.microsoft.com/azure/role-based-access-control/built-in-roles):\n\n\
         | Role | ID | Category |\n|---|---|---|\n",
    );
    for r in ROLES {
        let _ = writeln!(s, "| {} | `{}` | {} |", r.name, r.guid, r.category);
    }
    s
}

/// The exact roles of every persona role set (`team.personas.*.role_set`; `team.object_ids`
/// and the service principal are `developer`), from the same matrix the code uses.
pub fn role_sets_markdown() -> String {
    let mut s = String::from(
        "Persona role sets (`team.personas = { <name> = { object_ids = [...], principal_type = \"Group\", \
         role_set = \"developer\" } }`; `team.object_ids` are `developer`). Each principal is in one list. \
         Data lake folder ACL: `reader` gets `r-x`, the others `rwx` (access and default); all get `--x` on \
         the parents.\n\n| Role set | Scope | Role | When |\n|---|---|---|---|\n",
    );
    let rows = matrix();
    for set in super::spec::RoleSet::ALL {
        for g in rows.iter().filter(|g| set.classes().contains(&g.principal)) {
            let _ = writeln!(
                s,
                "| `{}` | {} | {} | {} |",
                set.as_str(),
                g.scope.label(),
                g.role.name,
                g.when.label()
            );
        }
    }
    s.push('\n');
    s
}

/// Resources per project type, api-versions, private endpoints and DNS zones per cloud.
pub fn resource_list_markdown() -> String {
    let mut s = String::new();
    s.push_str("| Key | Type | API version | When |\n|---|---|---|---|\n");
    // The catalog's services, then what every service shares.
    let mut rows: Vec<(String, api::ApiType, &str)> = super::services::CATALOG
        .iter()
        .map(|d| (d.key.as_str().to_string(), d.api, d.summary))
        .collect();
    rows.extend([
        ("private_endpoint.<target>_<group>".to_string(), api::PRIVATE_ENDPOINT, "network_access = \"private\""),
        ("private_dns_zone_group.<target>_<group>".to_string(), api::PRIVATE_DNS_ZONE_GROUP, "network_access = \"private\" (name `default`; `<endpoint>DnsZone` with naming.salt = \"esml\")"),
        ("foundry_connection.<service>".to_string(), super::foundry::CONNECTION, "services.ai_foundry: to AI Search, Storage and Cosmos DB when the project has them (Entra ID)"),
        ("deployment.<name>".to_string(), super::foundry::DEPLOYMENT, "each `deployments` entry (written one at a time)"),
        ("capability_host.account".to_string(), super::foundry::ACCOUNT_CAPABILITY_HOST, "services.agent_service"),
        ("capability_host.project".to_string(), super::foundry::PROJECT_CAPABILITY_HOST, "services.agent_service (threads: Cosmos DB, files: Storage, vectors: AI Search)"),
    ]);
    for (key, t, when) in &rows {
        let _ = writeln!(
            s,
            "| `{key}` | `{}` | `{}` | {when} |",
            t.resource_type, t.api_version
        );
    }
    let _ = writeln!(
        s,
        "| `role.*` | `{}` | `{}` | see the role matrix |",
        api::ROLE_ASSIGNMENT.resource_type,
        api::ROLE_ASSIGNMENT.api_version
    );
    s.push_str(
        "\nPrivate endpoints (network_access = \"private\") go into `subnet_ids.private_endpoints`, one per \
         service and group id, each with a DNS zone group `default` pointing at the zones below in \
         `common.private_dns_zone_resource_group_id`. The project storage gets `file`, `queue` and \
         `table` endpoints only when Azure Machine Learning uses it (notebooks and code live on the file \
         share; parallel and pipeline jobs use queues and tables).\n\n\
         | Endpoint key | Group id | public | usgovernment | china |\n|---|---|---|---|---|\n",
    );
    for t in PRIVATE_LINK_TARGETS {
        let cell = |cloud: Cloud| match dns_zones(cloud, t.group_id) {
            Some(z) => {
                let mark = if z.source == ZoneSource::Community {
                    " (†)"
                } else {
                    ""
                };
                format!(
                    "{}{mark}",
                    z.zones
                        .iter()
                        .map(|z| format!("`{z}`"))
                        .collect::<Vec<_>>()
                        .join("<br>")
                )
            }
            None => "-".to_string(),
        };
        let _ = writeln!(
            s,
            "| `{}` | `{}` | {} | {} | {} |",
            t.key(),
            t.group_id,
            cell(Cloud::Public),
            cell(Cloud::UsGovernment),
            cell(Cloud::China)
        );
    }
    s.push_str(
        "\n(†) Not in Microsoft's private endpoint DNS table for that cloud; the zone public \
         infrastructure code uses. Confirm it exists in your DNS resource group.\n\n\
         With network_access = \"allowlist\" every service enables public network access with a \
         default-deny firewall and `ip_allowlist` as IP rules, and no private endpoints are created. \
         Data Factory and Databricks have no ARM-level IP rules.\n",
    );
    s
}

/// The data lake folder and ACL layout.
pub fn acl_layout_markdown() -> String {
    "When `common.datalake_storage_account_id` and `common.datalake_filesystem` are set, the project \
     owns `projects/project<NNN>` in that filesystem. Principals: every team member (`user` or `group` \
     entries per `team.principal_type`), the project service principal and the project identity \
     (`user` entries).\n\n\
     | Path | Entries per principal | Scope | Other entries |\n|---|---|---|---|\n\
     | `/` (filesystem root) | `--x` | access | - |\n\
     | `projects` | `--x` | access | - |\n\
     | `projects/project<NNN>` | `rwx` | access and default | `mask::rwx` (access and default) |\n\n\
     Each entry is a separate object keyed `acl.<principal>.<root|projects|project>.<access|default>`, \
     so adding or removing a member adds or removes exactly that member's entries (apply them with \
     `setAccessControl` in `modify` mode). Execute-only on the parents lets members reach their \
     project folder without listing other projects. The provider assigns no data role on the lake \
     (only Reader on the account, for the portal): a data role would bypass the ACLs for the whole \
     account.\n"
        .to_string()
}

/// Naming conventions, Azure's rule per type and the salt algorithm.
pub fn naming_rules_markdown() -> String {
    let mut s = String::new();
    s.push_str(
        "Placeholders: `NNN` the project number (001-999), `loc` `naming.location_short` (default from the \
         location, e.g. westeurope -> weu), `env` dev/test/prod, `s5` the salt, `prefix` `naming.prefix` \
         (default empty), `suffix` `naming.suffix` (default `-001`), `sfx` the suffix without hyphens, \
         `d2` its last two digits.\n\n\
         | Name | Pattern | Azure rule | Unique within |\n|---|---|---|---|\n",
    );
    for kind in NameKind::ALL {
        let rule = rule_for(kind);
        let _ = writeln!(
            s,
            "| {} | `{}` | {} | {} |",
            kind.label(),
            kind.pattern(),
            rule.describe(),
            rule.scope
        );
    }
    let _ = write!(
        s,
        "\nThe salt `s5` makes globally unique names (key vault, storage, search, AI Services, Data Factory) \
         differ between AI factories: the first {} characters of the lowercase RFC 4648 base32 (`a-z2-7`) \
         encoding of SHA-256 over `\"{}:\" + lowercase(subscription ID) + \":\" + lowercase(common \
         resource group name)`. It is stable across runs, machines and provider versions.\n\n\
         With `naming.salt = \"esml\"` the names are the ones ESML's pipelines give, to adopt an ESML \
         project: `s5` is ESML's salt, the first {} characters of ARM/Bicep `uniqueString(\"/subscriptions/\
         <subscription ID, lowercase>/resourceGroups/<common resource group name>\")` (case-sensitive: write \
         `common.resource_group_name` as ESML's parameters spell it), and {}. ESML also salts the managed \
         identity, AI Search and AI Services with its random {}-character `randomSalt` (`aifactory_salt_random`, \
         or the start of a GUID, so it may hold a hyphen): set it as `naming.random_salt` (`r10`, exactly {} \
         lowercase letters, digits or hyphens; only with `naming.salt = \"esml\"`) and {} (`r10*` is `r10` \
         without hyphens, `take(x, n)` its first `n` characters, as in ESML's Bicep). Without \
         `naming.random_salt` they keep the patterns above, so ESML's are replaced. Import reads \
         `naming.random_salt` from the managed identity's name, as ESML's pipeline does. With `naming.salt = \"esml\"` \
         a private endpoint's network interface is `{{private endpoint name}}-nic`, its connection is named like \
         the endpoint (AI Search: like the service), and its DNS zone group is `{{private endpoint name}}DnsZone` \
         (not `default`) with one config named like the endpoint (ML workspace and AI Services: one per zone, \
         named like the zone), as ESML's Bicep makes them; ESML makes no `dfs` endpoint on project storage, the \
         provider's is `{{storage}}-dfs-pend`.\n\n\
         An esml project with `naming.salt = \"esml\"` follows ESML's older `esml-project` template \
         (`22-main.bicep`, which ESML's esml projects come from) where it differs from the above: {}. \
         Its private endpoints' network interfaces, connections and DNS zone groups are named as above. \
         ESML's template also makes a second key vault (`kv-2…`), storage account (`sa2…`) and managed ML \
         workspace (`aml2-…`) that use each other; the project's workspace is the first (`aml-prj…`, with \
         `kv-p…` and `saprj…`), so import adopts those and warns that the second ones are not managed.\n\n\
         Every name is checked at plan time; a name that breaks its rule is reported on the input to \
         change, with the fix (for example \"Shorten naming.location_short by 2 characters\").\n\n\
         Default location codes:\n\n| Location | Code |\n|---|---|\n",
        naming::SALT_LEN,
        naming::SALT_DOMAIN,
        naming::SALT_LEN,
        NameKind::ALL
            .iter()
            .filter_map(|k| k.esml_pattern().map(|p| format!("the {} is `{p}`", k.label())))
            .collect::<Vec<_>>()
            .join(", "),
        naming::RANDOM_SALT_LEN,
        naming::RANDOM_SALT_LEN,
        NameKind::ALL
            .iter()
            .filter_map(|k| k.esml_random_pattern().map(|p| format!("the {} is `{p}`", k.label())))
            .collect::<Vec<_>>()
            .join(", "),
        NameKind::ALL
            .iter()
            .filter_map(|k| k.esml_project_pattern().map(|p| format!("the {} is `{p}`", k.label())))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for (l, c) in regions::LOCATION_SHORT {
        let _ = writeln!(s, "| {l} | {c} |");
    }
    s
}
