// The text of decoded symbols (image_decoder.h): ZXing's UTF-8 text with the ECI segments it
// names, the raw bytes unchanged, and binary content kept as bytes. Real QR codes drawn by zint
// (--eci and --seg1 give a symbol several ECI segments).
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "camera/barcode_images.h"
#include "loyalty/drivers/camera/image_decoder.h"

using namespace loyalty::drivers;
using drivers_test::barcode_image;
using drivers_test::Symbol;
using drivers_test::TempDir;

namespace {

using Bytes = std::vector<std::uint8_t>;

DecodedSymbol only_qr(const TempDir& dir, const std::string& name, const std::string& data,
                      std::vector<std::string> extra) {
  const std::string path =
      barcode_image(dir, name, Symbol{drivers_test::zint_qrcode, data, std::move(extra), 3},
                    drivers_test::Distortion{0, 0.8, 0.3, 5});
  const ImageDecoder decoder = ImageDecoder::create().value();
  auto symbols = decode_image_file(path, decoder);
  INFO(path << ": " << (symbols.ok() ? "" : symbols.error().message));
  REQUIRE(symbols.ok());
  REQUIRE(symbols->size() == 1);
  CHECK(symbols->front().type == ScanDataType::qrcode);
  CHECK(symbols->front().aim_id == "]Q1");
  return symbols->front();
}

// 中文 in GB2312 and in UTF-8.
const Bytes zhongwen_gb2312 = {0xd6, 0xd0, 0xce, 0xc4};
const std::string zhongwen = "\xe4\xb8\xad\xe6\x96\x87";

Bytes concat(Bytes a, const std::string& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

TEST_CASE("symbol text: a qr code of a gb2312 segment and an ascii segment reads as its text") {
  TempDir dir;
  const DecodedSymbol symbol = only_qr(dir, "gb_ascii", zhongwen, {"--eci=29", "--seg1=3,ABC-123"});
  CHECK(symbol.label == zhongwen + "ABC-123");
  CHECK(symbol.raw == concat(zhongwen_gb2312, "ABC-123"));
  CHECK(symbol.ecis == std::vector<EciSegment>{{29, 0}, {3, 4}});
}

// ZXing 1.4 calls content Mixed when one of its segments is in a character set it treats as not
// text (ECI 170, ISO 646 invariant; ECI 899, binary): the text is still ZXing's to give.
TEST_CASE("symbol text: mixed content of gb2312 and iso 646 reads as text, not as bytes") {
  TempDir dir;
  const DecodedSymbol mixed = only_qr(dir, "gb_646", zhongwen, {"--eci=29", "--seg1=170,abc"});
  CHECK(mixed.label == zhongwen + "abc");
  CHECK(mixed.raw == concat(zhongwen_gb2312, "abc"));
  CHECK(mixed.ecis == std::vector<EciSegment>{{29, 0}, {170, 4}});
  const DecodedSymbol binary = only_qr(dir, "gb_899", zhongwen, {"--eci=29", "--seg1=899,xyz"});
  CHECK(binary.label == zhongwen + "xyz");
  CHECK(binary.ecis == std::vector<EciSegment>{{29, 0}, {899, 4}});
}

TEST_CASE("symbol text: utf-8 without eci is text, bytes that are no text stay bytes") {
  TempDir dir;
  const DecodedSymbol utf8 = only_qr(dir, "utf8",
                                     "Gr\xc3\xbc\xc3\x9f"
                                     "e",
                                     {});
  CHECK(utf8.label ==
        "Gr\xc3\xbc\xc3\x9f"
        "e");
  CHECK(utf8.ecis.empty());
  // GB2312 bytes in byte mode without an ECI: ZXing 1.4 guesses a character set and its text
  // stops at the first byte it cannot convert ("ABC"); the label keeps every byte instead.
  const DecodedSymbol guessed =
      only_qr(dir, "gb_no_eci", "ABC\\xD6\\xD0\\xCE\\xC4xyz", {"--binary", "--esc"});
  const Bytes bytes = concat(
      concat(Bytes{'A', 'B', 'C'}, std::string(zhongwen_gb2312.begin(), zhongwen_gb2312.end())),
      "xyz");
  CHECK(guessed.label == std::string(bytes.begin(), bytes.end()));
  CHECK(guessed.raw == bytes);
  CHECK(guessed.ecis.empty());
}

TEST_CASE("symbol text: the scan event keeps the text as label, the bytes as raw, and the ECIs") {
  TempDir dir;
  const DecodedSymbol symbol = only_qr(dir, "event", zhongwen, {"--eci=29", "--seg1=3,ABC-123"});
  const ScanEvent event = make_scan_event(symbol, camera_device_id("0"));
  CHECK(event.label() == zhongwen + "ABC-123");
  CHECK(event.aim_id() == "]Q1");
  CHECK(event.raw() ==
        concat(Bytes{']', 'Q', '1'},
               std::string(zhongwen_gb2312.begin(), zhongwen_gb2312.end()) + "ABC-123"));
  // Counted in the event's raw bytes, after the 3-byte AIM id.
  CHECK(event.ecis() == std::vector<EciSegment>{{29, 3}, {3, 7}});
}

TEST_CASE("symbol text: eci names") {
  CHECK(eci_name(3) == "ISO-8859-1");
  CHECK(eci_name(4) == "ISO-8859-2");
  CHECK(eci_name(13) == "ISO-8859-11");
  CHECK(eci_name(15) == "ISO-8859-13");
  CHECK(eci_name(18) == "ISO-8859-16");
  CHECK(eci_name(14) == "ECI 14");  // not assigned
  CHECK(eci_name(20) == "Shift_JIS");
  CHECK(eci_name(26) == "UTF-8");
  CHECK(eci_name(29) == "GB2312");
  CHECK(eci_name(170) == "ISO-646");
  CHECK(eci_name(899) == "binary");
  CHECK(eci_name(811799) == "ECI 811799");
}
