//! Golden files: generated content checked into the repository (today the `docs/` tree)
//! and the one switch that rewrites them instead of failing.
//!
//! `AIFACTORY_UPDATE_GOLDEN=1 cargo test --test it` rewrites every stale golden file;
//! review the diff and commit it. The older `AIFACTORY_UPDATE_DOCS=1` still works.

use std::path::Path;

/// The update switch, and the older names it replaces (still honoured).
pub const UPDATE_VAR: &str = "AIFACTORY_UPDATE_GOLDEN";
const LEGACY_UPDATE_VARS: [&str; 1] = ["AIFACTORY_UPDATE_DOCS"];

/// Whether golden files are to be rewritten (`AIFACTORY_UPDATE_GOLDEN=1`).
pub fn updating() -> bool {
    std::iter::once(UPDATE_VAR)
        .chain(LEGACY_UPDATE_VARS)
        .any(|name| std::env::var(name).is_ok_and(|v| v == "1"))
}

/// Compares each `(path relative to root, expected content)` with the file on disk. Stale
/// or missing files are rewritten when [`updating`], otherwise they fail the test, listed
/// together with the command that regenerates them.
pub fn check_all(root: &Path, files: impl IntoIterator<Item = (impl AsRef<Path>, String)>) {
    let update = updating();
    let mut stale = Vec::new();
    for (rel, content) in files {
        let rel = rel.as_ref();
        let path = root.join(rel);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current == content {
            continue;
        }
        if update {
            std::fs::create_dir_all(path.parent().expect("golden path has a parent"))
                .expect("mkdir");
            std::fs::write(&path, content).expect("write golden file");
        } else {
            stale.push(rel.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "stale golden files (run {UPDATE_VAR}=1 cargo test --test it, then review the diff): {stale:?}"
    );
}
