//! Validation of a [`ProjectSpec`] into the checked facts the builders use.

use std::collections::BTreeMap;

use crate::naming::{Guid, ProjectNames};
use aifactory_attrpath::AttrPath;

use super::ids::{parse_resource_group_id, parse_subnet_id, ArmId};
use super::issue::{GuidField, IpProblem, Issue, IssueKind, TagProblem};
use super::network::{parse_ipv4_net, IpParse, Ipv4Net};
use super::spec::{
    Layout, NetworkAccess, ProjectSpec, ProjectType, MAX_TAGS, TAG_ENVIRONMENT, TAG_PROJECT,
    TAG_TYPE,
};

/// The common data lake.
#[derive(Debug, Clone)]
pub(super) struct Lake {
    pub account_id: String,
    pub account_name: String,
    pub filesystem: String,
}

/// The Databricks VNet injection.
#[derive(Debug, Clone)]
pub(super) struct Dbx {
    pub vnet_id: String,
    pub public_subnet: String,
    pub private_subnet: String,
}

/// Everything validated, normalized.
#[derive(Debug, Clone)]
pub(super) struct Checked {
    pub names: ProjectNames,
    pub dns_zone_rg_id: String,
    pub log_analytics_id: String,
    pub lake: Option<Lake>,
    pub pe_subnet_id: Option<String>,
    pub dbx: Option<Dbx>,
    /// Sorted, without duplicates or covered entries.
    pub ip_rules: Vec<Ipv4Net>,
    /// Team object IDs, lowercase, in input order without duplicates.
    pub team: Vec<String>,
    pub sp: Option<String>,
    pub identity_principal_id: Option<String>,
    pub tags: BTreeMap<String, String>,
}

const SUBNET_PURPOSES: [(&str, &str); 3] = [
    (
        "private_endpoints",
        "the private endpoints (network_access = \"private\")",
    ),
    (
        "dbx_public",
        "Databricks VNet injection (services.databricks)",
    ),
    (
        "dbx_private",
        "Databricks VNet injection (services.databricks)",
    ),
];

fn guid(text: &str) -> Option<String> {
    Guid::parse(text).map(|g| g.to_string())
}

/// Filesystem (container) names: 3-63 lowercase letters, digits and hyphens, starting and
/// ending with a letter or digit, no consecutive hyphens (arm.md §5; `$root` style system
/// names are not project filesystems).
fn valid_filesystem(name: &str) -> bool {
    (3..=63).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && name.chars().next().is_some_and(|c| c != '-')
        && name.chars().last().is_some_and(|c| c != '-')
        && !name.contains("--")
}

