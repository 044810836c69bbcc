//! Creating and updating ARM resources and role assignments: PUT with recovery of
//! soft-deleted key vaults and AI Services accounts, the new identity's principal ID,
//! `PrincipalNotFound` retries, adoption of an assignment that exists under another name,
//! the existence check after a failed or interrupted write, waiting for what Azure creates
//! itself (`Origin::Azure`), and (through `approve`) a shared private link's approval.
//!
//! Must not: schedule jobs, touch the data lake.

use std::time::Duration;

use serde_json::{json, Value as Json};

use aifactory_azure::AzureError;
use aifactory_template::project::{api, DesiredResource, DesiredRoleAssignment, Origin};

use super::base::{Engine, UNKNOWN_OUTCOME_LOOKS, UNKNOWN_OUTCOME_PAUSE};
use super::job::{
    arm_record, fail, location_segment, protocol, role_record, Effect, JobError, JobResult,
};

impl<'a> Engine<'a> {
    /// GET the identity's principal ID.
    pub(super) async fn read_principal(&self, identity_id: &str) -> Option<String> {
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

    pub(super) async fn put_arm(
        &self,
        r: DesiredResource,
        creating: bool,
        location: String,
        rg_name: String,
        identity_wait: Duration,
    ) -> JobResult {
        if r.origin == Origin::Azure {
            return self.await_azure_made(r).await;
        }
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
        if let Some(a) = aifactory_template::project::services::search::link_approval(&r) {
            match self.approve_link(&r, &a).await {
                Ok(warning) => effect.warnings.extend(warning),
                Err(error) => {
                    return Err(JobError {
                        key: r.key.clone(),
                        what: format!(
                            "Approving {}'s private endpoint connection on {}",
                            r.name, a.target_id
                        ),
                        error,
                        partial: effect,
                    })
                }
            }
        }
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

    /// An object Azure makes as a side effect of another ([`Origin::Azure`]): wait until it
    /// exists and has succeeded (bounded by the operation's timeout), then record it.
    pub(super) async fn await_azure_made(&self, r: DesiredResource) -> JobResult {
        let what = format!(
            "Waiting for {} ({} {}), which Azure creates with the object it depends on",
            r.key, r.resource_type, r.name
        );
        let fail = |error: AzureError| JobError {
            key: r.key.clone(),
            what: what.clone(),
            error,
            partial: Effect::default(),
        };
        let mut delay = Duration::from_secs(1);
        loop {
            let state = self
                .client
                .arm()
                .get_opt(&self.ctx, &r.id, &r.api_version)
                .await
                .map_err(fail)?
                .map(|j| {
                    j.pointer("/properties/provisioningState")
                        .and_then(Json::as_str)
                        .unwrap_or("Succeeded")
                        .to_string()
                });
            match state.as_deref() {
                Some(s) if s.eq_ignore_ascii_case("Succeeded") => {
                    return Ok(Effect {
                        set: vec![(r.key.clone(), arm_record(&r))],
                        ..Effect::default()
                    })
                }
                Some(s)
                    if s.eq_ignore_ascii_case("Failed") || s.eq_ignore_ascii_case("Canceled") =>
                {
                    return Err(fail(protocol(
                        &r.id,
                        format!(
                            "Azure's {} is {s}; delete it (or its account) and apply again",
                            r.name
                        ),
                    )))
                }
                _ => {}
            }
            self.ctx
                .sleep(&format!("waiting for Azure to create {}", r.name), delay)
                .await
                .map_err(fail)?;
            delay = (delay * 2).min(Duration::from_secs(30));
        }
    }

    /// The principal ID of a managed identity just written (waits while Azure has not
    /// filled it in).
    pub(super) async fn principal_of(
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
    pub(super) async fn soft_deleted(
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
    pub(super) async fn after_failure(
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
    pub(super) async fn exists_after(
        &self,
        error: &AzureError,
        id: &str,
        api_version: &str,
    ) -> bool {
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

    pub(super) async fn put_role(&self, ra: DesiredRoleAssignment) -> JobResult {
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
    pub(super) async fn find_assignment(
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
        let items = self
            .client
            .arm()
            .list_query(&self.ctx, &path, &ra.api_version, &[("$filter", &filter)])
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
}
