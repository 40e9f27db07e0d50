// `loyaltyctl quote`: loads a rule bundle, an optional customer state and a receipt, quotes the
// receipt with the rules engine and prints the quote as JSON or as a table.
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include "cli_args.h"
#include "commands.h"
#include "loyalty/core/engine.h"
#include "loyalty/core/json.h"
#include "loyalty/core/quote.h"
#include "loyalty/core/quote_json.h"
#include "loyalty/core/time.h"

namespace loyalty::cli {

namespace {

constexpr std::string_view command = "quote";
constexpr FlagSpec quote_flags[] = {
    {"program", true}, {"customer", false}, {"receipt", true}, {"at", false}, {"format", false},
};

enum class OutputFormat { json, table };

Result<OutputFormat> choose_format(const ParsedArgs& parsed, bool out_is_terminal) {
  const std::string* format = parsed.flag("format");
  if (format == nullptr) return out_is_terminal ? OutputFormat::table : OutputFormat::json;
  if (*format == "json") return OutputFormat::json;
  if (*format == "table") return OutputFormat::table;
  return usage_error(command, "--format must be json or table, got " + json::quote(*format));
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

  Quoter quoter;
  Quote quote;
  const Status quoted = quoter.quote(program, customer ? &*customer : nullptr, receipt, at, quote);
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
