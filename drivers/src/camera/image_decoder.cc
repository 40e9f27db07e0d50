// ImageDecoder::decode over ZXing-C++ 1.4 ReadBarcodes, and the image-file and ScanEvent helpers.
#define ZX_USE_UTF8
#include "loyalty/drivers/camera/image_decoder.h"

#include <ZXing/BarcodeFormat.h>
#include <ZXing/DecodeHints.h>
#include <ZXing/ImageView.h>
#include <ZXing/ReadBarcode.h>
#include <ZXing/Result.h>

#include <algorithm>
#include <exception>
#include <optional>
#include <string>

#include "loyalty/core/limits.h"
#include "loyalty/drivers/scan/upc.h"

namespace loyalty::drivers {

namespace {

ZXing::DecodeHints hints_for(const ImageDecodeOptions& options, int zxing_formats,
                             bool try_harder) {
  ZXing::DecodeHints hints;
  hints.setFormats(ZXing::BarcodeFormats(static_cast<ZXing::BarcodeFormat>(zxing_formats)))
      .setTryHarder(try_harder)
      .setTryRotate(options.quarter_turns() == QuarterTurns::try_them)
      .setMaxNumberOfSymbols(static_cast<std::uint8_t>(options.symbols_max()))
      .setEanAddOnSymbol(ZXing::EanAddOnSymbol::Ignore)
      .setReturnErrors(false);
  return hints;
}

// One ZXing pass, or two for DecodeEffort::adaptive when the fast one finds nothing.
ZXing::Results read_barcodes(const ZXing::ImageView& view, const ImageDecodeOptions& options,
                             int zxing_formats) {
  const DecodeEffort effort = options.effort();
  ZXing::Results results = ZXing::ReadBarcodes(
      view, hints_for(options, zxing_formats, effort == DecodeEffort::thorough));
  if (effort == DecodeEffort::adaptive && results.empty()) {
    results = ZXing::ReadBarcodes(view, hints_for(options, zxing_formats, true));
  }
  return results;
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

// Text as UTF-8 (ZXing applies the ECI or its guess of the character set); anything else as the
// bytes the symbol holds, so binary content survives unchanged.
std::string label_of(const ZXing::Result& result) {
  switch (result.contentType()) {
    case ZXing::ContentType::Text:
    case ZXing::ContentType::GS1:
    case ZXing::ContentType::ISO15434:
      return result.text();
    default:
      return std::string(result.bytes().begin(), result.bytes().end());
  }
}

SymbolCorners corners_of(const ZXing::Position& position) {
  const auto point = [](const ZXing::PointI& p) { return PixelPoint{p.x, p.y}; };
  return SymbolCorners{point(position.topLeft()), point(position.topRight()),
                       point(position.bottomRight()), point(position.bottomLeft())};
}

// The symbol for `result`, or the reason it is dropped.
Result<DecodedSymbol> symbol_of(const ZXing::Result& result, ScanDataType type) {
  DecodedSymbol symbol;
  symbol.type = type;
  symbol.aim_id = result.symbologyIdentifier();
  symbol.raw.assign(result.bytes().begin(), result.bytes().end());
  symbol.label = label_of(result);
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

Status check_frame(const GreyFrame& frame) {
  if (frame.width <= 0 || frame.height <= 0 || frame.row_stride < frame.width) {
    return make_error(ErrorCode::invalid_argument,
                      "a frame needs a width and height above 0 and a row stride of at least the "
                      "width; got " +
                          std::to_string(frame.width) + "x" + std::to_string(frame.height) +
                          ", stride " + std::to_string(frame.row_stride));
  }
  const auto pixels = static_cast<std::uint64_t>(frame.width) * std::uint64_t(frame.height);
  if (pixels > limits::image_pixels_max) {
    return make_error(ErrorCode::limit_exceeded, "a frame of " + std::to_string(pixels) +
                                                     " pixels is over the limit of " +
                                                     std::to_string(limits::image_pixels_max));
  }
  const std::uint64_t needed = std::uint64_t(frame.row_stride) * std::uint64_t(frame.height - 1) +
                               std::uint64_t(frame.width);
  if (frame.pixels.size() < needed) {
    return make_error(ErrorCode::invalid_argument,
                      "a " + std::to_string(frame.width) + "x" + std::to_string(frame.height) +
                          " frame with a row stride of " + std::to_string(frame.row_stride) +
                          " needs " + std::to_string(needed) + " bytes; got " +
                          std::to_string(frame.pixels.size()));
  }
  return {};
}

}  // namespace

GreyFrame grey_frame(const GreyImage& image) {
  return GreyFrame{image.pixels, image.width, image.height, image.width};
}

Result<FrameScan> ImageDecoder::decode(const GreyFrame& frame) const {
  TRY(check_frame(frame));
  const ZXing::ImageView view(frame.pixels.data(), frame.width, frame.height,
                              ZXing::ImageFormat::Lum, frame.row_stride);
  ZXing::Results results;
  try {
    results = read_barcodes(view, options_, zxing_formats_);
  } catch (const std::exception& e) {  // ZXing may throw (std::bad_alloc); none crosses drivers
    return make_error(ErrorCode::internal, std::string("ZXing failed: ") + e.what());
  }
  FrameScan scan;
  const std::vector<ScanDataType>& allowed = options_.formats();
  for (const ZXing::Result& result : results) {
    if (!result.isValid() || scan.symbols.size() >= options_.symbols_max()) continue;
    const ScanDataType type = type_of(result);
    if (std::find(allowed.begin(), allowed.end(), type) == allowed.end()) continue;
    Result<DecodedSymbol> symbol = symbol_of(result, type);
    if (symbol.ok()) {
      scan.symbols.push_back(std::move(symbol).value());
    } else {
      scan.rejected.push_back(std::move(symbol).error());
    }
  }
  return scan;
}

Result<std::vector<DecodedSymbol>> decode_image_file(const std::string& path,
                                                     const ImageDecoder& decoder) {
  const GreyImage image = TRY(load_image_file(path));
  FrameScan scan = TRY(decoder.decode(grey_frame(image)));
  if (!scan.symbols.empty()) return std::move(scan.symbols);
  if (!scan.rejected.empty()) {
    Error first = std::move(scan.rejected.front());
    first.message = path + ": " + first.message;
    return first;
  }
  return make_error(ErrorCode::not_found, path + ": no barcode found (looked for " +
                                              scan_formats_text(decoder.options().formats()) + ")");
}

std::string image_device_id(std::string_view path) { return "image:" + std::string(path); }

std::string camera_device_id(std::string_view camera_id) {
  return "camera:" + std::string(camera_id);
}

ScanEvent make_scan_event(const DecodedSymbol& symbol, std::string device_id) {
  ScanEventFields fields;
  fields.device_id = std::move(device_id);
  fields.kind = DeviceKind::scanner;
  fields.label = symbol.label;
  fields.aim_id = symbol.aim_id;
  fields.type = symbol.type;
  fields.raw.assign(symbol.aim_id.begin(), symbol.aim_id.end());
  fields.raw.insert(fields.raw.end(), symbol.raw.begin(), symbol.raw.end());
  return ScanEvent(std::move(fields));
}

}  // namespace loyalty::drivers
