// SyncClient (client.h): options checked, the TLS context made, the two loops started and
// stopped; the status and its JSON.

#include <ctime>

#include "client/client_impl.h"
#include "loyalty/core/json.h"
#include "loyalty/core/limits.h"

namespace loyalty::sync {

namespace client {

bool Shared::sleep(std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex);
  wake.wait_for(lock, wait, [&] { return stopping.load(); });
  return !stopping;
}

LoopClient::LoopClient(Shared& shared, HttpsClient* Shared::*slot)
    : shared_(shared),
      slot_(slot),
      https_(*shared.tls, HttpsClientOptions{shared.options.hq_host, shared.options.hq_port,
                                             shared.options.request_timeout}) {
  std::lock_guard lock(shared_.mutex);
  shared_.*slot_ = &https_;
  if (shared_.stopping) https_.cancel();  // stop() came before this client existed
}

LoopClient::~LoopClient() {
  std::lock_guard lock(shared_.mutex);
  shared_.*slot_ = nullptr;
}

void run_with_retries(Shared& shared, HttpsClient& https, Backoff& backoff, bool Shared::*ok,
                      const char* name, const std::function<Status()>& step,
                      const std::function<void()>& on_failure) {
  while (!shared.stopping) {
    const Status done = step();
    if (shared.stopping) break;
    if (done.ok()) {
      backoff.reset();
      continue;
    }
    on_failure();
    https.disconnect();
    const std::chrono::milliseconds wait = backoff.next();
    shared.log(std::string("sync ") + name + ": " + done.error().message + "; retrying in " +
               std::to_string(wait.count()) + " ms");
    {
      std::lock_guard lock(shared.mutex);
      shared.*ok = false;
    }
    shared.update([&](SyncStatus& s) {
      s.last_error = done.error().message;
      s.retry_in_ms = wait.count();
    });
    if (!shared.sleep(wait)) break;
  }
}

void Shared::derive_phase() {
  SyncStatus& s = status;
  if (!s.quarantine_reason.empty()) {
    s.phase = SyncPhase::quarantined;
  } else if (!uplink_ok || !downlink_ok) {
    s.phase = s.last_error.empty() ? SyncPhase::connecting : SyncPhase::offline;
  } else if (s.backlog > 0) {
    s.phase = SyncPhase::catching_up;
  } else {
    s.phase = SyncPhase::in_sync;
  }
}

}  // namespace client

struct SyncClient::Impl {
  client::Shared shared;
  std::thread uplink;
  std::thread downlink;
};

const char* sync_phase_name(SyncPhase phase) {
  switch (phase) {
    case SyncPhase::connecting:
      return "connecting";
    case SyncPhase::offline:
      return "offline";
    case SyncPhase::catching_up:
      return "catching_up";
    case SyncPhase::in_sync:
      return "in_sync";
    case SyncPhase::quarantined:
      return "quarantined";
  }
  return "?";
}

std::string sync_status_json(const SyncStatus& s) {
  json::Writer w;
  write_sync_status(w, s);
  return w.take();
}

void write_sync_status(json::Writer& w, const SyncStatus& s) {
  w.begin_object();
  w.key("phase");
  w.value(sync_phase_name(s.phase));
  w.key("local_seq");
  w.value(s.local_seq);
  w.key("held_seq");
  w.value(s.held_seq);
  w.key("backlog");
  w.value(s.backlog);
  w.key("events_sent");
  w.value(s.events_sent);
  w.key("rate_per_second");
  w.value(s.rate_per_second);
  w.key("eta_seconds");
  if (s.eta_seconds) {
    w.value(*s.eta_seconds);
  } else {
    w.null();
  }
  w.key("downlink_version");
  w.value(s.downlink_version);
  w.key("retry_in_ms");
  w.value(s.retry_in_ms);
  w.key("last_error");
  w.value(s.last_error);
  w.key("quarantine_reason");
  w.value(s.quarantine_reason);
  w.key("last_contact");
  if (s.last_contact) {
    w.value(format_timestamp(*s.last_contact));
  } else {
    w.null();
  }
  w.key("items_refused");
  w.value(s.items_refused);
  w.key("last_refusal");
  w.value(s.last_refusal);
  w.end_object();
}

SyncClient::SyncClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<SyncClient>> SyncClient::start(SyncClientOptions options,
                                                      std::shared_ptr<TerminalLedger> ledger) {
  if (ledger == nullptr) return make_error(ErrorCode::invalid_argument, "sync: no ledger");
  if (options.store_id.empty() || options.store_id.size() > limits::sync_id_bytes_max) {
    return make_error(ErrorCode::invalid_argument, "sync.store_id: must be 1.." +
                                                       std::to_string(limits::sync_id_bytes_max) +
                                                       " bytes, as in the terminal's certificate");
  }
  if (options.hq_host.empty() || options.hq_port == 0) {
    return make_error(ErrorCode::invalid_argument, "sync.hq: needs a host and a port");
  }
  if (options.batch_events == 0 || options.batch_events > limits::sync_batch_events_max) {
    return make_error(
        ErrorCode::invalid_argument,
        "sync.batch_events: must be 1.." + std::to_string(limits::sync_batch_events_max));
  }
  if (options.long_poll.count() < 0 || options.long_poll.count() > limits::sync_long_poll_ms_max) {
    return make_error(
        ErrorCode::invalid_argument,
        "sync.long_poll_ms: must be 0.." + std::to_string(limits::sync_long_poll_ms_max));
  }
  if (!options.clock) {
    options.clock = [] { return Timestamp{static_cast<std::int64_t>(std::time(nullptr))}; };
  }
  Result<boost::asio::ssl::context> tls = make_client_context(options.tls);
  if (!tls.ok()) return make_error(tls.error().code, "sync.tls: " + tls.error().message);
  // Checked once here, so a bad key fails the start and not every downlink.
  TrustedKeys trusted;
  for (const PublicKey& key : options.trusted_keys) {
    const Status added = trusted.add(key);
    if (!added.ok()) {
      return make_error(added.error().code, "sync.trusted_keys: " + added.error().message);
    }
  }
  auto impl = std::make_unique<Impl>();
  impl->shared.options = std::move(options);
  impl->shared.ledger = std::move(ledger);
  impl->shared.tls.emplace(std::move(tls).value());
  std::unique_ptr<SyncClient> client(new SyncClient(std::move(impl)));
  client::Shared& shared = client->impl_->shared;
  client->impl_->uplink = std::thread([&shared] { client::run_uplink(shared); });
  client->impl_->downlink = std::thread([&shared] { client::run_downlink(shared); });
  return client;
}

SyncClient::~SyncClient() { stop(); }

void SyncClient::stop() {
  client::Shared& shared = impl_->shared;
  {
    std::lock_guard lock(shared.mutex);
    shared.stopping = true;
    if (shared.uplink_client != nullptr) shared.uplink_client->cancel();
    if (shared.downlink_client != nullptr) shared.downlink_client->cancel();
  }
  shared.wake.notify_all();
  if (impl_->uplink.joinable()) impl_->uplink.join();
  if (impl_->downlink.joinable()) impl_->downlink.join();
}

void SyncClient::ledger_advanced(std::int64_t seq) {
  client::Shared& shared = impl_->shared;
  {
    std::lock_guard lock(shared.mutex);
    if (seq <= shared.advanced_to) return;
    shared.advanced_to = seq;
  }
  shared.wake.notify_all();
}

SyncStatus SyncClient::status() const {
  std::lock_guard lock(impl_->shared.mutex);
  return impl_->shared.status;
}

}  // namespace loyalty::sync
