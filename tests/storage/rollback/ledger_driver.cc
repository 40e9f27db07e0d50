// ledger_driver: a till's day on a ledger file through the public storage API, for the rollback
// test (rollback_test.py). The same source is built against this tree (target ledger_driver) and
// against the previous release's tree (driver/CMakeLists.txt, over `git archive` of the commit in
// packaging/previous-release), so it uses only what both releases have: Ledger::open with
// LedgerOptions, Till::store_program / checkout / refund, customer_balance, Ledger::check and the
// event log. What only this tree has (LedgerOptions::release, Ledger::releases) is compiled in
// when the build defines LOYALTY_LEDGER_DRIVER_RELEASE, the release name to record.
//
//   ledger_driver info
//       {"release":"0.2.0","schema_build":6}: what this build is ("" for the previous release).
//   ledger_driver write --db FILE --terminal ID --seed N --at UNIX
//       Opens (creating) the ledger and writes receipt S<N>-1 (anna earns 120), S<N>-2 (ben, two
//       loaves: earns 50), S<N>-3 (anna burns 30 points as tender on 40.00) and refund S<N>-R1 (one
//       of ben's loaves back), at UNIX, UNIX+1, ... Prints {"event_seq_last":...}.
//   ledger_driver check --db FILE --at UNIX
//       Opens the ledger (with its check at open), runs the full check, and prints one JSON line
//       with exact counts, the customers' balances and the event log by kind.
//
// Exit status: 0 done, 1 the ledger was refused or an operation failed (the message on stderr,
// "ledger_driver: ..."), 2 bad usage.
//
// Ownership: everything is local to one command. Thread-safety: single-threaded.

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "loyalty/core/json.h"
#include "loyalty/core/limits.h"
#include "loyalty/core/program_loader.h"
#include "loyalty/storage/checkout.h"
#include "loyalty/storage/events.h"
#include "loyalty/storage/ledger.h"
#include "loyalty/storage/migrations.h"
#include "loyalty/storage/views.h"

namespace {

using namespace loyalty;
using namespace loyalty::storage;

// Earns 1 point per 1.00 (rounded down) and takes points as tender at 0.01 each.
constexpr std::string_view program_json = R"json({
  "format": "loyalty-program/1",
  "program_id": "rollback",
  "version": 1,
  "currency": "EUR",
  "earn": {"base": {"points": 1, "per_minor": 100}, "rounding": "floor"},
  "burn": {"enabled": true, "rate": {"points": 1, "value_minor": 1}, "cap_bp": 10000,
           "min_balance": 0}
})json";

constexpr std::int64_t seed_max = 1'000'000;
const char* const customers[] = {"anna", "ben"};

struct Arguments {
  std::string command;
  std::string db;
  std::string terminal;
  std::int64_t seed = 0;
  std::optional<std::int64_t> at;
};

int usage(const std::string& problem) {
  std::fprintf(stderr,
               "ledger_driver: %s\n"
               "usage: ledger_driver info\n"
               "       ledger_driver write --db FILE --terminal ID --seed N --at UNIX\n"
               "       ledger_driver check --db FILE --at UNIX\n",
               problem.c_str());
  return 2;
}

int failed(const std::string& what, const Error& error) {
  std::fprintf(stderr, "ledger_driver: %s: %s\n", what.c_str(), error.message.c_str());
  return 1;
}

std::optional<std::int64_t> parse_int(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

// Parses argv into `out`; "" when it is well-formed, else what is wrong.
std::string parse_arguments(int argc, char** argv, Arguments& out) {
  if (argc < 2) return "no command";
  out.command = argv[1];
  for (int i = 2; i < argc; i += 2) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) return std::string(flag) + " needs a value";
    const std::string_view value = argv[i + 1];
    if (flag == "--db") {
      out.db = value;
    } else if (flag == "--terminal") {
      out.terminal = value;
    } else if (flag == "--seed" || flag == "--at") {
      const std::optional<std::int64_t> number = parse_int(value);
      if (!number) return std::string(flag) + " \"" + std::string(value) + "\" is not a number";
      if (flag == "--seed") out.seed = *number;
      if (flag == "--at") out.at = number;
    } else {
      return "unknown option " + std::string(flag);
    }
  }
  const bool needs_db = out.command == "write" || out.command == "check";
  if (needs_db && (out.db.empty() || !out.at)) return out.command + " needs --db and --at";
  if (out.command == "write" && (out.terminal.empty() || out.seed < 1 || out.seed > seed_max)) {
    return "write needs --terminal and --seed 1.." + std::to_string(seed_max);
  }
  return "";
}

