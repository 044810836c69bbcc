//! Error assertions for the emulator's wire tests: one helper that checks a response's
//! status, its ARM (`error.code`), Entra (`error`) or storage (`x-ms-error-code`) error
//! code and the shape of its error message, naming the case on failure; and the case
//! type the table-driven tests are written in ([`ArmCase`], built with [`arm_case`] or
//! [`form_case`], sent in order by [`run_arm_cases`]).
//!
//! Holds no test cases and knows no emulator internals: only what goes over the wire.

use serde_json::Value;

use super::http::{Client, R};

/// One expected failure: the case's name (printed when it fails), the status and the error
/// code. An empty `code` means "no error body expected" (success statuses).
#[derive(Clone, Copy, Debug)]
pub struct Expect<'a> {
    pub case: &'a str,
    pub status: u16,
    pub code: &'a str,
}

/// Shorthand for [`Expect`].
pub fn expect<'a>(case: &'a str, status: u16, code: &'a str) -> Expect<'a> {
    Expect { case, status, code }
}

/// The error code of `r`, from wherever its API puts it: ARM and storage JSON
/// (`error.code`), Entra JSON (`error`), or the storage `x-ms-error-code` header (HEAD,
/// and the Blob service's XML errors).
pub fn error_code(r: &R) -> String {
    let code = r.code();
    if code.is_empty() {
        r.h("x-ms-error-code").unwrap_or_default()
    } else {
        code
    }
}

/// The text of the first `<tag>...</tag>` in `xml` (no entities decoded).
fn xml_text(xml: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let start = xml.find(&open)? + open.len();
    let len = xml[start..].find(&format!("</{tag}>"))?;
    Some(xml[start..start + len].to_string())
}

/// The error message of `r` when its body has one (`error.message` for ARM and storage
/// JSON, `error_description` for Entra, `<Message>` for the Blob service's XML).
pub fn error_message(r: &R) -> Option<String> {
    let j = r.json();
    j.pointer("/error/message")
        .or_else(|| j.get("error_description"))
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| xml_text(&String::from_utf8_lossy(&r.body), "Message"))
}

/// Asserts `r` has `e.status` and error code `e.code` and, when it carries an error body,
/// that the body has a non-empty message. Panics naming `e.case` and showing the body.
/// Returns the message (empty when there is no body, e.g. for HEAD).
pub fn assert_error(r: &R, e: Expect<'_>) -> String {
    let body = String::from_utf8_lossy(&r.body);
    assert_eq!(
        (r.status, error_code(r).as_str()),
        (e.status, e.code),
        "case {:?}: status and error code; body: {body}",
        e.case
    );
    if e.code.is_empty() || r.body.is_empty() {
        return String::new();
    }
    let message = error_message(r).unwrap_or_default();
    assert!(
        !message.trim().is_empty(),
        "case {:?}: {} {} has no error message: {body}",
        e.case,
        e.status,
        e.code
    );
    message
}

/// How a case's request authenticates.
#[derive(Clone, Debug)]
pub enum Auth {
    /// `Authorization: Bearer {tok}` with the token the runner was given.
    Runner,
    /// `Authorization: Bearer` with this token instead.
    Token(String),
    /// This raw `Authorization` value (malformed headers, HTTP Basic).
    Raw(String),
    /// No `Authorization` header.
    Absent,
}

/// What a case sends as its body.
#[derive(Clone, Debug)]
pub enum Body {
    /// JSON (`content-type: application/json`).
    Json(Value),
    /// A form (`content-type: application/x-www-form-urlencoded`), as Entra takes it.
    Form(Vec<(String, String)>),
}

/// What a response header must be.
#[derive(Clone, Debug)]
pub enum HeaderCheck {
    Present,
    Equals(String),
    StartsWith(String),
}

/// What the error message (see [`error_message`]) must hold.
#[derive(Clone, Debug)]
pub enum MessageCheck {
    Contains(String),
    StartsWith(String),
}

/// One request of a table and the answer it must get: status and error code always, and
/// optionally response headers and the error message.
#[derive(Clone, Debug)]
pub struct ArmCase {
    pub name: String,
    pub method: &'static str,
    pub path: String,
    pub auth: Auth,
    pub headers: Vec<(String, String)>,
    pub body: Option<Body>,
    pub status: u16,
    /// The expected error code; empty for a success.
    pub code: &'static str,
    pub response_headers: Vec<(String, HeaderCheck)>,
    pub message: Option<MessageCheck>,
}

/// A bodiless, bearer-authenticated [`ArmCase`]; refine it with the `with_*` and
/// `expect_*` builders.
pub fn arm_case(
    name: impl Into<String>,
    method: &'static str,
    path: impl Into<String>,
    status: u16,
    code: &'static str,
) -> ArmCase {
    ArmCase {
        name: name.into(),
        method,
        path: path.into(),
        auth: Auth::Runner,
        headers: Vec::new(),
        body: None,
        status,
        code,
        response_headers: Vec::new(),
        message: None,
    }
}

