// V4l2FrameSource (v4l2_frame_source.h) against an emulated capture device behind the V4l2Io seam
// (fake_v4l2_device.h), on a real io_context waiting on the fake's eventfd: the set-up calls in
// order, format negotiation, buffer counts, frames in place and YUYV's luma to the pixel, every
// buffer queued back, the newest frame only, skipped frames, EAGAIN, ENODEV mid-stream, stop().
#include "loyalty/drivers/camera/v4l2_frame_source.h"

#include <linux/videodev2.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "camera/fake_v4l2_device.h"
#include "camera/frame_source_support.h"

using namespace loyalty::drivers;
using drivers_test::DriverLogLines;
using drivers_test::FakeCapture;
using drivers_test::FakeV4l2Config;
using drivers_test::FakeV4l2Device;
using drivers_test::FrameLog;
using drivers_test::run_for;
using drivers_test::run_until;
using Bytes = std::vector<std::uint8_t>;
using Calls = std::vector<std::string>;
using loyalty::Status;

namespace {

V4l2Options small_options(int width = 6, int height = 3) {
  V4l2Options options;
  options.width = width;
  options.height = height;
  return options;
}

// The device, the source on it and what the source delivered. The source goes first.
struct Rig {
  explicit Rig(FakeV4l2Config config = {}, V4l2Options options = small_options())
      : device(std::move(config)), source(io, std::move(options), device.io()) {
    log.attach(source);
  }

  void start() {
    const Status started = source.start();
    INFO((started.ok() ? std::string() : started.error().message));
    REQUIRE(started.ok());
  }
  // Captures `frame` and runs the loop until the source took it (delivered or skipped).
  void capture_and_run(const FakeCapture& frame) {
    REQUIRE(device.capture(frame));
    run_until(io, [&] { return device.done_count() == 0; });
    run_for(io, std::chrono::milliseconds(1));  // whatever it queued next
  }

  boost::asio::io_context io;
  FakeV4l2Device device;
  FrameLog log;
  V4l2FrameSource source;
};

// A grey frame laid out as the driver would: pixel (x, y) = 16 y + x, each row padded with 0xAA.
Bytes strided_grey(int width, int height, int stride) {
  Bytes bytes(static_cast<std::size_t>(stride * height), 0xAA);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) bytes[static_cast<std::size_t>(y * stride + x)] = 16 * y + x;
  }
  return bytes;
}

Bytes packed_grey(int width, int height) {
  Bytes bytes;
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) bytes.push_back(static_cast<std::uint8_t>(16 * y + x));
  }
  return bytes;
}

FakeCapture frame_of(Bytes bytes) {
  FakeCapture capture;
  capture.bytes = std::move(bytes);
  return capture;
}

const Calls set_up_calls_640x480 = {"open /dev/video0", "QUERYCAP",    "S_FMT GREY -> GREY 640x480",
                                    "G_PARM",           "S_PARM 1/15", "REQBUFS 4 -> 4",
                                    "QUERYBUF 0",       "mmap 0",      "QUERYBUF 1",
                                    "mmap 1",           "QUERYBUF 2",  "mmap 2",
                                    "QUERYBUF 3",       "mmap 3",      "QBUF 0",
                                    "QBUF 1",           "QBUF 2",      "QBUF 3",
                                    "STREAMON"};

const Calls teardown_calls = {"STREAMOFF", "munmap 0", "munmap 1", "munmap 2", "munmap 3", "close"};

}  // namespace

TEST_CASE("V4L2 start: QUERYCAP, GREY at once, S_PARM, 4 buffers mapped and queued, STREAMON") {
  Rig rig({}, V4l2Options{});
  rig.start();
  CHECK(rig.device.calls() == set_up_calls_640x480);
  CHECK(rig.source.status() == FrameSourceStatus::online);
  CHECK(rig.source.id() == "camera:/dev/video0");
  const V4l2StreamFormat& format = rig.source.format();
  CHECK(format.pixel_format == V4L2_PIX_FMT_GREY);
  CHECK(format.width == 640);
  CHECK(format.height == 480);
  CHECK(format.bytes_per_line == 640);
  CHECK(format.buffers == 4);
  CHECK(format.frames_per_second == 15);
  CHECK(rig.device.mappings() == 4);
  CHECK(rig.device.queued_count() == 4);
  CHECK(rig.device.streaming());
  // A second start() while online changes nothing.
  rig.device.clear_calls();
  CHECK(rig.source.start().ok());
  CHECK(rig.device.calls().empty());
}

