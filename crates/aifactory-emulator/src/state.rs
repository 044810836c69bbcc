//! The emulator's in-memory state: directory (tenants, subscriptions, principals), the ARM
//! store, operations, DFS data, throttle buckets, faults, and the virtual clock.
//!
//! Owns the state types and directory lookups; behaviour lives in the handler modules.

use crate::arm::lro::Operation;
use crate::arm::store::Store;
use crate::config::Settings;
use crate::dfs::model::DfsState;
use crate::faults::Faults;
use crate::seed::{FederatedCredential, PrincipalKind, PrincipalSeed, Seed};
use crate::softdelete::record::SoftDeleted;
use crate::throttle::Throttle;
use crate::util;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Tenant {
    pub id: String,
    #[serde(default)]
    pub domains: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Subscription {
    pub id: String,
    pub tenant: String,
    pub display_name: String,
}

/// A directory object that can hold tokens and/or role assignments.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Principal {
    pub kind: PrincipalKind,
    pub tenant: String,
    pub object_id: String,
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub user_principal_name: Option<String>,
    #[serde(default)]
    pub secrets: Vec<String>,
    #[serde(default)]
    pub federated_credentials: Vec<FederatedCredential>,
    #[serde(default)]
    pub certificates: Vec<String>,
    #[serde(default)]
    pub resource_id: Option<String>,
    /// Until then (virtual-clock ms) the principal is "new" (replication delay).
    #[serde(default)]
    pub new_until_ms: Option<i64>,
}

/// Tenants, subscriptions and principals.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Directory {
    pub tenants: Vec<Tenant>,
    pub subscriptions: Vec<Subscription>,
    pub principals: Vec<Principal>,
}

impl Directory {
    /// A tenant by id or domain (case-insensitive).
    pub fn tenant(&self, name: &str) -> Option<&Tenant> {
        self.tenants.iter().find(|t| {
            t.id.eq_ignore_ascii_case(name)
                || t.domains.iter().any(|d| d.eq_ignore_ascii_case(name))
        })
    }

    pub fn subscription(&self, id: &str) -> Option<&Subscription> {
        self.subscriptions
            .iter()
            .find(|s| s.id.eq_ignore_ascii_case(id))
    }

    /// An app or managed identity by client id within a tenant.
    pub fn client(&self, tenant: &str, client_id: &str) -> Option<&Principal> {
        self.principals.iter().find(|p| {
            p.tenant.eq_ignore_ascii_case(tenant)
                && p.client_id
                    .as_deref()
                    .is_some_and(|c| c.eq_ignore_ascii_case(client_id))
                && matches!(
                    p.kind,
                    PrincipalKind::App
                        | PrincipalKind::ManagedIdentity
                        | PrincipalKind::ServicePrincipal
                )
        })
    }

    pub fn by_object_id(&self, oid: &str) -> Option<&Principal> {
        self.principals
            .iter()
            .find(|p| p.object_id.eq_ignore_ascii_case(oid))
    }

