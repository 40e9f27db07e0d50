// Unsigned 128-bit arithmetic for the rounding helpers (rounding.cc): the product of two bounded
// 64-bit amounts, sums of weights, and their quotients and remainders.
//
// WidePair is portable (two 64-bit halves; shift-and-subtract division) and is what 32-bit
// targets such as armhf use, where GCC has no __int128. Targets that have unsigned __int128
// (x86-64, aarch64) use it instead: WideUint names whichever the target has, and both offer the
// same free functions, so tests check WidePair against the compiler's type.
#pragma once

#include <cstdint>

namespace loyalty::wide {

struct WidePair {
  std::uint64_t hi = 0;
  std::uint64_t lo = 0;
  bool operator==(const WidePair&) const = default;
};

inline WidePair widen(std::uint64_t value) { return WidePair{0, value}; }
inline bool less(WidePair a, WidePair b) { return a.hi != b.hi ? a.hi < b.hi : a.lo < b.lo; }
inline bool is_zero(WidePair a) { return a.hi == 0 && a.lo == 0; }
inline bool fits_uint64(WidePair a) { return a.hi == 0; }
inline std::uint64_t low_uint64(WidePair a) { return a.lo; }
inline bool is_odd(WidePair a) { return (a.lo & 1) != 0; }

inline WidePair add(WidePair a, WidePair b) {
  WidePair sum{a.hi + b.hi, a.lo + b.lo};
  if (sum.lo < a.lo) ++sum.hi;  // the carry
  return sum;
}
inline WidePair subtract(WidePair a, WidePair b) {  // a >= b
  WidePair difference{a.hi - b.hi, a.lo - b.lo};
  if (a.lo < b.lo) --difference.hi;  // the borrow
  return difference;
}
inline WidePair shift_left_1(WidePair a) { return WidePair{(a.hi << 1) | (a.lo >> 63), a.lo << 1}; }

// a * b in full, from four 32 x 32-bit products.
inline WidePair multiply(std::uint64_t a, std::uint64_t b) {
  const std::uint64_t a_lo = a & 0xffffffffu, a_hi = a >> 32;
  const std::uint64_t b_lo = b & 0xffffffffu, b_hi = b >> 32;
  const std::uint64_t lo_lo = a_lo * b_lo;
  const std::uint64_t hi_lo = a_hi * b_lo;
  const std::uint64_t lo_hi = a_lo * b_hi;
  const std::uint64_t hi_hi = a_hi * b_hi;
  const std::uint64_t middle = (lo_lo >> 32) + (hi_lo & 0xffffffffu) + (lo_hi & 0xffffffffu);
  return WidePair{hi_hi + (hi_lo >> 32) + (lo_hi >> 32) + (middle >> 32),
                  (middle << 32) | (lo_lo & 0xffffffffu)};
}

// quotient and remainder of n / d (d not zero), one bit at a time.
inline void divide(WidePair n, WidePair d, WidePair& quotient, WidePair& remainder) {
  quotient = WidePair{};
  remainder = WidePair{};
  for (int bit = 127; bit >= 0; --bit) {
    remainder = shift_left_1(remainder);
    const std::uint64_t word = bit >= 64 ? n.hi : n.lo;
    remainder.lo |= (word >> (bit % 64)) & 1;
    quotient = shift_left_1(quotient);
    if (!less(remainder, d)) {
      remainder = subtract(remainder, d);
      quotient.lo |= 1;
    }
  }
}

#ifdef __SIZEOF_INT128__
using WideUint = unsigned __int128;
inline WideUint widen_native(std::uint64_t value) { return value; }
inline bool less(WideUint a, WideUint b) { return a < b; }
inline bool is_zero(WideUint a) { return a == 0; }
inline bool fits_uint64(WideUint a) { return (a >> 64) == 0; }
inline std::uint64_t low_uint64(WideUint a) { return static_cast<std::uint64_t>(a); }
inline bool is_odd(WideUint a) { return (a & 1) != 0; }
inline WideUint add(WideUint a, WideUint b) { return a + b; }
inline WideUint shift_left_1(WideUint a) { return a << 1; }
inline WideUint multiply_native(std::uint64_t a, std::uint64_t b) {
  return static_cast<WideUint>(a) * b;
}
inline void divide(WideUint n, WideUint d, WideUint& quotient, WideUint& remainder) {
  quotient = n / d;
  remainder = n % d;
}
#else
using WideUint = WidePair;
inline WideUint widen_native(std::uint64_t value) { return widen(value); }
inline WideUint multiply_native(std::uint64_t a, std::uint64_t b) { return multiply(a, b); }
#endif

}  // namespace loyalty::wide
