// `loyaltyctl checkout`: opens (or creates) the ledger, stores the rule bundle and checks the
// receipt out in one write transaction (storage::Till). Prints one JSON line.
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include "cli_args.h"
#include "commands.h"
#include "ledger_access.h"
#include "loyalty/core/program_loader.h"
#include "loyalty/storage/checkout.h"
#include "read_file.h"

namespace loyalty::cli {

namespace {

constexpr std::string_view command = "checkout";
constexpr FlagSpec checkout_flags[] = {
    {"db", true},      {"terminal", true},  {"program", true},
    {"receipt", true}, {"customer", false}, {"at", false},
};

// Errors of the till name the receipt file (the quote names receipt fields).
Error about_receipt(const std::string& receipt_path, const Error& error) {
  if (error.message.rfind("at: ", 0) == 0) return error;
  return make_error(error.code, receipt_path + ": " + error.message);
}

}  // namespace

Status run_checkout(std::span<const std::string_view> args, std::ostream& out) {
  const ParsedArgs parsed = TRY(parse_args(command, args, checkout_flags, {}));
  const Timestamp at = TRY(time_flag(parsed));

  const std::string& program_path = *parsed.flag("program");
  const std::string bundle = TRY(read_file(program_path));
  const Program program = TRY(load_program_file(program_path));
  std::optional<CustomerState> customer;
  if (const std::string* path = parsed.flag("customer")) customer = TRY(load_customer_file(*path));
  const std::string& receipt_path = *parsed.flag("receipt");
  const Receipt receipt = TRY(load_receipt_file(receipt_path));

  storage::Ledger ledger =
      TRY(open_or_create_ledger(*parsed.flag("db"), *parsed.flag("terminal"), at));
  storage::Till till(ledger);
  const Status stored = till.store_program(bundle, at);
  if (!stored.ok()) {
    return make_error(stored.error().code, program_path + ": " + stored.error().message);
  }
  Result<storage::CheckoutResult> result =
      till.checkout(program, customer ? &*customer : nullptr, receipt, at);
  if (!result.ok()) return about_receipt(receipt_path, result.error());
  const storage::CheckoutResult& done = result.value();
  return write_output(out, "{" + json_field("receipt_id", done.receipt_id) + "," +
                               json_field("state", storage::receipt_state_name(done.state)) +
                               ",\"event_seq\":" + std::to_string(done.event_seq) +
                               ",\"replayed\":" + (done.replayed ? "true" : "false") +
                               ",\"quote\":" + done.quote_json + "}\n");
}

}  // namespace loyalty::cli
