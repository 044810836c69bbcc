//! Client-side token buckets mirroring ARM's throttling (arm.md §1.8), one set per
//! principal and subscription, so a large apply slows itself down instead of collecting
//! 429s. ARM's numbers: reads 250 burst / 25 per second, writes 200 / 10, deletes 200 / 10.
//!
//! The client runs its buckets with 5 % headroom ([`HEADROOM`]): requests that leave
//! together can arrive apart (connection setup, network jitter) and a bucket that only
//! matched ARM's would then draw an occasional 429 at the edge.
//!
//! The bucket hands out reservations: a caller takes a token (the count may go negative)
//! and waits until the refill has paid it back, so waiters are served in arrival order.
//! A cancelled wait returns its token.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use tokio::time::Instant;

use super::cancel::Ctx;
use super::error::AzureError;

/// Fraction of burst and rate the client keeps in reserve.
pub const HEADROOM: f64 = 0.05;

/// Size and refill rate of one bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BucketConfig {
    /// Tokens available at once.
    pub burst: f64,
    /// Tokens added per second.
    pub per_second: f64,
}

/// Which bucket a request draws from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OpClass {
    Read,
    Write,
    Delete,
}

impl OpClass {
    /// GET and HEAD read, DELETE deletes, everything else writes.
    pub fn of(method: &reqwest::Method) -> OpClass {
        match *method {
            reqwest::Method::GET | reqwest::Method::HEAD => OpClass::Read,
            reqwest::Method::DELETE => OpClass::Delete,
            _ => OpClass::Write,
        }
    }
}

/// The three buckets' settings.
#[derive(Debug, Clone, PartialEq)]
pub struct ThrottleSettings {
    /// False: no client-side limit (ARM's 429s are still retried).
    pub enabled: bool,
    pub reads: BucketConfig,
    pub writes: BucketConfig,
    pub deletes: BucketConfig,
}

impl Default for ThrottleSettings {
    fn default() -> Self {
        ThrottleSettings {
            enabled: true,
            reads: BucketConfig {
                burst: 250.0,
                per_second: 25.0,
            },
            writes: BucketConfig {
                burst: 200.0,
                per_second: 10.0,
            },
            deletes: BucketConfig {
                burst: 200.0,
                per_second: 10.0,
            },
        }
    }
}

#[derive(Debug)]
struct BucketState {
    tokens: f64,
    last: Instant,
}

/// One token bucket.
#[derive(Debug)]
pub struct TokenBucket {
    cfg: BucketConfig,
    state: Mutex<BucketState>,
}

