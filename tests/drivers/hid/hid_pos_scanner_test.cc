// HID POS scanners: the layout found in a descriptor, and input reports joined into scans.
#include "loyalty/drivers/hid/hid_pos_scanner.h"

#include <catch2/catch.hpp>
#include <string>

#include "hid/hid_pos_fixtures.h"
#include "loyalty/core/limits.h"

using namespace loyalty;
using namespace loyalty::drivers;
using namespace drivers_test;

namespace {

HidReportDescriptor descriptor_of(const Bytes& bytes) {
  auto parsed = parse_hid_report_descriptor(bytes);
  if (!parsed.ok()) FAIL(parsed.error().message);
  return std::move(parsed).value();
}

HidPosScannerLayout layout_of(const Bytes& bytes) {
  auto layout = find_hid_pos_scanner(descriptor_of(bytes));
  if (!layout.ok()) FAIL(layout.error().message);
  return std::move(layout).value();
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

// 150 bytes of QR content.
std::string qr_text() {
  std::string text = "https://loyalty.example/c/";
  for (int i = 0; text.size() < 150; ++i) text.push_back(static_cast<char>('A' + i % 26));
  return text;
}

// Report 7: 255 bytes of Decoded Data, then Decoded Data Continued (bit 0 of the last byte).
const Bytes kWideDescriptor = {
    0x05, 0x8C, 0x09, 0x02, 0xA1, 0x01, 0x85, 0x07, 0x15, 0x00, 0x26,
    0xFF, 0x00, 0x75, 0x08, 0x95, 0xFF, 0x09, 0xFE, 0x81, 0x02,  // 255 x Decoded Data
    0x75, 0x01, 0x95, 0x01, 0x09, 0xFF, 0x81, 0x02,              // Continued
    0x75, 0x07, 0x81, 0x03, 0xC0,                                // padding
};

Bytes wide_report(bool more) {
  Bytes report(257, 'x');
  report[0] = 0x07;
  report[256] = more ? 1 : 0;
  return report;
}

}  // namespace

TEST_CASE("hid pos layout of the Honeywell-style descriptor") {
  const auto layout = layout_of(kHoneywellDescriptor);
  CHECK(layout.report_id == 2);
  CHECK(layout.report_bytes == 64);
  CHECK(layout.counted());
  CHECK(layout.byte_count == HidBits{0, 8});               // byte 1
  CHECK(layout.symbology_identifier[0] == HidBits{8, 8});  // bytes 2-4
  CHECK(layout.symbology_identifier[1] == HidBits{16, 8});
  CHECK(layout.symbology_identifier[2] == HidBits{24, 8});
  CHECK(layout.data_bit_offset == 32);         // byte 5
  CHECK(layout.data_bytes_max == 56);          // bytes 5-60
  CHECK(layout.continued == HidBits{496, 1});  // byte 63, bit 0
}

TEST_CASE("hid pos layout of the other vendor's descriptor") {
  const auto layout = layout_of(kOtherVendorDescriptor);
  CHECK(layout.report_id == 4);
  CHECK(layout.report_bytes == 66);
  CHECK_FALSE(layout.counted());
  CHECK(layout.data_bit_offset == 8);
  CHECK(layout.data_bytes_max == 60);
  CHECK(layout.symbology_identifier[0] == HidBits{488, 8});
  CHECK(layout.symbology_identifier[1] == HidBits{496, 8});
  CHECK(layout.symbology_identifier[2] == HidBits{504, 8});
  CHECK(layout.continued == HidBits{515, 1});
}

TEST_CASE("hid pos layout of the minimal unnumbered descriptor") {
  const auto layout = layout_of(kMinimalScannerDescriptor);
  CHECK(layout.report_id == 0);
  CHECK(layout.report_bytes == 32);
  CHECK(layout.data_bit_offset == 0);
  CHECK(layout.data_bytes_max == 32);
  CHECK_FALSE(layout.counted());
  CHECK_FALSE(layout.symbology_identifier[0].has_value());
  CHECK_FALSE(layout.continued.has_value());
}

TEST_CASE("hid pos a keyboard is not a scanner") {
  const auto keyboard = descriptor_of(kBootKeyboardDescriptor);
  CHECK_FALSE(is_hid_pos_scanner(keyboard));
  const auto layout = find_hid_pos_scanner(keyboard);
  REQUIRE_FALSE(layout.ok());
  CHECK(layout.error().code == ErrorCode::not_found);
  CHECK(contains(layout.error().message, "not a HID POS scanner"));
  CHECK(contains(layout.error().message, "switch it to HID POS mode"));
  CHECK(is_hid_pos_scanner(descriptor_of(kHoneywellDescriptor)));
}

TEST_CASE("hid pos decoded data of 16-bit elements is refused") {
  const Bytes bytes = {0x05, 0x8C, 0x75, 0x10, 0x95, 0x04, 0x09, 0xFE, 0x81, 0x02};
  const auto layout = find_hid_pos_scanner(descriptor_of(bytes));
  REQUIRE_FALSE(layout.ok());
  CHECK(layout.error().code == ErrorCode::invalid_argument);
  CHECK(contains(layout.error().message, "Decoded Data elements are 16 bits wide"));
}

TEST_CASE("hid pos single report EAN-13 scan") {
  HidPosAssembler assembler(layout_of(kHoneywellDescriptor));
  const auto report = honeywell_report("4006381333931", "]E0", false);
  auto scan = assembler.feed(report);
  REQUIRE(scan.ok());
  REQUIRE(scan->has_value());
  const HidPosScan& s = **scan;
  CHECK(s.label == "4006381333931");
  CHECK(s.aim_id == "]E0");
  CHECK(s.type == ScanDataType::ean13);
  CHECK(s.raw == report);
  CHECK(s.reports == 1);
  CHECK_FALSE(assembler.in_progress());
}

TEST_CASE("hid pos QR code of 150 bytes across three reports") {
  HidPosAssembler assembler(layout_of(kHoneywellDescriptor));
  const std::string text = qr_text();
  REQUIRE(text.size() == 150);
  const auto r1 = honeywell_report(text.substr(0, 56), "]Q1", true);
  const auto r2 = honeywell_report(text.substr(56, 56), "]Q1", true);
  const auto r3 = honeywell_report(text.substr(112), "]Q1", false);
  auto first = assembler.feed(r1);
  REQUIRE(first.ok());
  CHECK_FALSE(first->has_value());
  CHECK(assembler.in_progress());
  auto second = assembler.feed(r2);
  REQUIRE(second.ok());
  CHECK_FALSE(second->has_value());
  auto last = assembler.feed(r3);
  REQUIRE(last.ok());
  REQUIRE(last->has_value());
  CHECK((*last)->label == text);
  CHECK((*last)->aim_id == "]Q1");
  CHECK((*last)->type == ScanDataType::qrcode);
  CHECK((*last)->reports == 3);
  CHECK((*last)->raw == concat({r1, r2, r3}));
  CHECK((*last)->raw.size() == 192);
}

TEST_CASE("hid pos GS1-128 keeps FNC1 as GS") {
  HidPosAssembler assembler(layout_of(kHoneywellDescriptor));
  const std::string gs1 =
      "0104006381333931\x1d"
      "10ABC123\x1d"
      "3103000150";
  auto scan = assembler.feed(honeywell_report(gs1, "]C1", false));
  REQUIRE(scan.ok());
  REQUIRE(scan->has_value());
  CHECK((*scan)->label == gs1);
  CHECK((*scan)->label[16] == '\x1d');
  CHECK((*scan)->aim_id == "]C1");
  CHECK((*scan)->type == ScanDataType::ean128);
}

TEST_CASE("hid pos report with another id is ignored and counted") {
  HidPosAssembler assembler(layout_of(kOtherVendorDescriptor));
  auto first = assembler.feed(other_vendor_report(std::string(60, 'A'), "]d2", true));
  REQUIRE(first.ok());
  CHECK_FALSE(first->has_value());
  const Bytes status = {0x01, 0x42};  // input report 1, the vendor status
  auto ignored = assembler.feed(status);
  REQUIRE(ignored.ok());
  CHECK_FALSE(ignored->has_value());
  CHECK(assembler.unexpected_reports() == 1);
  CHECK(assembler.in_progress());  // the scan in progress is untouched
  auto last = assembler.feed(other_vendor_report("0104006381333931", "]d2", false));
  REQUIRE(last.ok());
  REQUIRE(last->has_value());
  CHECK((*last)->label == std::string(60, 'A') + "0104006381333931");
  CHECK((*last)->aim_id == "]d2");
  CHECK((*last)->type == ScanDataType::datamatrix);
  CHECK((*last)->reports == 2);
  CHECK((*last)->raw.size() == 132);
}

TEST_CASE("hid pos uncounted data runs to the first NUL") {
  HidPosAssembler assembler(layout_of(kOtherVendorDescriptor));
  auto report = other_vendor_report("LOYALTY-42", "]C0", false);
  report[20] = 'Z';  // after the NUL that ends the data: not part of the label
  auto scan = assembler.feed(report);
  REQUIRE(scan.ok());
  REQUIRE(scan->has_value());
  CHECK((*scan)->label == "LOYALTY-42");
  CHECK((*scan)->type == ScanDataType::code128);
}

TEST_CASE("hid pos unnumbered reports are each a whole scan") {
  HidPosAssembler assembler(layout_of(kMinimalScannerDescriptor));
  Bytes report(32, 0);
  const std::string label = "036000291452";
  std::copy(label.begin(), label.end(), report.begin());
  auto scan = assembler.feed(report);
  REQUIRE(scan.ok());
  REQUIRE(scan->has_value());
  CHECK((*scan)->label == label);
  CHECK((*scan)->aim_id.empty());
  CHECK((*scan)->type == ScanDataType::unknown);  // no AIM id, no type
  CHECK((*scan)->raw == report);
  Bytes full(32, '7');  // no NUL: the whole field
  scan = assembler.feed(full);
  REQUIRE(scan.ok());
  REQUIRE(scan->has_value());
  CHECK((*scan)->label == std::string(32, '7'));
}

TEST_CASE("hid pos symbology bytes that are no AIM id give no type") {
  HidPosAssembler assembler(layout_of(kHoneywellDescriptor));
  auto scan = assembler.feed(honeywell_report("12345", std::string(3, '\0'), false));
  REQUIRE(scan.ok());
  REQUIRE(scan->has_value());
  CHECK((*scan)->label == "12345");
  CHECK((*scan)->aim_id.empty());
  CHECK((*scan)->type == ScanDataType::unknown);
}

TEST_CASE("hid pos runaway continuation is dropped and the rest of it skipped") {
  HidPosAssembler assembler(layout_of(kHoneywellDescriptor));
  const auto more = honeywell_report(std::string(56, 'R'), "]Q1", true);
  for (std::size_t i = 1; i < limits::hid_scan_reports_max; ++i) {
    auto r = assembler.feed(more);
    REQUIRE(r.ok());
    REQUIRE_FALSE(r->has_value());
  }
  auto runaway = assembler.feed(more);
  REQUIRE_FALSE(runaway.ok());
  CHECK(runaway.error().code == ErrorCode::limit_exceeded);
  CHECK(contains(runaway.error().message, "still continued after 64 reports"));
  CHECK_FALSE(assembler.in_progress());
  // The rest of the runaway scan, its last report included, is skipped.
  auto skipped = assembler.feed(more);
  REQUIRE(skipped.ok());
  CHECK_FALSE(skipped->has_value());
  skipped = assembler.feed(honeywell_report("END", "]Q1", false));
  REQUIRE(skipped.ok());
  CHECK_FALSE(skipped->has_value());
  CHECK(assembler.dropped_reports() == 2);
  // The next scan comes through whole.
  auto next = assembler.feed(honeywell_report("96385074", "]E4", false));
  REQUIRE(next.ok());
  REQUIRE(next->has_value());
  CHECK((*next)->label == "96385074");
  CHECK((*next)->type == ScanDataType::ean8);
}

TEST_CASE("hid pos truncated report drops the scan in progress") {
  HidPosAssembler assembler(layout_of(kHoneywellDescriptor));
  REQUIRE(assembler.feed(honeywell_report("PART-ONE", "]C0", true)).ok());
  auto cut = honeywell_report("PART-TWO", "]C0", false);
  cut.resize(40);
  auto truncated = assembler.feed(cut);
  REQUIRE_FALSE(truncated.ok());
  CHECK(truncated.error().code == ErrorCode::invalid_argument);
  CHECK(contains(truncated.error().message, "input report of 40 bytes, expected 64 (truncated)"));
  CHECK_FALSE(assembler.in_progress());
  auto next = assembler.feed(honeywell_report("WHOLE", "]C0", false));
  REQUIRE(next.ok());
  REQUIRE(next->has_value());
  CHECK((*next)->label == "WHOLE");  // nothing of PART-ONE
  CHECK((*next)->reports == 1);
}

TEST_CASE("hid pos longer report than declared is read by the descriptor") {
  HidPosAssembler assembler(layout_of(kHoneywellDescriptor));
  auto report = honeywell_report("ABC", "]A0", false);
  report.push_back(0xEE);
  auto scan = assembler.feed(report);
  REQUIRE(scan.ok());
  REQUIRE(scan->has_value());
  CHECK((*scan)->label == "ABC");
  CHECK((*scan)->type == ScanDataType::code39);
}

TEST_CASE("hid pos byte count above the field is an error") {
  HidPosAssembler assembler(layout_of(kHoneywellDescriptor));
  REQUIRE(assembler.feed(honeywell_report("FIRST", "]C0", true)).ok());
  auto report = honeywell_report("X", "]C0", true);
  report[1] = 57;
  auto bad = assembler.feed(report);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == ErrorCode::invalid_argument);
  CHECK(contains(bad.error().message,
                 "report says 57 data bytes but its Decoded Data field "
                 "holds 56"));
  // It said more follows: the rest of that scan is skipped.
  auto skipped = assembler.feed(honeywell_report("TAIL", "]C0", false));
  REQUIRE(skipped.ok());
  CHECK_FALSE(skipped->has_value());
  CHECK(assembler.dropped_reports() == 1);
}

