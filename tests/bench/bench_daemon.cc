// Benchmark of loyaltyd (docs/PERFORMANCE.md, "loyaltyd"). Each figure side by side with its
// baseline, in one run:
//
//   round trip   POST /v1/quote + POST /v1/receipts/{id}/commit over the Unix socket, against the
//                in-process Till::quote_only + Till::checkout_offline of the same receipts on a
//                ledger of its own (same disk, alternating), p50 and p99; target <= 1.5x.
//   throughput   4 POS clients at once, each quote + commit, with the event stream open and read:
//                receipts per second, p50 and p99 of a client's pair, and the errors (none).
//   slow disk    every fsync made --fsync-delay-ms slower (SlowSyncVfs) while a client commits
//                without a pause: how late a timer on the daemon's loop fires (what a reader event
//                or a stream message waits for at most), and GET /v1/readers (answered on the
//                loop) over its own connection; target p99 <= 1 ms of delay.
//   start        the loyaltyd program, started --starts times on a ledger of a few hundred
//                receipts with a reader configured: exec to /v1/health answering with the reader
//                online, p50 and max; target <= 200 ms.
//   memory       loyaltyd's resident memory (VmRSS, and its peak VmHWM) with --customers cached
//                customers in its ledger and a --rules rule bundle loaded, after quoting for
//                customers from all over the cache; target <= 32 MB.
//
//   bench_daemon [--receipts=400] [--fsync-delay-ms=5] [--customers=100000] [--rules=500]
//                [--starts=10] [--dir=DIR] [--only=round-trip,throughput,slow-disk,start,memory]
//
// Files go under the build tree by default (a real disk: /tmp may be a tmpfs).
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <pty.h>
#include <string>
#include <thread>
#include <vector>

#include "config/config.h"
#include "daemon/daemon.h"
#include "generated_documents.h"
#include "loyalty/core/documents.h"
#include "loyalty/core/program_loader.h"
#include "loyalty/storage/checkout.h"
#include "loyalty/storage/customers.h"
#include "slow_sync_vfs.h"

extern char** environ;

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;
using loyalty::daemon::Config;

constexpr const char* token = "bench-token-0123456789abcdef0123456789abcdef";

[[noreturn]] void die(const std::string& message) {
  std::cerr << "bench_daemon: " << message << "\n";
  std::exit(2);
}

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

struct Percentiles {
  double p50 = 0;
  double p99 = 0;
  double max = 0;
};

Percentiles percentiles(std::vector<double> samples) {
  if (samples.empty()) return {};
  std::sort(samples.begin(), samples.end());
  const auto at = [&](double q) {
    return samples[std::min(samples.size() - 1,
                            static_cast<std::size_t>(q * static_cast<double>(samples.size())))];
  };
  return {at(0.5), at(0.99), samples.back()};
}

std::string flag(int argc, char** argv, const std::string& name, const std::string& fallback) {
  const std::string prefix = "--" + name + "=";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind(prefix, 0) == 0) return arg.substr(prefix.size());
  }
  return fallback;
}

// A receipt of `lines` lines of the generated catalogue, named `id`.
std::string receipt_named(const std::string& receipt_json, const std::string& id) {
  loyalty::Result<loyalty::json::Value> parsed = loyalty::json::parse(receipt_json);
  if (!parsed.ok()) die("receipt: " + parsed.error().message);
  loyalty::json::Value out = loyalty::json::Value::make_object();
  for (const loyalty::json::Member& member : parsed->as_object()) {
    if (member.key == "redeem") continue;  // new cards have nothing to redeem
    out.add_member(member.key, member.key == "receipt_id" ? loyalty::json::Value::make_string(id)
                                                          : member.value);
  }
  loyalty::json::Writer writer;
  writer.value(out);
  return writer.take();
}

std::string card_number(int serial) {
  std::string digits = "29" + std::string(10 - std::to_string(serial).size(), '0') +
                       std::to_string(serial);
  int total = 0;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    const int digit = digits[digits.size() - 1 - i] - '0';
    total += digit * (i % 2 == 0 ? 3 : 1);
  }
  return digits + static_cast<char>('0' + (10 - total % 10) % 10);
}

