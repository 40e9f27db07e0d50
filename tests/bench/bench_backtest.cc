// bench_backtest: the what-if backtest of `loyalty-hq simulate` (loyalty/sync/backtest.h) over
// 1,000,000 stored checkouts, with 1 and with 2 worker threads.
//
// The stored checkouts are generated first and timed apart: the grocery program of
// examples/programs/grocery.json at 20 stores over a week (1-7 December 2026), receipts of 5 to 25
// lines drawn from a catalogue of its categories (member prices, yogurts, snacks, own-brand goods,
// coffee beans and cups, tobacco, clearance), about 70 % of them for one of 100,000 cards. Each
// card carries a state from receipt to receipt as a till's cache row does (tier, review, tier
// period counters, lots, stamps, coupon uses); cards redeem points, take catalogue rewards and
// present coupons now and then. Every receipt is quoted with core's Quoter and stored as the till
// stores it: the quote JSON as the event's payload and the ledger annex (pseudonym, movements,
// tier period) beside it, in projection order.
//
// Then the backtest runs over them, the caller's thread handing each event to Backtest::add() as a
// journal scan would (a copy: the store hands over rows it read), with
//   1. the same program, 2 threads: a check, every difference must be 0 and nothing skipped;
//   2. "fm-next" (the base rate doubled, silver from 600.00 instead of 500.00), 1 thread;
//   3. the same, 2 threads.
// Reported: seconds, the CPU the process used per second of it ("cpu": 2.0 is both cores; on a
// machine shared with other work it is less, and so are the figures), receipts per second, the
// load average after each run, and whether 1,000,000 receipts take at most 30 s with 2 threads
// (the target). A plain main(), not Google Benchmark: one long run is the measurement.
//
// Flags: --receipts=N (default 1000000), --customers=N (default 100000), --seed=N, --enforce
// (exit 1 when the target is missed or the check fails). Google Benchmark's --benchmark_* flags
// are ignored. Exit 2 on a setup failure.

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "loyalty/core/engine.h"
#include "loyalty/core/json.h"
#include "loyalty/core/program_loader.h"
#include "loyalty/core/quote_json.h"
#include "loyalty/sync/backtest.h"

namespace {

using Clock = std::chrono::steady_clock;
using loyalty::Timestamp;
namespace sync = loyalty::sync;

constexpr double target_seconds_per_million = 30.0;
constexpr int stores = 20;
// Monday 2026-11-30 23:00 UTC: midnight of 1 December in the program's UTC+01:00.
constexpr std::int64_t period_start_s = 1796166000;
constexpr std::int64_t period_days = 7;

struct Options {
  std::int64_t receipts = 1'000'000;
  std::int64_t customers = 100'000;
  std::uint32_t seed = 20261201;
  bool enforce = false;
};

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "bench_backtest: %s\n", message.c_str());
  std::exit(2);
}

Options parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const auto value = [&arg](std::string_view name) -> const char* {
      return arg.starts_with(name) ? arg.data() + name.size() : nullptr;
    };
    if (const char* v = value("--receipts=")) {
      options.receipts = std::atoll(v);
    } else if (const char* v = value("--customers=")) {
      options.customers = std::atoll(v);
    } else if (const char* v = value("--seed=")) {
      options.seed = static_cast<std::uint32_t>(std::atoll(v));
    } else if (arg == "--enforce") {
      options.enforce = true;
    } else if (!arg.starts_with("--benchmark_")) {
      die("unknown flag " + std::string(arg));
    }
  }
  if (options.receipts < 1 || options.customers < 1) die("--receipts and --customers must be >= 1");
  return options;
}

