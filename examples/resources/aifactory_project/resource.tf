# A genai project on AI Foundry (the Agent service on Cosmos DB, Storage and AI Search, a
# model deployment), with private networking, a reader persona and a folder in the common
# data lake. The stage's common part it refers to (normally its own configuration) is
# created here too, so the example is self-contained.
resource "aifactory_common" "dev" {
  environment   = "dev"
  location      = "westeurope"
  naming        = { prefix = "acme-", location_short = "weu", suffix = "-001" }
  address_space = ["10.20.0.0/16", "172.16.0.0/16"]
  subnets       = { common = 24 }
}

# The project's private endpoint subnet (usually from aifactory_subnet_allocation).
resource "aifactory_arm_resource" "subnet" {
  resource_id = "${aifactory_common.dev.virtual_network_id}/subnets/snt-prj001-genai"
  api_version = "2024-05-01"
  body        = jsonencode({ properties = { addressPrefix = "10.20.1.0/25" } })
  depends_on  = [aifactory_common.dev]
}

# The Agent service's subnet: delegated to Microsoft.App/environments, a /23 in
# 172.16.0.0/12 or 192.168.0.0/16 (checked at plan).
resource "aifactory_arm_resource" "agent_subnet" {
  resource_id = "${aifactory_common.dev.virtual_network_id}/subnets/snt-prj001-agent"
  api_version = "2024-05-01"
  body = jsonencode({ properties = {
    addressPrefix = "172.16.0.0/23"
    delegations   = [{ name = "agent", properties = { serviceName = "Microsoft.App/environments" } }]
  } })
  depends_on = [aifactory_arm_resource.subnet]
}

# The project.
resource "aifactory_project" "p001" {
  number       = 1
  environment  = "dev"
  location     = "westeurope"
  project_type = "genai"
  naming       = { prefix = "acme-", location_short = "weu", suffix = "-001" }
  # The stage's references, as aifactory_common gives them.
  common = aifactory_common.dev.project_refs
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
  # Foundry runs on the AI Services account; ESML's layout (an account of its own,
  # `aif2…`) is `foundry_options = { account = "dedicated" }`.
  services = { ai_foundry = true, agent_service = true, cosmos_db = true }
  deployments = {
    gpt = { model = "gpt-4o", version = "2024-11-20", sku = "GlobalStandard", capacity = 50 }
  }
  network_access = "private"
  tags           = { cost_center = "1234" }

  timeouts {
    create = "90m"
  }
}

output "project_resource_group" {
  value = aifactory_project.p001.resource_group_name
}

output "key_vault" {
  value = aifactory_project.p001.resources["key_vault"].name
}
