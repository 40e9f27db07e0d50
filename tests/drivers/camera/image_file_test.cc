// Image files to greyscale (image_file.h): every format pixel for pixel, transparency, and every
// refusal with its exact message: truncated, corrupt, oversized and bomb files of each format.
#include "loyalty/drivers/camera/image_file.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <fstream>
#include <iterator>
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

Bytes read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string corpus_file(const std::string& name) {
  return std::string(LOYALTY_SOURCE_DIR) + "/tests/fuzz/corpus/image_file/" + name;
}

// The error message load_image_bytes() gives for `bytes` (which must be refused).
std::string refusal(const Bytes& bytes, const std::string& name = "x") {
  const auto image = load_image_bytes(bytes, name);
  REQUIRE_FALSE(image.ok());
  return image.error().message;
}

// A 3x2 binary PGM with six known grey levels.
const std::string pgm_3x2 =
    std::string("P5\n3 2\n255\n") + '\x00' + '\x80' + '\xff' + '\x10' + '\x20' + '\x30';
const Bytes pgm_3x2_pixels = {0x00, 0x80, 0xff, 0x10, 0x20, 0x30};

// The PGM above converted by ImageMagick to `file_name` (the extension picks the format unless
// `format` names one, e.g. "PNG8"; `options` go before the output).
std::string converted(const TempDir& dir, const std::string& file_name,
                      const std::string& options = "", const std::string& format = "") {
  const std::string pgm = dir.file("source.pgm");
  write_file(pgm, pgm_3x2);
  const std::string out = dir.file(file_name);
  run_command("convert " + shell_quote(pgm) + " " + options + " " +
              shell_quote(format.empty() ? out : format + ":" + out));
  return out;
}

// A PNG signature and IHDR chunk (CRC included) declaring width x height 8-bit grey, no pixels.
Bytes png_header(std::uint32_t width, std::uint32_t height);

void check_pgm_pixels(const std::string& path) {
  INFO(path);
  const auto image = load_image_file(path);
  INFO((image.ok() ? "" : image.error().message));
  REQUIRE(image.ok());
  CHECK(image->width == 3);
  CHECK(image->height == 2);
  CHECK(image->pixels == pgm_3x2_pixels);
}

}  // namespace

TEST_CASE("image file in memory: a binary pgm loads pixel for pixel") {
  const auto image = load_image_bytes(bytes_of(pgm_3x2), "frame.pgm");
  REQUIRE(image.ok());
  CHECK(image->width == 3);
  CHECK(image->height == 2);
  CHECK(image->pixels == pgm_3x2_pixels);
}

TEST_CASE("image file: png, webp, bmp, ppm and pgm of the same pixels load the same") {
  TempDir dir;
  check_pgm_pixels(converted(dir, "frame.png"));
  check_pgm_pixels(converted(dir, "interlaced.png", "-interlace PNG"));
  check_pgm_pixels(converted(dir, "palette.png", "-type Palette", "PNG8"));
  check_pgm_pixels(converted(dir, "sixteen.png", "-depth 16"));
  check_pgm_pixels(converted(dir, "rgb.png", "-type TrueColor", "PNG24"));
  check_pgm_pixels(converted(dir, "rgba.png", "-type TrueColorAlpha", "PNG32"));
  check_pgm_pixels(converted(dir, "lossless.webp", "-define webp:lossless=true"));
  check_pgm_pixels(converted(dir, "frame.bmp"));
  check_pgm_pixels(converted(dir, "rgb.bmp", "-type TrueColor"));
  check_pgm_pixels(converted(dir, "os2.bmp", "", "BMP2"));
  check_pgm_pixels(converted(dir, "frame.ppm"));
  check_pgm_pixels(converted(dir, "sixteen.pgm", "-depth 16"));
}

