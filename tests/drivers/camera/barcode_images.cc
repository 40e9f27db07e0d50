// zint and ImageMagick, run as programs, for the camera-path tests and bench_camera.
#include "camera/barcode_images.h"

#include <stdio.h>     // popen, pclose
#include <stdlib.h>    // mkdtemp, getenv
#include <sys/wait.h>  // WIFEXITED, WEXITSTATUS

#include <array>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace drivers_test {

namespace {

std::string format_number(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

}  // namespace

TempDir::TempDir() {
  const char* base = getenv("TMPDIR");
  std::string pattern =
      std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/loyalty-barcodes-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp " + pattern + " failed");
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string TempDir::file(const std::string& name) const { return path_ + "/" + name; }

std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

void run_command(const std::string& command) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run: " + command);
  std::string output;
  std::array<char, 512> buffer{};
  std::size_t count = 0;
  while ((count = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    output.append(buffer.data(), count);
  }
  const int status = pclose(pipe);
  // The shell exits 127 when it cannot find the program: say which package is missing (the tests
  // need both; scripts/install-deps.sh installs them), rather than only "command failed".
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
    const std::string program = command.substr(0, command.find(' '));
    const char* package = program == "zint" ? "zint" : "imagemagick";
    throw std::runtime_error(program +
                             " is not installed: the barcode image tests need it (Debian "
                             "package " +
                             package + "; run scripts/install-deps.sh). Command: " + command +
                             "\n" + output);
  }
  if (status != 0) {
    throw std::runtime_error("command failed (status " + std::to_string(status) + "): " + command +
                             "\n" + output);
  }
}

std::string draw_symbol(const TempDir& dir, const std::string& name, const Symbol& symbol) {
  const std::string out = dir.file(name + ".zint.png");
  std::string command = "zint -b " + std::to_string(symbol.zint_type) +
                        (symbol.quiet_zones ? " --quietzones" : "") +
                        " --scale=" + format_number(symbol.scale);
  for (const std::string& extra : symbol.zint_extra) command += " " + shell_quote(extra);
  command += " -d " + shell_quote(symbol.data) + " -o " + shell_quote(out);
  run_command(command);
  return out;
}

std::string camera_frame(const TempDir& dir, const std::string& source,
                         const std::string& file_name, const Distortion& distortion) {
  const std::string out = dir.file(file_name);
  std::string command = "convert " + shell_quote(source) + " -colorspace Gray";
  if (distortion.black_level != 0.0 || distortion.white_level != 1.0) {
    command += " +level " + format_number(100 * distortion.black_level) + "%," +
               format_number(100 * distortion.white_level) + "%";
  }
  const std::string background = shell_quote(distortion.background);
  command += " -background " + background + " -rotate " + std::to_string(distortion.rotate_degrees);
  // Shrink (never enlarge) to leave a margin, then centre on a 640x480 canvas.
  command += " -resize '600x440>' -gravity center -extent 640x480";
  if (distortion.blur_sigma > 0) command += " -blur 0x" + format_number(distortion.blur_sigma);
  if (distortion.noise > 0) {
    command += " -seed " + std::to_string(distortion.seed) + " -attenuate " +
               format_number(distortion.noise) + " +noise Gaussian";
  }
  command += " -colorspace Gray -depth 8 " + shell_quote(out);
  run_command(command);
  return out;
}

std::string barcode_image(const TempDir& dir, const std::string& name, const Symbol& symbol,
                          const Distortion& distortion) {
  const std::string drawn = draw_symbol(dir, name, symbol);
  return camera_frame(dir, drawn, name + ".png", distortion);
}

}  // namespace drivers_test
