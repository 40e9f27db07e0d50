// Helpers shared by the checkout sources (checkout*.cc). Not part of the public API.
// Thread-safety: that of the Ledger passed in.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hq/annex.h"
#include "loyalty/core/customer.h"
#include "loyalty/core/documents.h"
#include "loyalty/core/engine.h"
#include "loyalty/core/program.h"
#include "loyalty/core/quote.h"
#include "loyalty/core/receipt.h"
#include "loyalty/core/reversal.h"
#include "loyalty/core/result.h"
#include "loyalty/storage/checkout.h"
#include "loyalty/storage/customers.h"
#include "loyalty/storage/ledger.h"

namespace loyalty::storage::checkout_internal {

// Appends `field` as a netstring ("<decimal byte length>:<bytes>,"), as the event chain encodes.
void netstring(std::string& out, std::string_view field);

// SHA-256 (hex) of the netstrings of the program id, version, customer document ("" when
// anonymous), receipt document (receipt_to_json, written once by the caller, which stores it too)
// and time: what makes two checkouts of one receipt id "the same".
std::string checkout_request_hash(const Program& program, const CustomerState* customer,
                                  std::string_view receipt_json, Timestamp at);
// The same for an offline checkout, where the request names only the card: the cached state it
// reads changes with every receipt, the request does not.
std::string offline_request_hash(const Program& program, std::string_view customer_id,
                                 std::string_view receipt_json, Timestamp at);

// A receipts row, as the checkout flow stores it.
struct ReceiptRow {
  std::string receipt_id;
  std::string request_hash;
  ReceiptState state = ReceiptState::open;
  std::string result;  // the quote JSON
  std::int64_t event_seq = 0;
  std::string program_id;
  std::int64_t program_version = 0;
  std::optional<std::string> customer_id;
  std::string customer_json;  // "" when anonymous
  std::string receipt_json;
  Timestamp quoted_at;
  Timestamp created_at;
  bool offline = false;  // checked out from the customer cache (checkout_offline)
  std::string time_zone;  // the zone the receipt was quoted in; "" for the program's offset
  // The chain-wide counts the quote was given (counts_to_json), "" when none: a refund or commit
  // quotes again with them.
  std::string chain_json;
  // An open receipt: the limited uses it reserved when it was opened (counts_to_json), which its
  // commit counts already and its cancel gives back. nullopt: nothing reserved (a committed or
  // cancelled receipt, or an open one written by a release that did not reserve).
  std::optional<std::string> reserved_json;
};

Result<std::optional<ReceiptRow>> find_receipt(Ledger& ledger, std::string_view receipt_id);
Status insert_receipt(Ledger& ledger, const ReceiptRow& row, Timestamp at);
Status set_receipt_state(Ledger& ledger, std::string_view receipt_id, ReceiptState state,
                         std::int64_t event_seq, Timestamp at);
Result<std::string> stored_program(Ledger& ledger, std::string_view program_id,
                                   std::int64_t version);

// Replaces `customer.lots` with the lots of `account`, each less the points open receipts hold
// in it, and its stamps, coupon uses and event awards with the ledger's counters.
Status load_ledger_view(Ledger& ledger, AccountId account, Timestamp at, CustomerState& customer);

// Adds `delta` to one counter (created at 0). A count below 0 is a conflict.
Status add_counter(Ledger& ledger, std::string_view customer_id, std::string_view kind,
                   std::string_view key, std::int64_t delta);

// Limited uses: counts that rules cap (a coupon's per_customer_max and uses_max, a campaign
// budget's limit), by key, sorted.
struct CounterSet {
  std::vector<Counter> coupon_uses;        // the receipt's customer's
  std::vector<Counter> coupon_uses_total;  // chain-wide (customer "")
  std::vector<Counter> budget_spent;       // chain-wide, key budget_key(id, period)
  bool empty() const;
};
// The counters' key of a budget's period: "<budget id>/<period>".
std::string budget_key(std::string_view budget_id, std::string_view period);
// What `quote` uses up: one use of each applied coupon, for the customer when `identified`, and
// chain-wide always; what each campaign budget gave.
CounterSet limited_uses(const Quote& quote, bool identified);
// Adds (sign 1) or takes back (sign -1) `counts` in the counters table.
Status move_counts(Ledger& ledger, std::string_view customer_id, const CounterSet& counts,
                   std::int64_t sign);
// {"coupon_uses":{"CODE":1},"coupon_uses_total":{"CODE":1}}, empty lists left out; and back
// (io_error for text this code did not write).
std::string counts_to_json(const CounterSet& counts);
Result<CounterSet> counts_from_json(std::string_view text);
// The chain-wide counts a quote of `receipt` needs, as the ledger keeps them: the uses of each
// limited coupon it presents (what uses_max is checked against), and what each of the program's
// budgets spent in the period the receipt counts in (`zone` as in budget_period_at).
Result<CounterSet> load_chain_counts(Ledger& ledger, const Program& program,
                                     const Receipt& receipt, Timestamp at, const TimeZone* zone);
// The counts as a quote takes them (`spent` receives the budgets' entries; `counts` must outlive
// the returned environment, which points into it).
QuoteEnvironment quote_environment(const TillEnvironment& till, const Program& program,
                                   const CounterSet& counts, std::vector<BudgetSpent>& spent);

// Holds what `quote` takes from the customer's lots (burns and donations) for an open receipt:
// one pending transfer per lot, naming it (lots_internal::hold_from_lots).
Status hold_redemption(Ledger& ledger, const Transaction& transaction, const Quote& quote,
                       AccountId account, Timestamp at);

// What a committed quote still has to write: everything (a checkout, or an open receipt written
// by a release that neither held by lot nor reserved), or only what opening did not (an open
// receipt whose points were held and posted by post_holds, and whose limited uses were reserved).
enum class Redemption { take, posted };

// Writes what `quote` decided (burns, earned lots, donations, counters) and the "checkout" event;
// returns the event's seq. `customer` is the state the quote saw (null: anonymous), `tier` what
// write_back() did to its tier and counters.
Result<std::int64_t> write_quote(Ledger& ledger, const Transaction& transaction, const Quote& quote,
                                 const CustomerState* customer,
                                 const std::optional<hq_internal::TierChange>& tier,
                                 std::string_view quote_json, Redemption redemption, Timestamp at);

// The state an offline checkout quotes with: the card's cache row (`cached`, read once per
// checkout), or an unknown customer (known false) for a card the terminal has never seen.
CustomerState offline_state(std::string_view customer_id,
                            const std::optional<CachedCustomer>& cached);

// Refuses a quote that redeems points (burns, rewards, donations) for a card on the blocklist
// or, offline, beyond the program's floor limit: what the card redeemed offline since HQ's last
// refresh, plus what its open receipts hold, plus this receipt, may not exceed
// burn.offline_floor_limit. Errors are conflicts that say what the cashier can do.
Status check_redemption(Ledger& ledger, const Quote& quote, const CustomerState& customer,
                        AccountId account, bool offline, std::int64_t offline_redeemed);

// How a committed receipt updates the cache. online: `checkout` with HQ's state (the cache takes
// it, and the offline count restarts); offline: `checkout_offline` (the redemption counts towards
// the floor limit); commit_*: a held receipt committed later, applied on top of the current cache
// row (other receipts may have come in between), the offline count growing only for an offline
// one.
enum class WriteBack { online, offline, commit_online, commit_offline };

// After a committed receipt, given the card's cache row as the transaction read it (nullopt: none),
// writes the customer's new state to the cache (purchase count, tier
// and review, period and lifetime spend, birthday bonus year, paid membership). `seen` is the
// state the quote saw. Returns what it did to the tier and period counters, for the annex.
Result<hq_internal::TierChange> write_back(Ledger& ledger, const Quote& quote,
                                           const CustomerState& seen, WriteBack mode,
                                           const std::optional<CachedCustomer>& cached,
                                           Timestamp at);

// After a refund of a receipt of the card (`seen`: the state its quote saw, quoted at
// `quoted_at`): the cache row gives back what the returned units added — period and lifetime
// spend, period points, a tier the receipt reached at once and the period no longer reaches, the
// company's spend, and with the last unit the purchase and the birthday bonus; a cancelled paid
// membership ends. A card with no cache row is left alone (nullopt). Returns what it did to the
// tier and period counters, for the annex.
Result<std::optional<hq_internal::TierChange>> write_back_refund(Ledger& ledger,
                                                                 const Quote& quote,
                                                                 const CustomerState& seen,
                                                                 const Reversal& reversal,
                                                                 Timestamp quoted_at,
                                                                 Timestamp at);

// Partner settlement money for a receipt at a coalition partner, and its reversal on a return.
Status write_settlement(Ledger& ledger, const Transaction& transaction, const Quote& quote,
                        Timestamp at);
Status reverse_settlement(Ledger& ledger, const Transaction& transaction, const Quote& quote,
                          const Reversal& reversal, Timestamp at);


// The account an earn entry credits: the customer's, their company's or their referrer's.
Result<AccountId> earn_account(Ledger& ledger, const Transaction& transaction,
                               const CustomerState& customer, EarnAccount account, Timestamp at);

// All the points the quote burns (tender and rewards, every line).
Points burned_points(const Quote& quote);

// A quote's line index as the ledger stores it: nullopt for no_line (receipt level).
std::optional<std::uint32_t> line_of(std::uint32_t line);

// "receipt R-1"
std::string receipt_name(std::string_view receipt_id);

// A stored receipt's quote, rebuilt from its row. `quote` points into `program`, so a Rebuilt
// stays where it was filled.
struct Rebuilt {
  Program program;
  std::optional<CustomerState> customer;
  Receipt receipt;
  CounterSet chain;                 // the chain-wide counts the quote was given
  std::vector<BudgetSpent> spent;   // the same budgets, as the quote took them
  Quote quote;
  Rebuilt() = default;
  Rebuilt(const Rebuilt&) = delete;
  Rebuilt& operator=(const Rebuilt&) = delete;
};

// Loads the row's program, customer state, receipt and chain counts, quotes again (the engine is
// deterministic) and checks that the quote's JSON is the stored one; io_error if not.
Status rebuild(Ledger& ledger, Quoter& quoter, const TillEnvironment& environment,
               const ReceiptRow& row, Rebuilt& out);

// Releases an open receipt: voids its holds, gives back the uses it reserved, and sets it
// cancelled. The erasure order uses it too.
Status cancel_open(Ledger& ledger, const Transaction& transaction, const ReceiptRow& row,
                   Timestamp at);

}  // namespace loyalty::storage::checkout_internal
