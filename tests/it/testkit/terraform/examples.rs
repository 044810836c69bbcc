//! The `examples/` directory (tfplugindocs layout) as acceptance cases.

use super::*;
use std::fs;
use std::path::{Path, PathBuf};

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
            // Child modules are applied through the example that calls them; the CI
            // pipelines' configurations (per-stage variables, the `tfe` provider) are run by
            // scripts/pipelines-check.sh.
            if p.is_dir()
                && p.file_name()
                    .is_some_and(|n| n == "modules" || n == "pipelines")
            {
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
