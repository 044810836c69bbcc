//! Managed resources: thin translations between Terraform values and the pure cores
//! (and, for Azure-backed ones, the Azure client layer). One file per resource, its
//! tests beside it.
pub mod arm_resource;
pub mod datalake_acl;
pub mod project;
pub mod project_names;
pub mod subnet_allocation;
