// Helpers for the checkout tests: a small rule bundle with every kind of effect the checkout
// writes (earning, points as tender, a reward, a donation, a stamp card, a coupon, an event
// award, a referral bonus), customers, receipts, and readers for balances and counters. Each fails
// the test on an unexpected error.
#pragma once

#include <catch2/catch.hpp>
#include <string>
#include <utility>

#include "lots/lots_support.h"
#include "loyalty/core/program_loader.h"
#include "loyalty/storage/checkout.h"
#include "loyalty/storage/statement.h"

namespace loyalty::storage::test {

inline constexpr std::string_view till_program_json = R"json({
  "format": "loyalty-program/1",
  "program_id": "till-test",
  "version": 1,
  "currency": "EUR",
  "earn": {"base": {"points": 1, "per_minor": 100}, "rounding": "floor"},
  "burn": {"enabled": true, "rate": {"points": 1, "value_minor": 1}, "cap_bp": 10000,
           "min_balance": 0},
  "rewards": [{"id": "free-coffee", "sku": "COFFEE-CUP", "points": 250}],
  "charities": [{"id": "food-bank", "name": "City Food Bank"}],
  "rules": [
    {"id": "tea-card", "kind": "stamp_card", "items": {"skus": ["TEA-CUP"]},
     "card_id": "tea", "stamps_required": 3},
    {"id": "save1", "kind": "coupon", "code": "SAVE1", "amount_minor": 100, "scope": "basket"},
    {"id": "once", "kind": "coupon", "code": "ONCE", "amount_minor": 200, "scope": "basket",
     "uses_max": 1},
    {"id": "twice-each", "kind": "coupon", "code": "TWICE", "amount_minor": 50, "scope": "basket",
     "per_customer_max": 2},
    {"id": "review", "kind": "event_award", "event_type": "review", "points": 50},
    {"id": "referral", "kind": "bonus", "trigger": "referral", "points": 30,
     "referrer_points": 20}
  ]
})json";

inline Program till_program() {
  Result<Program> program = load_program(till_program_json);
  if (!program.ok()) FAIL("load_program failed: " << program.error().message);
  return std::move(program).value();
}

// A ledger in a TempDir with the program stored, and a Till over it.
struct TillFixture {
  TempDir dir;
  Ledger ledger = open_ledger(dir.file("ledger.db"));
  Program program = till_program();
  Till till{ledger};

  TillFixture() {
    Status stored = till.store_program(till_program_json, test_now);
    if (!stored.ok()) FAIL("store_program failed: " << stored.error().message);
  }
};

inline CustomerState customer(const std::string& id) {
  CustomerState state;
  state.customer_id = id;
  state.known = true;
  return state;
}

inline ReceiptLine line(const std::string& sku, std::int64_t unit_price_minor,
                        std::int64_t quantity = 1) {
  ReceiptLine receipt_line;
  receipt_line.sku = sku;
  receipt_line.unit_price = Minor(unit_price_minor);
  receipt_line.quantity = quantity;
  return receipt_line;
}

inline Receipt receipt(const std::string& id, std::vector<ReceiptLine> lines) {
  Receipt r;
  r.receipt_id = id;
  r.store_id = "store-7";
  r.currency = "EUR";
  r.lines = std::move(lines);
  return r;
}

inline Receipt redeeming(Receipt r, std::int64_t points) {
  r.redeem = RedeemRequest::points;
  r.redeem_points = Points(points);
  return r;
}

inline CheckoutResult checkout_ok(TillFixture& f, const CustomerState* c, const Receipt& r,
                                  Timestamp at = test_now) {
  Result<CheckoutResult> result = f.till.checkout(f.program, c, r, at);
  if (!result.ok()) FAIL("checkout failed: " << result.error().message);
  return std::move(result).value();
}

inline CheckoutResult open_ok(TillFixture& f, const CustomerState* c, const Receipt& r,
                              Timestamp at = test_now) {
  Result<CheckoutResult> result = f.till.open_receipt(f.program, c, r, at);
  if (!result.ok()) FAIL("open_receipt failed: " << result.error().message);
  return std::move(result).value();
}

inline RefundResult refund_ok(TillFixture& f, const std::string& refund_id,
                              const std::string& receipt_id, std::vector<ReturnRequest> returns,
                              Timestamp at = test_now) {
  Result<RefundResult> result = f.till.refund(refund_id, receipt_id, returns, at);
  if (!result.ok()) FAIL("refund failed: " << result.error().message);
  return std::move(result).value();
}

// The balance of the account (kind, owner); a zero Balance when it does not exist.
inline Balance balance_by_owner(Ledger& ledger, AccountKind kind, const std::string& owner) {
  Statement select = Statement::prepare(ledger.database(),
                                        "SELECT id FROM accounts WHERE kind = ?1 AND owner = ?2")
                         .value();
  REQUIRE(select.bind_text(1, account_kind_name(kind)).ok());
  REQUIRE(select.bind_text(2, owner).ok());
  if (select.step().value() != Step::row) return Balance{};
  return balance_of(ledger, AccountId{select.column_int64(0)});
}

inline Balance points_of(Ledger& ledger, const std::string& customer_id) {
  return balance_by_owner(ledger, AccountKind::customer_points, customer_id);
}

// One counter's count; -1 when the row does not exist.
inline std::int64_t counter(Ledger& ledger, const std::string& customer_id, const std::string& kind,
                            const std::string& key) {
  Statement select = Statement::prepare(ledger.database(),
                                        "SELECT count FROM counters WHERE customer_id = ?1 AND "
                                        "kind = ?2 AND key = ?3")
                         .value();
  REQUIRE(select.bind_text(1, customer_id).ok());
  REQUIRE(select.bind_text(2, kind).ok());
  REQUIRE(select.bind_text(3, key).ok());
  if (select.step().value() != Step::row) return -1;
  return select.column_int64(0);
}

// One integer from a query without parameters.
inline std::int64_t scalar(Ledger& ledger, const std::string& sql) {
  Statement select = Statement::prepare(ledger.database(), sql).value();
  REQUIRE(select.step().value() == Step::row);
  return select.column_int64(0);
}

// "lot points/remaining line" for every lot of the customer's account, in lot order.
inline std::vector<std::string> lots_of(Ledger& ledger, const std::string& customer_id) {
  Statement select =
      Statement::prepare(ledger.database(),
                         "SELECT l.points, l.remaining, l.line FROM lots l JOIN accounts a ON "
                         "a.id = l.account WHERE a.kind = 'customer_points' AND a.owner = ?1 "
                         "ORDER BY l.lot_id")
          .value();
  REQUIRE(select.bind_text(1, customer_id).ok());
  std::vector<std::string> rows;
  while (select.step().value() == Step::row) {
    rows.push_back(
        std::to_string(select.column_int64(0)) + "/" + std::to_string(select.column_int64(1)) +
        " line " +
        (select.column_is_null(2) ? std::string("-") : std::to_string(select.column_int64(2))));
  }
  return rows;
}

inline void require_check_ok(Ledger& ledger) {
  CHECK(problems_of(ledger) == std::vector<std::string>{});
}

}  // namespace loyalty::storage::test
