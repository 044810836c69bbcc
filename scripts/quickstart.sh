#!/usr/bin/env bash
# The main job: build the provider, install it into a local filesystem mirror, and
# `terraform apply` examples/quickstart, allocating subnets for a few projects and
# printing the table. Offline; no Azure account needed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

bash scripts/ensure-tools.sh
cargo build --release --bin terraform-provider-aifactory

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
mirror="$root/.cache/mirror"
dest="$mirror/registry.terraform.io/aifactory/aifactory/$version/linux_amd64"
mkdir -p "$dest"
cp target/release/terraform-provider-aifactory "$dest/terraform-provider-aifactory_v$version"

tf="${AIFACTORY_TERRAFORM:-$root/.cache/terraform/1.0.3/terraform}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp examples/quickstart/*.tf "$work/"
cat > "$work/.terraformrc" <<RC
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
export TF_CLI_CONFIG_FILE="$work/.terraformrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0
cd "$work"
echo "== $("$tf" version | sed -n 1p), provider $version, examples/quickstart"
"$tf" init -no-color >/dev/null
start=$(date +%s.%N)
"$tf" apply -auto-approve -no-color | grep -E '^(Apply complete|Plan:)' || true
"$tf" output -raw table
echo
"$tf" plan -detailed-exitcode -no-color >/dev/null && echo "second plan: no changes"
end=$(date +%s.%N)
printf 'apply + plan took %.1f s\n' "$(echo "$end - $start" | bc 2>/dev/null || python3 -c "print($end-$start)")"
