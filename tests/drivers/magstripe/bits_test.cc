// Raw bit streams: encoding, forward and reverse decoding, parity and LRC errors.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "loyalty/core/limits.h"
#include "loyalty/drivers/magstripe/magstripe.h"

using namespace loyalty::drivers;
using Bits = std::vector<std::uint8_t>;

namespace {

Bits bits_of(const std::string& text) {
  Bits out;
  for (char c : text) out.push_back(c == '1' ? 1 : 0);
  return out;
}

Bits encode(int track, const std::string& chars, std::size_t zeros = 16) {
  auto bits = encode_track_bits(track, chars, zeros);
  REQUIRE(bits.ok());
  return *bits;
}

Bits reversed(const Bits& bits) { return Bits(bits.rbegin(), bits.rend()); }

}  // namespace

TEST_CASE("magstripe encoder writes LSB first, odd parity last, then the LRC") {
  // ';' = 0xB -> 1101 p0; '1' = 0x1 -> 1000 p0; '?' = 0xF -> 1111 p1; LRC 0x5 -> 1010 p1.
  CHECK(encode(2, ";1?", 2) == bits_of("00"
                                       "11010"
                                       "10000"
                                       "11111"
                                       "10101"
                                       "00"));
  // '%' = 0x05 -> 101000 p1; '?' = 0x1F -> 111110 p0; LRC 0x1A -> 010110 p0.
  CHECK(encode(1, "%?", 1) == bits_of("0"
                                      "1010001"
                                      "1111100"
                                      "0101100"
                                      "0"));
}

TEST_CASE("magstripe encoder refuses an invalid track") {
  const auto bits = encode_track_bits(2, ";12");
  REQUIRE_FALSE(bits.ok());
  CHECK(bits.error().message == "track 2 does not end with its end sentinel '?'");
}

TEST_CASE("magstripe golden tracks round-trip through forward bit streams") {
  for (const auto& [track, text] : std::vector<std::pair<int, std::string>>{
           {2, ";0000001234567890=2512?"}, {1, "%B6012345678901234^DOE/JANE^2512101?"}}) {
    const TrackResult t = decode_track_bits(track, encode(track, text));
    CHECK(t.ok());
    CHECK(t.raw == text);
    CHECK_FALSE(t.reversed);
  }
  const TrackResult t3 = decode_track_bits(3, encode(3, ";0112345678901234=7247241?"));
  CHECK(t3.raw == ";0112345678901234=7247241?");
}

TEST_CASE("magstripe reverse swipe decodes from the reversed stream") {
  const std::string text = ";6280012345678=49121?";
  const TrackResult t = decode_track_bits(2, reversed(encode(2, text, 23)));
  CHECK(t.ok());
  CHECK(t.raw == text);
  CHECK(t.reversed);
  const std::string text1 = "%B6012345678901234^DOE/JANE^2512101?";
  const TrackResult t1 = decode_track_bits(1, reversed(encode(1, text1, 5)));
  CHECK(t1.ok());
  CHECK(t1.reversed);
  CHECK(t1.raw == text1);
}

TEST_CASE("magstripe parity flip in a data character is error 203") {
  Bits bits = encode(2, ";12345?", 10);
  bits[10 + 5 * 2 + 1] ^= 1;  // a data bit of character 2 ('2')
  const TrackResult t = decode_track_bits(2, bits);
  CHECK(t.status == TrackStatus::parity);
  CHECK(upos_extended_code(t.status) == 203);
  CHECK(t.message == "parity error in character 2 of track 2 (bit 20)");
  CHECK(t.raw.empty());
}

TEST_CASE("magstripe parity flip on a parity bit is error 203 too") {
  Bits bits = encode(1, "%ABC?", 4);
  bits[4 + 7 * 1 + 6] ^= 1;  // parity bit of 'A'
  const TrackResult t = decode_track_bits(1, bits);
  CHECK(t.status == TrackStatus::parity);
  CHECK(t.message == "parity error in character 1 of track 1 (bit 11)");
}

