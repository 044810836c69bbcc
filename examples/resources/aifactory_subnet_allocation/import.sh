# Adopt subnets that already exist (for example made by ESML's pipelines or by hand):
# KEY|NAME=CIDR,NAME=CIDR. The next plan keeps these CIDRs as long as the requested sizes match.
terraform import aifactory_subnet_allocation.p001 'project001|genai=10.20.1.0/25,aks=10.20.2.0/26'
