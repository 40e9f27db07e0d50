// The real loyalty-hq on a PostgreSQL store the test starts: init with --store records the store
// in D/store (0600) and the later commands find it there; migrate is a no-op the second time;
// partitions are created ahead and detached; status, report (JSON and HTML) and simulate run on
// it; a locator's password never reaches a message.

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <ctime>
#include <filesystem>
#include <string>

#include "hq/journal_builder.h"
#include "loyalty/core/json.h"
#include "loyalty/sync/hq_postgres.h"
#include "postgres/pg_server.h"
#include "service/hq_program.h"
#include "temp_dir.h"

using namespace loyalty;
using namespace loyalty::sync;
using namespace loyalty::sync::test;

namespace {

json::Value parsed(const HqRun& run) {
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  Result<json::Value> value = json::parse(run.out);
  REQUIRE(value.ok());
  return std::move(value).value();
}

// Days since 1970-01-01 now, in UTC (the HQ's business zone here).
std::int64_t wall_clock_days() { return static_cast<std::int64_t>(std::time(nullptr)) / 86400; }

std::string today_plus(int days) { return format_date(civil_from_days(wall_clock_days() + days)); }

}  // namespace

TEST_CASE("loyalty-hq runs on a PostgreSQL store named once at init",
          "[sync][service][cli][postgres]") {
  const loyalty::test::PgServer server = loyalty::test::PgServer::start();
  server.create_database("hq");
  TempDir temp;
  const std::string dir = temp.file("hq");
  const std::string uri = server.conninfo("hq");
  const json::Value init = parsed(run_hq({"--store", uri, "init", "--dir", dir}));
  CHECK(init.find("database")->as_string() == uri);
  CHECK(read_whole(dir + "/store") == uri + "\n");
  struct stat info {};
  REQUIRE(::stat((dir + "/store").c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  CHECK(!std::filesystem::exists(dir + "/hq.db"));

  // A second init on the same database is refused: it holds an HQ.
  const HqRun again = run_hq({"--store", uri, "init", "--dir", temp.file("other")});
  CHECK(again.exit_code == 1);
  CHECK(again.err.find("holds an HQ already (schema version 1); refusing to give it new keys") !=
        std::string::npos);

  const json::Value migrated = parsed(run_hq({"migrate", "--dir", dir}));
  CHECK(migrated.find("kind")->as_string() == "postgresql");
  CHECK(migrated.find("applied")->as_int() == 0);
  CHECK(migrated.find("version_after")->as_int() == migrated.find("version_before")->as_int());

  // migrate made yesterday .. today+7; through today+10 adds three days, once.
  CHECK(parsed(run_hq({"partitions", "--dir", dir, "--create-through", today_plus(10)}))
            .find("created")
            ->as_int() == 3);
  CHECK(parsed(run_hq({"partitions", "--dir", dir, "--create-through", today_plus(10)}))
            .find("created")
            ->as_int() == 0);
  CHECK(parsed(run_hq({"partitions", "--dir", dir, "--detach-before", today_plus(0)}))
            .find("detached")
            ->as_int() == 1);
  CHECK(server.psql("SELECT count(*) FROM pg_inherits WHERE inhparent = 'journal'::regclass",
                    "hq") == "12");  // today .. today+10 and the default

  // A day of receipts at HQ, then the views on it.
  {
    Result<std::unique_ptr<HqStore>> store = open_postgres_hq_store(uri);
    REQUIRE(store.ok());
    const std::string alice = "ps1_0123456789abcdef0123456789abcdef";
    JournalBuilder journal("store-1", "till.7", 7);
    const Timestamp noon{(wall_clock_days()) * 86400 + 12 * 3600};
    journal.checkout(noon, alice, 1000, {earn(alice, 10)});
    journal.checkout(Timestamp{noon.unix_seconds + 60}, std::nullopt, 500, {});
    REQUIRE((*store)->ingest(journal.identity(), journal.all(), noon).ok());
  }
  const json::Value status = parsed(run_hq({"status", "--dir", dir}));
  CHECK(status.find("totals")->find("events")->as_int() == 2);
  const json::Value report = parsed(run_hq({"report", "--dir", dir, "--from", today_plus(0)}));
  CHECK(report.find("chain")->find("receipts")->as_int() == 2);
  CHECK(report.find("chain")->find("points")->find("issued")->as_int() == 10);
  const json::Value page = parsed(run_hq({"report", "--dir", dir, "--from", today_plus(0),
                                          "--format", "html", "--out", temp.file("r.html")}));
  CHECK(page.find("format")->as_string() == "html");
  const std::string html = read_whole(temp.file("r.html"));
  CHECK(html.starts_with("<!DOCTYPE html>"));
  CHECK(html.find("data-chart=\"receipts_per_store\"") != std::string::npos);

  const json::Value whatif =
      parsed(run_hq({"simulate", "--dir", dir, "--program",
                     std::string(LOYALTY_EXAMPLES_DIR) + "/programs/grocery.json", "--from",
                     today_plus(0), "--to", today_plus(0), "--threads", "1"}));
  CHECK(whatif.find("format")->as_string() == "loyalty-hq-backtest-v1");
  CHECK(whatif.find("receipts")->as_int() == 2);

  // A password in the locator is never printed.
  const HqRun secret = run_hq({"--store", "postgresql://hq:s3cret@127.0.0.1:1/none", "status",
                               "--dir", temp.file("nowhere")});
  CHECK(secret.exit_code == 1);
  CHECK(secret.err.find("s3cret") == std::string::npos);
  CHECK(secret.err.find("***") != std::string::npos);
}