TEST_CASE("V4L2 format negotiation asks GREY, then YUYV, then NV12, then YU12") {
  struct Case {
    std::uint32_t offered;
    Calls s_fmt;
  };
  const std::vector<Case> cases = {
      {V4L2_PIX_FMT_GREY, {"S_FMT GREY -> GREY 6x3"}},
      {V4L2_PIX_FMT_YUYV, {"S_FMT GREY -> YUYV 6x3", "S_FMT YUYV -> YUYV 6x3"}},
      {V4L2_PIX_FMT_NV12,
       {"S_FMT GREY -> NV12 6x3", "S_FMT YUYV -> NV12 6x3", "S_FMT NV12 -> NV12 6x3"}},
      {V4L2_PIX_FMT_YUV420,
       {"S_FMT GREY -> YU12 6x3", "S_FMT YUYV -> YU12 6x3", "S_FMT NV12 -> YU12 6x3",
        "S_FMT YU12 -> YU12 6x3"}},
  };
  for (const Case& c : cases) {
    FakeV4l2Config config;
    config.formats = {c.offered};
    Rig rig(config);
    rig.start();
    Calls s_fmt;
    for (const std::string& call : rig.device.calls()) {
      if (call.starts_with("S_FMT")) s_fmt.push_back(call);
    }
    CHECK(s_fmt == c.s_fmt);
    CHECK(rig.source.format().pixel_format == c.offered);
  }
  // A camera with YUYV and GREY: GREY is asked first and kept.
  FakeV4l2Config both;
  both.formats = {V4L2_PIX_FMT_YUYV, V4L2_PIX_FMT_GREY};
  Rig rig(both);
  rig.start();
  CHECK(rig.source.format().pixel_format == V4L2_PIX_FMT_GREY);
}

TEST_CASE("V4L2 a camera offering only MJPEG is refused with what it answered") {
  FakeV4l2Config config;
  config.formats = {V4L2_PIX_FMT_MJPEG};
  SECTION("a driver answering with its own format") {
    Rig rig(config);
    const Status started = rig.source.start();
    REQUIRE_FALSE(started.ok());
    CHECK(started.error().message ==
          "camera:/dev/video0: Fake Camera offers none of GREY, YUYV, NV12, YU12 at 6x3 "
          "(VIDIOC_S_FMT answered MJPG); use a camera with an uncompressed format");
    CHECK(rig.source.status() == FrameSourceStatus::offline);
    CHECK_FALSE(rig.device.is_open());
    CHECK(rig.device.calls().back() == "close");
    CHECK(rig.device.buffer_count() == 0);
  }
  SECTION("a driver refusing every other format") {
    config.refuse_other_formats = true;
    Rig rig(config);
    const Status started = rig.source.start();
    REQUIRE_FALSE(started.ok());
    CHECK(started.error().message ==
          "camera:/dev/video0: Fake Camera offers none of GREY, YUYV, NV12, YU12 at 6x3 "
          "(VIDIOC_S_FMT refused each: Invalid argument); use a camera with an uncompressed "
          "format");
    CHECK(rig.device.calls() == Calls{"open /dev/video0", "QUERYCAP", "S_FMT GREY refused",
                                      "S_FMT YUYV refused", "S_FMT NV12 refused",
                                      "S_FMT YU12 refused", "close"});
  }
}

TEST_CASE("V4L2 QUERYCAP: a node that cannot capture or stream is refused by name") {
  FakeV4l2Config config;
  std::string expected;
  SECTION("a UVC metadata node") {
    config.device_caps = V4L2_CAP_META_CAPTURE | V4L2_CAP_STREAMING;
    expected =
        "camera:/dev/video0: /dev/video0 (Fake Camera) is a metadata node, not video capture (no "
        "V4L2_CAP_VIDEO_CAPTURE); a USB camera's video is on its other node, usually the one "
        "numbered one lower";
  }
  SECTION("a multi-planar capture node") {
    config.device_caps = V4L2_CAP_VIDEO_CAPTURE_MPLANE | V4L2_CAP_STREAMING;
    expected =
        "camera:/dev/video0: /dev/video0 (Fake Camera) captures only through the multi-planar API "
        "(V4L2_CAP_VIDEO_CAPTURE_MPLANE), which this source does not use";
  }
  SECTION("an output node") {
    config.device_caps = V4L2_CAP_VIDEO_OUTPUT | V4L2_CAP_STREAMING;
    expected =
        "camera:/dev/video0: /dev/video0 (Fake Camera) does not capture video (no "
        "V4L2_CAP_VIDEO_CAPTURE)";
  }
  SECTION("capture without streaming I/O") {
    config.device_caps = V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_READWRITE;
    expected =
        "camera:/dev/video0: /dev/video0 (Fake Camera) has no streaming I/O (no "
        "V4L2_CAP_STREAMING); only cameras that stream through memory-mapped buffers are "
        "supported";
  }
  SECTION("not a V4L2 node at all") {
    config.is_v4l2 = false;
    expected =
        "camera:/dev/video0: /dev/video0 is not a V4L2 device (VIDIOC_QUERYCAP: Inappropriate "
        "ioctl for device)";
  }
  Rig rig(config);
  const Status started = rig.source.start();
  REQUIRE_FALSE(started.ok());
  CHECK(started.error().message == expected);
  CHECK(started.error().code == loyalty::ErrorCode::invalid_argument);
  CHECK(rig.source.status() == FrameSourceStatus::offline);
  CHECK(rig.device.calls() == Calls{"open /dev/video0", "QUERYCAP", "close"});
}

