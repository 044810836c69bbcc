//! Acceptance-test harness: drives the real Terraform CLI against the freshly
//! built provider binary, offline, following terraform-plugin-testing's step
//! model (config steps, import steps, post-test destroy).
//!
//! Self-contained on purpose (std + serde_json + tempfile, and libc for signals), so that an
//! integration test can pull it in with
//! `#[path = "support/terraform.rs"] mod terraform;`.
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
//!   process (default 2).
//! - `AIFACTORY_TF_TIMEOUT=<seconds>`: per-command timeout (default 300).
#![allow(dead_code)]

use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

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

// ---------------------------------------------------------------------------
// Versions and CLI discovery
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Provider installation: a filesystem mirror + CLI config, once per process
// ---------------------------------------------------------------------------

struct Mirror {
    root: PathBuf,
    cli_config: PathBuf,
}

fn mirror() -> &'static Mirror {
    static MIRROR: OnceLock<Mirror> = OnceLock::new();
    MIRROR.get_or_init(|| build_mirror().unwrap_or_else(|e| panic!("provider mirror: {e}")))
}

fn platform() -> String {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    };
    format!("{os}_{arch}")
}

fn hcl_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '$' => out.push_str("$$"),
            '%' => out.push_str("%%"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn build_mirror() -> io::Result<Mirror> {
    // Lives under the cargo target dir (same file system as the binary, so a
    // hard link costs nothing). Mirrors of dead test processes are pruned.
    let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("aifactory-acceptance");
    fs::create_dir_all(&base)?;
    prune_dead_mirrors(&base);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let root = base.join(format!("mirror-{}-{nanos}", std::process::id()));
    let pkg_dir = root
        .join(PROVIDER_HOST)
        .join(PROVIDER_NAMESPACE)
        .join(PROVIDER_TYPE)
        .join(PROVIDER_VERSION)
        .join(platform());
    fs::create_dir_all(&pkg_dir)?;
    let bin = pkg_dir.join(format!(
        "terraform-provider-{PROVIDER_TYPE}_v{PROVIDER_VERSION}"
    ));
    if fs::hard_link(PROVIDER_BINARY, &bin).is_err() {
        fs::copy(PROVIDER_BINARY, &bin)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&bin, fs::Permissions::from_mode(0o755))?;
        }
    }
    let pattern = format!("{PROVIDER_HOST}/{PROVIDER_NAMESPACE}/*");
    let cli_config = root.join("terraform.rc");
    fs::write(
        &cli_config,
        format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path    = {}\n    include = [{}]\n  }}\n  direct {{\n    exclude = [{}]\n  }}\n}}\n",
            hcl_string(&root.to_string_lossy()),
            hcl_string(&pattern),
            hcl_string(&pattern),
        ),
    )?;
    Ok(Mirror { root, cli_config })
}

