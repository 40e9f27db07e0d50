// libFuzzer target for the magnetic-stripe decoders (loyalty::drivers).
//
// The same bytes go to: the character checker and the reader-text checker (trailing LRC, other
// track 3 layouts) of each track, the bit decoder (bytes -> bits, LSB first), the keyboard-wedge
// parser and the HID report parser, each with and without the chain's own card ranges. None may
// crash or read out of bounds. Properties checked:
//   - a track string the checker accepts encodes to bits that decode forwards to the same string,
//     and reversed to it too when read as a reverse swipe; its LRC is in the track's set; followed
//     by its LRC it is ok with the LRC verified, followed by another character of the set it is
//     status lrc (mismatch) with no raw data;
//   - a track the bit decoder accepts re-encodes and decodes to the same string;
//   - every failed track has a message and no raw data; a payment card swipe exposes no raw data;
//     a swipe the rule let through has no financial-layout track outside the own ranges, and
//     one marked own_card has only tracks whose numbers are valid numbers of an own range.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/identification.h"
#include "loyalty/core/result.h"
#include "loyalty/drivers/magstripe/bank_card.h"
#include "loyalty/drivers/magstripe/hid_swipe.h"
#include "loyalty/drivers/magstripe/magstripe.h"
#include "loyalty/drivers/magstripe/wedge_swipe.h"

