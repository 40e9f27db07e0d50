// UPC-A, UPC-E, EAN-13 and EAN-8 labels: check digits and one canonical form (GS1 General
// Specifications, 7.9 "Check digit calculation" and the UPC-E zero-suppression rules).
//
// Canonical form: every UPC-A, UPC-E and EAN-13 label is normalised to its 13-digit GTIN-13,
// the form EAN-13 prints and the one a product or loyalty-card lookup keys on:
//   UPC-A  036000291452  ->  0036000291452  (a leading 0)
//   UPC-E  04252614      ->  UPC-A 042100005264  ->  0042100005264
//   EAN-13 5901234123457 ->  5901234123457  (unchanged)
// EAN-8 stays 8 digits (a GTIN-8 is its own number space; padding it to 13 digits would collide
// with nothing but is not what the label says). The symbology the label was printed in is kept
// separately (ScanDataType), so nothing is lost.
//
// Every function verifies the check digit and refuses anything else with a message naming the
// problem. Pure functions; safe to call from any thread.
#pragma once

#include <string>
#include <string_view>

#include "loyalty/core/result.h"
#include "loyalty/drivers/scan_event.h"

namespace loyalty::drivers {

// Check digits: loyalty::gs1_check_digit() and gs1_check_digit_valid() (core/identification.h).

// Expands an 8-digit UPC-E label (number system 0 or 1, six data digits, check digit) to its
// 12-digit UPC-A, by the zero-suppression rules on the last data digit:
//   0-2  M1 M2 d6 0 0 0 0 M3 M4 M5      3  M1 M2 M3 0 0 0 0 0 M4 M5
//   4    M1 M2 M3 M4 0 0 0 0 0 M5       5-9  M1 M2 M3 M4 M5 0 0 0 0 d6
// The check digit carries over and is verified against the expanded number. A 7-digit label
// (without its check digit) or a 6-digit one (number system 0 assumed, no check digit) is
// refused: a scanner always delivers all eight.
Result<std::string> expand_upce(std::string_view upce);

// The canonical label (see above) of a label of `type` upca, upce, ean13 or ean8 as the scanner
// delivered it, after verifying its length and check digit. Any other type is an
// ErrorCode::invalid_argument error (a bug in the caller: only call it for these four).
Result<std::string> normalize_upc_ean(ScanDataType type, std::string_view label);

// True for the four types normalize_upc_ean() takes.
bool is_upc_ean(ScanDataType type);

}  // namespace loyalty::drivers
