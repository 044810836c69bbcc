#!/usr/bin/env bash
# Holds the emulator to clients no one here wrote: Microsoft's Python SDKs (pinned in
# tests/sdk/requirements.txt) drive the built `aifactory-emulator` binary through the flows
# the provider uses (tests/sdk/test_sdk.py). The SDKs live in a venv under target/ (made
# once, re-made when the requirements change); the emulator listens on 127.0.0.1 only and
# is stopped at the end. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/sdk-venv
req=tests/sdk/requirements.txt
if [ ! -x "$venv/bin/python" ] || ! cmp -s "$req" "$venv/requirements.txt"; then
  echo "sdk-check: installing the SDKs into $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$req"
  cp "$req" "$venv/requirements.txt"
fi

# The test suite's feature set (as scripts/test.sh builds, so this is a no-op there).
cargo build -q --workspace --bins --test it

tenant=11111111-1111-4111-8111-111111111111
subscription=22222222-2222-4222-8222-222222222222
client_id=33333333-3333-4333-8333-333333333333
secret=sdk-check-secret-only-for-the-emulator
work=$(mktemp -d)
target/debug/aifactory-emulator --listen 127.0.0.1:0 --tenant "$tenant" \
  --subscription "$subscription" --app "$client_id:$secret" --lro-delay-ms 300 \
  --ca-out "$work/ca.pem" > "$work/url" 2> "$work/emulator.log" &
pid=$!
stop() {
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap stop EXIT
for _ in $(seq 1 100); do [ -s "$work/url" ] && break; sleep 0.1; done
url=$(head -1 "$work/url")
case "$url" in
  https://127.0.0.1:*) ;;
  *) echo "sdk-check: the emulator did not start on loopback:" >&2; cat "$work/emulator.log" >&2; exit 1 ;;
esac

export AIFACTORY_EMULATOR_URL="$url" AIFACTORY_EMULATOR_TENANT="$tenant" \
  AIFACTORY_EMULATOR_SUBSCRIPTION="$subscription" AIFACTORY_EMULATOR_CLIENT_ID="$client_id" \
  AIFACTORY_EMULATOR_CLIENT_SECRET="$secret" \
  REQUESTS_CA_BUNDLE="$work/ca.pem" SSL_CERT_FILE="$work/ca.pem" \
  AZURE_AUTHORITY_HOST="$url" NO_PROXY="127.0.0.1,localhost" no_proxy="127.0.0.1,localhost"
"$venv/bin/python" -m pytest -q -p no:cacheprovider -rxX tests/sdk "$@"
