// Bank cards swiped by mistake. The rule (DESIGN.md): the track data of a bank card is dropped at
// the driver, never stored or logged. Every decoder that returns a Swipe calls
// withhold_payment_card() before returning, and the ScanEvent builder calls it again.
//
// The rule decides by allow-list, not by Luhn. A track in the ISO/IEC 7813 financial layout
//   - track 1 with format code B (`%B PAN ^ NAME ^ YYMM SVC ...?`), or
//   - track 2 with an account of 8 to 19 digits, '=', a 4-digit expiry and a 3-digit service
//     code (`;PAN=YYMMSVC...?`),
// is the chain's own card only when its number is a valid number (prefix, length, check digit) of
// one of the card ranges the rule bundle declares (core's CardRange, identification.card_ranges):
// then it passes, whatever Luhn says (a gift card with a Luhn-valid number and a service code).
// Every other track in that layout is withheld, whatever Luhn says (a bank card, a fleet or
// private-label card, a bad-Luhn sample, a misread of an own card). Without card ranges (no bundle
// loaded) every track in the layout is withheld. A driving licence's track 2 (AAMVA) has the same
// layout and is withheld too. Tracks outside the layout (`;NUMBER?`, `;NUMBER=49121?`, track 1
// formats other than B) are no payment card.
//
// The redacted summary withholds even the last four digits of the PAN: the loyalty module has no
// use for them, and with a BIN they narrow the card down; a cashier needs only "payment card".
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "loyalty/core/identification.h"
#include "loyalty/drivers/magstripe/magstripe.h"

namespace loyalty::drivers {

// Keyed tokenisation of a payment card for card-linked loyalty (e.g. HMAC-SHA-256 with a key the
// program provides, hmac_keys.h). token() must not keep or log the PAN.
class CardTokenizer {
 public:
  virtual ~CardTokenizer() = default;
  virtual std::string token(std::string_view pan) const = 0;
};

// What the bank-card rule goes by: the chain's own card ranges (the allow-list) and, for
// card-linked loyalty, a tokenizer. Views, not owned: both must outlive every call the rule is
// given to (and a reader that holds it). The default is the strict rule: no own cards, no token.
struct BankCardRule {
  std::span<const CardRange> own_card_ranges;  // from the bundle's identification section
  const CardTokenizer* tokenizer = nullptr;    // may be null
};



// Raw track texts (with sentinels, as in TrackResult::raw); empty text: track absent. Whether a
// track is in the financial layout (above), whatever its number.
bool is_financial_track1(std::string_view track1);
bool is_financial_track2(std::string_view track2);
// The number of a track in the financial layout (the PAN); empty for any other track.
std::string financial_track_number(int track, std::string_view raw);

// Whether the rule withholds tracks with these texts: one of them is in the financial layout and
// its number is no valid number of `own_card_ranges`.
bool is_payment_card(std::string_view track1, std::string_view track2,
                     std::span<const CardRange> own_card_ranges = {});
// The swipe as decoded (before the rule) or after it (then payment_card or own_card says so).
bool is_payment_card(const Swipe& swipe, std::span<const CardRange> own_card_ranges = {});

// The summary of a payment card that is safe to log.
inline constexpr std::string_view payment_card_summary = "payment card: track data withheld";

// Applies the rule. When the swipe is a payment card under `rule`: derives the token (when the
// rule has a tokenizer) from the PAN, overwrites and clears every track's raw data, sets
// payment_card and returns true. When its financial-layout tracks are all own cards: sets
// own_card and returns false. Otherwise changes nothing and returns false. Idempotent: a swipe
// already withheld stays withheld.
bool withhold_payment_card(Swipe& swipe, const BankCardRule& rule = {});

}  // namespace loyalty::drivers
