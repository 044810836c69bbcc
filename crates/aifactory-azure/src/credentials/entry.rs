//! One configured method of the credential chain and its state (a leaf shared by the chain
//! and its builder; knows no settings and does no I/O).

use std::sync::Arc;

use azure_core::credentials::TokenCredential;

/// Whether a method can be tried.
pub(crate) enum EntryState {
    /// Its inputs are absent (the reason names the missing variables).
    Skipped(String),
    /// Its inputs are present but unusable (unreadable file, bad certificate, ...).
    Broken(String),
    Ready(Arc<dyn TokenCredential>),
}

/// A method of the chain, by its report name (`super::method`).
pub(crate) struct Entry {
    pub(crate) method: &'static str,
    pub(crate) state: EntryState,
}
