//! Body rules of Microsoft.Network: virtual networks (with inline subnets), subnets,
//! network security groups, private endpoints and their DNS zone groups, private DNS zones
//! and their virtual network links, vNet peerings, public IP addresses, Bastion hosts.
//! The range rules (CIDRs, overlaps, containment) stay in `crate::network`.
//!
//! Owns these facts only; must not hold code.

use crate::validate::schema::{opt, req, AtLeastOne, Style, Ty, TypeRules};

/// The Microsoft.Network api-versions these rules hold for (checked: same members, required
/// properties and closed enums for every field below).
const VERSIONS: &[&str] = &[
    "2024-05-01",
    "2024-07-01",
    "2024-10-01",
    "2025-01-01",
    "2025-03-01",
    "2025-05-01",
    "2025-07-01",
    "2025-09-01",
];
const SPEC: &str =
    "network/resource-manager/Microsoft.Network/stable/2024-05-01/virtualNetwork.json";
const SUBNETS: &str = "Microsoft.Network/virtualNetworks/subnets";

/// The writable part of `SubnetPropertiesFormat`, under `$p` (a subnet PUT's `properties`
/// or an inline subnet's).
macro_rules! subnet_fields {
    ($p:literal) => {
        [
            opt($p, Ty::Obj),
            opt(concat!($p, ".addressPrefix"), Ty::Str),
            opt(concat!($p, ".addressPrefixes"), Ty::StrArr),
            opt(concat!($p, ".networkSecurityGroup"), Ty::Obj),
            opt(
                concat!($p, ".networkSecurityGroup.id"),
                Ty::Id(Some("Microsoft.Network/networkSecurityGroups")),
            ),
            opt(concat!($p, ".routeTable"), Ty::Obj),
            opt(
                concat!($p, ".routeTable.id"),
                Ty::Id(Some("Microsoft.Network/routeTables")),
            ),
            opt(concat!($p, ".natGateway"), Ty::Obj),
            opt(
                concat!($p, ".natGateway.id"),
                Ty::Id(Some("Microsoft.Network/natGateways")),
            ),
            opt(concat!($p, ".serviceEndpoints"), Ty::Arr),
            opt(concat!($p, ".serviceEndpoints[].service"), Ty::Str),
            opt(concat!($p, ".serviceEndpoints[].locations"), Ty::StrArr),
            opt(concat!($p, ".delegations"), Ty::Arr),
            opt(concat!($p, ".delegations[].name"), Ty::Str),
            opt(concat!($p, ".delegations[].properties"), Ty::Obj),
            opt(
                concat!($p, ".delegations[].properties.serviceName"),
                Ty::Str,
            ),
            opt(concat!($p, ".privateEndpointNetworkPolicies"), Ty::Str),
            opt(concat!($p, ".privateLinkServiceNetworkPolicies"), Ty::Str),
            opt(concat!($p, ".defaultOutboundAccess"), Ty::Bool),
            opt(concat!($p, ".sharingScope"), Ty::Str),
        ]
    };
}

const SUBNET_PROPS: [crate::validate::schema::Field; 20] = subnet_fields!("properties");
const INLINE_SUBNET_PROPS: [crate::validate::schema::Field; 20] =
    subnet_fields!("properties.subnets[].properties");

