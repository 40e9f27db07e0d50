#!/usr/bin/env bash
# make demo: a till day through loyaltyd (scripts/till_day.py) on a temporary state directory
# with an embedded SQLite ledger and a replayed barcode scanner, synced to an HQ (loyalty-hq on
# embedded SQLite, mutual TLS) with an offline stretch, then the summary table with HQ's totals
# beside the till's, HQ's nightly report of the day (build/demo-report.html and .json) and a
# what-if backtest of twice the base earn (build/demo-whatif.html and .json). Where
# Chromium is installed, the till panel is saved as a screenshot under build/.
#
# The rules alone, quoted scenario by scenario: scripts/quote-scenarios.sh.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${LOYALTY_BUILD_DIR:-$root/build}
for program in loyaltyd loyaltyctl; do
  if [[ ! -x $build/firmware/$program ]]; then
    echo "demo: $build/firmware/$program not found; run 'make build' first" >&2
    exit 1
  fi
done

screenshot=()
if command -v chromium >/dev/null; then
  screenshot=(--screenshot "$build/demo-till-panel.png")
fi
# The scanner is a pty: on a devpts of its own where that can be had (with-private-ptys.sh).
exec "$root/scripts/with-private-ptys.sh" /usr/bin/python3 "$root/scripts/till_day.py" \
  --loyaltyd "$build/firmware/loyaltyd" --loyaltyctl "$build/firmware/loyaltyctl" \
  --hq "$build/sync/loyalty-hq" --out-dir "$build" \
  "${screenshot[@]}" "$@"
