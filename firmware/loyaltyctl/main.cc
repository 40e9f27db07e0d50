// loyaltyctl: the command-line front end over the rules core. Dispatches to the commands in
// commands.h, prints errors as one line on stderr ("loyaltyctl: <message>") and maps them to the
// exit status: 0 success, 2 bad input or usage, 1 unexpected internal failure, 3 `ledger check`
// found problems.
#include <unistd.h>

#include <algorithm>
#include <exception>
#include <iostream>
#include <iterator>
#include <span>
#include <string_view>
#include <vector>

#include "args/cli_args.h"
#include "commands.h"
#include "loyalty/core/json.h"
#include "loyalty/core/program_loader.h"

#ifndef LOYALTY_VERSION
#error "LOYALTY_VERSION comes from project() in CMakeLists.txt"
#endif

namespace loyalty::cli {

namespace {

constexpr int exit_ok = 0;
constexpr int exit_internal = 1;
constexpr int exit_usage = 2;
// sysexits.h EX_TEMPFAIL: another program holds the ledger's lock; the same command may succeed.
constexpr int exit_busy = 75;
constexpr int exit_ledger_problems = 3;

constexpr std::string_view usage_text =
    "Usage:\n"
    "  loyaltyctl quote --program FILE --receipt FILE [--customer FILE] [--at TIME]\n"
    "                   [--format json|table] [--time-zone AREA/CITY]\n"
    "                   [--draw-key-file FILE] [--budgets-spent FILE]\n"
    "  loyaltyctl program check FILE\n"
    "  loyaltyctl checkout --db FILE --terminal ID --program FILE --receipt FILE\n"
    "                      [--customer FILE | --card ID] [--at TIME] [STORE]\n"
    "  loyaltyctl open --db FILE --terminal ID --program FILE --receipt FILE\n"
    "                  [--customer FILE | --card ID] [--at TIME] [STORE]\n"
    "  loyaltyctl commit --db FILE --receipt-id ID [--at TIME] [STORE]\n"
    "  loyaltyctl cancel --db FILE --receipt-id ID [--at TIME]\n"
    "  loyaltyctl refund --db FILE --receipt-id ID --refund-id ID\n"
    "                    --lines LINE:QTY[,LINE:QTY...] [--at TIME] [STORE]\n"
    "  loyaltyctl balance --db FILE --customer-id ID [--at TIME]\n"
    "  loyaltyctl customer refresh --db FILE --customer FILE [--consent marketing,profile]\n"
    "                              [--at TIME]\n"
    "  loyaltyctl customer show --db FILE --card ID\n"
    "  loyaltyctl customer block --db FILE --card ID --reason TEXT [--at TIME]\n"
    "  loyaltyctl customer unblock --db FILE --card ID\n"
    "  loyaltyctl customer erase --db FILE --card ID [--at TIME]\n"
    "  loyaltyctl ledger check --db FILE\n"
    "  loyaltyctl ledger export --db FILE\n"
    "  loyaltyctl swipe --tracks STRING [--program FILE] [--at TIME]\n"
    "  loyaltyctl scan --image FILE [--formats LIST]\n"
    "  loyaltyctl devices [--format json|table] [--wedge VID:PID[:msr]]\n"
    "  loyaltyctl listen --device NODE [--kind scanner|msr] [--count N] [--timeout-ms N]\n"
    "                    [--baud N] [--card-key-file FILE] [--program FILE]\n"
    "  loyaltyctl health [--socket PATH] [--token-file FILE] [--wait SECONDS]\n"
    "                    [--backlog-max N] [--format text|json] [--mark-good] [--rauc PROGRAM]\n"
    "  loyaltyctl --daemon SOCKET [--token-file FILE] COMMAND ...   (a running loyaltyd)\n"
    "             COMMAND: health | readers | identify --input TEXT | quote|checkout|open\n"
    "             --receipt FILE [--card ID] | commit|cancel --receipt-id ID | refund\n"
    "             --receipt-id ID --refund-id ID --lines L:Q,... | balance|history\n"
    "             --customer-id ID | enrol --card ID [--consent marketing,profile]\n"
    "  loyaltyctl help | --help\n"
    "  loyaltyctl --version\n"
    "\n"
    "Commands:\n"
    "  quote          Quote a receipt under a rule bundle and print the discounts, points earned\n"
    "                 and burned, and why. Without --customer the receipt is anonymous.\n"
    "                 --at      evaluation time, e.g. 2026-03-10T09:30:00Z or\n"
    "                           2026-03-10T12:30:00+03:00 (default: now)\n"
    "                 --format  json or table (default: table on a terminal, json otherwise)\n"
    "                 --time-zone  the store's IANA time zone, e.g. Europe/Berlin (default:\n"
    "                           $LOYALTY_TIME_ZONE, else the program's utc_offset_minutes)\n"
    "                 --draw-key-file  the program's instant-win draw key (hex); without it\n"
    "                           no draw is held\n"
    "                 --budgets-spent  JSON: what each campaign budget spent so far\n"
    "  program check  Load a rule bundle and report whether it is valid.\n"
    "  checkout       Check a receipt out into the ledger --db (created for terminal --terminal\n"
    "                 if missing) and print the result with its quote as one JSON line. The same\n"
    "                 receipt again writes nothing and prints \"replayed\": true. With --card\n"
    "                 (instead of --customer) it is offline: the customer is the card's state in\n"
    "                 the ledger's customer cache (a new customer for an unknown card); the\n"
    "                 blocklist and the program's burn.offline_floor_limit restrict redeeming.\n"
    "  open           Like checkout, but leave the receipt open: the points it burns are held\n"
    "                 (pending, unavailable to other receipts) until commit or cancel. Prints\n"
    "                 the result with \"state\": \"open\".\n"
    "  commit         Commit an open receipt as quoted when it was opened and print the result.\n"
    "                 Committing it again prints \"replayed\": true.\n"
    "  cancel         Cancel an open receipt (release the points it holds). Cancelling it again\n"
    "                 does nothing.\n"
    "  refund         Return units of a committed receipt (line index:quantity) and print the\n"
    "                 reversal. Idempotent by --refund-id.\n"
    "  balance        Print a customer's posted, pending (held) and available points and the\n"
    "                 lots not expired at --at.\n"
    "  customer refresh\n"
    "                 Store the state HQ issued for a customer (--customer) in the ledger's\n"
    "                 customer cache with their consent (comma list; without profile the\n"
    "                 birthday and segments are dropped) and print the cached customer.\n"
    "  customer show  Print what the customer cache holds for a card.\n"
    "  customer block, customer unblock\n"
    "                 Add a card to (or remove it from) the local blocklist: a blocked card\n"
    "                 cannot redeem.\n"
    "  customer erase Carry out an erasure order: the card number is replaced by a random\n"
    "                 pseudonym everywhere and personal data removed; balances stay.\n"
    "  ledger check   Verify the ledger's invariants over its whole history and print the\n"
    "                 report as JSON, with every problem of a broken ledger (which the other\n"
    "                 commands refuse to open). A sound ledger gets a new checkpoint: the other\n"
    "                 commands verify only what was written after it.\n"
    "  ledger export  Print every account, transfer and event as JSON lines.\n"
    "                 All commands but checkout and open refuse a missing --db file.\n"
    "                 STORE is the store's environment, as for quote: [--time-zone AREA/CITY]\n"
    "                 (default $LOYALTY_TIME_ZONE, else the program's utc_offset_minutes) and\n"
    "                 [--draw-key-file FILE]. A receipt is refunded or committed in the zone it\n"
    "                 was quoted in.\n"
    "  swipe          Decode a magnetic-stripe swipe offline, as a keyboard-wedge reader types it\n"
    "                 (%T1?;T2?+T3?, E for a failed track, an LRC after a track), and print each\n"
    "                 track's status as JSON, with the card identified under the identification\n"
    "                 section of --program. A track in the financial layout is withheld, never\n"
    "                 printed, unless its number is in one of the bundle's card ranges.\n"
    "  scan           Decode the barcodes in an image file (PNG, JPEG, WebP, PGM, BMP) and print\n"
    "                 one line per symbol: type, AIM id, label (control characters as \\xHH),\n"
    "                 and for a symbol with ECI segments a tab and eci=ECI:CHARSET@BYTE,...\n"
    "                 --formats  e.g. ean13,qrcode (default: ean13, upca, upce, ean8, code128,\n"
    "                            ean128, qrcode, datamatrix)\n"
    "  devices        List the card readers and barcode scanners attached now (hidraw, input "
    "event\n"
    "                 nodes, USB serial ports) with kind, transport and USB ids. A keyboard-wedge\n"
    "                 reader looks like a keyboard: name it with --wedge VID:PID[:msr].\n"
    "  listen         Open one reader (UPOS open, claim, enable) and print each scan or error as\n"
    "                 a JSON line with the customer identified from it; stop after --count scans\n"
    "                 (default 1) or --timeout-ms (default 30000). The transport follows from\n"
    "                 the node: /dev/hidraw*, /dev/input/event*, else a serial port (--baud).\n"
    "                 A payment card prints no track data; --card-key-file (hex key) prints its\n"
    "                 card-linked token instead. --program: the rule bundle whose\n"
    "                 identification section identifies customers (without it, no one is).\n"
    "\n"
    "Flags take their value as `--flag value` or `--flag=value`.\n"
    "Exit status: 0 success, 2 bad input or usage, 1 internal error,\n"
    "             3 ledger check found problems, 75 the ledger is busy (another program\n"
    "             holds its lock past the busy timeout): try again;\n"
    "             health: 4 unhealthy (the slot is not marked good), 5 healthy but\n"
    "             rauc status mark-good failed.\n";

bool wants_help(std::span<const std::string_view> args) {
  for (std::string_view arg : args) {
    if (arg == "--") return false;
    if (arg == "--help" || arg == "-h") return true;
  }
  return false;
}

Status run_command(std::string_view name, std::span<const std::string_view> rest,
                   bool& problems_found) {
  if (name == "checkout") return run_checkout(rest, std::cout);
  if (name == "open") return run_open(rest, std::cout);
  if (name == "commit") return run_commit(rest, std::cout);
  if (name == "cancel") return run_cancel(rest, std::cout);
  if (name == "refund") return run_refund(rest, std::cout);
  if (name == "balance") return run_balance(rest, std::cout);
  if (name == "customer") return run_customer(rest, std::cout);
  if (name == "ledger") return run_ledger(rest, std::cout, problems_found);
  if (name == "quote") return run_quote(rest, std::cout, isatty(STDOUT_FILENO) == 1);
  if (name == "program") return run_program(rest, std::cout);
  if (name == "swipe") return run_swipe(rest, std::cout);
  if (name == "scan") return run_scan(rest, std::cout);
  if (name == "devices") return run_devices(rest, std::cout, isatty(STDOUT_FILENO) == 1);
  if (name == "listen") return run_listen(rest, std::cout);
  if (name == "--daemon") return run_daemon(rest, std::cout);
  if (name == "help" || name == "--help" || name == "-h") {
    if (!rest.empty()) return usage_error(name, "takes no arguments");
    return write_output(std::cout, usage_text);
  }
  if (name == "--version") {
    if (!rest.empty()) return usage_error(name, "takes no arguments");
    return write_output(std::cout, "loyaltyctl " LOYALTY_VERSION " (rule bundles: " +
                                       std::string(program_format) + ")\n");
  }
  if (name.starts_with("-")) return usage_error("", "unknown option " + std::string(name));
  return usage_error("", "unknown command " + json::quote(name));
}

int run(std::span<const std::string_view> args) {
  if (args.empty()) {
    std::cerr << usage_text;
    return exit_usage;
  }
  const std::span<const std::string_view> rest = args.subspan(1);
  constexpr std::string_view commands_with_help[] = {
      "quote",   "program",  "checkout", "open",  "commit", "cancel",  "refund",
      "balance", "customer", "ledger",   "swipe", "scan",   "devices", "listen"};
  if (std::find(std::begin(commands_with_help), std::end(commands_with_help), args.front()) !=
          std::end(commands_with_help) &&
      wants_help(rest)) {
    return write_output(std::cout, usage_text).ok() ? exit_ok : exit_internal;
  }
  if (args.front() == "health") {
    if (wants_help(rest)) return write_output(std::cout, usage_text).ok() ? exit_ok : exit_internal;
    const Result<int> health = run_health(rest, std::cout, std::cerr);
    if (health.ok()) return health.value();
    std::cerr << "loyaltyctl: " << health.error().message << '\n';
    return health.error().code == ErrorCode::internal ? exit_internal : exit_usage;
  }
  bool problems_found = false;
  const Status status = run_command(args.front(), rest, problems_found);
  if (status.ok()) return problems_found ? exit_ledger_problems : exit_ok;
  std::cerr << "loyaltyctl: " << status.error().message << '\n';
  switch (status.error().code) {
    case ErrorCode::internal:
      return exit_internal;
    case ErrorCode::busy:
      return exit_busy;
    default:
      return exit_usage;
  }
}

}  // namespace

}  // namespace loyalty::cli

int main(int argc, char** argv) {
  try {
    const std::vector<std::string_view> args(argv + 1, argv + argc);
    return loyalty::cli::run(args);
  } catch (const std::exception& e) {
    std::cerr << "loyaltyctl: internal error: " << e.what() << '\n';
    return 1;
  } catch (...) {
    std::cerr << "loyaltyctl: internal error: unknown exception\n";
    return 1;
  }
}
