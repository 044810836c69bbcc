//! The soft-deleted items: which types soft-delete, what an item keeps (the resource as it
//! was, deletion and purge dates), its wire form, and the collection keyed by
//! subscription/resource group/name.
//!
//! Owns the item records; must not touch the state (a leaf below `state`, which holds a
//! [`SoftDeleted`]).

use crate::arm::body::{norm_location, set_ps};
use crate::arm::store::Stored;
use crate::util;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
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

    pub(crate) fn namespace(self) -> &'static str {
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
    pub(crate) fn purge_protected(&self) -> bool {
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
                set_ps(&mut v, "Succeeded");
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

pub(crate) fn item_key(kind: Kind, sub: &str, rg: &str, name: &str) -> String {
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

    pub fn get_mut(&mut self, k: &str) -> Option<&mut Deleted> {
        self.items.get_mut(k)
    }

    /// Drops the items whose purge date is not after `now_ms`; returns how many.
    pub fn drop_due(&mut self, now_ms: i64) -> usize {
        let before = self.items.len();
        self.items.retain(|_, d| d.purge_ms > now_ms);
        before - self.items.len()
    }

    /// Adds (or replaces) an item; returns its key.
    pub fn insert(&mut self, d: Deleted) -> String {
        let k = item_key(d.kind, &d.subscription, &d.resource_group, &d.name);
        self.items.insert(k.clone(), d);
        k
    }
}

/// (subscription, resource group, name) of a top-level resource ID.
pub(crate) fn parts(id: &str) -> Option<(String, String, String)> {
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
    set_ps(&mut resource.body, "Succeeded");
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
