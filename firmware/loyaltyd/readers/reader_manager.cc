#include "readers/reader_manager.h"

#include "readers/camera_scanner.h"
#include "readers/decoder_path.h"

#include "loyalty/core/json.h"
#include "loyalty/drivers/log.h"

namespace loyalty::daemon {

namespace {

// How often readers that are offline are tried again.
constexpr std::chrono::milliseconds reader_retry_interval{2000};
// Readers the manager tracks at most (configured and hotplugged together).
constexpr std::size_t readers_max = 64;

}  // namespace

const char* reader_status_name(ReaderStatus status) {
  switch (status) {
    case ReaderStatus::online:
      return "online";
    case ReaderStatus::offline:
      return "offline";
    case ReaderStatus::gone:
      return "gone";
    case ReaderStatus::claimed:
      return "claimed";
  }
  return "?";
}

ReaderManager::ReaderManager(boost::asio::io_context& io, ReadersConfig config,
                             std::span<const CardRange> own_card_ranges,
                             const drivers::CardTokenizer* tokenizer)
    : io_(io), config_(std::move(config)), retry_timer_(io) {
  options_.own_card_ranges = own_card_ranges;
  options_.tokenizer = tokenizer;
}

ReaderManager::~ReaderManager() { stop(); }

void ReaderManager::start_cameras() {
  const std::string decoder = config_.decoder.value_or(default_decoder_path());
  for (const ReadersConfig::Camera& camera_config : config_.cameras) {
    Result<std::unique_ptr<CameraScanner>> made =
        CameraScanner::create(io_, camera_config, decoder);
    if (!made.ok()) {
      ReaderView view;
      view.info.id = "camera:" + camera_config.id;
      view.info.kind = drivers::DeviceKind::scanner;
      view.info.transport = drivers::Transport::camera;
      view.status = ReaderStatus::offline;
      view.reason = made.error().message;
      view.configured = true;
      drivers::log(drivers::LogLevel::error, made.error().message);
      broken_cameras_.push_back(view);
      if (on_status_) on_status_(view);
      continue;
    }
    CameraScanner& camera = *made.value();
    camera.on_scan([this](const drivers::ScanEvent& event) {
      if (on_scan_) on_scan_(event);
    });
    camera.on_error([this](const drivers::ErrorEvent& event) {
      if (on_error_) on_error_(event);
    });
    camera.on_status([this](const ReaderView& view) {
      if (on_status_) on_status_(view);
    });
    (void)camera.start();  // a failure shows in its status
    cameras_.push_back(std::move(made).value());
  }
}

Status ReaderManager::start() {
  running_ = true;
  for (const ReadersConfig::Static& configured : config_.devices) {
    drivers::DeviceInfo info;
    info.node = configured.node;
    info.kind = configured.kind;
    info.transport = configured.transport;
    info.id = std::string(drivers::transport_name(info.transport)) + ":" + info.node;
    add(info, true, configured.baud);
  }
  if (config_.hotplug) {
    drivers::DeviceMonitorOptions monitor_options;
    monitor_options.readers = config_.listed;
    monitor_.emplace(io_, monitor_options);
    monitor_->on_added([this](const drivers::DeviceInfo& info) { add(info, false); });
    monitor_->on_removed([this](const drivers::DeviceInfo& info) { removed(info); });
    const Status started = monitor_->start();
    if (!started.ok()) {
      monitor_.reset();
      return make_error(started.error().code, "readers.hotplug: " + started.error().message);
    }
  }
  start_cameras();
  schedule_retry();
  return Status();
}

void ReaderManager::stop() {
  running_ = false;
  retry_timer_.cancel();
  if (monitor_) monitor_->stop();
  for (auto& [id, reader] : readers_) {
    if (reader.device) reader.device->close();
  }
  readers_.clear();
  cameras_.clear();
  broken_cameras_.clear();
}

void ReaderManager::add(const drivers::DeviceInfo& info, bool configured, unsigned baud) {
  auto found = readers_.find(info.id);
  if (found != readers_.end()) {
    // A configured reader that comes back, or a repeated udev add.
    if (found->second.view.status != ReaderStatus::online) open(found->second);
    return;
  }
  if (readers_.size() >= readers_max) {
    drivers::log(drivers::LogLevel::warning,
                 "reader " + info.id + " ignored: " + std::to_string(readers_max) +
                     " readers tracked already");
    return;
  }
  Reader& reader = readers_[info.id];
  reader.view.info = info;
  reader.view.configured = configured;
  reader.baud = baud;
  open(reader);
}

void ReaderManager::open(Reader& reader) {
  if (reader.device) {
    reader.device->close();
    reader.device.reset();
  }
  drivers::ReaderOptions options = options_;
  options.serial.baud_rate = reader.baud;
  Result<std::unique_ptr<drivers::Device>> made =
      drivers::make_reader(io_, reader.view.info, options);
  if (!made.ok()) return set_status(reader, ReaderStatus::offline, made.error().message);
  reader.device = std::move(made).value();
  drivers::Device& device = *reader.device;
  const std::string id = reader.view.info.id;
  device.on_data([this, id](const drivers::ScanEvent& event) {
    auto found = readers_.find(id);
    if (found == readers_.end() || !found->second.device) return;
    // Data again after a lost link: the reader reconnected.
    if (found->second.view.status == ReaderStatus::offline) {
      set_status(found->second, ReaderStatus::online, "");
    }
    found->second.device->set_data_event_enabled(true);
    if (on_scan_) on_scan_(event);
  });
  device.on_error([this, id](const drivers::ErrorEvent& event) {
    auto found = readers_.find(id);
    if (found == readers_.end() || !found->second.device) return;
    Reader& owner = found->second;
    if (event.result() == drivers::UposResult::no_hardware) {
      set_status(owner, ReaderStatus::gone, event.message());
    } else if (event.result() == drivers::UposResult::offline) {
      // The transport lost its link and reconnects by itself (a serial port that failed).
      set_status(owner, ReaderStatus::offline, event.message());
      owner.device->set_data_event_enabled(true);
    } else {
      owner.device->set_data_event_enabled(true);
    }
    if (on_error_) on_error_(event);
  });
  Status status = device.open();
  if (status.ok()) {
    status = device.claim();
    if (!status.ok()) {
      device.close();
      return set_status(reader, ReaderStatus::claimed, status.error().message);
    }
    status = device.set_enabled(true);
  }
  if (!status.ok()) {
    device.close();
    return set_status(reader, ReaderStatus::offline, status.error().message);
  }
  device.set_data_event_enabled(true);
  set_status(reader, ReaderStatus::online, "");
}

void ReaderManager::set_status(Reader& reader, ReaderStatus status, std::string reason) {
  if (reader.view.status == status && reader.view.reason == reason) return;
  reader.view.status = status;
  reader.view.reason = std::move(reason);
  if (on_status_) on_status_(reader.view);
}

void ReaderManager::removed(const drivers::DeviceInfo& info) {
  auto found = readers_.find(info.id);
  if (found == readers_.end()) return;
  Reader& reader = found->second;
  if (reader.device) {
    reader.device->close();
    reader.device.reset();
  }
  set_status(reader, ReaderStatus::gone, "the device was removed");
  if (!reader.view.configured) readers_.erase(found);
}

void ReaderManager::schedule_retry() {
  if (!running_) return;
  retry_timer_.expires_after(reader_retry_interval);
  retry_timer_.async_wait([this](const boost::system::error_code& error) {
    if (error || !running_) return;
    for (auto& [id, reader] : readers_) {
      // Configured readers are tried again whatever happened; hotplugged ones come back by udev.
      if (reader.view.status != ReaderStatus::online && reader.view.configured) open(reader);
    }
    schedule_retry();
  });
}

std::vector<ReaderView> ReaderManager::readers() const {
  std::vector<ReaderView> views;
  for (const auto& [id, reader] : readers_) views.push_back(reader.view);
  for (const auto& camera : cameras_) views.push_back(camera->view());
  for (const ReaderView& view : broken_cameras_) views.push_back(view);
  return views;
}

std::string ReaderManager::readers_json() const {
  json::Writer out;
  out.begin_object();
  out.key("readers");
  out.begin_array();
  for (const ReaderView& view : readers()) {
    out.begin_object();
    out.key("id");
    out.value(view.info.id);
    out.key("node");
    out.value(view.info.node);
    out.key("kind");
    out.value(drivers::device_kind_name(view.info.kind));
    out.key("transport");
    out.value(drivers::transport_name(view.info.transport));
    out.key("name");
    out.value(view.info.name);
    out.key("vendor_id");
    out.value(drivers::usb_id_hex(view.info.vendor_id));
    out.key("product_id");
    out.value(drivers::usb_id_hex(view.info.product_id));
    out.key("status");
    out.value(reader_status_name(view.status));
    out.key("reason");
    out.value(view.reason);
    out.key("configured");
    out.value(view.configured);
    out.end_object();
  }
  out.end_array();
  out.end_object();
  return out.take();
}

}  // namespace loyalty::daemon
