//! [`ApiType`]: one resource type a template writes, with its api-version and where that
//! version was confirmed. A leaf: imports nothing from the templates, so each service
//! descriptor (`project/services/*`), `project::api` (which re-exports the descriptors'
//! types), the common template and `diagnostics` take it from here; must not hold the
//! versions themselves (those are in `project/services/*` and `project::api`).

/// One resource type the project writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiType {
    pub resource_type: &'static str,
    pub api_version: &'static str,
    /// Does PUT run as a long-running operation (`x-ms-long-running-operation`)?
    pub lro: bool,
    /// Where the version was confirmed.
    pub spec: &'static str,
}
