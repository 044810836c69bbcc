//! Managed resources: thin translations between Terraform values and the pure cores
//! (and, for Azure-backed ones, the Azure client layer). One file per resource, its
//! tests beside it.
pub mod arm_resource;
pub mod datalake_acl;
pub mod project;
pub mod project_names;
pub mod subnet_allocation;

use crate::framework::{AttrPath, Diagnostics};

/// An Azure failure as an error diagnostic on the resource: what was being done, Azure's
/// summary, and the detail (codes, correlation id, the fix where known).
pub(crate) fn azure_error(diags: &mut Diagnostics, what: &str, e: &aifactory_azure::AzureError) {
    diags.error(
        AttrPath::root(),
        format!("{what}: {}", e.summary()),
        e.detail(),
    );
}
