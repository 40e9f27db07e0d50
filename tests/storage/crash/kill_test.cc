// Crash safety under SIGKILL (issue 3): a child process runs checkouts on a real ledger file and
// is killed with SIGKILL at random points; after each kill the parent reopens the ledger and
// proves that every acknowledged receipt is there exactly once, that an unacknowledged one is
// either entirely there or entirely absent, and that the invariants hold.
//
// The receipts are a pure function of their number, so the parent can recompute each customer's
// points from the set of committed receipts without reading the transfers. The child acknowledges
// a receipt (its number, 8 bytes, on a pipe) only after checkout() returned OK; the in-flight
// receipt of a killed child is retried by the next child (an idempotent replay when it had been
// committed). The receipts and the proof are shared with crash/power_test.cc (crash/crash_support.h).
// docs/storage.md ("Crash test: SIGKILL") describes the knobs.

#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "crash/crash_support.h"

namespace loyalty::storage::test {
namespace {

constexpr std::uint64_t crash_seed = 0x5eed'c0de'0003'0003ULL;  // fixed: the run is repeatable
constexpr int crash_cycles_default = 30;
const CrashReceipts crash_receipts{"K-", /*coupons=*/false};

// The child: checkouts from `first` on until killed. Never returns into Catch2.
[[noreturn]] void crash_child(const std::string& path, std::int64_t first, int ack_fd) {
  Result<Ledger> ledger = Ledger::open(path, test_options());
  if (!ledger.ok()) _exit(10);
  Result<Program> program = load_program(till_program_json);
  if (!program.ok()) _exit(11);
  Till till(ledger.value());
  for (std::int64_t n = first; n < first + 1'000'000; ++n) {
    const CustomerState c = customer(crash_receipts.customer_id(n));
    Result<CheckoutResult> result =
        till.checkout(program.value(), &c, crash_receipts.receipt(n), test_now);
    if (!result.ok()) _exit(12);
    const std::int64_t ack = n;
    if (write(ack_fd, &ack, sizeof ack) != static_cast<ssize_t>(sizeof ack)) _exit(13);
  }
  _exit(14);
}

// Reads whole 8-byte records from `fd` into `acks` until EOF, or until `want` acks in total or
// `deadline` when `want` > 0. Returns false on a read error or a torn record at EOF.
bool read_acks(int fd, std::vector<std::int64_t>& acks, std::string& partial, std::size_t want,
               std::chrono::steady_clock::time_point deadline) {
  char buffer[4096];
  for (;;) {
    if (want > 0) {
      if (acks.size() >= want) return true;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return true;
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return true;
    }
    const ssize_t got = read(fd, buffer, sizeof buffer);
    if (got < 0) return false;
    if (got == 0) return partial.empty();
    partial.append(buffer, static_cast<std::size_t>(got));
    std::size_t used = 0;
    for (; partial.size() - used >= sizeof(std::int64_t); used += sizeof(std::int64_t)) {
      std::int64_t ack = 0;
      std::memcpy(&ack, partial.data() + used, sizeof ack);
      acks.push_back(ack);
    }
    partial.erase(0, used);
  }
}

TEST_CASE(
    "SIGKILL at random points during checkouts loses no acknowledged receipt and leaves "
    "no half-written one",
    "[storage][crash]") {
  const std::int64_t cycles = env_int("LOYALTY_CRASH_CYCLES", crash_cycles_default);
  REQUIRE(cycles > 0);
  std::mt19937_64 random(crash_seed);

  TempDir dir;
  const std::string path = dir.file("ledger.db");
  {
    Ledger ledger = open_ledger(path);
    Till till(ledger);
    REQUIRE(till.store_program(till_program_json, test_now).ok());
  }  // closed before the first fork: no SQLite connection crosses a fork

  std::set<std::int64_t> acknowledged;
  std::int64_t committed_unacknowledged = 0;  // found committed after a kill, retried (replayed)
  std::int64_t next = 1;                      // the first receipt the next child checks out
  std::int64_t attempted = 0;  // the highest receipt number any child may have started

  for (std::int64_t cycle = 0; cycle < cycles; ++cycle) {
    INFO("cycle " << cycle << ", first receipt " << next);
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      close(fds[0]);
      crash_child(path, next, fds[1]);
    }
    close(fds[1]);
    // Should a REQUIRE below fail before the reap, the child must not outlive the test.
    struct Reaper {
      pid_t pid;
      ~Reaper() {
        if (pid > 0) {
          kill(pid, SIGKILL);
          waitpid(pid, nullptr, 0);
        }
      }
    } reaper{child};

    // Kill at a random instant: half the cycles by time since fork (which may land in open()),
    // half after a random number of acknowledgements plus a little jitter (mid-checkout).
    std::vector<std::int64_t> acks;
    std::string partial;
    const auto now = std::chrono::steady_clock::now();
    if (random() % 2 == 0) {
      std::this_thread::sleep_for(std::chrono::microseconds(random() % 30'001));
    } else {
      const std::size_t want = 1 + random() % 200;
      REQUIRE(read_acks(fds[0], acks, partial, want, now + std::chrono::seconds(2)));
      std::this_thread::sleep_for(std::chrono::microseconds(random() % 3'001));
    }
    REQUIRE(kill(child, SIGKILL) == 0);
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    reaper.pid = 0;
    INFO("child status " << status);
    REQUIRE(WIFSIGNALED(status));  // an exit would mean the child failed (see crash_child)
    REQUIRE(WTERMSIG(status) == SIGKILL);
    REQUIRE(read_acks(fds[0], acks, partial, 0, now));
    close(fds[0]);

    // The acks are the receipts from `next` on, in order, each once.
    for (std::size_t i = 0; i < acks.size(); ++i) {
      REQUIRE(acks[i] == next + static_cast<std::int64_t>(i));
      acknowledged.insert(acks[i]);
    }
    // The receipt after the last ack may have been committed without its ack.
    attempted = std::max(attempted, next + static_cast<std::int64_t>(acks.size()));
    next += static_cast<std::int64_t>(acks.size());

    // Reopen: open() runs check() and refuses a broken ledger; then the proof (crash/crash_support.h).
    Ledger ledger = open_ledger(path);
    committed_unacknowledged += verify_after_crash(ledger, crash_receipts, attempted, acknowledged);
  }
  INFO("receipts acknowledged: " << acknowledged.size() << ", committed but not acknowledged "
                                 << "when killed: " << committed_unacknowledged);
  if (std::getenv("LOYALTY_CRASH_VERBOSE") != nullptr) {
    WARN("receipts acknowledged: " << acknowledged.size() << ", committed but not acknowledged "
                                   << "when killed: " << committed_unacknowledged);
  }
  CHECK(acknowledged.size() > 0);
}

}  // namespace
}  // namespace loyalty::storage::test
