// RecordedFrameSource (recorded_frame_source.h) on a real io_context and steady timer: frames from
// a directory in name order and from a raw file, exact pixels, timestamps spaced by the frame
// rate, once and loop, real-time pacing skipping what a slow handler was late for, stop(), and
// every bad recording refused with a message naming it.
#include "loyalty/drivers/camera/recorded_frame_source.h"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "camera/barcode_images.h"
#include "camera/frame_source_support.h"

using namespace loyalty::drivers;
using drivers_test::FrameLog;
using drivers_test::run_for;
using drivers_test::run_until;
using drivers_test::TempDir;
using loyalty::Status;
using Bytes = std::vector<std::uint8_t>;
using namespace std::chrono_literals;

namespace {

void write_bytes(const std::string& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

// A binary PGM of `width` x `height` pixels, all `value` but the first, which is `value` + 1.
Bytes pgm(int width, int height, std::uint8_t value) {
  const std::string header =
      "P5\n" + std::to_string(width) + " " + std::to_string(height) + "\n255\n";
  Bytes bytes(header.begin(), header.end());
  bytes.push_back(static_cast<std::uint8_t>(value + 1));
  bytes.insert(bytes.end(), static_cast<std::size_t>(width * height - 1), value);
  return bytes;
}

Bytes pixels_of(int width, int height, std::uint8_t value) {
  Bytes pixels(static_cast<std::size_t>(width * height), value);
  pixels[0] = static_cast<std::uint8_t>(value + 1);
  return pixels;
}

RecordedFrameOptions options_of(int fps, Playback playback, Pacing pacing = Pacing::every_frame) {
  RecordedFrameOptions options;
  options.frames_per_second = fps;
  options.playback = playback;
  options.pacing = pacing;
  return options;
}

// Three 3x2 frames a (0x10), b (0x20), c (0x30) in a directory, written out of order, beside
// files that are not frames.
struct ThreeFrames {
  ThreeFrames() {
    write_bytes(dir.file("frame_03.pgm"), pgm(3, 2, 0x30));
    write_bytes(dir.file("frame_01.pgm"), pgm(3, 2, 0x10));
    write_bytes(dir.file("frame_02.pgm"), pgm(3, 2, 0x20));
    write_bytes(dir.file("notes.txt"), Bytes{'n', 'o'});
    std::filesystem::create_directory(dir.file("frame_00.pgm"));  // a directory: not a frame
  }
  TempDir dir;
};

std::unique_ptr<RecordedFrameSource> from_directory(boost::asio::io_context& io,
                                                    const std::string& directory,
                                                    RecordedFrameOptions options) {
  auto source = RecordedFrameSource::from_directory(io, directory, options);
  INFO((source.ok() ? std::string() : source.error().message));
  REQUIRE(source.ok());
  return std::move(*source);
}

// A recording in `directory` replayed on its own loop, with what it delivered. The source goes
// first.
struct Replay {
  Replay(const std::string& directory, RecordedFrameOptions options)
      : source(from_directory(io, directory, options)) {
    log.attach(*source);
  }

  boost::asio::io_context io;
  FrameLog log;
  std::unique_ptr<RecordedFrameSource> source;
};

std::string refusal_of_directory(const std::string& directory, RecordedFrameOptions options = {}) {
  boost::asio::io_context io;
  auto source = RecordedFrameSource::from_directory(io, directory, options);
  REQUIRE_FALSE(source.ok());
  return source.error().message;
}

std::string refusal_of_raw(const std::string& path, int width, int height) {
  boost::asio::io_context io;
  auto source = RecordedFrameSource::from_raw_file(io, path, width, height, {});
  REQUIRE_FALSE(source.ok());
  return source.error().message;
}

}  // namespace

TEST_CASE("Recorded frames from a directory come in name order, other files left out") {
  ThreeFrames recording;
  // A PNG among the PGMs, named to sort between them (upper case sorts first).
  drivers_test::run_command("convert " +
                            drivers_test::shell_quote(recording.dir.file("frame_02.pgm")) + " " +
                            drivers_test::shell_quote(recording.dir.file("frame_02b.PNG")));
  Replay replay(recording.dir.path(), options_of(100, Playback::once));
  boost::asio::io_context& io = replay.io;
  FrameLog& log = replay.log;
  RecordedFrameSource* source = replay.source.get();
  CHECK(source->frame_count() == 4);
  CHECK(source->id() == "camera:recorded:" + recording.dir.path());
  REQUIRE(source->start().ok());
  CHECK(source->status() == FrameSourceStatus::online);
  run_until(io, [&] { return source->status() == FrameSourceStatus::offline; });
  REQUIRE(log.frames.size() == 4);
  const std::vector<std::uint8_t> values = {0x10, 0x20, 0x20, 0x30};
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(log.frames[i].width == 3);
    CHECK(log.frames[i].height == 2);
    CHECK(log.frames[i].pixels == pixels_of(3, 2, values[i]));
    CHECK(log.frames[i].sequence == i);
  }
}

