# The project's resource group ID. The inputs are rebuilt from the ownership tags
# (aifactory-project, aifactory-environment, aifactory-type) and the resources' settings;
# timeouts, force_destroy and datalake_delete_on_destroy come from the configuration.
terraform import aifactory_project.p001 /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/acme-esml-project001-weu-dev-001-rg
