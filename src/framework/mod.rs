//! Provider-facing building blocks that do not depend on any plugin crate:
//! dynamic values ([`value`]), attribute paths and diagnostics ([`diag`]),
//! schemas ([`schema`]) and the traits resources and functions implement ([`resource`]).
//!
//! Owns: the vocabulary every resource speaks. Must not touch: `tf_provider` types
//! (those live only in `crate::tfplugin`), I/O, Azure.
pub mod diag;
pub mod model;
pub mod num;
pub mod resource;
pub mod schema;
pub mod value;

pub use diag::{AttrPath, Diagnostic, Diagnostics, Severity, Step, ToDiagnostic};
pub use model::{FromValue, ModelError, Tf, ToValue};
pub use num::Num;
pub use resource::{DataSource, Function, FunctionError, PlanRequest, PlanResponse, Resource};
pub use schema::{Attribute, Nesting, Schema, Type};
pub use value::Value;
