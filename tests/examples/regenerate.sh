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

declare -A listed=()
failed=0
line_no=0
while IFS= read -r -u 3 line || [[ -n $line ]]; do
  line_no=$((line_no + 1))
  line=${line%$'\r'}
  [[ -z ${line//[[:space:]]/} || $line == '#'* ]] && continue
  IFS=$'\t' read -r name program customer receipt at extra <<<"$line"
  if [[ -z ${at:-} || -n ${extra:-} ]]; then
    echo "regenerate.sh: scenarios.tsv:$line_no: expected 5 tab-separated columns" >&2
    failed=1
    continue
  fi
  listed[$name]=1
  args=(quote --program "$examples/$program" --receipt "$examples/$receipt" --at "$at" --format json)
  [[ $customer != - ]] && args+=(--customer "$examples/$customer")
  out=$examples/expected/$name.json
  if "$loyaltyctl" "${args[@]}" >"$out.tmp"; then
    mv "$out.tmp" "$out"
    echo "wrote expected/$name.json"
  else
    rm -f "$out.tmp"
    echo "regenerate.sh: $name failed (expected/$name.json left as it was)" >&2
    failed=1
  fi
done 3<"$examples/scenarios.tsv"

shopt -s nullglob
for file in "$examples"/expected/*.json; do
  name=$(basename "$file" .json)
  [[ -n ${listed[$name]:-} ]] || echo "regenerate.sh: expected/$name.json belongs to no scenario" >&2
done
exit "$failed"
