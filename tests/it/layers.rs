//! The layer rules as a test: each crate of the workspace depends only on the crates
//! below it, and the emulator is never a normal dependency of the provider. The
//! compiler already refuses an import of a crate a manifest does not list; this test
//! refuses the manifest line that would allow it.

use std::collections::BTreeSet;
use std::path::Path;

/// Our crates each crate may depend on (normal dependencies).
const ALLOWED: [(&str, &[&str]); 6] = [
    ("crates/aifactory-attrpath", &[]),
    ("crates/aifactory-allocator", &["aifactory-attrpath"]),
    ("crates/aifactory-template", &["aifactory-attrpath"]),
    ("crates/aifactory-azure", &[]),
    ("crates/aifactory-emulator", &[]),
    (
        ".",
        &[
            "aifactory-attrpath",
            "aifactory-allocator",
            "aifactory-template",
            "aifactory-azure",
        ],
    ),
];

/// Crates that would mean a layer knows what it must not: Terraform's protocol in a
/// core or the client, a server stack in the provider's normal dependencies.
const FORBIDDEN_EXTERNAL: [(&str, &[&str]); 5] = [
    (
        "crates/aifactory-attrpath",
        &["tf-provider", "reqwest", "hyper", "tokio"],
    ),
    (
        "crates/aifactory-allocator",
        &["tf-provider", "reqwest", "hyper", "tokio", "serde_json"],
    ),
    (
        "crates/aifactory-template",
        &["tf-provider", "reqwest", "hyper", "tokio"],
    ),
    (
        "crates/aifactory-azure",
        &["tf-provider", "rmpv", "hyper-util", "rcgen"],
    ),
    (
        "crates/aifactory-emulator",
        &["tf-provider", "reqwest", "azure_identity"],
    ),
];

/// The names in the `[dependencies]` table of a manifest (not dev- or build-).
fn normal_dependencies(manifest: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(manifest).expect("manifest");
    let mut names = BTreeSet::new();
    let mut in_deps = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_deps = line == "[dependencies]";
            continue;
        }
        if in_deps && !line.is_empty() && !line.starts_with('#') {
            let name = line
                .split(['=', '.'])
                .next()
                .unwrap_or_default()
                .trim()
                .to_string();
            names.insert(name);
        }
    }
    names
}

#[test]
fn each_crate_depends_only_on_the_layers_below_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (dir, allowed) in ALLOWED {
        let deps = normal_dependencies(&root.join(dir).join("Cargo.toml"));
        let ours: BTreeSet<&str> = deps
            .iter()
            .map(String::as_str)
            .filter(|d| d.starts_with("aifactory-"))
            .collect();
        let allowed: BTreeSet<&str> = allowed.iter().copied().collect();
        assert!(
            ours.is_subset(&allowed),
            "{dir} depends on {:?}, which its layer must not know",
            ours.difference(&allowed).collect::<Vec<_>>()
        );
    }
    for (dir, forbidden) in FORBIDDEN_EXTERNAL {
        let deps = normal_dependencies(&root.join(dir).join("Cargo.toml"));
        for f in forbidden {
            assert!(!deps.contains(*f), "{dir} must not depend on {f}");
        }
    }
}

#[test]
fn the_provider_binary_does_not_link_the_emulator() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let deps = normal_dependencies(&root.join("Cargo.toml"));
    assert!(!deps.contains("aifactory-emulator"));
    assert!(!deps.contains("hyper-util"));
}

#[test]
fn every_crate_has_a_readme_saying_what_it_must_not_know() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (dir, _) in ALLOWED.iter().filter(|(d, _)| *d != ".") {
        let readme = std::fs::read_to_string(root.join(dir).join("README.md"))
            .unwrap_or_else(|_| panic!("{dir}/README.md"));
        assert!(
            readme.to_lowercase().contains("must not"),
            "{dir}/README.md"
        );
    }
}
