// Writes what one quote decided, inside the checkout's write transaction: burns from lots, earned
// lots, donations, counters and the "checkout" event. docs/storage.md ("Checkout").

#include <string>
#include <variant>

#include "checkout/internal.h"
#include "hq/annex.h"
#include "lots/internal.h"
#include "loyalty/storage/events.h"
#include "loyalty/storage/lots.h"

namespace loyalty::storage::checkout_internal {

namespace {

// What the receipt takes from the customer's lots: every burn (tender and rewards, all lines) in
// one take, one transfer per lot touched, then each donation. The quote says which line burned
// what; a refund maps a line's share back onto these transfers (burn_parts_of_line in
// checkout/refund.cc). `hold`: pending transfers for an open receipt, else posted ones.
Status take_redemption(Ledger& ledger, const Transaction& transaction, const Quote& quote,
                       AccountId account, bool hold, Timestamp at) {
  const auto take = hold ? lots_internal::hold_from_lots : lots_internal::take_from_lots;
  const Points total = burned_points(quote);
  if (total > Points(0)) {
    const AccountId redemption =
        TRY(lots_internal::chain_account(ledger, transaction, AccountKind::redemption, at));
    TRY(take(ledger, transaction,
             lots_internal::LotTake{account, redemption, total, TransferCode::burn,
                                    quote.receipt_id, std::nullopt, "burn", at, quote.at}));
  }
  for (const DonationOutcome& donation : quote.donations) {  // bounded by receipt_donations_max
    if (donation.points <= Points(0)) continue;
    const Program& program = *quote.program;
    LOYALTY_ASSERT(donation.charity < program.charities.size());
    const AccountId charity = TRY(ledger.find_or_create_account(
        transaction, AccountKind::donation, program.charities[donation.charity].id, at));
    const std::string label = source_label(program, Source{SourceKind::charity, donation.charity});
    TRY(take(ledger, transaction,
             lots_internal::LotTake{account, charity, donation.points, TransferCode::donate,
                                    quote.receipt_id, std::nullopt, label, at, quote.at}));
  }
  return Status();
}

// What the receipt earned goes into one lot per account (customer, company, referrer) with one
// earn transfer; the quote says which line and source earned what.
Status write_earns(Ledger& ledger, const Transaction& transaction, const Quote& quote,
                   const CustomerState& customer, Timestamp at) {
  constexpr EarnAccount accounts[] = {EarnAccount::customer, EarnAccount::company,
                                      EarnAccount::referrer};
  for (const EarnAccount kind : accounts) {
    Points total;
    for (const EarnEntry& earn : quote.earns) {  // bounded by lines × sources
      if (earn.account == kind && earn.points > Points(0)) total += earn.points;
    }
    if (total <= Points(0)) continue;
    LotCredit credit;
    credit.account = TRY(earn_account(ledger, transaction, customer, kind, at));
    credit.points = total;
    credit.active_from = quote.earned_active_from;
    credit.expires_at = quote.earned_expires_at;
    credit.receipt_id = quote.receipt_id;
    credit.source = "earn";
    credit.at = at;
    TRY(credit_lot(ledger, transaction, credit));
  }
  return Status();
}

// Stamps and event awards; limited uses (coupons) are counted by the caller.
Status write_customer_counters(Ledger& ledger, const Quote& quote, const CustomerState& customer) {
  const Program& program = *quote.program;
  for (const StampMovement& stamps : quote.stamps) {
    const auto* card = std::get_if<StampCardRule>(&program.rules[stamps.rule].params);
    LOYALTY_ASSERT(card != nullptr);
    const std::int64_t delta = stamps.earned - stamps.redeemed;
    if (delta != 0) TRY(add_counter(ledger, customer.customer_id, "stamps", card->card_id, delta));
  }
  for (const EarnEntry& earn : quote.earns) {
    if (earn.source.kind != SourceKind::rule) continue;
    const auto* award = std::get_if<EventAwardRule>(&program.rules[earn.source.index].params);
    if (award != nullptr) {
      TRY(add_counter(ledger, customer.customer_id, "event_awards", award->event_type, 1));
    }
  }
  return Status();
}

}  // namespace

Points burned_points(const Quote& quote) {
  Points total;
  for (const BurnEntry& burn : quote.burns) {  // bounded by the receipt's lines
    if (burn.points > Points(0)) total += burn.points;
  }
  return total;
}

std::optional<std::uint32_t> line_of(std::uint32_t line) {
  if (line == no_line) return std::nullopt;
  return line;
}

Result<AccountId> earn_account(Ledger& ledger, const Transaction& transaction,
                               const CustomerState& customer, EarnAccount account, Timestamp at) {
  switch (account) {
    case EarnAccount::customer:
      return ledger.find_or_create_account(transaction, AccountKind::customer_points,
                                           customer.customer_id, at);
    case EarnAccount::company:
      if (!customer.company) {
        return make_error(ErrorCode::internal, "the quote earns company points for customer " +
                                                   customer.customer_id + ", who has no company");
      }
      return ledger.find_or_create_account(transaction, AccountKind::company_points,
                                           customer.company->company_id, at);
    case EarnAccount::referrer:
      if (customer.referred_by.empty()) {
        return make_error(ErrorCode::internal, "the quote earns referrer points for customer " +
                                                   customer.customer_id + ", who has no referrer");
      }
      return ledger.find_or_create_account(transaction, AccountKind::customer_points,
                                           customer.referred_by, at);
  }
  return make_error(ErrorCode::internal, "unknown earn account");
}

Status hold_redemption(Ledger& ledger, const Transaction& transaction, const Quote& quote,
                       AccountId account, Timestamp at) {
  return take_redemption(ledger, transaction, quote, account, true, at);
}

Result<std::int64_t> write_quote(Ledger& ledger, const Transaction& transaction, const Quote& quote,
                                 const CustomerState* customer,
                                 const std::optional<hq_internal::TierChange>& tier,
                                 std::string_view quote_json, Redemption redemption, Timestamp at) {
  LOYALTY_ASSERT(quote.program != nullptr);
  const std::int64_t transfers_before = TRY(hq_internal::last_transfer_id(ledger));
  if (customer != nullptr) {
    const AccountId account = TRY(ledger.find_or_create_account(
        transaction, AccountKind::customer_points, customer->customer_id, at));
    // Points leave before new ones arrive: a receipt never pays with what it earns.
    if (redemption == Redemption::take) {
      TRY(take_redemption(ledger, transaction, quote, account, false, at));
    }
    TRY(write_earns(ledger, transaction, quote, *customer, at));
    TRY(write_customer_counters(ledger, quote, *customer));
  } else {
    LOYALTY_ASSERT(quote.burns.empty() && quote.earns.empty());
  }
  // Coupon uses count for anonymous receipts too. An open receipt counted them when it opened.
  if (redemption == Redemption::take) {
    TRY(move_counts(ledger, customer != nullptr ? std::string_view(customer->customer_id) : "",
                    limited_uses(quote, customer != nullptr), 1));
  }
  TRY(write_settlement(ledger, transaction, quote, at));
  const std::string annex = TRY(hq_internal::build_annex(
      ledger, transaction,
      hq_internal::AnnexInput{transfers_before,
                              customer != nullptr ? std::string_view(customer->customer_id) : "",
                              quote.net_total.value(), tier}));
  const EventRow event = TRY(append_event(ledger, transaction, "checkout", quote.receipt_id,
                                          quote_json, at, PayloadCheck::written_by_core, annex));
  return event.seq;
}

}  // namespace loyalty::storage::checkout_internal
