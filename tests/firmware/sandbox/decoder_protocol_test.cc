// The decoder child's wire protocol (sandbox/decoder_protocol.h) and command line
// (sandbox/decoder_arguments.h): round trips, and the parser's refusals of what a compromised
// child might send.
#include "sandbox/decoder_protocol.h"

#include <array>
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "loyalty/core/limits.h"
#include "sandbox/decoder_arguments.h"
#include "sandbox/sandbox_limits.h"

namespace loyalty::daemon {
namespace {

using drivers::DecodedSymbol;
using drivers::FrameScan;
using drivers::ScanDataType;
using Bytes = std::vector<std::uint8_t>;

// The body of a message, after checking its header announces exactly that many bytes.
std::span<const std::uint8_t> body_of(const Bytes& message) {
  REQUIRE(message.size() > decoder_header_bytes);
  std::array<std::uint8_t, decoder_header_bytes> header{};
  std::copy_n(message.begin(), decoder_header_bytes, header.begin());
  const auto size =
      parse_message_header(header, decoder_reply_bytes_max + decoder_request_bytes_max, "message");
  REQUIRE(size.ok());
  REQUIRE(*size == message.size() - decoder_header_bytes);
  return std::span<const std::uint8_t>(message).subspan(decoder_header_bytes);
}

void put(Bytes& out, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

void put(Bytes& out, std::string_view text) { out.insert(out.end(), text.begin(), text.end()); }

DecodedSymbol qr_symbol() {
  DecodedSymbol symbol;
  symbol.type = ScanDataType::qrcode;
  symbol.aim_id = "]Q2";
  symbol.label = "Grüße 12";
  symbol.raw = {'G', 'r', 0xFC, 0xDF, 'e', ' ', '1', '2'};
  symbol.ecis = {{3, 0}, {26, 5}};
  symbol.corners = {{-3, 4}, {120, 5}, {121, 130}, {2, 129}};
  return symbol;
}

// A reply body written field by field, as a child (honest or not) would.
Bytes reply_body(std::uint64_t id, std::uint8_t symbols) {
  Bytes body;
  put(body, id, 8);
  put(body, 'S', 1);
  put(body, symbols, 1);
  return body;
}

// A symbol's type and AIM id.
void put_symbol_start(Bytes& body, std::uint16_t type, std::string_view aim) {
  put(body, type, 2);
  put(body, aim.size(), 1);
  put(body, aim);
}

void put_symbol(Bytes& body, std::uint16_t type, std::string_view aim, std::string_view label) {
  put_symbol_start(body, type, aim);
  put(body, label.size(), 2);
  put(body, label);
  put(body, label.size(), 2);  // raw: the label's bytes
  put(body, label);
  put(body, 0, 1);  // no ECI
  for (int i = 0; i < 8; ++i) put(body, 10, 4);
}

// A frame request's body up to its pixels: id 9, kind 'F', the geometry.
Bytes frame_header(std::uint32_t width, std::uint32_t height, std::uint32_t stride) {
  Bytes body;
  put(body, 9, 8);
  put(body, 'F', 1);
  put(body, width, 4);
  put(body, height, 4);
  put(body, stride, 4);
  return body;
}

std::string reply_error(const Bytes& body) {
  const auto reply = parse_reply(body);
  REQUIRE_FALSE(reply.ok());
  CHECK(reply.error().code == ErrorCode::parse_error);
  return reply.error().message;
}

TEST_CASE("a frame request carries the geometry and only the pixels it covers") {
  // 3x2 pixels in rows of 5 bytes: 5 + 3 bytes are sent, the last row's padding is not.
  const Bytes pixels = {1, 2, 3, 0xEE, 0xEE, 4, 5, 6, 0xEE, 0xEE};
  const auto message = encode_frame_request(42, {pixels, 3, 2, 5});
  REQUIRE(message.ok());
  CHECK(message->size() == decoder_header_bytes + 8 + 1 + 12 + 8);
  const auto request = parse_request(body_of(*message));
  REQUIRE(request.ok());
  CHECK(request->id == 42);
  CHECK(request->kind == DecoderRequestKind::frame);
  CHECK(request->frame.width == 3);
  CHECK(request->frame.height == 2);
  CHECK(request->frame.row_stride == 5);
  CHECK(Bytes(request->frame.pixels.begin(), request->frame.pixels.end()) ==
        Bytes{1, 2, 3, 0xEE, 0xEE, 4, 5, 6});
}

TEST_CASE("an image file request carries the name and the file's bytes") {
  const Bytes file = {'P', '5', '\n', '1', ' ', '1', '\n', '2', '5', '5', '\n', 0x80};
  const auto message = encode_image_request(7, file, "till 3/card.pgm");
  REQUIRE(message.ok());
  const auto request = parse_request(body_of(*message));
  REQUIRE(request.ok());
  CHECK(request->id == 7);
  CHECK(request->kind == DecoderRequestKind::image_file);
  CHECK(request->file_name == "till 3/card.pgm");
  CHECK(Bytes(request->file_bytes.begin(), request->file_bytes.end()) == file);
}

TEST_CASE("frame requests are refused for a geometry the decoder would refuse") {
  const Bytes pixels(64, 0);
  const auto refusal = [&](int width, int height, int stride) {
    const auto message = encode_frame_request(1, {pixels, width, height, stride});
    REQUIRE_FALSE(message.ok());
    CHECK(message.error().code == ErrorCode::invalid_argument);
    return message.error().message;
  };
  CHECK(refusal(0, 4, 8) == "decoder request: a frame of 0x4 has no pixels");
  CHECK(refusal(8, 4, 7) == "decoder request: row stride 7 is shorter than a row of 8 pixels");
  CHECK(refusal(8, 9, 8) == "decoder request: the frame has 64 pixel bytes; its geometry needs 72");
  CHECK(refusal(-1, 4, 8) == "decoder request: negative frame geometry");
  CHECK(refusal(16385, 1, 16385) ==
        "decoder request: a frame of 16385x1 is wider or taller than the limit of 16384 pixels");
  CHECK(refusal(4097, 4096, 4097) ==
        "decoder request: a frame of 4097x4096 is over the limit of 16777216 pixels");
  CHECK(refusal(1, 1, 32769) == "decoder request: row stride 32769 is over the limit of 32768");
  CHECK(refusal(1, 16384, 4096) ==
        "decoder request: a frame of 1x16384 with row stride 4096 is 67104769 bytes, over the "
        "limit of 33554432");
}

TEST_CASE("image file requests are refused when empty, too large or badly named") {
  const Bytes file = {'P', '5'};
  const auto empty = encode_image_request(1, {}, "a.png");
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().message == "decoder request: the image file is empty");
  const Bytes huge(limits::image_file_bytes_max + 1, 0);
  const auto too_large = encode_image_request(1, huge, "a.png");
  REQUIRE_FALSE(too_large.ok());
  CHECK(too_large.error().code == ErrorCode::limit_exceeded);
  CHECK(too_large.error().message ==
        "decoder request: an image file of 33554433 bytes is over the limit of 33554432");
  const std::string name_error =
      "decoder request: the image's name must be UTF-8 text of at most 256 bytes without "
      "control characters";
  CHECK(encode_image_request(1, file, "a\nb").error().message == name_error);
  CHECK(encode_image_request(1, file, "\xC3").error().message == name_error);
  CHECK(encode_image_request(1, file, std::string(257, 'a')).error().message == name_error);
  CHECK(encode_image_request(1, file, std::string(256, 'a')).ok());
}

TEST_CASE("the request parser refuses truncated, padded and unknown requests") {
  const auto refusal = [](const Bytes& body) {
    const auto request = parse_request(body);
    REQUIRE_FALSE(request.ok());
    CHECK(request.error().code == ErrorCode::parse_error);
    return request.error().message;
  };
  Bytes frame = frame_header(2, 2, 2);
  put(frame, 0x01020304, 4);
  REQUIRE(parse_request(frame).ok());
  Bytes padded = frame;
  padded.push_back(0);
  CHECK(refusal(padded) == "decoder request: the frame's geometry needs 4 pixel bytes; 5 follow");
  CHECK(refusal(Bytes(frame.begin(), frame.end() - 1)) ==
        "decoder request: the frame's geometry needs 4 pixel bytes; 3 follow");
  CHECK(refusal(Bytes(frame.begin(), frame.begin() + 12)) ==
        "decoder request: truncated at byte 9: width needs 4 bytes, 3 left");
  // One row needs no stride, but a stride that does not fit an int is refused all the same
  // (found by fuzz_decoder_request).
  Bytes one_row = frame_header(1, 1, 0xFFFFFFFF);
  put(one_row, 0, 1);
  CHECK(refusal(one_row) == "decoder request: row stride 4294967295 is over the limit of 32768");
  Bytes unknown = frame;
  unknown[8] = 'X';
  CHECK(refusal(unknown) == "decoder request: kind 88 is neither a frame ('F') nor a file ('I')");
  Bytes no_file;
  put(no_file, 9, 8);
  put(no_file, 'I', 1);
  put(no_file, 1, 2);
  put(no_file, "a");
  CHECK(refusal(no_file) == "decoder request: the image file is empty");
  Bytes long_name = no_file;
  long_name[9] = 0x01;
  long_name[10] = 0x01;  // 257 bytes
  CHECK(refusal(long_name) == "decoder request: name: 257 bytes is over the limit of 256");
  CHECK(refusal({}) == "decoder request: truncated at byte 0: id needs 8 bytes, 0 left");
}

TEST_CASE("a reply carries every field of the scan and parses back to the same scan") {
  FrameScan scan;
  scan.symbols.push_back(qr_symbol());
  DecodedSymbol code128;
  code128.type = ScanDataType::code128;
  code128.aim_id = "]C0";
  code128.label = "LOYALTY-0042";
  code128.raw.assign(code128.label.begin(), code128.label.end());
  code128.corners = {{10, 20}, {300, 21}, {300, 21}, {10, 20}};
  scan.symbols.push_back(code128);
  scan.rejected.push_back({ErrorCode::invalid_argument, "ean13: check digit 4, expected 7"});

  const Bytes message = encode_reply(1234567890123ull, scan);
  const auto reply = parse_reply(body_of(message));
  REQUIRE(reply.ok());
  CHECK(reply->id == 1234567890123ull);
  REQUIRE(reply->scan.ok());
  const FrameScan& got = *reply->scan;
  REQUIRE(got.symbols.size() == 2);
  const DecodedSymbol& qr = got.symbols[0];
  CHECK(qr.type == ScanDataType::qrcode);
  CHECK(qr.aim_id == "]Q2");
  CHECK(qr.label == "Grüße 12");
  CHECK(qr.raw == qr_symbol().raw);
  CHECK(qr.ecis == std::vector<drivers::EciSegment>{{3, 0}, {26, 5}});
  CHECK(qr.corners.top_left.x == -3);
  CHECK(qr.corners.top_left.y == 4);
  CHECK(qr.corners.bottom_right.x == 121);
  CHECK(qr.corners.bottom_left.y == 129);
  CHECK(got.symbols[1].label == "LOYALTY-0042");
  CHECK(got.symbols[1].aim_id == "]C0");
  REQUIRE(got.rejected.size() == 1);
  CHECK(got.rejected[0].code == ErrorCode::invalid_argument);
  CHECK(got.rejected[0].message == "ean13: check digit 4, expected 7");
  // Canonical: what parsed encodes to the same bytes.
  CHECK(encode_reply(reply->id, reply->scan) == message);
}

TEST_CASE("an error reply carries the code and the message") {
  const Bytes message =
      encode_reply(5, make_error(ErrorCode::parse_error, "card.png: not a PNG image"));
  const auto reply = parse_reply(body_of(message));
  REQUIRE(reply.ok());
  CHECK(reply->id == 5);
  REQUIRE_FALSE(reply->scan.ok());
  CHECK(reply->scan.error().code == ErrorCode::parse_error);
  CHECK(reply->scan.error().message == "card.png: not a PNG image");
}

TEST_CASE("the encoder makes a scan fit the reply's bounds") {
  FrameScan scan;
  DecodedSymbol huge = qr_symbol();
  huge.label.assign(limits::scan_label_bytes_max + 1, 'x');
  scan.symbols.push_back(huge);
  DecodedSymbol no_aim = qr_symbol();
  no_aim.aim_id.clear();
  scan.symbols.push_back(no_aim);
  scan.symbols.push_back(qr_symbol());
  scan.rejected.push_back({ErrorCode::internal, "tab\there, bad \xFF byte"});
  scan.rejected.push_back(
      {ErrorCode::internal, std::string(decoder_message_bytes_max - 1, 'a') + "é"});

  const auto reply = parse_reply(body_of(encode_reply(1, scan)));
  REQUIRE(reply.ok());
  REQUIRE(reply->scan.ok());
  REQUIRE(reply->scan->symbols.size() == 1);
  CHECK(reply->scan->symbols[0].label == "Grüße 12");
  const auto& rejected = reply->scan->rejected;
  REQUIRE(rejected.size() == 4);
  CHECK(rejected[0].message == "tab?here, bad ? byte");
  // Cut at a character boundary: the two bytes of "é" would pass the limit by one.
  CHECK(rejected[1].message == std::string(decoder_message_bytes_max - 1, 'a'));
  CHECK(rejected[2].code == ErrorCode::limit_exceeded);
  CHECK(rejected[2].message ==
        "qrcode symbol not sent: label of 4097 bytes is over the limit of 4096");
  CHECK(rejected[3].message ==
        "qrcode symbol not sent: the AIM id is not 1 to 8 printable ASCII characters");

  FrameScan many;
  for (int i = 0; i < 20; ++i) many.rejected.push_back({ErrorCode::internal, std::to_string(i)});
  const auto capped = parse_reply(body_of(encode_reply(1, many)));
  REQUIRE(capped.ok());
  REQUIRE(capped->scan->rejected.size() == decoder_rejected_max);
  CHECK(capped->scan->rejected.back().message == "15");
}

TEST_CASE("the reply parser refuses every truncation of a valid reply") {
  FrameScan scan;
  scan.symbols.push_back(qr_symbol());
  scan.rejected.push_back({ErrorCode::internal, "x"});
  const Bytes message = encode_reply(3, scan);
  const auto body = body_of(message);
  for (std::size_t size = 0; size < body.size(); ++size) {
    INFO("truncated to " << size << " bytes");
    CHECK_FALSE(parse_reply(body.first(size)).ok());
  }
  CHECK(reply_error(Bytes(body.begin(), body.begin() + 14)) ==
        "decoder reply: truncated at byte 13: symbol 0 AIM id needs 3 bytes, 1 left");
  Bytes padded(body.begin(), body.end());
  padded.push_back(0);
  CHECK(reply_error(padded) ==
        "decoder reply: bytes after the last field: 1, from byte " + std::to_string(body.size()));
}

TEST_CASE("the reply parser refuses lengths and counts over their bounds") {
  std::array<std::uint8_t, 4> header{};
  const std::size_t over = decoder_reply_bytes_max + 1;
  for (int i = 0; i < 4; ++i) header[i] = static_cast<std::uint8_t>(over >> (8 * i));
  const auto size = parse_message_header(header, decoder_reply_bytes_max, "decoder reply");
  REQUIRE_FALSE(size.ok());
  CHECK(size.error().message == "decoder reply: " + std::to_string(over) +
                                    " bytes is over the limit of " +
                                    std::to_string(decoder_reply_bytes_max));
  const std::array<std::uint8_t, 4> empty{0, 0, 0, 0};
  CHECK(parse_message_header(empty, 10, "decoder reply").error().message ==
        "decoder reply: empty message");
  const std::array<std::uint8_t, 4> ten{10, 0, 0, 0};
  CHECK(*parse_message_header(ten, 10, "decoder reply") == 10);

  CHECK(reply_error(reply_body(1, 17)) ==
        "decoder reply: symbols: 17 symbols is over the limit of 16");

  Bytes label = reply_body(1, 1);
  put_symbol_start(label, 204, "]Q1");
  put(label, 4097, 2);
  CHECK(reply_error(label) ==
        "decoder reply: symbol 0 label: 4097 bytes is over the limit of 4096");

  Bytes ecis = reply_body(1, 1);
  put_symbol_start(ecis, 204, "]Q1");
  put(ecis, 0, 2);
  put(ecis, 0, 2);
  put(ecis, 33, 1);
  CHECK(reply_error(ecis) ==
        "decoder reply: symbol 0 ECI segments: 33 segments is over the limit of 32");

  Bytes rejected = reply_body(1, 0);
  put(rejected, 17, 1);
  CHECK(reply_error(rejected) ==
        "decoder reply: rejections: 17 rejections is over the limit of 16");

  Bytes message = reply_body(1, 0);
  put(message, 1, 1);
  put(message, 0, 1);
  put(message, 1025, 2);
  CHECK(reply_error(message) ==
        "decoder reply: rejection 0 message: 1025 bytes is over the limit of 1024");
}

TEST_CASE("the reply parser refuses values a decoder never reports") {
  Bytes type = reply_body(1, 1);
  put_symbol(type, 105, "]I0", "123");  // tf: not an image symbology
  put(type, 0, 1);
  CHECK(reply_error(type) ==
        "decoder reply: symbol 0: type 105 is not a symbology an image decoder reports");

  Bytes aim = reply_body(1, 1);
  put_symbol(aim, 110, "]C\x01", "123");
  put(aim, 0, 1);
  CHECK(reply_error(aim) ==
        "decoder reply: symbol 0: the AIM id is not 1 to 8 printable ASCII characters");

  Bytes good = reply_body(1, 1);
  put_symbol(good, 110, "]C0", "123");
  put(good, 0, 1);
  REQUIRE(parse_reply(good).ok());

  Bytes corner = good;
  const std::size_t corners_at = good.size() - 1 - 32;
  corner[corners_at + 3] = 0x7F;  // x of the top left corner: 0x7F00000A
  CHECK(reply_error(corner) ==
        "decoder reply: symbol 0: a corner is further than 65536 pixels from the frame");

  Bytes eci_order = reply_body(1, 1);
  put_symbol_start(eci_order, 110, "]C0");
  put(eci_order, 3, 2);
  put(eci_order, "123");
  put(eci_order, 3, 2);
  put(eci_order, "123");
  put(eci_order, 2, 1);
  put(eci_order, 26, 4);
  put(eci_order, 2, 2);
  put(eci_order, 3, 4);
  put(eci_order, 1, 2);  // before the previous one
  for (int i = 0; i < 8; ++i) put(eci_order, 0, 4);
  put(eci_order, 0, 1);
  CHECK(reply_error(eci_order) ==
        "decoder reply: symbol 0: ECI segment 1 (ECI 3 at 1) is out of range or out of order");

  Bytes code = reply_body(1, 0);
  put(code, 1, 1);
  put(code, 11, 1);  // one past ErrorCode::internal
  put(code, 1, 2);
  put(code, "x");
  CHECK(reply_error(code) == "decoder reply: rejection 0 code: 11 is not an error code");

  Bytes control = reply_body(1, 0);
  put(control, 1, 1);
  put(control, 0, 1);
  put(control, 2, 2);
  put(control, "\x1B[");
  CHECK(reply_error(control) ==
        "decoder reply: rejection 0 message: not UTF-8 text without control characters");

  Bytes status;
  put(status, 1, 8);
  put(status, 'X', 1);
  CHECK(reply_error(status) ==
        "decoder reply: status 88 is neither a scan ('S') nor an error ('E')");
}

TEST_CASE("the decoder's command line names its options and parses back to them") {
  drivers::ImageDecodeOptions options;
  options.set_formats({ScanDataType::ean13, ScanDataType::qrcode})
      .set_effort(drivers::DecodeEffort::thorough)
      .set_symbols_max(4)
      .set_quarter_turns(drivers::QuarterTurns::try_them);
  const std::vector<std::string> args = decoder_arguments(options);
  CHECK(args == std::vector<std::string>{"--formats=ean13,qrcode", "--effort=thorough",
                                         "--symbols-max=4", "--quarter-turns"});
  const std::vector<std::string_view> views(args.begin(), args.end());
  const auto parsed = parse_decoder_arguments(views);
  REQUIRE(parsed.ok());
  CHECK(parsed->formats() == options.formats());
  CHECK(parsed->effort() == drivers::DecodeEffort::thorough);
  CHECK(parsed->symbols_max() == 4);
  CHECK(parsed->quarter_turns() == drivers::QuarterTurns::try_them);

  const auto refusal = [](std::vector<std::string_view> args) {
    const auto parsed = parse_decoder_arguments(args);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().code == ErrorCode::invalid_argument);
    return parsed.error().message;
  };
  CHECK(refusal({"--formats=ean13", "--effort=fast"}) ==
        "loyalty-decoder: --formats=, --effort= and --symbols-max= are required");
  CHECK(refusal({"--formats=ean13", "--effort=fast", "--symbols-max=17"}) ==
        "loyalty-decoder: --symbols-max must be a whole number from 1 to 16, not \"17\"");
  CHECK(refusal({"--formats=ean13", "--effort=slow", "--symbols-max=1"}) ==
        "loyalty-decoder: unknown decode effort \"slow\" (expected fast, thorough or adaptive)");
  CHECK(refusal({"--formats=ean13", "--formats=qrcode"}) ==
        "loyalty-decoder: --formats is given twice");
  CHECK(refusal({"--open=/etc/passwd"}) ==
        "loyalty-decoder: unknown argument \"--open=/etc/passwd\" (expected --formats=, "
        "--effort=, --symbols-max=, --quarter-turns)");
  CHECK(refusal({"--formats=ean13,tf", "--effort=fast", "--symbols-max=1"})
            .starts_with("loyalty-decoder: --formats: unknown barcode format \"tf\""));
}

}  // namespace
}  // namespace loyalty::daemon
