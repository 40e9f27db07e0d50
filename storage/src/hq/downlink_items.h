// The items of an HQ update that come from sync's downlink (hq_update.h): pseudonym blocks and
// erasures, balance views, bundles and the downlink version. Internal to storage; each runs
// inside apply_hq_update's write transaction.
#pragma once

#include <cstdint>
#include <vector>

#include "loyalty/core/result.h"
#include "loyalty/storage/hq_update.h"
#include "loyalty/storage/ledger.h"
#include "loyalty/storage/transaction.h"

namespace loyalty::storage::hq_internal {

Status validate_downlink_items(const HqUpdate& update);
// Netstrings of every downlink field, for the update's request hash.
void hash_downlink_items(const HqUpdate& update, std::string& input);

Status apply_pseudonym_blocks(Ledger& ledger, const HqUpdate& update, Timestamp at);
// Erases the cards this ledger knows under the pseudonyms; returns how many it erased.
Result<std::int64_t> erase_by_pseudonym(Ledger& ledger, const Transaction& transaction,
                                        const HqUpdate& update, Timestamp at);
// The corrections that bring each known customer's view to HQ's (HqBalance); none for a
// customer whose view already matches or whom this ledger does not know.
Result<std::vector<HqCorrection>> balance_corrections(Ledger& ledger,
                                                      const Transaction& transaction,
                                                      const HqUpdate& update, Timestamp at);
// Takes HQ's tier periods into the cache rows (HqBalance::tier); returns how many rows changed.
Result<std::int64_t> apply_tier_periods(Ledger& ledger, const HqUpdate& update, Timestamp at);
Status store_bundles(Ledger& ledger, const HqUpdate& update, Timestamp at);
Status record_downlink_version(Ledger& ledger, const HqUpdate& update);
// "signing_key:<id>" or "app_token_key:<id>": the key's row in sync_state.
std::string key_name(HqDeliveredKey::Use use, std::string_view key_id);
Status store_keys(Ledger& ledger, const HqUpdate& update);

}  // namespace loyalty::storage::hq_internal