TEST_CASE("image file: bmp of 1, 4, 16 and 32 bits and top-down rows") {
  TempDir dir;
  // ImageMagick picks the depth: 1 bit for black and white, 4 bits for three greys, 16 bits
  // (5-6-5 masks) on request, 32 bits (masks with alpha) for an image with an alpha channel, and
  // the 40-byte header of BMP3.
  const std::string bw = dir.file("bw.pgm");
  write_file(bw, std::string("P5\n2 2\n255\n") + '\x00' + '\xff' + '\xff' + '\x00');
  const std::string greys = dir.file("greys.pgm");
  write_file(greys, std::string("P5\n3 1\n255\n") + '\x00' + '\x80' + '\xff');
  struct Case {
    std::string source, options;
    unsigned bits;
    Bytes pixels;
  };
  for (const Case& c : {Case{bw, "-type Bilevel", 1, {0x00, 0xff, 0xff, 0x00}},
                        Case{greys, "-type Palette", 4, {0x00, 0x80, 0xff}},
                        Case{bw, "-define bmp:subtype=RGB565", 16, {0x00, 0xff, 0xff, 0x00}},
                        Case{greys, "-alpha on", 32, {0x00, 0x80, 0xff}},
                        Case{greys, "-define bmp:format=bmp3", 24, {0x00, 0x80, 0xff}}}) {
    INFO(c.options);
    const std::string out = dir.file("out.bmp");
    run_command("convert " + shell_quote(c.source) + " " + c.options + " " + shell_quote(out));
    const Bytes file = read_file(out);
    REQUIRE(file.size() > 30);
    CHECK(unsigned{file[28]} == c.bits);  // the header's bits per pixel: the case is what it says
    const auto image = load_image_bytes(file, out);
    INFO((image.ok() ? "" : image.error().message));
    REQUIRE(image.ok());
    CHECK(image->pixels == c.pixels);
  }
  // The 24-bit BMP of the 3x2 PGM with its height negated and its rows swapped: top-down.
  Bytes bmp = read_file(converted(dir, "rgb.bmp", "-type TrueColor"));
  REQUIRE(bmp.size() >= 54 + 2 * 12);
  const std::size_t data_at = bmp[10] | (bmp[11] << 8);
  const std::int32_t height = -2;
  for (int i = 0; i < 4; ++i) bmp[22 + i] = static_cast<std::uint8_t>(height >> (8 * i));
  std::swap_ranges(bmp.begin() + data_at, bmp.begin() + data_at + 12, bmp.begin() + data_at + 12);
  const auto top_down = load_image_bytes(bmp, "top_down.bmp");
  REQUIRE(top_down.ok());
  CHECK(top_down->pixels == pgm_3x2_pixels);
}

TEST_CASE("image file: colour jpeg, cmyk jpeg and lossy webp load as greyscale") {
  TempDir dir;
  // Mid grey, 16x8: lossy formats keep a flat colour within a level or two.
  for (const std::string name : {"grey.jpg", "grey.webp", "cmyk.jpg"}) {
    INFO(name);
    const std::string out = dir.file(name);
    const std::string colourspace = name == "cmyk.jpg" ? " -colorspace CMYK" : "";
    run_command("convert -size 16x8 xc:'rgb(128,128,128)'" + colourspace + " -quality 95 " +
                shell_quote(out));
    const auto image = load_image_file(out);
    INFO((image.ok() ? "" : image.error().message));
    REQUIRE(image.ok());
    CHECK(image->width == 16);
    CHECK(image->height == 8);
    REQUIRE(image->pixels.size() == 128);
    for (std::uint8_t pixel : image->pixels) CHECK((pixel >= 125 && pixel <= 131));
  }
  // Luma weights: pure red, green and blue.
  const std::string rgb = dir.file("rgb.png");
  run_command("convert -size 1x1 xc:'rgb(255,0,0)' xc:'rgb(0,255,0)' xc:'rgb(0,0,255)' +append " +
              shell_quote(rgb));
  CHECK(load_image_file(rgb).value().pixels == Bytes{77, 149, 29});
}

TEST_CASE("image file: transparent pixels are laid over white") {
  TempDir dir;
  for (const std::string name : {"clear.png", "clear.webp", "clear.bmp"}) {
    INFO(name);
    const std::string out = dir.file(name);
    // Left: fully transparent black; right: half-transparent black.
    run_command("convert -size 1x1 xc:'rgba(0,0,0,0)' xc:'rgba(0,0,0,0.5)' +append " +
                (name == "clear.webp" ? std::string("-define webp:lossless=true ") : "") +
                shell_quote(out));
    const auto image = load_image_file(out);
    INFO((image.ok() ? "" : image.error().message));
    REQUIRE(image.ok());
    REQUIRE(image->pixels.size() == 2);
    CHECK(image->pixels[0] == 255);
    CHECK((image->pixels[1] >= 126 && image->pixels[1] <= 129));
  }
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
  const std::string expected = "x: not a PNG, JPEG, WebP, PGM/PPM (P5/P6) or BMP image";
  CHECK(refusal(bytes_of("GIF89a\x01\x00\x01\x00")) == expected);
  CHECK(refusal(bytes_of("P2\n1 1\n255\n0\n")) == expected);
  CHECK(refusal(bytes_of("RIFF\x10\x00\x00\x00WAVEfmt ")) == expected);
  CHECK(refusal({}) == expected);
  CHECK(load_image_bytes(bytes_of("hello"), "x").error().code == ErrorCode::parse_error);
}

