// Where loyaltyd looks for loyalty-decoder when readers.decoder is not set
// (firmware/loyaltyd/readers/decoder_path.h): beside the program, then the installed helper
// relative to it (/usr/bin/loyaltyd -> /usr/libexec/loyalty/loyalty-decoder), then the build
// tree's. Each case lays the files out in a temporary directory, as an install would.
#include "readers/decoder_path.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "daemon/daemon_fixture.h"

namespace loyalty::daemon::test {
namespace {

constexpr const char* from_bindir = "../libexec/loyalty/loyalty-decoder";

void touch(const std::filesystem::path& path) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << "#!/bin/sh\n";
}

TEST_CASE("decoder path: the compiled-in helper path is GNUInstallDirs' libexec/loyalty") {
  // firmware/CMakeLists.txt computes it from CMAKE_INSTALL_BINDIR and CMAKE_INSTALL_LIBEXECDIR;
  // the loyalty-terminal package installs the helper there (tests/packaging checks the file).
  CHECK(std::string(LOYALTY_DECODER_FROM_BINDIR) == from_bindir);
}

TEST_CASE("decoder path: an installed loyaltyd finds the helper in libexec") {
  TempDir root;
  touch(root.path() / "usr/bin/loyaltyd");
  touch(root.path() / "usr/libexec/loyalty/loyalty-decoder");
  CHECK(decoder_path_for(root.file("usr/bin/loyaltyd"), from_bindir, "/nonexistent/build") ==
        root.file("usr/libexec/loyalty/loyalty-decoder"));
}

TEST_CASE("decoder path: a decoder beside the program wins over the libexec one") {
  TempDir root;
  touch(root.path() / "usr/bin/loyaltyd");
  touch(root.path() / "usr/bin/loyalty-decoder");
  touch(root.path() / "usr/libexec/loyalty/loyalty-decoder");
  CHECK(decoder_path_for(root.file("usr/bin/loyaltyd"), from_bindir, "/nonexistent/build") ==
        root.file("usr/bin/loyalty-decoder"));
}

TEST_CASE("decoder path: a directory named like the helper is not taken for it") {
  TempDir root;
  touch(root.path() / "usr/bin/loyaltyd");
  std::filesystem::create_directories(root.path() / "usr/libexec/loyalty/loyalty-decoder");
  CHECK(decoder_path_for(root.file("usr/bin/loyaltyd"), from_bindir, "/build/firmware") ==
        "/build/firmware/loyalty-decoder");
}

TEST_CASE("decoder path: without either copy the build tree's is named") {
  TempDir root;
  touch(root.path() / "opt/tills/loyaltyd");
  CHECK(decoder_path_for(root.file("opt/tills/loyaltyd"), from_bindir, "/build/firmware") ==
        "/build/firmware/loyalty-decoder");
  CHECK(decoder_path_for("", from_bindir, "/build/firmware") == "/build/firmware/loyalty-decoder");
}

TEST_CASE("decoder path: this test program finds the build tree's decoder") {
  // The test runs from tests/, where no decoder lies beside it: the build tree's is chosen, and
  // it is there because firmware_tests depends on loyalty-decoder (tests/CMakeLists.txt).
  const std::string path = default_decoder_path();
  CHECK(path == std::string(LOYALTY_BUILD_BIN_DIR) + "/loyalty-decoder");
  CHECK(std::filesystem::is_regular_file(path));
}

}  // namespace
}  // namespace loyalty::daemon::test
