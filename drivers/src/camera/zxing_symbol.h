// A ZXing result as a DecodedSymbol: type, AIM id, label, raw bytes, ECI segments, corners.
// Internal to drivers.
#pragma once

#include <ZXing/Result.h>

#include "loyalty/drivers/camera/image_decoder.h"

namespace loyalty::drivers::detail {

SymbolCorners corners_of(const ZXing::Position& position);

// The UPOS type of `result` (Code 128 with FNC1 first is ean128); unknown for formats without one.
ScanDataType type_of(const ZXing::Result& result);

// The label is the text ZXing decoded, as UTF-8, when the symbol holds text: every segment
// transcoded by its ECI, or, without ECI, by the character set ZXing guessed, unless that guess
// lost characters (fewer than one character per two bytes, the most any candidate uses per
// character, and not the bytes themselves). Otherwise (binary content, an ECI ZXing cannot
// process, a lossy guess) the label is the bytes, unchanged. raw is always the bytes.
// Errors: the label longer than limits::scan_label_bytes_max, a UPC/EAN with a wrong check digit.
Result<DecodedSymbol> symbol_of(const ZXing::Result& result, ScanDataType type);

// The ECI designators of ZXing's ECI-protocol form of the content (bytesECI(): the AIM prefix,
// then "\nnnnnn" at each ECI and "\\" for a backslash of the data), each with the offset in the
// plain bytes where it starts; empty when the form does not match `bytes` byte for byte.
std::vector<EciSegment> eci_segments(const ZXing::ByteArray& bytes_eci,
                                     const ZXing::ByteArray& bytes);

}  // namespace loyalty::drivers::detail
