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
#include "generated_documents.h"

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

using namespace bench_documents;

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
