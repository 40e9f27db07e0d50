// loyaltyctl's commands. Each takes the words after its name, writes its result to `out`, and
// returns an Error whose message is ready to print after "loyaltyctl: " (main.cc maps the code to
// the exit status: ErrorCode::internal → 1, anything else → 2).
//
// Thread-safety: commands are run once per process, from main().
#pragma once

#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include "loyalty/core/customer.h"
#include "loyalty/core/program.h"
#include "loyalty/core/receipt.h"
#include "loyalty/core/result.h"

namespace loyalty::cli {

// `quote --program FILE --receipt FILE [--customer FILE] [--at TIME] [--format json|table]
// [--time-zone AREA/CITY] [--draw-key-file FILE] [--budgets-spent FILE]`.
// Without --format: a table when `out_is_terminal`, JSON otherwise. Without --at: now (UTC).
// The store's zone: --time-zone, else $LOYALTY_TIME_ZONE, else the program's fixed
// utc_offset_minutes, else an error. Without --draw-key-file no instant-win draw is held.
Status run_quote(std::span<const std::string_view> args, std::ostream& out, bool out_is_terminal);

// `swipe --tracks STRING [--program FILE] [--at TIME]`: decodes a swipe as a keyboard-wedge reader
// types it and prints {"payment_card","tracks":[{"track","status","upos_extended_code","message",
// "raw","reversed","lrc"}],"identification"?,"summary"}; a payment card's tracks come back
// withheld (raw ""). "identification" (till_identification.h) is there for a usable track that
// was not withheld.
Status run_swipe(std::span<const std::string_view> args, std::ostream& out);

// `scan --image FILE [--formats LIST]`: decodes the barcodes in an image file (PNG, JPEG, WebP,
// PGM/PPM, BMP) and prints one line per symbol, "<type> <aim id> <label>" (e.g. "ean13 ]E0
// 5901234123457"), control characters escaped as \xHH, then for a symbol with ECI segments a tab
// and "eci=29:GB2312@0,3:ISO-8859-1@4". LIST: comma-separated types
// (ean13,qrcode,...); default ean13, upca, upce, ean8, code128, ean128, qrcode, datamatrix. No
// symbol found is an error.
Status run_scan(std::span<const std::string_view> args, std::ostream& out);

// `devices [--format json|table] [--wedge VID:PID[:msr]]`: the readers attached now, as
// {"devices":[{"id","node","kind","transport","vendor_id","product_id","name"}]} or a table.
Status run_devices(std::span<const std::string_view> args, std::ostream& out, bool out_is_terminal);

// `listen --device NODE [--kind scanner|msr] [--count N] [--timeout-ms N] [--baud N]
// [--card-key-file FILE] [--program FILE]`: one JSON line per event of the reader:
// {"event":"data","device","kind","type","aim_id","label","identification"} for a scan,
// {"event":"data","device","kind":"msr","payment_card","card_token"?,"tracks","identification"?}
// for a swipe, {"event":"error","device","result","extended","message"} for an error.
Status run_listen(std::span<const std::string_view> args, std::ostream& out);

// `program check FILE`: prints "ok: <program_id> version <n>, <r> rules, <t> tiers".
Status run_program(std::span<const std::string_view> args, std::ostream& out);

// `checkout --db FILE --terminal ID --program FILE --receipt FILE [--customer FILE | --card ID]
// [--at TIME]`: creates the ledger if missing, stores the bundle, checks the receipt out; prints
// {"receipt_id","state","event_seq","replayed","quote"}. --card: offline, for a card identified at
// the till, its state from the ledger's customer cache (an unknown card earns as a new customer).
Status run_checkout(std::span<const std::string_view> args, std::ostream& out);

// `open --db FILE --terminal ID --program FILE --receipt FILE [--customer FILE | --card ID]
// [--at TIME]`: as checkout, but the receipt stays open: the points it burns are held (pending)
// until `commit` or `cancel`. Prints the same JSON with "state":"open" and "event_seq":0.
Status run_open(std::span<const std::string_view> args, std::ostream& out);

// `commit --db FILE --receipt-id ID [--at TIME]`: commits an open receipt of an existing ledger as
// it was quoted when opened; prints the same JSON ("state":"committed"). A committed receipt
// prints its result again with "replayed":true.
Status run_commit(std::span<const std::string_view> args, std::ostream& out);

// `cancel --db FILE --receipt-id ID [--at TIME]`: cancels an open receipt of an existing ledger.
Status run_cancel(std::span<const std::string_view> args, std::ostream& out);

// `refund --db FILE --receipt-id ID --refund-id ID --lines LINE:QTY[,LINE:QTY...] [--at TIME]`:
// prints {"refund_id","event_seq","replayed","reversal"}.
Status run_refund(std::span<const std::string_view> args, std::ostream& out);

// `balance --db FILE --customer-id ID [--at TIME]`: prints
// {"customer_id","posted","pending","available","lots":[...]}.
Status run_balance(std::span<const std::string_view> args, std::ostream& out);

// `customer refresh --db FILE --customer FILE [--consent marketing,profile] [--at TIME]`,
// `customer show --db FILE --card ID`, `customer block --db FILE --card ID --reason TEXT
// [--at TIME]`, `customer unblock --db FILE --card ID` and `customer erase --db FILE --card ID
// [--at TIME]`: the ledger's offline customer cache (none creates a missing file). refresh and
// show print the cached customer (cached_customer_json.h); block and unblock
// {"customer_id","blocked"}; erase {"pseudonym","accounts","receipts","counters","referrals",
// "cancelled"}.
Status run_customer(std::span<const std::string_view> args, std::ostream& out);

// `ledger check --db FILE` (opens even a broken ledger, prints the whole LedgerReport and sets
// `problems_found` when the ledger fails its check) and
// `ledger export --db FILE` (JSON lines). Neither creates a missing file.
Status run_ledger(std::span<const std::string_view> args, std::ostream& out, bool& problems_found);

// `health [--socket PATH] [--token-file FILE] [--wait SECONDS] [--backlog-max N]
// [--format text|json] [--mark-good] [--rauc PROGRAM]`: the update's health gate
// (health/health_checks.h lists the checks). Prints one "<verdict> <check> <detail>" line per
// check and a summary (or one JSON object), and returns the exit status: 0 healthy (and, with
// --mark-good, the booted RAUC slot marked good by `<PROGRAM> status mark-good`),
// health_exit_unhealthy, or health_exit_mark_good_failed. Progress while waiting goes to
// `progress`. Usage errors are errors.
inline constexpr int health_exit_unhealthy = 4;
inline constexpr int health_exit_mark_good_failed = 5;
Result<int> run_health(std::span<const std::string_view> args, std::ostream& out,
                       std::ostream& progress);

// `--daemon SOCKET [--token-file FILE] COMMAND ...`: a running loyaltyd's POS API instead of a
// ledger file (commands/daemon.cc lists the commands); prints the daemon's JSON reply.
Status run_daemon(std::span<const std::string_view> args, std::ostream& out);

// Reads and loads one document file. Errors read "<path>: <reason>", the reason as the loader
// (or read_file) gives it, e.g. "bundle.json: rules[3].percent_bp: must be between 1 and 10000,
// got 12000".
Result<Program> load_program_file(const std::string& path);
Result<CustomerState> load_customer_file(const std::string& path);
Result<Receipt> load_receipt_file(const std::string& path);

// Writes `text` to `out` and flushes; a failed write is an ErrorCode::internal error.
Status write_output(std::ostream& out, std::string_view text);

}  // namespace loyalty::cli
