// software_releases (schema v6): Ledger::open records the release that opened the ledger, and
// Ledger::releases() reads them back.

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "back_door.h"
#include "ledger/ledger_support.h"
#include "loyalty/core/limits.h"
#include "loyalty/storage/ledger.h"
#include "loyalty/storage/migrations.h"
#include "loyalty/storage/statement.h"
#include "temp_dir.h"

namespace loyalty::storage {
namespace {

using namespace test;

LedgerOptions opened_by(const std::string& release, Timestamp now) {
  LedgerOptions options = test_options();
  options.release = release;
  options.now = now;
  return options;
}

std::vector<SoftwareRelease> releases_of(const Ledger& ledger) {
  Result<std::vector<SoftwareRelease>> releases = ledger.releases();
  if (!releases.ok()) FAIL("releases failed: " << releases.error().message);
  return releases.value();
}

SoftwareRelease row(const std::string& release, std::int64_t first, std::int64_t last) {
  return SoftwareRelease{release, 6, Timestamp{first}, Timestamp{last}};
}

std::int64_t rows_in_software_releases(Ledger& ledger) {
  Statement count =
      Statement::prepare(ledger.database(), "SELECT COUNT(*) FROM software_releases").value();
  REQUIRE(count.step().value() == Step::row);
  return count.column_int64(0);
}

TEST_CASE("Ledger::open records the release that opened the ledger", "[storage][ledger]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  Ledger ledger = open_ledger(path, opened_by("0.2.0", Timestamp{1000}));
  CHECK(ledger.schema_version() == 6);
  CHECK(releases_of(ledger) == std::vector<SoftwareRelease>{row("0.2.0", 1000, 1000)});
}

TEST_CASE("Ledger::open without a release records nothing", "[storage][ledger]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  open_ledger(path);  // test_options(): release ""
  Ledger ledger = open_ledger(path);
  CHECK(releases_of(ledger).empty());
  CHECK(rows_in_software_releases(ledger) == 0);
}

TEST_CASE("A later open moves last_opened_at and keeps first_opened_at", "[storage][ledger]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  open_ledger(path, opened_by("0.2.0", Timestamp{1000}));
  open_ledger(path, opened_by("0.2.0", Timestamp{2000}));
  {
    Ledger ledger = open_ledger(path, opened_by("0.3.0~rc1", Timestamp{3000}));
    CHECK(releases_of(ledger) ==
          std::vector<SoftwareRelease>{row("0.3.0~rc1", 3000, 3000), row("0.2.0", 1000, 2000)});
  }
  // Rolled back to 0.2.0: it is the most recent again; a ledger opened without a release (a tool)
  // changes nothing.
  open_ledger(path, opened_by("0.2.0", Timestamp{4000}));
  Ledger ledger = open_ledger(path, opened_by("", Timestamp{5000}));
  CHECK(releases_of(ledger) ==
        std::vector<SoftwareRelease>{row("0.2.0", 1000, 4000), row("0.3.0~rc1", 3000, 3000)});
}

TEST_CASE("An open with nothing new to verify records the release and leaves the checkpoint",
          "[storage][ledger]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  std::optional<LedgerCheckpoint> before;
  {
    Ledger ledger = open_ledger(path, opened_by("0.2.0", Timestamp{1000}));
    before = ledger.checkpoint().value();
    REQUIRE(before.has_value());
    CHECK(before->checked_at == Timestamp{1000});
  }
  Ledger ledger = open_ledger(path, opened_by("0.2.0", Timestamp{2000}));
  CHECK(ledger.checkpoint().value() == before);  // nothing new: not even checked_at moved
  CHECK(releases_of(ledger) == std::vector<SoftwareRelease>{row("0.2.0", 1000, 2000)});
}

TEST_CASE("A ledger that fails its check, or is opened unchecked, records no release",
          "[storage][ledger]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  {
    Ledger ledger = open_ledger(path, opened_by("0.2.0", Timestamp{1000}));
    make_accounts(ledger);
  }
  back_door(path, "UPDATE account_totals SET credits_posted = 45 WHERE account = 3;");
  Result<Ledger> refused = Ledger::open(path, opened_by("0.2.1", Timestamp{2000}));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::io_error);