    /// Applies the directory part of a seed (tenants, subscriptions, principals).
    pub fn apply(&mut self, seed: &Seed, now_ms: i64, settings: &Settings) -> Result<(), String> {
        for t in &seed.tenants {
            if t.id.trim().is_empty() {
                return Err("tenant with empty id".into());
            }
            match self
                .tenants
                .iter_mut()
                .find(|x| x.id.eq_ignore_ascii_case(&t.id))
            {
                Some(x) => {
                    for d in &t.domains {
                        if !x.domains.iter().any(|y| y.eq_ignore_ascii_case(d)) {
                            x.domains.push(d.clone());
                        }
                    }
                }
                None => self.tenants.push(Tenant {
                    id: t.id.clone(),
                    domains: t.domains.clone(),
                }),
            }
        }
        let first_tenant = || self.tenants.first().map(|t| t.id.clone());
        let mut subs = Vec::new();
        for s in &seed.subscriptions {
            if s.id.trim().is_empty() {
                return Err("subscription with empty id".into());
            }
            let tenant = match s.tenant.clone().or_else(first_tenant) {
                Some(t) => t,
                None => {
                    return Err(format!(
                        "subscription {} has no tenant (add a tenant first)",
                        s.id
                    ))
                }
            };
            let tenant = self
                .tenant(&tenant)
                .map(|t| t.id.clone())
                .ok_or_else(|| format!("subscription {}: unknown tenant {tenant}", s.id))?;
            subs.push(Subscription {
                id: s.id.clone(),
                tenant,
                display_name: s
                    .display_name
                    .clone()
                    .unwrap_or_else(|| format!("Emulated subscription {}", s.id)),
            });
        }
        for s in subs {
            self.subscriptions
                .retain(|x| !x.id.eq_ignore_ascii_case(&s.id));
            self.subscriptions.push(s);
        }
        for p in &seed.principals {
            let principal = self.principal_from_seed(p, now_ms, settings)?;
            let same_client = |x: &Principal| {
                x.tenant.eq_ignore_ascii_case(&principal.tenant)
                    && matches!((&x.client_id, &principal.client_id), (Some(a), Some(b)) if a.eq_ignore_ascii_case(b))
            };
            self.principals.retain(|x| {
                !x.object_id.eq_ignore_ascii_case(&principal.object_id) && !same_client(x)
            });
            self.principals.push(principal);
        }
        Ok(())
    }

    fn principal_from_seed(
        &self,
        p: &PrincipalSeed,
        now_ms: i64,
        settings: &Settings,
    ) -> Result<Principal, String> {
        let tenant = p
            .tenant
            .clone()
            .or_else(|| self.tenants.first().map(|t| t.id.clone()))
            .ok_or_else(|| "principal without tenant (add a tenant first)".to_string())?;
        let tenant = self
            .tenant(&tenant)
            .map(|t| t.id.clone())
            .ok_or_else(|| format!("principal: unknown tenant {tenant}"))?;
        if matches!(p.kind, PrincipalKind::App | PrincipalKind::ManagedIdentity)
            && p.client_id.is_none()
        {
            return Err(format!("{:?} principal needs a client_id", p.kind));
        }
        let object_id = match (&p.object_id, &p.client_id) {
            (Some(o), _) => o.clone(),
            (None, Some(c)) => derived_object_id(&tenant, c),
            (None, None) => util::new_guid(),
        };
        let new_secs = p.new_for_secs.or(if p.new {
            Some(settings.principal_new_secs)
        } else {
            None
        });
        let mut fcs = p.federated_credentials.clone();
        for fc in &mut fcs {
            if fc.audiences.is_empty() {
                fc.audiences.push("api://AzureADTokenExchange".into());
            }
        }
        Ok(Principal {
            kind: p.kind,
            tenant,
            object_id,
            client_id: p.client_id.clone(),
            display_name: p.display_name.clone(),
            user_principal_name: p.user_principal_name.clone(),
            secrets: p.secrets.clone(),
            federated_credentials: fcs,
            certificates: p.certificates.clone(),
            resource_id: p.resource_id.clone(),
            new_until_ms: new_secs
                .map(|s| now_ms.saturating_add((s.min(i64::MAX as u64 / 1000) as i64) * 1000)),
        })
    }
}

/// The object id given to an app/identity registered without one.
pub fn derived_object_id(tenant: &str, client_id: &str) -> String {
    util::guid_from(&format!(
        "oid:{}:{}",
        tenant.to_ascii_lowercase(),
        client_id.to_ascii_lowercase()
    ))
}

/// A service association link that outlives its holder for a while
/// (`Settings::service_association_link_release_ms`; kept and released by `foundry`).
#[derive(Debug, Clone)]
pub struct Lingering {
    pub subnet_key: String,
    pub holder: String,
    pub until_ms: i64,
}

