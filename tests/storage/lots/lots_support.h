// Helpers for the lot tests: credit a lot, read lots and transfers back as plain values. Each
// fails the test on an unexpected error.
#pragma once

#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ledger/ledger_support.h"
#include "loyalty/storage/lots.h"
#include "loyalty/storage/statement.h"

namespace loyalty::storage::test {

inline constexpr std::int64_t day_s = 86'400;

inline Timestamp day(std::int64_t n) { return Timestamp{test_now.unix_seconds + n * day_s}; }

inline LotCredit lot_credit(AccountId account, std::int64_t points, Timestamp active_from,
                            std::optional<Timestamp> expires_at,
                            std::string_view receipt_id = "r-1",
                            std::optional<std::uint32_t> line = 0) {
  LotCredit credit;
  credit.account = account;
  credit.points = Points(points);
  credit.active_from = active_from;
  credit.expires_at = expires_at;
  credit.receipt_id = receipt_id;
  credit.line = line;
  credit.source = "earn.base";
  credit.at = test_now;
  return credit;
}

// One credit_lot() in its own transaction.
inline LotId credit(Ledger& ledger, const LotCredit& credit) {
  Transaction transaction = begin(ledger);
  Result<LotId> id = credit_lot(ledger, transaction, credit);
  if (!id.ok()) FAIL("credit_lot failed: " << id.error().message);
  commit(transaction);
  return id.value();
}

inline std::int64_t remaining_of(Ledger& ledger, LotId id) {
  Result<Lot> row = lot(ledger, id);
  if (!row.ok()) FAIL("lot failed: " << row.error().message);
  return row->remaining.value();
}

// Transfers with id > after, one line each: "7: 3 -> 2 50 burn lot 2 (burn)".
inline std::vector<std::string> transfers_after(Ledger& ledger, std::int64_t after) {
  Statement select =
      Statement::prepare(ledger.database(),
                         "SELECT id, debit_account, credit_account, amount, code, lot_id, source "
                         "FROM transfers WHERE id > ?1 ORDER BY id")
          .value();
  REQUIRE(select.bind_int64(1, after).ok());
  std::vector<std::string> lines;
  while (select.step().value() == Step::row) {
    std::string line = std::to_string(select.column_int64(0)) + ": " +
                       std::to_string(select.column_int64(1)) + " -> " +
                       std::to_string(select.column_int64(2)) + " " +
                       std::to_string(select.column_int64(3)) + " " + select.column_text(4);
    if (!select.column_is_null(5)) line += " lot " + std::to_string(select.column_int64(5));
    line += " (" + select.column_text(6) + ")";
    lines.push_back(line);
  }
  return lines;
}

inline std::vector<std::string> problems_of(Ledger& ledger) {
  Result<LedgerReport> report = ledger.check();
  if (!report.ok()) FAIL("check failed: " << report.error().message);
  return report->problems;
}

inline LotMove lot_move(std::int64_t lot, std::int64_t points, std::int64_t transfer) {
  return LotMove{LotId{lot}, Points(points), TransferId{transfer}};
}

}  // namespace loyalty::storage::test

namespace Catch {
template <>
struct StringMaker<loyalty::storage::LotMove> {
  static std::string convert(const loyalty::storage::LotMove& m) {
    return "{lot " + std::to_string(m.lot.value) + ", " + std::to_string(m.points.value()) +
           " points, transfer " + std::to_string(m.transfer.value) + "}";
  }
};
}  // namespace Catch
