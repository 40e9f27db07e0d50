// The decoder child's wire protocol: encoders and strict parsers (decoder_protocol.h).
#include "sandbox/decoder_protocol.h"

#include <algorithm>
#include <array>
#include <string>
#include <utility>

#include "loyalty/core/limits.h"
#include "loyalty/core/utf8.h"
#include "sandbox/sandbox_limits.h"

namespace loyalty::daemon {

namespace {

using drivers::DecodedSymbol;
using drivers::FrameScan;
using drivers::GreyFrame;
using drivers::ScanDataType;

constexpr std::uint8_t kScanReply = 'S';
constexpr std::uint8_t kErrorReply = 'E';
constexpr std::int64_t kEciMax = 999'999;  // ECI numbers have six digits

// --- Writing -------------------------------------------------------------------------------------

void put_uint(std::vector<std::uint8_t>& out, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

void put_bytes(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> bytes) {
  out.insert(out.end(), bytes.begin(), bytes.end());
}

void put_text(std::vector<std::uint8_t>& out, std::string_view text) {
  put_bytes(out, {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
}

// The message: a header slot first, filled in by finish().
std::vector<std::uint8_t> start_message(std::size_t body_bytes_hint) {
  std::vector<std::uint8_t> out;
  out.reserve(decoder_header_bytes + body_bytes_hint);
  put_uint(out, 0, decoder_header_bytes);
  return out;
}

std::vector<std::uint8_t> finish(std::vector<std::uint8_t> out, std::size_t body_bytes_max) {
  const std::size_t body = out.size() - decoder_header_bytes;
  LOYALTY_ASSERT(body > 0 && body <= body_bytes_max);
  for (std::size_t i = 0; i < decoder_header_bytes; ++i) {
    out[i] = static_cast<std::uint8_t>(body >> (8 * i));
  }
  return out;
}

// --- Text ----------------------------------------------------------------------------------------

// A character a message may hold: no C0 or C1 control, no DEL.
bool printable(char32_t c) { return c >= 0x20 && c != 0x7F && (c < 0x80 || c > 0x9F); }

bool is_message_text(std::string_view text) {
  for (std::size_t pos = 0; pos < text.size();) {  // each pass consumes 1 to 4 bytes
    const auto c = decode_utf8(text, pos);
    if (!c || !printable(c->value)) return false;
    pos += c->size;
  }
  return true;
}

// `text` made a message: malformed bytes and control characters as '?', cut at a character
// boundary to `bytes_max`.
std::string fit_text(std::string_view text, std::size_t bytes_max) {
  std::string out;
  for (std::size_t pos = 0; pos < text.size();) {
    const auto c = decode_utf8(text, pos);
    const bool keep = c && printable(c->value);
    const std::size_t size = keep ? c->size : 1;
    if (out.size() + (keep ? size : 1) > bytes_max) break;
    if (keep) {
      out.append(text.substr(pos, size));
    } else {
      out.push_back('?');
    }
    pos += size;
  }
  return out;
}

// --- Reading -------------------------------------------------------------------------------------

// Fields read in order from a body; every error names the direction, the field and the position.
class Reader {
 public:
  Reader(std::span<const std::uint8_t> body, std::string_view what) : body_(body), what_(what) {}

  Result<std::uint64_t> uint(int bytes, const std::string& field) {
    const auto span = TRY(take(static_cast<std::size_t>(bytes), field));
    std::uint64_t value = 0;
    for (int i = 0; i < bytes; ++i) value |= std::uint64_t{span[i]} << (8 * i);
    return value;
  }

  // A length or count of `bytes` bytes, at most `max`.
  Result<std::size_t> count(int bytes, std::size_t max, const std::string& field,
                            std::string_view unit) {
    const std::uint64_t value = TRY(uint(bytes, field));
    if (value > max) {
      return fail(field + ": " + std::to_string(value) + " " + std::string(unit) +
                  " is over the limit of " + std::to_string(max));
    }
    return static_cast<std::size_t>(value);
  }

  Result<std::span<const std::uint8_t>> take(std::size_t n, const std::string& field) {
    if (n > left()) {
      return fail("truncated at byte " + std::to_string(pos_) + ": " + field + " needs " +
                  std::to_string(n) + " bytes, " + std::to_string(left()) + " left");
    }
    const auto span = body_.subspan(pos_, n);
    pos_ += n;
    return span;
  }

  // Text of at most `max` bytes, after a 2-byte length.
  Result<std::string_view> text(std::size_t max, const std::string& field) {
    const std::size_t n = TRY(count(2, max, field, "bytes"));
    const auto span = TRY(take(n, field));
    const std::string_view text(reinterpret_cast<const char*>(span.data()), span.size());
    if (!is_message_text(text)) return fail(field + ": not UTF-8 text without control characters");
    return text;
  }

  Status end() {
    if (left() == 0) return {};
    return fail("bytes after the last field: " + std::to_string(left()) + ", from byte " +
                std::to_string(pos_));
  }

  std::size_t left() const { return body_.size() - pos_; }

  // The whole body is at most `max` bytes.
  Status within(std::size_t max) const {
    if (body_.size() <= max) return {};
    return fail(std::to_string(body_.size()) + " bytes is over the limit of " +
                std::to_string(max));
  }

  Error fail(const std::string& why) const {
    return make_error(ErrorCode::parse_error, std::string(what_) + ": " + why);
  }

 private:
  std::span<const std::uint8_t> body_;
  std::size_t pos_ = 0;
  std::string_view what_;
};

std::string to_string(std::span<const std::uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// --- Frames --------------------------------------------------------------------------------------

// The bytes a frame's geometry covers, or why the geometry is refused.
Result<std::size_t> frame_bytes(std::uint64_t width, std::uint64_t height, std::uint64_t stride,
                                ErrorCode code, std::string_view what) {
  const auto fail = [&](const std::string& why) {
    return make_error(code, std::string(what) + ": " + why);
  };
  const std::string size = std::to_string(width) + "x" + std::to_string(height);
  if (width == 0 || height == 0) return fail("a frame of " + size + " has no pixels");
  if (width > limits::image_side_pixels_max || height > limits::image_side_pixels_max) {
    return fail("a frame of " + size + " is wider or taller than the limit of " +
                std::to_string(limits::image_side_pixels_max) + " pixels");
  }
  if (width * height > limits::image_pixels_max) {
    return fail("a frame of " + size + " is over the limit of " +
                std::to_string(limits::image_pixels_max) + " pixels");
  }
  if (stride < width) {
    return fail("row stride " + std::to_string(stride) + " is shorter than a row of " +
                std::to_string(width) + " pixels");
  }
  if (stride > decoder_row_stride_bytes_max) {
    return fail("row stride " + std::to_string(stride) + " is over the limit of " +
                std::to_string(decoder_row_stride_bytes_max));
  }
  const std::uint64_t bytes = stride * (height - 1) + width;
  if (bytes > decoder_frame_bytes_max) {
    return fail("a frame of " + size + " with row stride " + std::to_string(stride) + " is " +
                std::to_string(bytes) + " bytes, over the limit of " +
                std::to_string(decoder_frame_bytes_max));
  }
  return static_cast<std::size_t>(bytes);
}

// --- Symbols -------------------------------------------------------------------------------------

bool is_image_type(ScanDataType type) {
  const auto parsed = drivers::parse_scan_data_type(drivers::scan_data_type_name(type));
  return parsed.ok() && *parsed == type;
}

bool corner_in_range(const drivers::PixelPoint& p) {
  const auto in = [](int v) {
    return v >= -decoder_corner_pixels_max && v <= decoder_corner_pixels_max;
  };
  return in(p.x) && in(p.y);
}

// Why `symbol` cannot be sent as it is, if it cannot: the rules parse_reply() holds a child to.
Status check_symbol(const DecodedSymbol& symbol) {
  const auto fail = [](std::string why) {
    return make_error(ErrorCode::parse_error, std::move(why));
  };
  if (!is_image_type(symbol.type)) {
    return fail("type " + std::to_string(static_cast<int>(symbol.type)) +
                " is not a symbology an image decoder reports");
  }
  if (symbol.aim_id.empty() || symbol.aim_id.size() > decoder_aim_id_bytes_max ||
      !std::all_of(symbol.aim_id.begin(), symbol.aim_id.end(),
                   [](char c) { return c > 0x20 && c < 0x7F; })) {
    return fail("the AIM id is not 1 to " + std::to_string(decoder_aim_id_bytes_max) +
                " printable ASCII characters");
  }
  if (symbol.label.size() > limits::scan_label_bytes_max) {
    return fail("label of " + std::to_string(symbol.label.size()) + " bytes is over the limit of " +
                std::to_string(limits::scan_label_bytes_max));
  }
  if (symbol.raw.size() > decoder_raw_bytes_max) {
    return fail("raw bytes: " + std::to_string(symbol.raw.size()) + " is over the limit of " +
                std::to_string(decoder_raw_bytes_max));
  }
  if (symbol.ecis.size() > decoder_eci_segments_max) {
    return fail(std::to_string(symbol.ecis.size()) + " ECI segments is over the limit of " +
                std::to_string(decoder_eci_segments_max));
  }
  std::size_t at = 0;
  for (std::size_t i = 0; i < symbol.ecis.size(); ++i) {
    const drivers::EciSegment& segment = symbol.ecis[i];
    if (segment.eci < 0 || segment.eci > kEciMax || segment.at < at ||
        segment.at > symbol.raw.size()) {
      return fail("ECI segment " + std::to_string(i) + " (ECI " + std::to_string(segment.eci) +
                  " at " + std::to_string(segment.at) + ") is out of range or out of order");
    }
    at = segment.at;
  }
  const drivers::SymbolCorners& c = symbol.corners;
  if (!corner_in_range(c.top_left) || !corner_in_range(c.top_right) ||
      !corner_in_range(c.bottom_right) || !corner_in_range(c.bottom_left)) {
    return fail("a corner is further than " + std::to_string(decoder_corner_pixels_max) +
                " pixels from the frame");
  }
  return {};
}

void put_symbol(std::vector<std::uint8_t>& out, const DecodedSymbol& symbol) {
  put_uint(out, static_cast<std::uint16_t>(symbol.type), 2);
  put_uint(out, symbol.aim_id.size(), 1);
  put_text(out, symbol.aim_id);
  put_uint(out, symbol.label.size(), 2);
  put_text(out, symbol.label);
  put_uint(out, symbol.raw.size(), 2);
  put_bytes(out, symbol.raw);
  put_uint(out, symbol.ecis.size(), 1);
  for (const drivers::EciSegment& segment : symbol.ecis) {
    put_uint(out, static_cast<std::uint32_t>(segment.eci), 4);
    put_uint(out, segment.at, 2);
  }
  const drivers::SymbolCorners& c = symbol.corners;
  for (const drivers::PixelPoint& p : {c.top_left, c.top_right, c.bottom_right, c.bottom_left}) {
    put_uint(out, static_cast<std::uint32_t>(p.x), 4);
    put_uint(out, static_cast<std::uint32_t>(p.y), 4);
  }
}

void put_error(std::vector<std::uint8_t>& out, const Error& error) {
  put_uint(out, static_cast<std::uint8_t>(error.code), 1);
  const std::string message = fit_text(error.message, decoder_message_bytes_max);
  put_uint(out, message.size(), 2);
  put_text(out, message);
}

// An error as a reply carries it, into `out` (Result<Error> cannot be: Error is its error type).
Status read_error(Reader& in, const std::string& field, Error& out) {
  const std::uint64_t code = TRY(in.uint(1, field + " code"));
  if (code > static_cast<std::uint64_t>(ErrorCode::internal)) {
    return in.fail(field + " code: " + std::to_string(code) + " is not an error code");
  }
  const std::string_view message = TRY(in.text(decoder_message_bytes_max, field + " message"));
  out = make_error(static_cast<ErrorCode>(code), std::string(message));
  return {};
}

std::int32_t to_int32(std::uint64_t value) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(value));
}

Result<DecodedSymbol> read_symbol(Reader& in, const std::string& field) {
  DecodedSymbol symbol;
  symbol.type = static_cast<ScanDataType>(TRY(in.uint(2, field + " type")));
  const std::size_t aim_bytes =
      TRY(in.count(1, decoder_aim_id_bytes_max, field + " AIM id", "bytes"));
  symbol.aim_id = to_string(TRY(in.take(aim_bytes, field + " AIM id")));
  const std::size_t label_bytes =
      TRY(in.count(2, limits::scan_label_bytes_max, field + " label", "bytes"));
  symbol.label = to_string(TRY(in.take(label_bytes, field + " label")));
  const std::size_t raw_bytes = TRY(in.count(2, decoder_raw_bytes_max, field + " raw", "bytes"));
  const auto raw = TRY(in.take(raw_bytes, field + " raw"));
  symbol.raw.assign(raw.begin(), raw.end());
  const std::size_t ecis =
      TRY(in.count(1, decoder_eci_segments_max, field + " ECI segments", "segments"));
  for (std::size_t i = 0; i < ecis; ++i) {
    const std::string eci_field = field + " ECI segment " + std::to_string(i);
    const std::uint64_t eci = TRY(in.uint(4, eci_field));
    // Two bytes on the wire, so it fits a size_t of any width (32 bits on armhf).
    const std::size_t at = static_cast<std::size_t>(TRY(in.uint(2, eci_field)));
    symbol.ecis.push_back({eci > kEciMax ? -1 : static_cast<int>(eci), at});
  }
  drivers::SymbolCorners& c = symbol.corners;
  for (drivers::PixelPoint* p : {&c.top_left, &c.top_right, &c.bottom_right, &c.bottom_left}) {
    p->x = to_int32(TRY(in.uint(4, field + " corners")));
    p->y = to_int32(TRY(in.uint(4, field + " corners")));
  }
  if (const Status fits = check_symbol(symbol); !fits.ok()) {
    return in.fail(field + ": " + fits.error().message);
  }
  return symbol;
}

Result<FrameScan> read_scan(Reader& in) {
  FrameScan scan;
  const std::size_t symbols = TRY(in.count(1, limits::image_symbols_max, "symbols", "symbols"));
  for (std::size_t i = 0; i < symbols; ++i) {
    scan.symbols.push_back(TRY(read_symbol(in, "symbol " + std::to_string(i))));
  }
  const std::size_t rejected = TRY(in.count(1, decoder_rejected_max, "rejections", "rejections"));
  for (std::size_t i = 0; i < rejected; ++i) {
    TRY(read_error(in, "rejection " + std::to_string(i), scan.rejected.emplace_back()));
  }
  return scan;
}

}  // namespace

Result<std::size_t> parse_message_header(std::span<const std::uint8_t, decoder_header_bytes> header,
                                         std::size_t body_bytes_max, std::string_view what) {
  std::size_t body = 0;
  for (std::size_t i = 0; i < decoder_header_bytes; ++i) body |= std::size_t{header[i]} << (8 * i);
  if (body == 0) return make_error(ErrorCode::parse_error, std::string(what) + ": empty message");
  if (body > body_bytes_max) {
    return make_error(ErrorCode::parse_error, std::string(what) + ": " + std::to_string(body) +
                                                  " bytes is over the limit of " +
                                                  std::to_string(body_bytes_max));
  }
  return body;
}

Result<std::vector<std::uint8_t>> encode_frame_request(std::uint64_t id, const GreyFrame& frame) {
  const auto widen = [](int v) { return static_cast<std::uint64_t>(std::max(v, 0)); };
  if (frame.width < 0 || frame.height < 0 || frame.row_stride < 0) {
    return make_error(ErrorCode::invalid_argument, "decoder request: negative frame geometry");
  }
  const std::size_t bytes =
      TRY(frame_bytes(widen(frame.width), widen(frame.height), widen(frame.row_stride),
                      ErrorCode::invalid_argument, "decoder request"));
  if (frame.pixels.size() < bytes) {
    return make_error(ErrorCode::invalid_argument,
                      "decoder request: the frame has " + std::to_string(frame.pixels.size()) +
                          " pixel bytes; its geometry needs " + std::to_string(bytes));
  }
  std::vector<std::uint8_t> out = start_message(decoder_request_fixed_bytes + bytes);
  put_uint(out, id, 8);
  put_uint(out, static_cast<std::uint8_t>(DecoderRequestKind::frame), 1);
  put_uint(out, widen(frame.width), 4);
  put_uint(out, widen(frame.height), 4);
  put_uint(out, widen(frame.row_stride), 4);
  put_bytes(out, frame.pixels.first(bytes));
  return finish(std::move(out), decoder_request_bytes_max);
}

Result<std::vector<std::uint8_t>> encode_image_request(std::uint64_t id,
                                                       std::span<const std::uint8_t> bytes,
                                                       std::string_view name) {
  if (bytes.empty()) {
    return make_error(ErrorCode::invalid_argument, "decoder request: the image file is empty");
  }
  if (bytes.size() > limits::image_file_bytes_max) {
    return make_error(ErrorCode::limit_exceeded, "decoder request: an image file of " +
                                                     std::to_string(bytes.size()) +
                                                     " bytes is over the limit of " +
                                                     std::to_string(limits::image_file_bytes_max));
  }
  if (name.size() > decoder_image_name_bytes_max || !is_message_text(name)) {
    return make_error(ErrorCode::invalid_argument,
                      "decoder request: the image's name must be UTF-8 text of at most " +
                          std::to_string(decoder_image_name_bytes_max) +
                          " bytes without control characters");
  }
  std::vector<std::uint8_t> out =
      start_message(decoder_request_fixed_bytes + name.size() + bytes.size());
  put_uint(out, id, 8);
  put_uint(out, static_cast<std::uint8_t>(DecoderRequestKind::image_file), 1);
  put_uint(out, name.size(), 2);
  put_text(out, name);
  put_bytes(out, bytes);
  return finish(std::move(out), decoder_request_bytes_max);
}

Result<DecoderRequest> parse_request(std::span<const std::uint8_t> body) {
  Reader in(body, "decoder request");
  TRY(in.within(decoder_request_bytes_max));
  DecoderRequest request;
  request.id = TRY(in.uint(8, "id"));
  const std::uint64_t kind = TRY(in.uint(1, "kind"));
  if (kind == static_cast<std::uint8_t>(DecoderRequestKind::frame)) {
    request.kind = DecoderRequestKind::frame;
    const std::uint64_t width = TRY(in.uint(4, "width"));
    const std::uint64_t height = TRY(in.uint(4, "height"));
    const std::uint64_t stride = TRY(in.uint(4, "row stride"));
    const std::size_t bytes =
        TRY(frame_bytes(width, height, stride, ErrorCode::parse_error, "decoder request"));
    if (in.left() != bytes) {
      return in.fail("the frame's geometry needs " + std::to_string(bytes) + " pixel bytes; " +
                     std::to_string(in.left()) + " follow");
    }
    request.frame = GreyFrame{TRY(in.take(bytes, "pixels")), static_cast<int>(width),
                              static_cast<int>(height), static_cast<int>(stride)};
  } else if (kind == static_cast<std::uint8_t>(DecoderRequestKind::image_file)) {
    request.kind = DecoderRequestKind::image_file;
    request.file_name = TRY(in.text(decoder_image_name_bytes_max, "name"));
    if (in.left() == 0) return in.fail("the image file is empty");
    if (in.left() > limits::image_file_bytes_max) {
      return in.fail("an image file of " + std::to_string(in.left()) +
                     " bytes is over the limit of " + std::to_string(limits::image_file_bytes_max));
    }
    request.file_bytes = TRY(in.take(in.left(), "file"));
  } else {
    return in.fail("kind " + std::to_string(kind) + " is neither a frame ('F') nor a file ('I')");
  }
  TRY(in.end());
  return request;
}

std::vector<std::uint8_t> encode_reply(std::uint64_t id, const Result<FrameScan>& scan) {
  std::vector<std::uint8_t> out = start_message(64);
  put_uint(out, id, 8);
  if (!scan.ok()) {
    put_uint(out, kErrorReply, 1);
    put_error(out, scan.error());
    return finish(std::move(out), decoder_reply_bytes_max);
  }
  put_uint(out, kScanReply, 1);
  std::vector<const DecodedSymbol*> sent;
  std::vector<Error> rejected = scan->rejected;
  for (const DecodedSymbol& symbol : scan->symbols) {
    if (sent.size() == limits::image_symbols_max) break;
    if (const Status fits = check_symbol(symbol); !fits.ok()) {
      rejected.push_back(make_error(ErrorCode::limit_exceeded,
                                    std::string(drivers::scan_data_type_name(symbol.type)) +
                                        " symbol not sent: " + fits.error().message));
      continue;
    }
    sent.push_back(&symbol);
  }
  put_uint(out, sent.size(), 1);
  for (const DecodedSymbol* symbol : sent) put_symbol(out, *symbol);
  rejected.resize(std::min(rejected.size(), decoder_rejected_max));
  put_uint(out, rejected.size(), 1);
  for (const Error& error : rejected) put_error(out, error);
  return finish(std::move(out), decoder_reply_bytes_max);
}

Result<DecoderReply> parse_reply(std::span<const std::uint8_t> body) {
  Reader in(body, "decoder reply");
  TRY(in.within(decoder_reply_bytes_max));
  const std::uint64_t id = TRY(in.uint(8, "id"));
  const std::uint64_t status = TRY(in.uint(1, "status"));
  if (status == kErrorReply) {
    Error error;
    TRY(read_error(in, "error", error));
    TRY(in.end());
    return DecoderReply{id, std::move(error)};
  }
  if (status != kScanReply) {
    return in.fail("status " + std::to_string(status) +
                   " is neither a scan ('S') nor an error ('E')");
  }
  FrameScan scan = TRY(read_scan(in));
  TRY(in.end());
  return DecoderReply{id, std::move(scan)};
}

}  // namespace loyalty::daemon
