//! Long-running operations: the operation records behind `Azure-AsyncOperation` and
//! `Location`, their status documents, and completion when the (virtual) clock passes the
//! configured delay.
//!
//! Owns operation records and status rendering; must not touch the state: the effect of
//! completion (making a resource `Succeeded`, deleting it) is applied by `arm::complete`, and
//! requests start operations through `arm::ctx`. A leaf below `state`.

use crate::util;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// What an operation does when it finishes.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum OpKind {
    /// PUT: the resource turns `Succeeded` (or `Failed`).
    Put,
    /// DELETE of a resource and its subtree.
    Delete,
    /// DELETE of a resource group (cascade).
    DeleteResourceGroup,
    /// Purge of a soft-deleted vault or account (`target_id` = its soft-delete key).
    Purge,
}

/// One operation.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Operation {
    pub id: String,
    pub subscription: String,
    pub namespace: String,
    pub location: String,
    pub kind: OpKind,
    pub target_id: String,
    pub api_version: String,
    pub started_ms: i64,
    pub done_ms: i64,
    /// `Some((code, message))` makes the operation end `Failed`.
    pub failure: Option<(String, String)>,
    pub completed: bool,
    /// Key of the virtual network this operation locks (Microsoft.Network serialisation).
    #[serde(default)]
    pub lock_key: Option<String>,
}

/// What a new operation acts on (everything but its id and timing).
#[derive(Debug, Clone)]
pub struct OpTarget {
    pub kind: OpKind,
    pub subscription: String,
    /// Resource-provider namespace in the status URLs.
    pub namespace: String,
    /// Normalised location in the status URLs.
    pub location: String,
    pub target_id: String,
    pub lock_key: Option<String>,
}

impl Operation {
    /// A running operation on `target`, started at `now_ms`, finishing `delay_ms` later
    /// (`Failed` with `failure`).
    pub fn begin(
        target: OpTarget,
        api_version: &str,
        now_ms: i64,
        delay_ms: u64,
        failure: Option<(String, String)>,
    ) -> Operation {
        Operation {
            id: util::new_guid(),
            subscription: target.subscription,
            namespace: target.namespace,
            location: target.location,
            kind: target.kind,
            target_id: target.target_id,
            api_version: api_version.to_string(),
            started_ms: now_ms,
            done_ms: now_ms.saturating_add(delay_ms.min(i64::MAX as u64) as i64),
            failure,
            completed: false,
            lock_key: target.lock_key,
        }
    }

    /// `Azure-AsyncOperation` URL.
    pub fn async_url(&self, base: &str) -> String {
        format!(
            "{base}/subscriptions/{}/providers/{}/locations/{}/operations/{}?api-version={}",
            self.subscription,
            self.namespace,
            util::pct_encode(&self.location),
            self.id,
            util::pct_encode(&self.api_version)
        )
    }

    /// `Location` URL.
    pub fn location_url(&self, base: &str) -> String {
        match self.kind {
            OpKind::DeleteResourceGroup => format!(
                "{base}/subscriptions/{}/operationresults/{}?api-version={}",
                self.subscription,
                self.id,
                util::pct_encode(&self.api_version)
            ),
            _ => format!(
                "{base}/subscriptions/{}/providers/{}/locations/{}/operationResults/{}?api-version={}",
                self.subscription,
                self.namespace,
                util::pct_encode(&self.location),
                self.id,
                util::pct_encode(&self.api_version)
            ),
        }
    }

    /// Status word for the Azure-AsyncOperation document.
    pub fn status(&self) -> &'static str {
        match (self.completed, &self.failure) {
            (false, _) => "InProgress",
            (true, None) => "Succeeded",
            (true, Some(_)) => "Failed",
        }
    }

    /// The Azure-AsyncOperation status document.
    pub fn status_doc(&self, base: &str) -> Value {
        let mut v = json!({
            "id": self.async_url(base).split('?').next().unwrap_or_default().trim_start_matches(base),
            "name": self.id,
            "status": self.status(),
            "startTime": util::iso8601(self.started_ms),
        });
        if self.completed {
            v["endTime"] = json!(util::iso8601(self.done_ms));
            v["percentComplete"] = json!(100);
        }
        if let (true, Some((code, message))) = (self.completed, &self.failure) {
            v["error"] = json!({"code": code, "message": message, "details": []});
        }
        v
    }

    /// Seconds to advertise in `Retry-After`.
    pub fn retry_after(&self, now_ms: i64, fixed: Option<u64>) -> u64 {
        fixed.unwrap_or_else(|| {
            let left = (self.done_ms - now_ms).max(0) as u64;
            left.div_ceil(1000)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op() -> Operation {
        Operation {
            id: "op1".into(),
            subscription: "s".into(),
            namespace: "Microsoft.Network".into(),
            location: "westeurope".into(),
            kind: OpKind::Put,
            target_id: "/x".into(),
            api_version: "2024-05-01".into(),
            started_ms: 0,
            done_ms: 1500,
            failure: None,
            completed: false,
            lock_key: None,
        }
    }

    #[test]
    fn urls_and_status() {
        let mut o = op();
        assert_eq!(
            o.async_url("https://h"),
            "https://h/subscriptions/s/providers/Microsoft.Network/locations/westeurope/operations/op1?api-version=2024-05-01"
        );
        assert!(o
            .location_url("https://h")
            .contains("/operationResults/op1"));
        assert_eq!(o.status_doc("https://h")["status"], "InProgress");
        assert_eq!(o.retry_after(0, None), 2);
        assert_eq!(o.retry_after(0, Some(5)), 5);
        o.completed = true;
        o.failure = Some(("Boom".into(), "bad".into()));
        let d = o.status_doc("https://h");
        assert_eq!(d["status"], "Failed");
        assert_eq!(d["error"]["code"], "Boom");
        o.kind = OpKind::DeleteResourceGroup;
        assert!(o
            .location_url("https://h")
            .starts_with("https://h/subscriptions/s/operationresults/op1"));
    }
}
