#!/usr/bin/env bash
# Installs what cross-building and checking a release needs, when missing (idempotent,
# quick when present):
#   - rustup targets of the release platforms (musl linux amd64/arm64, darwin amd64/arm64,
#     windows GNU amd64);
#   - from PyPI into .cache/release-venv (git-ignored): zig (`ziglang`) and `cargo-zigbuild`
#     as the cross linker, `check-jsonschema` for the release workflow's schema check;
#   - from Debian: gnupg, file and binutils (signing, inspecting binaries); when asked
#     (--emulators) qemu-user-static (runs the arm64 binary) and wine64 (the windows one).
# With --path, prints only the venv's bin directory (put it first on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."

print_path=0
emulators=0
for a in "$@"; do
    case "$a" in
        --path) print_path=1 ;;
        --emulators) emulators=1 ;;
        *) echo "ensure-release-tools: unknown option $a" >&2; exit 2 ;;
    esac
done
log() { echo "ensure-release-tools: $*" >&2; }

targets=(x86_64-unknown-linux-musl aarch64-unknown-linux-musl x86_64-apple-darwin aarch64-apple-darwin x86_64-pc-windows-gnu)
installed="$(rustup target list --installed 2>/dev/null || true)"
missing=()
for t in "${targets[@]}"; do grep -qx "$t" <<<"$installed" || missing+=("$t"); done
if [[ ${#missing[@]} -gt 0 ]]; then
    log "rustup target add ${missing[*]}"
    rustup target add "${missing[@]}" >&2
fi

venv=.cache/release-venv
# Pinned: the versions this repository's release was built and tested with.
pins=(ziglang==0.17.1 cargo-zigbuild==0.24.1 check-jsonschema==0.39.0)
stamp="$venv/.pins"
if [[ ! -x "$venv/bin/cargo-zigbuild" || ! -x "$venv/bin/check-jsonschema" || "$(cat "$stamp" 2>/dev/null)" != "${pins[*]}" ]]; then
    log "installing ${pins[*]} from PyPI into $venv"
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check "${pins[@]}" >&2
    echo "${pins[*]}" >"$stamp"
fi

need=()
# Packaging and the release test: gpg signs, file/readelf/objdump inspect the binaries.
command -v gpg >/dev/null 2>&1 || need+=(gnupg)
command -v file >/dev/null 2>&1 || need+=(file)
command -v readelf >/dev/null 2>&1 && command -v objdump >/dev/null 2>&1 || need+=(binutils)
if [[ "$emulators" == 1 ]]; then
    command -v qemu-aarch64-static >/dev/null 2>&1 || need+=(qemu-user-static)
    [[ -x /usr/lib/wine/wine64 ]] || command -v wine64 >/dev/null 2>&1 || need+=(wine64)
fi
if [[ ${#need[@]} -gt 0 ]]; then
    log "installing ${need[*]} (Debian)"
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if [[ "$print_path" == 1 ]]; then
    echo "$PWD/$venv/bin"
fi
