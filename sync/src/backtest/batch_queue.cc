// BatchQueue: a bounded, blocking queue of event batches (batch_queue.h).

#include "backtest/batch_queue.h"

#include "loyalty/core/result.h"

namespace loyalty::sync::backtest {

void BatchQueue::push(JobBatch batch) {
  std::unique_lock lock(mutex_);
  LOYALTY_ASSERT(!closed_);
  not_full_.wait(lock, [this] { return batches_.size() < batches_max_; });
  batches_.push_back(std::move(batch));
  lock.unlock();
  not_empty_.notify_one();
}

std::optional<JobBatch> BatchQueue::pop() {
  std::unique_lock lock(mutex_);
  not_empty_.wait(lock, [this] { return closed_ || !batches_.empty(); });
  if (batches_.empty()) return std::nullopt;
  JobBatch batch = std::move(batches_.front());
  batches_.pop_front();
  lock.unlock();
  not_full_.notify_one();
  return batch;
}

void BatchQueue::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  not_empty_.notify_all();
}

}  // namespace loyalty::sync::backtest
