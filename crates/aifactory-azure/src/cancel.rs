//! Cancellation and deadlines: every Azure call takes a [`Ctx`].
//!
//! A `Ctx` is one logical operation (one resource create, one read): it carries the
//! caller's [`CancellationToken`], an optional deadline and the operation's correlation id
//! (sent as `x-ms-correlation-request-id` on every request of the operation). Every wait in
//! the client (token bucket, concurrency slot, backoff, LRO poll, the request itself) goes
//! through [`Ctx::run`] or [`Ctx::sleep`], so cancelling ends it promptly with
//! [`AzureError::Cancelled`].

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;
pub use tokio_util::sync::CancellationToken;

use super::correlation::new_guid;
use super::error::{AzureError, CancelReason};

/// The context of one logical operation.
#[derive(Debug, Clone)]
pub struct Ctx {
    cancel: CancellationToken,
    deadline: Option<Instant>,
    correlation_id: String,
}

impl Ctx {
    /// A new operation under `cancel`, with a fresh correlation id.
    pub fn new(cancel: CancellationToken) -> Self {
        Ctx {
            cancel,
            deadline: None,
            correlation_id: new_guid(),
        }
    }

    /// A context nobody cancels (tests, tools).
    pub fn background() -> Self {
        Self::new(CancellationToken::new())
    }

    /// The same operation with a deadline `timeout` from now (the earlier one wins).
    pub fn with_timeout(self, timeout: Duration) -> Self {
        let at = Instant::now() + timeout;
        self.with_deadline(at)
    }

    /// The same operation with a deadline (the earlier one wins).
    pub fn with_deadline(mut self, at: Instant) -> Self {
        self.deadline = Some(match self.deadline {
            Some(d) if d < at => d,
            _ => at,
        });
        self
    }

    /// Use a given correlation id (e.g. to continue an operation across calls).
    pub fn with_correlation_id(mut self, id: impl Into<String>) -> Self {
        self.correlation_id = id.into();
        self
    }

    pub fn correlation_id(&self) -> &str {
        &self.correlation_id
    }

    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    pub fn token(&self) -> &CancellationToken {
        &self.cancel
    }

    /// Time left before the deadline (None: no deadline).
    pub fn remaining(&self) -> Option<Duration> {
        self.deadline
            .map(|d| d.saturating_duration_since(Instant::now()))
    }

    /// `Err(Cancelled)` if cancelled or past the deadline.
    pub fn check(&self, during: &str) -> Result<(), AzureError> {
        if self.cancel.is_cancelled() {
            return Err(cancelled(CancelReason::Cancelled, during));
        }
        if let Some(d) = self.deadline {
            if Instant::now() >= d {
                return Err(cancelled(CancelReason::DeadlineExceeded, during));
            }
        }
        Ok(())
    }

    /// Run `fut` unless cancellation or the deadline comes first.
    pub async fn run<F: Future>(&self, during: &str, fut: F) -> Result<F::Output, AzureError> {
        self.check(during)?;
        let deadline = async {
            match self.deadline {
                Some(d) => tokio::time::sleep_until(d).await,
                None => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            biased;
            _ = self.cancel.cancelled() => Err(cancelled(CancelReason::Cancelled, during)),
            _ = deadline => Err(cancelled(CancelReason::DeadlineExceeded, during)),
            out = fut => Ok(out),
        }
    }

    /// Sleep `d`, ending early with `Err(Cancelled)`.
    pub async fn sleep(&self, during: &str, d: Duration) -> Result<(), AzureError> {
        self.run(during, tokio::time::sleep(d)).await
    }

    /// Sleep until `at`, ending early with `Err(Cancelled)`.
    pub async fn sleep_until(&self, during: &str, at: Instant) -> Result<(), AzureError> {
        self.run(during, tokio::time::sleep_until(at)).await
    }
}

fn cancelled(reason: CancelReason, during: &str) -> AzureError {
    AzureError::Cancelled {
        reason,
        during: during.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sleep_ends_promptly_on_cancel() {
        let ctx = Ctx::background();
        let token = ctx.token().clone();
        let started = std::time::Instant::now();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            token.cancel();
        });
        let err = ctx
            .sleep("waiting", Duration::from_secs(30))
            .await
            .expect_err("cancelled");
        assert!(started.elapsed() < Duration::from_millis(500));
        assert!(matches!(
            err,
            AzureError::Cancelled {
                reason: CancelReason::Cancelled,
                ..
            }
        ));
    }

    #[tokio::test]
    async fn deadline_ends_waits_and_earlier_deadline_wins() {
        let ctx = Ctx::background()
            .with_timeout(Duration::from_millis(30))
            .with_timeout(Duration::from_secs(60));
        let err = ctx
            .sleep("polling", Duration::from_secs(30))
            .await
            .expect_err("deadline");
        assert!(matches!(
            err,
            AzureError::Cancelled {
                reason: CancelReason::DeadlineExceeded,
                ..
            }
        ));
        assert!(ctx.check("after").is_err());
    }

    #[test]
    fn each_operation_gets_its_own_correlation_id() {
        let a = Ctx::background();
        let b = Ctx::background();
        assert_ne!(a.correlation_id(), b.correlation_id());
        assert_eq!(a.correlation_id().len(), 36);
    }
}
