#!/usr/bin/env bash
# The whole test suite: unit and property tests, protocol-level tests, docs freshness,
# and acceptance tests that drive real Terraform CLIs (1.0.3, plus the `terraform` on
# PATH when present) against the freshly built provider.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-tools.sh
# Gates first (fast): formatting, then lints on every target of every crate.
cargo fmt --all --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
cargo build --bin terraform-provider-aifactory
# Licences, banned crates (no OpenSSL), sources: cargo-deny, offline.
bash scripts/deny.sh
# The release round trip (tests/it/acceptance/release.rs) packages a static linux_amd64
# build: built here once, before the tests, in the lean dist-check profile.
RELEASE_PROFILE=dist-check bash scripts/release.sh --build-only --out target/release-dist-check linux_amd64
cargo test --workspace --lib --bins --tests --no-fail-fast "$@"
# The emulator driven by Microsoft's Python SDKs (venv under target/, loopback only).
bash scripts/sdk-check.sh
# The CI pipelines users copy: schemas, and their shell steps against the emulator.
bash scripts/pipelines-check.sh
# Benches must at least build (their figures come from `cargo bench`).
cargo test --workspace --benches --no-run --quiet
