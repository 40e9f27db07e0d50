// What every FrameSource shares (frame_source.h): copying a borrowed frame, the status names.
#include "loyalty/drivers/camera/frame_source.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

using namespace loyalty::drivers;
using Bytes = std::vector<std::uint8_t>;

TEST_CASE("copy_frame packs a strided frame and keeps its time and sequence") {
  // 3x2 pixels in rows of 5 bytes; the padding (0xEE) and the bytes past the frame are not its.
  const Bytes buffer = {1, 2, 3, 0xEE, 0xEE, 4, 5, 6, 0xEE, 0xEE, 0xEE};
  const auto at = std::chrono::steady_clock::time_point(std::chrono::milliseconds(1234));
  const CameraFrame frame{GreyFrame{buffer, 3, 2, 5}, at, 42};
  const OwnedCameraFrame copy = copy_frame(frame);
  CHECK(copy.pixels == Bytes{1, 2, 3, 4, 5, 6});
  CHECK(copy.width == 3);
  CHECK(copy.height == 2);
  CHECK(copy.at == at);
  CHECK(copy.sequence == 42);
  const CameraFrame view = copy.view();
  CHECK(view.grey.row_stride == 3);
  CHECK(view.grey.pixels.data() == copy.pixels.data());
  CHECK(view.grey.pixels.size() == 6);
  CHECK(view.at == at);
  CHECK(view.sequence == 42);
}

TEST_CASE("frame source statuses have names") {
  CHECK(std::string(frame_source_status_name(FrameSourceStatus::offline)) == "offline");
  CHECK(std::string(frame_source_status_name(FrameSourceStatus::online)) == "online");
  CHECK(std::string(frame_source_status_name(FrameSourceStatus::gone)) == "gone");
}
