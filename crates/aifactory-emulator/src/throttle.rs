//! ARM request throttling: token buckets per (subscription, principal, operation class)
//! plus the subscription-wide global bucket (15x), with ARM's published numbers.
//!
//! Owns bucket arithmetic only; the ARM layer decides when to ask and renders the 429.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One token bucket: `capacity` burst, `refill_per_sec` steady rate.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Bucket {
    pub capacity: f64,
    pub refill_per_sec: f64,
}

/// Throttling configuration. `ThrottleConfig::arm()` is the current ARM model
/// (reads 250/25 per s, writes 200/10, deletes 200/10, global = 15x).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ThrottleConfig {
    pub enabled: bool,
    pub reads: Bucket,
    pub writes: Bucket,
    pub deletes: Bucket,
    /// Subscription-wide bucket = this multiple of the per-principal bucket (ARM: 15).
    pub global_multiplier: f64,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        ThrottleConfig::arm()
    }
}

impl ThrottleConfig {
    /// ARM's token-bucket numbers (arm.md §1.8).
    pub fn arm() -> ThrottleConfig {
        ThrottleConfig {
            enabled: true,
            reads: Bucket {
                capacity: 250.0,
                refill_per_sec: 25.0,
            },
            writes: Bucket {
                capacity: 200.0,
                refill_per_sec: 10.0,
            },
            deletes: Bucket {
                capacity: 200.0,
                refill_per_sec: 10.0,
            },
            global_multiplier: 15.0,
        }
    }

    /// No throttling at all.
    pub fn off() -> ThrottleConfig {
        ThrottleConfig {
            enabled: false,
            ..ThrottleConfig::arm()
        }
    }

    fn bucket(&self, class: OpClass) -> Bucket {
        match class {
            OpClass::Read => self.reads,
            OpClass::Write => self.writes,
            OpClass::Delete => self.deletes,
        }
    }
}

/// ARM's operation classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OpClass {
    Read,
    Write,
    Delete,
}

impl OpClass {
    pub fn of(method: &http::Method) -> OpClass {
        match *method {
            http::Method::GET | http::Method::HEAD | http::Method::OPTIONS => OpClass::Read,
            http::Method::DELETE => OpClass::Delete,
            _ => OpClass::Write,
        }
    }

    /// Suffix of the `x-ms-ratelimit-remaining-subscription-*` headers.
    pub fn header_suffix(self) -> &'static str {
        match self {
            OpClass::Read => "reads",
            OpClass::Write => "writes",
            OpClass::Delete => "deletes",
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Level {
    tokens: f64,
    last_ms: i64,
}

/// Outcome of one admission check.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Decision {
    Allowed {
        remaining: u64,
        global_remaining: u64,
    },
    Throttled {
        retry_after_secs: u64,
    },
}

/// All buckets.
#[derive(Debug, Default)]
pub struct Throttle {
    principal: HashMap<(String, String, OpClass), Level>,
    global: HashMap<(String, OpClass), Level>,
}

fn refill(level: &mut Level, b: Bucket, now_ms: i64) {
    let dt = (now_ms - level.last_ms).max(0) as f64 / 1000.0;
    level.tokens = (level.tokens + dt * b.refill_per_sec).min(b.capacity);
    level.last_ms = now_ms;
}

fn wait_secs(level: &Level, b: Bucket) -> u64 {
    if b.refill_per_sec <= 0.0 {
        return 3600;
    }
    ((1.0 - level.tokens).max(0.0) / b.refill_per_sec)
        .ceil()
        .max(1.0) as u64
}

impl Throttle {
    /// Takes one token for `(scope, principal, class)` or says how long to wait.
    pub fn check(
        &mut self,
        cfg: &ThrottleConfig,
        scope: &str,
        principal: &str,
        class: OpClass,
        now_ms: i64,
    ) -> Decision {
        let b = cfg.bucket(class);
        let g = Bucket {
            capacity: b.capacity * cfg.global_multiplier,
            refill_per_sec: b.refill_per_sec * cfg.global_multiplier,
        };
        if !cfg.enabled {
            return Decision::Allowed {
                remaining: b.capacity.max(1.0) as u64 - 1,
                global_remaining: g.capacity.max(1.0) as u64 - 1,
            };
        }
        let scope = scope.to_ascii_lowercase();
        let p = self
            .principal
            .entry((scope.clone(), principal.to_ascii_lowercase(), class))
            .or_insert(Level {
                tokens: b.capacity,
                last_ms: now_ms,
            });
        refill(p, b, now_ms);
        let gl = self.global.entry((scope, class)).or_insert(Level {
            tokens: g.capacity,
            last_ms: now_ms,
        });
        refill(gl, g, now_ms);
        if p.tokens < 1.0 {
            return Decision::Throttled {
                retry_after_secs: wait_secs(p, b),
            };
        }
        if gl.tokens < 1.0 {
            return Decision::Throttled {
                retry_after_secs: wait_secs(gl, g),
            };
        }
        p.tokens -= 1.0;
        gl.tokens -= 1.0;
        Decision::Allowed {
            remaining: p.tokens.floor().max(0.0) as u64,
            global_remaining: gl.tokens.floor().max(0.0) as u64,
        }
    }

    /// Forgets all buckets.
    pub fn reset(&mut self) {
        self.principal.clear();
        self.global.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_429_then_refill() {
        let cfg = ThrottleConfig {
            reads: Bucket {
                capacity: 3.0,
                refill_per_sec: 1.0,
            },
            ..ThrottleConfig::arm()
        };
        let mut t = Throttle::default();
        for want in [2, 1, 0] {
            match t.check(&cfg, "s", "p", OpClass::Read, 0) {
                Decision::Allowed { remaining, .. } => assert_eq!(remaining, want),
                d => panic!("{d:?}"),
            }
        }
        assert_eq!(
            t.check(&cfg, "s", "p", OpClass::Read, 0),
            Decision::Throttled {
                retry_after_secs: 1
            }
        );
        // other principal and other class are independent
        assert!(matches!(
            t.check(&cfg, "s", "q", OpClass::Read, 0),
            Decision::Allowed { .. }
        ));
        assert!(matches!(
            t.check(&cfg, "s", "p", OpClass::Write, 0),
            Decision::Allowed { .. }
        ));
        assert!(matches!(
            t.check(&cfg, "s", "p", OpClass::Read, 1000),
            Decision::Allowed { .. }
        ));
    }

    #[test]
    fn arm_numbers_and_global() {
        let cfg = ThrottleConfig::arm();
        let mut t = Throttle::default();
        match t.check(&cfg, "s", "p", OpClass::Write, 0) {
            Decision::Allowed {
                remaining,
                global_remaining,
            } => {
                assert_eq!((remaining, global_remaining), (199, 2999))
            }
            d => panic!("{d:?}"),
        }
        let off = ThrottleConfig::off();
        for _ in 0..1000 {
            assert!(matches!(
                t.check(&off, "s", "p", OpClass::Delete, 0),
                Decision::Allowed { .. }
            ));
        }
    }
}
