// The terminal's sync client (docs/sync.md): ships the ledger's events to HQ and applies what
// HQ sends back. loyaltyd runs one; the fault tests run several.
//
// Two threads, each with its own kept-alive mTLS connection (https.h):
// - the uplink ships events_since(held) in batches of at most batch_events, where `held` is the
//   highest contiguous seq HQ says it holds (GET /v1/uplink/state after every reconnect, then
//   each Ack). It never keeps its own idea of what HQ has: after any failure it asks HQ again,
//   so delivery is at least once and HQ's idempotent store makes the effect exactly once.
//   Idle, it waits for ledger_advanced() or the trickle interval.
// - the downlink long-polls GET /v1/downlink?after=V, where V is the version the ledger applied
//   last, verifies every item (downlink_plan.h) and applies the answer in one ledger
//   transaction that records the new version with it.
// Both retry with exponential backoff and jitter (backoff.h). A large backlog reports progress:
// events sent, the rate and the estimated time left (SyncStatus).
//
// Thread-safety: start(), stop(), ledger_advanced() and status() from any thread. The callbacks
// in SyncClientOptions run on the client's threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "loyalty/core/json.h"
#include "loyalty/core/result.h"
#include "loyalty/core/time.h"
#include "loyalty/storage/events.h"
#include "loyalty/storage/hq_update.h"
#include "loyalty/sync/signing.h"
#include "loyalty/sync/tls.h"

namespace loyalty::sync {

// What the client needs of the terminal's ledger. Every call may block (loyaltyd runs them on
// its storage thread and waits); they are called from the client's threads.
class TerminalLedger {
 public:
  struct Head {
    std::string terminal_id;
    std::string epoch;  // 16 lowercase hex digits
    std::int64_t last_seq = 0;
  };
  virtual ~TerminalLedger() = default;
  virtual Result<Head> head() = 0;
  virtual Result<std::vector<storage::EventRow>> events_since(std::int64_t after_seq,
                                                              std::size_t count_max) = 0;
  virtual Result<std::int64_t> downlink_version() = 0;
  virtual Result<std::vector<storage::HqDeliveredKey>> signing_keys() = 0;
  virtual Result<storage::HqUpdateResult> apply(const storage::HqUpdate& update) = 0;
};

// The ledger's terminal id, epoch and last seq (for TerminalLedger::head implementations).
Result<TerminalLedger::Head> ledger_head(storage::Ledger& ledger);

// A TerminalLedger over a Ledger opened by the caller, serialised by a mutex (tests and tools;
// the ledger must outlive it and not be used elsewhere meanwhile).
std::shared_ptr<TerminalLedger> locked_terminal_ledger(storage::Ledger& ledger,
                                                       std::function<Timestamp()> clock);

enum class SyncPhase {
  connecting,   // not yet heard from HQ
  offline,      // the last exchange failed; retrying after a backoff
  catching_up,  // HQ lacks events the ledger holds; shipping them
  in_sync,      // HQ holds every event, and the downlink is current
  quarantined,  // HQ keeps this terminal's events but applies none until an operator releases it
};
const char* sync_phase_name(SyncPhase phase);

struct SyncStatus {
  SyncPhase phase = SyncPhase::connecting;
  std::int64_t local_seq = 0;               // the ledger's last event
  std::int64_t held_seq = 0;                // the last HQ holds contiguously
  std::int64_t backlog = 0;                 // local_seq - held_seq
  std::int64_t events_sent = 0;             // since start()
  std::int64_t rate_per_second = 0;         // events acknowledged per second, recently
  std::optional<std::int64_t> eta_seconds;  // backlog / rate while catching up
  std::int64_t downlink_version = 0;
  std::int64_t retry_in_ms = 0;  // while offline
  std::string last_error;        // the last failure ('' after a success); no secrets
  std::string quarantine_reason;
  std::optional<Timestamp> last_contact;  // the last answer from HQ
  std::int64_t items_refused = 0;         // downlink items verification refused, since start()
  std::string last_refusal;
  bool operator==(const SyncStatus&) const = default;
};

// SyncStatus as one JSON object (the event stream's "sync.status" and /v1/health), written into
// `out` where a value goes, or as a text of its own.
void write_sync_status(json::Writer& out, const SyncStatus& status);
std::string sync_status_json(const SyncStatus& status);

struct SyncClientOptions {
  std::string store_id;  // as in the terminal's certificate
  std::string hq_host;   // as named in HQ's certificate
  std::uint16_t hq_port = 0;
  TlsFiles tls;
  std::vector<PublicKey> trusted_keys;      // bundle-signing keys trusted from the configuration
  std::size_t batch_events = 500;           // 1..limits::sync_batch_events_max
  std::chrono::milliseconds trickle{1000};  // the longest an idle uplink waits to look again
  std::chrono::milliseconds long_poll{25'000};
  std::chrono::milliseconds request_timeout{20'000};
  std::chrono::milliseconds backoff_initial{500};
  std::chrono::milliseconds backoff_max{60'000};
  std::function<Timestamp()> clock;  // default: the system clock
  // Every change of status.
  std::function<void(const SyncStatus&)> on_status;
  // After a downlink answer changed the ledger (loyaltyd reloads its bundle and blocklist view);
  // not called for an answer that changed nothing (event_seq 0).
  std::function<void(const storage::HqUpdateResult&)> on_applied;
  // One line for the log (no secrets, no personal data).
  std::function<void(const std::string&)> log;
};

class SyncClient {
 public:
  // Fails with invalid_argument for bad options and with the TLS context's error for bad files.
  static Result<std::unique_ptr<SyncClient>> start(SyncClientOptions options,
                                                   std::shared_ptr<TerminalLedger> ledger);
  ~SyncClient();  // stop()
  SyncClient(const SyncClient&) = delete;
  SyncClient& operator=(const SyncClient&) = delete;

  // Stops both threads (an exchange in flight is cut at once); idempotent.
  void stop();
  // The ledger wrote events up to `seq`: ship them now.
  void ledger_advanced(std::int64_t seq);
  SyncStatus status() const;

 private:
  struct Impl;
  explicit SyncClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace loyalty::sync
