// HmacDrawKeyer: the keyed instant-win draw, HMAC-SHA-256 through OpenSSL.
#include "loyalty/environment/hmac_draw_keyer.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <string>

#include "loyalty/core/limits.h"

namespace loyalty::environment {

namespace {

constexpr std::size_t sha256_bytes = 32;

void wipe_bytes(std::vector<std::uint8_t>& bytes) {
  if (!bytes.empty()) OPENSSL_cleanse(bytes.data(), bytes.size());
  bytes.clear();
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

Result<HmacDrawKeyer> HmacDrawKeyer::create(std::vector<std::uint8_t> key) {
  if (key.size() < draw_key_bytes_min || key.size() > limits::hmac_key_bytes_max) {
    const std::size_t bytes = key.size();
    wipe_bytes(key);
    return make_error(ErrorCode::invalid_argument,
                      "the draw key has " + std::to_string(bytes) + " bytes, it needs " +
                          std::to_string(draw_key_bytes_min) + " to " +
                          std::to_string(limits::hmac_key_bytes_max) +
                          ": generate 32 random bytes (openssl rand -hex 32)");
  }
  return HmacDrawKeyer(std::move(key));
}

Result<HmacDrawKeyer> HmacDrawKeyer::from_hex(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  std::vector<std::uint8_t> key;
  key.reserve(text.size() / 2);
  bool valid = text.size() % 2 == 0;
  for (std::size_t i = 0; valid && i + 1 < text.size(); i += 2) {  // bounded by the text
    const int high = hex_value(text[i]);
    const int low = hex_value(text[i + 1]);
    valid = high >= 0 && low >= 0;
    if (valid) key.push_back(static_cast<std::uint8_t>(high * 16 + low));
  }
  if (!valid) {
    wipe_bytes(key);
    return make_error(ErrorCode::invalid_argument,
                      "the draw key must be hex digits (an even number of them, 32 or more)");
  }
  return create(std::move(key));
}

HmacDrawKeyer& HmacDrawKeyer::operator=(HmacDrawKeyer&& other) noexcept {
  if (this != &other) {
    wipe();
    key_ = std::move(other.key_);
  }
  return *this;
}

HmacDrawKeyer::~HmacDrawKeyer() { wipe(); }

void HmacDrawKeyer::wipe() { wipe_bytes(key_); }

std::uint64_t HmacDrawKeyer::draw_value(std::string_view message) const {
  LOYALTY_ASSERT(!key_.empty());  // a moved-from keyer draws nothing
  std::array<std::uint8_t, sha256_bytes> tag{};
  unsigned int tag_bytes = 0;
  const unsigned char* result = HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
                                     reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), tag.data(), &tag_bytes);
  // OpenSSL fails only without memory or with a broken provider setup: a draw cannot go on.
  LOYALTY_ASSERT(result != nullptr && tag_bytes == sha256_bytes);
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < 8; ++i) value = (value << 8) | tag[i];
  OPENSSL_cleanse(tag.data(), tag.size());
  return value;
}

}  // namespace loyalty::environment
