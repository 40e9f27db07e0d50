// quote_to_json, reversal_to_json and format_minor. The table renderer is in quote/table.cc.
//
// Output is deterministic: keys in a fixed order, entries in the quote's own order, no floating
// point anywhere.
#include "loyalty/core/json.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "loyalty/core/quote_json.h"
#include "loyalty/core/result.h"
#include "loyalty/core/time.h"
#include "quote/render.h"

namespace loyalty {

namespace {

json::Format format_of(bool pretty) {
  return pretty ? json::Format::pretty : json::Format::compact;
}

// One member: key and value. Keeps the member lists below one line per key.
template <class T>
void field(json::Writer& w, std::string_view key, const T& value) {
  w.key(key);
  w.value(value);
}

void write_time(json::Writer& w, const std::optional<Timestamp>& at) {
  if (at) {
    w.value(format_timestamp(*at));
  } else {
    w.null();
  }
}

void write_optional_text(json::Writer& w, const std::optional<std::string>& text) {
  if (text) {
    w.value(*text);
  } else {
    w.null();
  }
}

void write_line_entries(json::Writer& w, const Quote& quote, std::uint32_t line) {
  const Program& program = *quote.program;
  w.key("discounts");
  w.begin_array();
  for (const Discount& d : quote.discounts) {
    if (d.line != line) continue;
    w.begin_object();
    field(w, "source", source_label(program, d.source));
    field(w, "amount_minor", d.amount.value());
    w.end_object();
  }
  w.end_array();
  w.key("earns");
  w.begin_array();
  for (const EarnEntry& e : quote.earns) {
    if (e.line != line) continue;
    w.begin_object();
    field(w, "source", source_label(program, e.source));
    field(w, "account", render::earn_account_name(e.account));
    field(w, "points", e.points.value());
    w.end_object();
  }
  w.end_array();
  w.key("burns");
  w.begin_array();
  for (const BurnEntry& b : quote.burns) {
    if (b.line != line) continue;
    w.begin_object();
    field(w, "source", source_label(program, b.source));
    field(w, "points", b.points.value());
    field(w, "value_minor", b.value.value());
    w.end_object();
  }
  w.end_array();
}

void write_line(json::Writer& w, const ReceiptLine& in, const Quote& quote, std::uint32_t index) {
  const QuoteLine& line = quote.lines[index];
  w.begin_object();
  field(w, "index", index);
  field(w, "sku", in.sku);
  field(w, "category", in.category);
  field(w, "quantity", in.quantity);
  field(w, "status", render::line_status_name(line.status));
  field(w, "earn_excluded", line.earn_excluded);
  field(w, "burn_excluded", line.burn_excluded);
  field(w, "gross_minor", line.gross.value());
  field(w, "discount_minor", line.discount.value());
  field(w, "net_minor", line.net.value());
  field(w, "points_tender_minor", line.points_tender.value());
  field(w, "due_minor", line.due.value());
  field(w, "earned", line.earned.value());
  field(w, "burned", line.burned.value());
  field(w, "company_points", line.company_points.value());
  write_line_entries(w, quote, index);
  w.end_object();
}

void write_header(json::Writer& w, const Quote& quote) {
  const Program& program = *quote.program;
  w.key("program");
  w.begin_object();
  field(w, "id", program.program_id);
  field(w, "version", program.version);
  w.end_object();
  field(w, "receipt_id", quote.receipt_id);
  field(w, "at", format_timestamp(quote.at));
  field(w, "identified", quote.identified);
  field(w, "currency", program.currency);
}

void write_totals(json::Writer& w, const Quote& quote) {
  w.key("totals");
  w.begin_object();
  field(w, "gross_minor", quote.gross_total.value());
  field(w, "discount_minor", quote.discount_total.value());
  field(w, "net_minor", quote.net_total.value());
  field(w, "points_tender_minor", quote.points_tender_total.value());
  field(w, "due_minor", quote.due_total.value());
  w.end_object();
  w.key("points");
  w.begin_object();
  field(w, "available_before", quote.available_before.value());
  field(w, "redeem_max", quote.redeem_max.value());
  field(w, "earned", quote.earned_total.value());
  field(w, "burned", quote.burned_total.value());
  field(w, "donated", quote.donated_total.value());
  field(w, "company", quote.company_points_total.value());
  field(w, "referrer", quote.referrer_points_total.value());
  field(w, "earned_active_from", format_timestamp(quote.earned_active_from));
  w.key("earned_expires_at");
  write_time(w, quote.earned_expires_at);
  w.end_object();
}

void write_lines(json::Writer& w, const Receipt& receipt, const Quote& quote) {
  w.key("lines");
  w.begin_array();
  for (std::uint32_t i = 0; i < quote.lines.size(); ++i) write_line(w, receipt.lines[i], quote, i);
  w.end_array();
  w.key("receipt_earns");
  w.begin_array();
  for (const EarnEntry& e : quote.earns) {
    if (e.line != no_line) continue;
    w.begin_object();
    field(w, "source", source_label(*quote.program, e.source));
    field(w, "account", render::earn_account_name(e.account));
    field(w, "points", e.points.value());
    w.end_object();
  }
  w.end_array();
}

void write_stamps_and_coupons(json::Writer& w, const Receipt& receipt, const Quote& quote) {
  const Program& program = *quote.program;
  w.key("stamps");
  w.begin_array();
  for (const StampMovement& s : quote.stamps) {
    w.begin_object();
    field(w, "rule", render::rule_id(program, s.rule));
    field(w, "card_id", render::stamp_card_id(program, s.rule));
    field(w, "line", s.line);
    field(w, "earned", s.earned);
    field(w, "redeemed", s.redeemed);
    w.end_object();
  }
  w.end_array();
  w.key("coupons");
  w.begin_array();
  for (const CouponOutcome& c : quote.coupons) {
    w.begin_object();
    w.key("code");
    w.value(c.presented < receipt.coupons.size() ? std::string_view(receipt.coupons[c.presented])
                                                 : std::string_view());
    w.key("rule");
    write_optional_text(w,
                        c.rule ? std::optional(render::rule_id(program, *c.rule)) : std::nullopt);
    field(w, "status", coupon_status_name(c.status));
    field(w, "discount_minor", c.discount.value());
    w.end_object();
  }
  w.end_array();
}

void write_draws_and_donations(json::Writer& w, const Quote& quote) {
  const Program& program = *quote.program;
  w.key("draws");
  w.begin_array();
  for (const DrawOutcome& d : quote.draws) {
    w.begin_object();
    field(w, "rule", render::rule_id(program, d.rule));
    field(w, "value", std::to_string(d.value));  // a string: JSON integers here are int64
    field(w, "won", d.won);
    w.end_object();
  }
  w.end_array();
  w.key("donations");
  w.begin_array();
  for (const DonationOutcome& d : quote.donations) {
    w.begin_object();
    field(w, "charity", render::charity_id(program, d.charity));
    field(w, "points", d.points.value());
    field(w, "value_minor", d.value.value());
    w.end_object();
  }
  w.end_array();
}

void write_budgets(json::Writer& w, const Quote& quote) {
  const Program& program = *quote.program;
  w.key("budgets");
  w.begin_array();
  for (const BudgetUse& b : quote.budgets) {
    w.begin_object();
    field(w, "budget", render::budget_id(program, b.budget));
    field(w, "unit", render::budget_unit(program, b.budget));
    field(w, "period", b.period);
    field(w, "spent_before", b.spent_before);
    field(w, "used", b.used);
    w.end_object();
  }
  w.end_array();
}

std::optional<std::string> tier_text(const Program& program,
                                     const std::optional<std::uint32_t>& tier) {
  if (!tier) return std::nullopt;
  return render::tier_id(program, *tier);
}

void write_status(json::Writer& w, const Quote& quote) {
  const Program& program = *quote.program;
  w.key("tier");
  w.begin_object();
  w.key("before");
  write_optional_text(w, tier_text(program, quote.tier_before));
  w.key("after");
  write_optional_text(w, tier_text(program, quote.tier_after));
  w.key("review_at");
  write_time(w, quote.tier_review_at);
  w.end_object();
  w.key("paid_membership_until");
  write_time(w, quote.paid_membership_until);
  w.key("company_band");
  if (quote.company_band) {
    w.value(source_label(program, Source{SourceKind::company, *quote.company_band}));
  } else {
    w.null();
  }
  w.key("settlement");
  w.begin_object();
  w.key("partner");
  if (quote.partner) {
    w.value(render::partner_id(program, *quote.partner));
  } else {
    w.null();
  }
  field(w, "partner_owes_minor", quote.settlement_partner_owes.value());
  field(w, "owed_to_partner_minor", quote.settlement_owed_to_partner.value());
  w.end_object();
}

void write_notes(json::Writer& w, const Quote& quote) {
  w.key("notes");
  w.begin_array();
  for (const Note& n : quote.notes) {
    w.begin_object();
    field(w, "code", note_code_name(n.code));
    field(w, "source", source_label(*quote.program, n.source));
    field(w, "value", n.value);
    w.end_object();
  }
  w.end_array();
}

}  // namespace

std::string quote_to_json(const Receipt& receipt, const Quote& quote, bool pretty) {
  LOYALTY_ASSERT(quote.program != nullptr);
  LOYALTY_ASSERT(receipt.lines.size() == quote.lines.size());
  json::Writer w(format_of(pretty));
  w.begin_object();
  write_header(w, quote);
  write_totals(w, quote);
  write_lines(w, receipt, quote);
  write_stamps_and_coupons(w, receipt, quote);
  write_draws_and_donations(w, quote);
  write_budgets(w, quote);
  write_status(w, quote);
  write_notes(w, quote);
  w.end_object();
  return w.take();
}

namespace {

void write_reversal_totals(json::Writer& w, const Quote& quote, const Reversal& reversal) {
  field(w, "completes_receipt", reversal.completes_receipt);
  field(w, "cancels_paid_membership", reversal.cancels_paid_membership);
  field(w, "money_refund_minor", reversal.money_refund.value());
  field(w, "earned_reversed", reversal.earned_reversed.value());
  field(w, "company_points_reversed", reversal.company_points_reversed.value());
  field(w, "referrer_points_reversed", reversal.referrer_points_reversed.value());
  field(w, "burned_restored", reversal.burned_restored.value());
  w.key("settlement");
  w.begin_object();
  w.key("partner");
  if (quote.partner) {
    w.value(render::partner_id(*quote.program, *quote.partner));
  } else {
    w.null();
  }
  field(w, "partner_owes_minor", reversal.settlement_partner_owes_reversed.value());
  field(w, "owed_to_partner_minor", reversal.settlement_owed_to_partner_reversed.value());
  w.end_object();
}

void write_reversal_points(json::Writer& w, const Program& program, const Reversal& reversal) {
  w.key("earns");
  w.begin_array();
  for (const ReversedEarn& e : reversal.earns) {
    w.begin_object();
    w.key("line");
    if (e.line == no_line) {
      w.null();
    } else {
      w.value(e.line);
    }
    field(w, "source", source_label(program, e.source));
    field(w, "account", render::earn_account_name(e.account));
    field(w, "points", e.points.value());
    w.end_object();
  }
  w.end_array();
  w.key("burns");
  w.begin_array();
  for (const RestoredBurn& b : reversal.burns) {
    w.begin_object();
    field(w, "line", b.line);
    field(w, "source", source_label(program, b.source));
    field(w, "points", b.points.value());
    w.end_object();
  }
  w.end_array();
}

void write_adjustments(json::Writer& w, const Program& program, std::string_view name,
                       const std::vector<CounterAdjustment>& adjustments) {
  w.key(name);
  w.begin_array();
  for (const CounterAdjustment& a : adjustments) {
    w.begin_object();
    field(w, "rule", render::rule_id(program, a.rule));
    field(w, "delta", a.delta);
    w.end_object();
  }
  w.end_array();
}

}  // namespace

std::string reversal_to_json(const Quote& quote, const Reversal& reversal, bool pretty) {
  LOYALTY_ASSERT(quote.program != nullptr);
  const Program& program = *quote.program;
  json::Writer w(format_of(pretty));
  w.begin_object();
  write_reversal_totals(w, quote, reversal);
  w.key("lines");
  w.begin_array();
  for (const ReversalLine& line : reversal.lines) {
    w.begin_object();
    field(w, "line", line.line);
    field(w, "quantity", line.quantity);
    field(w, "money_refund_minor", line.money_refund.value());
    field(w, "tender_refund_minor", line.tender_refund.value());
    w.end_object();
  }
  w.end_array();
  write_reversal_points(w, program, reversal);
  write_adjustments(w, program, "stamps", reversal.stamps);
  write_adjustments(w, program, "coupon_uses", reversal.coupon_uses);
  w.key("budgets");
  w.begin_array();
  for (const BudgetReturn& b : reversal.budgets) {
    w.begin_object();
    field(w, "budget", render::budget_id(program, b.budget));
    field(w, "unit", render::budget_unit(program, b.budget));
    field(w, "period", b.period);
    field(w, "amount", b.amount);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return w.take();
}

std::string format_minor(Minor amount, int currency_exponent) {
  const std::int64_t value = amount.value();
  // The magnitude as unsigned, so that INT64_MIN is formatted too.
  const std::uint64_t magnitude =
      value < 0 ? 0 - static_cast<std::uint64_t>(value) : static_cast<std::uint64_t>(value);
  std::string digits = std::to_string(magnitude);
  const std::size_t exponent =
      currency_exponent > 0 ? static_cast<std::size_t>(currency_exponent) : 0;
  if (exponent > 0) {
    if (digits.size() <= exponent) digits.insert(0, exponent + 1 - digits.size(), '0');
    digits.insert(digits.size() - exponent, 1, '.');
  }
  if (value < 0) digits.insert(0, 1, '-');
  return digits;
}

}  // namespace loyalty
