// What the frame source tests share: a recorder of what a FrameSource delivers (copies of its
// frames, its ErrorEvents, its status changes), a capture of the drivers' log, and running the
// io_context until something happened or for a while.
#pragma once

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "loyalty/drivers/camera/frame_source.h"
#include "loyalty/drivers/log.h"

namespace drivers_test {

struct FrameLog {
  std::vector<loyalty::drivers::OwnedCameraFrame> frames;
  std::vector<std::chrono::steady_clock::time_point> delivered_at;  // when the handler ran
  std::vector<loyalty::drivers::ErrorEvent> errors;
  std::vector<loyalty::drivers::FrameSourceStatus> statuses;

  void attach(loyalty::drivers::FrameSource& source) {
    source.on_frame([this](const loyalty::drivers::CameraFrame& frame) {
      frames.push_back(loyalty::drivers::copy_frame(frame));
      delivered_at.push_back(std::chrono::steady_clock::now());
    });
    source.on_error([this](const loyalty::drivers::ErrorEvent& error) { errors.push_back(error); });
    source.on_status(
        [this](loyalty::drivers::FrameSourceStatus status) { statuses.push_back(status); });
  }
};

// The drivers' log lines ("warning: <message>") while it lives.
class DriverLogLines {
 public:
  DriverLogLines()
      : previous_(loyalty::drivers::set_log_sink(
            [this](loyalty::drivers::LogLevel level, std::string_view message) {
              lines.push_back(std::string(loyalty::drivers::log_level_name(level)) + ": " +
                              std::string(message));
            })) {}
  ~DriverLogLines() { loyalty::drivers::set_log_sink(previous_); }
  DriverLogLines(const DriverLogLines&) = delete;
  DriverLogLines& operator=(const DriverLogLines&) = delete;

  std::vector<std::string> lines;

 private:
  loyalty::drivers::LogSink previous_;
};

// Runs the loop until done() holds; a hang guard of 5 s fails the test (not a timing claim).
template <class Predicate>
void run_until(boost::asio::io_context& io, Predicate done) {
  const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!done()) {
    REQUIRE(std::chrono::steady_clock::now() < limit);
    io.restart();
    io.run_one_for(std::chrono::milliseconds(10));
  }
}

// Runs the loop for `duration` of wall time, whatever happens (to show that nothing does).
inline void run_for(boost::asio::io_context& io, std::chrono::milliseconds duration) {
  const auto end = std::chrono::steady_clock::now() + duration;
  while (std::chrono::steady_clock::now() < end) {
    io.restart();
    if (io.run_one_until(end) == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace drivers_test
