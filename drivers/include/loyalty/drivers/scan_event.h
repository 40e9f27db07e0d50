// The events a reader delivers, following UnifiedPOS (UPOS 1.16, Scanner and MSR chapters) but as
// immutable values instead of properties read after the event: a ScanEvent (UPOS DataEvent) and
// an ErrorEvent. Once built, neither changes; a handler may keep or copy them freely.
//
// Bank-card rule: a ScanEvent of a payment card swiped by mistake carries no track data and no
// raw bytes (magstripe.h, bank_card.h); the builders below enforce it.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "loyalty/drivers/magstripe/magstripe.h"

namespace loyalty::drivers {

// UPOS ScanDataType (the SCAN_SDT_* constants). Only the symbologies a POS loyalty module meets
// are named; anything else recognised is `other`, anything not recognised `unknown`.
enum class ScanDataType : int {
  unknown = 0,
  upca = 101,
  upce = 102,
  ean8 = 103,   // also JAN8
  ean13 = 104,  // also JAN13
  tf = 105,
  itf = 106,
  codabar = 107,
  code39 = 108,
  code93 = 109,
  code128 = 110,
  upca_s = 111,  // with supplement
  upce_s = 112,
  ean8_s = 117,
  ean13_s = 118,
  ean128 = 120,  // GS1-128
  gs1databar = 131,
  gs1databar_e = 132,
  pdf417 = 201,
  maxicode = 202,
  datamatrix = 203,
  qrcode = 204,
  aztec = 206,
  other = 501,
};

// "upca", "ean13", "qrcode", ... as written in logs and loyaltyctl output.
const char* scan_data_type_name(ScanDataType type);

// The kind of UPOS device a reader is.
enum class DeviceKind { scanner, msr };
const char* device_kind_name(DeviceKind kind);

// How the reader is attached; part of the device id and of loyaltyctl devices.
enum class Transport { hidraw, evdev, serial, usb, camera, image };
const char* transport_name(Transport transport);

// What a ScanEvent carries. Fill it, then build the event; the builder applies the bank-card rule.
// An ECI designator of a symbol (AIM ECI protocol): from byte `at` of the bytes it is given with
// on, they are in the character set ECI `eci` names (3 ISO-8859-1, 20 Shift JIS, 26 UTF-8, 29
// GB2312, 899 binary, ...). A DecodedSymbol counts `at` in its raw bytes, a ScanEvent in its own
// raw bytes (after the AIM id).
struct EciSegment {
  int eci = 0;
  std::size_t at = 0;

  bool operator==(const EciSegment&) const = default;
};

// The character set of an ECI: "ISO-8859-1", "GB2312", "UTF-8", "binary", ...; "ECI <n>" for
// one without a name here.
std::string eci_name(int eci);

struct ScanEventFields {
  std::string device_id;  // stable within a run: "hidraw:/dev/hidraw0", "serial:/dev/ttyACM0"
  DeviceKind kind = DeviceKind::scanner;
  // Scanner: the label as the application uses it (AIM id and framing removed, GS1 FNC1 as GS
  // 0x1D). MSR: empty.
  std::string label;
  // The AIM symbology identifier ("]E0", "]Q1", "]C1"), or empty when the reader sent none.
  std::string aim_id;
  ScanDataType type = ScanDataType::unknown;
  // The bytes as the reader delivered them (UPOS ScanData), framing included.
  std::vector<std::uint8_t> raw;
  // The ECI segments of `raw`, when the symbol carried any (empty: no ECI; the label is the
  // text decoded from them).
  std::vector<EciSegment> ecis;
  // MSR only: the decoded tracks.
  std::optional<Swipe> swipe;
  std::chrono::system_clock::time_point at = std::chrono::system_clock::now();
};

// A UPOS DataEvent with the data in it.
class ScanEvent {
 public:
  // For a swipe that is a payment card (swipe->payment_card, or recognised here by
  // is_payment_card() with no own card ranges unless the decoder's rule set swipe->own_card), the
  // raw bytes are dropped and the track data withheld, whatever the caller left in them.
  explicit ScanEvent(ScanEventFields fields);

  const std::string& device_id() const { return fields_.device_id; }
  DeviceKind kind() const { return fields_.kind; }
  const std::string& label() const { return fields_.label; }
  const std::string& aim_id() const { return fields_.aim_id; }
  ScanDataType type() const { return fields_.type; }
  const std::vector<std::uint8_t>& raw() const { return fields_.raw; }
  const std::vector<EciSegment>& ecis() const { return fields_.ecis; }
  const std::optional<Swipe>& swipe() const { return fields_.swipe; }
  std::chrono::system_clock::time_point at() const { return fields_.at; }

 private:
  ScanEventFields fields_;
};

// UPOS ResultCode values used in ErrorEvents and refusals.
enum class UposResult : int {
  success = 0,
  closed = 101,
  claimed = 102,
  not_claimed = 103,
  no_service = 104,
  disabled = 105,
  illegal = 106,
  no_hardware = 107,  // the reader is gone (unplugged)
  offline = 108,
  failure = 111,
  timeout = 112,
  busy = 113,
  extended = 114,  // see ErrorEvent::extended (MSR: 201-204)
};
const char* upos_result_name(UposResult result);

// UPOS ErrorLocus.
enum class ErrorLocus : int { output = 1, input = 2, input_data = 3 };

struct ErrorEventFields {
  std::string device_id;
  DeviceKind kind = DeviceKind::scanner;
  UposResult result = UposResult::failure;
  int extended = 0;  // ResultCodeExtended: MSR 201-204, else 0
  ErrorLocus locus = ErrorLocus::input;
  // For the log and the cashier: what happened, never track data or a PAN.
  std::string message;
  // MSR: the per-track statuses of the failed swipe (track data withheld).
  std::optional<Swipe> swipe;
  std::chrono::system_clock::time_point at = std::chrono::system_clock::now();
};

// A UPOS ErrorEvent.
class ErrorEvent {
 public:
  // Every track's raw data is cleared: an error carries statuses, not data.
  explicit ErrorEvent(ErrorEventFields fields);

  const std::string& device_id() const { return fields_.device_id; }
  DeviceKind kind() const { return fields_.kind; }
  UposResult result() const { return fields_.result; }
  int extended() const { return fields_.extended; }
  ErrorLocus locus() const { return fields_.locus; }
  const std::string& message() const { return fields_.message; }
  const std::optional<Swipe>& swipe() const { return fields_.swipe; }
  std::chrono::system_clock::time_point at() const { return fields_.at; }

 private:
  ErrorEventFields fields_;
};

}  // namespace loyalty::drivers
