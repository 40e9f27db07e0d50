// CustomerCache: what this terminal knows about customers when HQ cannot be asked.
//
// The cache holds, per customer id (the loyalty card number), the state HQ last issued (tier,
// review date, period spend, purchase count, paid membership, segments...), kept up to date by
// every checkout on this terminal (Till writes it back), the consent flags, and how many points
// the card redeemed here since HQ last refreshed it (the offline floor limit counts them).
// Balances, lots and counters are not copied: the ledger holds them. A local blocklist names the
// cards that may not redeem. docs/storage.md ("Customers") explains the rules.
//
// Personal data is kept only as the program needs it and only with consent: without
// consent.profile the birthday and segments are dropped before anything is written. erase()
// carries out an erasure order: it depersonalises the customer everywhere in the ledger and keeps
// every balance and invariant.
//
// Ownership: borrows the Ledger, which must outlive it. Thread-safety: none; one thread at a time,
// like its Ledger. Each call is its own write transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "loyalty/core/customer.h"
#include "loyalty/core/result.h"
#include "loyalty/core/time.h"
#include "loyalty/storage/ledger.h"

namespace loyalty::storage {

// What the customer agreed to. profile: the birthday and segments (personalised offers, the
// birthday bonus) may be kept. marketing: HQ may contact them (the terminal only records it).
struct Consent {
  bool marketing = false;
  bool profile = false;
  bool operator==(const Consent&) const = default;
};

struct CachedCustomer {
  // Lots and counters empty (the ledger's); `known` is true once HQ issued the state.
  CustomerState state;
  Consent consent;
  std::optional<Timestamp> hq_refreshed_at;
  std::int64_t offline_redeemed = 0;  // points redeemed here since hq_refreshed_at
  bool erased = false;
  bool operator==(const CachedCustomer&) const = default;
};

// What erase() changed.
struct ErasureReport {
  std::string pseudonym;  // "erased:<32 hex digits>", random, unrelated to the card number
  std::int64_t accounts = 0;
  std::int64_t receipts = 0;
  std::int64_t counters = 0;
  std::int64_t referrals = 0;  // other customers' documents that named the card as referrer
  std::int64_t cancelled = 0;  // open receipts cancelled (their holds released)
};

class CustomerCache {
 public:
  explicit CustomerCache(Ledger& ledger) : ledger_(&ledger) {}

  // Stores the state HQ issued for `state.customer_id` (its lots and counters are ignored) with
  // the customer's consent, marks the customer known and restarts the offline count. Personal
  // fields without consent.profile are dropped. Fails with invalid_argument for an empty or
  // erased-looking id, conflict for a customer erased here.
  Status refresh_from_hq(const CustomerState& state, Consent consent, Timestamp at);

  // Enrols a new customer at the till: a cache entry for a card HQ has not issued yet (known
  // stays false, so redemption is held to the offline floor limit until HQ refreshes it), with
  // the consent the customer gave; personal fields without consent.profile are dropped. Returns
  // true when it enrolled the card, false when the same enrolment (same card, consent and
  // personal fields) was already made, so a retry is harmless. A card the cache already holds
  // otherwise is a conflict, and so is an erased one.
  Result<bool> enrol(const CustomerState& state, Consent consent, Timestamp at);

  // The cached customer, or nullopt for a card this terminal has never seen.
  Result<std::optional<CachedCustomer>> find(std::string_view customer_id);

  // Adds (or updates the reason of) a card on the local blocklist; unblock() removes it.
  Status block(std::string_view customer_id, std::string_view reason, Timestamp at);
  Status unblock(std::string_view customer_id);
  // The reason a card is blocked, or nullopt.
  Result<std::optional<std::string>> blocked(std::string_view customer_id);

  // Carries out an erasure order: cancels the card's open receipts, replaces the card number by a
  // random pseudonym in accounts, counters and receipts and where other customers name it as
  // their referrer, removes every personal field (birthday, segments, referrer, consent) from the
  // cache and from the customer documents stored with receipts, and drops the card from the
  // blocklist. Balances, lots, transfers and events are untouched, so check() still passes;
  // the points stay with the pseudonym and the card number starts afresh. Fails with not_found for
  // a card the ledger does not know. Erasing twice finds nothing the second time.
  Result<ErasureReport> erase(std::string_view customer_id, Timestamp at);

 private:
  Ledger* ledger_;  // borrowed
};

}  // namespace loyalty::storage
