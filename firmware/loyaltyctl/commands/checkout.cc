// `loyaltyctl checkout`, `loyaltyctl open` and `loyaltyctl commit`: receipts through storage::Till.
//
// checkout and open take the same flags and share one path: open (or create) the ledger, store
// the rule bundle, then check the receipt out (committed at once) or open it (the points it burns
// held as pending transfers). With --card instead of --customer the receipt is for a card
// identified at the till while HQ cannot be asked: the customer state comes from the ledger's
// customer cache (Till::checkout_offline / open_receipt_offline). commit commits an open receipt
// of an existing ledger. Each prints the CheckoutResult as one JSON line.
#include "loyalty/storage/checkout.h"

#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include "args/cli_args.h"
#include "commands.h"
#include "ledger/ledger_access.h"
#include "loyalty/core/program_loader.h"
#include "args/read_file.h"
#include "ledger/store_environment.h"

namespace loyalty::cli {

namespace {

// The flags of checkout and open.
constexpr FlagSpec receipt_flags[] = {
    {"db", true},      {"terminal", true},   {"program", true},
    {"receipt", true}, {"customer", false},  {"card", false},
    {"at", false},     {"time-zone", false}, {"draw-key-file", false},
};
constexpr FlagSpec commit_flags[] = {{"db", true},
                                     {"receipt-id", true},
                                     {"at", false},
                                     {"time-zone", false},
                                     {"draw-key-file", false}};

enum class Write { checkout, open };

// Errors of the till name the receipt file (the quote names receipt fields).
Error about_receipt(const std::string& receipt_path, const Error& error) {
  if (error.message.rfind("at: ", 0) == 0) return error;
  return make_error(error.code, receipt_path + ": " + error.message);
}

// {"receipt_id","state","event_seq","replayed","quote"} and a newline.
Status write_result(std::ostream& out, const storage::CheckoutResult& done) {
  return write_output(out, "{" + json_field("receipt_id", done.receipt_id) + "," +
                               json_field("state", storage::receipt_state_name(done.state)) +
                               ",\"event_seq\":" + std::to_string(done.event_seq) +
                               ",\"replayed\":" + (done.replayed ? "true" : "false") +
                               ",\"quote\":" + done.quote_json + "}\n");
}

// The Till call for a customer state from a file (or none: anonymous)...
Result<storage::CheckoutResult> write_online(storage::Till& till, Write write,
                                             const Program& program, const CustomerState* who,
                                             const Receipt& receipt, Timestamp at) {
  return write == Write::open ? till.open_receipt(program, who, receipt, at)
                              : till.checkout(program, who, receipt, at);
}

// ...and for a card whose state the ledger's customer cache holds (--card).
Result<storage::CheckoutResult> write_offline(storage::Till& till, Write write,
                                              const Program& program, std::string_view card,
                                              const Receipt& receipt, Timestamp at) {
  return write == Write::open ? till.open_receipt_offline(program, card, receipt, at)
                              : till.checkout_offline(program, card, receipt, at);
}

// checkout and open: the same flags, documents, ledger and bundle; only the Till call differs.
Status run_receipt_write(std::string_view command, Write write,
                         std::span<const std::string_view> args, std::ostream& out) {
  const ParsedArgs parsed = TRY(parse_args(command, args, receipt_flags, {}));
  const std::string* card = parsed.flag("card");
  if (card != nullptr && parsed.flag("customer") != nullptr) {
    return usage_error(command,
                       "--card and --customer exclude each other (--card takes the customer from "
                       "the ledger's customer cache, --customer from a file)");
  }
  const Timestamp at = TRY(time_flag(parsed));

  const std::string& program_path = *parsed.flag("program");
  const std::string bundle = TRY(read_file(program_path));
  const Program program = TRY(load_program_file(program_path));
  std::optional<CustomerState> customer;
  if (const std::string* path = parsed.flag("customer")) customer = TRY(load_customer_file(*path));
  const std::string& receipt_path = *parsed.flag("receipt");
  const Receipt receipt = TRY(load_receipt_file(receipt_path));

  const StoreEnvironment store = TRY(StoreEnvironment::from_flags(parsed));
  storage::Ledger ledger =
      TRY(open_or_create_ledger(*parsed.flag("db"), *parsed.flag("terminal"), at));
  storage::Till till(ledger, store.till());
  const Status stored = till.store_program(bundle, at);
  if (!stored.ok()) {
    return make_error(stored.error().code, program_path + ": " + stored.error().message);
  }
  Result<storage::CheckoutResult> result =
      card != nullptr
          ? write_offline(till, write, program, *card, receipt, at)
          : write_online(till, write, program, customer ? &*customer : nullptr, receipt, at);
  if (!result.ok()) return about_receipt(receipt_path, result.error());
  return write_result(out, result.value());
}

}  // namespace

Status run_checkout(std::span<const std::string_view> args, std::ostream& out) {
  return run_receipt_write("checkout", Write::checkout, args, out);
}

Status run_open(std::span<const std::string_view> args, std::ostream& out) {
  return run_receipt_write("open", Write::open, args, out);
}

Status run_commit(std::span<const std::string_view> args, std::ostream& out) {
  const ParsedArgs parsed = TRY(parse_args("commit", args, commit_flags, {}));
  const Timestamp at = TRY(time_flag(parsed));
  const StoreEnvironment store = TRY(StoreEnvironment::from_flags(parsed));
  storage::Ledger ledger = TRY(open_existing_ledger(*parsed.flag("db"), at));
  storage::Till till(ledger, store.till());
  const storage::CheckoutResult done = TRY(till.commit_receipt(*parsed.flag("receipt-id"), at));
  return write_result(out, done);
}

}  // namespace loyalty::cli
