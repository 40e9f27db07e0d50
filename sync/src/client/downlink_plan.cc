#include "loyalty/sync/downlink_plan.h"

#include <type_traits>
#include <variant>

#include "loyalty/core/program_loader.h"

namespace loyalty::sync::client {
namespace {

std::string item_name(const DownlinkItem& item) {
  return std::string(downlink_kind_name(item.body)) + " item " + std::to_string(item.version);
}

// Checks a bundle; "" when it may apply, else why not.
std::string check_bundle(const TrustedKeys& trusted, const SignedBundle& bundle) {
  const Status verified = verify_bundle(trusted, bundle);
  if (!verified.ok()) return verified.error().message;
  Result<Program> program = load_program(bundle.program_json);
  if (!program.ok()) {
    return "bundle " + bundle.program_id + " v" + std::to_string(bundle.program_version) +
           " is signed but core does not load it: " + program.error().message;
  }
  if (program->program_id != bundle.program_id || program->version != bundle.program_version) {
    return "bundle " + bundle.program_id + " v" + std::to_string(bundle.program_version) +
           " holds program " + program->program_id + " v" + std::to_string(program->version) +
           ": the envelope and the program disagree";
  }
  return "";
}

std::string check_key(const TrustedKeys& trusted, const SignedKey& key) {
  const Status verified =
      trusted.verify(key.signer_key_id, key_signing_input(key.key), key.signature);
  if (!verified.ok()) return "signing key " + key.key.key_id + ": " + verified.error().message;
  return "";
}

// Adds the item's change to `update`.
void take(const DownlinkItem& item, storage::HqUpdate& update) {
  std::visit(
      [&](const auto& body) {
        using Body = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<Body, SignedBundle>) {
          update.bundles.push_back(storage::HqBundle{body.program_id, body.program_version,
                                                     body.effective_from, body.key_id,
                                                     body.program_json});
        } else if constexpr (std::is_same_v<Body, SignedKey>) {
          update.keys.push_back(storage::HqDeliveredKey{
              storage::HqDeliveredKey::Use::bundle_signing, body.key.key_id, body.key.public_pem});
        } else if constexpr (std::is_same_v<Body, BlockItem>) {
          std::string reason = body.reason;
          if (body.blocked && reason.empty()) reason = "blocked by HQ";
          update.pseudonym_blocks.push_back(
              storage::HqPseudonymBlock{body.pseudonym, body.blocked ? reason : ""});
        } else if constexpr (std::is_same_v<Body, CustomerItem>) {
          // HQ knows the tier period once a tiered program's receipt reported it (every such
          // receipt names the next review); without one it sends no tier period.
          std::optional<storage::HqTierPeriod> tier;
          if (body.review_at) {
            tier = storage::HqTierPeriod{body.tier.value_or(""), body.review_at,
                                         body.period_spend, body.period_points};
          }
          update.balances.push_back(storage::HqBalance{body.pseudonym, body.balance_points,
                                                       body.as_of_seq, body.expires_at, tier});
        } else if constexpr (std::is_same_v<Body, EraseItem>) {
          update.erase_pseudonyms.push_back(body.pseudonym);
        } else if constexpr (std::is_same_v<Body, KeysItem>) {
          update.pseudonym_key =
              storage::PseudonymKey{body.pseudonym_key_id, body.pseudonym_key_hex};
          for (const KeysItem::AppTokenKey& key : body.app_token_keys) {
            update.keys.push_back(storage::HqDeliveredKey{storage::HqDeliveredKey::Use::app_token,
                                                          key.key_id, key.key_hex});
          }
        }
      },
      item.body);
}

}  // namespace

storage::HqUpdate version_only_update(std::int64_t version) {
  storage::HqUpdate update;
  update.update_id = "downlink:" + std::to_string(version);
  update.downlink_version = version;
  return update;
}

std::optional<DownlinkPlan> plan_downlink(const Downlink& downlink, std::int64_t applied_version,
                                          TrustedKeys& trusted) {
  DownlinkPlan plan;
  std::int64_t last = applied_version;
  for (const DownlinkItem& item : downlink.items) {
    if (item.version <= last) continue;  // applied already, or out of order: HQ sends it again
    last = item.version;
    std::string refusal;
    if (const auto* bundle = std::get_if<SignedBundle>(&item.body)) {
      refusal = check_bundle(trusted, *bundle);
    } else if (const auto* key = std::get_if<SignedKey>(&item.body)) {
      refusal = check_key(trusted, *key);
      if (refusal.empty()) {
        const Status added = trusted.add(key->key);
        if (!added.ok()) refusal = "signing key " + key->key.key_id + ": " + added.error().message;
      }
    }
    storage::HqUpdate single = version_only_update(item.version);
    if (!refusal.empty()) {
      plan.refused.push_back(Refusal{item.version, downlink_kind_name(item.body),
                                     item_name(item) + " refused: " + refusal});
    } else {
      take(item, plan.update);
      take(item, single);
      ++plan.items;
    }
    plan.per_item.push_back(std::move(single));
  }
  if (plan.per_item.empty()) return std::nullopt;
  plan.update.update_id =
      "downlink:" + std::to_string(applied_version) + "-" + std::to_string(last);
  plan.update.downlink_version = last;
  return plan;
}

}  // namespace loyalty::sync::client
