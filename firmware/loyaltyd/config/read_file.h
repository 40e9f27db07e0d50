// Reading the daemon's small files (configuration, rule bundle, key files, the panel's pages):
// in chunks, never more than `bytes_max`, and with no buffer larger than what the file holds (a
// 16 MiB limit for a 300 KB bundle must not cost 16 MiB of memory for the daemon's life).
//
// Thread-safety: a pure function over the file system.
#pragma once

#include <cstddef>
#include <string>

#include "loyalty/core/result.h"

namespace loyalty::daemon {

// The file's bytes. Errors: "<path>: cannot be read: <reason>" (invalid_argument), "<path>:
// larger than N bytes" (limit_exceeded).
Result<std::string> read_bounded_file(const std::string& path, std::size_t bytes_max);

}  // namespace loyalty::daemon
