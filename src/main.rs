//! `terraform-provider-aifactory`: serves the provider over plugin protocol 6.
//!
//! Terraform starts this binary, reads the handshake line from stdout and talks gRPC.
//! Logs go to stderr as hclog JSON lines, so `TF_LOG=DEBUG` shows them at the right level.

use aifactory::{logging, provider::AifactoryProvider, tfplugin};

fn main() -> std::process::ExitCode {
    logging::init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        // A Ctrl-C in the terminal reaches the whole process group. Terraform itself
        // forwards the interrupt as StopProvider, so the provider must survive SIGINT and
        // finish (or cancel) in-flight operations cleanly instead of dying mid-apply.
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()) {
            Ok(mut sigint) => {
                tokio::spawn(async move {
                    while sigint.recv().await.is_some() {
                        tracing::info!("ignoring SIGINT: Terraform stops providers through StopProvider");
                    }
                });
            }
            Err(e) => tracing::warn!(error = %e, "could not install the SIGINT handler"),
        }
        match tfplugin::serve(AifactoryProvider::new()).await {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                tracing::error!(error = %e, "provider server failed");
                std::process::ExitCode::FAILURE
            }
        }
    })
}
