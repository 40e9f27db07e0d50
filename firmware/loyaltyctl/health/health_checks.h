// The verdicts of `loyaltyctl health`, from what a running loyaltyd answered: GET /v1/health,
// GET /v1/readers and POST /v1/ledger/check (docs/pos-api.yaml). Pure: no I/O, so every rule is
// tested on exact replies (tests/firmware/daemon/health_gate_test.cc).
//
// Four checks, each ok, warn or fail; the terminal is healthy when none fails:
//   service  the daemon answered /v1/health with status ok;
//   ledger   migrated (schema_version >= this build's) and its invariants hold since the
//            checkpoint; a schema newer than the daemon's build is a warning (a rolled-back
//            release running on a ledger the newer one migrated, which expand/contract allows);
//   readers  every configured reader was probed and is online; one that is gone (unplugged) is a
//            warning, one that could not be opened (offline) or is held by another program
//            (claimed) fails;
//   sync     in sync with HQ, or not configured; else the backlog HQ does not hold yet must be at
//            most backlog_max events (a warning then), and a quarantined terminal fails.
//
// Thread-safety: pure functions over values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "loyalty/core/result.h"

namespace loyalty::cli {

enum class Verdict { ok, warn, fail };
const char* verdict_name(Verdict verdict);

struct HealthCheck {
  std::string name;  // "service", "ledger", "readers", "sync"
  Verdict verdict = Verdict::fail;
  std::string detail;  // one line for store IT: what was seen, and what to do when it fails
};

struct HealthOptions {
  std::int64_t backlog_max = 20000;  // events; about a month of a busy till's receipts
};

// The daemon's replies (bodies of 2xx answers), or the error that stopped each request.
struct DaemonAnswers {
  std::string socket;  // for messages
  // readers and ledger_check are asked only once /v1/health answered.
  Result<std::string> health = make_error(ErrorCode::io_error, "not asked");
  Result<std::string> readers =
      make_error(ErrorCode::io_error, "not asked: loyaltyd did not answer");
  Result<std::string> ledger_check =
      make_error(ErrorCode::io_error, "not asked: loyaltyd did not answer");
};

// The four checks, in the order above. A reply that is not what docs/pos-api.yaml describes
// fails its check, naming what was wrong.
std::vector<HealthCheck> evaluate_health(const DaemonAnswers& answers,
                                         const HealthOptions& options);

bool healthy(const std::vector<HealthCheck>& checks);

}  // namespace loyalty::cli
