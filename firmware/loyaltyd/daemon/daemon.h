// loyaltyd composed: one Boost.Asio loop for the readers, the POS API, the till panel and the
// event stream; the ledger on the storage thread (service/storage_worker.h). docs/loyaltyd.md
// draws the picture.
//
// start() brings everything up in order and fails whole (nothing left listening) on the first
// error, with a message naming the configuration key at fault: the API tokens, the rule bundle,
// the ledger (opened and verified from its checkpoint), the POS listeners, the panel listener,
// the readers. reload() (SIGHUP) loads the new configuration's bundle, tokens and reader settings
// first and swaps them in only when all of them loaded; a bad one keeps the old one running.
// Listener addresses are not reloaded (a restart changes them). A bundle or app-token keys HQ
// delivered (service/hq_program.h) take over at start, after each downlink answer and at each
// housekeeping tick (every 10 s), so a bundle starts within seconds of its effective_from.
//
// Ownership: borrows the io_context (which must outlive it) and owns the rest. Thread-safety:
// the loop's thread only (start, reload and stop included).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "api/auth.h"
#include "api/http_server.h"
#include "api/pos_api.h"
#include "config/config.h"
#include "events/event_hub.h"
#include "panel/panel.h"
#include "loyalty/core/result.h"
#include "readers/reader_manager.h"
#include "service/hq_program.h"
#include "service/program_state.h"
#include "service/storage_worker.h"
#include "service/till_service.h"
#include "sync/hq_link.h"
#include "sync/sync_link.h"

namespace loyalty::daemon {

struct DaemonOptions {
  Config config;
  std::function<Timestamp()> clock;  // default: the system clock
  std::string sqlite_vfs;            // "" the default VFS (benchmarks inject a slow fsync)
  std::string version = "dev";  // the release (main.cc: LOYALTY_VERSION)
};

class Daemon {
 public:
  static Result<std::unique_ptr<Daemon>> start(boost::asio::io_context& io, DaemonOptions options);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  Status reload(const Config& config);
  void stop();

  // Where the panel listens ("http://127.0.0.1:8765/panel/"), "" when it is off.
  std::string panel_url() const;
  std::uint16_t api_tcp_port() const;
  EventHub& hub() { return hub_; }
  const Config& config() const { return options_.config; }

 private:
  Daemon(boost::asio::io_context& io, DaemonOptions options);
  Status bring_up();
  Status start_readers(const ReadersConfig& config);
  void on_scan(const drivers::ScanEvent& event);
  void schedule_housekeeping();
  // Reads what HQ delivered on the storage thread and switches the program when it changed.
  void refresh_program();
  // Wakes refresh_program() when a delivered bundle's effective_from comes.
  void schedule_program_switch(std::optional<Timestamp> at);
  std::string health_json() const;

  boost::asio::io_context& io_;
  DaemonOptions options_;
  Timestamp started_at_;
  EventHub hub_;
  std::optional<ApiTokens> tokens_;
  std::shared_ptr<const ProgramState> program_;
  // Kept until the readers built with its card ranges are gone.
  std::shared_ptr<const ProgramState> readers_program_;
  std::optional<drivers::HmacCardTokenizer> card_tokenizer_;
  std::string hq_fingerprint_;  // HqProgramView::fingerprint() of the running program
  bool refresh_pending_ = false;
  bool reloading_ = false;  // reload() is waiting for the storage thread
  std::unique_ptr<TillService> service_;
  std::unique_ptr<StorageWorker> worker_;
  std::unique_ptr<PosApi> api_;
  std::unique_ptr<HttpServer> api_server_;
  std::unique_ptr<PanelHandler> panel_;
  std::unique_ptr<HttpServer> panel_server_;
  std::unique_ptr<ReaderManager> readers_;
  std::unique_ptr<SyncLink> sync_ = std::make_unique<OfflineSync>();
  boost::asio::steady_timer housekeeping_;
  boost::asio::steady_timer program_switch_;
  bool stopped_ = false;
};

}  // namespace loyalty::daemon
