//! An in-process Azure emulator for acceptance tests: started on its own runtime thread,
//! seeded with one tenant, subscription and service principal, and described as the
//! `ARM_*` environment a provider process needs to reach it (loopback only).
//!
//! Used by the acceptance tests as `crate::testkit::emulator`.

use std::sync::mpsc;

use aifactory_emulator::{Emulator, EmulatorConfig, RunningEmulator};

pub const TENANT: &str = "11111111-1111-1111-1111-111111111111";
pub const SUBSCRIPTION: &str = "00000000-0000-0000-0000-000000000001";
/// Further subscriptions (the factory example's test and prod stages).
pub const MORE_SUBSCRIPTIONS: [&str; 2] = [
    "00000000-0000-0000-0000-000000000002",
    "00000000-0000-0000-0000-000000000003",
];
pub const CLIENT_ID: &str = "22222222-2222-2222-2222-222222222222";
pub const CLIENT_SECRET: &str = "acceptance-secret-not-for-logs";

/// A running emulator plus the runtime that drives it.
pub struct EmulatorFixture {
    pub emulator: RunningEmulator,
    runtime: tokio::runtime::Runtime,
}

impl EmulatorFixture {
    /// Start with the standard seed (`TENANT`, `SUBSCRIPTION`, app `CLIENT_ID`).
    pub fn start() -> EmulatorFixture {
        Self::start_with(|c| c)
    }

    /// Start with a customised configuration.
    pub fn start_with(customise: impl FnOnce(EmulatorConfig) -> EmulatorConfig) -> EmulatorFixture {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("emulator runtime");
        let config = customise(
            EmulatorConfig::default()
                .with_tenant(TENANT)
                .with_subscription(SUBSCRIPTION)
                .with_subscription(MORE_SUBSCRIPTIONS[0])
                .with_subscription(MORE_SUBSCRIPTIONS[1])
                .with_app(CLIENT_ID, CLIENT_SECRET),
        );
        let (tx, rx) = mpsc::channel();
        runtime.spawn(async move {
            let _ = tx.send(Emulator::start(config).await);
        });
        let emulator = rx
            .recv()
            .expect("emulator start result")
            .expect("emulator starts");
        EmulatorFixture { emulator, runtime }
    }

    /// The `ARM_*` settings that point a provider at this emulator.
    pub fn env(&self) -> Vec<(String, String)> {
        self.emulator
            .info()
            .provider_env(TENANT, SUBSCRIPTION, CLIENT_ID, CLIENT_SECRET)
    }

    /// Run a future on the emulator's runtime (for admin calls in hooks).
    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.runtime.block_on(f)
    }
}
