//! Terraform CLI versions and lookup: `Version`, `Cli`, the CLIs the suite runs on
//! (1.0.3 installed on demand by scripts/install-terraform.sh, plus the newest on `PATH`).

use super::*;
use serde_json::Value;
use std::fmt;
use std::fs;
use std::io::{self};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
}

impl Version {
    pub const fn new(major: u64, minor: u64, patch: u64) -> Self {
        Version {
            major,
            minor,
            patch,
        }
    }

    /// Parses `1.2.3`, `v1.2.3`, `1.12.0-beta1` (pre-release suffix ignored).
    pub fn parse(s: &str) -> Option<Version> {
        let s = s.trim().trim_start_matches('v');
        let core = s.split(['-', '+']).next()?;
        let mut it = core.split('.');
        let major = it.next()?.parse().ok()?;
        let minor = it.next()?.parse().ok()?;
        let patch = it.next().unwrap_or("0").parse().ok()?;
        Some(Version::new(major, minor, patch))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// A Terraform CLI binary and its version.
#[derive(Clone, Debug)]
pub struct Cli {
    pub path: PathBuf,
    pub version: Version,
}

impl Cli {
    /// Runs `terraform version` to learn the version (`-json` when supported,
    /// else the first line, "Terraform vX.Y.Z").
    pub fn probe(path: &Path) -> Result<Cli, String> {
        let run = |args: &[&str]| {
            Command::new(path)
                .args(args)
                .env("CHECKPOINT_DISABLE", "1")
                .env("TF_CLI_CONFIG_FILE", "/dev/null")
                .env_remove("TF_LOG")
                .stdin(Stdio::null())
                .output()
                .map_err(|e| format!("cannot run `{} version`: {e}", path.display()))
        };
        let out = run(&["version", "-json"])?;
        if out.status.success() {
            if let Ok(v) = serde_json::from_slice::<Value>(&out.stdout) {
                if let Some(ver) = v["terraform_version"].as_str().and_then(Version::parse) {
                    return Ok(Cli {
                        path: path.to_path_buf(),
                        version: ver,
                    });
                }
            }
        }
        let out = run(&["version"])?;
        let text = String::from_utf8_lossy(&out.stdout);
        let first = text.lines().next().unwrap_or("");
        first
            .strip_prefix("Terraform ")
            .and_then(Version::parse)
            .map(|version| Cli {
                path: path.to_path_buf(),
                version,
            })
            .ok_or_else(|| format!("`{} version` printed no version: {first:?}", path.display()))
    }

    pub fn label(&self) -> String {
        format!("Terraform v{}", self.version)
    }
}

/// Every CLI the suite runs against: Terraform 1.0.3 (installed on demand) and
/// the newest `terraform` on PATH (when present and different). Discovered
/// once per test process.
pub fn clis() -> Vec<Cli> {
    static CLIS: OnceLock<Vec<Cli>> = OnceLock::new();
    CLIS.get_or_init(discover_clis).clone()
}

fn discover_clis() -> Vec<Cli> {
    let mut found = Vec::new();

    let oldest_path = match std::env::var_os("AIFACTORY_TF_1_0_3") {
        Some(p) => PathBuf::from(p),
        None => {
            let p = Path::new(REPO_ROOT).join(".cache/terraform/1.0.3/terraform");
            if let Err(e) = ensure_oldest_installed(&p) {
                panic!(
                    "Terraform {OLDEST} is missing and scripts/install-terraform.sh failed: {e}\n\
                     (install it by hand and point AIFACTORY_TF_1_0_3 at the binary)"
                );
            }
            p
        }
    };
    let oldest = Cli::probe(&oldest_path).unwrap_or_else(|e| panic!("{e}"));
    if oldest.version != OLDEST {
        eprintln!(
            "note: {} is Terraform v{}, not v{OLDEST}; using it as the oldest CLI anyway",
            oldest_path.display(),
            oldest.version
        );
    }
    found.push(oldest);

    let latest = match std::env::var_os("AIFACTORY_TF_LATEST") {
        Some(p) => {
            let p = PathBuf::from(p);
            Some(Cli::probe(&p).unwrap_or_else(|e| panic!("AIFACTORY_TF_LATEST: {e}")))
        }
        None => match find_on_path("terraform") {
            None => {
                eprintln!("note: no `terraform` on PATH; running against Terraform {OLDEST} only");
                None
            }
            Some(p) => match Cli::probe(&p) {
                Ok(cli) => Some(cli),
                Err(e) => {
                    eprintln!("note: skipping `terraform` on PATH: {e}");
                    None
                }
            },
        },
    };
    if let Some(cli) = latest {
        if found.iter().any(|c| c.version == cli.version) {
            eprintln!(
                "note: {} is also v{}; not running it twice",
                cli.path.display(),
                cli.version
            );
        } else {
            found.push(cli);
        }
    }
    found
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| is_executable(p))
}

#[cfg(unix)]
fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(p)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

#[cfg(not(unix))]
fn is_executable(p: &Path) -> bool {
    p.is_file()
}

/// Runs scripts/install-terraform.sh when `dest` is missing. Serialised across
/// processes with a lock directory (mkdir is atomic) and, within a process,
/// by the `OnceLock` in [`clis`].
fn ensure_oldest_installed(dest: &Path) -> Result<(), String> {
    if dest.is_file() {
        return Ok(());
    }
    let cache = dest
        .parent()
        .and_then(Path::parent)
        .expect("dest has two parents");
    fs::create_dir_all(cache).map_err(|e| format!("mkdir {}: {e}", cache.display()))?;
    let lock = cache.join(".install-1.0.3.lock");
    let deadline = Instant::now() + Duration::from_secs(900);
    loop {
        match fs::create_dir(&lock) {
            Ok(()) => {
                let result = run_install_script(dest);
                let _ = fs::remove_dir(&lock);
                return result;
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                // The script installs with an atomic rename: a file means done.
                if dest.is_file() {
                    return Ok(());
                }
                let stale = fs::metadata(&lock)
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.elapsed().ok())
                    .is_some_and(|age| age > Duration::from_secs(600));
                if stale {
                    eprintln!("note: removing stale lock {}", lock.display());
                    let _ = fs::remove_dir(&lock);
                    continue;
                }
                if Instant::now() > deadline {
                    return Err(format!("timed out waiting for lock {}", lock.display()));
                }
                std::thread::sleep(Duration::from_millis(500));
            }
            Err(e) => return Err(format!("mkdir {}: {e}", lock.display())),
        }
    }
}

fn run_install_script(dest: &Path) -> Result<(), String> {
    let script = Path::new(REPO_ROOT).join("scripts/install-terraform.sh");
    eprintln!(
        "note: installing Terraform {OLDEST} with {}",
        script.display()
    );
    let out = Command::new("bash")
        .arg(&script)
        .current_dir(REPO_ROOT)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!(
            "{} exited with {}:\n{stderr}",
            script.display(),
            out.status
        ));
    }
    if !dest.is_file() {
        return Err(format!(
            "{} did not produce {}",
            script.display(),
            dest.display()
        ));
    }
    Ok(())
}
