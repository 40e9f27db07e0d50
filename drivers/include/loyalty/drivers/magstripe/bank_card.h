// Payment cards swiped by mistake. The rule (DESIGN.md): the track data of a bank card is dropped
// at the driver, never stored or logged. Every decoder that returns a Swipe calls
// withhold_payment_card() before returning.
//
// Recognised as a payment card:
//   - track 1 with format code B (`%B...`), whatever follows: the format is reserved for
//     financial cards (ISO/IEC 7813);
//   - track 2 whose account is 12-19 digits passing Luhn, followed by '=', a 4-digit expiry and
//     a 3-digit service code.
// The test errs towards withholding: a loyalty card that happens to look like that loses its data
// rather than a bank card leaking.
//
// The redacted summary withholds even the last four digits of the PAN: the loyalty module has no
// use for them, and with a BIN they narrow the card down; a cashier needs only "payment card".
#pragma once

#include <string>
#include <string_view>

#include "loyalty/drivers/magstripe/magstripe.h"

namespace loyalty::drivers {

// Keyed tokenisation of a payment card for card-linked loyalty (e.g. HMAC-SHA-256 with a key the
// program provides). Interface only: the implementation needs OpenSSL and the key, and comes with
// the program's card-linked option. token() must not keep or log the PAN.
class CardTokenizer {
 public:
  virtual ~CardTokenizer() = default;
  virtual std::string token(std::string_view pan) const = 0;
};

// Luhn (mod 10) check over a string of digits; false for an empty string or a non-digit.
bool luhn_valid(std::string_view digits);

// Raw track texts (with sentinels, as in TrackResult::raw); empty text: track absent.
bool is_payment_track1(std::string_view track1);
bool is_payment_track2(std::string_view track2);
bool is_payment_card(std::string_view track1, std::string_view track2);
// The swipe as decoded (before the rule) or after it (then swipe.payment_card says so).
bool is_payment_card(const Swipe& swipe);

// The summary of a payment card that is safe to log.
inline constexpr std::string_view payment_card_summary = "payment card: track data withheld";

// Applies the rule: when the swipe is a payment card, derives the token (when a tokenizer is
// given) from the PAN, overwrites and clears every track's raw data, and sets payment_card.
// Returns whether it did.
bool withhold_payment_card(Swipe& swipe, const CardTokenizer* tokenizer = nullptr);

}  // namespace loyalty::drivers
