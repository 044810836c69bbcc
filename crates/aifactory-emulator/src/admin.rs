//! Admin API under `/_emulator/` (no auth, never journaled, never faulted):
//!
//! | method + path | effect |
//! |---|---|
//! | `GET /_emulator/info` | `EmulatorInfo` JSON |
//! | `GET /_emulator/journal[?since=N]`, `DELETE /_emulator/journal` | journal entries / clear |
//! | `GET\|PUT\|POST\|DELETE /_emulator/faults` | list / replace / append (rule, array, or `{"rules":[..]}`) / clear |
//! | `POST /_emulator/seed` | apply a seed document (see `seed`) |
//! | `GET\|PUT\|DELETE /_emulator/resource?id=ID` | read / replace-or-create / delete (with subtree) behind the provider's back |
//! | `GET\|PATCH /_emulator/settings` | read / merge-patch runtime `Settings` |
//! | `POST /_emulator/clock` `{"advance_secs":N}` | move the virtual clock (token expiry, LROs, "new" principals) |
//! | `POST /_emulator/token` `{"client_id"\|"object_id", "audience"}` | mint a token without credentials |
//! | `POST /_emulator/reset` | back to the start configuration (state, faults, settings, journal) |
//! | `GET /_emulator/state` | the ARM store (debugging) |
//! | `GET /_emulator/soft-deleted` | soft-deleted key vaults and Cognitive Services accounts (`{"value":[..]}`) |
//!
//! Owns the admin surface; must not bypass the modules' own functions.

use crate::arm::body::merge_patch;
use crate::arm::complete::complete_due;
use crate::arm::drift::{drift_delete, drift_put};
use crate::arm::render::render;
use crate::config::Settings;
use crate::entra;
use crate::faults::FaultRule;
use crate::http::{Req, Resp};
use crate::info::EmulatorInfo;
use crate::seed::Seed;
use crate::setup::{apply_seed, reset_state};
use crate::shared::Shared;
use crate::softdelete::record::Deleted;
use crate::util;
use http::{Method, StatusCode};
use serde_json::{json, Value};

fn err(status: StatusCode, msg: impl Into<String>) -> Resp {
    Resp::json(status, &json!({"error": msg.into()}))
}

fn ok() -> Resp {
    Resp::json(StatusCode::OK, &json!({"ok": true}))
}

/// Parses one rule, an array of rules, or `{"rules":[...]}`.
pub fn parse_rules(v: Value) -> Result<Vec<FaultRule>, String> {
    let v = match v {
        Value::Object(mut m) if m.contains_key("rules") => m.remove("rules").unwrap_or(Value::Null),
        other => other,
    };
    match v {
        Value::Array(_) => serde_json::from_value(v).map_err(|e| e.to_string()),
        Value::Object(_) => serde_json::from_value(v)
            .map(|r| vec![r])
            .map_err(|e| e.to_string()),
        _ => Err("expected a fault rule, an array of rules, or {\"rules\": [...]}".into()),
    }
}

/// Handles `/_emulator/...`.
pub fn handle(shared: &Shared, req: &Req) -> Resp {
    let what = req.segments.get(1).map(String::as_str).unwrap_or("");
    match (what, req.method.clone()) {
        ("info", Method::GET) => Resp::json(StatusCode::OK, &json!(EmulatorInfo::of(shared))),
        ("journal", Method::GET) => {
            let since = req.q("since").and_then(|s| s.parse().ok()).unwrap_or(0);
            Resp::json(StatusCode::OK, &json!(shared.journal.since(since)))
        }
        ("journal", Method::DELETE) => {
            shared.journal.clear();
            ok()
        }
        ("faults", Method::GET) => Resp::json(StatusCode::OK, &json!(shared.lock().faults.rules())),
        ("faults", Method::DELETE) => {
            shared.lock().faults.set(Vec::new());
            ok()
        }
        ("faults", Method::PUT) | ("faults", Method::POST) => faults(shared, req),
        ("seed", Method::POST) => seed(shared, req),
        ("resource", _) => resource(shared, req),
        ("settings", Method::GET) => Resp::json(StatusCode::OK, &json!(shared.lock().settings)),
        ("settings", Method::PATCH) | ("settings", Method::POST) => settings(shared, req),
        ("clock", Method::GET) => clock(shared, None),
        ("clock", Method::POST) => {
            let v = req.json().unwrap_or(Value::Null);
            let secs = v
                .get("advance_secs")
                .and_then(Value::as_i64)
                .or_else(|| req.q("advance_secs").and_then(|s| s.parse().ok()))
                .unwrap_or(0);
            clock(shared, Some(secs))
        }
        ("token", Method::POST) => token(shared, req),
        ("reset", Method::POST) => reset(shared),
        ("soft-deleted", Method::GET) => {
            let mut st = shared.lock();
            complete_due(&mut st);
            let all: Vec<Value> = st.soft_deleted.values().map(Deleted::render).collect();
            Resp::json(StatusCode::OK, &json!({ "value": all }))
        }
        ("state", Method::GET) => {
            let st = shared.lock();
            let all: Vec<Value> = st
                .store
                .filter(|_| true)
                .into_iter()
                .map(|r| render(&st, r))
                .collect();
            Resp::json(
                StatusCode::OK,
                &json!({"resources": all, "operations": st.ops.values().collect::<Vec<_>>()}),
            )
        }
        _ => err(
            StatusCode::NOT_FOUND,
            format!("no admin endpoint {} {}", req.method, req.raw_path),
        ),
    }
}