fn prune_dead_mirrors(base: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix("mirror-")
            .and_then(|r| r.split('-').next())
        else {
            continue;
        };
        if pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

// ---------------------------------------------------------------------------
// Running terraform
// ---------------------------------------------------------------------------

/// Caps concurrent terraform processes (the machine may have 2 cores).
struct Semaphore {
    count: Mutex<usize>,
    cv: Condvar,
}

struct Permit(&'static Semaphore);

impl Drop for Permit {
    fn drop(&mut self) {
        *self.0.count.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        self.0.cv.notify_one();
    }
}

fn permit() -> Permit {
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

fn env_parse<T: std::str::FromStr>(name: &str) -> Option<T> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

fn env_flag(name: &str) -> bool {
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

struct Runner<'a> {
    cli: &'a Cli,
    mirror: &'a Mirror,
    tf_log: Option<String>,
    log_path: Option<PathBuf>,
    timeout: Duration,
    env: Vec<(String, String)>,
}

impl Runner<'_> {
    /// The terraform command for `args` in `dir`: hermetic environment (no inherited
    /// `TF_*`/`ARM_*`), the provider mirror, the case's environment and TF_LOG settings;
    /// stdin null, stdout and stderr piped.
    fn command(&self, dir: &Path, args: &[&str]) -> Command {
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
    fn spawn(&self, dir: &Path, args: &[&str]) -> io::Result<Child> {
        let mut cmd = self.command(dir, args);
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            cmd.process_group(0);
        }
        cmd.spawn()
    }

    fn run(&self, dir: &Path, args: &[&str]) -> Result<TfOutput, Failure> {
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
    fn run_ok(&self, dir: &Path, args: &[&str]) -> Result<TfOutput, Failure> {
        let out = self.run(dir, args)?;
        if out.success() {
            Ok(out)
        } else {
            Err(Failure::command(&out, describe_exit(&out)))
        }
    }

    /// `terraform show -json` (state, or a plan file), parsed.
    fn show_json(&self, dir: &Path, plan_file: Option<&str>) -> Result<Value, Failure> {
        let mut args = vec!["show", "-json", "-no-color"];
        args.extend(plan_file);
        let out = self.run_ok(dir, &args)?;
        serde_json::from_str(&out.stdout)
            .map_err(|e| Failure::command(&out, format!("output is not JSON: {e}")))
    }
}

fn describe_exit(out: &TfOutput) -> String {
    if out.timed_out {
        format!("timed out after {:.0?}", out.elapsed)
    } else {
        match out.code {
            Some(c) => format!("exited with code {c}"),
            None => "killed by a signal".to_string(),
        }
    }
}

// ---------------------------------------------------------------------------
// Text matching (diagnostics are word-wrapped and boxed)
// ---------------------------------------------------------------------------

/// Strips ANSI escapes and box-drawing characters (U+2500–U+257F, e.g. the
/// `│ ╷ ╵` Terraform puts in front of diagnostic lines) and collapses all
/// whitespace runs to one space.
pub fn normalize_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    let mut pending_space = false;
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI sequence: ESC [ params final-byte
            if chars.peek() == Some(&'[') {
                chars.next();
                for d in chars.by_ref() {
                    if ('@'..='~').contains(&d) {
                        break;
                    }
                }
            }
            continue;
        }
        if c.is_whitespace() || ('\u{2500}'..='\u{257f}').contains(&c) {
            pending_space = true;
            continue;
        }
        if pending_space && !out.is_empty() {
            out.push(' ');
        }
        pending_space = false;
        out.push(c);
    }
    out
}

/// `pattern` matches `text` when, after [`normalize_text`] on both, the
/// pattern's `*`-separated pieces occur in `text` in order (`*` = any text).
pub fn text_matches(text: &str, pattern: &str) -> bool {
    let text = normalize_text(text);
    let pattern = normalize_text(pattern);
    let mut rest = text.as_str();
    for piece in pattern.split('*').map(str::trim).filter(|p| !p.is_empty()) {
        match rest.find(piece) {
            Some(i) => rest = &rest[i + piece.len()..],
            None => return false,
        }
    }
    true
}

/// Literal containment after [`normalize_text`] on both sides.
pub fn text_contains(text: &str, needle: &str) -> bool {
    normalize_text(text).contains(&normalize_text(needle))
}

// ---------------------------------------------------------------------------
// State / plan JSON navigation
// ---------------------------------------------------------------------------

/// Finds the resource object (with `address`, `type`, `values`, …) at `address`
/// in `terraform show -json` output (state: `values`; plan: `planned_values`).
pub fn find_resource<'a>(doc: &'a Value, address: &str) -> Option<&'a Value> {
    let root = doc
        .get("values")
        .or_else(|| doc.get("planned_values"))
        .and_then(|v| v.get("root_module"))?;
    find_in_module(root, address)
}

fn find_in_module<'a>(module: &'a Value, address: &str) -> Option<&'a Value> {
    if let Some(r) = module
        .get("resources")
        .and_then(Value::as_array)
        .and_then(|rs| rs.iter().find(|r| r["address"].as_str() == Some(address)))
    {
        return Some(r);
    }
    module
        .get("child_modules")
        .and_then(Value::as_array)?
        .iter()
        .find_map(|m| find_in_module(m, address))
}

/// All resource addresses in a `show -json` document (for error messages).
pub fn resource_addresses(doc: &Value) -> Vec<String> {
    fn walk(m: &Value, out: &mut Vec<String>) {
        for r in m
            .get("resources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(a) = r["address"].as_str() {
                out.push(a.to_string());
            }
        }
        for c in m
            .get("child_modules")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            walk(c, out);
        }
    }
    let mut out = Vec::new();
    if let Some(root) = doc
        .get("values")
        .or_else(|| doc.get("planned_values"))
        .and_then(|v| v.get("root_module"))
    {
        walk(root, &mut out);
    }
    out
}

