// Stages 3 and 4 of a quote: points as tender, then points donated to charity.
//
// Tender is taken in whole burn steps (`rate_points` points worth `rate_value`), limited by the
// request, the usable balance, the cap (a share of the receipt's net) and the lines points may pay
// for. The money is split over those lines in proportion to their nets, and the points in
// proportion to the money, both by largest remainder, so each line knows exactly what it burned.
#include <algorithm>

#include "engine/internal.h"

namespace loyalty::engine {
namespace {

const Source burn_source{SourceKind::burn, 0};

// What this receipt lets points pay: the cap (a share of the net) or, if smaller, the net of the
// lines points may pay for; in whole burn steps.
struct TenderLimit {
  std::int64_t tender_max_minor = 0;
  std::int64_t steps = 0;
};

TenderLimit tender_limit(const QuoteContext& ctx, std::int64_t eligible_net) {
  const BurnPolicy& burn = ctx.program.burn;
  std::int64_t cap =
      multiply_divide(ctx.out.net_total.value(), burn.cap.value, 10000, Rounding::floor);
  TenderLimit limit;
  limit.tender_max_minor = std::min(cap, eligible_net);
  limit.steps = limit.tender_max_minor / burn.rate_value.value();
  return limit;
}

void allocate_tender(QuoteContext& ctx, std::int64_t tender, std::int64_t points) {
  auto& lines = ctx.scratch.order;
  auto& weights = ctx.scratch.weights;
  lines.clear();
  weights.clear();
  for (std::uint32_t i = 0; i < ctx.out.lines.size(); ++i) {
    const QuoteLine& line = ctx.out.lines[i];
    if (line.status != LineStatus::regular || line.burn_excluded || line.net.value() == 0) continue;
    lines.push_back(i);
    weights.push_back(line.net.value());
  }
  allocate(ctx, tender, lines, weights);
  // Points follow the money: the weights become each line's tender.
  std::copy(ctx.scratch.shares.begin(), ctx.scratch.shares.end(), weights.begin());
  auto& point_shares = ctx.scratch.line_values;
  allocate(ctx, points, lines, weights);
  point_shares.assign(ctx.scratch.shares.begin(), ctx.scratch.shares.end());
  for (std::size_t k = 0; k < lines.size(); ++k) {
    if (weights[k] == 0) continue;
    QuoteLine& line = ctx.out.lines[lines[k]];
    line.points_tender = Minor(weights[k]);
    line.due -= line.points_tender;
    line.burned += Points(point_shares[k]);
    ctx.out.burns.push_back(
        BurnEntry{lines[k], burn_source, Points(point_shares[k]), Minor(weights[k])});
  }
  ctx.out.points_tender_total = Minor(tender);
  ctx.out.due_total -= Minor(tender);
  ctx.out.burned_total += Points(points);
  ctx.available -= Points(points);
}

std::int64_t eligible_net(const QuoteContext& ctx) {
  std::int64_t sum = 0;
  for (const QuoteLine& line : ctx.out.lines) {
    if (line.status == LineStatus::regular && !line.burn_excluded) sum += line.net.value();
  }
  return sum;
}

}  // namespace

Status apply_redemption(QuoteContext& ctx) {
  const BurnPolicy& burn = ctx.program.burn;
  const Receipt& receipt = ctx.receipt;
  if (ctx.customer == nullptr) {
    if (receipt.redeem == RedeemRequest::none) return {};
    return make_error(ErrorCode::invalid_receipt,
                      "redeem: paying with points needs an identified customer");
  }
  // The minimum balance is the customer's usable balance when the receipt starts, as for
  // catalogue rewards (engine/lines.cc): what one part of the receipt spends does not change
  // whether another part may spend.
  bool allowed = burn.enabled && ctx.out.available_before >= burn.min_balance;
  TenderLimit limit = tender_limit(ctx, eligible_net(ctx));
  std::int64_t balance_steps = ctx.available.value() / burn.rate_points;
  std::int64_t max_steps = allowed ? std::min(limit.steps, balance_steps) : 0;
  ctx.out.redeem_max = Points(max_steps * burn.rate_points);
  if (receipt.redeem == RedeemRequest::none) return {};
  if (!burn.enabled) {
    add_note(ctx, NoteCode::redemption_not_allowed, burn_source, 0);
    return {};
  }
  if (!allowed) {
    add_note(ctx, NoteCode::redemption_below_min_balance, burn_source, burn.min_balance.value());
    return {};
  }
  std::int64_t steps = max_steps;
  if (receipt.redeem == RedeemRequest::points) {
    std::int64_t requested = receipt.redeem_points.value();
    if (requested % burn.rate_points != 0) {
      add_note(ctx, NoteCode::redemption_rounded_to_step, burn_source, burn.rate_points);
    }
    std::int64_t requested_steps = requested / burn.rate_points;
    if (requested_steps > max_steps) {  // say which limit bound: the receipt or the balance
      if (limit.steps <= balance_steps) {
        add_note(ctx, NoteCode::redemption_capped, burn_source, limit.tender_max_minor);
      } else {
        add_note(ctx, NoteCode::redemption_limited_by_balance, burn_source, ctx.available.value());
      }
    }
    steps = std::min(steps, requested_steps);
  }
  if (steps > 0) allocate_tender(ctx, steps * burn.rate_value.value(), steps * burn.rate_points);
  return {};
}

Status apply_donations(QuoteContext& ctx) {
  const auto& donations = ctx.receipt.donations;
  for (std::size_t i = 0; i < donations.size(); ++i) {
    const Donation& donation = donations[i];
    const Charity* charity = ctx.program.find_charity(donation.charity_id);
    if (charity == nullptr) {
      return make_error(ErrorCode::invalid_receipt, "donations[" + std::to_string(i) +
                                                        "].charity_id: unknown charity \"" +
                                                        donation.charity_id + "\"");
    }
    if (ctx.customer == nullptr || donation.points > ctx.available) {
      return make_error(ErrorCode::invalid_receipt,
                        "donations[" + std::to_string(i) +
                            "].points: " + std::to_string(donation.points.value()) +
                            " points asked, the customer has " +
                            std::to_string(ctx.available.value()) + " left to give");
    }
    const BurnPolicy& burn = ctx.program.burn;
    // Points are given at their money value; a part step is worth nothing and is not taken.
    std::int64_t steps = donation.points.value() / burn.rate_points;
    Points points(steps * burn.rate_points);
    Minor value(steps * burn.rate_value.value());
    auto index = static_cast<std::uint32_t>(charity - ctx.program.charities.data());
    ctx.out.donations.push_back(DonationOutcome{index, points, value});
    ctx.out.donated_total += points;
    ctx.available -= points;
  }
  return {};
}

}  // namespace loyalty::engine
