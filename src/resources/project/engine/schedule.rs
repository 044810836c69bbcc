//! Scheduling: a run's jobs start as soon as their dependencies are done, the longest
//! chains of work first, with low-priority work held back while ARM's write budget has a
//! queue; after the first failure no new job starts.
//!
//! Must not: decide which jobs a run has (`waves`), or how one is carried out (`create`,
//! `acl`, `delete`).

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::Pin;

use aifactory_template::project::{api, DesiredProject};

use super::super::model::{self, Record, DIRECTORY_KEY};
use super::super::shared::Pending;
use super::base::{Engine, LOW_PRIORITY_WHEN_BUSY, RECHECK, WRITE_BACKLOG};
use super::job::{Effect, Job, JobFuture, JobResult, Kind};
use super::run::Run;

impl<'a> Engine<'a> {
    /// Run `jobs` as their dependencies finish; among the ready ones, those with the
    /// longest chain of (estimated) work behind them start first, so the slow
    /// long-running operations overlap the request throttle rather than follow it.
    pub(super) async fn run_jobs(&self, jobs: Vec<Job>, run: &mut Run) {
        let (jobs, tails) = by_priority(jobs, &run.desired);
        let ids: BTreeSet<String> = jobs.iter().map(|j| j.id.clone()).collect();
        let mut state: Vec<u8> = vec![0; jobs.len()]; // 0 waiting, 1 running, 2 done, 3 failed/skipped
        let mut finished: BTreeMap<String, bool> = BTreeMap::new(); // id -> ok
        let mut in_flight: Pending<'_, (usize, JobResult)> = Pending::default();
        let mut low_in_flight: Vec<usize> = Vec::new();
        let mut stop = false;
        loop {
            let mut deferred = false;
            if !stop {
                // Ready jobs, most critical first (`jobs` is in priority order).
                let mut ready = Vec::new();
                for (i, job) in jobs.iter().enumerate() {
                    if state[i] != 0 {
                        continue;
                    }
                    let deps: Vec<&String> = job.deps.iter().filter(|d| ids.contains(*d)).collect();
                    if deps.iter().any(|d| finished.get(*d) == Some(&false)) {
                        state[i] = 3;
                        finished.insert(job.id.clone(), false);
                    } else if deps.iter().all(|d| finished.get(*d) == Some(&true)) {
                        ready.push(i);
                    }
                }
                // While ARM's write budget has a queue, this project adds its most critical
                // work to it and only a trickle of the rest: slow chains start early and the
                // throttle stays busy with everything else meanwhile.
                let busy = self.write_backlog() > WRITE_BACKLOG;
                // The most critical work not started yet, ready or not: while its chain is
                // pending, minor work only trickles into a busy budget.
                let top = (0..jobs.len())
                    .filter(|i| state[*i] == 0)
                    .map(|i| tails[i])
                    .max()
                    .unwrap_or(0);
                low_in_flight.retain(|i| state[*i] == 1);
                for i in ready {
                    if in_flight.len() >= self.jobs_in_flight.max(1) {
                        break;
                    }
                    let critical = tails[i] * 2 >= top;
                    if busy
                        && !critical
                        && low_in_flight.len() >= LOW_PRIORITY_WHEN_BUSY
                        && !in_flight.is_empty()
                    {
                        deferred = true;
                        continue;
                    }
                    if !critical {
                        low_in_flight.push(i);
                    }
                    state[i] = 1;
                    in_flight.push(self.launch(i, &jobs[i], run));
                }
            }
            let next = if deferred {
                match tokio::time::timeout(RECHECK, in_flight.next()).await {
                    Ok(n) => n,
                    Err(_) => continue,
                }
            } else {
                in_flight.next().await
            };
            let Some((i, result)) = next else {
                break;
            };
            state[i] = 2;
            match result {
                Ok(effect) => {
                    run.absorb(effect);
                    finished.insert(jobs[i].id.clone(), true);
                }
                Err(e) => {
                    run.absorb(e.partial.clone());
                    finished.insert(jobs[i].id.clone(), false);
                    run.errors.push(e);
                    stop = true;
                }
            }
            if self.ctx.check("applying the project").is_err() {
                stop = true;
            }
        }
    }

