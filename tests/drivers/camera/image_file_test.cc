// Image files to greyscale (image_file.h): the four formats, transparency, and every refusal.
#include "loyalty/drivers/camera/image_file.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "camera/barcode_images.h"
#include "loyalty/core/limits.h"

using namespace loyalty::drivers;
using drivers_test::run_command;
using drivers_test::shell_quote;
using drivers_test::TempDir;
using loyalty::ErrorCode;

namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes bytes_of(const std::string& text) { return Bytes(text.begin(), text.end()); }

void write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
}

// A 3x2 binary PGM with six known grey levels.
const std::string pgm_3x2 =
    std::string("P5\n3 2\n255\n") + '\x00' + '\x80' + '\xff' + '\x10' + '\x20' + '\x30';
const std::vector<std::uint8_t> pgm_3x2_pixels = {0x00, 0x80, 0xff, 0x10, 0x20, 0x30};

// A PNG signature and IHDR chunk (CRC included) declaring 5000x4000 8-bit grey, and no pixels.
Bytes png_header_5000x4000() {
  return {0x89, 'P',  'N',  'G',  '\r', '\n', 0x1a, '\n', 0x00, 0x00, 0x00,
          0x0d, 'I',  'H',  'D',  'R',  0x00, 0x00, 0x13, 0x88, 0x00, 0x00,
          0x0f, 0xa0, 0x08, 0x00, 0x00, 0x00, 0x00, 0x33, 0x72, 0xa9, 0xf6};
}

}  // namespace

TEST_CASE("image file in memory: a binary pgm loads pixel for pixel") {
  const auto image = load_image_bytes(bytes_of(pgm_3x2), "frame.pgm");
  REQUIRE(image.ok());
  CHECK(image->width == 3);
  CHECK(image->height == 2);
  CHECK(image->pixels == pgm_3x2_pixels);
}

TEST_CASE("image file: png, bmp and pgm of the same pixels load the same") {
  TempDir dir;
  const std::string pgm = dir.file("frame.pgm");
  write_file(pgm, pgm_3x2);
  run_command("convert " + shell_quote(pgm) + " " + shell_quote(dir.file("frame.png")));
  run_command("convert " + shell_quote(pgm) + " " + shell_quote(dir.file("frame.bmp")));
  for (const char* name : {"frame.pgm", "frame.png", "frame.bmp"}) {
    INFO(name);
    const auto image = load_image_file(dir.file(name));
    REQUIRE(image.ok());
    CHECK(image->width == 3);
    CHECK(image->height == 2);
    CHECK(image->pixels == pgm_3x2_pixels);
  }
}

TEST_CASE("image file: a colour jpeg loads as greyscale") {
  TempDir dir;
  const std::string jpeg = dir.file("grey.jpg");
  // Mid grey in RGB, 16x8: JPEG is lossy, but a flat colour survives within a level or two.
  run_command("convert -size 16x8 xc:'rgb(128,128,128)' -quality 95 " + shell_quote(jpeg));
  const auto image = load_image_file(jpeg);
  REQUIRE(image.ok());
  CHECK(image->width == 16);
  CHECK(image->height == 8);
  REQUIRE(image->pixels.size() == 128);
  for (std::uint8_t pixel : image->pixels) CHECK((pixel >= 126 && pixel <= 130));
}

TEST_CASE("image file: transparent pixels are laid over white") {
  TempDir dir;
  const std::string png = dir.file("clear.png");
  run_command("convert -size 2x1 xc:none " + shell_quote(png));
  const auto image = load_image_file(png);
  REQUIRE(image.ok());
  CHECK(image->pixels == std::vector<std::uint8_t>{255, 255});
}

TEST_CASE("image file: a missing file and a directory are named in the error") {
  const auto missing = load_image_file("no-such-dir/frame.png");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::io_error);
  CHECK(missing.error().message == "no-such-dir/frame.png: cannot open: No such file or directory");
  TempDir dir;
  const auto directory = load_image_file(dir.path());
  REQUIRE_FALSE(directory.ok());
  CHECK(directory.error().message == dir.path() + ": cannot read: Is a directory");
}

