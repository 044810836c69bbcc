#!/usr/bin/env bash
# The main job: the whole AI Factory (dev, test, prod; every project in
# examples/aifactory/projects.yaml) applied offline against the Azure emulator, a readable
# summary, a picture of each stage's address space (target/demo/address-map-<stage>.svg),
# a second plan that must be empty, and the emulator shut down.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

bash scripts/ensure-tools.sh
cargo build --release --workspace --bins

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
mirror="$root/.cache/mirror"
dest="$mirror/registry.terraform.io/aifactory/aifactory/$version/linux_amd64"
mkdir -p "$dest"
cp target/release/terraform-provider-aifactory "$dest/terraform-provider-aifactory_v$version"

tf="${AIFACTORY_TERRAFORM:-$root/.cache/terraform/1.0.3/terraform}"
work=$(mktemp -d)
emu_pid=""
cleanup() {
  if [ -n "$emu_pid" ]; then kill -TERM "$emu_pid" 2>/dev/null || true; wait "$emu_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# 1. The emulator, seeded with the tenant, three subscriptions, the pipeline's app and the teams,
#    enforcing the landing zone's "subnets must have an NSG" policy (as Azure Policy answers).
./target/release/aifactory-emulator --seed examples/aifactory/emulator-seed.json --policy subnet-nsg-required \
  --ca-out "$work/ca.pem" --info-out "$work/emulator.json" --latency-ms "${AIFACTORY_DEMO_LATENCY_MS:-0}" \
  > "$work/emulator.url" 2> "$work/emulator.log" &
emu_pid=$!
for _ in $(seq 1 100); do [ -s "$work/emulator.url" ] && break; sleep 0.1; done
url=$(head -1 "$work/emulator.url")
[ -n "$url" ] || { echo "emulator did not start:"; cat "$work/emulator.log"; exit 1; }

export ARM_TENANT_ID=11111111-1111-1111-1111-111111111111
export ARM_CLIENT_ID=22222222-2222-2222-2222-222222222222
export ARM_CLIENT_SECRET=demo-secret-only-for-the-emulator
export ARM_USE_CLI=false
export ARM_RESOURCE_MANAGER_ENDPOINT="$url" ARM_ACTIVE_DIRECTORY_AUTHORITY_HOST="$url"
export ARM_STORAGE_DFS_ENDPOINT_TEMPLATE="$url/dfs/{account}" ARM_CA_CERTIFICATE_FILE="$work/ca.pem"

# 2. The factory.
cp -r examples/aifactory "$work/factory"
cat > "$work/terraformrc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/aifactory/*"]
  }
  direct {
    exclude = ["registry.terraform.io/aifactory/*"]
  }
}
RC
export TF_CLI_CONFIG_FILE="$work/terraformrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0
cd "$work/factory"
echo "== $("$tf" version | sed -n 1p), provider $version, emulator at $url"
"$tf" init -no-color >/dev/null
start=$(date +%s.%N)
"$tf" apply -auto-approve -no-color > "$work/apply.log" 2>&1 || { tail -60 "$work/apply.log"; exit 1; }
end=$(date +%s.%N)
grep -E '^Apply complete' "$work/apply.log"
"$tf" output -json factory > "$work/factory.json"
python3 - "$work/factory.json" "$(python3 -c "print(round($end-$start,1))")" <<'PY'
import json, sys
factory = json.load(open(sys.argv[1]))
print()
print(f"{'STAGE':6} {'PROJECT':11} {'RESOURCE GROUP':38} {'OBJ':>4} {'RBAC':>5} {'ACL':>4}  SUBNETS")
order = {"dev": 0, "test": 1, "prod": 2}
for stage, s in sorted(factory.items(), key=lambda kv: order.get(kv[0], 9)):
    print(f"{stage:6} {'(common)':11} {s['virtual_network'].split('/')[4]:38} {s.get('common', ''):>4} {'':>5} " +
          f"{'':>4}  " + ", ".join(f"{k}={v}" for k, v in sorted(s['common_subnets'].items())))
    for name, p in sorted(s["projects"].items()):
        subnets = ", ".join(f"{k}={v}" for k, v in sorted(p["subnets"].items()))
        print(f"{stage:6} {name:11} {p['resource_group']:38} {p['resources']:>4} {p['role_assignments']:>5} {p['acl_entries']:>4}  {subnets}")
projects = sum(len(s["projects"]) for s in factory.values())
resources = sum(p["resources"] for s in factory.values() for p in s["projects"].values())
rbac = sum(p["role_assignments"] for s in factory.values() for p in s["projects"].values())
acl = sum(p["acl_entries"] for s in factory.values() for p in s["projects"].values())
common = sum(s.get("common", 0) for s in factory.values())
print(f"\n{len(factory)} stages ({common} common objects), {projects} projects, {resources} project objects ({rbac} role assignments, {acl} data-lake ACL entries); apply took {sys.argv[2]} s")
PY
# 3. A picture of each stage's address space (the `local` provider cannot be installed
# offline, so the SVGs come out through `terraform output -raw`).
maps="$root/target/demo"
mkdir -p "$maps"
echo
for stage in dev test prod; do
  "$tf" output -raw "address_map_$stage" > "$maps/address-map-$stage.svg"
  if command -v rsvg-convert >/dev/null 2>&1; then
    rsvg-convert -o "$maps/address-map-$stage.png" "$maps/address-map-$stage.svg"
    echo "address map $stage: $maps/address-map-$stage.svg (and .png)"
  else
    echo "address map $stage: $maps/address-map-$stage.svg"
  fi
done
if "$tf" plan -detailed-exitcode -no-color > "$work/plan.log" 2>&1; then
  echo "second plan: no changes"
else
  echo "second plan is not empty:"; tail -40 "$work/plan.log"; exit 1
fi
