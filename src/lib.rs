//! terraform-provider-aifactory: provisions and runs an enterprise AI Factory on Azure.
//!
//! This crate is the provider layer of the workspace (codemap: ARCHITECTURE.md). The pure
//! cores (`aifactory-allocator`, `aifactory-template`) and the Azure client
//! (`aifactory-azure`) are crates of their own; here `framework` is the provider
//! vocabulary, `resources` and `functions` are thin translations between Terraform values
//! and those crates, and `tfplugin` is the only module that knows the plugin protocol crate.
pub mod budget;
pub mod context;
pub mod docs;
pub mod framework;
pub mod functions;
pub mod logging;
pub mod provider;
pub mod resources;
pub mod tfplugin;
