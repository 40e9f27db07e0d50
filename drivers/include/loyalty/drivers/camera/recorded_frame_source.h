// Camera frames replayed from files as a FrameSource: the daemon's demo and the camera pipeline's
// tests feed recorded frames through the same interface as a live V4L2 camera.
//
// A recording is either
//   - a directory of image files (.pgm .ppm .png .jpg .jpeg .webp .bmp, any case; other files are
//     ignored), in the byte order of their names (frame_0001.png, frame_0002.png, ...), each
//     loaded to grey by load_image_file() (image_file.h) with its checks; or
//   - one raw file of 8-bit Y planes of a given size, back to back, without headers (what
//     `ffmpeg -pix_fmt gray -f rawvideo` or a V4L2 GREY capture writes).
// It is loaded whole when the source is made, so a missing or bad file is an error then, naming
// the file, and replay never waits for a disk; at most limits::camera_recorded_frames_max frames
// and limits::camera_recorded_bytes_max bytes of pixels.
//
// Frames are delivered at the frame rate on a steady timer: frame n is due at start() + n / fps,
// and that due time is its timestamp (as a camera stamps its capture time). sequence counts from
// 0 at start() and goes on across loops. Playback::once ends after the last frame: the status
// turns offline and the status handler is called. Playback::loop starts from the first frame
// again, for ever. start() after stop() or the end starts again from the first frame.
//
// Pacing::real_time (the default) behaves as a camera: a timer that fires late, because the loop
// or the handler was slow, delivers the frame due now and skips those it is late for (counted in
// dropped_stale; the sequence number shows the gap). Pacing::every_frame delivers every frame in
// order, a late one as soon as the loop allows (its timestamp still its due time): for tests
// that need every frame whatever the machine's load.
//
// Frames are borrowed for the handler's duration, as with any FrameSource. Ownership: the source
// owns its frames; `io_context` must outlive it. Thread-safety: as FrameSource.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "loyalty/core/result.h"
#include "loyalty/drivers/camera/frame_source.h"
#include "loyalty/drivers/camera/image_file.h"

namespace loyalty::drivers {

enum class Playback { once, loop };
enum class Pacing { real_time, every_frame };

struct RecordedFrameOptions {
  int frames_per_second = 15;  // 1..limits::camera_frames_per_second_max
  Playback playback = Playback::once;
  Pacing pacing = Pacing::real_time;
};

// Refuses a frame rate outside its bounds, naming them.
Status validate_recorded_frame_options(const RecordedFrameOptions& options);

class RecordedFrameSource final : public FrameSource {
 public:
  // The image files of `directory`. Errors name what was wrong: the directory that cannot be
  // read, one without image files, a file load_image_file() refuses (its message, which names
  // the file), too many frames or bytes. The id is "camera:recorded:<directory>".
  static Result<std::unique_ptr<RecordedFrameSource>> from_directory(
      boost::asio::io_context& io_context, const std::string& directory,
      RecordedFrameOptions options);

  // The width x height Y planes of the raw file at `path`. Errors: the file cannot be read, is
  // empty, is not a whole number of frames, or is over the limits; a size outside 1 to
  // limits::image_side_pixels_max a side or over limits::image_pixels_max. The id is
  // "camera:recorded:<path>".
  static Result<std::unique_ptr<RecordedFrameSource>> from_raw_file(
      boost::asio::io_context& io_context, const std::string& path, int width, int height,
      RecordedFrameOptions options);

  ~RecordedFrameSource() override;

  Status start() override;
  void stop() override;

  std::size_t frame_count() const { return frames_.size(); }
  const RecordedFrameOptions& options() const { return options_; }

 private:
  RecordedFrameSource(boost::asio::io_context& io_context, std::string id,
                      std::vector<GreyImage> frames, RecordedFrameOptions options);

  // When frame number `n` is due, and the number of the last frame due at `now`.
  std::chrono::steady_clock::time_point due_at(std::uint64_t n) const;
  std::uint64_t last_due_by(std::chrono::steady_clock::time_point now) const;
  void schedule();
  void on_timer();

  boost::asio::steady_timer timer_;
  std::vector<GreyImage> frames_;
  RecordedFrameOptions options_;
  std::chrono::steady_clock::time_point started_at_;
  std::uint64_t next_ = 0;        // the number of the next frame to deliver
  std::uint64_t generation_ = 0;  // moves on at start() and stop(): older timer waits are stale
  bool delivering_ = false;       // inside the frame handler
  std::shared_ptr<const int> alive_ = std::make_shared<const int>(0);  // expires with the source
};

}  // namespace loyalty::drivers
