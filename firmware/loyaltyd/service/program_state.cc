#include "service/program_state.h"

#include <algorithm>

#include "config/read_file.h"
#include "loyalty/core/program_loader.h"

namespace loyalty::daemon {

namespace {

constexpr std::size_t bundle_file_bytes_max = 16 * 1024 * 1024;
constexpr std::size_t draw_key_file_bytes_max = 4096;

}  // namespace

std::span<const CardRange> ProgramState::own_card_ranges() const {
  if (!identification) return {};
  return identification->card_ranges;
}

Result<CustomerToken> ProgramState::identify(std::string_view input, InputSource source,
                                             Timestamp now) const {
  static const IdentificationRules none;  // accepts nothing: every input is no_rules
  const TokenSignatureVerifier* verifier = token_verifier ? &*token_verifier : nullptr;
  return loyalty::identify(input, source, identification ? *identification : none, now, verifier);
}

Result<std::shared_ptr<const ProgramState>> load_program_state(const ProgramConfig& config) {
  auto state = std::make_shared<ProgramState>();
  state->bundle_json = TRY(read_bounded_file(config.bundle, bundle_file_bytes_max));
  Result<Program> program = load_program(state->bundle_json);
  if (!program.ok()) {
    return make_error(program.error().code, config.bundle + ": " + program.error().message);
  }
  state->program = std::move(program).value();
  if (state->program.identification) {
    IdentificationConfig& identification = *state->program.identification;
    if (!identification.app_token_keys.empty()) {
      auto verifier = drivers::HmacTokenVerifier::from_keys(identification.app_token_keys);
      if (!verifier.ok()) {
        return make_error(verifier.error().code, config.bundle + ": identification.app_tokens: " +
                                                     verifier.error().message);
      }
      state->token_verifier.emplace(std::move(verifier).value());
    }
    state->identification = identification.rules;
  }
  if (config.draw_key_file) {
    std::string text = TRY(read_bounded_file(*config.draw_key_file, draw_key_file_bytes_max));
    Result<environment::HmacDrawKeyer> keyer = environment::HmacDrawKeyer::from_hex(text);
    std::fill(text.begin(), text.end(), '\0');
    if (!keyer.ok()) {
      return make_error(keyer.error().code, *config.draw_key_file + ": " + keyer.error().message);
    }
    state->draw_keyer.emplace(std::move(keyer).value());
  }
  return std::shared_ptr<const ProgramState>(std::move(state));
}

}  // namespace loyalty::daemon
