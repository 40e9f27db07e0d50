// identify() validates its rules on every call (a plain value can be changed between calls), so
// its cost grows with the rules. Measured side by side: the rules of examples/programs/grocery.json
// (3 ranges) and the largest rules the loader accepts (64 ranges of 32 prefixes), for a card
// scan, a typed phone number and a number outside every range; validate_identification_rules()
// alone; and matching_card_range(), the lookup without validation, as the baseline.
//
//   build/tests/bench/bench_identification --benchmark_repetitions=5
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "loyalty/core/identification.h"

namespace {

using namespace loyalty;

CardRange range(std::string name, CardKind kind, std::vector<CardPrefix> prefixes,
                std::vector<std::size_t> lengths, CheckDigitScheme scheme) {
  CardRange out;
  out.name = std::move(name);
  out.kind = kind;
  out.prefixes = std::move(prefixes);
  out.lengths = std::move(lengths);
  out.check_digit = scheme;
  return out;
}

IdentificationRules grocery_rules() {
  IdentificationRules rules;
  rules.card_ranges = {
      range("loyalty", CardKind::loyalty, {{"29", "29"}}, {13}, CheckDigitScheme::gs1_mod10),
      range("gift", CardKind::gift, {{"6036960", "6036969"}}, {19}, CheckDigitScheme::luhn),
      range("staff", CardKind::employee, {{"2500", "2500"}}, {13}, CheckDigitScheme::gs1_mod10)};
  rules.coupons.gs1_prefixes = {"99"};
  rules.coupons.code_prefix = "CP";
  rules.phone = PhoneRules{"49", "0", "00", 8, 15};
  rules.app_tokens = AppTokenRules{86400};
  LOYALTY_ASSERT(validate_identification_rules(rules).ok());
  return rules;
}

// 64 ranges of 32 disjoint 6-digit prefixes each (300000..302047), 13 digits, GS1.
IdentificationRules largest_rules() {
  IdentificationRules rules = grocery_rules();
  rules.card_ranges.clear();
  for (int r = 0; r < 64; ++r) {
    std::vector<CardPrefix> prefixes;
    for (int p = 0; p < 32; ++p) {
      const std::string digits = std::to_string(300000 + r * 32 + p);
      prefixes.push_back(CardPrefix{digits, digits});
    }
    rules.card_ranges.push_back(range("r" + std::to_string(r), CardKind::loyalty,
                                      std::move(prefixes), {13}, CheckDigitScheme::gs1_mod10));
  }
  LOYALTY_ASSERT(validate_identification_rules(rules).ok());
  return rules;
}

const IdentificationRules& rules_of(const benchmark::State& state) {
  static const IdentificationRules grocery = grocery_rules();
  static const IdentificationRules largest = largest_rules();
  return state.range(0) == 0 ? grocery : largest;
}

// A valid card of the last range of each set: the lookup's worst case.
std::string card_of(const benchmark::State& state) {
  std::string number = state.range(0) == 0 ? "250000000004" : "302047000000";
  number += *gs1_check_digit(number);
  return number;
}

constexpr Timestamp now{1'800'000'000};

void BM_identify_card(benchmark::State& state) {
  const IdentificationRules& rules = rules_of(state);
  const std::string card = card_of(state);
  for (auto _ : state) {
    auto token = identify(card, InputSource::scan, rules, now, nullptr);
    benchmark::DoNotOptimize(token);
  }
}
BENCHMARK(BM_identify_card)->Arg(0)->Arg(1)->ArgName("largest");

void BM_identify_typed_phone(benchmark::State& state) {
  const IdentificationRules& rules = rules_of(state);
  for (auto _ : state) {
    auto token = identify("0151 1234 5678", InputSource::typed, rules, now, nullptr);
    benchmark::DoNotOptimize(token);
  }
}
BENCHMARK(BM_identify_typed_phone)->Arg(0)->Arg(1)->ArgName("largest");

void BM_identify_outside_ranges(benchmark::State& state) {
  const IdentificationRules& rules = rules_of(state);
  for (auto _ : state) {
    auto token = identify("4006381333931", InputSource::scan, rules, now, nullptr);
    benchmark::DoNotOptimize(token);
  }
}
BENCHMARK(BM_identify_outside_ranges)->Arg(0)->Arg(1)->ArgName("largest");

void BM_validate_rules(benchmark::State& state) {
  const IdentificationRules& rules = rules_of(state);
  for (auto _ : state) {
    auto status = validate_identification_rules(rules);
    benchmark::DoNotOptimize(status);
  }
}
BENCHMARK(BM_validate_rules)->Arg(0)->Arg(1)->ArgName("largest");

// The baseline: the range lookup alone, no validation, no token.
void BM_matching_card_range(benchmark::State& state) {
  const IdentificationRules& rules = rules_of(state);
  const std::string card = card_of(state);
  for (auto _ : state) {
    const CardRange* range = matching_card_range(rules.card_ranges, card);
    benchmark::DoNotOptimize(range);
  }
}
BENCHMARK(BM_matching_card_range)->Arg(0)->Arg(1)->ArgName("largest");

}  // namespace

BENCHMARK_MAIN();
