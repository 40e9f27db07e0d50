// CustomerCache: HQ refreshes, the blocklist and erasure orders. docs/storage.md ("Customers").

#include "loyalty/storage/customers.h"

#include <openssl/rand.h>
#include <sqlite3.h>

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "checkout/internal.h"
#include "customers/internal.h"
#include "loyalty/core/documents.h"
#include "loyalty/core/limits.h"
#include "loyalty/storage/pseudonyms.h"
#include "loyalty/storage/statement.h"

namespace loyalty::storage {

namespace customers_internal {

void drop_unconsented_profile(CustomerState& state, Consent consent) {
  if (consent.profile) return;
  state.birthday.reset();
  state.segments.clear();
}

void keep_only_consented(CustomerState& state, Consent consent) {
  drop_unconsented_profile(state, consent);
  state.lots.clear();
  state.stamps.clear();
  state.coupon_uses.clear();
  state.coupon_uses_total.clear();
  state.event_awards.clear();
}

Result<std::optional<CachedCustomer>> load(Ledger& ledger, std::string_view customer_id) {
  Statement select = TRY(Statement::prepare(
      ledger.database(),
      "SELECT known, consent_marketing, consent_profile, erased, state_json, hq_refreshed_at, "
      "offline_redeemed FROM customers WHERE customer_id = ?1"));
  TRY(select.bind_text(1, customer_id));
  if (TRY(select.step()) != Step::row) return std::optional<CachedCustomer>();
  CachedCustomer out;
  out.consent.marketing = select.column_int64(1) != 0;
  out.consent.profile = select.column_int64(2) != 0;
  out.erased = select.column_int64(3) != 0;
  if (!select.column_is_null(4)) {
    Result<CustomerState> state = load_customer(select.column_text(4));
    if (!state.ok()) {
      return make_error(ErrorCode::io_error,
                        "customer " + std::string(customer_id) +
                            ": the cached state does not load: " + state.error().message);
    }
    out.state = std::move(state).value();
  }
  out.state.customer_id = std::string(customer_id);
  out.state.known = select.column_int64(0) != 0;
  if (!select.column_is_null(5)) out.hq_refreshed_at = Timestamp{select.column_int64(5)};
  out.offline_redeemed = select.column_int64(6);
  return std::optional<CachedCustomer>(std::move(out));
}

Status store(Ledger& ledger, CachedCustomer customer, Timestamp at) {
  LOYALTY_ASSERT(!customer.state.customer_id.empty());
  keep_only_consented(customer.state, customer.consent);
  Statement upsert = TRY(Statement::prepare(
      ledger.database(),
      "INSERT INTO customers (customer_id, known, tier, consent_marketing, consent_profile, "
      "erased, state_json, hq_refreshed_at, offline_redeemed, updated_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?7, ?8, ?9) "
      "ON CONFLICT (customer_id) DO UPDATE SET known = excluded.known, tier = excluded.tier, "
      "consent_marketing = excluded.consent_marketing, "
      "consent_profile = excluded.consent_profile, state_json = excluded.state_json, "
      "hq_refreshed_at = excluded.hq_refreshed_at, "
      "offline_redeemed = excluded.offline_redeemed, updated_at = excluded.updated_at"));
  TRY(upsert.bind_text(1, customer.state.customer_id));
  TRY(upsert.bind_int64(2, customer.state.known ? 1 : 0));
  TRY(customer.state.tier.empty() ? upsert.bind_null(3) : upsert.bind_text(3, customer.state.tier));
  TRY(upsert.bind_int64(4, customer.consent.marketing ? 1 : 0));
  TRY(upsert.bind_int64(5, customer.consent.profile ? 1 : 0));
  TRY(upsert.bind_text(6, customer_to_json(customer.state)));
  TRY(customer.hq_refreshed_at ? upsert.bind_int64(7, customer.hq_refreshed_at->unix_seconds)
                               : upsert.bind_null(7));
  TRY(upsert.bind_int64(8, customer.offline_redeemed));
  TRY(upsert.bind_int64(9, at.unix_seconds));
  return upsert.run();
}

Result<std::optional<std::string>> blocked_reason(Ledger& ledger, std::string_view customer_id) {
  Statement select = TRY(
      Statement::prepare(ledger.database(), "SELECT reason FROM blocklist WHERE customer_id = ?1"));
  TRY(select.bind_text(1, customer_id));
  if (TRY(select.step()) == Step::row) return std::optional<std::string>(select.column_text(0));
  // HQ blocks by pseudonym: the card's own, or the one the chain key gives it.
  std::optional<std::string> pseudonym;
  {
    Statement known = TRY(Statement::prepare(
        ledger.database(), "SELECT pseudonym FROM pseudonyms WHERE owner = ?1"));
    TRY(known.bind_text(1, customer_id));
    if (TRY(known.step()) == Step::row) pseudonym = known.column_text(0);
  }
  if (!pseudonym) {
    const std::optional<PseudonymKey> key = TRY(pseudonym_key(ledger));
    if (!key) return std::optional<std::string>();
    pseudonym = pseudonym_of(*key, customer_id);
  }
  Statement by_pseudonym = TRY(Statement::prepare(
      ledger.database(), "SELECT reason FROM blocked_pseudonyms WHERE pseudonym = ?1"));
  TRY(by_pseudonym.bind_text(1, *pseudonym));
  if (TRY(by_pseudonym.step()) != Step::row) return std::optional<std::string>();
  return std::optional<std::string>(by_pseudonym.column_text(0));
}

Status validate_id(std::string_view customer_id) {
  if (customer_id.empty() || customer_id.size() > limits::id_bytes_max) {
    return make_error(ErrorCode::invalid_argument,
                      "customer id must be 1.." + std::to_string(limits::id_bytes_max) +
                          " bytes, got " + std::to_string(customer_id.size()));
  }
  if (customer_id.starts_with(pseudonym_prefix)) {
    return make_error(ErrorCode::invalid_argument,
                      "customer id \"" + std::string(customer_id) +
                          "\" is the pseudonym of an erased customer, not a card number");
  }
  if (is_pseudonym(customer_id)) {
    return make_error(ErrorCode::invalid_argument,
                      "customer id \"" + std::string(customer_id) +
                          "\" is a pseudonym HQ uses, not a card number");
  }
  return {};
}

Status validate_block(std::string_view customer_id, std::string_view reason) {
  TRY(validate_id(customer_id));
  if (reason.empty() || reason.size() > limits::ledger_text_bytes_max) {
    return make_error(ErrorCode::invalid_argument,
                      "the blocklist reason for " + std::string(customer_id) + " must be 1.." +
                          std::to_string(limits::ledger_text_bytes_max) + " bytes");
  }
  return {};
}

Status refresh(Ledger& ledger, const CustomerState& state, Consent consent, Timestamp at) {
  // An erased customer's row is keyed by its pseudonym, which validate_id() refuses as a card
  // number, so a refresh never reaches one.
  CachedCustomer customer;
  customer.state = state;
  customer.state.known = true;
  customer.consent = consent;
  customer.hq_refreshed_at = at;
  customer.offline_redeemed = 0;  // HQ's state includes what was redeemed before
  return store(ledger, std::move(customer), at);
}

Status list_blocked(Ledger& ledger, std::string_view customer_id, std::string_view reason,
                    Timestamp at) {
  Statement upsert = TRY(Statement::prepare(
      ledger.database(),
      "INSERT INTO blocklist (customer_id, reason, listed_at) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (customer_id) DO UPDATE SET reason = excluded.reason, "
      "listed_at = excluded.listed_at"));
  TRY(upsert.bind_text(1, customer_id));
  TRY(upsert.bind_text(2, reason));
  TRY(upsert.bind_int64(3, at.unix_seconds));
  return upsert.run();
}

Status unlist_blocked(Ledger& ledger, std::string_view customer_id) {
  Statement remove =
      TRY(Statement::prepare(ledger.database(), "DELETE FROM blocklist WHERE customer_id = ?1"));
  TRY(remove.bind_text(1, customer_id));
  return remove.run();
}

}  // namespace customers_internal

namespace {

using namespace customers_internal;

Result<std::string> random_pseudonym() {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return make_error(ErrorCode::io_error, "erase: no random bytes for a pseudonym (OpenSSL)");
  }
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(pseudonym_prefix);
  for (unsigned char byte : bytes) {
    out += digits[byte >> 4];
    out += digits[byte & 0x0f];
  }
  return out;
}

Result<std::int64_t> run_counted(Ledger& ledger, std::string_view sql, std::string_view from,
                                 std::string_view to) {
  Statement update = TRY(Statement::prepare(ledger.database(), sql));
  TRY(update.bind_text(1, to));
  TRY(update.bind_text(2, from));
  TRY(update.run());
  return static_cast<std::int64_t>(sqlite3_changes(ledger.database().handle()));
}

// Rewrites the customer documents stored with the receipts of `pseudonym` (already renamed):
// the card number becomes the pseudonym and every personal field goes.
Result<std::int64_t> depersonalise_receipts(Ledger& ledger, std::string_view pseudonym) {
  std::vector<std::pair<std::string, std::string>> rewritten;  // receipt id, new document
  {
    Statement select = TRY(
        Statement::prepare(ledger.database(),
                           "SELECT receipt_id, customer_json FROM receipts WHERE customer_id = ?1 "
                           "AND customer_json IS NOT NULL"));
    TRY(select.bind_text(1, pseudonym));
    while (TRY(select.step()) == Step::row) {
      Result<CustomerState> state = load_customer(select.column_text(1));
      if (!state.ok()) {
        return make_error(ErrorCode::io_error,
                          "erase: receipt " + select.column_text(0) +
                              ": its customer document does not load: " + state.error().message);
      }
      CustomerState kept = std::move(state).value();
      kept.customer_id = std::string(pseudonym);
      kept.birthday.reset();
      kept.segments.clear();
      kept.referred_by.clear();
      rewritten.emplace_back(select.column_text(0), customer_to_json(kept));
    }
  }
  Statement update = TRY(Statement::prepare(
      ledger.database(), "UPDATE receipts SET customer_json = ?1 WHERE receipt_id = ?2"));
  for (const auto& [receipt_id, document] : rewritten) {
    TRY(update.bind_text(1, document));
    TRY(update.bind_text(2, receipt_id));
    TRY(update.run());
    update.reset();
  }
  return static_cast<std::int64_t>(rewritten.size());
}

// Documents that name `card` as their referrer (other customers' cache rows and receipts) name
// the pseudonym instead: the referrer's account was renamed, so refunds still find it, and the
// card number leaves those documents too. `table`: "customers" or "receipts".
Result<std::int64_t> relink_referrals(Ledger& ledger, std::string_view table, std::string_view card,
                                      std::string_view pseudonym) {
  const bool receipts = table == "receipts";
  const std::string key = receipts ? "receipt_id" : "customer_id";
  const std::string column = receipts ? "customer_json" : "state_json";
  // The writer puts "referred_by":"<id>" verbatim (ids need no escaping); LIKE only narrows the
  // rows down ('_' in an id matches any character), the parsed document decides.
  std::vector<std::pair<std::string, std::string>> rewritten;
  {
    Statement select = TRY(Statement::prepare(
        ledger.database(), "SELECT " + key + ", " + column + " FROM " + std::string(table) +
                               " WHERE " + column + " LIKE '%\"referred_by\":\"' || ?1 || '\"%'"));
    TRY(select.bind_text(1, card));
    while (TRY(select.step()) == Step::row) {
      Result<CustomerState> state = load_customer(select.column_text(1));
      if (!state.ok() || state->referred_by != card) continue;
      CustomerState relinked = std::move(state).value();
      relinked.referred_by = std::string(pseudonym);
      rewritten.emplace_back(select.column_text(0), customer_to_json(relinked));
    }
  }
  Statement update =
      TRY(Statement::prepare(ledger.database(), "UPDATE " + std::string(table) + " SET " + column +
                                                    " = ?1 WHERE " + key + " = ?2"));
  for (const auto& [id, document] : rewritten) {
    TRY(update.bind_text(1, document));
    TRY(update.bind_text(2, id));
    TRY(update.run());
    update.reset();
  }
  return static_cast<std::int64_t>(rewritten.size());
}

// An erased customer's open receipts are cancelled (their held points and reserved uses released):
// committing them
// later would need the personal data the erasure removes.
Result<std::int64_t> cancel_open_receipts(Ledger& ledger, const Transaction& transaction,
                                          std::string_view card, Timestamp at) {
  std::vector<std::string> open;
  {
    Statement select = TRY(Statement::prepare(
        ledger.database(),
        "SELECT receipt_id FROM receipts WHERE customer_id = ?1 AND state = 'open'"));
    TRY(select.bind_text(1, card));
    while (TRY(select.step()) == Step::row) open.push_back(select.column_text(0));
  }
  for (const std::string& receipt_id : open) {
    const std::optional<checkout_internal::ReceiptRow> row =
        TRY(checkout_internal::find_receipt(ledger, receipt_id));
    LOYALTY_ASSERT(row.has_value());
    TRY(checkout_internal::cancel_open(ledger, transaction, *row, at));
  }
  return static_cast<std::int64_t>(open.size());
}

}  // namespace

