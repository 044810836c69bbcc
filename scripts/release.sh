#!/usr/bin/env bash
# Builds the provider and packages a release in the Terraform Registry's format:
#
#   terraform-provider-aifactory_<version>_<os>_<arch>.zip   one per platform, holding
#       terraform-provider-aifactory_v<version>[.exe]
#   terraform-provider-aifactory_<version>_manifest.json    copy of terraform-registry-manifest.json
#   terraform-provider-aifactory_<version>_SHA256SUMS       sha256 of every zip and the manifest
#   terraform-provider-aifactory_<version>_SHA256SUMS.sig   detached (binary) GPG signature
#   mirror/registry.terraform.io/aifactory/aifactory/       the same zips as a provider network
#       mirror (index.json, <version>.json with zh: hashes): copy it to any HTTPS server
#
# The version is the workspace version in Cargo.toml. Platforms (Terraform's names):
# linux_amd64 linux_arm64 (static, musl), darwin_amd64 darwin_arm64, windows_amd64.
#
# Usage: scripts/release.sh [options] [PLATFORM...]   (default: every platform)
#   --out DIR        output directory (default target/release-dist)
#   --build-only     build the binaries into DIR/bin/<platform>/ and stop (CI matrix jobs)
#   --no-build       package the binaries already in DIR/bin/<platform>/ (CI release job)
#   --unsigned       no SHA256SUMS.sig (local try-outs; the Registry needs the signature)
# Environment:
#   RELEASE_PROFILE  cargo profile (default release)
#   RELEASE_BUILDER  zigbuild (cross from linux with zig, the default) or cargo (native runner)
#   RELEASE_CARGO_TARGET_DIR  cargo target dir (default target/)
#   GPG_FINGERPRINT  key to sign with (default: gpg's default key); GPG_PASSPHRASE if it has one
#
# Cross tools (zig from PyPI, cargo-zigbuild, rustup targets) come from
# scripts/ensure-release-tools.sh, which this script runs when it builds with zigbuild.
set -euo pipefail
cd "$(dirname "$0")/.."

out=target/release-dist
mode=all
sign=1
platforms=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --out) out="$2"; shift 2 ;;
        --build-only) mode=build; shift ;;
        --no-build) mode=package; shift ;;
        --unsigned) sign=0; shift ;;
        -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
        -*) echo "release: unknown option $1" >&2; exit 2 ;;
        *) platforms+=("$1"); shift ;;
    esac
done
all_platforms=(linux_amd64 linux_arm64 darwin_amd64 darwin_arm64 windows_amd64)
[[ ${#platforms[@]} -gt 0 ]] || platforms=("${all_platforms[@]}")

name=terraform-provider-aifactory
version="$(sed -n '/^\[workspace.package\]/,/^\[/s/^version *= *"\(.*\)"/\1/p' Cargo.toml | head -n 1)"
[[ -n "$version" ]] || { echo "release: no version in Cargo.toml [workspace.package]" >&2; exit 1; }
profile="${RELEASE_PROFILE:-release}"
builder="${RELEASE_BUILDER:-zigbuild}"
target_dir="${RELEASE_CARGO_TARGET_DIR:-target}"

triple() {
    case "$1" in
        linux_amd64) echo x86_64-unknown-linux-musl ;;
        linux_arm64) echo aarch64-unknown-linux-musl ;;
        darwin_amd64) echo x86_64-apple-darwin ;;
        darwin_arm64) echo aarch64-apple-darwin ;;
        windows_amd64)
            # A native Windows runner builds with MSVC; zig cross-builds the GNU ABI.
            case "$builder/$(uname -s)" in
                cargo/MINGW*|cargo/MSYS*|cargo/CYGWIN*) echo x86_64-pc-windows-msvc ;;
                *) echo x86_64-pc-windows-gnu ;;
            esac ;;
        *) echo "release: unknown platform $1 (one of: ${all_platforms[*]})" >&2; return 1 ;;
    esac
}
exe() { [[ "$1" == windows_* ]] && echo .exe || true; }

