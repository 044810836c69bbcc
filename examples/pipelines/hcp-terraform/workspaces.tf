# HCP Terraform (or Terraform Enterprise) for the AI Factory, declared with the `tfe`
# provider: a project, a variable set for Azure dynamic credentials (workload identity, no
# secret), workspaces and run triggers. Apply it once from a workstation with a TFE_TOKEN.
#
# layout = "stage": one workspace per stage on examples/pipelines/terraform; dev -> test ->
#   prod run triggers (a successful apply of dev queues a plan of test, which waits for
#   confirmation: auto_apply is off).
# layout = "project": for large factories, a workspace per stage for the common
#   environment (split/common) and one per project and stage (split/project); the common
#   workspace's applies trigger its projects' plans. See README.md.
terraform {
  required_version = ">= 1.3.0"
  required_providers {
    tfe = {
      source  = "hashicorp/tfe"
      version = "~> 0.60"
    }
  }
}

variable "organization" {
  description = "HCP Terraform organization."
  type        = string
}

variable "layout" {
  description = "\"stage\" (a workspace per stage) or \"project\" (common + one per project and stage)."
  type        = string
  default     = "stage"
  validation {
    condition     = contains(["stage", "project"], var.layout)
    error_message = "The layout is \"stage\" or \"project\"."
  }
}

variable "vcs_repo" {
  description = "The repository holding this configuration, as HCP Terraform's VCS connection knows it."
  type = object({
    identifier     = string # "acme/ai-factory"
    oauth_token_id = string
    branch         = optional(string, "main")
  })
}

variable "azure_client_id" {
  description = "Client ID of the app registration whose federated credentials trust HCP Terraform."
  type        = string
}

variable "azure_tenant_id" {
  type = string
}

variable "stages" {
  description = "Stages in promotion order, with their subscription and address space."
  type = list(object({
    name               = string
    subscription_id    = string
    vnet_address_space = list(string)
  }))
  default = [
    { name = "dev", subscription_id = "00000000-0000-0000-0000-000000000001", vnet_address_space = ["10.20.0.0/16"] },
    { name = "test", subscription_id = "00000000-0000-0000-0000-000000000002", vnet_address_space = ["10.21.0.0/16"] },
    { name = "prod", subscription_id = "00000000-0000-0000-0000-000000000003", vnet_address_space = ["10.22.0.0/16"] },
  ]
}

variable "terraform_version" {
  type    = string
  default = "1.9.8"
}

locals {
  stages   = { for s in var.stages : s.name => s }
  projects = { for p in yamldecode(file("${path.module}/../../aifactory/projects.yaml")).projects : format("project%03d", p.number) => p }
  # "project" layout: one workspace per (project, stage).
  project_workspaces = var.layout != "project" ? {} : merge([
    for s in var.stages : { for k, p in local.projects : "${k}-${s.name}" => { project = k, number = p.number, stage = s.name } }
  ]...)
  # The order stages are promoted in: each one after the previous.
  promotions = { for i, s in var.stages : s.name => var.stages[i - 1].name if i > 0 }
}

resource "tfe_project" "factory" {
  organization = var.organization
  name         = "ai-factory"
}

# Dynamic credentials: HCP Terraform signs a token for every run (audience below) and puts it
# in TFC_WORKLOAD_IDENTITY_TOKEN; the aifactory provider (ARM_USE_OIDC) exchanges it at Entra.
# The app registration needs a federated credential per workspace and run phase:
#   issuer  https://app.terraform.io
#   subject organization:<org>:project:ai-factory:workspace:<workspace>:run_phase:*
resource "tfe_variable_set" "azure" {
  organization = var.organization
  name         = "ai-factory-azure"
  description  = "Azure workload identity for the AI Factory workspaces (no secret)."
}

resource "tfe_variable" "azure" {
  for_each = {
    TFC_WORKLOAD_IDENTITY_AUDIENCE = "api://AzureADTokenExchange"
    ARM_USE_OIDC                   = "true"
    ARM_USE_CLI                    = "false"
    ARM_CLIENT_ID                  = var.azure_client_id
    ARM_TENANT_ID                  = var.azure_tenant_id
  }
  variable_set_id = tfe_variable_set.azure.id
  category        = "env"
  key             = each.key
  value           = each.value
}

resource "tfe_project_variable_set" "azure" {
  project_id      = tfe_project.factory.id
  variable_set_id = tfe_variable_set.azure.id
}

# ---------------------------------------------------------------- layout "stage"

