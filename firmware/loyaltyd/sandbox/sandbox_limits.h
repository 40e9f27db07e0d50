// The limits of the decoder sandbox (loyalty-decoder and DecoderSandbox, docs/decoder-sandbox.md):
// the sizes of the messages between the daemon and its decoder child, the request queue, the
// per-request timeout, the restart backoff and the child's resource limits. Daemon-only limits,
// so they live here rather than in core's limits.h; the image limits they build on are core's.
//
// Thread-safety: constants.
#pragma once

#include <cstddef>
#include <cstdint>

#include "loyalty/core/limits.h"

namespace loyalty::daemon {

// --- Requests (daemon to child) ------------------------------------------------------------------

// Pixel bytes of one grey frame on the wire (row_stride * (height - 1) + width): a frame of up to
// limits::image_pixels_max pixels whose rows are padded to up to twice their width, as camera
// drivers pad a Y plane's rows.
inline constexpr std::size_t decoder_frame_bytes_max = 2 * limits::image_pixels_max;
// A frame's row stride: twice the widest row (a one-row frame needs no stride at all, so the
// frame's bytes alone would not bound it).
inline constexpr std::size_t decoder_row_stride_bytes_max = 2 * limits::image_side_pixels_max;
// The name an image file request carries for the child's messages ("<name>: corrupt PNG ...").
inline constexpr std::size_t decoder_image_name_bytes_max = 256;
// A request's body: id, kind, then a frame's geometry and pixels or a file's name and bytes.
inline constexpr std::size_t decoder_request_fixed_bytes = 8 + 1 + 3 * 4;
inline constexpr std::size_t decoder_request_bytes_max =
    decoder_request_fixed_bytes +
    (decoder_frame_bytes_max > 2 + decoder_image_name_bytes_max + limits::image_file_bytes_max
         ? decoder_frame_bytes_max
         : 2 + decoder_image_name_bytes_max + limits::image_file_bytes_max);

// --- Replies (child to daemon) -------------------------------------------------------------------

// An AIM symbology identifier ("]E0": three bytes; room for more).
inline constexpr std::size_t decoder_aim_id_bytes_max = 8;
// A symbol's raw bytes: its label's bound twice over (a UTF-16 symbol's bytes are twice its text).
inline constexpr std::size_t decoder_raw_bytes_max = 2 * limits::scan_label_bytes_max;
// ECI designators of one symbol.
inline constexpr std::size_t decoder_eci_segments_max = 32;
// Rejections (FrameScan::rejected) one reply carries; the child sends the first ones.
inline constexpr std::size_t decoder_rejected_max = 16;
// An error's or a rejection's message, in bytes of UTF-8.
inline constexpr std::size_t decoder_message_bytes_max = 1024;
// A corner's coordinates, either way from the frame's origin (an upright crop mapped back may
// land a little outside the frame; nothing real is this far out).
inline constexpr std::int32_t decoder_corner_pixels_max = 4 * limits::image_side_pixels_max;
// The largest reply the bounds above allow: id, status, then the symbols and the rejections.
inline constexpr std::size_t decoder_symbol_bytes_max =
    2 + 1 + decoder_aim_id_bytes_max + 2 + limits::scan_label_bytes_max + 2 +
    decoder_raw_bytes_max + 1 + decoder_eci_segments_max * 6 + 8 * 4;
inline constexpr std::size_t decoder_error_bytes_max = 1 + 2 + decoder_message_bytes_max;
inline constexpr std::size_t decoder_reply_bytes_max =
    8 + 1 + 1 + limits::image_symbols_max * decoder_symbol_bytes_max + 1 +
    decoder_rejected_max * decoder_error_bytes_max;

// --- The parent (DecoderSandbox) -----------------------------------------------------------------

// Requests waiting for the child, besides the one it is decoding. When full, the oldest waiting
// frame is dropped for the new request: a camera must never build a backlog of stale frames.
inline constexpr std::size_t decoder_queue_requests_max = 4;
// How long the child may take over one request (sending it, decoding, replying) before it is
// killed, by default and at most.
inline constexpr std::int64_t decoder_request_timeout_ms_default = 5'000;
inline constexpr std::int64_t decoder_request_timeout_ms_max = 60'000;
// The delay before a dead child is started again: the first, doubled with every further death in a
// row up to the last (a child that answers a request resets it).
inline constexpr std::int64_t decoder_restart_delay_ms_min = 100;
inline constexpr std::int64_t decoder_restart_delay_ms_max = 10'000;
// Between looks at a killed child that has not exited yet (its pidfd woke early).
inline constexpr std::int64_t decoder_reap_poll_ms = 10;

// --- The child (loyalty-decoder) ---------------------------------------------------------------

// RLIMIT_AS of the child (not set under AddressSanitizer, whose shadow memory reserves terabytes
// of address space): the decoders' working memory (limits::image_decoder_memory_bytes_max), two
// requests' buffers, ZXing's copies of a 16-megapixel frame, and the program's own mappings.
inline constexpr std::uint64_t decoder_address_space_bytes_max = 1024ull * 1024 * 1024;

}  // namespace loyalty::daemon
