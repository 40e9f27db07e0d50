#include "service/hq_program.h"

#include <algorithm>
#include <utility>

#include "loyalty/core/limits.h"
#include "loyalty/drivers/tokens/hmac_keys.h"

namespace loyalty::daemon {

namespace {

// HQ's keys as a bundle's AppTokenKeys. One that cannot be a token key (its id, or bytes of the
// wrong length) is left out, and `notes` says which (by id only): the others still work.
std::vector<AppTokenKey> delivered_keys(const HqProgramView& hq, std::vector<std::string>& notes) {
  std::vector<AppTokenKey> keys;
  for (const storage::HqDeliveredKey& delivered : hq.app_token_keys) {
    const std::string name =
        "the app-token key \"" + delivered.key_id.substr(0, 64) + "\" HQ delivered";
    if (!is_token_key_id(delivered.key_id)) {
      notes.push_back(name + " is left out: its id is not 1.." +
                      std::to_string(limits::token_key_id_bytes_max) + " of A-Z a-z 0-9 _ -");
      continue;
    }
    Result<drivers::HmacKeyBytes> bytes = drivers::parse_hmac_key_hex(delivered.material, name);
    if (!bytes.ok() || bytes->size() < drivers::hmac_key_bytes_min ||
        bytes->size() > limits::hmac_key_bytes_max) {
      notes.push_back(name + " is left out: it is not " +
                      std::to_string(drivers::hmac_key_bytes_min) + ".." +
                      std::to_string(limits::hmac_key_bytes_max) + " bytes as hex");
      continue;
    }
    keys.push_back(AppTokenKey{delivered.key_id, SecretBytes(std::move(bytes).value())});
  }
  return keys;
}

}  // namespace

std::string HqProgramView::fingerprint() const {
  std::string out = bundle ? bundle->program_id + "@" + std::to_string(bundle->version) : "-";
  std::vector<std::string> ids;
  for (const storage::HqDeliveredKey& key : app_token_keys) ids.push_back(key.key_id);
  std::sort(ids.begin(), ids.end());
  for (const std::string& id : ids) out += " " + id;
  return out;
}

Result<HqProgramView> read_hq_program(storage::Ledger& ledger, Timestamp now) {
  HqProgramView view;
  view.bundle = TRY(storage::effective_bundle(ledger, "", now));
  view.app_token_keys =
      TRY(storage::delivered_keys(ledger, storage::HqDeliveredKey::Use::app_token));
  view.next_effective_from = TRY(storage::next_effective_from(ledger, now));
  return view;
}

Result<std::shared_ptr<const ProgramState>> effective_program(const ProgramConfig& config,
                                                              const HqProgramView& hq,
                                                              std::vector<std::string>& notes) {
  const std::vector<AppTokenKey> keys = delivered_keys(hq, notes);
  const std::shared_ptr<const ProgramState> configured = TRY(load_program_state(config, keys));
  if (!hq.bundle) return configured;
  const Program& own = configured->program;
  const bool replaces = hq.bundle->program_id != own.program_id ||
                        hq.bundle->version > static_cast<std::int64_t>(own.version);
  if (!replaces) return configured;
  Result<std::shared_ptr<const ProgramState>> delivered =
      program_state_from_text(hq.bundle->bundle_json,
                              "the bundle " + hq.bundle->program_id + " version " +
                                  std::to_string(hq.bundle->version) + " HQ delivered",
                              ProgramOrigin::hq, config, keys);
  if (delivered.ok()) return delivered;
  // A bundle sync accepted always loads; if this one does not, the till keeps its own rules.
  notes.push_back(delivered.error().message + "; the configured bundle runs");
  return configured;
}

}  // namespace loyalty::daemon
