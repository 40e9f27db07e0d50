// WorkerPool: the HQ service's worker threads. Each opens its own HqStore at start (a store
// object is for one thread) and runs the jobs of one bounded queue on it, in the order they came.
//
// Ownership: owns its threads and their stores; a job owns what it captures. Thread-safety:
// submit() from any thread; stop() and the destructor from any thread but a worker's.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "loyalty/core/result.h"
#include "loyalty/sync/hq_service.h"
#include "loyalty/sync/hq_store.h"

namespace loyalty::sync::service {

class WorkerPool {
 public:
  using Job = std::function<void(HqStore& store)>;

  // Starts `workers` threads (1..limits::hq_workers_max), one after the other once the previous
  // one opened its store with `factory`; the first failure is returned (and the threads that
  // started are joined).
  static Result<std::unique_ptr<WorkerPool>> start(const HqStoreFactory& factory,
                                                   std::size_t workers);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `job` for the next free worker; false when limits::hq_jobs_queued_max jobs wait
  // already, or the pool is stopped (the job is dropped).
  bool submit(Job job);
  // Drops the queued jobs and joins the workers after their current job. Idempotent.
  void stop();

 private:
  WorkerPool() = default;
  void run(std::unique_ptr<HqStore> store);

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> jobs_;   // guarded by mutex_
  bool stopping_ = false;  // guarded by mutex_
  std::vector<std::thread> threads_;
};

}  // namespace loyalty::sync::service
