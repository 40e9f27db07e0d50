// LockHolder: another connection, on its own thread, that takes a lock on a database file and
// releases it after a while, as a second program would; for the tests of busy_timeout and of
// ErrorCode::busy. busy_hint: how sqlite_error() ends a busy error's message.
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <future>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

namespace loyalty::storage::test {

inline constexpr std::string_view busy_hint =
    " (busy: another connection or statement holds the lock; try again)";

// Holds the lock that `take` acquires on `path` from another thread, releases it (`release`, then
// closing the connection) `hold` after it was taken. wait_until_held() returns once it is taken.
// The thread calls no Catch2 macro (they are not thread-safe): it reports through the promise.
class LockHolder {
 public:
  LockHolder(std::string path, std::string take, std::string release,
             std::chrono::milliseconds hold)
      : thread_([this, path = std::move(path), take = std::move(take), release = std::move(release),
                 hold] {
          sqlite3* db = nullptr;
          int rc = sqlite3_open(path.c_str(), &db);
          if (rc == SQLITE_OK) rc = sqlite3_exec(db, take.c_str(), nullptr, nullptr, nullptr);
          held_.set_value(rc);
          if (rc == SQLITE_OK) {
            std::this_thread::sleep_for(hold);
            sqlite3_exec(db, release.c_str(), nullptr, nullptr, nullptr);
          }
          sqlite3_close(db);
        }) {}
  ~LockHolder() { thread_.join(); }
  LockHolder(const LockHolder&) = delete;
  LockHolder& operator=(const LockHolder&) = delete;

  // The result code of opening the connection and running `take`.
  int wait_until_held() { return held_future_.get(); }

 private:
  std::promise<int> held_;
  std::future<int> held_future_ = held_.get_future();
  std::thread thread_;
};

}  // namespace loyalty::storage::test