TEST_CASE("V4L2 open: a missing node makes the status gone, a refused one offline") {
  FakeV4l2Config config;
  SECTION("no such node") {
    config.open_error = ENOENT;
    Rig rig(config);
    const Status started = rig.source.start();
    REQUIRE_FALSE(started.ok());
    CHECK(started.error().message ==
          "camera:/dev/video0: cannot open /dev/video0: No such file or directory; the camera is "
          "not plugged in (or is on another node)");
    CHECK(rig.source.status() == FrameSourceStatus::gone);
  }
  SECTION("no permission") {
    config.open_error = EACCES;
    Rig rig(config);
    const Status started = rig.source.start();
    REQUIRE_FALSE(started.ok());
    CHECK(started.error().message ==
          "camera:/dev/video0: cannot open /dev/video0: Permission denied; the udev rule must "
          "give this user access to the node (group video)");
    CHECK(rig.source.status() == FrameSourceStatus::offline);
  }
  SECTION("the camera vanishes during set-up") {
    Rig rig(config);
    rig.device.fail_next(VIDIOC_REQBUFS, ENODEV);
    const Status started = rig.source.start();
    REQUIRE_FALSE(started.ok());
    CHECK(started.error().message ==
          "camera:/dev/video0: the camera is gone (VIDIOC_REQBUFS: No such device); plug it in "
          "again and restart the stream");
    CHECK(rig.source.status() == FrameSourceStatus::gone);
    CHECK_FALSE(rig.device.is_open());
  }
}

TEST_CASE("V4L2 REQBUFS: the driver may grant fewer buffers, not none and not over the limit") {
  FakeV4l2Config config;
  SECTION("fewer: two of four, both mapped and queued") {
    config.buffers_granted = 2;
    Rig rig(config);
    rig.start();
    CHECK(rig.source.format().buffers == 2);
    CHECK(rig.device.mappings() == 2);
    CHECK(rig.device.queued_count() == 2);
  }
  SECTION("the count asked is the option") {
    V4l2Options options = small_options();
    options.buffers = 3;
    Rig rig(config, options);
    rig.start();
    const Calls& calls = rig.device.calls();
    CHECK(std::find(calls.begin(), calls.end(), "REQBUFS 3 -> 3") != calls.end());
    CHECK(rig.device.mappings() == 3);
  }
  SECTION("none") {
    config.buffers_granted = 0;
    Rig rig(config);
    const Status started = rig.source.start();
    REQUIRE_FALSE(started.ok());
    CHECK(started.error().message ==
          "camera:/dev/video0: the driver granted no capture buffers (VIDIOC_REQBUFS asked for 4)");
    CHECK(rig.source.status() == FrameSourceStatus::offline);
    CHECK_FALSE(rig.device.is_open());
  }
  SECTION("more than the limit") {
    config.buffers_granted = 9;
    Rig rig(config);
    const Status started = rig.source.start();
    REQUIRE_FALSE(started.ok());
    CHECK(started.error().message ==
          "camera:/dev/video0: the driver wants 9 capture buffers; at most 8 are mapped");
    CHECK(rig.device.mappings() == 0);
    CHECK_FALSE(rig.device.is_open());
  }
  SECTION("a buffer that cannot be queried unmaps the ones mapped before") {
    Rig rig(config);
    rig.device.fail_next(VIDIOC_QUERYBUF, ENOMEM, 2);
    const Status started = rig.source.start();
    REQUIRE_FALSE(started.ok());
    CHECK(started.error().message ==
          "camera:/dev/video0: VIDIOC_QUERYBUF of buffer 2 failed: Cannot allocate memory");
    const Calls& calls = rig.device.calls();
    CHECK(Calls(calls.end() - 4, calls.end()) ==
          Calls{"QUERYBUF fails: Cannot allocate memory", "munmap 0", "munmap 1", "close"});
    CHECK(rig.device.mappings() == 0);
  }
}

