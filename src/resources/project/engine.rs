//! The apply engine: turns (desired project, what exists) into the minimal Azure calls,
//! runs them in dependency order with independent work in parallel, and reports exactly
//! what exists afterwards — also when something fails or is cancelled part-way.
//!
//! A run is a set of jobs (one per ARM resource, role assignment, the data lake directory,
//! and one per data lake path for its ACL entries), each with the jobs it waits for. A job
//! starts as soon as its dependencies are done (a ready-queue over `FuturesUnordered`,
//! bounded), so a slow long-running operation never holds back unrelated work. The Azure
//! client's throttle and concurrency limit pace the requests underneath.
//!
//! After the first failure no new job starts; the jobs in flight finish and are recorded.
//! A failed or cancelled write is followed by a GET (on a fresh short context) so a
//! resource Azure created anyway is recorded rather than forgotten.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use aifactory_azure::Method;
use aifactory_azure::Url;
use serde_json::{json, Value as Json};
use std::task::Poll;

use aifactory_azure::{
    Acl, AclKey, AzureClient, AzureError, Created, Ctx, DirectoryOptions, RecursiveOptions, Request,
};
use aifactory_template::project::{
    api, DesiredDatalake, DesiredProject, DesiredResource, DesiredRoleAssignment, Node,
};

use super::model::{self, Record, Records, DIRECTORY_KEY};

/// Jobs in flight at once, at most (the client's own concurrency limit applies below).
pub const DEFAULT_JOBS_IN_FLIGHT: usize = 32;
/// How long a role assignment is retried while Entra has not replicated its principal.
pub const PRINCIPAL_RETRY: Duration = Duration::from_secs(120);
/// How long to wait for a new managed identity's principal ID to appear.
pub const IDENTITY_WAIT: Duration = Duration::from_secs(120);
/// Queued ARM writes above which a project holds back its low-priority work.
const WRITE_BACKLOG: f64 = 10.0;
/// Low-priority jobs a project keeps in flight while the write budget has a queue.
const LOW_PRIORITY_WHEN_BUSY: usize = 2;
/// How often held-back work is reconsidered.
const RECHECK: Duration = Duration::from_millis(200);
/// Time for the existence check after a failed or cancelled write.
const CHECK_TIMEOUT: Duration = Duration::from_secs(30);
/// Existence checks after a write whose outcome is unknown, and the pause between them.
const UNKNOWN_OUTCOME_LOOKS: u32 = 4;
const UNKNOWN_OUTCOME_PAUSE: Duration = Duration::from_millis(500);

/// What a finished job changed.
#[derive(Debug, Default, Clone)]
pub struct Effect {
    pub set: Vec<(String, Record)>,
    pub removed: Vec<String>,
    /// The managed identity's principal ID (identity job).
    pub principal: Option<String>,
    pub adopted: Vec<(String, String)>,
    pub warnings: Vec<String>,
}

/// A job that failed: what it was doing, why, and what it changed before failing.
#[derive(Debug, Clone)]
pub struct JobError {
    pub key: String,
    pub what: String,
    pub error: AzureError,
    pub partial: Effect,
}

type JobResult = Result<Effect, JobError>;

/// A set of futures polled together; `next` yields whichever finishes first. (A small
/// stand-in for `FuturesUnordered`: every wake polls the pending ones, fine for the few
/// dozen in flight here.)
pub struct Pending<'a, T> {
    futs: Vec<Pin<Box<dyn Future<Output = T> + Send + 'a>>>,
}

impl<'a, T> Default for Pending<'a, T> {
    fn default() -> Self {
        Pending { futs: Vec::new() }
    }
}

impl<'a, T> Pending<'a, T> {
    pub fn len(&self) -> usize {
        self.futs.len()
    }
    pub fn is_empty(&self) -> bool {
        self.futs.is_empty()
    }
    /// The next finished output; `None` when nothing is pending.
    pub async fn next(&mut self) -> Option<T> {
        if self.futs.is_empty() {
            return None;
        }
        std::future::poll_fn(|cx| {
            for i in 0..self.futs.len() {
                if let Poll::Ready(v) = self.futs[i].as_mut().poll(cx) {
                    drop(self.futs.swap_remove(i));
                    return Poll::Ready(Some(v));
                }
            }
            Poll::Pending
        })
        .await
    }
}

/// Run `futs` with at most `limit` at once; outputs in completion order.
pub async fn bounded<'a, T>(
    futs: Vec<Pin<Box<dyn Future<Output = T> + Send + 'a>>>,
    limit: usize,
) -> Vec<T> {
    let mut out = Vec::with_capacity(futs.len());
    let mut pending: Pending<'a, T> = Pending::default();
    let mut queue = futs.into_iter();
    loop {
        while pending.len() < limit.max(1) {
            match queue.next() {
                Some(f) => pending.futs.push(f),
                None => break,
            }
        }
        match pending.next().await {
            Some(v) => out.push(v),
            None => return out,
        }
    }
}
type JobFuture<'a> = Pin<Box<dyn Future<Output = (usize, JobResult)> + Send + 'a>>;

#[derive(Debug, Clone)]
enum Kind {
    PutArm(String),
    PutRole(String),
    Directory,
    /// Set these ACL entries (keys) on one path.
    AclSet {
        path: String,
        keys: Vec<String>,
    },
    /// Remove these ACL records (keys) from one path.
    AclRemove {
        path: String,
        keys: Vec<String>,
    },
    DeleteArm(String),
    DeleteRole(String),
    DeleteDirectory,
}

#[derive(Debug, Clone)]
struct Job {
    id: String,
    deps: BTreeSet<String>,
    kind: Kind,
}

