#include "service/program_state.h"

#include <algorithm>

#include "config/read_file.h"
#include "loyalty/core/limits.h"
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

bool ProgramState::same_rules(const ProgramState& other) const {
  return origin == other.origin && bundle_json == other.bundle_json &&
         token_key_ids == other.token_key_ids;
}

Result<CustomerToken> ProgramState::identify(std::string_view input, InputSource source,
                                             Timestamp now) const {
  static const IdentificationRules none;  // accepts nothing: every input is no_rules
  const TokenSignatureVerifier* verifier = token_verifier ? &*token_verifier : nullptr;
  return loyalty::identify(input, source, identification ? *identification : none, now, verifier);
}

const char* program_origin_name(ProgramOrigin origin) {
  return origin == ProgramOrigin::hq ? "hq" : "config";
}

Result<std::shared_ptr<const ProgramState>> load_program_state(
    const ProgramConfig& config, std::span<const AppTokenKey> extra_app_token_keys) {
  std::string text = TRY(read_bounded_file(config.bundle, bundle_file_bytes_max));
  return program_state_from_text(std::move(text), config.bundle, ProgramOrigin::config, config,
                                 extra_app_token_keys);
}

Result<std::shared_ptr<const ProgramState>> program_state_from_text(
    std::string bundle_json, const std::string& source, ProgramOrigin origin,
    const ProgramConfig& config, std::span<const AppTokenKey> extra_app_token_keys) {
  auto state = std::make_shared<ProgramState>();
  state->origin = origin;
  state->bundle_json = std::move(bundle_json);
  Result<Program> program = load_program(state->bundle_json);
  if (!program.ok()) {
    return make_error(program.error().code, source + ": " + program.error().message);
  }
  state->program = std::move(program).value();
  if (state->program.identification) {
    IdentificationConfig& identification = *state->program.identification;
    std::vector<AppTokenKey> keys = identification.app_token_keys;
    for (const AppTokenKey& extra : extra_app_token_keys) {
      const bool named = std::any_of(keys.begin(), keys.end(), [&](const AppTokenKey& key) {
        return key.key_id == extra.key_id;
      });
      if (!named) keys.push_back(extra);
    }
    // The verifier holds at most limits::token_keys_max: the bundle's, then the last of the others
    // (HQ's come in key-id order; ids that carry their date, as "app-2027a", keep the newest).
    const std::size_t own = identification.app_token_keys.size();
    if (keys.size() > limits::token_keys_max && own < limits::token_keys_max) {
      keys.erase(keys.begin() + static_cast<std::ptrdiff_t>(own),
                 keys.end() - static_cast<std::ptrdiff_t>(limits::token_keys_max - own));
    }
    if (!keys.empty()) {
      auto verifier = drivers::HmacTokenVerifier::from_keys(keys);
      if (!verifier.ok()) {
        return make_error(verifier.error().code,
                          source + ": identification.app_tokens: " + verifier.error().message);
      }
      state->token_verifier.emplace(std::move(verifier).value());
      for (const AppTokenKey& key : keys) state->token_key_ids.push_back(key.key_id);
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
