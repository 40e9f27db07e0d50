// Recorded frames replayed on a steady timer (camera/recorded_frame_source.h).
#include "loyalty/drivers/camera/recorded_frame_source.h"

#include <algorithm>
#include <utility>

#include "camera/frames/frame_bounds.h"
#include "camera/frames/recorded_frames.h"
#include "loyalty/core/limits.h"

namespace loyalty::drivers {

namespace {

constexpr std::int64_t kNanosecondsPerSecond = 1'000'000'000;

std::string recorded_id(const std::string& path) { return camera_device_id("recorded:" + path); }

}  // namespace

Status validate_recorded_frame_options(const RecordedFrameOptions& options) {
  return frames::check_frame_rate(options.frames_per_second, "recorded");
}

Result<std::unique_ptr<RecordedFrameSource>> RecordedFrameSource::from_directory(
    boost::asio::io_context& io_context, const std::string& directory,
    RecordedFrameOptions options) {
  TRY(validate_recorded_frame_options(options));
  std::vector<GreyImage> frames = TRY(frames::load_frame_directory(directory));
  return std::unique_ptr<RecordedFrameSource>(
      new RecordedFrameSource(io_context, recorded_id(directory), std::move(frames), options));
}

Result<std::unique_ptr<RecordedFrameSource>> RecordedFrameSource::from_raw_file(
    boost::asio::io_context& io_context, const std::string& path, int width, int height,
    RecordedFrameOptions options) {
  TRY(validate_recorded_frame_options(options));
  std::vector<GreyImage> frames = TRY(frames::load_raw_frames(path, width, height));
  return std::unique_ptr<RecordedFrameSource>(
      new RecordedFrameSource(io_context, recorded_id(path), std::move(frames), options));
}

RecordedFrameSource::RecordedFrameSource(boost::asio::io_context& io_context, std::string id,
                                         std::vector<GreyImage> frames,
                                         RecordedFrameOptions options)
    : FrameSource(std::move(id)),
      timer_(io_context),
      frames_(std::move(frames)),
      options_(options) {
  LOYALTY_ASSERT(!frames_.empty() && frames_.size() <= limits::camera_recorded_frames_max);
  LOYALTY_ASSERT(validate_recorded_frame_options(options_).ok());
}

RecordedFrameSource::~RecordedFrameSource() {
  LOYALTY_ASSERT(!delivering_);  // no handler may destroy its source
  timer_.cancel();
}

Status RecordedFrameSource::start() {
  LOYALTY_ASSERT(!delivering_);  // the frame handler may stop, not start
  if (status() == FrameSourceStatus::online) return {};
  ++generation_;
  started_at_ = std::chrono::steady_clock::now();
  next_ = 0;
  set_status(FrameSourceStatus::online);
  schedule();
  return {};
}

void RecordedFrameSource::stop() {
  if (status() != FrameSourceStatus::online) return;
  ++generation_;
  timer_.cancel();
  set_status(FrameSourceStatus::offline);
}

std::chrono::steady_clock::time_point RecordedFrameSource::due_at(std::uint64_t n) const {
  // n / fps seconds, split so that a long loop cannot overflow the nanoseconds.
  const auto fps = static_cast<std::uint64_t>(options_.frames_per_second);
  const auto whole = static_cast<std::int64_t>(n / fps);
  const auto part =
      static_cast<std::int64_t>(n % fps) * kNanosecondsPerSecond / static_cast<std::int64_t>(fps);
  return started_at_ + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                           std::chrono::seconds(whole) + std::chrono::nanoseconds(part));
}

std::uint64_t RecordedFrameSource::last_due_by(std::chrono::steady_clock::time_point now) const {
  if (now <= started_at_) return 0;
  const auto elapsed_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(now - started_at_).count();
  const auto fps = static_cast<std::uint64_t>(options_.frames_per_second);
  const auto seconds = static_cast<std::uint64_t>(elapsed_ns / kNanosecondsPerSecond);
  const auto rest_ns = static_cast<std::uint64_t>(elapsed_ns % kNanosecondsPerSecond);
  return seconds * fps + rest_ns * fps / kNanosecondsPerSecond;
}

void RecordedFrameSource::schedule() {
  timer_.expires_at(due_at(next_));
  timer_.async_wait([this, alive = std::weak_ptr<const int>(alive_),
                     generation = generation_](const boost::system::error_code& error) {
    if (alive.expired()) return;                     // the source is gone: `this` too
    if (error || generation != generation_) return;  // cancelled, or stopped since
    on_timer();
  });
}

void RecordedFrameSource::on_timer() {
  const std::uint64_t count = frames_.size();
  std::uint64_t n = next_;
  if (options_.pacing == Pacing::real_time) {
    n = std::max(n, last_due_by(std::chrono::steady_clock::now()));
    if (options_.playback == Playback::once) n = std::min(n, count - 1);
    mutable_counters().dropped_stale += n - next_;
  }
  next_ = n + 1;
  const std::uint64_t generation = generation_;
  delivering_ = true;
  deliver_frame(CameraFrame{grey_frame(frames_[n % count]), due_at(n), n});
  delivering_ = false;
  if (generation != generation_) return;  // the handler stopped the source
  if (options_.playback == Playback::once && next_ >= count) {
    end_stream(FrameSourceStatus::offline);
    return;
  }
  schedule();
}

}  // namespace loyalty::drivers
