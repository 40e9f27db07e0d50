// Till: checkout, held redemption (open / commit / cancel / expiry) and stored programs.
// docs/storage.md ("Checkout").

#include "loyalty/storage/checkout.h"

#include <string>
#include <utility>

#include "checkout/internal.h"
#include "customers/internal.h"
#include "lots/internal.h"
#include "loyalty/core/documents.h"
#include "loyalty/core/program_loader.h"
#include "loyalty/core/quote_json.h"
#include "loyalty/storage/statement.h"

namespace loyalty::storage {

using namespace checkout_internal;

const char* receipt_state_name(ReceiptState state) {
  switch (state) {
    case ReceiptState::open:
      return "open";
    case ReceiptState::committed:
      return "committed";
    case ReceiptState::cancelled:
      return "cancelled";
  }
  return "?";
}

std::optional<ReceiptState> parse_receipt_state(std::string_view name) {
  if (name == "open") return ReceiptState::open;
  if (name == "committed") return ReceiptState::committed;
  if (name == "cancelled") return ReceiptState::cancelled;
  return std::nullopt;
}

namespace {

CheckoutResult result_of(const ReceiptRow& row, bool replayed) {
  return CheckoutResult{row.receipt_id, row.state, row.result, row.event_seq, replayed};
}

// What to do with a receipt id that is already in the ledger, for a request with `hash`.
Result<CheckoutResult> replay(const ReceiptRow& row, std::string_view hash, bool hold) {
  const std::string name = receipt_name(row.receipt_id);
  if (row.request_hash != hash) {
    const char* what = row.state == ReceiptState::open ? "opened" : receipt_state_name(row.state);
    return make_error(ErrorCode::conflict, name + " was already " + what +
                                               " with different content; use a new receipt id");
  }
  if (row.state == ReceiptState::cancelled) {
    return make_error(ErrorCode::conflict,
                      name + " was cancelled (its holds were voided); use a new receipt id");
  }
  if (row.state == ReceiptState::open && !hold) {
    return make_error(ErrorCode::conflict,
                      name + " is open (its points are held): commit or cancel it");
  }
  return result_of(row, true);
}

Status require_card(std::string_view customer_id) {
  if (customer_id.empty()) {
    return make_error(ErrorCode::invalid_argument,
                      "an offline checkout needs the card's customer id; use checkout() for an "
                      "anonymous receipt");
  }
  // Too long, or an erased customer's pseudonym presented as a card: never a shopper.
  return customers_internal::validate_id(customer_id);
}

Result<ReceiptRow> require_receipt(Ledger& ledger, std::string_view receipt_id) {
  std::optional<ReceiptRow> row = TRY(find_receipt(ledger, receipt_id));
  if (!row) {
    return make_error(ErrorCode::not_found,
                      receipt_name(receipt_id) + " is not in the ledger: check the receipt id");
  }
  return std::move(*row);
}

}  // namespace

Status Till::store_program(std::string_view bundle_json, Timestamp at) {
  const Program program = TRY(load_program(bundle_json));
  Transaction transaction = TRY(ledger_->begin());
  Result<std::string> stored = stored_program(*ledger_, program.program_id, program.version);
  if (stored.ok()) {
    if (stored.value() == bundle_json) return Status();
    return make_error(ErrorCode::conflict,
                      "program " + program.program_id + " version " +
                          std::to_string(program.version) +
                          " is already stored with a different bundle; publish a new version");
  }
  if (stored.error().code != ErrorCode::not_found) return std::move(stored).error();
  Statement insert = TRY(Statement::prepare(
      ledger_->database(),
      "INSERT INTO programs (program_id, version, bundle, created_at) VALUES (?1, ?2, ?3, ?4)"));
  TRY(insert.bind_text(1, program.program_id));
  TRY(insert.bind_int64(2, program.version));
  TRY(insert.bind_text(3, bundle_json));
  TRY(insert.bind_int64(4, at.unix_seconds));
  TRY(insert.run());
  return transaction.commit();
}

Result<CheckoutResult> Till::checkout(const Program& program, const CustomerState* customer,
                                      const Receipt& receipt, Timestamp at) {
  return quote_and_write(program, Shopper{customer, {}}, receipt, at, Write::checkout);
}

Result<CheckoutResult> Till::open_receipt(const Program& program, const CustomerState* customer,
                                          const Receipt& receipt, Timestamp at) {
  return quote_and_write(program, Shopper{customer, {}}, receipt, at, Write::hold);
}

Result<CheckoutResult> Till::checkout_offline(const Program& program, std::string_view customer_id,
                                              const Receipt& receipt, Timestamp at) {
  TRY(require_card(customer_id));
  return quote_and_write(program, Shopper{nullptr, customer_id}, receipt, at, Write::checkout);
}

Result<CheckoutResult> Till::open_receipt_offline(const Program& program,
                                                  std::string_view customer_id,
                                                  const Receipt& receipt, Timestamp at) {
  TRY(require_card(customer_id));
  return quote_and_write(program, Shopper{nullptr, customer_id}, receipt, at, Write::hold);
}

Result<std::string> Till::quote_only(const Program& program, std::string_view customer_id,
                                     const Receipt& receipt, Timestamp at) {
  if (!customer_id.empty()) TRY(customers_internal::validate_id(customer_id));
  CheckoutResult quoted = TRY(
      quote_and_write(program, Shopper{nullptr, customer_id}, receipt, at, Write::nothing));
  return std::move(quoted.quote_json);
}

Result<CheckoutResult> Till::quote_and_write(const Program& program, Shopper shopper,
                                             const Receipt& receipt, Timestamp at, Write write) {
  const bool hold = write == Write::hold;
  const CustomerState* customer = shopper.online;
  const bool offline = !shopper.offline_id.empty();
  std::string receipt_json = receipt_to_json(receipt);
  const std::string hash = offline
                               ? offline_request_hash(program, shopper.offline_id, receipt_json, at)
                               : checkout_request_hash(program, customer, receipt_json, at);
  // The write lock is taken first: the lookup, the ledger's view and the writes are one snapshot.
  Transaction transaction = TRY(ledger_->begin());
  if (write != Write::nothing) {
    const std::optional<ReceiptRow> existing = TRY(find_receipt(*ledger_, receipt.receipt_id));
    if (existing) return replay(*existing, hash, hold);
  }
  TRY(stored_program(*ledger_, program.program_id, program.version));

  std::optional<CustomerState> view;
  AccountId account;
  // The card's cache row, read once: the offline state, the consent, the offline count and the
  // write-back all use it.
  std::optional<CachedCustomer> cached;
  if (customer != nullptr) TRY(customers_internal::validate_id(customer->customer_id));
  const std::string_view card =
      offline
          ? shopper.offline_id
          : (customer != nullptr ? std::string_view(customer->customer_id) : std::string_view());
  if (!card.empty()) cached = TRY(customers_internal::load(*ledger_, card));
  if (offline) view = offline_state(shopper.offline_id, cached);
  if (customer != nullptr) {
    view = *customer;
    // A customer who refused profiling in this terminal's records is not profiled here either:
    // the quote does not use, and the receipt row does not keep, their birthday and segments.
    if (cached) customers_internal::drop_unconsented_profile(*view, cached->consent);
  }
  const std::int64_t offline_redeemed = offline && cached ? cached->offline_redeemed : 0;
  // Chain-wide uses of the limited coupons presented (anonymous receipts are held to them too),
  // and what the program's budgets spent in this receipt's period.
  const CounterSet chain =
      TRY(load_chain_counts(*ledger_, program, receipt, at, environment_.zone));
  if (view) {
    account = TRY(ledger_->find_or_create_account(transaction, AccountKind::customer_points,
                                                  view->customer_id, at));
    TRY(load_ledger_view(*ledger_, account, at, *view));
    view->coupon_uses_total = chain.coupon_uses_total;
  }
  Quote quote;
  std::vector<BudgetSpent> spent;
  const QuoteEnvironment environment = quote_environment(environment_, program, chain, spent);
  TRY(quoter_.quote(program, view ? &*view : nullptr, receipt, at, environment, quote));
  if (view) TRY(check_redemption(*ledger_, quote, *view, account, offline, offline_redeemed));
  if (write == Write::nothing) {
    // The transaction rolls back as it goes out of scope: an account the view created is gone.
    return CheckoutResult{receipt.receipt_id, ReceiptState::open,
                          quote_to_json(receipt, quote, false), 0, false};
  }

  ReceiptRow row;
  row.receipt_id = receipt.receipt_id;
  row.request_hash = hash;
  row.result = quote_to_json(receipt, quote, false);
  row.program_id = program.program_id;
  row.program_version = program.version;
  if (view) {
    row.customer_id = view->customer_id;
    row.customer_json = customer_to_json(*view);
  }
  row.receipt_json = std::move(receipt_json);
  row.quoted_at = at;
  row.offline = offline;
  if (!chain.empty()) row.chain_json = counts_to_json(chain);
  if (environment_.zone != nullptr) row.time_zone = std::string(environment_.zone->name());
  if (hold) {
    // An open receipt holds its points by lot and reserves its limited uses now, so that its
    // commit succeeds as quoted.
    if (view) TRY(hold_redemption(*ledger_, transaction, quote, account, at));
    const CounterSet uses = limited_uses(quote, view.has_value());
    TRY(move_counts(*ledger_, view ? std::string_view(view->customer_id) : "", uses, 1));
    row.reserved_json = counts_to_json(uses);
    row.state = ReceiptState::open;
  } else {
    // The cache row first: the event's annex carries what the receipt did to the tier.
    std::optional<hq_internal::TierChange> tier;
    if (view) {
      tier = TRY(write_back(*ledger_, quote, *view,
                            offline ? WriteBack::offline : WriteBack::online, cached, at));
    }
    row.event_seq = TRY(write_quote(*ledger_, transaction, quote, view ? &*view : nullptr, tier,
                                    row.result, Redemption::take, at));
    row.state = ReceiptState::committed;
  }
  TRY(insert_receipt(*ledger_, row, at));
  TRY(transaction.commit());
  return result_of(row, false);
}

Result<CheckoutResult> Till::commit_receipt(std::string_view receipt_id, Timestamp at) {
  Transaction transaction = TRY(ledger_->begin());
  ReceiptRow row = TRY(require_receipt(*ledger_, receipt_id));
  if (row.state == ReceiptState::committed) return result_of(row, true);
  if (row.state == ReceiptState::cancelled) {
    return make_error(ErrorCode::conflict, receipt_name(receipt_id) +
                                               " was cancelled (its holds were voided); it "
                                               "cannot be committed: check out again");
  }
  Rebuilt rebuilt;
  TRY(rebuild(*ledger_, quoter_, environment_, row, rebuilt));
  const CustomerState* customer = rebuilt.customer ? &*rebuilt.customer : nullptr;
  if (customer != nullptr) {
    // A card blocklisted while the receipt was open may not redeem now either.
    const AccountId account = TRY(ledger_->find_or_create_account(
        transaction, AccountKind::customer_points, customer->customer_id, at));
    Status allowed = check_redemption(*ledger_, rebuilt.quote, *customer, account, false, 0);
    if (!allowed.ok()) {
      return make_error(allowed.error().code, allowed.error().message + " (" +
                                                  receipt_name(receipt_id) +
                                                  " was opened before: cancel it)");
    }
  }
  // The holds are posted: the points leave the lots they reserved, as quoted; the limited uses
  // were counted when it opened. A receipt opened by a release that did neither (no reserved
  // uses, holds without lots) is written as a checkout instead, its holds voided, from the lots
  // available when it was quoted.
  Redemption redemption = Redemption::take;
  if (row.reserved_json) {
    const Points posted = TRY(lots_internal::post_holds(*ledger_, transaction, receipt_id, at));
    LOYALTY_ASSERT(posted == burned_points(rebuilt.quote) + rebuilt.quote.donated_total);
    redemption = Redemption::posted;
  } else {
    TRY(lots_internal::void_holds(*ledger_, transaction, receipt_id, at));
  }
  std::optional<hq_internal::TierChange> tier;
  if (customer != nullptr) {
    const std::optional<CachedCustomer> cached =
        TRY(customers_internal::load(*ledger_, customer->customer_id));
    tier = TRY(write_back(*ledger_, rebuilt.quote, *customer,
                          row.offline ? WriteBack::commit_offline : WriteBack::commit_online,
                          cached, at));
  }
  row.event_seq = TRY(write_quote(*ledger_, transaction, rebuilt.quote, customer, tier, row.result,
                                  redemption, at));
  row.state = ReceiptState::committed;
  TRY(set_receipt_state(*ledger_, receipt_id, row.state, row.event_seq, at));
  TRY(transaction.commit());
  return result_of(row, false);
}

Status Till::cancel_receipt(std::string_view receipt_id, Timestamp at) {
  Transaction transaction = TRY(ledger_->begin());
  const ReceiptRow row = TRY(require_receipt(*ledger_, receipt_id));
  if (row.state == ReceiptState::cancelled) return Status();
  if (row.state == ReceiptState::committed) {
    return make_error(ErrorCode::conflict,
                      receipt_name(receipt_id) + " is committed; refund it instead of cancelling");
  }
  TRY(cancel_open(*ledger_, transaction, row, at));
  return transaction.commit();
}

Result<std::int64_t> Till::void_expired_holds(Timestamp at, std::int64_t timeout_s) {
  if (timeout_s < 0 || timeout_s > limits::receipt_hold_timeout_s_max) {
    return make_error(ErrorCode::invalid_argument,
                      "void_expired_holds: timeout must be between 0 and " +
                          std::to_string(limits::receipt_hold_timeout_s_max) + " seconds, got " +
                          std::to_string(timeout_s));
  }
  std::vector<std::string> expired;
  {
    Statement select = TRY(Statement::prepare(
        ledger_->database(),
        "SELECT receipt_id FROM receipts WHERE state = 'open' AND created_at <= ?1 "
        "ORDER BY created_at, receipt_id LIMIT ?2"));
    TRY(select.bind_int64(1, at.unix_seconds - timeout_s));
    TRY(select.bind_int64(2, static_cast<std::int64_t>(limits::expired_holds_batch_max)));
    while (TRY(select.step()) == Step::row) expired.push_back(select.column_text(0));
  }
  for (const std::string& receipt_id : expired) TRY(cancel_receipt(receipt_id, at));
  return static_cast<std::int64_t>(expired.size());
}

namespace checkout_internal {

Status cancel_open(Ledger& ledger, const Transaction& transaction, const ReceiptRow& row,
                   Timestamp at) {
  LOYALTY_ASSERT(row.state == ReceiptState::open);
  TRY(lots_internal::void_holds(ledger, transaction, row.receipt_id, at));
  if (row.reserved_json) {
    const CounterSet reserved = TRY(counts_from_json(*row.reserved_json));
    TRY(move_counts(ledger, row.customer_id.value_or(""), reserved, -1));
  }
  return set_receipt_state(ledger, row.receipt_id, ReceiptState::cancelled, 0, at);
}

Status rebuild(Ledger& ledger, Quoter& quoter, const TillEnvironment& environment,
               const ReceiptRow& row, Rebuilt& out) {
  const std::string zone(environment.zone != nullptr ? environment.zone->name() : "");
  if (!row.time_zone.empty() && row.time_zone != zone) {
    return make_error(ErrorCode::conflict,
                      receipt_name(row.receipt_id) + " was quoted in the time zone " +
                          row.time_zone + ", but this till is set to " +
                          (zone.empty() ? std::string("none") : zone) +
                          ": set the store's zone back to " + row.time_zone + " to refund it");
  }
  const std::string bundle = TRY(stored_program(ledger, row.program_id, row.program_version));
  out.program = TRY(load_program(bundle));
  if (!row.customer_json.empty()) out.customer = TRY(load_customer(row.customer_json));
  out.receipt = TRY(load_receipt(row.receipt_json));
  const CustomerState* customer = out.customer ? &*out.customer : nullptr;
  if (!row.chain_json.empty()) {
    out.chain = TRY(counts_from_json(row.chain_json));
  } else if (customer != nullptr) {
    // Written before the ledger kept the chain's counts with the receipt.
    out.chain.coupon_uses_total = customer->coupon_uses_total;
  }
  const QuoteEnvironment quote_env =
      quote_environment(environment, out.program, out.chain, out.spent);
  TRY(quoter.quote(out.program, customer, out.receipt, row.quoted_at, quote_env, out.quote));
  if (quote_to_json(out.receipt, out.quote, false) != row.result) {
    if (row.customer_id && row.customer_id->starts_with(customers_internal::pseudonym_prefix)) {
      return make_error(ErrorCode::conflict,
                        receipt_name(row.receipt_id) +
                            " belongs to an erased customer and its quote used personal data "
                            "that was erased (a birthday or a segment): its points cannot be "
                            "reversed; return the goods without the loyalty reversal");
    }
    return make_error(ErrorCode::io_error,
                      receipt_name(row.receipt_id) +
                          ": quoting it again from the stored program, customer and receipt "
                          "does not give the stored quote; the ledger or the engine changed");
  }
  return Status();
}

}  // namespace checkout_internal

}  // namespace loyalty::storage
