//! Typed problems found in a project specification, with the text the user sees.

use std::fmt;

use crate::naming;
use aifactory_attrpath::AttrPath;

/// Which GUID-valued input is malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuidField {
    Tenant,
    TeamMember,
    ServicePrincipal,
    IdentityPrincipal,
    TraverseGroup,
}

impl GuidField {
    fn label(self) -> &'static str {
        match self {
            GuidField::Tenant => "The provider's tenant ID",
            GuidField::TeamMember => "This team member's object ID",
            GuidField::ServicePrincipal => "team.service_principal_object_id",
            GuidField::IdentityPrincipal => "identity_principal_id",
            GuidField::TraverseGroup => "common.datalake_traverse_group_id",
        }
    }
}

/// Why an `ip_allowlist` entry is unusable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpProblem {
    /// Not `a.b.c.d` or `a.b.c.d/n` (IPv4 only).
    Syntax,
    /// Bits set after the prefix; `suggested` is the network.
    HostBits,
    /// A private, loopback, link-local, shared or multicast range.
    NotPublic,
    /// `/0`.
    Everything,
}

/// Why a tag is unusable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagProblem {
    EmptyKey,
    KeyTooLong,
    ValueTooLong,
    ForbiddenChar(char),
}

/// A problem with the project specification, on one attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub path: AttrPath,
    pub kind: IssueKind,
}

/// What went wrong (typed, so tests and callers can match on it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueKind {
    /// A naming problem (see [`naming::IssueKind`]).
    Naming(naming::IssueKind),
    /// An input that must be an Entra object ID / tenant ID is not a GUID.
    InvalidGuid { field: GuidField, value: String },
    /// An ARM resource ID of the wrong shape or type; `expected` describes the shape.
    InvalidResourceId {
        value: String,
        expected: &'static str,
    },
    /// The data lake account in `common.datalake_storage_account_id` has a name no
    /// storage account can have (its DFS host name would be unusable).
    InvalidLakeAccountName { name: String, why: String },
    /// A subnet purpose this project needs is missing from `subnet_ids`.
    MissingSubnet {
        purpose: &'static str,
        needed_for: &'static str,
    },
    /// Warning: a `subnet_ids` entry this project does not use.
    UnusedSubnet { purpose: String },
    /// `foundry_options.account = "dedicated"` without AI Foundry.
    FoundryAccountUnused,
    /// `dbx_public` and `dbx_private` are in different virtual networks.
    SubnetsInDifferentVnets { other: String },
    /// A Databricks subnet is in another subscription than the project.
    SubnetInOtherSubscription { subscription: String },
    /// One of `common.datalake_storage_account_id` / `common.datalake_filesystem` is set
    /// without the other.
    DatalakeIncomplete { missing: &'static str },
    /// `common.datalake_filesystem` is not a valid filesystem (container) name.
    InvalidFilesystem { value: String },
    /// A team member is listed twice (`first` is the earlier index).
    DuplicateMember { object_id: String, first: usize },
    /// A principal listed in two of `team.object_ids` and the personas (`first` is where
    /// it was listed first).
    MemberInTwoLists { object_id: String, first: String },
    /// A switch or attribute that needs other services switched on.
    ServiceNeedsOthers {
        service: &'static str,
        missing: Vec<&'static str>,
    },
    /// An option outside the values the REST spec allows.
    InvalidOption {
        value: String,
        allowed: &'static [&'static str],
    },
    /// A model deployment that cannot be written.
    InvalidDeployment { name: String, problem: String },
    /// A `team.personas` key that is not a snake_case identifier.
    InvalidPersonaName { name: String },
    /// The project service principal is also listed as a team member.
    ServicePrincipalInTeam { object_id: String },
    /// An `ip_allowlist` entry is unusable.
    InvalidIpRule {
        value: String,
        problem: IpProblem,
        suggested: Option<String>,
    },
    /// Warning: an `ip_allowlist` entry repeats an earlier one (or is covered by it).
    DuplicateIpRule { value: String },
    /// Warning: `ip_allowlist` is set but `network_access = "private"` ignores it.
    IpAllowlistIgnored,
    /// Warning: `network_access = "allowlist"` with an empty list closes every service.
    IpAllowlistEmpty,
    /// A user tag uses one of the ownership tag names.
    ReservedTag { key: String },
    /// A user tag breaks Azure's tag rules.
    InvalidTag { key: String, problem: TagProblem },
    /// More tags than Azure allows on one resource (ownership tags included).
    TooManyTags { count: usize, max: usize },
    /// The ACL of a data-lake path would hold more entries in one scope than Azure allows.
    TooManyAclEntries {
        path: String,
        scope: &'static str,
        count: usize,
        max: usize,
    },
}

