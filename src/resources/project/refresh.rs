//! Reading a project back from Azure for `read`: drift detection (what was deleted or
//! changed behind Terraform's back). Import's discovery is `discover`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

use aifactory_azure::{AzureClient, AzureError, Ctx};
use aifactory_template::project::services::search;
use aifactory_template::project::{api, DesiredProject};

use super::model::{self, Record, Records};
use super::shared;

/// GETs in flight at once while refreshing.
const READS_IN_FLIGHT: usize = 16;

/// What a refresh found.
#[derive(Debug, Clone, Default)]
pub struct Refreshed {
    /// The resource group is gone: the whole project is.
    pub gone: bool,
    /// What still exists.
    pub records: Records,
    /// Key -> what differs from the configuration.
    pub drift: BTreeMap<String, String>,
    /// The managed identity's principal ID as Azure has it.
    pub principal: Option<String>,
}

/// Property paths a body sets but Azure never returns.
const WRITE_ONLY: [&str; 2] = ["createMode", "restore"];

fn looks_like_id(s: &str) -> bool {
    s.starts_with("/subscriptions/") || s.starts_with("/providers/")
}

fn norm_loc(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase()
}

fn short(v: &Json) -> String {
    let s = v.to_string();
    if s.len() > 80 {
        format!("{}...", &s[..77])
    } else {
        s
    }
}

/// Differences between what a body sets and what Azure returned, as `path: actual
/// (configured desired)` lines. Properties Azure adds are ignored; IDs and locations
/// compare the way ARM does (case-insensitively, locations without spaces).
pub fn body_diff(desired: &Json, actual: &Json) -> Vec<String> {
    let mut out = Vec::new();
    diff_at("", desired, actual, &mut out);
    out
}

fn diff_at(path: &str, desired: &Json, actual: &Json, out: &mut Vec<String>) {
    match (desired, actual) {
        (Json::Object(d), Json::Object(a)) => {
            for (k, dv) in d {
                if WRITE_ONLY.contains(&k.as_str()) {
                    continue;
                }
                let sub = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                let av = a.get(k).or_else(|| {
                    a.iter()
                        .find(|(ak, _)| ak.eq_ignore_ascii_case(k))
                        .map(|(_, v)| v)
                });
                match av {
                    Some(av) => diff_at(&sub, dv, av, out),
                    None => {
                        let empty = match dv {
                            Json::Null => true,
                            Json::Array(x) => x.is_empty(),
                            Json::Object(x) => x.is_empty(),
                            _ => false,
                        };
                        if !empty {
                            out.push(format!("{sub} is not set (configured {})", short(dv)));
                        }
                    }
                }
            }
        }
        (Json::Array(d), Json::Array(a)) if d.len() == a.len() => {
            for (i, (dv, av)) in d.iter().zip(a).enumerate() {
                diff_at(&format!("{path}[{i}]"), dv, av, out);
            }
        }
        (Json::String(d), Json::String(a)) => {
            let same = d == a
                || ((looks_like_id(d) || path.ends_with("location") || path.ends_with("tenantId"))
                    && norm_loc(d) == norm_loc(a))
                || (path.ends_with("location") && norm_loc(d) == norm_loc(a));
            if !same {
                out.push(format!(
                    "{path} is {} (configured {})",
                    short(actual),
                    short(desired)
                ));
            }
        }
        (Json::Number(d), Json::Number(a)) if d.as_f64() == a.as_f64() => {}
        (d, a) if d == a => {}
        (Json::Null, _) => {}
        (d, a) => out.push(format!("{path} is {} (configured {})", short(a), short(d))),
    }
}

/// The role assignments that exist in and below the group and at the other scopes the
/// records use, by lowercase ID.
async fn role_ids(
    client: &AzureClient,
    ctx: &Ctx,
    rg_id: &str,
    records: &Records,
) -> Result<BTreeSet<String>, AzureError> {
    let mut scopes: BTreeSet<String> = BTreeSet::new();
    scopes.insert(rg_id.to_string());
    for r in records.values().filter(|r| r.is_role()) {
        // (Cosmos DB's data-plane assignments have no such scope and are read one by one.)
        if let Some((scope, _)) =
            r.id.as_deref()
                .and_then(|id| id.split_once("/providers/Microsoft.Authorization/"))
        {
            if !shared::inside(rg_id, scope) && !scope.eq_ignore_ascii_case(rg_id) {
                scopes.insert(scope.to_string());
            }
        }
    }
    let mut out = BTreeSet::new();
    for scope in scopes {
        let items = client
            .arm()
            .list(
                ctx,
                &format!("{scope}/providers/Microsoft.Authorization/roleAssignments"),
                api::ROLE_ASSIGNMENT.api_version,
            )
            .await?;
        out.extend(
            items
                .iter()
                .filter_map(|i| i.get("id").and_then(Json::as_str))
                .map(|s| s.to_ascii_lowercase()),
        );
    }
    Ok(out)
}

