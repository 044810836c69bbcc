//! The HCL shape of `aifactory_common`: its schema and the typed model its configuration,
//! plan and state decode into ([`CommonModel`]). Flat attributes (no nested objects with
//! optional attributes, which Terraform 1.0.3 cannot express), except `core_team`.
//!
//! Must not: check values beyond their types (`spec` does), talk to Azure.

use std::collections::BTreeMap;

use crate::framework::{
    schema::{Attribute, Nesting, Schema, Type},
    Num, Tf, Value,
};

use super::super::project::{resources_type, Records, StringMap};

crate::model! {
    /// `aifactory_common`'s configuration, plan and state.
    pub struct CommonModel {
        pub environment: Tf<String>,
        pub location: Tf<String>,
        pub naming: Tf<StringMap>,
        pub address_space: Tf<Vec<Tf<String>>>,
        pub virtual_network_id: Tf<String>,
        pub subnets: Tf<BTreeMap<String, Tf<Num>>>,
        pub route_to_firewall: Tf<String>,
        pub private_dns_zone_resource_group_id: Tf<String>,
        pub link_private_dns_zones: Tf<bool>,
        pub dns_zone_groups: Tf<bool>,
        pub hub_virtual_network_id: Tf<String>,
        pub hub_peering_create_remote: Tf<bool>,
        pub hub_use_remote_gateways: Tf<bool>,
        pub datalake_filesystem: Tf<String>,
        pub datalake_name_prefix: Tf<String>,
        pub datalake_delete_on_destroy: Tf<bool>,
        pub container_registry: Tf<bool>,
        pub log_retention_days: Tf<Num>,
        pub diagnostics: Tf<bool>,
        pub bastion: Tf<bool>,
        pub defender_plans: Tf<Vec<Tf<String>>>,
        /// `{ object_ids = [...], principal_type = "Group" }` (an object type: both written,
        /// so an import reads back exactly the configuration's value).
        pub core_team: Value,
        /// `{ admin_username, ssh_public_key, size }` (an object type: all written).
        pub jump_host: Value,
        pub tags: Tf<StringMap>,
        pub adopt_existing: Tf<bool>,
        pub timeouts: Value,
        pub id: Tf<String>,
        pub resource_group_name: Tf<String>,
        pub subnet_cidrs: Tf<StringMap>,
        pub subnet_ids: Tf<StringMap>,
        pub project_refs: Tf<StringMap>,
        pub private_dns_zones: Tf<Vec<Tf<String>>>,
        pub resources: Tf<Records>,
        pub drift: Tf<BTreeMap<String, String>>,
    }
}

impl CommonModel {
    /// The objects of `resources` (none when null or unknown).
    pub fn records(&self) -> Records {
        self.resources.known().cloned().unwrap_or_default()
    }

    /// The keys of `drift`.
    pub fn drift_keys(&self) -> std::collections::BTreeSet<String> {
        self.drift
            .known()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    }
}

