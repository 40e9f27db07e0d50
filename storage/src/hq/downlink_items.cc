// The downlink's items inside apply_hq_update (downlink_items.h, docs/sync.md "Downlink").

#include "hq/downlink_items.h"

#include <algorithm>
#include <string>

#include "checkout/internal.h"
#include "customers/internal.h"
#include "loyalty/core/json.h"
#include "loyalty/core/limits.h"
#include "loyalty/core/program_loader.h"
#include "loyalty/storage/pseudonyms.h"
#include "loyalty/storage/statement.h"

namespace loyalty::storage::hq_internal {

namespace {

using checkout_internal::netstring;

Status bad(const HqUpdate& update, const std::string& what) {
  return make_error(ErrorCode::invalid_argument, "HQ update " + update.update_id + ": " + what);
}

Status validate_pseudonym(const HqUpdate& update, std::string_view pseudonym) {
  if (is_pseudonym(pseudonym)) return {};
  return bad(update, "\"" + std::string(pseudonym.substr(0, 80)) +
                         "\" is not a pseudonym (ps1_ and 32 hex digits)");
}

Status validate_bundle(const HqUpdate& update, const HqBundle& bundle) {
  if (bundle.program_id.empty() || bundle.program_id.size() > limits::id_bytes_max ||
      bundle.key_id.empty() || bundle.key_id.size() > limits::id_bytes_max) {
    return bad(update, "a bundle needs a program id and a key id of 1.." +
                           std::to_string(limits::id_bytes_max) + " bytes");
  }
  if (bundle.version <= 0) {
    return bad(update, "bundle " + bundle.program_id + " has version " +
                           std::to_string(bundle.version) + "; versions start at 1");
  }
  if (bundle.bundle_json.empty() || bundle.bundle_json.size() > limits::json_bytes_max) {
    return bad(update, "bundle " + bundle.program_id + " must be 1.." +
                           std::to_string(limits::json_bytes_max) + " bytes of JSON");
  }
  return {};
}

// The net points the annexes of events after `after_seq` moved on the pseudonym's accounts,
// HQ's own transfers ("hq:" sources) aside: what HQ had not seen when it computed its view.
Result<std::int64_t> unseen_net(Ledger& ledger, std::string_view pseudonym,
                                std::int64_t after_seq) {
  const std::string points = "customer_points:" + std::string(pseudonym);
  const std::string owed = "overdraft_receivable:" + std::string(pseudonym);
  Statement events = TRY(Statement::prepare(
      ledger.database(),
      "SELECT annex FROM events WHERE seq > ?1 AND annex IS NOT NULL AND instr(annex, ?2) > 0"));
  TRY(events.bind_int64(1, after_seq));
  TRY(events.bind_text(2, pseudonym));
  std::int64_t net = 0;
  while (TRY(events.step()) == Step::row) {  // the events not yet at HQ
    const json::Value annex = TRY(json::parse(events.column_text(0)));
    const json::Value* movements = annex.find("movements");
    LOYALTY_ASSERT(movements != nullptr && movements->is_array());  // storage wrote it
    for (const json::Value& movement : movements->as_array()) {
      if (movement.find("source")->as_string().starts_with("hq:")) continue;
      const std::int64_t amount = movement.find("points")->as_int();
      const std::string& debit = movement.find("debit")->as_string();
      const std::string& credit = movement.find("credit")->as_string();
      if (credit == points || credit == owed) net += amount;
      if (debit == points || debit == owed) net -= amount;
    }
  }
  return net;
}

// The net position of the card's points here: its balance plus its overdraft account's (which
// is negative by what the customer owes).
Result<std::int64_t> local_net(Ledger& ledger, const Transaction& transaction,
                               const std::string& owner, Timestamp at) {
  std::int64_t net = 0;
  for (AccountKind kind : {AccountKind::customer_points, AccountKind::overdraft_receivable}) {
    const AccountId account = TRY(ledger.find_or_create_account(transaction, kind, owner, at));
    net += TRY(ledger.balance(account)).posted().value();
  }
  return net;
}

}  // namespace

Status validate_downlink_items(const HqUpdate& update) {
  if (update.pseudonym_key) TRY(validate_pseudonym_key(*update.pseudonym_key));
  for (const HqPseudonymBlock& block : update.pseudonym_blocks) {
    TRY(validate_pseudonym(update, block.pseudonym));
    if (block.reason.size() > limits::ledger_text_bytes_max) {
      return bad(update, "the block reason of " + block.pseudonym + " is longer than " +
                             std::to_string(limits::ledger_text_bytes_max) + " bytes");
    }
  }
  for (const std::string& pseudonym : update.erase_pseudonyms) {
    TRY(validate_pseudonym(update, pseudonym));
  }
  for (const HqBalance& balance : update.balances) {
    TRY(validate_pseudonym(update, balance.pseudonym));
    if (balance.as_of_seq < 0 || balance.net_points > limits::points_max ||
        balance.net_points < -limits::points_max) {
      return bad(update, "the balance of " + balance.pseudonym + " is out of range");
    }
    if (balance.tier &&
        (balance.tier->tier.size() > limits::id_bytes_max || balance.tier->period_spend < 0 ||
         balance.tier->period_spend > limits::amount_minor_max || balance.tier->period_points < 0 ||
         balance.tier->period_points > limits::points_max)) {
      return bad(update, "the tier period of " + balance.pseudonym + " is out of range");
    }
  }
  for (const HqBundle& bundle : update.bundles) TRY(validate_bundle(update, bundle));
  for (const HqDeliveredKey& key : update.keys) {
    if (key.key_id.empty() || key.key_id.size() > limits::id_bytes_max) {
      return bad(update, "a delivered key id must be 1.." + std::to_string(limits::id_bytes_max) +
                             " bytes");
    }
    if (key.material.empty() || key.material.size() > limits::ledger_text_bytes_max * 16) {
      return bad(update, "the key " + key.key_id + " has no material or too much");
    }
  }
  if (update.downlink_version && *update.downlink_version <= 0) {
    return bad(update, "a downlink version starts at 1");
  }
  return {};
}

void hash_downlink_items(const HqUpdate& update, std::string& input) {
  if (update.pseudonym_key) {
    netstring(input, "pseudonym_key");
    netstring(input, update.pseudonym_key->key_id);
    netstring(input, update.pseudonym_key->key_hex);
  }
  for (const HqPseudonymBlock& block : update.pseudonym_blocks) {
    netstring(input, "pseudonym_block");
    netstring(input, block.pseudonym);
    netstring(input, block.reason);
  }
  for (const std::string& pseudonym : update.erase_pseudonyms) {
    netstring(input, "erase_pseudonym");
    netstring(input, pseudonym);
  }
  for (const HqBalance& balance : update.balances) {
    netstring(input, "balance");
    netstring(input, balance.pseudonym);
    netstring(input, std::to_string(balance.net_points));
    netstring(input, std::to_string(balance.as_of_seq));
    netstring(input, balance.expires_at ? std::to_string(balance.expires_at->unix_seconds) : "");
    if (balance.tier) {
      netstring(input, "tier");
      netstring(input, balance.tier->tier);
      netstring(input, balance.tier->review_at
                           ? std::to_string(balance.tier->review_at->unix_seconds)
                           : "");
      netstring(input, std::to_string(balance.tier->period_spend));
      netstring(input, std::to_string(balance.tier->period_points));
    }
  }
  for (const HqBundle& bundle : update.bundles) {
    netstring(input, "bundle");
    netstring(input, bundle.program_id);
    netstring(input, std::to_string(bundle.version));
    netstring(input, std::to_string(bundle.effective_from.unix_seconds));
    netstring(input, bundle.key_id);
    netstring(input, bundle.bundle_json);
  }
  for (const HqDeliveredKey& key : update.keys) {
    netstring(input, "key");
    netstring(input, key_name(key.use, key.key_id));
    netstring(input, key.material);
  }
  if (update.downlink_version) {
    netstring(input, "downlink_version");
    netstring(input, std::to_string(*update.downlink_version));
  }
}

Status apply_pseudonym_blocks(Ledger& ledger, const HqUpdate& update, Timestamp at) {
  for (const HqPseudonymBlock& block : update.pseudonym_blocks) {  // hq_update_items_max
    Statement change = TRY(Statement::prepare(
        ledger.database(),
        block.reason.empty()
            ? "DELETE FROM blocked_pseudonyms WHERE pseudonym = ?1"
            : "INSERT INTO blocked_pseudonyms (pseudonym, reason, listed_at) VALUES (?1, ?2, ?3) "
              "ON CONFLICT (pseudonym) DO UPDATE SET reason = excluded.reason, "
              "listed_at = excluded.listed_at"));
    TRY(change.bind_text(1, block.pseudonym));
    if (!block.reason.empty()) {
      TRY(change.bind_text(2, block.reason));
      TRY(change.bind_int64(3, at.unix_seconds));
    }
    TRY(change.run());
  }
  return {};
}

Result<std::int64_t> erase_by_pseudonym(Ledger& ledger, const Transaction& transaction,
                                        const HqUpdate& update, Timestamp at) {
  std::int64_t erased = 0;
  for (const std::string& pseudonym : update.erase_pseudonyms) {  // hq_update_items_max
    const std::optional<std::string> owner = TRY(owner_of_pseudonym(ledger, pseudonym));
    // Unknown here, or already erased (the row then names the erased account): nothing to do.
    if (!owner || owner->starts_with(customers_internal::pseudonym_prefix)) continue;
    Result<ErasureReport> report = customers_internal::erase(ledger, transaction, *owner, at);
    if (!report.ok() && report.error().code != ErrorCode::not_found) {
      return std::move(report).error();
    }
    if (report.ok()) ++erased;
  }
  return erased;
}

Result<std::vector<HqCorrection>> balance_corrections(Ledger& ledger,
                                                      const Transaction& transaction,
                                                      const HqUpdate& update, Timestamp at) {
  std::vector<HqCorrection> corrections;
  for (const HqBalance& balance : update.balances) {  // hq_update_items_max
    const std::optional<std::string> owner = TRY(owner_of_pseudonym(ledger, balance.pseudonym));
    if (!owner) continue;
    const std::int64_t target =
        balance.net_points + TRY(unseen_net(ledger, balance.pseudonym, balance.as_of_seq));
    const std::int64_t difference = target - TRY(local_net(ledger, transaction, *owner, at));
    if (difference == 0) continue;
    HqCorrection correction;
    correction.correction_id = "sync:" + update.update_id + ":" + balance.pseudonym;
    correction.customer_id = *owner;
    correction.points = Points(difference > 0 ? difference : -difference);
    correction.grant = difference > 0;
    correction.expires_at = balance.expires_at;
    corrections.push_back(std::move(correction));
  }
  return corrections;
}

namespace {

// The tier ids of the program stored last, lowest first (for a caller that does not name the
// running program's); empty when the ledger holds none or it does not load.
Result<std::vector<std::string>> current_tier_order(Ledger& ledger) {
  Statement select = TRY(Statement::prepare(
      ledger.database(), "SELECT bundle FROM programs ORDER BY created_at DESC LIMIT 1"));
  std::vector<std::string> order;
  if (TRY(select.step()) != Step::row) return order;
  const Result<Program> program = load_program(select.column_text(0));
  if (!program.ok()) return order;
  for (const Tier& tier : program->tiers.tiers) order.push_back(tier.id);
  return order;
}

// The rank of `tier` in `order` ("" is the entry tier); nullopt when the program has no such tier.
std::optional<std::size_t> rank_of(const std::vector<std::string>& order, const std::string& tier) {
  if (tier.empty()) return std::size_t{0};
  const auto found = std::find(order.begin(), order.end(), tier);
  if (found == order.end()) return std::nullopt;
  return static_cast<std::size_t>(found - order.begin());
}

}  // namespace

Result<std::int64_t> apply_tier_periods(Ledger& ledger, const HqUpdate& update, Timestamp at) {
  std::int64_t changed = 0;
  std::optional<std::vector<std::string>> order;      // read when first needed
  for (const HqBalance& balance : update.balances) {  // hq_update_items_max
    if (!balance.tier) continue;
    const std::optional<std::string> owner = TRY(owner_of_pseudonym(ledger, balance.pseudonym));
    if (!owner) continue;
    std::optional<CachedCustomer> cached = TRY(customers_internal::load(ledger, *owner));
    if (!cached || cached->erased) continue;
    // A receipt or return of the card written here after as_of_seq: the row is newer than HQ's.
    Statement newer = TRY(Statement::prepare(
        ledger.database(),
        "SELECT 1 FROM events WHERE seq > ?1 AND kind IN ('checkout', 'refund') AND "
        "instr(annex, ?2) > 0 AND json_extract(annex, '$.customer') = ?2 LIMIT 1"));
    TRY(newer.bind_int64(1, balance.as_of_seq));
    TRY(newer.bind_text(2, balance.pseudonym));
    if (TRY(newer.step()) == Step::row) continue;
    CustomerState& state = cached->state;
    const HqTierPeriod& period = *balance.tier;
    const HqTierPeriod held{state.tier, state.tier_review_at, state.period_spend,
                            state.period_points_earned};
    if (held == period) continue;
    // HQ's tier is taken when a review elsewhere started a later period (its outcome may be
    // lower), or when it ranks above this row's (an upgrade at another store); otherwise the
    // row's stays: HQ's ordering of reports from several stores cannot lower a tier.
    // HQ behind a review this terminal already made: nothing of HQ's period applies.
    if (state.tier_review_at && period.review_at && *period.review_at < *state.tier_review_at) {
      continue;
    }
    const bool reviewed_elsewhere =
        period.review_at && (!state.tier_review_at || *state.tier_review_at < *period.review_at);
    bool take_tier = reviewed_elsewhere;
    if (!take_tier && period.tier != state.tier) {
      if (!order) {
        order = update.tier_order.empty() ? TRY(current_tier_order(ledger)) : update.tier_order;
      }
      const std::optional<std::size_t> theirs = rank_of(*order, period.tier);
      const std::optional<std::size_t> ours = rank_of(*order, state.tier);
      take_tier = theirs && (!ours || *ours < *theirs);
    }
    // In the same period the counters never go below this row's: HQ may not hold all the row
    // counts (receipts of a build that sent no tier reports).
    HqTierPeriod next{take_tier ? period.tier : state.tier, period.review_at, period.period_spend,
                      period.period_points};
    if (!reviewed_elsewhere) {
      next.period_spend = std::max(next.period_spend, state.period_spend);
      next.period_points = std::max(next.period_points, state.period_points_earned);
    }
    if (next == held) continue;
    state.tier = next.tier;
    state.tier_review_at = next.review_at;
    state.period_spend = next.period_spend;
    state.period_points_earned = next.period_points;
    TRY(customers_internal::store(ledger, std::move(*cached), at));
    ++changed;
  }
  return changed;
}

Status store_bundles(Ledger& ledger, const HqUpdate& update, Timestamp at) {
  for (const HqBundle& bundle : update.bundles) {  // hq_update_items_max
    Statement newest = TRY(Statement::prepare(
        ledger.database(),
        "SELECT version, bundle FROM bundles WHERE program_id = ?1 ORDER BY version DESC LIMIT 1"));
    TRY(newest.bind_text(1, bundle.program_id));
    if (TRY(newest.step()) == Step::row) {
      const std::int64_t held = newest.column_int64(0);
      if (held == bundle.version && newest.column_text(1) == bundle.bundle_json) continue;
      if (held >= bundle.version) {
        return make_error(ErrorCode::conflict,
                          "bundle " + bundle.program_id + " version " +
                              std::to_string(bundle.version) + " refused: this terminal has " +
                              (held == bundle.version ? "that version with other content"
                                                      : "version " + std::to_string(held)) +
                              "; HQ must publish a newer version");
      }
    }
    Statement insert = TRY(Statement::prepare(
        ledger.database(),
        "INSERT INTO bundles (program_id, version, effective_from, key_id, bundle, received_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
    TRY(insert.bind_text(1, bundle.program_id));
    TRY(insert.bind_int64(2, bundle.version));
    TRY(insert.bind_int64(3, bundle.effective_from.unix_seconds));
    TRY(insert.bind_text(4, bundle.key_id));
    TRY(insert.bind_text(5, bundle.bundle_json));
    TRY(insert.bind_int64(6, at.unix_seconds));
    TRY(insert.run());
  }
  return {};
}

std::string key_name(HqDeliveredKey::Use use, std::string_view key_id) {
  return std::string(use == HqDeliveredKey::Use::bundle_signing ? "signing_key:"
                                                                : "app_token_key:") +
         std::string(key_id);
}

Status store_keys(Ledger& ledger, const HqUpdate& update) {
  for (const HqDeliveredKey& key : update.keys) {
    const std::string name = key_name(key.use, key.key_id);
    Statement select =
        TRY(Statement::prepare(ledger.database(), "SELECT value FROM sync_state WHERE name = ?1"));
    TRY(select.bind_text(1, name));
    if (TRY(select.step()) == Step::row) {
      if (select.column_text(0) == key.material) continue;
      return make_error(ErrorCode::conflict, "HQ update " + update.update_id + ": key " +
                                                 key.key_id +
                                                 " is held already with other material (a key "
                                                 "id names one key forever)");
    }
    Statement insert = TRY(Statement::prepare(
        ledger.database(), "INSERT INTO sync_state (name, value) VALUES (?1, ?2)"));
    TRY(insert.bind_text(1, name));
    TRY(insert.bind_text(2, key.material));
    TRY(insert.run());
  }
  return {};
}

Status record_downlink_version(Ledger& ledger, const HqUpdate& update) {
  if (!update.downlink_version) return {};
  const std::int64_t held = TRY(applied_downlink_version(ledger));
  if (*update.downlink_version <= held) {
    return make_error(ErrorCode::conflict,
                      "HQ update " + update.update_id + " brings downlink version " +
                          std::to_string(*update.downlink_version) + ", but version " +
                          std::to_string(held) + " is applied already");
  }
  Statement upsert =
      TRY(Statement::prepare(ledger.database(),
                             "INSERT INTO sync_state (name, value) VALUES ('downlink_version', ?1) "
                             "ON CONFLICT (name) DO UPDATE SET value = excluded.value"));
  TRY(upsert.bind_text(1, std::to_string(*update.downlink_version)));
  return upsert.run();
}

}  // namespace loyalty::storage::hq_internal

namespace loyalty::storage {

Result<std::int64_t> applied_downlink_version(Ledger& ledger) {
  Statement select = TRY(Statement::prepare(
      ledger.database(), "SELECT value FROM sync_state WHERE name = 'downlink_version'"));
  if (TRY(select.step()) != Step::row) return std::int64_t{0};
  return static_cast<std::int64_t>(std::stoll(select.column_text(0)));  // written by us
}

Result<std::vector<HqDeliveredKey>> delivered_keys(Ledger& ledger, HqDeliveredKey::Use use) {
  const std::string prefix = hq_internal::key_name(use, "");
  Statement select = TRY(Statement::prepare(
      ledger.database(),
      "SELECT name, value FROM sync_state WHERE substr(name, 1, length(?1)) = ?1 ORDER BY name"));
  TRY(select.bind_text(1, prefix));
  std::vector<HqDeliveredKey> keys;
  while (TRY(select.step()) == Step::row) {
    keys.push_back(
        HqDeliveredKey{use, select.column_text(0).substr(prefix.size()), select.column_text(1)});
  }
  return keys;
}

Result<std::optional<HqBundle>> effective_bundle(Ledger& ledger, std::string_view program_id,
                                                 Timestamp at) {
  Statement select = TRY(
      Statement::prepare(ledger.database(),
                         "SELECT program_id, version, effective_from, key_id, bundle FROM bundles "
                         "WHERE (?1 = '' OR program_id = ?1) AND effective_from <= ?2 "
                         "ORDER BY effective_from DESC, version DESC LIMIT 1"));
  TRY(select.bind_text(1, program_id));
  TRY(select.bind_int64(2, at.unix_seconds));
  if (TRY(select.step()) != Step::row) return std::optional<HqBundle>();
  return std::optional<HqBundle>(HqBundle{select.column_text(0), select.column_int64(1),
                                          Timestamp{select.column_int64(2)}, select.column_text(3),
                                          select.column_text(4)});
}

Result<std::optional<Timestamp>> next_effective_from(Ledger& ledger, Timestamp at) {
  Statement select = TRY(Statement::prepare(
      ledger.database(), "SELECT MIN(effective_from) FROM bundles WHERE effective_from > ?1"));
  TRY(select.bind_int64(1, at.unix_seconds));
  if (TRY(select.step()) != Step::row || select.column_is_null(0)) {
    return std::optional<Timestamp>();
  }
  return std::optional<Timestamp>(Timestamp{select.column_int64(0)});
}

}  // namespace loyalty::storage
