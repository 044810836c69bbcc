# The dev stage. Replace the subscription with yours (these are the emulator's).
environment        = "dev"
subscription_id    = "00000000-0000-0000-0000-000000000001"
vnet_address_space = ["10.20.0.0/16"]
