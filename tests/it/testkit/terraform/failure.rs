//! Failures of a case run: `Failure` (with the tail of the command output), `CaseError`
//! and `Outcome`.

use super::*;
use std::fmt;
use std::path::PathBuf;

const TAIL_LINES: usize = 60;

/// One failure inside a case run.
#[derive(Debug, Clone)]
pub struct Failure {
    /// e.g. "step 2/3 (config)" or "post-test destroy"
    pub context: String,
    /// e.g. "terraform plan -refresh=false -detailed-exitcode"
    pub command: String,
    pub message: String,
    pub stdout_tail: String,
    pub stderr_tail: String,
}

impl Failure {
    pub(super) fn new(command: String) -> Failure {
        Failure {
            context: String::new(),
            command,
            message: String::new(),
            stdout_tail: String::new(),
            stderr_tail: String::new(),
        }
    }

    pub(super) fn command(out: &TfOutput, message: impl Into<String>) -> Failure {
        Failure {
            context: String::new(),
            command: out.command_line(),
            message: message.into(),
            stdout_tail: tail(&out.stdout, TAIL_LINES),
            stderr_tail: tail(&out.stderr, TAIL_LINES),
        }
    }

    pub(super) fn plain(command: &str, message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            ..Failure::new(command.to_string())
        }
    }
}

pub(super) fn tail(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.trim_end().lines().collect();
    let start = lines.len().saturating_sub(n);
    let mut out = String::new();
    if start > 0 {
        out.push_str(&format!("[… {start} earlier lines]\n"));
    }
    out.push_str(&lines[start..].join("\n"));
    out
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.context)?;
        if !self.command.is_empty() {
            write!(f, ": `{}`", self.command)?;
        }
        writeln!(f)?;
        for line in self.message.lines() {
            writeln!(f, "    {line}")?;
        }
        for (name, body) in [("stdout", &self.stdout_tail), ("stderr", &self.stderr_tail)] {
            if !body.trim().is_empty() {
                writeln!(f, "    --- {name} ---")?;
                for line in body.lines() {
                    writeln!(f, "    | {line}")?;
                }
            }
        }
        Ok(())
    }
}

/// Why a case failed on one CLI (possibly several failures: a step and the
/// post-test destroy).
#[derive(Debug, Clone)]
pub struct CaseError {
    pub case: String,
    pub cli: String,
    pub workdir: PathBuf,
    pub failures: Vec<Failure>,
}

impl fmt::Display for CaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "case `{}` failed on {} (working dir {})",
            self.case,
            self.cli,
            self.workdir.display()
        )?;
        for failure in &self.failures {
            write!(f, "  {failure}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CaseError {}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    Skipped(String),
}
