// Benchmark of the rules core: quoting a receipt (loyalty::Quoter::quote) and loading a rule
// bundle (loyalty::load_program).
//
// The target (docs/PERFORMANCE.md): a 100-line receipt against a program with 500 active rules
// is quoted in a median of at most 50 µs on one core, and a warm Quoter and Quote allocate
// nothing per quote.
//
// Everything is generated in code from a fixed seed, so every run measures the same inputs:
//   - a catalogue of 2,000 SKUs in 40 categories;
//   - programs of 500 and 50 rules with a realistic mix: SKU-specific percent_off, amount_off and
//     member_price rules; category earn_rate and earn_multiplier rules; buy_x_get_y; coupons;
//     basket and all-lines rules (segment basket discounts, progressive discounts, stamp cards,
//     bonuses); stacking groups in each mode; schedules and audiences that hold at the time;
//   - receipts of 100 and 20 lines that present 3 coupons and redeem 500 points;
//   - a known silver-tier customer with lots, segments, stamps and coupon history.
// Bundles, receipt and customer go through the real loaders (load_program, load_receipt,
// load_customer) as JSON, so they are validated like any other input.
//
// Heap growth: this program replaces the global operator new and delete with counting versions.
// Before benchmarking, main() quotes the 100-line receipt `heap_check_quotes` times after a
// warm-up and prints `heap: N allocations in M quotes after warm-up`; each quote benchmark also
// reports `allocs_per_quote`. Any allocation makes the program exit with status 1, so `make bench`
// fails loudly.

#include <benchmark/benchmark.h>
#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/customer.h"
#include "loyalty/core/documents.h"
#include "loyalty/core/engine.h"
#include "loyalty/core/json.h"
#include "loyalty/core/program.h"
#include "loyalty/core/program_loader.h"
#include "loyalty/core/quote.h"
#include "loyalty/core/receipt.h"
#include "loyalty/core/time.h"

// --- Counting global allocator ------------------------------------------------------------------

namespace heap {

std::atomic<std::uint64_t> allocations{0};
std::atomic<std::int64_t> live_bytes{0};

void* counted(void* pointer) {
  if (pointer != nullptr) {
    allocations.fetch_add(1, std::memory_order_relaxed);
    live_bytes.fetch_add(static_cast<std::int64_t>(malloc_usable_size(pointer)),
                         std::memory_order_relaxed);
  }
  return pointer;
}

void* allocate(std::size_t size) { return counted(std::malloc(size == 0 ? 1 : size)); }

void* allocate_aligned(std::size_t size, std::align_val_t alignment) {
  std::size_t align = std::max(static_cast<std::size_t>(alignment), sizeof(void*));
  void* pointer = nullptr;
  if (posix_memalign(&pointer, align, size == 0 ? 1 : size) != 0) return nullptr;
  return counted(pointer);
}

void release(void* pointer) {
  if (pointer == nullptr) return;
  live_bytes.fetch_sub(static_cast<std::int64_t>(malloc_usable_size(pointer)),
                       std::memory_order_relaxed);
  std::free(pointer);
}

void* allocate_or_throw(std::size_t size) {
  void* pointer = allocate(size);
  if (pointer == nullptr) throw std::bad_alloc();
  return pointer;
}

void* allocate_aligned_or_throw(std::size_t size, std::align_val_t alignment) {
  void* pointer = allocate_aligned(size, alignment);
  if (pointer == nullptr) throw std::bad_alloc();
  return pointer;
}

}  // namespace heap

