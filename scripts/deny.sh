#!/usr/bin/env bash
# cargo-deny over the workspace with deny.toml: licences, banned crates (openssl,
# native-tls, aws-lc: the release binaries are static and use one TLS stack) and sources,
# all offline; advisories too when the RustSec database can be had:
#   --advisories              fetch it (needs GitHub; the release workflow does this)
#   AIFACTORY_ADVISORY_DB=DIR a local clone of github.com/rustsec/advisory-db (offline)
# Installs cargo-deny (pinned, from crates.io) when missing: a one-time build of a few
# minutes on a fresh machine, about two seconds per run after that.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=0.20.2
if ! cargo deny --version 2>/dev/null | grep -q " $VERSION"; then
    echo "deny: installing cargo-deny $VERSION from crates.io (one time)" >&2
    cargo install --quiet --locked cargo-deny --version "$VERSION" >&2
fi
checks=(licenses bans sources)
if [[ "${1:-}" == --advisories ]]; then
    cargo deny --log-level warn check "${checks[@]}" advisories
elif [[ -n "${AIFACTORY_ADVISORY_DB:-}" ]]; then
    # cargo-deny looks for the database in <db-path>/advisory-db-<hash of its URL>.
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
    mkdir -p "$tmp/db"
    ln -s "$(cd "$AIFACTORY_ADVISORY_DB" && pwd)" "$tmp/db/advisory-db-3157b0e258782691"
    sed "s|^\[advisories\]|[advisories]\ndb-path = \"$tmp/db\"|" deny.toml >"$tmp/deny.toml"
    cargo deny --log-level warn --offline --config "$tmp/deny.toml" check "${checks[@]}" advisories
else
    cargo deny --log-level warn --offline check "${checks[@]}"
    echo "deny: advisories not checked (no database offline; --advisories or AIFACTORY_ADVISORY_DB)" >&2
fi
