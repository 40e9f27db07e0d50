#!/usr/bin/env bash
# Quotes every scenario of examples/scenarios.tsv with the loyaltyctl built by `make build`.
#
# scenarios.tsv: tab-separated, '#' starts a comment line, columns
#   name  program  customer  receipt  at
# with paths relative to examples/, `-` as the customer for an anonymous receipt, and `at` the
# evaluation time passed to --at.
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

total=0
failed=()
line_no=0
while IFS= read -r -u 3 line || [[ -n $line ]]; do
  line_no=$((line_no + 1))
  line=${line%$'\r'}
  [[ -z ${line//[[:space:]]/} || $line == '#'* ]] && continue
  IFS=$'\t' read -r name program customer receipt at extra <<<"$line"
  total=$((total + 1))
  if [[ -z ${at:-} || -n ${extra:-} ]]; then
    echo "demo: $scenarios:$line_no: expected 5 tab-separated columns (name program customer receipt at)" >&2
    failed+=("line $line_no")
    continue
  fi
  echo "== $name =="
  customer_args=()
  [[ $customer != - ]] && customer_args=(--customer "$examples/$customer")
  if ! "$loyaltyctl" quote \
      --program "$examples/$program" \
      "${customer_args[@]}" \
      --receipt "$examples/$receipt" \
      --at "$at" \
      --format table; then
    failed+=("$name")
  fi
  echo
done 3<"$scenarios"

if ((${#failed[@]} > 0)); then
  echo "demo: ${#failed[@]} of $total scenario(s) failed: ${failed[*]}" >&2
  exit 1
fi
if ((total == 0)); then
  echo "demo: no scenarios in examples/scenarios.tsv yet"
else
  echo "demo: $total scenario(s) quoted"
fi