void* operator new(std::size_t size) { return heap::allocate_or_throw(size); }
void* operator new[](std::size_t size) { return heap::allocate_or_throw(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  return heap::allocate(size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  return heap::allocate(size);
}
void* operator new(std::size_t size, std::align_val_t alignment) {
  return heap::allocate_aligned_or_throw(size, alignment);
}
void* operator new[](std::size_t size, std::align_val_t alignment) {
  return heap::allocate_aligned_or_throw(size, alignment);
}
void* operator new(std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
  return heap::allocate_aligned(size, alignment);
}
void* operator new[](std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
  return heap::allocate_aligned(size, alignment);
}

void operator delete(void* pointer) noexcept { heap::release(pointer); }
void operator delete[](void* pointer) noexcept { heap::release(pointer); }
void operator delete(void* pointer, std::size_t) noexcept { heap::release(pointer); }
void operator delete[](void* pointer, std::size_t) noexcept { heap::release(pointer); }
void operator delete(void* pointer, const std::nothrow_t&) noexcept { heap::release(pointer); }
void operator delete[](void* pointer, const std::nothrow_t&) noexcept { heap::release(pointer); }
void operator delete(void* pointer, std::align_val_t) noexcept { heap::release(pointer); }
void operator delete[](void* pointer, std::align_val_t) noexcept { heap::release(pointer); }
void operator delete(void* pointer, std::size_t, std::align_val_t) noexcept {
  heap::release(pointer);
}
void operator delete[](void* pointer, std::size_t, std::align_val_t) noexcept {
  heap::release(pointer);
}
void operator delete(void* pointer, std::align_val_t, const std::nothrow_t&) noexcept {
  heap::release(pointer);
}
void operator delete[](void* pointer, std::align_val_t, const std::nothrow_t&) noexcept {
  heap::release(pointer);
}

namespace {

using loyalty::json::Writer;

// --- Deterministic generation -------------------------------------------------------------------

constexpr std::uint64_t generator_seed = 0x10ba17f00dULL;

constexpr int sku_count = 2000;
constexpr int category_count = 40;
// Category rules (earn rates, multipliers, category multi-buys, stamp cards) target these
// categories only, so that roughly a third to a half of a random basket is touched by an
// item-specific rule, as in a real program where promotions cover part of the range.
constexpr int promoted_category_count = 8;
constexpr int tobacco_category = category_count - 1;  // excluded from earning and burning
constexpr int segment_count = 12;

constexpr int warm_up_quotes = 16;
constexpr int heap_check_quotes = 100000;
constexpr std::int64_t redeem_points = 500;

// SplitMix64: tiny, fast and the same on every platform (unlike <random>'s distributions).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}

  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [low, high].
  std::int64_t between(std::int64_t low, std::int64_t high) {
    return low + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(high - low + 1));
  }
  bool percent(int chance) { return between(0, 99) < chance; }

 private:
  std::uint64_t state_;
};

std::string numbered(const char* prefix, int number, int width) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%s%0*d", prefix, width, number);
  return buffer;
}

std::string sku_name(int sku) { return numbered("SKU-", sku, 5); }
int category_of(int sku) { return (sku * 7919) % category_count; }
std::string category_name(int category) { return numbered("cat-", category, 2); }
std::string segment_name(int segment) { return numbered("seg-", segment, 2); }
// Longer than std::string's small-buffer size, so a quote that copied a code would allocate.
std::string coupon_code(int coupon) { return numbered("WINTER-PROMO-2026-", coupon, 2); }
std::string lower_case(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}
std::int64_t shelf_price_minor(int sku) {
  return 99 + static_cast<std::int64_t>((static_cast<std::uint64_t>(sku) * 2654435761u) % 4900);
}

// The benchmark's "now": Tuesday 2026-03-17, 11:30 local time (UTC+1).
const loyalty::Timestamp quote_time{1773743400};  // 2026-03-17T10:30:00Z
constexpr int utc_offset_minutes = 60;
constexpr std::int64_t day_seconds = 86400;

std::string time_text(std::int64_t offset_seconds) {
  return loyalty::format_timestamp(loyalty::Timestamp{quote_time.unix_seconds + offset_seconds});
}

// --- JSON helpers ---

void member(Writer& w, std::string_view key, std::int64_t value) {
  w.key(key);
  w.value(value);
}
void member(Writer& w, std::string_view key, std::string_view value) {
  w.key(key);
  w.value(value);
}
void member_flag(Writer& w, std::string_view key, bool value) {
  w.key(key);
  w.value(value);
}
void member_list(Writer& w, std::string_view key, const std::vector<std::string>& values) {
  w.key(key);
  w.begin_array();
  for (const std::string& value : values) w.value(value);
  w.end_array();
}

// --- Rule bundle ---

class ProgramGenerator {
 public:
  explicit ProgramGenerator(int rule_count)
      : rule_count_(rule_count), rng_(generator_seed + static_cast<std::uint64_t>(rule_count)) {}

