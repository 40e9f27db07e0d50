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
stderr_matches() { [[ $step_err =~ $1 ]] || fail "stderr does not match: $1"; }
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
  stdout_is '{"ok":true,"schema_version":6,"accounts":2,"transfers":1,"pending_open":0,"lots":1,"events":1,"problems":[]}'
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
  stdout_is '{"ok":true,"schema_version":6,"accounts":2,"transfers":1,"pending_open":0,"lots":1,"events":1,"problems":[]}'
  stderr_empty
}

need_sqlite3() {
  command -v sqlite3 >/dev/null || {
    echo "sqlite3 is not installed: this scenario breaks a ledger with it (Debian package sqlite3;" \
      "run scripts/install-deps.sh)" >&2
    exit 1
  }
}

# refused PROBLEMS: the message of every command but `ledger check` on a broken ledger.
refused() {
  printf '%s' "loyaltyctl: ledger $db fails its check, refusing to open it: $1. Keep the file for investigation and restore the ledger from HQ."
}

# A broken ledger: `ledger check` opens it anyway and reports every problem (exit 3); the other
# commands refuse it, naming the problems (exit 2).
scenario_check_problems() {
  need_sqlite3
  checkout
  sqlite3 "$db" "UPDATE lots SET remaining = 1 WHERE lot_id = 1"
  run 3 ledger check --db "$db"
  stdout_is '{"ok":false,"schema_version":6,"accounts":2,"transfers":1,"pending_open":0,"lots":1,"events":1,"problems":["lot 1 of account 1: 8 points less 1 remaining is 7, but its transfers took 0 (burned, expired and reversed, less restored)","account 1 (customer_points:c-1001): its lots hold 1 points but its balance is 8"]}'
  stderr_empty
}

# The running totals the triggers keep, changed behind the ledger's back.
scenario_check_totals_tampered() {
  need_sqlite3
  checkout
  sqlite3 "$db" "UPDATE account_totals SET credits_posted = credits_posted + 100 WHERE account = 1"
  local problem='account 1: running totals (credits 108, debits 0, pending 0/0) differ from its transfers (credits 8, debits 0, pending 0/0)'
  run 3 ledger check --db "$db"
  stdout_is '{"ok":false,"schema_version":6,"accounts":2,"transfers":1,"pending_open":0,"lots":1,"events":1,"problems":["'"$problem"'"]}'
  stderr_empty
  # The other commands' open compares the lots with the balance the ledger serves (the running
  # totals), so it names that disagreement too.
  local served='account 1 (customer_points:c-1001): its lots hold 8 points but its balance is 108'
  run 2 balance --db "$db" --customer-id c-1001 --at "$at"
  stdout_is ''
  stderr_is "$(refused "$problem; $served")"
  run 2 ledger export --db "$db"
  stdout_is ''
  stderr_is "$(refused "$problem; $served")"
  # Checking again writes nothing: the same report.
  run 3 ledger check --db "$db"
  stdout_is '{"ok":false,"schema_version":6,"accounts":2,"transfers":1,"pending_open":0,"lots":1,"events":1,"problems":["'"$problem"'"]}'
}

# A transfer inserted by hand that takes the customer 12 points below the floor of 0 (the triggers
# keep the totals right, so only the floor and the lots disagree).
scenario_check_below_floor() {
  need_sqlite3
  checkout
  sqlite3 "$db" "INSERT INTO transfers (debit_account, credit_account, amount, code, flags, created_at) VALUES (1, 2, 20, 'burn', 'none', 1773135000)"
  local floor='account 1 (customer_points:c-1001): balance -12 less pending debits 0 is below its floor 0'
  local lots='account 1 (customer_points:c-1001): its lots hold 8 points but its balance is -12'
  run 3 ledger check --db "$db"
  stdout_is '{"ok":false,"schema_version":6,"accounts":2,"transfers":2,"pending_open":0,"lots":1,"events":1,"problems":["'"$floor"'","'"$lots"'"]}'
  stderr_empty
  run 2 balance --db "$db" --customer-id c-1001 --at "$at"
  stdout_is ''
  stderr_is "$(refused "$floor; $lots")"
  run 2 checkout --db "$db" --terminal T1 --program fixtures/program.json \
    --customer fixtures/customer.json --receipt fixtures/receipt_redeem.json --at "$at"
  stderr_is "$(refused "$floor; $lots")"
  run 2 commit --db "$db" --receipt-id T1-000043 --at "$at"
  stderr_is "$(refused "$floor; $lots")"
}

# --- The checkpoint: what each command's open verifies, and what only `ledger check` does ---------

redeem() {  # checkout of fixtures/receipt_redeem.json (T1-000050) for c-1001: the second event
  run 0 checkout --db "$db" --terminal T1 --program fixtures/program.json \
    --customer fixtures/customer.json --receipt fixtures/receipt_redeem.json --at "$at"
}
changed_event() { printf 'event %s: payload_hash does not match its content (changed after it was written)' "$1"; }

# An event changed after the checkpoint: the next command's open finds it and refuses.
scenario_checkpoint_event_after() {
  need_sqlite3
  checkout   # event 1; the ledger's first open checked it whole (an empty ledger)
  redeem     # its open verified event 1 and moved the checkpoint there; event 2 comes after
  sqlite3 "$db" "DROP TRIGGER events_no_update; UPDATE events SET payload = '{}' WHERE seq = 2"
  run 2 balance --db "$db" --customer-id c-1001 --at "$at"
  stdout_is ''
  stderr_is "$(refused "$(changed_event 2)")"
  run 3 ledger check --db "$db"
  stdout_is '{"ok":false,"schema_version":6,"accounts":3,"transfers":3,"pending_open":0,"lots":2,"events":2,"problems":["'"$(changed_event 2)"'"]}'
}