namespace {

using namespace loyalty::drivers;
using loyalty::CardRange;

// The chain's own ranges: loyalty 29 (13, GS1) and gift 6036960..6036969 (19, Luhn).
const std::vector<CardRange>& own_ranges() {
  static const std::vector<CardRange> ranges = [] {
    CardRange loyalty_cards;
    loyalty_cards.name = "loyalty";
    loyalty_cards.prefixes = {loyalty::CardPrefix{"29", "29"}};
    loyalty_cards.lengths = {13};
    CardRange gift;
    gift.name = "gift";
    gift.kind = loyalty::CardKind::gift;
    gift.prefixes = {loyalty::CardPrefix{"6036960", "6036969"}};
    gift.lengths = {19};
    gift.check_digit = loyalty::CheckDigitScheme::luhn;
    return std::vector<CardRange>{loyalty_cards, gift};
  }();
  return ranges;
}

BankCardRule own_rule() {
  BankCardRule rule;
  rule.own_card_ranges = own_ranges();
  return rule;
}

void check_track(const TrackResult& t) {
  if (t.ok()) {
    LOYALTY_ASSERT(t.message.empty());
  } else {
    LOYALTY_ASSERT(t.raw.empty());
    LOYALTY_ASSERT(t.status == TrackStatus::absent || !t.message.empty());
  }
}

void check_swipe(const Swipe& swipe, bool with_own_ranges) {
  for (const TrackResult& t : swipe.tracks) {
    check_track(t);
    if (swipe.payment_card) LOYALTY_ASSERT(t.raw.empty());
  }
  LOYALTY_ASSERT(!(swipe.payment_card && swipe.own_card));
  LOYALTY_ASSERT(with_own_ranges || !swipe.own_card);
  const std::string& t1 = swipe.track(1).raw;
  const std::string& t2 = swipe.track(2).raw;
  if (!swipe.payment_card) {
    const std::span<const CardRange> ranges =
        with_own_ranges ? std::span<const CardRange>(own_ranges()) : std::span<const CardRange>();
    LOYALTY_ASSERT(!is_payment_card(t1, t2, ranges));
    LOYALTY_ASSERT(swipe.own_card == (is_financial_track1(t1) || is_financial_track2(t2)));
  }
  if (swipe.own_card) {
    for (int n = 1; n <= 2; ++n) {
      const std::string number = financial_track_number(n, swipe.track(n).raw);
      LOYALTY_ASSERT(number.empty() || loyalty::matching_card_range(own_ranges(), number));
    }
  }
  LOYALTY_ASSERT(!describe_swipe(swipe).empty());
}

// A valid track followed by its LRC, and by another character of the set.
void check_trailing_lrc(int track, const std::string& text, char lrc) {
  const TrackResult verified = check_track_text(track, text + lrc);
  LOYALTY_ASSERT(verified.ok() && verified.raw == text && verified.lrc == LrcCheck::verified);
  const TrackFormat& format = track_format(track);
  const char other = lrc == format.ascii_offset ? static_cast<char>(lrc + 1)
                                                : static_cast<char>(format.ascii_offset);
  const TrackResult mismatch = check_track_text(track, text + other);
  LOYALTY_ASSERT(mismatch.status == TrackStatus::lrc && mismatch.raw.empty() &&
                 mismatch.lrc == LrcCheck::mismatch);
}

void round_trip(int track, const std::string& text) {
  const auto lrc = track_lrc(track, text);
  LOYALTY_ASSERT(lrc.ok());
  const TrackFormat& format = track_format(track);
  const auto lrc_offset = static_cast<unsigned char>(*lrc - format.ascii_offset);
  LOYALTY_ASSERT(lrc_offset < (1u << format.data_bits));
  check_trailing_lrc(track, text, *lrc);
  const auto bits = encode_track_bits(track, text, 3);
  LOYALTY_ASSERT(bits.ok());
  const TrackResult forward = decode_track_bits(track, *bits);
  LOYALTY_ASSERT(forward.ok() && forward.raw == text);
  const std::vector<std::uint8_t> backwards(bits->rbegin(), bits->rend());
  // The reversed stream decodes; read backwards it is the text. (Read forwards it could, in
  // principle, be another valid track: a stream has no direction mark.)
  const TrackResult reversed = decode_track_bits(track, backwards);
  LOYALTY_ASSERT(reversed.ok());
  LOYALTY_ASSERT(!reversed.reversed || reversed.raw == text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  const std::string text(reinterpret_cast<const char*>(data), size);

  // Characters, as checked and as a reader hands them over.
  for (int track = 1; track <= 3; ++track) {
    const TrackResult t = check_track_chars(track, text);
    check_track(t);
    if (t.ok()) round_trip(track, text);
    const TrackResult handed = check_track_text(track, text);
    check_track(handed);
    if (handed.ok()) {
      LOYALTY_ASSERT(handed.raw == text || (handed.lrc == LrcCheck::verified &&
                                            handed.raw == text.substr(0, text.size() - 1)));
    }
  }

  // Bits.
  if (size <= 512) {
    const std::vector<std::uint8_t> bits = bytes_to_bits(bytes);
    for (int track = 1; track <= 3; ++track) {
      const TrackResult t = decode_track_bits(track, bits);
      check_track(t);
      if (t.ok()) {
        const auto again = encode_track_bits(track, t.raw, 0);
        LOYALTY_ASSERT(again.ok());
        LOYALTY_ASSERT(decode_track_bits(track, *again).raw == t.raw);
      }
    }
    check_swipe(decode_swipe_bits(bits, bits, bits), false);
    check_swipe(decode_swipe_bits(bits, bits, bits, own_rule()), true);
  }

  // Keyboard wedge.
  const auto wedge = parse_wedge_swipe(text);
  const auto wedge_own = parse_wedge_swipe(text, own_rule());
  LOYALTY_ASSERT(wedge.ok() == wedge_own.ok());
  if (wedge.ok()) {
    check_swipe(*wedge, false);
    check_swipe(*wedge_own, true);
    LOYALTY_ASSERT(text.ends_with('\r') || text.ends_with('\n'));
  } else {
    LOYALTY_ASSERT(!wedge.error().message.empty());
  }

  // HID report: the input as it is (an error unless 337 bytes), then padded or cut to 337.
  const auto hid = parse_hid_swipe_report(bytes);
  LOYALTY_ASSERT(hid.ok() == (size == hid_swipe_report_bytes));
  std::vector<std::uint8_t> report(bytes.begin(), bytes.end());
  report.resize(hid_swipe_report_bytes, 0);
  const auto fixed = parse_hid_swipe_report(report);
  LOYALTY_ASSERT(fixed.ok());
  check_swipe(fixed->swipe, false);
  const auto fixed_own = parse_hid_swipe_report(report, own_rule());
  LOYALTY_ASSERT(fixed_own.ok());
  check_swipe(fixed_own->swipe, true);
  return 0;
}
