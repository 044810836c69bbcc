# The prod stage. Replace the subscription with yours (these are the emulator's).
environment        = "prod"
subscription_id    = "00000000-0000-0000-0000-000000000003"
vnet_address_space = ["10.22.0.0/16"]
