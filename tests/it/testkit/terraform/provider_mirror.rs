//! Provider installation: a filesystem mirror of the freshly built provider binary and
//! the CLI config that points Terraform at it (built once per test process).

use super::*;
use std::fs;
use std::io::{self};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

pub(super) struct Mirror {
    root: PathBuf,
    pub(super) cli_config: PathBuf,
}

pub(super) fn mirror() -> &'static Mirror {
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
