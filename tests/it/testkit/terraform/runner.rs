//! The case runner: runs a `Case` on one CLI (init, plan, apply, checks, empty plans,
//! import, interrupt, destroy) and on every discovered CLI.

use super::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::{Duration, Instant};

struct CaseRun<'a> {
    case: &'a Case,
    tf: Runner<'a>,
    dir: WorkDir,
    initialized: bool,
    /// Config of the last config step that applied successfully.
    last_good: Option<Files>,
    /// State after the last successful apply.
    last_state: Option<Value>,
}

/// Runs `case` against `cli`. Skips (Ok(Skipped)) when the CLI is older than
/// the case's `min_version`.
pub fn run_case(cli: &Cli, case: &Case) -> Result<Outcome, CaseError> {
    if let Some(min) = case.min_version {
        if cli.version < min {
            let why = format!(
                "case `{}` needs Terraform >= {min}; skipped on {}",
                case.name,
                cli.label()
            );
            eprintln!("note: {why}");
            return Ok(Outcome::Skipped(why));
        }
    }
    let label = format!("{}-{}", case.name, cli.version);
    let dir = WorkDir::new(&label).map_err(|e| CaseError {
        case: case.name.clone(),
        cli: cli.label(),
        workdir: PathBuf::new(),
        failures: vec![Failure::plain(
            "",
            format!("cannot create working dir: {e}"),
        )],
    })?;
    let tf_log = std::env::var("AIFACTORY_TF_LOG")
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| case.tf_log.clone());
    let log_path = tf_log.as_ref().map(|_| {
        std::env::var_os("AIFACTORY_TF_LOG_PATH")
            .map(PathBuf::from)
            .unwrap_or_else(|| dir.path.join("terraform.log"))
    });
    if let Some(p) = &log_path {
        eprintln!(
            "note: TF_LOG for `{}` on {} goes to {}",
            case.name,
            cli.label(),
            p.display()
        );
    }
    let timeout = Duration::from_secs(env_parse("AIFACTORY_TF_TIMEOUT").unwrap_or(300));
    let mut run = CaseRun {
        case,
        tf: Runner {
            cli,
            mirror: mirror(),
            tf_log,
            log_path,
            timeout,
            env: case.env.clone(),
        },
        dir,
        initialized: false,
        last_good: None,
        last_state: None,
    };
    let started = Instant::now();
    let mut failures = Vec::new();
    let total = case.steps.len();
    for (i, step) in case.steps.iter().enumerate() {
        let result = match step {
            Step::Config(s) => run.config_step(s),
            Step::Import(s) => run.import_step(s),
            Step::Hook(h) => {
                (h.run)().map_err(|e| Failure::plain("", format!("hook `{}`: {e}", h.name)))
            }
            Step::Interrupt(s) => run.interrupt_step(s),
        };
        if let Err(mut f) = result {
            f.context = format!("step {}/{total} ({})", i + 1, step.kind());
            failures.push(f);
            break;
        }
    }
    // Always clean up, like plugin-testing's deferred destroy.
    if let Err(mut f) = run.destroy() {
        f.context = "post-test destroy".to_string();
        failures.push(f);
    }
    eprintln!(
        "{}: case `{}` on {} in {:.1?}",
        if failures.is_empty() { "ok" } else { "FAILED" },
        case.name,
        cli.label(),
        started.elapsed()
    );
    if failures.is_empty() {
        Ok(Outcome::Passed)
    } else {
        Err(CaseError {
            case: case.name.clone(),
            cli: cli.label(),
            workdir: run.dir.path.clone(),
            failures,
        })
    }
}

/// Runs `case` on every discovered CLI; panics listing every failure.
pub fn run_on_all_clis(case: &Case) {
    let clis = clis();
    let mut failures = Vec::new();
    let mut passed = 0;
    for cli in &clis {
        match run_case(cli, case) {
            Ok(Outcome::Passed) => passed += 1,
            Ok(Outcome::Skipped(_)) => {}
            Err(e) => failures.push(e),
        }
    }
    if passed == 0 && failures.is_empty() {
        eprintln!(
            "note: case `{}` ran on no CLI (all {} skipped)",
            case.name,
            clis.len()
        );
    }
    if !failures.is_empty() {
        let mut msg = format!(
            "case `{}` failed on {} of {} CLI(s):\n",
            case.name,
            failures.len(),
            clis.len()
        );
        for e in &failures {
            msg.push('\n');
            msg.push_str(&e.to_string());
        }
        panic!("{msg}");
    }
}

