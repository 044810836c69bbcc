# A genai project on AI Foundry (the Agent service on Cosmos DB, Storage and AI Search, a
# model deployment), with private networking, a reader persona and a folder in the common
# data lake. The
# common part it refers to (normally its own configuration) is created here too, with
# aifactory_arm_resource, so the example is self-contained.
variable "subscription_id" {
  type    = string
  default = "00000000-0000-0000-0000-000000000001"
}

locals {
  location  = "westeurope"
  common_rg = "acme-esml-common-weu-dev-001"
  rg_id     = "/subscriptions/${var.subscription_id}/resourceGroups/${local.common_rg}"
  dns_rg_id = "/subscriptions/${var.subscription_id}/resourceGroups/acme-dns-weu-dev-001"
  # The privatelink zones a genai project's private endpoints register in.
  zones = [
    "privatelink.vaultcore.azure.net",
    "privatelink.blob.core.windows.net",
    "privatelink.dfs.core.windows.net",
    "privatelink.search.windows.net",
    "privatelink.cognitiveservices.azure.com",
    "privatelink.openai.azure.com",
    "privatelink.services.ai.azure.com",
    "privatelink.documents.azure.com",
  ]
}

resource "aifactory_arm_resource" "common_rg" {
  resource_id = local.rg_id
  api_version = "2024-07-01"
  body        = jsonencode({ location = local.location })
}

resource "aifactory_arm_resource" "dns_rg" {
  resource_id = local.dns_rg_id
  api_version = "2024-07-01"
  body        = jsonencode({ location = local.location })
}

resource "aifactory_arm_resource" "zone" {
  for_each    = toset(local.zones)
  resource_id = "${aifactory_arm_resource.dns_rg.id}/providers/Microsoft.Network/privateDnsZones/${each.key}"
  api_version = "2024-06-01"
  body        = jsonencode({ location = "global" })
}

resource "aifactory_arm_resource" "vnet" {
  resource_id = "${aifactory_arm_resource.common_rg.id}/providers/Microsoft.Network/virtualNetworks/vnt-esmlcmn-weu-dev-001"
  api_version = "2024-05-01"
  body = jsonencode({
    location   = local.location
    properties = { addressSpace = { addressPrefixes = ["10.20.0.0/16", "172.16.0.0/16"] } }
  })
}

# The project's private endpoint subnet (usually from aifactory_subnet_allocation).
resource "aifactory_arm_resource" "subnet" {
  resource_id = "${aifactory_arm_resource.vnet.id}/subnets/snt-prj001-genai"
  api_version = "2024-05-01"
  body        = jsonencode({ properties = { addressPrefix = "10.20.1.0/25" } })
}

# The Agent service's subnet: delegated to Microsoft.App/environments, a /23 in
# 172.16.0.0/12 or 192.168.0.0/16 (checked at plan).
resource "aifactory_arm_resource" "agent_subnet" {
  resource_id = "${aifactory_arm_resource.vnet.id}/subnets/snt-prj001-agent"
  api_version = "2024-05-01"
  body = jsonencode({ properties = {
    addressPrefix = "172.16.0.0/23"
    delegations   = [{ name = "agent", properties = { serviceName = "Microsoft.App/environments" } }]
  } })
  depends_on = [aifactory_arm_resource.subnet]
}

resource "aifactory_arm_resource" "log_analytics" {
  resource_id = "${aifactory_arm_resource.common_rg.id}/providers/Microsoft.OperationalInsights/workspaces/la-cmn-weu-dev-001"
  api_version = "2023-09-01"
  body        = jsonencode({ location = local.location, properties = { sku = { name = "PerGB2018" } } })
}

resource "aifactory_arm_resource" "lake" {
  resource_id = "${aifactory_arm_resource.common_rg.id}/providers/Microsoft.Storage/storageAccounts/acmelakeweudev001"
  api_version = "2025-06-01"
  body = jsonencode({
    location   = local.location
    kind       = "StorageV2"
    sku        = { name = "Standard_ZRS" }
    properties = { isHnsEnabled = true, minimumTlsVersion = "TLS1_2", allowSharedKeyAccess = false }
  })
}

resource "aifactory_arm_resource" "lake_blob_service" {
  resource_id = "${aifactory_arm_resource.lake.id}/blobServices/default"
  api_version = "2025-06-01"
  body        = jsonencode({ properties = {} })
}

# On a hierarchical-namespace account a blob container is the DFS filesystem.
resource "aifactory_arm_resource" "lake_filesystem" {
  resource_id = "${aifactory_arm_resource.lake_blob_service.id}/containers/lake3"
  api_version = "2025-06-01"
  body        = jsonencode({ properties = {} })
}

# The project.
resource "aifactory_project" "p001" {
  number       = 1
  environment  = "dev"
  location     = local.location
  project_type = "genai"
  naming       = { prefix = "acme-", location_short = "weu", suffix = "-001" }
  common = {
    resource_group_name                = local.common_rg
    private_dns_zone_resource_group_id = aifactory_arm_resource.dns_rg.id
    log_analytics_workspace_id         = aifactory_arm_resource.log_analytics.id
    datalake_storage_account_id        = aifactory_arm_resource.lake.id
    datalake_filesystem                = "lake3"
  }
  subnet_ids = {
    private_endpoints = aifactory_arm_resource.subnet.id
    agent             = aifactory_arm_resource.agent_subnet.id
  }
  team = {
    object_ids     = ["6a1f1b52-0d0e-4a3c-9a58-1a7e3c1d0001"] # Entra group of the project team (developers)
    principal_type = "Group"
    personas = {
      auditors = { object_ids = ["6a1f1b52-0d0e-4a3c-9a58-1a7e3c1d0009"], principal_type = "Group", role_set = "reader" }
    }
  }
  # AI Foundry with the Agent service; genai brings AI Search and AI Services.
  services = { ai_foundry = true, agent_service = true, cosmos_db = true }
  deployments = {
    gpt = { model = "gpt-4o", version = "2024-11-20", sku = "GlobalStandard", capacity = 50 }
  }
  network_access = "private"
  tags           = { cost_center = "1234" }

  timeouts {
    create = "90m"
  }

  # The zones and the filesystem must exist before the private endpoints and ACLs use them.
  depends_on = [aifactory_arm_resource.zone, aifactory_arm_resource.lake_filesystem]
}

output "project_resource_group" {
  value = aifactory_project.p001.resource_group_name
}

output "key_vault" {
  value = aifactory_project.p001.resources["key_vault"].name
}
