//! `terraform-provider-aifactory`: serves the provider over plugin protocol 6.
//!
//! Terraform starts this binary, reads the handshake line from stdout and talks gRPC.
//! Logs go to stderr as hclog JSON lines, so `TF_LOG=DEBUG` shows them at the right level.

use aifactory::{logging, provider::AifactoryProvider, tfplugin};

fn main() -> std::process::ExitCode {
    // Before anything else, while the process has one thread: a Ctrl-C in the terminal
    // reaches the whole process group, and Terraform itself turns it into StopProvider,
    // so the provider ignores SIGINT rather than dying mid-operation. Nothing is left of
    // the window a signal handler installed later would leave.
    ignore_sigint();
    // Backtraces in user-facing diagnostics help nobody: the plugin crate appends one to
    // every diagnostic it builds when these are set in the user's environment.
    std::env::remove_var("RUST_BACKTRACE");
    std::env::remove_var("RUST_LIB_BACKTRACE");
    logging::init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        tracing::debug!("SIGINT is ignored: Terraform stops providers through StopProvider");
        tfplugin::watch_sockets();
        match tfplugin::serve(AifactoryProvider::new()).await {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                tracing::error!(error = %e, "provider server failed");
                std::process::ExitCode::FAILURE
            }
        }
    })
}

fn ignore_sigint() {
    // SAFETY: `signal` with SIG_IGN installs no handler code; called once, before any
    // other thread exists.
    let previous = unsafe { libc::signal(libc::SIGINT, libc::SIG_IGN) };
    // The C runtime's `signal` on Windows returns a handler address but names its error
    // value as an int.
    #[cfg(windows)]
    let failed = previous == libc::SIG_ERR as libc::sighandler_t;
    #[cfg(not(windows))]
    let failed = previous == libc::SIG_ERR;
    if failed {
        eprintln!("warning: could not ignore SIGINT");
    }
}