// One kept-alive POS connection.
class Client {
 public:
  explicit Client(const std::string& socket) : socket_(io_) {
    socket_.connect(asio::local::stream_protocol::endpoint(socket));
  }
  int call(http::verb method, const std::string& target, const std::string& body,
           std::string* reply_body = nullptr) {
    http::request<http::string_body> request{method, target, 11};
    request.set(http::field::host, "localhost");
    request.set(http::field::authorization, std::string("Bearer ") + token);
    if (!body.empty()) {
      request.set(http::field::content_type, "application/json");
      request.body() = body;
    }
    request.prepare_payload();
    http::write(socket_, request);
    http::response<http::string_body> response;
    http::read(socket_, buffer_, response);
    if (reply_body != nullptr) *reply_body = response.body();
    return static_cast<int>(response.result_int());
  }

 private:
  asio::io_context io_;
  asio::local::stream_protocol::socket socket_;
  boost::beast::flat_buffer buffer_;
};

std::string config_text(const std::string& dir, const std::string& bundle,
                        const std::string& reader_node) {
  std::string text = "[terminal]\nid = \"T-bench\"\nstore_id = \"S-bench\"\nstate_directory = \"" +
                     dir + "\"\n[program]\nbundle = \"" + bundle + "\"\n[api]\nsocket = \"" + dir +
                     "/api.sock\"\ntoken_file = \"" + dir +
                     "/token\"\nconnections_max = 64\n[panel]\nenabled = false\n"
                     "[readers]\nhotplug = false\n";
  if (!reader_node.empty()) {
    text += "[[readers.devices]]\nnode = \"" + reader_node + "\"\nkind = \"scanner\"\n";
  }
  return text + "[log]\nlevel = \"warning\"\nsink = \"stderr\"\n";
}

void write_file(const std::string& path, const std::string& text, unsigned mode = 0644) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  ::chmod(path.c_str(), mode);
}

// The daemon in this process, on its own loop thread.
class InProcess {
 public:
  InProcess(const std::string& dir, const std::string& bundle, const std::string& vfs = "") {
    std::filesystem::create_directories(dir);
    write_file(dir + "/token", std::string(token) + "\n", 0600);
    loyalty::Result<Config> config = loyalty::daemon::parse_config(config_text(dir, bundle, ""),
                                                                   "bench.toml");
    if (!config.ok()) die(config.error().message);
    loyalty::daemon::DaemonOptions options;
    options.config = config.value();
    options.sqlite_vfs = vfs;
    auto started = loyalty::daemon::Daemon::start(io_, options);
    if (!started.ok()) die("the daemon did not start: " + started.error().message);
    daemon_ = std::move(started).value();
    socket_ = config->api.socket;
    thread_ = std::thread([this] {
      auto guard = asio::make_work_guard(io_);
      io_.run();
    });
  }
  ~InProcess() {
    std::promise<void> done;
    asio::post(io_, [&] {
      daemon_->stop();
      done.set_value();
    });
    done.get_future().wait();
    io_.stop();
    thread_.join();
  }
  const std::string& socket() const { return socket_; }
  asio::io_context& io() { return io_; }

 private:
  asio::io_context io_;
  std::unique_ptr<loyalty::daemon::Daemon> daemon_;
  std::string socket_;
  std::thread thread_;
};

struct Documents {
  std::string bundle_path;
  std::string bundle_text;
  loyalty::Program program;
  std::vector<std::string> receipts;  // receipt JSON, ids R-0..
  int lines = 0;                      // of each receipt
};

Documents make_documents(const std::string& dir, int rules, int receipts, int lines) {
  Documents documents;
  documents.lines = lines;
  documents.bundle_text = bench_documents::program_json(rules);
  documents.bundle_path = dir + "/bundle-" + std::to_string(rules) + ".json";
  write_file(documents.bundle_path, documents.bundle_text);
  loyalty::Result<loyalty::Program> program = loyalty::load_program(documents.bundle_text);
  if (!program.ok()) die("bundle: " + program.error().message);
  documents.program = std::move(program).value();
  const std::string receipt = bench_documents::receipt_json(lines, 0);
  for (int i = 0; i < receipts; ++i) {
    documents.receipts.push_back(receipt_named(receipt, "R-" + std::to_string(i)));
  }
  return documents;
}

