//! The rule tables, one per ESML NSG module (facts: names, priorities, directions,
//! protocols, ports and prefixes as ESML's `environment_setup/aifactory/bicep/modules/*.bicep`
//! at release v1.24 sets them; regional service tags carry [`super::LOCATION`]), and
//! [`BASTION`], Microsoft's required rules for `AzureBastionSubnet`.
//!
//! Owns data only; must not hold logic.

use super::{Access::Allow, Direction::*, Protocol, Protocol::*, Rule};

/// `Storage.{location}` and the like (the placeholder is [`super::LOCATION`]; a test checks).
macro_rules! concat_location {
    ($tag:literal) => {
        concat!($tag, "{location}")
    };
}

const ANY: &[&str] = &["*"];

/// A rule allowing `protocol` from `sources` (any source port) to `destinations`:`ports`.
const fn allow(
    name: &'static str,
    priority: u16,
    direction: super::Direction,
    protocol: Protocol,
    sources: &'static [&'static str],
    destinations: &'static [&'static str],
    ports: &'static [&'static str],
) -> Rule {
    Rule {
        name,
        priority,
        direction,
        access: Allow,
        protocol,
        source_ports: ANY,
        destination_ports: ports,
        sources,
        destinations,
    }
}

const STORAGE_REGION: &[&str] = &[concat_location!("Storage.")];
const ACR_REGION: &[&str] = &[concat_location!("AzureContainerRegistry.")];
const BATCH_REGION: &[&str] = &[concat_location!("BatchNodeManagement.")];

/// `nsgGenAI.bicep`: ESML's NSG of the genai (private endpoints), aca, aca-002 (AI Foundry
/// agent) and webapp subnets (`31-network.bicep` uses this one module for all four).
/// Inbound: APIM in VNet mode (Internet 443, load balancer probe 6390, management 3443),
/// Azure ML compute (44224, Batch 29876-29877). Outbound: Azure DevOps ranges, Entra ID
/// sign-in, Azure ML and its SDK v2 ports, ARM, regional Storage and ACR, Front Door, MCR,
/// in-VNet port 80 to private AKS load balancers, Cosmos DB, AI Search, Monitor, Power BI,
/// Cognitive Services management.
pub const GENAI: &[Rule] = &[
    allow(
        "Allow_Internet_443",
        1000,
        Inbound,
        Tcp,
        &["Internet"],
        ANY,
        &["443"],
    ),
    allow(
        "Allow_AzureLB_HealthProbe",
        1020,
        Inbound,
        Tcp,
        &["AzureLoadBalancer"],
        ANY,
        &["6390"],
    ),
    allow(
        "Allow_APIM_Management",
        1030,
        Inbound,
        Tcp,
        &["ApiManagement"],
        ANY,
        &["3443"],
    ),
    allow(
        "AML_Port_29876-29877",
        1040,
        Inbound,
        Tcp,
        &["BatchNodeManagement"],
        ANY,
        &["29876-29877"],
    ),
    allow(
        "AML_CI_44224",
        1050,
        Inbound,
        Tcp,
        &["AzureMachineLearning"],
        ANY,
        &["44224"],
    ),
    allow(
        "AzureDevOps_Allow_1",
        100,
        Outbound,
        Any,
        ANY,
        &[
            "13.107.6.0/24",
            "13.107.9.0/24",
            "13.107.42.0/24",
            "13.107.43.0/24",
        ],
        ANY,
    ),
    allow(
        "AADLoginForWindows_Allow3services",
        110,
        Outbound,
        Tcp,
        ANY,
        ANY,
        &["443"],
    ),
    // Azure's instance metadata endpoint, as ESML allows it (a prefix, never contacted here).
    allow(
        "AADLoginForWindows_AllowServiceMeta",
        120,
        Outbound,
        Tcp,
        ANY,
        &["169.254.169.254"],
        &["80"],
    ),
    allow(
        "AzureActiveDirectory",
        130,
        Outbound,
        Tcp,
        ANY,
        &["AzureActiveDirectory"],
        ANY,
    ),
    allow(
        "AzureMachineLearningOutbound",
        140,
        Outbound,
        Tcp,
        ANY,
        &["AzureMachineLearning"],
        &["443"],
    ),
    allow(
        "AzureResourceManager",
        150,
        Outbound,
        Tcp,
        ANY,
        &["AzureResourceManager"],
        &["443"],
    ),
    allow(
        "AzureStorageAccount",
        160,
        Outbound,
        Tcp,
        ANY,
        STORAGE_REGION,
        &["443"],
    ),
    allow(
        "AzureFrontDoor",
        170,
        Outbound,
        Tcp,
        ANY,
        &["AzureFrontDoor.FrontEnd"],
        &["443"],
    ),
    allow(
        "AzureContainerRegistry",
        180,
        Outbound,
        Tcp,
        ANY,
        ACR_REGION,
        &["443"],
    ),
    allow(
        "MicrosoftContainerRegistry",
        200,
        Outbound,
        Tcp,
        &["VirtualNetwork"],
        &["MicrosoftContainerRegistry"],
        &["443"],
    ),
    allow(
        "AKS_private_loadbalancer_call_from_DSVM_in_vNet",
        220,
        Outbound,
        Tcp,
        &["VirtualNetwork"],
        &["VirtualNetwork"],
        &["80"],
    ),
    allow(
        "AzureMachineLearning_2023_sdkv2_1",
        230,
        Outbound,
        Udp,
        ANY,
        &["AzureMachineLearning"],
        &["5831"],
    ),
    allow(
        "AzureMachineLearning_2023_sdkv2_3",
        250,
        Outbound,
        Tcp,
        ANY,
        &["AzureMachineLearning"],
        &["8787", "18881"],
    ),
    allow(
        "AzureCosmosDB_Outbound",
        260,
        Outbound,
        Tcp,
        ANY,
        &["AzureCosmosDB"],
        &["443"],
    ),
    allow(
        "AzureCognitiveSearch_Outbound",
        270,
        Outbound,
        Tcp,
        ANY,
        &["AzureCognitiveSearch"],
        &["443"],
    ),
    allow(
        "AzureMonitor_Outbound",
        280,
        Outbound,
        Tcp,
        ANY,
        &["AzureMonitor"],
        &["443"],
    ),
    allow(
        "PowerBI_Fabric_Outbound",
        290,
        Outbound,
        Tcp,
        ANY,
        &["PowerBI"],
        &["443"],
    ),
    allow(
        "CognitiveServicesManagement_Outbound",
        300,
        Outbound,
        Tcp,
        ANY,
        &["CognitiveServicesManagement"],
        &["443"],
    ),
    allow(
        "AzureMachineLearning_2023_sdkv2_2",
        1320,
        Outbound,
        Tcp,
        ANY,
        BATCH_REGION,
        &["5831"],
    ),
];

