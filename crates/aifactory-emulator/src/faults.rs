//! Fault and latency injection by `METHOD path` glob: latency (fixed + jitter), error
//! statuses, 429 `RetryableError`, connection resets, slow or failing LROs.
//!
//! Owns rule matching and counters; the server applies the outcome. Must not know routes.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

/// One rule. A request matches when `method` (or `*`) and the `path` glob (case-insensitive,
/// `*` spans `/`, matched against the request path without query) both match. Whether a
/// matching request is hit is decided by `nth` (1-based indices among matching requests),
/// `every` (every n-th), `probability` (0..1); with none of them every match hits. `times`
/// caps the number of hits.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct FaultRule {
    pub name: Option<String>,
    pub method: Option<String>,
    pub path: String,
    pub nth: Vec<u64>,
    pub every: Option<u64>,
    pub probability: Option<f64>,
    pub times: Option<u64>,
    pub action: FaultAction,
}

impl Default for FaultRule {
    fn default() -> Self {
        FaultRule {
            name: None,
            method: None,
            path: "*".into(),
            nth: Vec::new(),
            every: None,
            probability: None,
            times: None,
            action: FaultAction::Latency {
                ms: 0,
                jitter_ms: 0,
            },
        }
    }
}

impl FaultRule {
    /// A rule for `method` (`"*"` = any) and path glob.
    pub fn new(method: &str, path: &str, action: FaultAction) -> FaultRule {
        FaultRule {
            method: (method != "*").then(|| method.to_string()),
            path: path.into(),
            action,
            ..FaultRule::default()
        }
    }

    /// Only the n-th matching requests (1-based).
    pub fn nth(mut self, n: &[u64]) -> FaultRule {
        self.nth = n.to_vec();
        self
    }

    /// Hit with probability `p`.
    pub fn probability(mut self, p: f64) -> FaultRule {
        self.probability = Some(p);
        self
    }

    /// At most `n` hits.
    pub fn times(mut self, n: u64) -> FaultRule {
        self.times = Some(n);
        self
    }

    /// Name shown in the journal.
    pub fn named(mut self, n: &str) -> FaultRule {
        self.name = Some(n.into());
        self
    }
}

/// What a hit does.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum FaultAction {
    /// Delay the answer by `ms` plus uniform `0..=jitter_ms`.
    Latency {
        ms: u64,
        #[serde(default)]
        jitter_ms: u64,
    },
    /// Answer `status` with an ARM error envelope (`code` defaults by status).
    Status {
        status: u16,
        #[serde(default)]
        code: Option<String>,
        #[serde(default)]
        message: Option<String>,
        #[serde(default)]
        retry_after_secs: Option<u64>,
    },
    /// 429 `RetryableError` with `Retry-After` (Microsoft.Network lock contention).
    RetryableError {
        #[serde(default = "one")]
        retry_after_secs: u64,
    },
    /// Close the connection without a response.
    Reset,
    /// The LRO started by this request takes `delay_ms` instead of the configured delay.
    SlowLro { delay_ms: u64 },
    /// The LRO started by this request ends `Failed` with this error.
    LroFailed {
        #[serde(default = "default_fail_code")]
        code: String,
        #[serde(default = "default_fail_message")]
        message: String,
    },
}

fn one() -> u64 {
    1
}
fn default_fail_code() -> String {
    "InternalServerError".into()
}
fn default_fail_message() -> String {
    "An error occurred while provisioning the resource.".into()
}

/// How an LRO started by the request must behave.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LroOverride {
    pub delay_ms: Option<u64>,
    pub fail: Option<(String, String)>,
}

/// The combined effect of all rules hit by one request.
#[derive(Debug, Clone, Default)]
pub struct FaultOutcome {
    pub latency_ms: u64,
    /// The first terminal action (status / retryable / reset).
    pub terminal: Option<FaultAction>,
    pub lro: LroOverride,
    /// Names of the rules that hit.
    pub names: Vec<String>,
}

#[derive(Debug, Clone)]
struct Armed {
    rule: FaultRule,
    matched: u64,
    hits: u64,
}

/// The active rules and their counters.
#[derive(Debug)]
pub struct Faults {
    rules: Vec<Armed>,
    rng: StdRng,
}

impl Faults {
    pub fn new(rules: Vec<FaultRule>, seed: Option<u64>) -> Faults {
        let rng = match seed {
            Some(s) => StdRng::seed_from_u64(s),
            None => StdRng::from_entropy(),
        };
        let mut f = Faults {
            rules: Vec::new(),
            rng,
        };
        f.set(rules);
        f
    }

    /// Replaces all rules (counters restart).
    pub fn set(&mut self, rules: Vec<FaultRule>) {
        self.rules = rules
            .into_iter()
            .map(|rule| Armed {
                rule,
                matched: 0,
                hits: 0,
            })
            .collect();
    }

