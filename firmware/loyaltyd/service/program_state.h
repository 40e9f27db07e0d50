// The rule bundle the till runs: the Program, its text (stored in the ledger so refunds can
// rebuild a receipt's quote), the identification rules with their app-token verifier, and the
// program's draw key. Loaded whole from the configuration at start and on SIGHUP, or from a
// bundle HQ delivered (service/hq_program.h); a new one replaces the old one in one step, and a
// bad one is refused with the old one still running.
//
// Ownership: owns everything, keys included (wiped by their owners when destroyed). Shared as
// std::shared_ptr<const ProgramState> between the loop (identification of scans) and the
// storage thread (quotes). Thread-safety: immutable after load.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "config/config.h"
#include "loyalty/core/identification.h"
#include "loyalty/core/program.h"
#include "loyalty/core/result.h"
#include "loyalty/drivers/tokens/hmac_keys.h"
#include "loyalty/environment/hmac_draw_keyer.h"

namespace loyalty::daemon {

// Where the running bundle came from.
enum class ProgramOrigin { config, hq };
const char* program_origin_name(ProgramOrigin origin);  // "config", "hq"

struct ProgramState {
  ProgramOrigin origin = ProgramOrigin::config;
  Program program;
  std::string bundle_json;
  std::optional<IdentificationRules> identification;  // nullopt: the bundle identifies no one
  std::optional<drivers::HmacTokenVerifier> token_verifier;
  std::vector<std::string> token_key_ids;  // the verifier's key ids (no key material)
  std::optional<environment::HmacDrawKeyer> draw_keyer;

  std::span<const CardRange> own_card_ranges() const;
  // The same bundle from the same origin with the same token keys: swapping would change nothing.
  bool same_rules(const ProgramState& other) const;
  // Identifies typed or scanned text under the bundle's rules; no_rules when it has none.
  Result<CustomerToken> identify(std::string_view input, InputSource source, Timestamp now) const;
};

// Reads program.bundle and program.draw_key_file. `extra_app_token_keys` (HQ's) join the
// bundle's; a key id the bundle names too keeps the bundle's key. Errors name the file and the
// field.
Result<std::shared_ptr<const ProgramState>> load_program_state(
    const ProgramConfig& config, std::span<const AppTokenKey> extra_app_token_keys = {});
// The same from a bundle's text; `source` names it in errors.
Result<std::shared_ptr<const ProgramState>> program_state_from_text(
    std::string bundle_json, const std::string& source, ProgramOrigin origin,
    const ProgramConfig& config, std::span<const AppTokenKey> extra_app_token_keys);

}  // namespace loyalty::daemon
