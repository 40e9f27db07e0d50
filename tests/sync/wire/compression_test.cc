// zstd frames: round trips, the bound on inflation (a zstd bomb) and malformed frames.
#include "loyalty/sync/compression.h"

#include <zstd.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "loyalty/core/limits.h"
#include "loyalty/sync/batch.h"
#include "wire/batch_fixture.h"

using loyalty::ErrorCode;
using loyalty::Result;
using loyalty::sync::zstd_compress;
using loyalty::sync::zstd_decompress;

namespace {

struct CctxDeleter {
  void operator()(ZSTD_CCtx* cctx) const { ZSTD_freeCCtx(cctx); }
};

// A frame of `bytes_total` zero bytes, compressed 1 MiB at a time so the test never holds the
// content. With `pledge`, the frame header states the content size.
std::string zero_bomb(std::size_t bytes_total, bool pledge) {
  std::unique_ptr<ZSTD_CCtx, CctxDeleter> cctx(ZSTD_createCCtx());
  REQUIRE(cctx != nullptr);
  REQUIRE(ZSTD_isError(ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_compressionLevel, 1)) == 0);
  if (pledge) REQUIRE(ZSTD_isError(ZSTD_CCtx_setPledgedSrcSize(cctx.get(), bytes_total)) == 0);
  const std::vector<char> zeros(1024 * 1024, '\0');
  std::vector<char> out(ZSTD_CStreamOutSize());
  std::string frame;
  for (std::size_t fed = 0; fed < bytes_total; fed += zeros.size()) {
    const bool last = fed + zeros.size() >= bytes_total;
    ZSTD_inBuffer in{zeros.data(), std::min(zeros.size(), bytes_total - fed), 0};
    std::size_t remaining = 1;
    while (in.pos < in.size || (last && remaining != 0)) {
      ZSTD_outBuffer buffer{out.data(), out.size(), 0};
      remaining =
          ZSTD_compressStream2(cctx.get(), &buffer, &in, last ? ZSTD_e_end : ZSTD_e_continue);
      REQUIRE(ZSTD_isError(remaining) == 0);
      frame.append(out.data(), buffer.pos);
    }
  }
  return frame;
}

void check_refused(const std::string& frame, std::size_t bytes_max, ErrorCode code,
                   const std::string& message) {
  const Result<std::string> inflated = zstd_decompress(frame, bytes_max);
  REQUIRE_FALSE(inflated.ok());
  CHECK(inflated.error().message == message);
  CHECK(inflated.error().code == code);
}

}  // namespace

TEST_CASE("zstd frames round-trip at every level", "[sync][wire]") {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "{\"seq\":" + std::to_string(i) + "},";
  for (int level : {1, 3, 19}) {
    const std::string frame = zstd_compress(text, level);
    CHECK(frame.size() < text.size() / 4);
    const Result<std::string> inflated = zstd_decompress(frame, text.size());
    REQUIRE(inflated.ok());
    CHECK(*inflated == text);
  }
  const Result<std::string> empty = zstd_decompress(zstd_compress(""), 0);
  REQUIRE(empty.ok());
  CHECK(empty->empty());
}

TEST_CASE("zstd output one byte past the bound is refused", "[sync][wire]") {
  const std::string text(100, 'x');
  REQUIRE(zstd_decompress(zstd_compress(text), 100).ok());
  check_refused(zstd_compress(text), 99, ErrorCode::limit_exceeded,
                "zstd: the frame inflates to more than 99 bytes, the limit: send smaller batches");
}