/// The state of one run.
#[derive(Debug, Clone)]
pub struct Run {
    pub desired: DesiredProject,
    /// What exists (starts as the prior `resources`).
    pub records: Records,
    pub adopted: BTreeMap<String, String>,
    pub errors: Vec<JobError>,
    pub warnings: Vec<String>,
    /// Records replaced by a new object under the same key (a role assignment of a
    /// re-created identity): deleted at the end.
    replaced: Vec<(String, Record)>,
}

impl Run {
    pub fn new(
        desired: DesiredProject,
        records: Records,
        adopted: BTreeMap<String, String>,
    ) -> Run {
        Run {
            desired,
            records,
            adopted,
            errors: Vec::new(),
            warnings: Vec::new(),
            replaced: Vec::new(),
        }
    }

    fn absorb(&mut self, e: Effect) {
        for k in e.removed {
            self.records.remove(&k);
            self.adopted.remove(&k);
        }
        for (k, r) in e.set {
            self.records.insert(k, r);
        }
        for (k, id) in e.adopted {
            self.adopted.insert(k, id);
        }
        if let Some(p) = e.principal {
            if self.desired.resolve_identity(&p).is_err() {
                self.warnings.push(format!(
                    "The managed identity's principal ID {p:?} is not a GUID."
                ));
            }
        }
        self.warnings.extend(e.warnings);
    }
}

/// Runs jobs against Azure.
pub struct Engine<'a> {
    pub client: &'a AzureClient,
    pub ctx: Ctx,
    pub purge_soft_delete_on_destroy: bool,
    /// Recover a soft-deleted key vault or AI Services account instead of failing.
    pub recover_soft_deleted: bool,
    pub jobs_in_flight: usize,
    pub principal_retry: Duration,
    pub identity_wait: Duration,
}

fn fail(key: &str, what: String, error: AzureError) -> JobError {
    JobError {
        key: key.to_string(),
        what,
        error,
        partial: Effect::default(),
    }
}

fn protocol(what: &str, message: impl Into<String>) -> AzureError {
    AzureError::Protocol {
        url: what.to_string(),
        message: message.into(),
    }
}

/// Location segment of ARM's soft-delete paths.
fn location_segment(location: &str) -> String {
    location
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase()
}

fn role_record(ra: &DesiredRoleAssignment) -> Record {
    Record {
        ty: api::ROLE_ASSIGNMENT.resource_type.to_string(),
        name: ra.name.clone(),
        id: ra.id.clone(),
        api_version: ra.api_version.clone(),
    }
}

fn arm_record(r: &DesiredResource) -> Record {
    Record {
        ty: r.resource_type.clone(),
        name: Some(r.name.clone()),
        id: Some(r.id.clone()),
        api_version: r.api_version.clone(),
    }
}

/// Is `id` inside the resource group `rg_id` (case-insensitive)?
pub fn inside(rg_id: &str, id: &str) -> bool {
    let (a, b) = (id.to_ascii_lowercase(), rg_id.to_ascii_lowercase());
    a.starts_with(&format!("{b}/"))
}

impl<'a> Engine<'a> {
    pub fn new(client: &'a AzureClient, ctx: Ctx) -> Self {
        Engine {
            client,
            ctx,
            purge_soft_delete_on_destroy: false,
            recover_soft_deleted: true,
            jobs_in_flight: DEFAULT_JOBS_IN_FLIGHT,
            principal_retry: PRINCIPAL_RETRY,
            identity_wait: IDENTITY_WAIT,
        }
    }

    fn check_ctx(&self) -> Ctx {
        Ctx::background().with_timeout(CHECK_TIMEOUT)
    }

    // ----------------------------------------------------------------------------------
    // Scheduling
    // ----------------------------------------------------------------------------------

    /// Run `jobs` as their dependencies finish; among the ready ones, those with the
    /// longest chain of (estimated) work behind them start first, so the slow
    /// long-running operations overlap the request throttle rather than follow it.
    async fn run_jobs(&self, jobs: Vec<Job>, run: &mut Run) {
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
                    in_flight.futs.push(self.launch(i, &jobs[i], run));
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

    /// ARM writes waiting for the client-side budget (0 when there is budget).
    fn write_backlog(&self) -> f64 {
        self.client.pipeline().throttle().map_or(0.0, |t| {
            -t.bucket(aifactory_azure::OpClass::Write).available()
        })
    }

    fn launch<'b>(&'b self, i: usize, job: &Job, run: &mut Run) -> JobFuture<'b> {
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

    // ----------------------------------------------------------------------------------
    // Create and update
    // ----------------------------------------------------------------------------------

