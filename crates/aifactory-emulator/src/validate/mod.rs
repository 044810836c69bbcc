//! Request-body validation as strict as Azure for the resource types the provider writes:
//! each PUT/PATCH body is checked against the rule set of its type and api-version (data in
//! `rules`, read from the stable REST specs) before the resource is stored, and refused
//! with Azure's error shapes (`answer`). Types or api-versions without rules pass as
//! before; seeding does not come through here.
//!
//! Owns body validation; must not change state, nor hold the network range rules (they stay
//! in `crate::network`) or RBAC rules (`crate::authorization`). Imports only the leaves
//! `crate::http` and `crate::arm::id`. Layout, one way: `schema` (vocabulary) <- `rules`
//! (facts) and `check` (the walk) <- `answer` (responses) <- this file.

pub mod answer;
pub mod check;
pub mod rules;
pub mod schema;

pub use check::{Mode, Violation};
pub use schema::TypeRules;

use crate::http::Resp;
use serde_json::{Map, Value};

/// Checks the body of a write of `resource_id` (of `resource_type`, at `api_version`):
/// `Err` is the 400 to send.
pub fn check_body(
    resource_type: &str,
    api_version: &str,
    resource_id: &str,
    body: &Map<String, Value>,
    mode: Mode,
) -> Result<(), Resp> {
    let Some(rules) = rules::find(resource_type, api_version) else {
        return Ok(());
    };
    check::check(rules, resource_id, body, mode).map_err(|v| answer::respond(rules, &v))
}
