// Which HQ store loyalty-hq opens, and its business time zone.
//
// The store is named by a locator: "sqlite:PATH" (embedded SQLite, the default: sqlite:D/hq.db)
// or a libpq URI "postgresql://..." ("postgres://..." too). The global option `--store LOC`
// (before the command: `loyalty-hq --store postgresql://hq@db/loyalty serve`) chooses it for one
// run; `init` records the one it was given in D/store, so later commands find it by --dir alone.
// Put a PostgreSQL password in ~/.pgpass or PGPASSFILE, not in the locator: the locator is
// shown in messages with any password hidden, but D/store would hold it.
//
// The business time zone (hq_store.h) is set once, by `init --time-zone`, in D/business-time-zone
// (an IANA name; UTC when the file is absent).
//
// Thread-safety: choose_store() is called once by main() before any command runs.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "loyalty/core/result.h"
#include "loyalty/sync/hq_service.h"
#include "loyalty/sync/hq_store.h"
#include "state/hq_dir.h"

namespace loyalty::hq {

struct StoreLocator {
  enum class Kind { sqlite, postgresql };
  Kind kind = Kind::sqlite;
  std::string target;  // the SQLite path, or the libpq connection URI
  // For messages: the path, or the URI without its password.
  std::string shown() const;
  std::string text() const;  // the locator as written: "sqlite:PATH" or the URI
};

// invalid_argument naming the forms for anything else.
Result<StoreLocator> parse_store_locator(std::string_view text);

// The global --store (main.cc); "" for none.
void choose_store(std::string locator);

// --store, else D/store, else sqlite:D/hq.db.
Result<StoreLocator> store_locator(const HqDir& dir);
// D/business-time-zone, or UTC; not_found naming the file for a zone tzdata does not have.
Result<sync::BusinessZone> business_zone(const HqDir& dir);

// Opens the directory's store. SQLite: not_found when the file is missing (a mistyped --dir must
// not start an empty HQ); PostgreSQL: conflict when the database is not migrated to this build.
Result<std::unique_ptr<sync::HqStore>> open_store(const HqDir& dir);
// The same, once per worker thread of `serve`.
Result<sync::HqStoreFactory> store_factory(const HqDir& dir);

}  // namespace loyalty::hq
