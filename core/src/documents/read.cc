// load_customer and load_receipt (documents.h). Errors follow json/fields.h, with
// ErrorCode::invalid_customer or ErrorCode::invalid_receipt; these documents add:
//   duplicate lot id "x" | duplicate coupon code "X" | duplicate event id "x"
//   must be later than active_from                           (lots[i].expires_at)
//   unit_price_minor × quantity exceeds 1000000000000         (lines[i])
//   total of unit_price_minor × quantity exceeds 1000000000000   (lines)
//   must be "max" or an object, got "..."                     (redeem)
//   budget "x" is listed twice for period "p"                 (budgets_spent[i])

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "json/fields.h"
#include "loyalty/core/documents.h"
#include "loyalty/core/limits.h"

namespace loyalty {

namespace {

using fields::Field;
using fields::Need;
using fields::Reader;
using fields::StringRule;

constexpr std::int64_t count_max = 1'000'000'000;
constexpr std::int64_t stamps_max = 1'000'000;
constexpr std::int64_t year_max = 9999;
constexpr std::size_t coupon_bytes_max = 64;

// --- Customer ---

// A key of a counter map: returns the key to store (coupon codes upper-cased).
using KeyReader = std::function<Result<std::string>(const json::Value&, const std::string&)>;

// An object used as a map from a key to a count, into a vector sorted by key.
Status read_counters(const Reader& r, const json::Value& value, const std::string& path,
                     const KeyReader& read_key, std::int64_t max_count, std::vector<Counter>* out) {
  const std::vector<json::Member>* members = TRY(r.map(value, path, limits::customer_counters_max));
  std::set<std::string> seen;
  out->clear();
  for (const json::Member& member : *members) {  // bounded by customer_counters_max
    const std::string at = fields::key_path(path, member.key);
    std::string key = TRY(read_key(json::Value::make_string(member.key), at));
    if (!seen.insert(key).second) {
      // Only coupon codes can collide: two spellings of one code, e.g. "save30" and "SAVE30".
      return r.error(at, "duplicate coupon code " + json::quote(key));
    }
    const std::int64_t count = TRY(r.integer(member.value, at, 0, max_count));
    out->push_back(Counter{std::move(key), count});
  }
  std::sort(out->begin(), out->end(),
            [](const Counter& a, const Counter& b) { return a.key < b.key; });
  LOYALTY_ASSERT(out->size() == members->size());
  return Status();
}

Field counters_field(const Reader& r, std::string_view name, bool coupon, std::int64_t max_count,
                     std::vector<Counter>* out) {
  return Field{name, Need::optional,
               [&r, coupon, max_count, out](const json::Value& v, const std::string& p) {
                 KeyReader id_key = [&r](const json::Value& k, const std::string& at) {
                   return r.id(k, at);
                 };
                 KeyReader code_key = [&r](const json::Value& k, const std::string& at) {
                   return r.coupon_code(k, at);
                 };
                 return read_counters(r, v, p, coupon ? code_key : id_key, max_count, out);
               }};
}

Status read_lot(const Reader& r, const json::Value& value, const std::string& path,
                PointsLot* out) {
  const Field lot_fields[] = {
      fields::string_field(r, "lot_id", Need::required, &out->lot_id, StringRule::id),
      fields::int_field(r, "points", Need::required, &out->points, 1, limits::points_max),
      fields::timestamp_field(r, "active_from", Need::required, &out->active_from),
      fields::timestamp_field(r, "expires_at", Need::optional, &out->expires_at),
  };
  TRY(fields::read_object(r, value, path, lot_fields));
  if (out->expires_at.has_value() && !(out->active_from < *out->expires_at)) {
    return r.error(fields::member_path(path, "expires_at"), "must be later than active_from");
  }
  return Status();
}

Status read_lots(const Reader& r, const json::Value& value, const std::string& path,
                 std::vector<PointsLot>* out) {
  const std::vector<json::Value>* items = TRY(r.array(value, path, 0, limits::customer_lots_max));
  std::set<std::string> seen;
  out->clear();
  out->reserve(items->size());
  for (std::size_t i = 0; i < items->size(); ++i) {  // bounded by customer_lots_max
    const std::string item_at = fields::item_path(path, i);
    PointsLot lot;
    TRY(read_lot(r, (*items)[i], item_at, &lot));
    if (!seen.insert(lot.lot_id).second) {
      return r.error(fields::member_path(item_at, "lot_id"),
                     "duplicate lot id " + json::quote(lot.lot_id));
    }
    out->push_back(std::move(lot));
  }
  LOYALTY_ASSERT(out->size() == items->size());
  return Status();
}

Status read_company_link(const Reader& r, const json::Value& value, const std::string& path,
                         CompanyLink* out) {
  const Field link_fields[] = {
      fields::string_field(r, "company_id", Need::required, &out->company_id, StringRule::id),
      fields::int_field(r, "year_spend_minor", Need::optional, &out->year_spend, 0,
                        limits::amount_minor_max),
  };
  return fields::read_object(r, value, path, link_fields);
}

std::vector<Field> customer_history_fields(const Reader& r, CustomerState* out) {
  std::vector<Field> list;
  list.push_back(
      Field{"lots", Need::optional, [&r, out](const json::Value& v, const std::string& p) {
              return read_lots(r, v, p, &out->lots);
            }});
  list.push_back(counters_field(r, "stamps", false, stamps_max, &out->stamps));
  list.push_back(counters_field(r, "coupon_uses", true, count_max, &out->coupon_uses));
  list.push_back(counters_field(r, "coupon_uses_total", true, count_max, &out->coupon_uses_total));
  list.push_back(counters_field(r, "event_awards", false, count_max, &out->event_awards));
  list.push_back(Field{"company", Need::optional,
                       [&r, out](const json::Value& v, const std::string& p) -> Status {
                         CompanyLink link;
                         TRY(read_company_link(r, v, p, &link));
                         out->company = std::move(link);
                         return Status();
                       }});
  return list;
}

std::vector<Field> customer_fields(const Reader& r, CustomerState* out) {
  std::vector<Field> list;
  list.push_back(
      fields::string_field(r, "customer_id", Need::required, &out->customer_id, StringRule::id));
  list.push_back(fields::bool_field(r, "known", Need::optional, &out->known));
  list.push_back(Field{
      "segments", Need::optional, [&r, out](const json::Value& v, const std::string& p) -> Status {
        out->segments = TRY(r.string_list(v, p, limits::customer_segments_max, StringRule::id));
        fields::sort_unique(out->segments);
        return Status();
      }});
  list.push_back(Field{"birthday", Need::optional,
                       [&r, out](const json::Value& v, const std::string& p) -> Status {
                         out->birthday = TRY(r.date(v, p));
                         return Status();
                       }});
  list.push_back(
      fields::int_field(r, "purchase_count", Need::optional, &out->purchase_count, 0, count_max));
  list.push_back(fields::string_field(r, "referred_by", Need::optional, &out->referred_by,
                                      StringRule::id_or_empty));
  list.push_back(fields::int_field(r, "last_birthday_bonus_year", Need::optional,
                                   &out->last_birthday_bonus_year, 0, year_max));
  list.push_back(fields::timestamp_field(r, "paid_membership_until", Need::optional,
                                         &out->paid_membership_until));
  list.push_back(
      fields::timestamp_field(r, "last_purchase_at", Need::optional, &out->last_purchase_at));
  list.push_back(
      fields::string_field(r, "tier", Need::optional, &out->tier, StringRule::id_or_empty));
  list.push_back(
      fields::timestamp_field(r, "tier_review_at", Need::optional, &out->tier_review_at));
  list.push_back(fields::int_field(r, "period_spend_minor", Need::optional, &out->period_spend, 0,
                                   limits::amount_minor_max));
  list.push_back(fields::int_field(r, "period_points_earned", Need::optional,
                                   &out->period_points_earned, 0, limits::points_max));
  list.push_back(fields::int_field(r, "cumulative_spend_minor", Need::optional,
                                   &out->cumulative_spend, 0, limits::amount_minor_max));
  std::vector<Field> history = customer_history_fields(r, out);
  for (Field& field : history) list.push_back(std::move(field));  // six fields
  return list;
}

// --- Receipt ---

Status read_line(const Reader& r, const json::Value& value, const std::string& path,
                 ReceiptLine* out) {
  const Field line_fields[] = {
      fields::string_field(r, "sku", Need::required, &out->sku, StringRule::text),
      Field{"category", Need::optional,
            [&r, out](const json::Value& v, const std::string& p) -> Status {
              out->category = TRY(r.text(v, p, 0, limits::id_bytes_max));
              return Status();
            }},
      fields::int_field(r, "unit_price_minor", Need::required, &out->unit_price, 0,
                        limits::amount_minor_max),
      fields::int_field(r, "quantity", Need::optional, &out->quantity, 1, limits::quantity_max),
      fields::bool_field(r, "voided", Need::optional, &out->voided),
      fields::string_field(r, "reward_id", Need::optional, &out->reward_id,
                           StringRule::id_or_empty),
  };
  TRY(fields::read_object(r, value, path, line_fields));
  // Both factors are bounded (10^12 and 10^5), so the product fits in int64.
  if (out->unit_price.value() * out->quantity > limits::amount_minor_max) {
    return r.error(
        path, "unit_price_minor × quantity exceeds " + std::to_string(limits::amount_minor_max));
  }
  return Status();
}

Status read_lines(const Reader& r, const json::Value& value, const std::string& path,
                  std::vector<ReceiptLine>* out) {
  const std::vector<json::Value>* items = TRY(r.array(value, path, 0, limits::receipt_lines_max));
  out->clear();
  out->reserve(items->size());
  std::int64_t total = 0;
  for (std::size_t i = 0; i < items->size(); ++i) {  // bounded by receipt_lines_max
    ReceiptLine line;
    TRY(read_line(r, (*items)[i], fields::item_path(path, i), &line));
    total += line.unit_price.value() * line.quantity;  // each <= 10^12, 1000 lines: fits
    out->push_back(std::move(line));
  }
  if (total > limits::amount_minor_max) {
    return r.error(path, "total of unit_price_minor × quantity exceeds " +
                             std::to_string(limits::amount_minor_max));
  }
  return Status();
}

Status read_redeem(const Reader& r, const json::Value& value, const std::string& path,
                   Receipt* out) {
  if (value.is_string()) {
    if (value.as_string() != "max") {
      return r.error(path,
                     "must be \"max\" or an object, got " + fields::quote_value(value.as_string()));
    }
    out->redeem = RedeemRequest::max;
    return Status();
  }
  if (!value.is_object()) return r.error(path, "must be \"max\" or an object");
  const Field redeem_fields[] = {
      fields::int_field(r, "points", Need::required, &out->redeem_points, 1, limits::points_max),
  };
  TRY(fields::read_object(r, value, path, redeem_fields));
  out->redeem = RedeemRequest::points;
  return Status();
}

// An array of small objects, each read by `read_one(value, path, T*)`.
template <class T, class ReadOne>
Status read_list(const Reader& r, const json::Value& value, const std::string& path,
                 std::size_t max_items, ReadOne read_one, std::vector<T>* out) {
  const std::vector<json::Value>* items = TRY(r.array(value, path, 0, max_items));
  out->clear();
  for (std::size_t i = 0; i < items->size(); ++i) {  // bounded by max_items
    T item;
    TRY(read_one((*items)[i], fields::item_path(path, i), &item));
    out->push_back(std::move(item));
  }
  LOYALTY_ASSERT(out->size() == items->size());
  return Status();
}

Status read_donation(const Reader& r, const json::Value& value, const std::string& path,
                     Donation* out) {
  const Field donation_fields[] = {
      fields::string_field(r, "charity_id", Need::required, &out->charity_id, StringRule::id),
      fields::int_field(r, "points", Need::required, &out->points, 1, limits::points_max),
  };
  return fields::read_object(r, value, path, donation_fields);
}

Status read_events(const Reader& r, const json::Value& value, const std::string& path,
                   std::vector<ReceiptEvent>* out) {
  auto read_event = [&r](const json::Value& v, const std::string& p, ReceiptEvent* e) {
    const Field event_fields[] = {
        fields::string_field(r, "event_id", Need::required, &e->event_id, StringRule::id),
        fields::string_field(r, "event_type", Need::required, &e->event_type, StringRule::id),
    };
    return fields::read_object(r, v, p, event_fields);
  };
  TRY(read_list(r, value, path, limits::receipt_events_max, read_event, out));
  for (std::size_t i = 1; i < out->size(); ++i) {  // bounded by receipt_events_max
    for (std::size_t j = 0; j < i; ++j) {
      if ((*out)[i].event_id == (*out)[j].event_id) {
        return r.error(fields::member_path(fields::item_path(path, i), "event_id"),
                       "duplicate event id " + json::quote((*out)[i].event_id));
      }
    }
  }
  return Status();
}

std::vector<Field> receipt_fields(const Reader& r, Receipt* out) {
  std::vector<Field> list;
  list.push_back(
      fields::string_field(r, "receipt_id", Need::required, &out->receipt_id, StringRule::id));
  list.push_back(
      fields::string_field(r, "store_id", Need::optional, &out->store_id, StringRule::id));
  list.push_back(fields::string_field(r, "partner_id", Need::optional, &out->partner_id,
                                      StringRule::id_or_empty));
  list.push_back(Field{"currency", Need::required,
                       [&r, out](const json::Value& v, const std::string& p) -> Status {
                         out->currency = TRY(r.currency(v, p));
                         return Status();
                       }});
  list.push_back(
      Field{"lines", Need::optional, [&r, out](const json::Value& v, const std::string& p) {
              return read_lines(r, v, p, &out->lines);
            }});
  list.push_back(Field{
      "coupons", Need::optional, [&r, out](const json::Value& v, const std::string& p) -> Status {
        const auto* items = TRY(r.array(v, p, 0, limits::receipt_coupons_max));
        out->coupons.clear();
        for (std::size_t i = 0; i < items->size(); ++i) {  // <= coupons_max
          out->coupons.push_back(
              TRY(r.text((*items)[i], fields::item_path(p, i), 1, coupon_bytes_max)));
        }
        return Status();
      }});
  list.push_back(Field{
      "redeem", Need::optional,
      [&r, out](const json::Value& v, const std::string& p) { return read_redeem(r, v, p, out); }});
  list.push_back(
      Field{"donations", Need::optional, [&r, out](const json::Value& v, const std::string& p) {
              auto one = [&r](const json::Value& iv, const std::string& ip, Donation* d) {
                return read_donation(r, iv, ip, d);
              };
              return read_list(r, v, p, limits::receipt_donations_max, one, &out->donations);
            }});
  list.push_back(
      Field{"events", Need::optional, [&r, out](const json::Value& v, const std::string& p) {
              return read_events(r, v, p, &out->events);
            }});
  return list;
}

// --- What campaign budgets spent ---

Status read_budget_spent(const Reader& r, const json::Value& value, const std::string& path,
                         BudgetSpent* out) {
  const Field spent_fields[] = {
      fields::string_field(r, "budget", Need::required, &out->budget_id, StringRule::id),
      fields::string_field(r, "period", Need::required, &out->period, StringRule::id),
      fields::int_field(r, "spent", Need::required, &out->spent, 0,
                        std::max(limits::points_max, limits::amount_minor_max)),
  };
  return fields::read_object(r, value, path, spent_fields);
}

Status read_budgets_spent(const Reader& r, const json::Value& value, const std::string& path,
                          std::vector<BudgetSpent>* out) {
  auto one = [&r](const json::Value& v, const std::string& p, BudgetSpent* entry) {
    return read_budget_spent(r, v, p, entry);
  };
  TRY(read_list(r, value, path, limits::budget_spent_entries_max, one, out));
  std::set<std::pair<std::string, std::string>> seen;
  for (std::size_t i = 0; i < out->size(); ++i) {  // bounded by budget_spent_entries_max
    const BudgetSpent& entry = (*out)[i];
    if (!seen.emplace(entry.budget_id, entry.period).second) {
      return r.error(fields::item_path(path, i), "budget " + json::quote(entry.budget_id) +
                                                     " is listed twice for period " +
                                                     json::quote(entry.period));
    }
  }
  return Status();
}

}  // namespace

Result<std::vector<BudgetSpent>> load_budgets_spent(std::string_view budgets_json) {
  const json::Value document = TRY(json::parse(budgets_json));
  const Reader reader(ErrorCode::invalid_argument);
  std::vector<BudgetSpent> out;
  const Field root[] = {
      Field{"budgets_spent", Need::required,
            [&reader, &out](const json::Value& v, const std::string& p) {
              return read_budgets_spent(reader, v, p, &out);
            }},
  };
  TRY(fields::read_object(reader, document, "", root));
  return out;
}

Result<CustomerState> load_customer(std::string_view customer_json) {
  json::Value customer = TRY(json::parse(customer_json));
  return load_customer(customer);
}

Result<CustomerState> load_customer(const json::Value& customer) {
  const Reader reader(ErrorCode::invalid_customer);
  CustomerState state;
  state.known = true;  // the document's default
  const std::vector<Field> root = customer_fields(reader, &state);
  TRY(fields::read_object(reader, customer, "", root));
  LOYALTY_ASSERT(!state.customer_id.empty());
  LOYALTY_ASSERT(std::is_sorted(state.segments.begin(), state.segments.end()));
  return state;
}

Result<Receipt> load_receipt(std::string_view receipt_json) {
  json::Value receipt = TRY(json::parse(receipt_json));
  return load_receipt(receipt);
}

Result<Receipt> load_receipt(const json::Value& receipt) {
  const Reader reader(ErrorCode::invalid_receipt);
  Receipt out;
  const std::vector<Field> root = receipt_fields(reader, &out);
  TRY(fields::read_object(reader, receipt, "", root));
  LOYALTY_ASSERT(!out.receipt_id.empty() && out.currency.size() == 3);
  return out;
}

}  // namespace loyalty
