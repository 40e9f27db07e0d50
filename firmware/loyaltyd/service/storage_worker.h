// The storage thread: the one thread that owns the ledger's SQLite connection and runs every
// ledger operation, so that a commit waiting for its fsync (0.3–5 ms, more on a worn SD card)
// never holds up the event loop that serves the readers, the POS API and the event stream.
//
// The loop submits a job; the job runs on the storage thread; its result is posted back to the
// loop, where the completion handler runs. Jobs run one at a time, in submission order. The queue
// is bounded (jobs_max): a submit to a full queue is refused at once (the API answers 503), so a
// slow disk builds no unbounded backlog.
//
// Jobs and handlers are stored in std::function: they must be copyable (capture shared_ptrs).
//
// Ownership: owns the thread; the io_context must outlive the worker. stop() (or the destructor)
// finishes the jobs already queued, then joins; their completions are not called any more (the
// objects they would call back may be gone). Thread-safety: submit() from the loop's thread (or
// any thread); jobs touch only what the storage thread owns.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <future>
#include <optional>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

namespace loyalty::daemon {

class StorageWorker {
 public:
  StorageWorker(boost::asio::io_context& loop, std::size_t jobs_max);
  ~StorageWorker();
  StorageWorker(const StorageWorker&) = delete;
  StorageWorker& operator=(const StorageWorker&) = delete;

  // Runs `job` on the storage thread, then `done(result)` on the loop. False (nothing runs) when
  // the queue is full or the worker is stopping.
  template <class Job, class Done>
  bool submit(Job job, Done done) {
    return enqueue([this, job = std::move(job), done = std::move(done)]() mutable {
      auto result = std::make_shared<decltype(job())>(job());
      boost::asio::post(loop_, [done = std::move(done), result, alive = alive_]() mutable {
        if (*alive) done(std::move(*result));  // dropped once the worker was stopped
      });
    });
  }

  // From a thread other than the loop's and the storage thread (the sync client's): runs `job` on
  // the storage thread and waits for its result. nullopt (nothing ran) when the queue is full or
  // the worker is stopping. Never call it from the loop: the loop may be what the job waits on.
  template <class Job>
  auto call(Job job) -> std::optional<decltype(job())> {
    using Value = decltype(job());
    auto promise = std::make_shared<std::promise<Value>>();
    std::future<Value> future = promise->get_future();
    if (!enqueue([job = std::move(job), promise]() mutable { promise->set_value(job()); })) {
      return std::nullopt;
    }
    return future.get();
  }

  std::size_t queued() const;
  void stop();

 private:
  bool enqueue(std::function<void()> job);
  void run();

  boost::asio::io_context& loop_;
  const std::size_t jobs_max_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  // Read and cleared on the loop only: completions posted after stop() are dropped.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::thread thread_;
};

}  // namespace loyalty::daemon