const VNET_FIELDS: [crate::validate::schema::Field; 36] = {
    let head = [
        opt("tags", Ty::StrMap),
        opt("properties", Ty::Obj),
        opt("properties.addressSpace", Ty::Obj),
        opt("properties.addressSpace.addressPrefixes", Ty::StrArr),
        opt("properties.addressSpace.ipamPoolPrefixAllocations", Ty::Arr),
        opt("properties.dhcpOptions", Ty::Obj),
        opt("properties.dhcpOptions.dnsServers", Ty::StrArr),
        opt("properties.enableDdosProtection", Ty::Bool),
        opt("properties.enableVmProtection", Ty::Bool),
        opt("properties.ddosProtectionPlan", Ty::Obj),
        opt(
            "properties.ddosProtectionPlan.id",
            Ty::Id(Some("Microsoft.Network/ddosProtectionPlans")),
        ),
        opt("properties.flowTimeoutInMinutes", Ty::Int),
        opt("properties.privateEndpointVNetPolicies", Ty::Str),
        opt("properties.encryption", Ty::Obj),
        req("properties.encryption.enabled", Ty::Bool),
        opt("properties.subnets", Ty::Arr),
    ];
    let mut out = [opt("", Ty::Obj); 36];
    let mut i = 0;
    while i < head.len() {
        out[i] = head[i];
        i += 1;
    }
    let mut j = 0;
    while j < INLINE_SUBNET_PROPS.len() {
        out[i + j] = INLINE_SUBNET_PROPS[j];
        j += 1;
    }
    out
};

/// `VirtualNetwork`: an address space is required in practice (Azure: "AddressSpace of the
/// virtual network ... does not have any address prefixes"), unless an IPAM pool allocates
/// it; inline subnets have the subnet's shape.
pub const VIRTUAL_NETWORK: TypeRules = TypeRules {
    resource_type: "Microsoft.Network/virtualNetworks",
    api_versions: VERSIONS,
    spec: SPEC,
    style: Style::Network,
    location_required: true,
    top: &["location", "tags", "properties", "extendedLocation"],
    fields: &VNET_FIELDS,
    missing_code: "MissingRequiredProperty",
    at_least_one: &[AtLeastOne {
        paths: &[
            "properties.addressSpace.addressPrefixes",
            "properties.addressSpace.ipamPoolPrefixAllocations",
        ],
        code: "VnetAddressSpaceMustHaveAtLeastOneAddressPrefix",
        message: "AddressSpace of the virtual network {id} does not have any address prefixes in addressPrefixes array. AddressSpace and prefixes must be specified within properties object.",
    }],
};

/// `Subnet` (PUT of `virtualNetworks/{v}/subnets/{s}`).
pub const SUBNET: TypeRules = TypeRules {
    resource_type: SUBNETS,
    api_versions: VERSIONS,
    spec: SPEC,
    style: Style::Network,
    location_required: false,
    top: &["properties"],
    fields: &SUBNET_PROPS,
    missing_code: "MissingRequiredProperty",
    at_least_one: &[],
};

/// `NetworkSecurityGroup`: each security rule needs `protocol`, `access`, `direction` and
/// `priority` (open enums for the first three).
pub const NETWORK_SECURITY_GROUP: TypeRules = TypeRules {
    resource_type: "Microsoft.Network/networkSecurityGroups",
    api_versions: VERSIONS,
    spec: "network/resource-manager/Microsoft.Network/stable/2024-05-01/networkSecurityGroup.json",
    style: Style::Network,
    location_required: true,
    top: &["location", "tags", "properties"],
    fields: &[
        opt("tags", Ty::StrMap),
        opt("properties", Ty::Obj),
        opt("properties.flushConnection", Ty::Bool),
        opt("properties.securityRules", Ty::Arr),
        opt("properties.securityRules[].name", Ty::Str),
        opt("properties.securityRules[].properties", Ty::Obj),
        req("properties.securityRules[].properties.protocol", Ty::Str),
        req("properties.securityRules[].properties.access", Ty::Str),
        req("properties.securityRules[].properties.direction", Ty::Str),
        req("properties.securityRules[].properties.priority", Ty::Int),
        opt("properties.securityRules[].properties.description", Ty::Str),
        opt(
            "properties.securityRules[].properties.sourcePortRange",
            Ty::Str,
        ),
        opt(
            "properties.securityRules[].properties.sourcePortRanges",
            Ty::StrArr,
        ),
        opt(
            "properties.securityRules[].properties.destinationPortRange",
            Ty::Str,
        ),
        opt(
            "properties.securityRules[].properties.destinationPortRanges",
            Ty::StrArr,
        ),
        opt(
            "properties.securityRules[].properties.sourceAddressPrefix",
            Ty::Str,
        ),
        opt(
            "properties.securityRules[].properties.sourceAddressPrefixes",
            Ty::StrArr,
        ),
        opt(
            "properties.securityRules[].properties.destinationAddressPrefix",
            Ty::Str,
        ),
        opt(
            "properties.securityRules[].properties.destinationAddressPrefixes",
            Ty::StrArr,
        ),
    ],
    missing_code: "MissingRequiredProperty",
    at_least_one: &[],
};

