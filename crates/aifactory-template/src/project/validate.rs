//! Validation of a [`ProjectSpec`] into the checked facts the builders use ([`Checked`],
//! in `checked`), with typed issues on exact attribute paths. One step per part of the
//! spec. Imports the spec, the catalog (`services`: which services need which subnets)
//! and leaves of `project` (checked, ids, ipnet, issue); knows no Terraform values, no I/O.

use std::collections::BTreeMap;

use crate::naming::{rule_for, Guid, NameKind, ProjectNames};
use aifactory_attrpath::AttrPath;

use super::checked::{Checked, Dbx, Lake, Member};
use super::ids::{parse_resource_group_id, parse_subnet_id, ArmId};
use super::ipnet::{parse_ipv4_net, IpParse, Ipv4Net};
use super::issue::{GuidField, IpProblem, Issue, IssueKind, TagProblem};
use super::spec::{
    FoundryAccount, Layout, NetworkAccess, ProjectSpec, RoleSet, TeamPrincipalType, MAX_TAGS,
    TAG_ENVIRONMENT, TAG_PROJECT, TAG_TYPE,
};

/// The private endpoints' subnet; every other purpose is a service's (`services::*`).
pub(super) const PRIVATE_ENDPOINTS: (&str, &str) = (
    "private_endpoints",
    "the private endpoints (network_access = \"private\")",
);

/// Every subnet purpose: the private endpoints' and each catalog service's, in order.
pub(super) fn subnet_purposes() -> Vec<(&'static str, &'static str)> {
    let mut out = vec![PRIVATE_ENDPOINTS];
    for s in super::services::CATALOG {
        for n in s.subnets {
            if !out.iter().any(|(p, _)| *p == n.purpose) {
                out.push((n.purpose, n.needed_for));
            }
        }
    }
    out
}

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