void print_row(const char* what, const Percentiles& p, const char* unit = "ms") {
  std::printf("  %-44s p50 %8.3f %s   p99 %8.3f %s   max %8.3f %s\n", what, p.p50, unit, p.p99,
              unit, p.max, unit);
}

// --- round trip -------------------------------------------------------------------------------

void round_trip(const std::string& work, const Documents& documents) {
  InProcess daemon(work + "/round-trip-daemon", documents.bundle_path);
  Client client(daemon.socket());
  // The baseline: the same operations on a ledger of its own, in this thread.
  std::filesystem::create_directories(work + "/round-trip-inprocess");
  loyalty::storage::LedgerOptions ledger_options;
  ledger_options.terminal_id = "T-inprocess";
  ledger_options.now = loyalty::Timestamp{1'800'000'000};
  auto ledger = loyalty::storage::Ledger::open(work + "/round-trip-inprocess/ledger.db",
                                               ledger_options);
  if (!ledger.ok()) die(ledger.error().message);
  loyalty::storage::Till till(ledger.value());
  if (!till.store_program(documents.bundle_text, ledger_options.now).ok()) die("store_program");

  std::vector<double> api_ms;
  std::vector<double> local_ms;
  const loyalty::Timestamp at{1'800'000'000};
  for (std::size_t i = 0; i < documents.receipts.size(); ++i) {
    const std::string& receipt_text = documents.receipts[i];
    const std::string customer = card_number(static_cast<int>(1000 + i % 200));
    const std::string id = "R-" + std::to_string(i);
    const std::string body = "{\"customer_id\":\"" + customer +
                             "\",\"at\":\"2027-01-15T08:00:00Z\",\"receipt\":" + receipt_text + "}";
    auto start = Clock::now();
    if (client.call(http::verb::post, "/v1/quote", body) != 200) die("quote failed");
    if (client.call(http::verb::post, "/v1/receipts/" + id + "/commit", body) != 201) {
      die("commit failed");
    }
    api_ms.push_back(ms(Clock::now() - start));

    loyalty::Result<loyalty::Receipt> receipt = loyalty::load_receipt(receipt_text);
    start = Clock::now();
    if (!till.quote_only(documents.program, customer, receipt.value(), at).ok()) die("quote_only");
    if (!till.checkout_offline(documents.program, customer, receipt.value(), at).ok()) {
      die("checkout_offline");
    }
    local_ms.push_back(ms(Clock::now() - start));
  }
  const Percentiles api = percentiles(api_ms);
  const Percentiles local = percentiles(local_ms);
  std::printf("\nround trip: quote + commit of %zu receipts (%d lines, %zu rules)\n",
              documents.receipts.size(), documents.lines, documents.program.rules.size());
  print_row("POS API over the Unix socket", api);
  print_row("in process (Till::quote_only + checkout_offline)", local);
  std::printf("  ratio p50 %.2fx, p99 %.2fx (target <= 1.5x): %s\n", api.p50 / local.p50,
              api.p99 / local.p99, api.p50 / local.p50 <= 1.5 ? "met" : "MISSED");
}

// --- throughput -------------------------------------------------------------------------------

void throughput(const std::string& work, const Documents& documents) {
  InProcess daemon(work + "/throughput-daemon", documents.bundle_path);
  std::atomic<bool> done{false};
  std::atomic<long> messages{0};
  std::atomic<int> stream_fd{-1};
  std::promise<void> stream_open;
  std::thread stream([&] {
    asio::io_context io;
    boost::beast::websocket::stream<asio::local::stream_protocol::socket> ws(io);
    ws.next_layer().connect(asio::local::stream_protocol::endpoint(daemon.socket()));
    ws.set_option(boost::beast::websocket::stream_base::decorator(
        [](boost::beast::websocket::request_type& request) {
          request.set(http::field::authorization, std::string("Bearer ") + token);
        }));
    ws.handshake("localhost", "/v1/events");
    stream_fd = ws.next_layer().native_handle();
    stream_open.set_value();
    while (!done) {
      boost::beast::flat_buffer buffer;
      boost::system::error_code error;
      ws.read(buffer, error);
      if (error) break;  // shut down by the main thread at the end
      ++messages;
    }
  });
  stream_open.get_future().wait();
  constexpr int clients = 4;
  std::vector<std::vector<double>> samples(clients);
  std::atomic<int> errors{0};
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      Client client(daemon.socket());
      for (std::size_t i = static_cast<std::size_t>(c); i < documents.receipts.size();
           i += clients) {
        const std::string body = "{\"customer_id\":\"" + card_number(static_cast<int>(5000 + i)) +
                                 "\",\"receipt\":" + documents.receipts[i] + "}";
        const auto t0 = Clock::now();
        if (client.call(http::verb::post, "/v1/quote", body) != 200) ++errors;
        if (client.call(http::verb::post, "/v1/receipts/R-" + std::to_string(i) + "/commit",
                        body) != 201) {
          ++errors;
        }
        samples[static_cast<std::size_t>(c)].push_back(ms(Clock::now() - t0));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const double seconds = ms(Clock::now() - start) / 1000;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  done = true;
  ::shutdown(stream_fd, SHUT_RDWR);  // wakes the reader's blocking read
  stream.join();
  std::vector<double> all;
  for (const auto& s : samples) all.insert(all.end(), s.begin(), s.end());
  std::printf("\nthroughput: %d POS clients at once, the event stream open and read\n", clients);
  print_row("a client's quote + commit", percentiles(all));
  std::printf("  %.0f receipts/s, %d errors, %ld stream messages received\n",
              static_cast<double>(all.size()) / seconds, errors.load(), messages.load());
}

// --- slow disk --------------------------------------------------------------------------------

void slow_disk(const std::string& work, const Documents& documents, int fsync_delay_ms) {
  bench::SlowSyncVfs vfs("bench-slow-sync", std::chrono::milliseconds(fsync_delay_ms));
  InProcess daemon(work + "/slow-disk-daemon", documents.bundle_path, vfs.name());
  std::atomic<bool> done{false};
  std::atomic<long> commits{0};
  std::thread writer([&] {
    Client client(daemon.socket());
    for (std::size_t i = 0; !done; ++i) {
      const std::string body = "{\"customer_id\":\"" + card_number(static_cast<int>(9000 + i)) +
                               "\",\"receipt\":" +
                               receipt_named(documents.receipts[i % documents.receipts.size()],
                                             "S-" + std::to_string(i)) +
                               "}";
      if (client.call(http::verb::post, "/v1/receipts/S-" + std::to_string(i) + "/commit", body) ==
          201) {
        ++commits;
      }
    }
  });
  // A timer on the daemon's loop every 2 ms: how late it fires is how long a reader event or an
  // event stream message would have waited.
  std::vector<double> lateness_ms;
  std::vector<double> readers_ms;
  std::mutex mutex;
  asio::steady_timer timer(daemon.io());
  std::function<void()> arm;
  Clock::time_point due;
  std::atomic<int> remaining{1500};
  std::promise<void> probes_done;
  arm = [&] {
    due = Clock::now() + std::chrono::milliseconds(2);
    timer.expires_at(due);
    timer.async_wait([&](const boost::system::error_code& error) {
      if (error) return;
      {
        std::lock_guard lock(mutex);
        lateness_ms.push_back(ms(Clock::now() - due));
      }
      if (--remaining == 0) {
        probes_done.set_value();
        return;
      }
      arm();
    });
  };
  asio::post(daemon.io(), arm);
  std::thread reader_probe([&] {
    Client client(daemon.socket());
    while (remaining > 0) {
      const auto t0 = Clock::now();
      client.call(http::verb::get, "/v1/readers", "");
      readers_ms.push_back(ms(Clock::now() - t0));
      std::this_thread::sleep_for(std::chrono::milliseconds(3));
    }
  });
  probes_done.get_future().wait();
  reader_probe.join();
  done = true;
  writer.join();
  const Percentiles late = percentiles(lateness_ms);
  const Percentiles readers = percentiles(readers_ms);
  std::printf("\nslow disk: every fsync %d ms slower; %ld commits during %zu loop probes, %lld "
              "fsyncs\n",
              fsync_delay_ms, commits.load(), lateness_ms.size(), vfs.syncs());
  print_row("a loop timer's delay (reader events, stream)", late);
  print_row("GET /v1/readers (answered on the loop)", readers);
  std::printf("  loop delay p99 %.3f ms (target <= 1 ms): %s\n", late.p99,
              late.p99 <= 1.0 ? "met" : "MISSED");
}

// --- the program: start and memory ------------------------------------------------------------

pid_t spawn_daemon(const std::string& binary, const std::string& config, const std::string& log) {
  std::vector<std::string> args = {binary, "--config", config};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  if (posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ) != 0) {
    die("cannot start " + binary);
  }
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

// Polls /v1/health and /v1/readers until the daemon answers with every reader online.
double wait_ready(const std::string& socket, pid_t pid, Clock::time_point started) {
  for (int i = 0; i < 20'000; ++i) {
    struct stat info {};
    if (::stat(socket.c_str(), &info) == 0) {
      try {
        Client client(socket);
        std::string readers;
        if (client.call(http::verb::get, "/v1/health", "") == 200 &&
            client.call(http::verb::get, "/v1/readers", "", &readers) == 200 &&
            readers.find("\"status\":\"offline\"") == std::string::npos) {
          return ms(Clock::now() - started);
        }
      } catch (const std::exception&) {
      }
    }
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) die("loyaltyd exited before it was ready");
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  die("loyaltyd was not ready within 10 s");
}

void stop_daemon(pid_t pid) {
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
}

long status_kb(pid_t pid, const char* field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field, 0) == 0) return std::strtol(line.c_str() + std::strlen(field), nullptr, 10);
  }
  return -1;
}

