// Keyboard-wedge swipe lines.
#include "loyalty/drivers/magstripe/wedge_swipe.h"

#include <catch2/catch.hpp>
#include <string>

#include "loyalty/core/limits.h"
#include "magstripe/payment_fixtures.h"

using namespace loyalty::drivers;
using namespace drivers_test;

TEST_CASE("wedge three tracks and CR") {
  const auto swipe = parse_wedge_swipe("%LCLUB^42?;6280012345678=49121?+0123=45?\r");
  REQUIRE(swipe.ok());
  CHECK(swipe->track(1).raw == "%LCLUB^42?");
  CHECK(swipe->track(2).raw == ";6280012345678=49121?");
  CHECK(swipe->track(3).raw == ";0123=45?");  // ISO form
  CHECK(swipe->track(3).ok());
  CHECK_FALSE(swipe->payment_card);
}

TEST_CASE("wedge track 2 only with LF or CRLF") {
  for (const std::string line : {";6280012345678=49121?\n", ";6280012345678=49121?\r\n"}) {
    const auto swipe = parse_wedge_swipe(line);
    REQUIRE(swipe.ok());
    CHECK(swipe->track(1).status == TrackStatus::absent);
    CHECK(swipe->track(2).raw == ";6280012345678=49121?");
    CHECK(swipe->track(3).status == TrackStatus::absent);
  }
}

TEST_CASE("wedge a second semicolon track is track 3") {
  const auto swipe = parse_wedge_swipe(";111?;222?\r");
  REQUIRE(swipe.ok());
  CHECK(swipe->track(2).raw == ";111?");
  CHECK(swipe->track(3).raw == ";222?");
}

TEST_CASE("wedge framed E marker is a reader error for that track") {
  const auto swipe = parse_wedge_swipe("%E?;6280012345678=49121?\r");
  REQUIRE(swipe.ok());
  CHECK(swipe->track(1).status == TrackStatus::reader_error);
  CHECK(swipe->track(1).message == "the reader reported track 1 as failed (E marker)");
  CHECK(swipe->track(2).ok());
  const auto t2 = parse_wedge_swipe("%LCLUB?;E?+E?\r");
  REQUIRE(t2.ok());
  CHECK(t2->track(1).ok());
  CHECK(t2->track(2).status == TrackStatus::reader_error);
  CHECK(t2->track(3).status == TrackStatus::reader_error);
}

TEST_CASE("wedge bare E stands in for the next track") {
  const auto swipe = parse_wedge_swipe("E;123?E\r");
  REQUIRE(swipe.ok());
  CHECK(swipe->track(1).status == TrackStatus::reader_error);
  CHECK(swipe->track(2).raw == ";123?");
  CHECK(swipe->track(3).status == TrackStatus::reader_error);
  CHECK(swipe->track(3).message == "the reader reported track 3 as failed (E marker)");
}

TEST_CASE("wedge per-track errors keep the other tracks") {
  const auto swipe = parse_wedge_swipe("%Lclub?;123?\r");
  REQUIRE(swipe.ok());
  CHECK(swipe->track(1).status == TrackStatus::invalid_data);
  CHECK(swipe->track(2).ok());
  const auto end = parse_wedge_swipe(";12345\r");
  REQUIRE(end.ok());
  CHECK(end->track(2).status == TrackStatus::end_sentinel);
  CHECK(end->track(2).message == "track 2 does not end with its end sentinel '?'");
  const auto ctrl =
      parse_wedge_swipe(std::string(";12\x1b"
                                    "3?\r"));
  REQUIRE(ctrl.ok());
  CHECK(ctrl->track(2).message ==
        "control character 0x1B at position 3 of track 2 is not track data");
}

TEST_CASE("wedge line errors") {
  CHECK(parse_wedge_swipe(";123?").error().message ==
        "wedge swipe: no CR or LF at the end of the line: the swipe is incomplete");
  CHECK(parse_wedge_swipe("\r").error().message == "wedge swipe: the line holds no track");
  CHECK(
      parse_wedge_swipe("x;123?\r").error().message ==
      "wedge swipe: byte 0x78 at position 0 starts no track (expected '%', ';', '+', '#' or 'E')");
  CHECK(
      parse_wedge_swipe(";1?\r;2?\r").error().message ==
      "wedge swipe: byte 0x0D at position 3 starts no track (expected '%', ';', '+', '#' or 'E')");
  CHECK(parse_wedge_swipe("+1?%A?\r").error().message ==
        "wedge swipe: track 3 out of order at position 3");
  CHECK(parse_wedge_swipe(";1?;2?E\r").error().message ==
        "wedge swipe: more than three tracks, at position 6");
  CHECK(parse_wedge_swipe(";1?;2?;3?\r").error().message ==
        "wedge swipe: more than three tracks, at position 6");
  const std::string huge(loyalty::limits::wedge_line_bytes_max + 1, ';');
  const auto big = parse_wedge_swipe(huge);
  REQUIRE_FALSE(big.ok());
  CHECK(big.error().code == loyalty::ErrorCode::limit_exceeded);
}

TEST_CASE("wedge payment card swipe is withheld") {
  const std::string line = visa_track1 + visa_track2 + "\r";
  const auto swipe = parse_wedge_swipe(line);
  REQUIRE(swipe.ok());
  CHECK(swipe->payment_card);
  CHECK(swipe->track(1).ok());
  CHECK(swipe->track(2).ok());
  check_swipe_has_no_pan(*swipe, visa_pan);
  // Track 2 alone is enough, and a failed track 1 does not let track 2 through.
  const auto only2 = parse_wedge_swipe("%E?" + visa_track2 + "\n");
  REQUIRE(only2.ok());
  CHECK(only2->payment_card);
  check_swipe_has_no_pan(*only2, visa_pan);
}

TEST_CASE("wedge the identifying track is track 2, else track 1, never a payment card's") {
  const auto both = parse_wedge_swipe("%LCLUB^42?;6280012345678=49121?\r");
  REQUIRE(both.ok());
  REQUIRE(both->identifying_track() != nullptr);
  CHECK(both->identifying_track()->raw == ";6280012345678=49121?");
  const auto first_only = parse_wedge_swipe("%LCLUB^42?;E?\r");
  REQUIRE(first_only.ok());
  REQUIRE(first_only->identifying_track() != nullptr);
  CHECK(first_only->identifying_track()->raw == "%LCLUB^42?");
  const auto neither = parse_wedge_swipe("%E?;E?\r");
  REQUIRE(neither.ok());
  CHECK(neither->identifying_track() == nullptr);
  const auto bank = parse_wedge_swipe(";4111111111111111=25121010000000000000?\r");
  REQUIRE(bank.ok());
  CHECK(bank->payment_card);
  CHECK(bank->identifying_track() == nullptr);
}
