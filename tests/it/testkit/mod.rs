//! The shared test kit of the integration tests: the Terraform acceptance harness
//! ([`terraform`]), the in-process emulator fixture ([`emulator`]), the protocol-level
//! client ([`rpc`], also used by benches/schema_latency.rs), the HTTPS request builders
//! for the emulator's wire tests ([`http`]), ARM/Entra error assertions ([`arm`]) and
//! golden files with their one update switch ([`golden`]).

pub mod arm;
pub mod emulator;
pub mod golden;
pub mod http;
pub mod rpc;
pub mod terraform;

/// The provider binary Cargo built alongside the integration tests.
pub const PROVIDER_BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-aifactory");

impl rpc::ProviderProcess {
    /// Spawn the provider binary built for these tests and connect to it.
    pub async fn start() -> rpc::ProviderProcess {
        rpc::ProviderProcess::start_binary(PROVIDER_BIN).await
    }
}
