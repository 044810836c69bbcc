//! The per-request context ARM handlers share (base URL, `api-version`, conditional headers,
//! caller, fault override) and how a request starts a long-running operation: whether its
//! type is long-running, the location it reports, the delay and failure it gets.
//!
//! Owns request context and operation start; must not route, validate bodies or complete
//! operations (that is `arm::complete`). Imported by the ARM modules and the resource
//! providers; imports none of them.

use super::body::norm_location;
use super::id::ArmPath;
use super::lro::{OpTarget, Operation};
use crate::auth::Caller;
use crate::faults::LroOverride;
use crate::state::State;
use crate::util;
use serde_json::Value;

/// Per-request context the handlers need besides state.
#[derive(Debug, Clone)]
pub struct Ctx<'a> {
    pub base: &'a str,
    pub api_version: String,
    pub if_match: Option<String>,
    pub if_none_match: Option<String>,
    /// Seeding: no LRO, no locks, no auth.
    pub seed: bool,
    pub lro: LroOverride,
    pub caller: Option<Caller>,
}

impl<'a> Ctx<'a> {
    /// The context seeding and drift use: no auth, no LRO, no conditions.
    pub fn seeding(base: &'a str) -> Ctx<'a> {
        Ctx {
            base,
            api_version: "seed".into(),
            if_match: None,
            if_none_match: None,
            seed: true,
            lro: LroOverride::default(),
            caller: None,
        }
    }

    pub fn caller_oid(&self) -> Option<String> {
        self.caller.as_ref().map(|c| c.oid.clone())
    }

    /// Starts an operation at `now` and records it: the delay and failure come from the
    /// request's fault override, else from the settings.
    pub fn start_operation(&self, st: &mut State, now: i64, target: OpTarget) -> Operation {
        let delay = self.lro.delay_ms.unwrap_or(st.settings.lro_delay_ms);
        let op = Operation::begin(target, &self.api_version, now, delay, self.lro.fail.clone());
        st.ops.insert(op.id.clone(), op.clone());
        op
    }
}

/// True when PUT/DELETE on a type outside `arm::ops`'s table is long-running
/// (`Settings::lro_resource_types`); the table decides for the types it lists.
pub fn is_lro(st: &State, full_type: &str) -> bool {
    st.settings
        .lro_resource_types
        .iter()
        .any(|g| util::glob_match(g, full_type))
}

/// Location an operation on `path` reports: the resource's, or its nearest located
/// ancestor's, normalised; `global` when none has one.
pub fn operation_location(st: &State, path: &ArmPath) -> String {
    for l in path.levels.iter().rev() {
        if let Some(loc) = st
            .store
            .get(&l.id)
            .and_then(|r| r.body.get("location"))
            .and_then(Value::as_str)
        {
            return norm_location(loc);
        }
    }
    "global".into()
}
