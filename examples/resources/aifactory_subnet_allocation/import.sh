# Adopt subnets that already exist (for example made by ESML's pipelines or by hand):
# KEY|NAME=CIDR,NAME=CIDR. The next plan keeps these CIDRs as long as the requested sizes match.
terraform import aifactory_subnet_allocation.p001 'project001|genai=10.20.1.0/25,aks=10.20.2.0/26'

# In a live virtual network: <vnet id>|KEY adopts the vNet's subnets named snt-KEY-<purpose>
# (snt-prj001-genai becomes subnets["genai"]) with their CIDRs and IDs.
terraform import aifactory_subnet_allocation.prj001 '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/acme-esml-common-weu-dev-002/providers/Microsoft.Network/virtualNetworks/vnt-esmlcmn-weu-dev-002|prj001'