Status CustomerCache::refresh_from_hq(const CustomerState& state, Consent consent, Timestamp at) {
  TRY(validate_id(state.customer_id));
  Transaction transaction = TRY(ledger_->begin());
  TRY(customers_internal::refresh(*ledger_, state, consent, at));
  return transaction.commit();
}

Result<bool> CustomerCache::enrol(const CustomerState& state, Consent consent, Timestamp at) {
  TRY(validate_id(state.customer_id));
  CachedCustomer customer;
  customer.state = state;
  customer.state.known = false;
  customer.consent = consent;
  keep_only_consented(customer.state, consent);
  Transaction transaction = TRY(ledger_->begin());
  const std::optional<CachedCustomer> cached = TRY(load(*ledger_, state.customer_id));
  if (cached) {
    if (!cached->state.known && !cached->erased && cached->consent == consent &&
        cached->state.birthday == customer.state.birthday &&
        cached->state.segments == customer.state.segments) {
      return false;
    }
    return make_error(ErrorCode::conflict,
                      "card " + state.customer_id +
                          " is already a member here; look the customer up instead of enrolling "
                          "the card again");
  }
  TRY(store(*ledger_, std::move(customer), at));
  TRY(transaction.commit());
  return true;
}

Result<std::optional<CachedCustomer>> CustomerCache::find(std::string_view customer_id) {
  Transaction snapshot = TRY(Transaction::begin(ledger_->database(), TransactionKind::read));
  std::optional<CachedCustomer> found = TRY(load(*ledger_, customer_id));
  TRY(snapshot.commit());
  return found;
}

