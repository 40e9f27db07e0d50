// Helpers for the backtest's tests: real checkout events, written by storage's Till on a real
// SQLite ledger with the chain's pseudonym key installed (so every annex is the one a till
// writes), read back as HQ's journal holds them; the example programs and variants of them; and a
// backtest run over a list of events.
#pragma once

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "loyalty/core/documents.h"
#include "loyalty/core/program_loader.h"
#include "loyalty/storage/checkout.h"
#include "loyalty/storage/customers.h"
#include "loyalty/storage/events.h"
#include "loyalty/storage/hq_update.h"
#include "loyalty/storage/ledger.h"
#include "loyalty/storage/pseudonyms.h"
#include "loyalty/sync/backtest.h"
#include "temp_dir.h"

namespace loyalty::sync::test {

inline std::string read_text(const std::string& path) {
  std::ifstream file(path);
  if (!file) FAIL("cannot read " << path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

inline std::string example_program_json(const std::string& name) {
  return read_text(LOYALTY_EXAMPLES_DIR "/programs/" + name + ".json");
}

inline Program load_program_ok(std::string_view json) {
  Result<Program> program = load_program(json);
  if (!program.ok()) FAIL("load_program failed: " << program.error().message);
  return std::move(program).value();
}

// `json` with the one occurrence of `from` replaced by `to` (the test fails if it is not there
// exactly once): a variant of an example program.
inline std::string replaced(std::string json, std::string_view from, std::string_view to) {
  const std::size_t at = json.find(from);
  REQUIRE(at != std::string::npos);
  REQUIRE(json.find(from, at + 1) == std::string::npos);
  json.replace(at, from.size(), to);
  return json;
}

inline const storage::PseudonymKey chain_key{
    "k1", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"};

inline std::string pseudonym(std::string_view card) {
  return storage::pseudonym_of(chain_key, card);
}

inline Timestamp at_utc(std::string_view text) { return parse_timestamp(text).value(); }

inline ReceiptLine item(std::string sku, std::string category, std::int64_t unit_price_minor,
                        std::int64_t quantity = 1) {
  ReceiptLine line;
  line.sku = std::move(sku);
  line.category = std::move(category);
  line.unit_price = Minor(unit_price_minor);
  line.quantity = quantity;
  return line;
}

inline Receipt receipt(std::string id, std::vector<ReceiptLine> lines) {
  Receipt made;
  made.receipt_id = std::move(id);
  made.currency = "EUR";
  made.lines = std::move(lines);
  return made;
}

// A draw key stand-in for instant-win programs: any deterministic value will do.
class TestDrawKeyer final : public DrawKeyer {
 public:
  std::uint64_t draw_value(std::string_view message) const override {
    std::uint64_t hash = 1469598103934665603u;
    for (char c : message) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211u;
    return hash;
  }
};

// One terminal of a store: a ledger in a TempDir with the chain's key and the program stored,
// and a Till over it that quotes in the program's fixed offset. Customers are served offline from
// the terminal's cache, which `refresh` fills as HQ would.
class StoreTill {
 public:
  StoreTill(std::string store_id, std::string_view program_json)
      : store_id_(std::move(store_id)),
        ledger_(open(dir_.file("ledger.db"))),
        program_(load_program_ok(program_json)),
        till_(ledger_, environment()),
        cache_(ledger_) {
    storage::HqUpdate keys;
    keys.update_id = "keys";
    keys.pseudonym_key = chain_key;
    REQUIRE(storage::apply_hq_update(ledger_, keys, at_utc("2026-11-01T00:00:00Z")).ok());
    Status stored = till_.store_program(program_json, at_utc("2026-11-01T00:00:00Z"));
    if (!stored.ok()) FAIL("store_program failed: " << stored.error().message);
  }

  const Program& program() const { return program_; }

  // HQ's state for a card, in the terminal's cache (with consent to profiling).
  void refresh(CustomerState state, Timestamp at) {
    state.known = true;
    Status done = cache_.refresh_from_hq(state, storage::Consent{true, true}, at);
    if (!done.ok()) FAIL("refresh_from_hq failed: " << done.error().message);
  }

  // A checkout of `card` ("" for an anonymous receipt); returns the quote JSON.
  std::string sell(const std::string& card, Receipt r, Timestamp at) {
    r.store_id = store_id_;
    Result<storage::CheckoutResult> done = card.empty()
                                               ? till_.checkout(program_, nullptr, r, at)
                                               : till_.checkout_offline(program_, card, r, at);
    if (!done.ok()) FAIL("checkout of " << r.receipt_id << " failed: " << done.error().message);
    return done->quote_json;
  }

  // A held redemption, opened and then committed.
  void sell_held(const std::string& card, Receipt r, Timestamp at) {
    r.store_id = store_id_;
    const std::string id = r.receipt_id;
    Result<storage::CheckoutResult> opened = till_.open_receipt_offline(program_, card, r, at);
    if (!opened.ok()) FAIL("open of " << id << " failed: " << opened.error().message);
    Result<storage::CheckoutResult> committed = till_.commit_receipt(id, plus_seconds(at, 60));
    if (!committed.ok()) FAIL("commit of " << id << " failed: " << committed.error().message);
  }

  std::string refund(const std::string& refund_id, const std::string& receipt_id,
                     std::vector<ReturnRequest> returns, Timestamp at) {
    Result<storage::RefundResult> done = till_.refund(refund_id, receipt_id, returns, at);
    if (!done.ok()) FAIL("refund " << refund_id << " failed: " << done.error().message);
    return done->reversal_json;
  }

  // Every event of the ledger as HQ's journal holds it, business dates in UTC.
  std::vector<JournalEvent> events() {
    std::vector<JournalEvent> out;
    std::int64_t after = 0;
    while (true) {
      Result<std::vector<storage::EventRow>> rows = storage::events_since(ledger_, after, 1000);
      REQUIRE(rows.ok());
      if (rows->empty()) return out;
      for (storage::EventRow& row : *rows) {
        after = row.seq;
        JournalEvent event;
        event.store_id = store_id_;
        event.terminal_id = "T-01";
        event.epoch = "0000000000000007";
        event.seq = row.seq;
        event.kind = row.kind;
        event.receipt_id = row.receipt_id;
        event.payload = std::move(row.payload);
        event.annex = std::move(row.annex);
        event.created_at = row.created_at;
        event.business_date = format_date(to_local(row.created_at, 0).date);
        out.push_back(std::move(event));
      }
    }
  }

 private:
  static storage::Ledger open(const std::string& path) {
    storage::LedgerOptions options;
    options.terminal_id = "T-01";
    options.epoch = 7;
    options.now = at_utc("2026-11-01T00:00:00Z");
    options.database.durability = storage::Durability::normal;
    Result<storage::Ledger> ledger = storage::Ledger::open(path, options);
    if (!ledger.ok()) FAIL("Ledger::open failed: " << ledger.error().message);
    return std::move(ledger).value();
  }

  storage::TillEnvironment environment() {
    storage::TillEnvironment environment;
    environment.draw_keyer = [this](std::string_view) -> const DrawKeyer* { return &keyer_; };
    return environment;
  }

  std::string store_id_;
  TempDir dir_;
  storage::Ledger ledger_;
  Program program_;
  TestDrawKeyer keyer_;
  storage::Till till_;
  storage::CustomerCache cache_;
};

// The backtest of `program` over `events`, which must succeed; elapsed_ms is set to 0 so that
// results compare whole.
inline BacktestResult run_backtest(const Program& program, const std::vector<JournalEvent>& events,
                                   BacktestOptions options = {}) {
  Result<Backtest> started = Backtest::start(program, std::move(options));
  if (!started.ok()) FAIL("Backtest::start failed: " << started.error().message);
  for (const JournalEvent& event : events) REQUIRE(started->add(event).ok());
  Result<BacktestResult> result = started->finish();
  if (!result.ok()) FAIL("finish failed: " << result.error().message);
  result->elapsed_ms = 0;
  return std::move(result).value();
}

// The events of several terminals in projection order (by time; ties keep the given order).
inline std::vector<JournalEvent> in_projection_order(std::vector<std::vector<JournalEvent>> lists) {
  std::vector<JournalEvent> all;
  for (std::vector<JournalEvent>& list : lists) {
    for (JournalEvent& event : list) all.push_back(std::move(event));
  }
  std::stable_sort(all.begin(), all.end(), [](const JournalEvent& a, const JournalEvent& b) {
    return a.created_at < b.created_at;
  });
  return all;
}

// A card HQ knows: not a first purchase, at `tier` with `period_spend` in the period under review
// on 2027-03-01.
inline CustomerState member(std::string card, std::string tier, std::int64_t period_spend) {
  CustomerState state;
  state.customer_id = std::move(card);
  state.purchase_count = 5;
  state.tier = std::move(tier);
  state.tier_review_at = at_utc("2027-03-01T00:00:00Z");
  state.period_spend = period_spend;
  return state;
}

// A DIFF whose every figure is the same on both sides.
inline bool unchanged(const BacktestDiff& diff) {
  return diff.discount_minor.difference() == 0 && diff.points_issued.difference() == 0 &&
         diff.points_redeemed.difference() == 0 && diff.liability_points.difference() == 0 &&
         diff.tier_changes == 0;
}

}  // namespace loyalty::sync::test

namespace Catch {
template <>
struct StringMaker<loyalty::sync::BacktestSkip> {
  static std::string convert(const loyalty::sync::BacktestSkip& skip) {
    return "{\"" + skip.reason + "\", " + std::to_string(skip.count) + "}";
  }
};
template <>
struct StringMaker<loyalty::sync::BacktestTierChange> {
  static std::string convert(const loyalty::sync::BacktestTierChange& change) {
    return "{" + change.pseudonym + ", \"" + change.actual + "\", \"" + change.simulated + "\"}";
  }
};
}  // namespace Catch
