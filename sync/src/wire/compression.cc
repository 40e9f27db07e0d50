// zstd frames (libzstd) for batches and downlink answers.
//
// Decompression streams through a fixed buffer of limits::sync_zstd_chunk_bytes_max bytes and
// stops as soon as the output would pass the caller's bound, so a frame that inflates to a
// gigabyte costs at most the bound (plus one chunk and a window of at most
// 2^limits::sync_zstd_window_log_max bytes), whatever its header claims. Exactly one zstd frame
// is accepted: a truncated frame, a skippable frame, a second frame or trailing bytes are
// parse_error.

#include "loyalty/sync/compression.h"

#include <zstd.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "loyalty/core/limits.h"

namespace loyalty::sync {
namespace {

struct DctxDeleter {
  void operator()(ZSTD_DCtx* dctx) const { ZSTD_freeDCtx(dctx); }
};
using DctxPtr = std::unique_ptr<ZSTD_DCtx, DctxDeleter>;

Error frame_error(std::string reason) {
  return make_error(ErrorCode::parse_error,
                    "zstd: " + reason + " (expected exactly one complete zstd frame)");
}

Error too_large(std::size_t bytes_max) {
  return make_error(ErrorCode::limit_exceeded, "zstd: the frame inflates to more than " +
                                                   std::to_string(bytes_max) +
                                                   " bytes, the limit: send smaller batches");
}

// Checks that `frame` is one whole frame with nothing after it, and that its header (when it
// gives the content size) is within the bound.
Status check_one_frame(std::string_view frame, std::size_t bytes_max) {
  if (frame.empty()) return frame_error("no data");
  // A zstd frame starts with the magic number 0xFD2FB528 (little-endian); skippable and legacy
  // frames do not, and carry nothing a batch needs.
  constexpr unsigned char magic[] = {0x28, 0xB5, 0x2F, 0xFD};
  if (frame.size() < sizeof magic || std::memcmp(frame.data(), magic, sizeof magic) != 0) {
    return frame_error("no zstd frame magic number");
  }
  const std::size_t frame_bytes = ZSTD_findFrameCompressedSize(frame.data(), frame.size());
  if (ZSTD_isError(frame_bytes) != 0) {
    return frame_error(std::string("not a whole frame: ") + ZSTD_getErrorName(frame_bytes));
  }
  if (frame_bytes != frame.size()) {
    return frame_error(std::to_string(frame.size() - frame_bytes) + " bytes follow the frame");
  }
  const unsigned long long content = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (content == ZSTD_CONTENTSIZE_ERROR) return frame_error("bad frame header");
  if (content != ZSTD_CONTENTSIZE_UNKNOWN && content > bytes_max) return too_large(bytes_max);
  return Status();
}

}  // namespace

std::string zstd_compress(std::string_view bytes, int level) {
  LOYALTY_ASSERT(level >= 1 && level <= 19);
  std::string out(ZSTD_compressBound(bytes.size()), '\0');
  const std::size_t written =
      ZSTD_compress(out.data(), out.size(), bytes.data(), bytes.size(), level);
  LOYALTY_ASSERT(ZSTD_isError(written) == 0);
  out.resize(written);
  return out;
}

Result<std::string> zstd_decompress(std::string_view frame, std::size_t decompressed_bytes_max) {
  TRY(check_one_frame(frame, decompressed_bytes_max));
  DctxPtr dctx(ZSTD_createDCtx());
  LOYALTY_ASSERT(dctx != nullptr);
  const std::size_t set =
      ZSTD_DCtx_setParameter(dctx.get(), ZSTD_d_windowLogMax, limits::sync_zstd_window_log_max);
  LOYALTY_ASSERT(ZSTD_isError(set) == 0);

  std::string out;
  std::vector<char> chunk(limits::sync_zstd_chunk_bytes_max);
  ZSTD_inBuffer in{frame.data(), frame.size(), 0};
  // Each step consumes input or fills the chunk; the bound stops a long run of output, and
  // a run without progress is a broken frame.
  const std::size_t steps_max = decompressed_bytes_max / chunk.size() + frame.size() + 2;
  for (std::size_t step = 0; step < steps_max; ++step) {
    ZSTD_outBuffer buffer{chunk.data(), chunk.size(), 0};
    const std::size_t before = in.pos;
    const std::size_t ret = ZSTD_decompressStream(dctx.get(), &buffer, &in);
    if (ZSTD_isError(ret) != 0) {
      return frame_error(std::string("corrupt frame: ") + ZSTD_getErrorName(ret));
    }
    if (buffer.pos > decompressed_bytes_max - out.size()) return too_large(decompressed_bytes_max);
    out.append(chunk.data(), buffer.pos);
    if (ret == 0) {
      if (in.pos != in.size) return frame_error("bytes follow the frame");
      return out;
    }
    if (in.pos == in.size && buffer.pos < buffer.size && before == in.pos) {
      return frame_error("the frame is truncated");
    }
  }
  return frame_error("the frame makes no progress");
}

}  // namespace loyalty::sync
