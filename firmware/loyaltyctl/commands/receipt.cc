// `loyaltyctl cancel` and `loyaltyctl refund`: act on a receipt already in an existing ledger.
#include <charconv>
#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "args/cli_args.h"
#include "commands.h"
#include "ledger/ledger_access.h"
#include "loyalty/core/json.h"
#include "loyalty/core/reversal.h"
#include "loyalty/storage/checkout.h"
#include "loyalty/storage/statement.h"
#include "ledger/store_environment.h"

namespace loyalty::cli {

namespace {

constexpr FlagSpec cancel_flags[] = {{"db", true}, {"receipt-id", true}, {"at", false}};
constexpr FlagSpec refund_flags[] = {
    {"db", true},  {"receipt-id", true}, {"refund-id", true},      {"lines", true},
    {"at", false}, {"time-zone", false}, {"draw-key-file", false},
};

// "LINE:QTY[,LINE:QTY...]" with LINE >= 0 and QTY >= 1.
Result<std::vector<ReturnRequest>> parse_lines(std::string_view text) {
  std::vector<ReturnRequest> returns;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    const std::string_view item =
        text.substr(start, comma == text.npos ? text.npos : comma - start);
    const std::size_t colon = item.find(':');
    ReturnRequest request;
    if (colon == item.npos || !parse_number(item.substr(0, colon), request.line) ||
        !parse_number(item.substr(colon + 1), request.quantity) || request.quantity < 1) {
      return usage_error("refund", "--lines: " + json::quote(item) +
                                       " is not LINE:QUANTITY (e.g. --lines 0:1,2:3 with LINE >= 0 "
                                       "and QUANTITY >= 1)");
    }
    returns.push_back(request);
    if (comma == text.npos) return returns;
    start = comma + 1;
  }
}

// Refuses a returned line the receipt does not have. The core's compute_reversal() indexes its
// per-line counts with the line before validating it, so an out-of-range line must not reach it.
// The line count comes from the receipt as the ledger stored it (receipts.receipt_json); a
// receipt that is missing or unreadable is left to Till::refund() to report.
Status check_lines_exist(storage::Ledger& ledger, std::string_view receipt_id,
                         std::span<const ReturnRequest> returns) {
  storage::Statement find = TRY(storage::Statement::prepare(
      ledger.database(), "SELECT receipt_json FROM receipts WHERE receipt_id = ?1"));
  TRY(find.bind_text(1, receipt_id));
  if (TRY(find.step()) == storage::Step::done || find.column_is_null(0)) return Status();
  const Result<json::Value> receipt = json::parse(find.column_text(0));
  if (!receipt.ok() || receipt.value().kind() != json::Kind::object) return Status();
  const json::Value* lines = receipt.value().find("lines");
  if (lines == nullptr || lines->kind() != json::Kind::array) return Status();
  const std::size_t count = lines->as_array().size();
  for (std::size_t i = 0; i < returns.size(); ++i) {
    if (returns[i].line >= count) {
      return make_error(ErrorCode::invalid_argument,
                        "--lines: receipt " + std::string(receipt_id) + " has no line " +
                            std::to_string(returns[i].line) + " (it has " + std::to_string(count) +
                            " lines, numbered from 0)");
    }
  }
  return Status();
}

}  // namespace

Status run_cancel(std::span<const std::string_view> args, std::ostream& out) {
  const ParsedArgs parsed = TRY(parse_args("cancel", args, cancel_flags, {}));
  const Timestamp at = TRY(time_flag(parsed));
  storage::Ledger ledger = TRY(open_existing_ledger(*parsed.flag("db"), at));
  storage::Till till(ledger);
  const std::string& receipt_id = *parsed.flag("receipt-id");
  TRY(till.cancel_receipt(receipt_id, at));
  return write_output(out, "{" + json_field("receipt_id", receipt_id) + "," +
                               json_field("state", "cancelled") + "}\n");
}

Status run_refund(std::span<const std::string_view> args, std::ostream& out) {
  const ParsedArgs parsed = TRY(parse_args("refund", args, refund_flags, {}));
  const Timestamp at = TRY(time_flag(parsed));
  const std::vector<ReturnRequest> returns = TRY(parse_lines(*parsed.flag("lines")));
  storage::Ledger ledger = TRY(open_existing_ledger(*parsed.flag("db"), at));
  TRY(check_lines_exist(ledger, *parsed.flag("receipt-id"), returns));
  const StoreEnvironment store = TRY(StoreEnvironment::from_flags(parsed));
  storage::Till till(ledger, store.till());
  const storage::RefundResult done =
      TRY(till.refund(*parsed.flag("refund-id"), *parsed.flag("receipt-id"), returns, at));
  return write_output(out, "{" + json_field("refund_id", done.refund_id) +
                               ",\"event_seq\":" + std::to_string(done.event_seq) +
                               ",\"replayed\":" + (done.replayed ? "true" : "false") +
                               ",\"reversal\":" + done.reversal_json + "}\n");
}

}  // namespace loyalty::cli
