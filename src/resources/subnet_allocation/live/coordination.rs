//! Process-wide coordination of the live mode: one subnet write at a time per vNet in
//! this process, and the ranges planned in this Terraform run (so sibling allocations on
//! one vNet never plan the same range).
//!
//! Must not: hold anything beyond the process (across processes Azure arbitrates).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use aifactory_allocator::Allocation;
use aifactory_azure::{AzureError, Ctx};

/// The write lock of one vNet in this process: one subnet write (re-read, PUT, wait) at a time.
fn vnet_lock(vnet_id: &str) -> Arc<tokio::sync::Mutex<()>> {
    static LOCKS: OnceLock<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>> = OnceLock::new();
    let mut map = LOCKS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    map.entry(vnet_id.to_ascii_lowercase()).or_default().clone()
}

/// Ranges planned in this provider process (one Terraform run), by vNet and key.
type Reservations = HashMap<String, BTreeMap<String, Vec<String>>>;

fn reservations() -> std::sync::MutexGuard<'static, Reservations> {
    static R: OnceLock<Mutex<Reservations>> = OnceLock::new();
    R.get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

/// (key, cidr) of every range other allocations planned on `vnet_id` in this run.
pub(super) fn reserved_by_others(vnet_id: &str, key: &str) -> Vec<(String, String)> {
    reservations()
        .get(&vnet_id.to_ascii_lowercase())
        .map(|by_key| {
            by_key
                .iter()
                .filter(|(k, _)| k.as_str() != key)
                .flat_map(|(k, cidrs)| cidrs.iter().map(move |c| (k.clone(), c.clone())))
                .collect()
        })
        .unwrap_or_default()
}

pub(super) fn reserve(vnet_id: &str, key: &str, a: &Allocation) {
    let cidrs = a
        .ipv4
        .values()
        .map(|c| c.to_string())
        .chain(a.ipv6.values().map(|c| c.to_string()))
        .collect();
    reservations()
        .entry(vnet_id.to_ascii_lowercase())
        .or_default()
        .insert(key.to_string(), cidrs);
}

pub(super) async fn lock_vnet(
    ctx: &Ctx,
    vnet_id: &str,
) -> Result<tokio::sync::OwnedMutexGuard<()>, AzureError> {
    ctx.run(
        "waiting for another subnet write on the same virtual network",
        vnet_lock(vnet_id).lock_owned(),
    )
    .await
}
