// WorkerPool: threads that open their store, then take jobs from the queue until stopped.

#include "service/worker_pool.h"

#include <cstdio>
#include <exception>
#include <future>
#include <string>
#include <utility>

#include "loyalty/core/limits.h"

namespace loyalty::sync::service {

Result<std::unique_ptr<WorkerPool>> WorkerPool::start(const HqStoreFactory& factory,
                                                      std::size_t workers) {
  LOYALTY_ASSERT(factory != nullptr);
  LOYALTY_ASSERT(workers >= 1 && workers <= limits::hq_workers_max);
  std::unique_ptr<WorkerPool> pool(new WorkerPool());
  // One after the other: the first open of a new file creates and migrates it, and SQLite
  // refuses a second connection's journal_mode change meanwhile instead of waiting for it.
  for (std::size_t i = 0; i < workers; ++i) {
    std::promise<Status> promise;
    std::future<Status> opened = promise.get_future();
    pool->threads_.emplace_back(
        [raw = pool.get(), &factory, promise = std::move(promise)]() mutable {
          Result<std::unique_ptr<HqStore>> store = factory();
          if (!store.ok()) {
            promise.set_value(std::move(store).error());
            return;
          }
          promise.set_value(Status());
          raw->run(std::move(store).value());
        });
    Status status = opened.get();
    if (!status.ok()) {
      pool->stop();
      const Error& error = status.error();
      return make_error(error.code, "cannot open the HQ store: " + error.message);
    }
  }
  return pool;
}

WorkerPool::~WorkerPool() { stop(); }

bool WorkerPool::submit(Job job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || jobs_.size() >= limits::hq_jobs_queued_max) return false;
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
  return true;
}

void WorkerPool::stop() {
  std::deque<Job> dropped;  // destroyed outside the lock: a job's captures may be heavy
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    dropped.swap(jobs_);
  }
  wake_.notify_all();
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

void WorkerPool::run(std::unique_ptr<HqStore> store) {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    try {
      job(*store);
    } catch (const std::exception& e) {  // a job's bug must not end the worker
      std::fprintf(stderr, "loyalty-hq: a worker job failed: %s\n", e.what());
    }
  }
}

}  // namespace loyalty::sync::service