  std::string generate() {
    const int rule_count = rule_count_;
    // The mix (for 500 rules): 230 SKU-specific discounts, 110 category earn rules, 50 multi-buys,
    // 50 coupons and 60 basket-level and all-lines rules.
    const int sku_rules = rule_count * 46 / 100;
    const int category_rules = rule_count * 22 / 100;
    const int multi_buy_rules = rule_count * 10 / 100;
    const int coupon_rules = rule_count * 10 / 100;
    const int basket_rules =
        rule_count - sku_rules - category_rules - multi_buy_rules - coupon_rules;

    w_.begin_object();
    member(w_, "format", "loyalty-program/1");
    member(w_, "program_id", "bench-" + std::to_string(rule_count));
    member(w_, "version", 7);
    member(w_, "currency", "EUR");
    member(w_, "utc_offset_minutes", utc_offset_minutes);
    write_policies();
    write_groups();
    w_.key("rules");
    w_.begin_array();
    for (int i = 0; i < sku_rules; ++i) write_sku_rule(i);
    for (int i = 0; i < category_rules; ++i) write_category_rule(i);
    for (int i = 0; i < multi_buy_rules; ++i) write_multi_buy_rule(i);
    for (int i = 0; i < coupon_rules; ++i) write_coupon_rule(i);
    for (int i = 0; i < basket_rules; ++i) write_basket_rule(i);
    w_.end_array();
    w_.end_object();
    return w_.take();
  }

 private:
  void write_policies() {
    w_.key("earn");
    w_.begin_object();
    w_.key("base");
    w_.begin_object();
    member(w_, "points", 1);
    member(w_, "per_minor", 100);
    w_.end_object();
    member(w_, "rounding", "floor");
    w_.key("excluded");
    w_.begin_object();
    member_list(w_, "categories", {category_name(tobacco_category)});
    w_.end_object();
    member(w_, "expiry_days", 365);
    w_.end_object();

    w_.key("burn");
    w_.begin_object();
    w_.key("rate");
    w_.begin_object();
    member(w_, "points", 1);
    member(w_, "value_minor", 1);
    w_.end_object();
    member(w_, "cap_bp", 2000);
    member(w_, "min_balance", 100);
    w_.key("excluded");
    w_.begin_object();
    member_list(w_, "categories", {category_name(tobacco_category)});
    w_.end_object();
    w_.end_object();

    w_.key("tiers");
    w_.begin_object();
    member(w_, "basis", "spend");
    w_.key("levels");
    w_.begin_array();
    write_tier("base", 0, 100, false);
    write_tier("silver", 50000, 150, false);
    write_tier("gold", 200000, 200, false);
    write_tier("platinum", 1000000, 300, true);
    w_.end_array();
    w_.end_object();
  }

  void write_tier(std::string_view id, std::int64_t threshold, std::int64_t multiplier,
                  bool invitation_only) {
    w_.begin_object();
    member(w_, "id", id);
    member(w_, "threshold", threshold);
    if (multiplier != 100) member(w_, "earn_multiplier_percent", multiplier);
    if (invitation_only) member_flag(w_, "invitation_only", true);
    w_.end_object();
  }

  void write_groups() {
    struct Group {
      const char* id;
      const char* mode;
    };
    const Group groups[] = {
        {"member-prices", "stack"},
        {"sku-promos", "best_for_customer"},
        {"clearance", "first"},
        {"multi-buy", "best_for_customer"},
        {"coupons", "stack"},
        {"coupons-single", "first"},
        {"basket-offers", "best_for_customer"},
        {"loyalty-cards", "stack"},
    };
    w_.key("groups");
    w_.begin_array();
    for (const Group& group : groups) {
      w_.begin_object();
      member(w_, "id", group.id);
      member(w_, "mode", group.mode);
      w_.end_object();
    }
    w_.end_array();
  }

  // Common members: id, kind, priority, optional group.
  void begin_rule(const std::string& id, std::string_view kind, int priority,
                  std::string_view group) {
    w_.begin_object();
    member(w_, "id", id);
    member(w_, "kind", kind);
    member(w_, "priority", priority);
    if (!group.empty()) member(w_, "group", group);
  }

  int random_sku() { return static_cast<int>(rng_.between(0, sku_count - 1)); }
  int promoted_category() { return static_cast<int>(rng_.between(0, promoted_category_count - 1)); }

  std::vector<std::string> random_skus(int count) {
    std::vector<std::string> skus;
    while (static_cast<int>(skus.size()) < count) {
      std::string sku = sku_name(random_sku());
      if (std::find(skus.begin(), skus.end(), sku) == skus.end()) skus.push_back(sku);
    }
    return skus;
  }

  void write_items(const std::vector<std::string>& skus,
                   const std::vector<std::string>& categories) {
    w_.key("items");
    w_.begin_object();
    if (!skus.empty()) member_list(w_, "skus", skus);
    if (!categories.empty()) member_list(w_, "categories", categories);
    w_.end_object();
  }