std::string this_release() {
#ifdef LOYALTY_LEDGER_DRIVER_RELEASE
  return LOYALTY_LEDGER_DRIVER_RELEASE;
#else
  return "";
#endif
}

Result<Ledger> open_ledger(const Arguments& arguments) {
  LedgerOptions options;
  options.terminal_id = arguments.terminal;
  options.now = Timestamp{*arguments.at};
#ifdef LOYALTY_LEDGER_DRIVER_RELEASE
  options.release = LOYALTY_LEDGER_DRIVER_RELEASE;
#endif
  return Ledger::open(arguments.db, options);
}

CustomerState known(const char* id) {
  CustomerState state;
  state.customer_id = id;
  state.known = true;
  return state;
}

Receipt receipt(const std::string& id, const std::string& sku, std::int64_t unit_price_minor,
                std::int64_t quantity) {
  ReceiptLine line;
  line.sku = sku;
  line.unit_price = Minor(unit_price_minor);
  line.quantity = quantity;
  Receipt r;
  r.receipt_id = id;
  r.store_id = "store-7";
  r.currency = "EUR";
  r.lines.push_back(line);
  return r;
}

int info() {
  json::Writer out;
  out.begin_object();
  out.key("release");
  out.value(this_release());
  out.key("schema_build");
  out.value(static_cast<std::int64_t>(ledger_migrations().size()));
  out.end_object();
  std::printf("%s\n", out.take().c_str());
  return 0;
}

int write(const Arguments& arguments) {
  Result<Ledger> opened = open_ledger(arguments);
  if (!opened.ok()) return failed("open " + arguments.db, opened.error());
  Ledger ledger = std::move(opened).value();
  const Result<Program> program = load_program(program_json);
  if (!program.ok()) return failed("load_program", program.error());
  Till till(ledger);
  const Timestamp at{*arguments.at};
  const Status stored = till.store_program(program_json, at);
  if (!stored.ok()) return failed("store_program", stored.error());

  const std::string prefix = "S" + std::to_string(arguments.seed) + "-";
  const CustomerState anna = known("anna");
  const CustomerState ben = known("ben");
  Receipt burn = receipt(prefix + "3", "COFFEE-BEANS", 4000, 1);
  burn.redeem = RedeemRequest::points;
  burn.redeem_points = Points(30);
  const std::pair<const CustomerState*, Receipt> sales[] = {
      {&anna, receipt(prefix + "1", "GROCERIES", 6000, 2)},
      {&ben, receipt(prefix + "2", "BREAD", 2500, 2)},
      {&anna, burn}};
  std::int64_t seconds = 0;
  for (const auto& [customer, sale] : sales) {
    const Result<CheckoutResult> result =
        till.checkout(*program, customer, sale, plus_seconds(at, seconds++));
    if (!result.ok()) return failed("checkout " + sale.receipt_id, result.error());
  }
  const std::vector<ReturnRequest> one_loaf = {ReturnRequest{0, 1}};
  const Result<RefundResult> refund =
      till.refund(prefix + "R1", prefix + "2", one_loaf, plus_seconds(at, seconds));
  if (!refund.ok()) return failed("refund " + prefix + "R1", refund.error());

  json::Writer out;
  out.begin_object();
  out.key("event_seq_last");
  out.value(refund->event_seq);
  out.end_object();
  std::printf("%s\n", out.take().c_str());
  return 0;
}

