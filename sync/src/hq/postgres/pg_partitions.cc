// The journal's daily partitions: created ahead of time, detached when old.
//
// A partition is made beside the journal and attached, rather than created as PARTITION OF: an
// ATTACH takes only SHARE UPDATE EXCLUSIVE on the journal, which lets the ingest's inserts and the
// readers go on; a CHECK constraint on its range, dropped after, spares the scan of the new
// table. The default partition is locked first (ACCESS EXCLUSIVE, which the ATTACH would take
// anyway) and the day's rows it holds move into the new partition, so that an event stored there
// meanwhile cannot make the ATTACH fail. DETACH takes ACCESS EXCLUSIVE on the journal (a
// concurrent detach is not allowed beside a default partition): both wait at most
// limits::hq_pg_ddl_lock_timeout_ms for their locks and then fail with busy, so that they never
// hold the ingest up for longer; run them again.

#include <algorithm>

#include "hq/postgres/pg_meta.h"
#include "hq/postgres/pg_rows.h"
#include "hq/postgres/pg_schema.h"
#include "loyalty/core/limits.h"

namespace loyalty::sync::hq::pg {

namespace {

constexpr std::string_view journal_columns =
    "store_id, terminal_id, epoch, seq, kind, receipt_id, payload, payload_hash, prev_hash, "
    "created_at, received_at, annex, business_date";

CivilDate next_day(CivilDate date) { return civil_from_days(days_from_civil(date) + 1); }

// Whether `name` is a partition of the journal (nullopt: no such table).
Result<std::optional<bool>> attached(PgConnection& db, const std::string& name) {
  const PgResult row =
      TRY(db.query("SELECT EXISTS (SELECT 1 FROM pg_inherits WHERE inhrelid = c.oid AND "
                   "inhparent = 'journal'::regclass) FROM pg_class c WHERE c.oid = to_regclass($1)",
                   PgParams().text(name)));
  if (row.rows() == 0) return std::optional<bool>();
  return std::optional<bool>(row.boolean(0, 0));
}

Status lock_partitions(PgConnection& db) {
  TRY(db.query("SELECT pg_advisory_xact_lock($1::bigint)", PgParams().int64(partitions_lock_key)));
  return {};
}

// In the caller's transaction; returns whether it created the partition.
Result<bool> ensure_partition(PgConnection& db, CivilDate date) {
  TRY(lock_partitions(db));
  const std::string name = partition_name(date);
  const std::optional<bool> exists = TRY(attached(db, name));
  if (exists && *exists) return false;
  if (exists) {
    return make_error(ErrorCode::conflict,
                      "table " + name +
                          " exists but is not a partition of journal (detached?): "
                          "attach it again (ALTER TABLE journal ATTACH PARTITION " +
                          name + " FOR VALUES FROM ('" + format_date(date) + "') TO ('" +
                          format_date(next_day(date)) + "')) or rename it");
  }
  // The names and dates are made here (journal_YYYYMMDD, YYYY-MM-DD), never taken from input.
  const std::string from = "'" + format_date(date) + "'";
  const std::string to = "'" + format_date(next_day(date)) + "'";
  const std::string range = "business_date >= " + from + " AND business_date < " + to;
  const std::string columns(journal_columns);
  TRY(db.exec("LOCK TABLE journal_default IN ACCESS EXCLUSIVE MODE"));
  TRY(db.exec("CREATE TABLE " + name + " (LIKE journal INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"));
  TRY(db.exec("ALTER TABLE " + name + " ADD CONSTRAINT " + name + "_range CHECK (" + range + ")"));
  TRY(db.exec("WITH moved AS (DELETE FROM journal_default WHERE " + range + " RETURNING " +
              columns + ") INSERT INTO " + name + " (" + columns + ") SELECT " + columns +
              " FROM moved"));
  TRY(db.exec("ALTER TABLE journal ATTACH PARTITION " + name + " FOR VALUES FROM (" + from +
              ") TO (" + to + ")"));
  TRY(db.exec("ALTER TABLE " + name + " DROP CONSTRAINT " + name + "_range"));
  return true;
}

Result<CivilDate> date_argument(std::string_view text, std::string_view what) {
  Result<CivilDate> date = parse_date(text);
  if (!date.ok()) {
    return make_error(ErrorCode::invalid_argument, std::string(what) + ": " + date.error().message);
  }
  return date;
}

Result<PgConnection> ddl_connection(const std::string& conninfo) {
  const PgConnectOptions options =
      TRY(connect_options(PostgresHqOptions{}, limits::hq_pg_ddl_lock_timeout_ms));
  return PgConnection::connect(conninfo, options);
}

// "journal_YYYYMMDD" -> its date; nullopt for another name.
std::optional<CivilDate> partition_date(std::string_view name) {
  constexpr std::string_view prefix = "journal_";
  if (!name.starts_with(prefix) || name.size() != prefix.size() + 8) return std::nullopt;
  const std::string_view digits = name.substr(prefix.size());
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  const std::string text = std::string(digits.substr(0, 4)) + "-" +
                           std::string(digits.substr(4, 2)) + "-" +
                           std::string(digits.substr(6, 2));
  Result<CivilDate> date = parse_date(text);
  if (!date.ok()) return std::nullopt;
  return *date;
}

}  // namespace

Result<std::int64_t> ensure_partitions(PgConnection& db, CivilDate from, CivilDate to) {
  const std::int64_t days = days_from_civil(to) - days_from_civil(from) + 1;
  LOYALTY_ASSERT(days >= 0 && days <= limits::hq_pg_partition_days_max);
  std::int64_t created = 0;
  for (CivilDate date = from; date <= to; date = next_day(date)) {
    TRY(db.begin(PgTransaction::write));
    Result<bool> made = ensure_partition(db, date);
    if (!made.ok()) {
      db.rollback();
      return make_error(made.error().code,
                        "journal partition " + partition_name(date) + ": " + made.error().message);
    }
    TRY(db.commit());
    if (*made) ++created;
  }
  return created;
}

}  // namespace loyalty::sync::hq::pg