  // Every schedule holds at quote_time: a validity window around it, or a weekly window that
  // includes Tuesday 11:30, or both, or none.
  void write_schedule() {
    const int shape = static_cast<int>(rng_.between(0, 9));
    if (shape < 4) return;  // always on
    w_.key("schedule");
    w_.begin_object();
    if (shape < 9) {
      member(w_, "valid_from", time_text(-rng_.between(1, 60) * day_seconds));
      member(w_, "valid_to", time_text(rng_.between(1, 90) * day_seconds));
    }
    if (shape >= 7) {
      if (rng_.percent(50)) {
        member_list(w_, "weekdays", {"mon", "tue", "wed", "thu", "fri"});
      } else {
        member_list(w_, "weekdays", {"tue"});  // "double-points Tuesday"
      }
      member(w_, "from", "08:00");
      member(w_, "to", "20:00");
    }
    w_.end_object();
  }

  // Segment audiences: the benchmark customer is in 3 of the 12 segments, so about a quarter of
  // these rules are active for it.
  void write_segment_audience() {
    w_.key("audience");
    w_.begin_object();
    member_list(w_, "segments",
                {segment_name(static_cast<int>(rng_.between(0, segment_count - 1)))});
    w_.end_object();
  }

  void write_random_audience(int none_percent) {
    const int roll = static_cast<int>(rng_.between(0, 99));
    if (roll < none_percent) return;
    const int which = roll % 4;
    if (which == 0) {
      w_.key("audience");
      w_.begin_object();
      member_flag(w_, "identified_only", true);
      w_.end_object();
    } else if (which == 1) {
      w_.key("audience");
      w_.begin_object();
      member_list(w_, "tiers", {"silver", "gold", "platinum"});
      w_.end_object();
    } else if (which == 2) {
      w_.key("audience");
      w_.begin_object();
      member_list(w_, "tiers", {"gold", "platinum"});  // not our silver customer
      w_.end_object();
    } else {
      write_segment_audience();
    }
  }

  // 46 %: SKU-specific discounts on 1 to 4 SKUs.
  void write_sku_rule(int i) {
    const int kind = i % 10;
    const std::string id = numbered("sku-rule-", i, 4);
    if (kind < 3) {  // member prices: 30 %
      begin_rule(id, "member_price", 10, "member-prices");
      w_.key("prices");
      w_.begin_array();
      for (const std::string& sku : random_skus(static_cast<int>(rng_.between(1, 4)))) {
        const int number = std::stoi(sku.substr(4));
        w_.begin_object();
        member(w_, "sku", sku);
        member(w_, "price_minor", shelf_price_minor(number) * rng_.between(80, 95) / 100);
        w_.end_object();
      }
      w_.end_array();
      write_random_audience(70);
    } else if (kind < 7) {  // percent off: 40 %
      begin_rule(id, "percent_off", 20 + static_cast<int>(rng_.between(0, 9)),
                 kind < 5 ? "sku-promos" : "");
      member(w_, "percent_bp", rng_.between(5, 40) * 100);
      member(w_, "scope", "line");
      write_items(random_skus(static_cast<int>(rng_.between(1, 4))), {});
      write_random_audience(70);
    } else {  // amount off per unit: 30 %
      begin_rule(id, "amount_off", 30 + static_cast<int>(rng_.between(0, 9)),
                 kind < 9 ? "clearance" : "sku-promos");
      member(w_, "amount_minor", rng_.between(1, 20) * 10);
      member(w_, "scope", "line");
      write_items(random_skus(static_cast<int>(rng_.between(1, 4))), {});
      write_random_audience(80);
    }
    write_schedule();
    w_.end_object();
  }

  // 22 %: category earn rates and multipliers on the promoted categories.
  void write_category_rule(int i) {
    const std::string id = numbered("earn-rule-", i, 4);
    std::vector<std::string> categories = {category_name(promoted_category())};
    if (rng_.percent(30)) {
      std::string second = category_name(promoted_category());
      if (second != categories[0]) categories.push_back(second);
    }
    std::sort(categories.begin(), categories.end());
    if (i % 2 == 0) {
      begin_rule(id, "earn_rate", 100 + i, "");
      member(w_, "points", rng_.between(2, 5));
      member(w_, "per_minor", 100);
      write_items({}, categories);
      write_random_audience(60);
    } else {
      begin_rule(id, "earn_multiplier", 200 + i, "");
      member(w_, "multiplier_percent", rng_.between(11, 30) * 10);
      write_items({}, categories);
      write_random_audience(20);
    }
    write_schedule();
    w_.end_object();
  }

