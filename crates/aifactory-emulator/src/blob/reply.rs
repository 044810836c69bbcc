//! The Blob service's answers shared by its operations: the XML error (`<Error>` with
//! `<Code>`, `<Message>` ending in `RequestId:`/`Time:` lines, and `x-ms-error-code`), a
//! refusal of the admission gate rendered that way, and the errors several operations give.
//!
//! Owns these wire shapes; must not change state. Imports only `xml` of `blob`.

use super::xml;
use crate::dfs::call::Call;
use crate::dfs::gate::Denial;
use crate::http::Resp;
use crate::util;
use http::StatusCode;

/// An XML storage error for `call`, with further `<Error>` elements.
pub fn error_with(
    call: &Call,
    status: StatusCode,
    code: &str,
    message: &str,
    extra: &[(&str, String)],
) -> Resp {
    let message = format!(
        "{message}\nRequestId:{}\nTime:{}",
        call.req.request_id,
        util::iso8601(call.now_ms)
    );
    Resp::text(
        status,
        "application/xml",
        xml::error(code, &message, extra).into_bytes(),
    )
    .header("x-ms-error-code", code)
}

/// An XML storage error for `call`.
pub fn error(call: &Call, status: StatusCode, code: &str, message: &str) -> Resp {
    error_with(call, status, code, message, &[])
}

/// A refusal of `dfs::gate`: a header name goes into `<HeaderName>`, an authentication
/// detail (the message's second line) into `<AuthenticationErrorDetail>`.
pub fn denied(call: &Call, d: Denial) -> Resp {
    let (message, detail) = match d.message.split_once('\n') {
        Some((m, rest)) => (m.to_string(), Some(rest.to_string())),
        None => (d.message.clone(), None),
    };
    let mut extra: Vec<(&str, String)> = Vec::new();
    if let Some((_, name)) = d.headers.iter().find(|(k, _)| *k == "x-ms-header-name") {
        extra.push(("HeaderName", name.clone()));
    }
    if let Some(detail) = detail {
        extra.push(("AuthenticationErrorDetail", detail));
    }
    let mut r = error_with(call, d.status, d.code, &message, &extra);
    for (k, v) in d.headers {
        r = r.header(k, v);
    }
    r.principal(d.principal)
}

pub fn container_not_found(call: &Call) -> Resp {
    error(
        call,
        StatusCode::NOT_FOUND,
        "ContainerNotFound",
        "The specified container does not exist.",
    )
}

/// 400 `InvalidQueryParameterValue` naming what was wrong.
pub fn invalid_query(call: &Call, what: &str) -> Resp {
    error(
        call,
        StatusCode::BAD_REQUEST,
        "InvalidQueryParameterValue",
        &format!("Value for one of the query parameters specified in the request URI is invalid. ({what})"),
    )
}

/// 400 `InvalidHeaderValue` naming what was wrong.
pub fn invalid_header(call: &Call, what: &str) -> Resp {
    error(
        call,
        StatusCode::BAD_REQUEST,
        "InvalidHeaderValue",
        &format!("The value for one of the HTTP headers is not in the correct format. ({what})"),
    )
}

/// 501 for what the emulator does not serve on the Blob endpoint.
pub fn not_implemented(call: &Call, what: &str) -> Resp {
    error(
        call,
        StatusCode::NOT_IMPLEMENTED,
        "NotImplemented",
        &format!("{what} is not implemented by the emulator's Blob endpoint (containers only)."),
    )
}