TEST_CASE("V4L2 GREY frames are delivered in place with the driver's stride, then queued back") {
  FakeV4l2Config config;
  config.row_padding = 2;  // 6 pixels, 8 bytes a row
  Rig rig(config);
  rig.start();
  REQUIRE(rig.source.format().bytes_per_line == 8);
  std::size_t queued_in_handler = 99;
  GreyFrame seen;
  rig.source.on_frame([&](const CameraFrame& frame) {
    queued_in_handler = rig.device.queued_count();
    seen = frame.grey;
    rig.log.frames.push_back(copy_frame(frame));
  });
  FakeCapture capture = frame_of(strided_grey(6, 3, 8));
  capture.timestamp_us = 5'000'123;
  rig.capture_and_run(capture);
  REQUIRE(rig.log.frames.size() == 1);
  CHECK(seen.width == 6);
  CHECK(seen.height == 3);
  CHECK(seen.row_stride == 8);
  CHECK(seen.pixels.size() == 8 * 2 + 6);  // the last row's padding is not the frame's
  const auto& frame = rig.log.frames[0];
  CHECK(frame.pixels == packed_grey(6, 3));
  CHECK(frame.sequence == 0);
  CHECK(frame.at.time_since_epoch() == std::chrono::microseconds(5'000'123));
  CHECK(queued_in_handler == 3);  // the delivered buffer is the application's while it runs
  CHECK(rig.device.queued_count() == 4);
  CHECK(rig.source.counters().delivered == 1);
}

TEST_CASE("V4L2 YUYV luma is extracted into a packed frame with exact values") {
  FakeV4l2Config config;
  config.formats = {V4L2_PIX_FMT_YUYV};
  config.row_padding = 4;  // 4 pixels: 8 bytes of Y0 U Y1 V, then 4 of padding
  Rig rig(config, small_options(4, 2));
  rig.start();
  REQUIRE(rig.source.format().bytes_per_line == 12);
  const Bytes yuyv = {
      0x10, 0x80, 0x11, 0x81, 0x12, 0x82, 0x13, 0x83, 0xAA, 0xAA, 0xAA, 0xAA,  // row 0
      0x20, 0x90, 0x21, 0x91, 0x22, 0x92, 0x23, 0x93, 0xBB, 0xBB, 0xBB, 0xBB,  // row 1
  };
  int stride = 0;
  rig.source.on_frame([&](const CameraFrame& frame) {
    stride = frame.grey.row_stride;
    rig.log.frames.push_back(copy_frame(frame));
  });
  rig.capture_and_run(frame_of(yuyv));
  REQUIRE(rig.log.frames.size() == 1);
  CHECK(stride == 4);
  CHECK(rig.log.frames[0].pixels == Bytes{0x10, 0x11, 0x12, 0x13, 0x20, 0x21, 0x22, 0x23});
  // A second frame in another buffer overwrites the scratch copy with its own luma.
  const Bytes second = {
      0x01, 0x00, 0x02, 0x00, 0x03, 0x00, 0x04, 0x00, 0, 0, 0, 0,
      0xF1, 0xFF, 0xF2, 0xFF, 0xF3, 0xFF, 0xF4, 0xFF, 0, 0, 0, 0,
  };
  rig.capture_and_run(frame_of(second));
  REQUIRE(rig.log.frames.size() == 2);
  CHECK(rig.log.frames[1].pixels == Bytes{0x01, 0x02, 0x03, 0x04, 0xF1, 0xF2, 0xF3, 0xF4});
}

TEST_CASE("V4L2 NV12 and YU12 deliver the Y plane only, at the driver's stride") {
  for (const std::uint32_t format : {V4L2_PIX_FMT_NV12, V4L2_PIX_FMT_YUV420}) {
    FakeV4l2Config config;
    config.formats = {format};
    config.row_padding = 2;
    Rig rig(config, small_options(4, 2));
    rig.start();
    REQUIRE(rig.device.image_bytes() == 6 * 2 + 6);  // Y plane, then 6 bytes of chroma
    Bytes bytes = strided_grey(4, 2, 6);
    for (std::uint8_t chroma = 0x55; chroma <= 0x5A; ++chroma) bytes.push_back(chroma);
    std::size_t span_bytes = 0;
    rig.source.on_frame([&](const CameraFrame& frame) {
      span_bytes = frame.grey.pixels.size();
      CHECK(frame.grey.row_stride == 6);
      rig.log.frames.push_back(copy_frame(frame));
    });
    rig.capture_and_run(frame_of(bytes));
    REQUIRE(rig.log.frames.size() == 1);
    CHECK(span_bytes == 6 + 4);
    CHECK(rig.log.frames[0].pixels == packed_grey(4, 2));
  }
}

