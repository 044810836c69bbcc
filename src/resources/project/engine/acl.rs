//! The data lake jobs: the project directory, and ACL entries per path (recursively on
//! the project directory, read-modify-write with `If-Match` on the shared parents).
//!
//! Must not: touch ARM resources or schedule jobs.

use aifactory_azure::{Acl, AclKey, AzureError, Created, DirectoryOptions, RecursiveOptions};
use aifactory_template::project::{DesiredAclEntry, DesiredDatalake};

use super::super::model::{self, Record, DIRECTORY_KEY};
use super::super::shared::others_traverse;
use super::base::Engine;
use super::job::{directory_record, fail, protocol, Effect, JobResult};

impl<'a> Engine<'a> {
    pub(super) async fn create_directory(&self, lake: DesiredDatalake, path: String) -> JobResult {
        let what = format!(
            "Creating the data lake directory {path} in {}/{}",
            lake.account_name, lake.filesystem
        );
        let dfs = self
            .client
            .dfs(&lake.account_name)
            .map_err(|e| fail(DIRECTORY_KEY, what.clone(), e))?;
        // Other directories of the layout (the common part's folder skeleton): created if
        // missing; the ancestors of `path` are created with it.
        let target = model::dfs_path(&path);
        for dir in &lake.directories {
            let d = model::dfs_path(dir);
            if d == target || target.starts_with(&format!("{d}/")) {
                continue;
            }
            if let Err(e) = dfs
                .create_directory(&self.ctx, &lake.filesystem, d, &DirectoryOptions::default())
                .await
            {
                return Err(fail(
                    DIRECTORY_KEY,
                    format!("Creating the data lake directory {d}"),
                    e,
                ));
            }
        }
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

    pub(super) async fn set_acl(
        &self,
        lake: DesiredDatalake,
        path: String,
        entries: Vec<DesiredAclEntry>,
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
        let is_project_dir = lake.recursive.iter().any(|d| model::dfs_path(d) == path);
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
    pub(super) async fn merge_acl(
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

    pub(super) async fn remove_acl(
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
            .filter(|k| {
                !matches!(
                    k.kind,
                    aifactory_azure::AclType::Mask | aifactory_azure::AclType::Other
                )
            })
            .collect();
        let removed: Vec<String> = recs.iter().map(|(k, _)| k.clone()).collect();
        let dfs = self
            .client
            .dfs(&lake.account_name)
            .map_err(|e| fail(&key0, what.clone(), e))?;
        let is_project_dir = lake.recursive.iter().any(|d| model::dfs_path(d) == path);
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

    pub(super) async fn delete_directory(&self, lake: DesiredDatalake, rec: Record) -> JobResult {
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
}