std::string read_file(const std::string& path) {
  std::ifstream file(path);
  if (!file) die("cannot read " + path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

std::string replace_once(std::string text, std::string_view from, std::string_view to) {
  const std::size_t at = text.find(from);
  if (at == std::string::npos) die("the grocery program has no " + std::string(from));
  return text.replace(at, from.size(), to);
}

loyalty::Program load(const std::string& json) {
  loyalty::Result<loyalty::Program> program = loyalty::load_program(json);
  if (!program.ok()) die("load_program: " + program.error().message);
  return std::move(program).value();
}

struct Item {
  const char* sku;
  const char* category;
  std::int64_t unit_price_minor;
};

// What the grocery program's rules touch, and plain goods.
constexpr Item catalogue[] = {
    {"MILK-1L", "dairy", 129},
    {"BREAD-RYE", "bakery", 219},
    {"CHEESE-EDAM", "dairy", 455},
    {"BUTTER-250G", "dairy", 259},
    {"CROISSANT", "bakery", 145},
    {"CHICKEN-1KG", "meat", 749},
    {"SALMON-300G", "fish", 899},
    {"TOMATOES-1KG", "vegetables", 289},
    {"CUCUMBER", "vegetables", 79},
    {"APPLES-1KG", "fruit", 249},
    {"BANANAS-1KG", "fruit", 179},
    {"RICE-OWN-1KG", "own-brand", 165},
    {"PASTA-OWN-500G", "own-brand", 99},
    {"YOGURT-STRAWBERRY", "yogurt", 69},
    {"YOGURT-GREEK-500G", "yogurt", 249},
    {"EGGS-10", "eggs", 289},
    {"CHIPS-PAPRIKA", "snacks", 219},
    {"PRETZELS", "snacks", 149},
    {"NUTS-MIX-200G", "snacks", 329},
    {"COLA-1L5", "drinks", 189},
    {"WATER-1L5", "drinks", 59},
    {"COFFEE-BEANS-1KG", "coffee", 1399},
    {"COFFEE-CUP", "cafe", 280},
    {"FILTER-PAPERS", "household", 349},
    {"DETERGENT-2L", "household", 599},
    {"OLIVE-OIL-1L", "pantry", 1149},
    {"FLOUR-1KG", "pantry", 89},
    {"CIGARETTES-20", "tobacco", 620},
    {"XMAS-COOKIES-2025", "clearance", 598},
    {"CHOCOLATE-100G", "sweets", 129},
};
constexpr std::size_t catalogue_size = sizeof catalogue / sizeof catalogue[0];

// A number in [0, n).
std::int64_t roll(std::mt19937& random, std::int64_t n) {
  return static_cast<std::int64_t>(random() % static_cast<std::uint64_t>(n));
}

// A card's state as its till's cache row carries it from receipt to receipt.
struct Card {
  std::string pseudonym;
  loyalty::CustomerState state;
};

struct Generated {
  std::vector<sync::JournalEvent> events;
  std::int64_t identified = 0;
  std::int64_t lines = 0;
  std::size_t payload_bytes = 0;
};

std::vector<Card> make_cards(std::int64_t count, std::mt19937& random) {
  std::vector<Card> cards(static_cast<std::size_t>(count));
  for (std::size_t i = 0; i < cards.size(); ++i) {
    char pseudonym[40];
    std::snprintf(pseudonym, sizeof pseudonym, "ps1_%032zx", i + 1);
    Card& card = cards[i];
    card.pseudonym = pseudonym;
    loyalty::CustomerState& state = card.state;
    state.customer_id = pseudonym;
    state.known = true;
    state.purchase_count = 1 + roll(random, 50);
    const std::int64_t tier = roll(random, 100);
    state.tier = tier < 70 ? "base" : (tier < 95 ? "silver" : "gold");
    const std::int64_t low = tier < 70 ? 0 : (tier < 95 ? 50000 : 200000);
    state.period_spend = low + roll(random, tier < 70 ? 50000 : 150000);
    // Reviews spread over the next year, a few of them falling in the week.
    state.tier_review_at = Timestamp{period_start_s + roll(random, 365) * 86400 + 3600};
    if (roll(random, 10) == 0) {
      state.birthday = loyalty::CivilDate{1980 + static_cast<int>(roll(random, 30)), 12,
                                          1 + static_cast<int>(roll(random, 28))};
    }
    const std::int64_t points = roll(random, 4000);
    if (points > 0) {
      state.lots.push_back(loyalty::PointsLot{"seed", loyalty::Points(points), Timestamp{0},
                                              Timestamp{period_start_s + 200 * 86400}});
    }
  }
  return cards;
}

}  // namespace

namespace {

loyalty::Receipt make_receipt(std::int64_t index, const Card* card, std::mt19937& random) {
  loyalty::Receipt receipt;
  receipt.receipt_id = "R-" + std::to_string(index);
  receipt.store_id = "FM" + std::to_string(101 + index % stores);
  receipt.currency = "EUR";
  const int lines = 5 + static_cast<int>(roll(random, 21));
  for (int l = 0; l < lines; ++l) {
    const Item& item = catalogue[static_cast<std::size_t>(roll(random, catalogue_size))];
    loyalty::ReceiptLine line;
    line.sku = item.sku;
    line.category = item.category;
    line.unit_price = loyalty::Minor(item.unit_price_minor);
    line.quantity = roll(random, 4) == 0 ? 1 + roll(random, 6) : 1;
    line.voided = roll(random, 50) == 0;
    receipt.lines.push_back(std::move(line));
  }
  if (roll(random, 40) == 0)
    receipt.coupons.push_back(roll(random, 2) == 0 ? "SAVE30" : "welcome5");
  if (card == nullptr) return receipt;
  const loyalty::Points balance = card->state.available_points(Timestamp{period_start_s});
  if (balance.value() >= 800 && roll(random, 50) == 0) {
    loyalty::ReceiptLine reward;
    reward.sku = "COFFEE-CUP";
    reward.category = "cafe";
    reward.unit_price = loyalty::Minor(280);
    reward.reward_id = "free-coffee";
    receipt.lines.push_back(std::move(reward));
  } else if (balance.value() >= 500 && roll(random, 5) == 0) {
    receipt.redeem =
        roll(random, 4) == 0 ? loyalty::RedeemRequest::max : loyalty::RedeemRequest::points;
    receipt.redeem_points = loyalty::Points(100 + roll(random, 900));
  }
  if (roll(random, 100) == 0) receipt.events.push_back(loyalty::ReceiptEvent{"ev", "review"});
  return receipt;
}

// Takes `points` from the card's usable lots, soonest expiry first, as the ledger burns.
void take_points(loyalty::CustomerState& state, std::int64_t points, Timestamp at) {
  for (loyalty::PointsLot& lot : state.lots) {  // a handful of lots per card
    if (points == 0) break;
    if (at < lot.active_from || (lot.expires_at && !(at < *lot.expires_at))) continue;
    const std::int64_t taken = std::min(points, lot.points.value());
    lot.points -= loyalty::Points(taken);
    points -= taken;
  }
  std::erase_if(state.lots, [](const loyalty::PointsLot& lot) { return lot.points.value() == 0; });
}

void add_count(std::vector<loyalty::Counter>& counters, const std::string& key, std::int64_t by) {
  for (loyalty::Counter& counter : counters) {
    if (counter.key == key) {
      counter.count += by;
      return;
    }
  }
  counters.push_back(loyalty::Counter{key, by});
  std::sort(counters.begin(), counters.end(),
            [](const auto& a, const auto& b) { return a.key < b.key; });
}

// The card's state after the quote, as storage's write-back moves it; returns the tier period
// counters before it (for the annex) and whether a review restarted the period.
bool apply_quote(loyalty::CustomerState& state, const loyalty::Quote& quote) {
  const loyalty::Program& program = *quote.program;
  const std::int64_t net = quote.net_total.value();
  if (net > 0) {
    ++state.purchase_count;
    state.last_purchase_at = quote.at;
  }
  const bool reset =
      quote.tier_review_at && state.tier_review_at && !(quote.at < *state.tier_review_at);
  if (reset) state.period_spend = state.period_points_earned = 0;
  state.period_spend += net;
  state.period_points_earned += quote.earned_total.value();
  if (quote.tier_after) state.tier = program.tiers.tiers[*quote.tier_after].id;
  state.tier_review_at = quote.tier_review_at;
  if (quote.birthday_bonus_year > 0) state.last_birthday_bonus_year = quote.birthday_bonus_year;
  take_points(state, (quote.burned_total + quote.donated_total).value(), quote.at);
  if (quote.earned_total.value() > 0) {
    state.lots.push_back(loyalty::PointsLot{"lot", quote.earned_total, quote.earned_active_from,
                                            quote.earned_expires_at});
  }
  for (const loyalty::StampMovement& stamp : quote.stamps) {
    const auto& params = std::get<loyalty::StampCardRule>(program.rules[stamp.rule].params);
    add_count(state.stamps, params.card_id, stamp.earned - stamp.redeemed);
  }
  for (const loyalty::CouponOutcome& coupon : quote.coupons) {
    if (coupon.status != loyalty::CouponStatus::applied) continue;
    add_count(state.coupon_uses,
              std::get<loyalty::CouponRule>(program.rules[*coupon.rule].params).code, 1);
  }
  return reset;
}

void write_movement(loyalty::json::Writer& w, const char* code, const std::string& debit,
                    const std::string& credit, std::int64_t points, const loyalty::Quote* earned) {
  w.begin_object();
  w.key("code");
  w.value(code);
  w.key("debit");
  w.value(debit);
  w.key("credit");
  w.value(credit);
  w.key("points");
  w.value(points);
  w.key("source");
  w.value(earned != nullptr ? "earn" : "burn");
  w.key("line");
  w.null();
  w.key("lot");
  if (earned == nullptr) {
    w.null();
  } else {
    w.begin_object();
    w.key("active_from");
    w.value(loyalty::format_timestamp(earned->earned_active_from));
    w.key("expires_at");
    w.value(loyalty::format_timestamp(earned->earned_expires_at.value_or(Timestamp{})));
    w.end_object();
  }
  w.end_object();
}

// The ledger annex storage writes with the checkout (storage/src/hq/annex.cc).
std::string annex_of(const loyalty::Quote& quote, const Card* card, bool reset,
                     std::int64_t spend_before, std::int64_t points_before) {
  loyalty::json::Writer w;
  w.begin_object();
  w.key("key_id");
  w.value("k1");
  w.key("customer");
  if (card == nullptr) {
    w.null();
  } else {
    w.value(card->pseudonym);
  }
  w.key("spend_minor");
  w.value(quote.net_total.value());
  w.key("movements");
  w.begin_array();
  if (card != nullptr) {
    const std::string account = "customer_points:" + card->pseudonym;
    const std::int64_t taken = (quote.burned_total + quote.donated_total).value();
    if (taken > 0) write_movement(w, "burn", account, "redemption", taken, nullptr);
    if (quote.earned_total.value() > 0) {
      write_movement(w, "earn", "issuance", account, quote.earned_total.value(), &quote);
    }
  }
  w.end_array();
  if (card != nullptr) {
    const loyalty::CustomerState& after = card->state;
    w.key("tier");
    w.begin_object();
    w.key("after");
    w.value(after.tier);
    w.key("review_at");
    w.value(loyalty::format_timestamp(after.tier_review_at.value_or(Timestamp{})));
    w.key("period_reset");
    w.value(reset);
    w.key("period_spend_delta");
    w.value(after.period_spend - (reset ? 0 : spend_before));
    w.key("period_points_delta");
    w.value(after.period_points_earned - (reset ? 0 : points_before));
    w.key("period_spend");
    w.value(after.period_spend);
    w.key("period_points");
    w.value(after.period_points_earned);
    w.end_object();
  }
  w.end_object();
  return w.take();
}

sync::JournalEvent event_of(const loyalty::Receipt& receipt, const loyalty::Quote& quote,
                            std::string annex, std::int64_t seq) {
  sync::JournalEvent event;
  event.store_id = receipt.store_id;
  event.terminal_id = "T-01";
  event.epoch = "0000000000000001";
  event.seq = seq;
  event.kind = "checkout";
  event.receipt_id = receipt.receipt_id;
  event.payload = loyalty::quote_to_json(receipt, quote, false);
  event.annex = std::move(annex);
  event.created_at = quote.at;
  event.business_date = loyalty::format_date(loyalty::to_local(quote.at, 0).date);
  return event;
}

Generated generate(const loyalty::Program& program, const Options& options) {
  std::mt19937 random(options.seed);
  std::vector<Card> cards = make_cards(options.customers, random);
  Generated out;
  out.events.reserve(static_cast<std::size_t>(options.receipts));
  loyalty::Quoter quoter;
  loyalty::Quote quote;
  const std::int64_t span_s = period_days * 86400 - 3600;
  for (std::int64_t i = 0; i < options.receipts; ++i) {
    Card* card = roll(random, 10) < 7
                     ? &cards[static_cast<std::size_t>(roll(random, options.customers))]
                     : nullptr;
    const loyalty::Receipt receipt = make_receipt(i, card, random);
    const Timestamp at{period_start_s + 7 * 3600 + i * span_s / options.receipts};
    loyalty::Status quoted =
        quoter.quote(program, card ? &card->state : nullptr, receipt, at, quote);
    if (!quoted.ok()) die("quote of " + receipt.receipt_id + ": " + quoted.error().message);
    std::int64_t spend_before = 0;
    std::int64_t points_before = 0;
    bool reset = false;
    if (card != nullptr) {
      spend_before = card->state.period_spend;
      points_before = card->state.period_points_earned;
      reset = apply_quote(card->state, quote);
      ++out.identified;
    }
    out.lines += static_cast<std::int64_t>(receipt.lines.size());
    out.events.push_back(
        event_of(receipt, quote, annex_of(quote, card, reset, spend_before, points_before), i + 1));
    out.payload_bytes += out.events.back().payload.size() + out.events.back().annex.size();
  }
  return out;
}

struct Run {
  sync::BacktestResult result;
  double seconds = 0;
  double cpu_seconds = 0;  // user + system time of the whole process meanwhile
};

double process_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// The load average over the last minute, which says whether other work shared the cores.
std::string load_average() {
  std::ifstream file("/proc/loadavg");
  std::string one;
  file >> one;
  return one.empty() ? "?" : one;
}

Run run(const loyalty::Program& program, const Generated& generated, unsigned threads) {
  sync::BacktestOptions options;
  options.threads = threads;
  const Clock::time_point start = Clock::now();
  const double cpu_start = process_cpu_seconds();
  loyalty::Result<sync::Backtest> backtest = sync::Backtest::start(program, options);
  if (!backtest.ok()) die("Backtest::start: " + backtest.error().message);
  for (const sync::JournalEvent& event : generated.events) {
    if (!backtest->add(event).ok()) die("Backtest::add failed");
  }
  loyalty::Result<sync::BacktestResult> result = backtest->finish();
  if (!result.ok()) die("Backtest::finish: " + result.error().message);
  return Run{std::move(result).value(), std::chrono::duration<double>(Clock::now() - start).count(),
             process_cpu_seconds() - cpu_start};
}

bool round_trip_holds(const sync::BacktestResult& result) {
  const sync::BacktestDiff& total = result.total;
  return result.skipped.empty() && total.receipts == result.receipts &&
         total.discount_minor.difference() == 0 && total.points_issued.difference() == 0 &&
         total.points_redeemed.difference() == 0 && total.liability_points.difference() == 0 &&
         result.tier_changes.count == 0;
}

void print_row(const char* name, unsigned threads, const Run& r, std::int64_t receipts) {
  const double per_second = static_cast<double>(receipts) / r.seconds;
  const sync::BacktestDiff& total = r.result.total;
  std::printf("  %-34s %7u %9.2f %6.2f %12.0f %12.2f %+14" PRId64 " %+13" PRId64 " %8" PRId64
              "  %s\n",
              name, threads, r.seconds, r.cpu_seconds / r.seconds, per_second, 1e6 / per_second,
              total.points_issued.difference(), total.discount_minor.difference(),
              r.result.tier_changes.count, load_average().c_str());
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse_options(argc, argv);
  const std::string grocery_json = read_file(LOYALTY_EXAMPLES_DIR "/programs/grocery.json");
  const loyalty::Program grocery = load(grocery_json);
  std::string next_json = replace_once(grocery_json, R"("version": 7)", R"("version": 8)");
  next_json = replace_once(next_json, R"("threshold": 50000)", R"("threshold": 60000)");
  next_json = replace_once(next_json, R"("base": {"points": 1, "per_minor": 100})",
                           R"("base": {"points": 2, "per_minor": 100})");
  const loyalty::Program next = load(next_json);

  std::printf("bench_backtest: %" PRId64 " stored checkouts, program %s v%" PRId64
              ", %d stores, %" PRId64 " cards, %u hardware threads\n",
              options.receipts, grocery.program_id.c_str(), grocery.version, stores,
              options.customers, std::thread::hardware_concurrency());
  const Clock::time_point generating = Clock::now();
  const Generated generated = generate(grocery, options);
  const double generate_s = std::chrono::duration<double>(Clock::now() - generating).count();
  std::printf(
      "  generated in %.1f s (quote, quote_to_json, annex): %.1f %% identified, %.1f lines "
      "a receipt, %.2f GB of payloads and annexes (%.0f bytes a receipt)\n\n",
      generate_s, 100.0 * generated.identified / options.receipts,
      static_cast<double>(generated.lines) / options.receipts, generated.payload_bytes / 1e9,
      static_cast<double>(generated.payload_bytes) / options.receipts);

  std::printf("  %-34s %7s %9s %6s %12s %12s %14s %13s %8s  %s\n", "run", "threads", "seconds",
              "cpu", "receipts/s", "s per 1 M", "points diff", "discount diff", "tiers", "load");
  const Run same = run(grocery, generated, 2);
  print_row("same program (check: all 0)", 2, same, options.receipts);
  const Run one = run(next, generated, 1);
  print_row("fm-next: 2x base, silver 600.00", 1, one, options.receipts);
  const Run two = run(next, generated, 2);
  print_row("fm-next: 2x base, silver 600.00", 2, two, options.receipts);

  const bool check = round_trip_holds(same.result);
  const double per_million = two.seconds * 1e6 / static_cast<double>(options.receipts);
  const bool met = per_million <= target_seconds_per_million;
  std::printf("\n  check (same program: no difference, nothing skipped): %s\n",
              check ? "passed" : "FAILED");
  std::printf(
      "  target: 1,000,000 receipts in <= %.0f s with 2 threads: %.1f s per million, %s "
      "(1 thread: %.1f s; 2 threads %.2fx faster)\n",
      target_seconds_per_million, per_million, met ? "met" : "MISSED",
      one.seconds * 1e6 / static_cast<double>(options.receipts), one.seconds / two.seconds);
  if (!same.result.skipped.empty()) {
    std::printf("  skipped: %s (%" PRId64 ")\n", same.result.skipped[0].reason.c_str(),
                same.result.skipped[0].count);
  }
  return options.enforce && (!met || !check) ? 1 : 0;
}
