// CustomerState queries (customer.h): the available balance and the named counters.

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/customer.h"
#include "loyalty/core/result.h"

namespace loyalty {

namespace {

// The count of `key` in a vector sorted by key (documents.h loads them sorted), 0 if absent.
std::int64_t counter_for(const std::vector<Counter>& counters, std::string_view key) {
  auto it =
      std::lower_bound(counters.begin(), counters.end(), key,
                       [](const Counter& counter, std::string_view k) { return counter.key < k; });
  if (it == counters.end() || it->key != key) return 0;
  LOYALTY_ASSERT(it->count >= 0);
  return it->count;
}

char upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

// Compares an upper-case stored key with a query in any case, as if the query were upper-cased,
// without copying it (a quote must not allocate).
int compare_upper(std::string_view stored, std::string_view query) {
  const std::size_t common = std::min(stored.size(), query.size());
  for (std::size_t i = 0; i < common; ++i) {  // bounded by the shorter length
    const auto a = static_cast<unsigned char>(stored[i]);
    const auto b = static_cast<unsigned char>(upper(query[i]));
    if (a != b) return a < b ? -1 : 1;
  }
  if (stored.size() == query.size()) return 0;
  return stored.size() < query.size() ? -1 : 1;
}

}  // namespace

// Coupon codes are stored upper-case; a query in any case finds them.
std::int64_t coupon_count_for(std::span<const Counter> counters, std::string_view code) {
  auto it = std::lower_bound(counters.begin(), counters.end(), code,
                             [](const Counter& counter, std::string_view query) {
                               return compare_upper(counter.key, query) < 0;
                             });
  if (it == counters.end() || compare_upper(it->key, code) != 0) return 0;
  LOYALTY_ASSERT(it->count >= 0);
  return it->count;
}

Points CustomerState::available_points(Timestamp at) const {
  Points total;
  for (const PointsLot& lot : lots) {  // bounded by the lots' count
    LOYALTY_ASSERT(lot.points.value() >= 0);
    if (lot.active_from > at) continue;
    if (lot.expires_at.has_value() && !(at < *lot.expires_at)) continue;
    total += lot.points;
  }
  LOYALTY_ASSERT(total.value() >= 0);
  return total;
}

std::int64_t CustomerState::stamps_for(std::string_view card_id) const {
  return counter_for(stamps, card_id);
}

std::int64_t CustomerState::coupon_uses_for(std::string_view code) const {
  return coupon_count_for(coupon_uses, code);
}

std::int64_t CustomerState::coupon_uses_total_for(std::string_view code) const {
  return coupon_count_for(coupon_uses_total, code);
}

std::int64_t CustomerState::event_awards_for(std::string_view event_type) const {
  return counter_for(event_awards, event_type);
}

bool CustomerState::in_segment(std::string_view segment) const {
  return std::binary_search(segments.begin(), segments.end(), segment,
                            [](std::string_view a, std::string_view b) { return a < b; });
}

}  // namespace loyalty