    pub fn add(&mut self, rule: FaultRule) {
        self.rules.push(Armed {
            rule,
            matched: 0,
            hits: 0,
        });
    }

    pub fn rules(&self) -> Vec<FaultRule> {
        self.rules.iter().map(|a| a.rule.clone()).collect()
    }

    /// Uniform jitter helper shared with global latency.
    pub fn jitter(&mut self, max: u64) -> u64 {
        if max == 0 {
            0
        } else {
            self.rng.gen_range(0..=max)
        }
    }

    /// Evaluates all rules for one request.
    pub fn evaluate(&mut self, method: &str, path: &str) -> FaultOutcome {
        let mut out = FaultOutcome::default();
        for i in 0..self.rules.len() {
            let (hit, action, name) = {
                let a = &mut self.rules[i];
                let r = &a.rule;
                let method_ok = r
                    .method
                    .as_deref()
                    .map(|m| m == "*" || m.eq_ignore_ascii_case(method))
                    .unwrap_or(true);
                if !method_ok || !crate::util::glob_match(&r.path, path) {
                    continue;
                }
                a.matched += 1;
                if r.times.is_some_and(|t| a.hits >= t) {
                    continue;
                }
                let mut hit = true;
                if !r.nth.is_empty() {
                    hit &= r.nth.contains(&a.matched);
                }
                if let Some(e) = r.every {
                    hit &= e > 0 && a.matched % e == 0;
                }
                (hit, r.action.clone(), r.name.clone())
            };
            let hit = hit
                && match self.rules[i].rule.probability {
                    Some(p) => self.rng.gen_bool(p.clamp(0.0, 1.0)),
                    None => true,
                };
            if !hit {
                continue;
            }
            self.rules[i].hits += 1;
            out.names.push(name.unwrap_or_else(|| format!("rule{i}")));
            match action {
                FaultAction::Latency { ms, jitter_ms } => {
                    out.latency_ms += ms + self.jitter(jitter_ms);
                }
                FaultAction::SlowLro { delay_ms } => out.lro.delay_ms = Some(delay_ms),
                FaultAction::LroFailed { code, message } => out.lro.fail = Some((code, message)),
                t @ (FaultAction::Status { .. }
                | FaultAction::RetryableError { .. }
                | FaultAction::Reset) => {
                    if out.terminal.is_none() {
                        out.terminal = Some(t);
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nth_and_times() {
        let mut f = Faults::new(
            vec![
                FaultRule::new("PUT", "/subscriptions/*", FaultAction::Reset)
                    .nth(&[2, 3])
                    .times(1),
            ],
            Some(1),
        );
        assert!(f.evaluate("PUT", "/subscriptions/x").terminal.is_none());
        assert_eq!(
            f.evaluate("put", "/subscriptions/x").terminal,
            Some(FaultAction::Reset)
        );
        assert!(
            f.evaluate("PUT", "/subscriptions/x").terminal.is_none(),
            "times(1) caps"
        );
        assert!(f.evaluate("GET", "/subscriptions/x").terminal.is_none());
    }

    #[test]
    fn latency_accumulates_and_lro_overrides() {
        let mut f = Faults::new(
            vec![
                FaultRule::new(
                    "*",
                    "*",
                    FaultAction::Latency {
                        ms: 5,
                        jitter_ms: 0,
                    },
                ),
                FaultRule::new(
                    "*",
                    "*/subnets/*",
                    FaultAction::Latency {
                        ms: 7,
                        jitter_ms: 0,
                    },
                ),
                FaultRule::new("PUT", "*", FaultAction::SlowLro { delay_ms: 9 }),
            ],
            Some(1),
        );
        let o = f.evaluate("PUT", "/a/subnets/b");
        assert_eq!(o.latency_ms, 12);
        assert_eq!(o.lro.delay_ms, Some(9));
        assert_eq!(o.names.len(), 3);
    }

    #[test]
    fn probability_is_seeded() {
        let rule = FaultRule::new("*", "*", FaultAction::Reset).probability(0.5);
        let mut a = Faults::new(vec![rule.clone()], Some(7));
        let mut b = Faults::new(vec![rule], Some(7));
        let ra: Vec<bool> = (0..50)
            .map(|_| a.evaluate("GET", "/").terminal.is_some())
            .collect();
        let rb: Vec<bool> = (0..50)
            .map(|_| b.evaluate("GET", "/").terminal.is_some())
            .collect();
        assert_eq!(ra, rb);
        assert!(ra.iter().any(|x| *x) && ra.iter().any(|x| !*x));
    }

    #[test]
    fn serde_shape() {
        let r: FaultRule = serde_json::from_str(
            r#"{"method":"PUT","path":"*/subnets/*","nth":[1],"action":{"type":"status","status":503}}"#,
        )
        .unwrap();
        assert!(matches!(r.action, FaultAction::Status { status: 503, .. }));
    }
}
