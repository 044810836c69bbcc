//! Snapshot tests: fixture specs rendered to pretty JSON and compared with the checked-in
//! files under `src/project/snapshots/`. Regenerate with `AIFACTORY_UPDATE_SNAPSHOTS=1`.

use std::path::PathBuf;

use super::*;

fn check(name: &str, spec: &ProjectSpec) {
    let project = ok(spec);
    let mut text = serde_json::to_string_pretty(&project).unwrap_or_else(|e| panic!("{e}"));
    text.push('\n');
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("src/project/snapshots")
        .join(format!("{name}.json"));
    if std::env::var_os("AIFACTORY_UPDATE_SNAPSHOTS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with AIFACTORY_UPDATE_SNAPSHOTS=1 to create it)",
            path.display()
        )
    });
    if expected != text {
        let first = expected
            .lines()
            .zip(text.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| expected.lines().count().min(text.lines().count()));
        panic!(
            "{} differs from the rendered project at line {}:\n  expected: {}\n  actual:   {}\n\
             If the change is intended, run the tests with AIFACTORY_UPDATE_SNAPSHOTS=1 and review the diff.",
            path.display(),
            first + 1,
            expected.lines().nth(first).unwrap_or("<end>"),
            text.lines().nth(first).unwrap_or("<end>")
        );
    }
}

#[test]
fn snapshot_esml() {
    check("esml", &esml());
}

#[test]
fn snapshot_genai() {
    check("genai", &genai());
}

/// A GenAI project on AI Foundry with the Agent service, Cosmos DB and two deployments.
#[test]
fn snapshot_genai_foundry_agent() {
    check("genai_foundry_agent", &super::genai_foundry());
}

/// ESML's GenAI layout: AI Foundry on its own `aif2…` account beside AI Services.
#[test]
fn snapshot_genai_foundry_dedicated() {
    check("genai_foundry_dedicated", &super::genai_foundry_dedicated());
}

/// A GenAI project with Cosmos DB (its account, `Sql` endpoint and zone group).
#[test]
fn snapshot_genai_cosmos() {
    let mut s = genai();
    s.services.cosmos_db = Some(true);
    check("genai_cosmos", &s);
}

#[test]
fn snapshot_genai_ml_allowlist_usgovernment() {
    check("genai_ml_allowlist_usgovernment", &genai_ml_allowlist_gov());
}
