// The read-only views of the HQ store: terminals, alerts, a customer, the totals, the journal.

#include <algorithm>

#include "hq/store.h"
#include "loyalty/core/limits.h"

namespace loyalty::sync::hq {

Result<std::vector<TerminalStatus>> RowStore::terminals() {
  RowTransaction transaction = TRY(RowTransaction::begin(*rows_, false));
  std::vector<TerminalStatus> statuses = TRY(rows_->terminal_statuses());
  TRY(transaction.commit());
  return statuses;
}

Result<std::vector<Alert>> RowStore::alerts() {
  RowTransaction transaction = TRY(RowTransaction::begin(*rows_, false));
  std::vector<Alert> alerts = TRY(rows_->all_alerts());
  TRY(transaction.commit());
  return alerts;
}

Result<std::optional<CustomerReport>> RowStore::customer(std::string_view pseudonym,
                                                         std::size_t history_max) {
  RowTransaction transaction = TRY(RowTransaction::begin(*rows_, false));
  const std::vector<std::string> asked{std::string(pseudonym)};
  std::vector<OwnerState> loaded = TRY(rows_->load_owners(asked));
  LOYALTY_ASSERT(loaded.size() == 1);
  const OwnerState& state = loaded.front();
  if (state.state_version == 0) return std::optional<CustomerReport>();
  CustomerReport report;
  report.pseudonym = pseudonym;
  report.balance_points = state.balance_points();
  report.overdraft_points = state.owed_points;
  report.tier = state.tier;
  report.review_at = state.review_at;
  report.period_spend = state.period_spend;
  report.period_points = state.period_points;
  report.receipts = state.receipts;
  report.spend_minor = state.spend_minor;
  report.flagged = state.flagged;
  if (history_max > 0) {
    report.history =
        TRY(rows_->history(pseudonym, std::min(history_max, limits::hq_history_entries_max)));
  }
  TRY(transaction.commit());
  return std::optional<CustomerReport>(std::move(report));
}

Result<HqTotals> RowStore::totals() {
  RowTransaction transaction = TRY(RowTransaction::begin(*rows_, false));
  const HqTotals totals = TRY(rows_->sum_totals());
  TRY(transaction.commit());
  return totals;
}

Status RowStore::scan_journal(const JournalScan& scan,
                              const std::function<Status(JournalEvent&&)>& visit) {
  for (const std::string* date : {&scan.from_date, &scan.to_date}) {
    Result<CivilDate> parsed = parse_date(*date);
    if (!parsed.ok()) {
      return make_error(ErrorCode::invalid_argument, "journal scan: " + parsed.error().message);
    }
  }
  if (scan.from_date > scan.to_date) {
    return make_error(ErrorCode::invalid_argument, "the scan's from date " + scan.from_date +
                                                       " is after its to date " + scan.to_date);
  }
  RowTransaction transaction = TRY(RowTransaction::begin(*rows_, false));
  TRY(rows_->scan_journal(scan, visit));
  return transaction.commit();
}

Status RowStore::scan_entries(Timestamp from, Timestamp until,
                              const std::function<Status(const LedgerEntryRow&)>& visit) {
  RowTransaction transaction = TRY(RowTransaction::begin(*rows_, false));
  TRY(rows_->scan_entries(from, until, visit));
  return transaction.commit();
}

Result<LedgerStock> RowStore::ledger_stock(Timestamp until) {
  RowTransaction transaction = TRY(RowTransaction::begin(*rows_, false));
  const LedgerStock stock = TRY(rows_->ledger_stock(until));
  TRY(transaction.commit());
  return stock;
}

}  // namespace loyalty::sync::hq
