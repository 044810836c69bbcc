//! [`ApiType`]: one resource type the project writes, with its api-version and where that
//! version was confirmed. A leaf: imports nothing from `project`, so each service
//! descriptor (`services/*`) and `api`, which re-exports the descriptors' types, take it
//! from here; must not hold the versions themselves (those are in `services/*` and `api`).

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
