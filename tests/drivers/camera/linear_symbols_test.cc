// Linear symbols the camera path reads besides upright ones in white frames (image_decoder.h):
// several in one large photo (one per ZXing pass: ZXing 1.4 aborts when one pass merges two),
// tilted past the angle where a row crosses all bars, faded, and printed to the card's edge.
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "camera/barcode_images.h"
#include "loyalty/drivers/camera/image_decoder.h"

using namespace loyalty::drivers;
using drivers_test::barcode_image;
using drivers_test::Distortion;
using drivers_test::shell_quote;
using drivers_test::Symbol;
using drivers_test::TempDir;

namespace {

const ImageDecoder& camera_decoder() {
  static const ImageDecoder decoder = ImageDecoder::create().value();
  return decoder;
}

const ImageDecoder& every_symbol() {
  static const ImageDecoder decoder =
      ImageDecoder::create(ImageDecodeOptions().set_symbols_max(16)).value();
  return decoder;
}

std::vector<std::string> sorted_labels(const std::string& path, const ImageDecoder& decoder) {
  auto symbols = decode_image_file(path, decoder);
  INFO(path << ": " << (symbols.ok() ? "" : symbols.error().message));
  REQUIRE(symbols.ok());
  std::vector<std::string> labels;
  for (const DecodedSymbol& s : *symbols) labels.push_back(s.label);
  std::sort(labels.begin(), labels.end());
  return labels;
}

// Code 128 of zint's default height (50 modules): a loyalty card, about 0.4 times as tall as it
// is wide, so that no row crosses all its bars beyond a tilt of about 21 degrees.
Symbol card(const std::string& data) { return Symbol{drivers_test::zint_code128, data, {}, 1.5}; }

Distortion camera(int degrees) { return Distortion{degrees, 0.8, 0.4, 7}; }

}  // namespace

TEST_CASE("linear symbols: two code 128 symbols in a large photo are both read") {
  TempDir dir;
  // Modules of 6 pixels in 900x600: ZXing 1.4 finds each symbol in the image and in its copy at a
  // third of the size, and a pass asked for two symbols merged the finds and aborted (assert
  // lineCount() == 1 in Result.cpp).
  const std::string a = drivers_test::draw_symbol(
      dir, "a", {drivers_test::zint_code128, "LOYAL-A1", {"--height=20"}, 3});
  const std::string b = drivers_test::draw_symbol(
      dir, "b", {drivers_test::zint_code128, "LOYAL-B2", {"--height=20"}, 3});
  const std::string photo = dir.file("photo.png");
  drivers_test::run_command("convert " + shell_quote(a) + " " + shell_quote(b) +
                            " -background white -gravity center -append +repage -colorspace Gray"
                            " -extent 900x600 +repage -blur 0x1 -seed 4 -attenuate 0.4 +noise "
                            "Gaussian -colorspace Gray -depth 8 " +
                            shell_quote(photo));
  CHECK(sorted_labels(photo, every_symbol()) == std::vector<std::string>{"LOYAL-A1", "LOYAL-B2"});
  const auto first = decode_image_file(photo, camera_decoder());
  REQUIRE(first.ok());
  CHECK(first->size() == 1);
  // The fuzz seed of 412 bytes that aborted the same way: 510x510, one symbol.
  CHECK(sorted_labels(std::string(LOYALTY_SOURCE_DIR) +
                          "/tests/fuzz/corpus/image_file/code128_merge_assert.png",
                      every_symbol()) == std::vector<std::string>{"A1"});
}

TEST_CASE("linear symbols: three in a column are read one per pass, a repeated one once") {
  TempDir dir;
  std::string inputs;
  for (const std::string data : {"LC-111", "LC-222", "LC-333", "LC-222"}) {
    inputs += " " + shell_quote(drivers_test::draw_symbol(dir, data, card(data)));
  }
  const std::string column = dir.file("column.png");
  drivers_test::run_command("convert" + inputs + " -background white -gravity center -append " +
                            shell_quote(column));
  const std::string path =
      drivers_test::camera_frame(dir, column, "frame.png", Distortion{0, 0.6, 0.3, 3});
  CHECK(sorted_labels(path, every_symbol()) ==
        std::vector<std::string>{"LC-111", "LC-222", "LC-333"});
}

TEST_CASE("linear symbols: a code 128 card tilted 25 to 35 degrees is read upright") {
  TempDir dir;
  for (int degrees : {-35, -30, 25, 30, 35}) {
    INFO("tilt " << degrees);
    const std::string data = "LC" + std::to_string(40 + degrees) + "123456";
    const std::string path =
        barcode_image(dir, "c128_" + std::to_string(degrees + 100), card(data), camera(degrees));
    auto symbols = decode_image_file(path, camera_decoder());
    INFO((symbols.ok() ? "" : symbols.error().message));
    REQUIRE(symbols.ok());
    REQUIRE(symbols->size() == 1);
    const DecodedSymbol& s = symbols->front();
    CHECK(s.type == ScanDataType::code128);
    CHECK(s.aim_id == "]C0");
    CHECK(s.label == data);
    // The corners come back in frame pixels, about the middle of the 640x480 frame.
    const int centre_x = (s.corners.top_left.x + s.corners.bottom_right.x) / 2;
    const int centre_y = (s.corners.top_left.y + s.corners.bottom_right.y) / 2;
    CHECK((centre_x > 220 && centre_x < 420));
    CHECK((centre_y > 140 && centre_y < 340));
  }
}

TEST_CASE("linear symbols: an ean-13 tilted 30 to 35 degrees is read upright") {
  TempDir dir;
  for (int degrees : {-35, 30, 35}) {
    INFO("tilt " << degrees);
    const std::string path =
        barcode_image(dir, "ean_" + std::to_string(degrees + 100),
                      {drivers_test::zint_ean13, "590123412345", {}, 1.5}, camera(degrees));
    CHECK(sorted_labels(path, camera_decoder()) == std::vector<std::string>{"5901234123457"});
  }
}

TEST_CASE("linear symbols: a faded card on white paper and a card printed to its edge") {
  TempDir dir;
  for (int degrees : {0, 20}) {
    INFO("tilt " << degrees);
    Distortion faded = camera(degrees);
    faded.black_level = 0.35, faded.white_level = 0.65;  // grey bars on a grey card, white around
    const std::string grey =
        barcode_image(dir, "faded_" + std::to_string(degrees), card("LC-FADED"), faded);
    CHECK(sorted_labels(grey, camera_decoder()) == std::vector<std::string>{"LC-FADED"});
    Symbol edge = card("LC-EDGE");
    edge.quiet_zones = false;
    Distortion table = camera(degrees);
    table.background = "gray(60)";  // no quiet zone: the card ends at the bars, on a dark table
    const std::string cut = barcode_image(dir, "edge_" + std::to_string(degrees), edge, table);
    CHECK(sorted_labels(cut, camera_decoder()) == std::vector<std::string>{"LC-EDGE"});
  }
}

TEST_CASE("linear symbols: a faded qr code on white paper is read through its otsu thresholds") {
  TempDir dir;
  Distortion faded = camera(10);
  faded.black_level = 0.35, faded.white_level = 0.65;
  const std::string path = barcode_image(
      dir, "qr_faded", {drivers_test::zint_qrcode, "https://loyalty.example/c/42", {}, 2}, faded);
  CHECK(sorted_labels(path, camera_decoder()) ==
        std::vector<std::string>{"https://loyalty.example/c/42"});
}
