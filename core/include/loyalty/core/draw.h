// Keyed instant-win draws. A draw's outcome is a function of a per-program secret and of the
// receipt, so whoever holds the secret can replay it and nobody else can predict it, however
// sequential receipt ids are. The secret is not in the rule bundle (anyone holding a bundle could
// then predict draws): the edge passes a DrawKeyer that holds it (loyalty::environment's
// HmacDrawKeyer computes HMAC-SHA-256 with OpenSSL; core does no cryptography).
//
// The draw of rule R on receipt T of program P version V:
//   message = draw_message(P, V, T, R)      an unambiguous, length-prefixed encoding
//   value   = keyer.draw_value(message)      a 64-bit number, uniform for a good keyer
//   won     = value % odds_denominator < odds_numerator
// The modulo's bias is below denominator / 2^64 (under 10^-13 for the largest odds allowed).
//
// Thread-safety: DrawKeyer implementations must be safe to call from several threads at once.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace loyalty {

// Computes the keyed value of a draw message. Implementations hold the secret, are immutable
// and thread-safe; callers borrow them (QuoteEnvironment, engine.h).
class DrawKeyer {
 public:
  virtual ~DrawKeyer() = default;

  // A 64-bit value that depends on every byte of `message` and on the secret. The same message
  // gives the same value, always.
  virtual std::uint64_t draw_value(std::string_view message) const = 0;
};

// Bytes that start every draw message, so that a draw value can never be confused with another
// use of the same key.
inline constexpr std::string_view draw_message_tag = "loyalty-draw/1";

// The draw message: the tag, the program id, the version, the receipt id and the rule id, each
// field as a 4-byte big-endian length followed by its bytes; the version is written as 8
// big-endian bytes with its own length (8). No two different field lists give the same bytes.
// Writes into `out` (cleared first), so that a warm buffer is refilled without allocating.
void draw_message(std::string_view program_id, std::int64_t version, std::string_view receipt_id,
                  std::string_view rule_id, std::string& out);

// Whether a draw of `value` wins at odds numerator/denominator (1 <= numerator <= denominator).
bool draw_wins(std::uint64_t value, std::int64_t numerator, std::int64_t denominator);

}  // namespace loyalty