TEST_CASE("image file: other formats and garbage are refused before decoding") {
  const std::string expected = "x: not a PNG, JPEG, PGM/PPM (P5/P6) or BMP image";
  CHECK(load_image_bytes(bytes_of("GIF89a\x01\x00\x01\x00"), "x").error().message == expected);
  CHECK(load_image_bytes(bytes_of("P2\n1 1\n255\n0\n"), "x").error().message == expected);
  CHECK(load_image_bytes({}, "x").error().message == expected);
  CHECK(load_image_bytes(bytes_of("hello"), "x").error().code == ErrorCode::parse_error);
}

TEST_CASE("image file: a truncated png and a broken pgm are corrupt") {
  TempDir dir;
  const std::string pgm = dir.file("frame.pgm");
  write_file(pgm, pgm_3x2);
  run_command("convert " + shell_quote(pgm) + " " + shell_quote(dir.file("frame.png")));
  std::ifstream in(dir.file("frame.png"), std::ios::binary);
  const std::string png((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE(png.size() > 60);
  const auto truncated = load_image_bytes(bytes_of(png.substr(0, 60)), "cut.png");
  REQUIRE_FALSE(truncated.ok());
  CHECK(truncated.error().code == ErrorCode::parse_error);
  CHECK(truncated.error().message ==
        "cut.png: corrupt PNG image (a chunk runs past the end of the file)");
  const auto short_pgm = load_image_bytes(bytes_of(pgm_3x2.substr(0, 14)), "short.pgm");
  REQUIRE_FALSE(short_pgm.ok());
  CHECK(short_pgm.error().message ==
        "short.pgm: corrupt PGM/PPM image (fewer pixel bytes than the header says)");
  const auto no_size = load_image_bytes(bytes_of("P5\nx y\n255\n"), "bad.pgm");
  REQUIRE_FALSE(no_size.ok());
  CHECK(no_size.error().message.starts_with("bad.pgm: corrupt PGM/PPM image"));
}

TEST_CASE("image file: more pixels than image_pixels_max are refused from the header") {
  const auto image = load_image_bytes(png_header_5000x4000(), "huge.png");
  REQUIRE_FALSE(image.ok());
  CHECK(image.error().code == ErrorCode::limit_exceeded);
  CHECK(image.error().message == "huge.png: 5000x4000 is 20000000 pixels; the limit is 16777216");
}

TEST_CASE("image file: more bytes than image_file_bytes_max are refused") {
  Bytes big = bytes_of(pgm_3x2);
  big.resize(loyalty::limits::image_file_bytes_max + 1, 0);
  const auto image = load_image_bytes(big, "big.pgm");
  REQUIRE_FALSE(image.ok());
  CHECK(image.error().code == ErrorCode::limit_exceeded);
  CHECK(image.error().message == "big.pgm: larger than the limit of 33554432 bytes");
  TempDir dir;
  write_file(dir.file("big.pgm"), std::string(big.begin(), big.end()));
  CHECK(load_image_file(dir.file("big.pgm")).error().message ==
        dir.file("big.pgm") + ": larger than the limit of 33554432 bytes");
}

// Debian's stb_image grows its buffers without a bound: the PNG guard (camera/png_guard.h) refuses what
// would make it allocate far more than the image. Both files are seeds of fuzz_image_file; the
// first is what the fuzzer found (stb_image asked for 2 GiB).
TEST_CASE("image file: png bombs are refused before stb_image allocates for them") {
  const std::string corpus = std::string(LOYALTY_SOURCE_DIR) + "/tests/fuzz/corpus/image_file/";
  const auto chunk_bomb = load_image_file(corpus + "png_inflate_bomb.png");
  REQUIRE_FALSE(chunk_bomb.ok());
  CHECK(chunk_bomb.error().code == ErrorCode::parse_error);
  CHECK(chunk_bomb.error().message ==
        corpus + "png_inflate_bomb.png: corrupt PNG image (a chunk runs past the end of the file)");
  // A valid 2x2 grey PNG whose image data inflates to 100000 bytes instead of 6.
  const auto zlib_bomb = load_image_file(corpus + "png_zlib_bomb.png");
  REQUIRE_FALSE(zlib_bomb.ok());
  CHECK(zlib_bomb.error().message ==
        corpus +
            "png_zlib_bomb.png: corrupt PNG image (image data inflates past the 2x2 image its "
            "header declares)");
}