# An event changed before the checkpoint: the commands' open does not hash it again (it was
# verified), `ledger check` verifies the whole history and finds it.
scenario_checkpoint_event_before() {
  need_sqlite3
  checkout
  redeem     # the checkpoint is now at event 1
  run 0 ledger check --db "$db"  # passes: the checkpoint moves to event 2
  stdout_matches '^\{"ok":true,.*"events":2,"problems":\[\]\}$'
  sqlite3 "$db" "DROP TRIGGER events_no_update; UPDATE events SET payload = '{}' WHERE seq = 1"
  run 0 balance --db "$db" --customer-id c-1001 --at "$at"
  stdout_matches '^\{"customer_id":"c-1001","posted":'
  local report='{"ok":false,"schema_version":6,"accounts":3,"transfers":3,"pending_open":0,"lots":2,"events":2,"problems":["'"$(changed_event 1)"'"]}'
  run 3 ledger check --db "$db"
  stdout_is "$report"
  stderr_empty
  # A check that fails moves no checkpoint: still found the next time.
  run 3 ledger check --db "$db"
  stdout_is "$report"
}

# Events removed after they were verified: the chain left is sound by itself, the checkpoint
# says it is short.
scenario_checkpoint_truncated() {
  need_sqlite3
  checkout
  redeem
  run 0 ledger check --db "$db"  # the checkpoint is at event 2
  sqlite3 "$db" "DROP TRIGGER events_no_delete; PRAGMA foreign_keys=OFF; DELETE FROM events WHERE seq = 2"
  local problem='checkpoint: event 2, the last one verified, is missing (the chain ends at event 1): events were removed after they were verified'
  run 2 balance --db "$db" --customer-id c-1001 --at "$at"
  stderr_is "$(refused "$problem")"
  run 3 ledger check --db "$db"
  stdout_is '{"ok":false,"schema_version":6,"accounts":3,"transfers":3,"pending_open":0,"lots":2,"events":1,"problems":["'"$problem"'"]}'
}

# --- Held receipts: open, then commit or cancel --------------------------------------------------

open_redeem() {  # opens fixtures/receipt_redeem.json (T1-000050: 2 lattes, 5 points as tender)
  run 0 open --db "$db" --terminal T1 --program fixtures/program.json \
    --customer fixtures/customer.json --receipt fixtures/receipt_redeem.json --at "$at"
}

# reward EXIT COMMAND RECEIPT: opens or checks out a receipt whose catalogue reward costs 6 points.
reward() {
  run "$1" "$2" --db "$db" --terminal T1 --program fixtures/program_rewards.json \
    --customer fixtures/customer.json --receipt "$3" --at "$at"
}

# The one lot fixtures/receipt_earn.json earns (6 + 2 points: one lot for the whole receipt).
lot1='{"lot_id":1,"remaining":8,"active_from":"2026-03-10T09:30:00Z","expires_at":"2027-03-10T09:30:00Z"}'

scenario_open_commit() {
  checkout  # 8 points: lot 1
  open_redeem
  stdout_is_file fixtures/open_redeem.expected.json
  stderr_empty
  # The 5 points are held: posted, but not available; the lots are untouched until the commit.
  run 0 balance --db "$db" --customer-id c-1001 --at "$at"
  stdout_is '{"customer_id":"c-1001","posted":8,"pending":5,"available":3,"lots":['"$lot1"']}'
  run 0 ledger check --db "$db"
  stdout_is '{"ok":true,"schema_version":6,"accounts":3,"transfers":2,"pending_open":1,"lots":1,"events":1,"problems":[]}'
  # Opening the same receipt again is a replay.
  open_redeem
  stdout_matches '^\{"receipt_id":"T1-000050","state":"open","event_seq":0,"replayed":true,'

  run 0 commit --db "$db" --receipt-id T1-000050 --at "$later"
  stdout_is_file fixtures/commit_redeem.expected.json
  stderr_empty
  # 8 - 5 burned (from lot 1) + 6 earned (lot 2, as quoted when opened).
  run 0 balance --db "$db" --customer-id c-1001 --at "$later"
  stdout_is '{"customer_id":"c-1001","posted":9,"pending":0,"available":9,"lots":[{"lot_id":1,"remaining":3,"active_from":"2026-03-10T09:30:00Z","expires_at":"2027-03-10T09:30:00Z"},{"lot_id":2,"remaining":6,"active_from":"2026-03-10T09:30:00Z","expires_at":"2027-03-10T09:30:00Z"}]}'
  # The hold is posted: earn, hold, its post, earn.
  run 0 ledger check --db "$db"
  stdout_is '{"ok":true,"schema_version":6,"accounts":3,"transfers":4,"pending_open":0,"lots":2,"events":2,"problems":[]}'

  # Committing again prints the stored result and writes nothing.
  run 0 commit --db "$db" --receipt-id T1-000050 --at "$later"
  stdout_is "$(sed 's/"replayed":false/"replayed":true/' fixtures/commit_redeem.expected.json)"
  stderr_empty
  run 0 ledger check --db "$db"
  stdout_matches '"transfers":4,"pending_open":0,"lots":2,"events":2,"problems":\[\]\}$'
  # A committed receipt cannot be cancelled any more.
  run 2 cancel --db "$db" --receipt-id T1-000050 --at "$later"
  stderr_is 'loyaltyctl: receipt T1-000050 is committed; refund it instead of cancelling'
}

