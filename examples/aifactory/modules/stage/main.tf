# One stage (dev, test or prod): the common environment and every project on top of it.
terraform {
  required_providers {
    aifactory = { source = "aifactory/aifactory" }
  }
}

module "common" {
  source             = "../common"
  environment        = var.environment
  subscription_id    = var.subscription_id
  location           = var.location
  location_short     = var.location_short
  prefix             = var.prefix
  vnet_address_space = var.vnet_address_space
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
# coordination between projects, and gaps never reused by someone else.
resource "aifactory_subnet_allocation" "project" {
  for_each           = local.projects
  key                = each.key
  virtual_network_id = module.common.virtual_network_id
  strategy           = "slot"
  slot               = each.value.number
  slot_prefix_length = var.slot_prefix_length
  subnets            = local.subnet_sets[each.value.type]
}

resource "aifactory_project" "project" {
  for_each     = local.projects
  number       = each.value.number
  environment  = var.environment
  location     = var.location
  project_type = each.value.type
  naming       = { prefix = var.prefix, location_short = var.location_short, suffix = "-001" }
  common = {
    resource_group_name                = module.common.resource_group_name
    private_dns_zone_resource_group_id = module.common.private_dns_zone_resource_group_id
    log_analytics_workspace_id         = module.common.log_analytics_workspace_id
    datalake_storage_account_id        = module.common.datalake_storage_account_id
    datalake_filesystem                = module.common.datalake_filesystem
  }
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
