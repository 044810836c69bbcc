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
//!
//! Modules: `base` (the [`Engine`] and its limits), `job` (jobs, effects, errors),
//! `run` (failure bookkeeping), `schedule` (dependency order and priorities), `waves`
//! (what an apply, a removal or a destroy runs), `create`, `acl` and `delete` (the jobs
//! themselves), `approve` (a shared private link's connection approved on its target after
//! the link's write). Must not: decide what a project contains, build HTTP requests.

mod acl;
mod approve;
mod base;
mod create;
mod delete;
mod job;
mod run;
mod schedule;
mod waves;

pub use base::{Engine, DEFAULT_JOBS_IN_FLIGHT};
pub use job::JobError;
pub use run::Run;
