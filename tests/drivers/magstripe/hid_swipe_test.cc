// The 337-byte HID swipe report.
#include "loyalty/drivers/magstripe/hid_swipe.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "magstripe/payment_fixtures.h"

using namespace loyalty::drivers;
using namespace drivers_test;

namespace {

using Report = std::vector<std::uint8_t>;

Report report_with(const std::string& t1, const std::string& t2, const std::string& t3,
                   std::uint8_t encode_type = 0) {
  Report report(hid_swipe_report_bytes, 0);
  report[6] = encode_type;
  const std::string* tracks[3] = {&t1, &t2, &t3};
  for (std::size_t i = 0; i < 3; ++i) {
    report[3 + i] = static_cast<std::uint8_t>(tracks[i]->size());
    for (std::size_t j = 0; j < tracks[i]->size() && j < 110; ++j) {
      report[7 + 110 * i + j] = static_cast<std::uint8_t>((*tracks[i])[j]);
    }
  }
  return report;
}

}  // namespace

TEST_CASE("hid report with three ISO tracks") {
  const auto hid =
      parse_hid_swipe_report(report_with("%LCLUB^42?", ";6280012345678=49121?", ";0123=45?"));
  REQUIRE(hid.ok());
  CHECK(hid->encode_type == 0);
  CHECK(hid->swipe.track(1).raw == "%LCLUB^42?");
  CHECK(hid->swipe.track(2).raw == ";6280012345678=49121?");
  CHECK(hid->swipe.track(3).raw == ";0123=45?");
}

TEST_CASE("hid report of the wrong size is an error for the report") {
  const auto hid = parse_hid_swipe_report(Report(336, 0));
  REQUIRE_FALSE(hid.ok());
  CHECK(hid.error().message == "a HID swipe report is 337 bytes; this one has 336");
  CHECK_FALSE(parse_hid_swipe_report(Report(338, 0)).ok());
  CHECK_FALSE(parse_hid_swipe_report({}).ok());
}

TEST_CASE("hid track length beyond 110 is too long") {
  Report report = report_with("", ";123?", "");
  report[3] = 111;
  const auto hid = parse_hid_swipe_report(report);
  REQUIRE(hid.ok());
  CHECK(hid->swipe.track(1).status == TrackStatus::too_long);
  CHECK(hid->swipe.track(1).message ==
        "track 1: the length byte says 111 bytes; the report's track field holds 110");
  CHECK(hid->swipe.track(2).ok());
}

TEST_CASE("hid error status with data is a contradiction") {
  Report report = report_with("%LCLUB?", ";123?", "");
  report[0] = 0x01;
  const auto hid = parse_hid_swipe_report(report);
  REQUIRE(hid.ok());
  CHECK(hid->swipe.track(1).status == TrackStatus::reader_error);
  CHECK(hid->swipe.track(1).message ==
        "track 1: the status byte reports a decode error but the length byte says 7 bytes: "
        "contradiction, data ignored");
  CHECK(hid->swipe.track(1).raw.empty());
  CHECK(hid->swipe.track(2).ok());
}

TEST_CASE("hid error status without data is a reader error") {
  Report report = report_with("", ";123?", "");
  report[2] = 0x01;
  report[1] = 0x02;  // bits other than bit 0 are ignored
  const auto hid = parse_hid_swipe_report(report);
  REQUIRE(hid.ok());
  CHECK(hid->swipe.track(3).status == TrackStatus::reader_error);
  CHECK(hid->swipe.track(3).message == "the reader reported a decode error for track 3");
  CHECK(hid->swipe.track(2).ok());
  CHECK(hid->swipe.track(1).status == TrackStatus::absent);
}

TEST_CASE("hid blank or unknown encode type with data is invalid") {
  const auto hid = parse_hid_swipe_report(report_with("", ";123?", "", 3));
  REQUIRE(hid.ok());
  CHECK(hid->encode_type == 3);
  CHECK(hid->swipe.track(2).status == TrackStatus::invalid_data);
  CHECK(hid->swipe.track(2).message ==
        "track 2: encode type 3 is not ISO or AAMVA (3 is blank) but the length byte says 5 "
        "bytes; not decoded");
  const auto blank = parse_hid_swipe_report(report_with("", "", "", 3));
  REQUIRE(blank.ok());
  CHECK_FALSE(blank->swipe.any_ok());
  CHECK(parse_hid_swipe_report(report_with("", ";123?", "", 1))->swipe.track(2).ok());
}

TEST_CASE("hid track data is validated like characters") {
  const auto hid = parse_hid_swipe_report(report_with("LCLUB?", ";12\n3?", ";1"));
  REQUIRE(hid.ok());
  CHECK(hid->swipe.track(1).status == TrackStatus::start_sentinel);
  CHECK(hid->swipe.track(2).status == TrackStatus::invalid_data);
  CHECK(hid->swipe.track(3).status == TrackStatus::end_sentinel);
}

TEST_CASE("hid payment card report is withheld") {
  const auto hid = parse_hid_swipe_report(report_with(visa_track1, visa_track2, ""));
  REQUIRE(hid.ok());
  CHECK(hid->swipe.payment_card);
  check_swipe_has_no_pan(hid->swipe, visa_pan);
}
