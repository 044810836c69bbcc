# One stage's common environment: resource groups, the shared virtual network with its
# common subnet, private DNS zones, Log Analytics and the data lake (account + filesystem).
terraform {
  required_providers {
    aifactory = { source = "aifactory/aifactory" }
  }
}

locals {
  env_suffix = "${var.location_short}-${var.environment}-001"
  rg_common  = "${var.prefix}esml-common-${local.env_suffix}"
  rg_dns     = "${var.prefix}esml-dns-${local.env_suffix}"
  sub        = "/subscriptions/${var.subscription_id}"
  tags       = merge(var.tags, { "aifactory-environment" = var.environment, "aifactory-role" = "common" })
  # Storage account names: 3-24 lowercase letters and digits.
  lake_name = substr(replace(lower("${var.prefix}lake${var.location_short}${var.environment}"), "/[^a-z0-9]/", ""), 0, 24)
}

resource "aifactory_arm_resource" "rg_common" {
  resource_id = "${local.sub}/resourceGroups/${local.rg_common}"
  api_version = "2021-04-01"
  body        = jsonencode({ location = var.location, tags = local.tags })
}

resource "aifactory_arm_resource" "rg_dns" {
  resource_id = "${local.sub}/resourceGroups/${local.rg_dns}"
  api_version = "2021-04-01"
  body        = jsonencode({ location = var.location, tags = local.tags })
}

# The body sets no `subnets`: subnets are managed by aifactory_subnet_allocation, and
# drift detection only compares what the body sets.
resource "aifactory_arm_resource" "vnet" {
  resource_id = "${aifactory_arm_resource.rg_common.id}/providers/Microsoft.Network/virtualNetworks/vnt-esmlcmn-${local.env_suffix}"
  api_version = "2024-05-01"
  body = jsonencode({
    location   = var.location
    tags       = local.tags
    properties = { addressSpace = { addressPrefixes = var.vnet_address_space } }
  })
}

# The common subnet (jump hosts, build agents) comes from the same allocator as projects.
resource "aifactory_subnet_allocation" "common" {
  key                = "common"
  virtual_network_id = aifactory_arm_resource.vnet.id
  subnets = {
    common = { prefix_length = var.common_subnet_prefix_length, name = "snt-esmlcmn-${local.env_suffix}" }
  }
}

resource "aifactory_arm_resource" "dns_zone" {
  for_each    = toset(var.private_dns_zones)
  resource_id = "${aifactory_arm_resource.rg_dns.id}/providers/Microsoft.Network/privateDnsZones/${each.key}"
  api_version = "2020-06-01"
  body        = jsonencode({ location = "global", tags = local.tags })
}

resource "aifactory_arm_resource" "log_analytics" {
  resource_id = "${aifactory_arm_resource.rg_common.id}/providers/Microsoft.OperationalInsights/workspaces/la-cmn-${local.env_suffix}"
  api_version = "2023-09-01"
  body = jsonencode({
    location   = var.location
    tags       = local.tags
    properties = { sku = { name = "PerGB2018" }, retentionInDays = 30 }
  })
}

resource "aifactory_arm_resource" "lake" {
  resource_id = "${aifactory_arm_resource.rg_common.id}/providers/Microsoft.Storage/storageAccounts/${local.lake_name}"
  api_version = "2023-05-01"
  body = jsonencode({
    location = var.location
    tags     = local.tags
    kind     = "StorageV2"
    sku      = { name = "Standard_ZRS" }
    properties = {
      isHnsEnabled          = true
      minimumTlsVersion     = "TLS1_2"
      allowBlobPublicAccess = false
      publicNetworkAccess   = "Disabled"
    }
  })
}

# On a hierarchical-namespace account a blob container is the DFS filesystem.
resource "aifactory_arm_resource" "lake_filesystem" {
  resource_id = "${aifactory_arm_resource.lake.id}/blobServices/default/containers/lake3"
  api_version = "2023-05-01"
  body        = jsonencode({ properties = { publicAccess = "None" } })
}

# Everyone may traverse the lake's root and `projects` (execute only, no listing), so the
# projects' principals reach their own folder without each project adding entries to these
# shared parents (Azure allows 32 entries per ACL; a factory has hundreds of principals).
resource "aifactory_datalake_acl" "lake_root" {
  storage_account_id = aifactory_arm_resource.lake.id
  filesystem         = "lake3"
  path               = "/"
  entries            = ["other::--x"]
  depends_on         = [aifactory_arm_resource.lake_filesystem]
}

resource "aifactory_datalake_acl" "lake_projects" {
  storage_account_id = aifactory_arm_resource.lake.id
  filesystem         = "lake3"
  path               = "projects"
  entries            = ["other::--x"]
  depends_on         = [aifactory_arm_resource.lake_filesystem]
}
