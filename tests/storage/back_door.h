// The back door: raw SQL through a second connection that turns off foreign keys and CHECK
// constraints, to write the rows a corrupted or tampered ledger could hold. Only tests use it.
#pragma once

#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <string>

#include "loyalty/core/result.h"

namespace loyalty::storage::test {

// Runs `sql` on the database file at `path`; fails the test on an error.
inline void back_door(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  const std::string all = "PRAGMA foreign_keys=OFF; PRAGMA ignore_check_constraints=ON; " + sql;
  char* message = nullptr;
  const int rc = sqlite3_exec(db, all.c_str(), nullptr, nullptr, &message);
  const std::string text = message != nullptr ? message : "";
  sqlite3_free(message);
  sqlite3_close(db);
  INFO("sql: " << sql << " error: " << text);
  REQUIRE(rc == SQLITE_OK);
}

}  // namespace loyalty::storage::test
