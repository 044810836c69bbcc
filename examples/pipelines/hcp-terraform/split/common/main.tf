# Layout "project", common workspace of one stage: the stage's common environment, one
# aifactory_common (resource groups, vNet, DNS zones and links, Log Analytics, data lake).
# Its outputs are what the projects' workspaces read (tfe_outputs); its applies trigger
# their plans.
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

resource "aifactory_common" "stage" {
  environment   = var.environment
  location      = "westeurope"
  naming        = { prefix = "acme-", location_short = "weu", suffix = "-001" }
  address_space = var.vnet_address_space
  subnets       = { common = 24 }
}

output "environment" {
  value = var.environment
}

output "subscription_id" {
  value = var.subscription_id
}

output "virtual_network_id" {
  value = aifactory_common.stage.virtual_network_id
}

# The `common` attribute of aifactory_project, as it is.
output "common" {
  value = aifactory_common.stage.project_refs
}
