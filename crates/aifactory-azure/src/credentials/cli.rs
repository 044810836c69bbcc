//! The command runner handed to `azure_identity::AzureCliCredential`: it runs the
//! credential's shell command with the `PATH` from [`Settings`](crate::Settings),
//! so tests can put a stand-in `az` first without touching the process environment.

use std::ffi::OsStr;
use std::process::{Output, Stdio};

use azure_identity::Executor;

/// Runs commands with a given `PATH` (None: the process's).
#[derive(Debug, Clone)]
pub struct PathExecutor {
    pub path: Option<String>,
}

#[async_trait::async_trait]
impl Executor for PathExecutor {
    async fn run(&self, program: &OsStr, args: &[&OsStr]) -> std::io::Result<Output> {
        let mut cmd = tokio::process::Command::new(program);
        cmd.args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if let Some(p) = &self.path {
            cmd.env("PATH", p);
        }
        cmd.output().await
    }
}
