# Requires Terraform >= 1.8 or OpenTofu >= 1.7.
output "subnets" {
  value = provider::aifactory::allocate_subnets(
    ["10.0.0.0/16"],       # address space
    ["10.0.0.0/24"],       # reserved
    { app = 24, data = 26 } # name => prefix length
  )
}
