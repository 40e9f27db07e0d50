// ingest(): a terminal's batch into the journal, idempotently, with every hash and link checked.
//
// Epochs. A terminal's first batch records its epoch. A batch of an epoch HQ has never seen that
// starts at seq 1 is a re-created ledger: the old epoch's chain is retired as it stands (what it
// held is still applied) and the new one becomes current. A batch of an epoch seen before but
// not current (the epoch going backwards), or of a new epoch not starting at seq 1, quarantines.
//
// Events. An event whose payload_hash does not match its fields is not stored; an event HQ holds
// already is a duplicate when its hashes are the same, and quarantines otherwise ("seq 17
// arrived again with other content"); links are checked against what HQ holds on both sides of
// the batch. held_seq is the longest prefix of the chain HQ holds with every link intact.

#include "hq/store.h"
#include "loyalty/core/limits.h"
#include "loyalty/storage/events.h"
#include "loyalty/storage/statement.h"
#include "loyalty/storage/transaction.h"

namespace loyalty::sync::hq {

namespace {

using storage::Statement;
using storage::Step;

Status check_shape(const TerminalIdentity& from, const Batch& batch) {
  if (batch.store_id != from.store_id || batch.terminal_id != from.terminal_id) {
    return make_error(ErrorCode::invalid_argument,
                      "batch names terminal " + batch.store_id + "/" + batch.terminal_id +
                          " but the certificate is " + from.store_id + "/" + from.terminal_id +
                          "; a terminal may send only its own events");
  }
  if (batch.epoch.empty() || batch.epoch.size() > limits::sync_id_bytes_max) {
    return make_error(ErrorCode::invalid_argument, "batch has no valid epoch");
  }
  if (batch.events.size() > limits::sync_batch_events_max || batch.from_seq < 1 ||
      batch.to_seq - batch.from_seq + 1 != static_cast<std::int64_t>(batch.events.size())) {
    return make_error(ErrorCode::invalid_argument,
                      "batch [" + std::to_string(batch.from_seq) + ", " +
                          std::to_string(batch.to_seq) + "] does not hold " +
                          std::to_string(batch.events.size()) + " events (at most " +
                          std::to_string(limits::sync_batch_events_max) + ")");
  }
  for (std::size_t i = 0; i < batch.events.size(); ++i) {
    if (batch.events[i].seq != batch.from_seq + static_cast<std::int64_t>(i)) {
      return make_error(ErrorCode::invalid_argument,
                        "batch event " + std::to_string(i) + " has seq " +
                            std::to_string(batch.events[i].seq) + ", expected " +
                            std::to_string(batch.from_seq + static_cast<std::int64_t>(i)));
    }
  }
  return {};
}

struct HeldEvent {
  std::string payload_hash;
  std::string prev_hash;
};

Result<std::optional<HeldEvent>> held_event(storage::Database& db, const TerminalIdentity& terminal,
                                            std::string_view epoch, std::int64_t seq) {
  Statement select = TRY(Statement::prepare(
      db,
      "SELECT payload_hash, prev_hash FROM journal WHERE store_id = ?1 AND terminal_id = ?2 "
      "AND epoch = ?3 AND seq = ?4"));
  TRY(select.bind_text(1, terminal.store_id));
  TRY(select.bind_text(2, terminal.terminal_id));
  TRY(select.bind_text(3, epoch));
  TRY(select.bind_int64(4, seq));
  if (TRY(select.step()) != Step::row) return std::optional<HeldEvent>();
  return std::optional<HeldEvent>(HeldEvent{select.column_text(0), select.column_text(1)});
}

Status insert_event(storage::Database& db, const TerminalIdentity& terminal, std::string_view epoch,
                    const WireEvent& event, Timestamp now) {
  Statement insert = TRY(Statement::prepare(
      db,
      "INSERT INTO journal (store_id, terminal_id, epoch, seq, kind, receipt_id, payload, "
      "payload_hash, prev_hash, created_at, received_at, annex) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"));
  TRY(insert.bind_text(1, terminal.store_id));
  TRY(insert.bind_text(2, terminal.terminal_id));
  TRY(insert.bind_text(3, epoch));
  TRY(insert.bind_int64(4, event.seq));
  TRY(insert.bind_text(5, event.kind));
  TRY(insert.bind_text(6, event.receipt_id));
  TRY(insert.bind_text(7, event.payload));
  TRY(insert.bind_text(8, event.payload_hash));
  TRY(insert.bind_text(9, event.prev_hash));
  TRY(insert.bind_int64(10, event.created_at.unix_seconds));
  TRY(insert.bind_int64(11, now.unix_seconds));
  TRY(insert.bind_text(12, event.annex));
  return insert.run();
}

std::string broken_chain(std::int64_t seq) {
  return "broken chain at seq " + std::to_string(seq) +
         ": its prev_hash does not match the payload_hash of seq " + std::to_string(seq - 1);
}

// Stores the batch's events under (terminal, batch.epoch); the first problem found, if any, is
// returned in `problem`.
Status store_events(storage::Database& db, const TerminalIdentity& terminal, const Batch& batch,
                    Timestamp now, IngestOutcome& outcome, std::string& problem) {
  auto note = [&problem](std::string text) {
    if (problem.empty()) problem = std::move(text);
  };
  if (batch.from_seq == 1 && !batch.prev_hash.empty()) note(broken_chain(1));
  if (batch.from_seq > 1) {
    const std::optional<HeldEvent> before =
        TRY(held_event(db, terminal, batch.epoch, batch.from_seq - 1));
    if (before && before->payload_hash != batch.prev_hash) note(broken_chain(batch.from_seq));
  }
  std::string previous = batch.prev_hash;
  for (const WireEvent& event : batch.events) {
    if (event.prev_hash != previous) note(broken_chain(event.seq));
    previous = event.payload_hash;
    const std::string computed = storage::sha256_hex(
        storage::event_hash_input(terminal.terminal_id, batch.epoch, event.seq, event.kind,
                                  event.receipt_id, event.payload, event.annex));
    if (computed != event.payload_hash) {
      note("seq " + std::to_string(event.seq) +
           ": payload_hash does not match the event's content (altered in transit or on the "
           "terminal); the event was not stored");
      continue;
    }
    const std::optional<HeldEvent> held = TRY(held_event(db, terminal, batch.epoch, event.seq));
    if (!held) {
      TRY(insert_event(db, terminal, batch.epoch, event, now));
      ++outcome.events_stored;
    } else if (held->payload_hash == event.payload_hash && held->prev_hash == event.prev_hash) {
      ++outcome.events_duplicate;
    } else {
      note("seq " + std::to_string(event.seq) + " arrived again with other content");
    }
  }
  if (!batch.events.empty()) {
    const std::optional<HeldEvent> after =
        TRY(held_event(db, terminal, batch.epoch, batch.to_seq + 1));
    if (after && after->prev_hash != batch.events.back().payload_hash) {
      note(broken_chain(batch.to_seq + 1));
    }
  }
  return {};
}

Status insert_chain(storage::Database& db, const TerminalIdentity& terminal, std::string_view epoch,
                    Timestamp now) {
  Statement insert = TRY(Statement::prepare(
      db, "INSERT INTO chains (store_id, terminal_id, epoch, started_at) VALUES (?1, ?2, ?3, ?4)"));
  TRY(insert.bind_text(1, terminal.store_id));
  TRY(insert.bind_text(2, terminal.terminal_id));
  TRY(insert.bind_text(3, epoch));
  TRY(insert.bind_int64(4, now.unix_seconds));
  return insert.run();
}

Status switch_epoch(storage::Database& db, const TerminalIdentity& terminal, const TerminalRow& row,
                    std::string_view epoch, Timestamp now) {
  const std::optional<ChainRow> old = TRY(load_chain(db, terminal, row.epoch));
  Statement retire = TRY(Statement::prepare(
      db,
      "UPDATE chains SET retired_at = ?4 WHERE store_id = ?1 AND terminal_id = ?2 AND "
      "epoch = ?3"));
  TRY(retire.bind_text(1, terminal.store_id));
  TRY(retire.bind_text(2, terminal.terminal_id));
  TRY(retire.bind_text(3, row.epoch));
  TRY(retire.bind_int64(4, now.unix_seconds));
  TRY(retire.run());
  TRY(insert_chain(db, terminal, epoch, now));
  Statement update = TRY(Statement::prepare(
      db, "UPDATE terminals SET epoch = ?3 WHERE store_id = ?1 AND terminal_id = ?2"));
  TRY(update.bind_text(1, terminal.store_id));
  TRY(update.bind_text(2, terminal.terminal_id));
  TRY(update.bind_text(3, epoch));
  TRY(update.run());
  return raise_alert(db, terminal,
                     "new epoch " + std::string(epoch) + " (a re-created ledger); epoch " +
                         row.epoch + " ends at seq " + std::to_string(old ? old->held_seq : 0),
                     now);
}

// Makes the terminal's row and current chain ready for `batch`; returns a quarantine reason
// when the batch's epoch may not be taken.
Result<std::string> settle_epoch(storage::Database& db, const TerminalIdentity& terminal,
                                 const Batch& batch, Timestamp now) {
  const std::optional<TerminalRow> row = TRY(load_terminal(db, terminal));
  if (!row) {
    Statement insert = TRY(Statement::prepare(
        db, "INSERT INTO terminals (store_id, terminal_id, epoch) VALUES (?1, ?2, ?3)"));
    TRY(insert.bind_text(1, terminal.store_id));
    TRY(insert.bind_text(2, terminal.terminal_id));
    TRY(insert.bind_text(3, batch.epoch));
    TRY(insert.run());
    TRY(insert_chain(db, terminal, batch.epoch, now));
    return std::string();
  }
  if (row->epoch == batch.epoch) return std::string();
  if (TRY(load_chain(db, terminal, batch.epoch))) {
    return "epoch going backwards: batch of epoch " + batch.epoch + ", HQ holds epoch " +
           row->epoch;
  }
  if (batch.from_seq != 1) {
    return "new epoch " + batch.epoch + " does not start at seq 1 (batch starts at seq " +
           std::to_string(batch.from_seq) + ")";
  }
  TRY(switch_epoch(db, terminal, *row, batch.epoch, now));
  return std::string();
}

}  // namespace

Result<IngestOutcome> SqliteHqStore::ingest(const TerminalIdentity& from, const Batch& batch,
                                            Timestamp now) {
  TRY(check_shape(from, batch));
  storage::Transaction transaction = TRY(storage::Transaction::begin(db_));
  IngestOutcome outcome;
  const std::string epoch_problem = TRY(settle_epoch(db_, from, batch, now));
  std::string problem;
  TRY(store_events(db_, from, batch, now, outcome, problem));
  if (!epoch_problem.empty()) TRY(quarantine(db_, from, epoch_problem, now));
  if (!problem.empty()) TRY(quarantine(db_, from, problem, now));
  const std::optional<TerminalRow> row = TRY(load_terminal(db_, from));
  LOYALTY_ASSERT(row.has_value());
  std::optional<ChainRow> chain = TRY(load_chain(db_, from, row->epoch));
  LOYALTY_ASSERT(chain.has_value());
  if (chain->epoch == batch.epoch) TRY(advance_held(db_, from, *chain));
  Statement touch = TRY(Statement::prepare(
      db_, "UPDATE terminals SET last_batch_at = ?3 WHERE store_id = ?1 AND terminal_id = ?2"));
  TRY(touch.bind_text(1, from.store_id));
  TRY(touch.bind_text(2, from.terminal_id));
  TRY(touch.bind_int64(3, now.unix_seconds));
  TRY(touch.run());
  TRY(transaction.commit());
  outcome.ack = make_ack(from, row, chain);
  return outcome;
}

Result<Ack> SqliteHqStore::uplink_state(const TerminalIdentity& terminal) {
  storage::Transaction transaction =
      TRY(storage::Transaction::begin(db_, storage::TransactionKind::read));
  const std::optional<TerminalRow> row = TRY(load_terminal(db_, terminal));
  std::optional<ChainRow> chain;
  if (row) chain = TRY(load_chain(db_, terminal, row->epoch));
  TRY(transaction.commit());
  return make_ack(terminal, row, chain);
}

}  // namespace loyalty::sync::hq