TEST_CASE("hid pos label over the byte limit is an error") {
  HidPosAssembler assembler(layout_of(kWideDescriptor));
  const std::size_t whole_reports = limits::scan_label_bytes_max / 255;  // 16
  for (std::size_t i = 0; i < whole_reports; ++i) {
    auto r = assembler.feed(wide_report(true));
    REQUIRE(r.ok());
    REQUIRE_FALSE(r->has_value());
  }
  auto over = assembler.feed(wide_report(true));
  REQUIRE_FALSE(over.ok());
  CHECK(over.error().code == ErrorCode::limit_exceeded);
  CHECK(contains(over.error().message, "scan longer than 4096 bytes"));
  CHECK_FALSE(assembler.in_progress());
}

TEST_CASE("hid pos empty report is an error and an empty scan nothing") {
  HidPosAssembler assembler(layout_of(kHoneywellDescriptor));
  auto empty = assembler.feed(Bytes{});
  REQUIRE_FALSE(empty.ok());
  CHECK(contains(empty.error().message, "empty input report"));
  auto nothing = assembler.feed(honeywell_report("", "]E0", false));
  REQUIRE(nothing.ok());
  CHECK_FALSE(nothing->has_value());
  CHECK(assembler.dropped_reports() == 1);
}

TEST_CASE("hid pos reset drops the scan in progress") {
  HidPosAssembler assembler(layout_of(kHoneywellDescriptor));
  REQUIRE(assembler.feed(honeywell_report("STALE", "]C0", true)).ok());
  CHECK(assembler.in_progress());
  assembler.reset();
  CHECK_FALSE(assembler.in_progress());
  auto scan = assembler.feed(honeywell_report("FRESH", "]C0", false));
  REQUIRE(scan.ok());
  REQUIRE(scan->has_value());
  CHECK((*scan)->label == "FRESH");
}

TEST_CASE("hid pos Honeywell enable report") {
  const auto honeywell = descriptor_of(kHoneywellDescriptor);
  CHECK(hid_pos_wants_enable_report(honeywell));
  CHECK(honeywell_hid_pos_enable_report(honeywell) == Bytes{0xFE, 0x01});
  const auto other = descriptor_of(kOtherVendorDescriptor);
  CHECK_FALSE(hid_pos_wants_enable_report(other));
  CHECK(honeywell_hid_pos_enable_report(other) == Bytes{0xFE, 0x01});
  // A Feature report 0xFE of 4 bytes: the enable report is sized to it.
  const Bytes wide_feature = {0x06, 0x00, 0xFF, 0x09, 0x01, 0x85, 0xFE,
                              0x75, 0x08, 0x95, 0x04, 0xB1, 0x02};
  const auto d = descriptor_of(wide_feature);
  CHECK(hid_pos_wants_enable_report(d));
  CHECK(honeywell_hid_pos_enable_report(d) == Bytes{0xFE, 0x01, 0x00, 0x00, 0x00});
}
