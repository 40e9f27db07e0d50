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
    "Usage:\n"
    "  loyalty-hq init [--dir D] [--server-name N[,N...]]\n"
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
    "  loyalty-hq help | --help\n"
    "  loyalty-hq --version\n"
    "\n"
    "D is HQ's state directory (default /var/lib/loyalty-hq): hq.db, ca/, keys/, server/.\n"
    "\n"
    "Commands:\n"
    "  init      Create D: the store (hq.db), a development CA (ca/), the bundle signing key\n"
    "            k1 (keys/bundle-k1.key, .pub), the chain's pseudonym key (keys/pseudonym.key)\n"
    "            and HQ's certificate for --server-name (default 127.0.0.1,localhost) in\n"
    "            server/; publishes the pseudonym key to every terminal. Refuses an existing HQ.\n"
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

int run(std::span<const std::string_view> args) {
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
