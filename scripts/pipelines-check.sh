#!/usr/bin/env bash
# The pipelines users copy (examples/pipelines), checked offline:
#  1. every pipeline YAML against its published JSON schema (check-jsonschema's vendored
#     GitHub workflow and Azure Pipelines schemas; venv under target/, version pinned);
#  2. the Terraform files formatted, and the pipelines' root modules valid;
#  3. the pipelines' shell steps (examples/pipelines/scripts) run as a pipeline runs them,
#     against the emulator on 127.0.0.1 with the built provider, authenticating by OIDC
#     (a federated token, no secret): plan (exit 2, outputs for GitHub and Azure DevOps),
#     the PR comment (created, then updated), apply of the saved plan, plan (exit 0), drift
#     made behind Terraform's back then the drift check (exit 2, an issue opened), again (the
#     issue commented), after the fix (exit 0, the issue closed). `gh` is a fake on PATH that
#     records its arguments.
# Ends with "pipelines-check: N passed, M failed"; exits 1 when something failed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
start_time=$(date +%s)
passed=0
failed=0
ok() {
  echo "ok   $*"
  passed=$((passed + 1))
}
bad() {
  echo "FAIL $*"
  failed=$((failed + 1))
}
# expect <description> <wanted exit code> <command...>
expect() {
  local what="$1" want="$2"
  shift 2
  local got=0
  "$@" >"$work/last.out" 2>&1 || got=$?
  if [ "$got" = "$want" ]; then
    ok "$what (exit $got)"
  else
    bad "$what: exit $got, expected $want"
    sed 's/^/     | /' "$work/last.out" | tail -40
  fi
}
# contains <description> <file> <fixed string>
contains() {
  if grep -qF -- "$3" "$2" 2>/dev/null; then ok "$1"; else
    bad "$1: \"$3\" not in $2"
    sed 's/^/     | /' "$2" 2>/dev/null | tail -20 || true
  fi
}

