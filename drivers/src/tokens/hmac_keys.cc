// HMAC-SHA-256 through OpenSSL: app token verification and payment card tokenisation.
#include "loyalty/drivers/tokens/hmac_keys.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <string>

#include "loyalty/core/identification.h"
#include "loyalty/core/limits.h"

namespace loyalty::drivers {

namespace {

// HMAC-SHA-256, or nullopt when OpenSSL fails (out of memory, a broken provider setup).
std::optional<HmacSha256Tag> compute_hmac(std::span<const std::uint8_t> key,
                                          std::span<const std::uint8_t> message) {
  // OpenSSL wants a non-null key pointer even for an empty key.
  static constexpr std::uint8_t no_key = 0;
  HmacSha256Tag tag{};
  unsigned int tag_bytes = 0;
  const unsigned char* result =
      HMAC(EVP_sha256(), key.empty() ? &no_key : key.data(), static_cast<int>(key.size()),
           message.data(), message.size(), tag.data(), &tag_bytes);
  if (result == nullptr || tag_bytes != tag.size()) return std::nullopt;
  return tag;
}

std::span<const std::uint8_t> as_bytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

void wipe_key(HmacKeyBytes& key) {
  if (!key.empty()) OPENSSL_cleanse(key.data(), key.size());
  key.clear();
}

Status check_key_length(std::size_t bytes, const std::string& what) {
  if (bytes < hmac_key_bytes_min || bytes > limits::hmac_key_bytes_max) {
    return make_error(ErrorCode::invalid_argument, what + " has " + std::to_string(bytes) +
                                                       " bytes; it needs " +
                                                       std::to_string(hmac_key_bytes_min) + " to " +
                                                       std::to_string(limits::hmac_key_bytes_max) +
                                                       ": generate 32 random bytes");
  }
  return {};
}

Status check_keys(const std::map<std::string, HmacKeyBytes>& keys) {
  if (keys.empty() || keys.size() > limits::token_keys_max) {
    return make_error(ErrorCode::invalid_argument,
                      "app token keys: " + std::to_string(keys.size()) + " given; 1 to " +
                          std::to_string(limits::token_keys_max) + " are needed");
  }
  for (const auto& [id, key] : keys) {
    if (!is_token_key_id(id)) {
      return make_error(ErrorCode::invalid_argument,
                        "app token key id must be 1 to " +
                            std::to_string(limits::token_key_id_bytes_max) +
                            " of A-Z a-z 0-9 _ - (the id is the only part of a key safe to show)");
    }
    TRY(check_key_length(key.size(), "app token key '" + id + "'"));
  }
  return {};
}

}  // namespace

HmacSha256Tag hmac_sha256(std::span<const std::uint8_t> key, std::string_view message) {
  const std::optional<HmacSha256Tag> tag = compute_hmac(key, as_bytes(message));
  LOYALTY_ASSERT(tag.has_value());
  return *tag;
}

std::string hmac_sha256_base64url(std::span<const std::uint8_t> key, std::string_view message) {
  return encode_base64url(hmac_sha256(key, message));
}

// --- HmacTokenVerifier ---------------------------------------------------------------------------

Result<HmacTokenVerifier> HmacTokenVerifier::create(std::map<std::string, HmacKeyBytes> keys) {
  const Status valid = check_keys(keys);
  if (!valid.ok()) {
    for (auto& [id, key] : keys) wipe_key(key);
    return valid.error();
  }
  std::map<std::string, HmacKeyBytes, std::less<>> held;
  for (auto& [id, key] : keys) held.emplace(id, std::move(key));  // moved, not copied
  return HmacTokenVerifier(std::move(held));
}

Result<HmacTokenVerifier> HmacTokenVerifier::from_keys(std::span<const AppTokenKey> keys) {
  std::map<std::string, HmacKeyBytes> copies;
  for (const AppTokenKey& key : keys) {  // bounded by the caller's list; checked below
    const auto bytes = key.key.bytes();
    const bool added = copies.emplace(key.key_id, HmacKeyBytes(bytes.begin(), bytes.end())).second;
    if (!added) {
      for (auto& [id, copy] : copies) wipe_key(copy);
      const std::string id = is_token_key_id(key.key_id) ? "'" + key.key_id + "' " : "";
      return make_error(ErrorCode::invalid_argument,
                        "app token key id " + id + "is given twice: one id names one key");
    }
  }
  return create(std::move(copies));
}

HmacTokenVerifier& HmacTokenVerifier::operator=(HmacTokenVerifier&& other) noexcept {
  if (this != &other) {
    wipe();
    keys_ = std::move(other.keys_);
  }
  return *this;
}

HmacTokenVerifier::~HmacTokenVerifier() { wipe(); }

void HmacTokenVerifier::wipe() {
  for (auto& [id, key] : keys_) wipe_key(key);
  keys_.clear();
}

SignatureCheck HmacTokenVerifier::verify(std::string_view key_id, std::string_view signed_part,
                                         std::span<const std::uint8_t> tag) const {
  const auto found = keys_.find(key_id);
  if (found == keys_.end()) return SignatureCheck::unknown_key;
  if (tag.size() != hmac_sha256_bytes) return SignatureCheck::bad_tag;
  const std::optional<HmacSha256Tag> expected = compute_hmac(found->second, as_bytes(signed_part));
  if (!expected) return SignatureCheck::bad_tag;  // fail closed
  return CRYPTO_memcmp(expected->data(), tag.data(), hmac_sha256_bytes) == 0
             ? SignatureCheck::valid
             : SignatureCheck::bad_tag;
}

// --- HmacCardTokenizer ---------------------------------------------------------------------------

Result<HmacKeyBytes> parse_hmac_key_hex(std::string_view text, std::string_view source) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  const auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  HmacKeyBytes key;
  bool valid = text.size() % 2 == 0 && !text.empty();
  for (std::size_t i = 0; valid && i < text.size(); i += 2) {
    const int high = nibble(text[i]);
    const int low = nibble(text[i + 1]);
    valid = high >= 0 && low >= 0;
    if (valid) key.push_back(static_cast<std::uint8_t>(high * 16 + low));
  }
  if (!valid) {
    std::fill(key.begin(), key.end(), std::uint8_t{0});
    return make_error(ErrorCode::invalid_argument,
                      std::string(source) + ": the key must be hex digits (an even number of them)");
  }
  return key;
}

