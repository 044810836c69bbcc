//! What happens to soft-deleted items: a delete keeps soft-deletable resources, the clock
//! expires them, a purge operation's end forgets them, and a PUT of the same name refuses
//! (409) or recovers (the item becomes the resource again).
//!
//! Owns these transitions; must not answer requests (`endpoints`) or store resources (`arm`).

use super::record::{deleted_item, item_key, parts, Kind};
use crate::arm::body::merge_patch;
use crate::arm::id::key;
use crate::arm::store::Stored;
use crate::http::{arm_error, Resp};
use crate::state::State;
use http::StatusCode;
use serde_json::{Map, Value};

/// Keeps the soft-deletable resources among those a delete removed.
pub fn retain(st: &mut State, removed: &[Stored]) {
    let now = st.now_ms();
    for r in removed {
        if let Some(d) = deleted_item(r, now) {
            st.soft_deleted.insert(d);
            st.dirty = true;
        }
    }
}

/// Drops items whose scheduled purge date has passed (Azure purges them then).
pub fn expire(st: &mut State) {
    let now = st.now_ms();
    if st.soft_deleted.drop_due(now) > 0 {
        st.dirty = true;
    }
}

/// A purge operation finished.
pub fn complete_purge(st: &mut State, item: &str, failed: bool) {
    if failed {
        if let Some(d) = st.soft_deleted.get_mut(item) {
            d.purging = false;
        }
    } else {
        st.soft_deleted.remove(item);
    }
}

/// Before a PUT of a vault or account: strips the write-only recover flag
/// (`properties.createMode` / `properties.restore`) and, when the resource does not exist
/// but is soft-deleted, either refuses (409) or turns the body into the recovered resource.
/// `Ok(Some(key))` = recovering; remove `key` once the resource is stored.
pub fn prepare_put(
    st: &State,
    full_type: &str,
    id: &str,
    exists: bool,
    body: &mut Map<String, Value>,
) -> Result<Option<String>, Resp> {
    let Some(kind) = Kind::of(full_type) else {
        return Ok(None);
    };
    let props = body.get_mut("properties").and_then(Value::as_object_mut);
    let wants = match kind {
        Kind::Vault => props
            .and_then(|p| p.remove("createMode"))
            .and_then(|v| v.as_str().map(|s| s.eq_ignore_ascii_case("recover")))
            .unwrap_or(false),
        Kind::Account => props
            .and_then(|p| p.remove("restore"))
            .and_then(|v| v.as_bool())
            .unwrap_or(false),
    };
    if exists {
        return Ok(None);
    }
    let Some((sub, rg, name)) = parts(id) else {
        return Ok(None);
    };
    let k = item_key(kind, &sub, &rg, &name);
    let found = st.soft_deleted.get(&k);
    match (kind, found, wants) {
        (_, None, false) => Ok(None),
        (Kind::Vault, None, true) => Err(arm_error(
            StatusCode::NOT_FOUND,
            "SoftDeletedVaultDoesNotExist",
            format!("A soft deleted vault with the given name '{name}' does not exist. Ensure that the name for the vault that is being attempted to recover is in a recoverable state."),
        )),
        // `restore` without a deleted account: a plain create.
        (Kind::Account, None, true) => Ok(None),
        (Kind::Vault, Some(_), false) => Err(arm_error(
            StatusCode::CONFLICT,
            "ConflictError",
            "A vault with the same name already exists in deleted state. You need to either recover or purge existing key vault. Follow this link https://go.microsoft.com/fwlink/?linkid=2149745 for more information on soft delete.",
        )),
        (Kind::Account, Some(_), false) => Err(arm_error(
            StatusCode::CONFLICT,
            "FlagMustBeSetForRestore",
            format!("An existing resource with ID '{id}' has been soft-deleted. To restore the resource, you must specify 'restore' to be 'true' in the property. If you don't want to restore existing resource, please purge it first."),
        )),
        (_, Some(d), true) if d.purging => Err(arm_error(
            StatusCode::CONFLICT,
            "Conflict",
            format!("The soft-deleted resource '{name}' is being purged."),
        )),
        (Kind::Vault, Some(d), true) => {
            if !d.resource_group.eq_ignore_ascii_case(&rg) {
                return Err(arm_error(
                    StatusCode::BAD_REQUEST,
                    "BadRequest",
                    format!(
                        "The soft-deleted vault '{name}' belonged to resource group '{}'; it can only be recovered there.",
                        d.resource_group
                    ),
                ));
            }
            // Azure recovers the vault as it was; the request's properties are ignored
            // (a later PUT changes them).
            *body = object_of(&d.resource.body);
            Ok(Some(k))
        }
        (Kind::Account, Some(d), true) => {
            let mut merged = Value::Object(object_of(&d.resource.body));
            for (field, v) in body.iter() {
                match field.as_str() {
                    "properties" => merge_patch(&mut merged["properties"], v),
                    _ => merged[field.as_str()] = v.clone(),
                }
            }
            *body = object_of(&merged);
            Ok(Some(k))
        }
    }
}

fn object_of(v: &Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

/// Whether `id` (any casing) is soft-deleted (for tests and the admin API).
pub fn is_soft_deleted(st: &State, id: &str) -> bool {
    st.soft_deleted
        .values()
        .any(|d| key(&d.resource.id) == key(id))
}
