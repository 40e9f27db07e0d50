// Money and points types, named rounding and exact allocation.
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
  std::vector<std::int64_t> scratch(3);
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
}

TEST_CASE("units_share splits evenly, the first units carrying the extra", "[rounding]") {
  CHECK(units_share(7192, 3, 1) == 2398);
  CHECK(units_share(7192, 3, 2) == 4795);
  CHECK(units_share(7192, 3, 3) == 7192);
  CHECK(units_share(10, 4, 0) == 0);
  CHECK(units_share(2, 4, 1) == 1);
  CHECK(units_share(2, 4, 3) == 2);
}
