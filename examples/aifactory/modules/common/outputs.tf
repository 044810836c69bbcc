output "resource_group_name" {
  value = local.rg_common
}

output "virtual_network_id" {
  value = aifactory_arm_resource.vnet.id
}

output "private_dns_zone_resource_group_id" {
  value = aifactory_arm_resource.rg_dns.id
}

output "log_analytics_workspace_id" {
  value = aifactory_arm_resource.log_analytics.id
}

output "datalake_storage_account_id" {
  value = aifactory_arm_resource.lake.id
}

output "datalake_filesystem" {
  value = "lake3"
  # The filesystem and its traverse entries must exist before projects set ACLs in it.
  depends_on = [aifactory_datalake_acl.lake_root, aifactory_datalake_acl.lake_projects]
}

output "common_subnet_cidrs" {
  value = aifactory_subnet_allocation.common.cidrs
}
