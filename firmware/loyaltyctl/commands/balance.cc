// `loyaltyctl balance`: a customer's points balance and the lots that hold them, from the
// ledger's read-only views (storage/views.h).
#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include "args/cli_args.h"
#include "commands.h"
#include "ledger/ledger_access.h"
#include "loyalty/core/json.h"
#include "loyalty/storage/views.h"

namespace loyalty::cli {

namespace {

constexpr FlagSpec balance_flags[] = {{"db", true}, {"customer-id", true}, {"at", false}};

std::string lots_json(const std::vector<storage::LotView>& lots) {
  std::string text = "[";
  for (const storage::LotView& lot : lots) {
    if (text.size() > 1) text += ",";
    text += "{\"lot_id\":" + std::to_string(lot.lot_id) +
            ",\"remaining\":" + std::to_string(lot.remaining.value()) + "," +
            json_field("active_from", format_timestamp(lot.active_from)) + ",\"expires_at\":" +
            (lot.expires_at ? json::quote(format_timestamp(*lot.expires_at)) : std::string("null")) +
            "}";
  }
  return text + "]";
}

}  // namespace

Status run_balance(std::span<const std::string_view> args, std::ostream& out) {
  const ParsedArgs parsed = TRY(parse_args("balance", args, balance_flags, {}));
  const Timestamp at = TRY(time_flag(parsed));
  storage::Ledger ledger = TRY(open_existing_ledger(*parsed.flag("db"), at));
  const std::string& customer_id = *parsed.flag("customer-id");
  const storage::CustomerBalance view = TRY(storage::customer_balance(ledger, customer_id, at));
  const storage::Balance& balance = view.balance;
  return write_output(out, "{" + json_field("customer_id", customer_id) +
                               ",\"posted\":" + std::to_string(balance.posted().value()) +
                               ",\"pending\":" + std::to_string(balance.debits_pending.value()) +
                               ",\"available\":" + std::to_string(balance.available().value()) +
                               ",\"lots\":" + lots_json(view.lots) + "}\n");
}

}  // namespace loyalty::cli