TEST_CASE("V4L2 every buffer is queued back after its frame, round after round") {
  Rig rig;
  rig.start();
  rig.device.clear_calls();
  for (int i = 0; i < 10; ++i) {
    rig.capture_and_run(frame_of(strided_grey(6, 3, 6)));
    CHECK(rig.device.queued_count() == 4);
  }
  REQUIRE(rig.log.frames.size() == 10);
  Calls expected;
  for (int i = 0; i < 10; ++i) {
    const std::string index = std::to_string(i % 4);
    expected.push_back("DQBUF " + index);
    expected.push_back("DQBUF EAGAIN");
    expected.push_back("QBUF " + index);
  }
  CHECK(rig.device.calls() == expected);
  for (std::size_t i = 0; i < 10; ++i) {
    CHECK(rig.log.frames[i].sequence == i);
    CHECK(rig.log.frames[i].pixels == packed_grey(6, 3));
  }
  CHECK(rig.source.counters().delivered == 10);
  CHECK(rig.source.counters().dropped_stale == 0);
}

TEST_CASE("V4L2 of frames ready at once only the newest is delivered, the others queued back") {
  Rig rig;
  rig.start();
  rig.device.clear_calls();
  for (std::uint8_t value : {0x01, 0x02, 0x03}) {
    REQUIRE(rig.device.capture(frame_of(Bytes(18, value))));
  }
  run_until(rig.io, [&] { return rig.log.frames.size() == 1; });
  run_for(rig.io, std::chrono::milliseconds(5));
  REQUIRE(rig.log.frames.size() == 1);
  CHECK(rig.log.frames[0].pixels == Bytes(18, 0x03));
  CHECK(rig.log.frames[0].sequence == 2);
  CHECK(rig.source.counters().dropped_stale == 2);
  CHECK(rig.device.calls() ==
        Calls{"DQBUF 0", "DQBUF 1", "QBUF 0", "DQBUF 2", "QBUF 1", "DQBUF EAGAIN", "QBUF 2"});
  CHECK(rig.device.queued_count() == 4);

  // A slow handler: five frames while it is away, four buffers. The driver drops the fifth, the
  // newest of the four kept is delivered; the sequence number shows the gap.
  for (std::uint8_t value = 0x10; value < 0x15; ++value)
    rig.device.capture(frame_of(Bytes(18, value)));
  CHECK(rig.device.frames_dropped() == 1);
  run_until(rig.io, [&] { return rig.log.frames.size() == 2; });
  CHECK(rig.log.frames[1].pixels == Bytes(18, 0x13));
  CHECK(rig.log.frames[1].sequence == 6);
  CHECK(rig.source.counters().dropped_stale == 5);
}

TEST_CASE("V4L2 an error-flagged buffer is skipped, counted and queued back") {
  Rig rig;
  rig.start();
  FakeCapture bad = frame_of(Bytes(18, 0x40));
  bad.error_flag = true;
  rig.capture_and_run(bad);
  CHECK(rig.log.frames.empty());
  CHECK(rig.source.counters().error_flagged == 1);
  CHECK(rig.device.queued_count() == 4);
  rig.capture_and_run(frame_of(Bytes(18, 0x41)));
  REQUIRE(rig.log.frames.size() == 1);
  CHECK(rig.log.frames[0].pixels == Bytes(18, 0x41));
  CHECK(rig.log.frames[0].sequence == 1);
  CHECK(rig.log.errors.empty());
  CHECK(rig.source.status() == FrameSourceStatus::online);
}

TEST_CASE("V4L2 a short frame is skipped with a counted warning") {
  DriverLogLines logged;
  FakeV4l2Config config;
  config.formats = {V4L2_PIX_FMT_NV12};
  Rig rig(config);
  rig.start();
  // The luma of a 6x3 frame is 18 bytes; the whole NV12 image 27.
  FakeCapture short_frame = frame_of(Bytes(27, 0x30));
  short_frame.bytes_used = 17;
  rig.capture_and_run(short_frame);
  rig.capture_and_run(short_frame);
  CHECK(rig.log.frames.empty());
  CHECK(rig.source.counters().short_frames == 2);
  CHECK(rig.device.queued_count() == 4);
  CHECK(logged.lines ==
        std::vector<std::string>{
            "warning: camera:/dev/video0: skipped a short frame (17 bytes, 18 needed); 1 so far"});
  // Exactly the luma: delivered (the chroma is not read).
  FakeCapture luma_only = frame_of(Bytes(27, 0x31));
  luma_only.bytes_used = 18;
  rig.capture_and_run(luma_only);
  REQUIRE(rig.log.frames.size() == 1);
  CHECK(rig.log.frames[0].pixels == Bytes(18, 0x31));
}

