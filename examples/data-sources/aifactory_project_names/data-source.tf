# Every name project 002 would get in test, without creating anything or calling Azure.
data "aifactory_project_names" "p002" {
  number          = 2
  environment     = "test"
  location        = "westeurope"
  project_type    = "esml"
  naming          = { prefix = "acme-", location_short = "weu", suffix = "-001" }
  common          = { resource_group_name = "acme-esml-common-weu-test-001" }
  services        = { databricks = true }
  subscription_id = "00000000-0000-0000-0000-000000000002"
}

output "p002_key_vault" {
  value = data.aifactory_project_names.p002.names["key_vault"]
}

output "p002_names" {
  value = data.aifactory_project_names.p002.names
}
