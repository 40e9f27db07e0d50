// Track strings: validation, LRC golden vectors, fields.
#include <catch2/catch.hpp>
#include <string>

#include "loyalty/drivers/magstripe/magstripe.h"

using namespace loyalty::drivers;

TEST_CASE("magstripe LRC golden vectors") {
  const auto track2 = track_lrc(2, ";0000001234567890=2512?");
  REQUIRE(track2.ok());
  CHECK(*track2 == '<');
  const auto track1 = track_lrc(1, "%B6012345678901234^DOE/JANE^2512101?");
  REQUIRE(track1.ok());
  CHECK(*track1 == '.');
}

TEST_CASE("magstripe LRC of an invalid track is an error with the reason") {
  const auto lrc = track_lrc(2, "0000001234567890=2512?");
  REQUIRE_FALSE(lrc.ok());
  CHECK(lrc.error().message == "track 2 does not begin with its start sentinel ';'");
}

TEST_CASE("magstripe valid track strings keep their raw text") {
  const TrackResult t1 = check_track_chars(1, "%ALOYALTY^CLUB?");
  CHECK(t1.ok());
  CHECK(t1.raw == "%ALOYALTY^CLUB?");
  CHECK(t1.message.empty());
  const TrackResult t3 = check_track_chars(3, ";0123456789=<>:?");
  CHECK(t3.ok());
  CHECK(t3.number == 3);
  CHECK(check_track_chars(2, ";?").ok());
}

TEST_CASE("magstripe empty track string is absent") {
  const TrackResult t = check_track_chars(2, "");
  CHECK(t.status == TrackStatus::absent);
  CHECK(t.raw.empty());
}

TEST_CASE("magstripe missing start sentinel is error 201") {
  const TrackResult t = check_track_chars(1, "B123^X?");
  CHECK(t.status == TrackStatus::start_sentinel);
  CHECK(upos_extended_code(t.status) == 201);
  CHECK(t.message == "track 1 does not begin with its start sentinel '%'");
  CHECK(t.raw.empty());
}

TEST_CASE("magstripe missing end sentinel is error 202") {
  const TrackResult t = check_track_chars(2, ";12345");
  CHECK(t.status == TrackStatus::end_sentinel);
  CHECK(upos_extended_code(t.status) == 202);
  CHECK(t.message == "track 2 does not end with its end sentinel '?'");
  CHECK(check_track_chars(2, ";").status == TrackStatus::end_sentinel);
}

TEST_CASE("magstripe a second start sentinel or an early end sentinel is refused") {
  const TrackResult twice = check_track_chars(2, ";12;34?");
  CHECK(twice.status == TrackStatus::start_sentinel);
  CHECK(twice.message == "a second start sentinel at position 3 of track 2");
  const TrackResult early = check_track_chars(2, ";12?34?");
  CHECK(early.status == TrackStatus::end_sentinel);
  CHECK(early.message == "an end sentinel at position 3 of track 2 before the end of the track");
}

TEST_CASE("magstripe control characters are rejected with a reason") {
  const TrackResult t = check_track_chars(2, std::string(";12\x07"
                                                         "3?"));
  CHECK(t.status == TrackStatus::invalid_data);
  CHECK(t.message == "control character 0x07 at position 3 of track 2 is not track data");
  const TrackResult del = check_track_chars(1, std::string("%A\x7F?"));
  CHECK(del.message == "control character 0x7F at position 2 of track 1 is not track data");
}

TEST_CASE("magstripe characters outside the track set are rejected") {
  const TrackResult lower = check_track_chars(1, "%Ab?");
  CHECK(lower.status == TrackStatus::invalid_data);
  CHECK(lower.message ==
        "character 0x62 at position 2 of track 1 is outside the track's set (0x20-0x5F)");
  const TrackResult letter = check_track_chars(2, ";12A?");
  CHECK(letter.message ==
        "character 0x41 at position 3 of track 2 is outside the track's set (0x30-0x3F)");
  const TrackResult high = check_track_chars(2, std::string(";1\xC3?"));
  CHECK(high.status == TrackStatus::invalid_data);
}

TEST_CASE("magstripe too long tracks are refused") {
  const std::string track2 = ";" + std::string(38, '1') + "?";  // 40: fits
  CHECK(check_track_chars(2, track2).ok());
  const std::string long2 = ";" + std::string(39, '1') + "?";  // 41
  const TrackResult t = check_track_chars(2, long2);
  CHECK(t.status == TrackStatus::too_long);
  CHECK(t.message == "track 2 has 41 characters; at most 40 fit, sentinels included");
  CHECK(check_track_chars(1, "%" + std::string(78, 'A') + "?").status == TrackStatus::too_long);
  CHECK(check_track_chars(3, ";" + std::string(105, '2') + "?").ok());
  CHECK(check_track_chars(3, ";" + std::string(106, '2') + "?").status == TrackStatus::too_long);
}

