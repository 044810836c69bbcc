# The whole AI Factory: dev, test and prod (one subscription each), every project listed in
# projects.yaml onboarded in every stage. Run offline against the emulator with
# ./scripts/demo.sh, or against Azure with ARM_* credentials (docs/guides/real-azure.md).
terraform {
  required_providers {
    aifactory = { source = "aifactory/aifactory" }
  }
}

variable "subscriptions" {
  description = "Subscription per stage."
  type        = map(string)
  default = {
    dev  = "00000000-0000-0000-0000-000000000001"
    test = "00000000-0000-0000-0000-000000000002"
    prod = "00000000-0000-0000-0000-000000000003"
  }
}

provider "aifactory" {
  alias           = "dev"
  subscription_id = var.subscriptions["dev"]
}

provider "aifactory" {
  alias           = "test"
  subscription_id = var.subscriptions["test"]
}

provider "aifactory" {
  alias           = "prod"
  subscription_id = var.subscriptions["prod"]
}

locals {
  projects = yamldecode(file("${path.module}/projects.yaml")).projects
  # Each stage's virtual network address space.
  vnet_address_spaces = {
    dev  = ["10.20.0.0/16"]
    test = ["10.21.0.0/16"]
    prod = ["10.22.0.0/16"]
  }
}

module "dev" {
  source             = "./modules/stage"
  providers          = { aifactory = aifactory.dev }
  environment        = "dev"
  subscription_id    = var.subscriptions["dev"]
  vnet_address_space = local.vnet_address_spaces["dev"]
  projects           = local.projects
}

module "test" {
  source             = "./modules/stage"
  providers          = { aifactory = aifactory.test }
  environment        = "test"
  subscription_id    = var.subscriptions["test"]
  vnet_address_space = local.vnet_address_spaces["test"]
  projects           = local.projects
}

module "prod" {
  source             = "./modules/stage"
  providers          = { aifactory = aifactory.prod }
  environment        = "prod"
  subscription_id    = var.subscriptions["prod"]
  vnet_address_space = local.vnet_address_spaces["prod"]
  projects           = local.projects
}

output "factory" {
  value = {
    dev  = module.dev.summary
    test = module.test.summary
    prod = module.prod.summary
  }
}

# A picture of each stage's address plan: the common subnet and every project's subnets,
# drawn from the allocations (known at plan time, so the picture is current in the run that
# changes them; no Azure call). `terraform output -raw address_map_dev > dev.svg`.
locals {
  stage_summaries = { dev = module.dev.summary, test = module.test.summary, prod = module.prod.summary }
}

data "aifactory_address_map" "stage" {
  for_each = local.vnet_address_spaces
  # Pure: any configuration of the provider will do.
  provider      = aifactory.dev
  title         = "AI Factory ${each.key}: ${join(", ", each.value)}"
  address_space = each.value
  allocations = concat(
    [for purpose, cidr in local.stage_summaries[each.key].common_subnets : { cidr = cidr, project = "common", purpose = purpose }],
    flatten([
      for key, p in local.stage_summaries[each.key].projects : [
        for purpose, cidr in(p.subnets != null ? p.subnets : {}) : { cidr = cidr, project = key, purpose = purpose, name = "snt-${key}-${purpose}" }
      ]
    ]),
  )
}

output "address_map_dev" {
  description = "SVG picture of the dev stage's address space."
  value       = data.aifactory_address_map.stage["dev"].svg
}

output "address_map_test" {
  description = "SVG picture of the test stage's address space."
  value       = data.aifactory_address_map.stage["test"].svg
}

output "address_map_prod" {
  description = "SVG picture of the prod stage's address space."
  value       = data.aifactory_address_map.stage["prod"].svg
}
