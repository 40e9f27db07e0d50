// Distinct integer types for money and points. Money is integer minor units (cents, kopecks);
// points are integers. Neither ever passes through floating point. Only the operators that make
// sense exist: adding points to money does not compile.
//
// Thread-safety: plain values.
#pragma once

#include <compare>
#include <cstdint>

namespace loyalty {

template <class Tag>
class Quantity {
 public:
  constexpr Quantity() = default;
  constexpr explicit Quantity(std::int64_t value) : value_(value) {}

  constexpr std::int64_t value() const { return value_; }

  constexpr auto operator<=>(const Quantity&) const = default;
  constexpr bool operator==(const Quantity&) const = default;

  constexpr Quantity operator+(Quantity other) const { return Quantity(value_ + other.value_); }
  constexpr Quantity operator-(Quantity other) const { return Quantity(value_ - other.value_); }
  constexpr Quantity operator-() const { return Quantity(-value_); }
  constexpr Quantity& operator+=(Quantity other) {
    value_ += other.value_;
    return *this;
  }
  constexpr Quantity& operator-=(Quantity other) {
    value_ -= other.value_;
    return *this;
  }
  // Scaling by a plain count (a quantity of items) is meaningful; multiplying two amounts is not.
  constexpr Quantity operator*(std::int64_t count) const { return Quantity(value_ * count); }

 private:
  std::int64_t value_ = 0;
};

struct MoneyTag {};
struct PointsTag {};

// An amount of money in the program's currency, in minor units (1/100 of a euro, a kopeck).
using Minor = Quantity<MoneyTag>;
// A number of loyalty points.
using Points = Quantity<PointsTag>;

template <class Tag>
constexpr Quantity<Tag> min_of(Quantity<Tag> a, Quantity<Tag> b) {
  return a < b ? a : b;
}
template <class Tag>
constexpr Quantity<Tag> max_of(Quantity<Tag> a, Quantity<Tag> b) {
  return a < b ? b : a;
}

// A rate in basis points: 1 bp = 0.01 %, 10000 bp = 100 %.
struct BasisPoints {
  std::int64_t value = 0;
  constexpr auto operator<=>(const BasisPoints&) const = default;
};

}  // namespace loyalty
