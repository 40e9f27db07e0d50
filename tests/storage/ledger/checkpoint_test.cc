// The checkpoint and the check at open: open() verifies what was written since the checkpoint
// (and that the ledger still reaches it) and moves it to the end; check() verifies everything.
// Tampering goes through the back door (triggers dropped, constraints off), as a changed,
// truncated or restored file could look. docs/storage.md ("Verification at open").

#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

#include "back_door.h"
#include "ledger/ledger_support.h"
#include "loyalty/storage/events.h"
#include "loyalty/storage/ledger.h"
#include "loyalty/storage/lots.h"
#include "temp_dir.h"

namespace Catch {
template <>
struct StringMaker<loyalty::storage::LedgerCheckpoint> {
  static std::string convert(const loyalty::storage::LedgerCheckpoint& c) {
    return "{seq " + std::to_string(c.event_seq) + ", hash " + c.event_hash + ", transfer " +
           std::to_string(c.transfer_id) + ", lot " + std::to_string(c.lot_id) + ", account " +
           std::to_string(c.account_id) + ", schema " + std::to_string(c.schema_version) +
           ", digest " + std::to_string(c.totals_digest) + ", at " +
           std::to_string(c.checked_at.unix_seconds) + ", full at " +
           std::to_string(c.full_check_at.unix_seconds) + "}";
  }
};
}  // namespace Catch

namespace loyalty::storage {
namespace {

using namespace test;

constexpr Timestamp later{test_now.unix_seconds + 3600};
constexpr Timestamp much_later{test_now.unix_seconds + 7200};

LedgerOptions options_at(Timestamp now, OpenCheck open_check = OpenCheck::since_checkpoint) {
  LedgerOptions options = test_options();
  options.now = now;
  options.open_check = open_check;
  return options;
}

LedgerCheckpoint checkpoint_of(const Ledger& ledger) {
  Result<std::optional<LedgerCheckpoint>> checkpoint = ledger.checkpoint();
  if (!checkpoint.ok()) FAIL("checkpoint failed: " << checkpoint.error().message);
  REQUIRE(checkpoint->has_value());
  return **checkpoint;
}

// A ledger with the usual accounts (1..4), 100 points earned by anna in a lot (transfer 1, lot 1)
// and events 1..3, opened at test_now; reopened (at `later`) it has a checkpoint at event 3.
struct CheckpointFixture {
  TempDir dir;
  std::string path = dir.file("ledger.db");
  std::optional<Ledger> ledger = open_ledger(path);
  Accounts a = make_accounts(*ledger);
  std::vector<EventRow> events;

  CheckpointFixture() {
    Transaction transaction = begin(*ledger);
    LotCredit credit;
    credit.account = a.anna;
    credit.points = Points(100);
    credit.active_from = test_now;
    credit.receipt_id = "r-1";
    credit.source = "earn";
    credit.at = test_now;
    REQUIRE(credit_lot(*ledger, transaction, credit).ok());
    commit(transaction);
    append(3);
  }

  void append(int count) {
    Transaction transaction = begin(*ledger);
    for (int i = 0; i < count; ++i) {
      Result<EventRow> row =
          append_event(*ledger, transaction, "sale", "r-" + std::to_string(events.size() + 1),
                       "{\"n\": " + std::to_string(events.size() + 1) + "}", test_now);
      REQUIRE(row.ok());
      events.push_back(row.value());
    }
    commit(transaction);
  }

  // Closes and reopens the ledger; the open must succeed.
  void reopen(const LedgerOptions& options) {
    ledger.reset();
    Result<Ledger> opened = Ledger::open(path, options);
    if (!opened.ok()) FAIL("reopen failed: " << opened.error().message);
    ledger.emplace(std::move(opened).value());
  }

  // Closes the ledger; the open must fail with io_error. Returns its message.
  std::string refused(const LedgerOptions& options) {
    ledger.reset();
    Result<Ledger> opened = Ledger::open(path, options);
    REQUIRE_FALSE(opened.ok());
    CHECK(opened.error().code == ErrorCode::io_error);
    return opened.error().message;
  }

  std::string refusal(const std::string& problems) const {
    return "ledger " + path + " fails its check, refusing to open it: " + problems +
           ". Keep the file for investigation and restore the ledger from HQ.";
  }

