// The steps shared by RowStore's methods, the transaction guard, business dates and
// make_row_store().

#include "hq/row_store.h"
#include "hq/store.h"
#include "loyalty/core/time_zone.h"

namespace loyalty::sync::hq {

Result<RowTransaction> RowTransaction::begin(HqRows& rows, bool write) {
  TRY(rows.begin(write));
  return RowTransaction(rows);
}

RowTransaction::~RowTransaction() {
  if (rows_ != nullptr) rows_->rollback();
}

Status RowTransaction::commit() {
  LOYALTY_ASSERT(rows_ != nullptr);
  HqRows* rows = rows_;
  rows_ = nullptr;
  const Status committed = rows->commit();
  if (!committed.ok()) rows->rollback();
  return committed;
}

Status advance_held(HqRows& rows, const TerminalIdentity& terminal, ChainRow& chain) {
  // Bounded by the rows above held_seq, which ingest bounded batch by batch; read in pages.
  constexpr std::size_t page = 1000;
  while (true) {
    const auto next = TRY(rows.events_after(terminal, chain.epoch, chain.held_seq, page));
    bool linked = true;
    for (const auto& [seq, held] : next) {
      if (seq != chain.held_seq + 1 || held.prev_hash != chain.held_hash) {
        linked = false;
        break;
      }
      chain.held_seq = seq;
      chain.held_hash = held.payload_hash;
    }
    if (!linked || next.size() < page) break;
  }
  return rows.save_chain(terminal, chain);
}

Status quarantine(HqRows& rows, const TerminalIdentity& terminal, std::string_view reason,
                  Timestamp at) {
  TRY(rows.set_quarantine(terminal, reason, at));
  return rows.raise_alert(terminal, "quarantined: " + std::string(reason), at);
}

Ack make_ack(const TerminalIdentity& terminal, const std::optional<TerminalRow>& row,
             const std::optional<ChainRow>& chain) {
  Ack ack;
  ack.terminal_id = terminal.terminal_id;
  if (!row) return ack;
  ack.epoch = row->epoch;
  if (chain) {
    ack.held_seq = chain->held_seq;
    ack.held_hash = chain->held_hash;
  }
  if (row->quarantined) {
    ack.status = AckStatus::quarantined;
    ack.message = row->reason;
  }
  return ack;
}

std::string business_date(Timestamp at, const TimeZone* zone) {
  const std::int64_t offset = zone == nullptr ? 0 : zone->utc_offset_seconds_at(at);
  const std::int64_t local = at.unix_seconds + offset;
  // Floor division: instants before 1970 belong to the day before.
  const std::int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
  return format_date(civil_from_days(days));
}

std::unique_ptr<HqStore> make_row_store(std::unique_ptr<HqRows> rows, BusinessZone zone) {
  return std::make_unique<RowStore>(std::move(rows), std::move(zone));
}

}  // namespace loyalty::sync::hq