Status CustomerCache::block(std::string_view customer_id, std::string_view reason, Timestamp at) {
  TRY(validate_block(customer_id, reason));
  Transaction transaction = TRY(ledger_->begin());
  TRY(customers_internal::list_blocked(*ledger_, customer_id, reason, at));
  return transaction.commit();
}

Status CustomerCache::unblock(std::string_view customer_id) {
  Transaction transaction = TRY(ledger_->begin());
  TRY(customers_internal::unlist_blocked(*ledger_, customer_id));
  return transaction.commit();
}

Result<std::optional<std::string>> CustomerCache::blocked(std::string_view customer_id) {
  return blocked_reason(*ledger_, customer_id);
}

Result<ErasureReport> CustomerCache::erase(std::string_view customer_id, Timestamp at) {
  TRY(validate_id(customer_id));
  Transaction transaction = TRY(ledger_->begin());
  ErasureReport report = TRY(customers_internal::erase(*ledger_, transaction, customer_id, at));
  TRY(transaction.commit());
  return report;
}

namespace customers_internal {

Result<ErasureReport> erase(Ledger& ledger, const Transaction& transaction,
                            std::string_view customer_id, Timestamp at) {
  ErasureReport report;
  report.pseudonym = TRY(random_pseudonym());
  report.cancelled = TRY(cancel_open_receipts(ledger, transaction, customer_id, at));
  report.accounts = TRY(run_counted(ledger,
                                    "UPDATE accounts SET owner = ?1 WHERE owner = ?2 "
                                    "AND kind IN ('customer_points', 'overdraft_receivable')",
                                    customer_id, report.pseudonym));
  report.counters =
      TRY(run_counted(ledger, "UPDATE counters SET customer_id = ?1 WHERE customer_id = ?2",
                      customer_id, report.pseudonym));
  // The account keeps its pseudonym at HQ; nothing here links it to the card any more.
  TRY(run_counted(ledger, "UPDATE pseudonyms SET owner = ?1 WHERE owner = ?2", customer_id,
                  report.pseudonym));
  const std::int64_t receipts =
      TRY(run_counted(ledger, "UPDATE receipts SET customer_id = ?1 WHERE customer_id = ?2",
                      customer_id, report.pseudonym));
  report.receipts = TRY(depersonalise_receipts(ledger, report.pseudonym));
  report.referrals = TRY(relink_referrals(ledger, "customers", customer_id, report.pseudonym)) +
                     TRY(relink_referrals(ledger, "receipts", customer_id, report.pseudonym));
  LOYALTY_ASSERT(report.receipts <= receipts);
  const std::optional<CachedCustomer> cached = TRY(load(ledger, customer_id));
  TRY(unlist_blocked(ledger, customer_id));
  if (!cached && report.accounts == 0 && report.counters == 0 && receipts == 0) {
    return make_error(ErrorCode::not_found,
                      "customer " + std::string(customer_id) + " is not known to this ledger");
  }
  // The cache row moves to the pseudonym with nothing personal left: the tier and counts stay
  // (they explain later quotes), the consent flags and the HQ link go.
  Statement remove =
      TRY(Statement::prepare(ledger.database(), "DELETE FROM customers WHERE customer_id = ?1"));
  TRY(remove.bind_text(1, customer_id));
  TRY(remove.run());
  if (cached) {
    CachedCustomer kept = *cached;
    kept.state.customer_id = report.pseudonym;
    kept.state.birthday.reset();
    kept.state.segments.clear();
    kept.state.referred_by.clear();
    kept.consent = Consent{};
    kept.hq_refreshed_at.reset();
    TRY(store(ledger, std::move(kept), at));
    Statement mark = TRY(Statement::prepare(
        ledger.database(),
        "UPDATE customers SET erased = 1, erased_at = ?1 WHERE customer_id = ?2"));
    TRY(mark.bind_int64(1, at.unix_seconds));
    TRY(mark.bind_text(2, report.pseudonym));
    TRY(mark.run());
  }
  return report;
}

}  // namespace customers_internal

}  // namespace loyalty::storage
