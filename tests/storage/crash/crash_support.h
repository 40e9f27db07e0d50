// Shared by the crash tests (crash/kill_test.cc: SIGKILL; crash/power_test.cc: I/O errors and
// power cuts): the receipts they check out, a pure function of their number, and the proof run on
// the ledger reopened after each crash. Each test keeps its own way of crashing and of learning
// which receipts were acknowledged. docs/storage.md ("Crash test: SIGKILL", "Crash test: I/O
// errors and power cuts").
#pragma once

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "checkout/checkout_support.h"

namespace loyalty::storage::test {

// The receipts of a crash test. Receipt n is "<prefix><n, 7 digits>" of customer "c<n % 3>" and
// buys one WINE at 20.00 + (n % 5).00. Receipts 1, 2 and 3 are each customer's first; after them
// every other one burns 10 points, and the customer holds at least 19 by then (a burn the lots
// cannot cover would be clamped). With `coupons`, every fourth receipt uses the coupon SAVE1
// (1.00 off, till_program_json; a counter per customer and in total).
struct CrashReceipts {
  static constexpr std::int64_t customers = 3;
  static constexpr std::int64_t burn_points = 10;
  static constexpr std::int64_t coupon_minor = 100;  // SAVE1 in till_program_json

  std::string prefix;  // "K-", "P-": no row may name a receipt without it
  bool coupons = false;

  std::string id(std::int64_t n) const {
    std::string digits = std::to_string(n);
    return prefix + std::string(digits.size() < 7 ? 7 - digits.size() : 0, '0') + digits;
  }
  static std::string customer_id(std::int64_t n) { return "c" + std::to_string(n % customers); }
  static std::int64_t price_minor(std::int64_t n) { return 2000 + 100 * (n % 5); }
  static bool burns(std::int64_t n) { return n > customers && (n / customers) % 2 == 1; }
  bool coupon(std::int64_t n) const { return coupons && n % 4 == 2; }

  // 1 point per 1.00 paid in money, rounded down; a burn of 10 points pays 0.10.
  std::int64_t earned(std::int64_t n) const {
    const std::int64_t paid =
        price_minor(n) - (coupon(n) ? coupon_minor : 0) - (burns(n) ? burn_points : 0);
    return paid / 100;
  }

  Receipt receipt(std::int64_t n) const {
    Receipt r = test::receipt(id(n), {line("WINE", price_minor(n))});
    if (burns(n)) r = redeeming(std::move(r), burn_points);
    if (coupon(n)) r.coupons.push_back("SAVE1");
    return r;
  }
};

// An integer knob from the environment (decimal, or 0x... hex); `fallback` when unset or empty.
inline std::int64_t env_int(const char* name, std::int64_t fallback) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return fallback;
  return std::strtoll(value, nullptr, 0);
}

// receipt id -> count, from a query returning (receipt_id, COUNT(*)).
inline std::map<std::string, std::int64_t> count_by_receipt(Ledger& ledger,
                                                            const std::string& sql) {
  std::map<std::string, std::int64_t> out;
  Statement select = Statement::prepare(ledger.database(), sql).value();
  while (select.step().value() == Step::row) out[select.column_text(0)] = select.column_int64(1);
  return out;
}