  // The ledger opened without a check, for check() and checkpoint().
  Ledger unchecked() {
    LedgerOptions options = test_options();
    options.refuse_broken = false;
    Result<Ledger> opened = Ledger::open(path, options);
    if (!opened.ok()) FAIL("open failed: " << opened.error().message);
    return std::move(opened).value();
  }

  std::vector<std::string> problems() {
    Ledger checked = unchecked();
    Result<LedgerReport> report = checked.check();
    if (!report.ok()) FAIL("check failed: " << report.error().message);
    return report->problems;
  }

  void change_payload(std::int64_t seq) {
    back_door(path,
              "DROP TRIGGER IF EXISTS events_no_update; UPDATE events SET payload = "
              "'{\"n\": 99}' WHERE seq = " +
                  std::to_string(seq) + ";");
  }
};

std::string changed(std::int64_t seq) {
  return "event " + std::to_string(seq) +
         ": payload_hash does not match its content (changed after it was written)";
}

TEST_CASE("A new ledger gets a checkpoint at its empty end", "[storage][checkpoint]") {
  TempDir dir;
  const Ledger ledger = open_ledger(dir.file("ledger.db"));
  LedgerCheckpoint expected;
  expected.schema_version = ledger.schema_version();
  expected.checked_at = test_now;
  expected.full_check_at = test_now;  // the first open ran the full check
  CHECK(checkpoint_of(ledger) == expected);
}

TEST_CASE(
    "open moves the checkpoint over what was written since, and only a full check sets "
    "full_check_at",
    "[storage][checkpoint]") {
  CheckpointFixture f;
  const LedgerCheckpoint first = checkpoint_of(*f.ledger);
  CHECK(first.event_seq == 0);  // written by the first open, before anything else
  f.reopen(options_at(later));
  const LedgerCheckpoint moved = checkpoint_of(*f.ledger);
  CHECK(moved.event_seq == 3);
  CHECK(moved.event_hash == f.events[2].payload_hash);
  CHECK(moved.transfer_id == 1);
  CHECK(moved.lot_id == 1);
  CHECK(moved.account_id == 4);
  CHECK(moved.schema_version == f.ledger->schema_version());
  CHECK(moved.totals_digest != first.totals_digest);  // anna and issuance moved
  CHECK(moved.checked_at == later);
  CHECK(moved.full_check_at == test_now);  // verified since the checkpoint, not whole

  // Nothing new: open writes nothing, not even the time.
  f.reopen(options_at(much_later));
  CHECK(checkpoint_of(*f.ledger) == moved);

  f.reopen(options_at(much_later, OpenCheck::full));
  LedgerCheckpoint full = moved;
  full.checked_at = much_later;
  full.full_check_at = much_later;
  CHECK(checkpoint_of(*f.ledger) == full);
}

TEST_CASE("open finds an event changed after the checkpoint and keeps the checkpoint",
          "[storage][checkpoint]") {
  CheckpointFixture f;
  f.reopen(options_at(later));  // checkpoint at event 3
  const LedgerCheckpoint before = checkpoint_of(*f.ledger);
  f.append(2);
  f.change_payload(5);
  CHECK(f.refused(options_at(much_later)) == f.refusal(changed(5)));
  CHECK(checkpoint_of(f.unchecked()) == before);
  CHECK(f.problems() == std::vector<std::string>{changed(5)});
}

TEST_CASE("An event changed before the checkpoint is found by the full check, not by open",
          "[storage][checkpoint]") {
  CheckpointFixture f;
  f.reopen(options_at(later));  // checkpoint at event 3
  f.change_payload(1);
  // open verifies from the checkpoint's event on: event 1 was verified when it was written.
  f.reopen(options_at(later));
  CHECK(checkpoint_of(*f.ledger).event_seq == 3);
  // The full check, on demand or at open, finds it; a failed check does not move the checkpoint.
  const LedgerCheckpoint before = checkpoint_of(*f.ledger);
  Result<LedgerReport> report = f.ledger->check_and_checkpoint(much_later);
  REQUIRE(report.ok());
  CHECK(report->problems == std::vector<std::string>{changed(1)});
  CHECK(checkpoint_of(*f.ledger) == before);
  CHECK(f.refused(options_at(much_later, OpenCheck::full)) == f.refusal(changed(1)));
}

TEST_CASE("open finds a change to the checkpoint's own event and a rewritten chain",
          "[storage][checkpoint]") {
  CheckpointFixture f;
  f.reopen(options_at(later));  // checkpoint at event 3
  f.change_payload(3);
  CHECK(f.refused(options_at(later)) == f.refusal(changed(3)));

  // The same change with its hash recomputed, as a rewrite of the chain's end would be: every
  // event is consistent, but event 3 is no longer the one that was verified.
  const std::string payload = "{\"n\": 99}";
  const std::string rewritten =
      sha256_hex(event_hash_input("store-7/till-2", "0123456789abcdef", 3, "sale", "r-3", payload));
  back_door(f.path, "UPDATE events SET payload_hash = '" + rewritten + "' WHERE seq = 3;");
  const std::string problem = "checkpoint: event 3 has payload_hash " + rewritten +
                              " but was verified with " + f.events[2].payload_hash +
                              ": the chain was rewritten after it was verified";
  CHECK(f.refused(options_at(later)) == f.refusal(problem));
  CHECK(f.problems() == std::vector<std::string>{problem});
}

TEST_CASE("A chain truncated after the checkpoint's event is found at open and by the full check",
          "[storage][checkpoint]") {
  CheckpointFixture f;
  f.reopen(options_at(later));  // checkpoint at event 3
  back_door(f.path, "DROP TRIGGER events_no_delete; DELETE FROM events WHERE seq = 3;");
  // Events 1 and 2 are a sound chain by themselves: only the checkpoint knows 3 was there.
  const std::string problem =
      "checkpoint: event 3, the last one verified, is missing (the chain ends at event 2): events "
      "were removed after they were verified";
  CHECK(f.refused(options_at(later)) == f.refusal(problem));
  CHECK(f.problems() == std::vector<std::string>{problem});
}

TEST_CASE("A checkpoint beyond the end of the ledger cannot make open accept a bad chain",
          "[storage][checkpoint]") {
  CheckpointFixture f;
  f.reopen(options_at(later));
  f.change_payload(2);
  // As if meta came from a newer copy of the file than its events: the checkpoint names event 99
  // and transfer 50, which this ledger never had.
  back_door(f.path,
            "UPDATE meta SET value = '99' WHERE key = 'checkpoint_seq';"
            "UPDATE meta SET value = '50' WHERE key = 'checkpoint_transfer_id';");
  const std::string event_missing =
      "checkpoint: event 99, the last one verified, is missing (the chain ends at event 3): "
      "events were removed after they were verified";
  const std::string transfers_missing =
      "checkpoint: transfers up to 50 were verified but the last transfer is 1: transfers were "
      "removed after they were verified";
  CHECK(f.refused(options_at(later)) == f.refusal(event_missing + "; " + transfers_missing));
  CHECK(f.problems() == std::vector<std::string>{changed(2), event_missing, transfers_missing});
}

TEST_CASE("A ledger without a checkpoint gets the full check at open, then a checkpoint",
          "[storage][checkpoint]") {
  CheckpointFixture f;
  f.reopen(options_at(later));
  // A ledger written by a release without checkpoints has none of the keys.
  back_door(f.path, "DELETE FROM meta WHERE key LIKE 'checkpoint%';");
  {
    const Ledger unchecked = f.unchecked();
    CHECK(unchecked.checkpoint().value() == std::nullopt);
  }
  f.change_payload(1);
  CHECK(f.refused(options_at(later)) == f.refusal(changed(1)));  // the full check ran

  back_door(f.path, "UPDATE events SET payload = '{\"n\": 1}' WHERE seq = 1;");  // as it was
  f.reopen(options_at(much_later));
  const LedgerCheckpoint checkpoint = checkpoint_of(*f.ledger);
  CHECK(checkpoint.event_seq == 3);
  CHECK(checkpoint.event_hash == f.events[2].payload_hash);
  CHECK(checkpoint.checked_at == much_later);
  CHECK(checkpoint.full_check_at == much_later);
}

TEST_CASE("A checkpoint from another schema version makes open check the whole ledger",
          "[storage][checkpoint]") {
  CheckpointFixture f;
  f.reopen(options_at(later));
  f.change_payload(1);
  back_door(f.path, "UPDATE meta SET value = '1' WHERE key = 'checkpoint_schema_version';");
  CHECK(f.refused(options_at(later)) == f.refusal(changed(1)));
}

TEST_CASE("A malformed checkpoint is refused, naming the key", "[storage][checkpoint]") {
  const std::string advice =
      " (meta holds a checkpoint this code did not write; delete the checkpoint_* rows to have "
      "the next open check the whole ledger)";
  struct Case {
    std::string sql;
    std::string problem;
  };
  const std::vector<Case> cases = {
      {"UPDATE meta SET value = 'abc' WHERE key = 'checkpoint_seq';",
       "checkpoint_seq is \"abc\", not a whole number >= 0"},
      {"UPDATE meta SET value = '-1' WHERE key = 'checkpoint_lot_id';",
       "checkpoint_lot_id is \"-1\", not a whole number >= 0"},
      {"UPDATE meta SET value = '007' WHERE key = 'checkpoint_transfer_id';",
       "checkpoint_transfer_id is \"007\", not a whole number >= 0"},
      {"DELETE FROM meta WHERE key = 'checkpoint_account_id';", "checkpoint_account_id is missing"},
      {"UPDATE meta SET value = 'ABC' WHERE key = 'checkpoint_hash';",
       "checkpoint_hash is \"ABC\", not 64 lowercase hex digits"},
      {"UPDATE meta SET value = 'zz' WHERE key = 'checkpoint_totals_digest';",
       "checkpoint_totals_digest is \"zz\", not 16 hex digits"},
      {"UPDATE meta SET value = '0' WHERE key = 'checkpoint_seq';",
       "checkpoint_hash is \"" + std::string("HASH") + "\", not empty (checkpoint_seq is 0)"},
  };
  for (const Case& c : cases) {
    CheckpointFixture f;
    f.reopen(options_at(later));
    back_door(f.path, c.sql);
    std::string problem = "checkpoint: " + c.problem;
    const std::size_t hash = problem.find("HASH");
    if (hash != std::string::npos) problem.replace(hash, 4, f.events[2].payload_hash);
    INFO(c.sql);
    CHECK(f.refused(options_at(later)) == f.refusal(problem + advice));
    CHECK(f.problems() == std::vector<std::string>{problem + advice});
    Result<std::optional<LedgerCheckpoint>> read = f.unchecked().checkpoint();
    REQUIRE_FALSE(read.ok());
    CHECK(read.error().code == ErrorCode::io_error);
    CHECK(read.error().message == "ledger " + f.path + ": " + problem +
                                      " (delete the checkpoint_* rows of meta to have it checked "
                                      "whole)");
  }
}

TEST_CASE("open checks the transfers, lots and accounts written since the checkpoint",
          "[storage][checkpoint]") {
  CheckpointFixture f;
  f.reopen(options_at(later));  // checkpoint at transfer 1, lot 1, account 4
  back_door(f.path,
            "INSERT INTO transfers (debit_account, credit_account, amount, code, flags, "
            "created_at) VALUES (1, 99, 5, 'earn', 'none', 0);"  // transfer 2
            "INSERT INTO lots (account, points, remaining, active_from, created_at) VALUES "
            "(4, 10, 12, 0, 0);");  // lot 2, of ben
  CHECK(f.refused(options_at(later)) ==
        f.refusal("transfer 2: credit account 99 does not exist; lot 2 of account 4: remaining 12 "
                  "is outside [0, 10]; lot 2 of account 4: its earn transfers total 0, not its "
                  "10 points; and 2 more"));
}

TEST_CASE(
    "open finds running totals changed behind the ledger's back, even on accounts not "
    "moved since the checkpoint",
    "[storage][checkpoint]") {
  CheckpointFixture f;
  f.reopen(options_at(later));
  // Ten points moved from issuance's debits to redemption's credits: the sum over all accounts is
  // the same, but not the digest.
  back_door(f.path,
            "UPDATE account_totals SET debits_posted = debits_posted - 10 WHERE account = 1;"
            "UPDATE account_totals SET credits_posted = credits_posted + 10 WHERE account = 2;");
  const std::string issuance =
      "account 1: running totals (credits 0, debits 90, pending 0/0) differ from its transfers "
      "(credits 0, debits 100, pending 0/0)";
  const std::string redemption =
      "account 2: running totals (credits 10, debits 0, pending 0/0) differ from its transfers "
      "(credits 0, debits 0, pending 0/0)";
  CHECK(f.refused(options_at(later)) == f.refusal(issuance + "; " + redemption));
  CHECK(f.problems() == std::vector<std::string>{issuance, redemption});
}

TEST_CASE("The totals digest follows holds posted, partly posted and voided across checkpoints",
          "[storage][checkpoint]") {
  CheckpointFixture f;
  // Ben's points are in no lot (low-level transfers), so holds that name no lot are consistent.
  move_points(*f.ledger, f.a.issuance, f.a.ben, 100, TransferCode::correction);  // transfer 2
  auto hold = [&](std::int64_t points) {
    Transaction transaction = begin(*f.ledger);
    Result<TransferId> id = f.ledger->create_pending(
        transaction, request(f.a.ben, f.a.redemption, points, TransferCode::burn));
    REQUIRE(id.ok());
    commit(transaction);
    return id.value();
  };
  const TransferId posted = hold(10);
  const TransferId partly = hold(20);
  const TransferId voided = hold(5);
  f.reopen(options_at(later));  // the holds are before the checkpoint, their ends after it
  {
    Transaction transaction = begin(*f.ledger);
    REQUIRE(f.ledger->post_pending(transaction, posted, std::nullopt, later).ok());
    REQUIRE(f.ledger->post_pending(transaction, partly, Points(7), later).ok());
    REQUIRE(f.ledger->void_pending(transaction, voided, later).ok());
    commit(transaction);
  }
  const TransferId open_hold = hold(3);
  static_cast<void>(open_hold);
  f.reopen(options_at(much_later));  // the digest must agree, or open would refuse
  CHECK(checkpoint_of(*f.ledger).transfer_id == 9);
  CHECK(balance_of(*f.ledger, f.a.ben) == make_balance(100, 17, 0, 3));
  CHECK(f.problems().empty());
}

TEST_CASE("A lot changed without a transfer is found at open when its account moved since",
          "[storage][checkpoint]") {
  CheckpointFixture f;
  f.reopen(options_at(later));
  back_door(f.path, "UPDATE lots SET remaining = 90 WHERE lot_id = 1;");
  const std::string history =
      "lot 1 of account 3: 100 points less 90 remaining is 10, but its transfers took 0 (burned, "
      "expired and reversed, less restored)";
  const std::string sum =
      "account 3 (customer_points:anna): its lots hold 90 points but its balance is 100";
  // Neither lot 1 nor anna moved since the checkpoint: open does not look at them.
  f.reopen(options_at(later));
  CHECK(f.problems() == std::vector<std::string>{history, sum});
  // Anna receives a point (without a lot): her account moved, so open compares her lots.
  move_points(*f.ledger, f.a.issuance, f.a.anna, 1, TransferCode::correction);
  const std::string sum_now =
      "account 3 (customer_points:anna): its lots hold 90 points but its balance is 101";
  CHECK(f.refused(options_at(later)) == f.refusal(sum_now));
}

TEST_CASE("check_and_checkpoint moves the checkpoint only when the check passes",
          "[storage][checkpoint]") {
  CheckpointFixture f;
  Result<LedgerReport> report = f.ledger->check_and_checkpoint(later);
  REQUIRE(report.ok());
  CHECK(report->problems.empty());
  const LedgerCheckpoint checkpoint = checkpoint_of(*f.ledger);
  CHECK(checkpoint.event_seq == 3);
  CHECK(checkpoint.checked_at == later);
  CHECK(checkpoint.full_check_at == later);
  // check() alone writes nothing.
  f.append(1);
  REQUIRE(f.ledger->check().ok());
  CHECK(checkpoint_of(*f.ledger) == checkpoint);
}

TEST_CASE("check_since_checkpoint verifies what open would and moves the checkpoint",
          "[storage][checkpoint]") {
  CheckpointFixture f;
  f.reopen(options_at(later));  // checkpoint at event 3
  f.append(2);
  Result<LedgerReport> report = f.ledger->check_since_checkpoint(much_later);
  REQUIRE(report.ok());
  CHECK(report->problems.empty());
  CHECK(report->events == 0);  // no counts: it did not read the whole ledger
  LedgerCheckpoint checkpoint = checkpoint_of(*f.ledger);
  CHECK(checkpoint.event_seq == 5);
  CHECK(checkpoint.event_hash == f.events[4].payload_hash);
  CHECK(checkpoint.checked_at == much_later);
  CHECK(checkpoint.full_check_at == test_now);

  f.append(1);
  f.change_payload(6);
  f.change_payload(1);  // before the checkpoint: not its to find
  report = f.ledger->check_since_checkpoint(much_later);
  REQUIRE(report.ok());
  CHECK(report->problems == std::vector<std::string>{changed(6)});
  CHECK(checkpoint_of(*f.ledger) == checkpoint);
}

}  // namespace
}  // namespace loyalty::storage