    /// Bring Azure to `run.desired`: remove what is no longer wanted, write what is new,
    /// changed (`changed`: keys whose body differs from what was applied before) or
    /// drifted, then delete objects replaced under the same key.
    pub async fn apply(
        &self,
        run: &mut Run,
        changed: &BTreeSet<String>,
        drifted: &BTreeSet<String>,
        prior: Option<&DesiredProject>,
    ) {
        // 0. The identity's principal when the identity exists but the state lost it.
        let identity_unresolved = run
            .desired
            .role_assignments
            .iter()
            .any(|r| r.principal_id.is_none());
        if identity_unresolved
            && run.records.contains_key("identity")
            && !drifted.contains("identity")
        {
            if let Some(p) = self.read_principal(&run.desired.identity_id).await {
                run.absorb(Effect {
                    principal: Some(p),
                    ..Effect::default()
                });
            }
        }

        // 1. Removals: keys no longer desired, in reverse dependency order.
        let wanted = model::desired_records(&run.desired);
        let gone: Vec<String> = run
            .records
            .keys()
            .filter(|k| !wanted.contains_key(*k))
            .cloned()
            .collect();
        if !gone.is_empty() {
            let jobs = self.removal_jobs(&gone, run, prior);
            self.run_jobs(jobs, run).await;
        }
        if !run.errors.is_empty() {
            return;
        }

        // 2. Writes.
        let jobs = self.write_jobs(run, changed, drifted);
        self.run_jobs(jobs, run).await;
        if !run.errors.is_empty() {
            return;
        }

        // 3. Objects replaced under the same key (a re-created identity's role assignments
        //    and ACL entries): delete the old ones, recorded under `<key>#replaced` until then
        //    so a failure leaves them tracked.
        let replaced = std::mem::take(&mut run.replaced);
        if !replaced.is_empty() {
            let mut tmp = Vec::new();
            for (key, rec) in replaced {
                let k = format!("{key}#replaced");
                run.records.insert(k.clone(), rec);
                tmp.push(k);
            }
            let jobs = self.removal_jobs(&tmp, run, None);
            self.run_jobs(jobs, run).await;
        }
    }

    /// Delete these recorded objects (reverse dependency order per `prior`).
    pub async fn remove(&self, run: &mut Run, keys: &[String], prior: Option<&DesiredProject>) {
        let jobs = self.removal_jobs(keys, run, prior);
        self.run_jobs(jobs, run).await;
    }

    fn removal_jobs(&self, gone: &[String], run: &Run, prior: Option<&DesiredProject>) -> Vec<Job> {
        let gone_set: BTreeSet<&String> = gone.iter().collect();
        let mut jobs: Vec<Job> = Vec::new();
        // ACL entries, by path.
        let mut by_path: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let lake = run
            .desired
            .datalake
            .as_ref()
            .or_else(|| prior.and_then(|p| p.datalake.as_ref()));
        for k in gone {
            let Some(rec) = run.records.get(k) else {
                continue;
            };
            if rec.is_acl() {
                let path = lake
                    .and_then(|l| rec.id.as_deref().and_then(|id| model::path_of_id(l, id)))
                    .unwrap_or_default();
                by_path.entry(path).or_default().push(k.clone());
            }
        }
        let dir_gone = gone.iter().any(|k| k == DIRECTORY_KEY);
        for (path, keys) in by_path {
            // Removing the project directory takes its entries with it.
            let project_dir = run
                .records
                .get(DIRECTORY_KEY)
                .and_then(|r| r.name.clone())
                .is_some_and(|p| model::dfs_path(&p) == path);
            if dir_gone && project_dir {
                continue;
            }
            jobs.push(Job {
                id: format!("acl-remove:{path}"),
                deps: BTreeSet::new(),
                kind: Kind::AclRemove { path, keys },
            });
        }
        let acl_jobs: BTreeSet<String> = jobs.iter().map(|j| j.id.clone()).collect();
        // Role assignments.
        for k in gone {
            if run.records.get(k).is_some_and(Record::is_role) {
                jobs.push(Job {
                    id: k.clone(),
                    deps: BTreeSet::new(),
                    kind: Kind::DeleteRole(k.clone()),
                });
            }
        }
        if dir_gone {
            jobs.push(Job {
                id: DIRECTORY_KEY.to_string(),
                deps: acl_jobs.clone(),
                kind: Kind::DeleteDirectory,
            });
        }
        // ARM resources: after everything that depends on them (per the prior project).
        let dependents = |key: &str| -> BTreeSet<String> {
            let mut out = BTreeSet::new();
            if let Some(p) = prior {
                for n in p.nodes() {
                    if n.depends_on().iter().any(|d| d == key)
                        && gone_set.contains(&n.key().to_string())
                    {
                        out.insert(n.key().to_string());
                    }
                }
            }
            out
        };
        for k in gone {
            let Some(rec) = run.records.get(k) else {
                continue;
            };
            if rec.is_arm_resource() {
                let mut deps = dependents(k);
                if k == "resource_group" {
                    // Everything else of the project goes first.
                    deps.extend(gone.iter().filter(|g| *g != k).cloned());
                }
                jobs.push(Job {
                    id: k.clone(),
                    deps,
                    kind: Kind::DeleteArm(k.clone()),
                });
            }
        }
        jobs
    }

