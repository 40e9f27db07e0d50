// The untrusted-scan policy (scan_sanitizer.h).
#include "loyalty/drivers/scan/scan_sanitizer.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using namespace loyalty::drivers;
using loyalty::ErrorCode;

namespace {

std::string accepted(std::string_view label, const ScanSanitizerOptions& options = {}) {
  const auto r = sanitize_scan(label, options);
  REQUIRE(r.ok());
  CHECK(r->verdict == ScanVerdict::accepted);
  CHECK(r->rule == nullptr);
  return r->label;
}

std::string rejected(std::string_view label, const ScanSanitizerOptions& options = {}) {
  const auto r = sanitize_scan(label, options);
  REQUIRE_FALSE(r.ok());
  return r.error().message;
}

const std::string control_advice =
    " is not allowed (only GS 0x1D, and RS/EOT inside an ISO/IEC 15434 envelope, are kept); check "
    "the scanner's prefix, suffix and control-character settings";

}  // namespace

TEST_CASE("sanitizer accepts plain labels unchanged") {
  CHECK(accepted("4006381333931") == "4006381333931");
  CHECK(accepted("https://example.org/c?id=42&x=%20") == "https://example.org/c?id=42&x=%20");
  CHECK(accepted("Gr\xC3\xBC\xC3\x9F"
                 "e \xE2\x82\xAC \xF0\x9F\x98\x80") ==
        "Gr\xC3\xBC\xC3\x9F"
        "e \xE2\x82\xAC \xF0\x9F\x98\x80");
}

TEST_CASE("sanitizer keeps GS for GS1 FNC1") {
  CHECK(accepted("0104006381333931\x1D"
                 "10ABC\x1D"
                 "21X") ==
        "0104006381333931\x1D"
        "10ABC\x1D"
        "21X");
  CHECK(accepted("\x1D"
                 "0104006381333931") ==
        "\x1D"
        "0104006381333931");
}

TEST_CASE("sanitizer rejects other control characters by position and code") {
  CHECK(rejected("12\x07"
                 "34") == "scan: control character 0x07 at position 2" + control_advice);
  CHECK(rejected("123\r") == "scan: control character 0x0D at position 3" + control_advice);
  CHECK(rejected(std::string("a\0b", 3)) ==
        "scan: control character 0x00 at position 1" + control_advice);
  CHECK(rejected("abc\x7F") == "scan: control character 0x7F at position 3" + control_advice);
  CHECK(rejected("x\x1E"
                 "y") == "scan: control character 0x1E at position 1" + control_advice);
  // C1 controls in UTF-8 text.
  CHECK(rejected("ab\xC2\x85") == "scan: control character U+0085 at position 2" + control_advice);
  const auto r = sanitize_scan("\x1B[31m");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::invalid_argument);
}

TEST_CASE("sanitizer escapes control characters on request") {
  ScanSanitizerOptions options;
  options.controls = ControlPolicy::escape;
  CHECK(accepted("12\x07"
                 "34\r",
                 options) == "12\\x0734\\x0D");
  CHECK(accepted("a\xC2\x85"
                 "b\x1D",
                 options) == "a\\xC2\\x85b\x1D");
}

TEST_CASE("sanitizer keeps RS and EOT inside an ISO 15434 envelope only") {
  const std::string envelope =
      "[)>\x1E"
      "06\x1D"
      "17V12345\x1D"
      "1PABC\x1E\x04";
  CHECK(accepted(envelope) == envelope);
  CHECK(rejected("06\x1D"
                 "1PABC\x1E\x04") == "scan: control character 0x1E at position 8" + control_advice);
  ScanSanitizerOptions off;
  off.iso15434_envelopes = false;
  CHECK(rejected(envelope, off) == "scan: control character 0x1E at position 3" + control_advice);
  // Other controls stay refused inside the envelope.
  CHECK(rejected("[)>\x1E"
                 "06\x07") == "scan: control character 0x07 at position 6" + control_advice);
}

TEST_CASE("sanitizer rejects invalid UTF-8 by position and byte") {
  const std::string advice =
      " is not valid UTF-8; check the scanner's code page or keyboard layout, or read this "
      "symbology as bytes";
  CHECK(rejected("ab\xC3") == "scan: byte 0xC3 at position 2" + advice);            // truncated
  CHECK(rejected("\xC0\xAF") == "scan: byte 0xC0 at position 0" + advice);          // overlong '/'
  CHECK(rejected("x\xED\xA0\x80") == "scan: byte 0xED at position 1" + advice);     // surrogate
  CHECK(rejected("\xF4\x90\x80\x80") == "scan: byte 0xF4 at position 0" + advice);  // > U+10FFFF
  CHECK(rejected("\x80"
                 "abc") == "scan: byte 0x80 at position 0" + advice);  // lone continuation
  CHECK(rejected("\xFF") == "scan: byte 0xFF at position 0" + advice);
}

TEST_CASE("sanitizer byte policy accepts binary but not controls") {
  ScanSanitizerOptions bytes;
  bytes.text = TextPolicy::bytes;
  CHECK(accepted("\xFF\xFE\x80", bytes) == "\xFF\xFE\x80");
  CHECK(rejected("\xFF\x01", bytes) ==
        "scan: control character 0x01 at position 1" + control_advice);
}

