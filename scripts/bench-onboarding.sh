#!/usr/bin/env bash
# Figure: onboarding one more project into a factory of N (default 50) projects, against the
# emulator with 50 ms per call: plan and apply wall time and the number of ARM calls each makes.
# Prints figures; not a test. Takes several minutes (it first builds the factory of N).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
n="${1:-50}"
latency="${AIFACTORY_BENCH_LATENCY_MS:-50}"

bash scripts/ensure-tools.sh >/dev/null
cargo build --release --workspace --bins --quiet
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
mirror="$root/.cache/mirror"
dest="$mirror/registry.terraform.io/aifactory/aifactory/$version/linux_amd64"
mkdir -p "$dest" && cp target/release/terraform-provider-aifactory "$dest/terraform-provider-aifactory_v$version"
tf="${AIFACTORY_TERRAFORM:-$(command -v terraform || echo "$root/.cache/terraform/1.0.3/terraform")}"

work=$(mktemp -d)
emu_pid=""
cleanup() { [ -n "$emu_pid" ] && kill -TERM "$emu_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
./target/release/aifactory-emulator --seed examples/aifactory/emulator-seed.json --ca-out "$work/ca.pem" \
  --journal "$work/journal.jsonl" --latency-ms "$latency" > "$work/url" 2> "$work/emu.log" &
emu_pid=$!
for _ in $(seq 1 100); do [ -s "$work/url" ] && break; sleep 0.1; done
url=$(head -1 "$work/url")
export ARM_TENANT_ID=11111111-1111-1111-1111-111111111111 ARM_CLIENT_ID=22222222-2222-2222-2222-222222222222
export ARM_CLIENT_SECRET=demo-secret-only-for-the-emulator ARM_USE_CLI=false
export ARM_RESOURCE_MANAGER_ENDPOINT="$url" ARM_ACTIVE_DIRECTORY_AUTHORITY_HOST="$url"
export ARM_STORAGE_DFS_ENDPOINT_TEMPLATE="$url/dfs/{account}" ARM_CA_CERTIFICATE_FILE="$work/ca.pem"
printf 'provider_installation {\n filesystem_mirror {\n path = "%s"\n include = ["registry.terraform.io/aifactory/*"]\n }\n direct { exclude = ["registry.terraform.io/aifactory/*"] }\n}\n' "$mirror" > "$work/rc"
export TF_CLI_CONFIG_FILE="$work/rc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0

mkdir -p "$work/cfg" && cp -r examples/aifactory/modules "$work/cfg/"
projects() {  # N genai projects, one team group each
  python3 - "$1" <<'PY'
import json, sys
n = int(sys.argv[1])
print(json.dumps([{"number": i, "type": "genai", "cost_centre": str(4700 + i), "principal_type": "Group",
                   "members": ["6a1f1b52-0d0e-4a3c-9a58-1a7e3c1d0001"]} for i in range(1, n + 1)]))
PY
}
write_cfg() {
  cat > "$work/cfg/main.tf" <<TF
terraform {
  required_providers {
    aifactory = { source = "aifactory/aifactory" }
  }
}
provider "aifactory" { subscription_id = "00000000-0000-0000-0000-000000000001" }
module "dev" {
  source             = "./modules/stage"
  environment        = "dev"
  subscription_id    = "00000000-0000-0000-0000-000000000001"
  vnet_address_space = ["10.20.0.0/16"]
  slot_prefix_length = 24
  projects           = jsondecode(<<JSON
$(projects "$1")
JSON
  )
}
TF
}
calls() { wc -l < "$work/journal.jsonl"; }
timed() {  # prints seconds; on failure the log goes to stderr (not into the caller's $(...))
  local s e; s=$(date +%s.%N)
  "$@" > "$work/last.log" 2>&1 || { tail -40 "$work/last.log" >&2; exit 1; }
  e=$(date +%s.%N); python3 -c "print(f'{$e-$s:.1f}')"
}

cd "$work/cfg"
write_cfg "$n"
"$tf" init -no-color > /dev/null
c0=$(calls); t_base=$(timed "$tf" apply -auto-approve -no-color -parallelism=10); cb=$(calls)
write_cfg "$((n + 1))"
cq=$(calls); t_quick=$(timed "$tf" plan -refresh=false -no-color); cq2=$(calls)
c1=$(calls)
t_plan=$(timed "$tf" plan -no-color -out="$work/plan"); c2=$(calls)
t_apply=$(timed "$tf" apply -no-color "$work/plan"); c3=$(calls)
echo "onboarding benchmark: $("$tf" version | sed -n 1p), emulator latency ${latency} ms per call"
echo "  build a factory of $n projects (1 stage):  ${t_base} s, $((cb - c0)) ARM/Entra/DFS calls"
echo "  plan  after adding project $((n + 1)):           ${t_plan} s, $((c2 - c1)) calls (refreshes all $n projects)"
echo "  apply of that plan:                       ${t_apply} s, $((c3 - c2)) calls"
echo "  (plan -refresh=false of the same change:   ${t_quick} s, $((cq2 - cq)) calls)"
# What bounds the plan: ARM reads beyond the client's burst wait for its refill (ARM's 250
# burst / 25 per second per principal, minus the client's 5% headroom).
python3 - "$work/journal.jsonl" "$c1" "$c2" "$t_plan" <<'PY'
import json, sys
path, lo, hi, t = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
rows = [json.loads(l) for i, l in enumerate(open(path)) if lo <= i < hi]
arm_reads = sum(1 for r in rows if r["method"] == "GET" and r["path"].startswith("/subscriptions"))
dfs = sum(1 for r in rows if r["path"].startswith("/dfs/"))
other = len(rows) - arm_reads - dfs
bound = max(0.0, arm_reads - 250 * 0.95) / (25 * 0.95)
print(f"  plan's calls: {arm_reads} ARM reads, {dfs} DFS, {other} other (tokens, ...);"
      f" ARM read throttle bound {bound:.1f} s (plan took {t:.1f} s, {t / bound if bound else 0:.2f}x)")
PY
