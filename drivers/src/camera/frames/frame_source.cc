// What every frame source shares (camera/frame_source.h): the handlers, the status and its
// changes, and copying a borrowed frame.
#include "loyalty/drivers/camera/frame_source.h"

#include <cstring>
#include <utility>

namespace loyalty::drivers {

const char* frame_source_status_name(FrameSourceStatus status) {
  switch (status) {
    case FrameSourceStatus::offline:
      return "offline";
    case FrameSourceStatus::online:
      return "online";
    case FrameSourceStatus::gone:
      return "gone";
  }
  return "unknown";
}

CameraFrame OwnedCameraFrame::view() const {
  LOYALTY_ASSERT(pixels.size() ==
                 static_cast<std::size_t>(width) * static_cast<std::size_t>(height));
  return CameraFrame{GreyFrame{pixels, width, height, width}, at, sequence};
}

OwnedCameraFrame copy_frame(const CameraFrame& frame) {
  const GreyFrame& grey = frame.grey;
  LOYALTY_ASSERT(grey.width > 0 && grey.height > 0 && grey.row_stride >= grey.width);
  const auto width = static_cast<std::size_t>(grey.width);
  const auto stride = static_cast<std::size_t>(grey.row_stride);
  LOYALTY_ASSERT(grey.pixels.size() >= stride * static_cast<std::size_t>(grey.height - 1) + width);
  OwnedCameraFrame copy;
  copy.width = grey.width;
  copy.height = grey.height;
  copy.at = frame.at;
  copy.sequence = frame.sequence;
  copy.pixels.resize(width * static_cast<std::size_t>(grey.height));
  for (int row = 0; row < grey.height; ++row) {
    const auto r = static_cast<std::size_t>(row);
    std::memcpy(copy.pixels.data() + r * width, grey.pixels.data() + r * stride, width);
  }
  return copy;
}

void FrameSource::deliver_frame(const CameraFrame& frame) {
  ++counters_.delivered;
  if (on_frame_) on_frame_(frame);
}

void FrameSource::end_stream(FrameSourceStatus status) {
  status_ = status;
  if (on_status_) on_status_(status);
}

void FrameSource::fail_stream(FrameSourceStatus status, UposResult result, std::string message) {
  status_ = status;
  if (on_error_) {
    ErrorEventFields fields;
    fields.device_id = id_;
    fields.kind = DeviceKind::scanner;
    fields.result = result;
    fields.locus = ErrorLocus::input;
    fields.message = std::move(message);
    on_error_(ErrorEvent(std::move(fields)));
  }
  // The error handler may have started the source again: the status it set then stands.
  if (status_ == status && on_status_) on_status_(status);
}

}  // namespace loyalty::drivers
