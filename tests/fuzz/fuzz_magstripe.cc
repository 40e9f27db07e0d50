// libFuzzer target for the magnetic-stripe decoders (loyalty::drivers).
//
// The same bytes go to: the character checker of each track, the bit decoder (bytes -> bits, LSB
// first), the keyboard-wedge parser and the HID report parser. None may crash or read out of
// bounds. Properties checked:
//   - a track string the checker accepts encodes to bits that decode forwards to the same string,
//     and reversed to it too when read as a reverse swipe; its LRC is in the track's set;
//   - a track the bit decoder accepts re-encodes and decodes to the same string;
//   - every failed track has a message and no raw data; a payment card swipe exposes no raw data.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/result.h"
#include "loyalty/drivers/magstripe/bank_card.h"
#include "loyalty/drivers/magstripe/hid_swipe.h"
#include "loyalty/drivers/magstripe/magstripe.h"
#include "loyalty/drivers/magstripe/wedge_swipe.h"

namespace {

using namespace loyalty::drivers;

void check_track(const TrackResult& t) {
  if (t.ok()) {
    LOYALTY_ASSERT(t.message.empty());
  } else {
    LOYALTY_ASSERT(t.raw.empty());
    LOYALTY_ASSERT(t.status == TrackStatus::absent || !t.message.empty());
  }
}

void check_swipe(const Swipe& swipe) {
  for (const TrackResult& t : swipe.tracks) {
    check_track(t);
    if (swipe.payment_card) LOYALTY_ASSERT(t.raw.empty());
  }
  LOYALTY_ASSERT(swipe.payment_card || !is_payment_card(swipe));
  LOYALTY_ASSERT(!describe_swipe(swipe).empty());
}

void round_trip(int track, const std::string& text) {
  const auto lrc = track_lrc(track, text);
  LOYALTY_ASSERT(lrc.ok());
  const TrackFormat& format = track_format(track);
  const auto lrc_offset = static_cast<unsigned char>(*lrc - format.ascii_offset);
  LOYALTY_ASSERT(lrc_offset < (1u << format.data_bits));
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

  // Characters.
  for (int track = 1; track <= 3; ++track) {
    const TrackResult t = check_track_chars(track, text);
    check_track(t);
    if (t.ok()) round_trip(track, text);
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
    const Swipe swipe = decode_swipe_bits(bits, bits, bits);
    check_swipe(swipe);
  }

  // Keyboard wedge.
  const auto wedge = parse_wedge_swipe(text);
  if (wedge.ok()) {
    check_swipe(*wedge);
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
  check_swipe(fixed->swipe);
  return 0;
}
