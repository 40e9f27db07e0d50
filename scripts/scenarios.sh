# Reading examples/scenarios.tsv, shared by scripts/demo.sh, tests/examples/run_scenarios.sh and
# tests/examples/regenerate.sh. Source it; it defines functions only.
#
# scenarios.tsv: tab-separated, '#' starts a comment line, blank lines are skipped; columns
#   name  program  customer  receipt  at
# with paths relative to examples/, `-` as the customer for an anonymous receipt, and `at` the
# evaluation time passed to --at.

# scenario_rows FILE: prints each scenario as one tab-separated row of the five columns, and for
# a malformed line a row "!<line number>" instead, so callers can report it and go on.
scenario_rows() {
  local file=$1 line line_no=0 name program customer receipt at extra
  while IFS= read -r -u 3 line || [[ -n $line ]]; do
    line_no=$((line_no + 1))
    line=${line%$'\r'}
    [[ -z ${line//[[:space:]]/} || $line == '#'* ]] && continue
    IFS=$'\t' read -r name program customer receipt at extra <<<"$line"
    if [[ -z ${at:-} || -n ${extra:-} ]]; then
      printf '!%s\n' "$line_no"
      continue
    fi
    printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$program" "$customer" "$receipt" "$at"
  done 3<"$file"
}

# scenario_quote_args EXAMPLES PROGRAM CUSTOMER RECEIPT AT: sets the array `quote_args` to the
# loyaltyctl arguments that quote the scenario (without --format).
scenario_quote_args() {
  local examples=$1
  quote_args=(quote --program "$examples/$2" --receipt "$examples/$4" --at "$5")
  [[ $3 != - ]] && quote_args+=(--customer "$examples/$3")
  return 0
}
