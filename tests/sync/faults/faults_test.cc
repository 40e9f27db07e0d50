// Sync under faults: two terminals (two stores) sell real receipts (storage::Till, the grocery
// program) while their sync clients reach HQ through a FaultProxy that delays, duplicates,
// reorders and cuts. HQ restarts during the run, and so does one terminal's client; on
// PostgreSQL, the database server restarts too while the terminals are sending. Afterwards
// HQ holds every terminal's journal exactly once, its totals equal the sums of the terminals'
// ledger annexes, both terminals hold the latest bundle and blocklist, and each card's tier period
// counts its receipts at both stores.
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "client/hq_fixture.h"
#include "faults/fault_proxy.h"
#include "loyalty/core/documents.h"
#include "loyalty/core/json.h"
#include "loyalty/core/program_loader.h"
#include "loyalty/storage/checkout.h"
#include "loyalty/storage/customers.h"
#include "loyalty/storage/hq_update.h"
#include "loyalty/storage/statement.h"
#include "hq/store_backends.h"
#include "temp_dir.h"

using namespace loyalty;
using namespace loyalty::sync;
using namespace loyalty::sync::test;
using namespace std::chrono_literals;

namespace {

std::string program_text(int version) {
  std::ifstream in(std::string(LOYALTY_EXAMPLES_DIR) + "/programs/grocery.json");
  std::stringstream text;
  text << in.rdbuf();
  std::string program = text.str();
  program.replace(program.find("\"version\": 7"), 12, "\"version\": " + std::to_string(version));
  return program;
}

std::string gs1_card(int serial) {
  char digits[16];
  std::snprintf(digits, sizeof digits, "29%010d", serial);
  int total = 0;
  const int n = 12;
  for (int i = 0; i < n; ++i) total += (digits[n - 1 - i] - '0') * (i % 2 == 0 ? 3 : 1);
  return std::string(digits) + static_cast<char>('0' + (10 - total % 10) % 10);
}

struct Till {
  TerminalIdentity who;
  TempDir dir;
  storage::Ledger writer;
  storage::Ledger reader;
  std::shared_ptr<TerminalLedger> view;
  std::unique_ptr<SyncClient> client;
  int receipts = 0;

  Till(TerminalIdentity identity, std::uint64_t epoch)
      : who(std::move(identity)),
        writer(open(dir.file("ledger.db"), who.terminal_id, epoch)),
        reader(open(dir.file("ledger.db"), who.terminal_id, epoch)),
        view(locked_terminal_ledger(reader, fixed_now)) {}

  static storage::Ledger open(const std::string& path, const std::string& terminal,
                              std::uint64_t epoch) {
    storage::LedgerOptions options;
    options.terminal_id = terminal;
    options.epoch = epoch;
    options.now = fixed_now();
    return std::move(storage::Ledger::open(path, options)).value();
  }

  void start(const SyncClientOptions& options) {
    auto started = SyncClient::start(options, view);
    REQUIRE(started.ok());
    client = std::move(started).value();
  }
  void stop() {
    if (client) client->stop();
    client.reset();
  }

  // `count` receipts of random members on day `day` (points earn a day before they can be
  // redeemed), a quarter of them redeeming; the client is told of each.
  void sell(const Program& program, std::mt19937& random, int count, int day) {
    storage::Till till(writer);
    for (int i = 0; i < count; ++i) {
      const std::string card = gs1_card(100 + static_cast<int>(random() % 12));
      const int id = ++receipts;
      std::string receipt = "{\"receipt_id\":\"" + who.terminal_id + "-" + std::to_string(id) +
                            "\",\"store_id\":\"" + who.store_id +
                            "\",\"currency\":\"EUR\",\"lines\":[{\"sku\":\"CHEESE-EDAM\","
                            "\"category\":\"dairy\",\"unit_price_minor\":" +
                            std::to_string(2000 + random() % 28000) +
                            ",\"quantity\":" + std::to_string(1 + random() % 3) + "}]";
      const bool redeem = random() % 4 == 0;
      const std::string with_redeem = receipt + ",\"redeem\":{\"points\":50}}";
      receipt += "}";
      const Timestamp at{fixed_now().unix_seconds + day * 86400 + id * 60};
      Result<storage::CheckoutResult> done =
          redeem ? till.checkout_offline(program, card, load_receipt(with_redeem).value(), at)
                 : make_error(ErrorCode::conflict, "no redemption");
      if (!done.ok())
        done = till.checkout_offline(program, card, load_receipt(receipt).value(), at);
      REQUIRE(done.ok());
      if (client) client->ledger_advanced(done->event_seq);
    }
  }

