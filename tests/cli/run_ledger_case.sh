#!/usr/bin/env bash
# Runs one scenario of loyaltyctl's ledger commands against a fresh ledger in a temporary
# directory, checking each step's exit status and exact output.
#
#   run_ledger_case.sh LOYALTYCTL SCENARIO
#
# Run from tests/cli (fixture paths are relative). Scenarios are the scenario_* functions below.
# On failure the script prints the step that differed and exits 1; on success it exits 0.
set -euo pipefail

(($# == 2)) || { echo "usage: run_ledger_case.sh LOYALTYCTL SCENARIO" >&2; exit 1; }
loyaltyctl=$1
scenario=$2

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db=$work/ledger.db
at=2026-03-10T09:30:00Z
later=2026-03-11T10:00:00Z

step_cmd=() step_exit=0 step_out= step_err=

fail() {
  echo "FAILED: $*"
  echo "command: ${step_cmd[*]}"
  echo "exit: $step_exit"
  echo "stdout:"; printf '%s\n' "$step_out" | sed 's/^/  | /'
  echo "stderr:"; printf '%s\n' "$step_err" | sed 's/^/  | /'
  exit 1
}

# run EXIT ARGS...: runs loyaltyctl ARGS and checks the exit status; keeps stdout and stderr
# (without their last newline) for the checks below.
run() {
  local want=$1
  shift
  step_cmd=("$loyaltyctl" "$@")
  set +e
  "$loyaltyctl" "$@" >"$work/stdout" 2>"$work/stderr"
  step_exit=$?
  set -e
  step_out=$(cat "$work/stdout")
  step_err=$(cat "$work/stderr")
  [[ $step_exit == "$want" ]] || fail "exit status $step_exit, expected $want"
}
stdout_is() { [[ $step_out == "$1" ]] || fail "stdout is not: $1"; }
stdout_matches() { [[ $step_out =~ $1 ]] || fail "stdout does not match: $1"; }
stdout_is_file() { cmp -s "$1" "$work/stdout" || fail "stdout differs from $1"; }
stderr_is() { [[ $step_err == "$1" ]] || fail "stderr is not: $1"; }
stderr_empty() { [[ -z $step_err ]] || fail "stderr is not empty"; }
no_file() { [[ ! -e $1 ]] || fail "$1 was created"; }

checkout() {  # checkout of fixtures/receipt_earn.json for customer c-1001 at $at
  run 0 checkout --db "$db" --terminal T1 --program fixtures/program.json \
    --customer fixtures/customer.json --receipt fixtures/receipt_earn.json --at "$at"
}

scenario_checkout_fresh_db() {
  checkout
  stdout_is_file fixtures/checkout_earn.expected.json
  stderr_empty
}

scenario_checkout_replayed() {
  checkout
  checkout
  stdout_matches '^\{"receipt_id":"T1-000043","state":"committed","event_seq":1,"replayed":true,"quote":\{"program":\{"id":"cafe-club","version":3\},"receipt_id":"T1-000043",'
  # The replay wrote nothing: still one event.
  run 0 ledger check --db "$db"
  stdout_is '{"ok":true,"schema_version":3,"accounts":2,"transfers":2,"pending_open":0,"lots":2,"events":1,"problems":[]}'
}

scenario_checkout_other_terminal() {
  checkout
  run 2 checkout --db "$db" --terminal T2 --program fixtures/program.json \
    --customer fixtures/customer.json --receipt fixtures/receipt_earn.json --at "$at"
  [[ -z $step_out && $step_err == loyaltyctl:* ]] || fail "expected one error line"
}

scenario_check_ok() {
  checkout
  run 0 ledger check --db "$db"
  stdout_is '{"ok":true,"schema_version":3,"accounts":2,"transfers":2,"pending_open":0,"lots":2,"events":1,"problems":[]}'
  stderr_empty
}

scenario_check_problems() {
  command -v sqlite3 >/dev/null || { echo "sqlite3 not installed: skipped"; exit 77; }
  checkout
  sqlite3 "$db" "UPDATE lots SET remaining = 1 WHERE lot_id = 1"
  run 3 ledger check --db "$db"
  stdout_matches '^\{"ok":false,"problems":\[".*fails its check.*lot 1 of account 1: 6 points less 1 remaining is 5'
  stderr_empty
}

scenario_balance_after_checkout() {
  checkout
  run 0 balance --db "$db" --customer-id c-1001 --at "$at"
  stdout_is '{"customer_id":"c-1001","posted":8,"pending":0,"available":8,"lots":[{"lot_id":1,"remaining":6,"active_from":"2026-03-10T09:30:00Z","expires_at":"2027-03-10T09:30:00Z"},{"lot_id":2,"remaining":2,"active_from":"2026-03-10T09:30:00Z","expires_at":"2027-03-10T09:30:00Z"}]}'
  stderr_empty
  run 0 balance --db "$db" --customer-id c-9999 --at "$at"
  stdout_is '{"customer_id":"c-9999","posted":0,"pending":0,"available":0,"lots":[]}'
  # After expiry the lots are no longer listed (nothing was expired in the ledger yet).
  run 0 balance --db "$db" --customer-id c-1001 --at 2027-03-10T09:30:00Z
  stdout_is '{"customer_id":"c-1001","posted":8,"pending":0,"available":8,"lots":[]}'
}

scenario_refund_then_balance() {
  checkout
  run 0 refund --db "$db" --receipt-id T1-000043 --refund-id R1 --lines 0:1 --at "$later"
  stdout_matches '^\{"refund_id":"R1","event_seq":2,"replayed":false,"reversal":\{"completes_receipt":false,.*"money_refund_minor":350,"earned_reversed":3,'
  stderr_empty
  run 0 refund --db "$db" --receipt-id T1-000043 --refund-id R1 --lines 0:1 --at "$later"
  stdout_matches '^\{"refund_id":"R1","event_seq":2,"replayed":true,'
  run 0 balance --db "$db" --customer-id c-1001 --at "$later"
  stdout_is '{"customer_id":"c-1001","posted":5,"pending":0,"available":5,"lots":[{"lot_id":1,"remaining":3,"active_from":"2026-03-10T09:30:00Z","expires_at":"2027-03-10T09:30:00Z"},{"lot_id":2,"remaining":2,"active_from":"2026-03-10T09:30:00Z","expires_at":"2027-03-10T09:30:00Z"}]}'
  run 2 refund --db "$db" --receipt-id T1-000043 --refund-id R2 --lines 9:1 --at "$later"
  stderr_is 'loyaltyctl: --lines: receipt T1-000043 has no line 9 (it has 2 lines, numbered from 0)'
  run 2 refund --db "$db" --receipt-id T1-000043 --refund-id R2 --lines 0:2 --at "$later"
  stderr_is 'loyaltyctl: refund R2 of receipt T1-000043: returns[0].quantity: must be between 1 and 1 (units not yet returned), got 2'
  run 0 ledger check --db "$db"
  stdout_matches '"ok":true,.*"events":2,'
}

scenario_cancel_errors() {
  checkout
  run 2 cancel --db "$db" --receipt-id T1-000043 --at "$later"
  stderr_is 'loyaltyctl: receipt T1-000043 is committed; refund it instead of cancelling'
  run 2 cancel --db "$db" --receipt-id T1-999999 --at "$later"
  stderr_is 'loyaltyctl: receipt T1-999999 is not in the ledger: check the receipt id'
}

scenario_export() {
  checkout
  run 0 refund --db "$db" --receipt-id T1-000043 --refund-id R1 --lines 0:1 --at "$later"
  run 0 ledger export --db "$db"
  stderr_empty
  local lines
  lines=$(wc -l <"$work/stdout")
  [[ $lines == 7 ]] || fail "export has $lines lines, expected 7"
  # 2 accounts, 3 transfers (2 earns, 1 reverse_earn), 2 events, in that order.
  [[ $(sed -n 1p "$work/stdout") == '{"type":"account","id":1,"kind":"customer_points","owner":"c-1001","unit":"points","balance_floor":0,"created_at":"2026-03-10T09:30:00Z"}' ]] ||
    fail "line 1 differs"
  [[ $(sed -n 2p "$work/stdout") == '{"type":"account","id":2,"kind":"issuance","owner":"","unit":"points","balance_floor":null,"created_at":"2026-03-10T09:30:00Z"}' ]] ||
    fail "line 2 differs"
  [[ $(sed -n 3p "$work/stdout") == '{"type":"transfer","id":1,"debit_account":2,"credit_account":1,"amount":6,"code":"earn","flags":"none","pending_id":null,"receipt_id":"T1-000043","line":0,"source":"earn.base","lot_id":1,"event_seq":null,"created_at":"2026-03-10T09:30:00Z"}' ]] ||
    fail "line 3 differs"
  [[ $(sed -n 5p "$work/stdout") =~ ^\{\"type\":\"transfer\",\"id\":3,.*\"code\":\"reverse_earn\" ]] ||
    fail "line 5 differs"
  [[ $(sed -n 6p "$work/stdout") =~ ^\{\"type\":\"event\",\"seq\":1,\"kind\":\"checkout\",\"receipt_id\":\"T1-000043\",\"payload\":\" ]] ||
    fail "line 6 differs"
  [[ $(sed -n 7p "$work/stdout") =~ ^\{\"type\":\"event\",\"seq\":2,\"kind\":\"refund\", ]] ||
    fail "line 7 differs"
}

scenario_missing_db() {
  local missing=$work/missing.db
  run 2 balance --db "$missing" --customer-id c-1001
  stdout_is ''
  stderr_is "loyaltyctl: $missing: no such ledger file"
  run 2 ledger check --db "$missing"
  stderr_is "loyaltyctl: $missing: no such ledger file"
  run 2 ledger export --db "$missing"
  stderr_is "loyaltyctl: $missing: no such ledger file"
  run 2 cancel --db "$missing" --receipt-id T1-000043
  stderr_is "loyaltyctl: $missing: no such ledger file"
  run 2 refund --db "$missing" --receipt-id T1-000043 --refund-id R1 --lines 0:1
  stderr_is "loyaltyctl: $missing: no such ledger file"
  no_file "$missing"
  run 2 ledger check --db "$work"
  stderr_is "loyaltyctl: $work: not a regular file"
}

scenario_bad_lines() {
  checkout
  local hint='is not LINE:QUANTITY (e.g. --lines 0:1,2:3 with LINE >= 0 and QUANTITY >= 1) (see '\''loyaltyctl --help'\'')'
  local bad
  for bad in 0-1 0:0 x:1 0:1,,1:1 -1:1 0:1: 0:; do
    run 2 refund --db "$db" --receipt-id T1-000043 --refund-id R1 "--lines=$bad"
    stdout_is ''
    [[ $step_err == "loyaltyctl: refund: --lines: \""*"\" $hint" ]] || fail "unexpected message"
  done
  run 2 refund --db "$db" --receipt-id T1-000043 --refund-id R1 --lines 0-1
  stderr_is "loyaltyctl: refund: --lines: \"0-1\" $hint"
}

scenario_usage_errors() {
  run 2 checkout --db "$db" --program fixtures/program.json --receipt fixtures/receipt_earn.json
  stderr_is "loyaltyctl: checkout: missing --terminal (see 'loyaltyctl --help')"
  no_file "$db"
  run 2 ledger
  stderr_is "loyaltyctl: ledger: missing subcommand (expected: check, export) (see 'loyaltyctl --help')"
  run 2 ledger verify --db "$db"
  stderr_is "loyaltyctl: ledger: unknown subcommand \"verify\" (expected: check, export) (see 'loyaltyctl --help')"
  run 0 ledger check --help
  stdout_matches '^Usage:.*loyaltyctl ledger check --db FILE'
}

declare -F "scenario_$scenario" >/dev/null || { echo "unknown scenario $scenario" >&2; exit 1; }
"scenario_$scenario"
