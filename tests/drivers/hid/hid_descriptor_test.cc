// The HID report descriptor parser: golden layouts of byte-exact descriptors, and malformed ones.
#include "loyalty/drivers/hid/hid_descriptor.h"

#include <catch2/catch.hpp>
#include <string>

#include "hid/hid_pos_fixtures.h"
#include "loyalty/core/limits.h"

using namespace loyalty;
using namespace loyalty::drivers;
using namespace drivers_test;

namespace {

HidReportDescriptor parse_ok(const Bytes& bytes) {
  auto parsed = parse_hid_report_descriptor(bytes);
  if (!parsed.ok()) FAIL(parsed.error().message);
  return std::move(parsed).value();
}

Error parse_error(const Bytes& bytes) {
  auto parsed = parse_hid_report_descriptor(bytes);
  REQUIRE_FALSE(parsed.ok());
  return parsed.error();
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

constexpr std::uint32_t kGenericDesktop = 0x01;

}  // namespace

TEST_CASE("hid descriptor golden layout of the boot keyboard") {
  const auto d = parse_ok(kBootKeyboardDescriptor);
  CHECK_FALSE(d.numbered());
  REQUIRE(d.applications.size() == 1);
  CHECK(d.applications[0] == HidCollectionRef{hid_usage(kGenericDesktop, 0x06), 1});
  REQUIRE(d.reports.size() == 2);

  const HidReport* in = d.find(HidReportType::input, 0);
  REQUIRE(in != nullptr);
  CHECK(in->bits == 64);
  CHECK(in->wire_bytes() == 8);
  REQUIRE(in->fields.size() == 3);
  const auto& modifiers = in->fields[0];
  CHECK(modifiers.bit_offset == 0);
  CHECK(modifiers.bit_size == 1);
  CHECK(modifiers.count == 8);
  CHECK(modifiers.flags == 0x02);
  CHECK(modifiers.variable());
  CHECK(modifiers.usage_page == 0x07);
  CHECK(modifiers.logical_min == 0);
  CHECK(modifiers.logical_max == 1);
  REQUIRE(modifiers.usages.size() == 1);
  CHECK(modifiers.usages[0] == HidUsageRange{0x000700E0, 0x000700E7});
  CHECK(modifiers.usage_of(0) == 0x000700E0u);
  CHECK(modifiers.usage_of(7) == 0x000700E7u);
  CHECK_FALSE(modifiers.usage_of(8).has_value());
  REQUIRE(modifiers.collections.size() == 1);
  CHECK(modifiers.collections[0].usage == hid_usage(kGenericDesktop, 0x06));

  const auto& reserved = in->fields[1];
  CHECK(reserved.bit_offset == 8);
  CHECK(reserved.bit_size == 8);
  CHECK(reserved.count == 1);
  CHECK(reserved.constant());
  CHECK(reserved.usages.empty());

  const auto& keys = in->fields[2];
  CHECK(keys.bit_offset == 16);
  CHECK(keys.bit_size == 8);
  CHECK(keys.count == 6);
  CHECK(keys.array());
  CHECK(keys.logical_max == 101);
  REQUIRE(keys.usages.size() == 1);
  CHECK(keys.usages[0] == HidUsageRange{0x00070000, 0x00070065});
  CHECK_FALSE(keys.usage_of(0).has_value());  // array: usages are values, not elements

  const HidReport* out = d.find(HidReportType::output, 0);
  REQUIRE(out != nullptr);
  CHECK(out->bits == 8);
  REQUIRE(out->fields.size() == 2);
  CHECK(out->fields[0].usages[0] == HidUsageRange{0x00080001, 0x00080005});
  CHECK(out->fields[0].count == 5);
  CHECK(out->fields[1].bit_offset == 5);
  CHECK(out->fields[1].bit_size == 3);
  CHECK(d.find(HidReportType::feature, 0) == nullptr);
}

TEST_CASE("hid descriptor golden layout of the Honeywell-style scanner") {
  const auto d = parse_ok(kHoneywellDescriptor);
  CHECK(d.numbered());
  REQUIRE(d.reports.size() == 3);
  const HidReport* in = d.find(HidReportType::input, 2);
  REQUIRE(in != nullptr);
  CHECK(in->bits == 504);
  CHECK(in->wire_bytes() == 64);
  REQUIRE(in->fields.size() == 6);
  struct Expected {
    std::uint32_t offset, size, count, flags;
    std::uint16_t page;
    std::int64_t max;
  };
  const Expected expected[] = {
      {0, 8, 1, 0x02, 0x01, 255},     {8, 8, 3, 0x02, 0x8C, 255}, {32, 8, 56, 0x102, 0x8C, 255},
      {480, 8, 2, 0x02, 0xFF66, 255}, {496, 1, 1, 0x02, 0x8C, 1}, {497, 7, 1, 0x03, 0x8C, 1},
  };
  for (std::size_t i = 0; i < 6; ++i) {
    INFO("field " << i);
    const auto& f = in->fields[i];
    CHECK(f.bit_offset == expected[i].offset);
    CHECK(f.bit_size == expected[i].size);
    CHECK(f.count == expected[i].count);
    CHECK(f.flags == expected[i].flags);
    CHECK(f.usage_page == expected[i].page);
    CHECK(f.logical_min == 0);
    CHECK(f.logical_max == expected[i].max);
    REQUIRE(f.collections.size() == 2);
    CHECK(f.collections[0] == HidCollectionRef{0x008C0002, 1});
    CHECK(f.collections[1] == HidCollectionRef{0x008C0012, 2});
    CHECK(f.inside(0x008C0012));
  }
  CHECK(in->fields[0].usages == std::vector<HidUsageRange>{{0x0001003B, 0x0001003B}});
  CHECK(in->fields[1].usages == std::vector<HidUsageRange>{{0x008C00FB, 0x008C00FB},
                                                           {0x008C00FC, 0x008C00FC},
                                                           {0x008C00FD, 0x008C00FD}});
  CHECK(in->fields[2].usages == std::vector<HidUsageRange>{{0x008C00FE, 0x008C00FE}});
  CHECK(in->fields[3].usages ==
        std::vector<HidUsageRange>{{0xFF660001, 0xFF660001}, {0xFF660002, 0xFF660002}});
  CHECK(in->fields[4].usages == std::vector<HidUsageRange>{{0x008C00FF, 0x008C00FF}});
  CHECK(in->fields[5].usages.empty());
  // The single Decoded Data usage covers all 56 elements.
  const auto span = in->fields[2].elements_with_usage(0x008C00FE);
  REQUIRE(span.has_value());
  CHECK(span->first == 0);
  CHECK(span->count == 56);
  CHECK(in->fields[2].usage_of(55) == 0x008C00FEu);

  const HidReport* out = d.find(HidReportType::output, 0xFD);
  REQUIRE(out != nullptr);
  CHECK(out->wire_bytes() == 64);
  REQUIRE(out->fields.size() == 1);
  CHECK(out->fields[0].collections == std::vector<HidCollectionRef>{{0x008C0002, 1}});
  const HidReport* feature = d.find(HidReportType::feature, 0xFE);
  REQUIRE(feature != nullptr);
  CHECK(feature->wire_bytes() == 2);
  CHECK(feature->fields[0].usages == std::vector<HidUsageRange>{{0xFF660005, 0xFF660005}});
}

TEST_CASE("hid descriptor golden layout of the other vendor's scanner") {
  const auto d = parse_ok(kOtherVendorDescriptor);
  REQUIRE(d.reports.size() == 2);
  const HidReport* status = d.find(HidReportType::input, 1);
  REQUIRE(status != nullptr);
  CHECK(status->wire_bytes() == 2);
  const HidReport* in = d.find(HidReportType::input, 4);
  REQUIRE(in != nullptr);
  CHECK(in->bits == 520);
  CHECK(in->wire_bytes() == 66);
  REQUIRE(in->fields.size() == 6);
  // The 4-byte Usage keeps its own page although Generic Desktop is current.
  CHECK(in->fields[1].bit_offset == 8);
  CHECK(in->fields[1].usage_page == 0x01);
  CHECK(in->fields[1].usages == std::vector<HidUsageRange>{{0x008C00FE, 0x008C00FE}});
  CHECK(in->fields[2].bit_offset == 488);
  CHECK(in->fields[2].usages == std::vector<HidUsageRange>{{0x008C00FB, 0x008C00FD}});
  const auto sym3 = in->fields[2].elements_with_usage(0x008C00FD);
  REQUIRE(sym3.has_value());
  CHECK(sym3->first == 2);
  CHECK(sym3->count == 1);
  CHECK(in->fields[3].bit_offset == 512);
  CHECK(in->fields[3].constant());
  CHECK(in->fields[4].bit_offset == 515);
  CHECK(in->fields[4].usages == std::vector<HidUsageRange>{{0x008C00FF, 0x008C00FF}});
  CHECK(in->fields[5].bit_offset == 516);
}

TEST_CASE("hid descriptor usages resolve with the page current at the main item") {
  // Usage given before the Usage Page that applies to it (kernel behaviour, HID 1.11 6.2.2.8).
  const Bytes bytes = {0x09, 0x30, 0x05, 0x01, 0x75, 0x08, 0x95, 0x01, 0x81, 0x02};
  const auto d = parse_ok(bytes);
  REQUIRE(d.reports.size() == 1);
  CHECK(d.reports[0].fields[0].usages == std::vector<HidUsageRange>{{0x00010030, 0x00010030}});
  CHECK(d.applications.empty());
}

TEST_CASE("hid descriptor push and pop restore the global state") {
  const Bytes bytes = {
      0x05, 0x8C, 0x85, 0x03, 0x75, 0x08, 0x95, 0x02,  // page, Report ID 3, 8 bits x 2
      0xA4,                                            // Push
      0x85, 0x05, 0x75, 0x04, 0x95, 0x01, 0x05, 0x01,  // Report ID 5, 4 bits x 1, page 1
      0x09, 0x30, 0x81, 0x02,                          // Usage X, Input -> report 5
      0xB4,                                            // Pop
      0x09, 0xFE, 0x81, 0x02,                          // Input -> report 3, 8 bits x 2, page 0x8C
  };
  const auto d = parse_ok(bytes);
  REQUIRE(d.reports.size() == 2);
  const HidReport* r5 = d.find(HidReportType::input, 5);
  const HidReport* r3 = d.find(HidReportType::input, 3);
  REQUIRE(r5 != nullptr);
  REQUIRE(r3 != nullptr);
  CHECK(r5->bits == 4);
  CHECK(r3->bits == 16);
  CHECK(r3->fields[0].usages == std::vector<HidUsageRange>{{0x008C00FE, 0x008C00FE}});
}

TEST_CASE("hid descriptor skips long items and keeps the first usage of a delimiter set") {
  const Bytes bytes = {
      0xFE, 0x02, 0x10, 0xAA, 0xBB,                    // long item, 2 data bytes, skipped
      0x05, 0x01,                                      // Usage Page (Generic Desktop)
      0xA9, 0x01, 0x09, 0x30, 0x09, 0x31, 0xA9, 0x00,  // Delimiter { X, Y }
      0x75, 0x08, 0x95, 0x01, 0x81, 0x02,
  };
  const auto d = parse_ok(bytes);
  REQUIRE(d.reports.size() == 1);
  CHECK(d.reports[0].fields[0].usages == std::vector<HidUsageRange>{{0x00010030, 0x00010030}});
}

TEST_CASE("hid descriptor sign of logical limits") {
  const Bytes bytes = {0x15, 0x81, 0x25, 0x7F, 0x75, 0x08, 0x95, 0x01,
                       0x81, 0x02, 0x15, 0x00, 0x25, 0xFF, 0x81, 0x02};
  const auto d = parse_ok(bytes);
  REQUIRE(d.reports[0].fields.size() == 2);
  CHECK(d.reports[0].fields[0].logical_min == -127);
  CHECK(d.reports[0].fields[0].logical_max == 127);
  // 0xFF as a maximum over a non-negative minimum is 255, as the kernel reads it.
  CHECK(d.reports[0].fields[1].logical_max == 255);
}

TEST_CASE("hid descriptor elements with a usage when usages and count differ") {
  HidField field;
  field.flags = hid_flag_variable;
  field.bit_size = 8;
  field.count = 10;
  field.usages = {{0x8C00FB, 0x8C00FD}, {0x8C00FE, 0x8C00FE}};
  auto span = field.elements_with_usage(0x8C00FE);
  REQUIRE(span.has_value());
  CHECK(span->first == 3);
  CHECK(span->count == 7);  // the last usage repeats to the end
  span = field.elements_with_usage(0x8C00FC);
  REQUIRE(span.has_value());
  CHECK(span->first == 1);
  CHECK(span->count == 1);
  CHECK_FALSE(field.elements_with_usage(0x8C00FF).has_value());
  field.count = 2;  // fewer elements than usages: FE is never reached
  CHECK_FALSE(field.elements_with_usage(0x8C00FE).has_value());
  field.count = 6;
  field.usages = {{0x8C00FE, 0x8C00FE}, {0x8C00FE, 0x8C00FE}, {0x8C00FF, 0x8C00FF}};
  span = field.elements_with_usage(0x8C00FE);
  REQUIRE(span.has_value());
  CHECK(span->first == 0);
  CHECK(span->count == 2);
}

TEST_CASE("hid read bits is little-endian across bytes") {
  const Bytes data = {0xA5, 0x3C, 0x01};
  CHECK(hid_read_bits(data, 0, 8) == 0xA5u);
  CHECK(hid_read_bits(data, 4, 8) == 0xCAu);
  CHECK(hid_read_bits(data, 0, 17) == 0x13CA5u);
  CHECK(hid_read_bits(data, 16, 1) == 1u);
  CHECK_FALSE(hid_read_bits(data, 17, 8).has_value());
  CHECK_FALSE(hid_read_bits(data, 0xFFFFFFFFu, 1).has_value());
}

TEST_CASE("hid descriptor errors name the offending item") {
  SECTION("empty") { CHECK(contains(parse_error({}).message, "empty")); }
  SECTION("truncated short item") {
    const auto e = parse_error({0x05, 0x8C, 0x26, 0xFF});
    CHECK(e.code == ErrorCode::invalid_argument);
    CHECK(contains(e.message, "byte 2"));
    CHECK(contains(e.message, "truncated"));
  }
  SECTION("truncated long item") {
    CHECK(contains(parse_error({0xFE, 0x05, 0x10, 0x00}).message, "long item of 8 bytes"));
    CHECK(contains(parse_error({0x05, 0x01, 0xFE, 0x05}).message, "long item header"));
  }
  SECTION("end collection without collection") {
    const auto e = parse_error({0x09, 0x01, 0xA1, 0x01, 0xC0, 0xC0});
    CHECK(contains(e.message, "byte 5"));
    CHECK(contains(e.message, "End Collection without an open Collection"));
  }
  SECTION("collection left open") {
    CHECK(contains(parse_error({0xA1, 0x01, 0xA1, 0x02, 0xC0}).message,
                   "1 Collection(s) not closed"));
  }
  SECTION("collections nested too deep") {
    Bytes bytes;
    for (std::size_t i = 0; i <= limits::hid_collection_depth_max; ++i) {
      bytes.push_back(0xA1);
      bytes.push_back(0x02);
    }
    const auto e = parse_error(bytes);
    CHECK(e.code == ErrorCode::limit_exceeded);
    CHECK(contains(e.message, "byte " + std::to_string(2 * limits::hid_collection_depth_max)));
    CHECK(contains(e.message, "nested deeper than 16"));
  }
  SECTION("push overflow") {
    const Bytes bytes(limits::hid_global_stack_depth_max + 1, 0xA4);
    const auto e = parse_error(bytes);
    CHECK(e.code == ErrorCode::limit_exceeded);
    CHECK(contains(e.message, "byte 8: Push beyond a depth of 8"));
  }
  SECTION("pop without push") {
    CHECK(contains(parse_error({0xA4, 0xB4, 0xB4}).message, "byte 2: Pop without a Push"));
  }
  SECTION("report id zero") {
    CHECK(contains(parse_error({0x85, 0x00}).message, "Report ID 0 is invalid"));
  }
  SECTION("report size over the bound") {
    const auto e = parse_error({0x76, 0x01, 0x01});  // Report Size (257)
    CHECK(e.code == ErrorCode::limit_exceeded);
    CHECK(contains(e.message, "Report Size 257 bits is above the limit of 256"));
  }
  SECTION("report over the byte limit") {
    // 8 bits x 4096 plus the Report ID byte: 4097 bytes.
    const auto e = parse_error({0x85, 0x01, 0x75, 0x08, 0x96, 0x00, 0x10, 0x81, 0x02});
    CHECK(e.code == ErrorCode::limit_exceeded);
    CHECK(contains(e.message, "input report 1 grows to 4097 bytes"));
  }
  SECTION("huge report count does not overflow") {
    const auto e = parse_error({0x75, 0xFF, 0x97, 0xFF, 0xFF, 0xFF, 0xFF, 0x81, 0x02});
    CHECK(e.code == ErrorCode::limit_exceeded);
  }
  SECTION("numbered and unnumbered reports mixed") {
    const auto e = parse_error({0x75, 0x08, 0x95, 0x01, 0x81, 0x02, 0x85, 0x02, 0x81, 0x02});
    CHECK(contains(e.message, "some reports have a Report ID and others none"));
  }
  SECTION("usage minimum without maximum") {
    CHECK(contains(parse_error({0x19, 0x01, 0x75, 0x08, 0x95, 0x01, 0x81, 0x02}).message,
                   "Usage Minimum without Usage Maximum"));
  }
  SECTION("usage minimum above maximum") {
    CHECK(contains(parse_error({0x19, 0x05, 0x29, 0x01}).message, "above Usage Maximum"));
  }
  SECTION("too many usages before a main item") {
    Bytes bytes;
    for (std::size_t i = 0; i <= limits::hid_local_usages_max; ++i) {
      bytes.push_back(0x09);
      bytes.push_back(0x01);
    }
    const auto e = parse_error(bytes);
    CHECK(e.code == ErrorCode::limit_exceeded);
    CHECK(contains(e.message, "more than 1024 Usages"));
  }
  SECTION("descriptor over the byte limit") {
    const Bytes bytes(limits::hid_report_descriptor_bytes_max + 1, 0x00);
    const auto e = parse_error(bytes);
    CHECK(e.code == ErrorCode::limit_exceeded);
    CHECK(contains(e.message, "4097 bytes"));
  }
  SECTION("reserved global tag") {
    CHECK(contains(parse_error({0xC4}).message, "reserved Global item tag 12"));
  }
  SECTION("nested delimiter") {
    CHECK(contains(parse_error({0xA9, 0x01, 0xA9, 0x01}).message, "Delimiter set opened"));
    CHECK(contains(parse_error({0xA9, 0x00}).message, "Delimiter close without"));
  }
}
