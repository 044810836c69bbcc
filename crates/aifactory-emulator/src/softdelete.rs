//! Soft delete of Key Vaults (`Microsoft.KeyVault/vaults`) and Cognitive Services / AI
//! Services accounts (`Microsoft.CognitiveServices/accounts`).
//!
//! A DELETE (direct, or a resource group's cascade) keeps such a resource here until its
//! scheduled purge date (vaults: `softDeleteRetentionInDays`, default 90 days; accounts:
//! 48 hours) or a purge. While it is here its name is taken: a PUT without
//! `properties.createMode = "recover"` (vaults) / `properties.restore = true` (accounts)
//! fails with 409, a PUT with it brings the resource back. Endpoints:
//!
//! | method + path (under `/subscriptions/{s}/providers/`) | |
//! |---|---|
//! | `GET Microsoft.KeyVault/deletedVaults` | list |
//! | `GET Microsoft.KeyVault/locations/{loc}/deletedVaults/{name}` | get (404 when none) |
//! | `POST Microsoft.KeyVault/locations/{loc}/deletedVaults/{name}/purge` | purge: 202 + `Location`; 409 with purge protection |
//! | `GET Microsoft.CognitiveServices/deletedAccounts` | list |
//! | `GET\|DELETE Microsoft.CognitiveServices/locations/{loc}/resourceGroups/{rg}/deletedAccounts/{name}` | get / purge (202 + `Azure-AsyncOperation`) |
//!
//! Owns the soft-deleted items and these endpoints; the generic lifecycle (`arm`) calls
//! [`retain`] with what a delete removed and [`prepare_put`] before creating.

use super::arm::id::key;
use super::arm::lro::{OpKind, Operation};
use super::arm::store::Stored;
use super::arm::{self, Ctx};
use super::http::{arm_error, Req, Resp};
use super::state::State;
use super::util;
use http::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

const DAY_MS: i64 = 86_400_000;
/// Cognitive Services keeps deleted accounts for 48 hours.
const ACCOUNT_RETENTION_MS: i64 = 2 * DAY_MS;

/// Which soft-deletable resource type.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Vault,
    Account,
}

impl Kind {
    /// The kind of a resource type, if it is soft-deletable.
    pub fn of(full_type: &str) -> Option<Kind> {
        if full_type.eq_ignore_ascii_case("Microsoft.KeyVault/vaults") {
            Some(Kind::Vault)
        } else if full_type.eq_ignore_ascii_case("Microsoft.CognitiveServices/accounts") {
            Some(Kind::Account)
        } else {
            None
        }
    }

    fn namespace(self) -> &'static str {
        match self {
            Kind::Vault => "Microsoft.KeyVault",
            Kind::Account => "Microsoft.CognitiveServices",
        }
    }
}

/// One soft-deleted resource.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Deleted {
    pub kind: Kind,
    pub subscription: String,
    pub resource_group: String,
    /// Normalised (`westeurope`).
    pub location: String,
    pub name: String,
    /// The resource as it was when deleted (restored on recover).
    pub resource: Stored,
    pub deleted_ms: i64,
    pub purge_ms: i64,
    /// A purge operation is running.
    #[serde(default)]
    pub purging: bool,
}

impl Deleted {
    fn purge_protected(&self) -> bool {
        self.kind == Kind::Vault
            && self
                .resource
                .body
                .pointer("/properties/enablePurgeProtection")
                .and_then(Value::as_bool)
                == Some(true)
    }

    fn tags(&self) -> Value {
        self.resource
            .body
            .get("tags")
            .cloned()
            .unwrap_or_else(|| json!({}))
    }

