//! Soft delete of Key Vaults (`Microsoft.KeyVault/vaults`) and Cognitive Services / AI
//! Services accounts (`Microsoft.CognitiveServices/accounts`).
//!
//! A DELETE (direct, or a resource group's cascade) keeps such a resource here until its
//! scheduled purge date (vaults: `softDeleteRetentionInDays`, default 90 days; accounts:
//! 48 hours) or a purge. While it is here its name is taken: a PUT without
//! `properties.createMode = "recover"` (vaults) / `properties.restore = true` (accounts)
//! fails with 409, a PUT with it brings the resource back. Endpoints:
//!
//! | method + path (under `/subscriptions/{s}/providers/`) | |
//! |---|---|
//! | `GET Microsoft.KeyVault/deletedVaults` | list |
//! | `GET Microsoft.KeyVault/locations/{loc}/deletedVaults/{name}` | get (404 when none) |
//! | `POST Microsoft.KeyVault/locations/{loc}/deletedVaults/{name}/purge` | purge: 202 + `Location`; 409 with purge protection |
//! | `GET Microsoft.CognitiveServices/deletedAccounts` | list |
//! | `GET\|DELETE Microsoft.CognitiveServices/locations/{loc}/resourceGroups/{rg}/deletedAccounts/{name}` | get / purge (202 + `Azure-AsyncOperation`) |
//!
//! Owns the soft-deleted items and these endpoints; the generic lifecycle (`arm`) calls
//! [`retain`] with what a delete removed and [`prepare_put`] before creating. Must not touch
//! live resources.
//!
//! `record` holds the items (a leaf below `state`), `lifecycle` what deletes, PUTs and the
//! clock do to them, `endpoints` the wire; each imports only the ones before it.

pub mod endpoints;
pub mod lifecycle;
pub mod record;

pub use endpoints::route;
pub use lifecycle::{complete_purge, expire, is_soft_deleted, prepare_put, retain};
pub use record::{deleted_item, Deleted, Kind, SoftDeleted};
