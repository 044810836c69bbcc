# The common environment's resource group and virtual network as generic ARM resources.
variable "subscription_id" {
  type    = string
  default = "00000000-0000-0000-0000-000000000001"
}

locals {
  rg_id = "/subscriptions/${var.subscription_id}/resourceGroups/acme-esml-common-weu-dev-001"
}

resource "aifactory_arm_resource" "common_rg" {
  resource_id = local.rg_id
  api_version = "2021-04-01"
  body = jsonencode({
    location = "westeurope"
    tags     = { "aifactory-environment" = "dev" }
  })
}

resource "aifactory_arm_resource" "vnet" {
  resource_id = "${aifactory_arm_resource.common_rg.id}/providers/Microsoft.Network/virtualNetworks/vnt-esmlcmn-weu-dev-001"
  api_version = "2024-05-01"
  body = jsonencode({
    location = "westeurope"
    properties = {
      addressSpace = { addressPrefixes = ["10.20.0.0/16"] }
    }
  })
}

output "vnet_state" {
  value = jsondecode(aifactory_arm_resource.vnet.output).properties.provisioningState
}
