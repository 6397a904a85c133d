#!/usr/bin/env bash
# Runs `trailwarden check` for the GitHub Action (action.yml): the gate run writes SARIF (for
# code scanning), then the same account is rendered as the requested report format and as
# Markdown for the job summary, without collecting again (a live run saves its snapshot and the
# later renders read it). Sets the outputs `exit-code`, `errors`, `warnings`, `notes`,
# `findings`, `sarif-file` and `report-file`, and appends the Markdown to $GITHUB_STEP_SUMMARY.
#
# The exit status is trailwarden's (0 pass, 1 findings at or above fail-on, 2 incomplete), or,
# with TW_DEFER_EXIT=true, 0, so the action can upload the SARIF and then fail in its last step.
#
# Environment: the action's inputs as TW_* (see action.yml), TW_BIN (the binary, default
# `trailwarden`), TW_OUTPUT_DIR (where files go), GITHUB_OUTPUT and GITHUB_STEP_SUMMARY.
set -euo pipefail

die() { echo "::error title=trailwarden::$*" >&2; exit 2; }
output() { echo "$1=$2" >>"${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"; }
is_true() { case "${1:-}" in true | True | TRUE | yes | 1) return 0 ;; *) return 1 ;; esac; }

bin=${TW_BIN:-trailwarden}
out_dir=${TW_OUTPUT_DIR:-${RUNNER_TEMP:-/tmp}/trailwarden}
mkdir -p "$out_dir"
sarif="$out_dir/trailwarden.sarif"

# Where the account comes from: a snapshot file, the demo, or AWS (saved for the later renders).
source_args=()
render_source=()
if [ -n "${TW_SNAPSHOT:-}" ]; then
  is_true "${TW_DEMO:-}" && die "inputs snapshot and demo exclude each other; set one"
  [ "$TW_SNAPSHOT" = - ] && die "input snapshot must be a file, not -"
  [ -f "$TW_SNAPSHOT" ] || die "snapshot $TW_SNAPSHOT does not exist (input snapshot)"
  source_args=(--snapshot "$TW_SNAPSHOT")
  render_source=(${source_args[@]+"${source_args[@]}"})
elif is_true "${TW_DEMO:-}"; then
  source_args=(--demo)
  render_source=(--demo)
else
  saved="$out_dir/snapshot.json"
  source_args=(--save-snapshot "$saved")
  [ -n "${TW_PROFILE:-}" ] && source_args+=(--profile "$TW_PROFILE")
  [ -n "${TW_REGION:-}" ] && source_args+=(--region "$TW_REGION")
  [ -n "${TW_REGIONS:-}" ] && source_args+=(--regions "$(echo "$TW_REGIONS" | tr -s ' \n' ',,' | sed 's/^,//; s/,$//')")
  [ -n "${TW_ROLE_ARN:-}" ] && source_args+=(--role-arn "$TW_ROLE_ARN")
  [ -n "${TW_EXTERNAL_ID:-}" ] && source_args+=(--external-id "$TW_EXTERNAL_ID")
  source_args+=(--live)
  render_source=(--snapshot "$saved")
fi

# What every run shares: packs, configuration, rule selection, settings, baseline.
common=()
[ -n "${TW_CONFIG:-}" ] && common+=(--config "$TW_CONFIG")
[ -n "${TW_SETTINGS:-}" ] && common+=(--settings "$TW_SETTINGS")
[ -n "${TW_BASELINE:-}" ] && common+=(--baseline "$TW_BASELINE")
[ -n "${TW_ONLY:-}" ] && common+=(--only "$(echo "$TW_ONLY" | tr -s ' \n' ',,' | sed 's/^,//; s/,$//')")
is_true "${TW_ALLOW_PARTIAL:-}" && common+=(--allow-partial)
if [ -n "${TW_RULES:-}" ]; then
  while IFS= read -r dir; do
    [ -n "$dir" ] && common+=(--rules "$dir")
  done < <(echo "$TW_RULES" | tr ',' '\n' | sed 's/^[[:space:]]*//; s/[[:space:]]*$//')
fi
extra=()
if [ -n "${TW_ARGS:-}" ]; then
  read -r -a extra <<<"$TW_ARGS"
fi
gate=()
[ -n "${TW_FAIL_ON:-}" ] && gate+=(--fail-on "$TW_FAIL_ON")

# 1. The gate run: its exit status is the action's.
set +e
"$bin" check ${source_args[@]+"${source_args[@]}"} ${common[@]+"${common[@]}"} ${gate[@]+"${gate[@]}"} ${extra[@]+"${extra[@]}"} --format sarif -o "$sarif"
code=$?
set -e
output exit-code "$code"
[ -s "$sarif" ] || die "trailwarden wrote no report (exit $code); see its message above"
output sarif-file "$sarif"

# 2. Counts by level, from the SARIF: results that are not `fixed` (absent) against a baseline.
count() {
  jq --arg level "$1" '[.runs[].results[]? | select((.baselineState // "") != "absent")
      | select((.level // "warning") == $level)] | length' "$sarif"
}
errors=$(count error)
warnings=$(count warning)
notes=$(count note)
output errors "$errors"
output warnings "$warnings"
output notes "$notes"
output findings "$((errors + warnings + notes))"

# 3. Renders of the same account, which never gate (--fail-on none).
render() {
  local format=$1 file=$2
  rm -f "$file"
  # Exit 2 (an incomplete account) still writes the report; a report that is missing is the
  # failure.
  "$bin" check ${render_source[@]+"${render_source[@]}"} ${common[@]+"${common[@]}"} ${extra[@]+"${extra[@]}"} --fail-on none --format "$format" -o "$file" || true
  [ -s "$file" ]
}
format=${TW_FORMAT:-sarif}
case "$format" in
  sarif) output report-file "$sarif" ;;
  text | json | markdown | html)
    ext=$format
    [ "$format" = text ] && ext=txt
    [ "$format" = markdown ] && ext=md
    report="$out_dir/trailwarden.$ext"
    if render "$format" "$report"; then
      output report-file "$report"
    else
      echo "::warning title=trailwarden::could not write the $format report"
    fi
    ;;
  *) die "input format \`$format\` is not one of sarif, text, json, markdown, html" ;;
esac

if is_true "${TW_SUMMARY:-true}" && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  summary="$out_dir/summary.md"
  if render markdown "$summary"; then
    cat "$summary" >>"$GITHUB_STEP_SUMMARY"
  else
    echo "::warning title=trailwarden::this trailwarden cannot write Markdown; the summary has the counts only"
    printf '## trailwarden\n\n%s error(s), %s warning(s), %s note(s); exit %s. The SARIF report is %s.\n' \
      "$errors" "$warnings" "$notes" "$code" "$sarif" >>"$GITHUB_STEP_SUMMARY"
  fi
fi

if is_true "${TW_DEFER_EXIT:-}"; then
  exit 0
fi
exit "$code"
