// Barcode images for the camera-path tests and bench_camera: zint draws a symbol, ImageMagick's
// convert makes it look like a camera frame (tilted on a white background, shrunk to fit and
// centred in 640x480, blurred, with Gaussian noise, greyscale). Both are run as programs (Debian
// packages zint and imagemagick); a failure throws std::runtime_error with the command and its
// output, and a missing program is named with its package (the test fails; it never skips).
// Deterministic: the same arguments give the same pixels (convert -seed).
//
// No Catch2 in here, so that bench_camera can use it too.
#pragma once

#include <string>
#include <vector>

namespace drivers_test {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name.
  std::string file(const std::string& name) const;

 private:
  std::string path_;
};

// zint symbology numbers (zint -b).
inline constexpr int zint_code128 = 20;
inline constexpr int zint_ean13 = 13;
inline constexpr int zint_ean8 = 10;
inline constexpr int zint_upca = 34;
inline constexpr int zint_upce = 37;
inline constexpr int zint_gs1_128 = 16;
inline constexpr int zint_qrcode = 58;
inline constexpr int zint_datamatrix = 71;
inline constexpr int zint_pdf417 = 55;

struct Symbol {
  int zint_type = zint_code128;
  std::string data;                     // zint -d (GS1 data with [AI] brackets for GS1-128)
  std::vector<std::string> zint_extra;  // e.g. {"--height=80"}, {"--gs1"}
  double scale = 2;                     // zint --scale (pixels per module = 2 x scale)
  bool quiet_zones = true;              // zint --quietzones; false: the bars reach the edges
};

struct Distortion {
  int rotate_degrees = 0;   // clockwise, the background fills the corners
  double blur_sigma = 0.0;  // convert -blur 0xSIGMA; 0: none
  double noise = 0.0;       // convert -attenuate NOISE +noise Gaussian; 0: none
  unsigned seed = 1;        // convert -seed
  // The symbol's black and white levels, as fractions of the range (convert +level): 0 and 1 is
  // full contrast, 0.35 and 0.65 a faded print.
  double black_level = 0.0;
  double white_level = 1.0;
  std::string background = "white";  // around the symbol (convert colour): "gray(60)", a table
};

// Draws `symbol` with zint into <dir>/<name>.zint.png and returns its path.
std::string draw_symbol(const TempDir& dir, const std::string& name, const Symbol& symbol);

// Makes a 640x480 greyscale camera-like frame of `source` with `distortion` and writes it to
// <dir>/<file_name> (the extension picks the format: .png, .jpg, .webp, .pgm, .bmp); returns its
// path.
std::string camera_frame(const TempDir& dir, const std::string& source,
                         const std::string& file_name, const Distortion& distortion);

// draw_symbol() then camera_frame() to <name>.png.
std::string barcode_image(const TempDir& dir, const std::string& name, const Symbol& symbol,
                          const Distortion& distortion = {});

// Runs a shell command; throws std::runtime_error with its output when it exits non-zero.
void run_command(const std::string& command);

// `text` quoted for the shell.
std::string shell_quote(const std::string& text);

}  // namespace drivers_test