TEST_CASE("V4L2 a wake-up without a frame (EAGAIN) waits again") {
  Rig rig;
  rig.start();
  rig.device.clear_calls();
  rig.device.wake_without_frame();
  run_until(rig.io, [&] { return !rig.device.calls().empty(); });
  run_for(rig.io, std::chrono::milliseconds(5));
  CHECK(rig.device.calls() == Calls{"DQBUF EAGAIN"});
  CHECK(rig.log.frames.empty());
  CHECK(rig.log.errors.empty());
  CHECK(rig.source.status() == FrameSourceStatus::online);
  rig.capture_and_run(frame_of(Bytes(18, 0x07)));
  REQUIRE(rig.log.frames.size() == 1);
  CHECK(rig.log.frames[0].pixels == Bytes(18, 0x07));
}

TEST_CASE("V4L2 wake-ups without a frame, 64 in a row, stop the stream") {
  Rig rig;
  rig.start();
  const auto empty_wake = [&] {
    rig.device.clear_calls();
    rig.device.wake_without_frame();
    run_until(rig.io, [&] { return !rig.device.calls().empty(); });
  };
  for (int i = 0; i < 10; ++i) empty_wake();
  rig.capture_and_run(frame_of(Bytes(18, 1)));  // a frame starts the count again
  for (std::size_t i = 1; i < loyalty::limits::camera_empty_wakes_in_a_row_max; ++i) empty_wake();
  REQUIRE(rig.log.errors.empty());
  CHECK(rig.source.status() == FrameSourceStatus::online);
  empty_wake();
  REQUIRE(rig.log.errors.size() == 1);
  CHECK(rig.log.errors[0].result() == UposResult::failure);
  CHECK(rig.log.errors[0].message() ==
        "camera:/dev/video0: the camera signalled 64 times in a row without a frame; the stream "
        "stopped");
  CHECK(rig.source.status() == FrameSourceStatus::offline);
  CHECK(rig.log.statuses == std::vector<FrameSourceStatus>{FrameSourceStatus::offline});
  CHECK(rig.log.frames.size() == 1);
  CHECK(rig.device.calls() == Calls{"DQBUF EAGAIN", "STREAMOFF", "munmap 0", "munmap 1", "munmap 2",
                                    "munmap 3", "close"});
}

TEST_CASE("V4L2 an unplugged camera mid-stream: no_hardware, status gone, every buffer unmapped") {
  Rig rig;
  rig.start();
  rig.capture_and_run(frame_of(Bytes(18, 0x01)));
  rig.device.clear_calls();
  rig.device.unplug();
  run_until(rig.io, [&] { return !rig.log.errors.empty(); });
  const ErrorEvent& error = rig.log.errors[0];
  CHECK(error.result() == UposResult::no_hardware);
  CHECK(error.device_id() == "camera:/dev/video0");
  CHECK(error.kind() == DeviceKind::scanner);
  CHECK(error.locus() == ErrorLocus::input);
  CHECK(error.message() ==
        "camera:/dev/video0: the camera is gone (VIDIOC_DQBUF: No such device); plug it in again "
        "and restart the stream");
  CHECK(rig.source.status() == FrameSourceStatus::gone);
  CHECK(rig.log.statuses == std::vector<FrameSourceStatus>{FrameSourceStatus::gone});
  CHECK(rig.device.calls() == Calls{"DQBUF ENODEV", "STREAMOFF ENODEV", "munmap 0", "munmap 1",
                                    "munmap 2", "munmap 3", "close"});
  CHECK(rig.device.mappings() == 0);
  CHECK(rig.log.frames.size() == 1);
  // stop() keeps it gone; start() finds no camera and says so.
  rig.source.stop();
  CHECK(rig.source.status() == FrameSourceStatus::gone);
  const Status restarted = rig.source.start();
  REQUIRE_FALSE(restarted.ok());
  CHECK(restarted.error().message ==
        "camera:/dev/video0: cannot open /dev/video0: No such file or directory; the camera is "
        "not plugged in (or is on another node)");
  CHECK(rig.source.status() == FrameSourceStatus::gone);
}

