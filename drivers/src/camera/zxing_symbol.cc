// type_of, symbol_of and eci_segments (camera/zxing_symbol.h).
#define ZX_USE_UTF8
#include "camera/zxing_symbol.h"

#include <string>

#include "loyalty/core/limits.h"
#include "loyalty/drivers/scan/upc.h"

namespace loyalty::drivers::detail {

namespace {

std::size_t code_points(const std::string& utf8) {
  std::size_t count = 0;
  for (char c : utf8) count += (static_cast<unsigned char>(c) & 0xc0) != 0x80 ? 1 : 0;
  return count;
}

// True when ZXing's text for content without ECI did not lose characters of `bytes`.
bool guessed_text_whole(const std::string& text, const ZXing::ByteArray& bytes) {
  if (bytes.empty()) return true;
  if (text.size() == bytes.size() && std::equal(text.begin(), text.end(), bytes.begin())) {
    return true;  // UTF-8 (or ASCII) taken as it is
  }
  return 2 * code_points(text) >= bytes.size();
}

bool label_is_text(const ZXing::Result& result, const std::string& text) {
  switch (result.contentType()) {
    case ZXing::ContentType::GS1:
    case ZXing::ContentType::ISO15434:
      return true;
    case ZXing::ContentType::Text:
    case ZXing::ContentType::Mixed:
      return result.hasECI() || guessed_text_whole(text, result.bytes());
    case ZXing::ContentType::Binary:
    case ZXing::ContentType::UnknownECI:
      return false;
  }
  return false;
}

}  // namespace

SymbolCorners corners_of(const ZXing::Position& position) {
  const auto point = [](const ZXing::PointI& p) { return PixelPoint{p.x, p.y}; };
  return SymbolCorners{point(position.topLeft()), point(position.topRight()),
                       point(position.bottomRight()), point(position.bottomLeft())};
}

ScanDataType type_of(const ZXing::Result& result) {
  using ZXing::BarcodeFormat;
  switch (result.format()) {
    case BarcodeFormat::EAN13:
      return ScanDataType::ean13;
    case BarcodeFormat::UPCA:
      return ScanDataType::upca;
    case BarcodeFormat::UPCE:
      return ScanDataType::upce;
    case BarcodeFormat::EAN8:
      return ScanDataType::ean8;
    // FNC1 in the first position (AIM ]C1) makes Code 128 GS1-128.
    case BarcodeFormat::Code128:
      return result.symbologyIdentifier() == "]C1" ? ScanDataType::ean128 : ScanDataType::code128;
    case BarcodeFormat::QRCode:
      return ScanDataType::qrcode;
    case BarcodeFormat::DataMatrix:
      return ScanDataType::datamatrix;
    case BarcodeFormat::PDF417:
      return ScanDataType::pdf417;
    case BarcodeFormat::Aztec:
      return ScanDataType::aztec;
    case BarcodeFormat::MaxiCode:
      return ScanDataType::maxicode;
    case BarcodeFormat::ITF:
      return ScanDataType::itf;
    case BarcodeFormat::Codabar:
      return ScanDataType::codabar;
    case BarcodeFormat::Code39:
      return ScanDataType::code39;
    case BarcodeFormat::Code93:
      return ScanDataType::code93;
    case BarcodeFormat::DataBar:
      return ScanDataType::gs1databar;
    case BarcodeFormat::DataBarExpanded:
      return ScanDataType::gs1databar_e;
    default:
      return ScanDataType::unknown;
  }
}

std::vector<EciSegment> eci_segments(const ZXing::ByteArray& bytes_eci,
                                     const ZXing::ByteArray& bytes) {
  std::vector<EciSegment> segments;
  std::size_t at = 0;
  if (bytes_eci.size() >= 3 && bytes_eci[0] == ']') at = 3;  // the AIM symbology identifier
  std::size_t data = 0;                                      // bytes of content seen so far
  while (at < bytes_eci.size()) {
    const std::uint8_t byte = bytes_eci[at];
    if (byte == '\\' && at + 1 < bytes_eci.size() && bytes_eci[at + 1] == '\\') {
      at += 2;  // an escaped backslash of the data
    } else if (byte == '\\' && at + 7 <= bytes_eci.size()) {
      int eci = 0;
      for (std::size_t k = 1; k <= 6; ++k) {
        const std::uint8_t digit = bytes_eci[at + k];
        if (digit < '0' || digit > '9') return {};
        eci = eci * 10 + (digit - '0');
      }
      segments.push_back(EciSegment{eci, data});
      at += 7;
      continue;
    } else {
      at += 1;
    }
    if (data >= bytes.size() || bytes[data] != byte) return {};
    ++data;
  }
  if (data != bytes.size()) return {};
  return segments;
}

Result<DecodedSymbol> symbol_of(const ZXing::Result& result, ScanDataType type) {
  DecodedSymbol symbol;
  symbol.type = type;
  symbol.aim_id = result.symbologyIdentifier();
  symbol.raw.assign(result.bytes().begin(), result.bytes().end());
  if (result.hasECI()) symbol.ecis = eci_segments(result.bytesECI(), result.bytes());
  const std::string text = result.text();
  symbol.label =
      label_is_text(result, text) ? text : std::string(symbol.raw.begin(), symbol.raw.end());
  symbol.corners = corners_of(result.position());
  if (symbol.label.size() > limits::scan_label_bytes_max) {
    return make_error(ErrorCode::limit_exceeded,
                      std::string(scan_data_type_name(type)) + " label of " +
                          std::to_string(symbol.label.size()) +
                          " bytes is longer than the limit of " +
                          std::to_string(limits::scan_label_bytes_max) + " bytes; dropped");
  }
  if (is_upc_ean(type)) symbol.label = TRY(normalize_upc_ean(type, symbol.label));
  return symbol;
}

}  // namespace loyalty::drivers::detail