TEST_CASE("magstripe LRC errors are 204") {
  const std::string text = ";12345?";
  const std::size_t lrc_at = 10 + 5 * text.size();
  Bits bad_parity = encode(2, text, 10);
  bad_parity[lrc_at] ^= 1;
  const TrackResult p = decode_track_bits(2, bad_parity);
  CHECK(p.status == TrackStatus::lrc);
  CHECK(upos_extended_code(p.status) == 204);
  CHECK(p.message == "the LRC character of track 2 has bad parity");

  Bits mismatch = encode(2, text, 10);
  mismatch[lrc_at] ^= 1;
  mismatch[lrc_at + 4] ^= 1;  // keeps the LRC's parity odd
  const TrackResult m = decode_track_bits(2, mismatch);
  CHECK(m.status == TrackStatus::lrc);
  CHECK(m.message.rfind("LRC mismatch on track 2: read 0x", 0) == 0);

  Bits cut(mismatch.begin(), mismatch.begin() + static_cast<long>(lrc_at));
  const TrackResult c = decode_track_bits(2, cut);
  CHECK(c.status == TrackStatus::lrc);
  CHECK(c.message == "the stream of track 2 ends before its LRC");
}

TEST_CASE("magstripe stream without end sentinel is error 202") {
  Bits bits = encode(2, ";12345?", 0);
  bits.resize(5 * 4);  // ';' '1' '2' '3'
  const TrackResult t = decode_track_bits(2, bits);
  CHECK(t.status == TrackStatus::end_sentinel);
  CHECK(upos_extended_code(t.status) == 202);
  CHECK(t.message == "the stream of track 2 ends after 4 characters without an end sentinel");
}

TEST_CASE("magstripe stream without start sentinel is error 201 both ways") {
  const Bits bits = bits_of(
      "000"
      "10000"
      "10000"
      "10000"
      "000");  // "111" without ';'
  const TrackResult t = decode_track_bits(2, bits);
  CHECK(t.status == TrackStatus::start_sentinel);
  CHECK(upos_extended_code(t.status) == 201);
  CHECK(t.message == "no start sentinel ';' where the data of track 2 begins (bit 3)");
  CHECK_FALSE(t.reversed);
}

TEST_CASE("magstripe blank stream is absent") {
  CHECK(decode_track_bits(2, Bits(64, 0)).status == TrackStatus::absent);
  CHECK(decode_track_bits(1, Bits{}).status == TrackStatus::absent);
}

TEST_CASE("magstripe stream with no end sentinel within the track is too long") {
  Bits bits = bits_of("11010");
  for (int i = 0; i < 60; ++i) {
    const Bits one = bits_of("10000");
    bits.insert(bits.end(), one.begin(), one.end());
  }
  const TrackResult t = decode_track_bits(2, bits);
  CHECK(t.status == TrackStatus::too_long);
  CHECK(t.message == "no end sentinel within the 40 characters track 2 can hold");
}

TEST_CASE("magstripe oversized bit streams are refused") {
  const TrackResult t =
      decode_track_bits(2, Bits(loyalty::limits::magstripe_track_bits_max + 1, 0));
  CHECK(t.status == TrackStatus::too_long);
  CHECK(t.message == "the bit stream of track 2 has 4097 bits; at most 4096 are read");
}

TEST_CASE("magstripe bytes become bits LSB first") {
  const std::vector<std::uint8_t> bytes{0x01, 0x80};
  CHECK(bytes_to_bits(bytes) == bits_of("10000000"
                                        "00000001"));
}

TEST_CASE("magstripe swipe keeps a good track 2 when track 1 is bad") {
  Bits t1 = encode(1, "%LCLUB^42?", 8);
  t1[8 + 7 * 3] ^= 1;
  const Bits t2 = encode(2, ";6280012345678=49121?");
  const Swipe swipe = decode_swipe_bits(t1, t2, {});
  CHECK(swipe.track(1).status == TrackStatus::parity);
  CHECK(swipe.track(2).ok());
  CHECK(swipe.track(2).raw == ";6280012345678=49121?");
  CHECK(swipe.track(3).status == TrackStatus::absent);
  CHECK_FALSE(swipe.payment_card);
  CHECK(describe_swipe(swipe) ==
        "track 1: parity (203); track 2: ok, 21 characters; track 3: absent");
}
