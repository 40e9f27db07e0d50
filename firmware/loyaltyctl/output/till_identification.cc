// The identification rules of `listen` and `swipe` (till_identification.h).
#include "output/till_identification.h"

#include <utility>

#include "commands.h"
#include "loyalty/core/identification_json.h"
#include "loyalty/core/program.h"

namespace loyalty::cli {

namespace {

void write_refusal(json::Writer& out, std::string_view reason, std::string_view message) {
  out.key("reason");
  out.value(reason);
  out.key("error");
  out.value(message);
}

}  // namespace

Result<TillIdentification> TillIdentification::load(const std::string* program_path) {
  TillIdentification till;
  if (program_path == nullptr) {
    till.no_rules_reason_ =
        "no_rules: no rule bundle was given (--program FILE), so no one is identified; cards are "
        "still read and payment cards withheld";
    return till;
  }
  Program program = TRY(load_program_file(*program_path));
  if (!program.identification) {
    till.no_rules_reason_ = "no_rules: program " + program.program_id + " version " +
                            std::to_string(program.version) +
                            " has no identification section, so no one is identified; cards "
                            "are still read and payment cards withheld";
    return till;
  }
  IdentificationConfig& config = *program.identification;
  if (!config.app_token_keys.empty()) {
    auto verifier = drivers::HmacTokenVerifier::from_keys(config.app_token_keys);
    if (!verifier.ok()) {
      return make_error(verifier.error().code,
                        *program_path + ": identification.app_tokens: " + verifier.error().message);
    }
    till.verifier_.emplace(std::move(verifier).value());
  }
  till.rules_ = std::move(config.rules);
  return till;
}

std::span<const CardRange> TillIdentification::own_card_ranges() const {
  if (!rules_) return {};
  return rules_->card_ranges;
}

void TillIdentification::write(json::Writer& out, std::string_view text, Timestamp now) const {
  out.key("identification");
  out.begin_object();
  if (!rules_) {
    write_refusal(out, "no_rules", no_rules_reason_);
  } else {
    const TokenSignatureVerifier* verifier = verifier_ ? &*verifier_ : nullptr;
    const Result<CustomerToken> token = identify(text, InputSource::scan, *rules_, now, verifier);
    if (token.ok()) {
      write_token_members(out, *token);
    } else {
      const auto reason = identification_error(token.error());
      write_refusal(out, reason ? identification_error_name(*reason) : "error",
                    token.error().message);
    }
  }
  out.end_object();
}

void TillIdentification::write_swipe(json::Writer& out, const drivers::Swipe& swipe,
                                     Timestamp now) const {
  if (const drivers::TrackResult* track = swipe.identifying_track()) write(out, track->raw, now);
}

}  // namespace loyalty::cli