    /// The wire form (`DeletedVault`, or the `Account` of a deleted account).
    pub fn render(&self) -> Value {
        match self.kind {
            Kind::Vault => json!({
                "id": format!(
                    "/subscriptions/{}/providers/Microsoft.KeyVault/locations/{}/deletedVaults/{}",
                    self.subscription, self.location, self.name
                ),
                "name": self.name,
                "type": "Microsoft.KeyVault/deletedVaults",
                "properties": {
                    "vaultId": self.resource.id,
                    "location": self.location,
                    "deletionDate": util::iso8601(self.deleted_ms),
                    "scheduledPurgeDate": util::iso8601(self.purge_ms),
                    "tags": self.tags(),
                    "purgeProtectionEnabled": self.purge_protected(),
                }
            }),
            Kind::Account => {
                let mut v = self.resource.body.clone();
                v["id"] = json!(format!(
                    "/subscriptions/{}/providers/Microsoft.CognitiveServices/locations/{}/resourceGroups/{}/deletedAccounts/{}",
                    self.subscription, self.location, self.resource_group, self.name
                ));
                v["name"] = json!(self.name);
                v["type"] =
                    json!("Microsoft.CognitiveServices/locations/resourceGroups/deletedAccounts");
                arm::set_ps(&mut v, "Succeeded");
                v["properties"]["deletionDate"] = json!(util::iso8601(self.deleted_ms));
                v["properties"]["scheduledPurgeDate"] = json!(util::iso8601(self.purge_ms));
                v
            }
        }
    }
}

/// All soft-deleted resources. Vault names are unique per subscription here (globally in
/// Azure); accounts are keyed by subscription, resource group and name.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct SoftDeleted {
    items: BTreeMap<String, Deleted>,
}

fn item_key(kind: Kind, sub: &str, rg: &str, name: &str) -> String {
    match kind {
        Kind::Vault => format!("vault|{sub}|{name}"),
        Kind::Account => format!("account|{sub}|{rg}|{name}"),
    }
    .to_ascii_lowercase()
}

impl SoftDeleted {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Every item, in key order.
    pub fn values(&self) -> impl Iterator<Item = &Deleted> {
        self.items.values()
    }

    pub fn get(&self, k: &str) -> Option<&Deleted> {
        self.items.get(k)
    }

    pub fn remove(&mut self, k: &str) -> Option<Deleted> {
        self.items.remove(k)
    }

    /// Adds (or replaces) an item; returns its key.
    pub fn insert(&mut self, d: Deleted) -> String {
        let k = item_key(d.kind, &d.subscription, &d.resource_group, &d.name);
        self.items.insert(k.clone(), d);
        k
    }
}

/// (subscription, resource group, name) of a top-level resource ID.
fn parts(id: &str) -> Option<(String, String, String)> {
    let p: Vec<&str> = id.trim_matches('/').split('/').collect();
    match p.as_slice() {
        [s, sub, r, rg, pr, _, _, name]
            if s.eq_ignore_ascii_case("subscriptions")
                && r.eq_ignore_ascii_case("resourceGroups")
                && pr.eq_ignore_ascii_case("providers") =>
        {
            Some((sub.to_string(), rg.to_string(), name.to_string()))
        }
        _ => None,
    }
}

fn norm_location(l: &str) -> String {
    l.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase()
}

fn retention_ms(kind: Kind, body: &Value) -> i64 {
    match kind {
        Kind::Vault => {
            let days = body
                .pointer("/properties/softDeleteRetentionInDays")
                .and_then(Value::as_i64)
                .filter(|d| (7..=90).contains(d))
                .unwrap_or(90);
            days * DAY_MS
        }
        Kind::Account => ACCOUNT_RETENTION_MS,
    }
}

/// Builds the soft-deleted item for a resource deleted at `now`, if its type soft-deletes
/// (a vault created with `enableSoftDelete: false` does not).
pub fn deleted_item(r: &Stored, now: i64) -> Option<Deleted> {
    let kind = Kind::of(&r.full_type)?;
    if kind == Kind::Vault
        && r.body
            .pointer("/properties/enableSoftDelete")
            .and_then(Value::as_bool)
            == Some(false)
    {
        return None;
    }
    let (subscription, resource_group, name) = parts(&r.id)?;
    let location = norm_location(
        r.body
            .get("location")
            .and_then(Value::as_str)
            .unwrap_or("global"),
    );
    let mut resource = r.clone();
    arm::set_ps(&mut resource.body, "Succeeded");
    Some(Deleted {
        kind,
        subscription,
        resource_group,
        location,
        name,
        deleted_ms: now,
        purge_ms: now.saturating_add(retention_ms(kind, &r.body)),
        resource,
        purging: false,
    })
}

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
    let before = st.soft_deleted.items.len();
    st.soft_deleted.items.retain(|_, d| d.purge_ms > now);
    if st.soft_deleted.items.len() != before {
        st.dirty = true;
    }
}

