//! `docs/` must match what the schemas and examples render to.
//! Regenerate with `AIFACTORY_UPDATE_DOCS=1 cargo test --test docs`.

use std::path::Path;

#[test]
fn docs_are_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let update = std::env::var("AIFACTORY_UPDATE_DOCS").is_ok_and(|v| v == "1");
    let mut stale = Vec::new();
    for (rel, content) in aifactory::docs::render_all(root) {
        let path = root.join(&rel);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current != content {
            if update {
                std::fs::create_dir_all(path.parent().expect("docs path has a parent"))
                    .expect("mkdir");
                std::fs::write(&path, content).expect("write docs");
            } else {
                stale.push(rel.display().to_string());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "stale docs (run AIFACTORY_UPDATE_DOCS=1 cargo test --test docs): {stale:?}"
    );
}

#[test]
fn every_resource_and_function_has_an_example() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let p = aifactory::provider::AifactoryProvider::new();
    assert!(root.join("examples/provider/provider.tf").exists());
    for r in p.resources() {
        let f = root.join(format!(
            "examples/resources/aifactory_{}/resource.tf",
            r.type_name()
        ));
        assert!(f.exists(), "missing {}", f.display());
    }
    for f in p.functions() {
        let path = root.join(format!("examples/functions/{}/function.tf", f.name()));
        assert!(path.exists(), "missing {}", path.display());
    }
}
