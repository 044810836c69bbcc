# The test stage. Replace the subscription with yours (these are the emulator's).
environment        = "test"
subscription_id    = "00000000-0000-0000-0000-000000000002"
vnet_address_space = ["10.21.0.0/16"]