impl From<naming::Issue> for Issue {
    fn from(i: naming::Issue) -> Self {
        Issue {
            path: i.path,
            kind: IssueKind::Naming(i.kind),
        }
    }
}

impl Issue {
    pub fn new(path: AttrPath, kind: IssueKind) -> Self {
        Issue { path, kind }
    }

    pub fn is_warning(&self) -> bool {
        matches!(
            self.kind,
            IssueKind::UnusedSubnet { .. }
                | IssueKind::FoundryAccountUnused
                | IssueKind::DuplicateIpRule { .. }
                | IssueKind::IpAllowlistIgnored
                | IssueKind::IpAllowlistEmpty
        )
    }

    pub fn is_error(&self) -> bool {
        !self.is_warning()
    }

    fn naming(&self) -> Option<naming::Issue> {
        match &self.kind {
            IssueKind::Naming(k) => Some(naming::Issue::new(self.path.clone(), k.clone())),
            _ => None,
        }
    }

    /// One line: what is wrong.
    pub fn summary(&self) -> String {
        use IssueKind as K;
        if let Some(n) = self.naming() {
            return n.summary();
        }
        match &self.kind {
            K::Naming(_) => String::new(),
            K::InvalidGuid { field, value } => format!("{} {value:?} is not a GUID", field.label()),
            K::InvalidResourceId { value, .. } => {
                format!("{value:?} is not the expected Azure resource ID")
            }
            K::InvalidLakeAccountName { name, why } => {
                format!("{name:?} is not a storage account name: {why}")
            }
            K::MissingSubnet {
                purpose,
                needed_for,
            } => {
                format!("subnet_ids has no {purpose:?} entry, needed for {needed_for}")
            }
            K::UnusedSubnet { purpose } => {
                format!("subnet_ids[{purpose:?}] is not used by this project")
            }
            K::FoundryAccountUnused => {
                "foundry_options.account = \"dedicated\" has no effect without AI Foundry"
                    .to_string()
            }
            K::SubnetsInDifferentVnets { other } => {
                format!("The Databricks subnets are in different virtual networks (the other one is in {other})")
            }
            K::SubnetInOtherSubscription { subscription } => {
                format!(
                    "This Databricks subnet is in subscription {subscription}, not the project's"
                )
            }
            K::DatalakeIncomplete { missing } => format!("{missing} is not set"),
            K::InvalidFilesystem { value } => {
                format!("{value:?} is not a valid data lake filesystem name")
            }
            K::DuplicateMember { object_id, first } => {
                format!("{object_id} is already listed at team.object_ids[{first}]")
            }
            K::MemberInTwoLists { object_id, first } => {
                format!("{object_id} is already listed at {first}")
            }
            K::InvalidPersonaName { name } => {
                format!("{name:?} is not a persona name")
            }
            K::ServiceNeedsOthers { service, missing } => {
                format!("{service} needs {}", missing.join(", "))
            }
            K::InvalidDeployment { name, problem } => {
                format!("deployment {name:?}: {problem}")
            }
            K::InvalidOption { value, .. } => format!("{value:?} is not a valid value"),
            K::ServicePrincipalInTeam { object_id } => {
                format!("{object_id} is the project service principal and also a team member")
            }
            K::InvalidIpRule { value, problem, .. } => match problem {
                IpProblem::Syntax => format!("{value:?} is not an IPv4 address or CIDR"),
                IpProblem::HostBits => format!("{value:?} has host bits set"),
                IpProblem::NotPublic => format!("{value:?} is not a public internet range"),
                IpProblem::Everything => format!("{value:?} allows the whole internet"),
            },
            K::DuplicateIpRule { value } => {
                format!("{value:?} is already allowed by an earlier entry")
            }
            K::IpAllowlistIgnored => {
                "ip_allowlist is ignored with network_access = \"private\"".to_string()
            }
            K::IpAllowlistEmpty => {
                "network_access = \"allowlist\" with an empty ip_allowlist".to_string()
            }
            K::ReservedTag { key } => format!("Tag {key:?} is set by the provider"),
            K::InvalidTag { key, problem } => match problem {
                TagProblem::EmptyKey => "A tag has an empty name".to_string(),
                TagProblem::KeyTooLong => format!("Tag name {key:?} is longer than 128 characters"),
                TagProblem::ValueTooLong => {
                    format!("The value of tag {key:?} is longer than 256 characters")
                }
                TagProblem::ForbiddenChar(c) => format!("Tag name {key:?} contains {c:?}"),
            },
            K::TooManyTags { count, max } => {
                format!("{count} tags per resource, more than Azure's {max}")
            }
            K::TooManyAclEntries {
                path,
                scope,
                count,
                max,
            } => format!(
                "The {scope} ACL of `{path}` would hold {count} entries, more than Azure's {max}"
            ),
        }
    }

