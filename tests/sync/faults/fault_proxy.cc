#include "faults/fault_proxy.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <deque>
#include <mutex>
#include <random>
#include <vector>

namespace loyalty::sync::test {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

struct FaultProxy::Shared {
  Shared(asio::io_context& io_context, std::uint16_t upstream, FaultPlan fault_plan,
         FaultCounts& fault_counts, std::atomic<bool>& faults_on)
      : io(io_context),
        acceptor(io_context),
        upstream_port(upstream),
        plan(fault_plan),
        counts(fault_counts),
        faults(faults_on),
        random(fault_plan.seed) {}
  asio::io_context& io;
  tcp::acceptor acceptor;
  std::uint16_t upstream_port;
  FaultPlan plan;
  FaultCounts& counts;
  std::atomic<bool>& faults;
  std::mutex random_mutex;
  std::mt19937_64 random;

  double roll() {
    std::lock_guard lock(random_mutex);
    return std::uniform_real_distribution<double>(0, 1)(random);
  }
  int delay_ms() {
    std::lock_guard lock(random_mutex);
    return std::uniform_int_distribution<int>(1, plan.delay_ms_max)(random);
  }
};

namespace {

// One proxied connection: the terminal's socket and HQ's, and a pump each way.
struct Link : std::enable_shared_from_this<Link> {
  Link(std::shared_ptr<FaultProxy::Shared> shared, tcp::socket terminal)
      : shared(std::move(shared)), terminal(std::move(terminal)), hq(this->shared->io) {}

  std::shared_ptr<FaultProxy::Shared> shared;
  tcp::socket terminal;
  tcp::socket hq;
  bool closed = false;

  void close() {
    if (closed) return;
    closed = true;
    error_code ignored;
    terminal.close(ignored);
    hq.close(ignored);
  }

  void start() {
    auto self = shared_from_this();
    hq.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), shared->upstream_port),
                     [self](error_code error) {
                       if (error) return self->close();
                       pump(self, self->terminal, self->hq);
                       pump(self, self->hq, self->terminal);
                     });
  }

  struct Pump {
    std::vector<char> buffer = std::vector<char>(16 * 1024);
    std::shared_ptr<std::string> held;  // a chunk held back to be sent after the next
  };

  static void pump(std::shared_ptr<Link> self, tcp::socket& from, tcp::socket& to) {
    auto state = std::make_shared<Pump>();
    read(self, from, to, state);
  }

  static void read(std::shared_ptr<Link> self, tcp::socket& from, tcp::socket& to,
                   std::shared_ptr<Pump> state) {
    from.async_read_some(asio::buffer(state->buffer),
                         [self, &from, &to, state](error_code error, std::size_t n) {
                           if (error || self->closed) return self->close();
                           auto chunk = std::make_shared<std::string>(state->buffer.data(), n);
                           forward(self, from, to, state, chunk);
                         });
  }

  static void forward(std::shared_ptr<Link> self, tcp::socket& from, tcp::socket& to,
                      std::shared_ptr<Pump> state, std::shared_ptr<std::string> chunk) {
    FaultProxy::Shared& s = *self->shared;
    ++s.counts.chunks;
    std::vector<std::shared_ptr<std::string>> out;
    if (s.faults) {
      if (s.roll() < s.plan.cut) {
        ++s.counts.cuts;
        return self->close();
      }
      if (!state->held && s.roll() < s.plan.reorder) {
        ++s.counts.reorders;
        state->held = chunk;
        return read(self, from, to, state);
      }
      out.push_back(chunk);
      if (s.roll() < s.plan.duplicate) {
        ++s.counts.duplicates;
        out.push_back(chunk);
      }
    } else {
      out.push_back(chunk);
    }
    if (state->held) {
      out.push_back(state->held);
      state->held.reset();
    }
    auto bytes = std::make_shared<std::string>();
    for (const auto& part : out) *bytes += *part;
    auto send = [self, &from, &to, state, bytes] {
      asio::async_write(to, asio::buffer(*bytes),
                        [self, &from, &to, state, bytes](error_code error, std::size_t) {
                          if (error || self->closed) return self->close();
                          read(self, from, to, state);
                        });
    };
    if (s.faults && s.roll() < s.plan.delay) {
      ++s.counts.delays;
      auto timer =
          std::make_shared<asio::steady_timer>(s.io, std::chrono::milliseconds(s.delay_ms()));
      timer->async_wait([timer, send](error_code) { send(); });
      return;
    }
    send();
  }
};

void accept(std::shared_ptr<FaultProxy::Shared> shared) {
  shared->acceptor.async_accept([shared](error_code error, tcp::socket socket) {
    if (error) return;  // the acceptor was closed
    ++shared->counts.connections;
    std::make_shared<Link>(shared, std::move(socket))->start();
    accept(shared);
  });
}

}  // namespace

FaultProxy::FaultProxy(std::uint16_t upstream_port, FaultPlan plan) {
  shared_ = std::make_shared<Shared>(io_, upstream_port, plan, counts_, faults_);
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  shared_->acceptor.open(endpoint.protocol());
  shared_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  shared_->acceptor.bind(endpoint);
  shared_->acceptor.listen();
  port_ = shared_->acceptor.local_endpoint().port();
  accept(shared_);
  thread_ = std::thread([this] { io_.run(); });
}

FaultProxy::~FaultProxy() {
  io_.stop();
  thread_.join();
}

}  // namespace loyalty::sync::test
