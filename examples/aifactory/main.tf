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
}

module "dev" {
  source             = "./modules/stage"
  providers          = { aifactory = aifactory.dev }
  environment        = "dev"
  subscription_id    = var.subscriptions["dev"]
  vnet_address_space = ["10.20.0.0/16"]
  projects           = local.projects
}

module "test" {
  source             = "./modules/stage"
  providers          = { aifactory = aifactory.test }
  environment        = "test"
  subscription_id    = var.subscriptions["test"]
  vnet_address_space = ["10.21.0.0/16"]
  projects           = local.projects
}

module "prod" {
  source             = "./modules/stage"
  providers          = { aifactory = aifactory.prod }
  environment        = "prod"
  subscription_id    = var.subscriptions["prod"]
  vnet_address_space = ["10.22.0.0/16"]
  projects           = local.projects
}

output "factory" {
  value = {
    dev  = module.dev.summary
    test = module.test.summary
    prod = module.prod.summary
  }
}
