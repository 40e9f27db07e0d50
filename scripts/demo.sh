#!/usr/bin/env bash
# Quotes every scenario of examples/scenarios.tsv with the loyaltyctl built by `make build`.
#
# The file's format is described in scripts/scenarios.sh.
# Exits non-zero if any quote fails (after trying all of them).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
examples=$root/examples
scenarios=$examples/scenarios.tsv
loyaltyctl=${LOYALTYCTL:-$root/build/firmware/loyaltyctl}

if [[ ! -x $loyaltyctl ]]; then
  echo "demo: $loyaltyctl not found; run 'make build' first" >&2
  exit 1
fi
if [[ ! -f $scenarios ]]; then
  echo "demo: $scenarios not found" >&2
  exit 1
fi

source "$root/scripts/scenarios.sh"

total=0
failed=()
while IFS=$'\t' read -r name program customer receipt at; do
  total=$((total + 1))
  if [[ $name == '!'* ]]; then
    echo "demo: $scenarios:${name#!}: expected 5 tab-separated columns (name program customer receipt at)" >&2
    failed+=("line ${name#!}")
    continue
  fi
  echo "== $name =="
  scenario_quote_args "$examples" "$program" "$customer" "$receipt" "$at"
  if ! "$loyaltyctl" "${quote_args[@]}" --format table; then
    failed+=("$name")
  fi
  echo
done < <(scenario_rows "$scenarios")

if ((${#failed[@]} > 0)); then
  echo "demo: ${#failed[@]} of $total scenario(s) failed: ${failed[*]}" >&2
  exit 1
fi
if ((total == 0)); then
  echo "demo: no scenarios in examples/scenarios.tsv yet"
else
  echo "demo: $total scenario(s) quoted"
fi
