# Layout "project", one project in one stage: its subnets (allocated in the stage's shared
# virtual network, one write at a time per vNet, so workspaces of other projects can apply at
# the same time) and the project itself, on top of the common workspace's outputs. The
# project's entry in examples/aifactory/projects.yaml is its ticket.
terraform {
  required_providers {
    aifactory = { source = "aifactory/aifactory" }
    tfe       = { source = "hashicorp/tfe", version = "~> 0.60" }
  }
}

variable "organization" {
  type = string
}

variable "common_workspace" {
  description = "The stage's common workspace (ai-factory-common-<stage>)."
  type        = string
}

variable "project_number" {
  type = number
}

data "tfe_outputs" "common" {
  organization = var.organization
  workspace    = var.common_workspace
}

locals {
  stage  = nonsensitive(data.tfe_outputs.common.values.environment)
  common = nonsensitive(data.tfe_outputs.common.values.common)
  ticket = one([for p in yamldecode(file("${path.module}/../../../../aifactory/projects.yaml")).projects : p if p.number == var.project_number])
  key    = format("project%03d", var.project_number)
  subnets = {
    genai = { private_endpoints = { prefix_length = 25 }, aks = { prefix_length = 26 } }
    esml = {
      private_endpoints = { prefix_length = 25 }
      dbx_public        = { prefix_length = 26, delegation = "Microsoft.Databricks/workspaces" }
      dbx_private       = { prefix_length = 26, delegation = "Microsoft.Databricks/workspaces" }
    }
  }
}

provider "aifactory" {
  subscription_id = nonsensitive(data.tfe_outputs.common.values.subscription_id)
}

# The /21 slot of the project's number: the same CIDRs in every stage.
resource "aifactory_subnet_allocation" "this" {
  key                = local.key
  virtual_network_id = nonsensitive(data.tfe_outputs.common.values.virtual_network_id)
  strategy           = "slot"
  slot               = var.project_number
  slot_prefix_length = 21
  subnets            = local.subnets[local.ticket.type]
}

resource "aifactory_project" "this" {
  number       = var.project_number
  environment  = local.stage
  location     = "westeurope"
  project_type = local.ticket.type
  naming       = { prefix = "acme-", location_short = "weu", suffix = "-001" }
  common       = local.common
  subnet_ids   = aifactory_subnet_allocation.this.subnet_ids
  team = {
    object_ids     = local.ticket.members
    principal_type = local.ticket.principal_type
  }
  services = try(local.ticket.services, null)
  tags     = { cost_center = local.ticket.cost_centre }
}
