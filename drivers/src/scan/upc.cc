// UPC/EAN check digits, UPC-E expansion and the canonical GTIN-13 form.
#include "loyalty/drivers/scan/upc.h"

#include <algorithm>
#include <string>

#include "loyalty/core/identification.h"

namespace loyalty::drivers {

namespace {

// The longest GS1 key with a mod-10 check digit is the SSCC: 17 digits and the check digit.

bool all_digits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

Error bad_label(std::string_view name, std::string_view label, std::string_view problem) {
  return make_error(ErrorCode::invalid_argument,
                    std::string(name) + " label " + quoted(label) + ": " + std::string(problem));
}

// Length and digits first, then the check digit; `name` is "UPC-A", "EAN-13", ...
Status check_label(std::string_view name, std::string_view label, std::size_t digits) {
  if (label.size() != digits || !all_digits(label)) {
    return bad_label(name, label, "expected " + std::to_string(digits) + " digits");
  }
  if (!loyalty::gs1_check_digit_valid(label)) {
    const char expected = *loyalty::gs1_check_digit(label.substr(0, digits - 1));
    return bad_label(
        name, label,
        std::string("wrong check digit (expected ") + expected + ", got " + label.back() + ")");
  }
  return {};
}

}  // namespace

Result<std::string> expand_upce(std::string_view upce) {
  if (upce.size() != 8 || !all_digits(upce)) {
    return bad_label("UPC-E", upce,
                     "expected 8 digits (number system, six data digits, check digit)");
  }
  if (upce[0] != '0' && upce[0] != '1') {
    return bad_label("UPC-E", upce, std::string("number system ") + upce[0] + " is not 0 or 1");
  }
  const std::string_view m = upce.substr(1, 6);  // M1..M5 and the last data digit d6
  std::string body;                              // the 10 digits after the number system
  switch (m[5]) {
    case '0':
    case '1':
    case '2':
      body = std::string(m.substr(0, 2)) + m[5] + "0000" + std::string(m.substr(2, 3));
      break;
    case '3':
      body = std::string(m.substr(0, 3)) + "00000" + std::string(m.substr(3, 2));
      break;
    case '4':
      body = std::string(m.substr(0, 4)) + "00000" + m[4];
      break;
    default:
      body = std::string(m.substr(0, 5)) + "0000" + m[5];
      break;
  }
  std::string upca = upce[0] + body + upce[7];
  LOYALTY_ASSERT(upca.size() == 12);
  if (!loyalty::gs1_check_digit_valid(upca)) {
    const char expected = *loyalty::gs1_check_digit(std::string_view(upca).substr(0, 11));
    return bad_label(
        "UPC-E", upce,
        std::string("wrong check digit (expected ") + expected + ", got " + upce[7] + ")");
  }
  return upca;
}

bool is_upc_ean(ScanDataType type) {
  return type == ScanDataType::upca || type == ScanDataType::upce || type == ScanDataType::ean13 ||
         type == ScanDataType::ean8;
}

Result<std::string> normalize_upc_ean(ScanDataType type, std::string_view label) {
  switch (type) {
    case ScanDataType::upca:
      TRY(check_label("UPC-A", label, 12));
      return "0" + std::string(label);
    case ScanDataType::upce: {
      const std::string upca = TRY(expand_upce(label));
      return "0" + upca;
    }
    case ScanDataType::ean13:
      TRY(check_label("EAN-13", label, 13));
      return std::string(label);
    case ScanDataType::ean8:
      TRY(check_label("EAN-8", label, 8));
      return std::string(label);
    default:
      return make_error(ErrorCode::invalid_argument,
                        std::string("normalize_upc_ean() takes UPC-A, UPC-E, EAN-13 or EAN-8, "
                                    "not ") +
                            scan_data_type_name(type));
  }
}

}  // namespace loyalty::drivers
