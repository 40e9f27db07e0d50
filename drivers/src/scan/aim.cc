// AIM symbology identifiers (ISO/IEC 15424) to UPOS ScanDataType and back.
#include "loyalty/drivers/scan/aim.h"

#include <algorithm>

namespace loyalty::drivers {

namespace {

bool is_ascii_letter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), is_ascii_digit);
}

// ]E0: UPC-A, EAN-13 or UPC-E told apart by the label (see aim.h).
ScanDataType ean_upc_type(std::string_view digits) {
  if (!all_digits(digits)) return ScanDataType::other;
  switch (digits.size()) {
    case 12:
      return ScanDataType::upca;
    case 13:
      return digits.front() == '0' ? ScanDataType::upca : ScanDataType::ean13;
    case 6:
    case 7:
    case 8:
      return ScanDataType::upce;
    default:
      return ScanDataType::other;
  }
}

// ]E3: a main symbol followed by its 2- or 5-digit add-on.
ScanDataType ean_upc_with_addon_type(std::string_view label) {
  std::string_view base;
  if (const auto space = label.find(' '); space != std::string_view::npos) {
    base = label.substr(0, space);
    const auto addon = label.substr(space + 1);
    if (!all_digits(addon) || (addon.size() != 2 && addon.size() != 5)) {
      return ScanDataType::other;
    }
  } else {
    switch (label.size()) {
      case 10:  // 8 + 2
      case 14:  // 12 + 2
      case 15:  // 13 + 2
        base = label.substr(0, label.size() - 2);
        break;
      case 13:  // 8 + 5
      case 17:  // 12 + 5
      case 18:  // 13 + 5
        base = label.substr(0, label.size() - 5);
        break;
      default:
        return ScanDataType::other;
    }
    if (!all_digits(label)) return ScanDataType::other;
  }
  if (!all_digits(base)) return ScanDataType::other;
  if (base.size() == 8) {
    return base.front() == '0' || base.front() == '1' ? ScanDataType::upce_s : ScanDataType::ean8_s;
  }
  switch (ean_upc_type(base)) {
    case ScanDataType::upca:
      return ScanDataType::upca_s;
    case ScanDataType::ean13:
      return ScanDataType::ean13_s;
    default:
      return ScanDataType::other;
  }
}

ScanDataType ean_upc_family(char modifier, std::string_view label) {
  switch (modifier) {
    case '0':
      return ean_upc_type(label);
    case '3':
      return ean_upc_with_addon_type(label);
    case '4':
      return ScanDataType::ean8;
    default:  // ]E1, ]E2: an add-on read alone; other modifiers are not EAN/UPC
      return ScanDataType::other;
  }
}

ScanDataType gs1_databar_type(std::string_view label) {
  const bool gtin_only = label.size() == 16 && label.substr(0, 2) == "01" && all_digits(label);
  return gtin_only ? ScanDataType::gs1databar : ScanDataType::gs1databar_e;
}

}  // namespace

std::string AimId::to_string() const { return std::string{']', code, modifier}; }

std::optional<AimId> parse_aim_prefix(std::string_view text) {
  if (text.size() < aim_id_bytes || text[0] != ']') return std::nullopt;
  const char code = text[1];
  const char modifier = text[2];
  if (!is_ascii_letter(code)) return std::nullopt;
  if (!is_ascii_letter(modifier) && !is_ascii_digit(modifier)) return std::nullopt;
  return AimId{code, modifier};
}

ScanDataType scan_data_type_from_aim(std::string_view aim, std::string_view label) {
  const auto id = parse_aim_prefix(aim);
  if (!id || aim.size() != aim_id_bytes) return ScanDataType::unknown;
  switch (id->code) {
    case 'A':
      return ScanDataType::code39;
    case 'C':
      return id->modifier == '1' ? ScanDataType::ean128 : ScanDataType::code128;
    case 'E':
      return ean_upc_family(id->modifier, label);
    case 'F':
      return ScanDataType::codabar;
    case 'G':
      return ScanDataType::code93;
    case 'I':
      return ScanDataType::itf;
    case 'L':
      return ScanDataType::pdf417;  // also MicroPDF417
    case 'Q':
      return ScanDataType::qrcode;  // Q3-Q6: GS1 / ECI variants
    case 'R':                       // Straight 2 of 5, two-bar start/stop (IATA)
    case 'S':                       // Straight 2 of 5, three-bar start/stop (Industrial)
      return ScanDataType::tf;
    case 'U':
      return ScanDataType::maxicode;
    case 'd':
      return ScanDataType::datamatrix;  // d2: GS1 DataMatrix
    case 'e':
      return gs1_databar_type(label);
    case 'z':
      return ScanDataType::aztec;
    default:  // B Telepen, H Code 11, K Code 16K, M MSI, P Plessey, X other, Z keyboard, ...
      return ScanDataType::other;
  }
}

std::string_view aim_id_for(ScanDataType type) {
  switch (type) {
    case ScanDataType::upca:
    case ScanDataType::upce:
    case ScanDataType::ean13:
      return "]E0";
    case ScanDataType::ean8:
      return "]E4";
    case ScanDataType::upca_s:
    case ScanDataType::upce_s:
    case ScanDataType::ean8_s:
    case ScanDataType::ean13_s:
      return "]E3";
    case ScanDataType::tf:
      return "]S0";
    case ScanDataType::itf:
      return "]I0";
    case ScanDataType::codabar:
      return "]F0";
    case ScanDataType::code39:
      return "]A0";
    case ScanDataType::code93:
      return "]G0";
    case ScanDataType::code128:
      return "]C0";
    case ScanDataType::ean128:
      return "]C1";
    case ScanDataType::gs1databar:
    case ScanDataType::gs1databar_e:
      return "]e0";
    case ScanDataType::pdf417:
      return "]L0";
    case ScanDataType::maxicode:
      return "]U0";
    case ScanDataType::datamatrix:
      return "]d1";
    case ScanDataType::qrcode:
      return "]Q1";
    case ScanDataType::aztec:
      return "]z0";
    case ScanDataType::unknown:
    case ScanDataType::other:
      return "";
  }
  return "";
}

}  // namespace loyalty::drivers
