# The common lake's shared parents: everyone may traverse the root and `projects` (execute
# only, no listing), so projects add no entries there and the 32-entry limit never bites.
variable "subscription_id" {
  type    = string
  default = "00000000-0000-0000-0000-000000000001"
}

variable "platform_group_object_id" {
  type    = string
  default = "7d0b3a2e-0000-4000-8000-00000000c0de"
}

locals {
  rg_id = "/subscriptions/${var.subscription_id}/resourceGroups/acme-esml-common-weu-dev-002"
}

resource "aifactory_arm_resource" "common_rg" {
  resource_id = local.rg_id
  api_version = "2021-04-01"
  body        = jsonencode({ location = "westeurope" })
}

resource "aifactory_arm_resource" "lake" {
  resource_id = "${aifactory_arm_resource.common_rg.id}/providers/Microsoft.Storage/storageAccounts/acmelakeweudev"
  api_version = "2023-05-01"
  body = jsonencode({
    location   = "westeurope"
    kind       = "StorageV2"
    sku        = { name = "Standard_ZRS" }
    properties = { isHnsEnabled = true, publicNetworkAccess = "Disabled" }
  })
}

resource "aifactory_arm_resource" "filesystem" {
  resource_id = "${aifactory_arm_resource.lake.id}/blobServices/default/containers/lake3"
  api_version = "2023-05-01"
  body        = jsonencode({ properties = { publicAccess = "None" } })
}

resource "aifactory_datalake_acl" "root" {
  storage_account_id = aifactory_arm_resource.lake.id
  filesystem         = "lake3"
  path               = "/"
  entries            = ["other::--x"]
  depends_on         = [aifactory_arm_resource.filesystem]
}

# `projects` is created if missing; the platform team may list it, new folders inherit that.
resource "aifactory_datalake_acl" "projects" {
  storage_account_id = aifactory_arm_resource.lake.id
  filesystem         = "lake3"
  path               = "projects"
  entries = [
    "other::--x",
    "group:${var.platform_group_object_id}:r-x",
    "default:group:${var.platform_group_object_id}:r-x",
  ]
  depends_on = [aifactory_arm_resource.filesystem]
}
