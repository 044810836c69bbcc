//! The [`Engine`] itself: the client, the context and the knobs a run uses, and the
//! limits the scheduler and the writers share.
//!
//! A leaf of the engine (the other modules add methods to [`Engine`]). Must not: decide
//! what to write.

use std::time::Duration;

use aifactory_azure::{AzureClient, Ctx};

/// Jobs in flight at once, at most (the client's own concurrency limit applies below).
pub const DEFAULT_JOBS_IN_FLIGHT: usize = 32;
/// How long a role assignment is retried while Entra has not replicated its principal.
pub const PRINCIPAL_RETRY: Duration = Duration::from_secs(120);
/// How long to wait for a new managed identity's principal ID to appear.
pub const IDENTITY_WAIT: Duration = Duration::from_secs(120);
/// Queued ARM writes above which a project holds back its low-priority work.
pub(super) const WRITE_BACKLOG: f64 = 10.0;
/// Low-priority jobs a project keeps in flight while the write budget has a queue.
pub(super) const LOW_PRIORITY_WHEN_BUSY: usize = 2;
/// How often held-back work is reconsidered.
pub(super) const RECHECK: Duration = Duration::from_millis(200);
/// Time for the existence check after a failed or cancelled write.
pub(super) const CHECK_TIMEOUT: Duration = Duration::from_secs(30);
/// Existence checks after a write whose outcome is unknown, and the pause between them.
pub(super) const UNKNOWN_OUTCOME_LOOKS: u32 = 4;
pub(super) const UNKNOWN_OUTCOME_PAUSE: Duration = Duration::from_millis(500);

/// Runs jobs against Azure.
pub struct Engine<'a> {
    pub client: &'a AzureClient,
    pub ctx: Ctx,
    pub purge_soft_delete_on_destroy: bool,
    /// Recover a soft-deleted key vault or AI Services account instead of failing.
    pub recover_soft_deleted: bool,
    pub jobs_in_flight: usize,
    pub principal_retry: Duration,
    pub identity_wait: Duration,
}

impl<'a> Engine<'a> {
    pub fn new(client: &'a AzureClient, ctx: Ctx) -> Self {
        Engine {
            client,
            ctx,
            purge_soft_delete_on_destroy: false,
            recover_soft_deleted: true,
            jobs_in_flight: DEFAULT_JOBS_IN_FLIGHT,
            principal_retry: PRINCIPAL_RETRY,
            identity_wait: IDENTITY_WAIT,
        }
    }

    /// A fresh short context for the existence check after a failed write.
    pub(super) fn check_ctx(&self) -> Ctx {
        Ctx::background().with_timeout(CHECK_TIMEOUT)
    }

    /// ARM writes waiting for the client-side budget (0 when there is budget).
    pub(super) fn write_backlog(&self) -> f64 {
        self.client.pipeline().throttle().map_or(0.0, |t| {
            -t.bucket(aifactory_azure::OpClass::Write).available()
        })
    }
}
