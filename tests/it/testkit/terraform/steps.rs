//! The step model: config, import, hook and interrupt steps, and the `Case` that
//! runs them in order in one working dir.

use super::*;
use serde_json::Value;
use std::time::Duration;

/// Files of a configuration: `(file name, contents)`.
pub type Files = Vec<(String, String)>;

/// A config step: write the configuration, plan, apply, check, and require
/// an empty follow-up plan (with and without refresh).
pub struct ConfigStep {
    pub files: Files,
    pub checks: Vec<Check>,
    /// Checks on the pre-apply plan (plan_only: on the only plan).
    pub plan_checks: Vec<PlanCheck>,
    /// The plan or apply must fail with output matching this pattern (see
    /// [`text_matches`]); the step then passes and the state is unchanged.
    pub expect_error: Option<String>,
    pub expect_non_empty_plan: bool,
    /// Plan only (no apply); the plan must be empty unless
    /// `expect_non_empty_plan`.
    pub plan_only: bool,
}

impl ConfigStep {
    /// A step whose configuration is `main.tf` = `hcl`.
    pub fn new(hcl: impl Into<String>) -> ConfigStep {
        ConfigStep::from_files(vec![("main.tf".to_string(), hcl.into())])
    }

    pub fn from_files(files: Files) -> ConfigStep {
        ConfigStep {
            files,
            checks: Vec::new(),
            plan_checks: Vec::new(),
            expect_error: None,
            expect_non_empty_plan: false,
            plan_only: false,
        }
    }

    pub fn file(mut self, name: &str, contents: impl Into<String>) -> Self {
        self.files.push((name.to_string(), contents.into()));
        self
    }

    pub fn check(mut self, c: Check) -> Self {
        self.checks.push(c);
        self
    }

    pub fn checks(mut self, cs: impl IntoIterator<Item = Check>) -> Self {
        self.checks.extend(cs);
        self
    }

    pub fn plan_check(mut self, c: PlanCheck) -> Self {
        self.plan_checks.push(c);
        self
    }

    pub fn expect_error(mut self, pattern: &str) -> Self {
        self.expect_error = Some(pattern.to_string());
        self
    }

    pub fn expect_non_empty_plan(mut self) -> Self {
        self.expect_non_empty_plan = true;
        self
    }

    pub fn plan_only(mut self) -> Self {
        self.plan_only = true;
        self
    }
}

/// Where an import step gets the ID to import.
pub enum ImportId {
    Literal(String),
    /// An attribute (path as in [`lookup`]) of the resource in the state left
    /// by the previous steps (ImportStateIdFunc style); default: `id`.
    FromAttribute(String),
    /// Computed from the state document left by the previous steps.
    Func(ImportIdFn),
}

/// An import step: in a fresh working dir with the same configuration,
/// `terraform import ADDRESS ID`, then optionally compare the imported
/// attributes with the original ones (ImportStateVerify).
pub struct ImportStep {
    pub resource_address: String,
    pub id: ImportId,
    /// Configuration; default: that of the last successful config step.
    pub files: Option<Files>,
    pub verify: bool,
    /// Attribute path prefixes (flattened, dotted) skipped by `verify`.
    pub ignore: Vec<String>,
    /// Checks on the imported state.
    pub checks: Vec<Check>,
    pub expect_error: Option<String>,
    /// Re-import into the case's own working directory (`terraform state rm` of the
    /// address, then `terraform import`), then require that the next plan, with and
    /// without refresh, is empty: "the first plan after an import is empty".
    pub in_place: bool,
    /// With `in_place`: after `state rm`, `terraform apply` must fail with this pattern
    /// (a create that finds the object refuses to take it over) before the import.
    pub refused_create: Option<String>,
    /// With `in_place`: the address is not in state (a cut-off apply could not report
    /// it), so there is nothing to `state rm`; after the import, one `terraform apply`
    /// finishes what the cut-off apply did not create, and then the plan must be empty.
    pub after_cut_off: bool,
}