void start_time(const std::string& work, const std::string& binary, const Documents& documents,
                int starts) {
  const std::string dir = work + "/start";
  std::filesystem::create_directories(dir);
  write_file(dir + "/token", std::string(token) + "\n", 0600);
  int master = -1;
  int slave = -1;
  char name[128];
  if (::openpty(&master, &slave, name, nullptr, nullptr) != 0) die("openpty");
  write_file(dir + "/loyaltyd.toml", config_text(dir, documents.bundle_path, name));
  // A ledger with some history first.
  {
    const pid_t pid = spawn_daemon(binary, dir + "/loyaltyd.toml", dir + "/loyaltyd.log");
    wait_ready(dir + "/api.sock", pid, Clock::now());
    Client client(dir + "/api.sock");
    for (std::size_t i = 0; i < std::min<std::size_t>(documents.receipts.size(), 300); ++i) {
      client.call(http::verb::post, "/v1/receipts/R-" + std::to_string(i) + "/commit",
                  "{\"customer_id\":\"" + card_number(static_cast<int>(i)) + "\",\"receipt\":" +
                      documents.receipts[i] + "}");
    }
    stop_daemon(pid);
  }
  std::vector<double> ready_ms;
  for (int i = 0; i < starts; ++i) {
    const auto started = Clock::now();
    const pid_t pid = spawn_daemon(binary, dir + "/loyaltyd.toml", dir + "/loyaltyd.log");
    ready_ms.push_back(wait_ready(dir + "/api.sock", pid, started));
    stop_daemon(pid);
  }
  ::close(master);
  ::close(slave);
  const Percentiles p = percentiles(ready_ms);
  std::printf("\nstart: exec to ready (listening, the reader online, the bundle of %zu rules "
              "loaded, the ledger verified), %d starts\n",
              documents.program.rules.size(), starts);
  print_row("start to ready", p);
  std::printf("  p50 %.1f ms, max %.1f ms (target <= 200 ms): %s\n", p.p50, p.max,
              p.max <= 200 ? "met" : "MISSED");
}