TEST_CASE("Recorded frames are stamped at start plus n over the frame rate") {
  ThreeFrames recording;
  Replay replay(recording.dir.path(), options_of(50, Playback::once));
  boost::asio::io_context& io = replay.io;
  FrameLog& log = replay.log;
  RecordedFrameSource* source = replay.source.get();
  const auto before = std::chrono::steady_clock::now();
  REQUIRE(source->start().ok());
  const auto after = std::chrono::steady_clock::now();
  CHECK(log.frames.empty());  // never from inside start()
  run_until(io, [&] { return log.frames.size() == 3; });
  CHECK(log.frames[0].at >= before);
  CHECK(log.frames[0].at <= after);
  CHECK(log.frames[1].at - log.frames[0].at == 20ms);
  CHECK(log.frames[2].at - log.frames[0].at == 40ms);
  for (std::size_t i = 0; i < 3; ++i) CHECK(log.delivered_at[i] >= log.frames[i].at);
}

TEST_CASE("Recorded playback once ends after the last frame, and starts over when started") {
  ThreeFrames recording;
  Replay replay(recording.dir.path(), options_of(100, Playback::once));
  boost::asio::io_context& io = replay.io;
  FrameLog& log = replay.log;
  RecordedFrameSource* source = replay.source.get();
  REQUIRE(source->start().ok());
  run_until(io, [&] { return !log.statuses.empty(); });
  CHECK(log.statuses == std::vector<FrameSourceStatus>{FrameSourceStatus::offline});
  CHECK(source->status() == FrameSourceStatus::offline);
  CHECK(log.frames.size() == 3);
  run_for(io, 60ms);  // six periods: nothing more
  CHECK(log.frames.size() == 3);
  CHECK(source->counters().delivered == 3);
  CHECK(log.errors.empty());

  REQUIRE(source->start().ok());
  run_until(io, [&] { return log.frames.size() == 4; });
  CHECK(log.frames[3].sequence == 0);
  CHECK(log.frames[3].pixels == pixels_of(3, 2, 0x10));
}

TEST_CASE("Recorded playback loop starts over with the sequence going on, until stopped") {
  ThreeFrames recording;
  Replay replay(recording.dir.path(), options_of(100, Playback::loop));
  boost::asio::io_context& io = replay.io;
  FrameLog& log = replay.log;
  RecordedFrameSource* source = replay.source.get();
  source->on_frame([&](const CameraFrame& frame) {
    log.frames.push_back(copy_frame(frame));
    if (log.frames.size() == 7) source->stop();  // from the handler: nothing after it
  });
  REQUIRE(source->start().ok());
  run_until(io, [&] { return source->status() == FrameSourceStatus::offline; });
  run_for(io, 50ms);
  REQUIRE(log.frames.size() == 7);
  const std::vector<std::uint8_t> values = {0x10, 0x20, 0x30, 0x10, 0x20, 0x30, 0x10};
  for (std::size_t i = 0; i < 7; ++i) {
    CHECK(log.frames[i].pixels == pixels_of(3, 2, values[i]));
    CHECK(log.frames[i].sequence == i);
  }
  CHECK(log.statuses.empty());  // stopped by its user, not ended by itself
  source->stop();               // a no-op
  CHECK(source->status() == FrameSourceStatus::offline);
}

TEST_CASE("Recorded frames from a raw file of Y planes") {
  TempDir dir;
  Bytes raw;
  for (int frame = 0; frame < 3; ++frame) {
    for (int i = 0; i < 12; ++i) raw.push_back(static_cast<std::uint8_t>(frame * 100 + i));
  }
  const std::string path = dir.file("frames.y");
  write_bytes(path, raw);
  boost::asio::io_context io;
  auto source = RecordedFrameSource::from_raw_file(io, path, 4, 3, options_of(100, Playback::once));
  REQUIRE(source.ok());
  CHECK((*source)->frame_count() == 3);
  CHECK((*source)->id() == "camera:recorded:" + path);
  FrameLog log;
  log.attach(**source);
  REQUIRE((*source)->start().ok());
  run_until(io, [&] { return (*source)->status() == FrameSourceStatus::offline; });
  REQUIRE(log.frames.size() == 3);
  for (std::size_t frame = 0; frame < 3; ++frame) {
    CHECK(log.frames[frame].width == 4);
    CHECK(log.frames[frame].height == 3);
    CHECK(log.frames[frame].pixels == Bytes(raw.begin() + static_cast<long>(frame * 12),
                                            raw.begin() + static_cast<long>(frame * 12 + 12)));
  }
}

