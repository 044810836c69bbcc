//! `DELETE` on a provider resource: `If-Match`, the vNet lock, subnets in use, then, as
//! `arm::ops` reads the type's spec, either a long-running delete (202, the subtree goes when
//! the operation completes) or an immediate one (200); 204 when absent. Soft-deletable
//! resources are kept by `softdelete`.
//!
//! Owns the order of a DELETE; must not hold resource-provider rules.

use super::body::set_ps;
use super::checks::preconditions;
use super::complete::forget_removed;
use super::ctx::{is_lro, operation_location, Ctx};
use super::id::{ArmPath, Level, LevelKind};
use super::lro::{OpKind, OpTarget};
use super::ops;
use super::reply::accepted;
use crate::http::Resp;
use crate::network;
use crate::softdelete::lifecycle as softdelete;
use crate::state::State;
use http::StatusCode;

/// DELETE on a resource (parents already checked): 204 when absent.
pub fn delete_resource(st: &mut State, ctx: &Ctx, path: &ArmPath, target: &Level) -> Resp {
    let generic_lro = is_lro(st, &target.full_type);
    let Some(existing) = st.store.get(&target.id).cloned() else {
        let answer = ops::delete_answer(&target.full_type, false, generic_lro);
        return Resp::empty(StatusCode::from_u16(answer.status).unwrap_or(StatusCode::NO_CONTENT));
    };
    if let Err(r) = preconditions(ctx, Some(&existing)) {
        return r;
    }
    let lock = network::lock_key(
        st,
        path,
        &existing.body.as_object().cloned().unwrap_or_default(),
    );
    if let Some(r) = lock.as_ref().and_then(|k| network::conflict(st, ctx, k)) {
        return r;
    }
    if let Err(r) = network::check_delete(st, &existing) {
        return r;
    }
    if let Err(r) = crate::foundry::check_delete(st, &target.full_type, &existing.id) {
        return r;
    }
    if let Err(r) = crate::security::check_delete(&target.full_type, &existing.id) {
        return r;
    }
    if let Err(r) = crate::bastion::check_delete(st, &target.full_type, &existing.id) {
        return r;
    }
    if let Err(r) = crate::compute::check_delete(st, &target.full_type, &existing.id) {
        return r;
    }
    let now = st.now_ms();
    let answer = ops::delete_answer(&target.full_type, true, generic_lro);
    if answer.long_running {
        let LevelKind::Resource { namespace, .. } = target.kind.clone() else {
            return Resp::empty(StatusCode::NO_CONTENT);
        };
        let op_target = OpTarget {
            kind: OpKind::Delete,
            subscription: path.subscription().unwrap_or_default().to_string(),
            namespace,
            location: operation_location(st, path),
            target_id: existing.id.clone(),
            lock_key: lock,
        };
        if let Some(r) = st.store.get_mut(&existing.id) {
            set_ps(&mut r.body, "Deleting");
        }
        let op = ctx.start_operation(st, now, op_target);
        network::touch_parent_vnet(st, &existing);
        return accepted(st, ctx, &op, now, answer.async_operation);
    }
    let removed = st.store.remove_tree(&existing.id);
    forget_removed(st, &removed);
    softdelete::retain(st, &removed);
    network::touch_parent_vnet(st, &existing);
    Resp::empty(StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK))
}
