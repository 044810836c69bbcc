//! `docs/` must match what the schemas and examples render to.
//! Regenerate with `AIFACTORY_UPDATE_GOLDEN=1 cargo test --test it docs::` (see
//! [`crate::testkit::golden`]).

use std::path::Path;

use crate::testkit::golden;

#[test]
fn docs_are_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    golden::check_all(root, aifactory::docs::render_all(root));
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
