// UPC/EAN check digits, UPC-E expansion and the canonical GTIN-13 form (upc.h).
#include "loyalty/drivers/scan/upc.h"

#include <catch2/catch.hpp>
#include <string>

#include "loyalty/core/identification.h"

using namespace loyalty::drivers;

// The check digit is core's (identification.h); the GTIN lengths the camera path meets.
TEST_CASE("gs1 check digit of known GTINs") {
  CHECK(loyalty::gs1_check_digit("590123412345").value() == '7');   // EAN-13 5901234123457
  CHECK(loyalty::gs1_check_digit("03600029145").value() == '2');    // UPC-A 036000291452
  CHECK(loyalty::gs1_check_digit("9638507").value() == '4');        // EAN-8 96385074
  CHECK(loyalty::gs1_check_digit("0950110153000").value() == '3');  // GTIN-14 body 09501101530003
  CHECK(loyalty::gs1_check_digit("0").value() == '0');
  CHECK(loyalty::gs1_check_digit_valid("5901234123457"));
  CHECK_FALSE(loyalty::gs1_check_digit_valid("5901234123458"));
  CHECK_FALSE(loyalty::gs1_check_digit_valid("7"));
  CHECK_FALSE(loyalty::gs1_check_digit_valid(""));
  CHECK_FALSE(loyalty::gs1_check_digit_valid("59012341234a7"));
}

TEST_CASE("upc-e expands by each zero-suppression rule") {
  CHECK(expand_upce("01234505").value() == "012000003455");  // d6 0: M1 M2 d6 0000 M3 M4 M5
  CHECK(expand_upce("04252614").value() == "042100005264");  // d6 1
  CHECK(expand_upce("01234531").value() == "012300000451");  // d6 3: M1 M2 M3 00000 M4 M5
  CHECK(expand_upce("01234543").value() == "012340000053");  // d6 4: M1..M4 00000 M5
  CHECK(expand_upce("01234572").value() == "012345000072");  // d6 5-9: M1..M5 0000 d6
}

TEST_CASE("upc-e with a bad check digit, length or number system is refused") {
  CHECK(expand_upce("04252615").error().message ==
        "UPC-E label \"04252615\": wrong check digit (expected 4, got 5)");
  CHECK(expand_upce("0425261").error().message ==
        "UPC-E label \"0425261\": expected 8 digits (number system, six data digits, check "
        "digit)");
  CHECK(expand_upce("24252614").error().message ==
        "UPC-E label \"24252614\": number system 2 is not 0 or 1");
  CHECK(expand_upce("0425261x").error().code == loyalty::ErrorCode::invalid_argument);
}

TEST_CASE("upc and ean labels normalise to the canonical gtin-13") {
  CHECK(normalize_upc_ean(ScanDataType::upca, "036000291452").value() == "0036000291452");
  CHECK(normalize_upc_ean(ScanDataType::upce, "04252614").value() == "0042100005264");
  CHECK(normalize_upc_ean(ScanDataType::ean13, "5901234123457").value() == "5901234123457");
  CHECK(normalize_upc_ean(ScanDataType::ean8, "96385074").value() == "96385074");
  // The same product printed as UPC-A and as EAN-13 gives the same label.
  CHECK(normalize_upc_ean(ScanDataType::upca, "042100005264").value() ==
        normalize_upc_ean(ScanDataType::upce, "04252614").value());
}

TEST_CASE("upc and ean labels with a wrong length or check digit are refused") {
  CHECK(normalize_upc_ean(ScanDataType::ean13, "5901234123458").error().message ==
        "EAN-13 label \"5901234123458\": wrong check digit (expected 7, got 8)");
  CHECK(normalize_upc_ean(ScanDataType::upca, "36000291452").error().message ==
        "UPC-A label \"36000291452\": expected 12 digits");
  CHECK(normalize_upc_ean(ScanDataType::ean8, "96385075").error().message ==
        "EAN-8 label \"96385075\": wrong check digit (expected 4, got 5)");
  CHECK(normalize_upc_ean(ScanDataType::ean13, "590123412345A").error().message ==
        "EAN-13 label \"590123412345A\": expected 13 digits");
  CHECK(normalize_upc_ean(ScanDataType::qrcode, "5901234123457").error().message ==
        "normalize_upc_ean() takes UPC-A, UPC-E, EAN-13 or EAN-8, not qrcode");
}

TEST_CASE("is_upc_ean names the four retail symbologies") {
  CHECK(is_upc_ean(ScanDataType::upca));
  CHECK(is_upc_ean(ScanDataType::upce));
  CHECK(is_upc_ean(ScanDataType::ean13));
  CHECK(is_upc_ean(ScanDataType::ean8));
  CHECK_FALSE(is_upc_ean(ScanDataType::ean128));
  CHECK_FALSE(is_upc_ean(ScanDataType::upca_s));
}