#[cfg(unix)]
const INTERRUPT: i32 = libc::SIGINT;
#[cfg(unix)]
const KILL: i32 = libc::SIGKILL;

/// Sends `signal` to the process group led by `pid` (see [`Runner::spawn`]).
#[cfg(unix)]
fn kill_group(pid: u32, signal: i32) -> io::Result<()> {
    let pgid = libc::pid_t::try_from(pid).map_err(|_| io::Error::other("pid out of range"))?;
    // SAFETY: kill has no memory effects; the group is one this harness started (its
    // leader is our child, not yet reaped, so the id cannot have been reused).
    if unsafe { libc::kill(-pgid, signal) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// SIGKILL to every provider process (`terraform-provider-aifactory*`) in the process
/// group led by `pid`: the provider dies without a word, Terraform lives on.
#[cfg(unix)]
fn kill_providers_in_group(pid: u32) -> io::Result<()> {
    let mut killed = 0;
    for entry in fs::read_dir("/proc")?.flatten() {
        let Some(p) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<libc::pid_t>().ok())
        else {
            continue;
        };
        let Ok(stat) = fs::read_to_string(format!("/proc/{p}/stat")) else {
            continue;
        };
        // `pid (comm) state ppid pgrp ...`; comm may hold spaces, so split after ')'.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let comm = &stat[open + 1..close];
        let pgrp = stat[close + 1..].split_whitespace().nth(2);
        if comm.starts_with("terraform-provi") && pgrp == Some(&pid.to_string()) {
            // SAFETY: kill has no memory effects; the process is in a group this harness
            // started and is still running (read from /proc just now).
            if unsafe { libc::kill(p, KILL) } == 0 {
                killed += 1;
            }
        }
    }
    if killed == 0 {
        return Err(io::Error::other("no provider process in the group"));
    }
    Ok(())
}

/// Outcome of a command that may be expected to fail.
enum Expected {
    /// It failed as expected; the step is done.
    MatchedError,
    Continue,
}

fn check_expected_error(out: &TfOutput, expect: Option<&str>) -> Result<Expected, Failure> {
    match (out.success(), expect) {
        (true, _) => Ok(Expected::Continue),
        (false, Some(pattern)) if !out.timed_out => {
            if text_matches(&out.combined(), pattern) {
                Ok(Expected::MatchedError)
            } else {
                Err(Failure::command(
                    out,
                    format!("failed as expected, but the output does not match {pattern:?}"),
                ))
            }
        }
        (false, _) => Err(Failure::command(out, describe_exit(out))),
    }
}

fn run_checks(checks: &[Check], state: &Value, what: &str) -> Result<(), Failure> {
    let errors: Vec<String> = checks
        .iter()
        .filter_map(|c| {
            c.run(state)
                .err()
                .map(|e| format!("check `{}`: {e}", c.description))
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        let mut msg = format!(
            "{} of {} {what} check(s) failed:\n",
            errors.len(),
            checks.len()
        );
        msg.push_str(&errors.join("\n"));
        msg.push_str(&format!("\n{what} document:\n{}", pretty_tail(state)));
        Err(Failure::plain("", msg))
    }
}

fn pretty_tail(v: &Value) -> String {
    let s = serde_json::to_string_pretty(v).unwrap_or_default();
    tail(&s, 120)
}

fn state_is_empty(state: &Value) -> bool {
    resource_addresses(state).is_empty()
}

impl CaseRun<'_> {
    fn path(&self) -> &Path {
        &self.dir.path
    }

    fn init(&mut self, dir: &Path) -> Result<TfOutput, Failure> {
        self.tf.run(dir, &["init", "-no-color", "-input=false"])
    }

    fn config_step(&mut self, step: &ConfigStep) -> Result<(), Failure> {
        let expect = step.expect_error.as_deref();
        self.dir.write_config(&step.files)?;
        if !self.initialized {
            let dir = self.path().to_path_buf();
            let out = self.init(&dir)?;
            if let Expected::MatchedError = check_expected_error(&out, expect)? {
                return Ok(());
            }
            self.initialized = true;
        }
        let dir = self.path().to_path_buf();

        if step.plan_only {
            let out = self.tf.run(
                &dir,
                &[
                    "plan",
                    "-no-color",
                    "-input=false",
                    "-detailed-exitcode",
                    "-out=tfplan",
                ],
            )?;
            if out.code != Some(2) {
                if let Expected::MatchedError = check_expected_error(&out, expect)? {
                    return Ok(());
                }
            }
            if expect.is_some() {
                return Err(Failure::command(
                    &out,
                    "expected an error, but the plan succeeded",
                ));
            }
            self.plan_checks(step, &out)?;
            if !step.checks.is_empty() {
                let state = self.tf.show_json(&dir, None)?;
                run_checks(&step.checks, &state, "state")?;
            }
            let _ = fs::remove_file(dir.join("tfplan"));
            return match (out.code, step.expect_non_empty_plan) {
                (Some(2), false) => Err(Failure::command(
                    &out,
                    "Expected an empty plan, but got a non-empty plan",
                )),
                (Some(0), true) => Err(Failure::command(
                    &out,
                    "Expected a non-empty plan, but got an empty plan",
                )),
                _ => Ok(()),
            };
        }

        let plan = self
            .tf
            .run(&dir, &["plan", "-no-color", "-input=false", "-out=tfplan"])?;
        if let Expected::MatchedError = check_expected_error(&plan, expect)? {
            return Ok(());
        }
        self.plan_checks(step, &plan)?;
        let apply = self
            .tf
            .run(&dir, &["apply", "-no-color", "-input=false", "tfplan"])?;
        let _ = fs::remove_file(dir.join("tfplan"));
        if let Expected::MatchedError = check_expected_error(&apply, expect)? {
            return Ok(());
        }
        if expect.is_some() {
            return Err(Failure::command(
                &apply,
                "expected an error, but plan and apply succeeded",
            ));
        }
        self.last_good = Some(step.files.clone());
        let state = self.tf.show_json(&dir, None)?;
        self.last_state = Some(state.clone());
        run_checks(&step.checks, &state, "state")?;

        let mut non_empty = Vec::new();
        for (args, what) in [
            (
                &[
                    "plan",
                    "-no-color",
                    "-input=false",
                    "-refresh=false",
                    "-detailed-exitcode",
                ][..],
                "non-refresh",
            ),
            (
                &["plan", "-no-color", "-input=false", "-detailed-exitcode"][..],
                "refresh",
            ),
        ] {
            let out = self.tf.run(&dir, args)?;
            match out.code {
                Some(0) => {}
                Some(2) if step.expect_non_empty_plan => non_empty.push(what),
                Some(2) => {
                    return Err(Failure::command(
                        &out,
                        format!("After applying this test step, the {what} plan was not empty."),
                    ))
                }
                _ => return Err(Failure::command(&out, describe_exit(&out))),
            }
        }
        if step.expect_non_empty_plan && non_empty.is_empty() {
            return Err(Failure::plain(
                "terraform plan -detailed-exitcode",
                "Expected a non-empty plan, but got an empty plan",
            ));
        }
        Ok(())
    }

    fn interrupt_step(&mut self, step: &InterruptStep) -> Result<(), Failure> {
        self.dir.write_config(&step.files)?;
        let dir = self.path().to_path_buf();
        if !self.initialized {
            let out = self.init(&dir)?;
            if !out.success() {
                return Err(Failure::command(&out, describe_exit(&out)));
            }
            self.initialized = true;
        }
        let args = ["apply", "-no-color", "-input=false", "-auto-approve"];
        let command = format!("terraform {}", args.join(" "));
        let _permit = permit();
        let start = Instant::now();
        let mut child = self.tf.spawn(&dir, &args).map_err(|e| Failure {
            message: format!("cannot start {}: {e}", self.tf.cli.path.display()),
            ..Failure::new(command.clone())
        })?;
        let pid = child.id();
        let (out_reader, err_reader) = pipe_readers(&mut child);
        let finish = |child: &mut Child, timed_out: bool| {
            let status = child.wait().ok();
            let stdout =
                String::from_utf8_lossy(&out_reader.join().unwrap_or_default()).into_owned();
            let stderr =
                String::from_utf8_lossy(&err_reader.join().unwrap_or_default()).into_owned();
            TfOutput {
                args: args.iter().map(|s| s.to_string()).collect(),
                code: if timed_out {
                    None
                } else {
                    status.and_then(|s| s.code())
                },
                stdout,
                stderr,
                elapsed: start.elapsed(),
                timed_out,
            }
        };
        // Wait for the moment to interrupt.
        let mut when_error = None;
        let signalled = loop {
            match (step.when)() {
                Ok(true) => break true,
                Ok(false) => {}
                Err(e) => {
                    when_error = Some(e);
                    break false;
                }
            }
            if let Ok(Some(_)) = child.try_wait() {
                let out = finish(&mut child, false);
                return Err(Failure::command(
                    &out,
                    "terraform apply ended before the moment to interrupt it",
                ));
            }
            if start.elapsed() > step.max_wait {
                break false;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        if !signalled {
            let _ = kill_group(pid, KILL);
            let out = finish(&mut child, true);
            let why = when_error.unwrap_or_else(|| {
                format!(
                    "the moment to interrupt did not come within {:?}",
                    step.max_wait
                )
            });
            return Err(Failure::command(&out, why));
        }
        let signalled_after = start.elapsed();
        let sent = Instant::now();
        let signal = match step.how {
            Interruption::CtrlC => kill_group(pid, INTERRUPT),
            Interruption::KillProvider => kill_providers_in_group(pid),
        };
        if let Err(e) = signal {
            let _ = kill_group(pid, KILL);
            let out = finish(&mut child, true);
            return Err(Failure::command(
                &out,
                format!("cannot interrupt ({:?}): {e}", step.how),
            ));
        }
        // One SIGINT only; if Terraform never exits, kill it (a failure).
        let mut timed_out = false;
        let exit_after_signal = loop {
            match child.try_wait() {
                Ok(Some(_)) | Err(_) => break sent.elapsed(),
                Ok(None) => {}
            }
            if sent.elapsed() > self.tf.timeout {
                timed_out = true;
                let _ = kill_group(pid, KILL);
                break sent.elapsed();
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let apply = finish(&mut child, timed_out);
        drop(_permit);
        if timed_out {
            return Err(Failure::command(
                &apply,
                format!(
                    "terraform did not exit within {:?} of SIGINT",
                    self.tf.timeout
                ),
            ));
        }
        let errored_state = dir.join("errored.tfstate").exists();
        let state_file = fs::read_to_string(dir.join("terraform.tfstate"))
            .ok()
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or(Value::Null);
        let state = self.tf.show_json(&dir, None)?;
        let it = Interrupted {
            apply,
            signalled_after,
            exit_after_signal,
            state,
            state_file,
            errored_state,
        };
        eprintln!(
            "note: `{}` on {}: {:?} {:.1?} into the apply; Terraform exited {:.2?} later (code {:?})",
            self.case.name,
            self.tf.cli.label(),
            step.how,
            it.signalled_after,
            it.exit_after_signal,
            it.apply.code
        );
        (step.check)(&it).map_err(|e| {
            Failure::command(&it.apply, format!("after the interrupted apply: {e}"))
        })?;
        self.last_state = Some(it.state.clone());
        Ok(())
    }

    fn plan_checks(&self, step: &ConfigStep, plan_out: &TfOutput) -> Result<(), Failure> {
        if step.plan_checks.is_empty() {
            return Ok(());
        }
        let json = if step.plan_checks.iter().any(|c| c.needs_json) {
            self.tf.show_json(self.path(), Some("tfplan"))?
        } else {
            Value::Null
        };
        let plan = Plan {
            text: plan_out.stdout.clone(),
            json,
        };
        let errors: Vec<String> = step
            .plan_checks
            .iter()
            .filter_map(|c| {
                (c.f)(&plan)
                    .err()
                    .map(|e| format!("plan check `{}`: {e}", c.description))
            })
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Failure::command(
                plan_out,
                format!(
                    "{} of {} plan check(s) failed:\n{}",
                    errors.len(),
                    step.plan_checks.len(),
                    errors.join("\n")
                ),
            ))
        }
    }

    fn import_step(&mut self, step: &ImportStep) -> Result<(), Failure> {
        let addr = step.resource_address.as_str();
        let files =
            match (&step.files, &self.last_good) {
                (Some(f), _) | (None, Some(f)) => f.clone(),
                (None, None) => return Err(Failure::plain(
                    "",
                    "an import step needs a configuration (or a previous successful config step)",
                )),
            };
        let id = match &step.id {
            ImportId::Literal(s) => s.clone(),
            ImportId::FromAttribute(path) => {
                let state = self.last_state.as_ref().ok_or_else(|| {
                    Failure::plain(
                        "",
                        "no state from a previous step to take the import ID from",
                    )
                })?;
                let values = resource_values(state, addr).map_err(|e| Failure::plain("", e))?;
                match lookup(values, path) {
                    Some(Value::String(s)) => s,
                    Some(other) => other.to_string(),
                    None => {
                        return Err(Failure::plain(
                            "",
                            format!("{addr}: {path} is not set; cannot import by it"),
                        ))
                    }
                }
            }
            ImportId::Func(f) => {
                let state = self.last_state.clone().unwrap_or(Value::Null);
                f(&state).map_err(|e| Failure::plain("", format!("import ID function: {e}")))?
            }
        };

        if step.in_place {
            return self.import_in_place(step, addr, &id);
        }
        let dir = WorkDir::new(&format!(
            "{}-import-{}",
            self.case.name, self.tf.cli.version
        ))
        .map_err(|e| Failure::plain("", format!("cannot create import working dir: {e}")))?;
        dir.write_config(&files)?;
        let init = self.init(&dir.path.clone())?;
        if !init.success() {
            return Err(Failure::command(&init, describe_exit(&init)));
        }
        let out = self.tf.run(
            &dir.path,
            &["import", "-no-color", "-input=false", addr, &id],
        )?;
        if let Expected::MatchedError = check_expected_error(&out, step.expect_error.as_deref())? {
            return Ok(());
        }
        if step.expect_error.is_some() {
            return Err(Failure::command(
                &out,
                "expected an error, but the import succeeded",
            ));
        }
        let imported = self.tf.show_json(&dir.path, None)?;
        run_checks(&step.checks, &imported, "imported state")?;
        if !step.verify {
            return Ok(());
        }
        let original = self.last_state.as_ref().ok_or_else(|| {
            Failure::plain("", "verify needs the state of a previous config step")
        })?;
        let before = resource_values(original, addr).map_err(|e| Failure::plain("", e))?;
        let after = resource_values(&imported, addr)
            .map_err(|e| Failure::plain("", format!("after import: {e}")))?;
        let skip = |k: &str| {
            k.starts_with("timeouts") || step.ignore.iter().any(|p| k.starts_with(p.as_str()))
        };
        let a: BTreeMap<_, _> = flatten(before)
            .into_iter()
            .filter(|(k, _)| !skip(k))
            .collect();
        let b: BTreeMap<_, _> = flatten(after)
            .into_iter()
            .filter(|(k, _)| !skip(k))
            .collect();
        if a == b {
            return Ok(());
        }
        let mut diffs = Vec::new();
        for k in a.keys().chain(b.keys().filter(|k| !a.contains_key(*k))) {
            let (x, y) = (a.get(k), b.get(k));
            if x != y {
                diffs.push(format!(
                    "  {k}: original {} / imported {}",
                    x.map_or("<unset>".to_string(), |s| format!("{s:?}")),
                    y.map_or("<unset>".to_string(), |s| format!("{s:?}"))
                ));
            }
        }
        Err(Failure::command(
            &out,
            format!(
                "ImportStateVerify: attributes of {addr} differ ({} key(s)):\n{}",
                diffs.len(),
                diffs.join("\n")
            ),
        ))
    }

    /// `terraform state rm` + `terraform import` of `addr` in the case's working directory,
    /// then the next plan (with and without refresh) must be empty.
    fn import_in_place(&mut self, step: &ImportStep, addr: &str, id: &str) -> Result<(), Failure> {
        let dir = self.path().to_path_buf();
        if !step.after_cut_off {
            let rm = self.tf.run(&dir, &["state", "rm", addr])?;
            if !rm.success() {
                return Err(Failure::command(&rm, describe_exit(&rm)));
            }
        }
        if let Some(pattern) = &step.refused_create {
            let out = self.tf.run(
                &dir,
                &["apply", "-no-color", "-input=false", "-auto-approve"],
            )?;
            if out.success() {
                return Err(Failure::command(
                    &out,
                    format!(
                        "the create of {addr} over an existing object succeeded; it must refuse"
                    ),
                ));
            }
            check_expected_error(&out, Some(pattern))?;
        }
        let out = self
            .tf
            .run(&dir, &["import", "-no-color", "-input=false", addr, id])?;
        if let Expected::MatchedError = check_expected_error(&out, step.expect_error.as_deref())? {
            return Ok(());
        }
        if step.expect_error.is_some() {
            return Err(Failure::command(
                &out,
                "expected an error, but the import succeeded",
            ));
        }
        let imported = self.tf.show_json(&dir, None)?;
        run_checks(&step.checks, &imported, "imported state")?;
        let imported = if step.after_cut_off {
            // What the cut-off apply never started is created now.
            self.tf.run_ok(
                &dir,
                &["apply", "-no-color", "-input=false", "-auto-approve"],
            )?;
            self.tf.show_json(&dir, None)?
        } else {
            imported
        };
        for (args, what) in [
            (
                &[
                    "plan",
                    "-no-color",
                    "-input=false",
                    "-refresh=false",
                    "-detailed-exitcode",
                ][..],
                "non-refresh",
            ),
            (
                &["plan", "-no-color", "-input=false", "-detailed-exitcode"][..],
                "refresh",
            ),
        ] {
            let out = self.tf.run(&dir, args)?;
            // Terraform 1.0 keeps outputs from the last apply, so a plan after `import`
            // may change outputs only ("save these new output values"): not a resource
            // change.
            let resource_change = out.stdout.contains("Plan: ");
            if out.code != Some(0) && (out.code != Some(2) || resource_change) {
                return Err(Failure::command(
                    &out,
                    format!("the first {what} plan after importing {addr} is not empty"),
                ));
            }
        }
        self.last_state = Some(imported);
        Ok(())
    }

    fn destroy(&mut self) -> Result<(), Failure> {
        let dir = self.path().to_path_buf();
        if !self.initialized || !dir.join("terraform.tfstate").exists() {
            return Ok(());
        }
        if let Some(files) = self.last_good.clone() {
            self.dir.write_config(&files)?;
        }
        let before = if self.case.check_destroy.is_some() {
            Some(self.tf.show_json(&dir, None)?)
        } else {
            None
        };
        self.tf.run_ok(
            &dir,
            &["destroy", "-no-color", "-input=false", "-auto-approve"],
        )?;
        let after = self.tf.show_json(&dir, None)?;
        if !state_is_empty(&after) {
            return Err(Failure::plain(
                "terraform show -json",
                format!(
                    "state is not empty after destroy: {:?}",
                    resource_addresses(&after)
                ),
            ));
        }
        if let (Some(f), Some(before)) = (&self.case.check_destroy, before) {
            f(&before).map_err(|e| Failure::plain("", format!("check_destroy: {e}")))?;
        }
        Ok(())
    }
}

/// Threads that drain a child's piped stdout and stderr (so it never blocks on a full pipe).
pub(super) fn pipe_readers(
    child: &mut Child,
) -> (
    std::thread::JoinHandle<Vec<u8>>,
    std::thread::JoinHandle<Vec<u8>>,
) {
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            buf
        })
    };
    let out = child
        .stdout
        .take()
        .map(|p| Box::new(p) as Box<dyn Read + Send>);
    let err = child
        .stderr
        .take()
        .map(|p| Box::new(p) as Box<dyn Read + Send>);
    (drain(out), drain(err))
}