  LedgerOptions unchecked = opened_by("0.2.1", Timestamp{3000});
  unchecked.refuse_broken = false;
  Ledger ledger = open_ledger(path, unchecked);
  CHECK_FALSE(ledger.check()->ok());
  CHECK(releases_of(ledger) == std::vector<SoftwareRelease>{row("0.2.0", 1000, 1000)});
}

TEST_CASE("Ledger::open refuses a release name that is not one", "[storage][ledger]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  const std::string too_long(limits::id_bytes_max + 1, '1');
  struct Case {
    std::string release;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"0.2 .0",
       "release \"0.2 .0\" is not a release name: use letters, digits and . + ~ - _ only (e.g. "
       "\"0.2.0\"), or \"\" to record nothing"},
      {"0.2.0\n",
       "release \"0.2.0\n\" is not a release name: use letters, digits and . + ~ - _ only (e.g. "
       "\"0.2.0\"), or \"\" to record nothing"},
      {"1:0.2.0",
       "release \"1:0.2.0\" is not a release name: use letters, digits and . + ~ - _ only (e.g. "
       "\"0.2.0\"), or \"\" to record nothing"},
      {"0.2.\xc3\xa9",
       "release \"0.2.\xc3\xa9\" is not a release name: use letters, digits and . + ~ - _ only "
       "(e.g. \"0.2.0\"), or \"\" to record nothing"},
      {too_long, "release is 65 bytes long: at most 64 (e.g. \"0.2.0\")"},
  };
  for (const Case& c : cases) {
    INFO("release: " << c.release);
    Result<Ledger> refused = Ledger::open(path, opened_by(c.release, Timestamp{1000}));
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == ErrorCode::invalid_argument);
    CHECK(refused.error().message == c.message);
    CHECK_FALSE(std::filesystem::exists(path));  // refused before the file is opened
  }
  // The longest name that is one.
  const std::string longest(limits::id_bytes_max, '1');
  Ledger ledger = open_ledger(path, opened_by(longest, Timestamp{1000}));
  CHECK(releases_of(ledger) == std::vector<SoftwareRelease>{row(longest, 1000, 1000)});
}

TEST_CASE("Ledger::releases returns at most ledger_releases_max, the most recent first",
          "[storage][ledger]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  open_ledger(path);
  std::string rows;
  const std::size_t written = limits::ledger_releases_max + 8;
  for (std::size_t i = 1; i <= written; ++i) {
    rows += std::string(rows.empty() ? "" : ", ") + "('0." + std::to_string(i) + ".0', 6, " +
            std::to_string(i) + ", " + std::to_string(100 + i) + ")";
  }
  back_door(path, "INSERT INTO software_releases VALUES " + rows + ";");
  Ledger ledger = open_ledger(path);
  const std::vector<SoftwareRelease> releases = releases_of(ledger);
  REQUIRE(releases.size() == limits::ledger_releases_max);
  CHECK(releases.front() == SoftwareRelease{"0.40.0", 6, Timestamp{40}, Timestamp{140}});
  CHECK(releases.back() == SoftwareRelease{"0.9.0", 6, Timestamp{9}, Timestamp{109}});
}

TEST_CASE("A v5 ledger migrated by open records the release with this build's schema",
          "[storage][ledger]") {
  TempDir dir;
  const std::string path = dir.file("ledger.db");
  {
    Result<Database> db = Database::open(path);
    REQUIRE(db.ok());
    REQUIRE(migrate(*db, ledger_migrations().first(5)).ok());
  }
  back_door(path,
            "INSERT INTO meta VALUES ('terminal_id', 'store-7/till-2'), "
            "('epoch', '0123456789abcdef'), ('created_at', '100');");
  Ledger ledger = open_ledger(path, opened_by("0.2.0", Timestamp{1000}));
  CHECK(ledger.schema_version() == 6);
  CHECK(releases_of(ledger) == std::vector<SoftwareRelease>{row("0.2.0", 1000, 1000)});
}

}  // namespace
}  // namespace loyalty::storage

namespace Catch {
template <>
struct StringMaker<loyalty::storage::SoftwareRelease> {
  static std::string convert(const loyalty::storage::SoftwareRelease& r) {
    return "{" + r.release + ", schema " + std::to_string(r.schema_build) + ", first " +
           std::to_string(r.first_opened_at.unix_seconds) + ", last " +
           std::to_string(r.last_opened_at.unix_seconds) + "}";
  }
};
}  // namespace Catch
