// The HQ store's locator and business zone (store_choice.h), and opening the store.

#include "state/store_choice.h"

#include "loyalty/environment/tzdb_zone.h"
#include "loyalty/sync/hq_postgres.h"
#include "state/state_files.h"

namespace loyalty::hq {

namespace {

constexpr std::size_t locator_bytes_max = 4096;
std::string chosen_locator;  // main.cc's --store; "" for none

}  // namespace

std::string StoreLocator::shown() const {
  return kind == Kind::sqlite ? target : sync::redact_conninfo(target);
}

std::string StoreLocator::text() const {
  return kind == Kind::sqlite ? "sqlite:" + target : target;
}

Result<StoreLocator> parse_store_locator(std::string_view text) {
  if (text.starts_with("sqlite:") && text.size() > 7) {
    return StoreLocator{StoreLocator::Kind::sqlite, std::string(text.substr(7))};
  }
  if (text.starts_with("postgresql://") || text.starts_with("postgres://")) {
    return StoreLocator{StoreLocator::Kind::postgresql, std::string(text)};
  }
  const std::string shown =
      text.starts_with("postgres") ? sync::redact_conninfo(text) : std::string(text);
  return make_error(
      ErrorCode::invalid_argument,
      "--store \"" + shown + "\" is not a store: use sqlite:PATH or a postgresql://... URI");
}

void choose_store(std::string locator) { chosen_locator = std::move(locator); }

Result<StoreLocator> store_locator(const HqDir& dir) {
  if (!chosen_locator.empty()) return parse_store_locator(chosen_locator);
  if (path_exists(dir.store_file())) {
    const std::string text = trimmed(TRY(read_text_file(dir.store_file(), locator_bytes_max)));
    Result<StoreLocator> locator = parse_store_locator(text);
    if (!locator.ok()) {
      return make_error(ErrorCode::parse_error, dir.store_file() + ": " + locator.error().message);
    }
    return locator;
  }
  return StoreLocator{StoreLocator::Kind::sqlite, dir.database()};
}

Result<sync::BusinessZone> business_zone(const HqDir& dir) {
  if (!path_exists(dir.zone_file())) return sync::BusinessZone();
  const std::string name = trimmed(TRY(read_text_file(dir.zone_file(), 256)));
  if (name == "UTC") return sync::BusinessZone();
  Result<environment::TzdbZone> zone = environment::TzdbZone::find(name);
  if (!zone.ok()) {
    return make_error(ErrorCode::not_found, dir.zone_file() + ": " + zone.error().message);
  }
  return sync::BusinessZone(std::make_shared<environment::TzdbZone>(std::move(zone).value()));
}

Result<sync::HqStoreFactory> store_factory(const HqDir& dir) {
  const StoreLocator locator = TRY(store_locator(dir));
  const sync::BusinessZone zone = TRY(business_zone(dir));
  if (locator.kind == StoreLocator::Kind::postgresql) {
    sync::PostgresHqOptions options;
    options.business_zone = zone;
    return sync::HqStoreFactory(
        [locator, options] { return sync::open_postgres_hq_store(locator.target, options); });
  }
  sync::SqliteHqOptions options;
  options.business_zone = zone;
  return sync::HqStoreFactory(
      [locator, options] { return sync::open_sqlite_hq_store(locator.target, options); });
}

Result<std::unique_ptr<sync::HqStore>> open_store(const HqDir& dir) {
  const StoreLocator locator = TRY(store_locator(dir));
  if (locator.kind == StoreLocator::Kind::sqlite && !path_exists(locator.target)) {
    return make_error(ErrorCode::not_found,
                      dir.root + " is not an HQ directory (" + locator.target +
                          " is missing); create one with loyalty-hq init --dir " + dir.root);
  }
  const sync::HqStoreFactory factory = TRY(store_factory(dir));
  Result<std::unique_ptr<sync::HqStore>> store = factory();
  if (!store.ok()) {
    const Error& error = store.error();
    return make_error(error.code == ErrorCode::invalid_argument ? ErrorCode::io_error : error.code,
                      locator.shown() + ": " + error.message);
  }
  return store;
}

}  // namespace loyalty::hq
