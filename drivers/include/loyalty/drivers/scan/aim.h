// AIM symbology identifiers (ISO/IEC 15424): the "]Xm" prefix a scanner puts before a label to
// say which symbology it read. Shared by every scanner transport (HID POS, keyboard wedge,
// serial, camera), so that one table maps an AIM id to a UPOS ScanDataType and back.
//
//   ']'  flag character
//   'X'  code character: the symbology (E = EAN/UPC, C = Code 128, Q = QR, d = Data Matrix, ...)
//   'm'  modifier character: options of that symbology (GS1, check digit, add-on, ECI ...)
//
// Pure functions over untrusted input; no I/O. Thread-safety: stateless, safe from any thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "loyalty/drivers/scan_event.h"

namespace loyalty::drivers {

// Bytes of an AIM symbology identifier: flag, code, modifier.
inline constexpr std::size_t aim_id_bytes = 3;

// A well-formed AIM symbology identifier. The code character is an ASCII letter and the modifier
// an ASCII letter or digit; parse_aim_prefix() only builds valid ones.
struct AimId {
  char code = 0;      // 'E', 'C', 'Q', 'd', ...
  char modifier = 0;  // '0'..'9', 'A'..'Z', 'a'..'z'

  // "]E0".
  std::string to_string() const;
  friend bool operator==(const AimId&, const AimId&) = default;
};

// The AIM id at the start of text ("]E0" of "]E04006381333931"), or nullopt when text does not
// start with a well-formed one (no ']', a code that is not a letter, a modifier that is not a
// letter or digit, fewer than 3 bytes). The label follows at text.substr(aim_id_bytes).
std::optional<AimId> parse_aim_prefix(std::string_view text);

// The UPOS ScanDataType for an AIM id ("]E0") and the label it came with (AIM id excluded).
//
//   unknown  aim is not exactly a well-formed AIM id (empty, malformed, trailing bytes)
//   other    well-formed but a symbology UPOS does not name here (Code 11, MSI, Telepen, ]X, ]Z),
//            or an EAN/UPC id whose label length fits no EAN/UPC symbol
//
// EAN/UPC share ]E0, so the label decides (check digit assumed transmitted, the scanners'
// default): 12 digits -> upca; 13 digits with a leading '0' -> upca (a UPC-A sent in its 13-digit
// EAN form, as scanners set to "UPC-A as EAN-13" and ZXing's EAN-13 reader do: the bars are the
// same); other 13 digits -> ean13; 6 to 8 digits -> upce (EAN-8 has its own ]E4). ]E3 (symbol
// with add-on) is sized the same way after removing the 2 or 5 add-on digits (an optional single
// space between the two parts is accepted): base 12/13 -> upca_s/ean13_s by the rule above; base 8
// -> upce_s when it starts with '0' or '1' (UPC-E number systems), else ean8_s. ]E1/]E2 (an
// add-on alone) -> other.
//
// GS1 variants keep their symbology's UPOS type (UPOS has no separate code): ]Q3 -> qrcode,
// ]d2 -> datamatrix; the AIM id is what tells the application the data is GS1. The exception is
// ]C1 -> ean128 (UPOS GS1-128). GS1 DataBar is ]e0 for every variant: a 16-digit label "01" +
// GTIN-14 -> gs1databar (Omnidirectional/Limited carry only that); anything else gs1databar_e.
ScanDataType scan_data_type_from_aim(std::string_view aim, std::string_view label);

// The AIM id a reader that reports only a type (camera, some serial protocols) should attach, or
// "" for unknown and other. The plain variant is chosen: ean128 -> "]C1" but qrcode -> "]Q1",
// datamatrix -> "]d1" (a caller that knows the data is GS1 must say so itself). The view points
// to a string literal (static storage).
std::string_view aim_id_for(ScanDataType type);

}  // namespace loyalty::drivers