/// The fields of `SecurityRulePropertiesFormat` under `$p` (an NSG's inline rule or a
/// `securityRules` child PUT's `properties`): `protocol`, `access`, `direction` and
/// `priority` required (the spec's enums are open: `| string`; the priority range is
/// checked in `crate::network`).
macro_rules! security_rule_fields {
    ($p:literal) => {
        [
            opt($p, Ty::Obj),
            req(concat!($p, ".protocol"), Ty::Str),
            req(concat!($p, ".access"), Ty::Str),
            req(concat!($p, ".direction"), Ty::Str),
            req(concat!($p, ".priority"), Ty::Int),
            opt(concat!($p, ".description"), Ty::Str),
            opt(concat!($p, ".sourcePortRange"), Ty::Str),
            opt(concat!($p, ".sourcePortRanges"), Ty::StrArr),
            opt(concat!($p, ".destinationPortRange"), Ty::Str),
            opt(concat!($p, ".destinationPortRanges"), Ty::StrArr),
            opt(concat!($p, ".sourceAddressPrefix"), Ty::Str),
            opt(concat!($p, ".sourceAddressPrefixes"), Ty::StrArr),
            opt(concat!($p, ".destinationAddressPrefix"), Ty::Str),
            opt(concat!($p, ".destinationAddressPrefixes"), Ty::StrArr),
            opt(concat!($p, ".sourceApplicationSecurityGroups"), Ty::Arr),
            opt(
                concat!($p, ".destinationApplicationSecurityGroups"),
                Ty::Arr,
            ),
        ]
    };
}

const SECURITY_RULE_PROPS: [crate::validate::schema::Field; 16] =
    security_rule_fields!("properties");

/// `SecurityRule` (PUT of `networkSecurityGroups/{n}/securityRules/{r}`), spec
/// `networkSecurityGroup.json`.
pub const SECURITY_RULE: TypeRules = TypeRules {
    resource_type: "Microsoft.Network/networkSecurityGroups/securityRules",
    api_versions: VERSIONS,
    spec: "network/resource-manager/Microsoft.Network/stable/2024-05-01/networkSecurityGroup.json",
    style: Style::Network,
    location_required: false,
    top: &["properties"],
    fields: &SECURITY_RULE_PROPS,
    missing_code: "MissingRequiredProperty",
    at_least_one: &[],
};

/// `RouteTable` (spec `routeTable.json`): each route needs `nextHopType` (an open enum:
/// `Internet`, `None`, `VirtualAppliance`, `VirtualNetworkGateway`, `VnetLocal`);
/// the pairing of `nextHopIpAddress` with `VirtualAppliance` is not checked.
pub const ROUTE_TABLE: TypeRules = TypeRules {
    resource_type: "Microsoft.Network/routeTables",
    api_versions: VERSIONS,
    spec: "network/resource-manager/Microsoft.Network/stable/2024-05-01/routeTable.json",
    style: Style::Network,
    location_required: true,
    top: &["location", "tags", "properties"],
    fields: &[
        opt("tags", Ty::StrMap),
        opt("properties", Ty::Obj),
        opt("properties.disableBgpRoutePropagation", Ty::Bool),
        opt("properties.routes", Ty::Arr),
        opt("properties.routes[].name", Ty::Str),
        opt("properties.routes[].properties", Ty::Obj),
        opt("properties.routes[].properties.addressPrefix", Ty::Str),
        req("properties.routes[].properties.nextHopType", Ty::Str),
        opt("properties.routes[].properties.nextHopIpAddress", Ty::Str),
    ],
    missing_code: "MissingRequiredProperty",
    at_least_one: &[],
};