/// A purge operation finished.
pub fn complete_purge(st: &mut State, item: &str, failed: bool) {
    if failed {
        if let Some(d) = st.soft_deleted.items.get_mut(item) {
            d.purging = false;
        }
    } else {
        st.soft_deleted.items.remove(item);
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
    let found = st.soft_deleted.items.get(&k);
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
                    "properties" => arm::merge_patch(&mut merged["properties"], v),
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

/// Handles the soft-delete endpoints under `/subscriptions/{s}/providers/{ns}/...`;
/// `None` when the path is not one of them.
pub fn route(st: &mut State, ctx: &Ctx, req: &Req, sub: &str, segs: &[&str]) -> Option<Resp> {
    let is = |i: usize, w: &str| segs.get(i).is_some_and(|s| s.eq_ignore_ascii_case(w));
    let n = segs.len();
    if !is(2, "providers") {
        return None;
    }
    let kind = if is(3, "Microsoft.KeyVault") {
        Kind::Vault
    } else if is(3, "Microsoft.CognitiveServices") {
        Kind::Account
    } else {
        return None;
    };
    let collection = match kind {
        Kind::Vault => "deletedVaults",
        Kind::Account => "deletedAccounts",
    };
    if n == 5 && is(4, collection) {
        return Some(match req.method {
            Method::GET => list(st, ctx, req, kind, sub),
            _ => arm::method_not_allowed(req),
        });
    }
    if !is(4, "locations") {
        return None;
    }
    let location = norm_location(segs.get(5).copied().unwrap_or_default());
    match kind {
        Kind::Vault if (n == 8 || n == 9) && is(6, collection) => {
            let name = segs[7];
            let k = item_key(kind, sub, "", name);
            let found = st
                .soft_deleted
                .items
                .get(&k)
                .filter(|d| d.location == location)
                .cloned();
            Some(match (n, req.method.clone()) {
                (8, Method::GET) => match found {
                    Some(d) => Resp::json(StatusCode::OK, &d.render()),
                    None => vault_not_found(name),
                },
                (9, Method::POST) if is(8, "purge") => match found {
                    Some(d) => purge(st, ctx, &k, &d),
                    None => vault_not_found(name),
                },
                _ => arm::method_not_allowed(req),
            })
        }
        Kind::Account if n == 10 && is(6, "resourceGroups") && is(8, collection) => {
            let (rg, name) = (segs[7], segs[9]);
            let k = item_key(kind, sub, rg, name);
            let found = st
                .soft_deleted
                .items
                .get(&k)
                .filter(|d| d.location == location)
                .cloned();
            Some(match (req.method.clone(), found) {
                (Method::GET, Some(d)) => Resp::json(StatusCode::OK, &d.render()),
                (Method::DELETE, Some(d)) => purge(st, ctx, &k, &d),
                (Method::GET | Method::DELETE, None) => arm_error(
                    StatusCode::NOT_FOUND,
                    "ResourceNotFound",
                    format!("The resource 'Microsoft.CognitiveServices/locations/{location}/resourceGroups/{rg}/deletedAccounts/{name}' was not found."),
                ),
                _ => arm::method_not_allowed(req),
            })
        }
        _ => None,
    }
}

fn vault_not_found(name: &str) -> Resp {
    arm_error(
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
        format!("The Resource 'Microsoft.KeyVault/deletedVaults/{name}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix"),
    )
}

fn list(st: &State, ctx: &Ctx, req: &Req, kind: Kind, sub: &str) -> Resp {
    let items: Vec<Value> = st
        .soft_deleted
        .items
        .values()
        .filter(|d| d.kind == kind && d.subscription.eq_ignore_ascii_case(sub))
        .map(Deleted::render)
        .collect();
    arm::page(st, ctx, req, items)
}

/// Starts a purge: 202 with `Location` (vaults) or `Azure-AsyncOperation` (accounts).
fn purge(st: &mut State, ctx: &Ctx, item: &str, d: &Deleted) -> Resp {
    if d.purge_protected() {
        return arm_error(
            StatusCode::CONFLICT,
            "MethodNotAllowed",
            "Operation 'DeletedVaultPurge' is not allowed.",
        );
    }
    let now = st.now_ms();
    let existing = st
        .ops
        .values()
        .find(|o| !o.completed && o.kind == OpKind::Purge && o.target_id == item)
        .cloned();
    let op = match existing {
        Some(op) => op,
        None => {
            let delay = ctx.lro.delay_ms.unwrap_or(st.settings.lro_delay_ms);
            let op = Operation {
                id: util::new_guid(),
                subscription: d.subscription.clone(),
                namespace: d.kind.namespace().to_string(),
                location: d.location.clone(),
                kind: OpKind::Purge,
                target_id: item.to_string(),
                api_version: ctx.api_version.clone(),
                started_ms: now,
                done_ms: now.saturating_add(delay.min(i64::MAX as u64) as i64),
                failure: ctx.lro.fail.clone(),
                completed: false,
                lock_key: None,
            };
            if let Some(x) = st.soft_deleted.items.get_mut(item) {
                x.purging = true;
            }
            st.ops.insert(op.id.clone(), op.clone());
            op
        }
    };
    arm::lro_headers(
        Resp::empty(StatusCode::ACCEPTED),
        &op,
        ctx,
        now,
        st.settings.lro_retry_after_secs,
        d.kind == Kind::Account,
    )
}

/// Whether `id` (any casing) is soft-deleted (for tests and the admin API).
pub fn is_soft_deleted(st: &State, id: &str) -> bool {
    st.soft_deleted
        .items
        .values()
        .any(|d| key(&d.resource.id) == key(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(id: &str, t: &str, body: Value) -> Stored {
        Stored {
            id: id.into(),
            parent_key: String::new(),
            full_type: t.into(),
            body,
            etag: "e".into(),
            seq: 1,
            created_ms: 0,
            changed_ms: 0,
        }
    }

    const KV: &str = "/subscriptions/s/resourceGroups/RG/providers/Microsoft.KeyVault/vaults/KV1";

    #[test]
    fn retention_and_opt_out() {
        let r = stored(
            KV,
            "Microsoft.KeyVault/vaults",
            json!({"location": "West Europe", "properties": {"softDeleteRetentionInDays": 7}}),
        );
        let d = deleted_item(&r, 1000).expect("soft-deleted");
        assert_eq!(d.purge_ms, 1000 + 7 * DAY_MS);
        assert_eq!(d.location, "westeurope");
        assert_eq!((d.resource_group.as_str(), d.name.as_str()), ("RG", "KV1"));
        let off = stored(
            KV,
            "Microsoft.KeyVault/vaults",
            json!({"location": "westeurope", "properties": {"enableSoftDelete": false}}),
        );
        assert!(deleted_item(&off, 0).is_none());
        let st = stored(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a",
            "Microsoft.Storage/storageAccounts",
            json!({}),
        );
        assert!(deleted_item(&st, 0).is_none());
        let acc = stored(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/ai",
            "Microsoft.CognitiveServices/accounts",
            json!({"location": "westeurope"}),
        );
        assert_eq!(deleted_item(&acc, 0).map(|d| d.purge_ms), Some(2 * DAY_MS));
    }

    #[test]
    fn vault_render_has_the_deleted_vault_shape() {
        let r = stored(
            KV,
            "Microsoft.KeyVault/vaults",
            json!({"location": "westeurope", "tags": {"a": "1"}, "properties": {"enablePurgeProtection": true}}),
        );
        let v = deleted_item(&r, 0).expect("item").render();
        assert_eq!(v["type"], "Microsoft.KeyVault/deletedVaults");
        assert_eq!(
            v["id"],
            "/subscriptions/s/providers/Microsoft.KeyVault/locations/westeurope/deletedVaults/KV1"
        );
        assert_eq!(v["properties"]["vaultId"], KV);
        assert_eq!(v["properties"]["purgeProtectionEnabled"], true);
        assert_eq!(v["properties"]["tags"]["a"], "1");
        assert!(v["properties"]["scheduledPurgeDate"].is_string());
    }
}
