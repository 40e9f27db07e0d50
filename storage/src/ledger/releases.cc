// software_releases (schema v6): which releases opened the ledger. Ledger::open upserts the
// opening release's row once its check passed (Ledger::verify, in the checkpoint's write
// transaction); Ledger::releases() reads the latest ones.

#include <string>
#include <vector>

#include "loyalty/core/limits.h"
#include "loyalty/storage/ledger.h"
#include "loyalty/storage/statement.h"

namespace loyalty::storage {

Status Ledger::record_release(OpenRecord record, Timestamp now) {
  LOYALTY_ASSERT(!record.release.empty() && record.release.size() <= limits::id_bytes_max);
  LOYALTY_ASSERT(record.schema_build > 0);
  // One statement: the first open inserts the row, every later one moves last_opened_at (and
  // schema_build, should a rebuilt release know another schema); first_opened_at stays.
  Statement upsert = TRY(Statement::prepare(
      db_,
      "INSERT INTO software_releases (release, schema_build, first_opened_at, last_opened_at) "
      "VALUES (?1, ?2, ?3, ?3) ON CONFLICT (release) DO UPDATE SET "
      "schema_build = excluded.schema_build, last_opened_at = excluded.last_opened_at"));
  TRY(upsert.bind_text(1, record.release));
  TRY(upsert.bind_int64(2, record.schema_build));
  TRY(upsert.bind_int64(3, now.unix_seconds));
  return upsert.run();
}

Result<std::vector<SoftwareRelease>> Ledger::releases() const {
  // One row per release ever installed on the terminal: a scan and a sort of a few rows.
  Statement select = TRY(Statement::prepare(
      db_,
      "SELECT release, schema_build, first_opened_at, last_opened_at FROM software_releases "
      "ORDER BY last_opened_at DESC, release LIMIT ?1"));
  TRY(select.bind_int64(1, static_cast<std::int64_t>(limits::ledger_releases_max)));
  std::vector<SoftwareRelease> releases;
  while (TRY(select.step()) == Step::row) {
    LOYALTY_ASSERT(releases.size() < limits::ledger_releases_max);
    SoftwareRelease release;
    release.release = select.column_text(0);
    release.schema_build = select.column_int64(1);
    release.first_opened_at = Timestamp{select.column_int64(2)};
    release.last_opened_at = Timestamp{select.column_int64(3)};
    releases.push_back(std::move(release));
  }
  return releases;
}

}  // namespace loyalty::storage
