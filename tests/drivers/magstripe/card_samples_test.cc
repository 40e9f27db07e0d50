// Card samples in the layouts real readers hand over, through every decoder that returns a Swipe
// (keyboard-wedge line, HID report, bit streams): tracks 1 + 2, track 2 only, track 3, reverse
// swipes, with and without a trailing LRC, an AAMVA licence's track 3, and the bank-card rule
// with and without the chain's own card ranges.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "loyalty/drivers/magstripe/hid_swipe.h"
#include "loyalty/drivers/magstripe/wedge_swipe.h"
#include "magstripe/payment_fixtures.h"

using namespace loyalty::drivers;
using namespace drivers_test;

namespace {

using Report = std::vector<std::uint8_t>;

// A MagTek / ID TECH 337-byte report holding the three track texts as given.
Report hid_report(const std::string& t1, const std::string& t2, const std::string& t3,
                  std::uint8_t encode_type = 0) {
  Report report(hid_swipe_report_bytes, 0);
  report[6] = encode_type;
  const std::string* tracks[3] = {&t1, &t2, &t3};
  for (std::size_t i = 0; i < 3; ++i) {
    REQUIRE(tracks[i]->size() <= 110);
    report[3 + i] = static_cast<std::uint8_t>(tracks[i]->size());
    std::copy(tracks[i]->begin(), tracks[i]->end(), report.begin() + 7 + 110 * i);
  }
  return report;
}

std::vector<std::uint8_t> bits_of(int track, const std::string& text) {
  auto bits = encode_track_bits(track, text);
  REQUIRE(bits.ok());
  return *bits;
}

std::vector<std::uint8_t> reversed(std::vector<std::uint8_t> bits) {
  return std::vector<std::uint8_t>(bits.rbegin(), bits.rend());
}

// An AAMVA driving licence (a made-up Californian one): track 1 and track 2 in ISO characters,
// track 3 in the licence's own layout. Its track 2 has the financial layout (IIN + number, '=',
// expiry, birth date).
const std::string licence_track1 = "%CAMODESTO^DOE$JOHN$^123 MAIN ST^?";
const std::string licence_track2 = ";6360141234567890=251219700101?";
const std::string licence_track3 =
    "#! 95354      C               1234567890123                     ?";

}  // namespace

TEST_CASE("card samples wedge lines with the LRC after each end sentinel") {
  // The LRC of ;2900000000018? is '6', of %LCLUB^42? is '6' too, of ;0123=45? is '8'.
  const auto swipe = parse_wedge_swipe("%LCLUB^42?6;2900000000018?6+0123=45?8\r");
  REQUIRE(swipe.ok());
  CHECK(swipe->track(1).raw == "%LCLUB^42?");
  CHECK(swipe->track(2).raw == ";2900000000018?");
  CHECK(swipe->track(3).raw == ";0123=45?");
  for (const TrackResult& t : swipe->tracks) {
    CHECK(t.ok());
    CHECK(t.lrc == LrcCheck::verified);
  }
  // Track 1 ending in '*', track 2 only ending in '5' (the fleet card's LRC).
  const auto star = parse_wedge_swipe("%L2900000000001^CLUB?*\r");
  REQUIRE(star.ok());
  CHECK(star->track(1).raw == "%L2900000000001^CLUB?");
  CHECK(star->track(1).lrc == LrcCheck::verified);
  // Without LRCs nothing changes.
  const auto plain = parse_wedge_swipe("%LCLUB^42?;2900000000018?\r");
  REQUIRE(plain.ok());
  CHECK(plain->track(1).lrc == LrcCheck::not_sent);
  CHECK(plain->track(2).raw == ";2900000000018?");
}

TEST_CASE("card samples a wrong LRC marks its track and keeps the others") {
  const auto swipe = parse_wedge_swipe("%LCLUB^42?7;2900000000018?6\r");
  REQUIRE(swipe.ok());
  CHECK(swipe->track(1).status == TrackStatus::lrc);
  CHECK(upos_extended_code(swipe->track(1).status) == 204);
  CHECK(swipe->track(1).lrc == LrcCheck::mismatch);
  CHECK(swipe->track(1).raw.empty());
  CHECK(swipe->track(1).message ==
        "the LRC character after the end sentinel of track 1 does not match the track; swipe "
        "the card again");
  CHECK(swipe->track(2).ok());
  CHECK(swipe->track(2).raw == ";2900000000018?");
  CHECK(describe_swipe(*swipe) ==
        "track 1: lrc (204); track 2: ok, 15 characters; track 3: absent");
}

