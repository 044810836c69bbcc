//! ARM's plain data every template shares: resource IDs (`ids`: parsing and building them)
//! and [`ApiType`] (a resource type with its api-version and where it was confirmed). The
//! bottom leaf of the crate: imports nothing from `project`, `common` or `diagnostics`, so
//! all of them take these from here; must not know any service or its versions.

pub(crate) mod api_type;
pub mod ids;

pub use api_type::ApiType;
