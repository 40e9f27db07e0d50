// zstd (libzstd) for batches and downlink answers. Thread-safe, no I/O.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "loyalty/core/result.h"

namespace loyalty::sync {

// zstd frame of `bytes` at `level` (1..19; 3 is zstd's default).
std::string zstd_compress(std::string_view bytes, int level = 3);

// The content of one zstd frame, refused with limit_exceeded when it would exceed
// `decompressed_bytes_max` (checked while inflating, whatever the frame header claims), and with
// parse_error when it is not one well-formed frame (trailing bytes included).
Result<std::string> zstd_decompress(std::string_view frame, std::size_t decompressed_bytes_max);

}  // namespace loyalty::sync
