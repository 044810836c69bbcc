//! Full ARM type names of Microsoft.Network objects that more than one module matches on:
//! `network` (which re-exports them) and `policy`, which evaluates a write before the
//! network rules and so must not import `network`. A leaf: plain constants, imports
//! nothing; must not hold behaviour.

pub const VNET: &str = "Microsoft.Network/virtualNetworks";
pub const SUBNET: &str = "Microsoft.Network/virtualNetworks/subnets";
pub const PRIVATE_ENDPOINT: &str = "Microsoft.Network/privateEndpoints";
pub const NSG: &str = "Microsoft.Network/networkSecurityGroups";
pub const SECURITY_RULE: &str = "Microsoft.Network/networkSecurityGroups/securityRules";
