// Named rounding and exact allocation. Every division of money or points in the project goes
// through these functions, so each rounding is explicit and tested once.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace loyalty {

enum class Rounding {
  floor,      // toward zero for the non-negative amounts used here: never over-credits
  half_up,    // .5 goes up
  half_even,  // .5 goes to the even neighbour (banker's rounding)
};

const char* rounding_name(Rounding rounding);
std::optional<Rounding> rounding_from_name(std::string_view name);

// numerator / denominator rounded as named. numerator >= 0, denominator > 0; the product that
// produced the numerator must already fit in int64 (limits.h bounds the inputs so that it does).
std::int64_t divide_rounded(std::int64_t numerator, std::int64_t denominator, Rounding rounding);

// (a * b) / c rounded as named, computed without intermediate overflow. a, b >= 0, c > 0, and the
// result must fit in int64.
std::int64_t multiply_divide(std::int64_t a, std::int64_t b, std::int64_t c, Rounding rounding);

// a * b, or nothing when the product does not fit in int64.
std::optional<std::int64_t> checked_multiply(std::int64_t a, std::int64_t b);

// Splits `total` (>= 0) across `weights` (each >= 0) in proportion, by the largest-remainder
// method: each share is floor(total * w / W), and the units left over go one each to the largest
// remainders, ties to the lower index. The shares sum to exactly `total`. If every weight is zero
// the whole total goes nowhere and the function returns false. `shares` must have the size of
// `weights` and `scratch` twice that (remainders and an order); no allocation happens here.
// Runs in linear time.
bool allocate_largest_remainder(std::int64_t total, std::span<const std::int64_t> weights,
                                std::span<std::int64_t> shares, std::span<std::int64_t> scratch);

// The part of `total` carried by the first `count` of `units` equal units: the total is split as
// evenly as integers allow, the first units carrying the extra ones. Used to reverse part of a
// line's quantity exactly: returning units [a, b) gives units_share(t, n, b) - units_share(t, n,
// a), and returning every unit in any number of steps gives back exactly `total`.
std::int64_t units_share(std::int64_t total, std::int64_t units, std::int64_t count);

}  // namespace loyalty
