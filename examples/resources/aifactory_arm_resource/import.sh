# <resource ID>?api-version=<version>
terraform import aifactory_arm_resource.common_rg '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/acme-esml-common-weu-dev-001?api-version=2021-04-01'
