// Barcodes in camera-like frames (image_decoder.h): zint draws each symbol, ImageMagick tilts it
// by up to 25 degrees, blurs it and adds noise in a 640x480 frame; the decoder must give the exact
// label, type and AIM id.
#include "loyalty/drivers/camera/image_decoder.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "camera/barcode_images.h"

using namespace loyalty::drivers;
using drivers_test::barcode_image;
using drivers_test::Distortion;
using drivers_test::Symbol;
using drivers_test::TempDir;
using loyalty::ErrorCode;

namespace {

const ImageDecoder& default_decoder() {
  static const ImageDecoder decoder = ImageDecoder::create().value();
  return decoder;
}

// A camera-like distortion: tilted, blurred, noisy.
Distortion camera(int degrees, unsigned seed = 1) { return Distortion{degrees, 1.0, 0.6, seed}; }

// Decodes `path` with `decoder` and requires exactly one symbol.
DecodedSymbol only_symbol(const std::string& path,
                          const ImageDecoder& decoder = default_decoder()) {
  auto symbols = decode_image_file(path, decoder);
  INFO(path << ": " << (symbols.ok() ? "" : symbols.error().message));
  REQUIRE(symbols.ok());
  REQUIRE(symbols->size() == 1);
  return symbols->front();
}

void check_symbol(const DecodedSymbol& symbol, ScanDataType type, const std::string& aim_id,
                  const std::string& label) {
  CHECK(scan_data_type_name(symbol.type) == std::string(scan_data_type_name(type)));
  CHECK(symbol.aim_id == aim_id);
  CHECK(symbol.label == label);
}

const Symbol ean13{drivers_test::zint_ean13, "590123412345", {}, 2};
// Tall enough that a horizontal scan line crosses every bar at a 25 degree tilt.
const Symbol code128{drivers_test::zint_code128, "LOYAL-123", {"--height=80"}};
const Symbol qr{drivers_test::zint_qrcode, "https://example.com/c/42", {}, 3};

}  // namespace

TEST_CASE("camera frame: ean-13 tilted up to 25 degrees, blurred and noisy") {
  TempDir dir;
  for (int degrees : {-25, -10, 0, 12, 25}) {
    INFO("tilt " << degrees);
    const auto path = barcode_image(dir, "ean13_" + std::to_string(degrees + 100), ean13,
                                    camera(degrees, static_cast<unsigned>(degrees + 100)));
    check_symbol(only_symbol(path), ScanDataType::ean13, "]E0", "5901234123457");
  }
}

TEST_CASE("camera frame: code 128 tilted up to 25 degrees") {
  TempDir dir;
  for (int degrees : {-25, 0, 25}) {
    INFO("tilt " << degrees);
    const auto path =
        barcode_image(dir, "c128_" + std::to_string(degrees + 100), code128, camera(degrees));
    check_symbol(only_symbol(path), ScanDataType::code128, "]C0", "LOYAL-123");
  }
}

TEST_CASE("camera frame: qr code tilted up to 25 degrees") {
  TempDir dir;
  for (int degrees : {-25, 7, 25}) {
    INFO("tilt " << degrees);
    const auto path =
        barcode_image(dir, "qr_" + std::to_string(degrees + 100), qr, camera(degrees));
    const DecodedSymbol symbol = only_symbol(path);
    check_symbol(symbol, ScanDataType::qrcode, "]Q1", "https://example.com/c/42");
    const std::string raw(symbol.raw.begin(), symbol.raw.end());
    CHECK(raw == "https://example.com/c/42");
  }
}

TEST_CASE("camera frame: upc-a, upc-e and ean-8 are normalised") {
  TempDir dir;
  const auto upca =
      barcode_image(dir, "upca", {drivers_test::zint_upca, "03600029145", {}, 2}, camera(5));
  const DecodedSymbol a = only_symbol(upca);
  check_symbol(a, ScanDataType::upca, "]E0", "0036000291452");
  CHECK(std::string(a.raw.begin(), a.raw.end()) == "036000291452");
  const auto upce =
      barcode_image(dir, "upce", {drivers_test::zint_upce, "0425261", {}, 2}, camera(-5));
  const DecodedSymbol e = only_symbol(upce);
  check_symbol(e, ScanDataType::upce, "]E0", "0042100005264");
  CHECK(std::string(e.raw.begin(), e.raw.end()) == "04252614");
  const auto ean8 =
      barcode_image(dir, "ean8", {drivers_test::zint_ean8, "9638507", {}, 2}, camera(3));
  check_symbol(only_symbol(ean8), ScanDataType::ean8, "]E4", "96385074");
}

