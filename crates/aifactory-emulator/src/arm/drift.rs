//! Writes that do not come over the wire: seeded resources (validated like a PUT, applied
//! synchronously, no auth) and drift behind the provider's back (admin API and
//! `RunningEmulator::put_resource` / `delete_resource`: stored as given, no validation).
//!
//! Owns these entry points; must not answer HTTP requests.

use super::body::{last_segment, set_ps};
use super::complete::forget_removed;
use super::ctx::Ctx;
use super::id::{self, key, Level, LevelKind, RG_TYPE};
use super::put::put_resource;
use super::resource_group;
use super::store::Stored;
use crate::authorization;
use crate::state::State;
use crate::util;
use serde_json::{json, Map, Value};

/// Applies one seeded resource (synchronously, no auth).
pub fn apply_seed_resource(
    st: &mut State,
    base: &str,
    id_str: &str,
    body: &Value,
) -> Result<(), String> {
    let path = id::parse_id(id_str).map_err(|e| format!("{id_str}: {e}"))?;
    let ctx = Ctx::seeding(base);
    let obj = match body {
        Value::Object(m) => m.clone(),
        Value::Null => Map::new(),
        _ => return Err(format!("{id_str}: body must be a JSON object")),
    };
    let resp = match path.target() {
        Some(Level {
            kind: LevelKind::ResourceGroup,
            name,
            ..
        }) => {
            let sub = path.subscription().unwrap_or_default().to_string();
            if st.directory.subscription(&sub).is_none() {
                return Err(format!("{id_str}: unknown subscription {sub}"));
            }
            let existing = st.store.get(id_str).cloned();
            let now = st.now_ms();
            resource_group::put(st, &sub, &name.clone(), obj, existing, now)
        }
        Some(Level {
            kind: LevelKind::Resource { .. },
            ..
        }) => match authorization::seed_put(st, &ctx, &path, &obj) {
            Some(r) => r,
            None => put_resource(st, &ctx, &path, obj),
        },
        _ => return Err(format!("{id_str}: not a resource group or resource id")),
    };
    if !resp.status.is_success() {
        return Err(format!(
            "{id_str}: {} {}",
            resp.status.as_u16(),
            String::from_utf8_lossy(&resp.body)
        ));
    }
    st.dirty = true;
    Ok(())
}

/// Replaces or creates a resource behind the provider's back (admin drift): no validation
/// beyond the ID grammar; the body is stored as given (id/name/type filled in).
pub fn drift_put(st: &mut State, id_str: &str, body: Value) -> Result<Value, String> {
    let path = id::parse_id(id_str).map_err(|e| e.to_string())?;
    let Some(target) = path.target().cloned() else {
        return Err("not a resource id".into());
    };
    let full_type = match target.kind {
        LevelKind::ResourceGroup => RG_TYPE.to_string(),
        LevelKind::Resource { .. } => target.full_type.clone(),
        LevelKind::Subscription => return Err("subscriptions are seeded, not drifted".into()),
    };
    let mut out = match body {
        Value::Object(m) => Value::Object(m),
        _ => return Err("body must be a JSON object".into()),
    };
    let existing_id = st.store.get(id_str).map(|r| r.id.clone());
    let id_final = existing_id.unwrap_or_else(|| target.id.clone());
    out["id"] = json!(id_final);
    out["name"] = json!(last_segment(&id_final));
    out["type"] = json!(full_type);
    if out.pointer("/properties/provisioningState").is_none() {
        set_ps(&mut out, "Succeeded");
    }
    let parent_key = path
        .levels
        .len()
        .checked_sub(2)
        .and_then(|i| path.levels.get(i))
        .map(|l| key(&l.id))
        .unwrap_or_default();
    let now = st.now_ms();
    let etag = util::new_etag();
    if out.get("etag").is_some() {
        out["etag"] = json!(etag);
    }
    st.store.put(Stored {
        id: id_final,
        parent_key,
        full_type,
        body: out.clone(),
        etag,
        seq: 0,
        created_ms: now,
        changed_ms: now,
    });
    st.dirty = true;
    Ok(out)
}

/// Deletes a resource and its subtree behind the provider's back; returns how many.
pub fn drift_delete(st: &mut State, id_str: &str) -> usize {
    let removed = st.store.remove_tree(id_str);
    forget_removed(st, &removed);
    st.dirty = true;
    removed.len()
}