resource "tfe_workspace" "stage" {
  for_each          = var.layout == "stage" ? local.stages : {}
  organization      = var.organization
  project_id        = tfe_project.factory.id
  name              = "ai-factory-${each.key}"
  working_directory = "examples/pipelines/terraform"
  terraform_version = var.terraform_version
  auto_apply        = false # every apply is confirmed: the approval
  queue_all_runs    = false
  trigger_patterns  = ["examples/pipelines/terraform/**/*", "examples/aifactory/**/*"]
  vcs_repo {
    identifier     = var.vcs_repo.identifier
    branch         = var.vcs_repo.branch
    oauth_token_id = var.vcs_repo.oauth_token_id
  }
}

# The stage's variable file, as HCP Terraform passes arguments to terraform plan.
resource "tfe_variable" "stage_var_file" {
  for_each     = tfe_workspace.stage
  workspace_id = each.value.id
  category     = "env"
  key          = "TF_CLI_ARGS_plan"
  value        = "-var-file=stages/${each.key}.tfvars"
}

resource "tfe_run_trigger" "stage" {
  for_each      = var.layout == "stage" ? local.promotions : {}
  workspace_id  = tfe_workspace.stage[each.key].id
  sourceable_id = tfe_workspace.stage[each.value].id
}

# ---------------------------------------------------------------- layout "project"

resource "tfe_workspace" "common" {
  for_each          = var.layout == "project" ? local.stages : {}
  organization      = var.organization
  project_id        = tfe_project.factory.id
  name              = "ai-factory-common-${each.key}"
  working_directory = "examples/pipelines/hcp-terraform/split/common"
  terraform_version = var.terraform_version
  auto_apply        = false
  trigger_patterns  = ["examples/pipelines/hcp-terraform/split/common/**/*", "examples/aifactory/modules/common/**/*"]
  vcs_repo {
    identifier     = var.vcs_repo.identifier
    branch         = var.vcs_repo.branch
    oauth_token_id = var.vcs_repo.oauth_token_id
  }
}

resource "tfe_workspace" "project" {
  for_each          = local.project_workspaces
  organization      = var.organization
  project_id        = tfe_project.factory.id
  name              = "ai-factory-${each.key}"
  working_directory = "examples/pipelines/hcp-terraform/split/project"
  terraform_version = var.terraform_version
  auto_apply        = false
  trigger_patterns  = ["examples/pipelines/hcp-terraform/split/project/**/*", "examples/aifactory/projects.yaml"]
  vcs_repo {
    identifier     = var.vcs_repo.identifier
    branch         = var.vcs_repo.branch
    oauth_token_id = var.vcs_repo.oauth_token_id
  }
}

# The common workspace may hand its outputs to its projects' workspaces (tfe_outputs).
resource "tfe_workspace_settings" "common" {
  for_each                  = tfe_workspace.common
  workspace_id              = each.value.id
  global_remote_state       = false
  remote_state_consumer_ids = [for k, w in local.project_workspaces : tfe_workspace.project[k].id if w.stage == each.key]
}

resource "tfe_variable" "common" {
  for_each = var.layout == "project" ? merge([
    for s in var.stages : {
      "${s.name}/environment"        = { stage = s.name, key = "environment", value = s.name, hcl = false }
      "${s.name}/subscription_id"    = { stage = s.name, key = "subscription_id", value = s.subscription_id, hcl = false }
      "${s.name}/vnet_address_space" = { stage = s.name, key = "vnet_address_space", value = jsonencode(s.vnet_address_space), hcl = true }
    }
  ]...) : {}
  workspace_id = tfe_workspace.common[each.value.stage].id
  category     = "terraform"
  key          = each.value.key
  value        = each.value.value
  hcl          = each.value.hcl
}

resource "tfe_variable" "project" {
  for_each = merge([
    for k, w in local.project_workspaces : {
      "${k}/organization"     = { workspace = k, key = "organization", value = var.organization }
      "${k}/common_workspace" = { workspace = k, key = "common_workspace", value = tfe_workspace.common[w.stage].name }
      "${k}/project_number"   = { workspace = k, key = "project_number", value = tostring(w.number) }
    }
  ]...)
  workspace_id = tfe_workspace.project[each.value.workspace].id
  category     = "terraform"
  key          = each.value.key
  value        = each.value.value
}

resource "tfe_run_trigger" "project" {
  for_each      = local.project_workspaces
  workspace_id  = tfe_workspace.project[each.key].id
  sourceable_id = tfe_workspace.common[each.value.stage].id
}
