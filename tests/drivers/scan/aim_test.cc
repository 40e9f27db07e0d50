// AIM symbology identifiers (ISO/IEC 15424) and their UPOS ScanDataType.
#include "loyalty/drivers/scan/aim.h"

#include <catch2/catch.hpp>
#include <string>

using namespace loyalty::drivers;

TEST_CASE("aim prefix parses the three leading bytes") {
  const auto id = parse_aim_prefix("]E04006381333931");
  REQUIRE(id.has_value());
  CHECK(id->code == 'E');
  CHECK(id->modifier == '0');
  CHECK(id->to_string() == "]E0");
  CHECK(*parse_aim_prefix("]d2") == AimId{'d', '2'});
  CHECK(*parse_aim_prefix("]QA") == AimId{'Q', 'A'});
}

TEST_CASE("aim prefix rejects malformed identifiers") {
  CHECK_FALSE(parse_aim_prefix("").has_value());
  CHECK_FALSE(parse_aim_prefix("]E").has_value());
  CHECK_FALSE(parse_aim_prefix("E04006381333931").has_value());
  CHECK_FALSE(parse_aim_prefix("]10").has_value());  // code must be a letter
  CHECK_FALSE(parse_aim_prefix("]E-").has_value());  // modifier letter or digit
  CHECK_FALSE(parse_aim_prefix(std::string("]\0"
                                           "0",
                                           3))
                  .has_value());
  CHECK_FALSE(parse_aim_prefix("\x1d"
                               "E0")
                  .has_value());
}

TEST_CASE("aim EAN and UPC are told apart by the label") {
  CHECK(scan_data_type_from_aim("]E0", "036000291452") == ScanDataType::upca);
  CHECK(scan_data_type_from_aim("]E0", "0036000291452") == ScanDataType::upca);
  CHECK(scan_data_type_from_aim("]E0", "4006381333931") == ScanDataType::ean13);
  CHECK(scan_data_type_from_aim("]E0", "01234565") == ScanDataType::upce);
  CHECK(scan_data_type_from_aim("]E0", "123456") == ScanDataType::upce);
  CHECK(scan_data_type_from_aim("]E4", "96385074") == ScanDataType::ean8);
  // Not an EAN/UPC label: the AIM id is well-formed, so other, not unknown.
  CHECK(scan_data_type_from_aim("]E0", "40063813339") == ScanDataType::other);
  CHECK(scan_data_type_from_aim("]E0", "400638133393A") == ScanDataType::other);
  CHECK(scan_data_type_from_aim("]E0", "") == ScanDataType::other);
}

TEST_CASE("aim EAN and UPC with add-on") {
  CHECK(scan_data_type_from_aim("]E3", "400638133393112") == ScanDataType::ean13_s);
  CHECK(scan_data_type_from_aim("]E3", "400638133393152495") == ScanDataType::ean13_s);
  CHECK(scan_data_type_from_aim("]E3", "03600029145212") == ScanDataType::upca_s);
  CHECK(scan_data_type_from_aim("]E3", "03600029145252495") == ScanDataType::upca_s);
  CHECK(scan_data_type_from_aim("]E3", "003600029145212") == ScanDataType::upca_s);
  CHECK(scan_data_type_from_aim("]E3", "0123456512") == ScanDataType::upce_s);
  CHECK(scan_data_type_from_aim("]E3", "9638507412") == ScanDataType::ean8_s);
  CHECK(scan_data_type_from_aim("]E3", "9638507452495") == ScanDataType::ean8_s);
  CHECK(scan_data_type_from_aim("]E3", "4006381333931 12") == ScanDataType::ean13_s);
  CHECK(scan_data_type_from_aim("]E3", "036000291452 52495") == ScanDataType::upca_s);
  CHECK(scan_data_type_from_aim("]E3", "4006381333931 123") == ScanDataType::other);
  CHECK(scan_data_type_from_aim("]E3", "400638133393") == ScanDataType::other);  // no add-on
  // 13 digits under ]E3 can only be EAN-8 + 5-digit add-on.
  CHECK(scan_data_type_from_aim("]E3", "4006381333931") == ScanDataType::ean8_s);
  CHECK(scan_data_type_from_aim("]E1", "12") == ScanDataType::other);
  CHECK(scan_data_type_from_aim("]E2", "52495") == ScanDataType::other);
  CHECK(scan_data_type_from_aim("]E9", "4006381333931") == ScanDataType::other);
}