/// An unauthenticated form `POST` to `path` (the Entra token endpoints).
pub fn form_case(
    name: impl Into<String>,
    path: impl Into<String>,
    form: &[(&str, &str)],
    status: u16,
    code: &'static str,
) -> ArmCase {
    let form = form
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    ArmCase {
        auth: Auth::Absent,
        body: Some(Body::Form(form)),
        ..arm_case(name, "POST", path, status, code)
    }
}

impl ArmCase {
    /// A JSON body.
    pub fn with_body(mut self, body: Value) -> ArmCase {
        self.body = Some(Body::Json(body));
        self
    }

    /// A request header.
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> ArmCase {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// Authenticate with `tok` instead of the runner's token.
    pub fn with_token(mut self, tok: impl Into<String>) -> ArmCase {
        self.auth = Auth::Token(tok.into());
        self
    }

    /// Send this raw `Authorization` value.
    pub fn with_raw_auth(mut self, value: impl Into<String>) -> ArmCase {
        self.auth = Auth::Raw(value.into());
        self
    }

    /// Send no `Authorization` header.
    pub fn without_auth(mut self) -> ArmCase {
        self.auth = Auth::Absent;
        self
    }

    /// The response must carry header `name`.
    pub fn expect_header(mut self, name: &str) -> ArmCase {
        self.response_headers
            .push((name.to_string(), HeaderCheck::Present));
        self
    }

    /// The response header `name` must be exactly `value`.
    pub fn expect_header_eq(mut self, name: &str, value: impl Into<String>) -> ArmCase {
        self.response_headers
            .push((name.to_string(), HeaderCheck::Equals(value.into())));
        self
    }

    /// The response header `name` must start with `prefix`.
    pub fn expect_header_prefix(mut self, name: &str, prefix: impl Into<String>) -> ArmCase {
        self.response_headers
            .push((name.to_string(), HeaderCheck::StartsWith(prefix.into())));
        self
    }

    /// The error message must contain `text`.
    pub fn message_contains(mut self, text: impl Into<String>) -> ArmCase {
        self.message = Some(MessageCheck::Contains(text.into()));
        self
    }

    /// The error message must start with `text` (Entra's `AADSTSnnn:`).
    pub fn message_starts_with(mut self, text: impl Into<String>) -> ArmCase {
        self.message = Some(MessageCheck::StartsWith(text.into()));
        self
    }

    /// Sends this case (bearer token `tok` unless it says otherwise).
    pub async fn send(&self, c: &Client, tok: &str) -> R {
        let authorization = match &self.auth {
            Auth::Runner => Some(format!("Bearer {tok}")),
            Auth::Token(t) => Some(format!("Bearer {t}")),
            Auth::Raw(v) => Some(v.clone()),
            Auth::Absent => None,
        };
        let mut headers: Vec<(&str, &str)> = Vec::new();
        if let Some(a) = &authorization {
            headers.push(("authorization", a));
        }
        let body = match &self.body {
            None => None,
            Some(Body::Json(v)) => {
                headers.push(("content-type", "application/json"));
                Some(v.to_string().into_bytes())
            }
            Some(Body::Form(form)) => {
                headers.push(("content-type", "application/x-www-form-urlencoded"));
                let pairs: Vec<String> = form
                    .iter()
                    .map(|(k, v)| {
                        format!(
                            "{}={}",
                            aifactory_emulator::util::pct_encode(k),
                            aifactory_emulator::util::pct_encode(v)
                        )
                    })
                    .collect();
                Some(pairs.join("&").into_bytes())
            }
        };
        headers.extend(self.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        c.send(self.method, &self.path, &headers, body).await
    }

    /// Asserts `r` is this case's answer: status and code (with [`assert_error`]), then the
    /// expected response headers and error message.
    pub fn check(&self, r: &R) {
        let message = assert_error(r, expect(&self.name, self.status, self.code));
        for (name, check) in &self.response_headers {
            let got = r.h(name);
            let ok = match (check, got.as_deref()) {
                (_, None) => false,
                (HeaderCheck::Present, Some(_)) => true,
                (HeaderCheck::Equals(v), Some(g)) => g == v,
                (HeaderCheck::StartsWith(p), Some(g)) => g.starts_with(p.as_str()),
            };
            assert!(
                ok,
                "case {:?}: header {name}: expected {check:?}, got {got:?}",
                self.name
            );
        }
        if let Some(m) = &self.message {
            let ok = match m {
                MessageCheck::Contains(t) => message.contains(t.as_str()),
                MessageCheck::StartsWith(t) => message.starts_with(t.as_str()),
            };
            assert!(
                ok,
                "case {:?}: message {message:?} does not match {m:?}",
                self.name
            );
        }
    }
}

/// Sends each case in order with `tok` and asserts it ([`ArmCase::check`]); returns the
/// responses in the same order for further assertions.
pub async fn run_arm_cases(
    c: &Client,
    tok: &str,
    cases: impl IntoIterator<Item = ArmCase>,
) -> Vec<R> {
    let mut out = Vec::new();
    for case in cases {
        let r = case.send(c, tok).await;
        case.check(&r);
        out.push(r);
    }
    out
}