/// `aksNsg.bicep`: ESML's NSG of the aks and aks-002 subnets. Inbound: the VNet, APIM
/// management 3443, Azure ML 44224. Outbound: the VNet, Entra ID, MCR, Azure ML, ARM,
/// regional Storage and ACR, Front Door (front end and first party), Monitor.
pub const AKS: &[Rule] = &[
    allow(
        "Allow_VNet_Inbound",
        1000,
        Inbound,
        Any,
        &["VirtualNetwork"],
        &["VirtualNetwork"],
        ANY,
    ),
    allow(
        "Allow_APIM",
        1010,
        Inbound,
        Tcp,
        &["ApiManagement"],
        ANY,
        &["3443"],
    ),
    allow(
        "AzureMachineLearning",
        1020,
        Inbound,
        Tcp,
        &["AzureMachineLearning"],
        ANY,
        &["44224"],
    ),
    allow(
        "Allow_VNet_Outbound",
        1000,
        Outbound,
        Any,
        &["VirtualNetwork"],
        &["VirtualNetwork"],
        ANY,
    ),
    allow(
        "AzureActiveDirectory",
        1010,
        Outbound,
        Tcp,
        ANY,
        &["AzureActiveDirectory"],
        ANY,
    ),
    allow(
        "MicrosoftContainerRegistry",
        1020,
        Outbound,
        Tcp,
        &["VirtualNetwork"],
        &["MicrosoftContainerRegistry"],
        &["443"],
    ),
    allow(
        "AzureMachineLearningOutbound",
        1030,
        Outbound,
        Tcp,
        ANY,
        &["AzureMachineLearning"],
        &["443"],
    ),
    allow(
        "AzureResourceManager",
        1040,
        Outbound,
        Tcp,
        ANY,
        &["AzureResourceManager"],
        &["443"],
    ),
    allow(
        "AzureStorageAccount",
        1050,
        Outbound,
        Tcp,
        ANY,
        STORAGE_REGION,
        &["443"],
    ),
    allow(
        "AzureFrontDoor",
        1060,
        Outbound,
        Tcp,
        ANY,
        &["AzureFrontDoor.FrontEnd"],
        &["443"],
    ),
    allow(
        "AzureContainerRegistry",
        1070,
        Outbound,
        Tcp,
        ANY,
        ACR_REGION,
        &["443"],
    ),
    allow(
        "AzureFrontDoorFirstParty",
        1080,
        Outbound,
        Tcp,
        ANY,
        &["AzureFrontDoor.FirstParty"],
        &["443"],
    ),
    allow(
        "AzureMonitor",
        1090,
        Outbound,
        Tcp,
        ANY,
        &["AzureMonitor"],
        &["443"],
    ),
];

