//! Approving a shared private link on its target, right after the link is written: Azure
//! leaves the link's private endpoint connection on the target `Pending` (never
//! auto-approved) and AI Search cannot use the link until it is approved; the project owns
//! both sides, so the provider approves it (`services::search::link_approval` says where
//! and how). A rejected connection is someone's decision and is left alone, with a
//! warning; so is a connection that does not appear in time.
//!
//! Must not: decide which links a project has (the template does) or build bodies.

use std::time::Duration;

use aifactory_azure::AzureError;
use aifactory_template::project::services::search::{approval_body, link_connection, LinkApproval};
use aifactory_template::project::DesiredResource;

use super::base::Engine;

/// Lists of the target's connections before giving up on finding the link's.
const LOOKS: u32 = 4;
/// The pause between them.
const PAUSE: Duration = Duration::from_secs(2);

impl<'a> Engine<'a> {
    /// Approve the link's pending connection on its target. `Ok(Some(warning))` when it
    /// was left as it is (rejected, or not found).
    pub(super) async fn approve_link(
        &self,
        link: &DesiredResource,
        a: &LinkApproval,
    ) -> Result<Option<String>, AzureError> {
        let arm = self.client.arm();
        let path = format!("{}/privateEndpointConnections", a.target_id);
        let mut found = None;
        for attempt in 0..LOOKS {
            if attempt > 0 {
                self.ctx
                    .sleep(
                        "waiting for the shared private link's connection on its target",
                        PAUSE,
                    )
                    .await?;
            }
            let conns = arm.list(&self.ctx, &path, a.api_version).await?;
            found = link_connection(&conns, &a.request_message);
            if found.is_some() {
                break;
            }
        }
        let Some(conn) = found else {
            return Ok(Some(format!(
                "The shared private link {} has no private endpoint connection on {} yet, so the provider could not approve it; \
                 AI Search cannot use the link until it is approved. The next plan shows it; apply approves it, or approve it \
                 on the target (Networking > Private endpoint connections).",
                link.name, a.target_id
            )));
        };
        match conn.status.as_str() {
            s if s.eq_ignore_ascii_case("Approved") => Ok(None),
            s if s.eq_ignore_ascii_case("Pending") => {
                arm.put(&self.ctx, &conn.id, a.api_version, &approval_body(a))
                    .await?;
                Ok(None)
            }
            other => Ok(Some(format!(
                "The shared private link {}'s connection on {} is {other}; the provider leaves it alone and AI Search cannot use \
                 the link. Approve it on the target, or delete the connection ({}) and apply again to ask anew.",
                link.name, a.target_id, conn.id
            ))),
        }
    }
}
