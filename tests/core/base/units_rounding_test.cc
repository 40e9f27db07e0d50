// Money and points types, named rounding and exact allocation.
#include <algorithm>
#include <catch2/catch.hpp>
#include <vector>

#include "loyalty/core/rounding.h"
#include "loyalty/core/units.h"

using namespace loyalty;

TEST_CASE("Minor and Points: every operator", "[units]") {
  Minor a(150);
  Minor b(50);
  CHECK((a + b).value() == 200);
  CHECK((a - b).value() == 100);
  CHECK((-a).value() == -150);
  CHECK((b * 3).value() == 150);
  CHECK(a > b);
  CHECK(b < a);
  CHECK(a >= Minor(150));
  CHECK(a <= Minor(150));
  CHECK(a == Minor(150));
  CHECK(a != b);
  Minor c = a;
  c += b;
  CHECK(c == Minor(200));
  c -= Minor(25);
  CHECK(c == Minor(175));
  CHECK(min_of(a, b) == b);
  CHECK(max_of(a, b) == a);
  Points p(7);
  p += Points(3);
  CHECK(p == Points(10));
  CHECK(Points().value() == 0);
  static_assert(!std::is_convertible_v<Points, Minor>);
  static_assert(!std::is_convertible_v<std::int64_t, Points>);
}

TEST_CASE("divide_rounded: floor, half_up, half_even", "[rounding]") {
  CHECK(divide_rounded(25, 10, Rounding::floor) == 2);
  CHECK(divide_rounded(25, 10, Rounding::half_up) == 3);
  CHECK(divide_rounded(25, 10, Rounding::half_even) == 2);
  CHECK(divide_rounded(35, 10, Rounding::half_even) == 4);
  CHECK(divide_rounded(26, 10, Rounding::half_even) == 3);
  CHECK(divide_rounded(24, 10, Rounding::half_up) == 2);
  CHECK(divide_rounded(0, 7, Rounding::half_up) == 0);
  CHECK(divide_rounded(20, 10, Rounding::floor) == 2);
  CHECK(multiply_divide(1'000'000'000'000, 10'000, 10'000, Rounding::floor) == 1'000'000'000'000);
  CHECK(multiply_divide(999'999'999'999, 9'999, 10'000, Rounding::half_up) == 999'899'999'999);
  CHECK(rounding_from_name("half_even") == Rounding::half_even);
  CHECK_FALSE(rounding_from_name("banker"));
  CHECK(std::string(rounding_name(Rounding::half_up)) == "half_up");
}

TEST_CASE("allocate_largest_remainder sums exactly, ties to the lower index", "[rounding]") {
  std::vector<std::int64_t> shares(3);
  std::vector<std::int64_t> scratch(6);
  std::vector<std::int64_t> thirds{1, 1, 1};
  REQUIRE(allocate_largest_remainder(100, thirds, shares, scratch));
  CHECK(shares == std::vector<std::int64_t>{34, 33, 33});
  std::vector<std::int64_t> weights{3000, 0, 7000};
  REQUIRE(allocate_largest_remainder(1001, weights, shares, scratch));
  CHECK(shares == std::vector<std::int64_t>{300, 0, 701});
  std::vector<std::int64_t> zeros{0, 0, 0};
  CHECK_FALSE(allocate_largest_remainder(5, zeros, shares, scratch));
  CHECK(allocate_largest_remainder(0, zeros, shares, scratch));
  CHECK(shares == std::vector<std::int64_t>{0, 0, 0});
  // 7 over {2, 2, 1} is 2.8, 2.8, 1.4 -> 2, 2, 1, and the two spare units go to the 0.8s.
  std::vector<std::int64_t> uneven{2, 2, 1};
  REQUIRE(allocate_largest_remainder(7, uneven, shares, scratch));
  CHECK(shares == std::vector<std::int64_t>{3, 3, 1});
  // Weights whose product with the total overflows 64 bits take the 128-bit path.
  std::vector<std::int64_t> huge{1'000'000'000'000'000, 3'000'000'000'000'000, 0};
  REQUIRE(allocate_largest_remainder(1'000'000'000'001, huge, shares, scratch));
  CHECK(shares == std::vector<std::int64_t>{250'000'000'000, 750'000'000'001, 0});
}

TEST_CASE("allocate_largest_remainder over many lines matches the definition", "[rounding]") {
  // 1000 weights 1..1000 sharing 12345: check the sum and that no share is off by more than one
  // from its exact value, and that the spare units went to the largest remainders.
  const std::size_t n = 1000;
  std::vector<std::int64_t> weights(n), shares(n), scratch(2 * n);
  std::int64_t sum = 0;
  for (std::size_t i = 0; i < n; ++i) sum += weights[i] = static_cast<std::int64_t>(i % 97 + 1);
  REQUIRE(allocate_largest_remainder(12345, weights, shares, scratch));
  std::int64_t given = 0;
  std::int64_t min_extra_remainder = sum;
  std::int64_t max_plain_remainder = -1;
  for (std::size_t i = 0; i < n; ++i) {
    given += shares[i];
    std::int64_t floor_share = 12345 * weights[i] / sum;
    std::int64_t remainder = 12345 * weights[i] % sum;
    REQUIRE((shares[i] == floor_share || shares[i] == floor_share + 1));
    if (shares[i] == floor_share + 1)
      min_extra_remainder = std::min(min_extra_remainder, remainder);
    if (shares[i] == floor_share) max_plain_remainder = std::max(max_plain_remainder, remainder);
  }
  CHECK(given == 12345);
  CHECK(min_extra_remainder >= max_plain_remainder);
}

TEST_CASE("units_share splits evenly, the first units carrying the extra", "[rounding]") {
  CHECK(units_share(7192, 3, 1) == 2398);
  CHECK(units_share(7192, 3, 2) == 4795);
  CHECK(units_share(7192, 3, 3) == 7192);
  CHECK(units_share(10, 4, 0) == 0);
  CHECK(units_share(2, 4, 1) == 1);
  CHECK(units_share(2, 4, 3) == 2);
}