namespace loyalty::sync {

using hq::pg::PgConnection;
using hq::pg::PgTransaction;

Result<std::int64_t> ensure_journal_partitions(const std::string& conninfo,
                                               std::string_view from_date,
                                               std::string_view to_date) {
  const CivilDate from = TRY(hq::pg::date_argument(from_date, "from_date"));
  const CivilDate to = TRY(hq::pg::date_argument(to_date, "to_date"));
  if (to < from) {
    return make_error(
        ErrorCode::invalid_argument,
        "to_date " + std::string(to_date) + " is before from_date " + std::string(from_date));
  }
  if (days_from_civil(to) - days_from_civil(from) + 1 > limits::hq_pg_partition_days_max) {
    return make_error(ErrorCode::limit_exceeded,
                      "at most " + std::to_string(limits::hq_pg_partition_days_max) +
                          " days of journal partitions at once");
  }
  PgConnection db = TRY(hq::pg::ddl_connection(conninfo));
  return hq::pg::ensure_partitions(db, from, to);
}

Result<std::int64_t> detach_journal_partitions_before(const std::string& conninfo,
                                                      std::string_view before_date) {
  const CivilDate before = TRY(hq::pg::date_argument(before_date, "before_date"));
  PgConnection db = TRY(hq::pg::ddl_connection(conninfo));
  TRY(db.begin(PgTransaction::read));
  Result<hq::pg::PgResult> listed = db.query(
      "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
      "WHERE i.inhparent = 'journal'::regclass ORDER BY c.relname");
  db.rollback();
  if (!listed.ok()) return std::move(listed).error();
  std::vector<std::string> old;
  for (int row = 0; row < listed->rows(); ++row) {
    const std::optional<CivilDate> date = hq::pg::partition_date(listed->view(row, 0));
    if (date && *date < before) old.push_back(listed->text(row, 0));
  }
  std::int64_t detached = 0;
  for (const std::string& name : old) {
    TRY(db.begin(PgTransaction::write));
    Status done = hq::pg::lock_partitions(db);
    std::optional<bool> still = false;
    if (done.ok()) {
      Result<std::optional<bool>> state = hq::pg::attached(db, name);
      if (state.ok()) {
        still = *state;
      } else {
        done = std::move(state).error();
      }
    }
    if (done.ok() && still && *still)
      done = db.exec("ALTER TABLE journal DETACH PARTITION " + name);
    if (!done.ok()) {
      db.rollback();
      return make_error(done.error().code, "detaching " + name + ": " + done.error().message);
    }
    TRY(db.commit());
    if (still && *still) ++detached;
  }
  return detached;
}

}  // namespace loyalty::sync