/// `databricksNsg.bicep`: ESML's NSG of the dbxpub and dbxpriv subnets. Only three rules,
/// at 3900 and up: Databricks adds its own (network intent policy) rules at lower
/// priorities when the workspace is injected, and those are left alone.
pub const DATABRICKS: &[Rule] = &[
    allow(
        "Allow_APIM",
        3900,
        Inbound,
        Tcp,
        &["ApiManagement"],
        ANY,
        &["3443"],
    ),
    allow(
        "AzureFrontDoorFirstParty",
        3900,
        Outbound,
        Tcp,
        &["VirtualNetwork"],
        &["AzureFrontDoor.FirstParty"],
        &["443"],
    ),
    allow(
        "AzureMonitor",
        3910,
        Outbound,
        Tcp,
        &["VirtualNetwork"],
        &["AzureMonitor"],
        &["443"],
    ),
];

/// Subnets of no known purpose: no rules of ours, so Azure's default rules apply (VNet and
/// load balancer in, everything else in denied; VNet and Internet out).
pub const DEFAULT: &[Rule] = &[];

/// The NSG of `AzureBastionSubnet` (the common part's Bastion): not an ESML module but the
/// rules Microsoft lists as required when an NSG is applied to that subnet, every one of
/// them (learn.microsoft.com/azure/bastion/bastion-nsg, "Working with NSG access and Azure
/// Bastion", its rule names and table). Inbound: HTTPS from the Internet (the users'
/// browsers), 443 from GatewayManager (the control plane) and AzureLoadBalancer (health
/// probes), 8080 and 5701 within the vNet (Bastion's data plane). Outbound: 22 and 3389 to
/// the vNet (the target VMs), 443 to AzureCloud (diagnostics, metering), 8080 and 5701
/// within the vNet, 80 to the Internet (session and certificate validation).
pub const BASTION: &[Rule] = &[
    allow(
        "AllowHttpsInbound",
        120,
        Inbound,
        Tcp,
        &["Internet"],
        ANY,
        &["443"],
    ),
    allow(
        "AllowGatewayManagerInbound",
        130,
        Inbound,
        Tcp,
        &["GatewayManager"],
        ANY,
        &["443"],
    ),
    allow(
        "AllowAzureLoadBalancerInbound",
        140,
        Inbound,
        Tcp,
        &["AzureLoadBalancer"],
        ANY,
        &["443"],
    ),
    allow(
        "AllowBastionHostCommunication",
        150,
        Inbound,
        Protocol::Any,
        &["VirtualNetwork"],
        &["VirtualNetwork"],
        &["8080", "5701"],
    ),
    allow(
        "AllowSshRdpOutbound",
        100,
        Outbound,
        Protocol::Any,
        ANY,
        &["VirtualNetwork"],
        &["22", "3389"],
    ),
    allow(
        "AllowAzureCloudOutbound",
        110,
        Outbound,
        Tcp,
        ANY,
        &["AzureCloud"],
        &["443"],
    ),
    allow(
        "AllowBastionCommunication",
        120,
        Outbound,
        Protocol::Any,
        &["VirtualNetwork"],
        &["VirtualNetwork"],
        &["8080", "5701"],
    ),
    allow(
        "AllowHttpOutbound",
        130,
        Outbound,
        Protocol::Any,
        ANY,
        &["Internet"],
        &["80"],
    ),
];
