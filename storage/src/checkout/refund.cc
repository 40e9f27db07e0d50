// Till::refund: returns units of a committed receipt. The original quote is rebuilt from the
// receipt row (the engine is deterministic and the rebuilt quote's JSON must equal the stored
// one), compute_reversal() says what the returned units take back, and one write transaction
// applies it to lots and counters with a "refund" event. docs/storage.md ("Refunds").

#include <string>
#include <variant>
#include <vector>

#include "checkout/internal.h"
#include "hq/annex.h"
#include "loyalty/core/limits.h"
#include "loyalty/core/quote_json.h"
#include "loyalty/storage/events.h"
#include "loyalty/storage/lots.h"
#include "loyalty/storage/statement.h"

namespace loyalty::storage {

using namespace checkout_internal;

namespace {

std::string refund_request_hash(std::string_view receipt_id,
                                std::span<const ReturnRequest> returns) {
  std::string input;
  netstring(input, receipt_id);
  for (const ReturnRequest& request : returns) {  // bounded by the caller's span
    netstring(input, std::to_string(request.line));
    netstring(input, std::to_string(request.quantity));
  }
  return sha256_hex(input);
}

// The refund already made under `refund_id`, if any.
Result<std::optional<RefundResult>> find_refund(Ledger& ledger, std::string_view refund_id,
                                                std::string_view hash) {
  Statement select = TRY(Statement::prepare(
      ledger.database(),
      "SELECT request_hash, result, event_seq FROM refunds WHERE refund_id = ?1"));
  TRY(select.bind_text(1, refund_id));
  if (TRY(select.step()) != Step::row) return std::optional<RefundResult>();
  if (select.column_text(0) != hash) {
    return make_error(ErrorCode::conflict, "refund " + std::string(refund_id) +
                                               " was already made with different content; use "
                                               "a new refund id");
  }
  return std::optional<RefundResult>(
      RefundResult{std::string(refund_id), select.column_text(1), select.column_int64(2), true});
}

// Units each line of the receipt returned before, indexed by line.
Result<std::vector<std::int64_t>> returned_before(Ledger& ledger, std::string_view receipt_id,
                                                  std::size_t line_count) {
  std::vector<std::int64_t> units(line_count, 0);
  Statement select = TRY(Statement::prepare(
      ledger.database(), "SELECT line, quantity FROM returned_units WHERE receipt_id = ?1"));
  TRY(select.bind_text(1, receipt_id));
  while (TRY(select.step()) == Step::row) {  // one row per line at most
    const std::int64_t line = select.column_int64(0);
    LOYALTY_ASSERT(line >= 0 && static_cast<std::size_t>(line) < line_count);
    units[static_cast<std::size_t>(line)] = select.column_int64(1);
  }
  return units;
}

Status record_returned(Ledger& ledger, std::string_view receipt_id, const Reversal& reversal) {
  Statement upsert = TRY(Statement::prepare(
      ledger.database(),
      "INSERT INTO returned_units (receipt_id, line, quantity) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (receipt_id, line) DO UPDATE SET quantity = quantity + ?3"));
  for (const ReversalLine& line : reversal.lines) {  // bounded by the receipt's lines
    TRY(upsert.bind_text(1, receipt_id));
    TRY(upsert.bind_int64(2, line.line));
    TRY(upsert.bind_int64(3, line.quantity));
    TRY(upsert.run());
    upsert.reset();
  }
  return Status();
}

// The counters the returned units moved: stamps, coupon uses (chain-wide for an anonymous
// receipt, `customer` null) and what campaign budgets gave.
Status apply_counters(Ledger& ledger, const Program& program, const Reversal& reversal,
                      const CustomerState* customer) {
  for (const CounterAdjustment& stamps : reversal.stamps) {
    LOYALTY_ASSERT(customer != nullptr);
    const auto* card = std::get_if<StampCardRule>(&program.rules[stamps.rule].params);
    LOYALTY_ASSERT(card != nullptr);
    if (stamps.delta != 0) {
      TRY(add_counter(ledger, customer->customer_id, "stamps", card->card_id, stamps.delta));
    }
  }
  for (const BudgetReturn& back : reversal.budgets) {  // bounded by program_budgets_max
    LOYALTY_ASSERT(back.budget < program.budgets.size());
    if (back.amount == 0) continue;
    TRY(add_counter(ledger, "", "budget_spent",
                    budget_key(program.budgets[back.budget].id, back.period), -back.amount));
  }
  for (const CounterAdjustment& uses : reversal.coupon_uses) {
    const auto* coupon = std::get_if<CouponRule>(&program.rules[uses.rule].params);
    LOYALTY_ASSERT(coupon != nullptr);
    if (uses.delta == 0) continue;
    if (customer != nullptr) {
      TRY(add_counter(ledger, customer->customer_id, "coupon_uses", coupon->code, uses.delta));
    }
    TRY(add_counter(ledger, "", "coupon_uses_total", coupon->code, uses.delta));
  }
  return Status();
}

// The receipt's burn transfers from `account` (one per lot, line NULL), in the order they took
// the lots.
Result<std::vector<LotPart>> receipt_burns(Ledger& ledger, AccountId account,
                                           std::string_view receipt_id) {
  Statement select = TRY(Statement::prepare(
      ledger.database(),
      "SELECT lot_id, amount FROM transfers WHERE receipt_id = ?1 AND code = 'burn' "
      "AND debit_account = ?2 AND line IS NULL AND lot_id IS NOT NULL "
      "AND flags IN ('none', 'post_pending') ORDER BY id"));
  TRY(select.bind_text(1, receipt_id));
  TRY(select.bind_int64(2, account.value));
  std::vector<LotPart> parts;
  while (TRY(select.step()) == Step::row) {  // bounded by customer_lots_max
    parts.push_back(LotPart{LotId{select.column_int64(0)}, Points(select.column_int64(1))});
  }
  return parts;
}

// The parts of `burns` (the receipt's lots in burning order) that `line` took: the checkout took
// the quote's burn entries one after the other from the lots, so each entry's share is the next
// stretch of the sequence.
std::vector<LotPart> burn_parts_of_line(const Quote& quote, const std::vector<LotPart>& burns,
                                        std::uint32_t line) {
  std::vector<LotPart> parts;
  std::size_t lot = 0;
  Points used_of_lot;
  for (const BurnEntry& burn : quote.burns) {  // bounded by the receipt's lines
    Points left = burn.points;
    while (left > Points(0) && lot < burns.size()) {
      const Points take = min_of(left, burns[lot].points - used_of_lot);
      if (burn.line == line) {
        if (!parts.empty() && parts.back().lot == burns[lot].lot) {
          parts.back().points += take;
        } else {
          parts.push_back(LotPart{burns[lot].lot, take});
        }
      }
      left -= take;
      used_of_lot += take;
      if (used_of_lot == burns[lot].points) {
        ++lot;
        used_of_lot = Points(0);
      }
    }
  }
  return parts;
}

Points earned_by_line(const Quote& quote, std::uint32_t line, EarnAccount account) {
  Points total;
  for (const EarnEntry& earn : quote.earns) {
    if (earn.line == line && earn.account == account && earn.points > Points(0)) {
      total += earn.points;
    }
  }
  return total;
}

Status apply_reversal(Ledger& ledger, const Transaction& transaction, const Rebuilt& rebuilt,
                      const Reversal& reversal, Timestamp at) {
  const std::string& receipt_id = rebuilt.receipt.receipt_id;
  const Quote& quote = rebuilt.quote;
  TRY(reverse_settlement(ledger, transaction, quote, reversal, at));
  if (!rebuilt.customer) {
    LOYALTY_ASSERT(reversal.earns.empty() && reversal.burns.empty());
    return apply_counters(ledger, rebuilt.program, reversal, nullptr);
  }
  const CustomerState& customer = *rebuilt.customer;
  for (const ReversedEarn& earn : reversal.earns) {
    if (earn.points <= Points(0)) continue;
    const AccountId account = TRY(earn_account(ledger, transaction, customer, earn.account, at));
    TRY(reverse_receipt_earn(ledger, transaction, account, receipt_id, line_of(earn.line),
                             earned_by_line(quote, earn.line, earn.account), earn.points, at));
  }
  const AccountId account = TRY(ledger.find_or_create_account(
      transaction, AccountKind::customer_points, customer.customer_id, at));
  if (!reversal.burns.empty()) {
    const std::vector<LotPart> burns = TRY(receipt_burns(ledger, account, receipt_id));
    for (const RestoredBurn& burn : reversal.burns) {
      if (burn.points <= Points(0)) continue;
      const std::vector<LotPart> parts = burn_parts_of_line(quote, burns, burn.line);
      TRY(restore_burn_parts(ledger, transaction, account, receipt_id, burn.line, parts,
                             burn.points, at));
    }
  }
  return apply_counters(ledger, rebuilt.program, reversal, &customer);
}

Status insert_refund(Ledger& ledger, const RefundResult& result, std::string_view receipt_id,
                     std::string_view hash, Timestamp at) {
  Statement insert = TRY(Statement::prepare(
      ledger.database(),
      "INSERT INTO refunds (refund_id, receipt_id, request_hash, result, event_seq, created_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
  TRY(insert.bind_text(1, result.refund_id));
  TRY(insert.bind_text(2, receipt_id));
  TRY(insert.bind_text(3, hash));
  TRY(insert.bind_text(4, result.reversal_json));
  TRY(insert.bind_int64(5, result.event_seq));
  TRY(insert.bind_int64(6, at.unix_seconds));
  return insert.run();
}

}  // namespace

Result<RefundResult> Till::refund(std::string_view refund_id, std::string_view receipt_id,
                                  std::span<const ReturnRequest> returns, Timestamp at) {
  if (refund_id.empty() || refund_id.size() > limits::ledger_text_bytes_max) {
    return make_error(ErrorCode::invalid_argument,
                      "refund: the refund id must be 1 to " +
                          std::to_string(limits::ledger_text_bytes_max) + " bytes");
  }
  const std::string hash = refund_request_hash(receipt_id, returns);
  Transaction transaction = TRY(ledger_->begin());
  std::optional<RefundResult> done = TRY(find_refund(*ledger_, refund_id, hash));
  if (done) return std::move(*done);
  std::optional<ReceiptRow> row = TRY(find_receipt(*ledger_, receipt_id));
  const std::string name = "refund " + std::string(refund_id) + " of " + receipt_name(receipt_id);
  if (!row) {
    return make_error(ErrorCode::not_found,
                      name + ": the receipt is not in the ledger; check the receipt id");
  }
  if (row->state != ReceiptState::committed) {
    return make_error(ErrorCode::conflict, name + ": the receipt is " +
                                               receipt_state_name(row->state) +
                                               "; only a committed receipt can be refunded");
  }
  Rebuilt rebuilt;
  TRY(rebuild(*ledger_, quoter_, environment_, *row, rebuilt));
  const std::vector<std::int64_t> before =
      TRY(returned_before(*ledger_, receipt_id, rebuilt.receipt.lines.size()));
  Result<Reversal> reversal = compute_reversal(rebuilt.receipt, rebuilt.quote, returns, before);
  if (!reversal.ok()) {
    return make_error(reversal.error().code, name + ": " + reversal.error().message);
  }
  const std::int64_t transfers_before = TRY(hq_internal::last_transfer_id(*ledger_));
  TRY(apply_reversal(*ledger_, transaction, rebuilt, *reversal, at));
  std::optional<hq_internal::TierChange> tier;
  if (rebuilt.customer) {
    tier = TRY(write_back_refund(*ledger_, rebuilt.quote, *rebuilt.customer, *reversal,
                                 row->quoted_at, at));
  }
  TRY(record_returned(*ledger_, receipt_id, *reversal));
  RefundResult result{std::string(refund_id), reversal_to_json(rebuilt.quote, *reversal, false), 0,
                      false};
  const std::string annex = TRY(hq_internal::build_annex(
      *ledger_, transaction,
      hq_internal::AnnexInput{
          transfers_before,
          rebuilt.customer ? std::string_view(rebuilt.customer->customer_id) : "",
          -reversal->money_refund.value(), tier}));
  const EventRow event =
      TRY(append_event(*ledger_, transaction, "refund", receipt_id, result.reversal_json, at,
                       PayloadCheck::written_by_core, annex));
  result.event_seq = event.seq;
  TRY(insert_refund(*ledger_, result, receipt_id, hash, at));
  TRY(transaction.commit());
  return result;
}

}  // namespace loyalty::storage
