# Shared by the pipeline scripts (sourced, not run). Plain POSIX-ish bash: the same steps
# run in GitHub Actions, Azure DevOps and on a workstation.
#
# Environment (all optional):
#   TF                      terraform binary (default: terraform on PATH)
#   TF_ROOT                 the root module (default: examples/pipelines/terraform)
#   PLAN_DIR                where plans and summaries go (default: $RUNNER_TEMP or
#                           $AGENT_TEMPDIRECTORY or /tmp, + /aifactory-plans)
#   TF_BACKEND_SUBSCRIPTION_ID, TF_BACKEND_RESOURCE_GROUP, TF_BACKEND_STORAGE_ACCOUNT,
#   TF_BACKEND_CONTAINER    state in Azure storage (azurerm backend, blob
#                           aifactory-<stage>.tfstate, authenticated like the provider)
#   TF_BACKEND_LOCAL_DIR    else state in <dir>/<stage>.tfstate (a workstation, the tests)
# With neither, the root module keeps its own backend (none: HCP Terraform's workspace).
set -euo pipefail

# Azure DevOps passes a variable the variable group lacks as the literal text `$(NAME)`:
# such values count as unset.
for v in GITHUB_REPOSITORY GH_TOKEN RUN_URL TF_BACKEND_SUBSCRIPTION_ID TF_BACKEND_RESOURCE_GROUP \
  TF_BACKEND_STORAGE_ACCOUNT TF_BACKEND_CONTAINER; do
  case "${!v:-}" in '$('*')') unset "$v" ;; esac
done

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TF="${TF:-terraform}"
TF_ROOT="${TF_ROOT:-$here/../terraform}"
PLAN_DIR="${PLAN_DIR:-${RUNNER_TEMP:-${AGENT_TEMPDIRECTORY:-/tmp}}/aifactory-plans}"
export TF_IN_AUTOMATION=1 TF_INPUT=0

die() {
  echo "error: $*" >&2
  exit 1
}

# The stage argument: dev, test or prod (anything with a variable file).
stage_arg() {
  local stage="${1:-}"
  [ -n "$stage" ] || die "usage: $(basename "$0") <stage> ..."
  case "$stage" in
    *[!a-z0-9_-]*) die "stage \"$stage\": use lowercase letters, digits, - and _" ;;
  esac
  [ -f "$TF_ROOT/stages/$stage.tfvars" ] || die "no variable file $TF_ROOT/stages/$stage.tfvars for stage \"$stage\""
  printf '%s' "$stage"
}

# terraform init for a stage, with its own state: the backend file zz_backend.tf is written
# here (azurerm or local) so the root module itself stays backend-free for HCP Terraform.
tf_init() {
  local stage="$1"
  local args=(-input=false -no-color -reconfigure)
  if [ -n "${TF_BACKEND_STORAGE_ACCOUNT:-}" ]; then
    printf 'terraform {\n  backend "azurerm" {}\n}\n' >"$TF_ROOT/zz_backend.tf"
    [ -z "${TF_BACKEND_SUBSCRIPTION_ID:-}" ] || args+=("-backend-config=subscription_id=$TF_BACKEND_SUBSCRIPTION_ID")
    args+=(
      "-backend-config=resource_group_name=${TF_BACKEND_RESOURCE_GROUP:?TF_BACKEND_RESOURCE_GROUP is not set}"
      "-backend-config=storage_account_name=$TF_BACKEND_STORAGE_ACCOUNT"
      "-backend-config=container_name=${TF_BACKEND_CONTAINER:-tfstate}"
      "-backend-config=key=aifactory-$stage.tfstate"
      "-backend-config=use_oidc=${ARM_USE_OIDC:-false}"
      "-backend-config=use_azuread_auth=true"
    )
  elif [ -n "${TF_BACKEND_LOCAL_DIR:-}" ]; then
    mkdir -p "$TF_BACKEND_LOCAL_DIR"
    printf 'terraform {\n  backend "local" {}\n}\n' >"$TF_ROOT/zz_backend.tf"
    args+=("-backend-config=path=$TF_BACKEND_LOCAL_DIR/$stage.tfstate")
  fi
  # A stage's providers and backend never mix with another's, even on a reused agent.
  export TF_DATA_DIR="$TF_ROOT/.terraform-$stage"
  "$TF" -chdir="$TF_ROOT" init "${args[@]}" >"$PLAN_DIR/$stage.init.log" 2>&1 || {
    cat "$PLAN_DIR/$stage.init.log" >&2
    die "terraform init failed for stage $stage"
  }
}

# Publish `name=value` as a step output (GitHub Actions) or an output variable (Azure DevOps).
set_output() {
  local name="$1" value="$2"
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    printf '%s=%s\n' "$name" "$value" >>"$GITHUB_OUTPUT"
  fi
  if [ "${TF_BUILD:-}" = "True" ]; then
    echo "##vso[task.setvariable variable=$name;isOutput=true]$value"
  fi
}

# The one-line result of a plan's text (`Plan: 1 to add, ...` or `No changes.`).
plan_headline() {
  grep -E '^(Plan: |No changes\.|Changes to Outputs:)' "$1" | head -1 || true
}

# A Markdown summary of a plan: headline, then the plan text, cut to fit a comment.
write_summary() {
  local stage="$1" exitcode="$2" text="$3" out="$4" marker="${5:-}"
  local headline
  headline="$(plan_headline "$text")"
  {
    [ -z "$marker" ] || echo "$marker"
    case "$exitcode" in
      0) echo "### ✅ \`$stage\`: no changes" ;;
      2) echo "### 📝 \`$stage\`: ${headline:-changes}" ;;
      *) echo "### ❌ \`$stage\`: plan failed" ;;
    esac
    echo
    echo "<details><summary>terraform plan ($stage)</summary>"
    echo
    echo '```'
    # Without the progress lines; GitHub comments hold 65,536 characters.
    grep -vE ': (Refreshing state|Reading|Read complete after)' "$text" >"$text.short" || true
    head -c 60000 "$text.short"
    [ "$(wc -c <"$text.short")" -le 60000 ] || printf '\n... (cut; the whole plan is in the run log)\n'
    echo '```'
    echo
    echo "</details>"
    local map="${text%.plan.txt}.address-map.md"
    if [ "$map" != "$text" ] && [ -s "$map" ]; then
      echo
      echo "<details><summary>address plan after this change ($stage)</summary>"
      echo
      cat "$map"
      echo
      echo "</details>"
    fi
  } >"$out"
}
