// release(): an operator lifts a terminal's quarantine, optionally dropping what HQ holds of the
// current epoch from a seq on (the terminal then resends it from its resume point).

#include "hq/store.h"
#include "loyalty/storage/statement.h"
#include "loyalty/storage/transaction.h"

namespace loyalty::sync::hq {

using storage::Statement;
using storage::Step;

namespace {

constexpr std::string_view from_seq_where =
    " FROM journal WHERE store_id = ?1 AND terminal_id = ?2 AND epoch = ?3 AND seq >= ?4";

Result<std::int64_t> drop_from(storage::Database& db, const TerminalIdentity& terminal,
                               const ChainRow& chain, std::int64_t from_seq) {
  std::int64_t dropped = 0;
  for (std::string_view verb : {std::string_view("SELECT COUNT(*)"), std::string_view("DELETE")}) {
    Statement statement =
        TRY(Statement::prepare(db, std::string(verb) + std::string(from_seq_where)));
    TRY(statement.bind_text(1, terminal.store_id));
    TRY(statement.bind_text(2, terminal.terminal_id));
    TRY(statement.bind_text(3, chain.epoch));
    TRY(statement.bind_int64(4, from_seq));
    if (TRY(statement.step()) == Step::row) dropped = statement.column_int64(0);
    TRY(statement.run());
  }
  return dropped;
}

}  // namespace

Status SqliteHqStore::release(const TerminalIdentity& terminal, std::int64_t accept_from_seq,
                              std::string_view note, Timestamp now) {
  if (accept_from_seq < 0) {
    return make_error(ErrorCode::invalid_argument, "accept_from_seq must be 0 or a seq (>= 1)");
  }
  storage::Transaction transaction = TRY(storage::Transaction::begin(db_));
  const std::optional<TerminalRow> row = TRY(load_terminal(db_, terminal));
  const std::string name = terminal.store_id + "/" + terminal.terminal_id;
  if (!row) return make_error(ErrorCode::not_found, "no terminal " + name + " at HQ");
  if (!row->quarantined) {
    return make_error(ErrorCode::conflict, "terminal " + name + " is not quarantined");
  }
  std::optional<ChainRow> chain = TRY(load_chain(db_, terminal, row->epoch));
  LOYALTY_ASSERT(chain.has_value());
  std::string message = "released: " + std::string(note);
  if (accept_from_seq > 0) {
    if (accept_from_seq <= chain->applied_seq) {
      return make_error(ErrorCode::invalid_argument,
                        "seq " + std::to_string(accept_from_seq) + " of " + name +
                            " is applied already (applied up to " +
                            std::to_string(chain->applied_seq) + "); accept from a later seq");
    }
    const std::int64_t dropped = TRY(drop_from(db_, terminal, *chain, accept_from_seq));
    message += "; dropped " + std::to_string(dropped) + " events from seq " +
               std::to_string(accept_from_seq);
  }
  chain->held_seq = 0;
  chain->held_hash.clear();
  TRY(advance_held(db_, terminal, *chain));
  Statement clear = TRY(Statement::prepare(
      db_,
      "UPDATE terminals SET quarantined = 0, reason = '', quarantined_at = NULL WHERE "
      "store_id = ?1 AND terminal_id = ?2"));
  TRY(clear.bind_text(1, terminal.store_id));
  TRY(clear.bind_text(2, terminal.terminal_id));
  TRY(clear.run());
  TRY(raise_alert(db_, terminal, message, now));
  return transaction.commit();
}

}  // namespace loyalty::sync::hq