TEST_CASE("image file: a truncated file of each format is corrupt") {
  TempDir dir;
  const auto cut = [](const std::string& path, std::size_t keep_bytes) {
    Bytes bytes = read_file(path);
    REQUIRE(bytes.size() > keep_bytes);
    bytes.resize(keep_bytes);
    return bytes;
  };
  const std::string png = converted(dir, "frame.png");
  CHECK(refusal(cut(png, read_file(png).size() - 20), "cut.png") ==
        "cut.png: corrupt PNG image (libpng: the file ends before the image data does)");
  const std::string jpeg = dir.file("noise.jpg");
  run_command("convert -size 64x64 xc: +noise Random -quality 90 " + shell_quote(jpeg));
  CHECK(refusal(cut(jpeg, read_file(jpeg).size() / 2), "cut.jpg") ==
        "cut.jpg: corrupt JPEG image (libjpeg: Premature end of JPEG file)");
  const std::string webp = dir.file("noise.webp");
  run_command("convert -size 64x64 xc: +noise Random " + shell_quote(webp));
  CHECK(refusal(cut(webp, read_file(webp).size() / 2), "cut.webp") ==
        "cut.webp: corrupt WebP image (libwebp: the file ends before the image data does)");
  CHECK(refusal(bytes_of(pgm_3x2.substr(0, 14)), "short.pgm") ==
        "short.pgm: corrupt PGM/PPM image (fewer pixel bytes than the header says)");
  const std::string bmp = converted(dir, "frame.bmp");
  CHECK(refusal(cut(bmp, read_file(bmp).size() - 1), "cut.bmp") ==
        "cut.bmp: corrupt BMP image (fewer pixel bytes than the header says)");
  CHECK(refusal(cut(bmp, 20), "head.bmp") ==
        "head.bmp: corrupt BMP image (too short for a header)");
}

TEST_CASE("image file: corrupt headers and data of each format are refused with the reason") {
  TempDir dir;
  Bytes png = read_file(converted(dir, "frame.png"));
  png[29] ^= 0xff;  // the IHDR chunk's CRC
  CHECK(refusal(png, "crc.png") == "crc.png: corrupt PNG image (libpng: IHDR: CRC error)");
  CHECK(refusal(bytes_of("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIDAT"), "ihdr.png") ==
        "ihdr.png: corrupt PNG image (libpng: the file ends before the image data does)");
  // SOI, an empty APP0, EOI; and SOI with a frame header of length 1, then filler.
  CHECK(refusal(Bytes{0xff, 0xd8, 0xff, 0xe0, 0x00, 0x02, 0xff, 0xd9}, "empty.jpg") ==
        "empty.jpg: corrupt JPEG image (libjpeg: JPEG datastream contains no image)");
  Bytes bad_length = {0xff, 0xd8, 0xff, 0xc0, 0x00, 0x01};
  bad_length.resize(64, 0x08);
  CHECK(refusal(bad_length, "bad.jpg") ==
        "bad.jpg: corrupt JPEG image (libjpeg: Bogus marker length)");
  const Bytes webp = bytes_of(std::string("RIFF\x1a\x00\x00\x00WEBPVP8 \x0e\x00\x00\x00", 20) +
                              std::string(14, '\x55'));
  CHECK(refusal(webp, "bad.webp") == "bad.webp: corrupt WebP image (libwebp: bitstream error)");
  CHECK(refusal(bytes_of("P5\nx y\n255\n"), "bad.pgm") ==
        "bad.pgm: corrupt PGM/PPM image (no width, height and maximum value of at most 9 digits "
        "each)");
  CHECK(refusal(bytes_of("P5 1 1 0\n\x00"), "zero.pgm") ==
        "zero.pgm: corrupt PGM/PPM image (maximum value 0 is not between 1 and 65535)");
  CHECK(refusal(bytes_of("P5 1 1 255x"), "space.pgm") ==
        "space.pgm: corrupt PGM/PPM image (no whitespace between the header and the pixels)");
  Bytes bmp = read_file(converted(dir, "frame.bmp"));
  bmp[14] = 99;  // the DIB header's size
  CHECK(refusal(bmp, "bad.bmp") == "bad.bmp: corrupt BMP image (unknown header of 99 bytes)");
  bmp[14] = 40;
  bmp[30] = 1;  // BI_RLE8
  CHECK(refusal(bmp, "rle.bmp") ==
        "rle.bmp: compressed BMP images (RLE, JPEG, PNG) are not supported; save it uncompressed "
        "or as PNG");
  bmp[30] = 0;
  bmp[28] = 7;  // bits per pixel
  CHECK(refusal(bmp, "bits.bmp") == "bits.bmp: corrupt BMP image (7 bits per pixel)");
}

