// The program the till runs once HQ delivers rules: the configuration's bundle, or the newest
// bundle HQ delivered that is in effect, with the app-token keys HQ delivered added to the
// bundle's (docs/loyaltyd.md, "Rules from HQ").
//
// read_hq_program() runs on the storage thread (it reads the ledger); effective_program() loads
// files and parses the bundle, so the daemon calls it only when the view's fingerprint changed.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "loyalty/core/result.h"
#include "loyalty/core/time.h"
#include "loyalty/storage/hq_update.h"
#include "loyalty/storage/ledger.h"
#include "service/program_state.h"

namespace loyalty::daemon {

struct HqProgramView {
  std::optional<storage::HqBundle> bundle;              // the newest delivered one in effect
  std::vector<storage::HqDeliveredKey> app_token_keys;  // every app-token key HQ delivered
  std::optional<Timestamp> next_effective_from;         // a delivered bundle that starts later

  // Changes when the bundle in effect or the set of keys changes (a key id names one key
  // forever, so the ids are enough). No key material in it.
  std::string fingerprint() const;
};

// What the ledger holds from HQ at `now`.
Result<HqProgramView> read_hq_program(storage::Ledger& ledger, Timestamp now);

// The configuration's bundle (program.bundle), replaced by HQ's when HQ's is another program or
// a newer version of the same one; its app-token keys are the bundle's and HQ's (a key id both
// name keeps the bundle's key). What HQ delivered never makes it fail: a key that cannot be one,
// keys beyond limits::token_keys_max, or an HQ bundle that does not load are left out, and
// `notes` says so (for the log; key ids only). Errors name the configuration's file.
Result<std::shared_ptr<const ProgramState>> effective_program(const ProgramConfig& config,
                                                              const HqProgramView& hq,
                                                              std::vector<std::string>& notes);

}  // namespace loyalty::daemon
