// The symbologies an ImageDecoder takes: names, lists, and the mapping to ZXing's formats.
#define ZX_USE_UTF8
#include <ZXing/BarcodeFormat.h>

#include <algorithm>
#include <string>

#include "loyalty/drivers/camera/image_decoder.h"

namespace loyalty::drivers {

namespace {

struct Decodable {
  ScanDataType type;
  ZXing::BarcodeFormat format;
};

// Every ScanDataType ZXing 1.4 reads from an image. Code 128 and GS1-128 are one ZXing format;
// the AIM id tells them apart after decoding.
constexpr Decodable kDecodable[] = {
    {ScanDataType::ean13, ZXing::BarcodeFormat::EAN13},
    {ScanDataType::upca, ZXing::BarcodeFormat::UPCA},
    {ScanDataType::upce, ZXing::BarcodeFormat::UPCE},
    {ScanDataType::ean8, ZXing::BarcodeFormat::EAN8},
    {ScanDataType::code128, ZXing::BarcodeFormat::Code128},
    {ScanDataType::ean128, ZXing::BarcodeFormat::Code128},
    {ScanDataType::qrcode, ZXing::BarcodeFormat::QRCode},
    {ScanDataType::datamatrix, ZXing::BarcodeFormat::DataMatrix},
    {ScanDataType::pdf417, ZXing::BarcodeFormat::PDF417},
    {ScanDataType::aztec, ZXing::BarcodeFormat::Aztec},
    {ScanDataType::maxicode, ZXing::BarcodeFormat::MaxiCode},
    {ScanDataType::itf, ZXing::BarcodeFormat::ITF},
    {ScanDataType::codabar, ZXing::BarcodeFormat::Codabar},
    {ScanDataType::code39, ZXing::BarcodeFormat::Code39},
    {ScanDataType::code93, ZXing::BarcodeFormat::Code93},
    {ScanDataType::gs1databar, ZXing::BarcodeFormat::DataBar},
    {ScanDataType::gs1databar_e, ZXing::BarcodeFormat::DataBarExpanded},
};

const Decodable* find_decodable(ScanDataType type) {
  for (const Decodable& d : kDecodable) {
    if (d.type == type) return &d;
  }
  return nullptr;
}

std::string decodable_names() {
  std::string names;
  for (const Decodable& d : kDecodable) {
    if (!names.empty()) names += ", ";
    names += scan_data_type_name(d.type);
  }
  return names;
}

}  // namespace

std::vector<ScanDataType> default_scan_formats() {
  return {ScanDataType::ean13,  ScanDataType::upca,      ScanDataType::upce,
          ScanDataType::ean8,   ScanDataType::code128,   ScanDataType::ean128,
          ScanDataType::qrcode, ScanDataType::datamatrix};
}

Result<ScanDataType> parse_scan_data_type(std::string_view name) {
  for (const Decodable& d : kDecodable) {
    if (name == scan_data_type_name(d.type)) return d.type;
  }
  return make_error(ErrorCode::invalid_argument, "unknown barcode format \"" + std::string(name) +
                                                     "\" (expected one of: " + decodable_names() +
                                                     ")");
}

Result<std::vector<ScanDataType>> parse_scan_formats(std::string_view comma_list) {
  std::vector<ScanDataType> formats;
  // Each pass consumes one item; there are at most as many items as characters plus one.
  const std::size_t passes_max = comma_list.size() + 1;
  for (std::size_t pass = 0; pass < passes_max; ++pass) {
    const std::size_t comma = comma_list.find(',');
    const std::string_view item = comma_list.substr(0, comma);
    if (item.empty()) {
      return make_error(ErrorCode::invalid_argument,
                        "empty barcode format in the list (write e.g. ean13,qrcode)");
    }
    const ScanDataType type = TRY(parse_scan_data_type(item));
    if (std::find(formats.begin(), formats.end(), type) != formats.end()) {
      return make_error(ErrorCode::invalid_argument,
                        "barcode format \"" + std::string(item) + "\" is listed twice");
    }
    formats.push_back(type);
    if (comma == std::string_view::npos) return formats;
    comma_list.remove_prefix(comma + 1);
  }
  LOYALTY_ASSERT(false && "parse_scan_formats: every pass consumes an item");
  return formats;
}

std::string scan_formats_text(std::span<const ScanDataType> formats) {
  std::string text;
  for (ScanDataType type : formats) {
    if (!text.empty()) text += ", ";
    text += scan_data_type_name(type);
  }
  return text;
}

Result<ImageDecoder> ImageDecoder::create(ImageDecodeOptions options) {
  if (options.formats().empty()) {
    return make_error(ErrorCode::invalid_argument,
                      "an image decoder needs at least one barcode format");
  }
  int zxing_formats = 0;  // ZXing::BarcodeFormat bits
  for (ScanDataType type : options.formats()) {
    const Decodable* decodable = find_decodable(type);
    if (decodable == nullptr) {
      return make_error(
          ErrorCode::invalid_argument,
          std::string("barcode format ") + scan_data_type_name(type) +
              " cannot be decoded from images (expected one of: " + decodable_names() + ")");
    }
    zxing_formats |= static_cast<int>(decodable->format);
  }
  return ImageDecoder(std::move(options), zxing_formats);
}

}  // namespace loyalty::drivers

namespace loyalty::drivers {

std::string eci_name(int eci) {
  // AIM ECI assignments (ITS/04-001) of the character sets ZXing 1.4 decodes.
  switch (eci) {
    case 0:
    case 2:
      return "CP437";
    case 1:
    case 3:
      return "ISO-8859-1";
    case 4:
    case 5:
    case 6:
    case 7:
    case 8:
    case 9:
    case 10:
    case 11:
    case 12:
    case 13:
      return "ISO-8859-" + std::to_string(eci - 2);
    case 15:
    case 16:
    case 17:
    case 18:
      return "ISO-8859-" + std::to_string(eci - 2);
    case 20:
      return "Shift_JIS";
    case 21:
      return "windows-1250";
    case 22:
      return "windows-1251";
    case 23:
      return "windows-1252";
    case 24:
      return "windows-1256";
    case 25:
      return "UTF-16BE";
    case 26:
      return "UTF-8";
    case 27:
      return "US-ASCII";
    case 28:
      return "Big5";
    case 29:
      return "GB2312";
    case 30:
      return "EUC-KR";
    case 31:
      return "GBK";
    case 32:
      return "GB18030";
    case 33:
      return "UTF-16LE";
    case 34:
      return "UTF-32BE";
    case 35:
      return "UTF-32LE";
    case 170:
      return "ISO-646";
    case 899:
      return "binary";
    default:
      return "ECI " + std::to_string(eci);
  }
}

}  // namespace loyalty::drivers
