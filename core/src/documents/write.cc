// Customer state and receipt documents written as JSON (documents.h): compact, deterministic, in
// the field names of the loaders, so a round trip through load_customer() or load_receipt() gives
// the same value.

#include <string>

#include "loyalty/core/documents.h"
#include "loyalty/core/json.h"
#include "loyalty/core/time.h"

namespace loyalty {

namespace {

void optional_text(json::Writer& out, std::string_view key, const std::string& text) {
  if (text.empty()) return;
  out.key(key);
  out.value(text);
}

void optional_time(json::Writer& out, std::string_view key, const std::optional<Timestamp>& at) {
  if (!at) return;
  out.key(key);
  out.value(format_timestamp(*at));
}

void counters(json::Writer& out, std::string_view key, const std::vector<Counter>& list) {
  out.key(key);
  out.begin_object();
  for (const Counter& counter : list) {  // bounded by customer_counters_max
    if (counter.count <= 0) continue;
    out.key(counter.key);
    out.value(counter.count);
  }
  out.end_object();
}

void lots(json::Writer& out, const std::vector<PointsLot>& list) {
  out.key("lots");
  out.begin_array();
  for (const PointsLot& lot : list) {  // bounded by customer_lots_max
    out.begin_object();
    out.key("lot_id");
    out.value(lot.lot_id);
    out.key("points");
    out.value(lot.points.value());
    out.key("active_from");
    out.value(format_timestamp(lot.active_from));
    optional_time(out, "expires_at", lot.expires_at);
    out.end_object();
  }
  out.end_array();
}

void line(json::Writer& out, const ReceiptLine& receipt_line) {
  out.begin_object();
  out.key("sku");
  out.value(receipt_line.sku);
  optional_text(out, "category", receipt_line.category);
  out.key("unit_price_minor");
  out.value(receipt_line.unit_price.value());
  out.key("quantity");
  out.value(receipt_line.quantity);
  out.key("voided");
  out.value(receipt_line.voided);
  optional_text(out, "reward_id", receipt_line.reward_id);
  out.end_object();
}

}  // namespace

std::string customer_to_json(const CustomerState& customer) {
  json::Writer out;
  out.begin_object();
  out.key("customer_id");
  out.value(customer.customer_id);
  out.key("known");
  out.value(customer.known);
  out.key("segments");
  out.begin_array();
  for (const std::string& segment : customer.segments) out.value(segment);
  out.end_array();
  if (customer.birthday) {
    out.key("birthday");
    out.value(format_date(*customer.birthday));
  }
  out.key("purchase_count");
  out.value(customer.purchase_count);
  optional_text(out, "referred_by", customer.referred_by);
  out.key("last_birthday_bonus_year");
  out.value(customer.last_birthday_bonus_year);
  optional_time(out, "paid_membership_until", customer.paid_membership_until);
  optional_time(out, "last_purchase_at", customer.last_purchase_at);
  optional_text(out, "tier", customer.tier);
  optional_time(out, "tier_review_at", customer.tier_review_at);
  out.key("period_spend_minor");
  out.value(customer.period_spend);
  out.key("period_points_earned");
  out.value(customer.period_points_earned);
  out.key("cumulative_spend_minor");
  out.value(customer.cumulative_spend.value());
  lots(out, customer.lots);
  counters(out, "stamps", customer.stamps);
  counters(out, "coupon_uses", customer.coupon_uses);
  counters(out, "coupon_uses_total", customer.coupon_uses_total);
  counters(out, "event_awards", customer.event_awards);
  if (customer.company) {
    out.key("company");
    out.begin_object();
    out.key("company_id");
    out.value(customer.company->company_id);
    out.key("year_spend_minor");
    out.value(customer.company->year_spend.value());
    out.end_object();
  }
  out.end_object();
  return out.take();
}

std::string receipt_to_json(const Receipt& receipt) {
  json::Writer out;
  out.begin_object();
  out.key("receipt_id");
  out.value(receipt.receipt_id);
  optional_text(out, "store_id", receipt.store_id);
  optional_text(out, "partner_id", receipt.partner_id);
  out.key("currency");
  out.value(receipt.currency);
  out.key("lines");
  out.begin_array();
  for (const ReceiptLine& receipt_line : receipt.lines) line(out, receipt_line);
  out.end_array();
  out.key("coupons");
  out.begin_array();
  for (const std::string& code : receipt.coupons) out.value(code);
  out.end_array();
  if (receipt.redeem == RedeemRequest::max) {
    out.key("redeem");
    out.value("max");
  } else if (receipt.redeem == RedeemRequest::points) {
    out.key("redeem");
    out.begin_object();
    out.key("points");
    out.value(receipt.redeem_points.value());
    out.end_object();
  }
  out.key("donations");
  out.begin_array();
  for (const Donation& donation : receipt.donations) {
    out.begin_object();
    out.key("charity_id");
    out.value(donation.charity_id);
    out.key("points");
    out.value(donation.points.value());
    out.end_object();
  }
  out.end_array();
  out.key("events");
  out.begin_array();
  for (const ReceiptEvent& event : receipt.events) {
    out.begin_object();
    out.key("event_id");
    out.value(event.event_id);
    out.key("event_type");
    out.value(event.event_type);
    out.end_object();
  }
  out.end_array();
  out.end_object();
  return out.take();
}

}  // namespace loyalty
