//! Managed resources: thin translations between Terraform values and the pure cores
//! (and, for Azure-backed ones, the Azure client layer). One file per resource, its
//! tests beside it.
//!
//! Owns: the registry of resource modules and the helpers the resources share (Azure
//! errors as diagnostics, responses that keep state). Must not touch: the plugin
//! protocol, or any one resource's attributes.
pub mod address_map;
pub mod arm_resource;
pub mod common;
pub mod datalake_acl;
pub(crate) mod ids;
pub mod project;
pub mod project_names;
pub mod subnet_allocation;

use crate::framework::{resource::StateResponse, AttrPath, Diagnostics, FromValue, Value};

/// An Azure failure as an error diagnostic on the resource: what was being done, Azure's
/// summary, and the detail (codes, correlation id, the fix where known).
pub(crate) fn azure_error(diags: &mut Diagnostics, what: &str, e: &aifactory_azure::AzureError) {
    diags.error(
        AttrPath::root(),
        format!("{what}: {}", e.summary()),
        e.detail(),
    );
}

/// A response that keeps `state` and reports `diags`.
pub(crate) fn keep(state: Value, private: Value, diags: Diagnostics) -> StateResponse {
    StateResponse {
        state,
        private,
        diags,
    }
}

/// `value` decoded into a model (`Option<M>` for a state that may be null), or a response
/// that keeps it and says on which attribute it does not fit.
pub(crate) fn decode_or_keep<M: FromValue>(
    value: &Value,
    private: &Value,
) -> Result<M, StateResponse> {
    M::decode(value).map_err(|e| {
        let mut diags = Diagnostics::new();
        diags.push(e.to_diagnostic());
        keep(value.clone(), private.clone(), diags)
    })
}
