//! The seed file format (`--seed FILE`, `POST /_emulator/seed`, `EmulatorConfig::with_*`).
//!
//! Owns the serde shapes of seeds and their validation into directory entries; applying
//! seeded ARM resources goes through the ARM layer (`arm::apply_seed_resource`). Must not
//! talk HTTP.
//!
//! ```json
//! {
//!   "tenants": [{"id": "<guid>", "domains": ["contoso.onmicrosoft.com"]}],
//!   "subscriptions": [{"id": "<guid>", "tenant": "<tenant guid>", "display_name": "dev"}],
//!   "principals": [
//!     {"kind": "app", "client_id": "<guid>", "object_id": "<guid>", "secrets": ["s3cret"],
//!      "federated_credentials": [{"issuer": "https://token.actions.githubusercontent.com",
//!                                 "subject": "repo:org/repo:ref:refs/heads/main",
//!                                 "audiences": ["api://AzureADTokenExchange"]}],
//!      "certificates": ["-----BEGIN CERTIFICATE-----\n..."], "new_for_secs": 30},
//!     {"kind": "managed_identity", "client_id": "<guid>", "object_id": "<guid>",
//!      "resource_id": "/subscriptions/../userAssignedIdentities/id1"},
//!     {"kind": "user", "object_id": "<guid>", "user_principal_name": "a@contoso.com"},
//!     {"kind": "group", "object_id": "<guid>"},
//!     {"kind": "service_principal", "object_id": "<guid>"}
//!   ],
//!   "resources": [
//!     {"id": "/subscriptions/<s>/resourceGroups/rg1", "body": {"location": "westeurope"}},
//!     {"id": "/subscriptions/<s>/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/v1",
//!      "body": {"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}}}
//!   ],
//!   "filesystems": [{"account": "st1", "name": "data", "directories": ["raw/in"]}]
//! }
//! ```
//! A principal's `tenant` defaults to the first tenant; `object_id` defaults to a GUID
//! derived from the client id (or random). Resources are applied in order with the same
//! validation as an ARM PUT (parents first), but synchronously.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A whole seed document. Every list is optional.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Seed {
    pub tenants: Vec<TenantSeed>,
    pub subscriptions: Vec<SubscriptionSeed>,
    pub principals: Vec<PrincipalSeed>,
    pub resources: Vec<ResourceSeed>,
    pub filesystems: Vec<FilesystemSeed>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct TenantSeed {
    pub id: String,
    /// Extra names accepted in the token URL (`/{domain}/oauth2/v2.0/token`).
    pub domains: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct SubscriptionSeed {
    pub id: String,
    /// Owning tenant; defaults to the first tenant.
    pub tenant: Option<String>,
    pub display_name: Option<String>,
}

/// What kind of directory object a principal is.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PrincipalKind {
    /// App registration + its service principal: can get tokens with secrets/certs/federation.
    #[default]
    App,
    /// A service principal without credentials here (e.g. an enterprise app).
    ServicePrincipal,
    /// A managed identity: tokens from the MSI endpoint.
    ManagedIdentity,
    User,
    Group,
}

impl PrincipalKind {
    /// `principalType` as role assignments report it.
    pub fn principal_type(self) -> &'static str {
        match self {
            PrincipalKind::App
            | PrincipalKind::ServicePrincipal
            | PrincipalKind::ManagedIdentity => "ServicePrincipal",
            PrincipalKind::User => "User",
            PrincipalKind::Group => "Group",
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct PrincipalSeed {
    pub kind: PrincipalKind,
    pub tenant: Option<String>,
    pub client_id: Option<String>,
    pub object_id: Option<String>,
    pub display_name: Option<String>,
    pub user_principal_name: Option<String>,
    pub secrets: Vec<String>,
    pub federated_credentials: Vec<FederatedCredential>,
    /// PEM certificates (public part) whose keys may sign client assertions.
    pub certificates: Vec<String>,
    /// ARM id of a user-assigned managed identity (`mi_res_id` / `msi_res_id`).
    pub resource_id: Option<String>,
    /// Marks the principal as freshly created: role assignments without `principalType`
    /// get 400 `PrincipalNotFound` for this many seconds (replication delay).
    pub new_for_secs: Option<u64>,
    /// Shorthand for `new_for_secs` = the settings' `principal_new_secs`.
    pub new: bool,
}

/// A federated identity credential on an app (workload identity federation).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct FederatedCredential {
    pub name: Option<String>,
    pub issuer: String,
    pub subject: String,
    /// Defaults to `["api://AzureADTokenExchange"]`.
    pub audiences: Vec<String>,
}

/// An ARM resource to create at start (validated like a PUT, applied synchronously).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ResourceSeed {
    pub id: String,
    pub body: Value,
}

/// A DFS filesystem (and directories) in a storage account that must already be seeded.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct FilesystemSeed {
    pub account: String,
    pub name: String,
    pub directories: Vec<String>,
}

impl Seed {
    /// Parses a seed document.
    pub fn from_json(text: &str) -> Result<Seed, crate::error::EmulatorError> {
        serde_json::from_str(text).map_err(|source| crate::error::EmulatorError::Json {
            what: "seed",
            source,
        })
    }

    /// Appends another seed's entries.
    pub fn merge(&mut self, other: Seed) {
        self.tenants.extend(other.tenants);
        self.subscriptions.extend(other.subscriptions);
        self.principals.extend(other.principals);
        self.resources.extend(other.resources);
        self.filesystems.extend(other.filesystems);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_documented_shape() {
        let s = Seed::from_json(
            r#"{"tenants":[{"id":"t"}],"subscriptions":[{"id":"s"}],
                "principals":[{"kind":"managed_identity","client_id":"c"},{"kind":"user","object_id":"u","new":true}],
                "resources":[{"id":"/subscriptions/s/resourceGroups/rg","body":{"location":"x"}}]}"#,
        );
        let s = s.unwrap();
        assert_eq!(s.principals[0].kind, PrincipalKind::ManagedIdentity);
        assert!(s.principals[1].new);
        assert_eq!(s.resources.len(), 1);
    }

    #[test]
    fn rejects_unknown_fields() {
        assert!(Seed::from_json(r#"{"tenantz":[]}"#).is_err());
    }
}
