//! `PUT` on a provider resource (also seeding, with `ctx.seed`), in named steps: check the
//! target, parents, conditions, vNet lock and location; let `softdelete` refuse or recover and
//! `network` validate and plan child changes; build the stored body (identity IDs, storage
//! endpoints, ETag, provisioning state); store it and apply the plan; start the operation when
//! the type's spec says long-running; answer what `arm::ops` picks among the spec's codes
//! (201/200 with the body, or 202 with `Location` only).
//!
//! Owns the order of a PUT; must not hold resource-provider rules (they stay in `network`,
//! `softdelete`, `identity`, `dfs`).

use super::body::{norm_location, set_ps};
use super::checks::{check_parents, preconditions};
use super::ctx::{is_lro, operation_location, Ctx};
use super::id::{key, ArmPath, Level, LevelKind};
use super::lro::{OpKind, OpTarget};
use super::ops;
use super::render::render;
use super::reply::{invalid_uri, lro_headers};
use super::store::Stored;
use crate::config::CasingPolicy;
use crate::dfs::filesystem::seed_filesystem;
use crate::http::{arm_error, Resp};
use crate::network::{self, NetPlan};
use crate::seed::FilesystemSeed;
use crate::softdelete::lifecycle as softdelete;
use crate::state::State;
use crate::{identity, util};
use http::StatusCode;
use serde_json::{json, Map, Value};

const STORAGE_ACCOUNT: &str = "Microsoft.Storage/storageAccounts";
const BLOB_CONTAINER: &str = "Microsoft.Storage/storageAccounts/blobServices/containers";

/// What the checks established about the PUT.
struct Checked {
    target: Level,
    namespace: String,
    existing: Option<Stored>,
    /// The ID to store under (the first PUT's casing, or this one's).
    stored_id: String,
    /// Key of the vNet this write locks.
    lock: Option<String>,
}

/// The body about to be stored and what goes with it.
struct Prepared {
    /// Key of the soft-deleted item this PUT recovers (removed once stored).
    recovered: Option<String>,
    plan: NetPlan,
}

/// PUT on a provider resource: the answer `ops::put_answer` picks (always 200 when seeding).
pub fn put_resource(
    st: &mut State,
    ctx: &Ctx,
    path: &ArmPath,
    mut body: Map<String, Value>,
) -> Resp {
    let now = st.now_ms();
    let checked = match check(st, ctx, path, &body) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let prepared = match prepare(st, ctx, path, &checked, &mut body) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let stored_id = checked.stored_id.clone();
    let created = checked.existing.is_none();
    let answer = if ctx.seed {
        ops::Answer {
            status: 200,
            long_running: false,
            body: true,
            async_operation: false,
        }
    } else {
        let full_type = &checked.target.full_type;
        ops::put_answer(full_type, created, is_lro(st, full_type))
    };
    // Microsoft.Network reports `Updating` even on create.
    let transient = if checked.namespace.eq_ignore_ascii_case("Microsoft.Network") || !created {
        "Updating"
    } else {
        "Creating"
    };
    let ps = if answer.long_running {
        transient
    } else {
        "Succeeded"
    };
    let etag = store(st, ctx, path, &checked, body, ps, now);
    if let Some(k) = prepared.recovered {
        st.soft_deleted.remove(&k);
    }
    network::apply_plan(st, ctx, &stored_id, prepared.plan, ps, now);
    crate::search::after_put(st, &checked.target.full_type, &stored_id);
    crate::peering::after_put(st, &checked.target.full_type, &stored_id);
    crate::compute::after_put(st, &checked.target.full_type, &stored_id);
    crate::foundry::after_put(st, &checked.target.full_type, &stored_id);
    if let Err(r) = seed_container(st, &checked.target, &stored_id) {
        return r;
    }
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    let resp = if answer.body {
        let rendered = st
            .store
            .get(&stored_id)
            .map(|r| render(st, r))
            .unwrap_or(Value::Null);
        Resp::json(status, &rendered).header("etag", etag)
    } else {
        Resp::empty(status)
    };
    if !answer.long_running {
        return resp;
    }
    let target = OpTarget {
        kind: OpKind::Put,
        subscription: path.subscription().unwrap_or_default().to_string(),
        namespace: checked.namespace,
        location: operation_location(st, path),
        target_id: stored_id,
        lock_key: checked.lock,
    };
    let op = ctx.start_operation(st, now, target);
    let retry = st.settings.lro_retry_after_secs;
    lro_headers(resp, &op, ctx, now, retry, answer.async_operation)
}

