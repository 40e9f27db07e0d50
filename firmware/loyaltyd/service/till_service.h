// The till's operations, as the POS API and the readers ask for them: identify a customer, quote,
// open, commit and cancel receipts, refund, balance and history, enrol. Each takes the request as
// the API received it (path parameters and the JSON body) and returns an Outcome: the reply or an
// RFC 9457 problem, and the events it causes on the event stream.
//
// Every operation runs on the storage thread (storage_worker.h), which alone touches the ledger.
// Each ledger write is one transaction (storage::Till), so an operation that fails wrote nothing.
//
// Retries. The POS may send any request again after a timeout. A receipt is written once per
// receipt id and a refund once per refund id; the same request again returns the stored result
// ("replayed": true), and the same id with other content is a 409. A request without "at" is
// stamped with the time the daemon received it; when the ledger already holds the receipt, the
// retry is compared at the time the receipt was first written, so a retry need not repeat "at".
//
// Ownership: owns the Ledger, the Till and the customer cache; shares the ProgramState.
// Thread-safety: none; the storage thread only (construct it anywhere before the thread runs).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "loyalty/core/result.h"
#include "loyalty/core/time.h"
#include "loyalty/environment/tzdb_zone.h"
#include "loyalty/storage/checkout.h"
#include "loyalty/storage/customers.h"
#include "loyalty/storage/ledger.h"
#include "service/outcome.h"
#include "service/program_state.h"

namespace loyalty::daemon {

struct TillServiceOptions {
  std::string ledger_path;
  std::string terminal_id;
  std::optional<std::string> time_zone;  // IANA name
  std::int64_t hold_timeout_s = 15 * 60;
  std::int64_t busy_timeout_ms = 5000;
  std::string sqlite_vfs;  // "" the default; benchmarks and fault tests name a slow or faulty one
  std::string release;     // the daemon's version, recorded in the ledger (software_releases)
  // Fault injection for the crash tests: the process kills itself (SIGKILL) right after the
  // ledger committed this receipt id, before the reply is sent. Set from the environment
  // variable LOYALTYD_FAULT_KILL_AFTER_COMMIT; empty: never.
  std::string kill_after_commit;
};

class TillService {
 public:
  // Opens (or creates) the ledger, verifies it from its checkpoint, and stores the bundle.
  static Result<std::unique_ptr<TillService>> open(const TillServiceOptions& options,
                                                   std::shared_ptr<const ProgramState> program,
                                                   Timestamp now);

  // A new bundle: stored in the ledger first; on error the old one stays.
  Status replace_program(std::shared_ptr<const ProgramState> program, Timestamp now);
  const ProgramState& program() const { return *program_; }

  // POST /v1/identify {"input", "source": "typed"|"scan"}.
  Outcome identify(std::string_view body, Timestamp now);
  // A scan or swipe from a reader: the customer.identified event (or none).
  Outcome identify_scanned(std::string_view device_id, std::string_view text, Timestamp now);
  // POST /v1/quote {"customer_id"?, "receipt", "at"?}.
  Outcome quote(std::string_view body, Timestamp now);
  // POST /v1/receipts/{id}/open, .../commit {"customer_id"?, "receipt"?, "at"?}; .../cancel.
  Outcome open_receipt(std::string_view receipt_id, std::string_view body, Timestamp now);
  Outcome commit_receipt(std::string_view receipt_id, std::string_view body, Timestamp now);
  Outcome cancel_receipt(std::string_view receipt_id, Timestamp now);
  // GET /v1/receipts/{id}.
  Outcome get_receipt(std::string_view receipt_id);
  // POST /v1/refunds/{id} {"receipt_id", "lines": [{"line", "quantity"}], "at"?}.
  Outcome refund(std::string_view refund_id, std::string_view body, Timestamp now);
  // GET /v1/customers/{id}/balance, .../history?limit=N.
  Outcome balance(std::string_view customer_id, Timestamp now);
  Outcome history(std::string_view customer_id, std::size_t entries_max);
  // POST /v1/customers {"customer_id", "consent": {"marketing", "profile"}, "birthday"?}.
  Outcome enrol(std::string_view body, Timestamp now);
  // GET /v1/health's ledger part: {"terminal_id","checked_through_seq"}.
  Outcome ledger_health();
  // POST /v1/ledger/check: verifies what was written since the ledger's checkpoint and that the
  // ledger still reaches it (storage's check_since_checkpoint), moving the checkpoint when it
  // passes: {"ok","schema_version","schema_build_version","checked_through_seq","problems",
  // "releases"} (the releases that opened the ledger, latest first).
  // Problems are a 200 with ok false: the check ran. For `loyaltyctl health`.
  Outcome check_ledger(Timestamp now);

  // The ledger itself, for sync (firmware/loyaltyd/sync/): on the storage thread only.
  storage::Ledger& ledger() { return ledger_; }

  // Background work between customers: voids holds older than the timeout, checkpoints the WAL.
  Result<std::int64_t> void_expired_holds(Timestamp now);
  Status idle();

 private:
  TillService(storage::Ledger ledger, std::optional<environment::TzdbZone> zone,
              std::shared_ptr<const ProgramState> program, std::int64_t hold_timeout_s);

  storage::TillEnvironment environment() const;
  Outcome write_receipt(std::string_view receipt_id, std::string_view body, Timestamp now,
                        bool hold);
  std::string customer_summary_json(std::string_view customer_id, Timestamp now);
  Outcome identified(const CustomerToken& token, std::string_view source, Timestamp now);

  storage::Ledger ledger_;
  std::optional<environment::TzdbZone> zone_;
  std::shared_ptr<const ProgramState> program_;
  std::int64_t hold_timeout_s_;
  std::string kill_after_commit_;
  storage::Till till_;
  storage::CustomerCache cache_;
};

}  // namespace loyalty::daemon