  // 10 %: buy X get Y, half on a few SKUs, half on a promoted category.
  void write_multi_buy_rule(int i) {
    begin_rule(numbered("multi-buy-", i, 4), "buy_x_get_y", 40, "multi-buy");
    member(w_, "buy_quantity", rng_.between(1, 3));
    member(w_, "get_quantity", 1);
    if (rng_.percent(30)) member(w_, "get_percent_bp", 5000);
    if (i % 2 == 0) {
      write_items(random_skus(static_cast<int>(rng_.between(2, 6))), {});
    } else {
      write_items({}, {category_name(promoted_category())});
    }
    write_random_audience(80);
    write_schedule();
    w_.end_object();
  }

  // 10 %: coupons, mostly basket-wide, some on a promoted category, some single use per customer.
  void write_coupon_rule(int i) {
    const bool single = i % 5 == 4;
    begin_rule("coupon-" + coupon_code(i), "coupon", 70, single ? "coupons-single" : "coupons");
    member(w_, "code", coupon_code(i));
    if (i % 3 == 0) {
      member(w_, "amount_minor", rng_.between(2, 10) * 100);
      member(w_, "min_basket_minor", 2000);
    } else {
      member(w_, "percent_bp", rng_.between(1, 3) * 500);
    }
    if (i % 4 == 1) {
      member(w_, "scope", "line");
      write_items({}, {category_name(promoted_category())});
    } else {
      member(w_, "scope", "basket");
    }
    if (single) member(w_, "per_customer_max", 1);
    if (i % 7 == 6) member(w_, "uses_max", 100000);  // e.g. WINTER-PROMO-2026-48
    w_.key("schedule");                              // coupons always have a validity window
    w_.begin_object();
    member(w_, "valid_from", time_text(-rng_.between(1, 30) * day_seconds));
    member(w_, "valid_to", time_text(rng_.between(10, 75) * day_seconds));
    w_.end_object();
    w_.end_object();
  }

  // The rest (12 %): basket-level and all-lines rules.
  void write_basket_rule(int i) {
    const int kind = i % 5;
    const std::string id = numbered("basket-rule-", i, 4);
    if (kind <= 1) {  // personalised basket discount for a segment: 40 %
      begin_rule(id, "percent_off", 60, "basket-offers");
      member(w_, "percent_bp", rng_.between(2, 10) * 100);
      member(w_, "scope", "basket");
      write_segment_audience();
    } else if (kind == 2) {  // progressive discount on cumulative spend: 20 %
      begin_rule(id, "progressive_discount", 60, "basket-offers");
      w_.key("thresholds");
      w_.begin_array();
      const std::int64_t steps[][2] = {
          {500000, 300}, {1000000, 500}, {2000000, 700}, {5000000, 1000}};
      for (const auto& step : steps) {
        w_.begin_object();
        member(w_, "from_spend_minor", step[0]);
        member(w_, "percent_bp", step[1]);
        w_.end_object();
      }
      w_.end_array();
      write_segment_audience();
    } else if (kind == 3) {  // stamp card on a promoted category: 20 %
      begin_rule(id, "stamp_card", 50, "loyalty-cards");
      member(w_, "card_id", numbered("card-", i, 2));
      member(w_, "stamps_required", rng_.between(6, 10));
      write_items({}, {category_name(promoted_category())});
    } else {  // receipt-level bonus: 20 %
      static constexpr const char* triggers[] = {"birthday", "welcome", "referral"};
      const char* trigger = triggers[(i / 5) % 3];
      begin_rule(id, "bonus", 300, "");
      member(w_, "trigger", trigger);
      member(w_, "points", rng_.between(1, 10) * 100);
      if (std::string_view(trigger) == "birthday") {
        member(w_, "window_days_before", 7);
        member(w_, "window_days_after", 7);
      }
      if (std::string_view(trigger) == "referral") member(w_, "referrer_points", 500);
      member(w_, "min_basket_minor", 1000);
    }
    write_schedule();
    w_.end_object();
  }

  int rule_count_;
  Rng rng_;
  Writer w_;
};

// --- Customer and receipt ---