    fn write_jobs(
        &self,
        run: &Run,
        changed: &BTreeSet<String>,
        drifted: &BTreeSet<String>,
    ) -> Vec<Job> {
        let d = &run.desired;
        let wanted = model::desired_records(d);
        let needs = |key: &str| -> bool {
            match (run.records.get(key), wanted.get(key)) {
                (None, _) => true,
                (Some(have), Some(want)) => {
                    drifted.contains(key)
                        || changed.contains(key)
                        || (want.id.is_some()
                            && !have
                                .id
                                .as_deref()
                                .unwrap_or_default()
                                .eq_ignore_ascii_case(want.id.as_deref().unwrap_or_default()))
                        || (want.name.is_some() && have.name != want.name)
                }
                (Some(_), None) => false,
            }
        };
        // Identity-dependent objects whose principal is not known yet are (re)written once it
        // is: if the identity itself is written, everything of the identity is rewritten.
        let identity_written = needs("identity");
        let mut jobs: Vec<Job> = Vec::new();
        let order: Vec<Node<'_>> = d.apply_order().unwrap_or_default();
        let mut acl_by_path: BTreeMap<String, (Vec<String>, BTreeSet<String>)> = BTreeMap::new();
        for node in &order {
            let key = node.key();
            let identity_dep = node.depends_on().iter().any(|x| x == "identity");
            let unknown = wanted.get(key).is_some_and(|w| w.id.is_none());
            if !(needs(key) || (identity_written && identity_dep && unknown)) {
                continue;
            }
            let deps: BTreeSet<String> = node.depends_on().iter().cloned().collect();
            match node {
                Node::Resource(_) => jobs.push(Job {
                    id: key.to_string(),
                    deps,
                    kind: Kind::PutArm(key.to_string()),
                }),
                Node::RoleAssignment(_) => jobs.push(Job {
                    id: key.to_string(),
                    deps,
                    kind: Kind::PutRole(key.to_string()),
                }),
                Node::Acl(e) => {
                    let entry = acl_by_path
                        .entry(model::dfs_path(&e.path).to_string())
                        .or_default();
                    entry.0.push(key.to_string());
                    entry.1.extend(deps);
                }
            }
        }
        let dir_job = d.datalake.is_some() && needs(DIRECTORY_KEY);
        if dir_job {
            jobs.push(Job {
                id: DIRECTORY_KEY.to_string(),
                deps: BTreeSet::new(),
                kind: Kind::Directory,
            });
        }
        for (path, (keys, mut deps)) in acl_by_path {
            if dir_job {
                deps.insert(DIRECTORY_KEY.to_string());
            }
            jobs.push(Job {
                id: format!("acl:{path}"),
                deps,
                kind: Kind::AclSet { path, keys },
            });
        }
        jobs
    }

    /// GET the identity's principal ID.
    async fn read_principal(&self, identity_id: &str) -> Option<String> {
        let r = self
            .client
            .arm()
            .get_opt(&self.ctx, identity_id, api::IDENTITY.api_version)
            .await
            .ok()??;
        r.pointer("/properties/principalId")
            .and_then(Json::as_str)
            .map(str::to_string)
    }

    async fn put_arm(
        &self,
        r: DesiredResource,
        creating: bool,
        location: String,
        rg_name: String,
        identity_wait: Duration,
    ) -> JobResult {
        let what = format!("Writing {} ({} {})", r.key, r.resource_type, r.name);
        let arm = self.client.arm();
        let mut warnings = Vec::new();
        let result = match arm.put(&self.ctx, &r.id, &r.api_version, &r.body).await {
            Ok(j) => j,
            // A key vault or AI Services account of this name is soft-deleted (Azure answers
            // 409): recover it, then apply the body.
            Err(e) if creating && e.status() == Some(409) => {
                match self.soft_deleted(&r, &location, &rg_name).await {
                    Some(_) if !self.recover_soft_deleted => {
                        let (kind, how) = if r
                            .resource_type
                            .eq_ignore_ascii_case(api::KEY_VAULT.resource_type)
                        {
                            ("Key Vault", format!("`az keyvault recover --name {0}` or `az keyvault purge --name {0}`", r.name))
                        } else {
                            ("AI Services account", format!(
                            "`az cognitiveservices account recover` or `az cognitiveservices account purge` with `--name {} --resource-group {rg_name} --location {location}`",
                            r.name
                        ))
                        };
                        let error = AzureError::Config {
                        setting: "recover_soft_deleted".into(),
                        message: format!(
                            "the {kind} {} is soft-deleted (a project of this name was destroyed within the retention period), \
                             and the provider setting `recover_soft_deleted = false` forbids recovering it. Recover or purge it \
                             yourself ({how}), or set `recover_soft_deleted = true`.",
                            r.name
                        ),
                    };
                        return Err(self.after_failure(&r, what, error).await);
                    }
                    Some(recover) => {
                        warnings.push(format!(
                        "{} {} was soft-deleted; recovered it (Azure keeps deleted key vaults and AI Services accounts for their retention period).",
                        r.resource_type, r.name
                    ));
                        if let Err(e) = arm.put(&self.ctx, &r.id, &r.api_version, &recover).await {
                            return Err(self.after_failure(&r, what, e).await);
                        }
                        match arm.put(&self.ctx, &r.id, &r.api_version, &r.body).await {
                            Ok(j) => j,
                            Err(e) => return Err(self.after_failure(&r, what, e).await),
                        }
                    }
                    None => return Err(self.after_failure(&r, what, e).await),
                }
            }
            Err(e) => return Err(self.after_failure(&r, what, e).await),
        };
        let mut effect = Effect {
            set: vec![(r.key.clone(), arm_record(&r))],
            warnings,
            ..Effect::default()
        };
        if r.key == "identity" {
            match self.principal_of(&r, result, identity_wait).await {
                Ok(p) => effect.principal = Some(p),
                Err(e) => {
                    return Err(JobError {
                        key: r.key.clone(),
                        what,
                        error: e,
                        partial: effect,
                    })
                }
            }
        }
        Ok(effect)
    }

    /// The principal ID of a managed identity just written (waits while Azure has not
    /// filled it in).
    async fn principal_of(
        &self,
        r: &DesiredResource,
        first: Json,
        wait: Duration,
    ) -> Result<String, AzureError> {
        let get = |j: &Json| {
            j.pointer("/properties/principalId")
                .and_then(Json::as_str)
                .map(str::to_string)
        };
        if let Some(p) = get(&first) {
            return Ok(p);
        }
        let started = tokio::time::Instant::now();
        let mut delay = Duration::from_millis(100);
        loop {
            if started.elapsed() >= wait {
                return Err(protocol(
                    &r.id,
                    format!(
                        "the managed identity has no properties.principalId after {}s; its role assignments and data lake ACL entries need it",
                        wait.as_secs()
                    ),
                ));
            }
            self.ctx
                .sleep("waiting for the managed identity's principal ID", delay)
                .await?;
            delay = (delay * 2).min(Duration::from_secs(5));
            if let Some(j) = self
                .client
                .arm()
                .get_opt(&self.ctx, &r.id, &r.api_version)
                .await?
            {
                if let Some(p) = get(&j) {
                    return Ok(p);
                }
            }
        }
    }

