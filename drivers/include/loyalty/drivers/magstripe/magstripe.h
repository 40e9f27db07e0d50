// ISO/IEC 7811/7813 magnetic-stripe tracks: validation, LRC, bit-stream decoding and encoding.
//
// Pure functions over untrusted input: no I/O, no exceptions, every length capped. A swipe yields
// one TrackResult per track, each with its own status, so a bad track 1 does not lose a good
// track 2, a wrong LRC marks its own track only, and an AAMVA licence's track 3 does not cost
// tracks 1 and 2. Error statuses 201-204 are the UnifiedPOS MSR extended error codes.
//
// Payment cards: every function that returns a Swipe applies the bank-card rule first
// (bank_card.h): the track data of a card in the financial layout that is not one of the chain's
// own card ranges is withheld and never reaches the caller.
// Thread-safety: stateless; safe to call from any thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/identification.h"
#include "loyalty/core/result.h"

namespace loyalty::drivers {

struct BankCardRule;  // bank_card.h

// Per-track outcome. The values 201-204 are the UPOS MSR extended error codes
// (ErrorEvent ResultCodeExtended); the others are the driver's own and have no UPOS code.
enum class TrackStatus : int {
  ok = 0,
  absent = 1,        // the swipe carried no data for this track
  reader_error = 2,  // the reader reported the track as failed (wedge `E`, HID status bit 0)
  invalid_data = 3,  // a character outside the track's set, a control character, bad framing
  too_long = 4,      // more characters (or bits, or bytes) than the track can hold
  // A track 3 in a layout other than ISO/IEC 4909's (it starts with '#' or '%', as an AAMVA
  // driving licence's does): not decoded, its data dropped, the other tracks kept.
  other_format = 5,
  start_sentinel = 201,
  end_sentinel = 202,
  parity = 203,
  lrc = 204,
};

// "ok", "absent", "reader_error", "invalid_data", "too_long", "other_format", "start_sentinel",
// ...
const char* track_status_name(TrackStatus status);

// Whether a track's LRC character was checked. Bit streams always carry it; readers that hand
// over characters send it after the end sentinel or not at all.
enum class LrcCheck {
  not_sent,  // no LRC came with the characters (the reader checked it, or sends none)
  verified,  // the LRC came and matches the track
  mismatch,  // the LRC came and does not match: the track's status is lrc (204)
};
// "not_sent", "verified", "mismatch".
const char* lrc_check_name(LrcCheck check);
// The UPOS MSR extended error code (201-204), or 0 for statuses UPOS has no code for.
int upos_extended_code(TrackStatus status);

// The encoding of one track (ISO/IEC 7811-2 and 7813).
struct TrackFormat {
  int number;             // 1, 2 or 3
  int data_bits;          // 6 (IATA) or 4 (ABA); one odd-parity bit follows
  char ascii_offset;      // char = ASCII - offset: 0x20 (IATA) or 0x30 (ABA)
  char start_sentinel;    // '%' or ';'
  char field_separator;   // '^' or '='
  char end_sentinel;      // '?'
  std::size_t chars_max;  // 79, 40, 107: start sentinel through end sentinel (LRC not counted)
};

// track must be 1, 2 or 3 (a bug otherwise).
const TrackFormat& track_format(int track);

struct TrackResult {
  int number = 0;  // 1, 2 or 3
  TrackStatus status = TrackStatus::absent;
  // Why the track failed; empty when ok or absent. Never contains track data: it names
  // positions, character codes and lengths only.
  std::string message;
  // The characters from start through end sentinel (LRC excluded) when ok; empty otherwise, and
  // empty when withheld because the swipe is a payment card.
  std::string raw;
  bool reversed = false;  // decoded from a bit stream read backwards (a reverse swipe)
  LrcCheck lrc = LrcCheck::not_sent;

  bool ok() const { return status == TrackStatus::ok; }
  // A result for track `number` with nothing read yet (status absent).
  static TrackResult absent_track(int number) {
    TrackResult result;
    result.number = number;
    return result;
  }
};

struct Swipe {
  std::array<TrackResult, 3> tracks{TrackResult::absent_track(1), TrackResult::absent_track(2),
                                    TrackResult::absent_track(3)};
  // The bank-card rule applied: a track is in the financial layout (ISO/IEC 7813) and its number
  // is in none of the chain's card ranges, so every track's raw data is withheld (statuses and
  // messages stay).
  bool payment_card = false;
  // The bank-card rule let a track in the financial layout through because its number is a valid
  // number of one of the chain's card ranges (a gift card with a service code, say). Set only by
  // the rule; the ScanEvent builder honours it.
  bool own_card = false;
  // Set only for a payment card when the caller passed a CardTokenizer: a keyed token of the PAN.
  std::optional<std::string> card_token;

