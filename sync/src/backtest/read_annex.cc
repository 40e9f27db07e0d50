// read_annex() and read_reversal(): the ledger annex of an event (storage's build_annex) and the
// payload of a refund (core's reversal_to_json), as far as the backtest uses them.

#include "backtest/json_cursor.h"
#include "backtest/stored_event.h"

namespace loyalty::sync::backtest {

namespace {

bool read_tier(JsonCursor& c, StoredAnnex& out) {
  bool reset = false;
  bool spend = false;
  bool points = false;
  std::string_view key;
  if (!c.enter_object()) return false;
  out.has_tier = true;
  while (c.next_key(key)) {  // bounded by the text
    if (key_is(key, "period_reset")) {
      reset = c.boolean(out.period_reset);
    } else if (key_is(key, "period_spend_delta")) {
      c.integer(out.period_spend_delta);
    } else if (key_is(key, "period_points_delta")) {
      c.integer(out.period_points_delta);
    } else if (key_is(key, "period_spend")) {
      spend = c.integer(out.period_spend);
    } else if (key_is(key, "period_points")) {
      points = c.integer(out.period_points);
    } else {
      c.skip();
    }
    if (!c.ok()) return false;
  }
  if (!reset) return c.fail_missing("tier.period_reset");
  if (!spend) return c.fail_missing("tier.period_spend");
  if (!points) return c.fail_missing("tier.period_points");
  return true;
}

}  // namespace

void StoredAnnex::clear() {
  customer.reset();
  has_tier = false;
  period_reset = false;
  period_spend_delta = period_points_delta = period_spend = period_points = 0;
  decoded.clear();
}

Status read_annex(std::string_view annex, StoredAnnex& out) {
  out.clear();
  JsonCursor c(annex, out.decoded);
  bool customer = false;
  std::string_view key;
  if (c.enter_object()) {
    while (c.next_key(key)) {  // bounded by the text
      if (key_is(key, "customer")) {
        std::string_view text;
        bool is_null = false;
        customer = c.text_or_null(text, is_null);
        if (customer && !is_null) out.customer = text;
      } else if (key_is(key, "tier")) {
        read_tier(c, out);
      } else {
        c.skip();
      }
      if (!c.ok()) break;
    }
    if (c.ok() && !customer) c.fail_missing("customer");
    c.finish();
  }
  return c.status();
}

Status read_reversal(std::string_view payload, StoredReversal& out) {
  out = StoredReversal{};
  std::deque<std::string> decoded;
  JsonCursor c(payload, decoded);
  int seen = 0;
  std::string_view key;
  if (c.enter_object()) {
    while (c.next_key(key)) {  // bounded by the text
      std::int64_t* into = key_is(key, "money_refund_minor")         ? &out.money_refund_minor
                           : key_is(key, "earned_reversed")          ? &out.earned_reversed
                           : key_is(key, "company_points_reversed")  ? &out.company_points_reversed
                           : key_is(key, "referrer_points_reversed") ? &out.referrer_points_reversed
                           : key_is(key, "burned_restored")          ? &out.burned_restored
                                                                     : nullptr;
      if (into == nullptr) {
        c.skip();
      } else if (c.integer(*into)) {
        ++seen;
      }
      if (!c.ok()) break;
    }
    if (c.ok() && seen < 5)
      c.fail_missing("the reversal's totals (money_refund_minor and the rest)");
    c.finish();
  }
  return c.status();
}

}  // namespace loyalty::sync::backtest
