# One stage's common environment: the vNet with ESML's common subnets (each with its NSG),
# every private DNS zone the factory's projects need, linked to the vNet, Log Analytics,
# the data lake behind private endpoints with ESML's folders, the common key vaults and
# the Premium registry, and the core team's roles.
resource "aifactory_common" "dev" {
  environment   = "dev"
  location      = "westeurope"
  naming        = { prefix = "acme-", location_short = "weu", suffix = "-001" }
  address_space = ["10.20.0.0/16"]
  subnets       = { common = 24, scoring = 26 }
  core_team = {
    object_ids     = ["6a1f1b52-0d0e-4a3c-9a58-1a7e3c1d0001"] # Entra group of the AI Factory's core team
    principal_type = "Group"
  }
  tags = { cost_center = "ai-factory" }

  # In a landing zone: the hub's zones instead of creating them (the hub links them), and
  # the hub's DNS policy writing the private endpoints' records.
  # private_dns_zone_resource_group_id = "/subscriptions/<hub>/resourceGroups/rg-dns"
  # dns_zone_groups                    = false
  # hub_virtual_network_id             = "/subscriptions/<hub>/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub"
  # route_to_firewall                  = "10.0.0.4"
}

# A project of this stage takes `common = aifactory_common.dev.project_refs` and allocates
# its subnets in `aifactory_common.dev.virtual_network_id`.
output "project_refs" {
  value = aifactory_common.dev.project_refs
}

output "common_subnets" {
  value = aifactory_common.dev.subnet_cidrs
}