TEST_CASE("camera frame: gs1-128 and gs1 datamatrix carry fnc1 as gs") {
  TempDir dir;
  const auto gs1_128 = barcode_image(
      dir, "gs1_128", {drivers_test::zint_gs1_128, "[01]09501101530003[10]ABC123[21]X1", {}, 1},
      camera(0));
  check_symbol(only_symbol(gs1_128), ScanDataType::ean128, "]C1",
               "010950110153000310ABC123\x1d"
               "21X1");
  const auto datamatrix = barcode_image(
      dir, "dm_gs1",
      {drivers_test::zint_datamatrix, "[01]09501101530003[10]ABC[21]X", {"--gs1"}, 3}, camera(15));
  check_symbol(only_symbol(datamatrix), ScanDataType::datamatrix, "]d2",
               "010950110153000310ABC\x1d"
               "21X");
  const auto plain_dm =
      barcode_image(dir, "dm", {drivers_test::zint_datamatrix, "DM-12345", {}, 3}, camera(-20));
  check_symbol(only_symbol(plain_dm), ScanDataType::datamatrix, "]d1", "DM-12345");
}

TEST_CASE("camera frame: qr text is utf-8 and qr bytes stay binary") {
  TempDir dir;
  const auto text = barcode_image(dir, "qr_utf8",
                                  {drivers_test::zint_qrcode,
                                   "Gr\xc3\xbc\xc3\x9f"
                                   "e \xe2\x82\xac",
                                   {},
                                   3},
                                  camera(0));
  check_symbol(only_symbol(text), ScanDataType::qrcode, "]Q1",
               "Gr\xc3\xbc\xc3\x9f"
               "e \xe2\x82\xac");
  const auto binary = barcode_image(
      dir, "qr_bin", {drivers_test::zint_qrcode, "A\\x00\\xFF\\x80B", {"--binary", "--esc"}, 3},
      camera(0));
  const DecodedSymbol symbol = only_symbol(binary);
  CHECK(symbol.type == ScanDataType::qrcode);
  CHECK(symbol.label == std::string("A\0\xff\x80"
                                    "B",
                                    5));
  CHECK(symbol.raw == std::vector<std::uint8_t>{'A', 0x00, 0xff, 0x80, 'B'});
}

TEST_CASE("camera frame: the corners of a symbol are in the frame") {
  TempDir dir;
  const auto path = barcode_image(dir, "qr", qr, camera(0));
  const DecodedSymbol symbol = only_symbol(path);
  for (const PixelPoint& p : {symbol.corners.top_left, symbol.corners.top_right,
                              symbol.corners.bottom_right, symbol.corners.bottom_left}) {
    CHECK((p.x >= 0 && p.x < 640 && p.y >= 0 && p.y < 480));
  }
  // Upright: left of right, top above bottom; centred in the frame.
  CHECK(symbol.corners.top_left.x < symbol.corners.top_right.x);
  CHECK(symbol.corners.top_left.y < symbol.corners.bottom_left.y);
  const int centre_x = (symbol.corners.top_left.x + symbol.corners.bottom_right.x) / 2;
  CHECK((centre_x > 300 && centre_x < 340));
}

TEST_CASE("camera frame: two symbols in one frame are both reported") {
  TempDir dir;
  const auto left = drivers_test::draw_symbol(dir, "left", ean13);
  const auto right = drivers_test::draw_symbol(dir, "right", qr);
  const std::string both = dir.file("both.png");
  drivers_test::run_command("convert " + drivers_test::shell_quote(left) + " " +
                            drivers_test::shell_quote(right) +
                            " -background white -gravity center +append " +
                            drivers_test::shell_quote(dir.file("pair.png")));
  drivers_test::camera_frame(dir, dir.file("pair.png"), "both.png", camera(0));
  // The camera default stops at the first symbol; loyaltyctl scan asks for all of them.
  const auto first = decode_image_file(both, default_decoder());
  REQUIRE(first.ok());
  CHECK(first->size() == 1);
  const ImageDecoder all = ImageDecoder::create(ImageDecodeOptions().set_symbols_max(100)).value();
  CHECK(all.options().symbols_max() == 16);
  const auto symbols = decode_image_file(both, all);
  REQUIRE(symbols.ok());
  REQUIRE(symbols->size() == 2);
  std::vector<std::string> labels = {(*symbols)[0].label, (*symbols)[1].label};
  std::sort(labels.begin(), labels.end());
  CHECK(labels == std::vector<std::string>{"5901234123457", "https://example.com/c/42"});
}

