// Till: the checkout transaction. Quotes a receipt with the rules core and writes everything the
// quote decided — burns from lots, earned lots, donations, counters, the receipt row and one
// event for sync — in ONE write transaction (BEGIN IMMEDIATE), so a receipt is in the ledger
// entirely or not at all. docs/storage.md ("Checkout") describes the flow.
//
// The quote sees the ledger's truth: the customer's lots are the available lots of their
// customer_points account (less the points other open receipts hold), and stamps, coupon uses and
// event awards come from the ledger's counters, whatever the caller's CustomerState says. The
// rest of the CustomerState (tier, segments, history) is the caller's (HQ's, online) or the
// customer cache's (checkout_offline). Every committed receipt writes the customer's new tier,
// counts and spend back to the cache, and a receipt at a coalition partner moves the settlement
// money between the partner's and the operator's settlement accounts.
//
// A redemption (tender, rewards, donations) is refused for a card on the local blocklist.
//
// Idempotency: a receipt id is committed once. The same request again returns the first result
// and writes nothing; the same id with other content is refused with ErrorCode::conflict. A
// refund is idempotent by its refund id the same way.
//
// Held redemption: open_receipt() quotes and holds the points the receipt burns as pending
// transfers (other receipts see them as spent); commit_receipt() releases the holds and writes the
// receipt in one transaction; cancel_receipt() and void_expired_holds() void them.
//
// The store's environment (TillEnvironment): every quote, and every re-quote of a stored receipt
// (commit, refund), is made in the store's time zone, with the program's draw key, and with the
// ledger's own counts of campaign budgets and coupon uses.
//
// Ownership: borrows the Ledger, which must outlive the Till, and what the TillEnvironment points
// to; the Till owns a Quoter (scratch space). Thread-safety: none; one thread at a time, like its
// Ledger.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "loyalty/core/customer.h"
#include "loyalty/core/engine.h"
#include "loyalty/core/limits.h"
#include "loyalty/core/program.h"
#include "loyalty/core/receipt.h"
#include "loyalty/core/result.h"
#include "loyalty/core/reversal.h"
#include "loyalty/core/time.h"
#include "loyalty/core/time_zone.h"
#include "loyalty/storage/ledger.h"

namespace loyalty::storage {

enum class ReceiptState { open, committed, cancelled };
const char* receipt_state_name(ReceiptState state);
// The state receipt_state_name() names; nullopt for any other text.
std::optional<ReceiptState> parse_receipt_state(std::string_view name);

// What the Till's quotes need from the store: borrowed, and must outlive the Till.
struct TillEnvironment {
  // The store's time zone (a tzdata zone from loyalty::environment). Null: each program's fixed
  // utc_offset_minutes, or UTC. Its name() is recorded with every receipt.
  const TimeZone* zone = nullptr;
  // The draw key of a program, by program id; null (no function, or it returns null): no
  // instant-win draw is held (the quote says draw_not_held).
  std::function<const DrawKeyer*(std::string_view program_id)> draw_keyer;
};

// What a checkout, open or commit returns. `quote_json` is quote_to_json(receipt, quote, compact).
struct CheckoutResult {
  std::string receipt_id;
  ReceiptState state = ReceiptState::committed;
  std::string quote_json;
  std::int64_t event_seq = 0;  // the "checkout" event; 0 while the receipt is open
  bool replayed = false;       // true: the receipt was already written; nothing was written now
};

// What a refund returns. `reversal_json` is reversal_to_json(quote, reversal, compact).
struct RefundResult {
  std::string refund_id;
  std::string reversal_json;
  std::int64_t event_seq = 0;  // the "refund" event
  bool replayed = false;
};

class Till {
 public:
  explicit Till(Ledger& ledger, TillEnvironment environment = {})
      : ledger_(&ledger), environment_(std::move(environment)) {}

