#!/usr/bin/env bash
# Post a stage's plan summary on a pull request, as one comment per stage that later runs
# update in place (found by a hidden marker). Needs `gh` with GH_TOKEN (pull-requests: write)
# and GITHUB_REPOSITORY.
#   pr-comment.sh <stage> <pull request number>
source "$(dirname "$0")/lib.sh"
stage="$(stage_arg "${1:-}")"
pr="${2:-}"
case "$pr" in '' | *[!0-9]*) die "pull request number expected, got \"$pr\"" ;; esac
repo="${GITHUB_REPOSITORY:?GITHUB_REPOSITORY is not set (owner/name)}"
summary="$PLAN_DIR/$stage.summary.md"
[ -f "$summary" ] || die "no plan summary $summary: run plan.sh $stage first"

marker="<!-- aifactory-plan:$stage -->"
body="$PLAN_DIR/$stage.comment.md"
{ echo "$marker"; cat "$summary"; } >"$body"
id="$(gh api "repos/$repo/issues/$pr/comments" --paginate \
  --jq ".[] | select(.body | startswith(\"$marker\")) | .id" | tail -n 1)"
if [ -n "$id" ]; then
  gh api --method PATCH "repos/$repo/issues/comments/$id" -F "body=@$body" >/dev/null
  echo "$stage: updated comment $id on #$pr"
else
  gh pr comment "$pr" --repo "$repo" --body-file "$body"
  echo "$stage: commented on #$pr"
fi
