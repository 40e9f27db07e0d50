#!/usr/bin/env bash
# Quotes every scenario of examples/scenarios.tsv with the loyaltyctl built by `make build`, then
# runs one till session on a fresh ledger in a temporary directory: an offline checkout by card,
# the balance, an HQ refresh of the customer, a refund of one line and the ledger check.
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
while IFS=$'\t' read -r name program customer receipt at zone key budgets; do
  total=$((total + 1))
  if [[ $name == '!'* ]]; then
    echo "demo: $scenarios:${name#!}: expected 8 tab-separated columns (name program customer receipt at zone draw_key budgets_spent)" >&2
    failed+=("line ${name#!}")
    continue
  fi
  echo "== $name =="
  scenario_quote_args "$examples" "$program" "$customer" "$receipt" "$at" "$zone" "$key" "$budgets"
  if ! "$loyaltyctl" "${quote_args[@]}" --format table; then
    failed+=("$name")
  fi
  echo
done < <(scenario_rows "$scenarios")

if ((${#failed[@]} > 0)); then
  echo "demo: ${#failed[@]} of $total scenario(s) failed: ${failed[*]}" >&2
  exit 1
fi

# --- One till session on a fresh ledger -----------------------------------------------------------
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db=$work/ledger.db
at=2026-11-25T10:00:00Z
till() {
  echo "\$ loyaltyctl $*"
  "$loyaltyctl" "$@"
  echo
}
echo "== readers: a loyalty card scanned from an image; a loyalty card, a gift card and bank cards swiped =="
if command -v zint >/dev/null 2>&1; then
  zint -b 13 --quietzones --scale=2 -d 290000000001 -o "$work/loyalty-card.png" >/dev/null
  till scan --image "$work/loyalty-card.png"
fi
# Identification follows the bundle's identification section (its card ranges, coupons, phones).
grocery=$examples/programs/grocery.json
till swipe --tracks ';2900000000018?' --program "$grocery"
# The chain's gift card: the financial layout, but in the bundle's gift range, so it passes.
till swipe --tracks ';6036960000000001236=27121010000000000?5' --program "$grocery"
# Bank cards (test card numbers, one a fleet card that fails Luhn): withheld, only statuses print.
echo "\$ loyaltyctl swipe --tracks '<the tracks of a Visa test card>' --program grocery.json"
"$loyaltyctl" swipe --program "$grocery" \
  --tracks '%B4111111111111111^DOE/JANE^2512101000000000?;4111111111111111=25121010000000000000?'
echo
echo "\$ loyaltyctl swipe --tracks '<the track 2 of a fleet test card>' --program grocery.json"
"$loyaltyctl" swipe --program "$grocery" --tracks ';6900460430001234566=25121012202100000?'
echo

echo "== till session: ledger $db =="
till checkout --db "$db" --terminal FM014-T2 --program "$examples/programs/grocery.json" \
  --receipt "$examples/receipts/grocery/weekly-shop.json" --card gr-anna --at "$at"
till balance --db "$db" --customer-id gr-anna --at "$at"
till customer refresh --db "$db" --customer "$examples/customers/grocery/anna.json" \
  --consent marketing --at "$at"
till refund --db "$db" --receipt-id FM014-T2-004103 --refund-id FM014-T2-R1 --lines 0:1 --at "$at"
till balance --db "$db" --customer-id gr-anna --at "$at"
till ledger check --db "$db"
if ((total == 0)); then
  echo "demo: no scenarios in examples/scenarios.tsv yet"
else
  echo "demo: $total scenario(s) quoted"
fi
