// Pseudonyms: how a customer is named to HQ without personal data (docs/sync.md, "Pseudonyms").
//
// A pseudonym is "ps1_" and the first 32 hex digits of HMAC-SHA-256(chain key, "loyalty-
// pseudonym-v1:" + id), where id is the account owner (a card number, a company id). The key is
// one per chain and comes from HQ (sync's "keys" item) or with the terminal's provisioning; it
// must not change once events carry it (a second, different key is refused). Every owner keeps
// the pseudonym it got first: the `pseudonyms` table remembers it, and an erasure renames the
// owner there as in the accounts, so what the erased card did stays one account at HQ while
// nothing here names the card any more.
//
// Thread-safety: that of the Ledger. Functions borrow the ledger for the call.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "loyalty/core/result.h"
#include "loyalty/core/time.h"
#include "loyalty/storage/ledger.h"
#include "loyalty/storage/transaction.h"

namespace loyalty::storage {

struct PseudonymKey {
  std::string key_id;   // 1..limits::id_bytes_max bytes
  std::string key_hex;  // 64 lowercase hex digits (32 bytes)
  bool operator==(const PseudonymKey&) const = default;
};

// "ps1_" + 32 hex digits. `key` must be valid (validate_pseudonym_key).
std::string pseudonym_of(const PseudonymKey& key, std::string_view id);
Status validate_pseudonym_key(const PseudonymKey& key);
// Whether `text` has the form of a pseudonym.
bool is_pseudonym(std::string_view text);

// The chain key this ledger holds, if any.
Result<std::optional<PseudonymKey>> pseudonym_key(Ledger& ledger);
// Installs the chain key inside the caller's write transaction. The same key again is a no-op;
// another key when one is installed is a conflict (pseudonyms must not change).
Status install_pseudonym_key(Ledger& ledger, const Transaction& transaction,
                             const PseudonymKey& key, Timestamp at);

// The pseudonym of `owner` as this ledger names it to HQ: the one it already got, else one made
// with the chain key and remembered (inside the caller's write transaction), else nullopt when
// the ledger has no key yet.
Result<std::optional<std::string>> pseudonym_for(Ledger& ledger, const Transaction& transaction,
                                                 std::string_view owner);
// The owner (card number) this ledger knows under `pseudonym`; nullopt when none.
Result<std::optional<std::string>> owner_of_pseudonym(Ledger& ledger, std::string_view pseudonym);

}  // namespace loyalty::storage