pub(super) fn check(
    spec: &ProjectSpec,
    layout: &Layout,
) -> Result<(Checked, Vec<Issue>), Vec<Issue>> {
    let mut issues: Vec<Issue> = Vec::new();

    // Names: keep only the issues of names this project uses.
    let names = match spec.compose_names() {
        Ok((names, name_issues)) => {
            issues.extend(
                name_issues
                    .into_iter()
                    .filter(|i| {
                        i.name_kind()
                            .is_none_or(|(kind, key)| layout.uses_name(kind, key))
                    })
                    .map(Issue::from),
            );
            Some(names)
        }
        Err(e) => {
            issues.extend(e.into_iter().map(Issue::from));
            None
        }
    };

    if guid(&spec.tenant_id).is_none() {
        issues.push(Issue::new(
            AttrPath::root(),
            IssueKind::InvalidGuid {
                field: GuidField::Tenant,
                value: spec.tenant_id.clone(),
            },
        ));
    }

    // Services per type.
    let services = AttrPath::attr("services");
    match spec.project_type {
        ProjectType::Esml => {
            if spec.services.azure_ml == Some(false) {
                issues.push(Issue::new(
                    services.and_attr("azure_ml"),
                    IssueKind::ServiceAlwaysOn {
                        service: "azure_ml",
                        project_type: "esml",
                    },
                ));
            }
        }
        ProjectType::Genai => {
            for (name, value) in [
                ("databricks", spec.services.databricks),
                ("data_factory", spec.services.data_factory),
            ] {
                if value == Some(true) {
                    issues.push(Issue::new(
                        services.and_attr(name),
                        IssueKind::ServiceNotAvailable {
                            service: name,
                            project_type: "genai",
                        },
                    ));
                }
            }
        }
    }

    // Common references.
    let common = AttrPath::attr("common");
    let dns_path = common.and_attr("private_dns_zone_resource_group_id");
    let dns_zone_rg_id =
        match parse_resource_group_id(&spec.common.private_dns_zone_resource_group_id) {
            Some(a) => format!(
                "/subscriptions/{}/resourceGroups/{}",
                a.subscription, a.resource_group
            ),
            None => {
                issues.push(Issue::new(
                dns_path,
                IssueKind::InvalidResourceId {
                    value: spec.common.private_dns_zone_resource_group_id.clone(),
                    expected:
                        "the ID of the resource group holding the privatelink.* private DNS zones, \
                               /subscriptions/{subscription}/resourceGroups/{name}",
                },
            ));
                String::new()
            }
        };
    let la = &spec.common.log_analytics_workspace_id;
    if !ArmId::parse(la)
        .is_some_and(|a| a.is_type("Microsoft.OperationalInsights", &["workspaces"]))
    {
        issues.push(Issue::new(
            common.and_attr("log_analytics_workspace_id"),
            IssueKind::InvalidResourceId {
                value: la.clone(),
                expected: "the ID of the common Log Analytics workspace, /subscriptions/{subscription}/\
                           resourceGroups/{rg}/providers/Microsoft.OperationalInsights/workspaces/{name}",
            },
        ));
    }

    let lake = match (
        &spec.common.datalake_storage_account_id,
        &spec.common.datalake_filesystem,
    ) {
        (None, None) => None,
        (Some(_), None) => {
            issues.push(Issue::new(
                common.and_attr("datalake_filesystem"),
                IssueKind::DatalakeIncomplete {
                    missing: "common.datalake_filesystem",
                },
            ));
            None
        }
        (None, Some(_)) => {
            issues.push(Issue::new(
                common.and_attr("datalake_storage_account_id"),
                IssueKind::DatalakeIncomplete {
                    missing: "common.datalake_storage_account_id",
                },
            ));
            None
        }
        (Some(id), Some(fs)) => {
            let account =
                ArmId::parse(id).filter(|a| a.is_type("Microsoft.Storage", &["storageAccounts"]));
            if account.is_none() {
                issues.push(Issue::new(
                    common.and_attr("datalake_storage_account_id"),
                    IssueKind::InvalidResourceId {
                        value: id.clone(),
                        expected: "the ID of the common data lake storage account, /subscriptions/{subscription}/\
                                   resourceGroups/{rg}/providers/Microsoft.Storage/storageAccounts/{name}",
                    },
                ));
            }
            if !valid_filesystem(fs) {
                issues.push(Issue::new(
                    common.and_attr("datalake_filesystem"),
                    IssueKind::InvalidFilesystem { value: fs.clone() },
                ));
            }
            account.filter(|_| valid_filesystem(fs)).map(|a| Lake {
                account_id: id.clone(),
                account_name: a.name().to_string(),
                filesystem: fs.clone(),
            })
        }
    };

    // Subnets.
    let subnets = AttrPath::attr("subnet_ids");
    let mut needed: Vec<&str> = Vec::new();
    if layout.private {
        needed.push("private_endpoints");
    }
    if layout.databricks {
        needed.extend(["dbx_public", "dbx_private"]);
    }
    let mut warnings: Vec<Issue> = Vec::new();
    let mut parsed: BTreeMap<&str, ArmId> = BTreeMap::new();
    for (purpose, needed_for) in SUBNET_PURPOSES {
        if !needed.contains(&purpose) {
            continue;
        }
        match spec.subnet_ids.get(purpose) {
            None => issues.push(Issue::new(subnets.clone(), IssueKind::MissingSubnet { purpose, needed_for })),
            Some(id) => match parse_subnet_id(id) {
                Some(a) => {
                    parsed.insert(purpose, a);
                }
                None => issues.push(Issue::new(
                    subnets.and_key(purpose),
                    IssueKind::InvalidResourceId {
                        value: id.clone(),
                        expected: "a subnet ID, /subscriptions/{subscription}/resourceGroups/{rg}/providers/\
                                   Microsoft.Network/virtualNetworks/{vnet}/subnets/{subnet}",
                    },
                )),
            },
        }
    }
    for purpose in spec.subnet_ids.keys() {
        if !needed.contains(&purpose.as_str()) {
            warnings.push(Issue::new(
                subnets.and_key(purpose.as_str()),
                IssueKind::UnusedSubnet {
                    purpose: purpose.clone(),
                },
            ));
        }
    }
    let pe_subnet_id = parsed.get("private_endpoints").map(|_| {
        spec.subnet_ids
            .get("private_endpoints")
            .cloned()
            .unwrap_or_default()
    });
    let dbx = match (parsed.get("dbx_public"), parsed.get("dbx_private")) {
        (Some(public), Some(private)) => {
            let (vp, vq) = (public.parent_id(), private.parent_id());
            let mut ok = true;
            if !vp.eq_ignore_ascii_case(&vq) {
                issues.push(Issue::new(
                    subnets.and_key("dbx_private"),
                    IssueKind::SubnetsInDifferentVnets { other: vp.clone() },
                ));
                ok = false;
            }
            for (purpose, a) in [("dbx_public", public), ("dbx_private", private)] {
                if !a.subscription.eq_ignore_ascii_case(&spec.subscription_id) {
                    issues.push(Issue::new(
                        subnets.and_key(purpose),
                        IssueKind::SubnetInOtherSubscription {
                            subscription: a.subscription.clone(),
                        },
                    ));
                    ok = false;
                }
            }
            ok.then(|| Dbx {
                vnet_id: vp,
                public_subnet: public.name().to_string(),
                private_subnet: private.name().to_string(),
            })
        }
        _ => None,
    };

    // Team.
    let team_path = AttrPath::attr("team");
    let sp = match &spec.team.service_principal_object_id {
        None => None,
        Some(text) => match guid(text) {
            Some(g) => Some(g),
            None => {
                issues.push(Issue::new(
                    team_path.and_attr("service_principal_object_id"),
                    IssueKind::InvalidGuid {
                        field: GuidField::ServicePrincipal,
                        value: text.clone(),
                    },
                ));
                None
            }
        },
    };
    let mut team: Vec<String> = Vec::new();
    let mut first_index: BTreeMap<String, usize> = BTreeMap::new();
    for (i, text) in spec.team.object_ids.iter().enumerate() {
        let path = team_path.and_attr("object_ids").and_index(i);
        let Some(g) = guid(text) else {
            issues.push(Issue::new(
                path,
                IssueKind::InvalidGuid {
                    field: GuidField::TeamMember,
                    value: text.clone(),
                },
            ));
            continue;
        };
        if let Some(first) = first_index.get(&g) {
            issues.push(Issue::new(
                path,
                IssueKind::DuplicateMember {
                    object_id: g.clone(),
                    first: *first,
                },
            ));
            continue;
        }
        if sp.as_deref() == Some(g.as_str()) {
            issues.push(Issue::new(
                path,
                IssueKind::ServicePrincipalInTeam {
                    object_id: g.clone(),
                },
            ));
            continue;
        }
        first_index.insert(g.clone(), i);
        team.push(g);
    }
    let identity_principal_id = match &spec.identity_principal_id {
        None => None,
        Some(text) => match guid(text) {
            Some(g) => Some(g),
            None => {
                issues.push(Issue::new(
                    AttrPath::attr("identity_principal_id"),
                    IssueKind::InvalidGuid {
                        field: GuidField::IdentityPrincipal,
                        value: text.clone(),
                    },
                ));
                None
            }
        },
    };

    // IP allowlist.
    let ip_path = AttrPath::attr("ip_allowlist");
    let mut ip_rules: Vec<Ipv4Net> = Vec::new();
    if spec.network_access == NetworkAccess::Private {
        if !spec.ip_allowlist.is_empty() {
            warnings.push(Issue::new(ip_path.clone(), IssueKind::IpAllowlistIgnored));
        }
    } else {
        if spec.ip_allowlist.is_empty() {
            warnings.push(Issue::new(ip_path.clone(), IssueKind::IpAllowlistEmpty));
        }
        for (i, text) in spec.ip_allowlist.iter().enumerate() {
            let path = ip_path.and_index(i);
            match parse_ipv4_net(text) {
                Ok(net) => {
                    if ip_rules.iter().any(|r| r.contains(&net)) {
                        warnings.push(Issue::new(
                            path,
                            IssueKind::DuplicateIpRule {
                                value: text.clone(),
                            },
                        ));
                    } else {
                        ip_rules.retain(|r| !net.contains(r));
                        ip_rules.push(net);
                    }
                }
                Err(e) => {
                    let (problem, suggested) = match e {
                        IpParse::Syntax => (IpProblem::Syntax, None),
                        IpParse::HostBits(n) => (IpProblem::HostBits, Some(n.cidr())),
                        IpParse::NotPublic => (IpProblem::NotPublic, None),
                        IpParse::Everything => (IpProblem::Everything, None),
                    };
                    issues.push(Issue::new(
                        path,
                        IssueKind::InvalidIpRule {
                            value: text.clone(),
                            problem,
                            suggested,
                        },
                    ));
                }
            }
        }
        ip_rules.sort();
    }

    // Tags.
    let tags_path = AttrPath::attr("tags");
    let reserved = [TAG_PROJECT, TAG_ENVIRONMENT, TAG_TYPE];
    for (key, value) in &spec.tags {
        let path = tags_path.and_key(key.as_str());
        if reserved.iter().any(|r| r.eq_ignore_ascii_case(key)) {
            issues.push(Issue::new(
                path,
                IssueKind::ReservedTag { key: key.clone() },
            ));
            continue;
        }
        let problem = if key.is_empty() {
            Some(TagProblem::EmptyKey)
        } else if key.chars().count() > 128 {
            Some(TagProblem::KeyTooLong)
        } else if let Some(c) = key
            .chars()
            .find(|c| c.is_control() || matches!(c, '<' | '>' | '%' | '&' | '\\' | '?' | '/'))
        {
            Some(TagProblem::ForbiddenChar(c))
        } else if value.chars().count() > 256 {
            Some(TagProblem::ValueTooLong)
        } else {
            None
        };
        if let Some(problem) = problem {
            issues.push(Issue::new(
                path,
                IssueKind::InvalidTag {
                    key: key.clone(),
                    problem,
                },
            ));
        }
    }
    let count = spec.tags.len() + reserved.len();
    if count > MAX_TAGS {
        issues.push(Issue::new(
            tags_path,
            IssueKind::TooManyTags {
                count,
                max: MAX_TAGS,
            },
        ));
    }

    let names = match names {
        Some(n) if issues.iter().all(|i| !i.is_error()) => n,
        _ => {
            issues.extend(warnings);
            return Err(issues);
        }
    };
    let mut tags = spec.tags.clone();
    tags.insert(TAG_PROJECT.to_string(), names.project_key.clone());
    tags.insert(
        TAG_ENVIRONMENT.to_string(),
        spec.environment.as_str().to_string(),
    );
    tags.insert(TAG_TYPE.to_string(), spec.project_type.as_str().to_string());

    Ok((
        Checked {
            names,
            dns_zone_rg_id,
            log_analytics_id: la.clone(),
            lake,
            pe_subnet_id,
            dbx,
            ip_rules,
            team,
            sp,
            identity_principal_id,
            tags,
        },
        warnings,
    ))
}
