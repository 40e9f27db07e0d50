#include "loyalty/core/reversal.h"

#include <algorithm>
#include <string>

namespace loyalty {
namespace {

struct UnitRange {
  std::int64_t units = 1;  // the line's quantity
  std::int64_t from = 0;   // units returned before
  std::int64_t to = 0;     // units returned after this refund
  std::int64_t share(std::int64_t total) const {
    return units_share(total, units, to) - units_share(total, units, from);
  }
};

Status check_request(const Receipt& receipt, const ReturnRequest& request, std::size_t index,
                     std::span<const std::int64_t> returned_before,
                     std::span<const ReturnRequest> returns) {
  const std::string where = "returns[" + std::to_string(index) + "]";
  if (request.line >= receipt.lines.size()) {
    return make_error(ErrorCode::invalid_argument, where + ".line: receipt " + receipt.receipt_id +
                                                       " has no line " +
                                                       std::to_string(request.line));
  }
  const ReceiptLine& line = receipt.lines[request.line];
  if (line.voided) {
    return make_error(ErrorCode::invalid_argument,
                      where + ".line: line " + std::to_string(request.line) + " was voided");
  }
  for (std::size_t j = 0; j < index; ++j) {
    if (returns[j].line == request.line) {
      return make_error(ErrorCode::invalid_argument,
                        where + ".line: line " + std::to_string(request.line) + " is listed twice");
    }
  }
  std::int64_t left = line.quantity - returned_before[request.line];  // the line exists: checked
  if (request.quantity < 1 || request.quantity > left) {
    return make_error(ErrorCode::invalid_argument,
                      where + ".quantity: must be between 1 and " + std::to_string(left) +
                          " (units not yet returned), got " + std::to_string(request.quantity));
  }
  return {};
}

bool is_purchase_award(const Quote& quote, const EarnEntry& entry) {
  if (entry.line != no_line || entry.source.kind != SourceKind::rule) return false;
  RuleKind kind = quote.program->rules[entry.source.index].kind;
  return kind == RuleKind::bonus || kind == RuleKind::instant_win;
}

void add_adjustment(std::vector<CounterAdjustment>& adjustments, std::uint32_t rule,
                    std::int64_t delta) {
  if (delta == 0) return;
  for (auto& adjustment : adjustments) {
    if (adjustment.rule == rule) {
      adjustment.delta += delta;
      return;
    }
  }
  adjustments.push_back(CounterAdjustment{rule, delta});
}

void reverse_earn(Reversal& out, std::uint32_t line, const EarnEntry& entry, Points points) {
  if (points.value() == 0) return;
  out.earns.push_back(ReversedEarn{line, entry.source, entry.account, points});
  switch (entry.account) {
    case EarnAccount::customer:
      out.earned_reversed += points;
      break;
    case EarnAccount::company:
      out.company_points_reversed += points;
      break;
    case EarnAccount::referrer:
      out.referrer_points_reversed += points;
      break;
  }
}

// The budget of the rule behind `source`, or no_budget.
std::uint32_t budget_of(const Quote& quote, Source source) {
  if (source.kind != SourceKind::rule) return no_budget;
  return quote.program->rules[source.index].budget_index;
}

void give_back(const Quote& quote, Source source, std::int64_t amount, Reversal& out) {
  const std::uint32_t budget = budget_of(quote, source);
  if (budget == no_budget || amount == 0) return;
  for (BudgetReturn& back : out.budgets) {
    if (back.budget == budget) {
      back.amount += amount;
      return;
    }
  }
  std::string period;
  for (const BudgetUse& use : quote.budgets) {
    if (use.budget == budget) period = use.period;
  }
  LOYALTY_ASSERT(!period.empty());  // a budgeted entry implies the quote's use of the budget
  out.budgets.push_back(BudgetReturn{budget, std::move(period), amount});
}

void reverse_line(const Quote& quote, std::uint32_t line, const UnitRange& range, Reversal& out) {
  const QuoteLine& quote_line = quote.lines[line];
  for (const Discount& discount : quote.discounts) {
    if (discount.line == line) {
      give_back(quote, discount.source, range.share(discount.amount.value()), out);
    }
  }
  out.lines.push_back(ReversalLine{line, range.to - range.from,
                                   Minor(range.share(quote_line.due.value())),
                                   Minor(range.share(quote_line.points_tender.value()))});
  out.money_refund += out.lines.back().money_refund;
  for (const EarnEntry& entry : quote.earns) {
    if (entry.line != line) continue;
    const Points points(range.share(entry.points.value()));
    reverse_earn(out, line, entry, points);
    give_back(quote, entry.source, points.value(), out);
  }
  for (const BurnEntry& burn : quote.burns) {
    if (burn.line != line) continue;
    Points points(range.share(burn.points.value()));
    if (points.value() == 0) continue;
    out.burns.push_back(RestoredBurn{line, burn.source, points});
    out.burned_restored += points;
  }
  for (const StampMovement& stamp : quote.stamps) {
    if (stamp.line != line) continue;
    add_adjustment(out.stamps, stamp.rule, range.share(stamp.redeemed) - range.share(stamp.earned));
  }
}

// A coupon use is given back when the last unit of the last line its discount touched returns.
void restore_coupons(const Receipt& receipt, const Quote& quote,
                     std::span<const std::int64_t> before, std::span<const std::int64_t> after,
                     Reversal& out) {
  for (const CouponOutcome& coupon : quote.coupons) {
    if (coupon.status != CouponStatus::applied || !coupon.rule) continue;
    bool was_returned = true;
    bool is_returned = true;
    for (const Discount& discount : quote.discounts) {
      if (discount.source != Source{SourceKind::rule, *coupon.rule}) continue;
      std::int64_t quantity = receipt.lines[discount.line].quantity;
      was_returned = was_returned && before[discount.line] == quantity;
      is_returned = is_returned && after[discount.line] == quantity;
    }
    if (is_returned && !was_returned) add_adjustment(out.coupon_uses, *coupon.rule, -1);
  }
}

bool all_returned(const Receipt& receipt, std::span<const std::int64_t> returned) {
  for (std::size_t i = 0; i < receipt.lines.size(); ++i) {
    if (!receipt.lines[i].voided && returned[i] != receipt.lines[i].quantity) return false;
  }
  return true;
}

// A paid membership this receipt activated ends when the last unit of its SKU comes back.
bool returns_membership(const Receipt& receipt, const Quote& quote,
                        std::span<const std::int64_t> before, std::span<const std::int64_t> after) {
  if (!quote.paid_membership_until) return false;
  for (const Rule& rule : quote.program->rules) {
    if (rule.kind != RuleKind::paid_membership) continue;
    const std::string& sku = std::get<PaidMembershipRule>(rule.params).sku;
    for (std::size_t i = 0; i < receipt.lines.size(); ++i) {
      const ReceiptLine& line = receipt.lines[i];
      if (line.sku == sku && !line.voided && line.reward_id.empty() && after[i] == line.quantity &&
          before[i] < line.quantity) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace

Result<Reversal> compute_reversal(const Receipt& receipt, const Quote& quote,
                                  std::span<const ReturnRequest> returns,
                                  std::span<const std::int64_t> returned_before) {
  LOYALTY_ASSERT(quote.program != nullptr);
  const std::size_t line_count = receipt.lines.size();
  if (quote.lines.size() != line_count || quote.receipt_id != receipt.receipt_id) {
    return make_error(ErrorCode::invalid_argument,
                      "quote: it is not the quote of receipt " + receipt.receipt_id);
  }
  if (!returned_before.empty() && returned_before.size() != line_count) {
    return make_error(
        ErrorCode::invalid_argument,
        "returned_before: needs one count per receipt line (" + std::to_string(line_count) + ")");
  }
  if (returns.empty()) {
    return make_error(ErrorCode::invalid_argument, "returns: name at least one line to return");
  }
  std::vector<std::int64_t> before(line_count, 0);
  for (std::size_t i = 0; i < returned_before.size(); ++i) {
    const ReceiptLine& line = receipt.lines[i];
    std::int64_t most = line.voided ? 0 : line.quantity;
    if (returned_before[i] < 0 || returned_before[i] > most) {
      return make_error(ErrorCode::invalid_argument,
                        "returned_before[" + std::to_string(i) + "]: must be between 0 and " +
                            std::to_string(most) + ", got " + std::to_string(returned_before[i]));
    }
    before[i] = returned_before[i];
  }
  std::vector<std::int64_t> after = before;
  for (std::size_t i = 0; i < returns.size(); ++i) {
    TRY(check_request(receipt, returns[i], i, before, returns));
    after[returns[i].line] += returns[i].quantity;
  }
  Reversal out;
  for (const ReturnRequest& request : returns) {
    UnitRange range{receipt.lines[request.line].quantity, before[request.line],
                    after[request.line]};
    reverse_line(quote, request.line, range, out);
  }
  restore_coupons(receipt, quote, before, after, out);
  // Receipt-level awards go back once: with the refund that returns the last unit.
  out.completes_receipt = all_returned(receipt, after) && !all_returned(receipt, before);
  out.cancels_paid_membership = returns_membership(receipt, quote, before, after);
  if (out.completes_receipt) {
    for (const EarnEntry& entry : quote.earns) {
      if (!is_purchase_award(quote, entry)) continue;
      reverse_earn(out, no_line, entry, entry.points);
      give_back(quote, entry.source, entry.points.value(), out);
    }
  }
  std::sort(out.budgets.begin(), out.budgets.end(),
            [](const BudgetReturn& a, const BudgetReturn& b) { return a.budget < b.budget; });
  if (quote.partner) {
    const Partner& partner = quote.program->partners[*quote.partner];
    // The quote's settlement fitted in int64, and a reversal takes back at most as many points.
    out.settlement_partner_owes_reversed =
        partner.settlement_per_point_earned * out.earned_reversed.value();
    out.settlement_owed_to_partner_reversed =
        partner.settlement_per_point_burned * out.burned_restored.value();
  }
  return out;
}

}  // namespace loyalty
