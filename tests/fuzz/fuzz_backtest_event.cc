// libFuzzer target for the what-if backtest's reading of stored events (sync/backtest.h and its
// readers in sync/src/backtest/): one arbitrary input becomes one journal event, which goes the
// whole way a stored checkout goes: JsonCursor, read_quote / read_annex / read_reversal, the
// rebuilt receipt and customer, the inferences, the quote again under a real example program, the
// tally, and backtest_to_json.
//
// The input:
//   byte 0     bit 0     1: kind "checkout", 0: "refund"
//              bits 1-3  the new program, by index into example_programs (7: grocery)
//              bit 4     1: every example program is also given as quoted_programs (a stored
//                        quote's rules are read from the program of its id and version); 0: none
//              bits 5-7  ignored
//   then       the payload, up to the first NUL byte; the annex is what follows that NUL (none, "",
//              without one). A NUL never occurs in JSON, so a real event splits where it should.
//
// For any input: no crash, hang, sanitizer report or failed assertion; finish() succeeds and the
// event ends counted exactly once: a checkout as compared (at its store) or skipped (with a
// reason), a refund as counted or skipped. The result document is JSON that core's reader takes.
// The example programs are loaded once; each input gets its own Backtest (threads = 1).
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/json.h"
#include "loyalty/core/program.h"
#include "loyalty/core/program_loader.h"
#include "loyalty/core/result.h"
#include "loyalty/core/time.h"
#include "loyalty/sync/backtest.h"
#include "loyalty/sync/journal_event.h"

namespace {

namespace sync = loyalty::sync;

constexpr std::array<const char*, 7> example_programs = {
    "grocery", "beauty", "fashion", "fuel", "b2b", "rounding", "wholesale",
};

constexpr std::string_view store_id = "FM014";

std::vector<loyalty::Program> load_examples() {
  std::vector<loyalty::Program> programs;
  for (const char* name : example_programs) {
    const std::string path = std::string(LOYALTY_EXAMPLES_DIR "/programs/") + name + ".json";
    std::ifstream file(path, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(file)),
                           std::istreambuf_iterator<char>());
    loyalty::Result<loyalty::Program> program = loyalty::load_program(text);
    if (!file || !program.ok()) {
      std::fprintf(stderr, "fuzz_backtest_event: cannot load %s: %s\n", path.c_str(),
                   program.ok() ? "unreadable" : program.error().message.c_str());
      std::abort();
    }
    programs.push_back(std::move(program).value());
  }
  return programs;
}

const std::vector<loyalty::Program>& examples() {
  static const std::vector<loyalty::Program> programs = load_examples();
  return programs;
}

std::int64_t skipped_count(const sync::BacktestResult& result) {
  std::int64_t count = 0;
  for (const sync::BacktestSkip& skip : result.skipped) {
    LOYALTY_ASSERT(!skip.reason.empty());
    LOYALTY_ASSERT(skip.count >= 1);
    count += skip.count;
  }
  return count;
}

void check_result(const sync::BacktestResult& result, bool checkout) {
  const std::int64_t skipped = skipped_count(result);
  LOYALTY_ASSERT(skipped <= 1);
  LOYALTY_ASSERT(result.threads == 1);
  LOYALTY_ASSERT(result.tier_changes.count <= 1);
  LOYALTY_ASSERT(result.tier_changes.up + result.tier_changes.down <= result.tier_changes.count);
  LOYALTY_ASSERT(result.tier_changes.customers.size() ==
                 static_cast<std::size_t>(result.tier_changes.count));
  if (checkout) {
    LOYALTY_ASSERT(result.receipts == 1);
    LOYALTY_ASSERT(result.identified == 0 || result.identified == 1);
    LOYALTY_ASSERT(result.total.receipts + skipped == 1);
    LOYALTY_ASSERT(result.total.refunds == sync::BacktestRefunds{});
  } else {
    LOYALTY_ASSERT(result.receipts == 0 && result.identified == 0);
    LOYALTY_ASSERT(result.total.receipts == 0);
    LOYALTY_ASSERT(result.total.refunds.count + skipped == 1);
  }
  LOYALTY_ASSERT(result.tier_changes.count == 0 || result.total.receipts == 1);
  const bool counted = skipped == 0;
  if (counted) {
    // Compared or counted at the event's store, and the store's figures are the total.
    LOYALTY_ASSERT(result.stores.size() == 1);
    LOYALTY_ASSERT(result.stores[0].store_id == store_id);
    LOYALTY_ASSERT(result.stores[0].diff == result.total);
  } else {
    LOYALTY_ASSERT(result.total == sync::BacktestDiff{});
  }
  // The document is JSON (its strings, skip reasons among them, may be long: no string bound).
  loyalty::json::ParseLimits limits;
  limits.string_bytes = loyalty::limits::json_bytes_max;
  const std::string document = sync::backtest_to_json(result);
  const loyalty::Result<loyalty::json::Value> parsed = loyalty::json::parse(document, limits);
  if (!parsed.ok()) {
    std::fprintf(stderr, "backtest_to_json wrote what json::parse refuses: %s\n",
                 parsed.error().message.c_str());
  }
  LOYALTY_ASSERT(parsed.ok());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<loyalty::Program>& programs = examples();
  if (size == 0) return 0;
  const std::uint8_t control = data[0];
  const bool checkout = (control & 1) != 0;
  const std::size_t program_index = ((control >> 1) & 7) % programs.size();
  const bool quoted = (control & 0x10) != 0;

  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::size_t separator = rest.find('\0');

  sync::JournalEvent event;
  event.store_id = std::string(store_id);
  event.terminal_id = "T-01";
  event.epoch = "0000000000000007";
  event.seq = 1;
  event.kind = checkout ? "checkout" : "refund";
  event.receipt_id = "R-01";
  event.payload = std::string(rest.substr(0, separator));
  if (separator != std::string_view::npos) event.annex = std::string(rest.substr(separator + 1));
  event.created_at = loyalty::parse_timestamp("2026-11-25T10:00:00Z").value();
  event.business_date = "2026-11-25";

  sync::BacktestOptions options;
  options.threads = 1;
  if (quoted) {
    for (const loyalty::Program& program : programs) options.quoted_programs.push_back(&program);
  }
  std::int64_t progress_calls = 0;
  options.progress = [&progress_calls](const sync::BacktestProgress& progress) {
    ++progress_calls;
    LOYALTY_ASSERT(progress.events_seen == 1);
    LOYALTY_ASSERT(progress.receipts_done >= 0 && progress.receipts_done <= 1);
  };

  loyalty::Result<sync::Backtest> backtest =
      sync::Backtest::start(programs[program_index], std::move(options));
  LOYALTY_ASSERT(backtest.ok());
  LOYALTY_ASSERT(backtest->add(std::move(event)).ok());
  loyalty::Result<sync::BacktestResult> result = backtest->finish();
  LOYALTY_ASSERT(result.ok());
  LOYALTY_ASSERT(progress_calls >= 1);
  LOYALTY_ASSERT(result->program_id == programs[program_index].program_id);
  check_result(*result, checkout);
  return 0;
}
