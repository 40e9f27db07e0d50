// One pseudonym's projection state in the SQLite HQ store's tables (owner_rows.cc), inside the
// caller's write transaction.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "hq/internal.h"
#include "hq/rows.h"
#include "loyalty/storage/database.h"

namespace loyalty::sync::hq {

// The saved state, or a fresh one (state_version 0) for a pseudonym HQ has not projected.
Result<OwnerState> load_owner(storage::Database& db, std::string_view pseudonym);
// Replaces the customers row and the open lots.
Status save_owner(storage::Database& db, const OwnerState& state, Timestamp changed_at);
// Each run's entries in order, with rowids one more than the largest.
Status insert_entries(storage::Database& db, std::span<const OwnedEntries> runs);
Status delete_entries(storage::Database& db, std::string_view owner);

}  // namespace loyalty::sync::hq
