#include "service/hq_program.h"

#include <algorithm>
#include <utility>

#include "loyalty/drivers/tokens/hmac_keys.h"

namespace loyalty::daemon {

namespace {

// HQ's keys as a bundle's AppTokenKeys. A key HQ delivered that does not parse names its id.
Result<std::vector<AppTokenKey>> delivered_keys(const HqProgramView& hq) {
  std::vector<AppTokenKey> keys;
  for (const storage::HqDeliveredKey& delivered : hq.app_token_keys) {
    Result<drivers::HmacKeyBytes> bytes = drivers::parse_hmac_key_hex(
        delivered.material, "the app-token key " + delivered.key_id + " HQ delivered");
    if (!bytes.ok()) return std::move(bytes).error();
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
                                                              const HqProgramView& hq) {
  const std::vector<AppTokenKey> keys = TRY(delivered_keys(hq));
  const std::shared_ptr<const ProgramState> configured = TRY(load_program_state(config, keys));
  if (!hq.bundle) return configured;
  const Program& own = configured->program;
  const bool replaces = hq.bundle->program_id != own.program_id ||
                        hq.bundle->version > static_cast<std::int64_t>(own.version);
  if (!replaces) return configured;
  return program_state_from_text(hq.bundle->bundle_json,
                                 "the bundle " + hq.bundle->program_id + " version " +
                                     std::to_string(hq.bundle->version) + " HQ delivered",
                                 ProgramOrigin::hq, config, keys);
}

}  // namespace loyalty::daemon
