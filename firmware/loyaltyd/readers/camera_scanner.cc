#include "readers/camera_scanner.h"

#include "loyalty/drivers/camera/image_decoder.h"
#include "loyalty/drivers/camera/recorded_frame_source.h"
#include "loyalty/drivers/camera/v4l2_frame_source.h"
#include "loyalty/drivers/camera/v4l2_io.h"

namespace loyalty::daemon {

Result<std::unique_ptr<CameraScanner>> CameraScanner::create(boost::asio::io_context& io,
                                                              const ReadersConfig::Camera& config,
                                                              const std::string& decoder_path) {
  const std::string where = "readers.cameras (" + config.id + "): ";
  std::unique_ptr<CameraScanner> camera(new CameraScanner());
  if (config.recorded) {
    drivers::RecordedFrameOptions options;
    options.frames_per_second = config.frames_per_second;
    options.playback = config.loop ? drivers::Playback::loop : drivers::Playback::once;
    Result<std::unique_ptr<drivers::RecordedFrameSource>> source =
        drivers::RecordedFrameSource::from_directory(io, *config.recorded, options);
    if (!source.ok()) return make_error(source.error().code, where + source.error().message);
    camera->source_ = std::move(source).value();
  } else {
    drivers::V4l2Options options;
    options.node = *config.device;
    options.width = config.width;
    options.height = config.height;
    options.frames_per_second = config.frames_per_second;
    const Status valid = drivers::validate_v4l2_options(options);
    if (!valid.ok()) return make_error(valid.error().code, where + valid.error().message);
    camera->source_ =
        std::make_unique<drivers::V4l2FrameSource>(io, options, drivers::system_v4l2_io());
  }
  DecoderSandboxOptions sandbox_options;
  sandbox_options.decoder_path = decoder_path;
  sandbox_options.queue_requests_max = 0;  // only when the child is idle: the newest frame wins
  CameraScanner* self = camera.get();
  std::weak_ptr<bool> alive = camera->alive_;
  Result<std::unique_ptr<DecoderSandbox>> sandbox = DecoderSandbox::start(
      io, sandbox_options, [self, alive](const Error& error) {
        if (alive.expired()) return;
        self->set_status(ReaderStatus::offline, error.message);
        if (self->on_error_) {
          drivers::ErrorEventFields fields;
          fields.device_id = self->view_.info.id;
          fields.kind = drivers::DeviceKind::scanner;
          fields.result = drivers::UposResult::failure;
          fields.message = error.message;
          self->on_error_(drivers::ErrorEvent(std::move(fields)));
        }
      });
  if (!sandbox.ok()) return make_error(sandbox.error().code, where + sandbox.error().message);
  camera->sandbox_ = std::move(sandbox).value();

  camera->view_.info.id = drivers::camera_device_id(config.id);
  camera->view_.info.node = config.device.value_or(*config.recorded);
  camera->view_.info.kind = drivers::DeviceKind::scanner;
  camera->view_.info.transport = drivers::Transport::camera;
  camera->view_.info.name = config.recorded ? "recorded frames" : "camera";
  camera->view_.configured = true;
  camera->source_->on_frame([self](const drivers::CameraFrame& frame) { self->on_frame(frame); });
  camera->source_->on_error([self](const drivers::ErrorEvent& event) {
    if (self->on_error_) self->on_error_(event);
  });
  camera->source_->on_status([self](drivers::FrameSourceStatus status) {
    self->set_status(status == drivers::FrameSourceStatus::gone      ? ReaderStatus::gone
                     : status == drivers::FrameSourceStatus::online  ? ReaderStatus::online
                                                                     : ReaderStatus::offline,
                     status == drivers::FrameSourceStatus::online ? "" : "the camera stopped");
  });
  return camera;
}

CameraScanner::~CameraScanner() {
  *alive_ = false;
  stop();
}

Status CameraScanner::start() {
  const Status started = source_->start();
  if (!started.ok()) {
    set_status(source_->status() == drivers::FrameSourceStatus::gone ? ReaderStatus::gone
                                                                     : ReaderStatus::offline,
               started.error().message);
    return started;
  }
  set_status(ReaderStatus::online, "");
  return Status();
}

void CameraScanner::stop() {
  if (source_) source_->stop();
}

void CameraScanner::on_frame(const drivers::CameraFrame& frame) {
  if (decoding_) return;  // the child is busy with an older frame: skip this one
  decoding_ = true;
  const auto at = frame.at;
  std::weak_ptr<bool> alive = alive_;
  sandbox_->decode_frame(frame.grey, [this, alive, at](Result<drivers::FrameScan> scan) {
    if (alive.expired()) return;
    decoding_ = false;
    if (!scan.ok()) return;  // a child failure is reported by the sandbox's error handler
    ++frames_decoded_;
    if (view_.status == ReaderStatus::offline) set_status(ReaderStatus::online, "");
    for (const drivers::DecodedSymbol& symbol : confirmer_.feed(scan.value(), at)) {
      if (on_scan_) on_scan_(drivers::make_scan_event(symbol, view_.info.id));
    }
  });
}

void CameraScanner::set_status(ReaderStatus status, std::string reason) {
  if (view_.status == status && view_.reason == reason) return;
  view_.status = status;
  view_.reason = std::move(reason);
  if (on_status_) on_status_(view_);
}

}  // namespace loyalty::daemon