/// `PrivateEndpoint`: its subnet and the private link service of each connection are ARM
/// IDs; `groupIds` strings.
pub const PRIVATE_ENDPOINT: TypeRules = TypeRules {
    resource_type: "Microsoft.Network/privateEndpoints",
    api_versions: VERSIONS,
    spec: "network/resource-manager/Microsoft.Network/stable/2024-05-01/privateEndpoint.json",
    style: Style::Network,
    location_required: true,
    top: &["location", "tags", "properties", "extendedLocation"],
    fields: &[
        opt("tags", Ty::StrMap),
        opt("properties", Ty::Obj),
        opt("properties.subnet", Ty::Obj),
        opt("properties.subnet.id", Ty::Id(Some(SUBNETS))),
        opt("properties.customNetworkInterfaceName", Ty::Str),
        opt("properties.privateLinkServiceConnections", Ty::Arr),
        opt("properties.privateLinkServiceConnections[].name", Ty::Str),
        opt(
            "properties.privateLinkServiceConnections[].properties",
            Ty::Obj,
        ),
        opt(
            "properties.privateLinkServiceConnections[].properties.privateLinkServiceId",
            Ty::Id(None),
        ),
        opt(
            "properties.privateLinkServiceConnections[].properties.groupIds",
            Ty::StrArr,
        ),
        opt(
            "properties.privateLinkServiceConnections[].properties.requestMessage",
            Ty::Str,
        ),
        opt("properties.manualPrivateLinkServiceConnections", Ty::Arr),
        opt(
            "properties.manualPrivateLinkServiceConnections[].name",
            Ty::Str,
        ),
        opt(
            "properties.manualPrivateLinkServiceConnections[].properties",
            Ty::Obj,
        ),
        opt(
            "properties.manualPrivateLinkServiceConnections[].properties.privateLinkServiceId",
            Ty::Id(None),
        ),
        opt(
            "properties.manualPrivateLinkServiceConnections[].properties.groupIds",
            Ty::StrArr,
        ),
        opt("properties.customDnsConfigs", Ty::Arr),
        opt("properties.ipConfigurations", Ty::Arr),
        opt("properties.applicationSecurityGroups", Ty::Arr),
    ],
    missing_code: "MissingRequiredProperty",
    at_least_one: &[],
};

/// `PrivateDnsZoneGroup`: each config names a private DNS zone by ID.
pub const PRIVATE_DNS_ZONE_GROUP: TypeRules = TypeRules {
    resource_type: "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
    api_versions: VERSIONS,
    spec: "network/resource-manager/Microsoft.Network/stable/2024-05-01/privateEndpoint.json",
    style: Style::Network,
    location_required: false,
    top: &["properties"],
    fields: &[
        opt("properties", Ty::Obj),
        opt("properties.privateDnsZoneConfigs", Ty::Arr),
        opt("properties.privateDnsZoneConfigs[].name", Ty::Str),
        opt("properties.privateDnsZoneConfigs[].properties", Ty::Obj),
        opt(
            "properties.privateDnsZoneConfigs[].properties.privateDnsZoneId",
            Ty::Id(Some("Microsoft.Network/privateDnsZones")),
        ),
    ],
    missing_code: "MissingRequiredProperty",
    at_least_one: &[],
};

/// `PrivateZone` (its own spec, `privatedns`): a tracked resource (`location` is `global`),
/// every property read-only.
pub const PRIVATE_DNS_ZONE: TypeRules = TypeRules {
    resource_type: "Microsoft.Network/privateDnsZones",
    api_versions: &["2020-06-01", "2024-06-01"],
    spec: "privatedns/resource-manager/Microsoft.Network/stable/2024-06-01/privatedns.json",
    style: Style::Arm,
    location_required: true,
    top: &["location", "tags", "properties"],
    fields: &[opt("tags", Ty::StrMap), opt("properties", Ty::Obj)],
    missing_code: "MissingRequiredProperty",
    at_least_one: &[],
};

