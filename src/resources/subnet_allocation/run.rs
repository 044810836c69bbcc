//! Which Terraform run this provider process serves, so the plan memo ([`super::memo`])
//! bridges only the plan and the apply of one run.
//!
//! Terraform starts a fresh provider process for each walk (validate, plan, apply) and
//! tells the provider nothing about the run, so the run is read from the parent process,
//! the Terraform CLI: its PID and start time (a reused PID never matches), and whether it
//! applies a saved plan (`terraform apply PLANFILE`: an argument naming a plan file, a zip
//! archive). On platforms without `/proc` neither is known and the memo behaves as before
//! (it bridges any plan with the same inputs).
//!
//! A leaf: imports nothing from its parent or siblings. Must not: write anything.

use std::path::Path;

/// What this process knows about the Terraform run it serves.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Run {
    /// The Terraform process (`<pid>@<start time>`), when the platform tells.
    pub id: Option<String>,
    /// The Terraform process applies a saved plan.
    pub saved_plan: bool,
}

impl Run {
    /// The run of this process (read once).
    pub fn current() -> &'static Run {
        static RUN: std::sync::OnceLock<Run> = std::sync::OnceLock::new();
        RUN.get_or_init(read)
    }

    /// Whether a memo written in run `memo_run` may answer a plan of this run: the same
    /// run (the apply re-plans what its own plan decided), the apply of a saved plan (the
    /// plan was made by an earlier run), or an unknown run on either side (no way to
    /// tell: as before). A new plan never reuses an earlier run's memo.
    pub fn bridges(&self, memo_run: Option<&str>) -> bool {
        match (self.id.as_deref(), memo_run) {
            (Some(now), Some(then)) => now == then || self.saved_plan,
            _ => true,
        }
    }
}

#[cfg(target_os = "linux")]
fn read() -> Run {
    let ppid = std::os::unix::process::parent_id();
    let proc_dir = Path::new("/proc").join(ppid.to_string());
    let started = std::fs::read_to_string(proc_dir.join("stat"))
        .ok()
        .and_then(|s| start_time(&s));
    let args: Vec<String> = std::fs::read(proc_dir.join("cmdline"))
        .map(|b| {
            b.split(|c| *c == 0)
                .filter(|a| !a.is_empty())
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect()
        })
        .unwrap_or_default();
    let cwd = std::env::current_dir().unwrap_or_default();
    let extra = |name: &str| std::env::var(name).unwrap_or_default();
    let mut all = args;
    all.extend(extra("TF_CLI_ARGS").split_whitespace().map(str::to_string));
    let saved_plan = applies_saved_plan(&all, &extra("TF_CLI_ARGS_apply"), &cwd);
    Run {
        id: started.map(|t| format!("{ppid}@{t}")),
        saved_plan,
    }
}

#[cfg(not(target_os = "linux"))]
fn read() -> Run {
    Run::default()
}

/// Field 22 of `/proc/<pid>/stat` (start time in clock ticks since boot), read after the
/// command name, which may itself hold spaces or parentheses.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn start_time(stat: &str) -> Option<String> {
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(19).map(str::to_string)
}

/// Whether Terraform's arguments (`terraform [global flags] apply [flags] [PLANFILE]`,
/// plus `TF_CLI_ARGS_apply`) name a saved plan: a file under `cwd` that is a zip archive.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn applies_saved_plan(args: &[String], apply_extra: &str, cwd: &Path) -> bool {
    let mut rest = args.iter().skip(1).skip_while(|a| a.starts_with('-'));
    if rest.next().map(String::as_str) != Some("apply") {
        return false;
    }
    rest.map(String::as_str)
        .chain(apply_extra.split_whitespace())
        .filter(|a| !a.starts_with('-'))
        .any(|a| is_plan_file(&cwd.join(a)))
}

fn is_plan_file(path: &Path) -> bool {
    use std::io::Read;
    let mut magic = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok()
        && magic == *b"PK\x03\x04"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn a_new_plan_never_reuses_an_earlier_runs_memo() {
        let run = |id: &str, saved_plan| Run {
            id: Some(id.into()),
            saved_plan,
        };
        // `terraform apply`: its plan and its apply are one run.
        assert!(run("7@100", false).bridges(Some("7@100")));
        // A new `terraform plan` or `terraform apply` after an earlier plan: no.
        assert!(!run("8@200", false).bridges(Some("7@100")));
        // The same PID reused by a later Terraform process: no.
        assert!(!run("7@300", false).bridges(Some("7@100")));
        // `terraform apply tfplan` re-plans what the saved plan decided.
        assert!(run("8@200", true).bridges(Some("7@100")));
        // Unknown on either side: as before.
        assert!(Run::default().bridges(Some("7@100")));
        assert!(run("8@200", false).bridges(None));
    }

    #[test]
    fn a_saved_plan_is_a_zip_named_after_apply() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("tfplan"), b"PK\x03\x04rest").expect("plan");
        std::fs::write(dir.path().join("vars.tfvars"), b"a = 1").expect("vars");
        let cwd = dir.path();
        assert!(applies_saved_plan(
            &args("terraform apply -no-color tfplan"),
            "",
            cwd
        ));
        assert!(applies_saved_plan(
            &args("terraform -chdir=. apply -input=false tfplan"),
            "",
            cwd
        ));
        assert!(applies_saved_plan(&args("terraform apply"), "tfplan", cwd));
        assert!(!applies_saved_plan(
            &args("terraform apply -auto-approve -var-file vars.tfvars"),
            "",
            cwd
        ));
        assert!(!applies_saved_plan(
            &args("terraform plan -out=tfplan"),
            "",
            cwd
        ));
        assert!(!applies_saved_plan(
            &args("terraform apply missing"),
            "",
            cwd
        ));
    }

    #[test]
    fn start_time_is_read_after_the_command_name() {
        let stat = "4242 (terraform (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 12 0 987654 1000 200";
        assert_eq!(start_time(stat).as_deref(), Some("987654"));
        assert_eq!(start_time("garbage"), None);
    }
}
