//! The inputs of one stage's common environment ([`CommonSpec`]): what `aifactory_common`
//! decodes its configuration into, plus the provider's facts (subscription, tenant, cloud)
//! and the common subnets' CIDRs (decided by the provider with the allocator, so this
//! crate stays free of it).
//!
//! Owns the shapes and their defaults; must not know Terraform values or Azure.

use std::collections::BTreeMap;

use crate::naming::{Environment, SaltMode};
use crate::project::{Cloud, TeamPrincipalType};

/// One stage's common environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommonSpec {
    pub subscription_id: String,
    pub tenant_id: String,
    pub cloud: Cloud,
    pub environment: Environment,
    /// Azure region (`swedencentral`).
    pub location: String,
    pub naming: CommonNaming,
    pub network: CommonNetwork,
    pub dns: DnsSpec,
    pub hub_peering: Option<HubPeering>,
    pub datalake: LakeSpec,
    /// The common container registry (Premium, private).
    pub container_registry: bool,
    /// Log Analytics retention.
    pub log_retention_days: u32,
    /// Diagnostic settings to the common Log Analytics workspace for what this creates.
    pub diagnostics: bool,
    pub core_team: CoreTeam,
    /// User tags (ownership tags are added).
    pub tags: BTreeMap<String, String>,
    /// Azure Bastion (Standard, with its public IP) in the `bastion` subnet
    /// (`AzureBastionSubnet`), which `network.subnets` must then hold.
    pub bastion: bool,
    /// Defender for Cloud plans set to Standard in the subscription (names from
    /// [`DEFENDER_PLANS`], any case).
    pub defender_plans: Vec<String>,
    /// A Linux jump host in the `common` subnet (no public IP).
    pub jump_host: Option<JumpHost>,
}

/// `jump_host`: a Linux VM (Ubuntu 24.04 LTS) reached through Bastion or the hub, SSH key
/// only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JumpHost {
    /// The VM's admin user (Azure: 1 to 64 characters, not a reserved name).
    pub admin_username: String,
    /// An OpenSSH public key (`ssh-rsa`, `ssh-ed25519` or `ecdsa-sha2-*`): not a secret.
    pub ssh_public_key: String,
    /// The VM size (`Standard_B2s`).
    pub size: String,
}

/// Admin user names Azure refuses for a VM (learn.microsoft.com, Linux VM FAQ "What are
/// the username requirements when creating a VM?"), compared without case.
pub const RESERVED_ADMIN_USERNAMES: [&str; 32] = [
    "administrator",
    "admin",
    "user",
    "user1",
    "test",
    "user2",
    "test1",
    "user3",
    "admin1",
    "1",
    "123",
    "a",
    "actuser",
    "adm",
    "admin2",
    "aspnet",
    "backup",
    "console",
    "david",
    "guest",
    "john",
    "owner",
    "root",
    "server",
    "sql",
    "support",
    "support_388945a0",
    "sys",
    "test2",
    "test3",
    "user4",
    "user5",
];

/// The longest admin user name Azure takes for a Linux VM.
pub const ADMIN_USERNAME_MAX: usize = 64;

/// The key types a jump host takes (the public key's first word).
pub const SSH_KEY_TYPES: [&str; 3] = ["ssh-rsa", "ssh-ed25519", "ecdsa-sha2-"];

/// Why an admin user name is refused, if it is.
pub fn admin_username_problem(name: &str) -> Option<String> {
    if name.is_empty() || name.len() > ADMIN_USERNAME_MAX {
        return Some(format!(
            "must be 1 to {ADMIN_USERNAME_MAX} characters (it has {})",
            name.len()
        ));
    }
    if RESERVED_ADMIN_USERNAMES
        .iter()
        .any(|r| r.eq_ignore_ascii_case(name))
    {
        return Some("is one of the names Azure reserves (admin, root, user, test, ...)".into());
    }
    let ok = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
        && !name.starts_with(['-', '.'])
        && !name.ends_with('.');
    if !ok {
        return Some(
            "may hold only letters, digits, `_`, `-` and `.`, and must not start with `-` or `.` or end with `.`".into(),
        );
    }
    None
}

/// Whether `key` looks like an OpenSSH public key of a type a jump host takes.
pub fn ssh_public_key_ok(key: &str) -> bool {
    let mut parts = key.split_whitespace();
    let (Some(kind), Some(data)) = (parts.next(), parts.next()) else {
        return false;
    };
    SSH_KEY_TYPES.iter().any(|t| {
        if t.ends_with('-') {
            kind.starts_with(t) && kind.len() > t.len()
        } else {
            kind == *t
        }
    }) && data.starts_with("AAAA")
}

/// Defender for Cloud's plan names (`Microsoft.Security/pricings/{name}`, 2024-01-01;
/// learn.microsoft.com "Microsoft Defender for Cloud plans").
pub const DEFENDER_PLANS: [&str; 16] = [
    "AI",
    "Api",
    "AppServices",
    "Arm",
    "CloudPosture",
    "ContainerRegistry",
    "Containers",
    "CosmosDbs",
    "Dns",
    "KeyVaults",
    "KubernetesService",
    "OpenSourceRelationalDatabases",
    "SqlServerVirtualMachines",
    "SqlServers",
    "StorageAccounts",
    "VirtualMachines",
];

/// The canonical spelling of a Defender plan name (case ignored), if it is one.
pub fn defender_plan(name: &str) -> Option<&'static str> {
    DEFENDER_PLANS
        .iter()
        .copied()
        .find(|p| p.eq_ignore_ascii_case(name.trim()))
}

