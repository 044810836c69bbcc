//! Running terraform processes: the per-process concurrency cap, environment knobs,
//! `TfOutput` and the `Runner` that spawns, times out and collects a command.

use super::*;
use serde_json::Value;
use std::io::{self};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Caps concurrent terraform processes (the machine may have 2 cores).
struct Semaphore {
    count: Mutex<usize>,
    cv: Condvar,
}

pub(super) struct Permit(&'static Semaphore);

impl Drop for Permit {
    fn drop(&mut self) {
        *self.0.count.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        self.0.cv.notify_one();
    }
}

pub(super) fn permit() -> Permit {
    static SEM: OnceLock<Semaphore> = OnceLock::new();
    let sem = SEM.get_or_init(|| {
        let n = env_parse("AIFACTORY_TF_PARALLEL").unwrap_or(2).max(1);
        Semaphore {
            count: Mutex::new(n),
            cv: Condvar::new(),
        }
    });
    let mut count = sem.count.lock().unwrap_or_else(|e| e.into_inner());
    while *count == 0 {
        count = sem.cv.wait(count).unwrap_or_else(|e| e.into_inner());
    }
    *count -= 1;
    Permit(sem)
}

pub(super) fn env_parse<T: std::str::FromStr>(name: &str) -> Option<T> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

pub(super) fn env_flag(name: &str) -> bool {
    matches!(
        std::env::var(name).as_deref(),
        Ok("1") | Ok("true") | Ok("yes")
    )
}

/// The result of one terraform invocation.
#[derive(Clone, Debug)]
pub struct TfOutput {
    pub args: Vec<String>,
    /// Exit code; `None` when killed (e.g. by the timeout).
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
    pub timed_out: bool,
}

impl TfOutput {
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }

    pub fn command_line(&self) -> String {
        format!("terraform {}", self.args.join(" "))
    }

    /// stdout followed by stderr.
    pub fn combined(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

pub(super) struct Runner<'a> {
    pub(super) cli: &'a Cli,
    pub(super) mirror: &'a Mirror,
    pub(super) tf_log: Option<String>,
    pub(super) log_path: Option<PathBuf>,
    pub(super) timeout: Duration,
    pub(super) env: Vec<(String, String)>,
}

impl Runner<'_> {
    /// The terraform command for `args` in `dir`: hermetic environment (no inherited
    /// `TF_*`/`ARM_*`), the provider mirror, the case's environment and TF_LOG settings;
    /// stdin null, stdout and stderr piped.
    pub(super) fn command(&self, dir: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.cli.path);
        cmd.args(args).current_dir(dir).stdin(Stdio::null());
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        // Hermetic: drop inherited TF_* settings (TF_LOG, TF_CLI_ARGS*,
        // TF_DATA_DIR, TF_PLUGIN_CACHE_DIR, TF_WORKSPACE, …).
        for (k, _) in std::env::vars_os() {
            let k = k.to_string_lossy();
            if k.starts_with("TF_") || k == "TERRAFORM_CONFIG" {
                cmd.env_remove(&*k);
            }
        }
        // Hermetic for Azure too: only the case's ARM_* settings reach the provider.
        for (k, _) in std::env::vars_os() {
            let k = k.to_string_lossy();
            if k.starts_with("ARM_") || k == "IDENTITY_ENDPOINT" || k == "IDENTITY_HEADER" {
                cmd.env_remove(&*k);
            }
        }
        cmd.env("TF_CLI_CONFIG_FILE", &self.mirror.cli_config)
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_INPUT", "0");
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        if let Some(level) = &self.tf_log {
            cmd.env("TF_LOG", level);
            if let Some(p) = &self.log_path {
                cmd.env("TF_LOG_PATH", p);
            }
        }
        cmd
    }

    /// Starts `terraform <args>` in `dir` without waiting for it (same environment as
    /// [`Runner::run`]), in a process group of its own so that a signal can reach Terraform
    /// and its providers together, as a Ctrl-C in a terminal does. Holds no permit.
    pub(super) fn spawn(&self, dir: &Path, args: &[&str]) -> io::Result<Child> {
        let mut cmd = self.command(dir, args);
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            cmd.process_group(0);
        }
        cmd.spawn()
    }

    pub(super) fn run(&self, dir: &Path, args: &[&str]) -> Result<TfOutput, Failure> {
        let mut cmd = self.command(dir, args);

        let _permit = permit();
        let start = Instant::now();
        let spawn_err = |e: io::Error| Failure {
            message: format!("cannot start {}: {e}", self.cli.path.display()),
            ..Failure::new(format!("terraform {}", args.join(" ")))
        };
        let mut child = cmd.spawn().map_err(spawn_err)?;
        let (out_reader, err_reader) = pipe_readers(&mut child);
        let mut timed_out = false;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) => {}
                Err(_) => break None,
            }
            if start.elapsed() > self.timeout {
                timed_out = true;
                let _ = child.kill();
                break child.wait().ok();
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let stdout = String::from_utf8_lossy(&out_reader.join().unwrap_or_default()).into_owned();
        let stderr = String::from_utf8_lossy(&err_reader.join().unwrap_or_default()).into_owned();
        Ok(TfOutput {
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
        })
    }

    /// Runs and requires exit code 0.
    pub(super) fn run_ok(&self, dir: &Path, args: &[&str]) -> Result<TfOutput, Failure> {
        let out = self.run(dir, args)?;
        if out.success() {
            Ok(out)
        } else {
            Err(Failure::command(&out, describe_exit(&out)))
        }
    }

    /// `terraform show -json` (state, or a plan file), parsed.
    pub(super) fn show_json(&self, dir: &Path, plan_file: Option<&str>) -> Result<Value, Failure> {
        let mut args = vec!["show", "-json", "-no-color"];
        args.extend(plan_file);
        let out = self.run_ok(dir, &args)?;
        serde_json::from_str(&out.stdout)
            .map_err(|e| Failure::command(&out, format!("output is not JSON: {e}")))
    }
}

pub(super) fn describe_exit(out: &TfOutput) -> String {
    if out.timed_out {
        format!("timed out after {:.0?}", out.elapsed)
    } else {
        match out.code {
            Some(c) => format!("exited with code {c}"),
            None => "killed by a signal".to_string(),
        }
    }
}