TEST_CASE("card samples an LRC that looks like a sentinel") {
  // ;2900000000018=2512101? has the LRC '?': the byte after the end sentinel is another '?'.
  const auto q = parse_wedge_swipe(";2900000000018=2512101??\r", own_cards_rule());
  REQUIRE(q.ok());
  CHECK(q->track(2).raw == ";2900000000018=2512101?");
  CHECK(q->track(2).lrc == LrcCheck::verified);
  CHECK(q->own_card);
  // A ';' right after track 2 that is not its LRC starts track 3.
  const auto two = parse_wedge_swipe(";111?;222?\r");
  REQUIRE(two.ok());
  CHECK(two->track(2).raw == ";111?");
  CHECK(two->track(3).raw == ";222?");
  // A bare E after a track 2 is never its LRC (track 2 LRCs are 0x30-0x3F): track 3 failed.
  const auto e = parse_wedge_swipe(";2900000000018?E\r");
  REQUIRE(e.ok());
  CHECK(e->track(2).lrc == LrcCheck::not_sent);
  CHECK(e->track(3).status == TrackStatus::reader_error);
}

TEST_CASE("card samples an AAMVA licence keeps every track's status") {
  // The licence's track 2 is in the financial layout: the rule withholds the swipe's data (a
  // licence number is personal data too), but no track is lost to a line error and track 3 says
  // what it is.
  const auto licence =
      parse_wedge_swipe(licence_track1 + licence_track2 + licence_track3 + "\r", own_cards_rule());
  REQUIRE(licence.ok());
  CHECK(licence->payment_card);
  CHECK(licence->track(1).ok());
  CHECK(licence->track(2).ok());
  CHECK(licence->track(3).status == TrackStatus::other_format);
  CHECK(licence->track(3).message ==
        "track 3 starts with '#', a layout other than ISO/IEC 4909 (an AAMVA driving licence?); "
        "its 65 characters are not decoded");
  for (const TrackResult& t : licence->tracks) CHECK(t.raw.empty());
  CHECK(describe_swipe(*licence) ==
        "payment card: track data withheld; track 1: ok; track 2: ok; track 3: other_format");
  // A card with its own track 3 layout: tracks 1 and 2 come through.
  const auto own = parse_wedge_swipe("%LCLUB^42?;2900000000018?#MEMBER 0042?\r");
  REQUIRE(own.ok());
  CHECK_FALSE(own->payment_card);
  CHECK(own->track(1).raw == "%LCLUB^42?");
  CHECK(own->track(2).raw == ";2900000000018?");
  CHECK(own->track(3).status == TrackStatus::other_format);
  CHECK(own->track(3).raw.empty());
  // The licence's track 3 may also start with '%' after tracks 1 and 2, and carry an LRC.
  const auto percent = parse_wedge_swipe("%LCLUB^42?;2900000000018?%!95354?Q\r");
  REQUIRE(percent.ok());
  CHECK(percent->track(2).raw == ";2900000000018?");
  CHECK(percent->track(3).status == TrackStatus::other_format);
}

TEST_CASE("card samples the fleet card is withheld by every decoder") {
  const auto wedge = parse_wedge_swipe(fleet_track2 + "\r");
  REQUIRE(wedge.ok());
  CHECK(wedge->payment_card);
  check_swipe_has_no_pan(*wedge, fleet_pan);
  const auto wedge_lrc = parse_wedge_swipe(fleet_track2 + "5\r", own_cards_rule());
  REQUIRE(wedge_lrc.ok());
  CHECK(wedge_lrc->payment_card);
  CHECK(wedge_lrc->track(2).lrc == LrcCheck::verified);
  check_swipe_has_no_pan(*wedge_lrc, fleet_pan);
  const auto hid = parse_hid_swipe_report(hid_report("", fleet_track2 + "5", ""), own_cards_rule());
  REQUIRE(hid.ok());
  CHECK(hid->swipe.payment_card);
  check_swipe_has_no_pan(hid->swipe, fleet_pan);
  const Swipe bits =
      decode_swipe_bits({}, reversed(bits_of(2, fleet_track2)), {}, own_cards_rule());
  CHECK(bits.payment_card);
  CHECK(bits.track(2).reversed);
  check_swipe_has_no_pan(bits, fleet_pan);
}

