// Where loyaltyd finds loyalty-decoder, its sandboxed camera decoder, when readers.decoder is not
// set (docs/configuration.md). In order:
//   1. beside the running program: the build tree (tests, make demo), or an install that put
//      both programs in one directory;
//   2. the installed helper, found relative to the program: <bindir>/<LOYALTY_DECODER_FROM_BINDIR>,
//      which is ../libexec/loyalty/loyalty-decoder for GNUInstallDirs' defaults, so
//      /usr/bin/loyaltyd finds /usr/libexec/loyalty/loyalty-decoder (the loyalty-terminal
//      package, docs/packages.md). Relative rather than an absolute path compiled in, because the
//      install prefix is chosen at `cmake --install --prefix`, after the program was compiled,
//      and a package unpacked into a scratch root must find its own copy;
//   3. else the build tree's (LOYALTY_BUILD_BIN_DIR), which a test program outside firmware/
//      needs. When even that is missing, starting the camera names the path that failed.
#pragma once

#include <string>
#include <string_view>

namespace loyalty::daemon {

// The decoder for the program at `program_path` (an absolute path to the running executable).
// `from_bindir` is the helper's path relative to the program's directory; `build_bin_dir` the
// build tree's firmware directory. Only files that exist are chosen, but for the last fallback.
std::string decoder_path_for(std::string_view program_path, std::string_view from_bindir,
                             std::string_view build_bin_dir);

// decoder_path_for() of this process (/proc/self/exe) with the values compiled in.
std::string default_decoder_path();

}  // namespace loyalty::daemon