scenario_open_cancel() {
  checkout  # 8 points: lot 1
  reward 0 open fixtures/receipt_reward.json
  stdout_matches '^\{"receipt_id":"T1-000060","state":"open","event_seq":0,"replayed":false,"quote":\{"program":\{"id":"cafe-rewards","version":1\},.*"points":\{"available_before":8,"redeem_max":0,"earned":0,"burned":6,'
  stderr_empty
  run 0 balance --db "$db" --customer-id c-1001 --at "$at"
  stdout_is '{"customer_id":"c-1001","posted":8,"pending":6,"available":2,"lots":['"$lot1"']}'

  # While T1-000060 holds them, the same 6 points cannot pay for a second reward: neither an open
  # nor a checkout gets them, and neither writes anything.
  local short='fixtures/receipt_reward_again.json: lines: the catalogue rewards on this receipt need 6 points, the customer has 2 available'
  reward 2 open fixtures/receipt_reward_again.json
  stdout_is ''
  stderr_is "loyaltyctl: $short"
  reward 2 checkout fixtures/receipt_reward_again.json
  stdout_is ''
  stderr_is "loyaltyctl: $short"
  # Points as tender see only the 2 points left.
  open_redeem
  stdout_matches '"points":\{"available_before":2,"redeem_max":2,"earned":6,"burned":2,.*"notes":\[\{"code":"redemption_limited_by_balance","source":"burn","value":2\}\]\}\}$'
  run 0 cancel --db "$db" --receipt-id T1-000050 --at "$at"
  run 0 ledger check --db "$db"
  stdout_is '{"ok":true,"schema_version":6,"accounts":3,"transfers":4,"pending_open":1,"lots":1,"events":1,"problems":[]}'

  run 0 cancel --db "$db" --receipt-id T1-000060 --at "$later"
  stdout_is '{"receipt_id":"T1-000060","state":"cancelled"}'
  stderr_empty
  # The balance is exactly what it was before the receipt was opened.
  run 0 balance --db "$db" --customer-id c-1001 --at "$later"
  stdout_is '{"customer_id":"c-1001","posted":8,"pending":0,"available":8,"lots":['"$lot1"']}'
  run 0 ledger check --db "$db"
  stdout_is '{"ok":true,"schema_version":6,"accounts":3,"transfers":5,"pending_open":0,"lots":1,"events":1,"problems":[]}'

  # Cancelling again does nothing; committing a cancelled receipt is refused.
  run 0 cancel --db "$db" --receipt-id T1-000060 --at "$later"
  stdout_is '{"receipt_id":"T1-000060","state":"cancelled"}'
  stderr_empty
  run 2 commit --db "$db" --receipt-id T1-000060 --at "$later"
  stdout_is ''
  stderr_is 'loyaltyctl: receipt T1-000060 was cancelled (its holds were voided); it cannot be committed: check out again'
  run 0 ledger check --db "$db"
  stdout_is '{"ok":true,"schema_version":6,"accounts":3,"transfers":5,"pending_open":0,"lots":1,"events":1,"problems":[]}'

  # The released points pay for the second reward now.
  reward 0 checkout fixtures/receipt_reward_again.json
  stdout_matches '^\{"receipt_id":"T1-000061","state":"committed","event_seq":2,"replayed":false,.*"points":\{"available_before":8,"redeem_max":0,"earned":0,"burned":6,'
  run 0 balance --db "$db" --customer-id c-1001 --at "$later"
  stdout_is '{"customer_id":"c-1001","posted":2,"pending":0,"available":2,"lots":[{"lot_id":1,"remaining":2,"active_from":"2026-03-10T09:30:00Z","expires_at":"2027-03-10T09:30:00Z"}]}'
}

scenario_commit_errors() {
  checkout
  run 2 commit --db "$db" --receipt-id T1-999999 --at "$later"
  stdout_is ''
  stderr_is 'loyaltyctl: receipt T1-999999 is not in the ledger: check the receipt id'
  # A receipt checked out at once is committed already: commit replays it.
  run 0 commit --db "$db" --receipt-id T1-000043 --at "$later"
  stdout_is "$(sed 's/"replayed":false/"replayed":true/' fixtures/checkout_earn.expected.json)"
  # An open receipt id cannot be checked out (nor an open one replaced by other content).
  open_redeem
  run 2 checkout --db "$db" --terminal T1 --program fixtures/program.json \
    --customer fixtures/customer.json --receipt fixtures/receipt_redeem.json --at "$at"
  stderr_is 'loyaltyctl: fixtures/receipt_redeem.json: receipt T1-000050 is open (its points are held): commit or cancel it'
  local missing=$work/missing.db
  run 2 commit --db "$missing" --receipt-id T1-000050
  stderr_is "loyaltyctl: $missing: no such ledger file"
  no_file "$missing"
  run 2 commit --db "$db"
  stderr_is "loyaltyctl: commit: missing --receipt-id (see 'loyaltyctl --help')"
  run 2 open --db "$db" --program fixtures/program.json --receipt fixtures/receipt_redeem.json
  stderr_is "loyaltyctl: open: missing --terminal (see 'loyaltyctl --help')"
  run 2 commit --db "$db" --receipt-id T1-000050 --at yesterday
  [[ -z $step_out && $step_err == "loyaltyctl: --at: "* ]] || fail "expected an --at error"
  run 0 commit --help
  stdout_matches 'loyaltyctl commit --db FILE --receipt-id ID \[--at TIME\]'
  run 0 ledger check --db "$db"
  stdout_is '{"ok":true,"schema_version":6,"accounts":3,"transfers":2,"pending_open":1,"lots":1,"events":1,"problems":[]}'
}