Result<HmacCardTokenizer> HmacCardTokenizer::create(HmacKeyBytes key) {
  const Status length = check_key_length(key.size(), "the card token key");
  if (!length.ok()) {
    wipe_key(key);
    return length.error();
  }
  return HmacCardTokenizer(std::move(key));
}

HmacCardTokenizer& HmacCardTokenizer::operator=(HmacCardTokenizer&& other) noexcept {
  if (this != &other) {
    wipe();
    key_ = std::move(other.key_);
  }
  return *this;
}

HmacCardTokenizer::~HmacCardTokenizer() { wipe(); }

void HmacCardTokenizer::wipe() { wipe_key(key_); }

std::string HmacCardTokenizer::token(std::string_view pan) const {
  constexpr std::size_t pan_digits_min = 12;
  constexpr std::size_t pan_digits_max = 19;
  // The digits go to a stack buffer that is cleansed before return, whatever happens.
  std::array<std::uint8_t, pan_digits_max> digits{};
  std::size_t count = 0;
  bool valid = true;
  for (char c : pan) {
    if (c == ' ') continue;
    if (c < '0' || c > '9' || count == digits.size()) {
      valid = false;
      break;
    }
    digits[count++] = static_cast<std::uint8_t>(c);
  }
  std::optional<HmacSha256Tag> tag;
  if (valid && count >= pan_digits_min && !key_.empty()) {
    tag = compute_hmac(key_, std::span<const std::uint8_t>(digits.data(), count));
  }
  OPENSSL_cleanse(digits.data(), digits.size());
  if (!tag) return {};
  return std::string(card_token_prefix) + encode_base64url(*tag);
}

}  // namespace loyalty::drivers