  const TrackResult& track(int number) const;  // number 1..3
  TrackResult& track(int number);
  bool any_ok() const;
  // The track to identify the card by: track 2 (where a card number usually is) when it read
  // well, else track 1; nullptr for a payment card (withheld) or when neither read.
  const TrackResult* identifying_track() const;
};

// --- Characters ---

// Checks a track string: one start sentinel first, one end sentinel last, every character in the
// track's set (control characters rejected by name), at most chars_max characters. The result's
// raw is the text when ok. Does not apply the bank-card rule: the caller holds the text already.
TrackResult check_track_chars(int track, std::string_view chars);

// The LRC character of a valid track string: the XOR of the data bits of every character from
// start through end sentinel, with its own odd parity (as a character of the track's set).
Result<char> track_lrc(int track, std::string_view chars);

// A track as a reader hands it over: check_track_chars() on start through end sentinel, which may
// be followed by one LRC character. A trailing LRC that matches gives lrc verified; one that does
// not (or is no character of the track's set) gives status lrc (204), LrcCheck::mismatch and no
// raw data, for this track only. A track 3 that starts with '#' or '%' is other_format.
TrackResult check_track_text(int track, std::string_view text);

// --- Bit streams (one element per bit, 0 or 1; any non-zero element counts as 1) ---

// Characters -> bits: `clocking_zeros` zeros, each character's data bits LSB first then its odd
// parity bit, the LRC character, `clocking_zeros` zeros. The text must pass check_track_chars.
Result<std::vector<std::uint8_t>> encode_track_bits(int track, std::string_view chars,
                                                    std::size_t clocking_zeros = 16);

// Bits -> track: skips leading zeros, requires the start sentinel, decodes characters with the
// odd-parity check up to the end sentinel, then reads and verifies the LRC. When the forward
// read fails and the reversed stream decodes (a reverse swipe), the reversed result is returned
// with `reversed` set; otherwise the forward failure. Does not apply the bank-card rule.
TrackResult decode_track_bits(int track, std::span<const std::uint8_t> bits);

// Bytes -> bits, least significant bit of each byte first (for raw captures and the fuzzer).
std::vector<std::uint8_t> bytes_to_bits(std::span<const std::uint8_t> bytes);

// A swipe from the three raw streams of one read (an empty span: track absent). Applies the
// bank-card rule `rule` (the chain's own card ranges and a tokenizer); the overload without one
// applies it with no card ranges and no tokenizer.
Swipe decode_swipe_bits(std::span<const std::uint8_t> track1, std::span<const std::uint8_t> track2,
                        std::span<const std::uint8_t> track3, const BankCardRule& rule);
Swipe decode_swipe_bits(std::span<const std::uint8_t> track1, std::span<const std::uint8_t> track2,
                        std::span<const std::uint8_t> track3);

// --- Fields ---

// Track 2 (ABA) fields: `;account=YYMM SVC discretionary?`. Whatever is present is filled in,
// left to right: a loyalty track without a separator is all account.
struct Track2Fields {
  std::string account;        // digits before '='
  std::string expiry_yymm;    // up to 4 characters after '='
  std::string service_code;   // up to 3 characters after the expiry
  std::string discretionary;  // the rest
};

// Fails (invalid_argument) when the text is not a valid track 2, and when it is in the financial
// layout with a number outside `own_card_ranges` (bank_card.h): its fields are never returned.
Result<Track2Fields> parse_track2(std::string_view raw,
                                  std::span<const CardRange> own_card_ranges = {});

// Track 1 (IATA): `%` format code, then '^'-separated fields. Format B (`%B PAN ^ NAME ^ YYMM SVC
// DD ?`) is the financial format and is refused unless its number is in `own_card_ranges`; other
// formats (proprietary loyalty layouts) are split.
struct Track1Fields {
  char format_code = 0;
  std::vector<std::string> fields;
};

Result<Track1Fields> parse_track1(std::string_view raw,
                                  std::span<const CardRange> own_card_ranges = {});

// A line safe to log: per-track status and length, never track content; a payment card gives
// "payment card: track data withheld" and the per-track statuses only.
std::string describe_swipe(const Swipe& swipe);

}  // namespace loyalty::drivers
