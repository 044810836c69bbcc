//! Error assertions for the emulator's wire tests: one helper that checks a response's
//! status, its ARM (`error.code`), Entra (`error`) or storage (`x-ms-error-code`) error
//! code and the shape of its error message, naming the case on failure; and the case
//! type the table-driven tests are written in.

use serde_json::Value;

use super::http::R;

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
/// (`error.code`), Entra JSON (`error`), or the storage `x-ms-error-code` header (HEAD).
pub fn error_code(r: &R) -> String {
    let code = r.code();
    if code.is_empty() {
        r.h("x-ms-error-code").unwrap_or_default()
    } else {
        code
    }
}

/// The error message of `r` when its body has one (`error.message` for ARM and storage,
/// `error_description` for Entra).
pub fn error_message(r: &R) -> Option<String> {
    let j = r.json();
    j.pointer("/error/message")
        .or_else(|| j.get("error_description"))
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// Asserts `r` has `e.status` and error code `e.code` and, when it carries a JSON error
/// body, that the body has a non-empty message. Panics naming `e.case` and showing the
/// body. Returns the message (empty when there is no body, e.g. for HEAD).
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

/// One bearer-authenticated ARM request of a table and the response it must get.
#[derive(Clone, Debug)]
pub struct ArmCase {
    pub name: &'static str,
    pub method: &'static str,
    pub path: String,
    pub body: Option<Value>,
    pub status: u16,
    /// The expected error code; empty for a success.
    pub code: &'static str,
}

/// A bodiless [`ArmCase`]; add a body with [`ArmCase::with_body`].
pub fn arm_case(
    name: &'static str,
    method: &'static str,
    path: impl Into<String>,
    status: u16,
    code: &'static str,
) -> ArmCase {
    ArmCase {
        name,
        method,
        path: path.into(),
        body: None,
        status,
        code,
    }
}

impl ArmCase {
    pub fn with_body(mut self, body: Value) -> ArmCase {
        self.body = Some(body);
        self
    }
}

/// Sends each case in order with `tok` and asserts it with [`assert_error`]; returns the
/// responses in the same order for further assertions.
pub async fn run_arm_cases(
    c: &super::http::Client,
    tok: &str,
    cases: impl IntoIterator<Item = ArmCase>,
) -> Vec<R> {
    let mut out = Vec::new();
    for case in cases {
        let r = c.arm(tok, case.method, &case.path, case.body).await;
        assert_error(&r, expect(case.name, case.status, case.code));
        out.push(r);
    }
    out
}