TEST_CASE("sanitizer length limits and the empty label") {
  CHECK(accepted(std::string(4096, '7')) == std::string(4096, '7'));
  const auto r = sanitize_scan(std::string(4097, '7'));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::limit_exceeded);
  CHECK(r.error().message ==
        "scan: the label has 4097 bytes; the maximum is 4096 (limits::scan_label_bytes_max or the "
        "device's setting)");
  ScanSanitizerOptions small;
  small.label_bytes_max = 4;
  CHECK(rejected("12345", small) ==
        "scan: the label has 5 bytes; the maximum is 4 (limits::scan_label_bytes_max or the "
        "device's setting)");
  CHECK(rejected("") == "scan: the label is empty");
}

TEST_CASE("sanitizer ignores configuration barcodes by vendor rule") {
  struct Case {
    std::string label;
    std::string_view vendor;
    std::string_view what;
  };
  const std::vector<Case> cases = {
      {"\x82"
       "0300",
       "Datalogic", "Code 128 programming label (FNC3 sent as 0x82)"},
      {"\x16M\r232BAD9.", "Honeywell", "serial menu command (SYN M CR)"},
      {"DEFALT.", "Honeywell", "factory default menu label (DEFALT.)"},
      {"defalt.", "Honeywell", "factory default menu label (DEFALT.)"},
      {"~\x01"
       "0000@KBWCTY0;\x03",
       "Newland", "serial command (~ SOH 0000)"},
      {"$$%^5917069990020010F141", "Newland", "serial command ($$%^)"},
      {"NLS0006010", "Newland", "setup command (NLS + 7 digits)"},
      {"nls0313010=2000;", "Newland", "setup command (NLS + 7 digits)"},
      {"@UPAAD50", "Newland", "setting label (@ + tag, subtag and value)"},
  };
  for (const Case& c : cases) {
    INFO(escape_scan_for_log(c.label));
    const auto r = sanitize_scan(c.label);
    REQUIRE(r.ok());
    CHECK(r->verdict == ScanVerdict::ignored_configuration_barcode);
    CHECK(r->label.empty());
    REQUIRE(r->rule != nullptr);
    CHECK(r->rule->vendor == c.vendor);
    CHECK(r->rule->what == c.what);
    CHECK(match_config_barcode(c.label, default_config_barcode_rules()) == r->rule);
  }
  CHECK(std::string(scan_verdict_name(ScanVerdict::ignored_configuration_barcode)) ==
        "ignored: configuration barcode");
  CHECK(std::string(scan_verdict_name(ScanVerdict::accepted)) == "accepted");
}

TEST_CASE("sanitizer near misses of configuration rules are scans") {
  for (const std::string label : {"NLS000601", "NLSA006010", "@UPA", "@upaad50", "@UPA-AD50",
                                  "DEFALT.X", "DEFAULT", "xNLS0006010", "~0000"}) {
    INFO(label);
    CHECK(accepted(label) == label);
  }
  // A label that starts like a serial command but is not one still meets the control check.
  CHECK(rejected("\x16X") == "scan: control character 0x16 at position 0" + control_advice);
}

TEST_CASE("sanitizer configuration rules are the caller's data") {
  ScanSanitizerOptions none;
  none.config_barcodes = {};
  CHECK(accepted("NLS0006010", none) == "NLS0006010");
  const ConfigBarcodeRule mine[] = {{"Acme", "menu label", "MENU", false, ConfigTail::nothing, 0}};
  ScanSanitizerOptions custom;
  custom.config_barcodes = mine;
  const auto r = sanitize_scan("MENU", custom);
  REQUIRE(r.ok());
  CHECK(r->verdict == ScanVerdict::ignored_configuration_barcode);
  CHECK(r->rule == &mine[0]);
  CHECK(accepted("MENU1", custom) == "MENU1");
  CHECK(accepted("NLS0006010", custom) == "NLS0006010");
}

TEST_CASE("sanitizer escapes labels for logs") {
  CHECK(escape_scan_for_log("AB\x1D"
                            "C\\d\r\n") == "AB\\x1DC\\\\d\\x0D\\x0A");
  CHECK(escape_scan_for_log("\xC3\xBC") == "\\xC3\\xBC");
  CHECK(escape_scan_for_log("") == "");
  // Card numbers (12-19 digits passing Luhn) are withheld; other digit runs are shown.
  CHECK(escape_scan_for_log("x4111111111111111y") == "x<16 digits withheld>y");
  CHECK(escape_scan_for_log("4111111111111112") == "4111111111111112");
  CHECK(escape_scan_for_log("4006381333931") == "4006381333931");  // EAN-13, fails Luhn
  // A longer run is not a card number, and no part of it is taken for one.
  CHECK(escape_scan_for_log("94111111111111111") == "94111111111111111");
  CHECK(escape_scan_for_log(std::string(20, '0') + "4111111111111111") ==
        std::string(20, '0') + "4111111111111111");
  // At most bytes_max bytes are shown.
  CHECK(escape_scan_for_log(std::string(100, 'A')) == std::string(64, 'A') + "...(100 bytes)");
  CHECK(escape_scan_for_log("ABCDEF", 3) == "ABC...(6 bytes)");
  CHECK(escape_scan_for_log("AB4111111111111111", 4) == "AB<16 digits withheld>");
  CHECK(escape_scan_for_log("AB4111111111111111CD", 4) == "AB<16 digits withheld>...(20 bytes)");
  CHECK(escape_scan_for_log("AB12345", 4) == "AB12...(7 bytes)");
}
