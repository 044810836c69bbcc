//! Failure bookkeeping of one run: what exists ([`Run::records`]), what was adopted, the
//! errors and warnings, and objects replaced under the same key; [`Run::absorb`] folds a
//! job's [`Effect`] in, also the partial effect of a failed job.
//!
//! Must not: schedule or run jobs, talk to Azure.

use std::collections::BTreeMap;

use aifactory_template::project::DesiredProject;

use super::super::model::{Record, Records};
use super::job::{Effect, JobError};

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
    pub(super) replaced: Vec<(String, Record)>,
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

    pub(super) fn absorb(&mut self, e: Effect) {
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