/// The attribute values of the resource at `address`.
pub fn resource_values<'a>(doc: &'a Value, address: &str) -> Result<&'a Value, String> {
    find_resource(doc, address)
        .map(|r| &r["values"])
        .ok_or_else(|| {
            format!(
                "no resource {address} in state (found: {:?})",
                resource_addresses(doc)
            )
        })
}

/// Looks up `path` in `v`: a JSON pointer when it starts with `/`, otherwise a
/// dotted path (`cidrs.genai`, `address_space.0`). Flatmap-style counts work
/// too: `cidrs.%` (object size), `address_space.#` (list length). Returns
/// `None` for a missing or null value.
pub fn lookup(v: &Value, path: &str) -> Option<Value> {
    if path.is_empty() {
        return non_null(v.clone());
    }
    if path.starts_with('/') {
        return v.pointer(path).cloned().and_then(non_null);
    }
    let mut cur = v;
    let segments: Vec<&str> = path.split('.').collect();
    for (i, seg) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        match cur {
            Value::Object(map) => {
                if *seg == "%" && last && !map.contains_key("%") {
                    return Some(Value::from(map.len()));
                }
                cur = map.get(*seg)?;
            }
            Value::Array(items) => {
                if (*seg == "#" || *seg == "%") && last {
                    return Some(Value::from(items.len()));
                }
                cur = items.get(seg.parse::<usize>().ok()?)?;
            }
            _ => return None,
        }
    }
    non_null(cur.clone())
}

fn non_null(v: Value) -> Option<Value> {
    if v.is_null() {
        None
    } else {
        Some(v)
    }
}

/// Equality with flatmap-friendly coercions: numbers compare numerically and a
/// string expectation matches a number or bool by its text (`"3"` == `3`).
pub fn values_equal(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::Number(a), Value::Number(b)) => a == b || a.as_f64() == b.as_f64(),
        (Value::Number(a), Value::String(s)) => a.to_string() == *s,
        (Value::Bool(a), Value::String(s)) => a.to_string() == *s,
        (a, b) => a == b,
    }
}

/// Flattens a value to `path -> scalar text`, flatmap style (`x.#`, `x.%`
/// counts; nulls and empty collections omitted).
pub fn flatten(v: &Value) -> BTreeMap<String, String> {
    fn go(prefix: &str, v: &Value, out: &mut BTreeMap<String, String>) {
        let key = |k: &str| {
            if prefix.is_empty() {
                k.to_string()
            } else {
                format!("{prefix}.{k}")
            }
        };
        match v {
            Value::Null => {}
            Value::Bool(b) => {
                out.insert(prefix.to_string(), b.to_string());
            }
            Value::Number(n) => {
                out.insert(prefix.to_string(), n.to_string());
            }
            Value::String(s) => {
                out.insert(prefix.to_string(), s.clone());
            }
            Value::Array(items) => {
                if items.is_empty() {
                    return;
                }
                if !prefix.is_empty() {
                    out.insert(key("#"), items.len().to_string());
                }
                for (i, item) in items.iter().enumerate() {
                    go(&key(&i.to_string()), item, out);
                }
            }
            Value::Object(map) => {
                if map.is_empty() {
                    return;
                }
                if !prefix.is_empty() {
                    out.insert(key("%"), map.len().to_string());
                }
                for (k, item) in map {
                    go(&key(k), item, out);
                }
            }
        }
    }
    let mut out = BTreeMap::new();
    go("", v, &mut out);
    out
}

// ---------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------

type CheckFn = Box<dyn Fn(&Value) -> Result<(), String>>;
type PlanCheckFn = Box<dyn Fn(&Plan) -> Result<(), String>>;
type ImportIdFn = Box<dyn Fn(&Value) -> Result<String, String>>;

/// A check on the `terraform show -json` state document.
pub struct Check {
    pub description: String,
    f: CheckFn,
}

impl Check {
    pub fn new(
        description: impl Into<String>,
        f: impl Fn(&Value) -> Result<(), String> + 'static,
    ) -> Check {
        Check {
            description: description.into(),
            f: Box::new(f),
        }
    }

    pub fn run(&self, state: &Value) -> Result<(), String> {
        (self.f)(state)
    }
}

/// Any custom check on the whole state document.
pub fn check(
    description: impl Into<String>,
    f: impl Fn(&Value) -> Result<(), String> + 'static,
) -> Check {
    Check::new(description, f)
}