std::string customer_json() {
  Rng rng(generator_seed ^ 0xc0ffee);
  Writer w;
  w.begin_object();
  member(w, "customer_id", "C-0004217");
  member_flag(w, "known", true);
  member_list(w, "segments", {segment_name(2), segment_name(5), segment_name(9)});
  member(w, "birthday", "1985-03-15");  // in the birthday window at quote_time
  member(w, "purchase_count", 87);
  member(w, "last_birthday_bonus_year", 2025);
  member(w, "tier", "silver");
  member(w, "tier_review_at", time_text(170 * day_seconds));
  member(w, "period_spend_minor", 64000);
  member(w, "period_points_earned", 1900);
  member(w, "cumulative_spend_minor", 2300000);
  w.key("lots");
  w.begin_array();
  for (int i = 0; i < 24; ++i) {  // two years of monthly credits: expired, active and pending
    w.begin_object();
    member(w, "lot_id", numbered("lot-", i, 4));
    member(w, "points", rng.between(50, 900));
    const std::int64_t age_days = (24 - i) * 30 - 10;
    member(w, "active_from", time_text(-age_days * day_seconds));
    member(w, "expires_at", time_text((365 - age_days) * day_seconds));
    w.end_object();
  }
  w.end_array();
  w.key("stamps");
  w.begin_object();
  for (int card = 0; card < 50; card += 5)
    member(w, numbered("card-", card + 3, 2), rng.between(0, 9));
  w.end_object();
  w.key("coupon_uses");
  w.begin_object();
  member(w, coupon_code(4), 1);  // a single-use coupon already used
  member(w, coupon_code(9), 1);
  w.end_object();
  w.key("coupon_uses_total");
  w.begin_object();
  member(w, coupon_code(48), 4200);
  w.end_object();
  w.end_object();
  return w.take();
}

// `lines` distinct SKUs drawn from the whole catalogue; quantities mostly 1; one voided line.
// Presents three coupons that exist in a program of `coupon_count` coupons.
std::string receipt_json(int lines, int coupon_count) {
  Rng rng(generator_seed ^ 0x7ece1b7 ^ static_cast<std::uint64_t>(lines));
  std::vector<int> skus(sku_count);
  for (int i = 0; i < sku_count; ++i) skus[i] = i;
  for (int i = 0; i < lines; ++i) {  // partial Fisher-Yates
    std::swap(skus[i], skus[rng.between(i, sku_count - 1)]);
  }
  Writer w;
  w.begin_object();
  member(w, "receipt_id", "T07-20260317-42");
  member(w, "store_id", "S-017");
  member(w, "currency", "EUR");
  w.key("lines");
  w.begin_array();
  for (int i = 0; i < lines; ++i) {
    const int sku = skus[i];
    const int roll = static_cast<int>(rng.between(0, 99));
    const std::int64_t quantity = roll < 65 ? 1 : roll < 85 ? 2 : rng.between(3, 6);
    w.begin_object();
    member(w, "sku", sku_name(sku));
    member(w, "category", category_name(category_of(sku)));
    member(w, "unit_price_minor", shelf_price_minor(sku));
    if (quantity != 1) member(w, "quantity", quantity);
    if (i == lines / 2) member_flag(w, "voided", true);
    w.end_object();
  }
  w.end_array();
  member_list(
      w, "coupons",
      {coupon_code(1), lower_case(coupon_code(coupon_count / 2)), coupon_code(coupon_count - 2)});
  w.key("redeem");
  w.begin_object();
  member(w, "points", redeem_points);
  w.end_object();
  w.end_object();
  return w.take();
}

// --- Scenarios ---

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "bench_quote: %s\n", what.c_str());
  std::exit(2);
}

std::string program_json(int rule_count) { return ProgramGenerator(rule_count).generate(); }

struct Scenario {
  const char* name;
  std::string program_text;
  loyalty::Program program;
  loyalty::CustomerState customer;
  loyalty::Receipt receipt;
};

Scenario make_scenario(const char* name, int lines, int rule_count) {
  Scenario s{name, program_json(rule_count), {}, {}, {}};
  auto program = loyalty::load_program(s.program_text);
  if (!program.ok()) die(std::string("load_program(") + name + "): " + program.error().message);
  s.program = std::move(program).value();
  auto customer = loyalty::load_customer(customer_json());
  if (!customer.ok()) die("load_customer: " + customer.error().message);
  s.customer = std::move(customer).value();
  auto receipt = loyalty::load_receipt(receipt_json(lines, rule_count * 10 / 100));
  if (!receipt.ok()) die(std::string("load_receipt(") + name + "): " + receipt.error().message);
  s.receipt = std::move(receipt).value();
  if (s.program.rules.size() != static_cast<std::size_t>(rule_count) ||
      s.receipt.lines.size() != static_cast<std::size_t>(lines)) {
    die(std::string(name) + ": generated the wrong number of rules or lines");
  }
  return s;
}