/// `VirtualNetworkLink` (`privatedns`): a tracked resource (`location` is `global`); the
/// virtual network by ID, `registrationEnabled` a boolean, `resolutionPolicy` an open enum.
pub const PRIVATE_DNS_ZONE_LINK: TypeRules = TypeRules {
    resource_type: "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
    api_versions: &["2020-06-01", "2024-06-01"],
    spec: "privatedns/resource-manager/Microsoft.Network/stable/2024-06-01/privatedns.json",
    style: Style::Arm,
    location_required: true,
    top: &["location", "tags", "properties"],
    fields: &[
        opt("tags", Ty::StrMap),
        opt("properties", Ty::Obj),
        opt("properties.virtualNetwork", Ty::Obj),
        opt(
            "properties.virtualNetwork.id",
            Ty::Id(Some("Microsoft.Network/virtualNetworks")),
        ),
        opt("properties.registrationEnabled", Ty::Bool),
        opt("properties.resolutionPolicy", Ty::Str),
    ],
    missing_code: "MissingRequiredProperty",
    at_least_one: &[],
};

/// `VirtualNetworkPeering` (`virtualNetworks/{v}/virtualNetworkPeerings/{p}`): the remote
/// vNet by ID; the flags booleans; subnet names string arrays (`crate::peering` holds the
/// existence, overlap and state rules).
pub const PEERING: TypeRules = TypeRules {
    resource_type: "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
    api_versions: VERSIONS,
    spec: "network/resource-manager/Microsoft.Network/stable/2024-05-01/virtualNetwork.json",
    style: Style::Network,
    location_required: false,
    top: &["properties"],
    fields: &[
        opt("properties", Ty::Obj),
        opt("properties.remoteVirtualNetwork", Ty::Obj),
        opt(
            "properties.remoteVirtualNetwork.id",
            Ty::Id(Some("Microsoft.Network/virtualNetworks")),
        ),
        opt("properties.allowVirtualNetworkAccess", Ty::Bool),
        opt("properties.allowForwardedTraffic", Ty::Bool),
        opt("properties.allowGatewayTransit", Ty::Bool),
        opt("properties.useRemoteGateways", Ty::Bool),
        opt("properties.doNotVerifyRemoteGateways", Ty::Bool),
        opt("properties.peerCompleteVnets", Ty::Bool),
        opt("properties.enableOnlyIPv6Peering", Ty::Bool),
        opt("properties.localSubnetNames", Ty::StrArr),
        opt("properties.remoteSubnetNames", Ty::StrArr),
        opt("properties.remoteAddressSpace", Ty::Obj),
        opt("properties.remoteAddressSpace.addressPrefixes", Ty::StrArr),
        opt("properties.peeringState", Ty::Str),
        opt("properties.peeringSyncLevel", Ty::Str),
    ],
    missing_code: "MissingRequiredProperty",
    at_least_one: &[],
};

/// `PublicIPAddress`: `sku.name` and `sku.tier` open enums, the allocation method and IP
/// version open enums, `zones` strings.
pub const PUBLIC_IP: TypeRules = TypeRules {
    resource_type: "Microsoft.Network/publicIPAddresses",
    api_versions: VERSIONS,
    spec: "network/resource-manager/Microsoft.Network/stable/2024-05-01/publicIpAddress.json",
    style: Style::Network,
    location_required: true,
    top: &[
        "location",
        "tags",
        "sku",
        "zones",
        "properties",
        "extendedLocation",
    ],
    fields: &[
        opt("tags", Ty::StrMap),
        opt("sku", Ty::Obj),
        opt("sku.name", Ty::Str),
        opt("sku.tier", Ty::Str),
        opt("zones", Ty::StrArr),
        opt("properties", Ty::Obj),
        opt("properties.publicIPAllocationMethod", Ty::Str),
        opt("properties.publicIPAddressVersion", Ty::Str),
        opt("properties.idleTimeoutInMinutes", Ty::Int),
        opt("properties.dnsSettings", Ty::Obj),
        opt("properties.dnsSettings.domainNameLabel", Ty::Str),
    ],
    missing_code: "MissingRequiredProperty",
    at_least_one: &[],
};

