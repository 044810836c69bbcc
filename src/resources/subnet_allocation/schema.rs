//! The schema of `aifactory_subnet_allocation`: its attributes and their documentation
//! (the Registry docs are rendered from it).
//!
//! Must not: hold logic; the attribute names here are the field names of
//! [`super::model::AllocationModel`].

use crate::framework::schema::{Attribute, Schema, Type};

pub(super) fn schema() -> Schema {
    Schema {
        version: 0,
        description: "Allocates named subnets for one project out of an address space: deterministic \
(a pure function of its inputs), collision-free (never overlaps `reserved`, `occupied` or another \
result) and stable (a CIDR, once allocated, never moves because other projects or requests come and \
go). CIDRs are computed at plan time and shown in the plan.\n\n\
Two strategies: `packed` (default) places requests largest first into the smallest free block that \
holds them, filling gaps left by deleted projects; `slot` confines the project to the `slot`-th block \
of size `/slot_prefix_length`, so independent workspaces (dev, test, prod, or one per project) get the \
same CIDRs without knowing about each other.\n\n\
With `virtual_network_id` the allocation is made against the live virtual network and the subnets are \
created there: the plan reads the vNet (its address spaces are the pool, every subnet this allocation \
does not own is occupied), apply creates each subnet with its settings, one write at a time per vNet, \
and fails with a message to re-plan if another workspace took a planned range in the meantime. \
Refresh notices subnets deleted, moved to another range, or whose configured settings were changed \
outside Terraform, and the next plan shows the change back (a changed setting on its own attribute, as an \
in-place update that keeps the subnet's range); destroy deletes only the subnets this allocation owns. \
Without it the resource is pure: no Azure access and no credentials.\n\n\
Azure rules are enforced: an IPv4 subnet is `/29` or larger (Azure reserves 5 addresses in each), an \
IPv6 subnet is `/64`."
            .into(),
        attributes: vec![
            Attribute::required(
                "key",
                Type::String,
                "Identifies the allocation, usually the project (`project001`). Becomes the `id`. With \
`virtual_network_id` it also names the subnets (`snt-<key>-<purpose>`) and must be unique per virtual \
network. Changing it replaces the resource.",
            )
            .forces_replacement(),
            Attribute::optional(
                "virtual_network_id",
                Type::String,
                "ID of the virtual network to allocate in and create the subnets in, for example \
`/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/vnt-esmlcmn-weu-dev-001`. \
The plan reads it: its address spaces (all of them) form the pool unless `address_space` is given, and \
every subnet this allocation does not own counts as occupied. A subnet that already exists under a \
requested name and that this allocation does not own (its ID is not in `subnet_ids`) makes the create fail \
with the `terraform import` command to run, unless `adopt_existing = true`. Needs Azure credentials (the \
provider settings). Changing it replaces the resource.",
            )
            .forces_replacement(),
            Attribute::optional(
                "adopt_existing",
                Type::Bool,
                "With `virtual_network_id`: take over subnets that already exist under the requested names \
(keeping their ranges) when this allocation creates them, instead of failing. Default false: like azurerm, \
creating a subnet whose name is taken by one this allocation does not own fails and names the \
`terraform import` command (`<virtual network ID>|<key>`), so two workspaces never manage, and one never \
destroys, the same subnets unknowingly. Risk of true: `terraform destroy` (or removing a request) then \
deletes the adopted subnets, whoever created them. Subnets this allocation already owns are unaffected.",
            ),
            Attribute::optional(
                "network_security_group",
                Type::String,
                "With `virtual_network_id`: the network security group of the subnets this allocation creates, \
so a landing zone policy that denies subnets without one (Azure Landing Zones' `Deny-Subnet-Without-Nsg`) \
never sees one: each subnet is written with its NSG in its first PUT.\n\n\
`\"create\"`: one NSG per subnet, created before the subnet in the virtual network's resource group and region, \
named `<purpose>-nsg-<key>` (ESML's convention, for example `aks-nsg-prj001`), with ESML's rules for the \
subnet's `purpose` (see `subnets`): `private_endpoints`, `container_apps` and `web_apps` get ESML's \
`nsgGenAI.bicep` rules (24: APIM in VNet mode, Azure ML compute inbound; Entra ID, Azure ML, ARM, regional \
Storage and ACR, Front Door, Cosmos DB, AI Search, Monitor, Power BI outbound), `aks` ESML's `aksNsg.bicep` \
(13), `databricks_public` and `databricks_private` ESML's `databricksNsg.bicep` (3, at priority 3900 and up, \
leaving the rest to the rules Databricks adds itself), `default` none (Azure's default rules). The NSGs are \
tracked in `network_security_group_ids` and their rules in `network_security_group_rules`: a rule changed \
or deleted outside Terraform shows in the next plan and the apply restores it (rules of other names are \
kept). Destroy deletes them after the subnets. An NSG that already exists under the name and that this \
allocation did not create makes the apply fail, unless `adopt_existing = true`.\n\n\
An NSG ID: every subnet gets that existing NSG (it is not managed). A request's own \
`network_security_group_id` wins over this attribute. Unset: subnets keep whatever NSG they have (and an NSG \
this allocation created is detached and deleted).",
            ),
            Attribute::optional(
                "route_to_firewall",
                Type::String,
                "With `virtual_network_id`: the private IPv4 address of the hub firewall. A route table \
`rt-<key>` (in the virtual network's resource group) sends `0.0.0.0/0` to it (next hop `VirtualAppliance`, \
ESML's route `default-route-to-azfw`), and every subnet this allocation creates is written with it in its \
first PUT, unless the request sets its own `route_table_id`. Checked at plan time. Removing it detaches and \
deletes the route table.",
            ),
            Attribute::optional(
                "address_space",
                Type::list(Type::String),
                "The pool to allocate from: one or more IPv4 and/or IPv6 CIDRs (for example the virtual network's address space). Entries must not overlap. IPv6 entries serve requests with `ipv6 = true`. Required without `virtual_network_id`; with it, defaults to the vNet's address space, and given entries must lie inside it.",
            ),
            Attribute::optional(
                "reserved",
                Type::list(Type::String),
                "CIDRs never to allocate (gateway, firewall and other common subnets). Entries outside `address_space` give a warning.",
            ),
            Attribute::optional(
                "occupied",
                Type::list(Type::String),
                "CIDRs already in use, such as other projects' subnets. Never overlapped. An entry exactly equal to one of this resource's own results is that subnet itself and does not move it. With `virtual_network_id` the vNet's other subnets are added automatically.",
            ),
            Attribute::optional_computed(
                "strategy",
                Type::String,
                "`packed` (default): best fit anywhere in the pool. `slot`: pack inside block number `slot` of size `/slot_prefix_length`.",
            ),
            Attribute::optional(
                "slot",
                Type::Number,
                "With `strategy = \"slot\"`: 0-based index of the block, counted across the IPv4 entries of `address_space` in listed order (an entry smaller than the block holds no slot). IPv6 results come from the same-numbered `/56` of the IPv6 entries.",
            ),
            Attribute::optional(
                "slot_prefix_length",
                Type::Number,
                "With `strategy = \"slot\"`: prefix length of a slot, for example `21` (2,048 addresses).",
            ),
            Attribute::required(
                "subnets",
                Type::Dynamic,
                "The subnets to allocate: a map from purpose (for example `genai`, `aks`) to \
`{ prefix_length = number, min_hosts = number, ipv6 = bool }`. Give `prefix_length` (1 to 29) **or** \
`min_hosts` (usable hosts: the smallest subnet whose addresses minus Azure's 5 reserved ones hold that many). \
`ipv6 = true` also allocates an IPv6 `/64` (dual stack) and needs an IPv6 entry in `address_space`. \
Changing one request's size re-allocates that request only.\n\n\
With `virtual_network_id` a request also takes the subnet's settings: `name` (default \
`snt-<key>-<purpose>`), `network_security_group_id`, `route_table_id`, `delegation` (a service name such as \
`Microsoft.Databricks/workspaces`), `service_endpoints` (a list such as `[\"Microsoft.Storage\"]`) and \
`private_endpoint_network_policies` (`Disabled`, `Enabled`, `NetworkSecurityGroupEnabled` or \
`RouteTableEnabled`) and `purpose`: what the subnet is for, which decides the rules of the NSG that \
`network_security_group = \"create\"` makes for it, one of `private_endpoints`, `container_apps` (also the AI \
Foundry agent subnet), `aks`, `web_apps`, `databricks_public`, `databricks_private` or `default`; without it, \
ESML's subnet names decide (`genai`: private_endpoints, `aks…`: aks, `aca…`: container_apps, `webapp`: \
web_apps, `dbxpub`/`dbxpriv`: Databricks, anything else: default). A setting that is given is enforced; one left out is left as the subnet has it \
(Azure's default on a new subnet), so adopting an existing subnet never strips its NSG. To remove a \
setting, set it to `\"\"` (or `[]` for `service_endpoints`).\n\n\
Settings drift is detected: when a given setting differs in Azure (changed, added or removed outside \
Terraform), refresh records the actual value in the state, so the next plan shows it changing back on \
that attribute, for example `network_security_group_id = \"\" -> \"/subscriptions/.../nsg-prj001\"` for an \
NSG removed in the portal, and the apply updates the subnet in place at its range (properties the \
allocation does not manage, such as a NAT gateway, are kept, and private endpoints stay attached). \
IDs and service names compare case-insensitively, `service_endpoints` as a set that must match exactly (an endpoint added in Azure \
shows as a change), `delegation` by service name. Settings left out of the configuration are never \
reported.",
            ),
            Attribute::computed("id", Type::String, "The `key`."),
            Attribute::computed("cidrs", Type::map(Type::String), "The IPv4 CIDR of each subnet, by name."),
            Attribute::computed(
                "ipv6_cidrs",
                Type::map(Type::String),
                "The IPv6 `/64` of each subnet with `ipv6 = true`, by name.",
            ),
            Attribute::computed(
                "allocated_addresses",
                Type::Number,
                "Total IPv4 addresses allocated (including the 5 per subnet Azure reserves).",
            ),
            Attribute::computed(
                "subnet_ids",
                Type::map(Type::String),
                "With `virtual_network_id`: the ID of each subnet, by purpose (for private endpoints, \
Databricks, AKS and so on). Null without `virtual_network_id`.",
            ),
            Attribute::computed(
                "network_security_group_ids",
                Type::map(Type::String),
                "With `network_security_group = \"create\"`: the ID of the NSG created for each subnet, by \
purpose. Null otherwise.",
            ),
            Attribute::computed(
                "network_security_group_rules",
                Type::map(Type::list(Type::String)),
                "With `network_security_group = \"create\"`: the rules of ESML's table in each created NSG, by \
purpose, one line a rule (`<priority> <direction> <access> <protocol> <source>:<ports> -> \
<destination>:<ports> <name>`) as Azure has them at the last refresh: a rule changed or deleted outside \
Terraform shows here as a change back. Null otherwise.",
            ),
            Attribute::computed(
                "route_table_id",
                Type::String,
                "With `route_to_firewall`: the ID of the route table created for the subnets. Null otherwise.",
            ),
            Attribute::computed(
                "virtual_network_address_space",
                Type::list(Type::String),
                "With `virtual_network_id`: the virtual network's address spaces as last read. Null without \
`virtual_network_id`.",
            ),
        ],
    }
}
