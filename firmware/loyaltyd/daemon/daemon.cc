#include "daemon/daemon.h"

#include <chrono>
#include <cstdlib>
#include <fstream>

#include "config/read_file.h"
#include "loyalty/core/json.h"
#include "loyalty/drivers/log.h"
#include "panel/panel.h"

namespace loyalty::daemon {

namespace {

// Jobs the storage thread may have queued; one more is answered 503 busy.
constexpr std::size_t storage_jobs_max = 256;
// How often expired holds are voided and the WAL checkpointed when the till is idle.
constexpr std::chrono::seconds housekeeping_interval{10};
constexpr std::size_t card_key_file_bytes_max = 1024;

Timestamp system_now() {
  return Timestamp{std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count()};
}

Result<drivers::HmacCardTokenizer> load_card_tokenizer(const std::string& path) {
  Result<std::string> read = read_bounded_file(path, card_key_file_bytes_max);
  if (!read.ok()) {
    return make_error(read.error().code, "readers.card_key_file: " + read.error().message);
  }
  std::string text = std::move(read).value();
  Result<drivers::HmacKeyBytes> key =
      drivers::parse_hmac_key_hex(text, "readers.card_key_file: " + path);
  std::fill(text.begin(), text.end(), '\0');
  if (!key.ok()) return std::move(key).error();
  return drivers::HmacCardTokenizer::create(std::move(key).value());
}

void log_notes(const std::vector<std::string>& notes) {
  for (const std::string& note : notes) drivers::log(drivers::LogLevel::warning, note);
}

// {"program_id","version","origin"} of the running bundle, for the event stream.
std::string program_json(const ProgramState& program) {
  return "{\"program_id\":" + json::quote(program.program.program_id) +
         ",\"version\":" + std::to_string(program.program.version) + ",\"origin\":\"" +
         program_origin_name(program.origin) + "\"}";
}

}  // namespace

Daemon::Daemon(boost::asio::io_context& io, DaemonOptions options)
    : io_(io), options_(std::move(options)), housekeeping_(io), program_switch_(io) {
  if (!options_.clock) options_.clock = system_now;
  started_at_ = options_.clock();
}

Daemon::~Daemon() { stop(); }

Result<std::unique_ptr<Daemon>> Daemon::start(boost::asio::io_context& io, DaemonOptions options) {
  std::unique_ptr<Daemon> daemon(new Daemon(io, std::move(options)));
  const Status up = daemon->bring_up();
  if (!up.ok()) {
    daemon->stop();
    return up.error();
  }
  return daemon;
}

Status Daemon::bring_up() {
  const Config& config = options_.config;
  tokens_.emplace(TRY(ApiTokens::load(config.api.token_file)));
  program_ = TRY(load_program_state(config.program));
  if (config.readers.card_key_file) {
    card_tokenizer_.emplace(TRY(load_card_tokenizer(*config.readers.card_key_file)));
  }

  TillServiceOptions service_options;
  service_options.ledger_path = config.ledger_path();
  service_options.terminal_id = config.terminal.id;
  service_options.time_zone = config.terminal.time_zone;
  service_options.hold_timeout_s = config.ledger.hold_timeout_s;
  service_options.busy_timeout_ms = config.ledger.busy_timeout_ms;
  service_options.sqlite_vfs = options_.sqlite_vfs;
  service_options.release = options_.version;
  if (const char* fault = std::getenv("LOYALTYD_FAULT_KILL_AFTER_COMMIT")) {
    service_options.kill_after_commit = fault;
  }
  service_ = TRY(TillService::open(service_options, program_, options_.clock()));
  std::optional<Timestamp> next_switch;
  {
    // What HQ delivered before this start (no storage thread yet: the ledger is this thread's).
    const HqProgramView view = TRY(read_hq_program(service_->ledger(), options_.clock()));
    hq_fingerprint_ = view.fingerprint();
    next_switch = view.next_effective_from;
    if (view.bundle || !view.app_token_keys.empty()) {
      std::vector<std::string> notes;
      Result<std::shared_ptr<const ProgramState>> effective =
          effective_program(config.program, view, notes);
      log_notes(notes);
      if (!effective.ok()) {
        drivers::log(drivers::LogLevel::warning,
                     "keeping the configured rule bundle: " + effective.error().message);
      } else if (!(*effective)->same_rules(*program_)) {
        TRY(service_->replace_program(*effective, options_.clock()));
        program_ = std::move(effective).value();
      }
    }
  }
  worker_ = std::make_unique<StorageWorker>(io_, storage_jobs_max);

  PosApiContext context;
  context.worker = worker_.get();
  context.service = service_.get();
  context.hub = &hub_;
  context.tokens = &*tokens_;
  context.clock = options_.clock;
  context.readers_json = [this] {
    return readers_ ? readers_->readers_json() : std::string("{\"readers\":[]}");
  };
  context.health_json = [this] { return health_json(); };
  context.event_streams_max = config.api.event_streams_max;
  api_ = std::make_unique<PosApi>(std::move(context));

  HttpLimits limits;
  limits.connections_max = config.api.connections_max;
  limits.header_bytes_max = config.api.header_bytes_max;
  limits.body_bytes_max = config.api.body_bytes_max;
  limits.read_timeout_ms = config.api.read_timeout_ms;
  limits.idle_timeout_ms = config.api.idle_timeout_ms;
  api_server_ = std::make_unique<HttpServer>(io_, limits, *api_);
  const Status unix_listening = api_server_->listen_unix(
      config.api.socket, config.api.socket_mode, config.api.socket_group.value_or(""));
  if (!unix_listening.ok()) {
    return make_error(unix_listening.error().code, "api.socket: " + unix_listening.error().message);
  }
  if (config.api.tcp) {
    const Status tcp = api_server_->listen_tcp(config.api.tcp->address, config.api.tcp->port);
    if (!tcp.ok()) return make_error(tcp.error().code, "api.tcp: " + tcp.error().message);
  }

  if (config.panel.enabled) {
    PanelContext panel_context;
    panel_context.hub = &hub_;
    panel_context.clock = options_.clock;
    panel_context.config = config.panel;
    panel_context.readers_json = [this] {
      return readers_ ? readers_->readers_json() : std::string("{\"readers\":[]}");
    };
    panel_context.program = [this] { return program_; };
    panel_context.sync_state = [this] { return std::string(sync_state_name(sync_->state())); };
    panel_context.sync_detail = [this](json::Writer& out) { sync_->write_detail(out); };
    Result<std::unique_ptr<PanelHandler>> panel = PanelHandler::create(std::move(panel_context));
    if (!panel.ok()) return panel.error();
    panel_ = std::move(panel).value();
    HttpLimits panel_limits = limits;
    panel_limits.body_bytes_max = 4096;  // the panel takes no bodies
    panel_server_ = std::make_unique<HttpServer>(io_, panel_limits, *panel_);
    const Status listening =
        panel_server_->listen_tcp(config.panel.listen.address, config.panel.listen.port);
    if (!listening.ok()) {
      return make_error(listening.error().code, "panel.listen: " + listening.error().message);
    }
    panel_->set_port(panel_server_->bound_port());
  }
  // Every receipt or refund the ledger wrote advances the outbox the sync link ships.
  hub_.observe([this](const StreamEvent& event, std::uint64_t) {
    if (event.type != "receipt.committed" && event.type != "refund.committed") return;
    Result<json::Value> data = json::parse(event.data_json);
    if (!data.ok()) return;
    const json::Value* seq = data->find("event_seq");
    if (seq != nullptr && seq->is_int()) sync_->ledger_advanced(seq->as_int());
  });
  if (config.sync) {
    HqLinkContext link{&io_, worker_.get(), service_.get(), &hub_, options_.clock,
                       [this] { refresh_program(); }};
    Result<std::unique_ptr<HqLink>> started =
        HqLink::start(*config.sync, config.terminal.store_id, link);
    if (!started.ok()) return started.error();
    sync_ = std::move(started).value();
  }
  TRY(start_readers(config.readers));
  schedule_housekeeping();
  schedule_program_switch(next_switch);
  return Status();
}

Status Daemon::start_readers(const ReadersConfig& config) {
  readers_ = std::make_unique<ReaderManager>(io_, config, program_->own_card_ranges(),
                                             card_tokenizer_ ? &*card_tokenizer_ : nullptr);
  readers_program_ = program_;
  readers_->on_scan([this](const drivers::ScanEvent& event) { on_scan(event); });
  readers_->on_status([this](const ReaderView& view) {
    json::Writer out;
    out.begin_object();
    out.key("id");
    out.value(view.info.id);
    out.key("kind");
    out.value(drivers::device_kind_name(view.info.kind));
    out.key("status");
    out.value(reader_status_name(view.status));
    out.key("reason");
    out.value(view.reason);
    out.end_object();
    hub_.publish({std::string("reader.") + reader_status_name(view.status), out.take()},
                 options_.clock());
  });
  readers_->on_error([this](const drivers::ErrorEvent& event) {
    json::Writer out;
    out.begin_object();
    out.key("id");
    out.value(event.device_id());
    out.key("result");
    out.value(drivers::upos_result_name(event.result()));
    out.key("extended");
    out.value(static_cast<std::int64_t>(event.extended()));
    out.key("message");
    out.value(event.message());
    out.end_object();
    hub_.publish({"reader.error", out.take()}, options_.clock());
  });
  return readers_->start();
}

void Daemon::on_scan(const drivers::ScanEvent& event) {
  std::string text;
  if (event.kind() == drivers::DeviceKind::scanner) {
    text = event.label();
  } else if (event.swipe()) {
    const drivers::Swipe& swipe = *event.swipe();
    if (swipe.payment_card) {
      // Never identified, never stored: the cashier is told to ask for the loyalty card.
      hub_.publish({"scan.payment_card",
                    "{\"device\":" + json::quote(event.device_id()) + "}"},
                   options_.clock());
      return;
    }
    if (const drivers::TrackResult* track = swipe.identifying_track()) text = track->raw;
  }
  if (text.empty()) return;
  TillService* service = service_.get();
  const std::string device = event.device_id();
  const Timestamp now = options_.clock();
  const bool queued = worker_->submit(
      [service, device, text, now]() { return service->identify_scanned(device, text, now); },
      [this](Outcome outcome) { api_->publish(outcome); });
  if (!queued) drivers::log(drivers::LogLevel::warning, "scan from " + device +
                                                            " dropped: the ledger's queue is full");
}

Status Daemon::reload(const Config& config) {
  // Load everything new first; nothing is swapped until all of it loaded.
  ApiTokens tokens = TRY(ApiTokens::load(config.api.token_file));
  std::shared_ptr<const ProgramState> program = TRY(load_program_state(config.program));
  TillService* service = service_.get();
  const Timestamp now = options_.clock();
  // The bundle is stored in the ledger on the storage thread; wait for it there. A bundle HQ
  // delivered that is in effect still takes precedence over the file's.
  struct Swapped {
    Status status;
    std::shared_ptr<const ProgramState> program;
    std::string fingerprint;
    std::vector<std::string> notes;
    std::optional<Timestamp> next_effective_from;
  };
  auto stored = std::make_shared<std::optional<Swapped>>();
  const ProgramConfig program_config = config.program;
  const bool queued = worker_->submit(
      [service, program, program_config, now]() {
        Swapped out{Status(), program, "", {}, std::nullopt};
        Result<HqProgramView> view = read_hq_program(service->ledger(), now);
        if (!view.ok()) {
          out.status = view.error();
          return out;
        }
        out.fingerprint = view->fingerprint();
        out.next_effective_from = view->next_effective_from;
        if (view->bundle || !view->app_token_keys.empty()) {
          Result<std::shared_ptr<const ProgramState>> effective =
              effective_program(program_config, *view, out.notes);
          if (!effective.ok()) {
            out.status = effective.error();
            return out;
          }
          out.program = std::move(effective).value();
        }
        out.status = service->replace_program(out.program, now);
        return out;
      },
      [stored](Swapped swapped) { *stored = std::move(swapped); });
  if (!queued) return make_error(ErrorCode::busy, "the ledger's queue is full; reload again");
  // A program switch due meanwhile waits for the reload (refresh_program checks reloading_).
  reloading_ = true;
  while (!stored->has_value() && !io_.stopped()) io_.run_one();
  reloading_ = false;
  if (!stored->has_value()) return make_error(ErrorCode::internal, "stopped during reload");
  log_notes((*stored)->notes);
  TRY((*stored)->status);
  program = (*stored)->program;
  hq_fingerprint_ = (*stored)->fingerprint;
  schedule_program_switch((*stored)->next_effective_from);
  tokens_.emplace(std::move(tokens));
  program_ = std::move(program);
  options_.config.program = config.program;
  options_.config.api.token_file = config.api.token_file;
  options_.config.readers = config.readers;
  if (readers_) readers_->stop();
  TRY(start_readers(config.readers));
  hub_.publish({"daemon.reloaded", program_json(*program_)}, options_.clock());
  return Status();
}

void Daemon::refresh_program() {
  if (refresh_pending_ || reloading_ || stopped_) return;
  struct Refresh {
    std::string fingerprint;  // "" when the ledger could not be read
    std::shared_ptr<const ProgramState> program;  // null: keep the one running
    std::string error;
    std::optional<Timestamp> next_effective_from;
    std::vector<std::string> notes;
  };
  TillService* service = service_.get();
  const ProgramConfig config = options_.config.program;
  const std::string known = hq_fingerprint_;
  const std::shared_ptr<const ProgramState> running = program_;
  const Timestamp now = options_.clock();
  refresh_pending_ = worker_->submit(
      [service, config, known, running, now]() {
        Refresh out;
        Result<HqProgramView> view = read_hq_program(service->ledger(), now);
        if (!view.ok()) return Refresh{"", nullptr, view.error().message, std::nullopt, {}};
        out.fingerprint = view->fingerprint();
        out.next_effective_from = view->next_effective_from;
        if (out.fingerprint == known) return out;
        Result<std::shared_ptr<const ProgramState>> effective =
            effective_program(config, *view, out.notes);
        if (!effective.ok()) {
          out.error = effective.error().message;
          return out;
        }
        // HQ's news may leave the rules as they are (a bundle older than the configured one).
        if ((*effective)->same_rules(*running)) return out;
        const Status replaced = service->replace_program(*effective, now);
        if (!replaced.ok()) {
          return Refresh{"", nullptr, replaced.error().message, std::nullopt, {}};
        }
        out.program = std::move(effective).value();
        return out;
      },
      [this](Refresh refresh) {
        refresh_pending_ = false;
        log_notes(refresh.notes);
        // A view that failed is not tried again until it changes; a ledger that could not be read
        // is, at the next tick.
        if (!refresh.fingerprint.empty()) hq_fingerprint_ = refresh.fingerprint;
        schedule_program_switch(refresh.next_effective_from);
        if (!refresh.error.empty()) {
          drivers::log(drivers::LogLevel::warning,
                       "the rules HQ delivered were not taken: " + refresh.error);
          return;
        }
        if (!refresh.program) return;
        program_ = std::move(refresh.program);
        if (readers_) readers_->stop();
        const Status readers = start_readers(options_.config.readers);
        if (!readers.ok()) {
          drivers::log(drivers::LogLevel::warning,
                       "readers after the program changed: " + readers.error().message);
        }
        hub_.publish({"program.changed", program_json(*program_)}, options_.clock());
      });
}

void Daemon::schedule_program_switch(std::optional<Timestamp> at) {
  program_switch_.cancel();
  if (!at || stopped_) return;
  // Effective times are whole seconds: wake just after the second begins.
  const std::int64_t seconds =
      std::max<std::int64_t>(0, at->unix_seconds - options_.clock().unix_seconds);
  program_switch_.expires_after(std::chrono::seconds(seconds) + std::chrono::milliseconds(50));
  program_switch_.async_wait([this](const boost::system::error_code& error) {
    if (!error && !stopped_) refresh_program();
  });
}

void Daemon::schedule_housekeeping() {
  housekeeping_.expires_after(housekeeping_interval);
  housekeeping_.async_wait([this](const boost::system::error_code& error) {
    if (error || stopped_) return;
    TillService* service = service_.get();
    const Timestamp now = options_.clock();
    if (worker_->queued() == 0) {
      worker_->submit(
          [service, now]() {
            Result<std::int64_t> voided = service->void_expired_holds(now);
            (void)service->idle();
            return voided.ok() ? voided.value() : std::int64_t{0};
          },
          [this](std::int64_t voided) {
            if (voided > 0) {
              hub_.publish({"receipt.expired", "{\"cancelled\":" + std::to_string(voided) + "}"},
                           options_.clock());
            }
          });
    }
    refresh_program();
    schedule_housekeeping();
  });
}

std::string Daemon::health_json() const {
  json::Writer out;
  out.begin_object();
  out.key("status");
  out.value("ok");
  out.key("version");
  out.value(options_.version);
  out.key("terminal_id");
  out.value(options_.config.terminal.id);
  out.key("store_id");
  out.value(options_.config.terminal.store_id);
  out.key("started_at");
  out.value(format_timestamp(started_at_));
  out.key("program");
  out.begin_object();
  out.key("program_id");
  out.value(program_ ? program_->program.program_id : std::string());
  out.key("version");
  out.value(program_ ? program_->program.version : 0);
  out.key("origin");
  out.value(program_ ? program_origin_name(program_->origin) : "config");
  out.end_object();
  out.key("readers");
  out.value(readers_ ? readers_->readers().size() : std::size_t{0});
  out.key("event_streams");
  out.value(hub_.subscribers());
  // The sync link (sync/sync_link.h): offline without a [sync] section.
  out.key("sync");
  out.value(sync_state_name(sync_->state()));
  out.key("sync_detail");
  sync_->write_detail(out);
  out.end_object();
  return out.take();
}

void Daemon::stop() {
  if (stopped_) return;
  stopped_ = true;
  housekeeping_.cancel();
  program_switch_.cancel();
  if (readers_) readers_->stop();
  if (api_server_) api_server_->stop();
  if (panel_server_) panel_server_->stop();
  if (sync_) sync_->stop();  // its threads wait on the storage thread: before the worker stops
  if (worker_) worker_->stop();  // finishes the jobs queued: nothing half-written
}

std::string Daemon::panel_url() const {
  if (!panel_server_) return "";
  const LoopbackEndpoint& listen = options_.config.panel.listen;
  const std::string host = listen.address.find(':') != std::string::npos
                               ? "[" + listen.address + "]"
                               : listen.address;
  return "http://" + host + ":" + std::to_string(panel_server_->bound_port()) + "/panel/";
}

std::uint16_t Daemon::api_tcp_port() const {
  return api_server_ ? api_server_->bound_port() : 0;
}

}  // namespace loyalty::daemon
