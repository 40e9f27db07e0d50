// Coalition partner settlement: the money a receipt at a partner moves between the partner and
// the operator, in minor units, beside the points. docs/storage.md ("Partner settlement").

#include <string>

#include "checkout/internal.h"

namespace loyalty::storage::checkout_internal {

namespace {

struct SettlementAccounts {
  AccountId partner;
  AccountId operator_side;
  std::string label;
};

Result<SettlementAccounts> accounts_for(Ledger& ledger, const Transaction& transaction,
                                        const Quote& quote, Timestamp at) {
  LOYALTY_ASSERT(quote.partner && *quote.partner < quote.program->partners.size());
  const Partner& partner = quote.program->partners[*quote.partner];
  SettlementAccounts out;
  out.partner = TRY(
      ledger.find_or_create_account(transaction, AccountKind::partner_settlement, partner.id, at));
  out.operator_side =
      TRY(ledger.find_or_create_account(transaction, AccountKind::operator_settlement, "", at));
  out.label = "partner:" + partner.id;
  return out;
}

Status move(Ledger& ledger, const Transaction& transaction, AccountId debit, AccountId credit,
            Minor amount, TransferCode code, const Quote& quote, const std::string& label,
            Timestamp at) {
  if (amount <= Minor(0)) return Status();
  MoneyTransferRequest request;
  request.debit = debit;
  request.credit = credit;
  request.amount = amount;
  request.code = code;
  request.receipt_id = quote.receipt_id;
  request.source = label;
  request.at = at;
  TRY(ledger.transfer_money(transaction, request));
  return Status();
}

}  // namespace

Status write_settlement(Ledger& ledger, const Transaction& transaction, const Quote& quote,
                        Timestamp at) {
  if (!quote.partner) return Status();
  if (quote.settlement_partner_owes <= Minor(0) && quote.settlement_owed_to_partner <= Minor(0)) {
    return Status();
  }
  const SettlementAccounts accounts = TRY(accounts_for(ledger, transaction, quote, at));
  TRY(move(ledger, transaction, accounts.partner, accounts.operator_side,
           quote.settlement_partner_owes, TransferCode::settle_issued, quote, accounts.label, at));
  return move(ledger, transaction, accounts.operator_side, accounts.partner,
              quote.settlement_owed_to_partner, TransferCode::settle_redeemed, quote,
              accounts.label, at);
}

Status reverse_settlement(Ledger& ledger, const Transaction& transaction, const Quote& quote,
                          const Reversal& reversal, Timestamp at) {
  if (!quote.partner) return Status();
  if (reversal.settlement_partner_owes_reversed <= Minor(0) &&
      reversal.settlement_owed_to_partner_reversed <= Minor(0)) {
    return Status();
  }
  const SettlementAccounts accounts = TRY(accounts_for(ledger, transaction, quote, at));
  TRY(move(ledger, transaction, accounts.operator_side, accounts.partner,
           reversal.settlement_partner_owes_reversed, TransferCode::settle_reversal, quote,
           accounts.label, at));
  return move(ledger, transaction, accounts.partner, accounts.operator_side,
              reversal.settlement_owed_to_partner_reversed, TransferCode::settle_reversal, quote,
              accounts.label, at);
}

}  // namespace loyalty::storage::checkout_internal