    /// A soft-deleted Key Vault or AI Services account of this name: the body that
    /// recovers it.
    async fn soft_deleted(
        &self,
        r: &DesiredResource,
        location: &str,
        rg_name: &str,
    ) -> Option<Json> {
        let sub = self.client.subscription_id().ok()?.to_string();
        let loc = location_segment(location);
        let (path, recover) = if r
            .resource_type
            .eq_ignore_ascii_case(api::KEY_VAULT.resource_type)
        {
            let mut body = json!({
                "location": r.body.get("location").cloned().unwrap_or(Json::Null),
                "properties": {
                    "createMode": "recover",
                    "tenantId": r.body.pointer("/properties/tenantId").cloned().unwrap_or(Json::Null),
                    "sku": r.body.pointer("/properties/sku").cloned().unwrap_or(Json::Null),
                }
            });
            if let Some(t) = r.body.get("tags") {
                body["tags"] = t.clone();
            }
            (format!("/subscriptions/{sub}/providers/Microsoft.KeyVault/locations/{loc}/deletedVaults/{}", r.name), body)
        } else if r
            .resource_type
            .eq_ignore_ascii_case(api::AI_SERVICES.resource_type)
        {
            let mut body = r.body.clone();
            body["properties"]["restore"] = json!(true);
            (
                format!(
                    "/subscriptions/{sub}/providers/Microsoft.CognitiveServices/locations/{loc}/resourceGroups/{rg_name}/deletedAccounts/{}",
                    r.name
                ),
                body,
            )
        } else {
            return None;
        };
        match self
            .client
            .arm()
            .get_opt(&self.ctx, &path, &r.api_version)
            .await
        {
            Ok(Some(found)) if found.is_object() => Some(recover),
            _ => None,
        }
    }

    /// After a failed or cancelled write: record the resource if Azure has it anyway.
    async fn after_failure(
        &self,
        r: &DesiredResource,
        what: String,
        error: AzureError,
    ) -> JobError {
        let mut partial = Effect::default();
        if self.exists_after(&error, &r.id, &r.api_version).await {
            partial.set.push((r.key.clone(), arm_record(r)));
        }
        JobError {
            key: r.key.clone(),
            what,
            error,
            partial,
        }
    }

    /// Does `id` exist after a write that ended with `error`? When the write's outcome is
    /// unknown (cancelled or cut off after it may have reached Azure), Azure may still be
    /// registering it: look a few times before concluding it does not exist.
    async fn exists_after(&self, error: &AzureError, id: &str, api_version: &str) -> bool {
        let unknown_outcome = matches!(
            error,
            AzureError::Cancelled { .. } | AzureError::Transport { .. }
        );
        let looks = if unknown_outcome {
            UNKNOWN_OUTCOME_LOOKS
        } else {
            1
        };
        let check = self.check_ctx();
        for look in 0..looks {
            if look > 0
                && check
                    .sleep(
                        "checking whether an interrupted write took effect",
                        UNKNOWN_OUTCOME_PAUSE,
                    )
                    .await
                    .is_err()
            {
                return false;
            }
            if let Ok(Some(_)) = self.client.arm().get_opt(&check, id, api_version).await {
                return true;
            }
        }
        false
    }

    async fn put_role(&self, ra: DesiredRoleAssignment) -> JobResult {
        let what = format!(
            "Assigning {} to {} on {}",
            ra.role_name,
            ra.principal.key_part(),
            ra.scope
        );
        let (Some(body), Some(id)) = (ra.body(), ra.id.clone()) else {
            return Err(fail(
                &ra.key,
                what,
                protocol(
                    &ra.scope,
                    "the project identity's principal ID is not known",
                ),
            ));
        };
        let started = tokio::time::Instant::now();
        let mut delay = Duration::from_secs(1);
        loop {
            match self
                .client
                .arm()
                .put(&self.ctx, &id, &ra.api_version, &body)
                .await
            {
                Ok(_) => {
                    return Ok(Effect {
                        set: vec![(ra.key.clone(), role_record(&ra))],
                        ..Effect::default()
                    })
                }
                Err(e) if e.code() == Some("RoleAssignmentExists") => {
                    return match self.find_assignment(&ra).await {
                        Ok(Some(actual)) => Ok(Effect {
                            set: vec![(ra.key.clone(), role_record(&ra))],
                            adopted: if actual.eq_ignore_ascii_case(&id) {
                                Vec::new()
                            } else {
                                vec![(ra.key.clone(), actual)]
                            },
                            ..Effect::default()
                        }),
                        Ok(None) => Err(fail(&ra.key, what, e)),
                        Err(e2) => Err(fail(&ra.key, what, e2)),
                    };
                }
                Err(e)
                    if e.code() == Some("PrincipalNotFound")
                        && started.elapsed() + delay < self.principal_retry =>
                {
                    tracing::debug!(key = %ra.key, "principal not replicated yet; retrying");
                    if let Err(c) = self
                        .ctx
                        .sleep("waiting for Entra ID to replicate a principal", delay)
                        .await
                    {
                        return Err(fail(&ra.key, what, c));
                    }
                    delay = (delay * 2).min(Duration::from_secs(15));
                }
                Err(e) => {
                    let exists = self.exists_after(&e, &id, &ra.api_version).await;
                    let mut err = fail(&ra.key, what, e);
                    if exists {
                        err.partial.set.push((ra.key.clone(), role_record(&ra)));
                    }
                    return Err(err);
                }
            }
        }
    }