TEST_CASE("V4L2 the camera gone when a buffer is queued back is gone too") {
  Rig rig;
  rig.start();
  rig.source.on_frame([&](const CameraFrame&) { rig.device.unplug(); });
  rig.device.clear_calls();
  REQUIRE(rig.device.capture(frame_of(Bytes(18, 0x01))));
  run_until(rig.io, [&] { return !rig.log.errors.empty(); });
  CHECK(rig.log.errors[0].message() ==
        "camera:/dev/video0: the camera is gone (VIDIOC_QBUF of buffer 0: No such device); plug "
        "it in again and restart the stream");
  CHECK(rig.source.status() == FrameSourceStatus::gone);
  CHECK(rig.device.calls() == Calls{"DQBUF 0", "DQBUF EAGAIN", "QBUF ENODEV", "STREAMOFF ENODEV",
                                    "munmap 0", "munmap 1", "munmap 2", "munmap 3", "close"});
}

TEST_CASE("V4L2 a failed QBUF stops the stream with a failure an error handler may restart") {
  Rig rig;
  rig.start();
  rig.device.fail_next(VIDIOC_QBUF, EIO);
  bool restarted = false;
  rig.source.on_error([&](const ErrorEvent& error) {
    rig.log.errors.push_back(error);
    restarted = rig.source.start().ok();
  });
  rig.capture_and_run(frame_of(Bytes(18, 0x01)));
  REQUIRE(rig.log.errors.size() == 1);
  CHECK(rig.log.errors[0].result() == UposResult::failure);
  CHECK(rig.log.errors[0].message() ==
        "camera:/dev/video0: VIDIOC_QBUF of buffer 0 failed: Input/output error; the stream "
        "stopped");
  CHECK(restarted);
  CHECK(rig.source.status() == FrameSourceStatus::online);
  CHECK(rig.log.statuses.empty());  // the handler started it again: no offline to report
  rig.capture_and_run(frame_of(Bytes(18, 0x02)));
  REQUIRE(rig.log.frames.size() == 2);
  CHECK(rig.log.frames[1].pixels == Bytes(18, 0x02));
  CHECK(rig.log.frames[1].sequence == 0);  // a new stream
}

TEST_CASE("V4L2 stop: STREAMOFF, every buffer unmapped, the node closed, no frame after") {
  Rig rig;
  rig.start();
  REQUIRE(rig.device.capture(frame_of(Bytes(18, 0x01))));  // done, not dequeued yet
  rig.device.clear_calls();
  rig.source.stop();
  CHECK(rig.device.calls() == teardown_calls);
  CHECK(rig.source.status() == FrameSourceStatus::offline);
  CHECK_FALSE(rig.device.is_open());
  CHECK(rig.device.mappings() == 0);
  run_for(rig.io, std::chrono::milliseconds(30));
  CHECK(rig.log.frames.empty());
  CHECK(rig.log.statuses.empty());  // stop() reports nothing: its caller knows
  rig.source.stop();                // a no-op
  CHECK(rig.device.calls() == teardown_calls);

  // Started again: set up afresh, frames from sequence 0.
  rig.device.clear_calls();
  rig.start();
  CHECK(rig.device.calls().front() == "open /dev/video0");
  CHECK(rig.device.calls().back() == "STREAMON");
  rig.capture_and_run(frame_of(Bytes(18, 0x02)));
  REQUIRE(rig.log.frames.size() == 1);
  CHECK(rig.log.frames[0].sequence == 0);
}

TEST_CASE("V4L2 stop from the frame handler: the frame stays valid, nothing is queued back") {
  Rig rig;
  rig.start();
  Bytes after_stop;
  rig.source.on_frame([&](const CameraFrame& frame) {
    rig.source.stop();
    CHECK(rig.source.status() == FrameSourceStatus::offline);
    after_stop = copy_frame(frame).pixels;  // still the frame, not the driver's again
  });
  REQUIRE(rig.device.capture(frame_of(Bytes(18, 0x5A))));
  rig.device.clear_calls();
  run_until(rig.io, [&] { return !rig.device.is_open(); });
  CHECK(after_stop == Bytes(18, 0x5A));
  CHECK(rig.device.calls() == Calls{"DQBUF 0", "DQBUF EAGAIN", "STREAMOFF", "munmap 0", "munmap 1",
                                    "munmap 2", "munmap 3", "close"});
  CHECK_FALSE(rig.device.capture(frame_of(Bytes(18, 0x5B))));
  run_for(rig.io, std::chrono::milliseconds(20));
  CHECK(rig.source.counters().delivered == 1);
}

TEST_CASE("V4L2 destroying a streaming source releases the camera") {
  boost::asio::io_context io;
  FakeV4l2Device device;
  {
    V4l2FrameSource source(io, small_options(), device.io());
    REQUIRE(source.start().ok());
    REQUIRE(device.capture(frame_of(Bytes(18, 0x01))));
    device.clear_calls();
  }
  CHECK(device.calls() == teardown_calls);
  run_for(io, std::chrono::milliseconds(20));  // the cancelled wait touches nothing
  CHECK_FALSE(device.is_open());
}