/// Compare what the records say exists with Azure.
pub async fn refresh(
    client: &AzureClient,
    ctx: &Ctx,
    desired: &DesiredProject,
    records: &Records,
    adopted: &BTreeMap<String, String>,
) -> Result<Refreshed, AzureError> {
    let mut out = Refreshed {
        records: records.clone(),
        ..Refreshed::default()
    };
    let rg = client
        .arm()
        .get_opt(
            ctx,
            &desired.resource_group_id,
            api::RESOURCE_GROUP.api_version,
        )
        .await?;
    let Some(rg) = rg else {
        out.gone = true;
        out.records.clear();
        return Ok(out);
    };
    let bodies: BTreeMap<&str, &Json> = desired
        .resources
        .iter()
        .map(|r| (r.key.as_str(), &r.body))
        .collect();
    let links: BTreeSet<&str> = desired
        .resources
        .iter()
        .filter(|r| search::link_approval(r).is_some())
        .map(|r| r.key.as_str())
        .collect();
    if let Some(body) = bodies.get("resource_group") {
        let d = body_diff(body, &rg);
        if !d.is_empty() {
            out.drift.insert("resource_group".into(), d.join("; "));
        }
    }

    // ARM resources.
    let arm: Vec<(String, Record)> = records
        .iter()
        .filter(|(k, r)| r.is_arm_resource() && k.as_str() != "resource_group")
        .map(|(k, r)| (k.clone(), r.clone()))
        .collect();
    type Read<'x> = std::pin::Pin<
        Box<
            dyn std::future::Future<Output = (String, Result<Option<Json>, AzureError>)>
                + Send
                + 'x,
        >,
    >;
    let reads: Vec<Read<'_>> = arm
        .into_iter()
        .map(|(k, r)| -> Read<'_> {
            Box::pin(async move {
                let id = r.id.clone().unwrap_or_default();
                (k, client.arm().get_opt(ctx, &id, &r.api_version).await)
            })
        })
        .collect();
    let results = shared::bounded(reads, READS_IN_FLIGHT).await;
    for (key, result) in results {
        match result? {
            None => {
                out.records.remove(&key);
            }
            Some(actual) => {
                if key == "identity" {
                    out.principal = actual
                        .pointer("/properties/principalId")
                        .and_then(Json::as_str)
                        .map(str::to_string);
                }
                if let Some(body) = bodies.get(key.as_str()) {
                    let mut d = body_diff(body, &actual);
                    // A shared private link is drift until approved on its target.
                    if links.contains(key.as_str()) {
                        d.extend(search::link_status_drift(&actual));
                    }
                    if !d.is_empty() {
                        out.drift.insert(key.clone(), d.join("; "));
                    }
                }
            }
        }
    }

    // Cosmos DB data-plane assignments: one read each (they are not in ARM's lists).
    let is_sql = |r: &Record| {
        r.ty.eq_ignore_ascii_case(aifactory_template::project::SQL_ROLE_ASSIGNMENT_TYPE)
    };
    for (key, r) in records.iter().filter(|(_, r)| is_sql(r)) {
        let Some(id) = r.id.as_deref() else { continue };
        if client
            .arm()
            .get_opt(ctx, id, &r.api_version)
            .await?
            .is_none()
        {
            out.records.remove(key);
        }
    }
    // Role assignments: one list per scope.
    if records.values().any(|r| r.is_role() && !is_sql(r)) {
        let existing = role_ids(client, ctx, &desired.resource_group_id, records).await?;
        for (key, r) in records.iter().filter(|(_, r)| r.is_role() && !is_sql(r)) {
            let id = adopted
                .get(key)
                .or(r.id.as_ref())
                .map(|s| s.to_ascii_lowercase())
                .unwrap_or_default();
            if !existing.contains(&id) {
                out.records.remove(key);
            }
        }
    }

    refresh_datalake(client, ctx, desired, records, &mut out).await?;
    Ok(out)
}

/// The data lake part of [`refresh`]: one getAccessControl per path.
async fn refresh_datalake(
    client: &AzureClient,
    ctx: &Ctx,
    desired: &DesiredProject,
    records: &Records,
    out: &mut Refreshed,
) -> Result<(), AzureError> {
    if let Some(lake) = &desired.datalake {
        let mut paths: BTreeMap<String, Vec<(String, Record)>> = BTreeMap::new();
        for (key, r) in records
            .iter()
            .filter(|(_, r)| r.is_acl() || r.is_directory())
        {
            if let Some(p) = r.id.as_deref().and_then(|id| model::path_of_id(lake, id)) {
                paths.entry(p).or_default().push((key.clone(), r.clone()));
            }
        }
        let dfs = client.dfs(&lake.account_name)?;
        for (path, recs) in paths {
            match dfs.get_access_control(ctx, &lake.filesystem, &path).await {
                Err(e) if e.is_not_found() => {
                    for (k, _) in recs {
                        out.records.remove(&k);
                    }
                }
                Err(e) => return Err(e),
                Ok(ac) => {
                    let traverse = shared::others_traverse(&ac.acl);
                    let is_project_dir = lake.recursive.iter().any(|d| model::dfs_path(d) == path);
                    for (k, r) in recs.into_iter().filter(|(_, r)| r.is_acl()) {
                        let Some(key) = r.id.as_deref().and_then(model::acl_key_of_id) else {
                            continue;
                        };
                        let want = r
                            .name
                            .as_deref()
                            .and_then(|n| n.rsplit(':').next())
                            .unwrap_or_default()
                            .to_string();
                        match ac.acl.get(&key) {
                            // Parents where everyone may traverse need no named entries.
                            None if traverse
                                && !is_project_dir
                                && want == "--x"
                                && !key.default => {}
                            None => {
                                out.records.remove(&k);
                            }
                            Some(e) if e.perms.to_string() != want => {
                                out.drift.insert(
                                    k,
                                    format!("permissions are {} (configured {want})", e.perms),
                                );
                            }
                            Some(_) => {}
                        }
                    }
                }
            }
        }
    }
    Ok(())
}