  std::int64_t last_seq() { return storage::last_event_seq(writer).value(); }
};

// Σ over a terminal's annexes: points by movement code, and the customers' net.
struct Sums {
  std::map<std::string, std::int64_t> by_code;
  std::int64_t customers_net = 0;
  std::map<std::string, std::int64_t> period_spend;  // by pseudonym: Σ the annexes' tier deltas
};

void add_annexes(storage::Ledger& ledger, Sums& sums) {
  std::int64_t after = 0;
  while (true) {
    auto events = storage::events_since(ledger, after, 1000).value();
    if (events.empty()) return;
    for (const storage::EventRow& event : events) {
      after = event.seq;
      if (event.annex.empty()) continue;
      const json::Value annex = json::parse(event.annex).value();
      const json::Value* tier = annex.find("tier");
      if (tier != nullptr) {
        REQUIRE_FALSE(tier->find("period_reset")->as_bool());  // the run is inside one period
        sums.period_spend[annex.find("customer")->as_string()] +=
            tier->find("period_spend_delta")->as_int();
      }
      for (const json::Value& m : annex.find("movements")->as_array()) {
        if (m.find("minor") != nullptr) continue;
        const std::string source = m.find("source")->as_string();
        if (source.rfind("hq:", 0) == 0) continue;  // HQ's own corrections coming back
        const std::int64_t points = m.find("points")->as_int();
        sums.by_code[m.find("code")->as_string()] += points;
        if (m.find("credit")->as_string().rfind("customer_points:", 0) == 0) {
          sums.customers_net += points;
        }
        if (m.find("debit")->as_string().rfind("customer_points:", 0) == 0) {
          sums.customers_net -= points;
        }
      }
    }
  }
}

std::string blocked(storage::Ledger& ledger, const std::string& pseudonym) {
  auto select = storage::Statement::prepare(
      ledger.database(), "SELECT reason FROM blocked_pseudonyms WHERE pseudonym = ?1");
  REQUIRE(select.ok());
  REQUIRE(select->bind_text(1, pseudonym).ok());
  return select->step().value() == storage::Step::row ? select->column_text(0) : "";
}

}  // namespace

