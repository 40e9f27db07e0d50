// apply_hq_update: HQ's customers, blocklist changes, erasure orders and points corrections in one
// transaction that checks the ledger before it commits. docs/storage.md ("HQ updates").

#include "loyalty/storage/hq_update.h"

#include <string>
#include <utility>

#include "checkout/internal.h"
#include "customers/internal.h"
#include "hq/annex.h"
#include "hq/downlink_items.h"
#include "lots/internal.h"
#include "loyalty/core/documents.h"
#include "loyalty/core/json.h"
#include "loyalty/core/limits.h"
#include "loyalty/storage/events.h"
#include "loyalty/storage/lots.h"
#include "loyalty/storage/statement.h"

namespace loyalty::storage {

namespace {

using checkout_internal::netstring;

std::string update_name(const HqUpdate& update) { return "HQ update " + update.update_id; }

Status validate(const HqUpdate& update) {
  if (update.update_id.empty() || update.update_id.size() > limits::ledger_text_bytes_max) {
    return make_error(ErrorCode::invalid_argument,
                      "HQ update: the update id must be 1.." +
                          std::to_string(limits::ledger_text_bytes_max) + " bytes");
  }
  const std::size_t items = update.customers.size() + update.block.size() + update.unblock.size() +
                            update.erase.size() + update.corrections.size() +
                            update.pseudonym_blocks.size() + update.erase_pseudonyms.size() +
                            update.balances.size() + update.bundles.size() + update.keys.size();
  if (items > limits::hq_update_items_max) {
    return make_error(ErrorCode::invalid_argument,
                      update_name(update) + " has " + std::to_string(items) + " items, more than " +
                          std::to_string(limits::hq_update_items_max) + ": split it");
  }
  const std::string name = update_name(update);
  for (const HqCustomer& customer : update.customers) {
    Status valid = customers_internal::validate_id(customer.state.customer_id);
    if (!valid.ok()) return make_error(valid.error().code, name + ": " + valid.error().message);
  }
  for (const HqBlock& block : update.block) {
    Status valid = customers_internal::validate_block(block.customer_id, block.reason);
    if (!valid.ok()) return make_error(valid.error().code, name + ": " + valid.error().message);
  }
  for (const std::string& card : update.unblock) TRY(customers_internal::validate_id(card));
  for (const std::string& card : update.erase) TRY(customers_internal::validate_id(card));
  for (const HqCorrection& correction : update.corrections) {
    TRY(customers_internal::validate_id(correction.customer_id));
    if (correction.correction_id.empty() ||
        correction.correction_id.size() + 3 > limits::ledger_text_bytes_max) {
      return make_error(ErrorCode::invalid_argument,
                        name + ": a correction id must be 1.." +
                            std::to_string(limits::ledger_text_bytes_max - 3) + " bytes");
    }
    if (correction.points <= Points(0) || correction.points > Points(limits::points_max)) {
      return make_error(ErrorCode::invalid_argument,
                        name + ": correction " + correction.correction_id + " moves " +
                            std::to_string(correction.points.value()) + " points, outside 1.." +
                            std::to_string(limits::points_max));
    }
  }
  return hq_internal::validate_downlink_items(update);
}

// SHA-256 of every field, as netstrings: what makes two updates under one id "the same".
std::string request_hash(const HqUpdate& update) {
  std::string input;
  netstring(input, update.update_id);
  for (const HqCustomer& customer : update.customers) {
    netstring(input, "customer");
    netstring(input, customer_to_json(customer.state));
    netstring(input, customer.consent.marketing ? "1" : "0");
    netstring(input, customer.consent.profile ? "1" : "0");
  }
  for (const HqBlock& block : update.block) {
    netstring(input, "block");
    netstring(input, block.customer_id);
    netstring(input, block.reason);
  }
  for (const std::string& card : update.unblock) {
    netstring(input, "unblock");
    netstring(input, card);
  }
  for (const std::string& card : update.erase) {
    netstring(input, "erase");
    netstring(input, card);
  }
  for (const HqCorrection& correction : update.corrections) {
    netstring(input, "correction");
    netstring(input, correction.correction_id);
    netstring(input, correction.customer_id);
    netstring(input, std::to_string(correction.points.value()));
    netstring(input, correction.grant ? "grant" : "take");
    netstring(input, correction.expires_at ? std::to_string(correction.expires_at->unix_seconds)
                                           : std::string());
  }
  hq_internal::hash_downlink_items(update, input);
  return sha256_hex(input);
}

// Points in the account's lots that can be spent at `at` and that no open receipt holds.
Result<Points> lots_spare(Ledger& ledger, AccountId account, Timestamp at) {
  const std::vector<lots_internal::SpareLot> lots =
      TRY(lots_internal::spare_lots(ledger, account, at, lots_internal::LotSelection::usable));
  Points spare;
  for (const lots_internal::SpareLot& lot : lots) spare += lot.spare;  // customer_lots_max
  return spare;
}

// A grant credits a lot; a take-back takes what the lots hold now and the rest as an overdraft
// the customer owes (like a return of points already spent).
Status correct(Ledger& ledger, const Transaction& transaction, const HqCorrection& correction,
               Timestamp at) {
  const std::string source = "hq:" + correction.correction_id;
  const AccountId account = TRY(ledger.find_or_create_account(
      transaction, AccountKind::customer_points, correction.customer_id, at));
  if (correction.grant) {
    LotCredit credit;
    credit.account = account;
    credit.points = correction.points;
    credit.active_from = at;
    credit.expires_at = correction.expires_at;
    credit.source = source;
    credit.at = at;
    TRY(credit_lot(ledger, transaction, credit));
    return {};
  }
  const AccountId issuance =
      TRY(lots_internal::chain_account(ledger, transaction, AccountKind::issuance, at));
  const Balance balance = TRY(ledger.balance(account));
  const Points in_lots = TRY(lots_spare(ledger, account, at));
  Points take = min_of(correction.points, min_of(in_lots, balance.available()));
  if (take < Points(0)) take = Points(0);
  if (take > Points(0)) {
    TRY(lots_internal::take_from_lots(
        ledger, transaction,
        lots_internal::LotTake{account, issuance, take, TransferCode::correction, "", std::nullopt,
                               source, at, std::nullopt}));
  }
  const Points owed = correction.points - take;
  if (owed > Points(0)) {
    TRY(lots_internal::take_as_overdraft(ledger, transaction, account, correction.customer_id,
                                         issuance, owed, TransferCode::correction, "", std::nullopt,
                                         source, at));
  }
  return {};
}

std::string summary_of(const HqUpdate& update, std::int64_t erased,
                       const std::vector<HqCorrection>& synced, std::int64_t tiers) {
  json::Writer out;
  out.begin_object();
  out.key("update_id");
  out.value(update.update_id);
  out.key("customers");
  out.value(static_cast<std::int64_t>(update.customers.size()));
  out.key("blocked");
  out.value(static_cast<std::int64_t>(update.block.size()));
  out.key("unblocked");
  out.value(static_cast<std::int64_t>(update.unblock.size()));
  out.key("erased");
  out.value(erased);
  out.key("corrections");
  out.begin_array();
  for (const HqCorrection& correction : update.corrections) out.value(correction.correction_id);
  out.end_array();
  out.key("pseudonym_key");
  if (update.pseudonym_key) {
    out.value(update.pseudonym_key->key_id);  // the id only: the key is a secret
  } else {
    out.null();
  }
  out.key("pseudonym_blocks");
  out.value(static_cast<std::int64_t>(update.pseudonym_blocks.size()));
  out.key("balances");
  out.value(static_cast<std::int64_t>(update.balances.size()));
  out.key("balances_corrected");
  out.value(static_cast<std::int64_t>(synced.size()));
  out.key("tiers_taken");
  out.value(tiers);
  out.key("bundles");
  out.begin_array();
  for (const HqBundle& bundle : update.bundles) {
    out.value(bundle.program_id + "@" + std::to_string(bundle.version));
  }
  out.end_array();
  out.key("keys");
  out.begin_array();
  for (const HqDeliveredKey& key : update.keys) out.value(hq_internal::key_name(key.use, key.key_id));
  out.end_array();
  out.key("downlink_version");
  if (update.downlink_version) {
    out.value(*update.downlink_version);
  } else {
    out.null();
  }
  out.end_object();
  return out.take();
}

// Only balance views and the downlink version: the kind of update that may change nothing.
bool only_views(const HqUpdate& update) {
  return update.customers.empty() && update.block.empty() && update.unblock.empty() &&
         update.erase.empty() && update.corrections.empty() && !update.pseudonym_key &&
         update.pseudonym_blocks.empty() && update.erase_pseudonyms.empty() &&
         update.bundles.empty() && update.keys.empty();
}

// Only views, and none of them moved anything: the ledger would record an event that changes
// nothing.
bool changes_nothing(const HqUpdate& update, const std::vector<HqCorrection>& synced,
                     std::int64_t tiers) {
  return only_views(update) && synced.empty() && tiers == 0;
}

Error broken(const HqUpdate& update, const LedgerReport& report) {
  return make_error(ErrorCode::conflict, update_name(update) +
                                             " would leave the ledger failing its check, so "
                                             "nothing of it was applied: " +
                                             report.first_problems());
}

}  // namespace

Result<HqUpdateResult> apply_hq_update(Ledger& ledger, const HqUpdate& update, Timestamp at) {
  TRY(validate(update));
  const std::string hash = request_hash(update);
  Transaction transaction = TRY(ledger.begin());
  {
    Statement done = TRY(Statement::prepare(
        ledger.database(),
        "SELECT request_hash, summary, event_seq FROM hq_updates WHERE update_id = ?1"));
    TRY(done.bind_text(1, update.update_id));
    if (TRY(done.step()) == Step::row) {
      if (done.column_text(0) != hash) {
        return make_error(ErrorCode::conflict, update_name(update) +
                                                   " was already applied with different "
                                                   "content; HQ must use a new update id");
      }
      return HqUpdateResult{update.update_id, done.column_text(1), done.column_int64(2), true};
    }
  }
  // An update of views that changed nothing is not recorded; its downlink version is. Delivered
  // again, it is a replay (anything else at that version is the conflict below).
  if (only_views(update) && update.downlink_version &&
      *update.downlink_version == TRY(applied_downlink_version(ledger))) {
    return HqUpdateResult{update.update_id, summary_of(update, 0, {}, 0), 0, true};
  }
  for (const HqCustomer& customer : update.customers) {
    TRY(customers_internal::refresh(ledger, customer.state, customer.consent, at));
  }
  for (const HqBlock& block : update.block) {
    TRY(customers_internal::list_blocked(ledger, block.customer_id, block.reason, at));
  }
  for (const std::string& card : update.unblock) {
    TRY(customers_internal::unlist_blocked(ledger, card));
  }
  std::int64_t erased = 0;
  for (const std::string& card : update.erase) {
    Result<ErasureReport> report = customers_internal::erase(ledger, transaction, card, at);
    if (report.ok()) {
      ++erased;
    } else if (report.error().code != ErrorCode::not_found) {
      return std::move(report).error();  // a card never seen here has nothing to erase
    }
  }
  const std::int64_t transfers_before = TRY(hq_internal::last_transfer_id(ledger));
  for (const HqCorrection& correction : update.corrections) {
    TRY(correct(ledger, transaction, correction, at));
  }
  // The key first: the annex of this very update names its owners with it.
  if (update.pseudonym_key) {
    TRY(install_pseudonym_key(ledger, transaction, *update.pseudonym_key, at));
  }
  TRY(hq_internal::apply_pseudonym_blocks(ledger, update, at));
  erased += TRY(hq_internal::erase_by_pseudonym(ledger, transaction, update, at));
  const std::vector<HqCorrection> synced =
      TRY(hq_internal::balance_corrections(ledger, transaction, update, at));
  for (const HqCorrection& correction : synced) {
    TRY(correct(ledger, transaction, correction, at));
  }
  const std::int64_t tiers = TRY(hq_internal::apply_tier_periods(ledger, update, at));
  TRY(hq_internal::store_bundles(ledger, update, at));
  TRY(hq_internal::store_keys(ledger, update));
  TRY(hq_internal::record_downlink_version(ledger, update));
  HqUpdateResult result{update.update_id, summary_of(update, erased, synced, tiers), 0, false};
  if (changes_nothing(update, synced, tiers)) {
    TRY(transaction.commit());
    return result;
  }
  const std::string annex = TRY(hq_internal::build_annex(
      ledger, transaction, hq_internal::AnnexInput{transfers_before, "", 0, std::nullopt}));
  const EventRow event =
      TRY(append_event(ledger, transaction, "hq_update", "", result.summary_json, at,
                       PayloadCheck::written_by_core, annex));
  result.event_seq = event.seq;
  Statement record = TRY(Statement::prepare(
      ledger.database(),
      "INSERT INTO hq_updates (update_id, request_hash, summary, event_seq, applied_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5)"));
  TRY(record.bind_text(1, update.update_id));
  TRY(record.bind_text(2, hash));
  TRY(record.bind_text(3, result.summary_json));
  TRY(record.bind_int64(4, result.event_seq));
  TRY(record.bind_int64(5, at.unix_seconds));
  TRY(record.run());
  // The invariants hold after every applied update, or nothing of it is applied.
  const LedgerReport report = TRY(ledger.check_within(transaction));
  if (!report.ok()) return broken(update, report);
  TRY(transaction.commit());
  return result;
}

}  // namespace loyalty::storage
