// A customer's state as the rules core sees it: what storage (or HQ) knows about the customer at
// the time of a quote. The core never changes it; a quote says what should change.
//
// Thread-safety: a plain value. Ownership: owns its strings.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/time.h"
#include "loyalty/core/units.h"

namespace loyalty {

// A credit of points: usable from `active_from`, gone at `expires_at` (if set).
struct PointsLot {
  std::string lot_id;
  Points points;  // still unspent
  Timestamp active_from;
  std::optional<Timestamp> expires_at;
  bool operator==(const PointsLot&) const = default;
};

// A named counter: stamps on a punch card, uses of a coupon, awards of an event type.
struct Counter {
  std::string key;
  std::int64_t count = 0;
  bool operator==(const Counter&) const = default;
};

struct CompanyLink {
  std::string company_id;
  Minor year_spend;  // the company's spend in the current contract year, all employees
  bool operator==(const CompanyLink&) const = default;
};

struct CustomerState {
  // An anonymous receipt has no customer at all; an identified but unknown customer (a new card,
  // or offline) has `known == false` and empty history. The rules core treats both alike (they
  // earn); storage uses `known` to apply the offline floor limit (issue 3). The JSON document
  // defaults `known` to true, since HQ and storage send the customers they know.
  std::string customer_id;
  bool known = false;
  std::vector<std::string> segments;  // sorted
  std::optional<CivilDate> birthday;
  std::int64_t purchase_count = 0;  // completed purchases before this receipt
  std::string referred_by;          // the referring customer's id, if any
  std::int64_t last_birthday_bonus_year = 0;
  std::optional<Timestamp> paid_membership_until;
  // The customer's last purchase before this receipt (storage writes it back after each
  // purchase); none: never recorded. Read by recency rules (progressive step-down, win-back).
  std::optional<Timestamp> last_purchase_at;

  std::string tier;  // current tier id; empty = the entry tier
  std::optional<Timestamp> tier_review_at;
  std::int64_t period_spend = 0;          // minor units over the tier period, before this receipt
  std::int64_t period_points_earned = 0;  // points earned over the tier period
  Minor cumulative_spend;                 // lifetime spend, for progressive discounts

  std::vector<PointsLot> lots;
  std::vector<Counter> stamps;             // by stamp card id, sorted
  std::vector<Counter> coupon_uses;        // by this customer, by code, sorted
  std::vector<Counter> coupon_uses_total;  // by everyone (as storage knows it), by code, sorted
  std::vector<Counter> event_awards;       // by event type, sorted
  std::optional<CompanyLink> company;

  // Points usable at `at`: active, unexpired lots.
  Points available_points(Timestamp at) const;
  std::int64_t stamps_for(std::string_view card_id) const;
  std::int64_t coupon_uses_for(std::string_view code) const;
  std::int64_t coupon_uses_total_for(std::string_view code) const;
  std::int64_t event_awards_for(std::string_view event_type) const;
  bool in_segment(std::string_view segment) const;

  bool operator==(const CustomerState&) const = default;
};

// The count of coupon `code` (any case) in `counters`, sorted by upper-case key; 0 if absent.
std::int64_t coupon_count_for(std::span<const Counter> counters, std::string_view code);

}  // namespace loyalty
