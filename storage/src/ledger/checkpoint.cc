// The checkpoint: how far the ledger has been verified, as nine key/value rows of `meta`
// (checkpoint_seq, checkpoint_hash, ...; docs/storage.md, "Verification at open"), written
// together in one transaction, and the check that the ledger still reaches it.

#include <array>
#include <charconv>
#include <cinttypes>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "ledger/check_internal.h"
#include "loyalty/core/limits.h"
#include "loyalty/storage/migrations.h"

namespace loyalty::storage::ledger_check {

namespace {

// The keys in the order of Values below.
constexpr std::size_t key_count = 9;
constexpr std::array<std::string_view, key_count> keys = {
    "checkpoint_seq",           "checkpoint_hash",       "checkpoint_transfer_id",
    "checkpoint_lot_id",        "checkpoint_account_id", "checkpoint_schema_version",
    "checkpoint_totals_digest", "checkpoint_at",         "checkpoint_full_check_at"};
using Values = std::array<std::string, key_count>;

std::string digest_hex(std::uint64_t digest) {
  char text[17];
  std::snprintf(text, sizeof text, "%016" PRIx64, digest);
  return text;
}

Values to_values(const LedgerCheckpoint& checkpoint) {
  return {std::to_string(checkpoint.event_seq),
          checkpoint.event_hash,
          std::to_string(checkpoint.transfer_id),
          std::to_string(checkpoint.lot_id),
          std::to_string(checkpoint.account_id),
          std::to_string(checkpoint.schema_version),
          digest_hex(checkpoint.totals_digest),
          std::to_string(checkpoint.checked_at.unix_seconds),
          std::to_string(checkpoint.full_check_at.unix_seconds)};
}

Result<std::optional<std::string>> read_value(const Database& db, std::string_view key) {
  Statement select = TRY(Statement::prepare(db, "SELECT value FROM meta WHERE key = ?1"));
  TRY(select.bind_text(1, key));
  if (TRY(select.step()) != Step::row) return std::optional<std::string>();
  return std::optional<std::string>(select.column_text(0));
}

// `text` as a number in `base` exactly as this code writes it (no sign, no leading zeros, hex in
// lowercase and 16 digits), or nullopt.
template <class Number>
std::optional<Number> parse_number(std::string_view text, int base) {
  Number value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if constexpr (std::is_signed_v<Number>) {
    if (value < 0) return std::nullopt;
  }
  const std::string canonical =
      base == 16 ? digest_hex(static_cast<std::uint64_t>(value)) : std::to_string(value);
  if (canonical != text) return std::nullopt;
  return value;
}

bool is_hash(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Parses the values into `out`; "" when they are well-formed, else what is wrong.
std::string parse_values(const Values& values, LedgerCheckpoint& out) {
  std::int64_t* const numbers[key_count] = {&out.event_seq,
                                            nullptr,
                                            &out.transfer_id,
                                            &out.lot_id,
                                            &out.account_id,
                                            &out.schema_version,
                                            nullptr,
                                            &out.checked_at.unix_seconds,
                                            &out.full_check_at.unix_seconds};
  for (std::size_t i = 0; i < key_count; ++i) {
    if (numbers[i] == nullptr) continue;
    const std::optional<std::int64_t> value = parse_number<std::int64_t>(values[i], 10);
    if (!value) {
      return std::string(keys[i]) + " is \"" + values[i] + "\", not a whole number >= 0";
    }
    *numbers[i] = *value;
  }
  const std::optional<std::uint64_t> digest = parse_number<std::uint64_t>(values[6], 16);
  if (!digest) return std::string(keys[6]) + " is \"" + values[6] + "\", not 16 hex digits";
  out.totals_digest = *digest;
  out.event_hash = values[1];
  if (out.event_seq == 0 ? !out.event_hash.empty() : !is_hash(out.event_hash)) {
    return std::string(keys[1]) + " is \"" + out.event_hash + "\", not " +
           (out.event_seq == 0 ? "empty (checkpoint_seq is 0)" : "64 lowercase hex digits");
  }
  return "";
}

}  // namespace

Result<StoredCheckpoint> read_checkpoint(const Database& db) {
  Values values;
  std::string missing;
  std::size_t present = 0;
  for (std::size_t i = 0; i < key_count; ++i) {
    const std::optional<std::string> value = TRY(read_value(db, keys[i]));
    if (value) {
      values[i] = *value;
      ++present;
    } else if (missing.empty()) {
      missing = std::string(keys[i]);
    }
  }
  StoredCheckpoint stored;
  if (present == 0) return stored;
  if (present < key_count) {
    stored.state = StoredCheckpoint::State::malformed;
    stored.malformed = missing + " is missing";
    return stored;
  }
  stored.malformed = parse_values(values, stored.checkpoint);
  stored.state = stored.malformed.empty() ? StoredCheckpoint::State::present
                                          : StoredCheckpoint::State::malformed;
  return stored;
}

Status write_checkpoint(const Database& db, const LedgerCheckpoint& checkpoint) {
  const Values values = to_values(checkpoint);
  for (std::size_t i = 0; i < key_count; ++i) {
    Statement upsert =
        TRY(Statement::prepare(db,
                               "INSERT INTO meta (key, value) VALUES (?1, ?2) "
                               "ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
    TRY(upsert.bind_text(1, keys[i]));
    TRY(upsert.bind_text(2, values[i]));
    TRY(upsert.run());
  }
  return {};
}

namespace {

// ledger_end() without the totals digest, which reads every account.
Result<LedgerCheckpoint> ledger_ids(const Database& db) {
  LedgerCheckpoint end;
  Statement last =
      TRY(Statement::prepare(db, "SELECT seq, payload_hash FROM events ORDER BY seq DESC LIMIT 1"));
  if (TRY(last.step()) == Step::row) {
    end.event_seq = last.column_int64(0);
    end.event_hash = last.column_text(1);
  }
  end.transfer_id = TRY(count(db, "SELECT COALESCE(MAX(id), 0) FROM transfers"));
  end.lot_id = TRY(count(db, "SELECT COALESCE(MAX(lot_id), 0) FROM lots"));
  end.account_id = TRY(count(db, "SELECT COALESCE(MAX(id), 0) FROM accounts"));
  end.schema_version = TRY(storage::schema_version(db));
  return end;
}

}  // namespace

Result<LedgerCheckpoint> ledger_end(const Database& db) {
  LedgerCheckpoint end = TRY(ledger_ids(db));
  end.totals_digest = TRY(totals_digest(db));
  return end;
}

Status check_checkpoint(const Database& db, LedgerReport& report) {
  const StoredCheckpoint stored = TRY(read_checkpoint(db));
  if (stored.state == StoredCheckpoint::State::absent) return {};
  auto add = [&report](std::string problem) {
    if (report.problems.size() < limits::ledger_check_problems_max) {
      report.problems.push_back(std::move(problem));
    }
  };
  if (stored.state == StoredCheckpoint::State::malformed) {
    add("checkpoint: " + stored.malformed +
        " (meta holds a checkpoint this code did not write; delete the checkpoint_* rows to "
        "have the next open check the whole ledger)");
    return {};
  }
  const LedgerCheckpoint& checkpoint = stored.checkpoint;
  const LedgerCheckpoint end = TRY(ledger_ids(db));
  if (checkpoint.event_seq > 0) {
    const std::string seq = std::to_string(checkpoint.event_seq);
    Statement event = TRY(Statement::prepare(db, "SELECT payload_hash FROM events WHERE seq = ?1"));
    TRY(event.bind_int64(1, checkpoint.event_seq));
    if (TRY(event.step()) != Step::row) {
      add("checkpoint: event " + seq + ", the last one verified, is missing (the chain ends at " +
          "event " + std::to_string(end.event_seq) + "): events were removed after they were " +
          "verified");
    } else if (event.column_text(0) != checkpoint.event_hash) {
      add("checkpoint: event " + seq + " has payload_hash " + event.column_text(0) +
          " but was verified with " + checkpoint.event_hash +
          ": the chain was rewritten after it was verified");
    }
  }
  const std::pair<std::string_view, std::pair<std::int64_t, std::int64_t>> covered[] = {
      {"transfer", {checkpoint.transfer_id, end.transfer_id}},
      {"lot", {checkpoint.lot_id, end.lot_id}},
      {"account", {checkpoint.account_id, end.account_id}}};
  for (const auto& [what, ids] : covered) {
    if (ids.first <= ids.second) continue;
    add("checkpoint: " + std::string(what) + "s up to " + std::to_string(ids.first) +
        " were verified but the last " + std::string(what) + " is " + std::to_string(ids.second) +
        ": " + std::string(what) + "s were removed after they were verified");
  }
  return {};
}

}  // namespace loyalty::storage::ledger_check
