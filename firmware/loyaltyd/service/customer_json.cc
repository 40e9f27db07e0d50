#include "service/customer_json.h"

#include "loyalty/core/identification_json.h"
#include "loyalty/core/json.h"
#include "loyalty/storage/views.h"

namespace loyalty::daemon {

namespace {

void write_balance_members(json::Writer& out, const storage::Balance& balance) {
  out.key("posted");
  out.value(balance.posted().value());
  out.key("pending");
  out.value(balance.debits_pending.value());
  out.key("available");
  out.value(balance.available().value());
}

const Tier* tier_of(const Program& program, std::string_view tier_id) {
  const std::vector<Tier>& tiers = program.tiers.tiers;
  if (tiers.empty()) return nullptr;
  for (const Tier& tier : tiers) {
    if (tier.id == tier_id) return &tier;
  }
  return &tiers.front();  // no tier yet: the entry tier
}

// The cheapest catalogue reward the customer cannot take yet, or nullptr when they can take every
// one (or there is none).
const RewardItem* next_reward(const Program& program, Points available) {
  const RewardItem* next = nullptr;
  for (const RewardItem& reward : program.rewards) {  // bounded by the bundle's limits
    if (reward.price <= available) continue;
    if (next == nullptr || reward.price < next->price) next = &reward;
  }
  return next;
}

// points.earned and points.burned of a stored quote or reversal; 0 when absent.
void write_points_of(json::Writer& out, std::string_view result_json) {
  Result<json::Value> parsed = json::parse(result_json);
  if (!parsed.ok()) return;
  const json::Value* points = parsed->find("points");
  if (points == nullptr || !points->is_object()) return;
  for (const char* key : {"earned", "burned"}) {
    const json::Value* value = points->find(key);
    if (value != nullptr && value->is_int()) {
      out.key(key);
      out.value(value->as_int());
    }
  }
}

}  // namespace

std::string token_json(const CustomerToken& token) {
  json::Writer out;
  out.begin_object();
  write_token_members(out, token);
  out.end_object();
  return out.take();
}

Result<std::string> customer_summary_json(storage::Ledger& ledger, storage::CustomerCache& cache,
                                          const ProgramState& program,
                                          std::string_view customer_id, Timestamp now) {
  const std::optional<storage::CachedCustomer> cached = TRY(cache.find(customer_id));
  const std::optional<std::string> blocked = TRY(cache.blocked(customer_id));
  const storage::CustomerBalance view = TRY(storage::customer_balance(ledger, customer_id, now));
  json::Writer out;
  out.begin_object();
  out.key("customer_id");
  out.value(customer_id);
  out.key("member");
  out.value(cached.has_value());
  out.key("known");
  out.value(cached.has_value() && cached->state.known);
  out.key("blocked");
  out.value(blocked.has_value());
  out.key("tier");
  const Tier* tier = tier_of(program.program, cached ? cached->state.tier : std::string());
  if (tier != nullptr) {
    out.begin_object();
    out.key("id");
    out.value(tier->id);
    out.key("name");
    out.value(tier->name);
    out.end_object();
  } else {
    out.null();
  }
  out.key("balance");
  out.begin_object();
  write_balance_members(out, view.balance);
  out.end_object();
  out.key("next_reward");
  if (const RewardItem* reward = next_reward(program.program, view.balance.available())) {
    out.begin_object();
    out.key("reward_id");
    out.value(reward->reward_id);
    out.key("points");
    out.value(reward->price.value());
    out.key("points_needed");
    out.value((reward->price - view.balance.available()).value());
    out.end_object();
  } else {
    out.null();
  }
  out.end_object();
  return out.take();
}

Result<std::string> balance_json(storage::Ledger& ledger, std::string_view customer_id,
                                 Timestamp now) {
  const storage::CustomerBalance view = TRY(storage::customer_balance(ledger, customer_id, now));
  json::Writer out;
  out.begin_object();
  out.key("customer_id");
  out.value(customer_id);
  write_balance_members(out, view.balance);
  out.key("lots");
  out.begin_array();
  for (const storage::LotView& lot : view.lots) {
    out.begin_object();
    out.key("lot_id");
    out.value(lot.lot_id);
    out.key("remaining");
    out.value(lot.remaining.value());
    out.key("active_from");
    out.value(format_timestamp(lot.active_from));
    out.key("expires_at");
    if (lot.expires_at) {
      out.value(format_timestamp(*lot.expires_at));
    } else {
      out.null();
    }
    out.end_object();
  }
  out.end_array();
  out.end_object();
  return out.take();
}

Result<std::string> history_json(storage::Ledger& ledger, std::string_view customer_id,
                                 std::size_t entries_max) {
  const std::vector<storage::HistoryEntry> entries =
      TRY(storage::customer_history(ledger, customer_id, entries_max));
  json::Writer out;
  out.begin_object();
  out.key("customer_id");
  out.value(customer_id);
  out.key("entries");
  out.begin_array();
  for (const storage::HistoryEntry& entry : entries) {
    out.begin_object();
    out.key("kind");
    out.value(entry.kind == storage::HistoryEntry::Kind::refund ? "refund" : "receipt");
    out.key("id");
    out.value(entry.id);
    out.key("receipt_id");
    out.value(entry.receipt_id);
    if (entry.state) {
      out.key("state");
      out.value(storage::receipt_state_name(*entry.state));
    }
    out.key("at");
    out.value(format_timestamp(entry.at));
    out.key("event_seq");
    out.value(entry.event_seq);
    write_points_of(out, entry.result_json);
    out.end_object();
  }
  out.end_array();
  out.end_object();
  return out.take();
}

}  // namespace loyalty::daemon
