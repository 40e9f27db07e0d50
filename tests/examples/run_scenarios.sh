#!/usr/bin/env bash
# Quotes every scenario of examples/scenarios.tsv with loyaltyctl (--format json) and compares the
# output byte for byte with examples/expected/<name>.json. Also: `--check-programs` runs
# `loyaltyctl program check` on every examples/programs/*.json instead.
#
#   run_scenarios.sh LOYALTYCTL EXAMPLES_DIR [--check-programs]
#
# scenarios.tsv's format is described in scripts/scenarios.sh.
# Every scenario is tried; the script then fails (exit 1) if any quote failed, differed from its
# expected file (the diff is printed), or has no expected file. Exit 2: bad usage or input.
set -euo pipefail

if (($# < 2 || $# > 3)) || { (($# == 3)) && [[ $3 != --check-programs ]]; }; then
  echo "usage: run_scenarios.sh LOYALTYCTL EXAMPLES_DIR [--check-programs]" >&2
  exit 2
fi
loyaltyctl=$1
examples=$2
mode=${3:-}

if [[ ! -x $loyaltyctl ]]; then
  echo "run_scenarios.sh: $loyaltyctl is not an executable" >&2
  exit 2
fi

if [[ $mode == --check-programs ]]; then
  shopt -s nullglob
  programs=("$examples"/programs/*.json)
  if ((${#programs[@]} == 0)); then
    echo "run_scenarios.sh: no programs in $examples/programs" >&2
    exit 1
  fi
  failed=0
  for program in "${programs[@]}"; do
    if output=$("$loyaltyctl" program check "$program" 2>&1); then
      echo "$output"
    else
      echo "FAILED: loyaltyctl program check $program"
      echo "$output"
      failed=1
    fi
  done
  exit "$failed"
fi

scenarios=$examples/scenarios.tsv
if [[ ! -f $scenarios ]]; then
  echo "run_scenarios.sh: $scenarios not found" >&2
  exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/scenarios.sh"

total=0
failures=()
declare -A seen=()
while IFS=$'\t' read -r name program customer receipt at zone key budgets; do
  total=$((total + 1))
  if [[ $name == '!'* ]]; then
    echo "FAILED: $scenarios:${name#!}: expected 8 tab-separated columns (name program customer receipt at zone draw_key budgets_spent)"
    failures+=("line ${name#!}")
    continue
  fi
  if [[ -n ${seen[$name]:-} ]]; then
    echo "FAILED: scenario $name is listed twice in $scenarios"
    failures+=("$name")
    continue
  fi
  seen[$name]=1
  expected=$examples/expected/$name.json
  scenario_quote_args "$examples" "$program" "$customer" "$receipt" "$at" "$zone" "$key" "$budgets"
  args=("${quote_args[@]}" --format json)
  if ! "$loyaltyctl" "${args[@]}" >"$work/$name.json" 2>"$work/$name.err"; then
    echo "FAILED: $name: loyaltyctl ${args[*]}"
    cat "$work/$name.err"
    failures+=("$name")
    continue
  fi
  if [[ ! -f $expected ]]; then
    echo "FAILED: $name: no expected output $expected (run tests/examples/regenerate.sh and review it)"
    failures+=("$name")
    continue
  fi
  if ! diff -u "$expected" "$work/$name.json" >"$work/$name.diff"; then
    echo "FAILED: $name: output differs from $expected"
    cat "$work/$name.diff"
    failures+=("$name")
    continue
  fi
  echo "ok: $name"
done < <(scenario_rows "$scenarios")

if ((total == 0)); then
  echo "run_scenarios.sh: no scenarios in $scenarios"
  exit 1
fi
if ((${#failures[@]} > 0)); then
  echo "${#failures[@]} of $total scenario(s) failed: ${failures[*]}"
  exit 1
fi
echo "all $total scenario(s) match examples/expected/"
