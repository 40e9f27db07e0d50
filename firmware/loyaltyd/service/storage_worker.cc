#include "service/storage_worker.h"

#include "loyalty/core/result.h"

namespace loyalty::daemon {

StorageWorker::StorageWorker(boost::asio::io_context& loop, std::size_t jobs_max)
    : loop_(loop), jobs_max_(jobs_max), thread_([this] { run(); }) {
  LOYALTY_ASSERT(jobs_max > 0);
}

StorageWorker::~StorageWorker() { stop(); }

bool StorageWorker::enqueue(std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || jobs_.size() >= jobs_max_) return false;
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
  return true;
}

std::size_t StorageWorker::queued() const {
  std::lock_guard lock(mutex_);
  return jobs_.size();
}

void StorageWorker::stop() {
  *alive_ = false;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void StorageWorker::run() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping, and every queued job has run
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
}

}  // namespace loyalty::daemon