impl TokenBucket {
    /// A full bucket.
    pub fn new(cfg: BucketConfig) -> Self {
        let cfg = BucketConfig {
            burst: cfg.burst.max(1.0),
            per_second: if cfg.per_second.is_finite() && cfg.per_second > 0.0 {
                cfg.per_second
            } else {
                f64::MAX
            },
        };
        TokenBucket {
            cfg,
            state: Mutex::new(BucketState {
                tokens: cfg.burst,
                last: Instant::now(),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BucketState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Take one token; returns when it may be used.
    fn reserve(&self) -> Instant {
        let mut s = self.lock();
        let now = Instant::now();
        let elapsed = now.saturating_duration_since(s.last).as_secs_f64();
        s.tokens = (s.tokens + elapsed * self.cfg.per_second).min(self.cfg.burst);
        s.last = now;
        s.tokens -= 1.0;
        if s.tokens >= 0.0 {
            now
        } else {
            now + Duration::from_secs_f64(-s.tokens / self.cfg.per_second)
        }
    }

    fn give_back(&self) {
        let mut s = self.lock();
        s.tokens = (s.tokens + 1.0).min(self.cfg.burst);
    }

    /// Tokens available now (negative: that many reservations are waiting).
    pub fn available(&self) -> f64 {
        let s = self.lock();
        let elapsed = Instant::now()
            .saturating_duration_since(s.last)
            .as_secs_f64();
        (s.tokens + elapsed * self.cfg.per_second).min(self.cfg.burst)
    }

    /// Wait for a token; cancellable.
    pub async fn acquire(&self, ctx: &Ctx) -> Result<(), AzureError> {
        let at = self.reserve();
        if at <= Instant::now() {
            return Ok(());
        }
        match ctx
            .sleep_until("waiting for the client-side ARM request budget", at)
            .await
        {
            Ok(()) => Ok(()),
            Err(e) => {
                self.give_back();
                Err(e)
            }
        }
    }
}

/// The read, write and delete buckets of one principal in one subscription.
#[derive(Debug)]
pub struct Throttle {
    reads: TokenBucket,
    writes: TokenBucket,
    deletes: TokenBucket,
}

impl Throttle {
    /// Buckets at the configured numbers less [`HEADROOM`].
    pub fn new(s: &ThrottleSettings) -> Self {
        let h = |b: BucketConfig| BucketConfig {
            burst: (b.burst * (1.0 - HEADROOM)).floor().max(1.0),
            per_second: b.per_second * (1.0 - HEADROOM),
        };
        Throttle {
            reads: TokenBucket::new(h(s.reads)),
            writes: TokenBucket::new(h(s.writes)),
            deletes: TokenBucket::new(h(s.deletes)),
        }
    }

    pub fn bucket(&self, class: OpClass) -> &TokenBucket {
        match class {
            OpClass::Read => &self.reads,
            OpClass::Write => &self.writes,
            OpClass::Delete => &self.deletes,
        }
    }

    pub async fn acquire(&self, ctx: &Ctx, class: OpClass) -> Result<(), AzureError> {
        self.bucket(class).acquire(ctx).await
    }

    /// The buckets shared by every client of the process with the same key (endpoint,
    /// tenant, principal, subscription): ARM counts per principal, not per client object.
    /// Buckets live as long as some client holds them.
    pub fn shared(key: &str, settings: &ThrottleSettings) -> Arc<Throttle> {
        static REGISTRY: OnceLock<Mutex<HashMap<String, Weak<Throttle>>>> = OnceLock::new();
        let reg = REGISTRY.get_or_init(|| Mutex::new(HashMap::new()));
        let mut map = reg.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, w| w.strong_count() > 0);
        let full_key = format!("{key}|{settings:?}");
        if let Some(t) = map.get(&full_key).and_then(Weak::upgrade) {
            return t;
        }
        let t = Arc::new(Throttle::new(settings));
        map.insert(full_key, Arc::downgrade(&t));
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn burst_then_refill_rate() {
        let b = TokenBucket::new(BucketConfig {
            burst: 5.0,
            per_second: 50.0,
        });
        let ctx = Ctx::background();
        let start = Instant::now();
        for _ in 0..5 {
            b.acquire(&ctx).await.expect("burst");
        }
        assert!(
            Instant::now() - start < Duration::from_millis(15),
            "the burst needs no wait"
        );
        for _ in 0..10 {
            b.acquire(&ctx).await.expect("refill");
        }
        let waited = Instant::now() - start;
        assert!(
            waited >= Duration::from_millis(195) && waited <= Duration::from_millis(400),
            "{waited:?}"
        );
    }

    #[tokio::test]
    async fn cancel_returns_the_token() {
        let b = Arc::new(TokenBucket::new(BucketConfig {
            burst: 1.0,
            per_second: 4.0,
        }));
        let ctx = Ctx::background();
        b.acquire(&ctx).await.expect("first");
        let cancel_ctx = Ctx::background();
        let token = cancel_ctx.token().clone();
        let b2 = b.clone();
        let start = Instant::now();
        let waiter = tokio::spawn(async move { b2.acquire(&cancel_ctx).await });
        tokio::time::sleep(Duration::from_millis(20)).await;
        token.cancel();
        let res = waiter.await.expect("join");
        assert!(matches!(res, Err(AzureError::Cancelled { .. })));
        assert!(Instant::now() - start < Duration::from_millis(150));
        // The cancelled reservation was given back: the next token comes 250 ms after the
        // first, not 500.
        b.acquire(&ctx).await.expect("next");
        let waited = Instant::now() - start;
        assert!(waited <= Duration::from_millis(400), "{waited:?}");
    }

    #[test]
    fn classes_by_method() {
        assert_eq!(OpClass::of(&reqwest::Method::GET), OpClass::Read);
        assert_eq!(OpClass::of(&reqwest::Method::HEAD), OpClass::Read);
        assert_eq!(OpClass::of(&reqwest::Method::PUT), OpClass::Write);
        assert_eq!(OpClass::of(&reqwest::Method::PATCH), OpClass::Write);
        assert_eq!(OpClass::of(&reqwest::Method::POST), OpClass::Write);
        assert_eq!(OpClass::of(&reqwest::Method::DELETE), OpClass::Delete);
    }

    #[test]
    fn shared_buckets_per_key() {
        let s = ThrottleSettings::default();
        let a = Throttle::shared("k1", &s);
        let b = Throttle::shared("k1", &s);
        let c = Throttle::shared("k2", &s);
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &c));
    }
}