  // Stores the rule bundle by (program_id, version) so refunds can rebuild a receipt's quote;
  // every program a receipt is checked out with must be stored first. Storing the same bundle
  // again does nothing; another bundle under the same id and version is a conflict.
  Status store_program(std::string_view bundle_json, Timestamp at);

  // Quotes the receipt and commits it in one transaction. `customer` is null for an anonymous
  // receipt. Fails with conflict for a receipt id already used with other content (or open or
  // cancelled), not_found for a program that was not stored, and with the quote's own errors.
  Result<CheckoutResult> checkout(const Program& program, const CustomerState* customer,
                                  const Receipt& receipt, Timestamp at);

  // Quotes the receipt and holds the points it burns (pending transfers); state open.
  Result<CheckoutResult> open_receipt(const Program& program, const CustomerState* customer,
                                      const Receipt& receipt, Timestamp at);

  // The same for a card identified at the till while HQ cannot be asked: the customer's state
  // comes from this terminal's cache (customers.h), or is an unknown customer who earns for a card
  // never seen. Redemption is refused for a blocklisted card and limited by the program's
  // burn.offline_floor_limit (check_redemption in docs/storage.md, "Customers"). Idempotent by
  // receipt id for the same card, program, receipt and time.
  Result<CheckoutResult> checkout_offline(const Program& program, std::string_view customer_id,
                                          const Receipt& receipt, Timestamp at);
  Result<CheckoutResult> open_receipt_offline(const Program& program, std::string_view customer_id,
                                              const Receipt& receipt, Timestamp at);
  // What checkout_offline() (a non-empty customer_id) or checkout() of an anonymous receipt
  // (an empty one) would quote now, as the quote JSON, writing nothing: the POS asks again as
  // lines are added. The ledger's view is the same as a checkout's (lots less holds, counters,
  // budgets), and so are the errors, a refused redemption included. The receipt id is not looked
  // up: any id may be quoted, an open or committed one too.
  Result<std::string> quote_only(const Program& program, std::string_view customer_id,
                                 const Receipt& receipt, Timestamp at);

  // Commits an open receipt as quoted at open time: releases its holds and writes everything in
  // one transaction. A committed receipt returns its result again (replayed).
  Result<CheckoutResult> commit_receipt(std::string_view receipt_id, Timestamp at);
  // Voids the holds of an open receipt; state cancelled. Cancelling a cancelled receipt does
  // nothing; a committed one is a conflict.
  Status cancel_receipt(std::string_view receipt_id, Timestamp at);
  // Cancels open receipts opened at or before `at - timeout_s` (at most
  // limits::expired_holds_batch_max per call) and returns how many.
  Result<std::int64_t> void_expired_holds(
      Timestamp at, std::int64_t timeout_s = limits::receipt_hold_timeout_s_default);

  // Idle-time work for the till between customers: a WAL checkpoint (Database::checkpoint), so
  // that commits do not pay for it. Call it when no receipt is in progress.
  Result<Database::Checkpoint> idle() { return ledger_->database().checkpoint(); }

  // Returns units of a committed receipt: rebuilds its quote from what the receipt row stores,
  // computes the reversal with the units returned before, and writes it in one transaction.
  // Idempotent by `refund_id`.
  Result<RefundResult> refund(std::string_view refund_id, std::string_view receipt_id,
                              std::span<const ReturnRequest> returns, Timestamp at);

 private:
  // Who the receipt is for: a state the caller got from HQ (`online`), a card to look up in the
  // cache (`offline_id`), or neither (anonymous).
  enum class Write { checkout, hold, nothing };
  struct Shopper {
    const CustomerState* online = nullptr;
    std::string_view offline_id;
  };
  Result<CheckoutResult> quote_and_write(const Program& program, Shopper shopper,
                                         const Receipt& receipt, Timestamp at, Write write);

  Ledger* ledger_;  // borrowed
  TillEnvironment environment_;
  Quoter quoter_;
};

}  // namespace loyalty::storage
