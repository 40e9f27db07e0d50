// `loyaltyctl quote`: loads a rule bundle, an optional customer state and a receipt, quotes the
// receipt with the rules engine in the store's environment (its time zone, the program's draw
// key, what the campaign budgets spent) and prints the quote as JSON or as a table.
#include "loyalty/core/quote.h"

#include <cstdlib>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "args/cli_args.h"
#include "commands.h"
#include "loyalty/core/documents.h"
#include "loyalty/core/engine.h"
#include "loyalty/core/json.h"
#include "loyalty/core/quote_json.h"
#include "loyalty/core/time.h"
#include "loyalty/core/time_zone.h"
#include "loyalty/environment/hmac_draw_keyer.h"
#include "loyalty/environment/tzdb_zone.h"
#include "args/read_file.h"
#include "ledger/store_environment.h"

namespace loyalty::cli {

namespace {

constexpr std::string_view command = "quote";
constexpr FlagSpec quote_flags[] = {
    {"program", true}, {"customer", false},  {"receipt", true},        {"at", false},
    {"format", false}, {"time-zone", false}, {"draw-key-file", false}, {"budgets-spent", false},
};

enum class OutputFormat { json, table };

Result<OutputFormat> choose_format(const ParsedArgs& parsed, bool out_is_terminal) {
  const std::string* format = parsed.flag("format");
  if (format == nullptr) return out_is_terminal ? OutputFormat::table : OutputFormat::json;
  if (*format == "json") return OutputFormat::json;
  if (*format == "table") return OutputFormat::table;
  return usage_error(command, "--format must be json or table, got " + json::quote(*format));
}

// The store's zone: --time-zone, else $LOYALTY_TIME_ZONE, else the program's fixed offset; with
// none of them the quote is refused rather than guessed in UTC.
Result<std::optional<environment::TzdbZone>> choose_zone(const ParsedArgs& parsed,
                                                         const Program& program) {
  std::optional<environment::TzdbZone> zone = TRY(store_zone(parsed));
  if (zone || program.utc_offset_minutes) return zone;
  return usage_error(command,
                     "the store's time zone is not set: pass --time-zone Area/City "
                     "(e.g. Europe/Berlin) or set " +
                         std::string(environment::time_zone_variable) + ", and program " +
                         program.program_id + " has no fixed utc_offset_minutes");
}

Result<std::vector<BudgetSpent>> read_budgets_spent(const ParsedArgs& parsed) {
  const std::string* path = parsed.flag("budgets-spent");
  if (path == nullptr) return std::vector<BudgetSpent>();
  const std::string text = TRY(read_file(*path));
  Result<std::vector<BudgetSpent>> spent = load_budgets_spent(text);
  if (!spent.ok()) return make_error(spent.error().code, *path + ": " + spent.error().message);
  return std::move(*spent);
}

}  // namespace

Status run_quote(std::span<const std::string_view> args, std::ostream& out, bool out_is_terminal) {
  const ParsedArgs parsed = TRY(parse_args(command, args, quote_flags, {}));
  const OutputFormat format = TRY(choose_format(parsed, out_is_terminal));
  const Timestamp at = TRY(time_flag(parsed));

  const Program program = TRY(load_program_file(*parsed.flag("program")));
  std::optional<CustomerState> customer;
  if (const std::string* path = parsed.flag("customer")) customer = TRY(load_customer_file(*path));
  const std::string& receipt_path = *parsed.flag("receipt");
  const Receipt receipt = TRY(load_receipt_file(receipt_path));
  const std::optional<environment::TzdbZone> zone = TRY(choose_zone(parsed, program));
  const std::optional<environment::HmacDrawKeyer> keyer = TRY(store_draw_keyer(parsed));
  const std::vector<BudgetSpent> spent = TRY(read_budgets_spent(parsed));

  QuoteEnvironment env;
  env.zone = zone ? &*zone : nullptr;
  env.draw_keyer = keyer ? &*keyer : nullptr;
  env.budgets_spent = spent;
  Quoter quoter;
  Quote quote;
  const Status quoted =
      quoter.quote(program, customer ? &*customer : nullptr, receipt, at, env, quote);
  if (!quoted.ok()) {
    // The engine names receipt fields ("lines[2].reward_id: ..."), except for the time (--at).
    if (quoted.error().message.rfind("at: ", 0) == 0) return quoted.error();
    return make_error(quoted.error().code, receipt_path + ": " + quoted.error().message);
  }
  if (format == OutputFormat::json)
    return write_output(out, quote_to_json(receipt, quote, true) + "\n");
  return write_output(out, quote_to_table(receipt, quote));
}

}  // namespace loyalty::cli
