// StatementCache: prepared statements kept per connection for reuse, so the checkout path does not
// compile the same SQL on every receipt. Internal to storage; owned by a Database.
//
// A Statement takes a compiled statement for its SQL text (or compiles one) and gives it back,
// reset and with its bindings cleared, when it is destroyed. Several Statements may use the same
// SQL at once (nested queries): each takes its own. The cache is bounded: SQL beyond
// `texts_max` distinct texts, or copies beyond `copies_max` per text, are finalized on return.
//
// Ownership: owns the statements it holds and finalizes them when destroyed, which must happen
// before the connection closes. Thread-safety: none, like its Database.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

struct sqlite3_stmt;

namespace loyalty::storage {

class StatementCache {
 public:
  static constexpr std::size_t texts_max = 128;
  static constexpr std::size_t copies_max = 4;

  StatementCache() = default;
  ~StatementCache();
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;

  // A compiled statement for `sql`, or nullptr when none is free.
  sqlite3_stmt* take(std::string_view sql);
  // Counts a statement compiled outside the cache that will be given back.
  void adopt() { ++lent_; }
  // Resets `stmt`, clears its bindings and keeps it for `sql` (or finalizes it when full).
  void give_back(std::string_view sql, sqlite3_stmt* stmt);
  // Statements taken or adopted and not given back yet: the Database asserts 0 when it closes,
  // since a Statement alive after its Database would give back into a destroyed cache.
  std::size_t lent() const { return lent_; }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const {
      return std::hash<std::string_view>{}(text);
    }
  };
  std::unordered_map<std::string, std::vector<sqlite3_stmt*>, Hash, std::equal_to<>> free_;
  std::size_t lent_ = 0;
};

}  // namespace loyalty::storage
