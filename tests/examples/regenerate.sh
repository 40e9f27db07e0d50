#!/usr/bin/env bash
# Rewrites examples/expected/<name>.json for every scenario of examples/scenarios.tsv with the
# current loyaltyctl's --format json output. For humans, after an intended change to the engine,
# the JSON shape or a scenario: review `git diff examples/expected` before committing, checking
# every changed amount by hand. Not run by ctest.
#
#   tests/examples/regenerate.sh [LOYALTYCTL]     (default: build/firmware/loyaltyctl)
#
# Expected files of scenarios no longer listed are reported, not deleted.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
examples=$root/examples
loyaltyctl=${1:-$root/build/firmware/loyaltyctl}
if [[ ! -x $loyaltyctl ]]; then
  echo "regenerate.sh: $loyaltyctl not found; build it with 'cmake --build --preset default --target loyaltyctl'" >&2
  exit 2
fi
mkdir -p "$examples/expected"

source "$root/scripts/scenarios.sh"

declare -A listed=()
failed=0
while IFS=$'\t' read -r name program customer receipt at zone key budgets; do
  if [[ $name == '!'* ]]; then
    echo "regenerate.sh: scenarios.tsv:${name#!}: expected 8 tab-separated columns" >&2
    failed=1
    continue
  fi
  listed[$name]=1
  scenario_quote_args "$examples" "$program" "$customer" "$receipt" "$at" "$zone" "$key" "$budgets"
  out=$examples/expected/$name.json
  if "$loyaltyctl" "${quote_args[@]}" --format json >"$out.tmp"; then
    mv "$out.tmp" "$out"
    echo "wrote expected/$name.json"
  else
    rm -f "$out.tmp"
    echo "regenerate.sh: $name failed (expected/$name.json left as it was)" >&2
    failed=1
  fi
done < <(scenario_rows "$examples/scenarios.tsv")

shopt -s nullglob
for file in "$examples"/expected/*.json; do
  name=$(basename "$file" .json)
  [[ -n ${listed[$name]:-} ]] || echo "regenerate.sh: expected/$name.json belongs to no scenario" >&2
done
exit "$failed"
