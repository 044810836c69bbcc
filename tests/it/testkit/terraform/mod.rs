//! Acceptance-test harness: drives the real Terraform CLI against the freshly
//! built provider binary, offline, following terraform-plugin-testing's step
//! model (config steps, import steps, post-test destroy).
//!
//! Split by concern: [`cli`] (versions, lookup, installing 1.0.3), [`provider_mirror`] (the
//! provider's filesystem mirror), [`process`] (running terraform), [`workspace`]
//! (working dirs and config files), [`steps`] (the step model), [`checks`] (state and plan
//! checks), [`json`] (`show -json` navigation), [`text`] (output matching), [`failure`],
//! [`runner`] (running a case) and [`examples`] (`examples/` as cases).
//!
//! Environment knobs (all optional):
//! - `AIFACTORY_TF_1_0_3`: path of a Terraform 1.0.3 binary. Default:
//!   `.cache/terraform/1.0.3/terraform`, installed on demand by
//!   `scripts/install-terraform.sh`.
//! - `AIFACTORY_TF_LATEST`: path of the "newest" Terraform. Default: `terraform`
//!   on `PATH`; skipped (with a note) when absent or when it is 1.0.3 too.
//! - `AIFACTORY_TF_LOG=<level>`: sets `TF_LOG` for every terraform run; the log
//!   goes to `AIFACTORY_TF_LOG_PATH` or to `<working dir>/terraform.log`.
//! - `AIFACTORY_KEEP_WORKDIR=1`: keep (and print) every working directory.
//! - `AIFACTORY_TF_PARALLEL=<n>`: concurrent terraform processes per test
//!   process (default 2; `scripts/test.sh` runs with 4, and 4 test threads, as the
//!   acceptance tests mostly wait).
//! - `AIFACTORY_TF_TIMEOUT=<seconds>`: per-command timeout (default 300).

// The harness is an API: some builders and checks (e.g. `no_attr`, `ConfigStep::file`,
// `apply_example_dir`) are kept for suites to use even when none does today.
#![allow(dead_code)]

pub mod checks;
pub mod cli;
pub mod examples;
pub mod failure;
pub mod json;
pub mod process;
pub mod provider_mirror;
pub mod runner;
pub mod steps;
pub mod text;
pub mod workspace;

#[cfg(test)]
mod tests;

pub use checks::*;
pub use cli::*;
pub use examples::*;
pub use failure::*;
pub use json::*;
#[allow(unused_imports)]
pub use process::*;
#[allow(unused_imports)]
pub use provider_mirror::*;
pub use runner::*;
pub use steps::*;
pub use text::*;
#[allow(unused_imports)]
pub use workspace::*;

/// Registry address the provider is installed under (matches
/// `source = "aifactory/aifactory"`).
pub const PROVIDER_HOST: &str = "registry.terraform.io";
pub const PROVIDER_NAMESPACE: &str = "aifactory";
pub const PROVIDER_TYPE: &str = "aifactory";
pub const PROVIDER_VERSION: &str = env!("CARGO_PKG_VERSION");
const PROVIDER_BINARY: &str = env!("CARGO_BIN_EXE_terraform-provider-aifactory");
const REPO_ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The oldest Terraform CLI the provider supports.
pub const OLDEST: Version = Version::new(1, 0, 3);
/// Provider-defined functions need Terraform 1.8.
pub const FUNCTIONS_MIN: Version = Version::new(1, 8, 0);

/// `terraform { required_providers { … } }` plus an empty provider block.
pub const PROVIDER_PREAMBLE: &str = r#"terraform {
  required_providers {
    aifactory = {
      source = "aifactory/aifactory"
    }
  }
}

provider "aifactory" {}
"#;
