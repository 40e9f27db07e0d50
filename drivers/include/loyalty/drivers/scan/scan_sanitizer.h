// The policy for untrusted scan data, applied to every scanned label whatever the transport
// (keyboard wedge, serial, HID POS, camera) before it becomes a ScanEvent.
//
// In order:
//   1. length: at most label_bytes_max (limit_exceeded); an empty label is invalid_argument.
//   2. configuration barcodes: scanner programming labels printed in vendors' manuals (and the
//      serial programming commands some scanners echo when such a label encodes them). A match is
//      not an error and not a scan: the verdict is ignored_configuration_barcode, naming the rule.
//      The rules are data (ConfigBarcodeRule, default_config_barcode_rules()), listed with their
//      sources in scan/scan_sanitizer.cc; a caller may pass its own list.
//   3. control characters (C0, DEL, and C1 U+0080-U+009F in UTF-8 text): GS 0x1D is kept (GS1
//      FNC1 / field separator). RS 0x1E and EOT 0x04 are kept inside an ISO/IEC 15434 envelope
//      (a label starting "[)>" RS). Any other is rejected (invalid_argument naming its position
//      and code) or, with ControlPolicy::escape, replaced by the text "\xNN".
//   4. UTF-8 (TextPolicy::utf8, the default): the label must be valid UTF-8 (no overlong form, no
//      surrogate); the error names the position and byte. TextPolicy::bytes accepts any byte from
//      0x80 (binary symbologies).
// Error messages name positions, byte codes and lengths, never the label.
//
// Thread-safety: stateless functions; the rule tables are immutable.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "loyalty/core/limits.h"
#include "loyalty/core/result.h"

namespace loyalty::drivers {

// What may follow a configuration rule's prefix.
enum class ConfigTail {
  any,              // anything (or nothing)
  nothing,          // the label is exactly the prefix
  upper_alnum,      // only 'A'-'Z' and '0'-'9', at least tail_min bytes
  digits_then_any,  // at least tail_min ASCII digits, then anything
};

// One kind of configuration barcode.
struct ConfigBarcodeRule {
  std::string_view vendor;           // "Honeywell"
  std::string_view what;             // "serial menu command (SYN M CR)"
  std::string_view prefix;           // the label starts with these bytes
  bool prefix_ignores_case = false;  // ASCII letters of the prefix match either case
  ConfigTail tail = ConfigTail::any;
  std::size_t tail_min = 0;
};

// The built-in rules (see scan/scan_sanitizer.cc for each rule's source). Static storage.
std::span<const ConfigBarcodeRule> default_config_barcode_rules();

// The first rule label matches, or nullptr.
const ConfigBarcodeRule* match_config_barcode(std::string_view label,
                                              std::span<const ConfigBarcodeRule> rules);

enum class ControlPolicy { reject, escape };
enum class TextPolicy { utf8, bytes };

struct ScanSanitizerOptions {
  std::size_t label_bytes_max = limits::scan_label_bytes_max;
  ControlPolicy controls = ControlPolicy::reject;
  TextPolicy text = TextPolicy::utf8;
  bool iso15434_envelopes = true;  // keep RS and EOT in "[)>" RS ... envelopes
  std::span<const ConfigBarcodeRule> config_barcodes = default_config_barcode_rules();
};

enum class ScanVerdict {
  accepted,                       // label is the scan to use
  ignored_configuration_barcode,  // not a scan: do not look it up, do not report an error
};
// "accepted", "ignored: configuration barcode".
const char* scan_verdict_name(ScanVerdict verdict);

struct SanitizedScan {
  ScanVerdict verdict = ScanVerdict::accepted;
  std::string
      label;  // accepted: the label (control characters escaped under ControlPolicy::escape)
  const ConfigBarcodeRule* rule = nullptr;  // ignored: the rule that matched (points into the list)
};

Result<SanitizedScan> sanitize_scan(std::string_view label,
                                    const ScanSanitizerOptions& options = {});

// The label made printable for a diagnostic: printable ASCII as is, '\\' doubled, every other
// byte as \xNN; a run of 12-19 digits passing Luhn (a possible card number) as "<N digits
// withheld>"; at most bytes_max input bytes shown, then "...(N bytes)". For operator diagnostics
// only: the drivers' log (log.h) never carries scanned data.
std::string escape_scan_for_log(std::string_view label,
                                std::size_t bytes_max = limits::scan_log_excerpt_bytes_max);

}  // namespace loyalty::drivers