/// Validates the spec for `layout`: `Ok((checked, warnings))`, or every issue found
/// (errors, then the warnings) when any is an error. Each step below reports on its own
/// attributes, in this order.
pub(super) fn check(
    spec: &ProjectSpec,
    layout: &Layout,
) -> Result<(Checked, Vec<Issue>), Vec<Issue>> {
    let mut issues: Vec<Issue> = Vec::new();
    let mut warnings: Vec<Issue> = Vec::new();

    let names = check_names(spec, layout, &mut issues);
    check_tenant(spec, &mut issues);
    let dns_zone_rg_id = check_dns_zone_resource_group(spec, &mut issues);
    check_log_analytics(spec, &mut issues);
    let lake = check_lake(spec, &mut issues);
    let subnets = check_subnets(spec, layout, &mut issues, &mut warnings);
    let traverse_group = check_principal(
        spec.common.datalake_traverse_group_id.as_deref(),
        AttrPath::attr("common").and_attr("datalake_traverse_group_id"),
        GuidField::TraverseGroup,
        &mut issues,
    );
    let agent_subnet_id = subnets
        .get("agent")
        .and_then(|_| spec.subnet_ids.get("agent").cloned());
    let aca_subnet_id = subnets
        .get("aca")
        .and_then(|_| spec.subnet_ids.get("aca").cloned());
    check_service_needs(spec, layout, &mut issues, &mut warnings);
    check_deployments(spec, layout, &mut issues);
    check_search_options(spec, &mut issues);
    let pe_subnet_id = subnets.get("private_endpoints").map(|_| {
        spec.subnet_ids
            .get("private_endpoints")
            .cloned()
            .unwrap_or_default()
    });
    let dbx = check_databricks_subnets(spec, &subnets, &mut issues);
    let team_path = AttrPath::attr("team");
    let sp = check_principal(
        spec.team.service_principal_object_id.as_deref(),
        team_path.and_attr("service_principal_object_id"),
        GuidField::ServicePrincipal,
        &mut issues,
    );
    let team = check_team(spec, sp.as_deref(), &mut issues);
    let identity_principal_id = check_principal(
        spec.identity_principal_id.as_deref(),
        AttrPath::attr("identity_principal_id"),
        GuidField::IdentityPrincipal,
        &mut issues,
    );
    let ip_rules = check_ip_allowlist(spec, &mut issues, &mut warnings);
    check_tags(spec, &mut issues);

    let names = match names {
        Some(n) if issues.iter().all(|i| !i.is_error()) => n,
        _ => {
            issues.extend(warnings);
            return Err(issues);
        }
    };
    let tags = project_tags(spec, &names);

    Ok((
        Checked {
            names,
            dns_zone_rg_id,
            log_analytics_id: spec.common.log_analytics_workspace_id.clone(),
            lake,
            pe_subnet_id,
            agent_subnet_id,
            aca_subnet_id,
            traverse_group,
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

/// The names, keeping only the issues of names this project uses.
fn check_names(
    spec: &ProjectSpec,
    layout: &Layout,
    issues: &mut Vec<Issue>,
) -> Option<ProjectNames> {
    match spec.compose_names() {
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
    }
}

/// The provider's tenant ID is a GUID.
fn check_tenant(spec: &ProjectSpec, issues: &mut Vec<Issue>) {
    if guid(&spec.tenant_id).is_none() {
        issues.push(Issue::new(
            AttrPath::root(),
            IssueKind::InvalidGuid {
                field: GuidField::Tenant,
                value: spec.tenant_id.clone(),
            },
        ));
    }
}

/// `common.private_dns_zone_resource_group_id`, normalized (empty when invalid).
fn check_dns_zone_resource_group(spec: &ProjectSpec, issues: &mut Vec<Issue>) -> String {
    let dns_path = AttrPath::attr("common").and_attr("private_dns_zone_resource_group_id");
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
    }
}

/// `common.log_analytics_workspace_id` is a Log Analytics workspace ID.
fn check_log_analytics(spec: &ProjectSpec, issues: &mut Vec<Issue>) {
    let la = &spec.common.log_analytics_workspace_id;
    if !ArmId::parse(la)
        .is_some_and(|a| a.is_type("Microsoft.OperationalInsights", &["workspaces"]))
    {
        issues.push(Issue::new(
            AttrPath::attr("common").and_attr("log_analytics_workspace_id"),
            IssueKind::InvalidResourceId {
                value: la.clone(),
                expected: "the ID of the common Log Analytics workspace, /subscriptions/{subscription}/\
                           resourceGroups/{rg}/providers/Microsoft.OperationalInsights/workspaces/{name}",
            },
        ));
    }
}

/// The common data lake: both of account and filesystem, or neither.
fn check_lake(spec: &ProjectSpec, issues: &mut Vec<Issue>) -> Option<Lake> {
    let common = AttrPath::attr("common");
    match (
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
            let named = account.as_ref().map(|a| {
                let name = a.name().to_string();
                let why = rule_for(NameKind::Storage).check(&name).err();
                (name, why)
            });
            if let Some((name, Some(why))) = &named {
                issues.push(Issue::new(
                    common.and_attr("datalake_storage_account_id"),
                    IssueKind::InvalidLakeAccountName {
                        name: name.clone(),
                        why: why.to_string(),
                    },
                ));
            }
            let account = account.filter(|_| matches!(named, Some((_, None))));
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
    }
}

/// `subnet_ids`: the purposes this layout needs, parsed (missing or malformed ones are
/// errors); purposes it does not need are warnings.
fn check_subnets(
    spec: &ProjectSpec,
    layout: &Layout,
    issues: &mut Vec<Issue>,
    warnings: &mut Vec<Issue>,
) -> BTreeMap<&'static str, ArmId> {
    let subnets = AttrPath::attr("subnet_ids");
    let mut needed: Vec<&str> = Vec::new();
    if layout.private {
        needed.push("private_endpoints");
    }
    for s in super::services::enabled(layout) {
        for n in s.subnets {
            if (n.needed)(layout) && (layout.private || !n.private_only) {
                needed.push(n.purpose);
            }
        }
    }
    let mut parsed: BTreeMap<&'static str, ArmId> = BTreeMap::new();
    for (purpose, needed_for) in subnet_purposes() {
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
    parsed
}

/// Switches that need others: AI Foundry on the AI Services account needs it (not on an
/// account of its own); the Agent service needs Foundry, AI Search and Cosmos DB (its
/// vector, file and thread stores).
fn check_service_needs(
    spec: &ProjectSpec,
    layout: &Layout,
    issues: &mut Vec<Issue>,
    warnings: &mut Vec<Issue>,
) {
    if spec.foundry_account == FoundryAccount::Dedicated && !layout.foundry {
        warnings.push(Issue::new(
            AttrPath::attr("foundry_options").and_key("account"),
            IssueKind::FoundryAccountUnused,
        ));
    }
    let on = |s: &str| spec.services.on(spec.project_type, s);
    let services = AttrPath::attr("services");
    let mut need = |switch: &'static str, requires: &[&'static str]| {
        if !on(switch) {
            return;
        }
        let missing: Vec<&'static str> = requires.iter().copied().filter(|r| !on(r)).collect();
        if !missing.is_empty() {
            issues.push(Issue::new(
                services.and_key(switch),
                IssueKind::ServiceNeedsOthers {
                    service: switch,
                    missing,
                },
            ));
        }
    };
    if layout.foundry_dedicated {
        need("agent_service", &["ai_foundry", "ai_search", "cosmos_db"]);
    } else {
        need("ai_foundry", &["ai_services"]);
        need(
            "agent_service",
            &["ai_foundry", "ai_services", "ai_search", "cosmos_db"],
        );
    }
}

/// `deployments`: only on a Foundry account; names, models, SKUs and capacities sane.
fn check_deployments(spec: &ProjectSpec, layout: &Layout, issues: &mut Vec<Issue>) {
    let path = AttrPath::attr("deployments");
    if !spec.deployments.is_empty() && !layout.foundry {
        issues.push(Issue::new(
            path.clone(),
            IssueKind::ServiceNeedsOthers {
                service: "deployments",
                missing: vec!["ai_foundry"],
            },
        ));
    }
    for d in &spec.deployments {
        let at = path.and_key(d.name.clone());
        let name_ok = (2..=64).contains(&d.name.len())
            && d.name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            && d.name.starts_with(|c: char| c.is_ascii_alphanumeric());
        if !name_ok {
            issues.push(Issue::new(
                at.clone(),
                IssueKind::InvalidDeployment {
                    name: d.name.clone(),
                    problem: "a deployment name is 2-64 letters, digits, '-', '_' or '.', starting with a letter or digit".into(),
                },
            ));
        }
        if d.model.trim().is_empty() {
            issues.push(Issue::new(
                at.and_attr("model"),
                IssueKind::InvalidDeployment {
                    name: d.name.clone(),
                    problem: "model is empty; set it to the model's name (for example \"gpt-4o\")"
                        .into(),
                },
            ));
        }
        if !(1..=100_000).contains(&d.capacity) {
            issues.push(Issue::new(
                at.and_attr("capacity"),
                IssueKind::InvalidDeployment {
                    name: d.name.clone(),
                    problem: format!(
                        "capacity {} is out of range; it is a whole number from 1 (thousands of tokens per minute for Standard SKUs)",
                        d.capacity
                    ),
                },
            ));
        }
    }
}

/// `search_options`: values of the stable spec's enums.
fn check_search_options(spec: &ProjectSpec, issues: &mut Vec<Issue>) {
    let path = AttrPath::attr("search_options");
    let pairs: [(&str, &Option<String>, &[&str]); 2] = [
        ("sku", &spec.search.sku, &super::spec::SearchOptions::SKUS),
        (
            "semantic_ranker",
            &spec.search.semantic_ranker,
            &super::spec::SearchOptions::SEMANTIC,
        ),
    ];
    for (attr, value, allowed) in pairs {
        if let Some(v) = value {
            if !allowed.contains(&v.as_str()) {
                issues.push(Issue::new(
                    path.and_attr(attr),
                    IssueKind::InvalidOption {
                        value: v.clone(),
                        allowed,
                    },
                ));
            }
        }
    }
}

/// The Databricks VNet injection: both subnets in one vNet of the project's subscription.
fn check_databricks_subnets(
    spec: &ProjectSpec,
    parsed: &BTreeMap<&'static str, ArmId>,
    issues: &mut Vec<Issue>,
) -> Option<Dbx> {
    let subnets = AttrPath::attr("subnet_ids");
    let (Some(public), Some(private)) = (parsed.get("dbx_public"), parsed.get("dbx_private"))
    else {
        return None;
    };
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

/// An optional principal's object ID, normalized (`None` when absent or not a GUID; the
/// latter is an error at `path`).
fn check_principal(
    text: Option<&str>,
    path: AttrPath,
    field: GuidField,
    issues: &mut Vec<Issue>,
) -> Option<String> {
    let text = text?;
    let g = guid(text);
    if g.is_none() {
        issues.push(Issue::new(
            path,
            IssueKind::InvalidGuid {
                field,
                value: text.to_string(),
            },
        ));
    }
    g
}

/// One list of the team: its path, persona name (`None`: `team.object_ids`), object IDs,
/// principal type and role set.
type MemberList<'a> = (
    AttrPath,
    Option<&'a str>,
    &'a [String],
    TeamPrincipalType,
    RoleSet,
);

/// `team.object_ids` and `team.personas`: GUIDs, lowercase, each principal once across all
/// lists, never the service principal; persona names are snake_case identifiers.
fn check_team(spec: &ProjectSpec, sp: Option<&str>, issues: &mut Vec<Issue>) -> Vec<Member> {
    let team_path = AttrPath::attr("team");
    let mut team: Vec<Member> = Vec::new();
    let mut lists: Vec<MemberList> = vec![(
        team_path.and_attr("object_ids"),
        None,
        &spec.team.object_ids,
        spec.team.principal_type,
        RoleSet::Developer,
    )];
    for p in &spec.team.personas {
        let path = team_path.and_attr("personas").and_key(p.name.clone());
        let valid = !p.name.is_empty()
            && p.name.len() <= 64
            && p.name.starts_with(|c: char| c.is_ascii_lowercase())
            && p.name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            issues.push(Issue::new(
                path.clone(),
                IssueKind::InvalidPersonaName {
                    name: p.name.clone(),
                },
            ));
            continue;
        }
        lists.push((
            path.and_attr("object_ids"),
            Some(p.name.as_str()),
            &p.object_ids,
            p.principal_type,
            p.role_set,
        ));
    }
    // Where each principal was first listed: (list path, index).
    let mut first: BTreeMap<String, (AttrPath, usize)> = BTreeMap::new();
    for (list_path, persona, ids, principal_type, role_set) in lists {
        check_list(&list_path, ids, sp, &mut first, issues, |g| {
            team.push(Member {
                object_id: g,
                principal_type,
                role_set,
                persona: persona.map(str::to_string),
            })
        });
    }
    team
}

/// One list of object IDs: GUIDs, each principal once across lists, not the service
/// principal; `keep` takes each good one.
fn check_list(
    list_path: &AttrPath,
    ids: &[String],
    sp: Option<&str>,
    first: &mut BTreeMap<String, (AttrPath, usize)>,
    issues: &mut Vec<Issue>,
    mut keep: impl FnMut(String),
) {
    for (i, text) in ids.iter().enumerate() {
        let path = list_path.and_index(i);
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
        if let Some((where_, at)) = first.get(&g) {
            let kind = if where_ == list_path {
                IssueKind::DuplicateMember {
                    object_id: g.clone(),
                    first: *at,
                }
            } else {
                IssueKind::MemberInTwoLists {
                    object_id: g.clone(),
                    first: where_.and_index(*at).to_string(),
                }
            };
            issues.push(Issue::new(path, kind));
            continue;
        }
        if sp == Some(g.as_str()) {
            issues.push(Issue::new(
                path,
                IssueKind::ServicePrincipalInTeam {
                    object_id: g.clone(),
                },
            ));
            continue;
        }
        first.insert(g.clone(), (list_path.clone(), i));
        keep(g);
    }
}

/// `ip_allowlist`: public IPv4 networks, sorted, without entries another one covers
/// (ignored, with a warning, when the project is private).
fn check_ip_allowlist(
    spec: &ProjectSpec,
    issues: &mut Vec<Issue>,
    warnings: &mut Vec<Issue>,
) -> Vec<Ipv4Net> {
    let ip_path = AttrPath::attr("ip_allowlist");
    let mut ip_rules: Vec<Ipv4Net> = Vec::new();
    if spec.network_access == NetworkAccess::Private {
        if !spec.ip_allowlist.is_empty() {
            warnings.push(Issue::new(ip_path.clone(), IssueKind::IpAllowlistIgnored));
        }
        return ip_rules;
    }
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
    ip_rules
}

/// The ownership tags every resource gets besides the user's.
const RESERVED_TAGS: [&str; 3] = [TAG_PROJECT, TAG_ENVIRONMENT, TAG_TYPE];

/// User `tags`: not reserved, Azure's key and value rules, at most [`MAX_TAGS`] with ours.
fn check_tags(spec: &ProjectSpec, issues: &mut Vec<Issue>) {
    let tags_path = AttrPath::attr("tags");
    for (key, value) in &spec.tags {
        let path = tags_path.and_key(key.as_str());
        if RESERVED_TAGS.iter().any(|r| r.eq_ignore_ascii_case(key)) {
            issues.push(Issue::new(
                path,
                IssueKind::ReservedTag { key: key.clone() },
            ));
            continue;
        }
        if let Some(problem) = tag_problem(key, value) {
            issues.push(Issue::new(
                path,
                IssueKind::InvalidTag {
                    key: key.clone(),
                    problem,
                },
            ));
        }
    }
    let count = spec.tags.len() + RESERVED_TAGS.len();
    if count > MAX_TAGS {
        issues.push(Issue::new(
            tags_path,
            IssueKind::TooManyTags {
                count,
                max: MAX_TAGS,
            },
        ));
    }
}

/// What is wrong with one user tag, if anything (the first rule it breaks).
fn tag_problem(key: &str, value: &str) -> Option<TagProblem> {
    if key.is_empty() {
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
    }
}

/// The user's tags plus the ownership tags.
fn project_tags(spec: &ProjectSpec, names: &ProjectNames) -> BTreeMap<String, String> {
    let mut tags = spec.tags.clone();
    tags.insert(TAG_PROJECT.to_string(), names.project_key.clone());
    tags.insert(
        TAG_ENVIRONMENT.to_string(),
        spec.environment.as_str().to_string(),
    );
    tags.insert(TAG_TYPE.to_string(), spec.project_type.as_str().to_string());
    tags
}