TEST_CASE(
    "under delays, duplicates, reorders, cuts and restarts HQ ends up with every "
    "terminal's journal exactly once, and the terminals with the latest bundle and "
    "blocklist",
    "[sync][faults]") {
  const Backend backend = GENERATE(Backend::sqlite, Backend::postgresql);
  INFO("backend " << backend_name(backend));
  TestStore where(backend);
  TestPki pki;
  CaIssue second = issue_request(pki.ca_directory(), pki.path("till2"));
  second.terminal = TerminalIdentity{"store-2", "till.1"};
  second.not_before = Timestamp{fixed_now().unix_seconds - 86400};
  REQUIRE(ca_issue(second).ok());
  auto hq = std::make_unique<HqThread>(pki, where.factory());
  const std::uint16_t hq_port = hq->port();
  FaultPlan plan;
  plan.duplicate = 0.03;
  plan.reorder = 0.03;
  FaultProxy proxy(hq_port, plan);

  const Program program = load_program(program_text(7)).value();
  const SigningKey key = std::move(SigningKey::generate("hq-1")).value();
  // The chain's pseudonym key, before the terminals sell.
  const storage::PseudonymKey chain_key{"pk1", std::string(64, '7')};
  REQUIRE(hq->store()
              ->publish("", KeysItem{chain_key.key_id, chain_key.key_hex, {}}, fixed_now())
              .ok());

  Till a(TestPki::terminal(), 11);
  Till b(TerminalIdentity{"store-2", "till.1"}, 22);
  for (Till* till : {&a, &b}) {
    REQUIRE(storage::Till(till->writer).store_program(program_text(7), fixed_now()).ok());
  }
  auto options_for = [&](const Till& till, const TlsFiles& files) {
    SyncClientOptions options = client_options(pki, proxy.port());
    options.store_id = till.who.store_id;
    options.tls = files;
    options.batch_events = 7;  // many batches, so faults land inside and between them
    options.long_poll = 500ms;
    options.trusted_keys = {PublicKey{"hq-1", key.public_pem()}};
    return options;
  };
  const TlsFiles a_files = pki.terminal_files();
  const TlsFiles b_files = pki.files("till2", "terminal");
  a.start(options_for(a, a_files));
  b.start(options_for(b, b_files));
  REQUIRE(eventually(
      [&] {
        return a.client->status().downlink_version >= 1 && b.client->status().downlink_version >= 1;
      },
      20s));

  std::mt19937 random(5);
  a.sell(program, random, 40, 0);
  b.sell(program, random, 40, 0);
  auto store = hq->store();
  REQUIRE(store
              ->publish("",
                        sign_bundle(key, "fresh-market", 8, Timestamp{1796000000}, program_text(8)),
                        fixed_now())
              .ok());
  const std::string lost = storage::pseudonym_of(chain_key, gs1_card(101));
  const std::string found = storage::pseudonym_of(chain_key, gs1_card(102));
  REQUIRE(store->publish("", BlockItem{lost, "lost", true}, fixed_now()).ok());
  REQUIRE(store->publish("store-2", BlockItem{found, "stolen", true}, fixed_now()).ok());

  // HQ restarts; the terminals keep selling.
  store.reset();
  hq->stop();
  hq.reset();
  a.sell(program, random, 15, 2);
  b.sell(program, random, 15, 2);
  hq = std::make_unique<HqThread>(pki, where.factory(), hq_port);
  if (backend == Backend::postgresql) {
    // The database server goes down (an immediate shutdown: no checkpoint, crash recovery on
    // start) while both terminals send; HQ's workers fail those batches (503) and reconnect.
    b.sell(program, random, 10, 2);
    shared_pg_server().restart("immediate");
  }

  // Terminal a's client restarts.
  a.stop();
  a.sell(program, random, 15, 3);
  a.start(options_for(a, a_files));
  b.sell(program, random, 15, 3);
  store = hq->store();
  REQUIRE(store->publish("store-2", BlockItem{found, "", false}, fixed_now()).ok());
  const std::int64_t latest =
      store
          ->publish("", sign_bundle(key, "fresh-market", 9, Timestamp{1796000000}, program_text(9)),
                    fixed_now())
          .value();

  // The last stretch without faults, so the test ends in bounded time.
  REQUIRE(eventually(
      [&] {
        return a.client->status().held_seq == a.last_seq() &&
               b.client->status().held_seq == b.last_seq();
      },
      60s));
  proxy.set_faults(false);
  // Settled: HQ holds every event, the downlink is current, and nothing new was written for half
  // a second (a downlink answer applied writes an hq_update event, which ships in turn).
  std::int64_t seen_a = -1, seen_b = -1;
  REQUIRE(eventually(
      [&] {
        const SyncStatus sa = a.client->status();
        const SyncStatus sb = b.client->status();
        const std::int64_t la = a.last_seq(), lb = b.last_seq();
        const bool done = sa.held_seq == la && sb.held_seq == lb && sa.downlink_version >= latest &&
                          sb.downlink_version >= latest && sa.phase == SyncPhase::in_sync &&
                          sb.phase == SyncPhase::in_sync && la == seen_a && lb == seen_b;
        seen_a = la;
        seen_b = lb;
        if (!done) std::this_thread::sleep_for(500ms);
        return done;
      },
      60s));
  // Each card's tier period at HQ counts both stores' receipts, and reaches both terminals.
  std::vector<std::pair<std::string, std::string>> cards;  // card, pseudonym
  for (int serial = 100; serial < 112; ++serial) {
    cards.emplace_back(gs1_card(serial), storage::pseudonym_of(chain_key, gs1_card(serial)));
  }
  std::string mismatch;
  const bool tiers_shared = eventually(
      [&] {
        mismatch.clear();
        for (const auto& [card, pseudonym] : cards) {
          const auto report = store->customer(pseudonym, 0).value();
          if (!report) continue;
          for (Till* till : {&a, &b}) {
            const auto row = storage::CustomerCache(till->writer).find(card).value();
            if (row && row->state.period_spend != report->period_spend) {
              mismatch = till->who.store_id + " holds " + std::to_string(row->state.period_spend) +
                         " of period spend for " + card + ", HQ " +
                         std::to_string(report->period_spend);
            }
          }
        }
        if (!mismatch.empty()) std::this_thread::sleep_for(200ms);
        return mismatch.empty();
      },
      30s);
  INFO(mismatch);
  CHECK(tiers_shared);
  a.stop();
  b.stop();
  INFO("proxy: " << proxy.counts().connections << " connections, " << proxy.counts().chunks
                 << " chunks, " << proxy.counts().cuts << " cuts, " << proxy.counts().delays
                 << " delays, " << proxy.counts().duplicates << " duplicates, "
                 << proxy.counts().reorders << " reorders");
  CHECK(proxy.counts().cuts > 0);
  CHECK(proxy.counts().duplicates + proxy.counts().reorders > 0);

  // HQ holds each journal exactly once.
  for (Till* till : {&a, &b}) {
    auto state = store->uplink_state(till->who);
    REQUIRE(state.ok());
    CHECK(state->status == AckStatus::accepted);
    CHECK(state->held_seq == till->last_seq());
  }
  for (int i = 0; i < 100; ++i) {  // HQ applies right after each batch; let it finish
    auto terminals = store->terminals().value();
    bool applied = terminals.size() == 2;
    for (const TerminalStatus& t : terminals) applied = applied && t.applied_seq == t.held_seq;
    if (applied) break;
    REQUIRE(store->apply(fixed_now(), 100000).ok());
  }
  Sums sums;
  add_annexes(a.writer, sums);
  add_annexes(b.writer, sums);
  const HqTotals totals = store->totals().value();
  CHECK(totals.events == a.last_seq() + b.last_seq());
  CHECK(totals.receipts == a.receipts + b.receipts);
  CHECK(totals.points_issued == sums.by_code["earn"] - sums.by_code["reverse_earn"]);
  CHECK(totals.points_redeemed ==
        sums.by_code["burn"] + sums.by_code["reward"] - sums.by_code["restore_burn"]);
  CHECK(totals.liability_points - totals.overdraft_points == sums.customers_net);
  CHECK(totals.points_issued > 0);
  CHECK(totals.points_redeemed > 0);
  std::int64_t shared_cards = 0;
  for (const auto& [card, pseudonym] : cards) {
    const auto report = store->customer(pseudonym, 0).value();
    REQUIRE(report.has_value());
    CHECK(report->period_spend == sums.period_spend[pseudonym]);
    CHECK(report->period_spend == report->spend_minor);  // one period: every receipt counts
    if (storage::CustomerCache(a.writer).find(card).value() &&
        storage::CustomerCache(b.writer).find(card).value()) {
      ++shared_cards;
    }
  }
  CHECK(shared_cards > 0);  // cards that bought at both stores

  // Both terminals hold the latest bundle and blocklist.
  for (Till* till : {&a, &b}) {
    auto bundle = storage::effective_bundle(till->writer, "fresh-market", fixed_now()).value();
    REQUIRE(bundle.has_value());
    CHECK(bundle->version == 9);
    CHECK(blocked(till->writer, lost) == "lost");
    CHECK(blocked(till->writer, found).empty());
  }
}
