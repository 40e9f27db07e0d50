// The portable 128-bit arithmetic of the rounding helpers (core/src/base/wide_uint.h), which
// 32-bit targets (armhf) use: exact values on every target, and on targets with unsigned __int128
// a comparison with the compiler's arithmetic over random operands of every width.
#include <catch2/catch.hpp>
#include <cstdint>
#include <random>

#include "base/wide_uint.h"

using loyalty::wide::WidePair;

TEST_CASE("the portable 128-bit product, sum and quotient have exact values", "[core][rounding]") {
  constexpr std::uint64_t max = UINT64_MAX;
  CHECK(loyalty::wide::multiply(max, max) == WidePair{0xfffffffffffffffe, 1});
  CHECK(loyalty::wide::multiply(0x100000000, 0x100000000) == WidePair{1, 0});
  CHECK(loyalty::wide::multiply(0, max) == WidePair{0, 0});
  CHECK(loyalty::wide::multiply(3'000'000'000'000, 7'000'000'000) ==
        WidePair{1138, 7'605'244'118'530'260'992});  // 2.1e22
  CHECK(loyalty::wide::add(WidePair{0, max}, WidePair{0, 1}) == WidePair{1, 0});
  WidePair quotient;
  WidePair remainder;
  loyalty::wide::divide(WidePair{1, 0}, WidePair{0, 3}, quotient, remainder);  // 2^64 / 3
  CHECK(quotient == WidePair{0, 0x5555555555555555});
  CHECK(remainder == WidePair{0, 1});
  loyalty::wide::divide(WidePair{1138, 7'605'244'118'530'260'992}, WidePair{0, 7'000'000'000},
                        quotient, remainder);
  CHECK(quotient == WidePair{0, 3'000'000'000'000});
  CHECK(remainder == WidePair{0, 0});
  loyalty::wide::divide(WidePair{5, 17}, WidePair{2, 0}, quotient, remainder);
  CHECK(quotient == WidePair{0, 2});
  CHECK(remainder == WidePair{1, 17});
  CHECK(loyalty::wide::less(WidePair{0, max}, WidePair{1, 0}));
  CHECK_FALSE(loyalty::wide::less(WidePair{1, 0}, WidePair{1, 0}));
}

#ifdef __SIZEOF_INT128__
TEST_CASE("the portable 128-bit arithmetic agrees with the compiler's unsigned __int128",
          "[core][rounding]") {
  using Native = unsigned __int128;
  const auto pair_of = [](Native value) {
    return WidePair{static_cast<std::uint64_t>(value >> 64), static_cast<std::uint64_t>(value)};
  };
  std::mt19937_64 random(20261207);
  for (int i = 0; i < 20000; ++i) {
    // Operands of every width, so that both halves and the carries are exercised.
    const std::uint64_t a = random() >> (random() % 64);
    const std::uint64_t b = random() >> (random() % 64);
    const Native product = static_cast<Native>(a) * b;
    REQUIRE(loyalty::wide::multiply(a, b) == pair_of(product));
    const Native divisor =
        (static_cast<Native>(random() >> (random() % 64)) << (random() % 2 == 0 ? 0 : 64)) |
        (random() >> (random() % 64)) | 1;
    WidePair quotient;
    WidePair remainder;
    loyalty::wide::divide(pair_of(product), pair_of(divisor), quotient, remainder);
    REQUIRE(quotient == pair_of(product / divisor));
    REQUIRE(remainder == pair_of(product % divisor));
    REQUIRE(loyalty::wide::add(pair_of(product), pair_of(divisor)) ==
            pair_of(product + divisor));
  }
}
#endif