// The event log, counted by kind, read in batches of events_since; "" when the seqs run 1, 2, 3...
// without a gap, else what is wrong.
std::string count_events(Ledger& ledger, std::map<std::string, std::int64_t>& kinds,
                         std::int64_t& seq_last) {
  // A rollback test's ledger holds a few dozen events; a million is a broken driver or ledger.
  constexpr std::size_t event_batches_max = 1000;
  for (std::size_t batch_index = 0; batch_index < event_batches_max; ++batch_index) {
    Result<std::vector<EventRow>> batch =
        events_since(ledger, seq_last, limits::events_since_batch_max);
    if (!batch.ok()) return batch.error().message;
    if (batch->empty()) return "";
    for (const EventRow& event : *batch) {
      if (event.seq != seq_last + 1) {
        return "event " + std::to_string(event.seq) + " follows " + std::to_string(seq_last);
      }
      seq_last = event.seq;
      ++kinds[event.kind];
    }
  }
  return "more than " + std::to_string(event_batches_max * limits::events_since_batch_max) +
         " events: not a ledger this driver wrote";
}

void write_report(json::Writer& out, const LedgerReport& report) {
  out.key("ok");
  out.value(report.ok());
  out.key("problems");
  out.begin_array();
  for (const std::string& problem : report.problems) out.value(problem);
  out.end_array();
  const std::pair<const char*, std::int64_t> counts[] = {{"accounts", report.accounts},
                                                         {"transfers", report.transfers},
                                                         {"pending_open", report.pending_open},
                                                         {"lots", report.lots},
                                                         {"events", report.events}};
  for (const auto& [name, count] : counts) {
    out.key(name);
    out.value(count);
  }
}

#ifdef LOYALTY_LEDGER_DRIVER_RELEASE
Status write_releases(json::Writer& out, const Ledger& ledger) {
  const std::vector<SoftwareRelease> releases = TRY(ledger.releases());
  out.key("releases");
  out.begin_array();
  for (const SoftwareRelease& release : releases) {
    out.begin_object();
    out.key("release");
    out.value(release.release);
    out.key("schema_build");
    out.value(release.schema_build);
    out.key("first_opened_at");
    out.value(release.first_opened_at.unix_seconds);
    out.key("last_opened_at");
    out.value(release.last_opened_at.unix_seconds);
    out.end_object();
  }
  out.end_array();
  return {};
}
#endif

int check(const Arguments& arguments) {
  Result<Ledger> opened = open_ledger(arguments);
  if (!opened.ok()) return failed("open " + arguments.db, opened.error());
  Ledger ledger = std::move(opened).value();
  const Result<LedgerReport> report = ledger.check();
  if (!report.ok()) return failed("check", report.error());
  json::Writer out;
  out.begin_object();
  out.key("schema_version");
  out.value(ledger.schema_version());
  out.key("schema_build");
  out.value(static_cast<std::int64_t>(ledger_migrations().size()));
  write_report(out, *report);

  out.key("balances");
  out.begin_object();
  for (const char* customer : customers) {
    const Result<CustomerBalance> balance =
        customer_balance(ledger, customer, Timestamp{*arguments.at});
    if (!balance.ok()) return failed(std::string("balance of ") + customer, balance.error());
    out.key(customer);
    out.begin_object();
    out.key("posted");
    out.value(balance->balance.posted().value());
    out.key("available");
    out.value(balance->balance.available().value());
    out.key("lots");
    out.value(balance->lots.size());
    out.end_object();
  }
  out.end_object();

  std::map<std::string, std::int64_t> kinds;
  std::int64_t seq_last = 0;
  const std::string gap = count_events(ledger, kinds, seq_last);
  if (!gap.empty()) return failed("event log", make_error(ErrorCode::io_error, gap));
  out.key("event_seq_last");
  out.value(seq_last);
  out.key("event_kinds");
  out.begin_object();
  for (const auto& [kind, count] : kinds) {
    out.key(kind);
    out.value(count);
  }
  out.end_object();
#ifdef LOYALTY_LEDGER_DRIVER_RELEASE
  const Status releases = write_releases(out, ledger);
  if (!releases.ok()) return failed("releases", releases.error());
#endif
  out.end_object();
  std::printf("%s\n", out.take().c_str());
  return report->ok() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Arguments arguments;
  const std::string problem = parse_arguments(argc, argv, arguments);
  if (!problem.empty()) return usage(problem);
  if (arguments.command == "info") return info();
  if (arguments.command == "write") return write(arguments);
  if (arguments.command == "check") return check(arguments);
  return usage("unknown command " + arguments.command);
}
