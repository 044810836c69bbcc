//! Turns a [`Violation`] into the answer Azure gives: ARM's `InvalidRequestContent` (the
//! deserializer's complaint with the JSON path), `LocationRequired`,
//! `LinkedInvalidPropertyId` for an ID that is not fully qualified, the rule set's code for
//! a missing property, and Microsoft.Network's `InvalidRequestFormat` envelope with the
//! complaint in `details[]`.
//!
//! Owns the wording and codes of body errors; must not decide what is wrong with a body.
//! Imports `schema`, `check` and `crate::http` only.

use super::check::Violation;
use super::schema::{Style, TypeRules};
use crate::http::{arm_error, arm_error_details, Resp};
use http::StatusCode;
use serde_json::json;

/// ARM's message for a linked property that is not a fully qualified resource ID.
fn linked_invalid(path: &str, value: &str) -> String {
    format!("Property id '{value}' at path '{path}' is invalid. Expect fully qualified resource Id that start with '/subscriptions/{{subscriptionId}}' or '/providers/{{resourceProviderNamespace}}/'.")
}

/// The deserializer's complaint (no prefix): what a body that does not parse gets.
fn complaint(v: &Violation, object: &str) -> Option<String> {
    Some(match v {
        Violation::UnknownMember { path, hint } => {
            let meant = hint
                .as_ref()
                .map(|h| format!(" Member names are case-sensitive here: did you mean '{h}'?"))
                .unwrap_or_default();
            format!("Could not find member '{path}' on object of type '{object}'. Path '{path}'.{meant}")
        }
        Violation::NearMiss { path, meant } => {
            let member = path.rsplit('.').next().unwrap_or(path);
            format!("Could not find member '{member}' on object of type '{object}'. Path '{path}'. Did you mean '{meant}'?")
        }
        Violation::WrongType {
            path,
            value,
            expected,
        } => format!("Error converting value {value} to type '{expected}'. Path '{path}'."),
        Violation::NotAllowed {
            path,
            value,
            allowed,
        } => format!(
            "Error converting value \"{value}\" to type 'enum'. Path '{path}'. Allowed values: {}.",
            allowed.join(", ")
        ),
        _ => return None,
    })
}

/// The response for `v` on a body of `rules.resource_type`.
pub fn respond(rules: &TypeRules, v: &Violation) -> Resp {
    let bad = |code: &str, msg: String| arm_error(StatusCode::BAD_REQUEST, code, msg);
    match v {
        Violation::LocationRequired => bad(
            "LocationRequired",
            "The location property is required for this definition.".into(),
        ),
        Violation::Missing { path } => match rules.style {
            Style::Arm => bad(
                rules.missing_code,
                format!("The request content was invalid: required property '{path}' is missing. Path '{path}'."),
            ),
            Style::Network => network(
                rules.missing_code,
                format!("Required property '{path}' not found in JSON. Path '{path}'."),
            ),
        },
        Violation::MalformedId { path, value } => {
            bad("LinkedInvalidPropertyId", linked_invalid(path, value))
        }
        Violation::WrongIdType {
            path,
            value,
            expected,
        } => bad(
            "InvalidResourceId",
            format!("Resource id '{value}' at path '{path}' is invalid: expected the ID of a resource of type '{expected}'."),
        ),
        Violation::NoneOf { code, message } => bad(code, message.clone()),
        other => {
            let object = match other {
                Violation::UnknownMember { .. } => "ResourceDefinition",
                _ => rules.resource_type,
            };
            let text = complaint(other, object).unwrap_or_default();
            // Top-level members are ARM's to read, before any resource provider sees the body.
            let style = match other {
                Violation::UnknownMember { .. } => Style::Arm,
                _ => rules.style,
            };
            match style {
                Style::Arm => bad(
                    "InvalidRequestContent",
                    format!("The request content was invalid and could not be deserialized: '{text}'"),
                ),
                Style::Network => network("InvalidJson", text),
            }
        }
    }
}

/// Microsoft.Network's envelope for a body it cannot read.
fn network(code: &str, message: String) -> Resp {
    arm_error_details(
        StatusCode::BAD_REQUEST,
        "InvalidRequestFormat",
        "Cannot parse the request.",
        json!([{ "code": code, "message": message }]),
    )
}
