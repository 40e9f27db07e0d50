// The untrusted-scan policy (scan_sanitizer.h) and the configuration-barcode rules.
#include "loyalty/core/identification.h"
#include "loyalty/drivers/scan/scan_sanitizer.h"

#include <algorithm>
#include <cstdio>
#include <optional>

#include "loyalty/core/utf8.h"
#include "loyalty/drivers/magstripe/bank_card.h"

namespace loyalty::drivers {

namespace {

// Configuration barcodes. Most programming labels are consumed by the scanner that reads them and
// never reach the host; these rules catch the forms that do (a scanner set to transmit function
// characters, a label read by another vendor's scanner, a label encoding a serial command).
//
//   Datalogic   A Code 128 label starting with FNC3 is a programming label; with "Transmit
//               Function Characters" on, FNC3 is sent as byte 0x82 (Magellan product reference
//               guides, Code 128 "Transmit Function Characters").
//   Honeywell   Serial menu commands start with SYN M CR (0x16 0x4D 0x0D) (user guides, chapter
//               "Serial Programming Commands"). The factory-default menu label encodes
//               "DEFALT." (Code 128 with FNC3; tags are case-insensitive).
//   Newland     Serial commands start with "~" SOH "0000" (NLS-HR52 / FM530 user manuals, "Use of
//               Programming Command") or, on older models, "$$%^" (NLS-BS80 manual). Setup
//               commands are "NLS" + 7 digits ("NLS0006010" enter setup, "NLS0006000" exit;
//               serial programming command manual), and setting labels print '@' + tag + subtag
//               + value in capitals ("@UPAAD50", NLS-HR42 manual).
//
// Not listed: Zebra/Symbol parameter and 123Scan labels (consumed by the scanner; no transmitted
// form found in the sources), Opticon menu labels (Code 39 with space start/stop characters, which
// only Opticon readers decode).
constexpr ConfigBarcodeRule default_rules[] = {
    {"Datalogic", "Code 128 programming label (FNC3 sent as 0x82)", "\x82", false, ConfigTail::any,
     0},
    {"Honeywell", "serial menu command (SYN M CR)", "\x16M\r", false, ConfigTail::any, 0},
    {"Honeywell", "factory default menu label (DEFALT.)", "DEFALT.", true, ConfigTail::nothing, 0},
    {"Newland", "serial command (~ SOH 0000)",
     "~\x01"
     "0000",
     false, ConfigTail::any, 0},
    {"Newland", "serial command ($$%^)", "$$%^", false, ConfigTail::any, 0},
    {"Newland", "setup command (NLS + 7 digits)", "NLS", true, ConfigTail::digits_then_any, 7},
    {"Newland", "setting label (@ + tag, subtag and value)", "@", false, ConfigTail::upper_alnum,
     6},
};

constexpr unsigned char gs = 0x1D;
constexpr unsigned char rs = 0x1E;
constexpr unsigned char eot = 0x04;
constexpr std::string_view iso15434_header = "[)>\x1E";

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool prefix_matches(std::string_view label, const ConfigBarcodeRule& rule) {
  if (label.size() < rule.prefix.size()) return false;
  for (std::size_t i = 0; i < rule.prefix.size(); ++i) {
    const char a = label[i];
    const char b = rule.prefix[i];
    if (rule.prefix_ignores_case ? ascii_lower(a) != ascii_lower(b) : a != b) return false;
  }
  return true;
}

bool tail_matches(std::string_view tail, const ConfigBarcodeRule& rule) {
  switch (rule.tail) {
    case ConfigTail::any:
      return true;
    case ConfigTail::nothing:
      return tail.empty();
    case ConfigTail::upper_alnum:
      if (tail.size() < rule.tail_min) return false;
      for (const char c : tail) {
        if (!is_digit(c) && !(c >= 'A' && c <= 'Z')) return false;
      }
      return true;
    case ConfigTail::digits_then_any:
      if (tail.size() < rule.tail_min) return false;
      for (std::size_t i = 0; i < rule.tail_min; ++i) {
        if (!is_digit(tail[i])) return false;
      }
      return true;
  }
  return false;
}

std::string hex_code(unsigned value, int digits) {
  char text[16];
  std::snprintf(text, sizeof text, "%0*X", digits, value);
  return text;
}

bool is_control(char32_t c) { return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F); }

Error control_error(char32_t c, std::size_t pos) {
  const std::string name = c < 0x80 ? "0x" + hex_code(c, 2) : "U+" + hex_code(c, 4);
  return make_error(ErrorCode::invalid_argument,
                    "scan: control character " + name + " at position " + std::to_string(pos) +
                        " is not allowed (only GS 0x1D, and RS/EOT inside an ISO/IEC 15434 "
                        "envelope, are kept); check the scanner's prefix, suffix and "
                        "control-character settings");
}

}  // namespace

