// What `listen` and `swipe` identify customers with: the identification section of the rule
// bundle given with --program, or the reason there is none. Nothing is built in: without a
// bundle, or with a bundle that has no identification section, readers still read and the
// bank-card rule still withholds every track in the financial layout, but no one is identified
// and each scan says why (reason no_rules).
//
// Ownership: holds its rules and the token verifier (with copies of the bundle's keys, wiped when
// it is destroyed); the own card ranges it hands to readers are views into it, so it must
// outlive them. Thread-safety: immutable after load(); used from main's thread.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "loyalty/core/identification.h"
#include "loyalty/core/json.h"
#include "loyalty/core/result.h"
#include "loyalty/core/time.h"
#include "loyalty/drivers/magstripe/magstripe.h"
#include "loyalty/drivers/tokens/hmac_keys.h"

namespace loyalty::cli {

class TillIdentification {
 public:
  // The rules of the bundle at *program_path, or none when program_path is null. Errors: the
  // bundle's own ("<path>: identification.card_ranges[0]...: ..."), or its keys refused by the
  // verifier.
  static Result<TillIdentification> load(const std::string* program_path);

  // The chain's own card ranges, for the bank-card rule; empty without rules.
  std::span<const CardRange> own_card_ranges() const;

  // Writes the member "identification": {"kind","form","value","card_range"?,"card_kind"?,
  // "expires_at"?,"key_id"?} or {"reason","error"} for `text` as scanned at `now`.
  void write(json::Writer& out, std::string_view text, Timestamp now) const;
  // The same for a swipe that was not withheld and has a usable track (track 2, else track 1);
  // writes nothing otherwise.
  void write_swipe(json::Writer& out, const drivers::Swipe& swipe, Timestamp now) const;

 private:
  TillIdentification() = default;

  std::optional<IdentificationRules> rules_;
  std::optional<drivers::HmacTokenVerifier> verifier_;
  std::string no_rules_reason_;  // set when rules_ is not
};

}  // namespace loyalty::cli