    /// The ID of the assignment of (scope, role, principal) under whatever name.
    async fn find_assignment(
        &self,
        ra: &DesiredRoleAssignment,
    ) -> Result<Option<String>, AzureError> {
        let Some(pid) = &ra.principal_id else {
            return Ok(None);
        };
        let path = format!(
            "{}/providers/Microsoft.Authorization/roleAssignments",
            ra.scope
        );
        let filter = format!("atScope() and principalId eq '{pid}'");
        let items = list_filtered(
            self.client,
            &self.ctx,
            &path,
            &ra.api_version,
            Some(&filter),
        )
        .await?;
        Ok(items.iter().find_map(|a| {
            let role = a
                .pointer("/properties/roleDefinitionId")
                .and_then(Json::as_str)?;
            let scope = a
                .pointer("/properties/scope")
                .and_then(Json::as_str)
                .unwrap_or(&ra.scope);
            let principal = a
                .pointer("/properties/principalId")
                .and_then(Json::as_str)?;
            (role
                .to_ascii_lowercase()
                .ends_with(&ra.role_definition_guid.to_ascii_lowercase())
                && scope.eq_ignore_ascii_case(&ra.scope)
                && principal.eq_ignore_ascii_case(pid))
            .then(|| a.get("id").and_then(Json::as_str).map(str::to_string))
            .flatten()
        }))
    }

    async fn create_directory(&self, lake: DesiredDatalake, path: String) -> JobResult {
        let what = format!(
            "Creating the data lake directory {path} in {}/{}",
            lake.account_name, lake.filesystem
        );
        let dfs = self
            .client
            .dfs(&lake.account_name)
            .map_err(|e| fail(DIRECTORY_KEY, what.clone(), e))?;
        match dfs
            .create_directory(
                &self.ctx,
                &lake.filesystem,
                &path,
                &DirectoryOptions::default(),
            )
            .await
        {
            Ok(Created::Created) | Ok(Created::AlreadyExisted) => Ok(Effect {
                set: vec![(DIRECTORY_KEY.to_string(), directory_record(&lake, &path))],
                ..Effect::default()
            }),
            Err(e) => Err(fail(DIRECTORY_KEY, what, e)),
        }
    }

    async fn set_acl(
        &self,
        lake: DesiredDatalake,
        path: String,
        entries: Vec<aifactory_template::project::DesiredAclEntry>,
    ) -> JobResult {
        let what = format!(
            "Setting ACL entries on {}/{}/{path}",
            lake.account_name, lake.filesystem
        );
        let key0 = entries.first().map(|e| e.key.clone()).unwrap_or_default();
        let mut az = Vec::new();
        let mut set = Vec::new();
        for e in &entries {
            let Some(entry) = model::azure_entry(e) else {
                return Err(fail(
                    &e.key,
                    what,
                    protocol(&path, "the project identity's principal ID is not known"),
                ));
            };
            az.push(entry);
            set.push((
                e.key.clone(),
                Record {
                    ty: model::ACL_TYPE.to_string(),
                    name: e.ace(),
                    id: model::ace_key(e)
                        .map(|k| format!("{}#{k}", model::path_url(&lake, &e.path))),
                    api_version: model::DFS_API.to_string(),
                },
            ));
        }
        let dfs = self
            .client
            .dfs(&lake.account_name)
            .map_err(|e| fail(&key0, what.clone(), e))?;
        let is_project_dir = lake
            .directories
            .last()
            .is_some_and(|d| model::dfs_path(d) == path);
        if is_project_dir {
            // New files and folders inherit the default entries; existing ones get them too.
            match dfs
                .modify_acl_recursive(
                    &self.ctx,
                    &lake.filesystem,
                    &path,
                    &Acl::new(az),
                    RecursiveOptions {
                        max_records: None,
                        force: true,
                    },
                )
                .await
            {
                Ok(out) if out.failure_count == 0 => Ok(Effect {
                    set,
                    ..Effect::default()
                }),
                Ok(out) => Err(fail(
                    &key0,
                    what,
                    protocol(
                        &path,
                        format!(
                            "{} entries could not be changed, e.g. {}",
                            out.failure_count,
                            out.failed_entries
                                .first()
                                .map(|f| format!("{}: {}", f.name, f.error_message))
                                .unwrap_or_default()
                        ),
                    ),
                )),
                Err(e) => Err(fail(&key0, what, e)),
            }
        } else {
            // Parents: this path only (a recursive change would reach every other project).
            // When everyone may traverse (`other::--x`), the named entries add nothing.
            self.merge_acl(&dfs, &lake.filesystem, &path, |acl| {
                if !others_traverse(acl) {
                    acl.set_entries(&az)
                }
            })
            .await
            .map(|_| Effect {
                set,
                ..Effect::default()
            })
            .map_err(|e| fail(&key0, what, e))
        }
    }

