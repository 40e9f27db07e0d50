#include "loyalty/core/rounding.h"

#include <algorithm>

#include "base/wide_uint.h"
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

using wide::WideUint;

// floor(numerator / denominator) + 1 or + 0, from the remainder, as `rounding` says.
std::int64_t rounded64(std::int64_t quotient, std::int64_t remainder, std::int64_t denominator,
                       Rounding rounding) {
  if (remainder == 0 || rounding == Rounding::floor) return quotient;
  const std::int64_t half_compare = remainder - (denominator - remainder);  // 2r - d, no overflow
  if (half_compare > 0) return quotient + 1;
  if (half_compare < 0) return quotient;
  return (rounding == Rounding::half_up || quotient % 2 != 0) ? quotient + 1 : quotient;
}

// The same in 128 bits, for products of two bounded amounts (wide_uint.h).
WideUint round_quotient(WideUint numerator, WideUint denominator, Rounding rounding) {
  WideUint quotient;
  WideUint remainder;
  wide::divide(numerator, denominator, quotient, remainder);
  if (wide::is_zero(remainder) || rounding == Rounding::floor) return quotient;
  const WideUint one = wide::widen_native(1);
  const WideUint twice = wide::shift_left_1(remainder);  // remainder < denominator < 2^127
  if (wide::less(denominator, twice)) return wide::add(quotient, one);
  if (wide::less(twice, denominator)) return quotient;
  if (rounding == Rounding::half_up || wide::is_odd(quotient)) return wide::add(quotient, one);
  return quotient;  // half_even
}

}  // namespace

std::int64_t divide_rounded(std::int64_t numerator, std::int64_t denominator, Rounding rounding) {
  LOYALTY_ASSERT(numerator >= 0);
  LOYALTY_ASSERT(denominator > 0);
  return rounded64(numerator / denominator, numerator % denominator, denominator, rounding);
}

std::int64_t multiply_divide(std::int64_t a, std::int64_t b, std::int64_t c, Rounding rounding) {
  LOYALTY_ASSERT(a >= 0 && b >= 0);
  LOYALTY_ASSERT(c > 0);
  std::int64_t product = 0;
  if (!__builtin_mul_overflow(a, b, &product)) {
    // The common case: 64-bit division is several times cheaper than 128-bit.
    return rounded64(product / c, product % c, c, rounding);
  }
  const WideUint result =
      round_quotient(wide::multiply_native(static_cast<std::uint64_t>(a),
                                           static_cast<std::uint64_t>(b)),
                     wide::widen_native(static_cast<std::uint64_t>(c)), rounding);
  LOYALTY_ASSERT(wide::fits_uint64(result) && wide::low_uint64(result) <= INT64_MAX);
  return static_cast<std::int64_t>(wide::low_uint64(result));
}

std::optional<std::int64_t> checked_multiply(std::int64_t a, std::int64_t b) {
  std::int64_t product = 0;
  if (__builtin_mul_overflow(a, b, &product)) return std::nullopt;
  return product;
}

namespace {

// floor(total * weight / sum) and its remainder, in 64 bits when the product fits (the common
// case) and in 128 bits otherwise.
void share_of(std::int64_t total, std::int64_t weight, WideUint sum, std::int64_t& share,
              std::int64_t& remainder) {
  std::int64_t product = 0;
  if (wide::fits_uint64(sum) && wide::low_uint64(sum) <= INT64_MAX &&
      !__builtin_mul_overflow(total, weight, &product)) {
    const auto sum64 = static_cast<std::int64_t>(wide::low_uint64(sum));
    share = product / sum64;
    remainder = product - share * sum64;
    return;
  }
  WideUint quotient;
  WideUint rest;
  wide::divide(wide::multiply_native(static_cast<std::uint64_t>(total),
                                     static_cast<std::uint64_t>(weight)),
               sum, quotient, rest);
  share = static_cast<std::int64_t>(wide::low_uint64(quotient));
  remainder = static_cast<std::int64_t>(wide::low_uint64(rest));  // below sum: fits for allowed weights
}

}  // namespace

bool allocate_largest_remainder(std::int64_t total, std::span<const std::int64_t> weights,
                                std::span<std::int64_t> shares, std::span<std::int64_t> scratch) {
  LOYALTY_ASSERT(total >= 0);
  const std::size_t n = weights.size();
  LOYALTY_ASSERT(shares.size() == n && scratch.size() == 2 * n);
  WideUint weight_sum = wide::widen_native(0);
  for (std::int64_t weight : weights) {
    LOYALTY_ASSERT(weight >= 0);
    weight_sum = wide::add(weight_sum, wide::widen_native(static_cast<std::uint64_t>(weight)));
  }
  for (auto& share : shares) share = 0;
  if (wide::is_zero(weight_sum)) return total == 0;
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
