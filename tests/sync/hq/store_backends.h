// The HQ store tests run on each backend: embedded SQLite (a file in a temp dir) and PostgreSQL
// (a fresh database, migrated, on one real server this test program starts the first time a
// test asks for it: tests/sync/postgres/pg_server.h). A test takes its backend with
//   const Backend backend = GENERATE(Backend::sqlite, Backend::postgresql);
//   TestStore where(backend);
//   std::unique_ptr<HqStore> hq = where.open();
// and every check it makes then holds on both.
#pragma once

#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <mutex>
#include <string>

#include "hq_temp_dir.h"
#include "loyalty/sync/hq_postgres.h"
#include "loyalty/sync/hq_service.h"
#include "loyalty/sync/hq_store.h"
#include "postgres/pg_server.h"

namespace loyalty::sync::test {

enum class Backend { sqlite, postgresql };

inline const char* backend_name(Backend backend) {
  return backend == Backend::sqlite ? "sqlite" : "postgresql";
}

// The one PostgreSQL server of this test program, started on first use, stopped at exit.
inline loyalty::test::PgServer& shared_pg_server() {
  static std::mutex mutex;
  static std::unique_ptr<loyalty::test::PgServer> server;
  std::lock_guard lock(mutex);
  if (!server) {
    loyalty::test::PgServer::Options options;
    options.name = "hq-store-tests";
    // The store tests check results, not durability (the kill and restart tests keep fsync on).
    options.settings = {"fsync=off", "synchronous_commit=off", "full_page_writes=off"};
    server = std::make_unique<loyalty::test::PgServer>(loyalty::test::PgServer::start(options));
  }
  return *server;
}

// Where one test's store lives; the SQLite file or the PostgreSQL database goes with it.
class TestStore {
 public:
  explicit TestStore(Backend backend, BusinessZone zone = {})
      : backend_(backend), zone_(std::move(zone)) {
    INFO("backend " << backend_name(backend));
    if (backend_ == Backend::postgresql) {
      static std::atomic<int> next{1};
      database_ = "hq_test_" + std::to_string(::getpid()) + "_" + std::to_string(next++);
      shared_pg_server().create_database(database_);
      PostgresHqOptions options;
      options.business_zone = zone_;
      Result<PostgresMigration> migrated =
          migrate_postgres_hq_store(conninfo(), options, Timestamp{1767225600});
      if (!migrated.ok()) FAIL(migrated.error().message);
    }
  }
  ~TestStore() {
    if (backend_ == Backend::postgresql) {
      try {
        shared_pg_server().psql("DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)");
      } catch (...) {
        // The server goes at exit anyway.
      }
    }
  }
  TestStore(const TestStore&) = delete;
  TestStore& operator=(const TestStore&) = delete;

  Backend backend() const { return backend_; }
  // The SQLite file, or the PostgreSQL connection URI.
  std::string location() const {
    return backend_ == Backend::sqlite ? dir_.file("hq.db") : conninfo();
  }
  std::string conninfo() const { return shared_pg_server().conninfo(database_); }
  const std::string& database() const { return database_; }
  HqTempDir& dir() { return dir_; }

  Result<std::unique_ptr<HqStore>> try_open() const {
    if (backend_ == Backend::sqlite) {
      SqliteHqOptions options;
      options.business_zone = zone_;
      return open_sqlite_hq_store(location(), options);
    }
    PostgresHqOptions options;
    options.business_zone = zone_;
    return open_postgres_hq_store(conninfo(), options);
  }
  std::unique_ptr<HqStore> open() const {
    Result<std::unique_ptr<HqStore>> store = try_open();
    if (!store.ok()) FAIL(backend_name(backend_) << ": " << store.error().message);
    return std::move(store).value();
  }
  // For a service's workers.
  HqStoreFactory factory() const {
    return [this] { return try_open(); };
  }

 private:
  Backend backend_;
  BusinessZone zone_;
  HqTempDir dir_;
  std::string database_;
};

}  // namespace loyalty::sync::test