/// `address`'s attribute at `path` equals `expected` (see [`values_equal`]).
pub fn attr(address: &str, path: &str, expected: impl Into<Value>) -> Check {
    let (address, path, expected) = (address.to_string(), path.to_string(), expected.into());
    Check::new(format!("{address}: {path} == {expected}"), move |state| {
        let values = resource_values(state, &address)?;
        match lookup(values, &path) {
            Some(actual) if values_equal(&actual, &expected) => Ok(()),
            Some(actual) => Err(format!(
                "{address}: {path} is {actual}, expected {expected}"
            )),
            None => Err(format!("{address}: {path} is not set, expected {expected}")),
        }
    })
}

/// `address`'s attribute at `path` is present and not null.
pub fn attr_set(address: &str, path: &str) -> Check {
    let (address, path) = (address.to_string(), path.to_string());
    Check::new(format!("{address}: {path} is set"), move |state| {
        let values = resource_values(state, &address)?;
        lookup(values, &path)
            .map(|_| ())
            .ok_or_else(|| format!("{address}: {path} is not set"))
    })
}

/// `address`'s attribute at `path` is missing or null.
pub fn no_attr(address: &str, path: &str) -> Check {
    let (address, path) = (address.to_string(), path.to_string());
    Check::new(format!("{address}: {path} is not set"), move |state| {
        let values = resource_values(state, &address)?;
        match lookup(values, &path) {
            None => Ok(()),
            Some(v) => Err(format!("{address}: {path} is {v}, expected it unset")),
        }
    })
}

/// `address`'s attribute at `path` is set and satisfies `pred`.
pub fn attr_matches(address: &str, path: &str, pred: impl Fn(&Value) -> bool + 'static) -> Check {
    let (address, path) = (address.to_string(), path.to_string());
    Check::new(
        format!("{address}: {path} matches predicate"),
        move |state| {
            let values = resource_values(state, &address)?;
            match lookup(values, &path) {
                Some(v) if pred(&v) => Ok(()),
                Some(v) => Err(format!(
                    "{address}: {path} = {v} does not satisfy the predicate"
                )),
                None => Err(format!("{address}: {path} is not set")),
            }
        },
    )
}

/// Root-module output `name` equals `expected`.
pub fn output(name: &str, expected: impl Into<Value>) -> Check {
    let (name, expected) = (name.to_string(), expected.into());
    Check::new(format!("output {name} == {expected}"), move |state| {
        let actual = output_value(state, &name)?;
        if values_equal(&actual, &expected) {
            Ok(())
        } else {
            Err(format!("output {name} is {actual}, expected {expected}"))
        }
    })
}

/// Root-module output `name` is set and satisfies `pred`.
pub fn output_matches(name: &str, pred: impl Fn(&Value) -> bool + 'static) -> Check {
    let name = name.to_string();
    Check::new(format!("output {name} matches predicate"), move |state| {
        let actual = output_value(state, &name)?;
        if pred(&actual) {
            Ok(())
        } else {
            Err(format!(
                "output {name} = {actual} does not satisfy the predicate"
            ))
        }
    })
}

/// The value of root-module output `name` in a state document.
pub fn output_value(state: &Value, name: &str) -> Result<Value, String> {
    state
        .pointer("/values/outputs")
        .and_then(|o| o.get(name))
        .map(|o| o["value"].clone())
        .ok_or_else(|| {
            let known: Vec<String> = state
                .pointer("/values/outputs")
                .and_then(Value::as_object)
                .map(|o| o.keys().cloned().collect())
                .unwrap_or_default();
            format!("no output {name:?} (outputs: {known:?})")
        })
}

/// What plan checks see: the human plan output and, when some check needs it,
/// `terraform show -json <planfile>`.
pub struct Plan {
    pub text: String,
    pub json: Value,
}

pub struct PlanCheck {
    pub description: String,
    needs_json: bool,
    f: PlanCheckFn,
}

impl PlanCheck {
    pub fn new(
        description: impl Into<String>,
        needs_json: bool,
        f: impl Fn(&Plan) -> Result<(), String> + 'static,
    ) -> PlanCheck {
        PlanCheck {
            description: description.into(),
            needs_json,
            f: Box::new(f),
        }
    }
}

