// The event chain: append_event(), events_since() and the canonical hash encoding.

#include "loyalty/storage/events.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <string>

#include "loyalty/core/json.h"
#include "loyalty/core/limits.h"
#include "loyalty/storage/statement.h"

namespace loyalty::storage {

namespace {

void append_netstring(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
  out += ',';
}

bool is_kind_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
}

Status validate_event(std::string_view kind, std::string_view receipt_id,
                      std::string_view payload_json, PayloadCheck check) {
  if (kind.empty() || kind.size() > limits::id_bytes_max) {
    return make_error(ErrorCode::invalid_argument,
                      "append_event: kind must be 1.." + std::to_string(limits::id_bytes_max) +
                          " bytes, got " + std::to_string(kind.size()));
  }
  for (char c : kind) {
    if (!is_kind_char(c)) {
      return make_error(ErrorCode::invalid_argument, "append_event: kind \"" + std::string(kind) +
                                                         "\" may hold only a-z, 0-9, '_' and '.'");
    }
  }
  if (receipt_id.size() > limits::ledger_text_bytes_max) {
    return make_error(ErrorCode::invalid_argument,
                      "append_event: receipt_id is longer than " +
                          std::to_string(limits::ledger_text_bytes_max) + " bytes");
  }
  if (payload_json.size() > limits::event_payload_bytes_max) {
    return make_error(ErrorCode::limit_exceeded,
                      "append_event: payload is " + std::to_string(payload_json.size()) +
                          " bytes, more than " + std::to_string(limits::event_payload_bytes_max));
  }
  if (check == PayloadCheck::written_by_core) return {};
  Result<json::Value> parsed = json::parse(payload_json);
  if (!parsed.ok()) {
    return make_error(ErrorCode::invalid_argument,
                      "append_event: payload is not JSON: " + parsed.error().message);
  }
  return {};
}

// The last event's seq and payload_hash; {0, ""} for an empty chain.
Result<std::pair<std::int64_t, std::string>> chain_head(const Database& db) {
  Statement select =
      TRY(Statement::prepare(db, "SELECT seq, payload_hash FROM events ORDER BY seq DESC LIMIT 1"));
  if (TRY(select.step()) != Step::row) return std::pair<std::int64_t, std::string>(0, "");
  return std::pair<std::int64_t, std::string>(select.column_int64(0), select.column_text(1));
}

}  // namespace

std::string epoch_hex(std::uint64_t epoch) {
  char text[17];
  std::snprintf(text, sizeof text, "%016" PRIx64, epoch);
  return text;
}

Result<std::int64_t> last_event_seq(Ledger& ledger) {
  const auto head = TRY(chain_head(ledger.database()));
  return head.first;
}

std::string event_hash_input(std::string_view terminal_id, std::string_view epoch_hex,
                             std::int64_t seq, std::string_view kind, std::string_view receipt_id,
                             std::string_view payload, std::string_view annex) {
  std::string out;
  append_netstring(out, terminal_id);
  append_netstring(out, epoch_hex);
  append_netstring(out, std::to_string(seq));
  append_netstring(out, kind);
  append_netstring(out, receipt_id);
  append_netstring(out, payload);
  if (!annex.empty()) append_netstring(out, annex);
  return out;
}

namespace {

// SHA-256 fetched from the default provider once: EVP_sha256() would make every digest fetch it
// again by name, under the provider store's lock (a tenth of HQ ingest's CPU, measured).
const EVP_MD* sha256_md() {
  static const EVP_MD* const md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    LOYALTY_ASSERT(fetched != nullptr);  // the default provider always has SHA-256
    return fetched;
  }();
  return md;
}

// One digest context per thread, reused (EVP_DigestInit_ex2 resets it).
EVP_MD_CTX* digest_context() {
  struct Context {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Context() { EVP_MD_CTX_free(ctx); }
  };
  thread_local Context context;
  LOYALTY_ASSERT(context.ctx != nullptr);
  return context.ctx;
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_MD_CTX* ctx = digest_context();
  const bool ok = EVP_DigestInit_ex2(ctx, sha256_md(), nullptr) == 1 &&
                  EVP_DigestUpdate(ctx, bytes.data(), bytes.size()) == 1 &&
                  EVP_DigestFinal_ex(ctx, digest, &size) == 1;
  LOYALTY_ASSERT(ok && size == 32);  // SHA-256 of an in-memory buffer cannot fail
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * size);
  for (unsigned int i = 0; i < size; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 0x0f];
  }
  return out;
}

Result<EventRow> append_event(Ledger& ledger, const Transaction& transaction, std::string_view kind,
                              std::string_view receipt_id, std::string_view payload_json,
                              Timestamp at, PayloadCheck check, std::string_view annex_json) {
  LOYALTY_ASSERT(&transaction.database() == &ledger.database() && transaction.is_write());
  TRY(validate_event(kind, receipt_id, payload_json, check));
  const Database& db = ledger.database();
  const auto [last_seq, last_hash] = TRY(chain_head(db));
  EventRow row;
  row.seq = last_seq + 1;
  row.kind = std::string(kind);
  row.receipt_id = std::string(receipt_id);
  row.payload = std::string(payload_json);
  row.annex = std::string(annex_json);
  row.prev_hash = last_hash;
  row.created_at = at;
  const std::string epoch = epoch_hex(ledger.epoch());
  row.payload_hash = sha256_hex(event_hash_input(ledger.terminal_id(), epoch, row.seq, kind,
                                                 receipt_id, payload_json, annex_json));
  Statement insert = TRY(Statement::prepare(
      db,
      "INSERT INTO events (seq, terminal_id, epoch, kind, receipt_id, payload, payload_hash, "
      "prev_hash, created_at, annex) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"));
  TRY(insert.bind_int64(1, row.seq));
  TRY(insert.bind_text(2, ledger.terminal_id()));
  TRY(insert.bind_text(3, epoch));
  TRY(insert.bind_text(4, kind));
  TRY(receipt_id.empty() ? insert.bind_null(5) : insert.bind_text(5, receipt_id));
  TRY(insert.bind_text(6, payload_json));
  TRY(insert.bind_text(7, row.payload_hash));
  TRY(insert.bind_text(8, row.prev_hash));
  TRY(insert.bind_int64(9, at.unix_seconds));
  TRY(annex_json.empty() ? insert.bind_null(10) : insert.bind_text(10, annex_json));
  TRY(insert.run());
  return row;
}

Result<std::vector<EventRow>> events_since(Ledger& ledger, std::int64_t after_seq,
                                           std::size_t count_max) {
  const std::size_t limit = std::min(count_max, limits::events_since_batch_max);
  Statement select = TRY(Statement::prepare(
      ledger.database(),
      "SELECT seq, kind, receipt_id, payload, payload_hash, prev_hash, created_at, annex "
      "FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2"));
  TRY(select.bind_int64(1, after_seq));
  TRY(select.bind_int64(2, static_cast<std::int64_t>(limit)));
  std::vector<EventRow> rows;
  while (TRY(select.step()) == Step::row) {
    EventRow row;
    row.seq = select.column_int64(0);
    row.kind = select.column_text(1);
    row.receipt_id = select.column_text(2);
    row.payload = select.column_text(3);
    row.payload_hash = select.column_text(4);
    row.prev_hash = select.column_text(5);
    row.created_at = Timestamp{select.column_int64(6)};
    row.annex = select.column_text(7);  // "" for NULL
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace loyalty::storage
