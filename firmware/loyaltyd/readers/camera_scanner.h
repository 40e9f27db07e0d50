// A camera as a barcode scanner: frames from a FrameSource (V4L2, or a recorded directory for the
// demo and the tests), decoded in the sandboxed child (sandbox/decoder_sandbox.h: ZXing never runs
// in the daemon), and released only when two frames agree (drivers' FrameConfirmer), so that a
// misread of one blurred frame never names a customer.
//
// One frame is in the decoder at a time: a frame that arrives while the child is busy is skipped
// (a camera's newest frame is what matters). Every decoded frame, empty ones included, is fed to
// the confirmer. A death of the decoder child (an assert in ZXing, a seccomp kill, a timeout) is
// reported as a reader ErrorEvent, and the sandbox restarts the child by itself.
//
// Status: online while the source streams and the child runs; offline after a child failure
// until the next frame decodes, or when the source stopped; gone when the camera was unplugged.
//
// Ownership: owns the source, the sandbox and the confirmer; borrows the io_context.
// Thread-safety: the loop's thread only.
#pragma once

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <string>

#include "config/config.h"
#include "loyalty/drivers/camera/frame_confirmer.h"
#include "loyalty/drivers/camera/frame_source.h"
#include "loyalty/drivers/scan_event.h"
#include "readers/reader_manager.h"
#include "sandbox/decoder_sandbox.h"

namespace loyalty::daemon {

class CameraScanner {
 public:
  using ScanHandler = std::function<void(const drivers::ScanEvent&)>;
  using ErrorHandler = std::function<void(const drivers::ErrorEvent&)>;
  using StatusHandler = std::function<void(const ReaderView&)>;

  // Builds the source named by the configuration and starts the decoder child. Errors name the
  // camera's configuration entry.
  static Result<std::unique_ptr<CameraScanner>> create(boost::asio::io_context& io,
                                                       const ReadersConfig::Camera& config,
                                                       const std::string& decoder_path);
  ~CameraScanner();

  void on_scan(ScanHandler handler) { on_scan_ = std::move(handler); }
  void on_error(ErrorHandler handler) { on_error_ = std::move(handler); }
  void on_status(StatusHandler handler) { on_status_ = std::move(handler); }

  Status start();
  void stop();
  const ReaderView& view() const { return view_; }
  std::uint64_t frames_decoded() const { return frames_decoded_; }

 private:
  CameraScanner() = default;
  void on_frame(const drivers::CameraFrame& frame);
  void set_status(ReaderStatus status, std::string reason);

  std::unique_ptr<drivers::FrameSource> source_;
  std::unique_ptr<DecoderSandbox> sandbox_;
  drivers::FrameConfirmer confirmer_;
  ReaderView view_;
  bool decoding_ = false;
  std::uint64_t frames_decoded_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  ScanHandler on_scan_;
  ErrorHandler on_error_;
  StatusHandler on_status_;
};

}  // namespace loyalty::daemon
