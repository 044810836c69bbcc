# Layout "project", common workspace of one stage: the stage's common environment (resource
# groups, virtual network, DNS zones, Log Analytics, data lake). Its outputs are what the
# projects' workspaces read (tfe_outputs); its applies trigger their plans.
terraform {
  required_providers {
    aifactory = { source = "aifactory/aifactory" }
  }
}

variable "environment" {
  type = string
}

variable "subscription_id" {
  type = string
}

variable "vnet_address_space" {
  type = list(string)
}

provider "aifactory" {
  subscription_id = var.subscription_id
}

module "common" {
  source             = "../../../../aifactory/modules/common"
  environment        = var.environment
  subscription_id    = var.subscription_id
  location           = "westeurope"
  location_short     = "weu"
  prefix             = "acme-"
  vnet_address_space = var.vnet_address_space
}

output "environment" {
  value = var.environment
}

output "subscription_id" {
  value = var.subscription_id
}

output "virtual_network_id" {
  value = module.common.virtual_network_id
}

# The `common` attribute of aifactory_project.
output "common" {
  value = {
    resource_group_name                = module.common.resource_group_name
    private_dns_zone_resource_group_id = module.common.private_dns_zone_resource_group_id
    log_analytics_workspace_id         = module.common.log_analytics_workspace_id
    datalake_storage_account_id        = module.common.datalake_storage_account_id
    datalake_filesystem                = module.common.datalake_filesystem
  }
}
