# The common resource group's ID (`<prefix>esml-common-<loc>-<env><suffix>`). The inputs
# are read back from Azure: naming from the group's name, the salt from the Log Analytics
# workspace's name (ESML's `uniqueString` salt is recognised), the vNet's space and common
# subnets, where the private DNS zones are (an ESML-made stage keeps its zones in the
# common group: they are used and linked, not owned), the registry and the core team.
terraform import aifactory_common.dev /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/acme-esml-common-weu-dev-001
