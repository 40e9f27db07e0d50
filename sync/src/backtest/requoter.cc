// Requoter: read, rebuild, quote again, tally (requoter.h).

#include "backtest/requoter.h"

#include <algorithm>
#include <tuple>

namespace loyalty::sync::backtest {

namespace {

ReceiptFigures actual_figures(const StoredQuote& quote) {
  return ReceiptFigures{quote.discount_minor, quote.earned + quote.company + quote.referrer,
                        quote.burned, quote.donated};
}

ReceiptFigures simulated_figures(const Quote& quote) {
  return ReceiptFigures{quote.discount_total.value(),
                        quote.earned_total.value() + quote.company_points_total.value() +
                            quote.referrer_points_total.value(),
                        quote.burned_total.value(), quote.donated_total.value()};
}

// A tier as the result names it: "" for none and for the entry tier of either program.
std::string_view tier_name(std::optional<std::string_view> tier, const ProgramIndex& reference,
                           const ProgramIndex& target) {
  if (!tier || *tier == reference.entry_tier() || *tier == target.entry_tier()) return {};
  return *tier;
}

std::string with_prefix(std::string_view prefix, const Error& error) {
  return std::string(prefix) + error.message;
}

}  // namespace

Shared::Shared(const Program& source, const BacktestOptions& options)
    : program(source), target(program) {
  // The program is tried as if it had been in force over the whole period.
  program.effective_from.reset();
  for (const Program* quoted_program : options.quoted_programs)
    quoted.emplace_back(*quoted_program);
  std::sort(quoted.begin(), quoted.end(), [](const ProgramIndex& a, const ProgramIndex& b) {
    return std::tie(a.program().program_id, a.program().version) <
           std::tie(b.program().program_id, b.program().version);
  });
  if (options.zone != nullptr) {
    zone = options.zone;
  } else {
    fixed_zone = std::make_unique<FixedOffsetZone>(program.utc_offset_minutes.value_or(0));
    zone = fixed_zone.get();
  }
}

const ProgramIndex& Shared::reference_for(std::string_view program_id, std::int64_t version) const {
  auto it = std::lower_bound(quoted.begin(), quoted.end(), std::tie(program_id, version),
                             [](const ProgramIndex& a, const auto& wanted) {
                               // As a string_view, as `wanted` holds it: clang 14 with libstdc++ 12
                               // finds no tuple comparison of std::string against std::string_view.
                               const std::string_view id = a.program().program_id;
                               return std::tie(id, a.program().version) < wanted;
                             });
  if (it != quoted.end() && it->program().program_id == program_id &&
      it->program().version == version) {
    return *it;
  }
  return target;
}

void Requoter::process(const JournalEvent& event, std::int64_t order, Tally& tally) {
  if (event.kind == "checkout") {
    checkout(event, order, tally);
  } else if (event.kind == "refund") {
    refund(event, tally);
  }
}

void Requoter::refund(const JournalEvent& event, Tally& tally) {
  StoredReversal reversal;
  Status read = read_reversal(event.payload, reversal);
  if (!read.ok()) {
    tally.skipped(with_prefix("refund payload is not a stored reversal: ", read.error()));
    return;
  }
  BacktestRefunds counted;
  counted.count = 1;
  counted.points_reversed = reversal.earned_reversed + reversal.company_points_reversed +
                            reversal.referrer_points_reversed;
  counted.points_restored = reversal.burned_restored;
  counted.money_refund_minor = reversal.money_refund_minor;
  tally.refund(event.store_id, counted);
}

Status Requoter::rebuild(const JournalEvent& event, const RebuildContext& context) {
  TRY(check_stored_figures(stored_));
  TRY(rebuild_receipt(stored_, event.store_id, context, rebuilt_));
  if (rebuilt_.identified) {
    rebuild_customer(stored_, annex_, context, rebuilt_);
    collect_evidence(stored_, context, rebuilt_);
    infer_awards(stored_, context, rebuilt_);
    infer_audience(stored_, context, rebuilt_);
    infer_progressive(stored_, context, rebuilt_);
  }
  infer_counters(stored_, context, rebuilt_);
  rebuild_environment(stored_, rebuilt_);
  return check_rebuilt_limits(rebuilt_);
}

Status Requoter::quote_again() {
  QuoteEnvironment environment;
  environment.zone = shared_->zone;
  environment.draw_keyer = rebuilt_.hold_draws ? &rebuilt_.draws : nullptr;
  environment.budgets_spent = rebuilt_.budgets_spent;
  environment.coupon_uses_total = std::span<const Counter>(rebuilt_.coupon_uses_total);
  return quoter_.quote(shared_->program, rebuilt_.identified ? &rebuilt_.customer : nullptr,
                       rebuilt_.receipt, stored_.at, environment, quote_);
}

void Requoter::checkout(const JournalEvent& event, std::int64_t order, Tally& tally) {
  Status read = read_quote(event.payload, stored_);
  if (!read.ok()) {
    tally.count_receipt(false);
    tally.skipped(with_prefix("checkout payload is not a stored quote: ", read.error()));
    return;
  }
  tally.count_receipt(stored_.identified);
  rebuilt_.identified = stored_.identified;
  if (stored_.identified) {
    if (event.annex.empty()) {
      tally.skipped(
          "identified receipt without a ledger annex (written before schema v5): "
          "the customer's tier period is unknown");
      return;
    }
    Status annex = read_annex(event.annex, annex_);
    if (annex.ok() && (!annex_.customer || !annex_.has_tier)) {
      annex = make_error(ErrorCode::invalid_argument, "it names no customer or no tier");
    }
    if (!annex.ok()) {
      tally.skipped(
          with_prefix("checkout annex is not a customer's ledger annex: ", annex.error()));
      return;
    }
  }
  const ProgramIndex& reference =
      shared_->reference_for(stored_.program_id, stored_.program_version);
  const RebuildContext context{reference, shared_->target, *shared_->zone};
  Status done = rebuild(event, context);
  if (done.ok()) done = quote_again();
  if (!done.ok()) {
    tally.skipped(done.error().message);
    return;
  }
  tally.compared(event.store_id, actual_figures(stored_), simulated_figures(quote_));
  // "unkeyed": a till without the chain's key; its customers cannot be told apart.
  if (!stored_.identified || *annex_.customer == "unkeyed") return;
  std::optional<std::string_view> simulated;
  if (quote_.tier_after) simulated = shared_->program.tiers.tiers[*quote_.tier_after].id;
  tally.customer_tier(*annex_.customer, order, event.store_id,
                      tier_name(stored_.tier_after, reference, shared_->target),
                      tier_name(simulated, reference, shared_->target));
}

}  // namespace loyalty::sync::backtest
