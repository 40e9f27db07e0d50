// The ledger's read-only views over real SQLite files: a customer's balance and lots, one stored
// receipt, and the customer's history of receipts and refunds.
#include "loyalty/storage/views.h"

#include <catch2/catch.hpp>

#include "checkout/checkout_support.h"

namespace loyalty::storage::test {
namespace {

TEST_CASE("customer_balance shows posted, held and available points and the live lots") {
  TillFixture f;
  const CustomerState anna = customer("anna");
  checkout_ok(f, &anna, receipt("R-0", {line("WINE", 10000), line("CHEESE", 5000, 2)}));
  open_ok(f, &anna, redeeming(receipt("R-1", {line("WINE", 10000)}), 80), day(1));

  const CustomerBalance view = customer_balance(f.ledger, "anna", day(1)).value();
  CHECK(view.has_account);
  CHECK(view.balance.posted() == Points(200));
  CHECK(view.balance.debits_pending == Points(80));
  CHECK(view.balance.available() == Points(120));
  REQUIRE(view.lots.size() == 1);
  CHECK(view.lots[0].remaining == Points(200));
  CHECK(view.lots[0].active_from == test_now);

  const CustomerBalance nobody = customer_balance(f.ledger, "bert", day(1)).value();
  CHECK_FALSE(nobody.has_account);
  CHECK(nobody.balance == Balance{});
  CHECK(nobody.lots.empty());
}

TEST_CASE("find_stored_receipt returns the state, the quote and the time it was quoted at") {
  TillFixture f;
  const CustomerState anna = customer("anna");
  const CheckoutResult done = checkout_ok(f, &anna, receipt("R-0", {line("WINE", 10000)}));
  open_ok(f, nullptr, receipt("R-1", {line("WINE", 2000)}), day(1));

  const std::optional<StoredReceipt> committed = find_stored_receipt(f.ledger, "R-0").value();
  REQUIRE(committed.has_value());
  CHECK(committed->state == ReceiptState::committed);
  CHECK(committed->customer_id == std::optional<std::string>("anna"));
  CHECK(committed->quote_json == done.quote_json);
  CHECK(committed->event_seq == done.event_seq);
  CHECK(committed->quoted_at == test_now);

  const std::optional<StoredReceipt> open = find_stored_receipt(f.ledger, "R-1").value();
  REQUIRE(open.has_value());
  CHECK(open->state == ReceiptState::open);
  CHECK_FALSE(open->customer_id.has_value());
  CHECK(open->event_seq == 0);
  CHECK(open->quoted_at == day(1));

  CHECK_FALSE(find_stored_receipt(f.ledger, "R-9").value().has_value());
}

TEST_CASE("customer_history lists the customer's receipts and refunds, newest first") {
  TillFixture f;
  const CustomerState anna = customer("anna");
  const CustomerState bert = customer("bert");
  checkout_ok(f, &anna, receipt("R-0", {line("WINE", 10000), line("CHEESE", 5000, 2)}));
  checkout_ok(f, &bert, receipt("R-B", {line("WINE", 10000)}), day(1));
  checkout_ok(f, &anna, receipt("R-1", {line("WINE", 3000)}), day(2));
  refund_ok(f, "F-1", "R-0", {ReturnRequest{1, 1}}, day(3));
  open_ok(f, &anna, redeeming(receipt("R-2", {line("WINE", 10000)}), 10), day(4));
  REQUIRE(f.till.cancel_receipt("R-2", day(5)).ok());

  const std::vector<HistoryEntry> history = customer_history(f.ledger, "anna", 10).value();
  REQUIRE(history.size() == 4);
  CHECK(history[0].id == "R-2");
  CHECK(history[0].state == std::optional<ReceiptState>(ReceiptState::cancelled));
  CHECK(history[0].at == day(5));
  CHECK(history[1].kind == HistoryEntry::Kind::refund);
  CHECK(history[1].id == "F-1");
  CHECK(history[1].receipt_id == "R-0");
  CHECK_FALSE(history[1].state.has_value());
  CHECK(history[2].id == "R-1");
  CHECK(history[3].id == "R-0");
  CHECK(history[3].state == std::optional<ReceiptState>(ReceiptState::committed));

  const std::vector<HistoryEntry> newest = customer_history(f.ledger, "anna", 1).value();
  REQUIRE(newest.size() == 1);
  CHECK(newest[0].id == "R-2");
  CHECK(customer_history(f.ledger, "nobody", 10).value().empty());
}

}  // namespace
}  // namespace loyalty::storage::test
