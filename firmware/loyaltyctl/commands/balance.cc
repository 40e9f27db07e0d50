// `loyaltyctl balance`: a customer's points balance and the lots that hold them.
//
// The storage API has no read-only account lookup nor a lot listing, so this reads the accounts
// and lots tables directly (schema: storage/src/schema/versions.cc) and takes the balance from
// Ledger::balance().
#include <cstdint>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include "cli_args.h"
#include "commands.h"
#include "ledger_access.h"
#include "loyalty/core/json.h"
#include "loyalty/storage/statement.h"

namespace loyalty::cli {

namespace {

constexpr FlagSpec balance_flags[] = {{"db", true}, {"customer-id", true}, {"at", false}};

Result<std::optional<storage::AccountId>> find_customer_account(storage::Ledger& ledger,
                                                                std::string_view customer_id) {
  storage::Statement find = TRY(storage::Statement::prepare(
      ledger.database(), "SELECT id FROM accounts WHERE kind = 'customer_points' AND owner = ?1"));
  TRY(find.bind_text(1, customer_id));
  if (TRY(find.step()) == storage::Step::done) return std::optional<storage::AccountId>();
  return std::optional<storage::AccountId>(storage::AccountId{find.column_int64(0)});
}

// The lots with points remaining that have not expired at `at`, by lot id.
Result<std::string> lots_json(storage::Ledger& ledger, storage::AccountId account, Timestamp at) {
  storage::Statement lots = TRY(storage::Statement::prepare(
      ledger.database(),
      "SELECT lot_id, remaining, active_from, expires_at FROM lots WHERE account = ?1 AND "
      "remaining > 0 AND (expires_at IS NULL OR expires_at > ?2) ORDER BY lot_id"));
  TRY(lots.bind_int64(1, account.value));
  TRY(lots.bind_int64(2, at.unix_seconds));
  std::string text = "[";
  while (TRY(lots.step()) == storage::Step::row) {
    if (text.size() > 1) text += ",";
    text +=
        "{\"lot_id\":" + std::to_string(lots.column_int64(0)) +
        ",\"remaining\":" + std::to_string(lots.column_int64(1)) + "," +
        json_field("active_from", format_timestamp(Timestamp{lots.column_int64(2)})) +
        ",\"expires_at\":" +
        (lots.column_is_null(3) ? std::string("null")
                                : json::quote(format_timestamp(Timestamp{lots.column_int64(3)}))) +
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
  const std::optional<storage::AccountId> account = TRY(find_customer_account(ledger, customer_id));
  storage::Balance balance;
  std::string lots = "[]";
  if (account) {
    balance = TRY(ledger.balance(*account));
    lots = TRY(lots_json(ledger, *account, at));
  }
  return write_output(out, "{" + json_field("customer_id", customer_id) +
                               ",\"posted\":" + std::to_string(balance.posted().value()) +
                               ",\"pending\":" + std::to_string(balance.debits_pending.value()) +
                               ",\"available\":" + std::to_string(balance.available().value()) +
                               ",\"lots\":" + lots + "}\n");
}

}  // namespace loyalty::cli
