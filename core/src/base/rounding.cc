#include "loyalty/core/rounding.h"

#include <algorithm>

#include "loyalty/core/result.h"

namespace loyalty {

const char* rounding_name(Rounding rounding) {
  switch (rounding) {
    case Rounding::floor:
      return "floor";
    case Rounding::half_up:
      return "half_up";
    case Rounding::half_even:
      return "half_even";
  }
  return "floor";
}

std::optional<Rounding> rounding_from_name(std::string_view name) {
  if (name == "floor") return Rounding::floor;
  if (name == "half_up") return Rounding::half_up;
  if (name == "half_even") return Rounding::half_even;
  return std::nullopt;
}

namespace {

// The quotient rounded from its floor and remainder; the arithmetic is done in 128 bits so that
// callers may pass products of two bounded amounts.
__int128 round_quotient(__int128 numerator, __int128 denominator, Rounding rounding) {
  __int128 quotient = numerator / denominator;
  __int128 remainder = numerator % denominator;
  if (remainder == 0 || rounding == Rounding::floor) return quotient;
  __int128 twice = remainder * 2;
  if (twice > denominator) return quotient + 1;
  if (twice < denominator) return quotient;
  if (rounding == Rounding::half_up) return quotient + 1;
  return (quotient % 2 == 0) ? quotient : quotient + 1;  // half_even
}

}  // namespace

std::int64_t divide_rounded(std::int64_t numerator, std::int64_t denominator, Rounding rounding) {
  LOYALTY_ASSERT(numerator >= 0);
  LOYALTY_ASSERT(denominator > 0);
  return static_cast<std::int64_t>(round_quotient(numerator, denominator, rounding));
}

std::int64_t multiply_divide(std::int64_t a, std::int64_t b, std::int64_t c, Rounding rounding) {
  LOYALTY_ASSERT(a >= 0 && b >= 0);
  LOYALTY_ASSERT(c > 0);
  std::int64_t product = 0;
  if (!__builtin_mul_overflow(a, b, &product)) {
    // The common case: 64-bit division is several times cheaper than 128-bit.
    std::int64_t quotient = product / c;
    std::int64_t remainder = product % c;
    if (remainder == 0 || rounding == Rounding::floor) return quotient;
    std::int64_t half_compare = remainder - (c - remainder);  // 2r - c, without overflow
    if (half_compare > 0) return quotient + 1;
    if (half_compare < 0) return quotient;
    return (rounding == Rounding::half_up || quotient % 2 != 0) ? quotient + 1 : quotient;
  }
  __int128 result = round_quotient(static_cast<__int128>(a) * b, c, rounding);
  LOYALTY_ASSERT(result <= INT64_MAX);
  return static_cast<std::int64_t>(result);
}

std::optional<std::int64_t> checked_multiply(std::int64_t a, std::int64_t b) {
  std::int64_t product = 0;
  if (__builtin_mul_overflow(a, b, &product)) return std::nullopt;
  return product;
}

namespace {

// floor(total * weight / sum) and its remainder, in 64 bits when the product fits (the common
// case) and in 128 bits otherwise.
void share_of(std::int64_t total, std::int64_t weight, __int128 sum, std::int64_t& share,
              std::int64_t& remainder) {
  std::int64_t product = 0;
  if (sum <= INT64_MAX && !__builtin_mul_overflow(total, weight, &product)) {
    auto sum64 = static_cast<std::int64_t>(sum);
    share = product / sum64;
    remainder = product - share * sum64;
    return;
  }
  __int128 wide = static_cast<__int128>(total) * weight;
  share = static_cast<std::int64_t>(wide / sum);
  remainder = static_cast<std::int64_t>(wide % sum);  // below sum, which fits for allowed weights
}

}  // namespace

bool allocate_largest_remainder(std::int64_t total, std::span<const std::int64_t> weights,
                                std::span<std::int64_t> shares, std::span<std::int64_t> scratch) {
  LOYALTY_ASSERT(total >= 0);
  const std::size_t n = weights.size();
  LOYALTY_ASSERT(shares.size() == n && scratch.size() == 2 * n);
  __int128 weight_sum = 0;
  for (std::int64_t weight : weights) {
    LOYALTY_ASSERT(weight >= 0);
    weight_sum += weight;
  }
  for (auto& share : shares) share = 0;
  if (weight_sum == 0) return total == 0;
  auto remainders = scratch.first(n);
  auto order = scratch.last(n);
  std::int64_t given = 0;
  for (std::size_t i = 0; i < n; ++i) {
    share_of(total, weights[i], weight_sum, shares[i], remainders[i]);
    order[i] = static_cast<std::int64_t>(i);
    given += shares[i];
  }
  const std::int64_t left = total - given;
  LOYALTY_ASSERT(left >= 0 && left <= static_cast<std::int64_t>(n));
  if (left == 0) return true;
  // The `left` largest remainders, ties to the lower index: a linear-time selection.
  auto larger = [&remainders](std::int64_t a, std::int64_t b) {
    std::int64_t ra = remainders[static_cast<std::size_t>(a)];
    std::int64_t rb = remainders[static_cast<std::size_t>(b)];
    return ra != rb ? ra > rb : a < b;
  };
  std::nth_element(order.begin(), order.begin() + (left - 1), order.end(), larger);
  for (std::int64_t k = 0; k < left; ++k) shares[static_cast<std::size_t>(order[k])] += 1;
  return true;
}

std::int64_t units_share(std::int64_t total, std::int64_t units, std::int64_t count) {
  LOYALTY_ASSERT(total >= 0 && units > 0);
  LOYALTY_ASSERT(count >= 0 && count <= units);
  std::int64_t base = total / units;
  std::int64_t extra = total % units;
  return base * count + (count < extra ? count : extra);
}

}  // namespace loyalty
