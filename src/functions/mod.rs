//! Provider-defined functions (`provider::aifactory::NAME`, Terraform >= 1.8, OpenTofu >= 1.7).
pub mod allocate_subnets;
