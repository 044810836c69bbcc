terraform {
  required_providers {
    aifactory = {
      source = "aifactory/aifactory"
    }
  }
}

# The pure features (subnet allocation, the allocate_subnets function) need no
# credentials. Azure-backed resources read the usual ARM_* variables.
provider "aifactory" {}