work=$(mktemp -d)
[ -z "${PIPELINES_CHECK_KEEP:-}" ] || echo "pipelines-check: work dir $work" >&2
emu_pid=""
cleanup() {
  if [ -n "$emu_pid" ]; then
    kill "$emu_pid" 2>/dev/null || true
    wait "$emu_pid" 2>/dev/null || true
  fi
  [ -n "${PIPELINES_CHECK_KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

# ---------------------------------------------------------------- 1. schemas
venv=target/pipelines-venv
req="check-jsonschema==0.39.0"
if [ ! -x "$venv/bin/check-jsonschema" ] || [ "$(cat "$venv/requirement" 2>/dev/null)" != "$req" ]; then
  echo "pipelines-check: installing $req into $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "$req"
  echo "$req" >"$venv/requirement"
fi
for f in examples/pipelines/github/workflows/*.yml; do
  expect "schema: $f (vendor.github-workflows)" 0 \
    "$venv/bin/check-jsonschema" --builtin-schema vendor.github-workflows "$f"
done
# (The Azure Pipelines schema's patterns need ECMAScript regexes without Unicode mode.)
for f in examples/pipelines/azure-devops/*.yml; do
  expect "schema: $f (vendor.azure-pipelines)" 0 \
    "$venv/bin/check-jsonschema" --regex-variant nonunicode --builtin-schema vendor.azure-pipelines "$f"
done
# The schemas do refuse a broken pipeline (so the checks above can fail).
sed 's/runs-on: ubuntu-latest/runs-on: {unexpected: [1]}/; s/^jobs:/jobz:/' \
  examples/pipelines/github/workflows/terraform-plan.yml >"$work/broken.yml"
expect "schema: a broken workflow is refused" 1 \
  "$venv/bin/check-jsonschema" --builtin-schema vendor.github-workflows "$work/broken.yml"
sed 's/^    displayName: \${{ parameters.stage }}$/    displayName: [not, a, string]/; s/condition: always()/condition: {always: 1}/' \
  examples/pipelines/azure-devops/stage.yml >"$work/broken-stage.yml"
expect "schema: a broken Azure pipeline is refused" 1 \
  "$venv/bin/check-jsonschema" --regex-variant nonunicode --builtin-schema vendor.azure-pipelines "$work/broken-stage.yml"

# ---------------------------------------------------------------- 2. Terraform files
tf="${AIFACTORY_TERRAFORM:-$root/.cache/terraform/1.0.3/terraform}"
[ -x "$tf" ] || bash scripts/install-terraform.sh >/dev/null
expect "terraform fmt -check examples/pipelines" 0 "$tf" fmt -recursive -check -diff examples/pipelines
for s in examples/pipelines/terraform/stages/*.tfvars; do
  expect "terraform fmt -check $s" 0 "$tf" fmt -check "$s"
done

# The test suite's feature set (as scripts/test.sh builds, so this is a no-op there).
cargo build -q --workspace --bins --test it
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
dest="$work/mirror/registry.terraform.io/aifactory/aifactory/$version/linux_amd64"
mkdir -p "$dest"
cp target/debug/terraform-provider-aifactory "$dest/terraform-provider-aifactory_v$version"
cat >"$work/terraformrc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$work/mirror"
    include = ["registry.terraform.io/aifactory/*"]
  }
  direct {
    exclude = ["registry.terraform.io/aifactory/*"]
  }
}
RC
export TF_CLI_CONFIG_FILE="$work/terraformrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0

# The repository as a pipeline checks it out: the pipelines and the factory (one project,
# to keep the run short).
repo="$work/repo"
mkdir -p "$repo/examples"
cp -r examples/pipelines "$repo/examples/pipelines"
mkdir -p "$repo/examples/aifactory"
cp -r examples/aifactory/modules "$repo/examples/aifactory/modules"
python3 - "$root/examples/aifactory/projects.yaml" "$repo/examples/aifactory/projects.yaml" <<'PY'
import sys
# The first project of the tickets, verbatim (the file's own format, no YAML library).
lines = open(sys.argv[1]).read().splitlines()
out, seen = [], 0
for line in lines:
    if line.startswith("  - number:"):
        seen += 1
    if seen <= 1:
        out.append(line)
open(sys.argv[2], "w").write("\n".join(out) + "\n")
PY
for dir in terraform hcp-terraform/split/common; do
  expect "terraform validate examples/pipelines/$dir" 0 bash -c \
    "cd '$repo/examples/pipelines/$dir' && '$tf' init -backend=false -input=false -no-color >/dev/null && '$tf' validate -no-color"
done

# ---------------------------------------------------------------- 3. the shell steps
tenant=11111111-1111-1111-1111-111111111111
client_id=33333333-3333-4333-8333-333333333333
repo_name=acme/ai-factory
subject="repo:$repo_name:environment:dev"
python3 - "$root/examples/aifactory/emulator-seed.json" "$work/seed.json" "$client_id" "$subject" <<'PY'
import json, sys
seed = json.load(open(sys.argv[1]))
# The pipeline's identity: an app with a federated credential for GitHub's OIDC tokens.
seed["principals"].append({
    "kind": "app", "client_id": sys.argv[3],
    "federated_credentials": [{"issuer": "https://token.actions.githubusercontent.com",
                               "subject": sys.argv[4], "audiences": ["api://AzureADTokenExchange"]}],
})
json.dump(seed, open(sys.argv[2], "w"))
PY
target/debug/aifactory-emulator --listen 127.0.0.1:0 --seed "$work/seed.json" \
  --ca-out "$work/ca.pem" >"$work/emulator.url" 2>"$work/emulator.log" &
emu_pid=$!
for _ in $(seq 1 100); do [ -s "$work/emulator.url" ] && break; sleep 0.1; done
url=$(head -1 "$work/emulator.url")
case "$url" in
  https://127.0.0.1:*) ;;
  *) echo "pipelines-check: the emulator did not start on loopback:" >&2; cat "$work/emulator.log" >&2; exit 1 ;;
esac

# What GitHub Actions would hand the job: an OIDC token for the environment (unsigned here;
# the emulator checks issuer, subject, audience and lifetime against the federated credential).
token=$(python3 - "$subject" <<'PY'
import base64, json, sys, time
enc = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()
now = int(time.time())
print(enc({"alg": "RS256", "typ": "JWT"}) + "." + enc({
    "iss": "https://token.actions.githubusercontent.com", "sub": sys.argv[1],
    "aud": "api://AzureADTokenExchange", "iat": now, "nbf": now - 60, "exp": now + 3600,
}) + ".c2lnbmF0dXJl")
PY
)
mkdir -p "$work/bin"
cat >"$work/bin/gh" <<'GH'
#!/usr/bin/env bash
# A fake gh: records its arguments; answers the look-ups from FAKE_GH_* variables.
printf '%s\n' "$*" >>"$FAKE_GH_LOG"
case "$1 $2" in
  "issue list") [ -z "${FAKE_GH_OPEN_ISSUE:-}" ] || echo "$FAKE_GH_OPEN_ISSUE" ;;
  "api repos/"*) [ -z "${FAKE_GH_COMMENT_ID:-}" ] || echo "$FAKE_GH_COMMENT_ID" ;;
esac
exit 0
GH
chmod +x "$work/bin/gh"

scripts="$repo/examples/pipelines/scripts"
run() {
  env -u ARM_CLIENT_SECRET -u ARM_CLIENT_CERTIFICATE_PATH \
    PATH="$work/bin:$PATH" TF="$tf" PLAN_DIR="$work/plans" TF_BACKEND_LOCAL_DIR="$work/state" \
    ARM_USE_OIDC=true ARM_OIDC_TOKEN="$token" ARM_CLIENT_ID="$client_id" ARM_TENANT_ID="$tenant" \
    ARM_USE_CLI=false ARM_RESOURCE_MANAGER_ENDPOINT="$url" ARM_ACTIVE_DIRECTORY_AUTHORITY_HOST="$url" \
    ARM_STORAGE_DFS_ENDPOINT_TEMPLATE="$url/dfs/{account}" ARM_CA_CERTIFICATE_FILE="$work/ca.pem" \
    FAKE_GH_LOG="$work/gh.log" GITHUB_OUTPUT="$work/github-output" "$@"
}
: >"$work/gh.log"
: >"$work/github-output"

flow_start=$(date +%s)
expect "plan.sh with an unknown stage" 1 run "$scripts/plan.sh" staging
expect "plan.sh dev: changes" 2 run "$scripts/plan.sh" dev
contains "plan summary names the changes" "$work/plans/dev.summary.md" "to add"
contains "GitHub output exitcode=2" "$work/github-output" "exitcode=2"
contains "GitHub output has_changes=true" "$work/github-output" "has_changes=true"
expect "pr-comment.sh: a new comment" 0 run env GITHUB_REPOSITORY="$repo_name" "$scripts/pr-comment.sh" dev 42
contains "gh pr comment with the summary" "$work/gh.log" "pr comment 42 --repo $repo_name --body-file $work/plans/dev.comment.md"
contains "the comment carries the stage's marker" "$work/plans/dev.comment.md" "<!-- aifactory-plan:dev -->"
expect "pr-comment.sh: the stage's comment updated" 0 \
  run env GITHUB_REPOSITORY="$repo_name" FAKE_GH_COMMENT_ID=777 "$scripts/pr-comment.sh" dev 42
contains "gh api PATCH of comment 777" "$work/gh.log" "api --method PATCH repos/$repo_name/issues/comments/777 -F body=@$work/plans/dev.comment.md"
expect "apply.sh dev: the saved plan" 0 run "$scripts/apply.sh" dev
contains "apply used the saved plan" "$work/last.out" "Apply complete!"
expect "the stage's address map is an output" 0 run env TF_DATA_DIR="$repo/examples/pipelines/terraform/.terraform-dev" \
  bash -c "'$tf' -chdir='$repo/examples/pipelines/terraform' output -raw address_map | grep -q '<svg xmlns='"
: >"$work/github-output"
expect "plan.sh dev after apply: no changes" 0 run "$scripts/plan.sh" dev
contains "GitHub output has_changes=false" "$work/github-output" "has_changes=false"
contains "plan summary says no changes" "$work/plans/dev.summary.md" "no changes"
expect "Azure DevOps output variable" 0 run env TF_BUILD=True "$scripts/plan.sh" dev
contains "##vso output has_changes" "$work/last.out" "##vso[task.setvariable variable=has_changes;isOutput=true]false"
expect "drift.sh dev: no drift" 0 run env GITHUB_REPOSITORY="$repo_name" "$scripts/drift.sh" dev

# Onboarding a project (a pull request adding a ticket): the plan's summary shows the stage's
# address plan after the change, with the new project's subnets.
yaml="$repo/examples/aifactory/projects.yaml"
cp "$yaml" "$work/projects.yaml.applied"
printf '  - number: 2\n    type: genai\n    cost_centre: "4712"\n    principal_type: Group\n    members:\n      - 6a1f1b52-0d0e-4a3c-9a58-1a7e3c1d0002\n' >>"$yaml"
expect "plan.sh dev with a new project: changes" 2 run "$scripts/plan.sh" dev
contains "the summary shows the address plan after the change" "$work/plans/dev.summary.md" "| 10.20.16.0/25 | 128 | project002 | private_endpoints | snt-project002-private_endpoints |"
contains "... with the projects already there" "$work/plans/dev.summary.md" "| 10.20.8.0/25 | 128 | project001 | private_endpoints |"
cp "$work/projects.yaml.applied" "$yaml"
rm -f "$work/plans/dev.tfplan"

# Drift: the common subnet's NSG (aifactory_common's nsg.common) deleted behind Terraform's
# back.
la="/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/acme-esml-common-weu-dev-001/providers/Microsoft.Network/networkSecurityGroups/nsg-snet-esml-cmn-001"
expect "drift made in the emulator" 0 python3 -c '
import ssl, sys, urllib.parse, urllib.request
ctx = ssl.create_default_context(cafile=sys.argv[1])
import json
req = urllib.request.Request(sys.argv[2] + "/_emulator/resource?id=" + urllib.parse.quote(sys.argv[3]), method="DELETE")
deleted = json.load(urllib.request.urlopen(req, context=ctx)).get("deleted", 0)
sys.exit(0 if deleted else 1)
' "$work/ca.pem" "$url" "$la"
: >"$work/gh.log"
expect "drift.sh dev: drift, an issue opened" 2 run env GITHUB_REPOSITORY="$repo_name" RUN_URL=https://example.invalid/run/1 "$scripts/drift.sh" dev
contains "gh looked for an open drift issue" "$work/gh.log" "issue list --repo $repo_name --state open --label drift"
contains "gh made the label" "$work/gh.log" "label create drift --repo $repo_name"
contains "gh issue create" "$work/gh.log" "issue create --repo $repo_name --title Drift detected in dev --label drift --body-file $work/plans/dev.drift.md"
contains "the issue shows the plan" "$work/plans/dev.drift.md" "to change"
contains "the issue links the run" "$work/plans/dev.drift.md" "Run: https://example.invalid/run/1"
: >"$work/gh.log"
expect "drift.sh dev: drift again, the open issue commented" 2 \
  run env GITHUB_REPOSITORY="$repo_name" FAKE_GH_OPEN_ISSUE=5 "$scripts/drift.sh" dev
contains "gh issue comment 5" "$work/gh.log" "issue comment 5 --repo $repo_name --body-file"
if grep -q "issue create" "$work/gh.log"; then bad "no second issue"; else ok "no second issue"; fi
expect "drift.sh without GitHub: exit code only" 2 run "$scripts/drift.sh" dev
expect "apply.sh dev: drift repaired (fresh plan)" 0 run "$scripts/apply.sh" dev
: >"$work/gh.log"
expect "drift.sh dev: fixed, the issue closed" 0 \
  run env GITHUB_REPOSITORY="$repo_name" FAKE_GH_OPEN_ISSUE=5 "$scripts/drift.sh" dev
contains "gh issue close 5" "$work/gh.log" "issue close 5 --repo $repo_name"
if grep -q "^pr \|issue create\|issue comment" "$work/gh.log"; then bad "nothing else told"; else ok "nothing else told"; fi
# No secret reached a log.
if grep -rqF "$token" "$work/plans" 2>/dev/null; then bad "the OIDC token is in a plan file"; else ok "the OIDC token is in no plan file or log"; fi

end_time=$(date +%s)
echo "pipelines-check: shell steps against the emulator took $((end_time - flow_start)) s, all $((end_time - start_time)) s"
echo "pipelines-check: $passed passed, $failed failed"
[ "$failed" = 0 ]
