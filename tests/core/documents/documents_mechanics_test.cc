// The customer's last_purchase_at, and the budgets-spent document of a quote's environment.
#include <catch2/catch.hpp>
#include <string>

#include "loyalty/core/documents.h"

using namespace loyalty;

TEST_CASE("last_purchase_at is read, written back and checked", "[documents][recency]") {
  Result<CustomerState> customer = load_customer(std::string_view(
      R"({"customer_id": "C-1", "last_purchase_at": "2026-11-20T08:00:00+01:00"})"));
  REQUIRE(customer.ok());
  REQUIRE(customer->last_purchase_at);
  CHECK(format_timestamp(*customer->last_purchase_at) == "2026-11-20T07:00:00Z");
  const std::string written = customer_to_json(*customer);
  CHECK(written.find(R"("last_purchase_at":"2026-11-20T07:00:00Z")") != std::string::npos);
  Result<CustomerState> again = load_customer(written);
  REQUIRE(again.ok());
  CHECK(again->last_purchase_at == customer->last_purchase_at);
  Result<CustomerState> none = load_customer(std::string_view(R"({"customer_id": "C-1"})"));
  REQUIRE(none.ok());
  CHECK_FALSE(none->last_purchase_at.has_value());
  CHECK(customer_to_json(*none).find("last_purchase_at") == std::string::npos);
  Result<CustomerState> bad = load_customer(
      std::string_view(R"({"customer_id": "C-1", "last_purchase_at": "2026-11-20"})"));
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.rfind("last_purchase_at: \"2026-11-20\" is not a valid time: ", 0) ==
        0);
}

TEST_CASE("the budgets-spent document", "[documents][budgets]") {
  Result<std::vector<BudgetSpent>> spent = load_budgets_spent(std::string_view(
      R"({"budgets_spent": [{"budget": "xmas", "period": "2026-11", "spent": 480000},
                            {"budget": "xmas", "period": "2026-12", "spent": 0}]})"));
  REQUIRE(spent.ok());
  REQUIRE(spent->size() == 2);
  CHECK((*spent)[0].budget_id == "xmas");
  CHECK((*spent)[0].period == "2026-11");
  CHECK((*spent)[0].spent == 480000);
  const auto error = [](const char* text) {
    Result<std::vector<BudgetSpent>> result = load_budgets_spent(std::string_view(text));
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == ErrorCode::invalid_argument);
    return result.error().message;
  };
  CHECK(error(R"({})") == "budgets_spent: is required");
  CHECK(error(R"({"budgets_spent": [{"budget": "x", "period": "p"}]})") ==
        "budgets_spent[0].spent: is required");
  CHECK(error(R"({"budgets_spent": [{"budget": "x", "period": "p", "spent": 1},
                                    {"budget": "x", "period": "p", "spent": 2}]})") ==
        "budgets_spent[1]: budget \"x\" is listed twice for period \"p\"");
  CHECK(error(R"({"budgets_spent": [{"budget": "x y", "period": "p", "spent": 1}]})") ==
        "budgets_spent[0].budget: must contain only A-Z, a-z, 0-9, '.', '_' and '-', got \"x y\"");
  CHECK(error(R"({"budgets_spent": [], "extra": 1})") ==
        "extra: unknown field (expected one of: budgets_spent)");
}