TEST_CASE("camera frame: a blank frame and a corrupt file give exact errors") {
  TempDir dir;
  const std::string blank = dir.file("blank.png");
  drivers_test::run_command(
      "convert -size 640x480 xc:white -seed 3 -attenuate 0.6 +noise "
      "Gaussian -colorspace Gray " +
      drivers_test::shell_quote(blank));
  const auto none = decode_image_file(blank, default_decoder());
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().code == ErrorCode::not_found);
  CHECK(none.error().message == blank +
                                    ": no barcode found (looked for ean13, upca, upce, ean8, "
                                    "code128, ean128, qrcode, datamatrix)");
  const std::string corrupt = dir.file("corrupt.png");
  std::ofstream(corrupt, std::ios::binary) << "\x89PNG\r\n\x1a\nthis is not a png";
  const auto broken = decode_image_file(corrupt, default_decoder());
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error().code == ErrorCode::parse_error);
  // libpng names the bytes where a chunk type should be, non-letters as [hex].
  CHECK(broken.error().message ==
        corrupt + ": corrupt PNG image (libpng: [20]is[20]: invalid chunk type)");
}

TEST_CASE("camera frame: a format outside the allowed set is not reported") {
  TempDir dir;
  const auto qr_path = barcode_image(dir, "qr", qr, camera(0));
  const ImageDecoder ean_only =
      ImageDecoder::create(ImageDecodeOptions().set_formats({ScanDataType::ean13})).value();
  const auto none = decode_image_file(qr_path, ean_only);
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().message == qr_path + ": no barcode found (looked for ean13)");
  // Code 128 and GS1-128 are one ZXing format; the AIM id keeps them apart.
  const auto gs1 = barcode_image(
      dir, "gs1", {drivers_test::zint_gs1_128, "[01]09501101530003", {}, 1}, camera(0));
  const ImageDecoder code128_only =
      ImageDecoder::create(ImageDecodeOptions().set_formats({ScanDataType::code128})).value();
  CHECK(decode_image_file(gs1, code128_only).error().code == ErrorCode::not_found);
  // A UPC-A is also an EAN-13 (leading 0): with only EAN-13 allowed it comes as one.
  const auto upca =
      barcode_image(dir, "upca", {drivers_test::zint_upca, "03600029145", {}, 2}, camera(0));
  check_symbol(only_symbol(upca, ean_only), ScanDataType::ean13, "]E0", "0036000291452");
}

TEST_CASE("image decoder: malformed frames are refused") {
  const ImageDecoder& decoder = default_decoder();
  const std::vector<std::uint8_t> pixels(100, 255);
  const auto zero = decoder.decode(GreyFrame{pixels, 0, 10, 10});
  CHECK(zero.error().message ==
        "a frame needs a width and height above 0 and a row stride of at least the width; got "
        "0x10, stride 10");
  CHECK(decoder.decode(GreyFrame{pixels, 10, 10, 9}).error().code == ErrorCode::invalid_argument);
  const auto short_buffer = decoder.decode(GreyFrame{pixels, 10, 10, 11});
  CHECK(short_buffer.error().message ==
        "a 10x10 frame with a row stride of 11 needs 109 bytes; got 100");
  const auto huge = decoder.decode(GreyFrame{pixels, 5000, 4000, 5000});
  CHECK(huge.error().code == ErrorCode::limit_exceeded);
  CHECK(huge.error().message == "a frame of 20000000 pixels is over the limit of 16777216");
  const auto blank = decoder.decode(GreyFrame{pixels, 10, 10, 10});
  REQUIRE(blank.ok());
  CHECK(blank->symbols.empty());
  CHECK(blank->rejected.empty());
}

TEST_CASE("image decoder: a frame with padding at the end of each row decodes") {
  TempDir dir;
  const auto path = barcode_image(dir, "ean13", ean13, camera(0));
  const GreyImage image = load_image_file(path).value();
  // The same pixels with 64 grey bytes after each row, as a camera's Y plane may have.
  const int stride = image.width + 64;
  std::vector<std::uint8_t> padded(static_cast<std::size_t>(stride * image.height), 0x80);
  for (int y = 0; y < image.height; ++y) {
    std::copy_n(image.pixels.begin() + y * image.width, image.width, padded.begin() + y * stride);
  }
  const auto scan = default_decoder().decode(GreyFrame{padded, image.width, image.height, stride});
  REQUIRE(scan.ok());
  REQUIRE(scan->symbols.size() == 1);
  CHECK(scan->symbols[0].label == "5901234123457");
}

