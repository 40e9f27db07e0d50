// `loyalty-hq simulate --program NEW.json --from DATE --to DATE [--stores S,...] [--threads N]
// [--format json|html] [--out FILE] [--chart-js PATH]`: the what-if backtest (backtest.h,
// docs/backtest.md). The stored receipts of the business days [from, to] are quoted again by the
// rules core under NEW.json with the customers' states as they were, on --threads workers
// (default 2), and compared with what happened: discounts, points issued and redeemed,
// liability, tier changes, per store and in total. Progress goes to stderr; the document
// ("loyalty-hq-backtest-v1") to stdout or --out, as JSON or one HTML page with charts.

#include <chrono>
#include <iostream>
#include <ostream>

#include "args/hq_args.h"
#include "commands.h"
#include "loyalty/core/limits.h"
#include "loyalty/core/program_loader.h"
#include "loyalty/sync/backtest.h"
#include "loyalty/sync/report_html.h"
#include "output/document_output.h"
#include "state/hq_dir.h"
#include "state/state_files.h"
#include "state/store_choice.h"

namespace loyalty::hq {

namespace {

constexpr std::string_view command = "simulate";

Result<std::string> required_date(const ParsedArgs& parsed, std::string_view name) {
  const std::string text = *parsed.flag(name);
  Result<CivilDate> date = parse_date(text);
  if (!date.ok())
    return usage_error(command, "--" + std::string(name) + ": " + date.error().message);
  return text;
}

}  // namespace

Status run_simulate(std::span<const std::string_view> args, std::ostream& out) {
  constexpr FlagSpec flags[] = {{"dir"},      {"program", true}, {"from", true},
                                {"to", true}, {"stores"},        {"threads"},
                                {"format"},   {"out"},           {"chart-js"}};
  const ParsedArgs parsed = TRY(parse_flags(command, args, flags));
  const HqDir dir = hq_dir(parsed);
  const DocumentFormat format = TRY(document_format(command, parsed));
  sync::JournalScan scan;
  scan.from_date = TRY(required_date(parsed, "from"));
  scan.to_date = TRY(required_date(parsed, "to"));
  if (scan.to_date < scan.from_date) {
    return usage_error(command, "--from " + scan.from_date + " is after --to " + scan.to_date);
  }
  if (const std::string* stores = parsed.flag("stores")) {
    scan.stores = TRY(list_flag(command, "stores", *stores));
    for (const std::string& store : scan.stores) TRY(check_id_flag(command, "stores", store));
  }
  scan.kinds = {"checkout", "refund"};
  const std::int64_t threads =
      TRY(integer_flag(command, parsed, "threads", 1, limits::hq_backtest_threads_max, 2));
  const std::string program_path = *parsed.flag("program");
  const std::string program_json = TRY(read_text_file(program_path, limits::json_bytes_max));
  Result<Program> program = load_program(program_json);
  if (!program.ok()) {
    return make_error(
        ErrorCode::invalid_argument,
        command.data() + std::string(": ") + program_path + ": " + program.error().message);
  }
  const sync::BusinessZone zone = TRY(business_zone(dir));
  std::unique_ptr<sync::HqStore> store = TRY(open_store(dir));
  TRY(apply_everything(*store, wall_clock_now()));

  sync::BacktestOptions options;
  options.threads = static_cast<unsigned>(threads);
  options.zone = zone.get();
  options.from_date = scan.from_date;
  options.to_date = scan.to_date;
  options.stores_filter = scan.stores;
  const auto started = std::chrono::steady_clock::now();
  options.progress = [started](const sync::BacktestProgress& progress) {
    const auto seconds = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - started)
                             .count();
    std::cerr << "simulate: " << progress.receipts_done << " receipts re-quoted, "
              << progress.events_seen << " events read, " << seconds / 1000 << "."
              << (seconds % 1000) / 100 << " s" << std::endl;
  };
  sync::Backtest backtest = TRY(sync::Backtest::start(*program, std::move(options)));
  TRY(store->scan_journal(
      scan, [&backtest](sync::JournalEvent&& event) { return backtest.add(std::move(event)); }));
  const sync::BacktestResult result = TRY(backtest.finish());
  return write_document(command, parsed, format, sync::backtest_to_json(result),
                        sync::render_backtest_html, out, scan.from_date, scan.to_date);
}

}  // namespace loyalty::hq