/// Target, parents, `If-Match`/`If-None-Match`, the vNet lock and the location rules.
fn check(
    st: &State,
    ctx: &Ctx,
    path: &ArmPath,
    body: &Map<String, Value>,
) -> Result<Checked, Resp> {
    let Some(target) = path.target().cloned() else {
        return Err(invalid_uri("The request URI does not name a resource."));
    };
    check_parents(st, path, path.levels.len() - 1, true)?;
    let existing = st.store.get(&target.id).cloned();
    preconditions(ctx, existing.as_ref())?;
    let LevelKind::Resource {
        namespace,
        top_level,
        ..
    } = target.kind.clone()
    else {
        return Err(invalid_uri("Unexpected resource path."));
    };
    let lock = network::lock_key(st, path, body);
    if !ctx.seed {
        if let Some(r) = lock.as_ref().and_then(|k| network::conflict(st, ctx, k)) {
            return Err(r);
        }
    }
    if !ctx.seed {
        crate::foundry::check_put(st, &target.full_type, &target.id, body)?;
        crate::monitor::check_put(st, &target.full_type, &target.id, body)?;
        crate::search::check_put(st, &target.full_type, &target.id, body)?;
        crate::dns::check_put(st, &target.full_type, &target.id, body)?;
        crate::registry::check_put(st, &target.full_type, &target.id, body)?;
        crate::peering::check_put(st, &target.full_type, &target.id, body)?;
        crate::security::check_put(path, &target.full_type, body)?;
        crate::bastion::check_put(st, &target.full_type, &target.id, body)?;
        crate::compute::check_put(st, &target.full_type, &target.id, body)?;
    }
    if top_level && path.resource_group().is_some() {
        check_location(path, &target, body, existing.as_ref())?;
    }
    let stored_id = match (&existing, st.settings.casing) {
        (Some(e), CasingPolicy::FirstPut) => e.id.clone(),
        _ => target.id.clone(),
    };
    Ok(Checked {
        target,
        namespace,
        existing,
        stored_id,
        lock,
    })
}

/// A tracked resource needs a location, and keeps the one it was created in.
fn check_location(
    path: &ArmPath,
    target: &Level,
    body: &Map<String, Value>,
    existing: Option<&Stored>,
) -> Result<(), Resp> {
    let Some(loc) = body.get("location").and_then(Value::as_str) else {
        return Err(arm_error(
            StatusCode::BAD_REQUEST,
            "LocationRequired",
            "The location property is required for this definition.",
        ));
    };
    let Some(old) = existing.and_then(|e| e.body.get("location").and_then(Value::as_str)) else {
        return Ok(());
    };
    if norm_location(old) == norm_location(loc) {
        return Ok(());
    }
    Err(arm_error(
        StatusCode::BAD_REQUEST,
        "InvalidResourceLocation",
        format!(
            "The resource '{}' already exists in location '{old}' in resource group '{}'. A resource with the same name cannot be created in location '{loc}'. Please select a new resource name.",
            target.name,
            path.resource_group().map(|l| l.name.as_str()).unwrap_or_default()
        ),
    ))
}

/// Soft-delete recovery, read-only fields dropped, and the network rules (which may rewrite
/// the body and plan child changes).
fn prepare(
    st: &State,
    ctx: &Ctx,
    path: &ArmPath,
    checked: &Checked,
    body: &mut Map<String, Value>,
) -> Result<Prepared, Resp> {
    let target = &checked.target;
    let recovered = softdelete::prepare_put(
        st,
        &target.full_type,
        &target.id,
        checked.existing.is_some(),
        body,
    )?;
    body.remove("id");
    body.remove("name");
    body.remove("type");
    if let Some(Value::Object(p)) = body.get_mut("properties") {
        p.remove("provisioningState");
    }
    let plan = network::prepare_put(st, ctx, path, body, checked.existing.as_ref())?;
    Ok(Prepared { recovered, plan })
}

