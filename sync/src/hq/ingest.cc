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

#include "hq/row_store.h"
#include "hq/store.h"
#include "loyalty/core/limits.h"
#include "loyalty/storage/events.h"

namespace loyalty::sync::hq {

namespace {

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

std::string broken_chain(std::int64_t seq) {
  return "broken chain at seq " + std::to_string(seq) +
         ": its prev_hash does not match the payload_hash of seq " + std::to_string(seq - 1);
}

// Stores the batch's events under (terminal, batch.epoch); the first problem found, if any, is
// returned in `problem`, and whether HQ holds the seq after the batch in `next_held`. What HQ
// holds around and inside the batch is read in one call.
Status store_events(HqRows& rows, const TerminalIdentity& terminal, const Batch& batch,
                    const TimeZone* zone, Timestamp now, IngestOutcome& outcome,
                    std::string& problem, bool& next_held) {
  auto note = [&problem](std::string text) {
    if (problem.empty()) problem = std::move(text);
  };
  const std::map<std::int64_t, HeldEvent> held = TRY(rows.held_events(
      terminal, batch.epoch, batch.from_seq - 1,
      batch.events.empty() ? batch.from_seq - 1 : batch.to_seq + 1));
  auto held_at = [&held](std::int64_t seq) -> const HeldEvent* {
    const auto found = held.find(seq);
    return found == held.end() ? nullptr : &found->second;
  };
  if (batch.from_seq == 1 && !batch.prev_hash.empty()) note(broken_chain(1));
  if (batch.from_seq > 1) {
    const HeldEvent* before = held_at(batch.from_seq - 1);
    if (before != nullptr && before->payload_hash != batch.prev_hash) {
      note(broken_chain(batch.from_seq));
    }
  }
  std::vector<NewJournalRow> fresh;
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
    const HeldEvent* stored = held_at(event.seq);
    if (stored == nullptr) {
      fresh.push_back(NewJournalRow{&event, business_date(event.created_at, zone)});
    } else if (stored->payload_hash == event.payload_hash &&
               stored->prev_hash == event.prev_hash) {
      ++outcome.events_duplicate;
    } else {
      note("seq " + std::to_string(event.seq) + " arrived again with other content");
    }
  }
  if (!fresh.empty()) {
    outcome.events_stored += TRY(rows.insert_events(terminal, batch.epoch, fresh, now));
  }
  next_held = !batch.events.empty() && held_at(batch.to_seq + 1) != nullptr;
  if (!batch.events.empty()) {
    const HeldEvent* after = held_at(batch.to_seq + 1);
    if (after != nullptr && after->prev_hash != batch.events.back().payload_hash) {
      note(broken_chain(batch.to_seq + 1));
    }
  }
  return {};
}

Status switch_epoch(HqRows& rows, const TerminalIdentity& terminal, const TerminalRow& row,
                    std::string_view epoch, Timestamp now) {
  const std::optional<ChainRow> old = TRY(rows.load_chain(terminal, row.epoch));
  TRY(rows.retire_chain(terminal, row.epoch, now));
  TRY(rows.insert_chain(terminal, epoch, now));
  TRY(rows.set_terminal_epoch(terminal, epoch));
  return rows.raise_alert(terminal,
                          "new epoch " + std::string(epoch) + " (a re-created ledger); epoch " +
                              row.epoch + " ends at seq " + std::to_string(old ? old->held_seq : 0),
                          now);
}

// Makes the terminal's row and current chain ready for `batch`; returns a quarantine reason
// when the batch's epoch may not be taken.
Result<std::string> settle_epoch(HqRows& rows, const TerminalIdentity& terminal,
                                 const Batch& batch, Timestamp now) {
  const std::optional<TerminalRow> row = TRY(rows.load_terminal(terminal));
  if (!row) {
    TRY(rows.insert_terminal(terminal, batch.epoch));
    TRY(rows.insert_chain(terminal, batch.epoch, now));
    return std::string();
  }
  if (row->epoch == batch.epoch) return std::string();
  if (TRY(rows.load_chain(terminal, batch.epoch))) {
    return "epoch going backwards: batch of epoch " + batch.epoch + ", HQ holds epoch " +
           row->epoch;
  }
  if (batch.from_seq != 1) {
    return "new epoch " + batch.epoch + " does not start at seq 1 (batch starts at seq " +
           std::to_string(batch.from_seq) + ")";
  }
  TRY(switch_epoch(rows, terminal, *row, batch.epoch, now));
  return std::string();
}

}  // namespace

Result<IngestOutcome> RowStore::ingest(const TerminalIdentity& from, const Batch& batch,
                                       Timestamp now) {
  TRY(check_shape(from, batch));
  RowTransaction transaction = TRY(RowTransaction::begin(*rows_, true));
  IngestOutcome outcome;
  const std::string epoch_problem = TRY(settle_epoch(*rows_, from, batch, now));
  std::string problem;
  bool next_held = false;
  TRY(store_events(*rows_, from, batch, zone_.get(), now, outcome, problem, next_held));
  if (!epoch_problem.empty()) TRY(quarantine(*rows_, from, epoch_problem, now));
  if (!problem.empty()) TRY(quarantine(*rows_, from, problem, now));
  const std::optional<TerminalRow> row = TRY(rows_->load_terminal(from));
  LOYALTY_ASSERT(row.has_value());
  std::optional<ChainRow> chain = TRY(rows_->load_chain(from, row->epoch));
  LOYALTY_ASSERT(chain.has_value());
  if (chain->epoch == batch.epoch) {
    // A batch that passed every check and starts within what HQ holds is held, linked, in
    // full: held_seq moves to its end without reading it back, then on over what lies beyond
    // (nothing to read when HQ holds no event right after it).
    if (problem.empty() && epoch_problem.empty() && !batch.events.empty() &&
        chain->held_seq >= batch.from_seq - 1 && chain->held_seq < batch.to_seq) {
      chain->held_seq = batch.to_seq;
      chain->held_hash = batch.events.back().payload_hash;
      TRY(next_held ? advance_held(*rows_, from, *chain) : rows_->save_chain(from, *chain));
    } else {
      TRY(advance_held(*rows_, from, *chain));
    }
  }
  TRY(rows_->touch_terminal(from, now));
  TRY(transaction.commit());
  outcome.ack = make_ack(from, row, chain);
  return outcome;
}

Result<Ack> RowStore::uplink_state(const TerminalIdentity& terminal) {
  RowTransaction transaction = TRY(RowTransaction::begin(*rows_, false));
  const std::optional<TerminalRow> row = TRY(rows_->load_terminal(terminal));
  std::optional<ChainRow> chain;
  if (row) chain = TRY(rows_->load_chain(terminal, row->epoch));
  TRY(transaction.commit());
  return make_ack(terminal, row, chain);
}

}  // namespace loyalty::sync::hq
