# Reading examples/scenarios.tsv, shared by scripts/quote-scenarios.sh, tests/examples/run_scenarios.sh and
# tests/examples/regenerate.sh. Source it; it defines functions only.
#
# scenarios.tsv: tab-separated, '#' starts a comment line, blank lines are skipped; columns
#   name  program  customer  receipt  at  zone  draw_key  budgets_spent
# with paths relative to examples/, `-` as the customer for an anonymous receipt, `at` the
# evaluation time passed to --at, `zone` the store's IANA time zone (--time-zone), `draw_key` the
# program's draw key file (--draw-key-file) and `budgets_spent` what its campaign budgets spent
# (--budgets-spent); `-` for no draw key or no budget spent.

# scenario_rows FILE: prints each scenario as one tab-separated row of the eight columns, and for
# a malformed line a row "!<line number>" instead, so callers can report it and go on.
scenario_rows() {
  local file=$1 line line_no=0 name program customer receipt at zone key budgets extra
  while IFS= read -r -u 3 line || [[ -n $line ]]; do
    line_no=$((line_no + 1))
    line=${line%$'\r'}
    [[ -z ${line//[[:space:]]/} || $line == '#'* ]] && continue
    IFS=$'\t' read -r name program customer receipt at zone key budgets extra <<<"$line"
    if [[ -z ${budgets:-} || -n ${extra:-} ]]; then
      printf '!%s\n' "$line_no"
      continue
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$program" "$customer" "$receipt" "$at" \
      "$zone" "$key" "$budgets"
  done 3<"$file"
}

# scenario_quote_args EXAMPLES PROGRAM CUSTOMER RECEIPT AT ZONE DRAW_KEY BUDGETS_SPENT: sets the
# array `quote_args` to the loyaltyctl arguments that quote the scenario (without --format).
scenario_quote_args() {
  local examples=$1
  quote_args=(quote --program "$examples/$2" --receipt "$examples/$4" --at "$5" --time-zone "$6")
  [[ $3 != - ]] && quote_args+=(--customer "$examples/$3")
  [[ $7 != - ]] && quote_args+=(--draw-key-file "$examples/$7")
  [[ $8 != - ]] && quote_args+=(--budgets-spent "$examples/$8")
  return 0
}
