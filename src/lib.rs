//! terraform-provider-aifactory: provisions and runs an enterprise AI Factory on Azure.
//!
//! Codemap: see ARCHITECTURE.md. Pure cores (`allocator`) carry the logic; `framework`
//! is the provider vocabulary; `resources` and `functions` are thin translations;
//! `tfplugin` is the only module that knows the plugin protocol crate.
pub mod allocator;
pub mod azure;
pub mod docs;
pub mod emulator;
pub mod framework;
pub mod functions;
pub mod logging;
pub mod naming;
pub mod project;
pub mod provider;
pub mod resources;
pub mod tfplugin;