Scenario& scenario_100_lines_500_rules() {
  static Scenario s = make_scenario("100 lines x 500 rules", 100, 500);
  return s;
}
Scenario& scenario_20_lines_500_rules() {
  static Scenario s = make_scenario("20 lines x 500 rules", 20, 500);
  return s;
}
Scenario& scenario_100_lines_50_rules() {
  static Scenario s = make_scenario("100 lines x 50 rules", 100, 50);
  return s;
}

void quote_or_die(loyalty::Quoter& quoter, const Scenario& s, loyalty::Quote& quote) {
  loyalty::Status status = quoter.quote(s.program, &s.customer, s.receipt, quote_time, quote);
  if (!status.ok()) die(std::string("quote(") + s.name + ") failed: " + status.error().message);
}

bool has_index_entry(const std::vector<loyalty::RuleIndexEntry>& index, const std::string& key) {
  auto it = std::lower_bound(
      index.begin(), index.end(), key,
      [](const loyalty::RuleIndexEntry& e, const std::string& k) { return e.key < k; });
  return it != index.end() && it->key == key;
}

// Quotes once and prints what the quote did, so a reader can see it does real work. Dies if the
// quote fails or gives no discount or no points.
void print_sanity(const Scenario& s) {
  loyalty::Quoter quoter;
  loyalty::Quote quote;
  quote_or_die(quoter, s, quote);
  const std::size_t line_count = s.receipt.lines.size();
  std::size_t item_rule_lines = 0;  // lines an item-specific (SKU or category) rule lists
  for (const loyalty::ReceiptLine& line : s.receipt.lines) {
    if (has_index_entry(s.program.rules_by_sku, line.sku) ||
        has_index_entry(s.program.rules_by_category, line.category)) {
      ++item_rule_lines;
    }
  }
  std::vector<bool> discounted(line_count, false), rule_earned(line_count, false);
  for (const loyalty::Discount& d : quote.discounts) discounted[d.line] = true;
  for (const loyalty::EarnEntry& e : quote.earns) {
    if (e.line != loyalty::no_line && e.source.kind == loyalty::SourceKind::rule) {
      rule_earned[e.line] = true;
    }
  }
  std::size_t discounted_lines = 0, touched_lines = 0;
  for (std::size_t i = 0; i < line_count; ++i) {
    discounted_lines += discounted[i] ? 1 : 0;
    touched_lines += (discounted[i] || rule_earned[i]) ? 1 : 0;
  }
  std::size_t applied_coupons = 0;
  for (const loyalty::CouponOutcome& c : quote.coupons) {
    applied_coupons += c.status == loyalty::CouponStatus::applied ? 1 : 0;
  }
  std::fprintf(stderr,
               "sanity [%s]: program %zu bytes of JSON, %zu rules, %zu rule-index SKUs, %zu "
               "categories, %zu all-lines rules\n"
               "  lines: %zu, listed by a SKU or category rule %zu (%.0f %%), with a discount %zu "
               "(basket rules reach every line), with a discount or rule earn %zu (%.0f %%)\n"
               "  gross %lld, discounts %lld in %zu entries, net %lld, points tender %lld, due "
               "%lld (minor units)\n"
               "  earned %lld points in %zu entries, burned %lld, coupons applied %zu of %zu, "
               "stamp movements %zu, notes %zu\n",
               s.name, s.program_text.size(), s.program.rules.size(), s.program.rules_by_sku.size(),
               s.program.rules_by_category.size(), s.program.rules_for_all_lines.size(), line_count,
               item_rule_lines,
               100.0 * static_cast<double>(item_rule_lines) / static_cast<double>(line_count),
               discounted_lines, touched_lines,
               100.0 * static_cast<double>(touched_lines) / static_cast<double>(line_count),
               static_cast<long long>(quote.gross_total.value()),
               static_cast<long long>(quote.discount_total.value()), quote.discounts.size(),
               static_cast<long long>(quote.net_total.value()),
               static_cast<long long>(quote.points_tender_total.value()),
               static_cast<long long>(quote.due_total.value()),
               static_cast<long long>(quote.earned_total.value()), quote.earns.size(),
               static_cast<long long>(quote.burned_total.value()), applied_coupons,
               quote.coupons.size(), quote.stamps.size(), quote.notes.size());
  if (quote.discounts.empty() || quote.earns.empty() || quote.earned_total.value() <= 0) {
    die(std::string(s.name) +
        ": the quote gave no discount or no points; the benchmark would "
        "not measure real work");
  }
  if (quote.burned_total.value() != redeem_points) {
    die(std::string(s.name) + ": expected " + std::to_string(redeem_points) + " points burned");
  }
}

