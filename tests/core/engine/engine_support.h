// Helpers for engine tests: bundles, customers and receipts from JSON text, quoted through the
// real loaders and the real engine.
#pragma once

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "loyalty/core/documents.h"
#include "loyalty/core/engine.h"
#include "loyalty/core/program_loader.h"
#include "loyalty/core/quote.h"
#include "loyalty/core/time.h"

namespace loyalty::testing {

// A bundle with the given extra top-level members (without braces), e.g.
// R"("rules": [...])". EUR unless the members name a currency, two decimals, UTC, 1 point per
// 1.00, floor.
inline std::string bundle_json(const std::string& members) {
  std::string text = R"({"format": "loyalty-program/1", "program_id": "test", "version": 1)";
  if (members.find("\"currency\"") == std::string::npos) text += R"(, "currency": "EUR")";
  if (!members.empty()) text += ", " + members;
  return text + "}";
}

inline Program make_program(const std::string& members) {
  auto program = load_program(bundle_json(members));
  INFO((program.ok() ? std::string() : program.error().message));
  REQUIRE(program.ok());
  return std::move(program).value();
}

inline CustomerState make_customer(const std::string& json) {
  auto customer = load_customer(json);
  INFO((customer.ok() ? std::string() : customer.error().message));
  REQUIRE(customer.ok());
  return std::move(customer).value();
}

// A receipt in EUR with the given lines (a JSON array) and extra members.
inline Receipt make_receipt(const std::string& lines, const std::string& extra = "") {
  std::string text = R"({"receipt_id": "R-1", "currency": "EUR", "lines": )" + lines;
  if (!extra.empty()) text += ", " + extra;
  text += "}";
  auto receipt = load_receipt(text);
  INFO((receipt.ok() ? std::string() : receipt.error().message));
  REQUIRE(receipt.ok());
  return std::move(receipt).value();
}

inline Timestamp at(const char* iso) {
  auto parsed = parse_timestamp(iso);
  REQUIRE(parsed.ok());
  return parsed.value();
}

// 2026-11-24 is a Tuesday.
inline Timestamp tuesday_noon() { return at("2026-11-24T12:00:00Z"); }

// A DrawKeyer for tests: FNV-1a over the key and the message, finished with SplitMix64. Keyed and
// deterministic, but no MAC: the real keyer is HMAC-SHA-256 (tests/environment).
class TestDrawKeyer final : public DrawKeyer {
 public:
  explicit TestDrawKeyer(std::string key) : key_(std::move(key)) {}
  std::uint64_t draw_value(std::string_view message) const override {
    std::uint64_t hash = 14695981039346656037ull;
    for (std::string_view part : {std::string_view(key_), message}) {
      for (unsigned char byte : part) {
        hash ^= byte;
        hash *= 1099511628211ull;
      }
      hash ^= 0xff;
      hash *= 1099511628211ull;
    }
    std::uint64_t z = hash + 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }

 private:
  std::string key_;
};

inline Quote quote_in(const Program& program, const CustomerState* customer, const Receipt& receipt,
                      Timestamp when, const QuoteEnvironment& env) {
  auto quote = quote_receipt(program, customer, receipt, when, env);
  INFO((quote.ok() ? std::string() : quote.error().message));
  REQUIRE(quote.ok());
  return std::move(quote).value();
}

inline Quote quote_ok(const Program& program, const CustomerState* customer, const Receipt& receipt,
                      Timestamp when = tuesday_noon()) {
  auto quote = quote_receipt(program, customer, receipt, when);
  INFO((quote.ok() ? std::string() : quote.error().message));
  REQUIRE(quote.ok());
  return std::move(quote).value();
}

inline std::string quote_error(const Program& program, const CustomerState* customer,
                               const Receipt& receipt, Timestamp when = tuesday_noon()) {
  auto quote = quote_receipt(program, customer, receipt, when);
  REQUIRE_FALSE(quote.ok());
  return quote.error().message;
}

// Points on `line` from the source labelled `label` ("earn.base", "rule:x", "tier:gold").
inline std::int64_t earned_from(const Quote& quote, std::uint32_t line, const std::string& label,
                                EarnAccount account = EarnAccount::customer) {
  std::int64_t sum = 0;
  for (const auto& entry : quote.earns) {
    if (entry.line == line && entry.account == account &&
        source_label(*quote.program, entry.source) == label) {
      sum += entry.points.value();
    }
  }
  return sum;
}

inline std::int64_t discount_from(const Quote& quote, std::uint32_t line,
                                  const std::string& label) {
  std::int64_t sum = 0;
  for (const auto& discount : quote.discounts) {
    if (discount.line == line && source_label(*quote.program, discount.source) == label) {
      sum += discount.amount.value();
    }
  }
  return sum;
}

inline bool has_note(const Quote& quote, NoteCode code) {
  for (const auto& note : quote.notes) {
    if (note.code == code) return true;
  }
  return false;
}

inline const char* known_customer() { return R"({"customer_id": "C-1", "purchase_count": 5})"; }

}  // namespace loyalty::testing
