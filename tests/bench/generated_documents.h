// The documents the benchmarks quote, generated in code from a fixed seed so that every run
// measures the same inputs: a catalogue of 2,000 SKUs in 40 categories, rule bundles of any size
// with a realistic mix of rules (program_json), a known silver-tier customer (customer_json) and
// receipts that present coupons and redeem points (receipt_json). bench_quote and bench_daemon
// share them.
#pragma once

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/json.h"

namespace bench_documents {

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

}  // namespace bench_documents