/// Everything behind the state lock.
#[derive(Debug)]
pub struct State {
    pub settings: Settings,
    pub signing_key: Vec<u8>,
    pub directory: Directory,
    pub store: Store,
    pub ops: BTreeMap<String, Operation>,
    pub dfs: DfsState,
    /// Soft-deleted key vaults and Cognitive Services accounts.
    pub soft_deleted: SoftDeleted,
    pub throttle: Throttle,
    pub faults: Faults,
    /// Added to wall-clock time (`POST /_emulator/clock`).
    pub clock_offset_ms: i64,
    /// Service association links kept after their holder was deleted (`foundry`).
    pub lingering_links: Vec<Lingering>,
    /// Set by mutations; the persister writes and clears it.
    pub dirty: bool,
}

impl State {
    pub fn new(settings: Settings, faults: Faults) -> State {
        let mut key = vec![0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut key);
        State {
            settings,
            signing_key: key,
            directory: Directory::default(),
            store: Store::default(),
            ops: BTreeMap::new(),
            dfs: DfsState::default(),
            soft_deleted: Default::default(),
            throttle: Throttle::default(),
            faults,
            clock_offset_ms: 0,
            lingering_links: Vec::new(),
            dirty: false,
        }
    }

    /// Virtual "now" in epoch ms.
    pub fn now_ms(&self) -> i64 {
        util::system_now_ms() + self.clock_offset_ms
    }

    /// Stores a resource a resource provider makes itself beside a write (a shared private
    /// link's connection on its target, a VM's OS disk, the capability host of an account
    /// with agent injection), under `parent_id`, created now with a fresh etag; `body`
    /// gets its `id`, `type` and (unless it names itself) `name`.
    pub fn put_provider_made(
        &mut self,
        id: &str,
        parent_id: &str,
        full_type: &str,
        mut body: serde_json::Value,
    ) {
        if let Some(m) = body.as_object_mut() {
            m.insert("id".into(), id.into());
            m.entry("name")
                .or_insert_with(|| id.rsplit('/').next().unwrap_or_default().into());
            m.insert("type".into(), full_type.into());
        }
        let now = self.now_ms();
        self.store.put(crate::arm::store::Stored {
            id: id.to_string(),
            parent_key: crate::arm::id::key(parent_id),
            full_type: full_type.to_string(),
            body,
            etag: util::new_etag(),
            seq: 0,
            created_ms: now,
            changed_ms: now,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::{PrincipalSeed, SubscriptionSeed, TenantSeed};

    #[test]
    fn seed_directory_merges_and_derives_ids() {
        let mut d = Directory::default();
        let seed = Seed {
            tenants: vec![TenantSeed {
                id: "T".into(),
                domains: vec!["contoso.example".into()],
            }],
            subscriptions: vec![SubscriptionSeed {
                id: "S".into(),
                tenant: None,
                display_name: None,
            }],
            principals: vec![PrincipalSeed {
                client_id: Some("C".into()),
                secrets: vec!["a".into()],
                new: true,
                ..Default::default()
            }],
            ..Seed::default()
        };
        d.apply(&seed, 1000, &Settings::default()).unwrap();
        assert_eq!(d.tenant("CONTOSO.example").unwrap().id, "T");
        assert_eq!(d.subscription("s").unwrap().tenant, "T");
        let p = d.client("t", "c").unwrap();
        assert_eq!(p.object_id, derived_object_id("T", "C"));
        assert_eq!(p.new_until_ms, Some(1000 + 30_000));
        // Re-seeding the same client replaces it.
        let again = Seed {
            principals: vec![PrincipalSeed {
                client_id: Some("c".into()),
                secrets: vec!["b".into()],
                ..Default::default()
            }],
            ..Seed::default()
        };
        d.apply(&again, 0, &Settings::default()).unwrap();
        assert_eq!(d.principals.len(), 1);
        assert_eq!(d.principals[0].secrets, vec!["b".to_string()]);
        let bad = Seed {
            subscriptions: vec![SubscriptionSeed {
                id: "X".into(),
                tenant: Some("nope".into()),
                display_name: None,
            }],
            ..Seed::default()
        };
        assert!(d.apply(&bad, 0, &Settings::default()).is_err());
        let app_without_client = Seed {
            principals: vec![PrincipalSeed::default()],
            ..Seed::default()
        };
        assert!(d
            .apply(&app_without_client, 0, &Settings::default())
            .is_err());
    }
}
