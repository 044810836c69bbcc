variable "environment" {
  type = string
}

variable "subscription_id" {
  type = string
}

variable "vnet_address_space" {
  type = list(string)
}

variable "projects" {
  description = "Projects from projects.yaml."
  type        = any
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
  type    = string
  default = "acme-"
}

variable "slot_prefix_length" {
  description = "Size of each project's address slot (21 = 2,048 addresses, 32 projects per /16)."
  type        = number
  default     = 21
}

variable "core_team" {
  description = "The AI Factory's core team (Entra group object IDs)."
  type        = object({ object_ids = list(string), principal_type = string })
  default     = { object_ids = ["6a1f1b52-0d0e-4a3c-9a58-1a7e3c1d00c0"], principal_type = "Group" }
}