    pub(super) fn launch<'b>(&'b self, i: usize, job: &Job, run: &mut Run) -> JobFuture<'b> {
        let fut: Pin<Box<dyn Future<Output = JobResult> + Send + 'b>> = match &job.kind {
            Kind::PutArm(key) => match run
                .desired
                .resources
                .iter()
                .find(|r| &r.key == key)
                .cloned()
            {
                Some(r) => {
                    let creating = !run.records.contains_key(key);
                    let location = run.desired.location.clone();
                    let rg = run.desired.resource_group_name.clone();
                    Box::pin(self.put_arm(r, creating, location, rg, self.identity_wait))
                }
                None => Box::pin(async move { Ok(Effect::default()) }),
            },
            Kind::PutRole(key) => match run
                .desired
                .role_assignments
                .iter()
                .find(|r| &r.key == key)
                .cloned()
            {
                Some(ra) => {
                    if let (Some(old), Some(new_id)) = (run.records.get(key), ra.id.as_ref()) {
                        if old
                            .id
                            .as_ref()
                            .is_some_and(|o| !o.eq_ignore_ascii_case(new_id))
                        {
                            run.replaced.push((key.clone(), old.clone()));
                        }
                    }
                    Box::pin(self.put_role(ra))
                }
                None => Box::pin(async move { Ok(Effect::default()) }),
            },
            Kind::Directory => {
                let lake = run.desired.datalake.clone();
                let path = run.desired.datalake_path.clone();
                Box::pin(async move {
                    match (lake, path) {
                        (Some(lake), Some(path)) => self.create_directory(lake, path).await,
                        _ => Ok(Effect::default()),
                    }
                })
            }
            Kind::AclSet { path, keys } => {
                let entries: Vec<_> = run
                    .desired
                    .acl
                    .iter()
                    .filter(|e| keys.contains(&e.key))
                    .cloned()
                    .collect();
                if let Some(lake) = &run.desired.datalake {
                    for e in &entries {
                        let new_id = model::ace_key(e)
                            .map(|k| format!("{}#{k}", model::path_url(lake, &e.path)));
                        if let (Some(old), Some(new_id)) = (run.records.get(&e.key), new_id) {
                            if old.id.as_ref().is_some_and(|o| o != &new_id) {
                                run.replaced.push((e.key.clone(), old.clone()));
                            }
                        }
                    }
                }
                let lake = run.desired.datalake.clone();
                let path = path.clone();
                Box::pin(async move {
                    match lake {
                        Some(lake) => self.set_acl(lake, path, entries).await,
                        None => Ok(Effect::default()),
                    }
                })
            }
            Kind::AclRemove { path, keys } => {
                let recs: Vec<(String, Record)> = keys
                    .iter()
                    .filter_map(|k| run.records.get(k).map(|r| (k.clone(), r.clone())))
                    .collect();
                let lake = run.desired.datalake.clone();
                let path = path.clone();
                Box::pin(async move {
                    match lake {
                        Some(lake) => self.remove_acl(lake, path, recs).await,
                        None => Ok(Effect {
                            removed: recs.into_iter().map(|(k, _)| k).collect(),
                            ..Effect::default()
                        }),
                    }
                })
            }
            Kind::DeleteArm(key) => {
                let rec = run.records.get(key).cloned();
                let key = key.clone();
                let location = run.desired.location.clone();
                let rg_id = run.desired.resource_group_id.clone();
                Box::pin(async move {
                    match rec {
                        Some(rec) => self.delete_arm(key, rec, location, rg_id).await,
                        None => Ok(Effect::default()),
                    }
                })
            }
            Kind::DeleteRole(key) => {
                let rec = run.records.get(key).cloned();
                let actual = run.adopted.get(key).cloned();
                let key = key.clone();
                Box::pin(async move {
                    match rec {
                        Some(rec) => self.delete_role(key, rec, actual).await,
                        None => Ok(Effect::default()),
                    }
                })
            }
            Kind::DeleteDirectory => {
                let lake = run.desired.datalake.clone();
                let rec = run.records.get(DIRECTORY_KEY).cloned();
                Box::pin(async move {
                    match (lake, rec) {
                        (Some(lake), Some(rec)) => self.delete_directory(lake, rec).await,
                        _ => Ok(Effect::default()),
                    }
                })
            }
        };
        Box::pin(async move { (i, fut.await) })
    }
}

/// Estimated duration of a write (relative units): long-running operations by type.
fn weight(job: &Job, d: &DesiredProject) -> u64 {
    let ty = match &job.kind {
        Kind::PutArm(k) => d
            .resources
            .iter()
            .find(|r| &r.key == k)
            .map(|r| r.resource_type.as_str()),
        _ => None,
    };
    match ty {
        Some(t) if t.eq_ignore_ascii_case(api::ML_WORKSPACE.resource_type) => 100,
        Some(t) if t.eq_ignore_ascii_case(api::DATABRICKS.resource_type) => 100,
        Some(t) if t.eq_ignore_ascii_case(api::SEARCH.resource_type) => 60,
        Some(t) if t.starts_with("Microsoft.Network/") => 20,
        Some(t) if t.eq_ignore_ascii_case(api::RESOURCE_GROUP.resource_type) => 1,
        Some(_) => 30,
        None => 1,
    }
}

/// `jobs` ordered by the length of the work that waits on each (longest first), stable,
/// with that length per position.
fn by_priority(jobs: Vec<Job>, d: &DesiredProject) -> (Vec<Job>, Vec<u64>) {
    let mut tail: BTreeMap<String, u64> = BTreeMap::new();
    // Dependents first: repeat until stable (the graph is small and acyclic).
    for _ in 0..jobs.len().max(1) {
        let mut changed = false;
        for j in &jobs {
            let after = jobs
                .iter()
                .filter(|o| o.deps.contains(&j.id))
                .filter_map(|o| tail.get(&o.id))
                .max()
                .copied()
                .unwrap_or(0);
            let t = weight(j, d) + after;
            if tail.get(&j.id) != Some(&t) {
                tail.insert(j.id.clone(), t);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let mut indexed: Vec<(usize, Job)> = jobs.into_iter().enumerate().collect();
    indexed.sort_by_key(|(i, j)| (std::cmp::Reverse(tail.get(&j.id).copied().unwrap_or(0)), *i));
    let tails = indexed
        .iter()
        .map(|(_, j)| tail.get(&j.id).copied().unwrap_or(0))
        .collect();
    (indexed.into_iter().map(|(_, j)| j).collect(), tails)
}
