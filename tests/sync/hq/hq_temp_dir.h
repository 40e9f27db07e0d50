// HqTempDir: a fresh directory for one HQ store test, removed with everything in it when the
// HqTempDir is destroyed, so tests share no files and may run in parallel.
#pragma once

#include <stdlib.h>  // mkdtemp

#include <filesystem>
#include <string>
#include <system_error>

#include "loyalty/core/result.h"

namespace loyalty::sync::test {

class HqTempDir {
 public:
  HqTempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "loyalty-hq-XXXXXX");
    LOYALTY_ASSERT(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~HqTempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  HqTempDir(const HqTempDir&) = delete;
  HqTempDir& operator=(const HqTempDir&) = delete;

  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace loyalty::sync::test
