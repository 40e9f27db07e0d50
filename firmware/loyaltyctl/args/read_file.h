// Reading a whole document file (a rule bundle, a customer state, a receipt) into memory, with a
// size cap so that a wrong path (a device, a huge log) fails fast instead of filling memory.
//
// Thread-safety: safe to call from several threads (no shared state besides errno, which is
// per thread).
#pragma once

#include <cstddef>
#include <string>

#include "loyalty/core/limits.h"
#include "loyalty/core/result.h"

namespace loyalty::cli {

// The whole content of the file at `path`. Errors name the path and the reason:
//   "<path>: cannot open: No such file or directory"   (ErrorCode::io_error, errno text)
//   "<path>: cannot read: Is a directory"              (ErrorCode::io_error)
//   "<path>: larger than the limit of 4194304 bytes"   (ErrorCode::limit_exceeded)
Result<std::string> read_file(const std::string& path,
                              std::size_t max_bytes = limits::json_bytes_max);

}  // namespace loyalty::cli
