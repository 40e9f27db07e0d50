// The UPOS device model: state, the event queue and its delivery (device.h).
#include "loyalty/drivers/device.h"

#include <charconv>
#include <utility>

#include "loyalty/core/limits.h"

namespace loyalty::drivers {

namespace {

Error upos_error(UposResult result, const DeviceInfo& info, const std::string& what) {
  const ErrorCode code =
      result == UposResult::no_hardware ? ErrorCode::io_error : ErrorCode::invalid_argument;
  return make_error(code, std::string(upos_result_name(result)) + ": " + info.id + ": " + what);
}

}  // namespace

const char* device_state_name(DeviceState state) {
  switch (state) {
    case DeviceState::closed:
      return "closed";
    case DeviceState::idle:
      return "idle";
    case DeviceState::busy:
      return "busy";
    case DeviceState::error:
      return "error";
  }
  return "unknown";
}

std::string usb_id_hex(std::uint16_t id) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string text(4, '0');
  for (std::size_t i = 4; i-- > 0; id = static_cast<std::uint16_t>(id >> 4))
    text[i] = digits[id & 0xF];
  return text;
}

std::optional<std::uint16_t> parse_usb_id_hex(std::string_view text) {
  unsigned value = 0;
  if (text.empty() || text.size() > 4) return std::nullopt;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

Device::Device(DeviceInfo info) : info_(std::move(info)) {}

DeviceState Device::state() const {
  if (!opened_) return DeviceState::closed;
  for (const auto& event : queue_) {
    if (std::holds_alternative<ErrorEvent>(event)) return DeviceState::error;
  }
  return DeviceState::idle;
}

Status Device::open() {
  if (opened_) return upos_error(UposResult::illegal, info_, "already open");
  TRY(do_open());
  opened_ = true;
  gone_ = false;
  return {};
}

Status Device::claim() {
  if (!opened_) return upos_error(UposResult::closed, info_, "open the device before claiming it");
  if (claimed_) return {};
  if (gone_) return upos_error(UposResult::no_hardware, info_, "the reader is gone");
  TRY(do_claim());
  claimed_ = true;
  return {};
}

void Device::release() {
  if (!claimed_) return;
  disable_without_refusal();
  do_release();
  claimed_ = false;
}

Status Device::set_enabled(bool enabled) {
  if (!opened_) return upos_error(UposResult::closed, info_, "the device is closed");
  if (!claimed_) {
    return upos_error(UposResult::not_claimed, info_, "claim the device before enabling it");
  }
  if (!enabled) {
    disable_without_refusal();
    return {};
  }
  if (gone_) {
    return upos_error(UposResult::no_hardware, info_,
                      "the reader is gone; close it and open it again when it is back");
  }
  if (enabled_) return {};
  TRY(do_enable());
  enabled_ = true;
  return {};
}

void Device::close() {
  if (!opened_) return;
  release();
  do_close();
  opened_ = false;
  data_event_enabled_ = false;
  overflow_reported_ = false;
  queue_.clear();
}

void Device::set_data_event_enabled(bool enabled) {
  data_event_enabled_ = enabled;
  pump();
}

void Device::clear_input() {
  if (opened_) do_clear_input();
  queue_.clear();
  overflow_reported_ = false;
}

std::size_t Device::data_count() const {
  std::size_t count = 0;
  for (const auto& event : queue_) {
    if (std::holds_alternative<ScanEvent>(event)) ++count;
  }
  return count;
}

void Device::deliver_scan(ScanEvent event) {
  if (!enabled_) return;  // UPOS: input while disabled is not reported
  if (queue_.size() >= limits::device_event_queue_max) {
    if (!overflow_reported_) {
      overflow_reported_ = true;
      ErrorEventFields error;
      error.device_id = info_.id;
      error.kind = info_.kind;
      error.result = UposResult::failure;
      error.locus = ErrorLocus::input_data;
      error.message = "input queue full (" + std::to_string(limits::device_event_queue_max) +
                      " events): scan dropped; the application is not taking events";
      queue_.emplace_back(ErrorEvent(std::move(error)));  // the one event over the bound
      pump();
    }
    return;
  }
  queue_.emplace_back(std::move(event));
  if (auto_disable_) disable_without_refusal();
  pump();
}

void Device::deliver_error(ErrorEvent event) {
  if (!enabled_ && !gone_) return;
  ErrorEventFields fields{event.device_id(), event.kind(),    event.result(), event.extended(),
                          event.locus(),     event.message(), event.swipe(),  event.at()};
  if (fields.locus != ErrorLocus::output) {
    fields.locus = data_count() > 0 ? ErrorLocus::input_data : ErrorLocus::input;
  }
  if (queue_.size() > limits::device_event_queue_max) {
    // Full, and the overflow already reported: only the loss of the reader replaces the newest
    // event, because the application must learn that one.
    if (fields.result != UposResult::no_hardware) return;
    queue_.pop_back();
  }
  queue_.emplace_back(ErrorEvent(std::move(fields)));
  pump();
}

void Device::deliver(std::variant<ScanEvent, ErrorEvent> event) {
  if (auto* scan = std::get_if<ScanEvent>(&event)) {
    deliver_scan(std::move(*scan));
  } else {
    deliver_error(std::move(std::get<ErrorEvent>(event)));
  }
}

void Device::lost(const std::string& why) {
  if (gone_ || !opened_) return;
  const bool was_enabled = enabled_;
  disable_without_refusal();
  gone_ = true;
  if (!was_enabled) return;  // nobody was reading: the next enable reports it
  ErrorEventFields error;
  error.device_id = info_.id;
  error.kind = info_.kind;
  error.result = UposResult::no_hardware;
  error.message = "reader disconnected: " + why;
  deliver_error(ErrorEvent(std::move(error)));
}

void Device::disable_without_refusal() {
  if (!enabled_) return;
  enabled_ = false;
  do_disable();
}

void Device::pump() {
  if (pumping_) return;  // a handler re-armed delivery: the loop below goes on
  pumping_ = true;
  while (data_event_enabled_ && !queue_.empty()) {
    auto event = std::move(queue_.front());
    queue_.pop_front();
    if (queue_.size() < limits::device_event_queue_max) overflow_reported_ = false;
    data_event_enabled_ = false;  // UPOS: delivering an event disables the next one
    if (auto* scan = std::get_if<ScanEvent>(&event)) {
      if (on_data_) on_data_(*scan);
    } else if (on_error_) {
      on_error_(std::get<ErrorEvent>(event));
    }
  }
  pumping_ = false;
}

}  // namespace loyalty::drivers
