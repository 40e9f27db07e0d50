// From a downlink answer to the ledger update that applies it, after checking every item.
//
// Each item is checked on its own; one that fails is refused (left out, with the reason) and the
// rest apply:
// - a rule bundle must verify against a trusted key (its key id names it), be a bundle core
//   loads, and carry the id and version its signed envelope names. Whether it is older than the
//   one the ledger holds is the ledger's check (storage refuses it in apply_hq_update);
// - a new signing key must be signed by a key already trusted; it is trusted from then on (also
//   for the bundles after it in the same answer) and kept in the ledger;
// - blocks, customer states, erasures and the chain's keys are taken as HQ sent them (HQ is
//   authenticated by its certificate; the ledger checks their form).
// The update records the version of the answer's last item, so a refused item is not asked for
// again: HQ publishes a corrected one under a new version.
//
// Pure apart from `trusted`, which it extends. Thread-safety: one thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "loyalty/storage/hq_update.h"
#include "loyalty/sync/downlink.h"
#include "loyalty/sync/signing.h"

namespace loyalty::sync::client {

struct Refusal {
  std::int64_t version = 0;
  std::string kind;    // downlink_kind_name
  std::string reason;  // names the item and what is wrong
};

struct DownlinkPlan {
  // Every item taken, in one update: id "downlink:<after>-<last version>", the last version.
  storage::HqUpdate update;
  // The same, one update per item of the answer (id "downlink:<version>", that version); a
  // refused item's update carries only its version. For applying item by item when the ledger
  // refuses the whole.
  std::vector<storage::HqUpdate> per_item;
  std::vector<Refusal> refused;
  std::size_t items = 0;  // items taken
};

// nullopt when the answer holds no item after `applied_version`.
std::optional<DownlinkPlan> plan_downlink(const Downlink& downlink, std::int64_t applied_version,
                                          TrustedKeys& trusted);

// The update that only moves the downlink version to `version` (an item the ledger refused).
storage::HqUpdate version_only_update(std::int64_t version);

}  // namespace loyalty::sync::client