std::span<const ConfigBarcodeRule> default_config_barcode_rules() { return default_rules; }

const ConfigBarcodeRule* match_config_barcode(std::string_view label,
                                              std::span<const ConfigBarcodeRule> rules) {
  for (const ConfigBarcodeRule& rule : rules) {
    if (prefix_matches(label, rule) && tail_matches(label.substr(rule.prefix.size()), rule)) {
      return &rule;
    }
  }
  return nullptr;
}

const char* scan_verdict_name(ScanVerdict verdict) {
  switch (verdict) {
    case ScanVerdict::accepted:
      return "accepted";
    case ScanVerdict::ignored_configuration_barcode:
      return "ignored: configuration barcode";
  }
  return "unknown";
}

Result<SanitizedScan> sanitize_scan(std::string_view label, const ScanSanitizerOptions& options) {
  if (label.empty()) {
    return make_error(ErrorCode::invalid_argument, "scan: the label is empty");
  }
  if (label.size() > options.label_bytes_max) {
    return make_error(ErrorCode::limit_exceeded,
                      "scan: the label has " + std::to_string(label.size()) +
                          " bytes; the maximum is " + std::to_string(options.label_bytes_max) +
                          " (limits::scan_label_bytes_max or the device's setting)");
  }
  SanitizedScan out;
  if (const ConfigBarcodeRule* rule = match_config_barcode(label, options.config_barcodes)) {
    out.verdict = ScanVerdict::ignored_configuration_barcode;
    out.rule = rule;
    return out;
  }
  const bool envelope = options.iso15434_envelopes && label.starts_with(iso15434_header);
  out.label.reserve(label.size());
  std::size_t pos = 0;
  while (pos < label.size()) {
    const auto byte = static_cast<unsigned char>(label[pos]);
    Utf8Char c{byte, 1};
    if (byte >= 0x80 && options.text == TextPolicy::utf8) {
      const std::optional<Utf8Char> decoded = decode_utf8(label, pos);
      if (!decoded) {
        return make_error(ErrorCode::invalid_argument,
                          "scan: byte 0x" + hex_code(byte, 2) + " at position " +
                              std::to_string(pos) +
                              " is not valid UTF-8; check the scanner's code page or keyboard "
                              "layout, or read this symbology as bytes");
      }
      c = *decoded;
    } else if (byte >= 0x80) {
      c.value = 0x20;  // TextPolicy::bytes: any byte from 0x80 is data, not a control character
    }
    const bool kept = c.value == gs || (envelope && (c.value == rs || c.value == eot));
    if (is_control(c.value) && !kept) {
      if (options.controls == ControlPolicy::reject) return control_error(c.value, pos);
      for (std::size_t i = 0; i < c.size; ++i) {
        out.label += "\\x" + hex_code(static_cast<unsigned char>(label[pos + i]), 2);
      }
    } else {
      out.label.append(label.substr(pos, c.size));
    }
    pos += c.size;
  }
  return out;
}

std::string escape_scan_for_log(std::string_view label, std::size_t bytes_max) {
  std::string out;
  std::size_t pos = 0;
  while (pos < label.size() && pos < bytes_max) {
    const char c = label[pos];
    if (is_digit(c)) {
      std::size_t end = pos;
      while (end < label.size() && is_digit(label[end])) ++end;
      const std::string_view run = label.substr(pos, end - pos);
      if (run.size() >= 12 && run.size() <= 19 && luhn_check_digit_valid(run)) {
        out += "<" + std::to_string(run.size()) + " digits withheld>";
        pos = end;
      } else {
        // The whole run at once: a part of a longer run is never taken for a card number.
        const std::size_t shown = std::min(end, bytes_max) - pos;
        out.append(run.substr(0, shown));
        pos += shown;
      }
      continue;
    }
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\\') {
      out += "\\\\";
    } else if (byte >= 0x20 && byte < 0x7F) {
      out += c;
    } else {
      out += "\\x" + hex_code(byte, 2);
    }
    ++pos;
  }
  if (pos < label.size()) out += "...(" + std::to_string(label.size()) + " bytes)";
  return out;
}

}  // namespace loyalty::drivers