// The proof after a crash, on the ledger reopened without fault (open() has run check()):
//  - check() finds no problem; every receipt row is committed; every event is a checkout's;
//  - no row names a receipt outside receipts 1..attempted (none can have been started);
//  - every acknowledged receipt is whole: one committed row, one event, one lot and its
//    transfers (earn, plus burn); every other one is whole or entirely absent, and whole only
//    when it is `attempted`, the in-flight one (the next run retries it);
//  - each customer's points and the remaining points of their lots are what the whole receipts
//    earned less what they burned, and the SAVE1 counters (per customer and in total) count the
//    whole receipts that used the coupon (no row when none did).
// `acknowledged` is anything with count(n) (a set or map keyed by receipt number). Returns how
// many receipts are whole without an ack.
template <class Acknowledged>
std::int64_t verify_after_crash(Ledger& ledger, const CrashReceipts& receipts,
                                std::int64_t attempted, const Acknowledged& acknowledged) {
  REQUIRE(problems_of(ledger) == std::vector<std::string>{});

  const auto committed =
      count_by_receipt(ledger,
                       "SELECT receipt_id, COUNT(*) FROM receipts WHERE state = 'committed' "
                       "GROUP BY receipt_id");
  const auto other_rows =
      count_by_receipt(ledger,
                       "SELECT receipt_id, COUNT(*) FROM receipts WHERE state <> 'committed' "
                       "GROUP BY receipt_id");
  const auto events =
      count_by_receipt(ledger,
                       "SELECT receipt_id, COUNT(*) FROM events WHERE kind = 'checkout' "
                       "GROUP BY receipt_id");
  const auto transfers =
      count_by_receipt(ledger,
                       "SELECT receipt_id, COUNT(*) FROM transfers WHERE receipt_id IS NOT NULL "
                       "GROUP BY receipt_id");
  const auto lots =
      count_by_receipt(ledger,
                       "SELECT receipt_id, COUNT(*) FROM lots WHERE receipt_id IS NOT NULL "
                       "GROUP BY receipt_id");
  CHECK(other_rows.empty());
  CHECK(scalar(ledger, "SELECT COUNT(*) FROM events") ==
        static_cast<std::int64_t>(committed.size()));
  // Nothing names a receipt no run could have started.
  for (const auto* table : {&committed, &events, &transfers, &lots}) {
    for (const auto& [id, count] : *table) {
      INFO("row names " << id);
      CHECK(id.rfind(receipts.prefix, 0) == 0);
      CHECK(std::stoll(id.substr(receipts.prefix.size())) >= 1);
      CHECK(std::stoll(id.substr(receipts.prefix.size())) <= attempted);
    }
  }

  auto count = [](const std::map<std::string, std::int64_t>& table, const std::string& id) {
    auto it = table.find(id);
    return it == table.end() ? std::int64_t{0} : it->second;
  };
  constexpr std::int64_t customers = CrashReceipts::customers;
  std::int64_t whole_unacknowledged = 0;
  std::vector<std::int64_t> credits(customers, 0), debits(customers, 0), coupons(customers, 0);
  for (std::int64_t n = 1; n <= attempted; ++n) {
    const std::string id = receipts.id(n);
    const bool acked = acknowledged.count(n) > 0;
    INFO("receipt " << id << (acked ? " (acknowledged)" : " (not acknowledged)"));
    const std::int64_t c = count(committed, id), e = count(events, id), t = count(transfers, id),
                       l = count(lots, id);
    INFO("rows: " << c << " committed, " << e << " events, " << t << " transfers, " << l
                  << " lots");
    // Whole: one committed row, one event, its transfers (earn, plus burns) and its one lot.
    const bool whole = c == 1 && e == 1 && l == 1 && t >= 1 + (receipts.burns(n) ? 1 : 0);
    const bool absent = c == 0 && e == 0 && t == 0 && l == 0;
    if (acked) {
      CHECK(whole);
    } else {
      CHECK((whole || absent));
      // Only the in-flight receipt of a crash can be committed without an ack, and the next run
      // retries it, so at most the newest one is.
      if (whole) CHECK(n == attempted);
      if (whole) ++whole_unacknowledged;
    }
    if (whole) {
      credits[n % customers] += receipts.earned(n);
      debits[n % customers] += receipts.burns(n) ? CrashReceipts::burn_points : 0;
      coupons[n % customers] += receipts.coupon(n) ? 1 : 0;
    }
  }

  // Each customer's points are what the committed receipts earned less what they burned.
  std::int64_t coupons_total = 0;
  for (std::int64_t k = 0; k < customers; ++k) {
    const std::string owner = CrashReceipts::customer_id(k);
    INFO("customer " << owner);
    CHECK(points_of(ledger, owner) == make_balance(credits[k], debits[k], 0, 0));
    CHECK(scalar(ledger,
                 "SELECT COALESCE(SUM(l.remaining), 0) FROM lots l JOIN accounts a ON "
                 "a.id = l.account WHERE a.kind = 'customer_points' AND a.owner = '" +
                     owner + "'") == credits[k] - debits[k]);
    CHECK(counter(ledger, owner, "coupon_uses", "SAVE1") == (coupons[k] > 0 ? coupons[k] : -1));
    coupons_total += coupons[k];
  }
  CHECK(counter(ledger, "", "coupon_uses_total", "SAVE1") ==
        (coupons_total > 0 ? coupons_total : -1));
  return whole_unacknowledged;
}

}  // namespace loyalty::storage::test