impl ImportStep {
    pub fn new(resource_address: &str) -> ImportStep {
        ImportStep {
            resource_address: resource_address.to_string(),
            id: ImportId::FromAttribute("id".to_string()),
            files: None,
            verify: false,
            ignore: Vec::new(),
            checks: Vec::new(),
            expect_error: None,
            in_place: false,
            refused_create: None,
            after_cut_off: false,
        }
    }

    /// See [`ImportStep::refused_create`].
    pub fn refused_create(mut self, pattern: &str) -> Self {
        self.in_place = true;
        self.refused_create = Some(pattern.to_string());
        self
    }

    /// See [`ImportStep::after_cut_off`].
    pub fn after_cut_off(mut self) -> Self {
        self.in_place = true;
        self.after_cut_off = true;
        self
    }

    /// See [`ImportStep::in_place`].
    pub fn in_place(mut self) -> Self {
        self.in_place = true;
        self
    }

    pub fn id(mut self, id: &str) -> Self {
        self.id = ImportId::Literal(id.to_string());
        self
    }

    pub fn id_from_attribute(mut self, path: &str) -> Self {
        self.id = ImportId::FromAttribute(path.to_string());
        self
    }

    pub fn id_fn(mut self, f: impl Fn(&Value) -> Result<String, String> + 'static) -> Self {
        self.id = ImportId::Func(Box::new(f));
        self
    }

    pub fn config(mut self, hcl: impl Into<String>) -> Self {
        self.files = Some(vec![("main.tf".to_string(), hcl.into())]);
        self
    }

    pub fn verify(mut self) -> Self {
        self.verify = true;
        self
    }

    pub fn ignore(mut self, prefix: &str) -> Self {
        self.ignore.push(prefix.to_string());
        self
    }

    pub fn check(mut self, c: Check) -> Self {
        self.checks.push(c);
        self
    }

    pub fn expect_error(mut self, pattern: &str) -> Self {
        self.expect_error = Some(pattern.to_string());
        self
    }
}

pub enum Step {
    Config(ConfigStep),
    Import(ImportStep),
    /// Code run between steps, e.g. changing Azure behind Terraform's back (drift).
    Hook(HookStep),
    /// An apply interrupted by SIGINT (Ctrl-C) part-way.
    Interrupt(InterruptStep),
}

/// A named action between steps.
pub struct HookStep {
    pub name: String,
    pub run: Box<dyn Fn() -> Result<(), String>>,
}

/// A step that runs `f` (for example to change a resource in the emulator).
pub fn hook_step(name: &str, f: impl Fn() -> Result<(), String> + 'static) -> HookStep {
    HookStep {
        name: name.to_string(),
        run: Box::new(f),
    }
}

impl From<HookStep> for Step {
    fn from(s: HookStep) -> Step {
        Step::Hook(s)
    }
}

/// What an interrupted apply left behind, for [`InterruptStep`] checks.
pub struct Interrupted {
    /// The interrupted `terraform apply` (its exit code and output).
    pub apply: TfOutput,
    /// From the start of the apply to the SIGINT.
    pub signalled_after: Duration,
    /// From the SIGINT to Terraform's exit.
    pub exit_after_signal: Duration,
    /// `terraform show -json` after the interrupted apply.
    pub state: Value,
    /// The raw `terraform.tfstate` as Terraform wrote it (Null when absent).
    pub state_file: Value,
    /// Whether Terraform wrote `errored.tfstate` (it could not persist the state).
    pub errored_state: bool,
}

/// A step that starts `terraform apply -auto-approve` on a configuration, polls `when`
/// while it runs, sends one SIGINT to Terraform's process group (as Ctrl-C in a terminal
/// does: Terraform and its providers) once `when` returns true, waits for Terraform to
/// exit, and runs `check` on what it left. A second SIGINT (which would make Terraform
/// abandon the providers) is never sent.
pub struct InterruptStep {
    pub files: Files,
    /// SIGINT to the group (Ctrl-C), or SIGKILL to the provider alone.
    pub how: Interruption,
    /// Polled every 50 ms while the apply runs; true = interrupt now.
    pub when: WhenFn,
    /// Fail when `when` is not true within this time.
    pub max_wait: Duration,
    pub check: InterruptedCheckFn,
}