/// The human-readable plan (`-no-color`) contains `needle` (normalised).
pub fn plan_contains(needle: &str) -> PlanCheck {
    let needle = needle.to_string();
    PlanCheck::new(format!("plan contains {needle:?}"), false, move |p| {
        if text_contains(&p.text, &needle) {
            Ok(())
        } else {
            Err(format!("plan output does not contain {needle:?}"))
        }
    })
}

/// The human-readable plan does not contain `needle` (normalised).
pub fn plan_not_contains(needle: &str) -> PlanCheck {
    let needle = needle.to_string();
    PlanCheck::new(
        format!("plan does not contain {needle:?}"),
        false,
        move |p| {
            if text_contains(&p.text, &needle) {
                Err(format!("plan output contains {needle:?}"))
            } else {
                Ok(())
            }
        },
    )
}

/// In `planned_values`, `address`'s attribute at `path` equals `expected`
/// (so it is known at plan time).
pub fn planned_attr(address: &str, path: &str, expected: impl Into<Value>) -> PlanCheck {
    let (address, path, expected) = (address.to_string(), path.to_string(), expected.into());
    PlanCheck::new(
        format!("planned {address}: {path} == {expected}"),
        true,
        move |p| {
            let values = resource_values(&p.json, &address)?;
            match lookup(values, &path) {
                Some(actual) if values_equal(&actual, &expected) => Ok(()),
                Some(actual) => Err(format!(
                    "planned {address}: {path} is {actual}, expected {expected}"
                )),
                None => Err(format!(
                    "planned {address}: {path} is unset or unknown, expected {expected}"
                )),
            }
        },
    )
}

/// The actions planned for `address` (`resource_changes[].change.actions`)
/// are exactly `actions`, e.g. `["update"]`, `["no-op"]`, `["create"]`.
pub fn plan_actions(address: &str, actions: &[&str]) -> PlanCheck {
    let address = address.to_string();
    let want: Vec<String> = actions.iter().map(|s| s.to_string()).collect();
    PlanCheck::new(
        format!("plan actions for {address} == {want:?}"),
        true,
        move |p| {
            let got = planned_actions(&p.json, &address)?;
            if got == want {
                Ok(())
            } else {
                Err(format!(
                    "plan actions for {address} are {got:?}, expected {want:?}"
                ))
            }
        },
    )
}

/// `address` is planned for replacement (delete+create in either order).
pub fn plan_replaces(address: &str) -> PlanCheck {
    let address = address.to_string();
    PlanCheck::new(format!("{address} is replaced"), true, move |p| {
        let got = planned_actions(&p.json, &address)?;
        let mut sorted = got.clone();
        sorted.sort();
        if sorted == ["create", "delete"] {
            Ok(())
        } else {
            Err(format!(
                "plan actions for {address} are {got:?}, expected a replacement"
            ))
        }
    })
}

fn planned_actions(plan: &Value, address: &str) -> Result<Vec<String>, String> {
    let changes = plan["resource_changes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let change = changes
        .iter()
        .find(|c| c["address"].as_str() == Some(address))
        .ok_or_else(|| format!("no planned change for {address}"))?;
    Ok(change
        .pointer("/change/actions")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default())
}

/// Any custom check on the plan.
pub fn plan_check(
    description: impl Into<String>,
    needs_json: bool,
    f: impl Fn(&Plan) -> Result<(), String> + 'static,
) -> PlanCheck {
    PlanCheck::new(description, needs_json, f)
}

// ---------------------------------------------------------------------------
// Cases and steps
// ---------------------------------------------------------------------------

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
        }
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
    /// Polled every 50 ms while the apply runs; true = interrupt now.
    pub when: WhenFn,
    /// Fail when `when` is not true within this time.
    pub max_wait: Duration,
    pub check: InterruptedCheckFn,
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
        when: Box::new(when),
        max_wait,
        check: Box::new(check),
    }
}

impl From<InterruptStep> for Step {
    fn from(s: InterruptStep) -> Step {
        Step::Interrupt(s)
    }
}

impl Step {
    fn kind(&self) -> &'static str {
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

// ---------------------------------------------------------------------------
// Failures
// ---------------------------------------------------------------------------

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
    fn new(command: String) -> Failure {
        Failure {
            context: String::new(),
            command,
            message: String::new(),
            stdout_tail: String::new(),
            stderr_tail: String::new(),
        }
    }

    fn command(out: &TfOutput, message: impl Into<String>) -> Failure {
        Failure {
            context: String::new(),
            command: out.command_line(),
            message: message.into(),
            stdout_tail: tail(&out.stdout, TAIL_LINES),
            stderr_tail: tail(&out.stderr, TAIL_LINES),
        }
    }

