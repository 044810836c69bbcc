variable "environment" {
  description = "Stage: dev, test or prod."
  type        = string
}

variable "subscription_id" {
  description = "The stage's subscription."
  type        = string
}

variable "location" {
  type    = string
  default = "westeurope"
}

variable "location_short" {
  type    = string
  default = "weu"
}

variable "prefix" {
  description = "Prefix of every common name, for example `acme-`."
  type        = string
  default     = "acme-"
}

variable "vnet_address_space" {
  description = "The stage's virtual network address space, shared by common subnets and projects."
  type        = list(string)
}

variable "common_subnet_prefix_length" {
  type    = number
  default = 24
}

variable "private_dns_zones" {
  description = "privatelink zones the projects' private endpoints register in."
  type        = list(string)
  default = [
    "privatelink.vaultcore.azure.net",
    "privatelink.blob.core.windows.net",
    "privatelink.dfs.core.windows.net",
    "privatelink.file.core.windows.net",
    "privatelink.queue.core.windows.net",
    "privatelink.table.core.windows.net",
    "privatelink.api.azureml.ms",
    "privatelink.notebooks.azure.net",
    "privatelink.search.windows.net",
    "privatelink.cognitiveservices.azure.com",
    "privatelink.openai.azure.com",
    "privatelink.services.ai.azure.com",
    "privatelink.datafactory.azure.net",
    "privatelink.azuredatabricks.net",
  ]
}

variable "tags" {
  type    = map(string)
  default = {}
}
