# Subnets for project 001 in the shared virtual network's address space.
resource "aifactory_subnet_allocation" "p001" {
  key           = "project001"
  address_space = ["10.20.0.0/16", "fd00:20::/48"]
  reserved      = ["10.20.0.0/24"] # common subnets: gateway, firewall, bastion
  occupied      = []               # subnets other projects already hold

  subnets = {
    genai  = { prefix_length = 25 }
    aks    = { min_hosts = 50 }
    webapp = { prefix_length = 27, ipv6 = true }
  }
}

# Independent workspaces (one per project, or dev/test/prod) need no coordination with
# the slot strategy: project 3 always gets block 3 of size /21.
resource "aifactory_subnet_allocation" "p003" {
  key                = "project003"
  address_space      = ["10.20.0.0/16"]
  reserved           = ["10.20.0.0/24"]
  strategy           = "slot"
  slot               = 3
  slot_prefix_length = 21

  subnets = {
    genai = { prefix_length = 25 }
    aks   = { prefix_length = 26 }
  }
}

output "p001_cidrs" {
  value = aifactory_subnet_allocation.p001.cidrs
}