// Quotes `heap_check_quotes` times after a warm-up; returns the allocations in between.
std::uint64_t check_heap(const Scenario& s) {
  loyalty::Quoter quoter;
  loyalty::Quote quote;
  for (int i = 0; i < warm_up_quotes; ++i) quote_or_die(quoter, s, quote);
  const std::uint64_t before = heap::allocations.load();
  const std::int64_t live_before = heap::live_bytes.load();
  for (int i = 0; i < heap_check_quotes; ++i) quote_or_die(quoter, s, quote);
  const std::uint64_t allocations = heap::allocations.load() - before;
  const std::int64_t growth = heap::live_bytes.load() - live_before;
  std::fprintf(stderr,
               "heap: %llu allocations in %d quotes after warm-up (%s), live heap %+lld bytes%s\n",
               static_cast<unsigned long long>(allocations), heap_check_quotes, s.name,
               static_cast<long long>(growth), allocations == 0 ? "" : "  <-- FAILED: must be 0");
  return allocations;
}

// Allocations inside the timed loops of every quote benchmark, and the quotes they timed.
std::uint64_t benchmark_allocations = 0;
std::uint64_t benchmark_quotes = 0;

void run_quote_benchmark(benchmark::State& state, const Scenario& s) {
  loyalty::Quoter quoter;
  loyalty::Quote quote;
  for (int i = 0; i < warm_up_quotes; ++i) quote_or_die(quoter, s, quote);
  const std::uint64_t before = heap::allocations.load();
  for (auto _ : state) {
    loyalty::Status status = quoter.quote(s.program, &s.customer, s.receipt, quote_time, quote);
    if (!status.ok()) {
      state.SkipWithError("quote failed");
      break;
    }
    benchmark::DoNotOptimize(quote.net_total);
    benchmark::ClobberMemory();
  }
  const std::uint64_t allocations = heap::allocations.load() - before;
  benchmark_allocations += allocations;
  benchmark_quotes += static_cast<std::uint64_t>(state.iterations());
  state.counters["allocs_per_quote"] =
      benchmark::Counter(static_cast<double>(allocations), benchmark::Counter::kAvgIterations);
  state.counters["lines"] = static_cast<double>(s.receipt.lines.size());
  state.counters["rules"] = static_cast<double>(s.program.rules.size());
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(s.receipt.lines.size()));
}

void BM_Quote_100Lines_500Rules(benchmark::State& state) {
  run_quote_benchmark(state, scenario_100_lines_500_rules());
}
void BM_Quote_20Lines_500Rules(benchmark::State& state) {
  run_quote_benchmark(state, scenario_20_lines_500_rules());
}
void BM_Quote_100Lines_50Rules(benchmark::State& state) {
  run_quote_benchmark(state, scenario_100_lines_50_rules());
}

// Parse + validate + sort + index of the 500-rule bundle.
void BM_LoadProgram_500Rules(benchmark::State& state) {
  const std::string& text = scenario_100_lines_500_rules().program_text;
  for (auto _ : state) {
    auto program = loyalty::load_program(text);
    if (!program.ok()) {
      state.SkipWithError("load_program failed");
      break;
    }
    benchmark::DoNotOptimize(program);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}

BENCHMARK(BM_Quote_100Lines_500Rules)
    ->Unit(benchmark::kMicrosecond)
    ->Repetitions(10)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_Quote_20Lines_500Rules)
    ->Unit(benchmark::kMicrosecond)
    ->Repetitions(10)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_Quote_100Lines_50Rules)
    ->Unit(benchmark::kMicrosecond)
    ->Repetitions(10)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_LoadProgram_500Rules)
    ->Unit(benchmark::kMicrosecond)
    ->Repetitions(10)
    ->ReportAggregatesOnly(true);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  print_sanity(scenario_100_lines_500_rules());
  print_sanity(scenario_20_lines_500_rules());
  print_sanity(scenario_100_lines_50_rules());
  const std::uint64_t check_allocations = check_heap(scenario_100_lines_500_rules());

  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();

  std::fprintf(stderr, "heap: %llu allocations in %llu timed quotes of the quote benchmarks%s\n",
               static_cast<unsigned long long>(benchmark_allocations),
               static_cast<unsigned long long>(benchmark_quotes),
               benchmark_allocations == 0 ? "" : "  <-- FAILED: must be 0");
  if (check_allocations != 0 || benchmark_allocations != 0) {
    std::fprintf(stderr, "bench_quote: FAILED: a warm Quoter allocated while quoting\n");
    return 1;
  }
  return 0;
}
