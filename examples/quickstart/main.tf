# Quickstart: allocate subnets for a few AI Factory projects in one /16 and print a table.
# No Azure account needed: run `terraform init && terraform apply`.
#
# Each project gets its own /21 slot (slot = project number), so projects never collide
# and each one's CIDRs are the same in every environment, with no coordination.

terraform {
  required_providers {
    aifactory = {
      source = "aifactory/aifactory"
    }
  }
}

provider "aifactory" {}

locals {
  address_space = ["10.20.0.0/16"]
  reserved      = ["10.20.0.0/24"] # common subnets

  # ESML's "all" project: 1,632 addresses per project.
  esml_all = {
    genai   = { prefix_length = 25 }
    aks     = { prefix_length = 26 }
    aks2    = { prefix_length = 24 }
    aca     = { prefix_length = 23 }
    aca2    = { prefix_length = 23 }
    webapp  = { prefix_length = 27 }
    dbxpub  = { prefix_length = 26 }
    dbxpriv = { prefix_length = 26 }
  }

  projects = {
    project001 = { number = 1, subnets = local.esml_all }
    project002 = { number = 2, subnets = { genai = { prefix_length = 25 }, aks = { min_hosts = 50 } } }
    project003 = { number = 3, subnets = local.esml_all }
  }
}

resource "aifactory_subnet_allocation" "project" {
  for_each           = local.projects
  key                = each.key
  address_space      = local.address_space
  reserved           = local.reserved
  strategy           = "slot"
  slot               = each.value.number
  slot_prefix_length = 21
  subnets            = each.value.subnets
}

output "table" {
  description = "Project, subnet and CIDR, one line each."
  value = join("\n", concat(
    [format("%-12s %-10s %-18s", "PROJECT", "SUBNET", "CIDR")],
    flatten([
      for p, a in aifactory_subnet_allocation.project : [
        for name, cidr in a.cidrs : format("%-12s %-10s %-18s", p, name, cidr)
      ]
    ]),
    [format("%d projects, %d addresses allocated",
      length(aifactory_subnet_allocation.project),
    sum([for a in aifactory_subnet_allocation.project : a.allocated_addresses]))]
  ))
}
