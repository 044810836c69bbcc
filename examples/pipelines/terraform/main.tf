# One stage of the AI Factory (its common environment and every project in
# examples/aifactory/projects.yaml) as its own root module and state, so each stage has its
# own pipeline job, approval and lock. The stage is chosen by the variable file:
#   terraform plan -var-file=stages/dev.tfvars
# No backend here: ../scripts/lib.sh writes zz_backend.tf (Azure storage, one state blob per
# stage) for GitHub Actions and Azure DevOps; in HCP Terraform the workspace holds the state.
terraform {
  required_version = ">= 1.0.3"
  required_providers {
    aifactory = { source = "aifactory/aifactory" }
  }
}

variable "environment" {
  description = "dev, test or prod."
  type        = string
}

variable "subscription_id" {
  description = "The stage's subscription (the pipeline sets ARM_SUBSCRIPTION_ID to the same)."
  type        = string
}

variable "vnet_address_space" {
  description = "The stage's virtual network address space."
  type        = list(string)
}

variable "projects_file" {
  description = "The onboarding tickets (one entry per project)."
  type        = string
  default     = "../../aifactory/projects.yaml"
}

provider "aifactory" {
  subscription_id = var.subscription_id
}

module "stage" {
  source             = "../../aifactory/modules/stage"
  environment        = var.environment
  subscription_id    = var.subscription_id
  vnet_address_space = var.vnet_address_space
  projects           = yamldecode(file("${path.module}/${var.projects_file}")).projects
}

# The stage's address plan, drawn from the allocations (known at plan time).
data "aifactory_address_map" "stage" {
  title         = "AI Factory ${var.environment}: ${join(", ", var.vnet_address_space)}"
  address_space = var.vnet_address_space
  allocations = concat(
    [for purpose, cidr in module.stage.summary.common_subnets : { cidr = cidr, project = "common", purpose = purpose }],
    flatten([
      for key, p in module.stage.summary.projects : [
        for purpose, cidr in(p.subnets != null ? p.subnets : {}) : { cidr = cidr, project = key, purpose = purpose, name = "snt-${key}-${purpose}" }
      ]
    ]),
  )
}

output "summary" {
  value = module.stage.summary
}

output "address_map" {
  description = "SVG picture of the stage's address space."
  value       = data.aifactory_address_map.stage.svg
}

output "address_map_markdown" {
  description = "The same as a Markdown table (the plan comment shows it)."
  value       = data.aifactory_address_map.stage.markdown
}
