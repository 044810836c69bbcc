//! Completion of long-running operations: when the (virtual) clock passes an operation's
//! end, its effect is applied to the store — a PUT's resources turn `Succeeded` (or the
//! target `Failed`), a DELETE removes the subtree (keeping soft-deletable resources in
//! `softdelete`), a purge forgets the soft-deleted item — and expired soft-deleted items
//! and old finished operations are dropped. Also the side effects of removing resources.
//!
//! Owns applying operation effects; must not start operations or answer requests. Called
//! at the start of every ARM and DFS request and by the admin API.

use super::body::{provisioning_state, set_ps};
use super::id::key;
use super::lro::{OpKind, Operation};
use super::store::Stored;
use crate::softdelete::lifecycle as softdelete;
use crate::state::State;

/// Finished operations stay pollable this long.
const KEEP_FINISHED_MS: i64 = 3_600_000;

/// Applies the effects of operations whose time has come.
pub fn complete_due(st: &mut State) {
    let now = st.now_ms();
    let due: Vec<String> = st
        .ops
        .values()
        .filter(|o| !o.completed && o.done_ms <= now)
        .map(|o| o.id.clone())
        .collect();
    for id in due {
        let Some(op) = st.ops.get_mut(&id) else {
            continue;
        };
        op.completed = true;
        let op = op.clone();
        st.dirty = true;
        let failed = op.failure.is_some();
        match op.kind {
            OpKind::Put => complete_put(st, &op.target_id, failed),
            OpKind::Delete | OpKind::DeleteResourceGroup => complete_delete(st, &op, failed),
            OpKind::Purge => softdelete::complete_purge(st, &op.target_id, failed),
        }
    }
    softdelete::expire(st);
    st.ops
        .retain(|_, o| !o.completed || now - o.done_ms < KEEP_FINISHED_MS);
}

/// A PUT finished: the target and its transient children settle.
fn complete_put(st: &mut State, target_id: &str, failed: bool) {
    let tk = key(target_id);
    let prefix = format!("{tk}/");
    let ids: Vec<String> = st
        .store
        .filter(|r| {
            let k = key(&r.id);
            k == tk || k.starts_with(&prefix)
        })
        .into_iter()
        .map(|r| r.id.clone())
        .collect();
    for rid in ids {
        let is_target = key(&rid) == tk;
        if let Some(r) = st.store.get_mut(&rid) {
            let ps = provisioning_state(&r.body).unwrap_or("");
            if is_target && failed {
                set_ps(&mut r.body, "Failed");
            } else if ["Creating", "Updating", "Accepted"].contains(&ps) {
                set_ps(&mut r.body, "Succeeded");
            }
        }
    }
}

/// A DELETE finished: the subtree goes (a failed resource delete leaves it `Failed`, a
/// failed resource-group delete leaves the group `Succeeded`).
fn complete_delete(st: &mut State, op: &Operation, failed: bool) {
    if failed {
        if let Some(r) = st.store.get_mut(&op.target_id) {
            let back = if op.kind == OpKind::Delete {
                "Failed"
            } else {
                "Succeeded"
            };
            set_ps(&mut r.body, back);
        }
    } else {
        let removed = st.store.remove_tree(&op.target_id);
        forget_removed(st, &removed);
        softdelete::retain(st, &removed);
    }
}

/// Side effects of removing resources (DFS data of deleted storage accounts).
pub fn forget_removed(st: &mut State, removed: &[Stored]) {
    crate::foundry::release_links(st, removed);
    crate::search::release(st, removed);
    crate::peering::release(st, removed);
    crate::compute::release(st, removed);
    for r in removed {
        if r.full_type
            .eq_ignore_ascii_case("Microsoft.Storage/storageAccounts")
        {
            let name = r.id.rsplit('/').next().unwrap_or_default();
            st.dfs.drop_account(name);
        }
    }
}