/// Builds the stored body (id/name/type, identity IDs, provisioning state `ps`, storage
/// endpoints, ETag) and stores it; returns the new ETag.
fn store(
    st: &mut State,
    ctx: &Ctx,
    path: &ArmPath,
    checked: &Checked,
    body: Map<String, Value>,
    ps: &str,
    now: i64,
) -> String {
    let target = &checked.target;
    let stored_id = checked.stored_id.as_str();
    let mut out = Value::Object(Map::new());
    out["id"] = json!(stored_id);
    out["name"] = json!(stored_id.rsplit('/').next().unwrap_or(&target.name));
    out["type"] = json!(target.full_type);
    for (k, v) in body {
        out[k.as_str()] = v;
    }
    identity::decorate(
        st,
        &target.full_type,
        stored_id,
        path.subscription().unwrap_or_default(),
        checked.existing.as_ref().map_or(now, |e| e.created_ms),
        &mut out,
    );
    set_ps(&mut out, ps);
    storage_endpoints(ctx, target, &mut out);
    let etag = util::new_etag();
    if checked.namespace.eq_ignore_ascii_case("Microsoft.Network") {
        out["etag"] = json!(etag);
    }
    let parent_key = path
        .levels
        .len()
        .checked_sub(2)
        .and_then(|i| path.levels.get(i))
        .map(|l| key(&l.id))
        .unwrap_or_default();
    st.store.put(Stored {
        id: stored_id.to_string(),
        parent_key,
        full_type: target.full_type.clone(),
        body: out,
        etag: etag.clone(),
        seq: 0,
        created_ms: now,
        changed_ms: now,
    });
    etag
}

/// A storage account's `primaryEndpoints` point at the emulator's DFS and blob paths.
fn storage_endpoints(ctx: &Ctx, target: &Level, out: &mut Value) {
    if !target.full_type.eq_ignore_ascii_case(STORAGE_ACCOUNT) {
        return;
    }
    let name = target.name.to_ascii_lowercase();
    let dfs = format!("{}/dfs/{name}/", ctx.base);
    let blob = format!("{}/blob/{name}/", ctx.base);
    out["properties"]["primaryEndpoints"] = json!({"dfs": dfs, "blob": blob});
    if out.pointer("/properties/isHnsEnabled").is_none() {
        out["properties"]["isHnsEnabled"] = json!(false);
    }
}

/// (account, container) of `.../storageAccounts/{account}/blobServices/default/containers/{name}`.
fn container_of(id: &str) -> Option<(String, String)> {
    let parts: Vec<&str> = id.split('/').collect();
    let i = parts
        .iter()
        .position(|p| p.eq_ignore_ascii_case("storageAccounts"))?;
    let account = parts.get(i + 1)?;
    let name = parts.last()?;
    Some((account.to_string(), name.to_string()))
}

/// A blob container of a storage account is, on the DFS endpoint, a filesystem.
fn seed_container(st: &mut State, target: &Level, stored_id: &str) -> Result<(), Resp> {
    if !target.full_type.eq_ignore_ascii_case(BLOB_CONTAINER) {
        return Ok(());
    }
    let Some((account, name)) = container_of(stored_id) else {
        return Ok(());
    };
    let seed = FilesystemSeed {
        account,
        name,
        directories: Vec::new(),
    };
    seed_filesystem(st, &seed)
        .map_err(|e| arm_error(StatusCode::BAD_REQUEST, "ContainerOperationFailure", &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containers_name_their_account() {
        assert_eq!(
            container_of("/subscriptions/s/resourceGroups/r/providers/Microsoft.Storage/storageAccounts/Acct/blobServices/default/containers/data"),
            Some(("Acct".to_string(), "data".to_string()))
        );
        assert_eq!(container_of("/subscriptions/s"), None);
    }
}