/// How an [`InterruptStep`] cuts the apply off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interruption {
    /// One SIGINT to Terraform's process group, as Ctrl-C does.
    CtrlC,
    /// SIGKILL to the provider process only (`kill -9`): it can report nothing, and
    /// Terraform sees its plugin vanish.
    KillProvider,
}

/// When to interrupt (see [`InterruptStep`]).
pub type WhenFn = Box<dyn Fn() -> Result<bool, String>>;
/// A check on what an interrupted apply left.
pub type InterruptedCheckFn = Box<dyn Fn(&Interrupted) -> Result<(), String>>;

/// Shorthand for an [`InterruptStep`] on `main.tf` = `hcl` that interrupts once `when` is
/// true (within `max_wait`) and then runs `check`.
pub fn interrupt_step(
    hcl: impl Into<String>,
    max_wait: Duration,
    when: impl Fn() -> Result<bool, String> + 'static,
    check: impl Fn(&Interrupted) -> Result<(), String> + 'static,
) -> InterruptStep {
    InterruptStep {
        files: vec![("main.tf".to_string(), hcl.into())],
        how: Interruption::CtrlC,
        when: Box::new(when),
        max_wait,
        check: Box::new(check),
    }
}

impl InterruptStep {
    /// Kill the provider with SIGKILL instead of sending SIGINT.
    pub fn kill_provider(mut self) -> Self {
        self.how = Interruption::KillProvider;
        self
    }
}

impl From<InterruptStep> for Step {
    fn from(s: InterruptStep) -> Step {
        Step::Interrupt(s)
    }
}

impl Step {
    pub(super) fn kind(&self) -> &'static str {
        match self {
            Step::Config(s) if s.plan_only => "plan-only config",
            Step::Config(_) => "config",
            Step::Import(_) => "import",
            Step::Hook(_) => "hook",
            Step::Interrupt(_) => "interrupted apply",
        }
    }
}

impl From<ConfigStep> for Step {
    fn from(s: ConfigStep) -> Step {
        Step::Config(s)
    }
}

impl From<ImportStep> for Step {
    fn from(s: ImportStep) -> Step {
        Step::Import(s)
    }
}

/// Shorthand for [`ConfigStep::new`].
pub fn config_step(hcl: impl Into<String>) -> ConfigStep {
    ConfigStep::new(hcl)
}

/// Shorthand for [`ImportStep::new`] (ID from the resource's `id`).
pub fn import_step(resource_address: &str) -> ImportStep {
    ImportStep::new(resource_address)
}

/// A test case: steps run in order in one working dir, then `destroy`.
pub struct Case {
    pub name: String,
    pub steps: Vec<Step>,
    /// Run on the state document taken just before the post-test destroy.
    pub check_destroy: Option<CheckFn>,
    /// Skip (with a note) on older CLIs.
    pub min_version: Option<Version>,
    /// TF_LOG level for this case (AIFACTORY_TF_LOG overrides).
    pub tf_log: Option<String>,
    /// Extra environment for every terraform run (ARM_* settings for the emulator).
    pub env: Vec<(String, String)>,
}

impl Case {
    pub fn new(name: &str) -> Case {
        Case {
            name: name.to_string(),
            steps: Vec::new(),
            check_destroy: None,
            min_version: None,
            tf_log: None,
            env: Vec::new(),
        }
    }

    /// Sets an environment variable for every terraform run of this case.
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    /// Sets several environment variables (for example `EmulatorFixture::env()`).
    pub fn envs(mut self, vars: impl IntoIterator<Item = (String, String)>) -> Self {
        self.env.extend(vars);
        self
    }

    pub fn step(mut self, s: impl Into<Step>) -> Self {
        self.steps.push(s.into());
        self
    }

    pub fn min_version(mut self, v: Version) -> Self {
        self.min_version = Some(v);
        self
    }

    pub fn check_destroy(mut self, f: impl Fn(&Value) -> Result<(), String> + 'static) -> Self {
        self.check_destroy = Some(Box::new(f));
        self
    }

    pub fn tf_log(mut self, level: &str) -> Self {
        self.tf_log = Some(level.to_string());
        self
    }
}
