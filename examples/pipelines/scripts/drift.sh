#!/usr/bin/env bash
# Scheduled drift check for one stage: a refreshing plan; when it is not empty, open a GitHub
# issue (or comment on the open one) with the plan summary; when it is empty again, close that
# issue. Exit 0 = no drift, 2 = drift, 1 = error. The issues need `gh` with GH_TOKEN
# (issues: write) and GITHUB_REPOSITORY; without GITHUB_REPOSITORY the summary is only
# written ($PLAN_DIR/<stage>.drift.md) and the exit code is the signal.
#   drift.sh <stage>
source "$(dirname "$0")/lib.sh"
stage="$(stage_arg "${1:-}")"
repo="${GITHUB_REPOSITORY:-}"
mkdir -p "$PLAN_DIR"
tf_init "$stage"

set +e
"$TF" -chdir="$TF_ROOT" plan -input=false -no-color -detailed-exitcode -lock-timeout=10m \
  -var-file="stages/$stage.tfvars" >"$PLAN_DIR/$stage.drift.txt" 2>&1
code=$?
set -e
[ "$code" = 0 ] || [ "$code" = 2 ] || {
  cat "$PLAN_DIR/$stage.drift.txt" >&2
  die "drift check of $stage: terraform plan failed"
}

set_output drift "$([ "$code" = 2 ] && echo true || echo false)"
body="$PLAN_DIR/$stage.drift.md"
if [ "$code" = 2 ]; then
  write_summary "$stage" 2 "$PLAN_DIR/$stage.drift.txt" "$body"
  {
    echo
    echo "The scheduled plan of \`$stage\` is not empty: something changed outside Terraform, or"
    echo "a merged change was not applied. Apply the stage's pipeline to put it back, or bring"
    echo "the configuration in line with what was changed on purpose."
    [ -z "${RUN_URL:-}" ] || echo "Run: $RUN_URL"
  } >>"$body"
fi
if [ -z "$repo" ]; then
  [ "$code" = 0 ] && echo "$stage: no drift" || echo "$stage: drift (summary: $body)"
  exit "$code"
fi

title="Drift detected in $stage"
open="$(gh issue list --repo "$repo" --state open --label drift --search "\"$title\" in:title" \
  --json number,title --jq ".[] | select(.title == \"$title\") | .number" | head -n 1)"
if [ "$code" = 0 ]; then
  if [ -n "$open" ]; then
    gh issue close "$open" --repo "$repo" --comment "The plan of \`$stage\` is empty again: closing."
    echo "$stage: no drift; closed #$open"
  else
    echo "$stage: no drift"
  fi
  exit 0
fi

if [ -n "$open" ]; then
  gh issue comment "$open" --repo "$repo" --body-file "$body"
  echo "$stage: drift; commented on #$open"
else
  gh label create drift --repo "$repo" --color D93F0B --description "Infrastructure differs from Terraform" --force >/dev/null
  gh issue create --repo "$repo" --title "$title" --label drift --body-file "$body"
  echo "$stage: drift; opened an issue"
fi
exit 2