/// The largest prefix length Azure Bastion's subnet may have (/26 or larger, since
/// November 2021: learn.microsoft.com "About Azure Bastion configuration settings").
pub const BASTION_MAX_PREFIX: u8 = 26;

/// `naming`: ESML's name parts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CommonNaming {
    /// `acme-` (ESML's `commonRGNamePrefix`), may be empty.
    pub prefix: String,
    /// `weu` (ESML's `locationSuffix`).
    pub location_short: String,
    /// `-001` (ESML's `commonResourceSuffix`).
    pub suffix: String,
    /// Whose salt the globally unique names carry (ESML's `uniqueString` salt to adopt an
    /// ESML-made common part).
    pub salt: SaltMode,
}

/// Where the stage's virtual network comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VirtualNetwork {
    /// Created here with this address space.
    Create { address_space: Vec<String> },
    /// An existing one (a landing zone's spoke): subnets are added to it, it is never
    /// deleted.
    Existing { id: String },
}

/// A common subnet's purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CommonSubnetPurpose {
    /// ESML's `snet-esml-cmn-001`: the common private endpoints (lake, key vaults,
    /// registry), jump hosts and build agents.
    Common,
    /// ESML's `snet-esml-cmn-001-scoring`.
    Scoring,
    /// ESML's `snet-esml-cmn-pbi-001`, delegated to the Power BI vNet data gateway.
    PowerBiGateway,
    /// `AzureBastionSubnet` (the one name Bastion deploys into; ESML's .192/26).
    Bastion,
}

impl CommonSubnetPurpose {
    pub const ALL: [CommonSubnetPurpose; 4] = [
        CommonSubnetPurpose::Common,
        CommonSubnetPurpose::Scoring,
        CommonSubnetPurpose::PowerBiGateway,
        CommonSubnetPurpose::Bastion,
    ];

    /// The key users write in `subnets`.
    pub fn as_str(self) -> &'static str {
        match self {
            CommonSubnetPurpose::Common => "common",
            CommonSubnetPurpose::Scoring => "scoring",
            CommonSubnetPurpose::PowerBiGateway => "powerbi_gateway",
            CommonSubnetPurpose::Bastion => "bastion",
        }
    }

    /// The subnet's name: ESML's (esml.md §5.1) with the common suffix (`-001`).
    pub fn subnet_name(self, suffix: &str) -> String {
        match self {
            CommonSubnetPurpose::Common => format!("snet-esml-cmn{suffix}"),
            CommonSubnetPurpose::Scoring => format!("snet-esml-cmn{suffix}-scoring"),
            CommonSubnetPurpose::PowerBiGateway => format!("snet-esml-cmn-pbi{suffix}"),
            CommonSubnetPurpose::Bastion => "AzureBastionSubnet".to_string(),
        }
    }

    pub fn parse(s: &str) -> Option<CommonSubnetPurpose> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// The delegation ESML sets.
    pub fn delegation(self) -> Option<&'static str> {
        match self {
            CommonSubnetPurpose::PowerBiGateway => Some("Microsoft.PowerPlatform/vnetaccesslinks"),
            _ => None,
        }
    }

    /// Service endpoints ESML sets on the subnet (esml.md §5.1).
    pub fn service_endpoints(self) -> &'static [&'static str] {
        match self {
            CommonSubnetPurpose::Common => &[
                "Microsoft.KeyVault",
                "Microsoft.Storage",
                "Microsoft.CognitiveServices",
            ],
            CommonSubnetPurpose::Scoring => &[
                "Microsoft.KeyVault",
                "Microsoft.ContainerRegistry",
                "Microsoft.Storage",
            ],
            CommonSubnetPurpose::PowerBiGateway | CommonSubnetPurpose::Bastion => &[],
        }
    }
}

/// One common subnet and the CIDR the allocator gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommonSubnet {
    pub purpose: CommonSubnetPurpose,
    pub cidr: String,
}

/// `virtual_network` and `subnets`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommonNetwork {
    pub vnet: VirtualNetwork,
    /// Must hold `common` (the private endpoints go there).
    pub subnets: Vec<CommonSubnet>,
    /// A route table sending everything to the hub firewall at this IP, on every subnet.
    pub route_to_firewall: Option<String>,
}

/// `private_dns`: where the `privatelink.*` zones are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsSpec {
    pub zones: DnsZones,
    /// Link the zones to the stage's vNet (hub zones: optional, the hub may link them).
    pub link: bool,
    /// Private endpoints get DNS zone groups; `false` when the landing zone's DNS policy
    /// ("deploy-if-not-exists" on private endpoints) writes the records.
    pub zone_groups: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsZones {
    /// Every zone an AI Factory needs, created in the stage's DNS resource group.
    Create,
    /// The hub's zones, in this resource group (not managed here).
    Hub { resource_group_id: String },
}

/// `hub_peering`: peer the stage's vNet with the hub's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubPeering {
    pub remote_virtual_network_id: String,
    /// Also write the hub side (needs write access to the hub vNet).
    pub create_remote: bool,
    /// Route through the hub's gateway (`useRemoteGateways` here, `allowGatewayTransit`
    /// on the hub side).
    pub use_remote_gateways: bool,
}

/// `datalake`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LakeSpec {
    /// ESML's `lake3`.
    pub filesystem: String,
    /// ESML's lake name prefix (`<prefix ≤ 8><salt>esml<suffix digits><env>`), default `lake`.
    pub name_prefix: String,
}

/// `core_team`: the AI Factory's own team.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CoreTeam {
    pub object_ids: Vec<String>,
    pub principal_type: TeamPrincipalType,
}

/// ESML's folders at the lake's root.
pub const LAKE_FOLDERS: [&str; 4] = ["active", "logging", "master", "projects"];
