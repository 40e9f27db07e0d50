// BatchQueue: the bounded queue between add() and the workers: batches of journal events, each
// with its place in the stream. push() waits while the queue is full, pop() while it is empty.
// Internal to the backtest.
//
// Thread-safety: push() from the caller's thread, pop() from the workers, close() from either.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

#include "loyalty/sync/journal_event.h"

namespace loyalty::sync::backtest {

struct Job {
  JournalEvent event;
  std::int64_t order = 0;
};
using JobBatch = std::vector<Job>;

class BatchQueue {
 public:
  explicit BatchQueue(std::size_t batches_max) : batches_max_(batches_max) {}

  void push(JobBatch batch);
  // The next batch; nullopt once the queue is closed and empty.
  std::optional<JobBatch> pop();
  // No more pushes: pop() drains what is queued, then returns nullopt.
  void close();

 private:
  std::mutex mutex_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<JobBatch> batches_;  // at most batches_max_
  std::size_t batches_max_;
  bool closed_ = false;
};

}  // namespace loyalty::sync::backtest
