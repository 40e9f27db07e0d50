// Reading a terminal event's ledger annex (checkout, refund, hq_update; storage/events.h).
//
// HQ never rejects a completed till event: a payload it cannot read, an old event without the
// annex or an unknown kind is applied as a no-op, and the note says why.

#include <algorithm>
#include <string>

#include "hq/internal.h"
#include "loyalty/core/json.h"

namespace loyalty::sync::hq {

namespace {

bool is_kind(std::string_view kind) {
  return kind == "checkout" || kind == "refund" || kind == "hq_update";
}

std::optional<std::string> string_member(const json::Value& object, std::string_view key) {
  const json::Value* value = object.find(key);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return value->as_string();
}

std::optional<Timestamp> time_member(const json::Value& object, std::string_view key) {
  const std::optional<std::string> text = string_member(object, key);
  if (!text) return std::nullopt;
  Result<Timestamp> at = parse_timestamp(*text);
  if (!at.ok()) return std::nullopt;
  return *at;
}

// A counter's change: an integer of at most 10^15 in size (a terminal's counters stay far below;
// anything else reads as no change, so that sums cannot overflow).
std::int64_t int_member(const json::Value& object, std::string_view key) {
  constexpr std::int64_t bound = 1'000'000'000'000'000;
  const json::Value* value = object.find(key);
  if (value == nullptr || !value->is_int()) return 0;
  const std::int64_t number = value->as_int();
  return number > bound || number < -bound ? 0 : number;
}

// A movement HQ mirrors, or nullopt: money movements (no points), HQ's own overdraft codes (HQ
// decides overdrafts itself) and "hq:" transfers (HQ's downlink corrections coming back).
std::optional<Movement> mirrored(const json::Value& item, Timestamp created_at) {
  if (!item.is_object()) return std::nullopt;
  const json::Value* points = item.find("points");
  if (points == nullptr || !points->is_int() || points->as_int() <= 0) return std::nullopt;
  if (item.find("minor") != nullptr) return std::nullopt;
  Movement movement;
  movement.code = string_member(item, "code").value_or("");
  movement.debit = string_member(item, "debit").value_or("");
  movement.credit = string_member(item, "credit").value_or("");
  movement.points = points->as_int();
  if (movement.code == "overdraft" || movement.code == "overdraft_recovery") return std::nullopt;
  if (string_member(item, "source").value_or("").starts_with("hq:")) return std::nullopt;
  if (movement.debit.empty() || movement.credit.empty() || movement.debit == movement.credit) {
    return std::nullopt;
  }
  const json::Value* lot = item.find("lot");
  if (lot != nullptr && lot->is_object()) {
    MovementLot made;
    made.active_from = time_member(*lot, "active_from").value_or(created_at);
    made.expires_at = time_member(*lot, "expires_at");
    if (made.expires_at && *made.expires_at <= made.active_from) made.expires_at.reset();
    movement.lot = made;
  }
  return movement;
}

}  // namespace

std::string floor_account_owner(std::string_view account) {
  for (std::string_view kind :
       {std::string_view("customer_points:"), std::string_view("company_points:")}) {
    if (account.starts_with(kind) && account.size() > kind.size()) {
      return std::string(account.substr(kind.size()));
    }
  }
  return "";
}

ParsedEvent parse_event(EventKey key, std::string_view kind, std::string_view receipt_id,
                        std::string_view payload, std::string_view annex) {
  ParsedEvent event;
  event.key = std::move(key);
  event.kind = kind;
  event.receipt_id = receipt_id;
  if (!is_kind(kind)) {
    event.note = "event kind \"" + std::string(kind) + "\" is not one HQ applies";
    return event;
  }
  if (annex.empty()) {
    event.note = "the event has no ledger annex (an event of a terminal before schema v5)";
    return event;
  }
  Result<json::Value> parsed_annex = json::parse(annex);
  if (!parsed_annex.ok() || !parsed_annex->is_object()) {
    event.note = "the ledger annex is not a JSON object HQ can read" +
                 (parsed_annex.ok() ? std::string() : ": " + parsed_annex.error().message);
    return event;
  }
  const json::Value* ledger = &*parsed_annex;
  event.customer = string_member(*ledger, "customer");
  const json::Value* spend = ledger->find("spend_minor");
  if (spend != nullptr && spend->is_int()) event.spend_minor = spend->as_int();
  const json::Value* tier = ledger->find("tier");
  if (tier != nullptr && tier->is_object()) {
    // What the event did to the customer's cache row at the terminal (the tier after it, held
    // receipts and returns included).
    event.tier_after = string_member(*tier, "after");
    ParsedEvent::TierReport report;
    report.review_at = time_member(*tier, "review_at");
    const json::Value* reset = tier->find("period_reset");
    report.period_reset = reset != nullptr && reset->is_bool() && reset->as_bool();
    report.period_spend_delta = int_member(*tier, "period_spend_delta");
    report.period_points_delta = int_member(*tier, "period_points_delta");
    for (auto [key, total] : {std::pair{"period_spend", &report.period_spend},
                              std::pair{"period_points", &report.period_points}}) {
      const json::Value* value = tier->find(key);
      if (value != nullptr && value->is_int() && value->as_int() >= 0) *total = value->as_int();
    }
    event.tier_report = report;
  } else if (kind == "checkout") {
    // An annex without the tier report: the tier reached is in the quote itself; a payload HQ
    // cannot read leaves it unknown.
    Result<json::Value> parsed = json::parse(payload);
    const json::Value* quoted = parsed.ok() && parsed->is_object() ? parsed->find("tier") : nullptr;
    if (quoted != nullptr && quoted->is_object())
      event.tier_after = string_member(*quoted, "after");
  }
  const json::Value* movements = ledger->find("movements");
  if (movements != nullptr && movements->is_array()) {
    for (const json::Value& item : movements->as_array()) {
      std::optional<Movement> movement = mirrored(item, event.key.created_at);
      if (movement) event.movements.push_back(std::move(*movement));
    }
  }
  return event;
}

std::vector<std::string> event_owners(const ParsedEvent& event) {
  std::vector<std::string> owners;
  if (event.customer && !event.customer->empty()) owners.push_back(*event.customer);
  for (const Movement& movement : event.movements) {
    for (const std::string* account : {&movement.debit, &movement.credit}) {
      std::string owner = floor_account_owner(*account);
      if (!owner.empty()) owners.push_back(std::move(owner));
    }
  }
  std::sort(owners.begin(), owners.end());
  owners.erase(std::unique(owners.begin(), owners.end()), owners.end());
  return owners;
}

}  // namespace loyalty::sync::hq
