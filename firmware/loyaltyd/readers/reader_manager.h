// The till's readers: the ones the configuration names (readers.devices) opened at start, and the
// ones the device monitor finds and hotplugs (readers.hotplug), each taken through the UPOS model
// (open, claim, enable, DataEventEnabled re-armed after every event).
//
// Each reader has a status the API and the event stream show:
//   online   claimed and reading;
//   offline  known but not reading: it could not be opened or enabled (the reason says why), or
//            it is being opened again;
//   gone     unplugged (a no_hardware error, or udev removed the node); a configured reader that
//            comes back is opened again, a hotplugged one is forgotten;
//   claimed  another program holds it exclusively (EVIOCGRAB / TIOCEXCL refused).
// Every change of status is reported to on_status; every scan to on_scan, every reader error to
// on_error. Track data of bank cards never gets here: the drivers withhold it.
//
// Ownership: owns the devices and the monitor; borrows the io_context (which must outlive it).
// Cameras (readers.cameras) are scanners too: their frames are decoded in the sandboxed child
// (camera_scanner.h) and listed with the other readers.
//
// Thread-safety: the loop's thread only; handlers run on it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "config/config.h"
#include "loyalty/core/identification.h"
#include "loyalty/drivers/device.h"
#include "loyalty/drivers/device_monitor.h"
#include "loyalty/drivers/magstripe/bank_card.h"
#include "loyalty/drivers/readers.h"

namespace loyalty::daemon {

class CameraScanner;

enum class ReaderStatus { online, offline, gone, claimed };
const char* reader_status_name(ReaderStatus status);

struct ReaderView {
  drivers::DeviceInfo info;
  ReaderStatus status = ReaderStatus::offline;
  std::string reason;  // why it is offline, gone or claimed; "" when online
  bool configured = false;  // from readers.devices (reopened when it comes back)
};

class ReaderManager {
 public:
  using ScanHandler = std::function<void(const drivers::ScanEvent&)>;
  using ErrorHandler = std::function<void(const drivers::ErrorEvent&)>;
  using StatusHandler = std::function<void(const ReaderView&)>;

  // own_card_ranges: the bundle's card ranges (a view that must outlive the readers: the
  // ProgramState, kept alive by the caller until the readers are rebuilt on reload).
  ReaderManager(boost::asio::io_context& io, ReadersConfig config,
                std::span<const CardRange> own_card_ranges,
                const drivers::CardTokenizer* tokenizer);
  ~ReaderManager();
  ReaderManager(const ReaderManager&) = delete;
  ReaderManager& operator=(const ReaderManager&) = delete;

  void on_scan(ScanHandler handler) { on_scan_ = std::move(handler); }
  void on_error(ErrorHandler handler) { on_error_ = std::move(handler); }
  void on_status(StatusHandler handler) { on_status_ = std::move(handler); }

  // Opens the configured readers and starts the monitor. Readers that fail to open are
  // reported offline and retried; only a monitor that cannot start at all is an error.
  Status start();
  void stop();

  std::vector<ReaderView> readers() const;
  // {"readers":[{"id","node","kind","transport","name","vendor_id","product_id","status",
  // "reason","configured"}]}
  std::string readers_json() const;

 private:
  struct Reader {
    ReaderView view;
    std::unique_ptr<drivers::Device> device;
    unsigned baud = 9600;  // serial readers
  };

  void add(const drivers::DeviceInfo& info, bool configured, unsigned baud = 9600);
  void start_cameras();
  void open(Reader& reader);
  void set_status(Reader& reader, ReaderStatus status, std::string reason);
  void removed(const drivers::DeviceInfo& info);
  void schedule_retry();

  boost::asio::io_context& io_;
  ReadersConfig config_;
  drivers::ReaderOptions options_;
  std::optional<drivers::DeviceMonitor> monitor_;
  std::map<std::string, Reader> readers_;  // by device id
  std::vector<std::unique_ptr<CameraScanner>> cameras_;
  std::vector<ReaderView> broken_cameras_;  // configured cameras that could not be set up
  boost::asio::steady_timer retry_timer_;
  bool running_ = false;
  ScanHandler on_scan_;
  ErrorHandler on_error_;
  StatusHandler on_status_;
};

}  // namespace loyalty::daemon