TEST_CASE("image decoder options: formats are checked and parsed") {
  CHECK(ImageDecoder::create(ImageDecodeOptions().set_formats({})).error().message ==
        "an image decoder needs at least one barcode format");
  CHECK(ImageDecoder::create(ImageDecodeOptions().set_formats({ScanDataType::upca_s}))
            .error()
            .message.starts_with("barcode format upca_s cannot be decoded from images (expected "
                                 "one of: ean13, upca, upce, ean8, code128, ean128, qrcode,"));
  const auto parsed = parse_scan_formats("ean13,qrcode,ean128");
  REQUIRE(parsed.ok());
  CHECK(*parsed ==
        std::vector<ScanDataType>{ScanDataType::ean13, ScanDataType::qrcode, ScanDataType::ean128});
  CHECK(parse_scan_formats("ean13,,qrcode").error().message ==
        "empty barcode format in the list (write e.g. ean13,qrcode)");
  CHECK(parse_scan_formats("").error().code == ErrorCode::invalid_argument);
  CHECK(parse_scan_formats("ean8,").error().message ==
        "empty barcode format in the list (write e.g. ean13,qrcode)");
  CHECK(parse_scan_formats(",").error().code == ErrorCode::invalid_argument);
  CHECK(parse_scan_formats("ean8").value() == std::vector<ScanDataType>{ScanDataType::ean8});
  CHECK(parse_scan_formats("qrcode,qrcode").error().message ==
        "barcode format \"qrcode\" is listed twice");
  CHECK(parse_scan_formats("qr").error().message.starts_with(
      "unknown barcode format \"qr\" (expected one of: ean13, upca,"));
  CHECK(scan_formats_text(default_scan_formats()) ==
        "ean13, upca, upce, ean8, code128, ean128, qrcode, datamatrix");
}

TEST_CASE("image decoder: a decoded symbol becomes a scan event") {
  DecodedSymbol symbol;
  symbol.type = ScanDataType::ean13;
  symbol.aim_id = "]E0";
  symbol.label = "0036000291452";
  symbol.raw = {'0', '3', '6', '0', '0', '0', '2', '9', '1', '4', '5', '2'};
  const ScanEvent event = make_scan_event(symbol, image_device_id("shelf/can.png"));
  CHECK(event.device_id() == "image:shelf/can.png");
  CHECK(event.kind() == DeviceKind::scanner);
  CHECK(event.type() == ScanDataType::ean13);
  CHECK(event.aim_id() == "]E0");
  CHECK(event.label() == "0036000291452");
  const std::string raw(event.raw().begin(), event.raw().end());
  CHECK(raw == "]E0036000291452");
  CHECK(camera_device_id("0") == "camera:0");
}

TEST_CASE("image decoder options: defaults and every effort decode the same frame") {
  const ImageDecodeOptions defaults;
  CHECK(defaults.effort() == DecodeEffort::adaptive);
  CHECK(defaults.quarter_turns() == QuarterTurns::skip);
  CHECK(defaults.symbols_max() == 1);
  CHECK(ImageDecodeOptions().set_symbols_max(0).symbols_max() == 1);
  TempDir dir;
  const auto path = barcode_image(dir, "qr", qr, camera(-15));
  for (DecodeEffort effort : {DecodeEffort::fast, DecodeEffort::thorough, DecodeEffort::adaptive}) {
    for (QuarterTurns turns : {QuarterTurns::skip, QuarterTurns::try_them}) {
      const ImageDecoder decoder =
          ImageDecoder::create(ImageDecodeOptions().set_effort(effort).set_quarter_turns(turns))
              .value();
      check_symbol(only_symbol(path, decoder), ScanDataType::qrcode, "]Q1",
                   "https://example.com/c/42");
    }
  }
}

// A 5x5 PGM the fuzzer found: binarised at an Otsu threshold, it makes ZXing 1.4's Aztec
// detector throw std::out_of_range. The decode goes on and says why in rejected.
TEST_CASE("image decoder: a frame on which zxing throws is a scan with the reason, not an error") {
  const ImageDecoder aztec =
      ImageDecoder::create(
          ImageDecodeOptions()
              .set_formats({ScanDataType::qrcode, ScanDataType::datamatrix, ScanDataType::pdf417,
                            ScanDataType::aztec, ScanDataType::maxicode})
              .set_symbols_max(16))
          .value();
  const auto image = load_image_file(std::string(LOYALTY_SOURCE_DIR) +
                                     "/tests/fuzz/corpus/image_file/aztec_detector_throws.pgm");
  REQUIRE(image.ok());
  const auto scan = aztec.decode(grey_frame(*image));
  REQUIRE(scan.ok());
  CHECK(scan->symbols.empty());
  REQUIRE(scan->rejected.size() == 1);
  CHECK(scan->rejected[0].code == ErrorCode::internal);
  CHECK(
      scan->rejected[0].message.starts_with("ZXing failed on this frame: vector::_M_range_check"));
}
