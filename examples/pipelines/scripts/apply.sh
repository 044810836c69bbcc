#!/usr/bin/env bash
# terraform apply for one stage: the saved plan from plan.sh when there is one (so what was
# approved is what is applied), else a fresh plan applied at once.
#   apply.sh <stage>
source "$(dirname "$0")/lib.sh"
stage="$(stage_arg "${1:-}")"
mkdir -p "$PLAN_DIR"
tf_init "$stage"
if [ -f "$PLAN_DIR/$stage.tfplan" ]; then
  "$TF" -chdir="$TF_ROOT" apply -input=false -no-color -lock-timeout=10m "$PLAN_DIR/$stage.tfplan"
  rm -f "$PLAN_DIR/$stage.tfplan"
else
  "$TF" -chdir="$TF_ROOT" apply -input=false -no-color -lock-timeout=10m -auto-approve \
    -var-file="stages/$stage.tfvars"
fi