    /// How to fix it, naming the attribute and the fix.
    pub fn detail(&self) -> String {
        use IssueKind as K;
        if let Some(n) = self.naming() {
            return n.detail();
        }
        let path = &self.path;
        match &self.kind {
            K::Naming(_) => String::new(),
            K::InvalidGuid { field, .. } => match field {
                GuidField::Tenant => "Configure the provider with the Entra tenant ID (a GUID such as \
                     00000000-0000-0000-0000-000000000000)."
                    .to_string(),
                GuidField::TeamMember | GuidField::ServicePrincipal => format!(
                    "{path} must be the Entra object ID of a user, group or service principal (a GUID such \
                     as 00000000-0000-0000-0000-000000000000). For an app, use the object ID of its service \
                     principal (enterprise application), not the application (client) ID."
                ),
                GuidField::IdentityPrincipal => {
                    "identity_principal_id is computed from the project's managed identity; remove the \
                     manual value."
                        .to_string()
                }
                GuidField::TraverseGroup => format!(
                    "Set {path} to the object ID (a GUID) of the Entra group that has --x on the lake's \
                     shared folders."
                ),
            },
            K::InvalidResourceId { expected, .. } => format!("Set {path} to {expected}."),
            K::InvalidLakeAccountName { .. } => format!(
                "Storage account names are 3-24 lowercase letters and digits; set {path} to the ID of \
                 the common data lake account as Azure shows it (Properties > Resource ID)."
            ),
            K::MissingSubnet { purpose, needed_for } => format!(
                "Add subnet_ids = {{ {purpose} = \"/subscriptions/.../resourceGroups/.../providers/\
                 Microsoft.Network/virtualNetworks/.../subnets/...\" }}: {needed_for} needs it."
            ),
            K::UnusedSubnet { .. } => format!(
                "{path} has no effect for this project type and services (used purposes: private_endpoints; \
                 dbx_public and dbx_private with services.databricks). Remove it to silence this warning."
            ),
            K::FoundryAccountUnused => "No Foundry account is created: set services = { ai_foundry = true } \
                 to run AI Foundry on an account of its own, or remove foundry_options."
                .to_string(),
            K::SubnetsInDifferentVnets { .. } => "Databricks VNet injection takes one virtual network: put \
                 subnet_ids.dbx_public and subnet_ids.dbx_private in the same virtual network."
                .to_string(),
            K::SubnetInOtherSubscription { .. } => format!(
                "A VNet-injected Databricks workspace needs its virtual network in the workspace's \
                 subscription. Use a subnet of the provider's subscription for {path}."
            ),
            K::DatalakeIncomplete { missing } => format!(
                "The project's data lake folder needs both common.datalake_storage_account_id and \
                 common.datalake_filesystem. Set {missing}, or remove the other one to skip the data lake."
            ),
            K::InvalidFilesystem { .. } => format!(
                "{path} must be an existing ADLS Gen2 filesystem (container) name: 3-63 lowercase letters, \
                 digits and hyphens, starting and ending with a letter or digit, no consecutive hyphens \
                 (for example \"lake3\")."
            ),
            K::DuplicateMember { .. } => format!("Remove the duplicate {path}; each principal gets its roles once."),
            K::MemberInTwoLists { .. } => format!(
                "Remove {path}: each principal is in one list (team.object_ids or one persona) and gets \
                 that list's role set; move it to the persona whose roles it needs."
            ),
            K::ServiceNeedsOthers { service, missing } => format!(
                "Switch on {} in `services` (they are part of {service}), or switch {service} off.",
                missing
                    .iter()
                    .map(|m| format!("{m} = true"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            K::InvalidOption { allowed, .. } => {
                format!("Set {path} to one of: {}.", allowed.join(", "))
            }
            K::InvalidDeployment { .. } => format!(
                "Fix {path}: `deployments = {{ gpt = {{ model = \"gpt-4o\", version = \"2024-11-20\", sku = \"GlobalStandard\", capacity = 50 }} }}`."
            ),
            K::InvalidPersonaName { .. } => format!(
                "Name {path} with lowercase letters, digits and underscores, starting with a letter \
                 (for example data_scientists); it appears in the role assignments' descriptions."
            ),
            K::ServicePrincipalInTeam { .. } => format!(
                "Remove {path}: the service principal already gets its role assignments and ACL entries \
                 through team.service_principal_object_id."
            ),
            K::InvalidIpRule { problem, suggested, .. } => match problem {
                IpProblem::Syntax => format!(
                    "{path} must be a public IPv4 address (\"203.0.113.7\") or CIDR (\"203.0.113.0/24\"); \
                     IPv6 is not supported by the services' IP rules."
                ),
                IpProblem::HostBits => format!(
                    "{path} must start at a multiple of its size. Use {} instead.",
                    suggested.as_deref().unwrap_or("the network address")
                ),
                IpProblem::NotPublic => format!(
                    "Service IP rules only see public internet addresses; Azure Storage rejects private \
                     ranges. Remove {path} and reach the services from private networks with \
                     network_access = \"private\" (private endpoints)."
                ),
                IpProblem::Everything => format!(
                    "{path} would open the services to the whole internet. List the public ranges that \
                     need access instead."
                ),
            },
            K::DuplicateIpRule { .. } => format!("Remove {path}; it adds nothing."),
            K::IpAllowlistIgnored => "With network_access = \"private\" the services have public access \
                 disabled and are reached through private endpoints. Remove ip_allowlist, or set \
                 network_access = \"allowlist\"."
                .to_string(),
            K::IpAllowlistEmpty => "Every service denies public access by default and no private endpoints \
                 are created in allowlist mode, so nothing can reach them. Add the public ranges to \
                 ip_allowlist, or use network_access = \"private\"."
                .to_string(),
            K::ReservedTag { key } => format!(
                "The provider sets {key:?} itself (ownership tags aifactory-project, aifactory-environment \
                 and aifactory-type, compared case-insensitively). Remove {path} or rename it."
            ),
            K::InvalidTag { problem, .. } => match problem {
                TagProblem::EmptyKey => "Give every tag a non-empty name.".to_string(),
                TagProblem::KeyTooLong => format!(
                    "Tag names are limited to 128 characters on storage accounts (512 elsewhere). Shorten {path}."
                ),
                TagProblem::ValueTooLong => format!("Tag values are limited to 256 characters. Shorten {path}."),
                TagProblem::ForbiddenChar(_) => format!(
                    "Tag names cannot contain < > % & \\ ? / or control characters. Rename {path}."
                ),
            },
            K::TooManyTags { max, .. } => format!(
                "Azure allows {max} tags per resource and the provider adds 3 ownership tags. Remove tags \
                 from tags."
            ),
            K::TooManyAclEntries { max, .. } => format!(
                "Azure allows {max} entries per scope in one ACL, 4 of them the base entries (owner, owning \
                 group, mask, others), and the project gives each member of team.object_ids, its service \
                 principal and its identity an entry on its folder. Put the team in one Entra group and list \
                 the group in team.object_ids (principal_type = \"Group\")."
            ),
        }
    }
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_root() {
            f.write_str(&self.summary())
        } else {
            write!(f, "{}: {}", self.path, self.summary())
        }
    }
}
