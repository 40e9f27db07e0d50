// loyalty-hq: the chain's HQ program. It creates HQ's state directory, runs the HQ service the
// terminals sync with, and lets an operator look at and act on what HQ holds (commands.h).
// Errors are one line on stderr ("loyalty-hq: <message>"); the exit status is 0 on success, 2 for
// a misused command line or a value that cannot be, 1 for any other failure.

#include <signal.h>

#include <exception>
#include <iostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "args/hq_args.h"
#include "commands.h"
#include "state/store_choice.h"
#include "loyalty/core/json.h"

#ifndef LOYALTY_VERSION
#error "LOYALTY_VERSION comes from project() in CMakeLists.txt"
#endif

namespace loyalty::hq {

namespace {

constexpr int exit_ok = 0;
constexpr int exit_failure = 1;
constexpr int exit_usage = 2;

constexpr std::string_view usage_text =
    "Usage: loyalty-hq [--store LOC] COMMAND ...\n"
    "  loyalty-hq init [--dir D] [--server-name N[,N...]] [--time-zone ZONE]\n"
    "  loyalty-hq ca init [--dir D]\n"
    "  loyalty-hq ca issue [--dir D] --store S --terminal T --out DIR [--valid-days N]\n"
    "  loyalty-hq ca issue [--dir D] --server-name N[,N...] --out DIR [--valid-days N]\n"
    "  loyalty-hq serve [--dir D] [--listen ADDR:PORT] [--workers N]\n"
    "  loyalty-hq status [--dir D] [--at TIME]\n"
    "  loyalty-hq customer [--dir D] (--pseudonym P | --card C) [--history N]\n"
    "  loyalty-hq publish [--dir D] [--store S] bundle --file F --program-id ID --version N\n"
    "                     --effective-from TIME [--key-id K]\n"
    "  loyalty-hq publish [--dir D] [--store S] block (--card C | --pseudonym P) --reason R\n"
    "  loyalty-hq publish [--dir D] [--store S] unblock (--card C | --pseudonym P)\n"
    "  loyalty-hq publish [--dir D] [--store S] erase (--card C | --pseudonym P)\n"
    "  loyalty-hq publish [--dir D] [--store S] keys\n"
    "  loyalty-hq publish [--dir D] [--store S] signing-key --new-key-id K2 [--key-id K]\n"
    "  loyalty-hq release [--dir D] --store S --terminal T [--from-seq N] --note TEXT\n"
    "  loyalty-hq apply [--dir D]\n"
    "  loyalty-hq report [--dir D] [--from DATE] [--to DATE] [--stores S[,S...]]\n"
    "                    [--point-value M/P] [--format json|html] [--out FILE] [--chart-js F]\n"
    "  loyalty-hq simulate [--dir D] --program F --from DATE --to DATE [--stores S[,S...]]\n"
    "                      [--threads N] [--format json|html] [--out FILE] [--chart-js F]\n"
    "  loyalty-hq migrate [--dir D]\n"
    "  loyalty-hq partitions [--dir D] (--create-through DATE | --detach-before DATE)\n"
    "  loyalty-hq help | --help\n"
    "  loyalty-hq --version\n"
    "\n"
    "D is HQ's state directory (default /var/lib/loyalty-hq): hq.db, ca/, keys/, server/.\n"
    "LOC is the store: sqlite:PATH (default sqlite:D/hq.db) or a postgresql://... URI (keep\n"
    "its password in ~/.pgpass); init records it in D/store for the commands after it.\n"
    "\n"
    "Commands:\n"
    "  init      Create D: the store (hq.db, or LOC migrated), a development CA (ca/), the\n"
    "            bundle signing key k1 (keys/bundle-k1.key, .pub), the chain's pseudonym key\n"
    "            (keys/pseudonym.key) and HQ's certificate for --server-name (default\n"
    "            127.0.0.1,localhost) in server/; publishes the pseudonym key to every terminal.\n"
    "            Refuses an existing HQ. --time-zone: the zone of the business days (IANA name,\n"
    "            default UTC), fixed for the store's life.\n"
    "  ca init   Create the development CA in D/ca.\n"
    "  ca issue  Issue a terminal's client certificate (DIR/terminal.crt, terminal.key, ca.crt)\n"
    "            or an HQ server certificate (DIR/server.crt, server.key, ca.crt).\n"
    "  serve     Run the HQ service until SIGTERM or SIGINT (default 127.0.0.1:8443, 2 workers;\n"
    "            port 0 picks one). Prints \"listening on ADDR:PORT\" to stderr and writes the\n"
    "            port to D/serve.port; logs one line per batch to stderr.\n"
    "  status    Print the terminals (held and applied seq, seconds since the last batch,\n"
    "            quarantine), the alerts, HQ's totals and the number of quarantined terminals.\n"
    "  customer  Print a customer's balance, overdraft, tier and newest N history entries\n"
    "            (default 20); --card computes the pseudonym with D's key.\n"
    "  publish   Publish a downlink item for the chain, or for store S: a signed rule bundle\n"
    "            (by the current key, or --key-id), a block or unblock, an erasure order, the\n"
    "            pseudonym key again, or a new signing key signed by the current one (which\n"
    "            then becomes current). Prints {\"version\",\"kind\"}.\n"
    "  release   Lift a terminal's quarantine; --from-seq drops what HQ holds from that seq on\n"
    "            so the terminal sends it again.\n"
    "  apply     Apply what HQ holds to its ledger once (serve does this by itself).\n"
    "  report    The nightly report of the business days FROM..TO (default yesterday):\n"
    "            receipts, loyalty share, average checks, visits, points issued, redeemed,\n"
    "            expired and donated, liability, overdrafts, top rules by cost (points at\n"
    "            M minor units per P points, default 1/1), budgets; per store and in total.\n"
    "            JSON, or one HTML page with charts; applies what HQ holds first.\n"
    "  simulate  What a new program F would have done: the stored receipts of FROM..TO\n"
    "            quoted again under F with the customers' states as they were, on N threads\n"
    "            (default 2), against what happened: discounts, points issued and redeemed,\n"
    "            liability, tier changes; per store and in total (docs/backtest.md).\n"
    "  migrate   Bring the store's schema to this build's (PostgreSQL: only this migrates it).\n"
    "  partitions  Create the PostgreSQL journal's daily partitions through DATE, or detach\n"
    "            the days before DATE (kept as tables journal_YYYYMMDD).\n"
    "\n"
    "TIME is RFC 3339, e.g. 2026-03-10T09:30:00Z. Flags take `--flag value` or `--flag=value`.\n"
    "Output is JSON on stdout. Exit status: 0 success, 2 usage or a bad value, 1 failure.\n";

Status run_command(std::string_view name, std::span<const std::string_view> rest) {
  if (name == "init") return run_init(rest, std::cout);
  if (name == "ca") return run_ca(rest, std::cout);
  if (name == "serve") return run_serve(rest, std::cout);
  if (name == "status") return run_status(rest, std::cout);
  if (name == "customer") return run_customer(rest, std::cout);
  if (name == "publish") return run_publish(rest, std::cout);
  if (name == "release") return run_release(rest, std::cout);
  if (name == "apply") return run_apply(rest, std::cout);
  if (name == "migrate") return run_migrate(rest, std::cout);
  if (name == "report") return run_report(rest, std::cout);
  if (name == "simulate") return run_simulate(rest, std::cout);
  if (name == "partitions") return run_partitions(rest, std::cout);
  if (name == "help" || name == "--help" || name == "-h") {
    std::cout << usage_text << std::flush;
    return std::cout ? Status() : make_error(ErrorCode::internal, "cannot write to stdout");
  }
  if (name == "--version") {
    std::cout << "loyalty-hq " LOYALTY_VERSION "\n" << std::flush;
    return Status();
  }
  return make_error(ErrorCode::invalid_argument,
                    std::string(name.starts_with("-") ? "unknown option " : "unknown command ") +
                        json::quote(name) + " (see 'loyalty-hq --help')");
}

// The global option --store LOC (or --store=LOC) before the command; false with a message when
// it has no value.
bool take_store_option(std::span<const std::string_view>& args) {
  if (args.empty()) return true;
  const std::string_view first = args.front();
  if (first.starts_with("--store=")) {
    choose_store(std::string(first.substr(8)));
    args = args.subspan(1);
  } else if (first == "--store") {
    if (args.size() < 2) {
      std::cerr << "loyalty-hq: --store needs a value: sqlite:PATH or a postgresql://... URI\n";
      return false;
    }
    choose_store(std::string(args[1]));
    args = args.subspan(2);
  }
  return true;
}

int run(std::span<const std::string_view> args) {
  if (!take_store_option(args)) return exit_usage;
  if (args.empty()) {
    std::cerr << usage_text;
    return exit_usage;
  }
  const Status status = run_command(args.front(), args.subspan(1));
  if (status.ok()) return exit_ok;
  std::cerr << "loyalty-hq: " << status.error().message << '\n';
  return status.error().code == ErrorCode::invalid_argument ? exit_usage : exit_failure;
}

}  // namespace

Status write_json_line(std::ostream& out, const std::string& json) {
  out << json << '\n' << std::flush;
  if (!out) return make_error(ErrorCode::internal, "cannot write to standard output");
  return Status();
}

}  // namespace loyalty::hq

int main(int argc, char** argv) {
  // A peer that goes away mid-write must fail that write, not end the process.
  ::signal(SIGPIPE, SIG_IGN);
  try {
    const std::vector<std::string_view> args(argv + 1, argv + argc);
    return loyalty::hq::run(args);
  } catch (const std::exception& e) {
    std::cerr << "loyalty-hq: internal error: " << e.what() << '\n';
    return 1;
  } catch (...) {
    std::cerr << "loyalty-hq: internal error: unknown exception\n";
    return 1;
  }
}
