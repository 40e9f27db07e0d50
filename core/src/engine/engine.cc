#include "loyalty/core/engine.h"

#include "engine/internal.h"
#include "loyalty/core/limits.h"

namespace loyalty {
namespace engine {

bool schedule_allows(const Schedule& schedule, Timestamp at, const LocalTime& local) {
  if (schedule.valid_from && at < *schedule.valid_from) return false;
  if (schedule.valid_to && !(at < *schedule.valid_to)) return false;
  LOYALTY_ASSERT(local.iso_weekday >= 1 && local.iso_weekday <= 7);
  if ((schedule.iso_weekdays_mask & (1u << (local.iso_weekday - 1))) == 0) return false;
  return local.minute_of_day >= schedule.minute_from && local.minute_of_day < schedule.minute_to;
}

namespace {

bool contains(const std::vector<std::string>& sorted_or_not, std::string_view value) {
  for (const auto& item : sorted_or_not) {
    if (item == value) return true;
  }
  return false;
}

}  // namespace

bool audience_allows(const QuoteContext& ctx, const Audience& audience) {
  const CustomerState* customer = ctx.customer;
  if (audience.identified_only && customer == nullptr) return false;
  if (audience.paid_membership_only && !ctx.paid_member) return false;
  if (!audience.partners.empty() && !contains(audience.partners, ctx.receipt.partner_id)) {
    return false;
  }
  if (!audience.customers.empty()) {
    if (customer == nullptr || !contains(audience.customers, customer->customer_id)) return false;
  }
  if (!audience.segments.empty()) {
    if (customer == nullptr) return false;
    bool any = false;
    for (const auto& segment : audience.segments) any = any || customer->in_segment(segment);
    if (!any) return false;
  }
  if (!audience.tiers.empty()) {
    if (customer == nullptr || !ctx.tier) return false;
    if (!contains(audience.tiers, ctx.program.tiers.tiers[*ctx.tier].id)) return false;
  }
  return true;
}

void allocate(QuoteContext& ctx, std::int64_t total, std::span<const std::uint32_t> lines,
              std::span<const std::int64_t> weights) {
  LOYALTY_ASSERT(lines.size() == weights.size());
  auto& scratch = ctx.scratch;
  scratch.shares.resize(lines.size());
  scratch.remainders.resize(2 * lines.size());
  bool allocated = allocate_largest_remainder(total, weights, scratch.shares, scratch.remainders);
  LOYALTY_ASSERT(allocated);
}

void add_note(QuoteContext& ctx, NoteCode code, Source source, std::int64_t value) {
  ctx.out.notes.push_back(Note{code, source, value});
}

void add_earn(QuoteContext& ctx, std::uint32_t line, Source source, EarnAccount account,
              Points points) {
  LOYALTY_ASSERT(points.value() >= 0);
  if (points.value() == 0) return;
  Quote& out = ctx.out;
  out.earns.push_back(EarnEntry{line, source, account, points});
  switch (account) {
    case EarnAccount::customer:
      out.earned_total += points;
      if (line != no_line) out.lines[line].earned += points;
      break;
    case EarnAccount::company:
      out.company_points_total += points;
      if (line != no_line) out.lines[line].company_points += points;
      break;
    case EarnAccount::referrer:
      out.referrer_points_total += points;
      break;
  }
}

void add_discount(QuoteContext& ctx, std::uint32_t line, Source source, Minor amount) {
  QuoteLine& quote_line = ctx.out.lines[line];
  LOYALTY_ASSERT(amount.value() > 0 && amount <= quote_line.net);
  ctx.out.discounts.push_back(Discount{line, source, amount});
  quote_line.discount += amount;
  quote_line.net -= amount;
  quote_line.due -= amount;
  ctx.out.discount_total += amount;
  ctx.out.net_total -= amount;
  ctx.out.due_total -= amount;
}

}  // namespace engine

namespace {

Status check_receipt(const Program& program, const Receipt& receipt, Timestamp at) {
  if (program.effective_from && at < *program.effective_from) {
    return make_error(ErrorCode::invalid_argument,
                      "at: program " + program.program_id + " version " +
                          std::to_string(program.version) + " takes effect at " +
                          format_timestamp(*program.effective_from) +
                          "; quote with the version that was in force at " + format_timestamp(at));
  }
  if (receipt.currency != program.currency) {
    return make_error(ErrorCode::invalid_receipt,
                      "currency: the receipt is in " + receipt.currency + " but program " +
                          program.program_id + " counts in " + program.currency);
  }
  return {};
}

Status run_stages(engine::QuoteContext& ctx) {
  engine::resolve_tier(ctx);
  TRY(engine::prepare_lines(ctx));
  engine::prepare_budgets(ctx);
  engine::activate_rules(ctx);
  engine::apply_discounts(ctx);
  TRY(engine::apply_redemption(ctx));
  TRY(engine::apply_donations(ctx));
  engine::apply_earning(ctx);
  TRY(engine::apply_awards(ctx));
  TRY(engine::finish_quote(ctx));
  engine::finish_budgets(ctx);
  return {};
}

}  // namespace

Status Quoter::quote(const Program& program, const CustomerState* customer, const Receipt& receipt,
                     Timestamp at, const QuoteEnvironment& environment, Quote& out) {
  out.clear();
  out.program = &program;
  out.receipt_id = receipt.receipt_id;
  out.at = at;
  out.identified = customer != nullptr;
  TRY(check_receipt(program, receipt, at));
  LOYALTY_ASSERT(environment.budgets_spent.size() <= limits::budget_spent_entries_max);
  const FixedOffsetZone program_zone(program.utc_offset_minutes.value_or(0));
  const TimeZone& zone = environment.zone != nullptr ? *environment.zone : program_zone;
  std::span<const Counter> coupon_uses_total;
  if (environment.coupon_uses_total) {
    coupon_uses_total = *environment.coupon_uses_total;
  } else if (customer != nullptr) {
    coupon_uses_total = customer->coupon_uses_total;
  }
  engine::QuoteContext ctx{program,  customer, receipt,     coupon_uses_total,
                           at,       zone,     environment, to_local(at, zone),
                           out,      scratch_, {},          false,
                           Points{}, Points{}, false,       0,
                           0};
  TRY(run_stages(ctx));
  LOYALTY_ASSERT(out.gross_total - out.discount_total == out.net_total);
  LOYALTY_ASSERT(out.net_total - out.points_tender_total == out.due_total);
  return {};
}

Status Quoter::quote(const Program& program, const CustomerState* customer, const Receipt& receipt,
                     Timestamp at, Quote& out) {
  return quote(program, customer, receipt, at, QuoteEnvironment{}, out);
}

Result<Quote> quote_receipt(const Program& program, const CustomerState* customer,
                            const Receipt& receipt, Timestamp at,
                            const QuoteEnvironment& environment) {
  Quoter quoter;
  Quote quote;
  TRY(quoter.quote(program, customer, receipt, at, environment, quote));
  return quote;
}

Result<Quote> quote_receipt(const Program& program, const CustomerState* customer,
                            const Receipt& receipt, Timestamp at) {
  return quote_receipt(program, customer, receipt, at, QuoteEnvironment{});
}

}  // namespace loyalty