TEST_CASE("a zstd bomb of 1 GB of zeros is refused without inflating it", "[sync][wire]") {
  const std::size_t gigabyte = std::size_t{1} << 30;
  const std::string unsized = zero_bomb(gigabyte, false);
  CHECK(unsized.size() < 200 * 1024);
  REQUIRE(ZSTD_getFrameContentSize(unsized.data(), unsized.size()) == ZSTD_CONTENTSIZE_UNKNOWN);
  check_refused(unsized, loyalty::limits::sync_batch_bytes_max, ErrorCode::limit_exceeded,
                "zstd: the frame inflates to more than 83886080 bytes, the limit: send smaller "
                "batches");
  const Result<loyalty::sync::Batch> batch = loyalty::sync::decode_batch(unsized);
  REQUIRE_FALSE(batch.ok());
  CHECK(batch.error().code == ErrorCode::limit_exceeded);
  CHECK(batch.error().message ==
        "batch: zstd: the frame inflates to more than 83886080 bytes, the limit: send smaller "
        "batches");

  const std::string sized = zero_bomb(gigabyte, true);
  REQUIRE(ZSTD_getFrameContentSize(sized.data(), sized.size()) == gigabyte);
  check_refused(sized, 1024, ErrorCode::limit_exceeded,
                "zstd: the frame inflates to more than 1024 bytes, the limit: send smaller "
                "batches");
}

TEST_CASE("truncated frames, trailing bytes and second frames are refused", "[sync][wire]") {
  std::string text;
  for (int i = 0; i < 2000; ++i) text += std::to_string(i * 7919) + ",";
  const std::string frame = zstd_compress(text);
  const std::string suffix = " (expected exactly one complete zstd frame)";
  check_refused(frame.substr(0, frame.size() - 1), text.size(), ErrorCode::parse_error,
                "zstd: not a whole frame: Src size is incorrect" + suffix);
  check_refused(frame.substr(0, 6), text.size(), ErrorCode::parse_error,
                "zstd: not a whole frame: Src size is incorrect" + suffix);
  check_refused(frame + "x", text.size(), ErrorCode::parse_error,
                "zstd: 1 bytes follow the frame" + suffix);
  check_refused(frame + frame, 2 * text.size(), ErrorCode::parse_error,
                "zstd: " + std::to_string(frame.size()) + " bytes follow the frame" + suffix);
  check_refused("", 10, ErrorCode::parse_error, "zstd: no data" + suffix);
  check_refused("{\"format\":1}", 10, ErrorCode::parse_error,
                "zstd: no zstd frame magic number" + suffix);
  const std::string skippable("\x50\x2a\x4d\x18\x00\x00\x00\x00", 8);
  check_refused(skippable, 10, ErrorCode::parse_error, "zstd: no zstd frame magic number" + suffix);
  std::string corrupt = frame;
  corrupt[corrupt.size() / 2] = static_cast<char>(corrupt[corrupt.size() / 2] ^ 0x5a);
  const Result<std::string> inflated = zstd_decompress(corrupt, text.size());
  if (inflated.ok()) {
    CHECK(*inflated != text);  // zstd has no checksum by default; never the same text
  } else {
    CHECK(inflated.error().code == ErrorCode::parse_error);
  }
}

TEST_CASE("a batch round-trips through its zstd wire form", "[sync][wire]") {
  const loyalty::sync::Batch batch =
      loyalty::sync::test::chain(1, {"{\"a\":1}", "{\"b\":\"\\u00e9\"}"});
  const std::string wire = loyalty::sync::encode_batch(batch);
  CHECK(wire.substr(0, 4) == std::string("\x28\xb5\x2f\xfd", 4));
  const Result<loyalty::sync::Batch> decoded = loyalty::sync::decode_batch(wire);
  REQUIRE(decoded.ok());
  CHECK(*decoded == batch);
  const Result<loyalty::sync::Batch> garbage = loyalty::sync::decode_batch(wire + "!");
  REQUIRE_FALSE(garbage.ok());
  CHECK(garbage.error().code == loyalty::ErrorCode::parse_error);
  CHECK(garbage.error().message ==
        "batch: zstd: 1 bytes follow the frame (expected exactly one complete zstd frame)");
  const std::string oversized(loyalty::limits::sync_batch_compressed_bytes_max + 1, 'z');
  const Result<loyalty::sync::Batch> big = loyalty::sync::decode_batch(oversized);
  REQUIRE_FALSE(big.ok());
  CHECK(big.error().code == loyalty::ErrorCode::limit_exceeded);
  CHECK(big.error().message ==
        "batch: 16777217 compressed bytes, more than the 16777216 allowed: send fewer events per "
        "batch");
}
