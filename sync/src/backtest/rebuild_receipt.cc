// rebuild_receipt(): the Receipt the till sent, from its stored quote.

#include <algorithm>

#include "backtest/rebuild.h"
#include "loyalty/core/limits.h"

namespace loyalty::sync::backtest {

namespace {

Status rebuild_line(const StoredLine& stored, ReceiptLine& line, std::int64_t& tender) {
  line.sku = stored.sku;
  line.category = stored.category;
  line.quantity = stored.quantity;
  line.voided = stored.status == LineStatus::voided;
  line.reward_id.clear();
  line.unit_price = Minor(0);
  if (stored.quantity < 1) {
    return make_error(ErrorCode::invalid_argument, "a line's quantity is below 1");
  }
  // A voided line's gross is 0 in the quote: it counts for nothing, at any price.
  if (!line.voided) {
    if (stored.gross_minor < 0 || stored.gross_minor % stored.quantity != 0) {
      return make_error(ErrorCode::invalid_argument,
                        "a line's gross does not divide by its quantity: its unit price cannot "
                        "be rebuilt");
    }
    line.unit_price = Minor(stored.gross_minor / stored.quantity);
  }
  for (const StoredEntry& burn : stored.burns) {  // bounded by the stored quote
    if (burn.amount < 0 || burn.amount > limits::points_max) {
      return make_error(ErrorCode::invalid_argument,
                        "the stored quote is outside the limits of a receipt: a line's burn");
    }
    if (std::optional<std::string_view> reward = label_id(burn.source, "reward")) {
      line.reward_id = *reward;
    } else if (burn.source == "burn") {
      tender += burn.amount;
    }
  }
  if (stored.status == LineStatus::reward && line.reward_id.empty()) {
    return make_error(ErrorCode::invalid_argument, "a reward line names no reward in its burns");
  }
  return {};
}

bool has_note(const StoredQuote& quote, std::string_view code) {
  return std::any_of(quote.notes.begin(), quote.notes.end(),
                     [code](const StoredNote& note) { return note.code == code; });
}

// The redemption request: the stored quote shows what was burned as tender and whether the
// request asked for more than the receipt allowed. A request the receipt or the balance cut down
// (capped, limited by balance) asked for more than any receipt allows: as many points as a request
// may hold, in whole burn steps of the new program, which gives the same notes again.
void rebuild_redemption(const StoredQuote& quote, std::int64_t tender, const Program& target,
                        Receipt& receipt) {
  const bool cut_down =
      has_note(quote, "redemption_capped") || has_note(quote, "redemption_limited_by_balance");
  const bool refused =
      has_note(quote, "redemption_below_min_balance") || has_note(quote, "redemption_not_allowed");
  const bool rounded = has_note(quote, "redemption_rounded_to_step");
  receipt.redeem_points = Points(0);
  if (cut_down) {
    const std::int64_t step = std::max<std::int64_t>(1, target.burn.rate_points);
    receipt.redeem = RedeemRequest::points;
    receipt.redeem_points = Points(limits::points_max / step * step);
  } else if (refused || (tender > 0 && tender == quote.redeem_max)) {
    receipt.redeem = RedeemRequest::max;
  } else if (tender > 0 || rounded) {
    receipt.redeem = RedeemRequest::points;
    receipt.redeem_points = Points(tender + (rounded ? 1 : 0));
  } else {
    receipt.redeem = RedeemRequest::none;
  }
}

// Adds an event for an award, a limit note or an exhausted budget of an event_award rule, of a
// type the new program awards (the till only sends events its program credits).
void add_event(const RebuildContext& context, std::string_view source, Receipt& receipt) {
  const Rule* rule = context.reference.rule_of_source(source);
  if (rule == nullptr || rule->kind != RuleKind::event_award) return;
  const std::string& type = std::get<EventAwardRule>(rule->params).event_type;
  if (!context.target.awards_event(type)) return;
  receipt.events.push_back(
      ReceiptEvent{"hq-event-" + std::to_string(receipt.events.size() + 1), type});
}

void rebuild_events(const StoredQuote& quote, const RebuildContext& context, Receipt& receipt) {
  receipt.events.clear();
  for (const StoredEarn& earn : quote.receipt_earns) add_event(context, earn.source, receipt);
  for (const StoredNote& note : quote.notes) {
    if (note.code == "event_limit_reached" || note.code == "budget_exhausted") {
      add_event(context, note.source, receipt);
    }
  }
}

}  // namespace

Status rebuild_receipt(const StoredQuote& quote, std::string_view store_id,
                       const RebuildContext& context, Rebuilt& out) {
  Receipt& receipt = out.receipt;
  receipt.receipt_id = quote.receipt_id;
  receipt.store_id = store_id;
  receipt.partner_id = quote.partner.value_or("");
  receipt.currency = quote.currency;
  receipt.lines.resize(quote.line_count);
  std::int64_t tender = 0;
  for (std::size_t i = 0; i < quote.line_count; ++i) {
    TRY(rebuild_line(quote.lines[i], receipt.lines[i], tender));
  }
  receipt.coupons.resize(quote.coupons.size());
  for (std::size_t i = 0; i < quote.coupons.size(); ++i) receipt.coupons[i] = quote.coupons[i].code;
  rebuild_redemption(quote, tender, context.target.program(), receipt);
  receipt.donations.clear();
  for (const StoredDonation& donation : quote.donations) {
    receipt.donations.push_back(Donation{std::string(donation.charity), Points(donation.points)});
  }
  rebuild_events(quote, context, receipt);
  return {};
}

}  // namespace loyalty::sync::backtest