/// `BastionHost`: IP configurations with a subnet and a public IP by ID (`crate::bastion`
/// holds the name, size and SKU rules); the feature switches booleans.
pub const BASTION_HOST: TypeRules = TypeRules {
    resource_type: "Microsoft.Network/bastionHosts",
    api_versions: VERSIONS,
    spec: "network/resource-manager/Microsoft.Network/stable/2024-05-01/bastion.json",
    style: Style::Network,
    location_required: true,
    top: &["location", "tags", "sku", "zones", "properties"],
    fields: &[
        opt("tags", Ty::StrMap),
        opt("sku", Ty::Obj),
        opt("sku.name", Ty::Str),
        opt("zones", Ty::StrArr),
        opt("properties", Ty::Obj),
        opt("properties.ipConfigurations", Ty::Arr),
        opt("properties.ipConfigurations[].name", Ty::Str),
        opt("properties.ipConfigurations[].properties", Ty::Obj),
        req("properties.ipConfigurations[].properties.subnet", Ty::Obj),
        req(
            "properties.ipConfigurations[].properties.subnet.id",
            Ty::Id(Some("Microsoft.Network/virtualNetworks/subnets")),
        ),
        opt(
            "properties.ipConfigurations[].properties.publicIPAddress",
            Ty::Obj,
        ),
        req(
            "properties.ipConfigurations[].properties.publicIPAddress.id",
            Ty::Id(Some("Microsoft.Network/publicIPAddresses")),
        ),
        opt("properties.scaleUnits", Ty::Int),
        opt("properties.disableCopyPaste", Ty::Bool),
        opt("properties.enableFileCopy", Ty::Bool),
        opt("properties.enableIpConnect", Ty::Bool),
        opt("properties.enableShareableLink", Ty::Bool),
        opt("properties.enableTunneling", Ty::Bool),
        opt("properties.enableKerberos", Ty::Bool),
        opt("properties.enableSessionRecording", Ty::Bool),
    ],
    missing_code: "MissingRequiredProperty",
    at_least_one: &[],
};

/// `NetworkInterface`: IP configurations with a subnet by ID (`crate::compute` checks that
/// it exists and keeps the VM attachment); no public IP is required.
pub const NETWORK_INTERFACE: TypeRules = TypeRules {
    resource_type: "Microsoft.Network/networkInterfaces",
    api_versions: VERSIONS,
    spec: "network/resource-manager/Microsoft.Network/stable/2024-05-01/networkInterface.json",
    style: Style::Network,
    location_required: true,
    top: &["location", "tags", "properties", "extendedLocation"],
    fields: &[
        opt("tags", Ty::StrMap),
        opt("properties", Ty::Obj),
        opt("properties.ipConfigurations", Ty::Arr),
        opt("properties.ipConfigurations[].name", Ty::Str),
        opt("properties.ipConfigurations[].properties", Ty::Obj),
        opt("properties.ipConfigurations[].properties.subnet", Ty::Obj),
        opt(
            "properties.ipConfigurations[].properties.subnet.id",
            Ty::Id(Some("Microsoft.Network/virtualNetworks/subnets")),
        ),
        opt(
            "properties.ipConfigurations[].properties.privateIPAllocationMethod",
            Ty::Str,
        ),
        opt(
            "properties.ipConfigurations[].properties.privateIPAddress",
            Ty::Str,
        ),
        opt("properties.ipConfigurations[].properties.primary", Ty::Bool),
        opt("properties.networkSecurityGroup", Ty::Obj),
        opt(
            "properties.networkSecurityGroup.id",
            Ty::Id(Some("Microsoft.Network/networkSecurityGroups")),
        ),
        opt("properties.enableAcceleratedNetworking", Ty::Bool),
        opt("properties.enableIPForwarding", Ty::Bool),
    ],
    missing_code: "MissingRequiredProperty",
    at_least_one: &[],
};
