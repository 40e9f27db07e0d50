// The wire protocol between loyaltyd and its decoder child (loyalty-decoder), over the child's
// stdin and stdout: one request, then one reply, then the next request. docs/decoder-sandbox.md
// draws the layouts.
//
// Every message is a 4-byte little-endian body length followed by the body; integers in a body
// are little-endian and of fixed width. A request carries its id and either a grey frame (width,
// height, row stride, row_stride * (height - 1) + width pixel bytes) or an image file's name and
// bytes (PNG, JPEG, WebP, PGM/PPM, BMP; the child loads them with drivers' load_image_bytes()). A
// reply carries the id of the request it answers and either the FrameScan (symbols with type, AIM
// id, label, raw bytes, ECI segments and corners; rejections) or an Error. Both directions have a
// bound (sandbox_limits.h): decoder_request_bytes_max and decoder_reply_bytes_max.
//
// The daemon treats replies as untrusted: a child that decodes hostile images may be compromised.
// parse_reply() is strict: every count, length, enum value and coordinate is checked against its
// bound before anything is allocated, text (messages) must be UTF-8 without control characters,
// nothing may follow the last field, and an error names what was wrong and where ("decoder reply:
// symbol 1 label: 9000 bytes is over the limit of 4096"). The encoding is canonical: a body that
// parses encodes back to the same bytes (the fuzz targets check it).
//
// Thread-safety: pure functions over values. A DecoderRequest views the body it was parsed from,
// which must outlive it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "loyalty/core/result.h"
#include "loyalty/drivers/camera/image_decoder.h"

namespace loyalty::daemon {

// The length prefix of every message.
inline constexpr std::size_t decoder_header_bytes = 4;

// The body length a header announces; refuses zero and more than `body_bytes_max`. `what` names
// the direction in the message ("decoder reply: 300000 bytes is over the limit of 230000").
Result<std::size_t> parse_message_header(std::span<const std::uint8_t, decoder_header_bytes> header,
                                         std::size_t body_bytes_max, std::string_view what);

// --- Requests ------------------------------------------------------------------------------------

enum class DecoderRequestKind : std::uint8_t { frame = 'F', image_file = 'I' };

// A parsed request: views into the body it came from.
struct DecoderRequest {
  std::uint64_t id = 0;
  DecoderRequestKind kind = DecoderRequestKind::frame;
  drivers::GreyFrame frame;                  // kind frame
  std::string_view file_name;                // kind image_file: for messages
  std::span<const std::uint8_t> file_bytes;  // kind image_file
};

// The message (header and body) for a frame. Refuses (ErrorCode::invalid_argument) a frame
// without pixels, a stride shorter than a row or over decoder_row_stride_bytes_max, fewer bytes
// than the geometry needs, more than limits::image_pixels_max pixels or
// limits::image_side_pixels_max per side, and more than decoder_frame_bytes_max bytes to send. Only
// the bytes the geometry covers are sent.
Result<std::vector<std::uint8_t>> encode_frame_request(std::uint64_t id,
                                                       const drivers::GreyFrame& frame);

// The message for an image file's bytes. Refuses an empty file and one over
// limits::image_file_bytes_max (ErrorCode::limit_exceeded), and a name over
// decoder_image_name_bytes_max bytes or that is not UTF-8 text without control characters.
Result<std::vector<std::uint8_t>> encode_image_request(std::uint64_t id,
                                                       std::span<const std::uint8_t> bytes,
                                                       std::string_view name);

// A request body (without its header), as the child reads it. The same checks as the encoders,
// and exactly the bytes the geometry needs (ErrorCode::parse_error).
Result<DecoderRequest> parse_request(std::span<const std::uint8_t> body);

// --- Replies -------------------------------------------------------------------------------------

struct DecoderReply {
  std::uint64_t id = 0;
  Result<drivers::FrameScan> scan;  // the FrameScan, or why the request could not be decoded
};

// The message for a reply. Never fails: what does not fit the bounds is made to fit. A symbol
// outside them (a label over limits::scan_label_bytes_max, raw bytes over decoder_raw_bytes_max,
// an AIM id that is not 1 to decoder_aim_id_bytes_max printable characters, more than
// decoder_eci_segments_max ECI segments or ones out of order, a corner out of range, a type that
// is not an image symbology) is replaced by a rejection naming why; rejections past
// decoder_rejected_max are left out; a message is cut to decoder_message_bytes_max at a
// character boundary and its control characters and malformed UTF-8 become '?'. At most
// limits::image_symbols_max symbols are sent.
std::vector<std::uint8_t> encode_reply(std::uint64_t id, const Result<drivers::FrameScan>& scan);

// A reply body (without its header), as the daemon reads it from an untrusted child.
// ErrorCode::parse_error, with "decoder reply: " and the field at fault.
Result<DecoderReply> parse_reply(std::span<const std::uint8_t> body);

}  // namespace loyalty::daemon
