#include "sync/hq_link.h"

#include <boost/asio/post.hpp>

#include "config/read_file.h"
#include "loyalty/core/json.h"
#include "loyalty/core/limits.h"
#include "loyalty/drivers/log.h"
#include "sync/worker_ledger.h"

namespace loyalty::daemon {
namespace {

using namespace std::chrono_literals;

SyncState state_of(sync::SyncPhase phase) {
  switch (phase) {
    case sync::SyncPhase::connecting:
    case sync::SyncPhase::offline:
      return SyncState::offline;
    case sync::SyncPhase::catching_up:
      return SyncState::syncing;
    case sync::SyncPhase::in_sync:
      return SyncState::in_sync;
    case sync::SyncPhase::quarantined:
      return SyncState::quarantined;
  }
  return SyncState::offline;
}

}  // namespace

HqLink::HqLink(HqLinkContext context) : context_(std::move(context)), trailing_(*context_.loop) {}

HqLink::~HqLink() { stop(); }

Result<std::unique_ptr<HqLink>> HqLink::start(const SyncConfig& config, const std::string& store_id,
                                              HqLinkContext context) {
  sync::SyncClientOptions options;
  options.store_id = store_id;
  options.hq_host = config.hq_host;
  options.hq_port = config.hq_port;
  options.tls = sync::TlsFiles{config.certificate, config.private_key, config.ca};
  for (const SyncConfig::TrustedKey& key : config.trusted_keys) {
    Result<std::string> pem = read_bounded_file(key.file, limits::sync_pem_bytes_max);
    if (!pem.ok()) {
      return make_error(pem.error().code,
                        "sync.trusted_keys (" + key.id + "): " + pem.error().message);
    }
    options.trusted_keys.push_back(sync::PublicKey{key.id, std::move(pem).value()});
  }
  options.batch_events = config.batch_events;
  options.trickle = std::chrono::milliseconds(config.trickle_ms);
  options.long_poll = std::chrono::milliseconds(config.long_poll_ms);
  options.request_timeout = std::chrono::milliseconds(config.request_timeout_ms);
  options.backoff_initial = std::chrono::milliseconds(config.backoff_initial_ms);
  options.backoff_max = std::chrono::milliseconds(config.backoff_max_ms);
  options.clock = context.clock;
  std::unique_ptr<HqLink> link(new HqLink(context));
  boost::asio::io_context& loop = *context.loop;
  HqLink* self = link.get();
  std::weak_ptr<bool> alive = link->alive_;
  options.on_status = [&loop, self, alive](const sync::SyncStatus& status) {
    boost::asio::post(loop, [self, alive, status] {
      if (alive.lock()) self->on_status(status);
    });
  };
  EventHub* hub = context.hub;
  std::function<Timestamp()> clock = context.clock;
  std::function<void()> on_applied = context.on_applied;
  options.on_applied = [&loop, hub, clock, alive,
                        on_applied](const storage::HqUpdateResult& applied) {
    boost::asio::post(loop, [hub, clock, alive, applied, on_applied] {
      if (!alive.lock()) return;
      if (on_applied) on_applied();
      hub->publish({"sync.applied", "{\"update_id\":" + json::quote(applied.update_id) +
                                        ",\"event_seq\":" + std::to_string(applied.event_seq) +
                                        ",\"summary\":" + applied.summary_json + "}"},
                   clock());
    });
  };
  options.log = [](const std::string& line) { drivers::log(drivers::LogLevel::info, line); };
  std::shared_ptr<sync::TerminalLedger> ledger =
      worker_ledger(*context.worker, *context.service, context.clock);
  Result<std::unique_ptr<sync::SyncClient>> client =
      sync::SyncClient::start(std::move(options), std::move(ledger));
  if (!client.ok()) return client.error();
  link->client_ = std::move(client).value();
  return link;
}

void HqLink::on_status(const sync::SyncStatus& status) {
  latest_ = status;
  const auto connected = [](sync::SyncPhase phase) {
    return phase == sync::SyncPhase::catching_up || phase == sync::SyncPhase::in_sync;
  };
  const bool turned = connected(status.phase) != connected(last_published_.phase) ||
                      (status.phase == sync::SyncPhase::quarantined) !=
                          (last_published_.phase == sync::SyncPhase::quarantined);
  const auto now = std::chrono::steady_clock::now();
  if (turned || now - published_at_ >= 1s) {
    publish_latest();
    return;
  }
  if (trailing_pending_) return;
  trailing_pending_ = true;
  trailing_.expires_at(published_at_ + 1s);
  std::weak_ptr<bool> alive = alive_;
  trailing_.async_wait([this, alive](const boost::system::error_code& error) {
    if (error || !alive.lock()) return;
    trailing_pending_ = false;
    if (!(latest_ == last_published_)) publish_latest();
  });
}

void HqLink::publish_latest() {
  last_published_ = latest_;
  published_at_ = std::chrono::steady_clock::now();
  context_.hub->publish({"sync.status", sync::sync_status_json(latest_)}, context_.clock());
}

SyncState HqLink::state() const {
  return client_ ? state_of(client_->status().phase) : SyncState::offline;
}

void HqLink::ledger_advanced(std::int64_t seq) {
  if (client_) client_->ledger_advanced(seq);
}

std::int64_t HqLink::acknowledged_seq() const { return client_ ? client_->status().held_seq : 0; }

void HqLink::write_detail(json::Writer& out) const {
  if (client_) {
    sync::write_sync_status(out, client_->status());
  } else {
    out.null();
  }
}

void HqLink::stop() {
  alive_.reset();  // what the client posted to the loop is dropped from now on
  trailing_.cancel();
  if (client_) client_->stop();
}

}  // namespace loyalty::daemon