    /// Read-modify-write of one path's ACL with `If-Match` ([`aifactory_azure::DfsClient::update_acl`]): the
    /// parents' ACLs are shared by every project, so writers take turns per path and a
    /// change by anyone else in between is retried on the new ACL.
    async fn merge_acl(
        &self,
        dfs: &aifactory_azure::DfsClient,
        fs: &str,
        path: &str,
        change: impl Fn(&mut Acl),
    ) -> Result<(), AzureError> {
        dfs.update_acl(&self.ctx, fs, path, |acl| {
            change(acl);
            if acl.check_limits().is_err() {
                return Err(AzureError::Config {
                    setting: "the data lake's ACL".into(),
                    message: format!(
                        "the ACL of `/{path}` in {fs} would exceed Azure's limit of 32 entries per scope: every project adds \
                         its members, service principal and identity there so they can traverse to their folder. Give \
                         everyone traversal once in the common part instead, with `aifactory_datalake_acl` entries \
                         `other::--x` on `/` and `projects` (execute only, no listing); projects then add no entries \
                         to the parents."
                    ),
                });
            }
            Ok(())
        })
        .await
        .map(|_| ())
    }

    async fn remove_acl(
        &self,
        lake: DesiredDatalake,
        path: String,
        recs: Vec<(String, Record)>,
    ) -> JobResult {
        let what = format!(
            "Removing ACL entries from {}/{}/{path}",
            lake.account_name, lake.filesystem
        );
        let key0 = recs.first().map(|(k, _)| k.clone()).unwrap_or_default();
        let keys: Vec<AclKey> = recs
            .iter()
            .filter_map(|(_, r)| r.id.as_deref().and_then(model::acl_key_of_id))
            // Masks stay: named entries of others may rely on them.
            .filter(|k| k.kind != aifactory_azure::AclType::Mask)
            .collect();
        let removed: Vec<String> = recs.iter().map(|(k, _)| k.clone()).collect();
        let dfs = self
            .client
            .dfs(&lake.account_name)
            .map_err(|e| fail(&key0, what.clone(), e))?;
        let is_project_dir = lake
            .directories
            .last()
            .is_some_and(|d| model::dfs_path(d) == path);
        let result = if keys.is_empty() {
            Ok(())
        } else if is_project_dir {
            match dfs
                .remove_acl_recursive(
                    &self.ctx,
                    &lake.filesystem,
                    &path,
                    &keys,
                    RecursiveOptions {
                        max_records: None,
                        force: true,
                    },
                )
                .await
            {
                Ok(out) if out.failure_count == 0 => Ok(()),
                Ok(out) => Err(protocol(
                    &path,
                    format!("{} entries could not be changed", out.failure_count),
                )),
                Err(e) => Err(e),
            }
        } else {
            self.merge_acl(&dfs, &lake.filesystem, &path, |acl| acl.remove_keys(&keys))
                .await
        };
        match result {
            Ok(()) => Ok(Effect {
                removed,
                ..Effect::default()
            }),
            // The path (or the whole filesystem) is gone: so are its entries.
            Err(e) if e.is_not_found() => Ok(Effect {
                removed,
                ..Effect::default()
            }),
            Err(e) => Err(fail(&key0, what, e)),
        }
    }

    async fn delete_directory(&self, lake: DesiredDatalake, rec: Record) -> JobResult {
        let path = rec.name.clone().unwrap_or_default();
        let what = format!("Deleting the data lake directory {path}");
        let dfs = self
            .client
            .dfs(&lake.account_name)
            .map_err(|e| fail(DIRECTORY_KEY, what.clone(), e))?;
        match dfs
            .delete_directory(&self.ctx, &lake.filesystem, &path)
            .await
        {
            Ok(()) => Ok(Effect {
                removed: vec![DIRECTORY_KEY.to_string()],
                ..Effect::default()
            }),
            Err(e) => Err(fail(DIRECTORY_KEY, what, e)),
        }
    }

    async fn delete_role(&self, key: String, rec: Record, actual: Option<String>) -> JobResult {
        let id = actual.or(rec.id.clone()).unwrap_or_default();
        let what = format!("Deleting role assignment {key}");
        if id.is_empty() {
            return Ok(Effect {
                removed: vec![key],
                ..Effect::default()
            });
        }
        match self
            .client
            .arm()
            .delete(&self.ctx, &id, &rec.api_version)
            .await
        {
            Ok(()) => Ok(Effect {
                removed: vec![key],
                ..Effect::default()
            }),
            Err(e) => Err(fail(&key, what, e)),
        }
    }

    async fn delete_arm(
        &self,
        key: String,
        rec: Record,
        location: String,
        rg_id: String,
    ) -> JobResult {
        let id = rec.id.clone().unwrap_or_default();
        let what = format!(
            "Deleting {key} ({} {})",
            rec.ty,
            rec.name.as_deref().unwrap_or_default()
        );
        if let Err(e) = self
            .client
            .arm()
            .delete(&self.ctx, &id, &rec.api_version)
            .await
        {
            return Err(fail(&key, what, e));
        }
        let mut effect = Effect {
            removed: vec![key.clone()],
            ..Effect::default()
        };
        if self.purge_soft_delete_on_destroy {
            if let Some(w) = self.purge(&rec, &location, &rg_id).await {
                effect.warnings.push(w);
            }
        }
        Ok(effect)
    }

    /// Purge a soft-deleted Key Vault or AI Services account; a warning when it fails.
    async fn purge(&self, rec: &Record, location: &str, rg_id: &str) -> Option<String> {
        let sub = self.client.subscription_id().ok()?.to_string();
        let loc = location_segment(location);
        let name = rec.name.clone().unwrap_or_default();
        let result = if rec.ty.eq_ignore_ascii_case(api::KEY_VAULT.resource_type) {
            let path = format!("/subscriptions/{sub}/providers/Microsoft.KeyVault/locations/{loc}/deletedVaults/{name}/purge");
            self.client
                .arm()
                .post(&self.ctx, &path, &rec.api_version, None)
                .await
                .map(|_| ())
        } else if rec.ty.eq_ignore_ascii_case(api::AI_SERVICES.resource_type) {
            let rg = rg_id.rsplit('/').next().unwrap_or_default();
            let path = format!(
                "/subscriptions/{sub}/providers/Microsoft.CognitiveServices/locations/{loc}/resourceGroups/{rg}/deletedAccounts/{name}"
            );
            self.client
                .arm()
                .delete(&self.ctx, &path, &rec.api_version)
                .await
        } else {
            return None;
        };
        match result {
            Ok(()) | Err(AzureError::NotFound(_)) => None,
            Err(e) => Some(format!(
                "Could not purge the soft-deleted {} {name}: {}. Its name stays reserved until the retention period ends (purge protection, if on, forbids purging).",
                rec.ty,
                e.summary()
            )),
        }
    }

