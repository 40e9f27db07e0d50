// The rule bundle the till runs: the Program, its text (stored in the ledger so refunds can
// rebuild a receipt's quote), the identification rules with their app-token verifier, and the
// program's draw key. Loaded whole from the configuration, at start and on SIGHUP; a new one
// replaces the old one in one step, and a bad one is refused with the old one still running.
//
// Ownership: owns everything, keys included (wiped by their owners when destroyed). Shared as
// std::shared_ptr<const ProgramState> between the loop (identification of scans) and the
// storage thread (quotes). Thread-safety: immutable after load.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>

#include "config/config.h"
#include "loyalty/core/identification.h"
#include "loyalty/core/program.h"
#include "loyalty/core/result.h"
#include "loyalty/drivers/tokens/hmac_keys.h"
#include "loyalty/environment/hmac_draw_keyer.h"

namespace loyalty::daemon {

struct ProgramState {
  Program program;
  std::string bundle_json;
  std::optional<IdentificationRules> identification;  // nullopt: the bundle identifies no one
  std::optional<drivers::HmacTokenVerifier> token_verifier;
  std::optional<environment::HmacDrawKeyer> draw_keyer;

  std::span<const CardRange> own_card_ranges() const;
  // Identifies typed or scanned text under the bundle's rules; no_rules when it has none.
  Result<CustomerToken> identify(std::string_view input, InputSource source, Timestamp now) const;
};

// Reads program.bundle and program.draw_key_file. Errors name the file and the field.
Result<std::shared_ptr<const ProgramState>> load_program_state(const ProgramConfig& config);

}  // namespace loyalty::daemon
