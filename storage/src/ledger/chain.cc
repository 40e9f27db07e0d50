// The event chain's check: one pass over the events from a given seq, in seq order, recomputing
// every hash and following the links. check() starts it at event 1, the check at open at the
// checkpoint's event.

#include <optional>
#include <string>
#include <vector>

#include "ledger/check_internal.h"
#include "loyalty/core/limits.h"
#include "loyalty/storage/events.h"

namespace loyalty::storage::ledger_check {

namespace {

struct Link {
  std::int64_t seq = 0;
  std::string payload_hash;
};

// The payload_hash of event `seq`, if the ledger has it.
Result<std::optional<Link>> event_link(const Database& db, std::int64_t seq) {
  Statement select = TRY(Statement::prepare(db, "SELECT payload_hash FROM events WHERE seq = ?1"));
  TRY(select.bind_int64(1, seq));
  if (TRY(select.step()) != Step::row) return std::optional<Link>();
  return std::optional<Link>(Link{seq, select.column_text(0)});
}

// What one pass finds, kept apart so that the report lists hashes, then gaps, then links.
struct ChainProblems {
  std::vector<std::string> hashes;
  std::vector<std::string> gaps;
  std::vector<std::string> links;
  std::size_t size() const { return hashes.size() + gaps.size() + links.size(); }
};

// One event against the event before it (`previous`: the last row read, if any).
void check_event(const Statement& event, const std::optional<Link>& previous,
                 ChainProblems& problems) {
  const std::int64_t seq = event.column_int64(0);
  const std::string name = "event " + std::to_string(seq);
  const std::string expected = sha256_hex(
      event_hash_input(event.column_text(1), event.column_text(2), seq, event.column_text(3),
                       event.column_text(4), event.column_text(5), event.column_text(8)));
  if (expected != event.column_text(6)) {
    problems.hashes.push_back(name +
                              ": payload_hash does not match its content (changed after it was "
                              "written)");
  }
  if (seq == 1) {
    if (!event.column_text(7).empty()) problems.links.push_back("event 1: prev_hash must be empty");
    return;
  }
  if (!previous || previous->seq != seq - 1) {
    problems.gaps.push_back(name + " follows a gap: event " + std::to_string(seq - 1) +
                            " is missing");
    return;
  }
  if (event.column_text(7) != previous->payload_hash) {
    problems.links.push_back(name + ": prev_hash is not the payload_hash of event " +
                             std::to_string(seq - 1));
  }
}

}  // namespace

Status check_chain(const Database& db, std::int64_t first_seq, LedgerReport& report) {
  LOYALTY_ASSERT(first_seq >= 1);
  LOYALTY_ASSERT(report.problems.size() <= limits::ledger_check_problems_max);
  const std::size_t room = limits::ledger_check_problems_max - report.problems.size();
  std::optional<Link> previous;
  if (first_seq > 1) previous = TRY(event_link(db, first_seq - 1));
  Statement events = TRY(Statement::prepare(
      db,
      "SELECT seq, terminal_id, epoch, kind, receipt_id, payload, payload_hash, prev_hash, annex "
      "FROM events WHERE seq >= ?1 ORDER BY seq"));
  TRY(events.bind_int64(1, first_seq));
  ChainProblems problems;
  while (problems.size() < room && TRY(events.step()) == Step::row) {
    check_event(events, previous, problems);
    previous = Link{events.column_int64(0), events.column_text(6)};
  }
  for (auto* list : {&problems.hashes, &problems.gaps, &problems.links}) {
    report.problems.insert(report.problems.end(), list->begin(), list->end());
  }
  return {};
}

}  // namespace loyalty::storage::ledger_check
