//! Request journal: one entry per request (method, path, query, redacted body, status,
//! duration, principal, fault), kept in memory for `RunningEmulator::journal()` /
//! `GET /_emulator/journal` and appended as JSON lines to `--journal FILE`.
//!
//! Owns recording and redaction; never stores `Authorization` values, secrets, assertions
//! or tokens.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;

/// One journal line.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct JournalEntry {
    /// Sequence number from 1.
    pub seq: u64,
    /// ISO 8601 time the request arrived.
    pub time: String,
    pub method: String,
    pub path: String,
    pub query: String,
    /// Request body, redacted (JSON value, form object, or a string).
    pub body: Value,
    pub status: u16,
    pub duration_ms: u64,
    /// Object id of the caller (token holders) or the principal a token was issued to.
    pub principal: Option<String>,
    pub request_id: String,
    pub correlation_id: String,
    /// Names of fault rules that hit this request.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub faults: Vec<String>,
}

/// In-memory journal with an optional JSON-lines file.
#[derive(Debug)]
pub struct Journal {
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    entries: Vec<JournalEntry>,
    next: u64,
    file: Option<std::fs::File>,
    path: Option<PathBuf>,
}

/// Keeps memory bounded in long runs (the file keeps everything).
const MAX_IN_MEMORY: usize = 100_000;

impl Journal {
    pub fn new(path: Option<PathBuf>) -> Result<Journal, crate::error::EmulatorError> {
        let file = match &path {
            Some(p) => Some(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(p)
                    .map_err(|source| crate::error::EmulatorError::Write {
                        path: p.clone(),
                        source,
                    })?,
            ),
            None => None,
        };
        Ok(Journal {
            inner: Mutex::new(Inner {
                entries: Vec::new(),
                next: 1,
                file,
                path,
            }),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records an entry (assigns `seq`).
    pub fn record(&self, mut e: JournalEntry) {
        let mut g = self.lock();
        e.seq = g.next;
        g.next += 1;
        if let Some(f) = g.file.as_mut() {
            if let Ok(line) = serde_json::to_string(&e) {
                let _ = writeln!(f, "{line}");
            }
        }
        g.entries.push(e);
        if g.entries.len() > MAX_IN_MEMORY {
            let excess = g.entries.len() - MAX_IN_MEMORY;
            g.entries.drain(..excess);
        }
    }

    /// Entries with `seq > since`.
    pub fn since(&self, since: u64) -> Vec<JournalEntry> {
        self.lock()
            .entries
            .iter()
            .filter(|e| e.seq > since)
            .cloned()
            .collect()
    }

    pub fn clear(&self) {
        self.lock().entries.clear();
    }

    pub fn path(&self) -> Option<PathBuf> {
        self.lock().path.clone()
    }
}

const SENSITIVE_FORM_KEYS: [&str; 6] = [
    "client_secret",
    "client_assertion",
    "assertion",
    "refresh_token",
    "password",
    "code",
];

/// True for JSON keys whose values must not be journaled.
fn sensitive_key(k: &str) -> bool {
    let k = k.to_ascii_lowercase();
    k.contains("secret")
        || k.contains("password")
        || k.contains("assertion")
        || k.contains("token")
        || k.ends_with("key")
        || k.ends_with("keys")
        || k == "certificates"
        || k.contains("connectionstring")
}

/// Redacts a JSON value in place.
pub fn redact_json(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if sensitive_key(k) && !x.is_null() {
                    *x = Value::String("REDACTED".into());
                } else {
                    redact_json(x);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(redact_json),
        _ => {}
    }
}

/// Renders a request body for the journal, redacted.
pub fn redact_body(content_type: Option<&str>, body: &[u8]) -> Value {
    if body.is_empty() {
        return Value::Null;
    }
    let ct = content_type.unwrap_or_default().to_ascii_lowercase();
    if ct.contains("x-www-form-urlencoded") {
        let text = String::from_utf8_lossy(body);
        let mut m = serde_json::Map::new();
        for (k, v) in crate::util::parse_form(&text) {
            let v = if SENSITIVE_FORM_KEYS.contains(&k.as_str()) {
                "REDACTED".to_string()
            } else {
                v
            };
            m.insert(k, Value::String(v));
        }
        return Value::Object(m);
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(mut v) => {
            redact_json(&mut v);
            v
        }
        Err(_) => Value::String(format!("<{} bytes>", body.len())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn redacts_forms_and_json() {
        let f = redact_body(
            Some("application/x-www-form-urlencoded"),
            b"client_id=c&client_secret=s3cret&client_assertion=eyJ&scope=x",
        );
        assert_eq!(f["client_id"], "c");
        assert_eq!(f["client_secret"], "REDACTED");
        assert_eq!(f["client_assertion"], "REDACTED");
        let j = redact_body(
            Some("application/json"),
            br#"{"properties":{"adminPassword":"p","name":"n","keys":[1],"principalId":"x"},"principals":[{"secrets":["a"]}]}"#,
        );
        assert_eq!(j["properties"]["adminPassword"], "REDACTED");
        assert_eq!(j["properties"]["keys"], "REDACTED");
        assert_eq!(j["properties"]["name"], "n");
        assert_eq!(j["properties"]["principalId"], "x");
        assert_eq!(j["principals"][0]["secrets"], "REDACTED");
        assert_eq!(redact_body(None, b"\x00\x01"), json!("<2 bytes>"));
    }

    #[test]
    fn records_and_filters() {
        let j = Journal::new(None).unwrap();
        for _ in 0..3 {
            j.record(JournalEntry {
                seq: 0,
                time: String::new(),
                method: "GET".into(),
                path: "/".into(),
                query: String::new(),
                body: Value::Null,
                status: 200,
                duration_ms: 0,
                principal: None,
                request_id: String::new(),
                correlation_id: String::new(),
                faults: vec![],
            });
        }
        assert_eq!(j.since(0).len(), 3);
        assert_eq!(j.since(2)[0].seq, 3);
    }
}