build() {
    local p="$1" t
    t="$(triple "$p")"
    local started=$SECONDS
    echo "release: building $p ($t, profile $profile, $builder)" >&2
    if [[ "$builder" == zigbuild ]]; then
        cargo zigbuild --locked --profile "$profile" --target "$t" --target-dir "$target_dir" \
            --bin "$name" >&2
    else
        cargo build --locked --profile "$profile" --target "$t" --target-dir "$target_dir" \
            --bin "$name" >&2
    fi
    local dir="$profile"
    [[ "$profile" == dev ]] && dir=debug
    local bin="$target_dir/$t/$dir/$name$(exe "$p")"
    mkdir -p "$out/bin/$p"
    cp "$bin" "$out/bin/$p/$name$(exe "$p")"
    echo "release: built $p in $((SECONDS - started)) s, $(wc -c <"$bin") bytes" >&2
}

if [[ "$mode" != package ]]; then
    if [[ "$builder" == zigbuild ]]; then
        tools_path="$(bash scripts/ensure-release-tools.sh --path)"
        export PATH="$tools_path:$PATH"
    fi
    for p in "${platforms[@]}"; do triple "$p" >/dev/null; done
    for p in "${platforms[@]}"; do build "$p"; done
fi
[[ "$mode" == build ]] && exit 0

# Package: one zip per platform whose binary is in $out/bin/.
prefix="${name}_${version}"
rm -f "$out/${prefix}"_*
packaged=()
for p in "${platforms[@]}"; do
    bin="$out/bin/$p/$name$(exe "$p")"
    if [[ ! -f "$bin" ]]; then
        if [[ "$mode" == package ]]; then continue; fi
        echo "release: $bin is missing" >&2; exit 1
    fi
    # A reproducible zip: fixed timestamp, the executable bit kept, nothing else.
    python3 - "$bin" "$out/${prefix}_${p}.zip" "${name}_v${version}$(exe "$p")" <<'PY'
import sys, zipfile
src, dest, member = sys.argv[1:4]
info = zipfile.ZipInfo(member, date_time=(1980, 1, 1, 0, 0, 0))
info.external_attr = 0o100755 << 16
info.create_system = 3
info.compress_type = zipfile.ZIP_DEFLATED
with open(src, "rb") as f, zipfile.ZipFile(dest, "w") as z:
    z.writestr(info, f.read(), compresslevel=9)
PY
    packaged+=("$p")
done
[[ ${#packaged[@]} -gt 0 ]] || { echo "release: nothing to package in $out/bin" >&2; exit 1; }
cp terraform-registry-manifest.json "$out/${prefix}_manifest.json"
(cd "$out" && sha256sum "${prefix}"_*.zip "${prefix}_manifest.json" | LC_ALL=C sort -k2 >"${prefix}_SHA256SUMS")

# The provider network mirror layout (Terraform's provider_installation network_mirror).
mirror="$out/mirror/registry.terraform.io/aifactory/aifactory"
rm -rf "$out/mirror"
mkdir -p "$mirror"
cp "$out/${prefix}"_*.zip "$mirror/"
python3 - "$mirror" "$version" "$prefix" "${packaged[@]}" <<'PY'
import hashlib, json, os, sys
mirror, version, prefix, platforms = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
archives = {}
for p in platforms:
    name = f"{prefix}_{p}.zip"
    with open(os.path.join(mirror, name), "rb") as f:
        archives[p] = {"url": name, "hashes": ["zh:" + hashlib.sha256(f.read()).hexdigest()]}
with open(os.path.join(mirror, "index.json"), "w") as f:
    json.dump({"versions": {version: {}}}, f, indent=2)
with open(os.path.join(mirror, f"{version}.json"), "w") as f:
    json.dump({"archives": archives}, f, indent=2)
PY

if [[ "$sign" == 1 ]]; then
    gpg_args=(--batch --yes --detach-sign)
    [[ -n "${GPG_FINGERPRINT:-}" ]] && gpg_args+=(--local-user "$GPG_FINGERPRINT")
    if [[ -n "${GPG_PASSPHRASE:-}" ]]; then
        gpg_args+=(--pinentry-mode loopback --passphrase-fd 0)
        printf '%s' "$GPG_PASSPHRASE" | gpg "${gpg_args[@]}" --output "$out/${prefix}_SHA256SUMS.sig" "$out/${prefix}_SHA256SUMS"
    else
        gpg "${gpg_args[@]}" --output "$out/${prefix}_SHA256SUMS.sig" "$out/${prefix}_SHA256SUMS" </dev/null
    fi
fi
echo "release: $version for ${packaged[*]} in $out" >&2
(cd "$out" && ls -1 "${prefix}"_*)