void memory(const std::string& work, const std::string& binary, const Documents& documents,
            int customers) {
  const std::string dir = work + "/memory";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  write_file(dir + "/token", std::string(token) + "\n", 0600);
  write_file(dir + "/loyaltyd.toml", config_text(dir, documents.bundle_path, ""));
  {
    // The cache as HQ would have filled it; synchronous=NORMAL for the set-up only.
    loyalty::storage::LedgerOptions options;
    options.terminal_id = "T-bench";
    options.now = loyalty::Timestamp{1'800'000'000};
    options.database.durability = loyalty::storage::Durability::normal;
    auto ledger = loyalty::storage::Ledger::open(dir + "/ledger.db", options);
    if (!ledger.ok()) die(ledger.error().message);
    loyalty::storage::CustomerCache cache(ledger.value());
    for (int i = 0; i < customers; ++i) {
      loyalty::CustomerState state;
      state.customer_id = card_number(100'000 + i);
      state.tier = i % 5 == 0 ? "silver" : "";
      state.purchase_count = i % 40;
      state.period_spend = (i % 97) * 1000;
      if (!cache.refresh_from_hq(state, {true, true}, options.now).ok()) die("refresh_from_hq");
    }
  }
  const pid_t pid = spawn_daemon(binary, dir + "/loyaltyd.toml", dir + "/loyaltyd.log");
  wait_ready(dir + "/api.sock", pid, Clock::now());
  const long idle_kb = status_kb(pid, "VmRSS:");
  Client client(dir + "/api.sock");
  for (int i = 0; i < 2000; ++i) {
    const int who = 100'000 + (i * 7919) % customers;
    client.call(http::verb::post, "/v1/quote",
                "{\"customer_id\":\"" + card_number(who) + "\",\"receipt\":" +
                    documents.receipts[static_cast<std::size_t>(i) % documents.receipts.size()] +
                    "}");
  }
  const long busy_kb = status_kb(pid, "VmRSS:");
  const long peak_kb = status_kb(pid, "VmHWM:");
  stop_daemon(pid);
  std::printf("\nmemory: %d cached customers, %zu rules, after 2000 quotes across the cache\n",
              customers, documents.program.rules.size());
  std::printf("  VmRSS at ready %.1f MB, after the quotes %.1f MB, peak (VmHWM) %.1f MB\n",
              idle_kb / 1024.0, busy_kb / 1024.0, peak_kb / 1024.0);
  std::printf("  peak %.1f MB (target <= 32 MB): %s\n", peak_kb / 1024.0,
              peak_kb <= 32 * 1024 ? "met" : "MISSED");
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress as it goes, even into a file
  const int receipts = std::stoi(flag(argc, argv, "receipts", "400"));
  const int fsync_delay_ms = std::stoi(flag(argc, argv, "fsync-delay-ms", "5"));
  const int customers = std::stoi(flag(argc, argv, "customers", "100000"));
  const int rules = std::stoi(flag(argc, argv, "rules", "500"));
  const int starts = std::stoi(flag(argc, argv, "starts", "10"));
  const std::string work = flag(argc, argv, "dir", LOYALTY_BENCH_WORK_DIR "/daemon");
  const std::string binary = LOYALTYD_BINARY;
  std::filesystem::remove_all(work);
  std::filesystem::create_directories(work);
  std::printf("bench_daemon: work in %s\n", work.c_str());

  // --only=round-trip,throughput,slow-disk,start,memory runs some parts (default: all).
  const std::string only = flag(argc, argv, "only", "round-trip,throughput,slow-disk,start,memory");
  const auto wanted = [&](const char* part) { return only.find(part) != std::string::npos; };
  const Documents everyday = make_documents(work, 50, receipts, 20);
  if (wanted("round-trip")) round_trip(work, everyday);
  if (wanted("throughput")) throughput(work, everyday);
  if (wanted("slow-disk")) slow_disk(work, everyday, fsync_delay_ms);
  const Documents big = make_documents(work, rules, std::max(receipts, 300), 20);
  if (wanted("start")) start_time(work, binary, big, starts);
  if (wanted("memory")) memory(work, binary, big, customers);
  return 0;
}