TEST_CASE("aim one and two dimensional symbologies") {
  CHECK(scan_data_type_from_aim("]C0", "LOYALTY-42") == ScanDataType::code128);
  CHECK(scan_data_type_from_aim("]C1",
                                "0104006381333931\x1d"
                                "10ABC") == ScanDataType::ean128);
  CHECK(scan_data_type_from_aim("]C2", "x") == ScanDataType::code128);
  CHECK(scan_data_type_from_aim("]C4", "x") == ScanDataType::code128);
  CHECK(scan_data_type_from_aim("]Q1", "https://example.com") == ScanDataType::qrcode);
  CHECK(scan_data_type_from_aim("]Q3", "0104006381333931") == ScanDataType::qrcode);
  CHECK(scan_data_type_from_aim("]d1", "x") == ScanDataType::datamatrix);
  CHECK(scan_data_type_from_aim("]d2", "0104006381333931") == ScanDataType::datamatrix);
  CHECK(scan_data_type_from_aim("]A0", "ABC") == ScanDataType::code39);
  CHECK(scan_data_type_from_aim("]G0", "ABC") == ScanDataType::code93);
  CHECK(scan_data_type_from_aim("]F0", "A123B") == ScanDataType::codabar);
  CHECK(scan_data_type_from_aim("]I1", "1234567890") == ScanDataType::itf);
  CHECK(scan_data_type_from_aim("]S0", "1234") == ScanDataType::tf);
  CHECK(scan_data_type_from_aim("]R0", "1234") == ScanDataType::tf);
  CHECK(scan_data_type_from_aim("]L0", "x") == ScanDataType::pdf417);
  CHECK(scan_data_type_from_aim("]z0", "x") == ScanDataType::aztec);
  CHECK(scan_data_type_from_aim("]U0", "x") == ScanDataType::maxicode);
  CHECK(scan_data_type_from_aim("]e0", "0100012345678905") == ScanDataType::gs1databar);
  CHECK(scan_data_type_from_aim("]e0", "010001234567890510ABC") == ScanDataType::gs1databar_e);
  CHECK(scan_data_type_from_aim("]e0", "0200012345678905") == ScanDataType::gs1databar_e);
}

TEST_CASE("aim well-formed but unnamed symbologies are other") {
  CHECK(scan_data_type_from_aim("]H0", "123") == ScanDataType::other);  // Code 11
  CHECK(scan_data_type_from_aim("]M0", "123") == ScanDataType::other);  // MSI
  CHECK(scan_data_type_from_aim("]X0", "123") == ScanDataType::other);
  CHECK(scan_data_type_from_aim("]Z0", "123") == ScanDataType::other);
}

TEST_CASE("aim malformed identifiers are unknown") {
  CHECK(scan_data_type_from_aim("", "036000291452") == ScanDataType::unknown);
  CHECK(scan_data_type_from_aim("]E", "036000291452") == ScanDataType::unknown);
  CHECK(scan_data_type_from_aim("E0", "036000291452") == ScanDataType::unknown);
  CHECK(scan_data_type_from_aim("]E0x", "036000291452") == ScanDataType::unknown);
  CHECK(scan_data_type_from_aim("]?0", "036000291452") == ScanDataType::unknown);
  CHECK(scan_data_type_from_aim(std::string(3, '\0'), "036000291452") == ScanDataType::unknown);
}

TEST_CASE("aim id for a scan data type") {
  CHECK(aim_id_for(ScanDataType::upca) == "]E0");
  CHECK(aim_id_for(ScanDataType::upce) == "]E0");
  CHECK(aim_id_for(ScanDataType::ean13) == "]E0");
  CHECK(aim_id_for(ScanDataType::ean8) == "]E4");
  CHECK(aim_id_for(ScanDataType::ean13_s) == "]E3");
  CHECK(aim_id_for(ScanDataType::code128) == "]C0");
  CHECK(aim_id_for(ScanDataType::ean128) == "]C1");
  CHECK(aim_id_for(ScanDataType::qrcode) == "]Q1");
  CHECK(aim_id_for(ScanDataType::datamatrix) == "]d1");
  CHECK(aim_id_for(ScanDataType::pdf417) == "]L0");
  CHECK(aim_id_for(ScanDataType::aztec) == "]z0");
  CHECK(aim_id_for(ScanDataType::gs1databar_e) == "]e0");
  CHECK(aim_id_for(ScanDataType::tf) == "]S0");
  CHECK(aim_id_for(ScanDataType::other).empty());
  CHECK(aim_id_for(ScanDataType::unknown).empty());
}

TEST_CASE("aim id round trip keeps the type for every named symbology") {
  const struct {
    ScanDataType type;
    const char* label;
  } cases[] = {
      {ScanDataType::upca, "036000291452"},
      {ScanDataType::upce, "01234565"},
      {ScanDataType::ean8, "96385074"},
      {ScanDataType::ean13, "4006381333931"},
      {ScanDataType::upca_s, "03600029145212"},
      {ScanDataType::ean13_s, "400638133393112"},
      {ScanDataType::tf, "1234"},
      {ScanDataType::itf, "1234"},
      {ScanDataType::codabar, "A1B"},
      {ScanDataType::code39, "A"},
      {ScanDataType::code93, "A"},
      {ScanDataType::code128, "A"},
      {ScanDataType::ean128, "01"},
      {ScanDataType::gs1databar, "0100012345678905"},
      {ScanDataType::pdf417, "A"},
      {ScanDataType::maxicode, "A"},
      {ScanDataType::datamatrix, "A"},
      {ScanDataType::qrcode, "A"},
      {ScanDataType::aztec, "A"},
  };
  for (const auto& c : cases) {
    INFO(scan_data_type_name(c.type));
    CHECK(scan_data_type_from_aim(aim_id_for(c.type), c.label) == c.type);
  }
}