TEST_CASE("image file: dimensions over the limits are refused from the header") {
  const std::string pixels = "5000x4000 is 20000000 pixels; the limit is 16777216";
  const std::string side = "20000x10 is wider or taller than the limit of 16384 pixels";
  const auto huge = load_image_bytes(png_header(5000, 4000), "huge.png");
  REQUIRE_FALSE(huge.ok());
  CHECK(huge.error().code == ErrorCode::limit_exceeded);
  CHECK(huge.error().message == "huge.png: " + pixels);
  CHECK(refusal(png_header(20000, 10), "wide.png") == "wide.png: " + side);
  CHECK(refusal(bytes_of("P5 5000 4000 255\n"), "huge.pgm") == "huge.pgm: " + pixels);
  CHECK(refusal(bytes_of("P6 20000 10 255\n"), "wide.ppm") == "wide.ppm: " + side);
  TempDir dir;
  // The JPEG's SOF0 frame header and the WebP's VP8 frame header rewritten to 5000x4000.
  Bytes jpeg = read_file(converted(dir, "frame.jpg"));
  for (std::size_t i = 2; i + 8 < jpeg.size(); ++i) {
    if (jpeg[i] == 0xff && jpeg[i + 1] == 0xc0) {
      jpeg[i + 5] = 4000 >> 8, jpeg[i + 6] = 4000 & 0xff;  // height
      jpeg[i + 7] = 5000 >> 8, jpeg[i + 8] = 5000 & 0xff;  // width
      break;
    }
  }
  CHECK(refusal(jpeg, "huge.jpg") == "huge.jpg: " + pixels);
  const std::string webp = dir.file("frame.webp");
  run_command("convert -size 16x16 xc:gray -define webp:lossless=false " + shell_quote(webp));
  Bytes vp8 = read_file(webp);
  REQUIRE(vp8.size() > 30);
  REQUIRE(std::string(vp8.begin() + 12, vp8.begin() + 16) == "VP8 ");
  vp8[26] = 5000 & 0xff, vp8[27] = 5000 >> 8;
  vp8[28] = 4000 & 0xff, vp8[29] = 4000 >> 8;
  CHECK(refusal(vp8, "huge.webp") == "huge.webp: " + pixels);
  Bytes bmp = read_file(converted(dir, "frame.bmp"));
  for (int i = 0; i < 4; ++i) {
    bmp[18 + i] = static_cast<std::uint8_t>(5000 >> (8 * i));
    bmp[22 + i] = static_cast<std::uint8_t>(4000 >> (8 * i));
  }
  CHECK(refusal(bmp, "huge.bmp") == "huge.bmp: " + pixels);
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

// Bombs, all seeds of fuzz_image_file: a PNG chunk whose length runs past the end of the file
// (found by the fuzzer: a decoder that allocates a chunk's declared length asks for 2 GiB); a
// valid 2x2 grey PNG whose image data inflates to 100000 bytes instead of 6; an 8x8 progressive
// JPEG of 128 valid scans (made with libjpeg's scan_info: DC and each AC coefficient alone, then
// each refined).
TEST_CASE("image file: png and jpeg bombs are refused by the decoders' limits") {
  const auto chunk_bomb = load_image_file(corpus_file("png_inflate_bomb.png"));
  REQUIRE_FALSE(chunk_bomb.ok());
  CHECK(chunk_bomb.error().code == ErrorCode::parse_error);
  CHECK(chunk_bomb.error().message ==
        corpus_file("png_inflate_bomb.png") +
            ": corrupt PNG image (libpng: IDAT: incorrect data check)");
  const auto zlib_bomb = load_image_file(corpus_file("png_zlib_bomb.png"));
  REQUIRE_FALSE(zlib_bomb.ok());
  CHECK(zlib_bomb.error().message == corpus_file("png_zlib_bomb.png") +
                                         ": corrupt PNG image (libpng: IDAT: Too much image data)");
  const auto scan_bomb = load_image_file(corpus_file("jpeg_scan_bomb.jpg"));
  REQUIRE_FALSE(scan_bomb.ok());
  CHECK(scan_bomb.error().message ==
        corpus_file("jpeg_scan_bomb.jpg") +
            ": corrupt JPEG image (libjpeg: more than 100 scans in a progressive JPEG)");
}

namespace {

// CRC-32 of PNG chunks (ISO/IEC 15948 annex D), bit by bit.
std::uint32_t crc32_of(const std::uint8_t* data, std::size_t size) {
  std::uint32_t crc = 0xffffffffu;
  for (std::size_t i = 0; i < size; ++i) {
    crc ^= data[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return crc ^ 0xffffffffu;
}

void put_be32(Bytes& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<std::uint8_t>(value >> shift));
}

Bytes png_header(std::uint32_t width, std::uint32_t height) {
  Bytes png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  put_be32(png, 13);
  const std::size_t type_at = png.size();
  png.insert(png.end(), {'I', 'H', 'D', 'R'});
  put_be32(png, width);
  put_be32(png, height);
  png.insert(png.end(), {8, 0, 0, 0, 0});  // 8-bit grey, deflate, no filter, not interlaced
  put_be32(png, crc32_of(png.data() + type_at, png.size() - type_at));
  return png;
}

}  // namespace
