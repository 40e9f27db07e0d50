// FaultProxy: a TCP proxy on loopback, between a terminal and HQ, that breaks the connection the
// way a shop's network does. Per chunk of bytes relayed (each direction on its own) it may
//   delay it (1..delay_ms_max ms), duplicate it (send it twice), reorder it (hold it and send it
//   after the next chunk), or cut the connection (both sides closed, mid-request or mid-answer).
// Inside TLS a duplicated or reordered record is caught by the record MAC and the connection
// fails; at the protocol level a cut after a request and before its answer makes the terminal
// send the same batch again (a duplicate at HQ). Each fault is counted.
//
// Thread-safety: the proxy runs on its own thread; the public methods may be called from any.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <memory>
#include <thread>

namespace loyalty::sync::test {

struct FaultPlan {
  double cut = 0.03;  // per chunk
  double delay = 0.2;
  int delay_ms_max = 20;
  double duplicate = 0.01;
  double reorder = 0.01;
  std::uint64_t seed = 1;
};

struct FaultCounts {
  std::atomic<std::int64_t> connections{0};
  std::atomic<std::int64_t> chunks{0};
  std::atomic<std::int64_t> cuts{0};
  std::atomic<std::int64_t> delays{0};
  std::atomic<std::int64_t> duplicates{0};
  std::atomic<std::int64_t> reorders{0};
};

class FaultProxy {
 public:
  FaultProxy(std::uint16_t upstream_port, FaultPlan plan);
  ~FaultProxy();
  std::uint16_t port() const { return port_; }
  const FaultCounts& counts() const { return counts_; }
  // Faults on or off (off: a plain relay, for the final catch-up).
  void set_faults(bool on) { faults_ = on; }

  struct Shared;

 private:
  boost::asio::io_context io_;
  std::shared_ptr<Shared> shared_;
  FaultCounts counts_;
  std::atomic<bool> faults_{true};
  std::uint16_t port_ = 0;
  std::thread thread_;
};

}  // namespace loyalty::sync::test
