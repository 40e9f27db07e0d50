// A recording of camera frames loaded into memory (camera/frames/recorded_frames.h).
#include "camera/frames/recorded_frames.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <system_error>

#include "camera/frames/frame_bounds.h"
#include "loyalty/core/limits.h"

namespace loyalty::drivers::frames {

namespace {

namespace fs = std::filesystem;

constexpr std::array<std::string_view, 7> kImageExtensions = {".pgm",  ".ppm",  ".png", ".jpg",
                                                              ".jpeg", ".webp", ".bmp"};

std::string image_extensions_text() {
  std::string text;
  for (const std::string_view extension : kImageExtensions) {
    if (!text.empty()) text += ", ";
    text += extension;
  }
  return text;
}

bool is_image_name(const fs::path& path) {
  std::string extension = path.extension().string();
  for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return std::find(kImageExtensions.begin(), kImageExtensions.end(), extension) !=
         kImageExtensions.end();
}

// The image files of `directory`, sorted by name.
Result<std::vector<std::string>> image_files(const std::string& directory) {
  std::error_code error;
  fs::directory_iterator entry(directory, error);
  if (error) {
    return make_error(ErrorCode::io_error,
                      directory + ": cannot read the directory: " + error.message());
  }
  std::vector<std::string> names;
  std::size_t entries = 0;
  for (; entry != fs::directory_iterator(); entry.increment(error)) {
    if (error) {
      return make_error(ErrorCode::io_error,
                        directory + ": cannot read the directory: " + error.message());
    }
    if (++entries > limits::camera_recorded_directory_entries_max) {
      return make_error(ErrorCode::limit_exceeded,
                        directory + ": more than " +
                            std::to_string(limits::camera_recorded_directory_entries_max) +
                            " entries; a recording's directory holds its frames only");
    }
    std::error_code type_error;
    if (!entry->is_regular_file(type_error) || !is_image_name(entry->path())) continue;
    if (names.size() == limits::camera_recorded_frames_max) {
      return make_error(ErrorCode::limit_exceeded,
                        directory + ": more than " +
                            std::to_string(limits::camera_recorded_frames_max) +
                            " image files; the limit of one recording");
    }
    names.push_back(entry->path().filename().string());
  }
  if (error) {
    return make_error(ErrorCode::io_error,
                      directory + ": cannot read the directory: " + error.message());
  }
  std::sort(names.begin(), names.end());
  return names;
}

Error too_many_bytes(const std::string& what) {
  return make_error(ErrorCode::limit_exceeded,
                    what + ": the frames hold more than " +
                        std::to_string(limits::camera_recorded_bytes_max) +
                        " bytes of pixels, the limit of one recording");
}

}  // namespace

Result<std::vector<GreyImage>> load_frame_directory(const std::string& directory) {
  const std::vector<std::string> names = TRY(image_files(directory));
  if (names.empty()) {
    return make_error(ErrorCode::not_found, directory + ": no image files (" +
                                                image_extensions_text() + ") in the directory");
  }
  std::vector<GreyImage> frames;
  frames.reserve(names.size());
  std::size_t bytes = 0;
  for (const std::string& name : names) {
    GreyImage image = TRY(load_image_file((fs::path(directory) / name).string()));
    bytes += image.pixels.size();
    if (bytes > limits::camera_recorded_bytes_max) return too_many_bytes(directory);
    frames.push_back(std::move(image));
  }
  return frames;
}

Result<std::vector<GreyImage>> load_raw_frames(const std::string& path, int width, int height) {
  TRY(check_frame_size(width, height, "raw frame"));
  const std::string size = std::to_string(width) + "x" + std::to_string(height);
  std::error_code error;
  const std::uintmax_t file_bytes = fs::file_size(path, error);
  if (error) return make_error(ErrorCode::io_error, path + ": cannot open: " + error.message());
  if (file_bytes > limits::camera_recorded_bytes_max) return too_many_bytes(path);
  const std::size_t frame_bytes =
      static_cast<std::size_t>(width) * static_cast<std::size_t>(height);
  if (file_bytes == 0) {
    return make_error(ErrorCode::parse_error,
                      path + ": empty; a raw recording holds at least one " + size + " frame");
  }
  if (file_bytes % frame_bytes != 0) {
    return make_error(ErrorCode::parse_error, path + ": " + std::to_string(file_bytes) +
                                                  " bytes is not a whole number of " + size +
                                                  " frames (" + std::to_string(frame_bytes) +
                                                  " bytes each)");
  }
  const std::size_t count = file_bytes / frame_bytes;
  if (count > limits::camera_recorded_frames_max) {
    return make_error(ErrorCode::limit_exceeded,
                      path + ": " + std::to_string(count) +
                          " frames; the limit of one recording is " +
                          std::to_string(limits::camera_recorded_frames_max));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::io_error, path + ": cannot open");
  std::vector<GreyImage> frames(count);
  for (GreyImage& frame : frames) {
    frame.width = width;
    frame.height = height;
    frame.pixels.resize(frame_bytes);
    in.read(reinterpret_cast<char*>(frame.pixels.data()),
            static_cast<std::streamsize>(frame_bytes));
    if (in.gcount() != static_cast<std::streamsize>(frame_bytes)) {
      return make_error(ErrorCode::io_error, path + ": the file shrank while it was read");
    }
  }
  return frames;
}

}  // namespace loyalty::drivers::frames
