//! The vocabulary of a run's jobs: what a job is ([`Job`], [`Kind`]), what it changed
//! ([`Effect`]) or why it failed ([`JobError`]), and the records a job writes.
//!
//! A leaf: every other engine module uses it; it uses none of them. Must not: talk to
//! Azure.

use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;

use aifactory_azure::AzureError;
use aifactory_template::project::{DesiredDatalake, DesiredResource, DesiredRoleAssignment};

use super::super::model::{self, Record};

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

pub type JobResult = Result<Effect, JobError>;
pub(super) type JobFuture<'a> = Pin<Box<dyn Future<Output = (usize, JobResult)> + Send + 'a>>;

#[derive(Debug, Clone)]
pub(super) enum Kind {
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
pub(super) struct Job {
    pub(super) id: String,
    pub(super) deps: BTreeSet<String>,
    pub(super) kind: Kind,
}

pub(super) fn fail(key: &str, what: String, error: AzureError) -> JobError {
    JobError {
        key: key.to_string(),
        what,
        error,
        partial: Effect::default(),
    }
}

pub(super) fn protocol(what: &str, message: impl Into<String>) -> AzureError {
    AzureError::Protocol {
        url: what.to_string(),
        message: message.into(),
    }
}

/// Location segment of ARM's soft-delete paths.
pub(super) fn location_segment(location: &str) -> String {
    location
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase()
}

pub(super) fn role_record(ra: &DesiredRoleAssignment) -> Record {
    Record {
        ty: super::super::model::role_type(ra).to_string(),
        name: ra.name.clone(),
        id: ra.id.clone(),
        api_version: ra.api_version.clone(),
    }
}

pub(super) fn arm_record(r: &DesiredResource) -> Record {
    Record {
        ty: r.resource_type.clone(),
        name: Some(r.name.clone()),
        id: Some(r.id.clone()),
        api_version: r.api_version.clone(),
    }
}

pub(super) fn directory_record(lake: &DesiredDatalake, path: &str) -> Record {
    Record {
        ty: model::DIRECTORY_TYPE.to_string(),
        name: Some(path.to_string()),
        id: Some(model::path_url(lake, path)),
        api_version: model::DFS_API.to_string(),
    }
}