scenario_balance_after_checkout() {
  checkout
  run 0 balance --db "$db" --customer-id c-1001 --at "$at"
  stdout_is '{"customer_id":"c-1001","posted":8,"pending":0,"available":8,"lots":['"$lot1"']}'
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
  stdout_is '{"customer_id":"c-1001","posted":5,"pending":0,"available":5,"lots":[{"lot_id":1,"remaining":5,"active_from":"2026-03-10T09:30:00Z","expires_at":"2027-03-10T09:30:00Z"}]}'
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
  [[ $lines == 6 ]] || fail "export has $lines lines, expected 6"
  # 2 accounts, 2 transfers (the receipt's one earn, 1 reverse_earn), 2 events, in that order.
  [[ $(sed -n 1p "$work/stdout") == '{"type":"account","id":1,"kind":"customer_points","owner":"c-1001","unit":"points","balance_floor":0,"created_at":"2026-03-10T09:30:00Z"}' ]] ||
    fail "line 1 differs"
  [[ $(sed -n 2p "$work/stdout") == '{"type":"account","id":2,"kind":"issuance","owner":"","unit":"points","balance_floor":null,"created_at":"2026-03-10T09:30:00Z"}' ]] ||
    fail "line 2 differs"
  [[ $(sed -n 3p "$work/stdout") == '{"type":"transfer","id":1,"debit_account":2,"credit_account":1,"amount":8,"code":"earn","flags":"none","pending_id":null,"receipt_id":"T1-000043","line":null,"source":"earn","lot_id":1,"event_seq":null,"created_at":"2026-03-10T09:30:00Z"}' ]] ||
    fail "line 3 differs"
  [[ $(sed -n 4p "$work/stdout") =~ ^\{\"type\":\"transfer\",\"id\":2,.*\"code\":\"reverse_earn\" ]] ||
    fail "line 4 differs"
  [[ $(sed -n 5p "$work/stdout") =~ ^\{\"type\":\"event\",\"seq\":1,\"kind\":\"checkout\",\"receipt_id\":\"T1-000043\",\"payload\":\" ]] ||
    fail "line 5 differs"
  [[ $(sed -n 6p "$work/stdout") =~ ^\{\"type\":\"event\",\"seq\":2,\"kind\":\"refund\", ]] ||
    fail "line 6 differs"
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

# --- The offline customer cache: checkout/open --card, customer refresh/show/block/erase -----------
# fixtures/program_offline.json is program.json as cafe-offline version 1 with
# burn.offline_floor_limit 6: offline, a card may redeem at most 6 points until HQ refreshes it.

# offline EXIT COMMAND RECEIPT [CARD]: checks out or opens RECEIPT offline for CARD (default c-77).
offline() {
  run "$1" "$2" --db "$db" --terminal T1 --program fixtures/program_offline.json \
    --card "${4:-c-77}" --receipt "$3" --at "$at"
}

# cached CARD KNOWN OFFLINE_REDEEMED BLOCKED STATE: the `customer show` line of a card never
# refreshed from HQ.
cached() {
  printf '%s' '{"customer_id":"'"$1"'","known":'"$2"',"erased":false,"consent":{"marketing":false,"profile":false},"hq_refreshed_at":null,"offline_redeemed":'"$3"',"blocked":'"$4"',"state":'"$5"'}'
}
# The state c-77 has after earning offline with fixtures/receipt_earn.json (a first purchase: the
# welcome bonus) and, for state2, redeeming with fixtures/receipt_redeem.json too.
state1='{"customer_id":"c-77","known":false,"segments":[],"purchase_count":1,"last_birthday_bonus_year":0,"last_purchase_at":"2026-03-10T09:30:00Z","tier":"base","tier_review_at":"2027-03-10T09:30:00Z","period_spend_minor":898,"period_points_earned":58,"cumulative_spend_minor":898,"lots":[],"stamps":{},"coupon_uses":{},"coupon_uses_total":{},"event_awards":{}}'
state2='{"customer_id":"c-77","known":false,"segments":[],"purchase_count":2,"last_birthday_bonus_year":0,"last_purchase_at":"2026-03-10T09:30:00Z","tier":"base","tier_review_at":"2027-03-10T09:30:00Z","period_spend_minor":1598,"period_points_earned":64,"cumulative_spend_minor":1598,"lots":[],"stamps":{},"coupon_uses":{},"coupon_uses_total":{},"event_awards":{}}'

# An unknown card earns offline as a new customer and stays unknown until HQ refreshes it.
scenario_customer_offline_earn() {
  offline 0 checkout fixtures/receipt_earn.json
  stdout_matches '^\{"receipt_id":"T1-000043","state":"committed","event_seq":1,"replayed":false,"quote":\{"program":\{"id":"cafe-offline","version":1\},.*"points":\{"available_before":0,"redeem_max":0,"earned":58,"burned":0,'
  stderr_empty
  run 0 customer show --db "$db" --card c-77
  stdout_is "$(cached c-77 false 0 null "$state1")"
  stderr_empty
  # The same offline receipt again is a replay and changes nothing.
  offline 0 checkout fixtures/receipt_earn.json
  stdout_matches '^\{"receipt_id":"T1-000043","state":"committed","event_seq":1,"replayed":true,'
  run 0 customer show --db "$db" --card c-77
  stdout_is "$(cached c-77 false 0 null "$state1")"
  # open --card holds the points; the cache counts them as redeemed offline once committed.
  offline 0 open fixtures/receipt_redeem.json
  stdout_matches '^\{"receipt_id":"T1-000050","state":"open","event_seq":0,"replayed":false,.*"points":\{"available_before":58,"redeem_max":58,"earned":6,"burned":5,'
  run 0 balance --db "$db" --customer-id c-77 --at "$at"
  stdout_matches '^\{"customer_id":"c-77","posted":58,"pending":5,"available":53,'
  run 0 customer show --db "$db" --card c-77
  stdout_is "$(cached c-77 false 0 null "$state1")"
  run 0 commit --db "$db" --receipt-id T1-000050 --at "$at"
  stdout_matches '^\{"receipt_id":"T1-000050","state":"committed","event_seq":2,"replayed":false,'
  run 0 customer show --db "$db" --card c-77
  stdout_is "$(cached c-77 false 5 null "$state2")"
  run 0 ledger check --db "$db"
  stdout_matches '^\{"ok":true,.*"pending_open":0,.*"events":2,"problems":\[\]\}$'
  # A card the cache has never seen.
  run 2 customer show --db "$db" --card c-9
  stdout_is ''
  stderr_is "loyaltyctl: card c-9 is not in the ledger's customer cache (refresh it from HQ or check a receipt out with --card first)"
}

# Offline, a card may redeem at most burn.offline_floor_limit (6) points since HQ's last refresh.
scenario_customer_floor_limit() {
  offline 0 checkout fixtures/receipt_earn.json
  offline 0 checkout fixtures/receipt_redeem.json
  stdout_matches '"points":\{"available_before":58,"redeem_max":58,"earned":6,"burned":5,'
  offline 2 checkout fixtures/receipt_redeem_again.json
  stdout_is ''
  stderr_is 'loyaltyctl: fixtures/receipt_redeem_again.json: card c-77: offline, a card may redeem at most 6 points until HQ confirms its balance; it has used 5 (redeemed or held) and this receipt asks 5. Redeem less, or wait for the terminal to reach HQ'
  offline 2 open fixtures/receipt_redeem_again.json
  stderr_is 'loyaltyctl: fixtures/receipt_redeem_again.json: card c-77: offline, a card may redeem at most 6 points until HQ confirms its balance; it has used 5 (redeemed or held) and this receipt asks 5. Redeem less, or wait for the terminal to reach HQ'
  run 0 ledger check --db "$db"
  stdout_matches '^\{"ok":true,.*"pending_open":0,.*"events":2,"problems":\[\]\}$'
  # HQ's refresh restarts the count: the same receipt redeems now.
  run 0 customer refresh --db "$db" --customer fixtures/customer_c77.json --at "$later"
  stdout_matches '^\{"customer_id":"c-77","known":true,"erased":false,"consent":\{"marketing":false,"profile":false\},"hq_refreshed_at":"2026-03-11T10:00:00Z","offline_redeemed":0,"blocked":null,'
  offline 0 checkout fixtures/receipt_redeem_again.json
  stdout_matches '^\{"receipt_id":"T1-000051","state":"committed","event_seq":3,.*"burned":5,'
}

# HQ's state is kept with the customer's consent only: without profile, no birthday nor segments.
scenario_customer_refresh_consent() {
  checkout  # the ledger file exists
  local hq='"hq_refreshed_at":"2026-03-10T09:30:00Z","offline_redeemed":0,"blocked":null'
  local bare='"purchase_count":7,"last_birthday_bonus_year":0,"tier":"base","period_spend_minor":4200,"period_points_earned":0,"cumulative_spend_minor":0,"lots":[],"stamps":{},"coupon_uses":{},"coupon_uses_total":{},"event_awards":{}}}'
  run 0 customer refresh --db "$db" --customer fixtures/customer_hq.json --at "$at"
  stdout_is '{"customer_id":"c-2002","known":true,"erased":false,"consent":{"marketing":false,"profile":false},'"$hq"',"state":{"customer_id":"c-2002","known":true,"segments":[],'"$bare"
  stderr_empty
  run 0 customer refresh --db "$db" --customer fixtures/customer_hq.json --consent marketing \
    --at "$at"
  stdout_is '{"customer_id":"c-2002","known":true,"erased":false,"consent":{"marketing":true,"profile":false},'"$hq"',"state":{"customer_id":"c-2002","known":true,"segments":[],'"$bare"
  run 0 customer refresh --db "$db" --customer fixtures/customer_hq.json \
    --consent=profile,marketing --at "$at"
  stdout_is '{"customer_id":"c-2002","known":true,"erased":false,"consent":{"marketing":true,"profile":true},'"$hq"',"state":{"customer_id":"c-2002","known":true,"segments":["students"],"birthday":"1990-05-17",'"$bare"
  run 0 customer show --db "$db" --card c-2002
  stdout_is '{"customer_id":"c-2002","known":true,"erased":false,"consent":{"marketing":true,"profile":true},'"$hq"',"state":{"customer_id":"c-2002","known":true,"segments":["students"],"birthday":"1990-05-17",'"$bare"
  # An empty list withdraws every consent: the birthday and segments go.
  run 0 customer refresh --db "$db" --customer fixtures/customer_hq.json --consent= --at "$at"
  stdout_is '{"customer_id":"c-2002","known":true,"erased":false,"consent":{"marketing":false,"profile":false},'"$hq"',"state":{"customer_id":"c-2002","known":true,"segments":[],'"$bare"
  # An offline checkout of the card quotes from HQ's state (purchase 8, no welcome bonus).
  offline 0 checkout fixtures/receipt_redeem.json c-2002
  stdout_matches '"points":\{"available_before":0,"redeem_max":0,"earned":7,"burned":0,.*"receipt_earns":\[\],'
  run 0 customer show --db "$db" --card c-2002
  stdout_matches '^\{"customer_id":"c-2002","known":true,.*"state":\{"customer_id":"c-2002","known":true,"segments":\[\],"purchase_count":8,'
}

# A blocklisted card cannot redeem (it may still earn); unblocked, it redeems again.
scenario_customer_blocklist() {
  offline 0 checkout fixtures/receipt_earn.json
  run 0 customer block --db "$db" --card c-77 --reason "reported stolen" --at "$at"
  stdout_is '{"customer_id":"c-77","blocked":"reported stolen"}'
  stderr_empty
  run 0 customer show --db "$db" --card c-77
  stdout_is "$(cached c-77 false 0 '"reported stolen"' "$state1")"
  offline 2 checkout fixtures/receipt_redeem.json
  stdout_is ''
  stderr_is 'loyaltyctl: fixtures/receipt_redeem.json: card c-77 is on the blocklist (reported stolen): it cannot redeem 5 points; check the receipt out without redeeming'
  offline 2 open fixtures/receipt_redeem.json
  stderr_is 'loyaltyctl: fixtures/receipt_redeem.json: card c-77 is on the blocklist (reported stolen): it cannot redeem 5 points; check the receipt out without redeeming'
  run 0 customer unblock --db "$db" --card c-77
  stdout_is '{"customer_id":"c-77","blocked":null}'
  stderr_empty
  offline 0 checkout fixtures/receipt_redeem.json
  stdout_matches '^\{"receipt_id":"T1-000050","state":"committed","event_seq":2,"replayed":false,.*"burned":5,'
  run 0 customer show --db "$db" --card c-77
  stdout_is "$(cached c-77 false 5 null "$state2")"
  # Unblocking a card that is not blocked does nothing.
  run 0 customer unblock --db "$db" --card c-77
  stdout_is '{"customer_id":"c-77","blocked":null}'
}

# An erasure order: the card number leaves the ledger; its points stay with a random pseudonym.
scenario_customer_erase() {
  offline 0 checkout fixtures/receipt_earn.json
  offline 0 checkout fixtures/receipt_redeem.json
  local lots
  run 0 balance --db "$db" --customer-id c-77 --at "$later"
  stdout_matches '^\{"customer_id":"c-77","posted":59,"pending":0,"available":59,"lots":\[.*\]\}$'
  lots=${step_out#*\"lots\":}
  run 0 customer erase --db "$db" --card c-77 --at "$later"
  stdout_matches '^\{"pseudonym":"erased-[0-9a-f]{32}","accounts":1,"receipts":2,"counters":1,"referrals":0,"cancelled":0\}$'
  stderr_empty
  local pseudonym=${step_out#*\"pseudonym\":\"}
  pseudonym=${pseudonym%%\"*}
  # Nothing is left under the card number...
  run 0 balance --db "$db" --customer-id c-77 --at "$later"
  stdout_is '{"customer_id":"c-77","posted":0,"pending":0,"available":0,"lots":[]}'
  run 2 customer show --db "$db" --card c-77
  stderr_is "loyaltyctl: card c-77 is not in the ledger's customer cache (refresh it from HQ or check a receipt out with --card first)"
  # ...the points and lots are the pseudonym's, and the cache row has nothing personal.
  run 0 balance --db "$db" --customer-id "$pseudonym" --at "$later"
  stdout_is '{"customer_id":"'"$pseudonym"'","posted":59,"pending":0,"available":59,"lots":'"$lots"
  run 0 customer show --db "$db" --card "$pseudonym"
  stdout_is '{"customer_id":"'"$pseudonym"'","known":false,"erased":true,"consent":{"marketing":false,"profile":false},"hq_refreshed_at":null,"offline_redeemed":5,"blocked":null,"state":'"${state2/c-77/$pseudonym}"'}'
  run 0 ledger check --db "$db"
  stdout_matches '^\{"ok":true,.*"events":2,"problems":\[\]\}$'
  stderr_empty
  # Erasing again finds nothing.
  run 2 customer erase --db "$db" --card c-77 --at "$later"
  stdout_is ''
  stderr_is 'loyaltyctl: customer c-77 is not known to this ledger'
}

scenario_customer_usage_errors() {
  run 2 checkout --db "$db" --terminal T1 --program fixtures/program.json \
    --customer fixtures/customer.json --card c-77 --receipt fixtures/receipt_earn.json --at "$at"
  stdout_is ''
  stderr_is "loyaltyctl: checkout: --card and --customer exclude each other (--card takes the customer from the ledger's customer cache, --customer from a file) (see 'loyaltyctl --help')"
  no_file "$db"
  run 2 open --db "$db" --terminal T1 --program fixtures/program.json \
    --card c-77 --customer fixtures/customer.json --receipt fixtures/receipt_earn.json
  stderr_is "loyaltyctl: open: --card and --customer exclude each other (--card takes the customer from the ledger's customer cache, --customer from a file) (see 'loyaltyctl --help')"
  no_file "$db"
  # The customer commands refuse a missing ledger file instead of creating one.
  run 2 customer show --db "$db" --card c-77
  stderr_is "loyaltyctl: $db: no such ledger file"
  run 2 customer refresh --db "$db" --customer fixtures/customer_hq.json
  stderr_is "loyaltyctl: $db: no such ledger file"
  run 2 customer block --db "$db" --card c-77 --reason lost
  stderr_is "loyaltyctl: $db: no such ledger file"
  run 2 customer unblock --db "$db" --card c-77
  stderr_is "loyaltyctl: $db: no such ledger file"
  run 2 customer erase --db "$db" --card c-77
  stderr_is "loyaltyctl: $db: no such ledger file"
  no_file "$db"
  checkout
  run 2 customer refresh --db "$db" --customer fixtures/customer_hq.json --consent marketing,news
  stdout_is ''
  stderr_is "loyaltyctl: customer refresh: --consent: unknown consent flag \"news\" (expected a comma list of marketing, profile) (see 'loyaltyctl --help')"
  run 2 customer refresh --db "$db" --customer fixtures/customer_hq.json --consent profile,
  stderr_is "loyaltyctl: customer refresh: --consent: unknown consent flag \"\" (expected a comma list of marketing, profile) (see 'loyaltyctl --help')"
  run 2 customer refresh --db "$db" --customer fixtures/bad_customer.json
  stderr_is 'loyaltyctl: fixtures/bad_customer.json: stamps["coffee"]: must be between 0 and 1000000, got -1'
  run 2 customer block --db "$db" --card c-77 --at "$at"
  stdout_is ''
  stderr_is "loyaltyctl: customer block: missing --reason (see 'loyaltyctl --help')"
  run 2 customer block --db "$db" --card c-77 --reason
  stderr_is "loyaltyctl: customer block: --reason needs a value (see 'loyaltyctl --help')"
  run 2 customer show --db "$db"
  stderr_is "loyaltyctl: customer show: missing --card (see 'loyaltyctl --help')"
  run 2 customer block --db "$db" --card erased-00 --reason lost
  stderr_is 'loyaltyctl: customer id "erased-00" is the pseudonym of an erased customer, not a card number'
  run 2 customer
  stderr_is "loyaltyctl: customer: missing subcommand (expected: refresh, show, block, unblock, erase) (see 'loyaltyctl --help')"
  run 2 customer forget --db "$db" --card c-77
  stderr_is "loyaltyctl: customer: unknown subcommand \"forget\" (expected: refresh, show, block, unblock, erase) (see 'loyaltyctl --help')"
  run 0 customer show --help
  stdout_matches '^Usage:.*loyaltyctl customer show --db FILE --card ID'
  # None of these wrote anything.
  run 0 ledger check --db "$db"
  stdout_is '{"ok":true,"schema_version":6,"accounts":2,"transfers":1,"pending_open":0,"lots":1,"events":1,"problems":[]}'
}

# --- swipe: offline decoding of a keyboard-wedge line (no ledger involved) -------------------------

track_json() {  # track status raw [lrc]
  printf '{"track":%s,"status":"%s","upos_extended_code":0,"message":"","raw":"%s","reversed":false,"lrc":"%s"}' \
    "$1" "$2" "$3" "${4:-not_sent}"
}
absent_track() { track_json "$1" absent ""; }
grocery=../../examples/programs/grocery.json
no_rules_given='"identification":{"reason":"no_rules","error":"no_rules: no rule bundle was given (--program FILE), so no one is identified; cards are still read and payment cards withheld"}'

scenario_swipe_loyalty_track() {
  run 0 swipe --tracks ';6280012345678=49121?'
  stdout_is '{"payment_card":false,"tracks":['"$(absent_track 1),$(track_json 2 ok ';6280012345678=49121?'),$(absent_track 3)"'],'"$no_rules_given"',"summary":"track 1: absent; track 2: ok, 21 characters; track 3: absent"}'
  stderr_empty
}

scenario_swipe_failed_track() {
  run 0 swipe --tracks '%E?;6280012345678=49121?'
  stdout_matches '^\{"payment_card":false,"tracks":\[\{"track":1,"status":"reader_error","upos_extended_code":0,"message":"the reader reported track 1 as failed \(E marker\)","raw":"","reversed":false,"lrc":"not_sent"\},\{"track":2,"status":"ok",'
}

scenario_swipe_payment_card_withheld() {
  local pan=6012345678901234
  run 0 swipe --tracks "%B$pan^DOE/JANE^2512101?;$pan=25121010000000000000?"
  stdout_is '{"payment_card":true,"tracks":['"$(track_json 1 ok ''),$(track_json 2 ok ''),$(absent_track 3)"'],"summary":"payment card: track data withheld; track 1: ok; track 2: ok; track 3: absent"}'
  [[ $step_out != *"$pan"* && $step_out != *"${pan: -4}"* && $step_err != *"$pan"* ]] ||
    fail "the card number leaked"
}

scenario_swipe_bad_input() {
  run 2 swipe --tracks 'hello'
  stderr_is "loyaltyctl: wedge swipe: byte 0x68 at position 0 starts no track (expected '%', ';', '+', '#' or 'E')"
  run 2 swipe
  stderr_is "loyaltyctl: swipe: missing --tracks (see 'loyaltyctl --help')"
  run 2 swipe --tracks ';2900000000018?' --program fixtures/no-such-program.json
  stderr_is "loyaltyctl: fixtures/no-such-program.json: cannot open: No such file or directory"
  run 2 swipe --tracks ';2900000000018?' --program fixtures/bad_identification_overlap.json
  stderr_is 'loyaltyctl: fixtures/bad_identification_overlap.json: identification.card_ranges[1].prefixes[0]: overlaps card_ranges[0].prefixes[0] (6900460..6900469): one card number would belong to both'
}

# Under grocery.json's identification section: its card ranges (loyalty 29..., gift
# 6036960..6036969, staff 2500...) identify, and are the bank-card rule's allow-list.
scenario_swipe_identifies_with_program() {
  # The chain's gift card in the financial layout (Luhn-valid, service code 101), with its LRCs.
  local gift=6036960000000001236
  run 0 swipe --tracks "%B$gift^GIFT CARD^2712101000000000?L;$gift=27121010000000000?5" --program "$grocery"
  stdout_is '{"payment_card":false,"tracks":['"$(track_json 1 ok "%B$gift^GIFT CARD^2712101000000000?" verified),$(track_json 2 ok ";$gift=27121010000000000?" verified),$(absent_track 3)"'],"identification":{"kind":"loyalty_card","form":"card_track2","value":"'$gift'","card_range":"gift","card_kind":"gift"},"summary":"track 1: ok, 49 characters; track 2: ok, 39 characters; track 3: absent"}'
  stderr_empty
  # Without the bundle the same gift card is withheld: no allow-list, no exception.
  run 0 swipe --tracks ";$gift=27121010000000000?"
  stdout_matches '^\{"payment_card":true,'
  [[ $step_out != *"$gift"* ]] || fail "the gift card number was printed without its range"
  # A fleet card (bad Luhn) is withheld under the bundle too: it is no card of the chain.
  run 0 swipe --tracks ';6900460430001234566=25121012202100000?' --program "$grocery"
  stdout_is '{"payment_card":true,"tracks":['"$(absent_track 1),$(track_json 2 ok ''),$(absent_track 3)"'],"summary":"payment card: track data withheld; track 1: absent; track 2: ok; track 3: absent"}'
  [[ $step_out != *6900460430001234566* && $step_out != *4566* ]] || fail "the fleet card leaked"
  # A staff card from track 1, track 2 failed (E); a card outside every range names no one.
  run 0 swipe --tracks '%L2500000000041^STAFF?E' --program "$grocery"
  stdout_matches '"identification":\{"kind":"loyalty_card","form":"card_track1","value":"2500000000041","card_range":"staff","card_kind":"employee"\}'
  run 0 swipe --tracks ';6280012345678=49121?' --program "$grocery"
  stdout_matches '"identification":\{"reason":"unknown_prefix","error":"unknown_prefix: a 13-digit card number on track 2 outside every card range of the program \(loyalty 29; gift 6036960..6036969; staff 2500\); it is no card of this chain"\}'
}

scenario_swipe_lrc_and_aamva() {
  # A wrong LRC after track 1 marks track 1; track 2 (with its right LRC) still identifies.
  run 0 swipe --tracks '%LCLUB^42?7;2900000000018?6' --program "$grocery"
  stdout_is '{"payment_card":false,"tracks":[{"track":1,"status":"lrc","upos_extended_code":204,"message":"the LRC character after the end sentinel of track 1 does not match the track; swipe the card again","raw":"","reversed":false,"lrc":"mismatch"},'"$(track_json 2 ok ';2900000000018?' verified),$(absent_track 3)"'],"identification":{"kind":"loyalty_card","form":"card_track2","value":"2900000000018","card_range":"loyalty","card_kind":"loyalty"},"summary":"track 1: lrc (204); track 2: ok, 15 characters; track 3: absent"}'
  # A track 3 in an AAMVA licence's layout is reported, tracks 1 and 2 stay.
  run 0 swipe --tracks '%LCLUB^42?;2900000000018?#! 95354 C 1234567890123?' --program "$grocery"
  stdout_matches ',\{"track":3,"status":"other_format","upos_extended_code":0,"message":"track 3 starts with .#., a layout other than ISO/IEC 4909 \(an AAMVA driving licence\?\); its 25 characters are not decoded","raw":"","reversed":false,"lrc":"not_sent"\}\],"identification":\{"kind":"loyalty_card","form":"card_track2","value":"2900000000018",'
}

scenario_swipe_without_identification_section() {
  run 0 swipe --tracks ';2900000000018?' --program fixtures/program.json
  stdout_matches '"identification":\{"reason":"no_rules","error":"no_rules: program cafe-club version 3 has no identification section, so no one is identified; cards are still read and payment cards withheld"\},'
  stderr_empty
}

# The store's zone: the receipt is quoted in it and recorded with it; a refund in another zone is
# refused with the reason, one in the same zone goes through.
scenario_store_time_zone() {
  unset LOYALTY_TIME_ZONE
  run 0 checkout --db "$db" --terminal T1 --program fixtures/program.json \
    --customer fixtures/customer.json --receipt fixtures/receipt_earn.json --at "$at" \
    --time-zone Europe/Berlin
  stdout_matches '"state":"committed","event_seq":1,"replayed":false,'
  run 2 refund --db "$db" --receipt-id T1-000043 --refund-id R1 --lines 0:1 --at "$later"
  stderr_is 'loyaltyctl: receipt T1-000043 was quoted in the time zone Europe/Berlin, but this till is set to none: set the store'"'"'s zone back to Europe/Berlin to refund it'
  LOYALTY_TIME_ZONE=Europe/Berlin run 0 refund --db "$db" --receipt-id T1-000043 \
    --refund-id R1 --lines 0:1 --at "$later"
  stdout_matches '^\{"refund_id":"R1","event_seq":2,"replayed":false,'
  run 2 checkout --db "$db" --terminal T1 --program fixtures/program.json \
    --customer fixtures/customer.json --receipt fixtures/receipt_earn.json --at "$at" \
    --time-zone Mars/Olympus
  stderr_matches '^loyaltyctl: --time-zone: .*Mars/Olympus'
}

# Another program holding the ledger's write lock past the busy timeout (5 s): exit 75, retryable;
# once it lets go, the same command goes through.
scenario_busy_exit_code() {
  checkout
  { echo "BEGIN IMMEDIATE;"; sleep 8; echo "COMMIT;"; } | sqlite3 "$db" &
  local holder=$!
  sleep 1
  run 75 refund --db "$db" --receipt-id T1-000043 --refund-id R1 --lines 0:1 --at "$later"
  stderr_matches '^loyaltyctl: .*\(busy: another connection or statement holds the lock; try again\)$'
  wait "$holder"
  run 0 refund --db "$db" --receipt-id T1-000043 --refund-id R1 --lines 0:1 --at "$later"
  stdout_matches '^\{"refund_id":"R1","event_seq":2,"replayed":false,'
}

declare -F "scenario_$scenario" >/dev/null || { echo "unknown scenario $scenario" >&2; exit 1; }
"scenario_$scenario"