    // ----------------------------------------------------------------------------------
    // Destroy
    // ----------------------------------------------------------------------------------

    /// Resources in the project's resource group that the project does not own.
    pub async fn foreign_resources(
        &self,
        rg_id: &str,
        owned: &BTreeSet<String>,
        pe_names: &[String],
    ) -> Result<Vec<String>, AzureError> {
        let items = match list_filtered(
            self.client,
            &self.ctx,
            &format!("{rg_id}/resources"),
            "2021-04-01",
            None,
        )
        .await
        {
            Ok(items) => items,
            Err(e) if e.is_not_found() => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        Ok(items
            .iter()
            .filter_map(|i| i.get("id").and_then(Json::as_str))
            .filter(|id| !owned.contains(&id.to_ascii_lowercase()))
            .filter(|id| {
                // Network interfaces Azure creates for the project's private endpoints.
                let lower = id.to_ascii_lowercase();
                !(lower.contains("/providers/microsoft.network/networkinterfaces/")
                    && pe_names.iter().any(|pe| {
                        let n = lower.rsplit('/').next().unwrap_or_default();
                        n.starts_with(&pe.to_ascii_lowercase())
                    }))
            })
            .map(str::to_string)
            .collect())
    }

    /// Delete every recorded object, in reverse dependency order. `delete_directory`:
    /// also delete the project's data lake directory (with its data).
    pub async fn destroy(&self, run: &mut Run, prior: &DesiredProject, delete_directory: bool) {
        let rg_id = prior.resource_group_id.clone();
        let mut gone: Vec<String> = run.records.keys().cloned().collect();
        if !delete_directory {
            gone.retain(|k| k != DIRECTORY_KEY);
        }
        // Role assignments inside the group go with it; delete only the others explicitly.
        gone.retain(|k| {
            run.records.get(k).is_none_or(|r| {
                !(r.is_role() && r.id.as_deref().is_some_and(|id| inside(&rg_id, id)))
            })
        });
        let mut jobs = self.removal_jobs(&gone, run, Some(prior));
        // Keep the directory's own ACL entries out of the way when the directory stays: the
        // data keeps no access for removed principals (named entries), masks stay.
        jobs.sort_by_key(|j| match j.kind {
            Kind::AclRemove { .. } => 0,
            Kind::DeleteRole(_) => 1,
            _ => 2,
        });
        self.run_jobs(jobs, run).await;
        if run.errors.is_empty() && !run.records.contains_key("resource_group") {
            // The group is gone: so is everything recorded inside it.
            run.records
                .retain(|_, r| !r.id.as_deref().is_some_and(|id| inside(&rg_id, id)));
        }
        if !delete_directory && run.errors.is_empty() {
            // The directory and its data stay; it is no longer the project's.
            run.records.remove(DIRECTORY_KEY);
        }
    }
}

/// Does the ACL let everyone traverse (`other` with execute, access scope)?
pub fn others_traverse(acl: &Acl) -> bool {
    acl.entries
        .iter()
        .any(|e| e.key.kind == aifactory_azure::AclType::Other && !e.key.default && e.perms.execute)
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

fn directory_record(lake: &DesiredDatalake, path: &str) -> Record {
    Record {
        ty: model::DIRECTORY_TYPE.to_string(),
        name: Some(path.to_string()),
        id: Some(model::path_url(lake, path)),
        api_version: model::DFS_API.to_string(),
    }
}

/// GET an ARM collection with an optional `$filter`, following `nextLink`.
pub async fn list_filtered(
    client: &AzureClient,
    ctx: &Ctx,
    path: &str,
    api_version: &str,
    filter: Option<&str>,
) -> Result<Vec<Json>, AzureError> {
    let arm = client.arm();
    let mut url = arm.url(path, api_version)?;
    if let Some(f) = filter {
        url.query_pairs_mut().append_pair("$filter", f);
    }
    let base = arm.endpoint().clone();
    let scope = client.cloud().arm_scope();
    let mut items = Vec::new();
    for _ in 0..1000 {
        let resp = arm
            .send(
                ctx,
                &Request::new(Method::GET, url.clone(), scope.clone()).arm(),
            )
            .await?;
        let page = resp.json(&url)?;
        if let Some(values) = page.get("value").and_then(Json::as_array) {
            items.extend(values.iter().cloned());
        }
        match page
            .get("nextLink")
            .and_then(Json::as_str)
            .filter(|s| !s.is_empty())
        {
            None => return Ok(items),
            Some(next) => {
                let next = Url::parse(next)
                    .or_else(|_| base.join(next))
                    .map_err(|e| protocol(path, e.to_string()))?;
                if next.origin() != base.origin() {
                    return Err(protocol(
                        path,
                        "nextLink leaves the Resource Manager endpoint",
                    ));
                }
                url = next;
            }
        }
    }
    Err(protocol(path, "too many pages"))
}
