// The keyed instant-win draw: core's DrawKeyer (core/draw.h) as HMAC-SHA-256 with OpenSSL under
// the program's draw key. The draw value is the first 8 bytes of the HMAC of the draw message,
// read big-endian. The key is a secret: it is never in the rule bundle (anyone holding a bundle
// could then predict the draws), nothing here logs it or puts it in a message, and the keyer
// overwrites it (OPENSSL_cleanse) when destroyed.
//
// A draw key file holds the key as hex digits (32 to 2048 of them: 16 to 1024 bytes), surrounding
// whitespace ignored; generate it with `openssl rand -hex 32`.
//
// Thread-safety: immutable after creation; draw_value() may be called from any number of threads
// at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "loyalty/core/draw.h"
#include "loyalty/core/result.h"

namespace loyalty::environment {

// The shortest draw key accepted: 128 bits.
inline constexpr std::size_t draw_key_bytes_min = 16;

class HmacDrawKeyer final : public DrawKeyer {
 public:
  // From the key's bytes: draw_key_bytes_min..limits::hmac_key_bytes_max of them, else
  // ErrorCode::invalid_argument ("the draw key has 4 bytes; it needs 16 to 1024: ..."). Takes
  // the key (move it in; a caller's copy is the caller's to wipe).
  static Result<HmacDrawKeyer> create(std::vector<std::uint8_t> key);
  // From the text of a draw key file (see above). Errors name no key material.
  static Result<HmacDrawKeyer> from_hex(std::string_view text);

  HmacDrawKeyer(HmacDrawKeyer&& other) noexcept = default;
  HmacDrawKeyer& operator=(HmacDrawKeyer&& other) noexcept;
  HmacDrawKeyer(const HmacDrawKeyer&) = delete;
  HmacDrawKeyer& operator=(const HmacDrawKeyer&) = delete;
  ~HmacDrawKeyer() override;

  std::uint64_t draw_value(std::string_view message) const override;

 private:
  explicit HmacDrawKeyer(std::vector<std::uint8_t> key) : key_(std::move(key)) {}
  void wipe();

  std::vector<std::uint8_t> key_;
};

}  // namespace loyalty::environment