TEST_CASE("card samples an own gift card in the financial layout gets through") {
  const std::string line = gift_track1 + "L" + gift_track2 + "5\r";
  const auto wedge = parse_wedge_swipe(line, own_cards_rule());
  REQUIRE(wedge.ok());
  CHECK_FALSE(wedge->payment_card);
  CHECK(wedge->own_card);
  CHECK(wedge->track(1).raw == gift_track1);
  CHECK(wedge->track(2).raw == gift_track2);
  // Without the bundle's ranges the same swipe is withheld.
  const auto strict = parse_wedge_swipe(line);
  REQUIRE(strict.ok());
  CHECK(strict->payment_card);
  check_swipe_has_no_pan(*strict, gift_number);

  const auto hid =
      parse_hid_swipe_report(hid_report(gift_track1, gift_track2, ""), own_cards_rule());
  REQUIRE(hid.ok());
  CHECK(hid->swipe.own_card);
  CHECK(hid->swipe.track(2).raw == gift_track2);
  const Swipe bits = decode_swipe_bits(reversed(bits_of(1, gift_track1)), bits_of(2, gift_track2),
                                       {}, own_cards_rule());
  CHECK(bits.own_card);
  CHECK(bits.track(1).reversed);
  CHECK(bits.track(1).raw == gift_track1);
  CHECK(bits.track(1).lrc == LrcCheck::verified);
  CHECK(bits.track(2).raw == gift_track2);
}

TEST_CASE("card samples a bank card with LRCs is withheld in every layout") {
  for (const std::string& line :
       {visa_track1 + "8" + visa_track2 + "8\r", visa_track1 + visa_track2 + "\r",
        visa_track2 + "8\r", visa_track1 + "8\n", "%E?" + visa_track2 + "8\r\n"}) {
    const auto swipe = parse_wedge_swipe(line, own_cards_rule());
    REQUIRE(swipe.ok());
    CHECK(swipe->payment_card);
    check_swipe_has_no_pan(*swipe, visa_pan);
  }
  const auto hid = parse_hid_swipe_report(hid_report(visa_track1 + "8", visa_track2 + "8", ""));
  REQUIRE(hid.ok());
  CHECK(hid->swipe.payment_card);
  CHECK(hid->swipe.track(1).lrc == LrcCheck::verified);
  check_swipe_has_no_pan(hid->swipe, visa_pan);
  // A wrong LRC on track 2 leaves track 1, which alone is the financial layout.
  const auto bad_lrc = parse_wedge_swipe(visa_track1 + visa_track2 + "9\r");
  REQUIRE(bad_lrc.ok());
  CHECK(bad_lrc->track(2).status == TrackStatus::lrc);
  CHECK(bad_lrc->payment_card);
  check_swipe_has_no_pan(*bad_lrc, visa_pan);
}

TEST_CASE("card samples HID reports with LRCs and an AAMVA track 3") {
  const auto lrc = parse_hid_swipe_report(hid_report("%LCLUB^42?6", ";2900000000018?7", ""));
  REQUIRE(lrc.ok());
  CHECK(lrc->swipe.track(1).raw == "%LCLUB^42?");
  CHECK(lrc->swipe.track(1).lrc == LrcCheck::verified);
  CHECK(lrc->swipe.track(2).status == TrackStatus::lrc);
  CHECK(lrc->swipe.track(2).lrc == LrcCheck::mismatch);
  // Encode type 1 (AAMVA): track 3 in the licence's layout, whether it starts with '%' or '#'.
  for (const std::string& track3 : {licence_track3, std::string("%!95354C1234?")}) {
    const auto aamva =
        parse_hid_swipe_report(hid_report("%LCLUB^42?", ";2900000000018?", track3, 1));
    REQUIRE(aamva.ok());
    CHECK(aamva->encode_type == 1);
    CHECK(aamva->swipe.track(1).raw == "%LCLUB^42?");
    CHECK(aamva->swipe.track(2).raw == ";2900000000018?");
    CHECK(aamva->swipe.track(3).status == TrackStatus::other_format);
    CHECK(upos_extended_code(aamva->swipe.track(3).status) == 0);
  }
  // An ISO track 3 that starts with neither ';' nor '#'/'%' is still a start sentinel error.
  const auto junk = parse_hid_swipe_report(hid_report("", ";2900000000018?", "0123?"));
  REQUIRE(junk.ok());
  CHECK(junk->swipe.track(3).status == TrackStatus::start_sentinel);
}

TEST_CASE("card samples track 3 only and track 2 only") {
  const auto three = parse_wedge_swipe("+0123=45?8\r");
  REQUIRE(three.ok());
  CHECK(three->track(1).status == TrackStatus::absent);
  CHECK(three->track(2).status == TrackStatus::absent);
  CHECK(three->track(3).raw == ";0123=45?");
  CHECK(three->track(3).lrc == LrcCheck::verified);
  const Swipe bits = decode_swipe_bits({}, {}, reversed(bits_of(3, ";0123=45?")));
  CHECK(bits.track(3).ok());
  CHECK(bits.track(3).reversed);
  const auto two = parse_wedge_swipe(";6280012345678=49121?2\r");
  REQUIRE(two.ok());
  CHECK(two->track(2).raw == ";6280012345678=49121?");
  CHECK(two->track(2).lrc == LrcCheck::verified);
  CHECK_FALSE(two->payment_card);
}
