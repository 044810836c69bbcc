# Two projects' subnets, allocated without Azure, drawn as a picture and a table.
resource "aifactory_subnet_allocation" "project" {
  for_each           = { project001 = 1, project002 = 2 }
  key                = each.key
  address_space      = ["10.20.0.0/16"]
  reserved           = ["10.20.0.0/24"]
  strategy           = "slot"
  slot               = each.value
  slot_prefix_length = 21
  subnets = {
    private_endpoints = { prefix_length = 25 }
    aks               = { prefix_length = 26 }
  }
}

data "aifactory_address_map" "plan" {
  title         = "dev: 10.20.0.0/16"
  address_space = ["10.20.0.0/16"]
  allocations = concat(
    [{ cidr = "10.20.0.0/24", project = "common", purpose = "gateway" }],
    flatten([
      for key, a in aifactory_subnet_allocation.project : [
        for purpose, cidr in a.cidrs : { cidr = cidr, project = key, purpose = purpose, name = "snt-${key}-${purpose}" }
      ]
    ]),
  )
}

# terraform output -raw address_map_svg > address-map.svg
output "address_map_svg" {
  value = data.aifactory_address_map.plan.svg
}

output "address_map_markdown" {
  value = data.aifactory_address_map.plan.markdown
}

output "utilisation_percent" {
  value = data.aifactory_address_map.plan.utilisation_percent # 1.27
}

output "largest_free_block" {
  value = data.aifactory_address_map.plan.largest_free_block # "10.20.128.0/17"
}
