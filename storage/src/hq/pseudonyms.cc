// Pseudonyms of account owners under the chain's key (pseudonyms.h, docs/sync.md "Pseudonyms").

#include "loyalty/storage/pseudonyms.h"

#include <openssl/hmac.h>

#include <array>
#include <string>

#include "loyalty/core/limits.h"
#include "loyalty/storage/statement.h"

namespace loyalty::storage {

namespace {

constexpr std::string_view prefix = "ps1_";
constexpr std::string_view domain = "loyalty-pseudonym-v1:";

bool is_lower_hex(std::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::array<unsigned char, 32> key_bytes(std::string_view hex) {
  LOYALTY_ASSERT(hex.size() == 64);
  std::array<unsigned char, 32> out{};
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<unsigned char>(nibble(hex[2 * i]) * 16 + nibble(hex[2 * i + 1]));
  }
  return out;
}

}  // namespace

Status validate_pseudonym_key(const PseudonymKey& key) {
  if (key.key_id.empty() || key.key_id.size() > limits::id_bytes_max) {
    return make_error(
        ErrorCode::invalid_argument,
        "pseudonym key: the key id must be 1.." + std::to_string(limits::id_bytes_max) + " bytes");
  }
  if (key.key_hex.size() != 64 || !is_lower_hex(key.key_hex)) {
    return make_error(ErrorCode::invalid_argument, "pseudonym key " + key.key_id +
                                                       ": the key must be 64 lowercase hex "
                                                       "digits (32 bytes)");
  }
  return {};
}

std::string pseudonym_of(const PseudonymKey& key, std::string_view id) {
  LOYALTY_ASSERT(validate_pseudonym_key(key).ok());
  const std::array<unsigned char, 32> secret = key_bytes(key.key_hex);
  std::string message(domain);
  message += id;
  unsigned char digest[32];
  unsigned int size = 0;
  const unsigned char* result =
      HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &size);
  LOYALTY_ASSERT(result != nullptr && size == 32);  // HMAC of a buffer in memory cannot fail
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(prefix);
  for (unsigned int i = 0; i < 16; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 0x0f];
  }
  return out;
}

bool is_pseudonym(std::string_view text) {
  return text.size() == prefix.size() + 32 && text.starts_with(prefix) &&
         is_lower_hex(text.substr(prefix.size()));
}

Result<std::optional<PseudonymKey>> pseudonym_key(Ledger& ledger) {
  Statement select = TRY(Statement::prepare(
      ledger.database(),
      "SELECT key_id, key_hex FROM pseudonym_keys ORDER BY installed_at LIMIT 1"));
  if (TRY(select.step()) != Step::row) return std::optional<PseudonymKey>();
  return std::optional<PseudonymKey>(PseudonymKey{select.column_text(0), select.column_text(1)});
}

Status install_pseudonym_key(Ledger& ledger, const Transaction& transaction,
                             const PseudonymKey& key, Timestamp at) {
  LOYALTY_ASSERT(&transaction.database() == &ledger.database() && transaction.is_write());
  TRY(validate_pseudonym_key(key));
  const std::optional<PseudonymKey> held = TRY(pseudonym_key(ledger));
  if (held) {
    if (*held == key) return {};
    return make_error(ErrorCode::conflict, "pseudonym key " + key.key_id +
                                               " refused: this ledger already names its "
                                               "customers to HQ with key " +
                                               held->key_id + ", and pseudonyms must not change");
  }
  Statement insert = TRY(Statement::prepare(
      ledger.database(),
      "INSERT INTO pseudonym_keys (key_id, key_hex, installed_at) VALUES (?1, ?2, ?3)"));
  TRY(insert.bind_text(1, key.key_id));
  TRY(insert.bind_text(2, key.key_hex));
  TRY(insert.bind_int64(3, at.unix_seconds));
  return insert.run();
}

Result<std::optional<std::string>> pseudonym_for(Ledger& ledger, const Transaction& transaction,
                                                 std::string_view owner) {
  LOYALTY_ASSERT(&transaction.database() == &ledger.database() && transaction.is_write());
  {
    Statement select = TRY(
        Statement::prepare(ledger.database(), "SELECT pseudonym FROM pseudonyms WHERE owner = ?1"));
    TRY(select.bind_text(1, owner));
    if (TRY(select.step()) == Step::row) {
      return std::optional<std::string>(select.column_text(0));
    }
  }
  const std::optional<PseudonymKey> key = TRY(pseudonym_key(ledger));
  if (!key) return std::optional<std::string>();
  std::string name = pseudonym_of(*key, owner);
  Statement insert = TRY(Statement::prepare(
      ledger.database(), "INSERT INTO pseudonyms (owner, pseudonym, key_id) VALUES (?1, ?2, ?3)"));
  TRY(insert.bind_text(1, owner));
  TRY(insert.bind_text(2, name));
  TRY(insert.bind_text(3, key->key_id));
  TRY(insert.run());
  return std::optional<std::string>(std::move(name));
}

Result<std::optional<std::string>> owner_of_pseudonym(Ledger& ledger, std::string_view pseudonym) {
  Statement select = TRY(Statement::prepare(
      ledger.database(), "SELECT owner FROM pseudonyms WHERE pseudonym = ?1 LIMIT 1"));
  TRY(select.bind_text(1, pseudonym));
  if (TRY(select.step()) != Step::row) return std::optional<std::string>();
  return std::optional<std::string>(select.column_text(0));
}

}  // namespace loyalty::storage