TEST_CASE("magstripe status names and UPOS codes") {
  CHECK(std::string(track_status_name(TrackStatus::parity)) == "parity");
  CHECK(std::string(track_status_name(TrackStatus::lrc)) == "lrc");
  CHECK(upos_extended_code(TrackStatus::parity) == 203);
  CHECK(upos_extended_code(TrackStatus::lrc) == 204);
  CHECK(upos_extended_code(TrackStatus::ok) == 0);
  CHECK(upos_extended_code(TrackStatus::too_long) == 0);
  CHECK(std::string(track_status_name(TrackStatus::other_format)) == "other_format");
  CHECK(static_cast<int>(TrackStatus::other_format) == 5);
  CHECK(upos_extended_code(TrackStatus::other_format) == 0);
  CHECK(std::string(lrc_check_name(LrcCheck::not_sent)) == "not_sent");
  CHECK(std::string(lrc_check_name(LrcCheck::verified)) == "verified");
  CHECK(std::string(lrc_check_name(LrcCheck::mismatch)) == "mismatch");
  CHECK(track_format(1).chars_max == 79);
  CHECK(track_format(3).start_sentinel == ';');
}

TEST_CASE("magstripe track 2 fields of a loyalty card") {
  const auto fields = parse_track2(";6280012345678=49121?");
  REQUIRE(fields.ok());
  CHECK(fields->account == "6280012345678");
  CHECK(fields->expiry_yymm == "4912");
  CHECK(fields->service_code == "1");
  CHECK(fields->discretionary.empty());
  const auto bare = parse_track2(";900012345?");
  REQUIRE(bare.ok());
  CHECK(bare->account == "900012345");
  CHECK(bare->expiry_yymm.empty());
}

TEST_CASE("magstripe track 1 fields of a non-bank format") {
  const auto fields = parse_track1("%LCLUB^00042^GOLD?");
  REQUIRE(fields.ok());
  CHECK(fields->format_code == 'L');
  REQUIRE(fields->fields.size() == 3);
  CHECK(fields->fields[0] == "CLUB");
  CHECK(fields->fields[1] == "00042");
  CHECK(fields->fields[2] == "GOLD");
  CHECK_FALSE(parse_track1("%L?").value().fields.empty());
  CHECK(parse_track1("LCLUB?").error().message ==
        "track 1 does not begin with its start sentinel '%'");
}

TEST_CASE("magstripe track text with a trailing LRC is verified") {
  const TrackResult t2 = check_track_text(2, ";0000001234567890=2512?<");
  CHECK(t2.ok());
  CHECK(t2.raw == ";0000001234567890=2512?");
  CHECK(t2.lrc == LrcCheck::verified);
  const TrackResult t1 = check_track_text(1, "%B6012345678901234^DOE/JANE^2512101?.");
  CHECK(t1.ok());
  CHECK(t1.lrc == LrcCheck::verified);
  // The LRC may be '?' itself.
  CHECK(check_track_text(2, ";2900000000018=2512101??").lrc == LrcCheck::verified);
  // Without an LRC: as check_track_chars.
  const TrackResult none = check_track_text(2, ";0000001234567890=2512?");
  CHECK(none.ok());
  CHECK(none.lrc == LrcCheck::not_sent);
  CHECK(check_track_text(2, "").status == TrackStatus::absent);
}

TEST_CASE("magstripe track text with a wrong LRC is error 204 for that track") {
  for (const std::string& text :
       {std::string(";0000001234567890=2512?="), std::string(";0000001234567890=2512?x"),
        std::string(";0000001234567890=2512?\x01")}) {
    const TrackResult t = check_track_text(2, text);
    CHECK(t.status == TrackStatus::lrc);
    CHECK(t.lrc == LrcCheck::mismatch);
    CHECK(t.raw.empty());
    CHECK(t.message ==
          "the LRC character after the end sentinel of track 2 does not match the track; swipe "
          "the card again");
  }
  // Two bytes after the end sentinel are no LRC: the end sentinel came too early.
  CHECK(check_track_text(2, ";0000001234567890=2512?<<").status == TrackStatus::end_sentinel);
  // A track that fails on its own keeps its own status, whatever follows.
  CHECK(check_track_text(2, ";12a?<").status == TrackStatus::invalid_data);
}

TEST_CASE("magstripe track text of a track 3 in another layout") {
  const TrackResult aamva = check_track_text(3, "#! 95354 C 1234567890123?");
  CHECK(aamva.status == TrackStatus::other_format);
  CHECK(aamva.raw.empty());
  CHECK(aamva.message ==
        "track 3 starts with '#', a layout other than ISO/IEC 4909 (an AAMVA driving licence?); "
        "its 25 characters are not decoded");
  CHECK(check_track_text(3, "%!95354?").status == TrackStatus::other_format);
  // Only track 3: a track 1 starting with '#' is a start sentinel error, as before.
  CHECK(check_track_text(1, "#ABC?").status == TrackStatus::start_sentinel);
  CHECK(check_track_text(2, "%123?").status == TrackStatus::start_sentinel);
  CHECK(check_track_text(3, ";0123=45?8").lrc == LrcCheck::verified);
}
