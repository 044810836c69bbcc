# One stage (dev, test or prod): its common environment (one aifactory_common) and every
# project on top of it (an allocation of subnets in the stage's vNet and an aifactory_project).
terraform {
  required_providers {
    aifactory = { source = "aifactory/aifactory" }
  }
}

# The stage's shared environment: resource groups, the vNet with ESML's common subnets
# (each with its NSG), every private DNS zone linked to the vNet, Log Analytics, the data
# lake behind private endpoints with ESML's folders, the common key vaults and registry.
resource "aifactory_common" "stage" {
  environment   = var.environment
  location      = var.location
  naming        = { prefix = var.prefix, location_short = var.location_short, suffix = "-001" }
  address_space = var.vnet_address_space
  subnets       = { common = 24 }
  core_team     = var.core_team
  tags          = { cost_center = "ai-factory" }
}

locals {
  projects = { for p in var.projects : format("project%03d", p.number) => p }

  # Subnets each project type needs (ESML's "genai" and "esml" sets, sized for private endpoints).
  subnet_sets = {
    genai = {
      private_endpoints = { prefix_length = 25 }
      aks               = { prefix_length = 26 }
    }
    esml = {
      private_endpoints = { prefix_length = 25 }
      dbx_public        = { prefix_length = 26, delegation = "Microsoft.Databricks/workspaces" }
      dbx_private       = { prefix_length = 26, delegation = "Microsoft.Databricks/workspaces" }
    }
  }
}

# Each project owns the /21 slot of its number: the same CIDRs in every stage, no
# coordination between projects, and gaps never reused by someone else. Each subnet is
# written with its NSG (ESML's rules for its purpose) in its first PUT, so a landing
# zone's "subnets must have an NSG" policy never sees a bare subnet.
resource "aifactory_subnet_allocation" "project" {
  for_each               = local.projects
  key                    = each.key
  virtual_network_id     = aifactory_common.stage.virtual_network_id
  strategy               = "slot"
  slot                   = each.value.number
  slot_prefix_length     = var.slot_prefix_length
  subnets                = local.subnet_sets[each.value.type]
  network_security_group = "create"
}

resource "aifactory_project" "project" {
  for_each     = local.projects
  number       = each.value.number
  environment  = var.environment
  location     = var.location
  project_type = each.value.type
  naming       = { prefix = var.prefix, location_short = var.location_short, suffix = "-001" }
  # What the common part gives its projects, as it is.
  common     = aifactory_common.stage.project_refs
  subnet_ids = aifactory_subnet_allocation.project[each.key].subnet_ids
  team = {
    object_ids     = each.value.members
    principal_type = each.value.principal_type
  }
  # null when the ticket lists no services, as an imported project reads back.
  services = try(each.value.services, null)
  # GenAI tickets on AI Foundry list their model deployments.
  deployments = try(each.value.deployments, null)
  tags        = { cost_center = each.value.cost_centre }
}
