#!/usr/bin/env bash
# terraform plan for one stage, with -detailed-exitcode: exit 0 = no changes, 2 = changes,
# 1 = error. Leaves $PLAN_DIR/<stage>.tfplan (for apply.sh; only when there are changes),
# <stage>.plan.txt and a Markdown summary <stage>.summary.md (for pr-comment.sh and the run
# summary), and publishes the outputs `exitcode` and `has_changes`.
#   plan.sh <stage> [extra terraform plan arguments]
source "$(dirname "$0")/lib.sh"
stage="$(stage_arg "${1:-}")"
shift
mkdir -p "$PLAN_DIR"
tf_init "$stage"

set +e
"$TF" -chdir="$TF_ROOT" plan -input=false -no-color -detailed-exitcode -lock-timeout=10m \
  -var-file="stages/$stage.tfvars" -out="$PLAN_DIR/$stage.tfplan" "$@" >"$PLAN_DIR/$stage.plan.txt" 2>&1
code=$?
set -e

# The stage's address plan as it will be after this plan (the root's Markdown output), for
# reviewers: from the saved plan, when python3 is there to read its JSON.
rm -f "$PLAN_DIR/$stage.address-map.md"
if [ "$code" = 2 ] && command -v python3 >/dev/null 2>&1; then
  "$TF" -chdir="$TF_ROOT" show -json "$PLAN_DIR/$stage.tfplan" 2>/dev/null | python3 -c '
import json, sys
out = json.load(sys.stdin).get("planned_values", {}).get("outputs", {}).get("address_map_markdown", {})
if isinstance(out.get("value"), str):
    sys.stdout.write(out["value"])
' >"$PLAN_DIR/$stage.address-map.md" || true
fi

write_summary "$stage" "$code" "$PLAN_DIR/$stage.plan.txt" "$PLAN_DIR/$stage.summary.md"
set_output exitcode "$code"
set_output has_changes "$([ "$code" = 2 ] && echo true || echo false)"
case "$code" in
  0) rm -f "$PLAN_DIR/$stage.tfplan"; echo "$stage: no changes" ;;
  2) echo "$stage: $(plan_headline "$PLAN_DIR/$stage.plan.txt")" ;;
  *) cat "$PLAN_DIR/$stage.plan.txt" >&2; echo "$stage: plan failed" >&2; exit 1 ;;
esac
exit "$code"