/// `aifactory_common`'s schema.
pub fn schema() -> Schema {
    Schema {
        version: 0,
        description: "One stage's common environment of the AI Factory (ESML's `esml-common`), created whole: \
the common resource group; the virtual network (or subnets in an existing one) with ESML's common subnets, each \
written with its network security group in its first PUT (so a landing zone's \"subnets must have an NSG\" policy \
never sees a bare subnet); every private DNS zone the factory's projects need, linked to the vNet (or the hub's \
zones); hub peering; Log Analytics with diagnostic settings; the data lake (hierarchical namespace, ZRS, no public \
access, blob and dfs private endpoints) with its filesystem and ESML's folders `active`, `logging`, `master`, \
`projects`, everyone traverse-only on the shared parents; the common key vaults and the Premium container \
registry behind private endpoints; the core team's role assignments and lake entries; optionally Azure Bastion \
(`bastion`), a Linux jump host (`jump_host`) and Defender for Cloud plans (`defender_plans`).\n\n\
A stage is `aifactory_common` plus, per project, `aifactory_subnet_allocation` (with `virtual_network_id`) and \
`aifactory_project` with `common = aifactory_common.<name>.project_refs`. As with `aifactory_project`, the plan \
lists every Azure object (`resources`), a failure part-way records what exists, refresh detects drift (`drift`), \
import takes the common resource group's ID (an ESML-made common part included), and destroy keeps the lake's \
data: it refuses while the lake holds data unless `datalake_delete_on_destroy` is set. At create, the plan checks \
from reads only that the resource providers the factory uses are registered and offer their types in `location`."
            .into(),
        attributes: vec![
            Attribute::required("environment", Type::String, "`dev`, `test` or `prod`. Changing it replaces the common part.")
                .forces_replacement(),
            Attribute::required("location", Type::String, "Azure region, for example `swedencentral`. Changing it replaces the common part.")
                .forces_replacement(),
            Attribute::optional(
                "naming",
                Type::map(Type::String),
                "ESML's name parts: `prefix` (default empty, e.g. `acme-`), `location_short` (default from the location, e.g. `sdc`), `suffix` (default `-001`), `salt` (`aifactory`, the default, or `esml` to adopt an ESML-made common part: ESML's `uniqueString` salt). Names: resource group `<prefix>esml-common-<loc>-<env><suffix>`, vNet `vnt-esmlcmn-<loc>-<env><suffix>`, subnets `snet-esml-cmn<suffix>` (and `-scoring`, `snet-esml-cmn-pbi<suffix>`), Log Analytics `la-cmn-<loc>-<env>-<salt><suffix>`, lake `<datalake_name_prefix><salt>esml<suffix digits><env>`, key vaults `kv-cmn<env>-<salt><suffix>` and `kv-cmnadm<env>-<salt><suffix>`, registry `acrcommon<salt><loc><suffix><env>`. The salt is the one the stage's projects carry.",
            ),
            Attribute::optional(
                "address_space",
                Type::list(Type::String),
                "The address space of the stage's virtual network, created here (`[\"10.20.0.0/16\"]`). Set this or `virtual_network_id`.",
            ),
            Attribute::optional_computed(
                "virtual_network_id",
                Type::String,
                "An existing virtual network (a landing zone's spoke) to add the common subnets to; it is read at plan (its address space is the pool, its other subnets are left alone) and never deleted. Set this or `address_space`. With `address_space`, the ID of the vNet created here (known at plan): what `aifactory_subnet_allocation.virtual_network_id` takes.",
            ),
            Attribute::required(
                "subnets",
                Type::map(Type::Number),
                "The common subnets by purpose, each a prefix length: `common` (required: the common private endpoints, jump hosts and build agents), `scoring`, `powerbi_gateway` (delegated to Microsoft.PowerPlatform/vnetaccesslinks), `bastion` (`AzureBastionSubnet`, only with `bastion = true`, which adds it at 26 when it is not written here; 26 or less). For example `subnets = { common = 26, scoring = 26 }`. The CIDRs are allocated from the start of the address space, stable once made (`subnet_cidrs`); projects' allocations in the same vNet see them as occupied.",
            ),
            Attribute::optional("route_to_firewall", Type::String, "Send every subnet's traffic (0.0.0.0/0) to the hub firewall at this private IP through a route table."),
            Attribute::optional(
                "private_dns_zone_resource_group_id",
                Type::String,
                "Use the hub's private DNS zones in this resource group instead of creating them (they must exist; they are not managed here). Unset: every zone the factory needs is created in `<prefix>esml-dns-<loc>-<env><suffix>`.",
            ),
            Attribute::optional(
                "link_private_dns_zones",
                Type::Bool,
                "Link every zone to the stage's vNet (so private endpoints resolve to their private addresses). Default true when the zones are created here, false with hub zones (the hub usually links them; set true to link them here, which needs write access to the hub's zone resource group).",
            ),
            Attribute::optional(
                "dns_zone_groups",
                Type::Bool,
                "Give private endpoints DNS zone groups (default true). `false` when the landing zone's DNS policy (deploy-if-not-exists on private endpoints) writes the records: the common part's endpoints, and the projects' through `project_refs`, are created without zone groups.",
            ),
            Attribute::optional("hub_virtual_network_id", Type::String, "Peer the stage's vNet with this hub vNet."),
            Attribute::optional(
                "hub_peering_create_remote",
                Type::Bool,
                "Also write the hub side of the peering (needs write access to the hub vNet). Default false: only this side is written, and the peering stays `Initiated` until the hub team adds theirs.",
            ),
            Attribute::optional(
                "hub_use_remote_gateways",
                Type::Bool,
                "Route through the hub's gateway (`useRemoteGateways`; the hub side allows gateway transit). Needs `hub_peering_create_remote`. Default false.",
            ),
            Attribute::optional("datalake_filesystem", Type::String, "The lake's filesystem (ESML's `lake3`, the default)."),
            Attribute::optional("datalake_name_prefix", Type::String, "The lake account name's prefix, up to 8 letters or digits (default `lake`)."),
            Attribute::optional(
                "datalake_delete_on_destroy",
                Type::Bool,
                "Let destroy delete the data lake with its data. Default false: destroy refuses while the lake's filesystem holds files (folders alone, such as ESML's and those projects leave behind, are not data), and deletes nothing.",
            ),
            Attribute::optional("container_registry", Type::Bool, "The common container registry (Premium, private, admin user off). Default true."),
            Attribute::optional("log_retention_days", Type::Number, "Log Analytics retention, 30 to 730 days. Default 30."),
            Attribute::optional(
                "diagnostics",
                Type::Bool,
                "Diagnostic settings to the common Log Analytics workspace for the key vaults, registry, NSGs, vNet, Bastion (`allLogs` and metrics) and the lake account (metrics). Default true.",
            ),
            Attribute::optional(
                "bastion",
                Type::Bool,
                "Azure Bastion for the stage (ESML's optional Bastion): the subnet `AzureBastionSubnet` (added to `subnets` as `bastion = 26` unless `subnets` sizes it, 26 or a smaller number; no route table even with `route_to_firewall`, Bastion does not support user-defined routes there), its NSG `nsg-AzureBastionSubnet` with every rule Microsoft requires (learn.microsoft.com/azure/bastion/bastion-nsg), a Standard static public IP `pip-bastion-<loc>-<env><suffix>`, and the host `bastion-<loc>-<env><suffix>` (Standard SKU, native-client tunneling on); the core team gets Reader on it. A jump host VM comes with `jump_host`. Default false.",
            ),
            Attribute::optional(
                "defender_plans",
                Type::list(Type::String),
                "Defender for Cloud plans to turn on (pricing tier Standard) in the subscription, for example `[\"StorageAccounts\", \"KeyVaults\", \"Containers\"]`; names as Defender spells them (case ignored): AI, Api, AppServices, Arm, CloudPosture, ContainerRegistry, Containers, CosmosDbs, Dns, KeyVaults, KubernetesService, OpenSourceRelationalDatabases, SqlServerVirtualMachines, SqlServers, StorageAccounts, VirtualMachines. A plan removed from the list, and every plan at destroy, is set back to Free (a subscription's plan cannot be deleted). Plans are per subscription, not per stage: stages sharing a subscription share them, so list each plan in one stage only (removing it there turns it off for all), and leave this empty where the landing zone's policy manages Defender. The plan warns when a plan it would newly set is already Standard in the subscription.",
            ),
            Attribute::optional(
                "core_team",
                Type::Object(vec![
                    ("object_ids".to_string(), Type::list(Type::String)),
                    ("principal_type".to_string(), Type::String),
                ]),
                "The AI Factory's core team: `{ object_ids = [\"<Entra object ID>\", ...], principal_type = \"Group\" }` (both written; `User` or `Group`). Each gets Reader on the common resource group, Key Vault Administrator on both key vaults, Storage Blob Data Owner on the lake (it manages ACLs), AcrPush on the registry, Reader on Bastion and Virtual Machine User Login on the jump host (when there), and `rwx` (access and default) on the lake's `active`, `logging`, `master` and `projects`. Least privilege: not ESML's Contributor on the group.",
            ),
            Attribute::optional(
                "jump_host",
                Type::Object(vec![
                    ("admin_username".to_string(), Type::String),
                    ("ssh_public_key".to_string(), Type::String),
                    ("size".to_string(), Type::String),
                ]),
                "A Linux jump host in the `common` subnet: `{ admin_username = \"azureuser\", ssh_public_key = file(\"~/.ssh/id_ed25519.pub\"), size = \"Standard_B2s\" }` (all three written). It is a NIC `nic-jumphost-<loc>-<env><suffix>` without public IP and an Ubuntu 24.04 LTS VM `vm-jumphost-<loc>-<env><suffix>` that takes SSH keys only (password login off), with a managed OS disk `osdisk-jumphost-…` deleted with the VM, a system-assigned identity, the stage's tags and its metrics sent to Log Analytics; the core team gets Virtual Machine User Login on it (Entra ID SSH as a regular user). Reach it through `bastion = true` or the hub. `admin_username`: 1 to 64 letters, digits, `_`, `-`, `.`, not a name Azure reserves (`admin`, `root`, `user`, `test`, ...). `ssh_public_key`: one OpenSSH public key line (`ssh-rsa`, `ssh-ed25519` or `ecdsa-sha2-*`); it is not a secret and is kept in state as written. A new `size` resizes the VM in place (Azure restarts it); Azure refuses to change an existing VM's admin user or SSH key (`PropertyChangeNotAllowed`), so the plan refuses it too: to change them, remove `jump_host`, apply, and add it back.",
            ),
            Attribute::optional("tags", Type::map(Type::String), "Tags for every resource; the provider adds `aifactory-environment` and `aifactory-role = common`."),
            Attribute::optional(
                "adopt_existing",
                Type::Bool,
                "Take over the common resource group when it already exists as this resource is created. Default false: the create refuses and names the `terraform import` command.",
            ),
            Attribute::block(
                "timeouts",
                Nesting::Single,
                vec![
                    Attribute::optional("create", Type::String, "Time limit for creating the common part (Go duration, default `60m`)."),
                    Attribute::optional("read", Type::String, "Time limit for refreshing it (default `5m`)."),
                    Attribute::optional("update", Type::String, "Time limit for updating it (default `60m`)."),
                    Attribute::optional("delete", Type::String, "Time limit for destroying it (default `60m`)."),
                ],
                "Time limits per operation: `timeouts { create = \"90m\" }`. When one runs out, the operation stops and the state keeps what exists.",
            ),
            Attribute::computed("id", Type::String, "The common resource group's ID."),
            Attribute::computed("resource_group_name", Type::String, "The common resource group's name."),
            Attribute::computed("subnet_cidrs", Type::map(Type::String), "The common subnets' CIDRs by purpose."),
            Attribute::computed("subnet_ids", Type::map(Type::String), "The common subnets' IDs by purpose."),
            Attribute::computed(
                "project_refs",
                Type::map(Type::String),
                "What `aifactory_project.common` takes, as it is: `resource_group_name`, `private_dns_zone_resource_group_id`, `log_analytics_workspace_id`, `datalake_storage_account_id`, `datalake_filesystem`, and `dns_zone_groups = \"false\"` when the stage's endpoints get no zone groups. Known at plan.",
            ),
            Attribute::computed("private_dns_zones", Type::list(Type::String), "The private DNS zones the stage uses, sorted."),
            Attribute::computed(
                "resources",
                resources_type(),
                "Every Azure object the common part owns, keyed by a stable logical name (`resource_group`, `virtual_network`, `nsg.common`, `subnet.common`, `dns_zone.<zone>`, `dns_link.<zone>`, `log_analytics`, `datalake`, `key_vault`, `private_endpoint.datalake_dfs`, role assignments, lake ACL entries, ...), each with `type`, `name`, `id` and `api_version`.",
            ),
            Attribute::computed(
                "drift",
                Type::map(Type::String),
                "Objects found deleted or changed outside Terraform at the last refresh, by key, with what differs; the next apply repairs them.",
            ),
        ],
    }
}
