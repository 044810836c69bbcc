#!/usr/bin/env bash
# The whole test suite: unit and property tests, protocol-level tests, docs freshness,
# and acceptance tests that drive real Terraform CLIs (1.0.3, plus the `terraform` on
# PATH when present) against the freshly built provider.
set -euo pipefail
cd "$(dirname "$0")/.."
# Each phase's wall time goes to stderr ("test.sh: <phase>: N s"), so a slow CI run says
# where its time went.
phase() {
    local name="$1" started=$SECONDS
    shift
    "$@"
    echo "test.sh: $name: $((SECONDS - started)) s" >&2
}
phase ensure-tools bash scripts/ensure-tools.sh
# Gates first (fast): formatting, then lints on every target of every crate.
phase fmt cargo fmt --all --check
phase clippy cargo clippy --workspace --all-targets --quiet -- -D warnings
# The binaries and the test binaries, built once with the test suite's features (dev-
# dependencies unified, as `cargo test` builds them): the provider, the emulator for
# sdk-check.sh and pipelines-check.sh (which build the same way, so theirs is a no-op) and
# `it`. A plain `cargo build --bin` resolves features without the dev-dependencies and
# compiled ~23 units again (the provider's lib among them), `-p aifactory-emulator` ~33.
phase build cargo build --workspace --bins --test it
# Licences, banned crates (no OpenSSL), sources: cargo-deny, offline.
phase deny bash scripts/deny.sh
# The release round trip (tests/it/acceptance/release.rs) packages a static linux_amd64
# build: built here once, before the tests, in the lean dist-check profile.
phase dist-check env RELEASE_PROFILE=dist-check \
    bash scripts/release.sh --build-only --out target/release-dist-check linux_amd64
# Most of the integration tests' time is spent waiting (Terraform CLIs, the emulator's
# long-running operations, concurrent workspaces), so they run with more test threads and
# terraform processes than the 2 cores (tests/it/testkit/terraform: AIFACTORY_TF_PARALLEL).
phase test env RUST_TEST_THREADS="${RUST_TEST_THREADS:-4}" \
    AIFACTORY_TF_PARALLEL="${AIFACTORY_TF_PARALLEL:-4}" \
    cargo test --workspace --lib --bins --tests --no-fail-fast "$@"
# The emulator driven by Microsoft's Python SDKs (venv under target/, loopback only).
phase sdk-check bash scripts/sdk-check.sh
# The CI pipelines users copy: schemas, and their shell steps against the emulator.
phase pipelines-check bash scripts/pipelines-check.sh
# Benches must at least build (their figures come from `cargo bench`).
phase benches cargo test --workspace --benches --no-run --quiet
