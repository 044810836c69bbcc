//! The AI Factory's templates, pure: ESML naming conventions and Azure name rules
//! (`naming`), and the project template that turns a project's inputs into the desired
//! Azure objects, role assignments, ACL entries and their order (`project`), the common
//! template for one stage's shared environment on the same desired-object model
//! (`common`), and the diagnostic settings both the project and the common part send to Log Analytics
//! (`diagnostics`), all on ARM's plain data (`arm`: resource IDs and api-versions).
//!
//! Must not know Terraform values or diagnostics (issues are typed, on attribute paths),
//! and does no I/O.
pub mod arm;
pub mod common;
pub mod diagnostics;
pub mod naming;
pub mod nsg;
pub mod project;