TEST_CASE("V4L2 frame rate: S_PARM when the driver sets one, none otherwise") {
  SECTION("set") {
    V4l2Options options = small_options();
    options.frames_per_second = 30;
    Rig rig({}, options);
    rig.start();
    const Calls& calls = rig.device.calls();
    CHECK(std::find(calls.begin(), calls.end(), "S_PARM 1/30") != calls.end());
    CHECK(rig.source.format().frames_per_second == 30);
  }
  SECTION("a driver without V4L2_CAP_TIMEPERFRAME") {
    DriverLogLines logged;
    FakeV4l2Config config;
    config.sets_frame_rate = false;
    Rig rig(config);
    rig.start();
    const Calls& calls = rig.device.calls();
    CHECK(calls[3] == "G_PARM");
    CHECK(calls[4] == "REQBUFS 4 -> 4");
    CHECK(rig.source.format().frames_per_second == 0);
    CHECK(logged.lines == std::vector<std::string>{"info: camera:/dev/video0: the driver sets no "
                                                   "frame rate; the camera runs at its own"});
  }
  SECTION("a refused S_PARM is a warning, not a failure") {
    DriverLogLines logged;
    Rig rig;
    rig.device.fail_next(VIDIOC_S_PARM, EINVAL);
    rig.start();
    CHECK(rig.source.format().frames_per_second == 0);
    CHECK(logged.lines ==
          std::vector<std::string>{"warning: camera:/dev/video0: VIDIOC_S_PARM at 15 frames a "
                                   "second failed: Invalid argument; the camera runs at its own "
                                   "rate"});
  }
}

TEST_CASE("V4L2 a driver that settles on another size delivers frames of that size") {
  FakeV4l2Config config;
  config.width = 4;
  config.height = 2;
  Rig rig(config, V4l2Options{});
  rig.start();
  CHECK(rig.source.format().width == 4);
  CHECK(rig.source.format().height == 2);
  rig.capture_and_run(frame_of(packed_grey(4, 2)));
  REQUIRE(rig.log.frames.size() == 1);
  CHECK(rig.log.frames[0].width == 4);
  CHECK(rig.log.frames[0].height == 2);
  CHECK(rig.log.frames[0].pixels == packed_grey(4, 2));
}

TEST_CASE("V4L2 a frame without a monotonic timestamp is stamped when it is dequeued") {
  Rig rig;
  rig.start();
  const auto before = std::chrono::steady_clock::now();
  rig.capture_and_run(frame_of(Bytes(18, 0x01)));  // timestamp_us 0: no driver timestamp
  const auto after = std::chrono::steady_clock::now();
  REQUIRE(rig.log.frames.size() == 1);
  CHECK(rig.log.frames[0].at >= before);
  CHECK(rig.log.frames[0].at <= after);
}

TEST_CASE("V4L2 options are checked with the bound in the message") {
  const auto message = [](V4l2Options options) {
    const Status status = validate_v4l2_options(options);
    return status.ok() ? std::string("ok") : status.error().message;
  };
  CHECK(message(V4l2Options{}) == "ok");
  V4l2Options options;
  options.node = "";
  CHECK(message(options) == "camera node must be set (e.g. /dev/video0)");
  options = {};
  options.width = 0;
  CHECK(message(options) == "camera size 0x480 is outside 1 to 16384 a side");
  options = {};
  options.width = 8192;
  options.height = 4096;
  CHECK(message(options) == "camera size 8192x4096 is 33554432 pixels; the limit is 16777216");
  options = {};
  options.frames_per_second = 121;
  CHECK(message(options) == "camera frames_per_second must be 1 to 120, not 121");
  options = {};
  options.buffers = 1;
  CHECK(message(options) == "camera buffers must be 2 to 8, not 1");
  options.buffers = 9;
  CHECK(message(options) == "camera buffers must be 2 to 8, not 9");
  options.buffers = 8;
  CHECK(message(options) == "ok");
}

TEST_CASE("V4L2 fourcc_text names pixel formats") {
  CHECK(fourcc_text(V4L2_PIX_FMT_GREY) == "GREY");
  CHECK(fourcc_text(V4L2_PIX_FMT_YUYV) == "YUYV");
  CHECK(fourcc_text(V4L2_PIX_FMT_YUV420) == "YU12");
  CHECK(fourcc_text(V4L2_PIX_FMT_MJPEG) == "MJPG");
  CHECK(fourcc_text(0x00414141) == "AAA?");
}
