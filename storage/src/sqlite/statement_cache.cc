#include "sqlite/statement_cache.h"

#include <sqlite3.h>

namespace loyalty::storage {

StatementCache::~StatementCache() {
  for (auto& [sql, statements] : free_) {
    for (sqlite3_stmt* stmt : statements) sqlite3_finalize(stmt);
  }
}

sqlite3_stmt* StatementCache::take(std::string_view sql) {
  const auto found = free_.find(sql);
  if (found == free_.end() || found->second.empty()) return nullptr;
  sqlite3_stmt* stmt = found->second.back();
  found->second.pop_back();
  ++lent_;
  return stmt;
}

void StatementCache::give_back(std::string_view sql, sqlite3_stmt* stmt) {
  --lent_;
  // The result of reset repeats the last step's error, which the caller already saw.
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  auto found = free_.find(sql);
  if (found == free_.end()) {
    if (free_.size() >= texts_max) {
      sqlite3_finalize(stmt);
      return;
    }
    found = free_.emplace(std::string(sql), std::vector<sqlite3_stmt*>{}).first;
  }
  if (found->second.size() >= copies_max) {
    sqlite3_finalize(stmt);
    return;
  }
  found->second.push_back(stmt);
}

}  // namespace loyalty::storage