TEST_CASE("Recorded raw files that are missing or not whole frames are refused by name") {
  TempDir dir;
  const std::string missing = dir.file("missing.y");
  CHECK(refusal_of_raw(missing, 4, 3) == missing + ": cannot open: No such file or directory");
  const std::string odd = dir.file("odd.y");
  write_bytes(odd, Bytes(19, 0));
  CHECK(refusal_of_raw(odd, 4, 3) ==
        odd + ": 19 bytes is not a whole number of 4x3 frames (12 bytes each)");
  const std::string empty = dir.file("empty.y");
  write_bytes(empty, Bytes{});
  CHECK(refusal_of_raw(empty, 4, 3) ==
        empty + ": empty; a raw recording holds at least one 4x3 frame");
  CHECK(refusal_of_raw(odd, 0, 3) == "raw frame size 0x3 is outside 1 to 16384 a side");
  CHECK(refusal_of_raw(odd, 4, 16385) == "raw frame size 4x16385 is outside 1 to 16384 a side");
}

TEST_CASE("Recorded directories that are missing, empty or hold a bad file are refused by name") {
  TempDir dir;
  const std::string missing = dir.file("missing");
  CHECK(refusal_of_directory(missing) ==
        missing + ": cannot read the directory: No such file or directory");
  const std::string no_frames = dir.file("no_frames");
  std::filesystem::create_directory(no_frames);
  write_bytes(no_frames + "/README", Bytes{'x'});
  CHECK(refusal_of_directory(no_frames) ==
        no_frames +
            ": no image files (.pgm, .ppm, .png, .jpg, .jpeg, .webp, .bmp) in the "
            "directory");
  ThreeFrames recording;
  Bytes cut = pgm(3, 2, 0x20);
  cut.pop_back();
  write_bytes(recording.dir.file("frame_02.pgm"), cut);
  CHECK(refusal_of_directory(recording.dir.path()) ==
        recording.dir.file("frame_02.pgm") +
            ": corrupt PGM/PPM image (fewer pixel bytes than the header says)");
  write_bytes(recording.dir.file("frame_02.pgm"), Bytes{'G', 'I', 'F', '8'});
  CHECK(refusal_of_directory(recording.dir.path()) ==
        recording.dir.file("frame_02.pgm") +
            ": not a PNG, JPEG, WebP, PGM/PPM (P5/P6) or BMP image");
}

TEST_CASE("Recorded frame rates out of bounds are refused") {
  ThreeFrames recording;
  CHECK(refusal_of_directory(recording.dir.path(), options_of(0, Playback::once)) ==
        "recorded frames_per_second must be 1 to 120, not 0");
  CHECK(refusal_of_directory(recording.dir.path(), options_of(121, Playback::loop)) ==
        "recorded frames_per_second must be 1 to 120, not 121");
  CHECK(validate_recorded_frame_options(options_of(120, Playback::once)).ok());
}

TEST_CASE("Recorded real-time pacing skips the frames a slow handler made it late for") {
  TempDir dir;
  Bytes raw;
  for (std::uint8_t frame = 0; frame < 10; ++frame) raw.insert(raw.end(), 4, frame);
  write_bytes(dir.file("ten.y"), raw);
  for (const Pacing pacing : {Pacing::real_time, Pacing::every_frame}) {
    boost::asio::io_context io;
    auto source = RecordedFrameSource::from_raw_file(io, dir.file("ten.y"), 2, 2,
                                                     options_of(50, Playback::once, pacing));
    REQUIRE(source.ok());
    FrameLog log;
    log.attach(**source);
    (*source)->on_frame([&](const CameraFrame& frame) {
      log.frames.push_back(copy_frame(frame));
      if (log.frames.size() == 1) std::this_thread::sleep_for(70ms);  // three and a half periods
    });
    REQUIRE((*source)->start().ok());
    run_until(io, [&] { return (*source)->status() == FrameSourceStatus::offline; });
    REQUIRE(log.frames.size() >= 2);
    for (std::size_t i = 0; i < log.frames.size(); ++i) {
      const std::uint64_t sequence = log.frames[i].sequence;
      CHECK(log.frames[i].pixels == Bytes(4, static_cast<std::uint8_t>(sequence)));
      if (i > 0) CHECK(sequence > log.frames[i - 1].sequence);
    }
    CHECK(log.frames.back().sequence == 9);  // once: the last frame is always shown
    const auto& counters = (*source)->counters();
    CHECK(counters.delivered + counters.dropped_stale == 10);
    if (pacing == Pacing::real_time) {
      // 70 ms late: at least the two frames after the first were skipped.
      CHECK(log.frames[1].sequence >= log.frames[0].sequence + 3);
      CHECK(counters.dropped_stale >= 2);
    } else {
      CHECK(log.frames.size() == 10);
      CHECK(counters.dropped_stale == 0);
    }
  }
}

TEST_CASE("Recorded a source destroyed while its timer waits leaves nothing behind") {
  ThreeFrames recording;
  boost::asio::io_context io;
  std::size_t frames = 0;
  {
    auto source = from_directory(io, recording.dir.path(), options_of(10, Playback::loop));
    source->on_frame([&](const CameraFrame&) { ++frames; });
    REQUIRE(source->start().ok());
  }
  run_for(io, 150ms);
  CHECK(frames == 0);
}