    fn plain(command: &str, message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            ..Failure::new(command.to_string())
        }
    }
}

fn tail(s: &str, n: usize) -> String {
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

// ---------------------------------------------------------------------------
// Working dirs
// ---------------------------------------------------------------------------

struct WorkDir {
    path: PathBuf,
    _guard: Option<tempfile::TempDir>,
}

impl WorkDir {
    fn new(label: &str) -> io::Result<WorkDir> {
        let prefix: String = label
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let dir = tempfile::Builder::new()
            .prefix(&format!("aifactory-acc-{prefix}-"))
            .tempdir()?;
        if env_flag("AIFACTORY_KEEP_WORKDIR") {
            let path = dir.keep();
            eprintln!("note: keeping working dir {}", path.display());
            Ok(WorkDir { path, _guard: None })
        } else {
            Ok(WorkDir {
                path: dir.path().to_path_buf(),
                _guard: Some(dir),
            })
        }
    }

    /// Replaces the configuration files (*.tf, *.tf.json) with `files`.
    fn write_config(&self, files: &Files) -> Result<(), Failure> {
        let io_err = |e: io::Error| {
            Failure::plain(
                "",
                format!("writing config in {}: {e}", self.path.display()),
            )
        };
        for entry in fs::read_dir(&self.path).map_err(io_err)?.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if (name.ends_with(".tf") || name.ends_with(".tf.json")) && entry.path().is_file() {
                fs::remove_file(entry.path()).map_err(io_err)?;
            }
        }
        for (name, contents) in files {
            let path = self.path.join(name);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(io_err)?;
            }
            fs::write(path, contents).map_err(io_err)?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// The case runner
// ---------------------------------------------------------------------------

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
        if let Err(e) = kill_group(pid, INTERRUPT) {
            let _ = kill_group(pid, KILL);
            let out = finish(&mut child, true);
            return Err(Failure::command(&out, format!("cannot send SIGINT: {e}")));
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
            "note: `{}` on {}: SIGINT {:.1?} into the apply; Terraform exited {:.2?} later (code {:?})",
            self.case.name,
            self.tf.cli.label(),
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
fn pipe_readers(
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

// ---------------------------------------------------------------------------
// examples/ (tfplugindocs layout)
// ---------------------------------------------------------------------------

/// Every directory under `examples/` that directly holds `*.tf` files, sorted.
pub fn example_dirs() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        let mut has_tf = false;
        let mut subdirs = Vec::new();
        for e in entries.flatten() {
            let p = e.path();
            // Child modules are applied through the example that calls them.
            if p.is_dir() && p.file_name().is_some_and(|n| n == "modules") {
                continue;
            }
            if p.is_dir() {
                subdirs.push(p);
            } else if p.extension().is_some_and(|x| x == "tf") {
                has_tf = true;
            }
        }
        if has_tf {
            out.push(dir.to_path_buf());
        }
        subdirs.sort();
        for s in subdirs {
            walk(&s, out);
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(REPO_ROOT).join("examples"), &mut out);
    out
}

/// A one-config-step case applying the `*.tf` files of `dir`. Adds the
/// `required_providers` block when no file has one; requires Terraform 1.8
/// for `examples/functions/…` and for configs calling `provider::` functions.
pub fn example_case(dir: &Path) -> Case {
    let mut files: Files = Vec::new();
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "tf"))
        .collect();
    entries.sort();
    for p in entries {
        let text = fs::read_to_string(&p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()));
        files.push((p.file_name().unwrap().to_string_lossy().into_owned(), text));
    }
    // Data files the configuration reads (projects.yaml) and its child modules.
    fn extras(root: &Path, dir: &Path, files: &mut Files) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for p in paths {
            let rel = p
                .strip_prefix(root)
                .unwrap_or(&p)
                .to_string_lossy()
                .into_owned();
            let in_modules = rel.starts_with("modules");
            if p.is_dir() {
                if in_modules || p.file_name().is_some_and(|n| n == "modules") {
                    extras(root, &p, files);
                }
            } else if in_modules || p.extension().is_some_and(|x| x == "yaml" || x == "json") {
                if let Ok(text) = fs::read_to_string(&p) {
                    files.push((rel, text));
                }
            }
        }
    }
    extras(dir, dir, &mut files);
    let all: String = files
        .iter()
        .map(|(_, t)| t.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    if !all.contains("required_providers") {
        files.push((
            "zz_acceptance_providers.tf".to_string(),
            "terraform {\n  required_providers {\n    aifactory = {\n      source = \"aifactory/aifactory\"\n    }\n  }\n}\n".to_string(),
        ));
    }
    let rel = dir
        .strip_prefix(Path::new(REPO_ROOT).join("examples"))
        .unwrap_or(dir);
    let is_function = rel
        .components()
        .next()
        .is_some_and(|c| c.as_os_str() == "functions")
        || all.contains("provider::");
    let name = format!("example:{}", rel.display());
    let imports = example_imports(dir, &all);
    let mut case = Case::new(&name).step(ConfigStep::from_files(files));
    // The documented import commands work against what the example created.
    for (addr, id) in imports {
        case = case.step(import_step(&addr).id(&id).check(attr_set(&addr, "id")));
    }
    if is_function {
        case = case.min_version(FUNCTIONS_MIN);
    }
    case
}

