# Subnets allocated in, and created in, a live virtual network. The plan reads the vNet:
# its address space is the pool and every subnet this allocation does not own is left alone.
variable "common_subscription_id" {
  type    = string
  default = "00000000-0000-0000-0000-000000000001"
}

resource "aifactory_arm_resource" "common_rg" {
  resource_id = "/subscriptions/${var.common_subscription_id}/resourceGroups/acme-esml-common-weu-dev-002"
  api_version = "2021-04-01"
  body        = jsonencode({ location = "westeurope" })
}

resource "aifactory_arm_resource" "common_vnet" {
  resource_id = "${aifactory_arm_resource.common_rg.id}/providers/Microsoft.Network/virtualNetworks/vnt-esmlcmn-weu-dev-002"
  api_version = "2024-05-01"
  body = jsonencode({
    location   = "westeurope"
    properties = { addressSpace = { addressPrefixes = ["10.20.0.0/16"] } }
  })
}

resource "aifactory_arm_resource" "prj001_nsg" {
  resource_id = "${aifactory_arm_resource.common_rg.id}/providers/Microsoft.Network/networkSecurityGroups/nsg-prj001-weu-dev"
  api_version = "2024-05-01"
  body        = jsonencode({ location = "westeurope", properties = {} })
}

resource "aifactory_subnet_allocation" "prj001" {
  key                = "prj001" # subnets are named snt-prj001-<purpose>, as ESML names them
  virtual_network_id = aifactory_arm_resource.common_vnet.id

  subnets = {
    genai = {
      prefix_length                     = 25
      network_security_group_id         = aifactory_arm_resource.prj001_nsg.id
      private_endpoint_network_policies = "Disabled"
      service_endpoints                 = ["Microsoft.Storage", "Microsoft.KeyVault"]
    }
    aks     = { prefix_length = 26, network_security_group_id = aifactory_arm_resource.prj001_nsg.id }
    dbxpub  = { prefix_length = 26, delegation = "Microsoft.Databricks/workspaces" }
    dbxpriv = { prefix_length = 26, delegation = "Microsoft.Databricks/workspaces" }
    webapp  = { prefix_length = 27, name = "snt-prj001-webapp-weu" }
  }
}

# In a landing zone that denies subnets without a network security group (ALZ's
# "Deny-Subnet-Without-Nsg"): one NSG per subnet, with ESML's rules for the subnet's
# purpose, created before the subnet and written in its first PUT; the AKS subnet's
# traffic leaves through the hub firewall.
resource "aifactory_subnet_allocation" "prj002" {
  key                    = "prj002"
  virtual_network_id     = aifactory_arm_resource.common_vnet.id
  network_security_group = "create"      # or the ID of an existing NSG every subnet gets
  route_to_firewall      = "10.20.255.4" # 0.0.0.0/0 -> the hub firewall, via rt-prj002

  subnets = {
    genai  = { prefix_length = 25 } # purpose private_endpoints, from ESML's key
    aks    = { prefix_length = 26 } # purpose aks
    agents = { prefix_length = 23, purpose = "container_apps", delegation = "Microsoft.App/environments" }
  }
}

output "prj002_nsg_ids" {
  value = aifactory_subnet_allocation.prj002.network_security_group_ids
}

output "prj001_subnet_ids" {
  value = aifactory_subnet_allocation.prj001.subnet_ids
}
