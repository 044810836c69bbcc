//! Request/response values the handlers work on, and the wire error shapes.
//!
//! Owns the `Req`/`Resp` vocabulary and the ARM, storage and Entra error bodies. Must not
//! route or touch state.

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use serde_json::{json, Value};

/// A fully read request.
#[derive(Debug, Clone)]
pub struct Req {
    pub method: Method,
    /// Path as received (still percent-encoded), without the query.
    pub raw_path: String,
    /// Raw query string (no leading `?`).
    pub raw_query: String,
    /// Decoded path segments (empty segments dropped).
    pub segments: Vec<String>,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub request_id: String,
    pub correlation_id: String,
}

impl Req {
    /// Query value by case-insensitive name.
    pub fn q(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Header value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `METHOD /path` used for fault matching and logs.
    pub fn method_path(&self) -> String {
        format!("{} {}", self.method, self.raw_path)
    }

    /// Parses the body as JSON; empty body is `Null`.
    pub fn json(&self) -> Result<Value, String> {
        if self.body.iter().all(|b| b.is_ascii_whitespace()) {
            return Ok(Value::Null);
        }
        serde_json::from_slice(&self.body).map_err(|e| e.to_string())
    }
}

/// A response plus bookkeeping for the journal.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    /// Principal (object id or client id) the request acted as, for the journal.
    pub principal: Option<String>,
    /// Close the connection without answering (fault injection).
    pub reset: bool,
    /// The fault rule that shaped this response, if any.
    pub fault: Option<String>,
}

impl Resp {
    pub fn empty(status: StatusCode) -> Resp {
        Resp {
            status,
            headers: Vec::new(),
            body: Bytes::new(),
            principal: None,
            reset: false,
            fault: None,
        }
    }

    pub fn json(status: StatusCode, v: &Value) -> Resp {
        let body = serde_json::to_vec(v).unwrap_or_default();
        Resp::empty(status)
            .header("content-type", "application/json; charset=utf-8")
            .with_body(body)
    }

    pub fn text(status: StatusCode, ctype: &str, body: impl Into<Bytes>) -> Resp {
        Resp::empty(status)
            .header("content-type", ctype)
            .with_body(body)
    }

    pub fn reset() -> Resp {
        let mut r = Resp::empty(StatusCode::INTERNAL_SERVER_ERROR);
        r.reset = true;
        r
    }

    pub fn with_body(mut self, body: impl Into<Bytes>) -> Resp {
        self.body = body.into();
        self
    }

    pub fn header(mut self, k: &str, v: impl Into<String>) -> Resp {
        let k = k.to_ascii_lowercase();
        self.headers.retain(|(n, _)| *n != k);
        self.headers.push((k, v.into()));
        self
    }

    pub fn get_header(&self, k: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(k))
            .map(|(_, v)| v.as_str())
    }

    pub fn principal(mut self, p: Option<String>) -> Resp {
        if self.principal.is_none() {
            self.principal = p;
        }
        self
    }

    pub fn body_json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// ARM error envelope `{"error":{"code","message"}}`.
pub fn arm_error(status: StatusCode, code: &str, message: impl Into<String>) -> Resp {
    Resp::json(
        status,
        &json!({"error": {"code": code, "message": message.into()}}),
    )
}

/// ARM error envelope with `details[]`.
pub fn arm_error_details(status: StatusCode, code: &str, message: &str, details: Value) -> Resp {
    Resp::json(
        status,
        &json!({"error": {"code": code, "message": message, "details": details}}),
    )
}

/// Storage (DFS) error: JSON body plus `x-ms-error-code`; message carries RequestId/Time lines.
pub fn storage_error(
    status: StatusCode,
    code: &str,
    message: &str,
    request_id: &str,
    time: &str,
) -> Resp {
    let msg = format!("{message}\nRequestId:{request_id}\nTime:{time}");
    Resp::json(status, &json!({"error": {"code": code, "message": msg}}))
        .header("x-ms-error-code", code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_shapes() {
        let r = arm_error(StatusCode::NOT_FOUND, "ResourceNotFound", "gone");
        assert_eq!(
            r.body_json().unwrap(),
            json!({"error": {"code": "ResourceNotFound", "message": "gone"}})
        );
        assert_eq!(
            r.get_header("Content-Type"),
            Some("application/json; charset=utf-8")
        );
        let s = storage_error(
            StatusCode::CONFLICT,
            "PathAlreadyExists",
            "exists",
            "rid",
            "t",
        );
        assert_eq!(s.get_header("x-ms-error-code"), Some("PathAlreadyExists"));
        assert_eq!(
            s.body_json().unwrap()["error"]["message"],
            "exists\nRequestId:rid\nTime:t"
        );
        let r = Resp::empty(StatusCode::OK)
            .header("X-A", "1")
            .header("x-a", "2");
        assert_eq!(r.headers, vec![("x-a".to_string(), "2".to_string())]);
    }
}
