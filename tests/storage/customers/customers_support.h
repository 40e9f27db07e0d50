// Helpers for the customer cache tests: a program with an offline floor limit, tiers, a birthday
// bonus and a coalition partner, stored in a fresh ledger, with a Till and a CustomerCache.
#pragma once

#include <catch2/catch.hpp>
#include <string>
#include <utility>

#include "checkout/checkout_support.h"
#include "loyalty/storage/customers.h"

namespace loyalty::storage::test {

inline constexpr std::string_view cache_program_json = R"json({
  "format": "loyalty-program/1",
  "program_id": "cache-test",
  "version": 1,
  "currency": "EUR",
  "earn": {"base": {"points": 1, "per_minor": 100}, "rounding": "floor"},
  "burn": {"enabled": true, "rate": {"points": 1, "value_minor": 1}, "cap_bp": 10000,
           "min_balance": 0, "offline_floor_limit": 100},
  "partners": [{"id": "cafe", "name": "Cafe",
                "settlement_per_point_earned_minor": 3, "settlement_per_point_burned_minor": 2}],
  "tiers": {"basis": "spend", "period_days": 365, "upgrade": "immediate", "downgrade": "yearly",
            "levels": [{"id": "base", "name": "Member", "threshold": 0},
                       {"id": "silver", "name": "Silver", "threshold": 50000,
                        "earn_multiplier_percent": 150}]},
  "rules": [
    {"id": "birthday", "kind": "bonus", "trigger": "birthday", "points": 500,
     "window_days_before": 3, "window_days_after": 3}
  ]
})json";

struct CacheFixture {
  TempDir dir;
  Ledger ledger = open_ledger(dir.file("ledger.db"));
  Program program = load_program(cache_program_json).value();
  Till till{ledger};
  CustomerCache cache{ledger};

  CacheFixture() {
    Status stored = till.store_program(cache_program_json, test_now);
    if (!stored.ok()) FAIL("store_program failed: " << stored.error().message);
  }

  CheckoutResult offline_ok(const std::string& card, const Receipt& r, Timestamp at = test_now) {
    Result<CheckoutResult> result = till.checkout_offline(program, card, r, at);
    if (!result.ok()) FAIL("checkout_offline failed: " << result.error().message);
    return std::move(result).value();
  }

  CheckoutResult online_ok(const CustomerState& customer, const Receipt& r,
                           Timestamp at = test_now) {
    Result<CheckoutResult> result = till.checkout(program, &customer, r, at);
    if (!result.ok()) FAIL("checkout failed: " << result.error().message);
    return std::move(result).value();
  }

  // The error message of a checkout expected to fail with `code`.
  std::string offline_refusal(const std::string& card, const Receipt& r, ErrorCode code) {
    Result<CheckoutResult> result = till.checkout_offline(program, card, r, test_now);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == code);
    return result.error().message;
  }

  CachedCustomer cached(const std::string& card) {
    Result<std::optional<CachedCustomer>> found = cache.find(card);
    if (!found.ok()) FAIL("find failed: " << found.error().message);
    if (!found.value()) FAIL("customer " << card << " is not cached");
    return std::move(*found.value());
  }

  void refresh(const CustomerState& state, Consent consent, Timestamp at = test_now) {
    Status refreshed = cache.refresh_from_hq(state, consent, at);
    if (!refreshed.ok()) FAIL("refresh_from_hq failed: " << refreshed.error().message);
  }
};

inline Receipt at_partner(Receipt r, const std::string& partner) {
  r.partner_id = partner;
  return r;
}

}  // namespace loyalty::storage::test
