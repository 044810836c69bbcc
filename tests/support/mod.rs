//! Shared helpers for the integration tests.
//!
//! `rpc` is the protocol-level client (also used by benches/schema_latency.rs); this
//! module adds what only works inside `cargo test`, such as the path of the binary
//! Cargo built for the tests.
#![allow(dead_code)]

pub mod rpc;

pub use rpc::*;

/// The provider binary Cargo built alongside the integration tests.
pub const PROVIDER_BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-aifactory");

impl ProviderProcess {
    /// Spawn the provider binary built for these tests and connect to it.
    pub async fn start() -> ProviderProcess {
        ProviderProcess::start_binary(PROVIDER_BIN).await
    }
}
