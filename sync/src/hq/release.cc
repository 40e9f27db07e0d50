// release(): an operator lifts a terminal's quarantine, optionally dropping what HQ holds of the
// current epoch from a seq on (the terminal then resends it from its resume point).

#include "hq/store.h"

namespace loyalty::sync::hq {

Status RowStore::release(const TerminalIdentity& terminal, std::int64_t accept_from_seq,
                         std::string_view note, Timestamp now) {
  if (accept_from_seq < 0) {
    return make_error(ErrorCode::invalid_argument, "accept_from_seq must be 0 or a seq (>= 1)");
  }
  RowTransaction transaction = TRY(RowTransaction::begin(*rows_, true));
  const std::optional<TerminalRow> row = TRY(rows_->load_terminal(terminal));
  const std::string name = terminal.store_id + "/" + terminal.terminal_id;
  if (!row) return make_error(ErrorCode::not_found, "no terminal " + name + " at HQ");
  if (!row->quarantined) {
    return make_error(ErrorCode::conflict, "terminal " + name + " is not quarantined");
  }
  std::optional<ChainRow> chain = TRY(rows_->load_chain(terminal, row->epoch));
  LOYALTY_ASSERT(chain.has_value());
  std::string message = "released: " + std::string(note);
  if (accept_from_seq > 0) {
    if (accept_from_seq <= chain->applied_seq) {
      return make_error(ErrorCode::invalid_argument,
                        "seq " + std::to_string(accept_from_seq) + " of " + name +
                            " is applied already (applied up to " +
                            std::to_string(chain->applied_seq) + "); accept from a later seq");
    }
    const std::int64_t dropped =
        TRY(rows_->drop_events_from(terminal, chain->epoch, accept_from_seq));
    message += "; dropped " + std::to_string(dropped) + " events from seq " +
               std::to_string(accept_from_seq);
  }
  chain->held_seq = 0;
  chain->held_hash.clear();
  TRY(advance_held(*rows_, terminal, *chain));
  TRY(rows_->clear_quarantine(terminal));
  TRY(rows_->raise_alert(terminal, message, now));
  return transaction.commit();
}

}  // namespace loyalty::sync::hq
