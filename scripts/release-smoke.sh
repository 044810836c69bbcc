#!/usr/bin/env bash
# Checks one release binary the way a user's machine would meet it:
#   linux_*    an ELF with no dynamic dependency (no NEEDED entry, no interpreter);
#   windows_*  a PE that imports only DLLs every Windows has (no MinGW or MSVC runtime DLL);
# then starts it as Terraform does (TF_PLUGIN_MAGIC_COOKIE, PLUGIN_PROTOCOL_VERSIONS=6) —
# natively, under qemu-aarch64-static (arm64 on another host) or wine64 (windows) — and
# reads the go-plugin handshake line `1|6|tcp|127.0.0.1:PORT|grpc|` (or unix) from stdout.
# darwin binaries are checked for their Mach-O architecture only (nothing runs them here).
#
# Usage: scripts/release-smoke.sh PLATFORM BINARY   (prints the handshake line)
set -euo pipefail

platform="$1"
bin="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
fail() { echo "release-smoke: $platform: $*" >&2; exit 1; }
[[ -f "$bin" ]] || fail "no binary at $bin"

desc="$(file -b "$bin")"
echo "release-smoke: $platform: $desc" >&2
run=()
case "$platform" in
    linux_amd64|linux_arm64)
        want=x86-64; [[ "$platform" == linux_arm64 ]] && want=aarch64
        [[ "$desc" == *ELF*"$want"* ]] || fail "not an ELF for $want: $desc"
        needed="$(readelf -d "$bin" 2>/dev/null | grep '(NEEDED)' || true)"
        [[ -z "$needed" ]] || fail "dynamic dependencies: $needed"
        readelf -l "$bin" | grep -q 'Requesting program interpreter' && fail "has a program interpreter (dynamically linked)"
        [[ "$desc" == *"statically linked"* || "$desc" == *"static-pie linked"* ]] || fail "file does not call it static: $desc"
        if [[ "$platform" == linux_arm64 && "$(uname -m)" != aarch64 ]]; then
            command -v qemu-aarch64-static >/dev/null || fail "qemu-aarch64-static is missing (scripts/ensure-release-tools.sh --emulators)"
            run=(qemu-aarch64-static "$bin")
        else
            run=("$bin")
        fi
        ;;
    windows_amd64)
        [[ "$desc" == *PE32+*x86-64* ]] || fail "not a PE32+ x86-64 executable: $desc"
        dlls="$(objdump -p "$bin" | awk '/DLL Name:/ { print tolower($3) }' | sort -u)"
        echo "release-smoke: $platform imports: $(echo $dlls)" >&2
        for d in $dlls; do
            case "$d" in
                kernel32.dll|ntdll.dll|ws2_32.dll|advapi32.dll|bcrypt.dll|bcryptprimitives.dll|userenv.dll|\
                crypt32.dll|secur32.dll|ole32.dll|oleaut32.dll|shell32.dll|user32.dll|msvcrt.dll|ucrtbase.dll|\
                synchronization.dll|iphlpapi.dll|ncrypt.dll|api-ms-win-*) ;;
                *) fail "imports $d, which Windows does not ship" ;;
            esac
        done
        if [[ "$(uname -s)" == Linux ]]; then
            wine=""
            for w in wine64 /usr/lib/wine/wine64 wine; do command -v "$w" >/dev/null 2>&1 && { wine="$w"; break; }; done
            [[ -n "$wine" ]] || fail "wine64 is missing (scripts/ensure-release-tools.sh --emulators)"
            export WINEPREFIX="${WINEPREFIX:-$(mktemp -d)/wine}" WINEDEBUG=-all,err+module
            # Rust's std takes randomness from bcryptprimitives.dll (ProcessPrng), which every
            # Windows 10+ has but Debian 12's Wine 8 lacks: beside a copy of the binary goes
            # a stand-in DLL (built with zig) exporting ProcessPrng over RtlGenRandom.
            shim="$(mktemp -d)"
            cat >"$shim/bcryptprimitives.c" <<'C'
#include <windows.h>
#include <ntsecapi.h>
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!RtlGenRandom(data, n)) return FALSE;
        data += n; len -= n;
    }
    return TRUE;
}
C
            tools="$(bash "$(dirname "$0")/ensure-release-tools.sh" --path)"
            "$tools/python3" -m ziglang cc -shared -target x86_64-windows-gnu -O2 \
                "$shim/bcryptprimitives.c" -o "$shim/bcryptprimitives.dll" -ladvapi32
            cp "$bin" "$shim/"
            export WINEDLLOVERRIDES="bcryptprimitives=n,b"
            run=("$wine" "$shim/$(basename "$bin")")
        else
            run=("$bin")
        fi
        ;;
    darwin_amd64|darwin_arm64)
        want=x86_64; [[ "$platform" == darwin_arm64 ]] && want=arm64
        [[ "$desc" == *Mach-O*64-bit*"$want"* ]] || fail "not a Mach-O $want executable: $desc"
        if [[ "$(uname -s)" != Darwin ]]; then
            echo "release-smoke: $platform: no macOS here, handshake not run" >&2
            exit 0
        fi
        run=("$bin")
        ;;
    *) fail "unknown platform" ;;
esac

out="$(mktemp)"
err="$(mktemp)"
trap 'rm -rf "$out" "$err" "${shim:-}"; [[ -n "${pid:-}" ]] && kill "$pid" 2>/dev/null || true' EXIT
TF_PLUGIN_MAGIC_COOKIE=d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2 \
PLUGIN_PROTOCOL_VERSIONS=6 "${run[@]}" >"$out" 2>"$err" </dev/null &
pid=$!
for _ in $(seq 1 1200); do
    [[ -s "$out" ]] && grep -q $'\n' "$out" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
line="$(head -n 1 "$out" | tr -d '\r')"
if ! [[ "$line" =~ ^1\|6\|(tcp\|127\.0\.0\.1:[0-9]+|unix\|/.+)\|grpc\| ]]; then
    grep -v -e fixme: -e winediag -e systray "$err" | tail -n 5 >&2 || true
    fail "no handshake line (got: ${line:-nothing})"
fi
echo "$line"
