// HMAC-SHA-256 with OpenSSL, for the two keyed jobs of the readers: verifying the tag of a signed
// app token (core's TokenSignatureVerifier) and tokenising a payment card's PAN for card-linked
// loyalty (bank_card.h's CardTokenizer).
//
// Keys are secrets: nothing here logs them or puts them in a message, and the objects that hold
// them overwrite them (OPENSSL_cleanse) when destroyed. A PAN is hashed where it lies; no copy of
// it outlives token().
//
// Thread-safety: the objects are immutable after creation; verify() and token() may be called
// from any number of threads at once. The free functions are stateless.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/identification.h"
#include "loyalty/core/result.h"
#include "loyalty/drivers/magstripe/bank_card.h"

namespace loyalty::drivers {

inline constexpr std::size_t hmac_sha256_bytes = 32;
// The shortest key accepted for tokens and card tokens: 128 bits. Generate 32 random bytes.
inline constexpr std::size_t hmac_key_bytes_min = 16;

using HmacSha256Tag = std::array<std::uint8_t, hmac_sha256_bytes>;
using HmacKeyBytes = std::vector<std::uint8_t>;

// A key as a key file holds it: hex digits (either case, an even number of them), surrounding
// whitespace ignored. `source` names the file in the error, which never quotes the text.
Result<HmacKeyBytes> parse_hmac_key_hex(std::string_view text, std::string_view source);

// HMAC-SHA-256 (RFC 2104 with SHA-256) of `message` under `key` of any length (RFC 4231 tests it
// with keys of 4 to 131 bytes). OpenSSL failing to compute it (out of memory) is a bug here.
HmacSha256Tag hmac_sha256(std::span<const std::uint8_t> key, std::string_view message);
// The same tag as base64url without padding (43 characters), as it ends a signed app token:
// token = signed_part + "." + hmac_sha256_base64url(key, signed_part).
std::string hmac_sha256_base64url(std::span<const std::uint8_t> key, std::string_view message);

// Verifies app tokens (LOY1.<key id>.<card>.<expiry>.<tag>, core/identification.h) whose tag is
// HMAC-SHA-256 of the signed part under the key named by the token's key id. Holding several
// keys lets HQ rotate them: the app signs with the new id while tokens under the old one still
// verify until it is removed. The comparison is constant-time (CRYPTO_memcmp).
class HmacTokenVerifier final : public TokenSignatureVerifier {
 public:
  // keys: key id -> key. Ids as in a token (1..limits::token_key_id_bytes_max of A-Z a-z 0-9 _ -),
  // keys hmac_key_bytes_min..limits::hmac_key_bytes_max bytes, 1..limits::token_keys_max keys.
  // Takes the keys (move them in; a caller's copy is the caller's to wipe).
  static Result<HmacTokenVerifier> create(std::map<std::string, HmacKeyBytes> keys);
  // The verifier of a rule bundle's app-token keys (IdentificationConfig::app_token_keys, as the
  // loader checked them): copies the key bytes, which the verifier wipes when destroyed. The same
  // checks as create(); a key id given twice is refused too. Errors name key ids, never bytes.
  static Result<HmacTokenVerifier> from_keys(std::span<const AppTokenKey> keys);

  HmacTokenVerifier(HmacTokenVerifier&& other) noexcept = default;
  HmacTokenVerifier& operator=(HmacTokenVerifier&& other) noexcept;
  HmacTokenVerifier(const HmacTokenVerifier&) = delete;
  HmacTokenVerifier& operator=(const HmacTokenVerifier&) = delete;
  ~HmacTokenVerifier() override;

  // unknown_key for a key id it does not hold; bad_tag unless the tag is the 32-byte HMAC.
  SignatureCheck verify(std::string_view key_id, std::string_view signed_part,
                        std::span<const std::uint8_t> tag) const override;

 private:
  explicit HmacTokenVerifier(std::map<std::string, HmacKeyBytes, std::less<>> keys)
      : keys_(std::move(keys)) {}
  void wipe();

  std::map<std::string, HmacKeyBytes, std::less<>> keys_;
};

// Every card token starts with this: "pct1-" + the 43 base64url characters of the HMAC, 48 bytes
// in all. It is a valid customer id (A-Z a-z 0-9 . _ -, at most limits::id_bytes_max bytes), so
// the ledger and HQ key card-linked customers by it.
inline constexpr std::string_view card_token_prefix = "pct1-";

// Tokenises a payment card for card-linked loyalty: "pct1-" + base64url (no padding) of
// HMAC-SHA-256(program key, the PAN's digits as ASCII). HQ derives the same token from a PAN the
// customer registers, with the same key, and links the two; the PAN itself is never stored.
class HmacCardTokenizer final : public CardTokenizer {
 public:
  // The key must be hmac_key_bytes_min..limits::hmac_key_bytes_max bytes; shorter keys are
  // refused (invalid_argument), since a PAN has too little entropy to hide behind a weak key.
  static Result<HmacCardTokenizer> create(HmacKeyBytes key);

  HmacCardTokenizer(HmacCardTokenizer&& other) noexcept = default;
  HmacCardTokenizer& operator=(HmacCardTokenizer&& other) noexcept;
  HmacCardTokenizer(const HmacCardTokenizer&) = delete;
  HmacCardTokenizer& operator=(const HmacCardTokenizer&) = delete;
  ~HmacCardTokenizer() override;

  // The token of `pan`: 12..19 digits, spaces ignored. Empty for anything else (no token rather
  // than a token of garbage). Keeps no copy of the PAN.
  std::string token(std::string_view pan) const override;

 private:
  explicit HmacCardTokenizer(HmacKeyBytes key) : key_(std::move(key)) {}
  void wipe();

  HmacKeyBytes key_;
};

}  // namespace loyalty::drivers
