//! What can be wrong with a common part's inputs, typed and on the attribute it concerns;
//! the provider turns these into diagnostics.

use std::fmt;

use aifactory_attrpath::AttrPath;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommonIssue {
    pub path: AttrPath,
    pub kind: CommonIssueKind,
}

impl CommonIssue {
    pub fn new(path: AttrPath, kind: CommonIssueKind) -> Self {
        CommonIssue { path, kind }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommonIssueKind {
    NameTooLong {
        what: &'static str,
        name: String,
        max: usize,
    },
    NameTooShort {
        what: &'static str,
        name: String,
        min: usize,
    },
    /// `subnets` has no `common` (the private endpoints go there).
    NoCommonSubnet,
    InvalidGuid {
        value: String,
    },
    /// Hub peering asks for the hub's gateway without writing the hub side.
    GatewayWithoutRemote,
    /// `bastion = true` without the `bastion` subnet.
    NoBastionSubnet,
    /// A `bastion` subnet without `bastion = true`.
    BastionSubnetWithoutBastion,
    /// The `bastion` subnet is smaller than Bastion's /26.
    BastionSubnetTooSmall {
        cidr: String,
    },
    /// Not a Defender for Cloud plan.
    UnknownDefenderPlan {
        value: String,
    },
    /// A jump host admin user name Azure refuses.
    InvalidAdminUsername {
        value: String,
        why: String,
    },
    /// Not an OpenSSH public key of a type the jump host takes.
    InvalidSshPublicKey,
}

impl CommonIssueKind {
    /// A short summary.
    pub fn summary(&self) -> &'static str {
        match self {
            CommonIssueKind::NameTooLong { .. } => "Name too long",
            CommonIssueKind::NameTooShort { .. } => "Name too short",
            CommonIssueKind::NoCommonSubnet => "The common subnet is missing",
            CommonIssueKind::InvalidGuid { .. } => "Not an object ID",
            CommonIssueKind::GatewayWithoutRemote => "The hub side is needed",
            CommonIssueKind::NoBastionSubnet => "The Bastion subnet is missing",
            CommonIssueKind::BastionSubnetWithoutBastion => "A Bastion subnet without Bastion",
            CommonIssueKind::BastionSubnetTooSmall { .. } => "The Bastion subnet is too small",
            CommonIssueKind::UnknownDefenderPlan { .. } => "Unknown Defender plan",
            CommonIssueKind::InvalidAdminUsername { .. } => "Admin user name not allowed",
            CommonIssueKind::InvalidSshPublicKey => "Not an SSH public key",
        }
    }
}

impl fmt::Display for CommonIssueKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommonIssueKind::NameTooLong { what, name, max } => write!(
                f,
                "The {what} name {name:?} has {} characters; Azure allows {max}. Shorten `naming.prefix` or `naming.location_short`.",
                name.len()
            ),
            CommonIssueKind::NameTooShort { what, name, min } => write!(
                f,
                "The {what} name {name:?} is shorter than Azure's {min} characters. Give `datalake.name_prefix` letters or digits."
            ),
            CommonIssueKind::NoCommonSubnet => f.write_str(
                "`subnets` must hold `common`: the common private endpoints (data lake, key vaults, registry) are placed in it. Add `common = 26` (a prefix length).",
            ),
            CommonIssueKind::InvalidGuid { value } => write!(
                f,
                "{value:?} is not an Entra object ID (a GUID such as 00000000-0000-0000-0000-000000000000)."
            ),
            CommonIssueKind::GatewayWithoutRemote => f.write_str(
                "`use_remote_gateways = true` needs the hub side to allow gateway transit: set `create_remote = true`, or have the hub team set allowGatewayTransit on their peering and leave `use_remote_gateways` false until then.",
            ),
            CommonIssueKind::NoBastionSubnet => f.write_str(
                "`bastion = true` needs the `bastion` subnet (AzureBastionSubnet): the provider adds it at /26 unless `subnets` sizes it (`bastion = 26` or a smaller number).",
            ),
            CommonIssueKind::BastionSubnetWithoutBastion => f.write_str(
                "`subnets.bastion` is AzureBastionSubnet, which only Azure Bastion uses: set `bastion = true`, or remove `bastion` from `subnets`.",
            ),
            CommonIssueKind::BastionSubnetTooSmall { cidr } => write!(
                f,
                "AzureBastionSubnet {cidr} is smaller than the /{} Azure Bastion needs: set `subnets.bastion` to {} or less.",
                super::spec::BASTION_MAX_PREFIX,
                super::spec::BASTION_MAX_PREFIX
            ),
            CommonIssueKind::UnknownDefenderPlan { value } => write!(
                f,
                "{value:?} is not a Defender for Cloud plan; use one of {}.",
                super::spec::DEFENDER_PLANS.join(", ")
            ),
            CommonIssueKind::InvalidAdminUsername { value, why } => write!(
                f,
                "The jump host's admin user name {value:?} {why}: choose another, for example \"azureuser\"."
            ),
            CommonIssueKind::InvalidSshPublicKey => f.write_str(
                "`jump_host.ssh_public_key` must be one OpenSSH public key line starting with `ssh-rsa`, `ssh-ed25519` or `ecdsa-sha2-` (the contents of `~/.ssh/id_ed25519.pub`, not the private key).",
            ),
        }
    }
}
