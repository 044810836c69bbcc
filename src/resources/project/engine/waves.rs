//! The waves of an apply: removals (reverse dependency order), writes (dependency
//! order, only what is new, changed or drifted), then the objects replaced under the same
//! key; and the jobs of each wave.
//!
//! Must not: run jobs itself (`schedule`) or talk to Azure beyond reading the identity.

use std::collections::{BTreeMap, BTreeSet};

use aifactory_template::project::{DesiredProject, Node};

use super::super::model::{self, Record, DIRECTORY_KEY};
use super::base::Engine;
use super::job::{Effect, Job, Kind};
use super::run::Run;

impl<'a> Engine<'a> {
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

    pub(super) fn removal_jobs(
        &self,
        gone: &[String],
        run: &Run,
        prior: Option<&DesiredProject>,
    ) -> Vec<Job> {
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

    pub(super) fn write_jobs(
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
                deps: d
                    .datalake
                    .as_ref()
                    .map(|l| l.depends_on.iter().cloned().collect())
                    .unwrap_or_default(),
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
}