/// `PUT` replaces the rules, `POST` appends; answers with all rules.
fn faults(shared: &Shared, req: &Req) -> Resp {
    let rules = match req.json().map_err(|e| e.to_string()).and_then(parse_rules) {
        Ok(r) => r,
        Err(e) => return err(StatusCode::BAD_REQUEST, e),
    };
    let mut st = shared.lock();
    if req.method == Method::PUT {
        st.faults.set(rules);
    } else {
        for r in rules {
            st.faults.add(r);
        }
    }
    Resp::json(StatusCode::OK, &json!(st.faults.rules()))
}

/// `POST /_emulator/seed`.
fn seed(shared: &Shared, req: &Req) -> Resp {
    let seed: Seed = match serde_json::from_slice(&req.body) {
        Ok(s) => s,
        Err(e) => return err(StatusCode::BAD_REQUEST, format!("invalid seed: {e}")),
    };
    let mut st = shared.lock();
    match apply_seed(&mut st, &shared.base_url, &seed, true) {
        Ok(()) => ok(),
        Err(e) => err(StatusCode::BAD_REQUEST, e),
    }
}

/// `GET|PUT|DELETE /_emulator/resource?id=ID`.
fn resource(shared: &Shared, req: &Req) -> Resp {
    let Some(id) = req.q("id").map(str::to_string) else {
        return err(StatusCode::BAD_REQUEST, "missing ?id=");
    };
    let mut st = shared.lock();
    complete_due(&mut st);
    match req.method {
        Method::GET => match st.store.get(&id) {
            Some(r) => Resp::json(StatusCode::OK, &render(&st, r)),
            None => err(StatusCode::NOT_FOUND, format!("{id} not found")),
        },
        Method::PUT => {
            let body = match req.json() {
                Ok(b) => b,
                Err(e) => return err(StatusCode::BAD_REQUEST, e),
            };
            match drift_put(&mut st, &id, body) {
                Ok(v) => Resp::json(StatusCode::OK, &v),
                Err(e) => err(StatusCode::BAD_REQUEST, e),
            }
        }
        Method::DELETE => {
            let n = drift_delete(&mut st, &id);
            Resp::json(StatusCode::OK, &json!({"deleted": n}))
        }
        _ => err(StatusCode::METHOD_NOT_ALLOWED, "GET, PUT or DELETE"),
    }
}

/// Merge-patches the runtime settings.
fn settings(shared: &Shared, req: &Req) -> Resp {
    let patch = match req.json() {
        Ok(v) => v,
        Err(e) => return err(StatusCode::BAD_REQUEST, e),
    };
    let mut st = shared.lock();
    let mut cur = json!(st.settings);
    merge_patch(&mut cur, &patch);
    match serde_json::from_value::<Settings>(cur) {
        Ok(s) => {
            st.settings = s;
            Resp::json(StatusCode::OK, &json!(st.settings))
        }
        Err(e) => err(StatusCode::BAD_REQUEST, format!("invalid settings: {e}")),
    }
}

/// The virtual clock, moved forward by `advance_secs` first when given.
fn clock(shared: &Shared, advance_secs: Option<i64>) -> Resp {
    let mut st = shared.lock();
    if let Some(secs) = advance_secs {
        st.clock_offset_ms = st.clock_offset_ms.saturating_add(secs.saturating_mul(1000));
        st.dirty = true;
    }
    Resp::json(
        StatusCode::OK,
        &json!({"now": util::iso8601(st.now_ms()), "offset_ms": st.clock_offset_ms}),
    )
}

/// Mints a token for a principal named by `client_id` or `object_id`.
fn token(shared: &Shared, req: &Req) -> Resp {
    let v = req.json().unwrap_or(Value::Null);
    let st = shared.lock();
    let s = |k: &str| v.get(k).and_then(Value::as_str);
    let p = if let Some(c) = s("client_id") {
        st.directory.principals.iter().find(|p| {
            p.client_id
                .as_deref()
                .is_some_and(|x| x.eq_ignore_ascii_case(c))
        })
    } else if let Some(o) = s("object_id") {
        st.directory.by_object_id(o)
    } else {
        None
    };
    let Some(p) = p.cloned() else {
        return err(
            StatusCode::NOT_FOUND,
            "principal not found (client_id or object_id)",
        );
    };
    let aud = s("audience").unwrap_or("https://management.azure.com/");
    let (tok, _, exp) = entra::issue(&st, &p, aud, "1");
    Resp::json(
        StatusCode::OK,
        &json!({"access_token": tok, "expires_on": exp, "object_id": p.object_id}),
    )
}

/// Back to the start configuration; clears the journal.
fn reset(shared: &Shared) -> Resp {
    let mut st = shared.lock();
    match reset_state(&mut st, &shared.base_url, &shared.initial) {
        Ok(()) => {
            drop(st);
            shared.journal.clear();
            ok()
        }
        Err(e) => err(StatusCode::INTERNAL_SERVER_ERROR, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_shapes() {
        let one = json!({"path": "*", "action": {"type": "reset"}});
        assert_eq!(parse_rules(one.clone()).unwrap().len(), 1);
        assert_eq!(
            parse_rules(json!([one.clone(), one.clone()]))
                .unwrap()
                .len(),
            2
        );
        assert_eq!(parse_rules(json!({"rules": [one]})).unwrap().len(), 1);
        assert!(parse_rules(json!(3)).is_err());
    }
}
