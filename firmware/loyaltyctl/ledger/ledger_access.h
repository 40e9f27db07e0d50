// Opening the ledger for loyaltyctl's ledger commands, and the helpers they share: --at parsing,
// id lists and JSON fragments.
//
// Thread-safety: pure functions over values; a Ledger is used by one thread at a time.
#pragma once

#include <string>
#include <string_view>

#include "args/cli_args.h"
#include "loyalty/core/result.h"
#include "loyalty/core/time.h"
#include "loyalty/storage/ledger.h"

namespace loyalty::cli {

// Opens the ledger at `path`, creating it with `terminal_id` when missing (checkout).
Result<storage::Ledger> open_or_create_ledger(const std::string& path,
                                              const std::string& terminal_id, Timestamp now);

// Opens an existing ledger; a missing file is an invalid_argument error
// "<path>: no such ledger file" (the file is not created).
Result<storage::Ledger> open_existing_ledger(const std::string& path, Timestamp now);

// Opens an existing ledger without refusing one that fails its check (LedgerOptions::
// refuse_broken = false), for `ledger check` to report the problems. Nothing may write to it
// but the checkpoint of a check that passed.
Result<storage::Ledger> open_existing_ledger_unchecked(const std::string& path, Timestamp now);

// Fails with "<path>: no such ledger file" unless `path` names an existing regular file.
Status require_ledger_file(const std::string& path);

// `"key":` followed by the JSON-quoted `value`, for hand-built one-line objects.
std::string json_field(std::string_view key, std::string_view value);

}  // namespace loyalty::cli
