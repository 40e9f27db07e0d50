#include "loyalty/core/rounding.h"

#include "loyalty/core/result.h"

namespace loyalty {

const char* rounding_name(Rounding rounding) {
  switch (rounding) {
    case Rounding::floor: return "floor";
    case Rounding::half_up: return "half_up";
    case Rounding::half_even: return "half_even";
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
  __int128 result = round_quotient(static_cast<__int128>(a) * b, c, rounding);
  LOYALTY_ASSERT(result <= INT64_MAX);
  return static_cast<std::int64_t>(result);
}

std::optional<std::int64_t> checked_multiply(std::int64_t a, std::int64_t b) {
  std::int64_t product = 0;
  if (__builtin_mul_overflow(a, b, &product)) return std::nullopt;
  return product;
}

bool allocate_largest_remainder(std::int64_t total, std::span<const std::int64_t> weights,
                                std::span<std::int64_t> shares, std::span<std::int64_t> scratch) {
  LOYALTY_ASSERT(total >= 0);
  LOYALTY_ASSERT(shares.size() == weights.size() && scratch.size() == weights.size());
  __int128 weight_sum = 0;
  for (std::int64_t weight : weights) {
    LOYALTY_ASSERT(weight >= 0);
    weight_sum += weight;
  }
  for (auto& share : shares) share = 0;
  if (weight_sum == 0) return total == 0;
  std::int64_t given = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    __int128 product = static_cast<__int128>(total) * weights[i];
    shares[i] = static_cast<std::int64_t>(product / weight_sum);
    // A remainder is below weight_sum, which fits in int64 for the weights limits.h allows.
    scratch[i] = static_cast<std::int64_t>(product % weight_sum);
    given += shares[i];
  }
  std::int64_t left = total - given;
  LOYALTY_ASSERT(left >= 0 && left <= static_cast<std::int64_t>(weights.size()));
  // At most one extra unit per share; `left` < number of weights, so this loop is bounded.
  for (std::int64_t round = 0; round < left; ++round) {
    std::size_t best = weights.size();
    for (std::size_t i = 0; i < weights.size(); ++i) {
      if (scratch[i] < 0 || weights[i] == 0) continue;
      if (best == weights.size() || scratch[i] > scratch[best]) best = i;
    }
    LOYALTY_ASSERT(best < weights.size());
    shares[best] += 1;
    scratch[best] = -1;
  }
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
