//! Deleting: ARM resources (with the purge of soft-deleted key vaults and AI Services
//! accounts on request; what has no DELETE, a subscription's Defender plan, by the PUT
//! `aifactory_template::common::delete_body` gives), role assignments, the
//! foreign-resources check before a destroy, and the destroy of a whole project.
//!
//! Must not: create anything, touch ACL entries other than through `removal_jobs`.

use std::collections::BTreeSet;

use serde_json::Value as Json;

use aifactory_azure::AzureError;
use aifactory_template::project::{api, DesiredProject};

use super::super::model::{Record, DIRECTORY_KEY};
use super::super::shared::inside;
use super::base::Engine;
use super::job::{fail, location_segment, Effect, JobResult, Kind};
use super::run::Run;

impl<'a> Engine<'a> {
    pub(super) async fn delete_role(
        &self,
        key: String,
        rec: Record,
        actual: Option<String>,
    ) -> JobResult {
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

    pub(super) async fn delete_arm(
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
        // What Azure cannot DELETE (a subscription's Defender plan) is "deleted" by a PUT.
        let deleted = match aifactory_template::common::delete_body(&rec.ty, &id) {
            Some(body) => self
                .client
                .arm()
                .put(&self.ctx, &id, &rec.api_version, &body)
                .await
                .map(|_| ()),
            None => {
                self.client
                    .arm()
                    .delete(&self.ctx, &id, &rec.api_version)
                    .await
            }
        };
        if let Err(e) = deleted {
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
    pub(super) async fn purge(&self, rec: &Record, location: &str, rg_id: &str) -> Option<String> {
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

    /// Resources in the project's resource group that the project does not own.
    pub async fn foreign_resources(
        &self,
        rg_id: &str,
        owned: &BTreeSet<String>,
        pe_names: &[String],
    ) -> Result<Vec<String>, AzureError> {
        let items = match self
            .client
            .arm()
            .list(&self.ctx, &format!("{rg_id}/resources"), "2021-04-01")
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