/// The `terraform import ADDRESS ID` lines of the example's `import.sh` whose resource the
/// example's configuration declares (ID in single quotes or bare).
fn example_imports(dir: &Path, config: &str) -> Vec<(String, String)> {
    let Ok(text) = fs::read_to_string(dir.join("import.sh")) else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("terraform import "))
        .filter_map(|rest| {
            let (addr, id) = rest.trim().split_once(' ')?;
            let id = id.trim().trim_matches('\'');
            let (ty, name) = addr.split_once('.')?;
            config
                .contains(&format!("resource \"{ty}\" \"{name}\""))
                .then(|| (addr.to_string(), id.to_string()))
        })
        .collect()
}

/// Applies the example directory on every CLI (see [`example_case`]).
pub fn apply_example_dir(dir: &Path) {
    run_on_all_clis(&example_case(dir));
}

// ---------------------------------------------------------------------------
// Self-tests of the pure helpers
// ---------------------------------------------------------------------------

#[cfg(test)]
mod harness_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn matching_ignores_boxes_and_wrapping() {
        let stderr = "╷\n│ Error: Invalid address space\n│ \n│   with aifactory_subnet_allocation.p001,\n│ \"10.20.0.1/16\" has host bits set; did you\n│ mean 10.20.0.0/16?\n╵\n";
        assert!(text_matches(stderr, "did you mean 10.20.0.0/16"));
        assert!(text_matches(stderr, "Invalid address space*10.20.0.0/16"));
        assert!(!text_matches(stderr, "10.20.0.0/16*Invalid"));
        assert!(text_contains("\u{1b}[31mError\u{1b}[0m:   x", "Error: x"));
    }

    #[test]
    fn lookup_paths() {
        let v = json!({"cidrs": {"a": "10.0.0.0/24", "b.c": 1}, "list": [1, 2], "n": null});
        assert_eq!(lookup(&v, "cidrs.a"), Some(json!("10.0.0.0/24")));
        assert_eq!(lookup(&v, "/cidrs/b.c"), Some(json!(1)));
        assert_eq!(lookup(&v, "cidrs.%"), Some(json!(2)));
        assert_eq!(lookup(&v, "list.#"), Some(json!(2)));
        assert_eq!(lookup(&v, "list.1"), Some(json!(2)));
        assert_eq!(lookup(&v, "n"), None);
        assert_eq!(lookup(&v, "missing.x"), None);
        assert!(values_equal(&json!(3), &json!("3")));
        assert!(values_equal(&json!(3), &json!(3.0)));
    }

    #[test]
    fn flatten_is_flatmap_like() {
        let v = json!({"a": [ "x" ], "m": {"k": 1}, "e": [], "n": null});
        let f = flatten(&v);
        let want: BTreeMap<String, String> =
            [("a.#", "1"), ("a.0", "x"), ("m.%", "1"), ("m.k", "1")]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        assert_eq!(f, want);
    }

    #[test]
    fn versions() {
        assert_eq!(Version::parse("v1.0.3"), Some(OLDEST));
        assert_eq!(Version::parse("1.12.0-beta1"), Some(Version::new(1, 12, 0)));
        assert!(Version::new(1, 11, 4) >= FUNCTIONS_MIN);
        assert!(OLDEST < FUNCTIONS_MIN);
    }
}
